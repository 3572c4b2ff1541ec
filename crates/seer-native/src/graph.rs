//! Reads an ONNX super-resolution network into the native engine's
//! program, or says why it cannot: only the operators the engine
//! implements are accepted, wired as the engine expects, with every
//! attribute checked, so a graph the engine would run differently from
//! ONNX Runtime is refused. Shape arithmetic (Shape, Cast, Floor, Slice and
//! Add of shapes) is folded into the layers it parameterises.

use crate::activation::Activation;
use crate::ops::Deconv;
use crate::patch::{PatchConv, PatchDeconv, PhaseDeconv};
use crate::squeeze::Dense;
use crate::winograd::WinogradConv;
use crate::NativeError;
use seer_onnx::attr::{get as attr, int as int_attr, ints as ints_attr, string as string_attr};
use seer_onnx::proto::{NodeProto, TensorProto};
use seer_onnx::{tensor, ModelProto};
use std::collections::HashMap;

/// One operation of a native program.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// 3×3 stride-1 convolution with fused bias and activation.
    Conv3x3(WinogradConv),
    /// k×k convolution with stride k (down-sampling).
    PatchConv(PatchConv),
    /// k×k transposed convolution with stride k (up-sampling).
    PatchDeconv(PatchDeconv),
    /// Transposed convolution with many outputs per pixel and a kernel
    /// side that is a multiple of the stride (e.g. 4×4 stride 2, 64 → 64).
    PhaseDeconv(PhaseDeconv),
    /// Any other transposed convolution.
    Deconv(Deconv),
    /// An activation on its own (when it could not be fused).
    Activation(Activation),
    /// DepthToSpace (CRD) with this block size.
    DepthToSpace(usize),
    /// Nearest-neighbour enlargement by this integer factor.
    Upsample(usize),
    /// Bicubic resize by these factors (width, height), output sizes floored.
    ResizeCubic {
        /// Output width over input width.
        factor_w: f32,
        /// Output height over input height.
        factor_h: f32,
        /// Cubic coefficient (ONNX `cubic_coeff_a`).
        a: f32,
    },
    /// Mean of each channel: image → vector.
    GlobalAverage,
    /// Fully connected layer on a vector.
    Dense(Dense),
    /// max(x, 0) on a vector.
    VectorRelu,
    /// 1 / (1 + e^-x) on a vector.
    VectorSigmoid,
    /// Flatten/Unsqueeze of a vector: the values are unchanged.
    Reshape,
    /// Image (input 0) with each channel multiplied by a vector (input 1).
    ScaleChannels,
    /// Removes these many pixels: top, left, bottom, right.
    Crop([usize; 4]),
    /// Input 0 cut to the size of input 1, starting at (left, top) pixels.
    CropLike {
        /// Rows skipped at the top.
        top: usize,
        /// Columns skipped at the left.
        left: usize,
    },
    /// Element-wise sum of the inputs (same shape).
    Add,
}

/// One step: an operation, the values it reads and the value it writes.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    /// What to do.
    pub op: Op,
    /// Value numbers read (0 is the network input).
    pub inputs: Vec<usize>,
    /// Value number written.
    pub output: usize,
    /// The ONNX node it came from, for errors.
    pub node: NodeLabel,
}

/// An ONNX node's operator and name.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeLabel {
    /// The operator, e.g. `Conv`.
    pub op: String,
    /// The node's name.
    pub name: String,
}

/// A parsed network: steps in order over numbered values.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    /// Channels of the single NCHW input (value 0).
    pub input_channels: usize,
    /// The steps, in an order where every value is written before it is read.
    pub steps: Vec<Step>,
    /// The value that is the network output.
    pub output: usize,
    /// How many values there are.
    pub values: usize,
}

impl Program {
    /// How many steps read each value (the output counts once more), so
    /// the runner can free a value after its last reader.
    pub(crate) fn readers(&self) -> Vec<usize> {
        let mut readers = vec![0; self.values];
        for step in &self.steps {
            for i in &step.inputs {
                readers[*i] += 1;
            }
        }
        readers[self.output] += 1;
        readers
    }
}

