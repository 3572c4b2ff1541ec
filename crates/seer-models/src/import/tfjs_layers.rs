//! Importer for TensorFlow.js *layers* models (a Keras functional model
//! saved as `model.json` with `modelTopology` + `weightsManifest`).
//!
//! The ONNX model takes one NHWC float image `input` `[1, height, width, C]`
//! and gives one NHWC float image `output`. Inside, the graph works in NCHW
//! (one Transpose after the input, one before the output). Values are passed
//! through unchanged: no scaling or clipping is added, so the ONNX model
//! expects and produces the same value range as the original model.
//!
//! Supported layer classes: InputLayer, Conv2D, Activation, LeakyReLU,
//! Concatenate, Add, UpSampling2D (nearest) and the UpscalerJS custom layers
//! `MultiplyBeta` and `PixelShuffle{N}x`.

use super::tfjs_weights::{load_weights, ManifestGroup, Weight};
use super::ImportError;
use seer_onnx::{Attr, DataType, Dim, GraphBuilder, ModelProto};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Version of this importer's output; bump when the produced ONNX changes.
pub const IMPORTER_VERSION: u32 = 1;

/// Name of the ONNX input (NHWC float image).
const INPUT_NAME: &str = "input";
/// Name of the ONNX output (NHWC float image).
const OUTPUT_NAME: &str = "output";
/// Factor of the UpscalerJS `MultiplyBeta` layer when its config has none.
const DEFAULT_BETA: f64 = 0.2;

/// Converts the TF.js layers model at `model_json` (weights read from the
/// shards named in its manifest, next to it) into an ONNX model with NHWC
/// input `input` `[1, height, width, C]` and NHWC output `output`.
pub fn import(model_json: &Path) -> Result<ModelProto, ImportError> {
    let root = read_json(model_json)?;
    let config = model_config(model_json, &root)?;
    let layers = parse_layers(model_json, config)?;
    check_supported(model_json, &layers)?;
    let manifest = parse_manifest(model_json, &root)?;
    let weights = load_weights(model_json, &manifest)?;
    let input_ref = single_ref(model_json, config, "input_layers")?;
    let output_ref = single_ref(model_json, config, "output_layers")?;

    let graph_name = model_name(model_json, config);
    let mut ctx = Ctx {
        model: model_json,
        g: GraphBuilder::new(&graph_name),
        weights,
        values: HashMap::new(),
    };
    ctx.g.metadata("source_format", "tfjs-layers");
    ctx.g
        .metadata("importer_version", &IMPORTER_VERSION.to_string());

    let input_layer = layers
        .iter()
        .find(|l| l.name == input_ref.layer)
        .ok_or_else(|| {
            ImportError::malformed(
                model_json,
                format!("input layer '{}' is not in the layer list", input_ref.layer),
            )
        })?;
    add_input(&mut ctx, input_layer)?;
    convert_all(&mut ctx, &layers)?;
    add_output(&mut ctx, &output_ref)?;
    tracing::debug!(
        model = %model_json.display(),
        nodes = ctx.g.node_count(),
        "imported TF.js layers model"
    );
    Ok(ctx.g.finish())
}

/// State while converting one model.
struct Ctx<'a> {
    model: &'a Path,
    g: GraphBuilder,
    weights: BTreeMap<String, Weight>,
    /// ONNX value of each Keras tensor `(layer, node index, tensor index)`.
    values: HashMap<(String, usize, usize), Val>,
}

/// One converted tensor: an NCHW ONNX value and its channel count if known.
#[derive(Clone, Debug)]
struct Val {
    name: String,
    channels: Option<i64>,
}

/// A reference to one output tensor of one call of a layer.
#[derive(Clone, Debug)]
struct TensorRef {
    layer: String,
    node: usize,
    tensor: usize,
}

impl TensorRef {
    fn key(&self) -> (String, usize, usize) {
        (self.layer.clone(), self.node, self.tensor)
    }
}

/// One Keras layer of the functional model.
struct Layer {
    class: String,
    name: String,
    config: Value,
    /// Each call of the layer (Keras "node") with its input tensors.
    calls: Vec<Vec<TensorRef>>,
}

