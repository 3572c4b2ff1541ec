//! Shape and data-movement ops: Shape, Reshape, Squeeze, ExpandDims,
//! Transpose, Concat, Pack/Unpack, Split/SplitV, Pad, StridedSlice, Slice,
//! Gather, Tile, Fill, Range, SparseToDense… Constant inputs are folded.

use super::ctx::{all_const, arg, const_arg, const_ints, norm_axis, Ctx, Val};
use super::parse::Node;
use super::strided::{plan, Masks};
use super::tensor::{
    broadcast_shape, broadcast_to, concat as nd_concat, gather as nd_gather, map_data,
    pad as nd_pad, permute, slice as nd_slice, strides, AxisSlice, ConstTensor, DType, Data,
};
use crate::import::ImportError;
use seer_onnx::Attr;

/// Largest constant (in elements) produced by folding Fill/Range/etc.
const MAX_FOLD_ELEMENTS: usize = 1 << 24;

fn dims_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// `Shape`, `ShapeN`, `Size`, `Rank`: always known since shapes are static.
pub(crate) fn shape_of(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let v = match node.op.as_str() {
        "Shape" => ConstTensor::i64(vec![x.rank()], dims_i64(x.shape())),
        "ShapeN" => {
            return Ok(inputs
                .iter()
                .map(|v| Val::constant(ConstTensor::i64(vec![v.rank()], dims_i64(v.shape()))))
                .collect())
        }
        "Size" => ConstTensor::i64(vec![], vec![x.shape().iter().product::<usize>() as i64]),
        _ => ConstTensor::i64(vec![], vec![x.rank() as i64]),
    };
    Ok(vec![Val::constant(v)])
}

/// `ZerosLike` / `OnesLike`.
pub(crate) fn fill_like(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let value = if node.op == "OnesLike" { 1.0 } else { 0.0 };
    let shape = x.shape().to_vec();
    let n: usize = shape.iter().product();
    let t = ConstTensor::f32(shape, vec![value; n]).cast(x.dtype());
    Ok(vec![Val::constant(t)])
}

/// `Reshape(x, shape)` with at most one -1 in `shape`.
pub(crate) fn reshape(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let target = const_ints(ctx, node, inputs, 1)?;
    let total: usize = x.shape().iter().product();
    let known: i64 = target.iter().filter(|&&d| d >= 0).product();
    let unknown = target.iter().filter(|&&d| d < 0).count();
    let shape: Option<Vec<usize>> = match unknown {
        0 => Some(target.iter().map(|&d| d as usize).collect()),
        1 if known > 0 && total as i64 % known == 0 => Some(
            target
                .iter()
                .map(|&d| {
                    if d < 0 {
                        (total as i64 / known) as usize
                    } else {
                        d as usize
                    }
                })
                .collect(),
        ),
        _ => None,
    };
    match shape {
        Some(s) if s.iter().product::<usize>() == total => Ok(vec![ctx.reshape(x, s, &node.name)]),
        _ => Err(ctx.err(
            node,
            format!("cannot reshape {:?} to {target:?}", x.shape()),
        )),
    }
}

/// `Squeeze` (attribute `squeeze_dims`; empty = every size-1 axis).
pub(crate) fn squeeze(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let dims = node
        .attr_ints("squeeze_dims")
        .or_else(|| node.attr_ints("axis"))
        .unwrap_or_default();
    let mut drop = Vec::new();
    for d in dims {
        let a = norm_axis(ctx, node, d, x.rank())?;
        if x.shape()[a] != 1 {
            return Err(ctx.err(
                node,
                format!("cannot squeeze axis {a} of size {}", x.shape()[a]),
            ));
        }
        drop.push(a);
    }
    let shape: Vec<usize> = x
        .shape()
        .iter()
        .enumerate()
        .filter(|(i, &d)| {
            if drop.is_empty() {
                d != 1
            } else {
                !drop.contains(i)
            }
        })
        .map(|(_, &d)| d)
        .collect();
    Ok(vec![ctx.reshape(x, shape, &node.name)])
}