/// What a tensor name stands for while parsing.
#[derive(Clone, Debug)]
enum Symbol {
    /// An image-shaped value.
    Image(usize),
    /// A per-channel vector value.
    Vector(usize),
    /// The shape of an image value.
    Shape(usize),
    /// Dimensions `dims` of an image value's shape, plus `plus` each.
    ShapeDims {
        of: usize,
        dims: std::ops::Range<usize>,
        plus: Vec<i64>,
    },
    /// An image value's shape times constant factors (floored later).
    ScaledShape { of: usize, factors: Vec<f32> },
}

/// Parses `model` into a native program.
pub(crate) fn parse(model: &ModelProto) -> Result<Program, NativeError> {
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
    // How many nodes read each tensor (fusing an activation into the layer
    // before it is only right when the activation is its sole reader).
    let mut readers: HashMap<&str, usize> = HashMap::new();
    for node in &graph.node {
        for i in &node.input {
            *readers.entry(i.as_str()).or_default() += 1;
        }
    }
    let mut symbols: HashMap<String, Symbol> = HashMap::new();
    symbols.insert(input.name.clone(), Symbol::Image(0));
    let mut program = Builder {
        steps: Vec::new(),
        writer: HashMap::new(),
        values: 1,
        node: NodeLabel::default(),
    };
    for node in &graph.node {
        program.node = NodeLabel {
            op: node.op_type.clone(),
            name: node.name.clone(),
        };
        let out = node
            .output
            .first()
            .cloned()
            .ok_or_else(|| node_fail(node, "no output"))?;
        let symbol = |i: usize| node.input.get(i).and_then(|n| symbols.get(n)).cloned();
        let image = |i: usize| match symbol(i) {
            Some(Symbol::Image(v)) => Ok(v),
            _ => Err(node_fail(node, "an input is not an image value")),
        };
        let made = match node.op_type.as_str() {
            "Conv" => {
                let x = image(0)?;
                program.push(conv(node, &consts)?, vec![x], false)
            }
            "ConvTranspose" => {
                let x = image(0)?;
                program.push(deconv(node, &consts)?, vec![x], false)
            }
            "Relu" | "LeakyRelu" | "PRelu" => match symbol(0) {
                Some(Symbol::Vector(v)) if node.op_type == "Relu" => {
                    program.push(Op::VectorRelu, vec![v], true)
                }
                Some(Symbol::Image(v)) => {
                    let sole_reader = readers.get(node.input[0].as_str()) == Some(&1);
                    let fusable = program
                        .writer
                        .get(&v)
                        .copied()
                        .map(|s| &mut program.steps[s].op)
                        .filter(|_| sole_reader)
                        .and_then(|op| match op {
                            Op::Conv3x3(c) if !c.has_activation() => Some(op),
                            Op::PatchConv(c) if c.activation == Activation::Identity => Some(op),
                            Op::PatchDeconv(c) if c.activation == Activation::Identity => Some(op),
                            _ => None,
                        });
                    match fusable {
                        Some(op) => {
                            let channels = match op {
                                Op::Conv3x3(c) => c.cout,
                                Op::PatchConv(c) => c.cout,
                                Op::PatchDeconv(c) => c.cout,
                                _ => 0,
                            };
                            let a = activation(node, &consts, channels)?;
                            match op {
                                Op::Conv3x3(c) => c.set_activation(a),
                                Op::PatchConv(c) => c.activation = a,
                                Op::PatchDeconv(c) => c.activation = a,
                                _ => {}
                            }
                            Symbol::Image(v)
                        }
                        None => {
                            // Standalone, a PRelu must share one slope (its
                            // channel count is not known here).
                            let a = activation(node, &consts, 0)?;
                            program.push(Op::Activation(a), vec![v], false)
                        }
                    }
                }
                _ => return Err(node_fail(node, "input is neither an image nor a vector")),
            },
            "Sigmoid" => match symbol(0) {
                Some(Symbol::Vector(v)) => program.push(Op::VectorSigmoid, vec![v], true),
                _ => return Err(node_fail(node, "sigmoid of an image")),
            },
            "DepthToSpace" => {
                let x = image(0)?;
                if string_attr(node, "mode").unwrap_or("DCR") != "CRD" {
                    return Err(node_fail(node, "only CRD mode is supported"));
                }
                let block = int_attr(node, "blocksize").unwrap_or(0);
                if !(1..=8).contains(&block) {
                    return Err(node_fail(node, "block size outside 1..8"));
                }
                program.push(Op::DepthToSpace(block as usize), vec![x], false)
            }
            "GlobalAveragePool" => {
                let x = image(0)?;
                program.push(Op::GlobalAverage, vec![x], true)
            }
            "Flatten" | "Unsqueeze" => match symbol(0) {
                Some(Symbol::Vector(v)) => {
                    let ok = if node.op_type == "Flatten" {
                        int_attr(node, "axis").unwrap_or(1) == 1
                    } else {
                        let axes = node
                            .input
                            .get(1)
                            .and_then(|a| consts.ints(a))
                            .or_else(|| ints_attr(node, "axes"));
                        axes.as_deref() == Some(&[2, 3])
                    };
                    if !ok {
                        return Err(node_fail(
                            node,
                            "reshapes other than [1, C] <-> [1, C, 1, 1]",
                        ));
                    }
                    program.push(Op::Reshape, vec![v], true)
                }
                _ => return Err(node_fail(node, "reshape of an image")),
            },
            "Gemm" => {
                let Some(Symbol::Vector(v)) = symbol(0) else {
                    return Err(node_fail(node, "Gemm input is not a vector"));
                };
                program.push(Op::Dense(dense(node, &consts)?), vec![v], true)
            }
            "Mul" => match (symbol(0), symbol(1)) {
                (Some(Symbol::Image(a)), Some(Symbol::Vector(b)))
                | (Some(Symbol::Vector(b)), Some(Symbol::Image(a))) => {
                    program.push(Op::ScaleChannels, vec![a, b], false)
                }
                (Some(Symbol::Shape(of)), None) => {
                    let factors = node
                        .input
                        .get(1)
                        .and_then(|f| consts.floats(f))
                        .ok_or_else(|| node_fail(node, "not shape × constant factors"))?;
                    Symbol::ScaledShape { of, factors }
                }
                _ => {
                    return Err(node_fail(
                        node,
                        "neither image × vector nor shape × factors",
                    ))
                }
            },
            "Add" | "Sum" => {
                let syms: Vec<Option<Symbol>> = (0..node.input.len()).map(symbol).collect();
                // Shape dimensions plus a constant, in either order.
                let shape_term = match syms.as_slice() {
                    [Some(Symbol::ShapeDims { .. }), None] => Some((0, 1)),
                    [None, Some(Symbol::ShapeDims { .. })] => Some((1, 0)),
                    _ => None,
                };
                match (shape_term, syms.as_slice()) {
                    (Some((s, c)), _) => {
                        let Some(Some(Symbol::ShapeDims { of, dims, plus })) = syms.get(s) else {
                            return Err(node_fail(node, "shape arithmetic"));
                        };
                        if plus.iter().any(|p| *p != 0) {
                            return Err(node_fail(node, "shape arithmetic twice"));
                        }
                        let add = node
                            .input
                            .get(c)
                            .and_then(|a| consts.ints(a))
                            .filter(|a| a.len() == dims.len())
                            .ok_or_else(|| node_fail(node, "shape plus a non-constant"))?;
                        Symbol::ShapeDims {
                            of: *of,
                            dims: dims.clone(),
                            plus: add,
                        }
                    }
                    (None, _) => {
                        let mut ids = Vec::new();
                        for s in &syms {
                            match s {
                                Some(Symbol::Image(v)) => ids.push(*v),
                                _ => {
                                    return Err(node_fail(node, "adds something other than images"))
                                }
                            }
                        }
                        if ids.len() < 2 {
                            return Err(node_fail(node, "fewer than two terms"));
                        }
                        program.push(Op::Add, ids, false)
                    }
                }
            }
            "Shape" => Symbol::Shape(image(0)?),
            "Cast" | "Floor" => match symbol(0) {
                Some(s @ (Symbol::Shape(_) | Symbol::ScaledShape { .. })) => s,
                _ => return Err(node_fail(node, "not part of size arithmetic")),
            },
            "Slice" => slice(node, &consts, symbol(0), symbol(2), &mut program)?,
            "Resize" => {
                let x = image(0)?;
                match string_attr(node, "mode").unwrap_or("nearest") {
                    "nearest" => {
                        program.push(Op::Upsample(nearest_scale(node, &consts)?), vec![x], false)
                    }
                    _ => {
                        let sizes = symbol(3);
                        let Some(Symbol::ScaledShape { of, factors }) = sizes else {
                            return Err(node_fail(node, "resize sizes are not shape × factors"));
                        };
                        if of != x {
                            return Err(node_fail(node, "resize sizes come from another value"));
                        }
                        program.push(cubic_resize(node, &factors)?, vec![x], false)
                    }
                }
            }
            _ => return Err(node_fail(node, "operator not supported natively")),
        };
        symbols.insert(out, made);
    }
    let Some(Symbol::Image(output)) = symbols.get(&output.name).cloned() else {
        return Err(fail("the graph output is not an image value"));
    };
    Ok(Program {
        input_channels,
        steps: program.steps,
        output,
        values: program.values,
    })
}

