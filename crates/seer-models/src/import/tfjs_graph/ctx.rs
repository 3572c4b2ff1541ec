//! Conversion state: the ONNX graph being built, the value of every TF
//! tensor converted so far (constant or ONNX value with a static shape), and
//! error helpers that name the model and the node.

use super::parse::Node;
use super::tensor::{ConstTensor, DType, Data};
use crate::import::ImportError;
use seer_onnx::{Attr, GraphBuilder};
use std::collections::HashMap;
use std::fmt::Display;
use std::path::Path;
use std::rc::Rc;

/// An ONNX value with its static shape and element kind.
#[derive(Debug)]
pub(crate) struct DynVal {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: DType,
}

/// What a TF tensor is during conversion.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    /// Known at import time (weights and folded shape arithmetic).
    Const(Rc<ConstTensor>),
    /// Computed by the ONNX graph at run time.
    Dyn(Rc<DynVal>),
}

impl Val {
    /// Wraps a constant.
    pub fn constant(t: ConstTensor) -> Val {
        Val::Const(Rc::new(t))
    }

    /// Static shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            Val::Const(c) => &c.shape,
            Val::Dyn(d) => &d.shape,
        }
    }

    /// Element kind.
    pub fn dtype(&self) -> DType {
        match self {
            Val::Const(c) => c.dtype(),
            Val::Dyn(d) => d.dtype,
        }
    }

    /// Rank.
    pub fn rank(&self) -> usize {
        self.shape().len()
    }

    /// The constant, if known.
    pub fn as_const(&self) -> Option<&ConstTensor> {
        match self {
            Val::Const(c) => Some(c),
            Val::Dyn(_) => None,
        }
    }
}

/// The input size a model is imported for against the one it declares
/// (height, width in pixels): constant resize sizes are scaled by it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SizeRatio {
    pub declared: (usize, usize),
    pub chosen: (usize, usize),
}

impl SizeRatio {
    /// `size` (height, width) scaled from the declared input size to the
    /// chosen one; `None` when it does not divide evenly.
    pub fn scale(&self, size: (usize, usize)) -> Option<(usize, usize)> {
        let one = |v: usize, declared: usize, chosen: usize| {
            let scaled = v.checked_mul(chosen)?;
            (declared > 0 && scaled.is_multiple_of(declared)).then(|| scaled / declared)
        };
        Some((
            one(size.0, self.declared.0, self.chosen.0)?,
            one(size.1, self.declared.1, self.chosen.1)?,
        ))
    }
}

/// Conversion state shared by all op converters.
pub(crate) struct Ctx<'m> {
    pub g: GraphBuilder,
    pub model: &'m Path,
    /// Set when the model is imported for another input size.
    pub size_ratio: Option<SizeRatio>,
    materialized: HashMap<usize, String>,
}