impl Layer {
    /// A `Malformed` error naming this layer.
    fn malformed(&self, model: &Path, detail: impl std::fmt::Display) -> ImportError {
        ImportError::malformed(
            model,
            format!("layer '{}' ({}): {detail}", self.name, self.class),
        )
    }

    /// An `UnsupportedOp` error naming this layer; `op` describes what is unsupported.
    fn unsupported(&self, model: &Path, kind: &'static str, op: String) -> ImportError {
        ImportError::UnsupportedOp {
            model: model.to_path_buf(),
            kind,
            op,
            node: self.name.clone(),
        }
    }
}

/// The format name errors use.
const LAYERS_FORMAT: &str = "TensorFlow.js layers model";

fn read_json(model_json: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(model_json).map_err(|e| ImportError::io(model_json, e))?;
    serde_json::from_str(&text).map_err(|source| ImportError::NotJson {
        path: model_json.to_path_buf(),
        format: LAYERS_FORMAT,
        source,
    })
}

fn bad_json(model_json: &Path, detail: impl Into<String>) -> ImportError {
    ImportError::BadJson {
        path: model_json.to_path_buf(),
        format: LAYERS_FORMAT,
        detail: detail.into(),
    }
}

/// The functional model config: `modelTopology.model_config` (Python
/// converter) or `modelTopology` itself (saved by TF.js).
fn model_config<'a>(model_json: &Path, root: &'a Value) -> Result<&'a Value, ImportError> {
    let topology = root
        .get("modelTopology")
        .ok_or_else(|| bad_json(model_json, "no 'modelTopology'"))?;
    let model = topology.get("model_config").unwrap_or(topology);
    let class = model
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_json(model_json, "model config has no 'class_name'"))?;
    if class != "Functional" && class != "Model" {
        return Err(ImportError::UnsupportedOp {
            model: model_json.to_path_buf(),
            kind: "model class",
            op: class.to_string(),
            node: "modelTopology".to_string(),
        });
    }
    model
        .get("config")
        .ok_or_else(|| bad_json(model_json, "model config has no 'config'"))
}

fn model_name(model_json: &Path, config: &Value) -> String {
    match config.get("name").and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None => model_json.display().to_string(),
    }
}

fn parse_manifest(model_json: &Path, root: &Value) -> Result<Vec<ManifestGroup>, ImportError> {
    let manifest = root
        .get("weightsManifest")
        .ok_or_else(|| bad_json(model_json, "no 'weightsManifest'"))?;
    serde_json::from_value(manifest.clone())
        .map_err(|e| bad_json(model_json, format!("weightsManifest: {e}")))
}

fn parse_layers(model_json: &Path, config: &Value) -> Result<Vec<Layer>, ImportError> {
    let list = config
        .get("layers")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_json(model_json, "model config has no 'layers' list"))?;
    list.iter().map(|v| parse_layer(model_json, v)).collect()
}

fn parse_layer(model_json: &Path, v: &Value) -> Result<Layer, ImportError> {
    let class = v
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_json(model_json, "a layer has no 'class_name'"))?;
    let config = v.get("config").cloned().unwrap_or(Value::Null);
    let name = v
        .get("name")
        .or_else(|| config.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad_json(model_json, format!("a {class} layer has no 'name'")))?;
    let mut calls = Vec::new();
    if let Some(nodes) = v.get("inbound_nodes").and_then(Value::as_array) {
        for node in nodes {
            let entries = node.as_array().ok_or_else(|| {
                bad_json(
                    model_json,
                    format!("layer '{name}': inbound node is not a list"),
                )
            })?;
            let refs = entries
                .iter()
                .map(|e| parse_ref(e).ok_or_else(|| bad_ref(model_json, name, e)))
                .collect::<Result<Vec<_>, _>>()?;
            calls.push(refs);
        }
    }
    Ok(Layer {
        class: class.to_string(),
        name: name.to_string(),
        config,
        calls,
    })
}

