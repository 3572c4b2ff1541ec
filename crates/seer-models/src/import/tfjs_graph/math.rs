//! Element-wise arithmetic, comparisons, activations, reductions, casts,
//! selection and top-k. Constant inputs are folded where cheap.

use super::ctx::{arg, const_arg, const_ints, norm_axis, Ctx, Val};
use super::parse::Node;
use super::tensor::{
    broadcast_binary, broadcast_shape, reduce as nd_reduce, ConstTensor, DType, Data,
};
use crate::import::ImportError;
use seer_onnx::Attr;

/// Binary element-wise operations (TF names mapped in `binary_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bin {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    FloorMod,
    Min,
    Max,
    Pow,
    SqDiff,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl Bin {
    fn is_comparison(self) -> bool {
        matches!(
            self,
            Bin::Eq | Bin::Ne | Bin::Lt | Bin::Le | Bin::Gt | Bin::Ge
        )
    }
}

/// The binary operation a TF op performs, if it is one.
pub(crate) fn binary_kind(op: &str) -> Option<Bin> {
    Some(match op {
        "Add" | "AddV2" | "BiasAdd" => Bin::Add,
        "Sub" => Bin::Sub,
        "Mul" => Bin::Mul,
        "RealDiv" | "Div" => Bin::Div,
        "FloorDiv" => Bin::FloorDiv,
        "FloorMod" => Bin::FloorMod,
        "Minimum" => Bin::Min,
        "Maximum" => Bin::Max,
        "Pow" => Bin::Pow,
        "SquaredDifference" => Bin::SqDiff,
        "Equal" => Bin::Eq,
        "NotEqual" => Bin::Ne,
        "Less" => Bin::Lt,
        "LessEqual" => Bin::Le,
        "Greater" => Bin::Gt,
        "GreaterEqual" => Bin::Ge,
        "LogicalAnd" => Bin::And,
        "LogicalOr" => Bin::Or,
        _ => return None,
    })
}

/// Converts a binary TF op (with NumPy broadcasting).
pub(crate) fn binary(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
    kind: Bin,
) -> Result<Vec<Val>, ImportError> {
    let a = arg(ctx, node, inputs, 0)?;
    let mut b = arg(ctx, node, inputs, 1)?.clone();
    if node.op == "BiasAdd"
        && node.attr_str("data_format").as_deref() == Some("NCHW")
        && a.rank() > 2
    {
        // Bias on channel axis 1: [C] → [C, 1, …, 1].
        let mut shape = vec![b.shape().iter().product()];
        shape.extend(std::iter::repeat_n(1, a.rank() - 2));
        b = ctx.reshape(&b, shape, &node.name);
    }
    Ok(vec![apply_binary(ctx, node, kind, a, &b)?])
}

/// Applies a binary operation to two values (folding when both are constant).
pub(crate) fn apply_binary(
    ctx: &mut Ctx,
    node: &Node,
    kind: Bin,
    a: &Val,
    b: &Val,
) -> Result<Val, ImportError> {
    let shape = broadcast_shape(a.shape(), b.shape()).ok_or_else(|| {
        ctx.err(
            node,
            format!(
                "shapes {:?} and {:?} do not broadcast",
                a.shape(),
                b.shape()
            ),
        )
    })?;
    let b = if b.dtype() != a.dtype() {
        ctx.cast(b, a.dtype(), &node.name)
    } else {
        b.clone()
    };
    if let (Some(x), Some(y)) = (a.as_const(), b.as_const()) {
        let folded = fold_binary(kind, x, y, &shape).map_err(|e| ctx.err(node, e))?;
        return Ok(Val::constant(folded));
    }
    emit_binary(ctx, node, kind, a, &b, shape)
}