/// `ExpandDims(x, axis)`.
pub(crate) fn expand_dims(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let axis = const_ints(ctx, node, inputs, 1)?;
    let axis = *axis.first().ok_or_else(|| ctx.err(node, "axis is empty"))?;
    let a = norm_axis(ctx, node, axis, x.rank() + 1)?;
    let mut shape = x.shape().to_vec();
    shape.insert(a, 1);
    Ok(vec![ctx.reshape(x, shape, &node.name)])
}

/// `Transpose(x, perm)`.
pub(crate) fn transpose(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let perm = const_ints(ctx, node, inputs, 1)?;
    let mut p = Vec::with_capacity(perm.len());
    for v in perm {
        p.push(norm_axis(ctx, node, v, x.rank())?);
    }
    let mut sorted = p.clone();
    sorted.sort_unstable();
    if sorted != (0..x.rank()).collect::<Vec<_>>() {
        return Err(ctx.err(
            node,
            format!("{p:?} is not a permutation of rank {}", x.rank()),
        ));
    }
    if let Some(c) = x.as_const() {
        let shape = p.iter().map(|&i| c.shape[i]).collect();
        let data = map_data!(&c.data, v => permute(&c.shape, v, &p));
        return Ok(vec![Val::constant(ConstTensor { shape, data })]);
    }
    if p.iter().enumerate().all(|(i, &a)| i == a) {
        return Ok(vec![x.clone()]);
    }
    Ok(vec![ctx.transpose(x, &p, &node.name)])
}

fn concat_consts(consts: &[ConstTensor], axis: usize, dtype: DType) -> Data {
    fn parts<'a, T>(
        consts: &'a [ConstTensor],
        pick: impl Fn(&'a Data) -> Option<&'a [T]>,
    ) -> Vec<(&'a [usize], &'a [T])> {
        consts
            .iter()
            .filter_map(|c| pick(&c.data).map(|d| (c.shape.as_slice(), d)))
            .collect()
    }
    match dtype {
        DType::Float => Data::F32(nd_concat(
            &parts(consts, |d| {
                if let Data::F32(v) = d {
                    Some(v.as_slice())
                } else {
                    None
                }
            }),
            axis,
        )),
        DType::Int => Data::I64(nd_concat(
            &parts(consts, |d| {
                if let Data::I64(v) = d {
                    Some(v.as_slice())
                } else {
                    None
                }
            }),
            axis,
        )),
        DType::Bool => Data::Bool(nd_concat(
            &parts(consts, |d| {
                if let Data::Bool(v) = d {
                    Some(v.as_slice())
                } else {
                    None
                }
            }),
            axis,
        )),
    }
}

/// Concatenates values along `axis` (folding when all are constant).
pub(crate) fn concat_values(
    ctx: &mut Ctx,
    node: &Node,
    values: &[Val],
    axis: usize,
) -> Result<Val, ImportError> {
    let first = values
        .first()
        .ok_or_else(|| ctx.err(node, "nothing to concatenate"))?;
    let mut shape = first.shape().to_vec();
    shape[axis] = values
        .iter()
        .map(|v| v.shape().get(axis).copied().unwrap_or(0))
        .sum();
    for v in values {
        let mut s = v.shape().to_vec();
        if s.len() != shape.len() {
            return Err(ctx.err(node, "inputs have different ranks"));
        }
        s[axis] = shape[axis];
        if s != shape {
            let all: Vec<Vec<usize>> = values.iter().map(|v| v.shape().to_vec()).collect();
            return Err(ctx.err(
                node,
                format!("cannot concatenate shapes {all:?} on axis {axis}"),
            ));
        }
    }
    if values.len() == 1 {
        return Ok(first.clone());
    }
    let dtype = first.dtype();
    if all_const(values) {
        let consts: Vec<ConstTensor> = values
            .iter()
            .filter_map(|v| v.as_const().map(|c| c.cast(dtype)))
            .collect();
        let data = concat_consts(&consts, axis, dtype);
        return Ok(Val::constant(ConstTensor { shape, data }));
    }
    let mut names = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let v = ctx.cast(v, dtype, &node.name);
        names.push(ctx.name_of(&v, &format!("{}/in{i}", node.name)));
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(ctx.emit(
        "Concat",
        &refs,
        &[("axis", Attr::Int(axis as i64))],
        &node.name,
        shape,
        dtype,
    ))
}