/// Fails on the first layer class the importer cannot convert, before any
/// weight file is read.
fn check_supported(model_json: &Path, layers: &[Layer]) -> Result<(), ImportError> {
    const KNOWN: [&str; 8] = [
        "InputLayer",
        "Conv2D",
        "Activation",
        "LeakyReLU",
        "Concatenate",
        "Add",
        "UpSampling2D",
        "MultiplyBeta",
    ];
    match layers
        .iter()
        .find(|l| !KNOWN.contains(&l.class.as_str()) && pixel_shuffle_scale(&l.class).is_none())
    {
        Some(layer) => Err(layer.unsupported(model_json, "layer", layer.class.clone())),
        None => Ok(()),
    }
}

fn bad_ref(model_json: &Path, layer: &str, entry: &Value) -> ImportError {
    bad_json(
        model_json,
        format!("layer '{layer}': unrecognised inbound tensor {entry}, expected [name, node, tensor, {{}}]"),
    )
}

/// Parses `[layer_name, node_index, tensor_index, ...]`.
fn parse_ref(entry: &Value) -> Option<TensorRef> {
    let parts = entry.as_array()?;
    Some(TensorRef {
        layer: parts.first()?.as_str()?.to_string(),
        node: parts.get(1).map_or(Some(0), Value::as_u64)? as usize,
        tensor: parts.get(2).map_or(Some(0), Value::as_u64)? as usize,
    })
}

/// The one tensor listed under `key` (`input_layers` / `output_layers`).
fn single_ref(model_json: &Path, config: &Value, key: &str) -> Result<TensorRef, ImportError> {
    let list = config
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| bad_json(model_json, format!("model config has no '{key}' list")))?;
    if list.len() != 1 {
        return Err(ImportError::UnsupportedOp {
            model: model_json.to_path_buf(),
            kind: "model signature",
            op: format!("{} {key} (seer needs exactly 1)", list.len()),
            node: key.to_string(),
        });
    }
    parse_ref(&list[0]).ok_or_else(|| bad_ref(model_json, key, &list[0]))
}

/// Declares the NHWC graph input and transposes it to NCHW.
fn add_input(ctx: &mut Ctx, layer: &Layer) -> Result<(), ImportError> {
    if layer.class != "InputLayer" {
        return Err(layer.malformed(ctx.model, "model input is not an InputLayer"));
    }
    let shape = layer
        .config
        .get("batch_input_shape")
        .or_else(|| layer.config.get("batch_shape"))
        .and_then(Value::as_array)
        .ok_or_else(|| layer.malformed(ctx.model, "no 'batch_input_shape'"))?;
    if shape.len() != 4 {
        return Err(layer.unsupported(
            ctx.model,
            "input shape",
            format!("rank {} (seer needs an NHWC image)", shape.len()),
        ));
    }
    let dim = |i: usize, symbol: &str| match shape[i].as_i64() {
        Some(v) => Dim::Fixed(v),
        None => Dim::named(symbol),
    };
    let dims = [
        Dim::Fixed(1),
        dim(1, "height"),
        dim(2, "width"),
        dim(3, "channels"),
    ];
    let channels = shape[3].as_i64();
    let nhwc = ctx.g.input(INPUT_NAME, DataType::Float, &dims);
    let nchw = ctx.g.node(
        "Transpose",
        &[&nhwc],
        &[("perm", Attr::Ints(vec![0, 3, 1, 2]))],
        "input_nchw",
    );
    ctx.values.insert(
        (layer.name.clone(), 0, 0),
        Val {
            name: nchw,
            channels,
        },
    );
    Ok(())
}

/// Transposes the output tensor back to NHWC and declares it as `output`.
fn add_output(ctx: &mut Ctx, output: &TensorRef) -> Result<(), ImportError> {
    let val = ctx.values.get(&output.key()).cloned().ok_or_else(|| {
        ImportError::malformed(
            ctx.model,
            format!(
                "output tensor of layer '{}' is never computed",
                output.layer
            ),
        )
    })?;
    let nhwc = ctx.g.node(
        "Transpose",
        &[&val.name],
        &[("perm", Attr::Ints(vec![0, 2, 3, 1]))],
        "output_nhwc",
    );
    let channels = match val.channels {
        Some(c) => Dim::Fixed(c),
        None => Dim::named("out_channels"),
    };
    let dims = [
        Dim::Fixed(1),
        Dim::named("out_height"),
        Dim::named("out_width"),
        channels,
    ];
    ctx.g
        .output(&nhwc, OUTPUT_NAME, DataType::Float, Some(&dims));
    Ok(())
}