fn emit_binary(
    ctx: &mut Ctx,
    node: &Node,
    kind: Bin,
    a: &Val,
    b: &Val,
    shape: Vec<usize>,
) -> Result<Val, ImportError> {
    let hint = node.name.as_str();
    let an = ctx.name_of(a, &format!("{hint}/a"));
    let bn = ctx.name_of(b, &format!("{hint}/b"));
    let dt = a.dtype();
    let out_dt = if kind.is_comparison() {
        DType::Bool
    } else {
        dt
    };
    let simple = match kind {
        Bin::Add => Some("Add"),
        Bin::Sub => Some("Sub"),
        Bin::Mul => Some("Mul"),
        Bin::Div => Some("Div"),
        Bin::Min => Some("Min"),
        Bin::Max => Some("Max"),
        Bin::Pow => Some("Pow"),
        Bin::Eq => Some("Equal"),
        Bin::Lt => Some("Less"),
        Bin::Le => Some("LessOrEqual"),
        Bin::Gt => Some("Greater"),
        Bin::Ge => Some("GreaterOrEqual"),
        Bin::And => Some("And"),
        Bin::Or => Some("Or"),
        _ => None,
    };
    if let Some(op) = simple {
        return Ok(ctx.emit(op, &[&an, &bn], &[], hint, shape, out_dt));
    }
    let v = match kind {
        Bin::Ne => {
            let eq = ctx.g.node("Equal", &[&an, &bn], &[], &format!("{hint}/eq"));
            ctx.emit("Not", &[&eq], &[], hint, shape, DType::Bool)
        }
        Bin::SqDiff => {
            let d = ctx.g.node("Sub", &[&an, &bn], &[], &format!("{hint}/diff"));
            ctx.emit("Mul", &[&d, &d], &[], hint, shape, dt)
        }
        Bin::FloorDiv if dt == DType::Int => {
            // Exact division after removing the floor remainder.
            let fmod = [("fmod", Attr::Int(0))];
            let m = ctx
                .g
                .node("Mod", &[&an, &bn], &fmod, &format!("{hint}/mod"));
            let s = ctx.g.node("Sub", &[&an, &m], &[], &format!("{hint}/sub"));
            ctx.emit("Div", &[&s, &bn], &[], hint, shape, dt)
        }
        Bin::FloorDiv => {
            let q = ctx.g.node("Div", &[&an, &bn], &[], &format!("{hint}/div"));
            ctx.emit("Floor", &[&q], &[], hint, shape, dt)
        }
        Bin::FloorMod if dt == DType::Int => ctx.emit(
            "Mod",
            &[&an, &bn],
            &[("fmod", Attr::Int(0))],
            hint,
            shape,
            dt,
        ),
        Bin::FloorMod => {
            // a - floor(a / b) * b: the sign follows the divisor, as in TF.
            let q = ctx.g.node("Div", &[&an, &bn], &[], &format!("{hint}/div"));
            let f = ctx.g.node("Floor", &[&q], &[], &format!("{hint}/floor"));
            let p = ctx.g.node("Mul", &[&f, &bn], &[], &format!("{hint}/mul"));
            ctx.emit("Sub", &[&an, &p], &[], hint, shape, dt)
        }
        _ => return Err(ctx.unsupported(node, "op", &node.op)),
    };
    Ok(v)
}

fn fold_binary(
    kind: Bin,
    a: &ConstTensor,
    b: &ConstTensor,
    shape: &[usize],
) -> Result<ConstTensor, String> {
    let data = match (&a.data, &b.data) {
        (Data::F32(x), Data::F32(y)) => {
            let xs = (a.shape.as_slice(), x.as_slice());
            let ys = (b.shape.as_slice(), y.as_slice());
            if kind.is_comparison() {
                Data::Bool(broadcast_binary(xs, ys, shape, |p, q| compare(kind, p, q)))
            } else {
                Data::F32(broadcast_binary(xs, ys, shape, |p, q| float_op(kind, p, q)))
            }
        }
        (Data::I64(x), Data::I64(y)) => {
            let xs = (a.shape.as_slice(), x.as_slice());
            let ys = (b.shape.as_slice(), y.as_slice());
            if kind.is_comparison() {
                Data::Bool(broadcast_binary(xs, ys, shape, |p, q| compare(kind, p, q)))
            } else {
                let r: Option<Vec<i64>> =
                    broadcast_binary(xs, ys, shape, |p, q| int_op(kind, p, q))
                        .into_iter()
                        .collect();
                Data::I64(r.ok_or("integer division by zero or overflow in a constant")?)
            }
        }
        (Data::Bool(x), Data::Bool(y)) => {
            let xs = (a.shape.as_slice(), x.as_slice());
            let ys = (b.shape.as_slice(), y.as_slice());
            let f = match kind {
                Bin::And => |p: bool, q: bool| p && q,
                Bin::Or => |p: bool, q: bool| p || q,
                Bin::Eq => |p: bool, q: bool| p == q,
                Bin::Ne => |p: bool, q: bool| p != q,
                _ => return Err(format!("{kind:?} is not defined on booleans")),
            };
            Data::Bool(broadcast_binary(xs, ys, shape, f))
        }
        _ => return Err("operands have different element types".to_string()),
    };
    Ok(ConstTensor {
        shape: shape.to_vec(),
        data,
    })
}