/// `ConcatV2(x…, axis)` and `Concat(axis, x…)`.
pub(crate) fn concat(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    if inputs.len() < 2 {
        return Err(ctx.err(node, "needs at least one value and an axis"));
    }
    let (axis_i, values) = if node.op == "Concat" {
        (0, &inputs[1..])
    } else {
        (inputs.len() - 1, &inputs[..inputs.len() - 1])
    };
    let axis = const_ints(ctx, node, inputs, axis_i)?;
    let axis = *axis.first().ok_or_else(|| ctx.err(node, "axis is empty"))?;
    let axis = norm_axis(ctx, node, axis, values[0].rank())?;
    Ok(vec![concat_values(ctx, node, values, axis)?])
}

/// `Pack`: stacks equally shaped values along a new axis.
pub(crate) fn pack(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let first = arg(ctx, node, inputs, 0)?;
    let axis = norm_axis(
        ctx,
        node,
        node.attr_i64("axis").unwrap_or(0),
        first.rank() + 1,
    )?;
    let mut expanded = Vec::with_capacity(inputs.len());
    for v in inputs {
        let mut shape = v.shape().to_vec();
        shape.insert(axis, 1);
        expanded.push(ctx.reshape(v, shape, &node.name));
    }
    Ok(vec![concat_values(ctx, node, &expanded, axis)?])
}

/// Splits `x` along `axis` into pieces of the given sizes.
fn split_sizes(
    ctx: &mut Ctx,
    node: &Node,
    x: &Val,
    axis: usize,
    sizes: &[usize],
) -> Result<Vec<Val>, ImportError> {
    if sizes.iter().sum::<usize>() != x.shape()[axis] {
        return Err(ctx.err(
            node,
            format!("split sizes {sizes:?} do not add up to {}", x.shape()[axis]),
        ));
    }
    let shapes: Vec<Vec<usize>> = sizes
        .iter()
        .map(|&s| {
            let mut shape = x.shape().to_vec();
            shape[axis] = s;
            shape
        })
        .collect();
    if let Some(c) = x.as_const() {
        let mut start = 0;
        let mut out = Vec::new();
        for shape in shapes {
            let axes: Vec<AxisSlice> = c
                .shape
                .iter()
                .enumerate()
                .map(|(d, &n)| AxisSlice {
                    begin: if d == axis { start as i64 } else { 0 },
                    step: 1,
                    len: if d == axis { shape[axis] } else { n },
                })
                .collect();
            start += shape[axis];
            let data = map_data!(&c.data, v => nd_slice(&c.shape, v, &axes));
            out.push(Val::constant(ConstTensor { shape, data }));
        }
        return Ok(out);
    }
    if sizes.len() == 1 {
        return Ok(vec![x.clone()]);
    }
    let hint = node.name.as_str();
    let xn = ctx.name_of(x, hint);
    let sn = ctx.ints(&format!("{hint}/split"), &dims_i64(sizes));
    let dtype = x.dtype();
    Ok(ctx.emit_n(
        "Split",
        &[&xn, &sn],
        &[("axis", Attr::Int(axis as i64))],
        hint,
        shapes.into_iter().map(|s| (s, dtype)).collect(),
    ))
}

