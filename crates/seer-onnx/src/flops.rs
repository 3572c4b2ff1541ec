//! Arithmetic cost of an upscaling model: multiply-accumulates (MACs) of
//! its Conv, ConvTranspose, MatMul and Gemm nodes for a given input size,
//! found by propagating shapes through the ONNX graph.
//!
//! MACs of a Conv = output pixels × Cout × Cin/groups × kh × kw; of a
//! ConvTranspose = input pixels × Cin × Cout/groups × kh × kw; of a MatMul
//! or Gemm = M × N × K. One MAC is counted as two floating-point
//! operations (FLOP). Element-wise operators (activations, additions) are
//! not counted. Shapes are propagated for the operators super-resolution
//! graphs use; small integer tensors (`Shape` → `Cast` → `Mul` → `Floor`
//! chains feeding `Resize`) are evaluated so their results are known.

use crate::proto::{GraphProto, NodeProto, TensorProto};
use crate::{attr, tensor, ModelProto};
use seer_core::{ErrorKind, HasErrorKind};
use std::collections::HashMap;

/// Why a model's cost could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum FlopsError {
    /// The ONNX file could not be read.
    #[error("cannot read ONNX model {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not an ONNX protobuf.
    #[error("{path} is not an ONNX model")]
    Decode {
        path: String,
        #[source]
        source: prost::DecodeError,
    },
    /// The model has no graph.
    #[error("the ONNX model has no graph")]
    NoGraph,
    /// A node's output shape could not be worked out.
    #[error("cannot work out the shape after node '{node}' ({op}): {detail}")]
    Shape {
        node: String,
        op: String,
        detail: String,
    },
}

impl HasErrorKind for FlopsError {
    fn kind(&self) -> ErrorKind {
        match self {
            FlopsError::Read { source, .. } => ErrorKind::of_io(source),
            FlopsError::Decode { .. } | FlopsError::NoGraph => ErrorKind::InvalidInput,
            FlopsError::Shape { .. } => ErrorKind::Unsupported,
        }
    }
}

/// A parsed model whose cost can be asked for any input size.
pub struct CostModel {
    graph: GraphProto,
    /// Shapes (and small constant values) of the initializers.
    initial: HashMap<String, Value>,
    /// Memoised MACs per input shape.
    cache: HashMap<Vec<Vec<i64>>, u64>,
}

/// What is known about one value of the graph.
#[derive(Clone, Debug, Default)]
struct Value {
    shape: Option<Vec<i64>>,
    /// The values themselves, for small constant tensors only.
    data: Option<Vec<f64>>,
}

/// Largest initializer whose values are kept for shape arithmetic.
const MAX_CONST: usize = 64;

impl CostModel {
    /// Reads an ONNX file.
    pub fn from_file(path: &std::path::Path) -> Result<CostModel, FlopsError> {
        let name = || path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| FlopsError::Read {
            path: name(),
            source,
        })?;
        let model = crate::decode(&bytes).map_err(|source| FlopsError::Decode {
            path: name(),
            source,
        })?;
        CostModel::from_model(model)
    }

    /// Wraps a parsed model.
    pub fn from_model(model: ModelProto) -> Result<CostModel, FlopsError> {
        let graph = model.graph.ok_or(FlopsError::NoGraph)?;
        let mut initial = HashMap::new();
        for t in &graph.initializer {
            initial.insert(t.name.clone(), initializer_value(t));
        }
        Ok(CostModel {
            graph,
            initial,
            cache: HashMap::new(),
        })
    }

    /// MACs of one run with the graph inputs of the given shapes (in the
    /// graph's input order, initializers excluded).
    pub fn macs(&mut self, input_shapes: &[Vec<i64>]) -> Result<u64, FlopsError> {
        if let Some(&m) = self.cache.get(input_shapes) {
            return Ok(m);
        }
        let m = self.count(input_shapes)?;
        self.cache.insert(input_shapes.to_vec(), m);
        Ok(m)
    }

    fn count(&self, input_shapes: &[Vec<i64>]) -> Result<u64, FlopsError> {
        let mut values = self.initial.clone();
        let inputs = self
            .graph
            .input
            .iter()
            .filter(|i| !self.initial.contains_key(&i.name));
        for (info, shape) in inputs.zip(input_shapes) {
            values.insert(
                info.name.clone(),
                Value {
                    shape: Some(shape.clone()),
                    data: None,
                },
            );
        }
        let mut macs = 0u64;
        for node in &self.graph.node {
            let (outputs, m) = infer(node, &values).map_err(|detail| FlopsError::Shape {
                node: node.name.clone(),
                op: node.op_type.clone(),
                detail,
            })?;
            macs += m;
            for (name, value) in node.output.iter().zip(outputs) {
                values.insert(name.clone(), value);
            }
        }
        Ok(macs)
    }
}