/// The program being built.
struct Builder {
    steps: Vec<Step>,
    /// The step that wrote each value.
    writer: HashMap<usize, usize>,
    /// Values numbered so far.
    values: usize,
    /// The node being read (its steps carry its label).
    node: NodeLabel,
}

impl Builder {
    /// Adds a step writing a new image (or vector) value.
    fn push(&mut self, op: Op, inputs: Vec<usize>, vector: bool) -> Symbol {
        let id = self.values;
        self.values += 1;
        self.writer.insert(id, self.steps.len());
        self.steps.push(Step {
            op,
            inputs,
            output: id,
            node: self.node.clone(),
        });
        if vector {
            Symbol::Vector(id)
        } else {
            Symbol::Image(id)
        }
    }
}

/// Slice: a shape's dimensions 1..4, a constant spatial crop, or a crop to
/// another value's size.
fn slice(
    node: &NodeProto,
    consts: &Consts,
    data: Option<Symbol>,
    ends: Option<Symbol>,
    program: &mut Builder,
) -> Result<Symbol, NativeError> {
    let constant = |i: usize| node.input.get(i).and_then(|n| consts.ints(n));
    let starts = constant(1).ok_or_else(|| node_fail(node, "starts are not constant"))?;
    let axes = constant(3).ok_or_else(|| node_fail(node, "axes are not constant"))?;
    if node.input.get(4).is_some_and(|s| !s.is_empty()) {
        return Err(node_fail(node, "steps"));
    }
    match data {
        Some(Symbol::Shape(of)) => {
            let ends = constant(2).ok_or_else(|| node_fail(node, "shape slice ends"))?;
            match (starts.as_slice(), ends.as_slice(), axes.as_slice()) {
                ([1], [4], [0]) => Ok(Symbol::ShapeDims {
                    of,
                    dims: 1..4,
                    plus: vec![0; 3],
                }),
                _ => Err(node_fail(node, "shape slice other than dims 1..4")),
            }
        }
        Some(Symbol::Image(x)) => match ends {
            // Cut to another value's (C, H, W) from offset starts.
            Some(Symbol::ShapeDims { of, dims, plus }) => {
                if dims != (1..4) || axes != [1, 2, 3] || plus != starts || starts[0] != 0 {
                    return Err(node_fail(
                        node,
                        "crop-to-reference other than channels kept",
                    ));
                }
                if starts[1] < 0 || starts[2] < 0 {
                    return Err(node_fail(node, "negative crop offset"));
                }
                Ok(program.push(
                    Op::CropLike {
                        top: starts[1] as usize,
                        left: starts[2] as usize,
                    },
                    vec![x, of],
                    false,
                ))
            }
            _ => {
                let ends = constant(2).ok_or_else(|| node_fail(node, "ends are not constant"))?;
                match (starts.as_slice(), ends.as_slice(), axes.as_slice()) {
                    ([t, l], [bottom, r], [2, 3])
                        if *t >= 0 && *l >= 0 && *bottom < 0 && *r < 0 =>
                    {
                        let size = |v: i64| v.unsigned_abs() as usize;
                        Ok(program.push(
                            Op::Crop([size(*t), size(*l), size(*bottom), size(*r)]),
                            vec![x],
                            false,
                        ))
                    }
                    _ => Err(node_fail(node, "slice other than a spatial crop")),
                }
            }
        },
        _ => Err(node_fail(
            node,
            "slice of something other than an image or a shape",
        )),
    }
}