/// Converts every layer call once its inputs exist (any listed order works).
fn convert_all(ctx: &mut Ctx, layers: &[Layer]) -> Result<(), ImportError> {
    let mut pending: Vec<(&Layer, usize)> = layers
        .iter()
        .filter(|l| l.class != "InputLayer")
        .flat_map(|l| (0..l.calls.len()).map(move |i| (l, i)))
        .collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        for (layer, call) in pending {
            let inputs: Option<Vec<Val>> = layer.calls[call]
                .iter()
                .map(|r| ctx.values.get(&r.key()).cloned())
                .collect();
            match inputs {
                Some(inputs) => {
                    let out = convert_layer(ctx, layer, &inputs)?;
                    ctx.values.insert((layer.name.clone(), call, 0), out);
                }
                None => waiting.push((layer, call)),
            }
        }
        if waiting.len() == before {
            let (layer, call) = waiting[0];
            let missing: Vec<&str> = layer.calls[call]
                .iter()
                .filter(|r| !ctx.values.contains_key(&r.key()))
                .map(|r| r.layer.as_str())
                .collect();
            return Err(layer.malformed(
                ctx.model,
                format!("inputs from {missing:?} are never computed (missing layer or cycle)"),
            ));
        }
        pending = waiting;
    }
    Ok(())
}

fn convert_layer(ctx: &mut Ctx, layer: &Layer, inputs: &[Val]) -> Result<Val, ImportError> {
    match layer.class.as_str() {
        "Conv2D" => conv2d(ctx, layer, one_input(ctx, layer, inputs)?),
        "Activation" => {
            let x = one_input(ctx, layer, inputs)?;
            let kind = config_str(ctx, layer, "activation", None)?;
            activation(ctx, layer, &kind, x)
        }
        "LeakyReLU" => {
            let x = one_input(ctx, layer, inputs)?;
            let alpha = config_f64(ctx, layer, "alpha", 0.3)?;
            Ok(leaky_relu(ctx, layer, alpha, x))
        }
        "Concatenate" => concatenate(ctx, layer, inputs),
        "Add" => add(ctx, layer, inputs),
        "UpSampling2D" => upsampling2d(ctx, layer, one_input(ctx, layer, inputs)?),
        "MultiplyBeta" => multiply_beta(ctx, layer, one_input(ctx, layer, inputs)?),
        class => match pixel_shuffle_scale(class) {
            Some(scale) => pixel_shuffle(ctx, layer, scale, one_input(ctx, layer, inputs)?),
            None => Err(layer.unsupported(ctx.model, "layer", class.to_string())),
        },
    }
}

fn one_input(ctx: &Ctx, layer: &Layer, inputs: &[Val]) -> Result<Val, ImportError> {
    match inputs {
        [x] => Ok(x.clone()),
        _ => Err(layer.malformed(ctx.model, format!("expects 1 input, has {}", inputs.len()))),
    }
}

/// `N` of a `PixelShuffle{N}x` class name.
fn pixel_shuffle_scale(class: &str) -> Option<i64> {
    let digits = class.strip_prefix("PixelShuffle")?.strip_suffix('x')?;
    digits.parse().ok().filter(|&n| n >= 1)
}