fn compare<T: PartialOrd>(kind: Bin, p: T, q: T) -> bool {
    match kind {
        Bin::Eq => p == q,
        Bin::Ne => p != q,
        Bin::Lt => p < q,
        Bin::Le => p <= q,
        Bin::Gt => p > q,
        _ => p >= q,
    }
}

fn float_op(kind: Bin, p: f32, q: f32) -> f32 {
    match kind {
        Bin::Add => p + q,
        Bin::Sub => p - q,
        Bin::Mul => p * q,
        Bin::Div => p / q,
        Bin::FloorDiv => (p / q).floor(),
        Bin::FloorMod => p - (p / q).floor() * q,
        Bin::Min => p.min(q),
        Bin::Max => p.max(q),
        Bin::Pow => p.powf(q),
        Bin::SqDiff => (p - q) * (p - q),
        _ => f32::NAN,
    }
}

fn int_op(kind: Bin, p: i64, q: i64) -> Option<i64> {
    match kind {
        Bin::Add => p.checked_add(q),
        Bin::Sub => p.checked_sub(q),
        Bin::Mul => p.checked_mul(q),
        Bin::Div => p.checked_div(q),
        Bin::FloorDiv => {
            let t = p.checked_div(q)?;
            let inexact = p % q != 0;
            Some(if inexact && ((p < 0) != (q < 0)) {
                t - 1
            } else {
                t
            })
        }
        Bin::FloorMod => {
            let r = p.checked_rem(q)?;
            Some(if r != 0 && ((r < 0) != (q < 0)) {
                r + q
            } else {
                r
            })
        }
        Bin::Min => Some(p.min(q)),
        Bin::Max => Some(p.max(q)),
        Bin::Pow => u32::try_from(q).ok().and_then(|e| p.checked_pow(e)),
        Bin::SqDiff => p.checked_sub(q).and_then(|d| d.checked_mul(d)),
        _ => None,
    }
}

/// `AddN`: the sum of all inputs.
pub(crate) fn add_n(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let mut acc = arg(ctx, node, inputs, 0)?.clone();
    for v in &inputs[1..] {
        acc = apply_binary(ctx, node, Bin::Add, &acc, v)?;
    }
    Ok(vec![acc])
}

/// True for the TF ops `unary` converts.
pub(crate) fn is_unary(op: &str) -> bool {
    matches!(
        op,
        "Neg"
            | "Abs"
            | "Sqrt"
            | "Rsqrt"
            | "Exp"
            | "Log"
            | "Log1p"
            | "Floor"
            | "Ceil"
            | "Round"
            | "Square"
            | "Reciprocal"
            | "Inv"
            | "Sigmoid"
            | "Tanh"
            | "Relu"
            | "Relu6"
            | "Elu"
            | "Selu"
            | "Softplus"
            | "Softsign"
            | "Sin"
            | "Cos"
            | "Tan"
            | "Asin"
            | "Acos"
            | "Atan"
            | "Sinh"
            | "Cosh"
            | "Erf"
            | "Sign"
            | "LogicalNot"
            | "LeakyRelu"
            | "Softmax"
            | "LogSoftmax"
            | "IsNan"
    )
}