fn initializer_value(t: &TensorProto) -> Value {
    let n: i64 = t.dims.iter().product();
    let data = if n as usize <= MAX_CONST {
        tensor::numbers(t)
    } else {
        None
    };
    Value {
        shape: Some(t.dims.clone()),
        data,
    }
}

fn attr_int(node: &NodeProto, name: &str, default: i64) -> i64 {
    attr::int(node, name).unwrap_or(default)
}

/// Output values and MACs of one node.
fn infer(node: &NodeProto, values: &HashMap<String, Value>) -> Result<(Vec<Value>, u64), String> {
    let get = |i: usize| -> Option<&Value> {
        node.input
            .get(i)
            .filter(|n| !n.is_empty())
            .and_then(|n| values.get(n))
    };
    let shape = |i: usize| -> Result<Vec<i64>, String> {
        get(i)
            .and_then(|v| v.shape.clone())
            .ok_or_else(|| format!("shape of input {i} unknown"))
    };
    let data = |i: usize| -> Option<Vec<f64>> { get(i).and_then(|v| v.data.clone()) };
    let plain = |s: Vec<i64>| Value {
        shape: Some(s),
        data: None,
    };
    let konst = |s: Vec<i64>, d: Vec<f64>| Value {
        shape: Some(s),
        data: Some(d),
    };
    let op = node.op_type.as_str();
    let one = |v: Value| Ok((vec![v], 0));
    match op {
        "Conv" => {
            let x = shape(0)?;
            let w = shape(1)?;
            if x.len() != 4 || w.len() != 4 {
                return Err(format!(
                    "only 2-D convolutions are counted, got {x:?} * {w:?}"
                ));
            }
            let group = attr_int(node, "group", 1).max(1);
            let strides = positive(ints_of_len(node, "strides", 2, 1)?, "strides")?;
            let dil = positive(ints_of_len(node, "dilations", 2, 1)?, "dilations")?;
            let pads = conv_pads(node, &w, &strides, &dil, &x)?;
            let oh = (x[2] + pads[0] + pads[2] - dil[0] * (w[2] - 1) - 1) / strides[0] + 1;
            let ow = (x[3] + pads[1] + pads[3] - dil[1] * (w[3] - 1) - 1) / strides[1] + 1;
            let out = vec![x[0], w[0], oh, ow];
            let macs = x[0] * oh * ow * w[0] * w[1] * w[2] * w[3];
            let _ = group; // w[1] is already Cin / group.
            Ok((vec![plain(out)], macs.max(0) as u64))
        }
        "ConvTranspose" => {
            let x = shape(0)?;
            let w = shape(1)?;
            if x.len() != 4 || w.len() != 4 {
                return Err(format!(
                    "only 2-D deconvolutions are counted, got {x:?} * {w:?}"
                ));
            }
            let group = attr_int(node, "group", 1).max(1);
            let strides = positive(ints_of_len(node, "strides", 2, 1)?, "strides")?;
            let dil = positive(ints_of_len(node, "dilations", 2, 1)?, "dilations")?;
            let pads = ints_of_len(node, "pads", 4, 0)?;
            let opad = ints_of_len(node, "output_padding", 2, 0)?;
            let cout = w[1] * group;
            let oh =
                strides[0] * (x[2] - 1) + opad[0] + dil[0] * (w[2] - 1) + 1 - pads[0] - pads[2];
            let ow =
                strides[1] * (x[3] - 1) + opad[1] + dil[1] * (w[3] - 1) + 1 - pads[1] - pads[3];
            let out = match attr::ints(node, "output_shape") {
                Some(s) if s.len() == 2 => vec![x[0], cout, s[0], s[1]],
                _ => vec![x[0], cout, oh, ow],
            };
            let macs = x[0] * x[2] * x[3] * w[0] * w[1] * w[2] * w[3];
            Ok((vec![plain(out)], macs.max(0) as u64))
        }
        "MatMul" | "Gemm" => {
            let mut a = shape(0)?;
            let mut b = shape(1)?;
            if op == "Gemm" {
                if attr_int(node, "transA", 0) != 0 {
                    a.reverse();
                }
                if attr_int(node, "transB", 0) != 0 {
                    b.reverse();
                }
            }
            if a.len() < 2 || b.len() < 2 {
                return Err(format!("matrix shapes {a:?} and {b:?}"));
            }
            let (m, k) = (a[a.len() - 2], a[a.len() - 1]);
            let n = b[b.len() - 1];
            let batch: i64 = a[..a.len() - 2].iter().product();
            let mut out = a[..a.len() - 2].to_vec();
            out.extend([m, n]);
            Ok((vec![plain(out)], (batch * m * n * k).max(0) as u64))
        }
        "Relu" | "LeakyRelu" | "Sigmoid" | "Tanh" | "Identity" | "Clip" | "Elu" | "HardSigmoid"
        | "Softmax" | "Neg" | "Abs" | "Sqrt" | "Exp" => one(plain(shape(0)?)),
        "Floor" | "Ceil" | "Round" | "Cast" => {
            let s = shape(0)?;
            let f = match op {
                "Floor" => f64::floor,
                "Ceil" => f64::ceil,
                "Round" => f64::round,
                _ => |v: f64| v,
            };
            match data(0) {
                Some(d) => one(konst(s, d.into_iter().map(f).collect())),
                None => one(plain(s)),
            }
        }
        "Add" | "Sub" | "Mul" | "Div" | "PRelu" | "Sum" | "Max" | "Min" | "Pow" => {
            let mut out = shape(0)?;
            for i in 1..node.input.len() {
                out = broadcast(&out, &shape(i)?)?;
            }
            if node.input.len() == 2 {
                if let (Some(a), Some(b)) = (data(0), data(1)) {
                    if a.len() == b.len() {
                        let f = |x: f64, y: f64| match op {
                            "Add" | "Sum" => x + y,
                            "Sub" => x - y,
                            "Mul" => x * y,
                            "Div" => x / y,
                            _ => f64::NAN,
                        };
                        let d = a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect();
                        return one(konst(out, d));
                    }
                }
            }
            one(plain(out))
        }
        "Shape" => {
            let s = shape(0)?;
            let d = s.iter().map(|&v| v as f64).collect();
            one(konst(vec![s.len() as i64], d))
        }
        "Transpose" => {
            let s = shape(0)?;
            let perm =
                attr::ints(node, "perm").unwrap_or_else(|| (0..s.len() as i64).rev().collect());
            let out = perm
                .iter()
                .map(|&p| usize::try_from(p).ok().and_then(|p| s.get(p).copied()))
                .collect::<Option<Vec<i64>>>()
                .ok_or_else(|| format!("permutation {perm:?} of a rank-{} shape", s.len()))?;
            one(plain(out))
        }
        "Concat" => {
            let first = shape(0)?;
            let axis = norm_axis(attr_int(node, "axis", 0), first.len());
            let mut out = first;
            for i in 1..node.input.len() {
                let add = shape(i)?.get(axis).copied();
                match (out.get_mut(axis), add) {
                    (Some(d), Some(a)) => *d += a,
                    _ => return Err(format!("axis {axis} is outside the inputs' shapes")),
                }
            }
            one(plain(out))
        }
        "DepthToSpace" | "SpaceToDepth" => {
            let s = shape(0)?;
            let b = attr_int(node, "blocksize", 1);
            if s.len() != 4 || b < 1 {
                return Err(format!("rank {} input, block size {b}", s.len()));
            }
            let out = if op == "DepthToSpace" {
                vec![s[0], s[1] / (b * b), s[2] * b, s[3] * b]
            } else {
                vec![s[0], s[1] * b * b, s[2] / b, s[3] / b]
            };
            one(plain(out))
        }
        "Resize" | "Upsample" => {
            let s = shape(0)?;
            let (scales, sizes) = if op == "Upsample" {
                (data(1), None)
            } else {
                (data(2).filter(|d| !d.is_empty()), data(3))
            };
            let out = if let Some(sizes) = sizes {
                sizes.iter().map(|&v| v as i64).collect()
            } else if let Some(scales) = scales {
                s.iter()
                    .zip(&scales)
                    .map(|(&d, &f)| (d as f64 * f).floor() as i64)
                    .collect()
            } else {
                return Err("neither scales nor sizes are known".into());
            };
            one(plain(out))
        }
        "GlobalAveragePool" | "GlobalMaxPool" => {
            let s = shape(0)?;
            let mut out = s[..2.min(s.len())].to_vec();
            out.resize(s.len(), 1);
            one(plain(out))
        }
        "Flatten" => {
            let s = shape(0)?;
            let axis = norm_axis(attr_int(node, "axis", 1), s.len()).min(s.len());
            let a: i64 = s[..axis].iter().product();
            let b: i64 = s[axis..].iter().product();
            one(plain(vec![a, b]))
        }
        "Unsqueeze" | "Squeeze" => {
            let s = shape(0)?;
            let axes: Vec<i64> = attr::ints(node, "axes")
                .or_else(|| data(1).map(|d| d.iter().map(|&v| v as i64).collect()))
                .ok_or("axes unknown")?;
            let out = if op == "Unsqueeze" {
                let rank = s.len() + axes.len();
                let axes: Vec<usize> = axes.iter().map(|&a| norm_axis(a, rank)).collect();
                let mut src = s.iter();
                (0..rank)
                    .map(|i| {
                        if axes.contains(&i) {
                            1
                        } else {
                            *src.next().unwrap_or(&1)
                        }
                    })
                    .collect()
            } else {
                let axes: Vec<usize> = axes.iter().map(|&a| norm_axis(a, s.len())).collect();
                s.iter()
                    .enumerate()
                    .filter(|(i, _)| !axes.contains(i))
                    .map(|(_, &d)| d)
                    .collect()
            };
            let d = data(0);
            one(Value {
                shape: Some(out),
                data: d,
            })
        }
        "Slice" => {
            let mut s = shape(0)?;
            let starts = data(1).ok_or("starts unknown")?;
            let ends = data(2).ok_or("ends unknown")?;
            let axes = data(3).unwrap_or_else(|| (0..starts.len()).map(|i| i as f64).collect());
            let steps = data(4).unwrap_or_else(|| vec![1.0; starts.len()]);
            let n = starts.len();
            if ends.len() != n || axes.len() != n || steps.len() != n {
                return Err("starts, ends, axes and steps differ in length".into());
            }
            for i in 0..n {
                let axis = norm_axis(axes[i] as i64, s.len());
                let len = *s.get(axis).ok_or("slice axis outside the shape")?;
                let clampi = |v: f64| -> i64 {
                    let v = if v < 0.0 { v + len as f64 } else { v };
                    (v.max(0.0) as i64).min(len)
                };
                let (b, e) = (clampi(starts[i]), clampi(ends[i].min(1e15)));
                let step = (steps[i] as i64).max(1);
                s[axis] = ((e - b).max(0) + step - 1) / step;
            }
            one(plain(s))
        }
        "Pad" => {
            let s = shape(0)?;
            let pads: Vec<i64> = attr::ints(node, "pads")
                .or_else(|| data(1).map(|d| d.iter().map(|&v| v as i64).collect()))
                .ok_or("pads unknown")?;
            let r = s.len();
            if pads.len() != 2 * r {
                return Err(format!("{} pads for rank {r}", pads.len()));
            }
            one(plain(
                (0..r).map(|i| s[i] + pads[i] + pads[i + r]).collect(),
            ))
        }
        "Constant" => {
            let t = attr::get(node, "value")
                .and_then(|a| a.t.as_ref())
                .ok_or("no tensor value")?;
            one(initializer_value(t))
        }
        other => Err(format!("operator {other} is not known to the cost counter")),
    }
}