fn conv2d(ctx: &mut Ctx, layer: &Layer, x: Val) -> Result<Val, ImportError> {
    check_channels_last(ctx, layer)?;
    let strides = config_pair(ctx, layer, "strides", [1, 1])?;
    let dilations = config_pair(ctx, layer, "dilation_rate", [1, 1])?;
    let groups = config_i64(ctx, layer, "groups", 1)?;
    let padding = config_str(ctx, layer, "padding", Some("valid"))?;
    let use_bias = config_bool(ctx, layer, "use_bias", true)?;
    let activation_kind = config_str(ctx, layer, "activation", Some("linear"))?;

    let kernel = find_weight(ctx, layer, "kernel")?;
    let [kh, kw, k_in, k_out] = kernel_dims(ctx, layer, &kernel.shape)?;
    if let Some(c) = x.channels {
        if c != k_in * groups {
            return Err(layer.malformed(
                ctx.model,
                format!("input has {c} channels but kernel expects {k_in} x {groups} groups"),
            ));
        }
    }
    let w = kernel_to_oihw(&kernel.as_f32(), [kh, kw, k_in, k_out]);
    let w_name = ctx.g.const_f32(
        &format!("{}/kernel", layer.name),
        &[k_out, k_in, kh, kw],
        &w,
    );
    let mut conv_inputs = vec![x.name.clone(), w_name];
    if use_bias {
        let bias = find_weight(ctx, layer, "bias")?;
        let values = bias.as_f32();
        if values.len() as i64 != k_out {
            return Err(layer.malformed(
                ctx.model,
                format!("bias has {} values, expected {k_out}", values.len()),
            ));
        }
        conv_inputs.push(
            ctx.g
                .const_f32(&format!("{}/bias", layer.name), &[k_out], &values),
        );
    }

    let mut attrs = vec![
        ("kernel_shape", Attr::Ints(vec![kh, kw])),
        ("strides", Attr::Ints(strides.to_vec())),
        ("dilations", Attr::Ints(dilations.to_vec())),
        ("group", Attr::Int(groups)),
    ];
    match padding.as_str() {
        "valid" => attrs.push(("pads", Attr::Ints(vec![0, 0, 0, 0]))),
        "same" if strides == [1, 1] => {
            let (top, bottom) = same_pads(kh, dilations[0]);
            let (left, right) = same_pads(kw, dilations[1]);
            attrs.push(("pads", Attr::Ints(vec![top, left, bottom, right])));
        }
        // TF 'same' puts the odd pixel bottom/right, as ONNX SAME_UPPER does.
        "same" => attrs.push(("auto_pad", Attr::Str("SAME_UPPER".to_string()))),
        other => {
            return Err(layer.unsupported(ctx.model, "layer", format!("Conv2D padding '{other}'")))
        }
    }
    let refs: Vec<&str> = conv_inputs.iter().map(String::as_str).collect();
    let y = ctx.g.node("Conv", &refs, &attrs, &layer.name);
    activation(
        ctx,
        layer,
        &activation_kind,
        Val {
            name: y,
            channels: Some(k_out),
        },
    )
}

/// TF 'same' padding for stride 1: total (k-1)·d, the odd pixel at the end.
fn same_pads(kernel: i64, dilation: i64) -> (i64, i64) {
    let total = (kernel - 1) * dilation;
    (total / 2, total - total / 2)
}

fn kernel_dims(ctx: &Ctx, layer: &Layer, shape: &[usize]) -> Result<[i64; 4], ImportError> {
    match shape {
        [kh, kw, i, o] => Ok([*kh as i64, *kw as i64, *i as i64, *o as i64]),
        _ => Err(layer.malformed(
            ctx.model,
            format!("kernel shape {shape:?} is not [kh, kw, in, out]"),
        )),
    }
}

/// Keras kernel `[kh, kw, in, out]` → ONNX `[out, in, kh, kw]`.
fn kernel_to_oihw(src: &[f32], dims: [i64; 4]) -> Vec<f32> {
    let [kh, kw, ci, co] = dims.map(|d| d as usize);
    let mut dst = vec![0.0f32; src.len()];
    for y in 0..kh {
        for x in 0..kw {
            for i in 0..ci {
                for o in 0..co {
                    dst[((o * ci + i) * kh + y) * kw + x] = src[((y * kw + x) * ci + i) * co + o];
                }
            }
        }
    }
    dst
}

/// The weight `{layer}/{suffix}` (or one ending in `/{layer}/{suffix}`).
fn find_weight(ctx: &Ctx, layer: &Layer, suffix: &str) -> Result<Weight, ImportError> {
    let exact = format!("{}/{suffix}", layer.name);
    let nested = format!("/{exact}");
    let found = ctx.weights.get(&exact).or_else(|| {
        ctx.weights
            .iter()
            .find(|(name, _)| name.ends_with(&nested))
            .map(|(_, w)| w)
    });
    found.cloned().ok_or_else(|| {
        layer.malformed(
            ctx.model,
            format!("weight '{exact}' is not in the weightsManifest"),
        )
    })
}