impl<'m> Ctx<'m> {
    /// Fresh state for `model`.
    pub fn new(model: &'m Path, graph_name: &str) -> Ctx<'m> {
        Ctx {
            g: GraphBuilder::new(graph_name),
            model,
            size_ratio: None,
            materialized: HashMap::new(),
        }
    }

    /// A `Malformed` error naming the model, the node and its op.
    pub fn err(&self, node: &Node, detail: impl Display) -> ImportError {
        ImportError::malformed(
            self.model,
            format!("node '{}' ({}): {detail}", node.name, node.op),
        )
    }

    /// An `UnsupportedOp` error for `op` (of `kind`) in `node`.
    pub fn unsupported(&self, node: &Node, kind: &'static str, op: &str) -> ImportError {
        ImportError::UnsupportedOp {
            model: self.model.to_path_buf(),
            kind,
            op: op.to_string(),
            node: node.name.clone(),
        }
    }

    /// The ONNX value name of `v`, writing constants as initializers once.
    pub fn name_of(&mut self, v: &Val, hint: &str) -> String {
        match v {
            Val::Dyn(d) => d.name.clone(),
            Val::Const(c) => {
                let key = Rc::as_ptr(c) as usize;
                if let Some(name) = self.materialized.get(&key) {
                    return name.clone();
                }
                let name = self.g.const_tensor(hint, c.to_proto(""));
                self.materialized.insert(key, name.clone());
                name
            }
        }
    }

    /// A 1-D int64 initializer.
    pub fn ints(&mut self, hint: &str, values: &[i64]) -> String {
        self.g.const_i64(hint, &[values.len() as i64], values)
    }

    /// A scalar initializer of kind `dtype` holding `value`.
    pub fn scalar(&mut self, hint: &str, dtype: DType, value: f64) -> String {
        let t = match dtype {
            DType::Float => ConstTensor::f32(vec![], vec![value as f32]),
            DType::Int => ConstTensor::i64(vec![], vec![value as i64]),
            DType::Bool => ConstTensor {
                shape: vec![],
                data: Data::Bool(vec![value != 0.0]),
            },
        };
        self.g.const_tensor(hint, t.to_proto(""))
    }

    /// Adds a one-output node and returns its value with the given shape/kind.
    pub fn emit(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: &[(&str, Attr)],
        hint: &str,
        shape: Vec<usize>,
        dtype: DType,
    ) -> Val {
        let name = self.g.node(op, inputs, attrs, hint);
        Val::Dyn(Rc::new(DynVal { name, shape, dtype }))
    }

    /// Adds a node with several outputs (shape and kind given per output).
    pub fn emit_n(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: &[(&str, Attr)],
        hint: &str,
        outputs: Vec<(Vec<usize>, DType)>,
    ) -> Vec<Val> {
        let names = self.g.node_n(op, inputs, attrs, hint, outputs.len());
        names
            .into_iter()
            .zip(outputs)
            .map(|(name, (shape, dtype))| Val::Dyn(Rc::new(DynVal { name, shape, dtype })))
            .collect()
    }

    /// `Reshape` of `v` to a static `shape` (no node when unchanged; constants
    /// are reshaped in place).
    pub fn reshape(&mut self, v: &Val, shape: Vec<usize>, hint: &str) -> Val {
        if v.shape() == shape.as_slice() {
            return v.clone();
        }
        if let Some(c) = v.as_const() {
            return Val::constant(c.reshaped(shape));
        }
        let x = self.name_of(v, hint);
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let s = self.ints(&format!("{hint}/shape"), &dims);
        self.emit("Reshape", &[&x, &s], &[], hint, shape, v.dtype())
    }

    /// `Transpose` of `v` by `perm`.
    pub fn transpose(&mut self, v: &Val, perm: &[usize], hint: &str) -> Val {
        let shape: Vec<usize> = perm.iter().map(|&p| v.shape()[p]).collect();
        let x = self.name_of(v, hint);
        let p: Vec<i64> = perm.iter().map(|&p| p as i64).collect();
        self.emit(
            "Transpose",
            &[&x],
            &[("perm", Attr::Ints(p))],
            hint,
            shape,
            v.dtype(),
        )
    }

    /// `Cast` of `v` to `dtype` (returns `v` when already of that kind).
    pub fn cast(&mut self, v: &Val, dtype: DType, hint: &str) -> Val {
        if v.dtype() == dtype {
            return v.clone();
        }
        if let Some(c) = v.as_const() {
            return Val::constant(c.cast(dtype));
        }
        let x = self.name_of(v, hint);
        self.emit(
            "Cast",
            &[&x],
            &[("to", Attr::Int(dtype.onnx() as i64))],
            hint,
            v.shape().to_vec(),
            dtype,
        )
    }
}

/// Input `i` of `node`, or an error saying it is missing.
pub(crate) fn arg<'v>(
    ctx: &Ctx,
    node: &Node,
    inputs: &'v [Val],
    i: usize,
) -> Result<&'v Val, ImportError> {
    inputs.get(i).ok_or_else(|| {
        ctx.err(
            node,
            format!("expects at least {} inputs, has {}", i + 1, inputs.len()),
        )
    })
}

/// Input `i` of `node`, which must be a constant known at import time.
pub(crate) fn const_arg<'v>(
    ctx: &Ctx,
    node: &Node,
    inputs: &'v [Val],
    i: usize,
) -> Result<&'v ConstTensor, ImportError> {
    arg(ctx, node, inputs, i)?.as_const().ok_or_else(|| {
        ctx.err(
            node,
            format!(
                "input {i} ('{}') must be constant at import time (the input size is fixed), but it depends on the model input",
                node.inputs.get(i).map(|t| t.display_name()).unwrap_or_default()
            ),
        )
    })
}

/// Integer values of constant input `i`.
pub(crate) fn const_ints(
    ctx: &Ctx,
    node: &Node,
    inputs: &[Val],
    i: usize,
) -> Result<Vec<i64>, ImportError> {
    Ok(const_arg(ctx, node, inputs, i)?.to_i64())
}

/// Normalises a possibly negative axis for a tensor of `rank`.
pub(crate) fn norm_axis(
    ctx: &Ctx,
    node: &Node,
    axis: i64,
    rank: usize,
) -> Result<usize, ImportError> {
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    if a < 0 || a >= rank as i64 {
        return Err(ctx.err(node, format!("axis {axis} is out of range for rank {rank}")));
    }
    Ok(a as usize)
}

/// True when every input is a constant.
pub(crate) fn all_const(inputs: &[Val]) -> bool {
    inputs.iter().all(|v| v.as_const().is_some())
}