struct Consts<'a>(&'a HashMap<&'a str, &'a TensorProto>);

impl Consts<'_> {
    fn floats(&self, name: &str) -> Option<Vec<f32>> {
        tensor::floats(self.0.get(name)?)
    }

    fn ints(&self, name: &str) -> Option<Vec<i64>> {
        tensor::ints(self.0.get(name)?)
    }

    fn dims(&self, name: &str) -> Option<Vec<i64>> {
        self.0.get(name).map(|t| t.dims.clone())
    }
}

/// The graph as a whole is refused.
fn fail(reason: &str) -> NativeError {
    NativeError::UnsupportedGraph {
        reason: reason.to_string(),
    }
}

/// `node` is refused.
fn node_fail(node: &NodeProto, reason: &str) -> NativeError {
    NativeError::UnsupportedNode {
        op: node.op_type.clone(),
        node: node.name.clone(),
        reason: reason.to_string(),
    }
}

fn input_channels(input: &seer_onnx::proto::ValueInfoProto) -> Option<usize> {
    use seer_onnx::proto::DimValue;
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
) -> Result<Params, NativeError> {
    let name = node
        .input
        .get(1)
        .ok_or_else(|| node_fail(node, "no weights"))?;
    let dims = consts
        .dims(name)
        .ok_or_else(|| node_fail(node, "weights are not a constant"))?;
    if dims.len() < 2 || dims.iter().any(|d| *d <= 0) {
        return Err(node_fail(
            node,
            &format!("weight shape {dims:?} is not at least 2-D with positive sizes"),
        ));
    }
    let weights = consts
        .floats(name)
        .ok_or_else(|| node_fail(node, "weights are not float32"))?;
    let count = dims
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(usize::try_from(*d).ok()?));
    if count != Some(weights.len()) {
        return Err(node_fail(
            node,
            &format!(
                "weight shape {dims:?} does not match its {} values",
                weights.len()
            ),
        ));
    }
    let n = bias_len(&dims);
    let bias = match node.input.get(2).filter(|b| !b.is_empty()) {
        Some(b) => consts
            .floats(b)
            .ok_or_else(|| node_fail(node, "bias is not a float32 constant"))?,
        None => vec![0.0; n],
    };
    if bias.len() != n {
        return Err(node_fail(
            node,
            &format!("{} bias values for {n} output channels", bias.len()),
        ));
    }
    Ok(Params {
        dims,
        weights,
        bias,
    })
}

