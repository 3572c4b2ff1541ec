//! Models and inputs the native engine cannot take give errors that say
//! what is wrong (and the right `ErrorKind`), never a panic: hand-built
//! ONNX graphs with malformed weights or unsupported operators, and inputs
//! whose channel count or size does not fit the layers.

use seer_core::{ErrorKind, HasErrorKind};
use seer_native::{Kernel, NativeError, NativeNet, Planes};
use seer_onnx::{Attr, DataType, Dim, GraphBuilder, ModelProto};

/// A graph input of `channels` NCHW channels, any size.
fn image_input(g: &mut GraphBuilder, channels: i64) -> String {
    g.input(
        "x",
        DataType::Float,
        &[
            Dim::Fixed(1),
            Dim::Fixed(channels),
            Dim::named("h"),
            Dim::named("w"),
        ],
    )
}

/// A 3×3 convolution `cin` → `cout` with padding `pad`, named `hint`.
fn conv(g: &mut GraphBuilder, x: &str, cin: usize, cout: usize, pad: i64, hint: &str) -> String {
    let w = g.const_f32(
        &format!("{hint}_w"),
        &[cout as i64, cin as i64, 3, 3],
        &vec![0.01; cout * cin * 9],
    );
    let b = g.const_f32(&format!("{hint}_b"), &[cout as i64], &vec![0.0; cout]);
    g.node(
        "Conv",
        &[x, &w, &b],
        &[
            ("kernel_shape", Attr::Ints(vec![3, 3])),
            ("pads", Attr::Ints(vec![pad; 4])),
        ],
        hint,
    )
}

fn finish(mut g: GraphBuilder, y: &str) -> ModelProto {
    g.output(y, y, DataType::Float, None);
    g.finish()
}

/// Two valid (unpadded) 3×3 convolutions 3 → 8 → 4.
fn valid_chain() -> ModelProto {
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let a = conv(&mut g, &x, 3, 8, 0, "conv1");
    let r = g.node("Relu", &[&a], &[], "relu1");
    let y = conv(&mut g, &r, 8, 4, 0, "conv2");
    finish(g, &y)
}

fn planes(c: usize, w: usize, h: usize) -> Planes {
    Planes::new(c, w, h, vec![0.5; c * w * h]).expect("matching length")
}

fn net(model: &ModelProto) -> NativeNet {
    NativeNet::from_model(model, 2).expect("the test needs AVX2/FMA")
}

#[test]
fn a_fitting_input_runs_and_its_cost_is_counted() {
    if Kernel::detect().is_none() {
        return;
    }
    let model = valid_chain();
    let net = net(&model);
    let out = net.run(planes(3, 9, 7)).unwrap();
    assert_eq!((out.channels, out.width, out.height), (4, 5, 3));
    let expected = 7 * 5 * 8 * 3 * 9 + 5 * 3 * 4 * 8 * 9;
    assert_eq!(net.macs(9, 7).unwrap(), expected);
    let mut counted = seer_onnx::CostModel::from_model(model).unwrap();
    assert_eq!(counted.macs(&[vec![1, 3, 7, 9]]).unwrap(), expected);
}

