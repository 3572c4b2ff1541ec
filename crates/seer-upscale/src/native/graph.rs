//! Reads an ONNX super-resolution network into the native engine's layer
//! list, or says why it cannot: only straight chains of the operators the
//! engine implements are accepted, with every attribute checked, so a
//! graph the engine would run differently from ONNX Runtime is refused.

use super::activation::Activation;
use super::ops::Deconv;
use super::winograd::WinogradConv;
use seer_models::onnx::proto::{AttributeProto, NodeProto, TensorProto};
use seer_models::onnx::{DataType, ModelProto};
use std::collections::HashMap;

/// One step of a native network.
#[derive(Clone, Debug)]
pub enum Layer {
    /// 3×3 stride-1 convolution with fused bias and activation.
    Conv(WinogradConv),
    /// Transposed convolution.
    Deconv(Deconv),
    /// DepthToSpace (CRD) with this block size.
    DepthToSpace(usize),
    /// Adds the network input enlarged this many times (nearest neighbour).
    AddNearestInput(usize),
    /// Bicubic resize by these factors (width, height), output sizes floored.
    ResizeCubic {
        /// Output width over input width.
        factor_w: f32,
        /// Output height over input height.
        factor_h: f32,
        /// Cubic coefficient (ONNX `cubic_coeff_a`).
        a: f32,
    },
}

/// Why a graph cannot run natively (it then runs in ONNX Runtime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed chain: input channel count and layers in order.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Channels of the single NCHW input.
    pub input_channels: usize,
    /// The layers, applied in order.
    pub layers: Vec<Layer>,
}

/// Parses `model` into a chain of native layers.
pub fn parse(model: &ModelProto) -> Result<Chain, Unsupported> {
    let graph = model
        .graph
        .as_ref()
        .ok_or_else(|| fail("the model has no graph"))?;
    let initializers: HashMap<&str, &TensorProto> = graph
        .initializer
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let inputs: Vec<_> = graph
        .input
        .iter()
        .filter(|i| !initializers.contains_key(i.name.as_str()))
        .collect();
    let [input] = inputs.as_slice() else {
        return Err(fail("the graph does not have exactly one input"));
    };
    let [output] = graph.output.as_slice() else {
        return Err(fail("the graph does not have exactly one output"));
    };
    let input_channels = input_channels(input).ok_or_else(|| fail("input is not [1, C, H, W]"))?;
    let consts = Consts(&initializers);
    let mut layers: Vec<Layer> = Vec::new();
    let mut current = input.name.clone();
    // Values that are the graph input enlarged by nearest neighbour.
    let mut nearest_of_input: HashMap<String, usize> = HashMap::new();
    // Size arithmetic for a following Resize: value name → what it is.
    let mut shape_values: HashMap<String, ShapeValue> = HashMap::new();
    for node in &graph.node {
        let on_current = node.input.first() == Some(&current);
        let out = node.output.first().cloned().unwrap_or_default();
        match node.op_type.as_str() {
            "Conv" if on_current => {
                layers.push(Layer::Conv(conv(node, &consts)?));
                current = out;
            }
            "Relu" | "LeakyRelu" | "PRelu" if on_current => {
                let Some(Layer::Conv(conv)) = layers.last_mut() else {
                    return Err(node_fail(node, "an activation not after a convolution"));
                };
                if conv.has_activation() {
                    return Err(node_fail(node, "two activations in a row"));
                }
                conv.set_activation(activation(node, &consts, conv.cout)?);
                current = out;
            }
            "ConvTranspose" if on_current => {
                layers.push(Layer::Deconv(deconv(node, &consts)?));
                current = out;
            }
            "DepthToSpace" if on_current => {
                if string_attr(node, "mode").unwrap_or("DCR") != "CRD" {
                    return Err(node_fail(node, "only CRD mode is supported"));
                }
                let block = int_attr(node, "blocksize").unwrap_or(0);
                if !(1..=8).contains(&block) {
                    return Err(node_fail(node, "block size outside 1..8"));
                }
                layers.push(Layer::DepthToSpace(block as usize));
                current = out;
            }
            "Resize" if node.input.first() == Some(&input.name) => {
                let scale = nearest_scale(node, &consts)?;
                nearest_of_input.insert(out, scale);
            }
            "Add" if node.input.len() == 2 && node.input.contains(&current) => {
                let other = if node.input[0] == current {
                    &node.input[1]
                } else {
                    &node.input[0]
                };
                let scale = *nearest_of_input.get(other).ok_or_else(|| {
                    node_fail(node, "adds something other than the enlarged input")
                })?;
                layers.push(Layer::AddNearestInput(scale));
                current = out;
            }
            "Shape" if on_current => {
                shape_values.insert(out, ShapeValue::Shape);
            }
            "Cast" | "Floor" => {
                let from = node
                    .input
                    .first()
                    .and_then(|i| shape_values.get(i))
                    .cloned();
                let Some(value) = from else {
                    return Err(node_fail(node, "not part of size arithmetic"));
                };
                shape_values.insert(out, value);
            }
            "Mul" => {
                let [a, b] = node.input.as_slice() else {
                    return Err(node_fail(node, "Mul without two inputs"));
                };
                let (Some(ShapeValue::Shape), Some(factors)) =
                    (shape_values.get(a), consts.floats(b))
                else {
                    return Err(node_fail(node, "not shape × constant factors"));
                };
                shape_values.insert(out, ShapeValue::ScaledShape(factors));
            }
            "Resize" if on_current => {
                let sizes = node.input.get(3).and_then(|s| shape_values.get(s));
                let Some(ShapeValue::ScaledShape(factors)) = sizes else {
                    return Err(node_fail(node, "resize sizes are not shape × factors"));
                };
                layers.push(cubic_resize(node, factors)?);
                current = out;
            }
            _ => return Err(node_fail(node, "operator or wiring not supported natively")),
        }
    }
    if current != output.name {
        return Err(fail("the chain does not end at the graph output"));
    }
    Ok(Chain {
        input_channels,
        layers,
    })
}