/// Applies a Keras activation by name (`linear` adds nothing).
fn activation(ctx: &mut Ctx, layer: &Layer, kind: &str, x: Val) -> Result<Val, ImportError> {
    let hint = format!("{}/{kind}", layer.name);
    let unary = |ctx: &mut Ctx, op: &str, attrs: &[(&str, Attr)]| Val {
        name: ctx.g.node(op, &[&x.name], attrs, &hint),
        channels: x.channels,
    };
    let out = match kind {
        "linear" => x.clone(),
        "relu" => unary(ctx, "Relu", &[]),
        "sigmoid" => unary(ctx, "Sigmoid", &[]),
        "tanh" => unary(ctx, "Tanh", &[]),
        "elu" => unary(ctx, "Elu", &[("alpha", Attr::Float(1.0))]),
        "selu" => unary(ctx, "Selu", &[]),
        "softplus" => unary(ctx, "Softplus", &[]),
        "softsign" => unary(ctx, "Softsign", &[]),
        // Keras 2: 0.2·x + 0.5 clipped to 0..1.
        "hard_sigmoid" => unary(
            ctx,
            "HardSigmoid",
            &[("alpha", Attr::Float(0.2)), ("beta", Attr::Float(0.5))],
        ),
        // Keras softmax defaults to the last (channel) axis, NCHW axis 1.
        "softmax" => unary(ctx, "Softmax", &[("axis", Attr::Int(1))]),
        "relu6" => {
            let lo = ctx.g.const_f32("relu6_min", &[], &[0.0]);
            let hi = ctx.g.const_f32("relu6_max", &[], &[6.0]);
            Val {
                name: ctx.g.node("Clip", &[&x.name, &lo, &hi], &[], &hint),
                channels: x.channels,
            }
        }
        "swish" | "silu" => {
            let s = ctx.g.node("Sigmoid", &[&x.name], &[], &hint);
            Val {
                name: ctx.g.node("Mul", &[&x.name, &s], &[], &hint),
                channels: x.channels,
            }
        }
        // tf.nn.leaky_relu's default slope.
        "leaky_relu" => leaky_relu(ctx, layer, 0.2, x.clone()),
        other => return Err(layer.unsupported(ctx.model, "activation", other.to_string())),
    };
    Ok(out)
}

fn leaky_relu(ctx: &mut Ctx, layer: &Layer, alpha: f64, x: Val) -> Val {
    let name = ctx.g.node(
        "LeakyRelu",
        &[&x.name],
        &[("alpha", Attr::Float(alpha as f32))],
        &format!("{}/leaky_relu", layer.name),
    );
    Val {
        name,
        channels: x.channels,
    }
}

fn concatenate(ctx: &mut Ctx, layer: &Layer, inputs: &[Val]) -> Result<Val, ImportError> {
    if inputs.is_empty() {
        return Err(layer.malformed(ctx.model, "has no inputs"));
    }
    let axis = config_i64(ctx, layer, "axis", -1)?;
    let nchw_axis = nhwc_axis_to_nchw(axis)
        .ok_or_else(|| layer.malformed(ctx.model, format!("axis {axis} is not in 0..4")))?;
    let channels = if nchw_axis == 1 {
        inputs.iter().map(|v| v.channels).sum::<Option<i64>>()
    } else {
        inputs[0].channels
    };
    let names: Vec<&str> = inputs.iter().map(|v| v.name.as_str()).collect();
    let name = ctx.g.node(
        "Concat",
        &names,
        &[("axis", Attr::Int(nchw_axis))],
        &layer.name,
    );
    Ok(Val { name, channels })
}

/// Maps an NHWC axis (negative counts from the end) to the NCHW axis.
fn nhwc_axis_to_nchw(axis: i64) -> Option<i64> {
    let axis = if axis < 0 { axis + 4 } else { axis };
    match axis {
        0 => Some(0),
        1 => Some(2),
        2 => Some(3),
        3 => Some(1),
        _ => None,
    }
}