/// `Split(axis, x)` (equal parts) and `SplitV(x, sizes, axis)`.
pub(crate) fn split(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    if node.op == "Split" {
        let x = arg(ctx, node, inputs, 1)?;
        let axis = const_ints(ctx, node, inputs, 0)?;
        let axis = norm_axis(ctx, node, axis.first().copied().unwrap_or(0), x.rank())?;
        let n = node.attr_i64("num_split").unwrap_or(1).max(1) as usize;
        if x.shape()[axis] % n != 0 {
            return Err(ctx.err(
                node,
                format!("axis size {} is not divisible by {n}", x.shape()[axis]),
            ));
        }
        let sizes = vec![x.shape()[axis] / n; n];
        return split_sizes(ctx, node, x, axis, &sizes);
    }
    let x = arg(ctx, node, inputs, 0)?;
    let axis = const_ints(ctx, node, inputs, 2)?;
    let axis = norm_axis(ctx, node, axis.first().copied().unwrap_or(0), x.rank())?;
    let raw = const_ints(ctx, node, inputs, 1)?;
    let known: i64 = raw.iter().filter(|&&s| s >= 0).sum();
    let rest = x.shape()[axis] as i64 - known;
    if rest < 0 || raw.iter().filter(|&&s| s < 0).count() > 1 {
        return Err(ctx.err(
            node,
            format!(
                "invalid split sizes {raw:?} for axis size {}",
                x.shape()[axis]
            ),
        ));
    }
    let sizes: Vec<usize> = raw
        .iter()
        .map(|&s| if s < 0 { rest as usize } else { s as usize })
        .collect();
    split_sizes(ctx, node, x, axis, &sizes)
}

/// `Unpack`: splits along `axis` into size-1 pieces and drops the axis.
pub(crate) fn unpack(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let axis = norm_axis(ctx, node, node.attr_i64("axis").unwrap_or(0), x.rank())?;
    let n = x.shape()[axis];
    let parts = split_sizes(ctx, node, x, axis, &vec![1; n])?;
    let mut shape = x.shape().to_vec();
    shape.remove(axis);
    Ok(parts
        .iter()
        .map(|p| ctx.reshape(p, shape.clone(), &node.name))
        .collect())
}

/// `Pad`, `PadV2`, `MirrorPad` with constant paddings `[rank, 2]`.
pub(crate) fn pad(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let p = const_ints(ctx, node, inputs, 1)?;
    let rank = x.rank();
    if p.len() != rank * 2 || p.iter().any(|&v| v < 0) {
        return Err(ctx.err(node, format!("paddings {p:?} do not fit rank {rank}")));
    }
    let pairs: Vec<(usize, usize)> = p
        .chunks(2)
        .map(|c| (c[0] as usize, c[1] as usize))
        .collect();
    let shape: Vec<usize> = x
        .shape()
        .iter()
        .zip(&pairs)
        .map(|(d, (b, a))| d + b + a)
        .collect();
    let mode = match node.op.as_str() {
        "MirrorPad" => match node.attr_str("mode").as_deref() {
            Some("REFLECT") => "reflect",
            other => return Err(ctx.unsupported(node, "MirrorPad mode", other.unwrap_or(""))),
        },
        _ => "constant",
    };
    let value = if node.op == "PadV2" {
        Some(const_arg(ctx, node, inputs, 2)?.cast(x.dtype()))
    } else {
        None
    };
    if let (Some(c), "constant") = (x.as_const(), mode) {
        let v = value
            .clone()
            .unwrap_or_else(|| ConstTensor::f32(vec![], vec![0.0]).cast(c.dtype()));
        let data = match (&c.data, &v.data) {
            (Data::F32(d), Data::F32(f)) if !f.is_empty() => {
                Data::F32(nd_pad(&c.shape, d, &pairs, f[0]))
            }
            (Data::I64(d), Data::I64(f)) if !f.is_empty() => {
                Data::I64(nd_pad(&c.shape, d, &pairs, f[0]))
            }
            (Data::Bool(d), Data::Bool(f)) if !f.is_empty() => {
                Data::Bool(nd_pad(&c.shape, d, &pairs, f[0]))
            }
            _ => return Err(ctx.err(node, "padding value is empty")),
        };
        return Ok(vec![Val::constant(ConstTensor { shape, data })]);
    }
    let hint = node.name.as_str();
    let xn = ctx.name_of(x, hint);
    let mut pads: Vec<i64> = pairs.iter().map(|(b, _)| *b as i64).collect();
    pads.extend(pairs.iter().map(|(_, a)| *a as i64));
    let pn = ctx.ints(&format!("{hint}/pads"), &pads);
    let mut ins = vec![xn, pn];
    if let Some(v) = value {
        if v.len() != 1 {
            return Err(ctx.err(node, "constant_values must be a single value"));
        }
        ins.push(
            ctx.g
                .const_tensor(&format!("{hint}/value"), v.reshaped(vec![]).to_proto("")),
        );
    }
    let refs: Vec<&str> = ins.iter().map(String::as_str).collect();
    let attrs = [("mode", Attr::Str(mode.into()))];
    Ok(vec![ctx.emit("Pad", &refs, &attrs, hint, shape, x.dtype())])
}