/// Element-wise functions of one input (including activations).
pub(crate) fn unary(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    if let Some(c) = x.as_const() {
        if let Some(folded) = fold_unary(&node.op, c) {
            return Ok(vec![Val::constant(folded)]);
        }
    }
    let alpha = match node.op.as_str() {
        "LeakyRelu" => node.attr_f32("alpha").unwrap_or(0.2),
        _ => 0.0,
    };
    Ok(vec![activation(ctx, node, &node.op, x, alpha, None)?])
}

fn fold_unary(op: &str, c: &ConstTensor) -> Option<ConstTensor> {
    let data = match &c.data {
        Data::F32(v) => {
            let f: fn(f32) -> f32 = match op {
                "Neg" => |x| -x,
                "Abs" => f32::abs,
                "Sqrt" => f32::sqrt,
                "Rsqrt" => |x| 1.0 / x.sqrt(),
                "Exp" => f32::exp,
                "Log" => f32::ln,
                "Floor" => f32::floor,
                "Ceil" => f32::ceil,
                "Round" => f32::round_ties_even,
                "Square" => |x| x * x,
                "Reciprocal" | "Inv" => |x| 1.0 / x,
                "Relu" => |x| x.max(0.0),
                "Relu6" => |x| x.clamp(0.0, 6.0),
                "Sigmoid" => |x| 1.0 / (1.0 + (-x).exp()),
                "Tanh" => f32::tanh,
                _ => return None,
            };
            Data::F32(v.iter().map(|&x| f(x)).collect())
        }
        Data::I64(v) => {
            let f: fn(i64) -> i64 = match op {
                "Neg" => |x| x.wrapping_neg(),
                "Abs" => i64::wrapping_abs,
                "Square" => |x| x.wrapping_mul(x),
                "Sign" => i64::signum,
                "Relu" => |x| x.max(0),
                _ => return None,
            };
            Data::I64(v.iter().map(|&x| f(x)).collect())
        }
        Data::Bool(v) if op == "LogicalNot" => Data::Bool(v.iter().map(|&x| !x).collect()),
        Data::Bool(_) => return None,
    };
    Some(ConstTensor {
        shape: c.shape.clone(),
        data,
    })
}

/// ONNX op for a TF element-wise function that maps one-to-one.
fn simple_unary(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Neg" => "Neg",
        "Abs" => "Abs",
        "Sqrt" => "Sqrt",
        "Exp" => "Exp",
        "Log" => "Log",
        "Floor" => "Floor",
        "Ceil" => "Ceil",
        "Round" => "Round",
        "Reciprocal" | "Inv" => "Reciprocal",
        "Sigmoid" => "Sigmoid",
        "Tanh" => "Tanh",
        "Relu" => "Relu",
        "Elu" => "Elu",
        "Selu" => "Selu",
        "Softplus" => "Softplus",
        "Softsign" => "Softsign",
        "Sin" => "Sin",
        "Cos" => "Cos",
        "Tan" => "Tan",
        "Asin" => "Asin",
        "Acos" => "Acos",
        "Atan" => "Atan",
        "Sinh" => "Sinh",
        "Cosh" => "Cosh",
        "Erf" => "Erf",
        "Sign" => "Sign",
        "LogicalNot" => "Not",
        _ => return None,
    })
}

