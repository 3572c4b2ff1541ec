//! The native engine (Winograd convolutions) gives ONNX Runtime's output on
//! every model it accepts, on a real image crop, and refuses the models it
//! cannot run exactly.

mod common;

use common::{crop, set5};
use seer_core::progress::NoProgress;
use seer_native::{Kernel, NativeNet, Planes};
use seer_runtime::{Session, SessionOptions, Tensor};
use seer_upscale::UpscaleConvention;
use std::time::Instant;

/// Models the native engine must accept, with the input size tested:
/// odd sizes for the plain chains (partial Winograd blocks, edge taps),
/// multiples of 4 for the U-Nets (their 2×2 stride-2 layers need them).
const NATIVE: [(&str, u32, u32); 13] = [
    ("upscale.waifu2x-upconv7-photo.x2", 61, 47),
    ("upscale.srmdnf.x2", 61, 47),
    ("upscale.srmdnf.x3", 61, 47),
    ("upscale.srmdnf.x4", 61, 47),
    ("upscale.srmd.x2", 61, 47),
    ("upscale.realesr-animevideov3.x2", 61, 47),
    ("upscale.realesr-animevideov3.x3", 61, 47),
    ("upscale.realesr-animevideov3.x4", 61, 47),
    ("upscale.waifu2x-cunet.x2", 76, 60),
    ("upscale.realcugan-se-conservative.x2", 76, 60),
    ("upscale.realcugan-se-conservative.x3", 76, 60),
    ("upscale.realcugan-se-conservative.x4", 76, 60),
    ("upscale.realcugan-se-denoise3x.x2", 76, 60),
];

/// Models with operators the engine lacks (Real-ESRGAN's dense blocks
/// concatenate feature maps).
const NOT_NATIVE: [&str; 1] = ["upscale.realesrgan-x4plus.x4"];

/// The model input for a `w`×`h` crop of baby.png with the model's
/// constant channels, NCHW.
fn input_for(c: &UpscaleConvention, w: u32, h: u32) -> (Tensor, Planes) {
    let image = crop(&set5("baby.png"), 150, 170, w, h);
    let channels = c.input_channels();
    let plane = (w * h) as usize;
    let mut data = vec![0.0f32; channels * plane];
    for (i, p) in image.pixels().enumerate() {
        for ch in 0..3 {
            data[ch * plane + i] = f32::from(p.0[ch]) / 255.0 * c.value_range;
        }
        for (k, v) in c.extra_channels.iter().enumerate() {
            data[(3 + k) * plane + i] = *v;
        }
    }
    let tensor = Tensor {
        shape: vec![1, channels, h as usize, w as usize],
        data: data.clone(),
    };
    let planes = Planes::new(channels, w as usize, h as usize, data).unwrap();
    (tensor, planes)
}

/// Every kernel family this CPU has (AVX-512 and AVX2 on an AVX-512
/// machine), each forced in turn.
fn kernels() -> Vec<Kernel> {
    [Kernel::Avx512, Kernel::Avx2]
        .into_iter()
        .filter(|k| k.available())
        .collect()
}

#[test]
fn native_output_equals_onnx_runtime_output() {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let kernels = kernels();
    println!("kernels compared: {kernels:?}");
    for (id, w, h) in NATIVE {
        let convention = UpscaleConvention::from_spec(store.model(id).unwrap()).unwrap();
        let path = store.ensure(id, &NoProgress).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let model = seer_onnx::decode(&bytes).unwrap();
        let (tensor, planes) = input_for(&convention, w, h);
        let mut session = Session::from_file(&path, &SessionOptions { threads: 2 }).unwrap();
        let start = Instant::now();
        let expected = session.run(&[tensor]).unwrap().remove(0);
        let ort_s = start.elapsed().as_secs_f64();
        for kernel in &kernels {
            let net =
                NativeNet::with_kernel(&model, 2, *kernel).unwrap_or_else(|e| panic!("{id}: {e}"));
            let start = Instant::now();
            let got = net
                .run(planes.clone())
                .unwrap_or_else(|e| panic!("{id}: {e}"));
            let native_s = start.elapsed().as_secs_f64();
            assert_eq!(
                expected.shape,
                vec![1, got.channels, got.height, got.width],
                "{id}: output shape"
            );
            let worst = expected
                .data
                .iter()
                .zip(&got.data)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            let range = convention.value_range;
            println!(
                "{id} ({kernel:?}): max |native - ORT| = {:.2e} of the value range; ORT {:.1} ms, native {:.1} ms",
                worst / range,
                ort_s * 1e3,
                native_s * 1e3
            );
            assert!(
                worst / range < 1e-3,
                "{id} {kernel:?}: max difference {worst}"
            );
        }
    }
}

#[test]
fn models_with_other_operators_are_refused() {
    let store = seer_models::testing::store();
    for id in NOT_NATIVE {
        let path = store.ensure(id, &NoProgress).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let refused = NativeNet::from_bytes(&bytes, 2).err();
        println!("{id}: {refused:?}");
        assert!(refused.is_some(), "{id} must run in ONNX Runtime");
    }
}