/// Applies windows (one per axis) then reshapes to `out_shape`.
fn apply_slice(
    ctx: &mut Ctx,
    node: &Node,
    x: &Val,
    axes: &[AxisSlice],
    out_shape: Vec<usize>,
) -> Val {
    let sliced_shape: Vec<usize> = axes.iter().map(|a| a.len).collect();
    if let Some(c) = x.as_const() {
        let data = map_data!(&c.data, v => nd_slice(&c.shape, v, axes));
        return Val::constant(ConstTensor {
            shape: out_shape,
            data,
        });
    }
    let hint = node.name.as_str();
    let (mut starts, mut ends, mut which, mut steps) = (vec![], vec![], vec![], vec![]);
    for (d, a) in axes.iter().enumerate() {
        if a.step == 1 && a.begin == 0 && a.len == x.shape()[d] {
            continue;
        }
        let end = a.begin + a.step * a.len as i64;
        starts.push(a.begin);
        // A negative end only occurs with a negative step: "before index 0".
        ends.push(if end < 0 { i64::MIN } else { end });
        which.push(d as i64);
        steps.push(a.step);
    }
    let sliced = if which.is_empty() {
        x.clone()
    } else {
        let xn = ctx.name_of(x, hint);
        let s = ctx.ints(&format!("{hint}/starts"), &starts);
        let e = ctx.ints(&format!("{hint}/ends"), &ends);
        let a = ctx.ints(&format!("{hint}/axes"), &which);
        let st = ctx.ints(&format!("{hint}/steps"), &steps);
        ctx.emit(
            "Slice",
            &[&xn, &s, &e, &a, &st],
            &[],
            hint,
            sliced_shape,
            x.dtype(),
        )
    };
    ctx.reshape(&sliced, out_shape, hint)
}

/// `StridedSlice(x, begin, end, strides)` with all TF masks.
pub(crate) fn strided_slice(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let begin = const_ints(ctx, node, inputs, 1)?;
    let end = const_ints(ctx, node, inputs, 2)?;
    let steps = match inputs.get(3) {
        Some(_) => const_ints(ctx, node, inputs, 3)?,
        None => vec![1; begin.len()],
    };
    let m = Masks {
        begin: node.attr_i64("begin_mask").unwrap_or(0),
        end: node.attr_i64("end_mask").unwrap_or(0),
        ellipsis: node.attr_i64("ellipsis_mask").unwrap_or(0),
        new_axis: node.attr_i64("new_axis_mask").unwrap_or(0),
        shrink: node.attr_i64("shrink_axis_mask").unwrap_or(0),
    };
    let p = plan(x.shape(), &begin, &end, &steps, m).map_err(|e| ctx.err(node, e))?;
    Ok(vec![apply_slice(ctx, node, x, &p.axes, p.out_shape)])
}

/// `Slice(x, begin, size)` (size -1 = to the end).
pub(crate) fn slice(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let begin = const_ints(ctx, node, inputs, 1)?;
    let size = const_ints(ctx, node, inputs, 2)?;
    if begin.len() != x.rank() || size.len() != x.rank() {
        return Err(ctx.err(node, "begin/size do not match the input rank"));
    }
    let mut axes = Vec::new();
    for (d, &n) in x.shape().iter().enumerate() {
        let b = begin[d];
        let len = if size[d] < 0 { n as i64 - b } else { size[d] };
        if b < 0 || len < 0 || b + len > n as i64 {
            return Err(ctx.err(
                node,
                format!("slice {b}+{len} is out of range for size {n}"),
            ));
        }
        axes.push(AxisSlice {
            begin: b,
            step: 1,
            len: len as usize,
        });
    }
    let shape = axes.iter().map(|a| a.len).collect();
    Ok(vec![apply_slice(ctx, node, x, &axes, shape)])
}