/// Explicit pads (top, left, bottom, right) of a Conv, `auto_pad` included.
fn conv_pads(
    node: &NodeProto,
    w: &[i64],
    strides: &[i64],
    dil: &[i64],
    x: &[i64],
) -> Result<Vec<i64>, String> {
    let auto = attr::get(node, "auto_pad")
        .map(|a| String::from_utf8_lossy(&a.s).into_owned())
        .unwrap_or_default();
    match auto.as_str() {
        "" | "NOTSET" => ints_of_len(node, "pads", 4, 0),
        "VALID" => Ok(vec![0; 4]),
        "SAME_UPPER" | "SAME_LOWER" => {
            let mut total = [0i64; 2];
            for a in 0..2 {
                let out = (x[2 + a] + strides[a] - 1) / strides[a];
                let k = dil[a] * (w[2 + a] - 1) + 1;
                total[a] = ((out - 1) * strides[a] + k - x[2 + a]).max(0);
            }
            let (t, l) = (total[0] / 2, total[1] / 2);
            Ok(vec![t, l, total[0] - t, total[1] - l])
        }
        other => Err(format!("auto_pad {other}")),
    }
}

/// Integer-list attribute `name` of `len` values (`len` times `default`
/// when absent).
fn ints_of_len(node: &NodeProto, name: &str, len: usize, default: i64) -> Result<Vec<i64>, String> {
    let v = attr::ints(node, name).unwrap_or_else(|| vec![default; len]);
    if v.len() == len {
        Ok(v)
    } else {
        Err(format!("{name} has {} values, not {len}", v.len()))
    }
}