#[test]
fn a_wrong_channel_count_is_an_input_error() {
    if Kernel::detect().is_none() {
        return;
    }
    let err = net(&valid_chain()).run(planes(4, 9, 7)).unwrap_err();
    assert!(matches!(err, NativeError::Input { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("4 input channels"), "{err}");
}

#[test]
fn an_input_too_small_for_a_valid_convolution_names_the_layer() {
    if Kernel::detect().is_none() {
        return;
    }
    let net = net(&valid_chain());
    // 4×4 → 2×2 after the first convolution: nothing is left after the second.
    for err in [
        net.run(planes(3, 4, 4)).unwrap_err(),
        net.macs(4, 4).unwrap_err(),
    ] {
        let NativeError::InputSize { node, width, .. } = &err else {
            panic!("not a size error: {err}");
        };
        assert_eq!((node.as_str(), *width), ("conv2/Conv", 4), "{err}");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
}

#[test]
fn a_crop_larger_than_its_input_is_an_error() {
    if Kernel::detect().is_none() {
        return;
    }
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let a = conv(&mut g, &x, 3, 8, 1, "conv");
    let starts = g.const_i64("starts", &[2], &[4, 4]);
    let ends = g.const_i64("ends", &[2], &[-4, -4]);
    let axes = g.const_i64("axes", &[2], &[2, 3]);
    let y = g.node("Slice", &[&a, &starts, &ends, &axes], &[], "crop");
    let net = net(&finish(g, &y));
    assert_eq!(net.run(planes(3, 10, 12)).unwrap().width, 2);
    let err = net.run(planes(3, 8, 12)).unwrap_err();
    assert!(
        matches!(&err, NativeError::InputSize { op, .. } if op == "Slice"),
        "{err}"
    );
}

#[test]
fn skip_connections_of_different_sizes_are_an_error() {
    if Kernel::detect().is_none() {
        return;
    }
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let a = conv(&mut g, &x, 3, 8, 1, "same");
    let b = conv(&mut g, &x, 3, 8, 0, "valid");
    let y = g.node("Add", &[&a, &b], &[], "sum");
    let err = net(&finish(g, &y)).run(planes(3, 9, 9)).unwrap_err();
    assert!(
        matches!(&err, NativeError::InputSize { op, .. } if op == "Add"),
        "{err}"
    );
}

#[test]
fn a_squeeze_layer_of_the_wrong_width_is_an_error() {
    if Kernel::detect().is_none() {
        return;
    }
    // Global pooling gives 8 values; the Gemm takes 5.
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let a = conv(&mut g, &x, 3, 8, 1, "conv");
    let pooled = g.node("GlobalAveragePool", &[&a], &[], "pool");
    let flat = g.node("Flatten", &[&pooled], &[], "flat");
    let w = g.const_f32("dense_w", &[4, 5], &[0.1; 20]);
    let b = g.const_f32("dense_b", &[4], &[0.0; 4]);
    let d = g.node(
        "Gemm",
        &[&flat, &w, &b],
        &[("transB", Attr::Int(1))],
        "dense",
    );
    let axes = g.const_i64("axes", &[2], &[2, 3]);
    let s = g.node("Unsqueeze", &[&d, &axes], &[], "unsq");
    let y = g.node("Mul", &[&a, &s], &[], "scale");
    let err = net(&finish(g, &y)).run(planes(3, 6, 6)).unwrap_err();
    assert!(
        matches!(&err, NativeError::InputSize { op, .. } if op == "Gemm"),
        "{err}"
    );
}

#[test]
fn malformed_weights_are_refused_by_name() {
    if Kernel::detect().is_none() {
        return;
    }
    let cases: [(&[i64], usize); 4] = [
        (&[8, 3, 3], 72),     // 3-D weights
        (&[8, 3, 3, 3], 10),  // fewer values than the shape
        (&[-8, -3, 3, 3], 9), // negative sizes whose product matches
        (&[8, 0, 3, 3], 0),   // an empty dimension
    ];
    for (dims, values) in cases {
        let mut g = GraphBuilder::new("t");
        let x = image_input(&mut g, 3);
        let w = g.const_f32("w", dims, &vec![0.1; values]);
        let y = g.node("Conv", &[&x, &w], &[], "bad");
        let err = NativeNet::from_model(&finish(g, &y), 1).unwrap_err();
        let NativeError::UnsupportedNode { node, .. } = &err else {
            panic!("{dims:?}: not a node error: {err}");
        };
        assert_eq!(node, "bad/Conv", "{err}");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
    }
}

#[test]
fn a_bias_of_the_wrong_length_is_refused() {
    if Kernel::detect().is_none() {
        return;
    }
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let w = g.const_f32("w", &[8, 3, 3, 3], &[0.1; 216]);
    let b = g.const_f32("b", &[7], &[0.0; 7]);
    let y = g.node("Conv", &[&x, &w, &b], &[], "conv");
    let err = NativeNet::from_model(&finish(g, &y), 1).unwrap_err();
    assert!(err.to_string().contains("7 bias values"), "{err}");
}

#[test]
fn an_unsupported_operator_is_named() {
    if Kernel::detect().is_none() {
        return;
    }
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let a = conv(&mut g, &x, 3, 8, 1, "conv");
    let y = g.node("Concat", &[&a, &x], &[("axis", Attr::Int(1))], "dense");
    let err = NativeNet::from_model(&finish(g, &y), 1).unwrap_err();
    assert!(
        matches!(&err, NativeError::UnsupportedNode { op, node, .. }
            if op == "Concat" && node == "dense/Concat"),
        "{err}"
    );
}

#[test]
fn bad_bytes_and_bad_planes_are_input_errors() {
    let err = NativeNet::from_bytes(b"not a model", 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = Planes::new(3, 4, 4, vec![0.0; 47]).unwrap_err();
    assert!(matches!(err, NativeError::Input { .. }), "{err}");
}

#[test]
fn every_kernel_this_cpu_has_gives_the_same_output() {
    let kernels: Vec<Kernel> = [Kernel::Avx512, Kernel::Avx2]
        .into_iter()
        .filter(|k| k.available())
        .collect();
    println!("kernels on this CPU: {kernels:?}");
    let mut g = GraphBuilder::new("t");
    let x = image_input(&mut g, 3);
    let a = conv(&mut g, &x, 3, 40, 1, "conv1");
    let y = conv(&mut g, &a, 40, 3, 1, "conv2");
    let model = finish(g, &y);
    let input: Vec<f32> = (0..3 * 31 * 29).map(|i| (i % 17) as f32 / 17.0).collect();
    let outputs: Vec<Planes> = kernels
        .iter()
        .map(|k| {
            let net = NativeNet::with_kernel(&model, 2, *k).unwrap();
            assert_eq!(net.kernel(), *k);
            net.run(Planes::new(3, 31, 29, input.clone()).unwrap())
                .unwrap()
        })
        .collect();
    for pair in outputs.windows(2) {
        let worst = pair[0]
            .data
            .iter()
            .zip(&pair[1].data)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "kernels differ by {worst}");
    }
    if !Kernel::Avx512.available() {
        let err = NativeNet::with_kernel(&model, 1, Kernel::Avx512).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);
    }
}