/// `GatherV2(params, indices, axis)` (batch_dims 0) and `Gather(params, indices)`.
pub(crate) fn gather(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let params = arg(ctx, node, inputs, 0)?;
    let indices = arg(ctx, node, inputs, 1)?;
    let axis = if node.op == "GatherV2" {
        const_ints(ctx, node, inputs, 2)?
            .first()
            .copied()
            .unwrap_or(0)
    } else {
        0
    };
    if node.attr_i64("batch_dims").unwrap_or(0) != 0 {
        return Err(ctx.unsupported(node, "GatherV2 with batch_dims", &node.op));
    }
    let axis = norm_axis(ctx, node, axis, params.rank())?;
    let mut shape = params.shape()[..axis].to_vec();
    shape.extend_from_slice(indices.shape());
    shape.extend_from_slice(&params.shape()[axis + 1..]);
    if let (Some(p), Some(i)) = (params.as_const(), indices.as_const()) {
        let n = p.shape[axis] as i64;
        let mut idx = Vec::new();
        for v in i.to_i64() {
            let j = if v < 0 { v + n } else { v };
            if j < 0 || j >= n {
                return Err(ctx.err(node, format!("index {v} is out of range for size {n}")));
            }
            idx.push(j as usize);
        }
        let data = map_data!(&p.data, v => nd_gather(&p.shape, v, axis, &idx));
        return Ok(vec![Val::constant(ConstTensor { shape, data })]);
    }
    let hint = node.name.as_str();
    let pn = ctx.name_of(params, &format!("{hint}/params"));
    let ic = ctx.cast(indices, DType::Int, hint);
    let iname = ctx.name_of(&ic, &format!("{hint}/indices"));
    let attrs = [("axis", Attr::Int(axis as i64))];
    Ok(vec![ctx.emit(
        "Gather",
        &[&pn, &iname],
        &attrs,
        hint,
        shape,
        params.dtype(),
    )])
}

/// `Tile(x, multiples)`.
pub(crate) fn tile(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let reps = const_ints(ctx, node, inputs, 1)?;
    if reps.len() != x.rank() || reps.iter().any(|&r| r < 0) {
        return Err(ctx.err(
            node,
            format!("multiples {reps:?} do not fit rank {}", x.rank()),
        ));
    }
    let shape: Vec<usize> = x
        .shape()
        .iter()
        .zip(&reps)
        .map(|(&d, &r)| d * r as usize)
        .collect();
    let hint = node.name.as_str();
    let xn = ctx.name_of(x, hint);
    let rn = ctx.ints(&format!("{hint}/repeats"), &reps);
    Ok(vec![ctx.emit(
        "Tile",
        &[&xn, &rn],
        &[],
        hint,
        shape,
        x.dtype(),
    )])
}

/// `Fill(dims, value)` and `BroadcastTo(x, shape)`.
pub(crate) fn fill(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let (dims_i, value_i) = if node.op == "Fill" { (0, 1) } else { (1, 0) };
    let dims = const_ints(ctx, node, inputs, dims_i)?;
    let value = arg(ctx, node, inputs, value_i)?;
    if dims.iter().any(|&d| d < 0) {
        return Err(ctx.err(node, format!("negative size in {dims:?}")));
    }
    let target: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
    let shape = broadcast_shape(value.shape(), &target).ok_or_else(|| {
        ctx.err(
            node,
            format!("{:?} does not broadcast to {target:?}", value.shape()),
        )
    })?;
    let total: usize = shape.iter().product();
    if let Some(c) = value.as_const() {
        if total <= MAX_FOLD_ELEMENTS {
            let data = map_data!(&c.data, v => broadcast_to(&c.shape, v, &shape));
            return Ok(vec![Val::constant(ConstTensor { shape, data })]);
        }
    }
    let hint = node.name.as_str();
    let vn = ctx.name_of(value, hint);
    let sn = ctx.ints(&format!("{hint}/shape"), &dims_i64(&shape));
    Ok(vec![ctx.emit(
        "Expand",
        &[&vn, &sn],
        &[],
        hint,
        shape,
        value.dtype(),
    )])
}

