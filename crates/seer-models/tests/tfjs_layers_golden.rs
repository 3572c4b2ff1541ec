//! The TF.js layers importer reproduces the UpscalerJS ESRGAN models: the
//! imported ONNX models, run in ONNX Runtime on the package fixture, match
//! the sample images shipped in the packages to within one 8-bit step, and
//! every differing value sits on a rounding boundary (x.5 after ·255).

use seer_models::import::{tfjs_layers, ImportError};
use seer_onnx::encode;
use seer_runtime::{Session, SessionOptions, Tensor};
use std::path::PathBuf;
use std::time::Instant;

const THICK: &str = "@upscalerjs/esrgan-thick@1.0.0";
const MEDIUM: &str = "@upscalerjs/esrgan-medium@1.0.0";
const SLIM: &str = "@upscalerjs/esrgan-slim@1.0.0";

/// Value range an UpscalerJS model works in (`inputRange`/`outputRange` in
/// the package's `getModelDefinition`): thick ("rrdn") uses 0..1, medium and
/// slim ("rdn") use 0..255.
fn value_range(package: &str) -> f32 {
    if package == THICK {
        1.0
    } else {
        255.0
    }
}

fn model_json(package: &str, scale: usize) -> PathBuf {
    seer_models::testing::package_dir(package).join(format!("models/x{scale}/model.json"))
}

fn session(package: &str, scale: usize) -> Session {
    let path = model_json(package, scale);
    let model =
        tfjs_layers::import(&path).unwrap_or_else(|e| panic!("import {package} x{scale}: {e}"));
    Session::from_bytes(
        &format!("{package} x{scale}"),
        &encode(&model),
        &SessionOptions { threads: 2 },
    )
    .unwrap_or_else(|e| panic!("load {package} x{scale}: {e}"))
}

/// Runs the model on an NHWC image in 0..1; returns the output scaled to 0..1.
fn upscale(s: &mut Session, package: &str, shape: &[usize], data: &[f32]) -> Tensor {
    let range = value_range(package);
    let input = Tensor::new(shape.to_vec(), data.iter().map(|v| v * range).collect()).unwrap();
    let mut out = s.run(&[input]).unwrap().remove(0);
    out.data.iter_mut().for_each(|v| *v /= range);
    out
}

/// The package fixture (128x128, alpha dropped) as NHWC in 0..1.
fn fixture(package: &str) -> (Vec<usize>, Vec<f32>) {
    let path = seer_models::testing::package_dir(package).join("assets/fixture.png");
    let img = seer_imgproc::load_rgb(&path).unwrap();
    seer_imgproc::rgb_to_nhwc(&img)
}

/// The package's sample result (alpha dropped) as RGB bytes.
fn sample(package: &str, scale: usize) -> Vec<u8> {
    let path = seer_models::testing::package_dir(package)
        .join(format!("assets/samples/{scale}x/result.png"));
    seer_imgproc::load_rgb(&path).unwrap().into_raw()
}

/// 0..1 floats → 8-bit: round(v·255), clamped.
fn to_u8(data: &[f32]) -> Vec<u8> {
    data.iter()
        .map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect()
}

/// How two RGB byte images differ.
struct Diff {
    /// Largest difference over all pixels and channels (8-bit steps).
    max: u8,
    /// Share of pixels whose three channels are all equal.
    equal_share: f64,
    /// Peak signal-to-noise ratio (dB).
    psnr: f64,
}

fn compare(a: &[u8], b: &[u8]) -> Diff {
    assert_eq!(a.len(), b.len());
    let diffs: Vec<u8> = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).collect();
    let pixels = diffs.len() / 3;
    let equal = diffs
        .chunks(3)
        .filter(|p| p.iter().all(|&d| d == 0))
        .count();
    let mse = diffs.iter().map(|&d| (d as f64).powi(2)).sum::<f64>() / diffs.len() as f64;
    Diff {
        max: diffs.iter().copied().max().unwrap_or(0),
        equal_share: equal as f64 / pixels as f64,
        psnr: 10.0 * (255.0f64.powi(2) / mse.max(1e-12)).log10(),
    }
}

/// Largest distance (8-bit units) of a value from the x.5 rounding boundary
/// among the values whose rounding disagrees with `reference`.
fn worst_off_boundary(out: &[f32], reference: &[u8]) -> f32 {
    out.iter()
        .zip(to_u8(out))
        .zip(reference)
        .filter(|((_, ours), r)| ours != *r)
        .map(|((v, _), _)| ((v * 255.0).fract().abs() - 0.5).abs())
        .fold(0.0, f32::max)
}

/// Upscales the fixture with the package's `scale` model and checks it
/// against the package's sample: max diff ≤ 1 and every differing value
/// within 0.01 (8-bit units) of a rounding boundary.
fn check_sample(package: &str, scale: usize) -> Vec<f32> {
    let mut s = session(package, scale);
    let (shape, data) = fixture(package);
    let start = Instant::now();
    let out = upscale(&mut s, package, &shape, &data);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(out.shape, vec![1, 128 * scale, 128 * scale, 3]);
    let reference = sample(package, scale);
    let d = compare(&to_u8(&out.data), &reference);
    let off = worst_off_boundary(&out.data, &reference);
    eprintln!(
        "{package} x{scale}: run {secs:.2} s, max diff {}, pixels equal {:.5}, PSNR {:.2} dB, \
         mismatches at most {off:.5} from x.5",
        d.max, d.equal_share, d.psnr
    );
    assert!(d.max <= 1, "{package} x{scale}: max diff {}", d.max);
    assert!(
        d.equal_share > 0.999,
        "{package} x{scale}: {}",
        d.equal_share
    );
    assert!(
        off < 0.01,
        "{package} x{scale}: a mismatch is {off} from x.5"
    );
    out.data
}