/// Applies the activation / element-wise function `kind` to `x`. `alpha` is
/// the LeakyRelu slope; `extra` the Prelu slope tensor.
pub(crate) fn activation(
    ctx: &mut Ctx,
    node: &Node,
    kind: &str,
    x: &Val,
    alpha: f32,
    extra: Option<&Val>,
) -> Result<Val, ImportError> {
    let hint = node.name.as_str();
    let xn = ctx.name_of(x, &format!("{hint}/x"));
    let shape = x.shape().to_vec();
    let dt = x.dtype();
    if let Some(op) = simple_unary(kind) {
        return Ok(ctx.emit(op, &[&xn], &[], hint, shape, dt));
    }
    let v = match kind {
        "IsNan" => ctx.emit("IsNaN", &[&xn], &[], hint, shape, DType::Bool),
        "Rsqrt" => {
            let s = ctx.g.node("Sqrt", &[&xn], &[], &format!("{hint}/sqrt"));
            ctx.emit("Reciprocal", &[&s], &[], hint, shape, dt)
        }
        "Square" => ctx.emit("Mul", &[&xn, &xn], &[], hint, shape, dt),
        "Log1p" => {
            let one = ctx.scalar(&format!("{hint}/one"), dt, 1.0);
            let s = ctx.g.node("Add", &[&xn, &one], &[], &format!("{hint}/add"));
            ctx.emit("Log", &[&s], &[], hint, shape, dt)
        }
        "Relu6" => {
            let lo = ctx.scalar(&format!("{hint}/min"), dt, 0.0);
            let hi = ctx.scalar(&format!("{hint}/max"), dt, 6.0);
            ctx.emit("Clip", &[&xn, &lo, &hi], &[], hint, shape, dt)
        }
        "LeakyRelu" => ctx.emit(
            "LeakyRelu",
            &[&xn],
            &[("alpha", Attr::Float(alpha))],
            hint,
            shape,
            dt,
        ),
        "Prelu" => {
            let slope = extra.ok_or_else(|| ctx.err(node, "Prelu needs a slope input"))?;
            let sn = ctx.name_of(slope, &format!("{hint}/alpha"));
            ctx.emit("PRelu", &[&xn, &sn], &[], hint, shape, dt)
        }
        "Softmax" | "LogSoftmax" => {
            ctx.emit(kind, &[&xn], &[("axis", Attr::Int(-1))], hint, shape, dt)
        }
        other => return Err(ctx.unsupported(node, "activation", other)),
    };
    Ok(v)
}

/// `Prelu(x, alpha)`.
pub(crate) fn prelu(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let a = arg(ctx, node, inputs, 1)?;
    Ok(vec![activation(ctx, node, "Prelu", x, 0.0, Some(a))?])
}

/// Reductions over constant axes: Mean, Sum, Max, Min, Prod, All, Any.
pub(crate) fn reduce(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let rank = x.rank();
    let mut axes = Vec::new();
    for a in const_ints(ctx, node, inputs, 1)? {
        let a = norm_axis(ctx, node, a, rank)?;
        if !axes.contains(&a) {
            axes.push(a);
        }
    }
    axes.sort_unstable();
    let keep = node
        .attr_bool("keep_dims")
        .or(node.attr_bool("keepdims"))
        .unwrap_or(false);
    if axes.is_empty() {
        return Ok(vec![x.clone()]);
    }
    let out_shape: Vec<usize> = (0..rank)
        .filter_map(|d| {
            if !axes.contains(&d) {
                Some(x.shape()[d])
            } else if keep {
                Some(1)
            } else {
                None
            }
        })
        .collect();
    if let Some(c) = x.as_const() {
        if c.len() > 0 {
            let folded = fold_reduce(&node.op, c, &axes).map_err(|e| ctx.err(node, e))?;
            return Ok(vec![Val::constant(folded.reshaped(out_shape))]);
        }
    }
    let hint = node.name.as_str();
    let axes_i: Vec<i64> = axes.iter().map(|&a| a as i64).collect();
    let keep_attr = ("keepdims", Attr::Int(keep as i64));
    let v = match node.op.as_str() {
        "Sum" => {
            let xn = ctx.name_of(x, hint);
            let an = ctx.ints(&format!("{hint}/axes"), &axes_i);
            ctx.emit(
                "ReduceSum",
                &[&xn, &an],
                &[keep_attr],
                hint,
                out_shape,
                x.dtype(),
            )
        }
        "Mean" | "Max" | "Min" | "Prod" => {
            let op = format!("Reduce{}", node.op);
            let xn = ctx.name_of(x, hint);
            let attrs = [("axes", Attr::Ints(axes_i)), keep_attr];
            ctx.emit(&op, &[&xn], &attrs, hint, out_shape, x.dtype())
        }
        "All" | "Any" => {
            let as_int = ctx.cast(x, DType::Int, &format!("{hint}/int"));
            let xn = ctx.name_of(&as_int, hint);
            let op = if node.op == "All" {
                "ReduceMin"
            } else {
                "ReduceMax"
            };
            let attrs = [("axes", Attr::Ints(axes_i)), keep_attr];
            let r = ctx.emit(op, &[&xn], &attrs, hint, out_shape, DType::Int);
            ctx.cast(&r, DType::Bool, hint)
        }
        other => return Err(ctx.unsupported(node, "op", other)),
    };
    Ok(vec![v])
}