/// `Range(start, limit, delta)` with constant arguments.
pub(crate) fn range(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let start = const_arg(ctx, node, inputs, 0)?;
    let limit = const_arg(ctx, node, inputs, 1)?;
    let delta = const_arg(ctx, node, inputs, 2)?;
    let is_float = [start, limit, delta]
        .iter()
        .any(|c| c.dtype() == DType::Float);
    let first =
        |c: &ConstTensor, default: f32| c.to_f32().first().copied().unwrap_or(default) as f64;
    let (s, l, d) = (first(start, 0.0), first(limit, 0.0), first(delta, 1.0));
    if d == 0.0 {
        return Err(ctx.err(node, "delta is 0"));
    }
    let n = ((l - s) / d).ceil().max(0.0) as usize;
    if n > MAX_FOLD_ELEMENTS {
        return Err(ctx.err(node, format!("range of {n} elements is too large")));
    }
    let t = if is_float {
        ConstTensor::f32(vec![n], (0..n).map(|i| (s + i as f64 * d) as f32).collect())
    } else {
        let (s, d) = (s as i64, d as i64);
        ConstTensor::i64(vec![n], (0..n).map(|i| s + i as i64 * d).collect())
    };
    Ok(vec![Val::constant(t)])
}

/// `SparseToDense(indices, output_shape, values, default)`, all constant.
pub(crate) fn sparse_to_dense(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let indices = const_arg(ctx, node, inputs, 0)?;
    let out_shape: Vec<usize> = const_ints(ctx, node, inputs, 1)?
        .iter()
        .map(|&d| d.max(0) as usize)
        .collect();
    let values = const_arg(ctx, node, inputs, 2)?;
    let default = const_arg(ctx, node, inputs, 3)?.cast(values.dtype());
    let total: usize = out_shape.iter().product();
    if total > MAX_FOLD_ELEMENTS {
        return Err(ctx.err(node, "output is too large to build at import time"));
    }
    let rank = out_shape.len();
    let idx = indices.to_i64();
    let (count, per) = if indices.shape.len() <= 1 {
        (idx.len(), 1)
    } else {
        (indices.shape[0], indices.shape[1])
    };
    if per != rank || count * per != idx.len() {
        return Err(ctx.err(node, "indices do not match the output rank"));
    }
    let out_strides = strides(&out_shape);
    let mut flat = Vec::with_capacity(count);
    for i in 0..count {
        let mut pos = 0usize;
        for d in 0..rank {
            let v = idx[i * per + d];
            if v < 0 || v as usize >= out_shape[d] {
                return Err(ctx.err(
                    node,
                    format!("index {v} is out of range for size {}", out_shape[d]),
                ));
            }
            pos += v as usize * out_strides[d];
        }
        flat.push(pos);
    }
    let single = values.len() == 1;
    let data = match (&values.data, &default.data) {
        (Data::F32(v), Data::F32(f)) => Data::F32(scatter(total, f, &flat, v, single)),
        (Data::I64(v), Data::I64(f)) => Data::I64(scatter(total, f, &flat, v, single)),
        (Data::Bool(v), Data::Bool(f)) => Data::Bool(scatter(total, f, &flat, v, single)),
        _ => return Err(ctx.err(node, "values and default have different types")),
    };
    Ok(vec![Val::constant(ConstTensor {
        shape: out_shape,
        data,
    })])
}

/// A dense vector of `total` copies of `fill[0]` with `values` written at `at`
/// (`single`: one value for every position).
fn scatter<T: Copy>(total: usize, fill: &[T], at: &[usize], values: &[T], single: bool) -> Vec<T> {
    let Some(&f) = fill.first() else {
        return Vec::new();
    };
    let mut out = vec![f; total];
    for (i, &p) in at.iter().enumerate() {
        if let Some(&v) = values.get(if single { 0 } else { i }) {
            out[p] = v;
        }
    }
    out
}