#[test]
fn esrgan_thick_x2_matches_sample() {
    seer_models::testing::init_runtime();
    check_sample(THICK, 2);
}

#[test]
fn esrgan_thick_x4_matches_sample() {
    seer_models::testing::init_runtime();
    check_sample(THICK, 4);
}

#[test]
fn esrgan_thick_x8_matches_sample() {
    seer_models::testing::init_runtime();
    check_sample(THICK, 8);
}

/// Medium and slim ship their own samples (2x, 3x, 4x): they match too,
/// which also pins down their 0..255 value range.
#[test]
fn esrgan_medium_and_slim_match_their_samples() {
    seer_models::testing::init_runtime();
    for package in [MEDIUM, SLIM] {
        for scale in [2, 3, 4] {
            check_sample(package, scale);
        }
    }
}

/// Nearest-neighbour upscale of an NHWC `[1, h, w, 3]` image by `scale`.
fn nearest(data: &[f32], h: usize, w: usize, scale: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(data.len() * scale * scale);
    for y in 0..h * scale {
        for x in 0..w * scale {
            let i = ((y / scale) * w + x / scale) * 3;
            out.extend_from_slice(&data[i..i + 3]);
        }
    }
    out
}

/// The cheaper x2 models are sane: against the thick x2 sample each beats
/// a nearest-neighbour upscale of the fixture by a clear margin.
#[test]
fn cheaper_x2_models_are_close_to_thick_sample() {
    seer_models::testing::init_runtime();
    let (shape, data) = fixture(THICK);
    let reference = sample(THICK, 2);
    let baseline = compare(&to_u8(&nearest(&data, 128, 128, 2)), &reference).psnr;
    eprintln!("nearest x2 vs thick sample: PSNR {baseline:.2} dB");
    for (package, floor) in [(THICK, 80.0), (MEDIUM, 35.0), (SLIM, 35.0)] {
        let mut s = session(package, 2);
        let out = upscale(&mut s, package, &shape, &data);
        let psnr = compare(&to_u8(&out.data), &reference).psnr;
        eprintln!("{package} x2 vs thick sample: PSNR {psnr:.2} dB");
        assert!(psnr >= floor, "{package}: PSNR {psnr:.2} < {floor}");
        assert!(
            psnr > baseline + 3.0,
            "{package}: PSNR {psnr:.2} vs nearest {baseline:.2}"
        );
    }
}

/// A smooth 16x16 test pattern in 0..1 (NHWC).
fn pattern(size: usize) -> Vec<f32> {
    let mut data = Vec::with_capacity(size * size * 3);
    for y in 0..size {
        for x in 0..size {
            let (fx, fy) = (x as f32 / size as f32, y as f32 / size as f32);
            data.extend_from_slice(&[0.2 + 0.6 * fx, 0.2 + 0.6 * fy, 0.5 + 0.3 * (fx - fy)]);
        }
    }
    data
}

fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len() as f32
}

/// Every model of every package imports, declares NHWC `input`/`output`,
/// and on a 16x16 pattern gives `[1, 16N, 16N, 3]`, finite values, and keeps
/// the mean brightness.
#[test]
fn all_esrgan_models_import_and_run() {
    seer_models::testing::init_runtime();
    let size = 16;
    let data = pattern(size);
    for package in [THICK, MEDIUM, SLIM] {
        for scale in [2, 3, 4, 8] {
            let start = Instant::now();
            let mut s = session(package, scale);
            let spec = (&s.inputs()[0], &s.outputs()[0]);
            assert_eq!(spec.0.name, "input");
            assert_eq!(spec.0.shape, vec![Some(1), None, None, Some(3)]);
            assert_eq!(spec.1.name, "output");
            let out = upscale(&mut s, package, &[1, size, size, 3], &data);
            let secs = start.elapsed().as_secs_f64();
            assert_eq!(out.shape, vec![1, size * scale, size * scale, 3]);
            assert!(out.data.iter().all(|v| v.is_finite()), "{package} x{scale}");
            let shift = (mean(&out.data) - mean(&data)).abs();
            eprintln!("{package} x{scale}: import+run {secs:.2} s, mean shift {shift:.4}");
            assert!(shift < 0.01, "{package} x{scale}: mean moved by {shift}");
        }
    }
}

/// A layer class the importer does not know is reported by class, layer
/// name and model file.
#[test]
fn unknown_layer_class_is_unsupported_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let json = r#"{
      "format": "layers-model",
      "modelTopology": {"model_config": {"class_name": "Functional", "config": {
        "name": "m",
        "layers": [
          {"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
           "config": {"batch_input_shape": [null, null, null, 3], "name": "in"}},
          {"class_name": "FancyLayer", "name": "fancy",
           "inbound_nodes": [[["in", 0, 0, {}]]], "config": {"name": "fancy"}}
        ],
        "input_layers": [["in", 0, 0]],
        "output_layers": [["fancy", 0, 0]]
      }}},
      "weightsManifest": []
    }"#;
    std::fs::write(&path, json).unwrap();
    let err = tfjs_layers::import(&path).unwrap_err();
    let text = err.to_string();
    match err {
        ImportError::UnsupportedOp {
            model,
            kind,
            op,
            node,
        } => {
            assert_eq!(model, path);
            assert_eq!(kind, "layer");
            assert_eq!(op, "FancyLayer");
            assert_eq!(node, "fancy");
        }
        other => panic!("expected UnsupportedOp, got {other:?}"),
    }
    assert!(text.contains("FancyLayer") && text.contains(&path.display().to_string()));
}