#[derive(Clone, Debug)]
enum ShapeValue {
    /// The shape of the current value.
    Shape,
    /// That shape times constant factors (floored later).
    ScaledShape(Vec<f32>),
}

struct Consts<'a>(&'a HashMap<&'a str, &'a TensorProto>);

impl Consts<'_> {
    fn floats(&self, name: &str) -> Option<Vec<f32>> {
        let t = self.0.get(name)?;
        if t.data_type != DataType::Float as i32 {
            return None;
        }
        if !t.float_data.is_empty() {
            return Some(t.float_data.clone());
        }
        if t.raw_data.len() % 4 != 0 {
            return None;
        }
        Some(
            t.raw_data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        )
    }

    fn dims(&self, name: &str) -> Option<Vec<i64>> {
        self.0.get(name).map(|t| t.dims.clone())
    }
}

fn fail(detail: &str) -> Unsupported {
    Unsupported(detail.to_string())
}

fn node_fail(node: &NodeProto, detail: &str) -> Unsupported {
    Unsupported(format!("{} node {:?}: {detail}", node.op_type, node.name))
}

fn input_channels(input: &seer_models::onnx::proto::ValueInfoProto) -> Option<usize> {
    use seer_models::onnx::proto::DimValue;
    let t = input.r#type.as_ref()?.tensor_type.as_ref()?;
    let dims = &t.shape.as_ref()?.dim;
    if dims.len() != 4 {
        return None;
    }
    let value = |i: usize| -> Option<i64> {
        match dims[i].value.as_ref()? {
            DimValue::DimValue(v) => Some(*v),
            DimValue::DimParam(_) => None,
        }
    };
    if value(0).is_some_and(|b| b != 1) {
        return None;
    }
    value(1).filter(|c| *c > 0).map(|c| c as usize)
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn int_attr(node: &NodeProto, name: &str) -> Option<i64> {
    attr(node, name).map(|a| a.i)
}

fn ints_attr(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    attr(node, name).map(|a| a.ints.clone())
}

fn string_attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a str> {
    attr(node, name).and_then(|a| std::str::from_utf8(&a.s).ok())
}

/// A layer's constant parameters: weight dimensions, weights, bias.
struct Params {
    dims: Vec<i64>,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

fn weights_and_bias(
    node: &NodeProto,
    consts: &Consts,
    bias_len: impl Fn(&[i64]) -> usize,
) -> Result<Params, Unsupported> {
    let name = node
        .input
        .get(1)
        .ok_or_else(|| node_fail(node, "no weights"))?;
    let dims = consts
        .dims(name)
        .ok_or_else(|| node_fail(node, "weights are not a constant"))?;
    let weights = consts
        .floats(name)
        .ok_or_else(|| node_fail(node, "weights are not float32"))?;
    let n = bias_len(&dims);
    let bias = match node.input.get(2).filter(|b| !b.is_empty()) {
        Some(b) => consts
            .floats(b)
            .ok_or_else(|| node_fail(node, "bias is not a float32 constant"))?,
        None => vec![0.0; n],
    };
    if bias.len() != n || weights.len() as i64 != dims.iter().product::<i64>() {
        return Err(node_fail(node, "weight or bias size does not match"));
    }
    Ok(Params {
        dims,
        weights,
        bias,
    })
}

fn check_plain(node: &NodeProto) -> Result<(), Unsupported> {
    let ones = |name: &str| ints_attr(node, name).is_none_or(|v| v.iter().all(|x| *x == 1));
    if int_attr(node, "group").unwrap_or(1) != 1 || !ones("dilations") {
        return Err(node_fail(node, "grouped or dilated"));
    }
    if string_attr(node, "auto_pad").is_some_and(|p| p != "NOTSET") {
        return Err(node_fail(node, "auto_pad"));
    }
    Ok(())
}

fn conv(node: &NodeProto, consts: &Consts) -> Result<WinogradConv, Unsupported> {
    check_plain(node)?;
    let Params {
        dims,
        weights,
        bias,
    } = weights_and_bias(node, consts, |d| d[0] as usize)?;
    let [cout, cin, 3, 3] = dims.as_slice() else {
        return Err(node_fail(node, "not a 3×3 kernel"));
    };
    if ints_attr(node, "strides").is_some_and(|s| s.iter().any(|x| *x != 1)) {
        return Err(node_fail(node, "stride other than 1"));
    }
    let pads = ints_attr(node, "pads").unwrap_or(vec![0; 4]);
    let pad = pads.first().copied().unwrap_or(0);
    if pads.len() != 4 || pads.iter().any(|p| *p != pad) || !(0..=1).contains(&pad) {
        return Err(node_fail(node, "padding other than 0 or 1 on every side"));
    }
    Ok(WinogradConv::new(
        *cin as usize,
        *cout as usize,
        pad as usize,
        &weights,
        bias,
        Activation::Identity,
    ))
}

fn activation(
    node: &NodeProto,
    consts: &Consts,
    channels: usize,
) -> Result<Activation, Unsupported> {
    match node.op_type.as_str() {
        "Relu" => Ok(Activation::Relu),
        "LeakyRelu" => Ok(Activation::LeakyRelu(
            attr(node, "alpha").map(|a| a.f).unwrap_or(0.01),
        )),
        _ => {
            let slope = node
                .input
                .get(1)
                .and_then(|s| consts.floats(s))
                .ok_or_else(|| node_fail(node, "slope is not a float32 constant"))?;
            match slope.len() {
                1 => Ok(Activation::LeakyRelu(slope[0])),
                n if n == channels => Ok(Activation::PRelu(slope)),
                _ => Err(node_fail(node, "slope is neither per channel nor shared")),
            }
        }
    }
}

fn deconv(node: &NodeProto, consts: &Consts) -> Result<Deconv, Unsupported> {
    check_plain(node)?;
    if ints_attr(node, "output_padding").is_some_and(|p| p.iter().any(|x| *x != 0))
        || attr(node, "output_shape").is_some()
    {
        return Err(node_fail(node, "output padding or shape"));
    }
    let Params {
        dims,
        weights,
        bias,
    } = weights_and_bias(node, consts, |d| d[1] as usize)?;
    let [cin, cout, kh, kw] = dims.as_slice() else {
        return Err(node_fail(node, "weights are not 4-D"));
    };
    let strides = ints_attr(node, "strides").unwrap_or(vec![1, 1]);
    let [sy, sx] = strides.as_slice() else {
        return Err(node_fail(node, "strides are not 2-D"));
    };
    if sy != sx || *sy < 1 {
        return Err(node_fail(node, "unequal strides"));
    }
    let pads = ints_attr(node, "pads").unwrap_or(vec![0; 4]);
    let [top, left, bottom, right] = pads.as_slice() else {
        return Err(node_fail(node, "pads are not 4 values"));
    };
    if [top, left, bottom, right].iter().any(|p| **p < 0) {
        return Err(node_fail(node, "negative pads"));
    }
    Ok(Deconv {
        cin: *cin as usize,
        cout: *cout as usize,
        kernel: (*kh as usize, *kw as usize),
        stride: *sy as usize,
        pads: [
            *top as usize,
            *left as usize,
            *bottom as usize,
            *right as usize,
        ],
        weights,
        bias,
    })
}

fn nearest_scale(node: &NodeProto, consts: &Consts) -> Result<usize, Unsupported> {
    let mode = string_attr(node, "mode").unwrap_or("nearest");
    let transform = string_attr(node, "coordinate_transformation_mode").unwrap_or("half_pixel");
    let rounding = string_attr(node, "nearest_mode").unwrap_or("round_prefer_floor");
    if mode != "nearest" || transform != "asymmetric" || rounding != "floor" {
        return Err(node_fail(node, "not nearest/asymmetric/floor"));
    }
    let scales = node
        .input
        .get(2)
        .and_then(|s| consts.floats(s))
        .ok_or_else(|| node_fail(node, "scales are not a float32 constant"))?;
    match scales.as_slice() {
        [n, c, h, w] if *n == 1.0 && *c == 1.0 && h == w && h.fract() == 0.0 && *h >= 1.0 => {
            Ok(*h as usize)
        }
        _ => Err(node_fail(
            node,
            "scales are not [1, 1, s, s] with an integer s",
        )),
    }
}

fn cubic_resize(node: &NodeProto, factors: &[f32]) -> Result<Layer, Unsupported> {
    let mode = string_attr(node, "mode").unwrap_or("nearest");
    let transform = string_attr(node, "coordinate_transformation_mode").unwrap_or("half_pixel");
    if mode != "cubic" || transform != "half_pixel" {
        return Err(node_fail(node, "not cubic/half_pixel"));
    }
    if int_attr(node, "exclude_outside").unwrap_or(0) != 0
        || int_attr(node, "antialias").unwrap_or(0) != 0
    {
        return Err(node_fail(node, "exclude_outside or antialias"));
    }
    let [n, c, h, w] = factors else {
        return Err(node_fail(node, "factors are not 4 values"));
    };
    if *n != 1.0 || *c != 1.0 || *h <= 0.0 || *w <= 0.0 {
        return Err(node_fail(node, "factors resize batch or channels"));
    }
    Ok(Layer::ResizeCubic {
        factor_w: *w,
        factor_h: *h,
        a: attr(node, "cubic_coeff_a").map(|a| a.f).unwrap_or(-0.75),
    })
}