fn check_plain(node: &NodeProto) -> Result<(), NativeError> {
    let ones = |name: &str| ints_attr(node, name).is_none_or(|v| v.iter().all(|x| *x == 1));
    if int_attr(node, "group").unwrap_or(1) != 1 || !ones("dilations") {
        return Err(node_fail(node, "grouped or dilated"));
    }
    if string_attr(node, "auto_pad").is_some_and(|p| p != "NOTSET") {
        return Err(node_fail(node, "auto_pad"));
    }
    Ok(())
}

fn conv(node: &NodeProto, consts: &Consts) -> Result<Op, NativeError> {
    check_plain(node)?;
    let Params {
        dims,
        weights,
        bias,
    } = weights_and_bias(node, consts, |d| d[0] as usize)?;
    let [cout, cin, kh, kw] = dims.as_slice() else {
        return Err(node_fail(node, "weights are not 4-D"));
    };
    let (cin, cout) = (*cin as usize, *cout as usize);
    let strides = ints_attr(node, "strides").unwrap_or(vec![1, 1]);
    let pads = ints_attr(node, "pads").unwrap_or(vec![0; 4]);
    let pad = pads.first().copied().unwrap_or(0);
    let even_pads = pads.len() == 4 && pads.iter().all(|p| *p == pad);
    if (*kh, *kw) == (3, 3) && strides == [1, 1] && even_pads && (0..=1).contains(&pad) {
        return Ok(Op::Conv3x3(WinogradConv::new(
            cin,
            cout,
            pad as usize,
            &weights,
            bias,
            Activation::Identity,
        )));
    }
    if kh == kw && strides == [*kh, *kh] && even_pads && pad == 0 && *kh >= 1 {
        return Ok(Op::PatchConv(PatchConv::new(
            cin,
            cout,
            *kh as usize,
            &weights,
            &bias,
        )));
    }
    Err(node_fail(
        node,
        "neither a 3×3 stride-1 convolution (pad 0 or 1) nor a k×k stride-k one",
    ))
}