fn fold_reduce(op: &str, c: &ConstTensor, axes: &[usize]) -> Result<ConstTensor, String> {
    let count: usize = axes.iter().map(|&a| c.shape[a]).product();
    let data = match (&c.data, op) {
        (Data::F32(v), "Sum") => Data::F32(nd_reduce(&c.shape, v, axes, |a, b| a + b)),
        (Data::F32(v), "Mean") => Data::F32(
            nd_reduce(&c.shape, v, axes, |a, b| a + b)
                .into_iter()
                .map(|s| s / count as f32)
                .collect(),
        ),
        (Data::F32(v), "Prod") => Data::F32(nd_reduce(&c.shape, v, axes, |a, b| a * b)),
        (Data::F32(v), "Max") => Data::F32(nd_reduce(&c.shape, v, axes, f32::max)),
        (Data::F32(v), "Min") => Data::F32(nd_reduce(&c.shape, v, axes, f32::min)),
        (Data::I64(v), "Sum") => Data::I64(nd_reduce(&c.shape, v, axes, i64::wrapping_add)),
        (Data::I64(v), "Mean") => Data::I64(
            nd_reduce(&c.shape, v, axes, i64::wrapping_add)
                .into_iter()
                .map(|s| s / count as i64)
                .collect(),
        ),
        (Data::I64(v), "Prod") => Data::I64(nd_reduce(&c.shape, v, axes, i64::wrapping_mul)),
        (Data::I64(v), "Max") => Data::I64(nd_reduce(&c.shape, v, axes, i64::max)),
        (Data::I64(v), "Min") => Data::I64(nd_reduce(&c.shape, v, axes, i64::min)),
        (Data::Bool(v), "All") => Data::Bool(nd_reduce(&c.shape, v, axes, |a, b| a && b)),
        (Data::Bool(v), "Any") => Data::Bool(nd_reduce(&c.shape, v, axes, |a, b| a || b)),
        _ => return Err(format!("{op} is not defined on {:?}", c.dtype())),
    };
    Ok(ConstTensor {
        shape: vec![],
        data,
    })
}

/// `ArgMax` / `ArgMin` over a constant axis (output is integer).
pub(crate) fn arg_reduce(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let axis = const_ints(ctx, node, inputs, 1)?;
    let axis = norm_axis(ctx, node, axis.first().copied().unwrap_or(0), x.rank())?;
    let mut shape = x.shape().to_vec();
    shape.remove(axis);
    let xn = ctx.name_of(x, &node.name);
    let attrs = [("axis", Attr::Int(axis as i64)), ("keepdims", Attr::Int(0))];
    Ok(vec![ctx.emit(
        &node.op,
        &[&xn],
        &attrs,
        &node.name,
        shape,
        DType::Int,
    )])
}

/// `Cast` to the `DstT` attribute's type.
pub(crate) fn cast(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let dst = node.attr_type("DstT").unwrap_or_default();
    let dtype =
        DType::from_tf(&dst).ok_or_else(|| ctx.unsupported(node, "cast target type", &dst))?;
    Ok(vec![ctx.cast(x, dtype, &node.name)])
}