fn add(ctx: &mut Ctx, layer: &Layer, inputs: &[Val]) -> Result<Val, ImportError> {
    let (first, rest) = inputs
        .split_first()
        .ok_or_else(|| layer.malformed(ctx.model, "has no inputs"))?;
    let mut acc = first.clone();
    for x in rest {
        if let (Some(a), Some(b)) = (acc.channels, x.channels) {
            if a != b {
                return Err(
                    layer.malformed(ctx.model, format!("adds tensors with {a} and {b} channels"))
                );
            }
        }
        acc = Val {
            name: ctx.g.node("Add", &[&acc.name, &x.name], &[], &layer.name),
            channels: acc.channels.or(x.channels),
        };
    }
    Ok(acc)
}

fn upsampling2d(ctx: &mut Ctx, layer: &Layer, x: Val) -> Result<Val, ImportError> {
    check_channels_last(ctx, layer)?;
    let [sh, sw] = config_pair(ctx, layer, "size", [2, 2])?;
    let interpolation = config_str(ctx, layer, "interpolation", Some("nearest"))?;
    if interpolation != "nearest" {
        return Err(layer.unsupported(
            ctx.model,
            "layer",
            format!("UpSampling2D interpolation '{interpolation}'"),
        ));
    }
    let scales = ctx.g.const_f32(
        &format!("{}/scales", layer.name),
        &[4],
        &[1.0, 1.0, sh as f32, sw as f32],
    );
    // Integer nearest upsampling repeats each pixel: out[i] = in[floor(i / s)].
    let attrs = [
        ("mode", Attr::Str("nearest".to_string())),
        (
            "coordinate_transformation_mode",
            Attr::Str("asymmetric".to_string()),
        ),
        ("nearest_mode", Attr::Str("floor".to_string())),
    ];
    let name = ctx
        .g
        .node("Resize", &[&x.name, "", &scales], &attrs, &layer.name);
    Ok(Val {
        name,
        channels: x.channels,
    })
}

fn multiply_beta(ctx: &mut Ctx, layer: &Layer, x: Val) -> Result<Val, ImportError> {
    let beta = config_f64(ctx, layer, "beta", DEFAULT_BETA)?;
    let b = ctx
        .g
        .const_f32(&format!("{}/beta", layer.name), &[], &[beta as f32]);
    let name = ctx.g.node("Mul", &[&x.name, &b], &[], &layer.name);
    Ok(Val {
        name,
        channels: x.channels,
    })
}

/// TF `depth_to_space` (NHWC) is ONNX DepthToSpace in DCR mode.
fn pixel_shuffle(ctx: &mut Ctx, layer: &Layer, scale: i64, x: Val) -> Result<Val, ImportError> {
    let configured = config_i64(ctx, layer, "scale", scale)?;
    if configured != scale {
        return Err(layer.malformed(
            ctx.model,
            format!("config scale {configured} disagrees with the class name"),
        ));
    }
    let block = scale * scale;
    if let Some(c) = x.channels {
        if c % block != 0 {
            return Err(layer.malformed(
                ctx.model,
                format!("{c} channels cannot be shuffled by {scale}x{scale}"),
            ));
        }
    }
    let name = ctx.g.node(
        "DepthToSpace",
        &[&x.name],
        &[
            ("blocksize", Attr::Int(scale)),
            ("mode", Attr::Str("DCR".to_string())),
        ],
        &layer.name,
    );
    Ok(Val {
        name,
        channels: x.channels.map(|c| c / block),
    })
}

fn check_channels_last(ctx: &Ctx, layer: &Layer) -> Result<(), ImportError> {
    let format = config_str(ctx, layer, "data_format", Some("channels_last"))?;
    if format == "channels_last" {
        Ok(())
    } else {
        Err(layer.unsupported(
            ctx.model,
            "layer",
            format!("{} data_format '{format}'", layer.class),
        ))
    }
}