/// `v` if every value is at least 1.
fn positive(v: Vec<i64>, name: &str) -> Result<Vec<i64>, String> {
    if v.iter().all(|x| *x >= 1) {
        Ok(v)
    } else {
        Err(format!("{name} {v:?} are not all positive"))
    }
}

fn norm_axis(axis: i64, rank: usize) -> usize {
    if axis < 0 {
        (axis + rank as i64).max(0) as usize
    } else {
        axis as usize
    }
}

/// NumPy-style broadcast of two shapes.
fn broadcast(a: &[i64], b: &[i64]) -> Result<Vec<i64>, String> {
    let r = a.len().max(b.len());
    let at = |s: &[i64], i: usize| -> i64 {
        let off = r - s.len();
        if i < off {
            1
        } else {
            s[i - off]
        }
    };
    (0..r)
        .map(|i| {
            let (x, y) = (at(a, i), at(b, i));
            if x == y || y == 1 {
                Ok(x)
            } else if x == 1 {
                Ok(y)
            } else {
                Err(format!("shapes {a:?} and {b:?} do not broadcast"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Attr, DataType, Dim, GraphBuilder};

    /// A 3×3 conv 3→8 (pad 1), ReLU, a 3×3 conv 8→12 without padding, and
    /// DepthToSpace(2): MACs by hand.
    #[test]
    fn counts_convolutions_by_hand() {
        let mut g = GraphBuilder::new("t");
        let x = g.input(
            "x",
            DataType::Float,
            &[
                Dim::Fixed(1),
                Dim::Fixed(3),
                Dim::named("h"),
                Dim::named("w"),
            ],
        );
        let w1 = g.const_f32("w1", &[8, 3, 3, 3], &[0.0; 8 * 27]);
        let w2 = g.const_f32("w2", &[12, 8, 3, 3], &[0.0; 12 * 72]);
        let c1 = g.node(
            "Conv",
            &[&x, &w1],
            &[("pads", Attr::Ints(vec![1, 1, 1, 1]))],
            "",
        );
        let r = g.node("Relu", &[&c1], &[], "");
        let c2 = g.node("Conv", &[&r, &w2], &[], "");
        let d = g.node("DepthToSpace", &[&c2], &[("blocksize", Attr::Int(2))], "");
        g.output(&d, "y", DataType::Float, None);
        let mut cost = CostModel::from_model(g.finish()).unwrap();
        let macs = cost.macs(&[vec![1, 3, 20, 30]]).unwrap();
        let expected = 20 * 30 * 8 * 3 * 9 + 18 * 28 * 12 * 8 * 9;
        assert_eq!(macs, expected);
        // A second size gives its own count.
        let macs = cost.macs(&[vec![1, 3, 10, 10]]).unwrap();
        assert_eq!(macs, 10 * 10 * 8 * 3 * 9 + 8 * 8 * 12 * 8 * 9);
    }

    /// Attribute lists of the wrong length or a zero stride are errors
    /// naming the node, not panics.
    #[test]
    fn malformed_attributes_are_errors() {
        for (name, attr) in [
            ("strides", Attr::Ints(vec![1])),
            ("strides", Attr::Ints(vec![0, 1])),
            ("pads", Attr::Ints(vec![1, 1])),
        ] {
            let mut g = GraphBuilder::new("t");
            let x = g.input("x", DataType::Float, &[Dim::Fixed(1), Dim::Fixed(3)]);
            let w = g.const_f32("w", &[8, 3, 3, 3], &[0.0; 8 * 27]);
            let y = g.node("Conv", &[&x, &w], &[(name, attr)], "c");
            g.output(&y, "y", DataType::Float, None);
            let mut cost = CostModel::from_model(g.finish()).unwrap();
            let err = cost.macs(&[vec![1, 3, 10, 10]]).unwrap_err().to_string();
            assert!(err.contains("c/Conv") && err.contains(name), "{err}");
        }
    }

    #[test]
    fn unknown_operator_is_named() {
        let mut g = GraphBuilder::new("t");
        let x = g.input("x", DataType::Float, &[Dim::Fixed(1), Dim::Fixed(3)]);
        let y = g.node("Frobnicate", &[&x], &[], "");
        g.output(&y, "y", DataType::Float, None);
        let mut cost = CostModel::from_model(g.finish()).unwrap();
        let err = cost.macs(&[vec![1, 3]]).unwrap_err().to_string();
        assert!(err.contains("Frobnicate"), "{err}");
    }
}