/// `Select` / `SelectV2`: element-wise choice by a boolean condition.
pub(crate) fn select(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let mut cond = arg(ctx, node, inputs, 0)?.clone();
    let t = arg(ctx, node, inputs, 1)?;
    let e = arg(ctx, node, inputs, 2)?;
    if node.op == "Select" && cond.rank() == 1 && t.rank() > 1 {
        // TF Select with a vector condition picks whole rows.
        let mut shape = vec![cond.shape()[0]];
        shape.extend(std::iter::repeat_n(1, t.rank() - 1));
        cond = ctx.reshape(&cond, shape, &node.name);
    }
    let cond = ctx.cast(&cond, DType::Bool, &node.name);
    let shape = broadcast_shape(cond.shape(), t.shape())
        .and_then(|s| broadcast_shape(&s, e.shape()))
        .ok_or_else(|| ctx.err(node, "condition and branches do not broadcast"))?;
    let hint = node.name.as_str();
    let c = ctx.name_of(&cond, &format!("{hint}/cond"));
    let a = ctx.name_of(t, &format!("{hint}/t"));
    let b = ctx.name_of(e, &format!("{hint}/e"));
    Ok(vec![ctx.emit(
        "Where",
        &[&c, &a, &b],
        &[],
        hint,
        shape,
        t.dtype(),
    )])
}

/// `ClipByValue(x, lo, hi)` as max(min(x, hi), lo).
pub(crate) fn clip(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let lo = arg(ctx, node, inputs, 1)?;
    let hi = arg(ctx, node, inputs, 2)?;
    let m = apply_binary(ctx, node, Bin::Min, x, hi)?;
    Ok(vec![apply_binary(ctx, node, Bin::Max, &m, lo)?])
}

/// `TopKV2(x, k)`: the k largest values of the last axis (sorted) and their indices.
pub(crate) fn top_k(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let k = const_arg(ctx, node, inputs, 1)?.to_i64();
    let k = *k.first().ok_or_else(|| ctx.err(node, "k is empty"))?;
    let last = *x
        .shape()
        .last()
        .ok_or_else(|| ctx.err(node, "input is a scalar"))?;
    if k < 0 || k as usize > last {
        return Err(ctx.err(
            node,
            format!("k = {k} but the last axis has {last} entries"),
        ));
    }
    let mut shape = x.shape().to_vec();
    if let Some(l) = shape.last_mut() {
        *l = k as usize;
    }
    let hint = node.name.as_str();
    let xn = ctx.name_of(x, hint);
    let kn = ctx.ints(&format!("{hint}/k"), &[k]);
    let attrs = [
        ("axis", Attr::Int(-1)),
        ("largest", Attr::Int(1)),
        ("sorted", Attr::Int(1)),
    ];
    Ok(ctx.emit_n(
        "TopK",
        &[&xn, &kn],
        &attrs,
        hint,
        vec![(shape.clone(), x.dtype()), (shape, DType::Int)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_floor_division_and_modulo_follow_python_rules() {
        assert_eq!(int_op(Bin::FloorDiv, 7, 2), Some(3));
        assert_eq!(int_op(Bin::FloorDiv, -7, 2), Some(-4));
        assert_eq!(int_op(Bin::FloorDiv, 7, -2), Some(-4));
        assert_eq!(int_op(Bin::FloorDiv, -7, -2), Some(3));
        assert_eq!(int_op(Bin::FloorMod, -7, 2), Some(1));
        assert_eq!(int_op(Bin::FloorMod, 7, -2), Some(-1));
        assert_eq!(int_op(Bin::FloorMod, -7, -2), Some(-1));
        assert_eq!(int_op(Bin::Div, 1, 0), None);
        assert_eq!(float_op(Bin::FloorMod, -7.0, 2.0), 1.0);
    }

    #[test]
    fn reductions_fold() {
        let c = ConstTensor::i64(vec![2, 3], vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(
            fold_reduce("Prod", &c, &[0, 1]).unwrap().to_i64(),
            vec![720]
        );
        assert_eq!(fold_reduce("Sum", &c, &[1]).unwrap().to_i64(), vec![6, 15]);
        let f = ConstTensor::f32(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            fold_reduce("Mean", &f, &[0]).unwrap().to_f32(),
            vec![2.0, 3.0]
        );
    }
}