/// A string config value; `default` is used when the key is absent or null.
fn config_str(
    ctx: &Ctx,
    layer: &Layer,
    key: &str,
    default: Option<&str>,
) -> Result<String, ImportError> {
    match layer.config.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => default
            .map(str::to_string)
            .ok_or_else(|| layer.malformed(ctx.model, format!("config has no '{key}'"))),
        Some(other) => Err(layer.malformed(
            ctx.model,
            format!("config '{key}' is {other}, expected a string"),
        )),
    }
}

fn config_i64(ctx: &Ctx, layer: &Layer, key: &str, default: i64) -> Result<i64, ImportError> {
    match layer.config.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_i64().ok_or_else(|| {
            layer.malformed(
                ctx.model,
                format!("config '{key}' is {v}, expected an integer"),
            )
        }),
    }
}

fn config_f64(ctx: &Ctx, layer: &Layer, key: &str, default: f64) -> Result<f64, ImportError> {
    match layer.config.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_f64().ok_or_else(|| {
            layer.malformed(
                ctx.model,
                format!("config '{key}' is {v}, expected a number"),
            )
        }),
    }
}

fn config_bool(ctx: &Ctx, layer: &Layer, key: &str, default: bool) -> Result<bool, ImportError> {
    match layer.config.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_bool().ok_or_else(|| {
            layer.malformed(
                ctx.model,
                format!("config '{key}' is {v}, expected true/false"),
            )
        }),
    }
}

/// A positive `[a, b]` config value; a single integer means `[n, n]`.
fn config_pair(
    ctx: &Ctx,
    layer: &Layer,
    key: &str,
    default: [i64; 2],
) -> Result<[i64; 2], ImportError> {
    let pair = match layer.config.get(key) {
        None | Some(Value::Null) => Some(default),
        Some(Value::Array(items)) => match items.as_slice() {
            [a, b] => a.as_i64().zip(b.as_i64()).map(|(a, b)| [a, b]),
            _ => None,
        },
        Some(v) => v.as_i64().map(|n| [n, n]),
    };
    pair.filter(|p| p[0] >= 1 && p[1] >= 1).ok_or_else(|| {
        layer.malformed(
            ctx.model,
            format!("config '{key}' is not a pair of positive integers"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_is_reordered_to_out_in_h_w() {
        // Keras [kh=2, kw=2, in=2, out=3]; each value encodes "y x i o" as digits.
        let dims = [2, 2, 2, 3];
        let mut src = Vec::new();
        for y in 0..2 {
            for x in 0..2 {
                for i in 0..2 {
                    for o in 0..3 {
                        src.push((y * 1000 + x * 100 + i * 10 + o) as f32);
                    }
                }
            }
        }
        let dst = kernel_to_oihw(&src, dims);
        // ONNX [out=3, in=2, kh=2, kw=2]: dst[o][i][y][x].
        let at = |o: usize, i: usize, y: usize, x: usize| dst[((o * 2 + i) * 2 + y) * 2 + x];
        assert_eq!(at(2, 1, 0, 1), 112.0);
        assert_eq!(at(1, 0, 1, 0), 1001.0);
        assert_eq!(at(0, 1, 1, 1), 1110.0);
    }

    #[test]
    fn same_padding_puts_odd_pixel_at_end() {
        assert_eq!(same_pads(3, 1), (1, 1));
        assert_eq!(same_pads(4, 1), (1, 2));
        assert_eq!(same_pads(3, 2), (2, 2));
        assert_eq!(same_pads(1, 1), (0, 0));
    }

    #[test]
    fn pixel_shuffle_scale_is_parsed_from_class_name() {
        assert_eq!(pixel_shuffle_scale("PixelShuffle2x"), Some(2));
        assert_eq!(pixel_shuffle_scale("PixelShuffle8x"), Some(8));
        assert_eq!(pixel_shuffle_scale("PixelShufflex"), None);
        assert_eq!(pixel_shuffle_scale("Dense"), None);
    }

    #[test]
    fn nhwc_axes_map_to_nchw() {
        assert_eq!(nhwc_axis_to_nchw(-1), Some(1));
        assert_eq!(nhwc_axis_to_nchw(3), Some(1));
        assert_eq!(nhwc_axis_to_nchw(1), Some(2));
        assert_eq!(nhwc_axis_to_nchw(4), None);
    }
}