fn dense(node: &NodeProto, consts: &Consts) -> Result<Dense, NativeError> {
    let unit = |name: &str| attr(node, name).is_none_or(|a| a.f == 1.0);
    if int_attr(node, "transB").unwrap_or(0) != 1
        || int_attr(node, "transA").unwrap_or(0) != 0
        || !unit("alpha")
        || !unit("beta")
    {
        return Err(node_fail(node, "Gemm other than x · Wᵀ + b"));
    }
    let Params {
        dims,
        weights,
        bias,
    } = weights_and_bias(node, consts, |d| d[0] as usize)?;
    let [_, inputs] = dims.as_slice() else {
        return Err(node_fail(node, "Gemm weights are not 2-D"));
    };
    Ok(Dense {
        inputs: *inputs as usize,
        weights,
        bias,
    })
}

fn activation(
    node: &NodeProto,
    consts: &Consts,
    channels: usize,
) -> Result<Activation, NativeError> {
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
                n if n == channels && n > 0 => Ok(Activation::PRelu(slope)),
                _ => Err(node_fail(node, "slope is neither per channel nor shared")),
            }
        }
    }
}

fn deconv(node: &NodeProto, consts: &Consts) -> Result<Op, NativeError> {
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
    if [top, left, bottom, right]
        .iter()
        .any(|p| **p < 0 || **p >= *kh.max(kw))
    {
        return Err(node_fail(
            node,
            "pads negative or not below the kernel size",
        ));
    }
    let no_pads = [top, left, bottom, right].iter().all(|p| **p == 0);
    if kh == kw && *kh == *sy && no_pads {
        return Ok(Op::PatchDeconv(PatchDeconv::new(
            *cin as usize,
            *cout as usize,
            *kh as usize,
            &weights,
            &bias,
        )));
    }
    let many_outputs = (*cout * kh * kw) as usize > super::ops::MAX_BLOCKED_ROWS;
    if kh == kw && top == left && bottom == right && many_outputs {
        if let Some(layer) = PhaseDeconv::new(
            *cin as usize,
            *cout as usize,
            (*kh as usize, *sy as usize),
            (*top as usize, *bottom as usize),
            &weights,
            &bias,
        ) {
            return Ok(Op::PhaseDeconv(layer));
        }
    }
    Ok(Op::Deconv(Deconv {
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
    }))
}

fn nearest_scale(node: &NodeProto, consts: &Consts) -> Result<usize, NativeError> {
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
        [n, c, h, w]
            if *n == 1.0 && *c == 1.0 && h == w && h.fract() == 0.0 && (1.0..=16.0).contains(h) =>
        {
            Ok(*h as usize)
        }
        _ => Err(node_fail(
            node,
            "scales are not [1, 1, s, s] with an integer s from 1 to 16",
        )),
    }
}

fn cubic_resize(node: &NodeProto, factors: &[f32]) -> Result<Op, NativeError> {
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
    Ok(Op::ResizeCubic {
        factor_w: *w,
        factor_h: *h,
        a: attr(node, "cubic_coeff_a").map(|a| a.f).unwrap_or(-0.75),
    })
}
