//! Spatial and dense layers: (fused) convolutions, depthwise convolutions,
//! transposed convolution, matrix products, pooling, resizing,
//! depth↔space and batch normalisation.
//!
//! Tensors stay NHWC; every spatial ONNX op (which is NCHW) is wrapped in
//! `Transpose` NHWC→NCHW … NCHW→NHWC. TF 'SAME' padding is written as
//! explicit pads computed from the static input size (the extra pixel goes
//! bottom/right, as in TF).

use super::ctx::{arg, const_arg, const_ints, Ctx, Val};
use super::math::{activation, apply_binary, Bin};
use super::parse::Node;
use super::tensor::{broadcast_shape, map_data, permute, ConstTensor, DType, Data};
use crate::import::ImportError;
use seer_onnx::Attr;

const TO_NCHW: [usize; 4] = [0, 3, 1, 2];
const TO_NHWC: [usize; 4] = [0, 2, 3, 1];

/// TF 'SAME' padding for one axis: (before, after) for `input` size,
/// `kernel`, `stride` and `dilation` (all in pixels).
pub(crate) fn same_pads(
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
) -> (usize, usize) {
    let out = input.div_ceil(stride);
    let eff = (kernel - 1) * dilation + 1;
    let total = (out.saturating_sub(1) * stride + eff).saturating_sub(input);
    (total / 2, total - total / 2)
}

/// Output size of a window op over `input` with explicit pads.
fn window_out(
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    pads: (usize, usize),
) -> Option<usize> {
    let eff = (kernel - 1) * dilation + 1;
    (input + pads.0 + pads.1)
        .checked_sub(eff)
        .map(|r| r / stride + 1)
}

/// Stride and dilation (height, width) of a spatial node; rejects NCHW.
fn spatial_attrs(ctx: &Ctx, node: &Node) -> Result<([usize; 2], [usize; 2]), ImportError> {
    if let Some(f) = node.attr_str("data_format") {
        if f != "NHWC" && !f.is_empty() {
            return Err(ctx.unsupported(node, "data format", &f));
        }
    }
    let four = |key: &str| -> Result<[usize; 2], ImportError> {
        let v = node.attr_ints(key).unwrap_or_default();
        match v.as_slice() {
            [] => Ok([1, 1]),
            [_, h, w, _] if *h > 0 && *w > 0 => Ok([*h as usize, *w as usize]),
            _ => Err(ctx.err(node, format!("attribute {key} = {v:?} is not [1, h, w, 1]"))),
        }
    };
    Ok((four("strides")?, four("dilations")?))
}

/// Pads `[top, left, bottom, right]` and output size for a window of `kernel`.
fn padding(
    ctx: &Ctx,
    node: &Node,
    in_hw: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    dilation: [usize; 2],
) -> Result<([usize; 4], [usize; 2]), ImportError> {
    if kernel.contains(&0) {
        return Err(ctx.err(node, format!("kernel size {kernel:?} is empty")));
    }
    let mode = node.attr_str("padding").unwrap_or_else(|| "VALID".into());
    let mut pads = [(0usize, 0usize); 2];
    match mode.as_str() {
        "SAME" => {
            for i in 0..2 {
                pads[i] = same_pads(in_hw[i], kernel[i], stride[i], dilation[i]);
            }
        }
        "VALID" => {}
        "EXPLICIT" => {
            let e = node.attr_ints("explicit_paddings").unwrap_or_default();
            if e.len() != 8 || e.iter().any(|&p| p < 0) {
                return Err(ctx.err(node, format!("explicit_paddings {e:?} is not 8 values")));
            }
            pads = [
                (e[2] as usize, e[3] as usize),
                (e[4] as usize, e[5] as usize),
            ];
        }
        other => return Err(ctx.unsupported(node, "padding", other)),
    }
    let mut out = [0; 2];
    for i in 0..2 {
        out[i] =
            window_out(in_hw[i], kernel[i], stride[i], dilation[i], pads[i]).ok_or_else(|| {
                ctx.err(
                    node,
                    format!("window {} does not fit input size {}", kernel[i], in_hw[i]),
                )
            })?;
    }
    Ok(([pads[0].0, pads[1].0, pads[0].1, pads[1].1], out))
}

fn nhwc(ctx: &Ctx, node: &Node, x: &Val) -> Result<[usize; 4], ImportError> {
    match x.shape() {
        [n, h, w, c] if x.dtype() == DType::Float && !x.shape().contains(&0) => {
            Ok([*n, *h, *w, *c])
        }
        s => Err(ctx.err(
            node,
            format!("expects a non-empty float NHWC tensor, got shape {s:?}"),
        )),
    }
}

fn ints(v: &[usize]) -> Vec<i64> {
    v.iter().map(|&x| x as i64).collect()
}

/// What a fused node applies after its convolution / product.
enum Post {
    /// Element-wise addition of a tensor (broadcast).
    Add(Val),
    /// Activation with LeakyRelu slope and optional Prelu slope tensor.
    Act(String, f32, Option<Val>),
}

/// The fused tail of `_FusedConv2D`, `FusedDepthwiseConv2dNative`,
/// `_FusedMatMul`: per-channel scale/bias folded into the weights, then
/// run-time ops.
#[derive(Default)]
struct Fused {
    scale: Option<Vec<f32>>,
    bias: Option<Vec<f32>>,
    post: Vec<Post>,
}

fn channel_vec(
    ctx: &Ctx,
    node: &Node,
    v: &Val,
    channels: usize,
    what: &str,
) -> Result<Vec<f32>, ImportError> {
    let c = v
        .as_const()
        .ok_or_else(|| ctx.err(node, format!("{what} must be constant")))?;
    let data = c.to_f32();
    match data.len() {
        n if n == channels => Ok(data),
        1 => Ok(vec![data[0]; channels]),
        n => Err(ctx.err(
            node,
            format!("{what} has {n} values for {channels} channels"),
        )),
    }
}

fn parse_fused(
    ctx: &Ctx,
    node: &Node,
    inputs: &[Val],
    first: usize,
    channels: usize,
) -> Result<Fused, ImportError> {
    let ops = node.attr_strs("fused_ops").unwrap_or_default();
    let mut args = inputs.iter().skip(first);
    let mut next = |what: &str| {
        args.next()
            .cloned()
            .ok_or_else(|| ctx.err(node, format!("fused {what} has no argument")))
    };
    let mut f = Fused::default();
    for op in &ops {
        match op.as_str() {
            "BiasAdd" => {
                let b = next("BiasAdd")?;
                if f.post.is_empty() && b.as_const().is_some() {
                    let b = channel_vec(ctx, node, &b, channels, "bias")?;
                    let old = f.bias.take().unwrap_or_else(|| vec![0.0; channels]);
                    f.bias = Some(old.iter().zip(&b).map(|(x, y)| x + y).collect());
                } else {
                    f.post.push(Post::Add(b));
                }
            }
            "FusedBatchNorm" => {
                let mut vecs = Vec::new();
                for what in ["scale", "offset", "mean", "variance"] {
                    let v = next("FusedBatchNorm")?;
                    vecs.push(channel_vec(
                        ctx,
                        node,
                        &v,
                        channels,
                        &format!("batch-norm {what}"),
                    )?);
                }
                if !f.post.is_empty() {
                    return Err(ctx.unsupported(
                        node,
                        "fused op order",
                        "FusedBatchNorm after activation",
                    ));
                }
                let (scale, offset, mean, var) = (&vecs[0], &vecs[1], &vecs[2], &vecs[3]);
                let eps = node.attr_f32("epsilon").unwrap_or(0.0);
                let s: Vec<f32> = scale
                    .iter()
                    .zip(var)
                    .map(|(g, v)| g / (v + eps).sqrt())
                    .collect();
                let old_scale = f.scale.take().unwrap_or_else(|| vec![1.0; channels]);
                let old_bias = f.bias.take().unwrap_or_else(|| vec![0.0; channels]);
                f.scale = Some(old_scale.iter().zip(&s).map(|(a, b)| a * b).collect());
                f.bias = Some(
                    (0..channels)
                        .map(|c| (old_bias[c] - mean[c]) * s[c] + offset[c])
                        .collect(),
                );
            }
            "Add" => {
                let a = next("Add")?;
                f.post.push(Post::Add(a));
            }
            "Relu" | "Relu6" | "Elu" | "Selu" | "Sigmoid" | "Tanh" => {
                f.post.push(Post::Act(op.clone(), 0.0, None));
            }
            "LeakyRelu" => {
                let alpha = node.attr_f32("leakyrelu_alpha").unwrap_or(0.2);
                f.post.push(Post::Act(op.clone(), alpha, None));
            }
            "Prelu" => {
                let a = next("Prelu")?;
                f.post.push(Post::Act(op.clone(), 0.0, Some(a)));
            }
            other => return Err(ctx.unsupported(node, "fused op", other)),
        }
    }
    Ok(f)
}

fn apply_post(ctx: &mut Ctx, node: &Node, mut y: Val, post: &[Post]) -> Result<Val, ImportError> {
    for p in post {
        y = match p {
            Post::Add(v) => apply_binary(ctx, node, Bin::Add, &y, v)?,
            Post::Act(kind, alpha, extra) => {
                activation(ctx, node, kind, &y, *alpha, extra.as_ref())?
            }
        };
    }
    Ok(y)
}

/// Multiplies each output channel's block of `weights` (channel-major) by `scale`.
fn scale_channels(weights: &mut [f32], scale: &[f32]) {
    let per = (weights.len() / scale.len().max(1)).max(1);
    for (chunk, s) in weights.chunks_mut(per).zip(scale) {
        for w in chunk {
            *w *= s;
        }
    }
}

/// `Conv2D`, `_FusedConv2D`, `DepthwiseConv2dNative`, `FusedDepthwiseConv2dNative`.
pub(crate) fn conv2d(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
    depthwise: bool,
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let [n, h, w, c] = nhwc(ctx, node, x)?;
    let filter = const_arg(ctx, node, inputs, 1)?;
    let [kh, kw, fi, fo] = match filter.shape.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        s => return Err(ctx.err(node, format!("filter shape {s:?} is not 4-D"))),
    };
    let fdata = filter.to_f32();
    let (mut weights, out_c, group, in_per_group) = if depthwise {
        if fi != c {
            return Err(ctx.err(
                node,
                format!("depthwise filter has {fi} channels, input has {c}"),
            ));
        }
        // [kh, kw, C, M] → [C, M, kh, kw] = [C·M, 1, kh, kw], group = C.
        (permute(&filter.shape, &fdata, &[2, 3, 0, 1]), c * fo, c, 1)
    } else {
        if fi == 0 || c % fi != 0 || fo % (c / fi) != 0 {
            return Err(ctx.err(
                node,
                format!("filter {:?} does not fit {c} input channels", filter.shape),
            ));
        }
        // [kh, kw, in, out] → [out, in, kh, kw].
        (
            permute(&filter.shape, &fdata, &[3, 2, 0, 1]),
            fo,
            c / fi,
            fi,
        )
    };
    let (stride, dilation) = spatial_attrs(ctx, node)?;
    let (pads, out_hw) = padding(ctx, node, [h, w], [kh, kw], stride, dilation)?;
    let fused = parse_fused(ctx, node, inputs, 2, out_c)?;
    if let Some(s) = &fused.scale {
        scale_channels(&mut weights, s);
    }
    let hint = node.name.as_str();
    let xt = ctx.transpose(x, &TO_NCHW, &format!("{hint}/nchw"));
    let xn = ctx.name_of(&xt, hint);
    let wdims = [out_c as i64, in_per_group as i64, kh as i64, kw as i64];
    let wn = ctx
        .g
        .const_f32(&format!("{hint}/weights"), &wdims, &weights);
    let mut ins = vec![xn, wn];
    if let Some(b) = &fused.bias {
        ins.push(ctx.g.const_f32(&format!("{hint}/bias"), &[out_c as i64], b));
    }
    let refs: Vec<&str> = ins.iter().map(String::as_str).collect();
    let attrs = [
        ("kernel_shape", Attr::Ints(ints(&[kh, kw]))),
        ("strides", Attr::Ints(ints(&stride))),
        ("dilations", Attr::Ints(ints(&dilation))),
        ("pads", Attr::Ints(ints(&pads))),
        ("group", Attr::Int(group as i64)),
    ];
    let y = ctx.emit(
        "Conv",
        &refs,
        &attrs,
        &format!("{hint}/conv"),
        vec![n, out_c, out_hw[0], out_hw[1]],
        DType::Float,
    );
    let y = ctx.transpose(&y, &TO_NHWC, hint);
    Ok(vec![apply_post(ctx, node, y, &fused.post)?])
}

/// `Conv2DBackpropInput(output_shape, filter, x)` as ONNX `ConvTranspose`.
pub(crate) fn conv_transpose(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let sizes = const_ints(ctx, node, inputs, 0)?;
    let filter = const_arg(ctx, node, inputs, 1)?;
    let x = arg(ctx, node, inputs, 2)?;
    let [n, h, w, c] = nhwc(ctx, node, x)?;
    let [kh, kw, co, ci] = match filter.shape.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        s => return Err(ctx.err(node, format!("filter shape {s:?} is not 4-D"))),
    };
    let out: [usize; 4] = match sizes.as_slice() {
        [a, b, c, d] if sizes.iter().all(|&v| v > 0) => {
            [*a as usize, *b as usize, *c as usize, *d as usize]
        }
        _ => {
            return Err(ctx.err(
                node,
                format!("output shape {sizes:?} is not 4 positive sizes"),
            ))
        }
    };
    if ci != c || out[3] != co || out[0] != n {
        return Err(ctx.err(
            node,
            format!(
                "filter {:?} and output {out:?} do not fit input {:?}",
                filter.shape,
                x.shape()
            ),
        ));
    }
    let (stride, dilation) = spatial_attrs(ctx, node)?;
    // Pads of the forward convolution that maps the output back to x.
    let (fwd_pads, fwd_out) = padding(ctx, node, [out[1], out[2]], [kh, kw], stride, dilation)?;
    if fwd_out != [h, w] {
        return Err(ctx.err(
            node,
            format!(
                "output size {:?} is inconsistent with input size {:?}",
                [out[1], out[2]],
                [h, w]
            ),
        ));
    }
    let mut begin = [0i64; 2];
    let mut end = [0i64; 2];
    let mut extra = [0i64; 2];
    for i in 0..2 {
        let k = [kh, kw][i];
        let full = ([h, w][i] - 1) * stride[i] + (k - 1) * dilation[i] + 1;
        begin[i] = fwd_pads[i] as i64;
        let crop_end = full as i64 - begin[i] - out[i + 1] as i64;
        if crop_end >= 0 {
            end[i] = crop_end;
        } else {
            extra[i] = -crop_end;
        }
    }
    // [kh, kw, out, in] → [in, out, kh, kw].
    let weights = permute(&filter.shape, &filter.to_f32(), &[3, 2, 0, 1]);
    let hint = node.name.as_str();
    let xt = ctx.transpose(x, &TO_NCHW, &format!("{hint}/nchw"));
    let xn = ctx.name_of(&xt, hint);
    let wdims = [ci as i64, co as i64, kh as i64, kw as i64];
    let wn = ctx
        .g
        .const_f32(&format!("{hint}/weights"), &wdims, &weights);
    let attrs = [
        ("kernel_shape", Attr::Ints(ints(&[kh, kw]))),
        ("strides", Attr::Ints(ints(&stride))),
        ("dilations", Attr::Ints(ints(&dilation))),
        ("pads", Attr::Ints(vec![begin[0], begin[1], end[0], end[1]])),
        ("output_padding", Attr::Ints(extra.to_vec())),
    ];
    let y = ctx.emit(
        "ConvTranspose",
        &[&xn, &wn],
        &attrs,
        &format!("{hint}/deconv"),
        vec![n, co, out[1], out[2]],
        DType::Float,
    );
    Ok(vec![ctx.transpose(&y, &TO_NHWC, hint)])
}

fn swap_last_two(ctx: &mut Ctx, v: &Val, hint: &str) -> Val {
    let r = v.rank();
    let mut perm: Vec<usize> = (0..r).collect();
    perm.swap(r - 2, r - 1);
    if let Some(c) = v.as_const() {
        let shape = perm.iter().map(|&p| c.shape[p]).collect();
        let data = map_data!(&c.data, d => permute(&c.shape, d, &perm));
        return Val::constant(ConstTensor { shape, data });
    }
    ctx.transpose(v, &perm, hint)
}

/// `MatMul`, `_FusedMatMul`, `BatchMatMul(V2)`.
pub(crate) fn matmul(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let mut a = arg(ctx, node, inputs, 0)?.clone();
    let mut b = arg(ctx, node, inputs, 1)?.clone();
    if a.rank() < 2 || b.rank() < 2 {
        return Err(ctx.err(node, "operands must have rank ≥ 2"));
    }
    let ta = node
        .attr_bool("transpose_a")
        .or(node.attr_bool("adj_x"))
        .unwrap_or(false);
    let tb = node
        .attr_bool("transpose_b")
        .or(node.attr_bool("adj_y"))
        .unwrap_or(false);
    let hint = node.name.clone();
    if ta {
        a = swap_last_two(ctx, &a, &format!("{hint}/a_t"));
    }
    if tb {
        b = swap_last_two(ctx, &b, &format!("{hint}/b_t"));
    }
    let (ra, rb) = (a.rank(), b.rank());
    let (m, k) = (a.shape()[ra - 2], a.shape()[ra - 1]);
    let (k2, cols) = (b.shape()[rb - 2], b.shape()[rb - 1]);
    if k != k2 {
        return Err(ctx.err(
            node,
            format!("inner sizes differ: {:?} × {:?}", a.shape(), b.shape()),
        ));
    }
    let mut shape = broadcast_shape(&a.shape()[..ra - 2], &b.shape()[..rb - 2])
        .ok_or_else(|| ctx.err(node, "batch dimensions do not broadcast"))?;
    shape.extend([m, cols]);
    let fused = parse_fused(ctx, node, inputs, 2, cols)?;
    if let Some(s) = &fused.scale {
        // Scale output columns: fold into a constant right operand.
        let c = b
            .as_const()
            .ok_or_else(|| ctx.err(node, "batch norm needs a constant right operand"))?;
        let mut data = c.to_f32();
        for (i, v) in data.iter_mut().enumerate() {
            *v *= s[i % cols];
        }
        b = Val::constant(ConstTensor::f32(c.shape.clone(), data));
    }
    let an = ctx.name_of(&a, &format!("{hint}/a"));
    let bn = ctx.name_of(&b, &format!("{hint}/b"));
    let mut y = ctx.emit("MatMul", &[&an, &bn], &[], &hint, shape, DType::Float);
    if let Some(bias) = &fused.bias {
        let bv = Val::constant(ConstTensor::f32(vec![cols], bias.clone()));
        y = apply_binary(ctx, node, Bin::Add, &y, &bv)?;
    }
    Ok(vec![apply_post(ctx, node, y, &fused.post)?])
}

/// `MaxPool` / `AvgPool` (AvgPool 'SAME' excludes the padding from the average).
pub(crate) fn pool(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let [n, h, w, c] = nhwc(ctx, node, x)?;
    let ksize = node.attr_ints("ksize").unwrap_or_default();
    let kernel = match ksize.as_slice() {
        [1, kh, kw, 1] if *kh > 0 && *kw > 0 => [*kh as usize, *kw as usize],
        k => return Err(ctx.err(node, format!("ksize {k:?} is not [1, h, w, 1]"))),
    };
    let (stride, _) = spatial_attrs(ctx, node)?;
    let (pads, out_hw) = padding(ctx, node, [h, w], kernel, stride, [1, 1])?;
    let hint = node.name.as_str();
    let xt = ctx.transpose(x, &TO_NCHW, &format!("{hint}/nchw"));
    let xn = ctx.name_of(&xt, hint);
    let mut attrs = vec![
        ("kernel_shape", Attr::Ints(ints(&kernel))),
        ("strides", Attr::Ints(ints(&stride))),
        ("pads", Attr::Ints(ints(&pads))),
    ];
    let op = if node.op == "MaxPool" {
        "MaxPool"
    } else {
        attrs.push(("count_include_pad", Attr::Int(0)));
        "AveragePool"
    };
    let shape = vec![n, c, out_hw[0], out_hw[1]];
    let y = ctx.emit(
        op,
        &[&xn],
        &attrs,
        &format!("{hint}/pool"),
        shape,
        DType::Float,
    );
    Ok(vec![ctx.transpose(&y, &TO_NHWC, hint)])
}

/// `ResizeBilinear` / `ResizeNearestNeighbor` to a constant size.
pub(crate) fn resize(ctx: &mut Ctx, node: &Node, inputs: &[Val]) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let [n, _, _, c] = nhwc(ctx, node, x)?;
    let size = const_ints(ctx, node, inputs, 1)?;
    let [oh, ow] = match size.as_slice() {
        [a, b] if *a > 0 && *b > 0 => [*a as usize, *b as usize],
        _ => return Err(ctx.err(node, format!("size {size:?} is not two positive values"))),
    };
    // A model imported for another input size resizes to sizes scaled alike.
    let [oh, ow] = match ctx.size_ratio {
        None => [oh, ow],
        Some(ratio) => match ratio.scale((oh, ow)) {
            Some((h, w)) => [h, w],
            None => {
                return Err(ctx.err(
                    node,
                    format!(
                        "resize to {oh}x{ow} does not scale evenly from input {}x{} to {}x{}; choose an input size that is a multiple of the network's stride",
                        ratio.declared.0, ratio.declared.1, ratio.chosen.0, ratio.chosen.1
                    ),
                ))
            }
        },
    };
    let align = node.attr_bool("align_corners").unwrap_or(false);
    let half = node.attr_bool("half_pixel_centers").unwrap_or(false);
    let bilinear = node.op == "ResizeBilinear";
    let ctm = if align {
        "align_corners"
    } else if half {
        "half_pixel"
    } else {
        "asymmetric"
    };
    let hint = node.name.as_str();
    let mode = if bilinear { "linear" } else { "nearest" };
    let mut attrs = vec![
        ("mode", Attr::Str(mode.into())),
        ("coordinate_transformation_mode", Attr::Str(ctm.into())),
    ];
    if !bilinear {
        // TF rounds half up for align_corners / half-pixel and floors otherwise.
        let nearest = if align || half {
            "round_prefer_ceil"
        } else {
            "floor"
        };
        attrs.push(("nearest_mode", Attr::Str(nearest.into())));
    }
    let xt = ctx.transpose(x, &TO_NCHW, &format!("{hint}/nchw"));
    let xn = ctx.name_of(&xt, hint);
    let sizes = ctx.ints(&format!("{hint}/sizes"), &ints(&[n, c, oh, ow]));
    let y = ctx.emit(
        "Resize",
        &[&xn, "", "", &sizes],
        &attrs,
        &format!("{hint}/resize"),
        vec![n, c, oh, ow],
        DType::Float,
    );
    Ok(vec![ctx.transpose(&y, &TO_NHWC, hint)])
}

/// `DepthToSpace` (DCR order, as TF) and `SpaceToDepth`.
pub(crate) fn depth_space(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let [n, h, w, c] = nhwc(ctx, node, x)?;
    spatial_attrs(ctx, node)?;
    let b = node.attr_i64("block_size").unwrap_or(0);
    if b < 1 {
        return Err(ctx.err(node, "block_size must be ≥ 1"));
    }
    let b = b as usize;
    let (op, shape) = if node.op == "DepthToSpace" {
        if c % (b * b) != 0 {
            return Err(ctx.err(node, format!("{c} channels are not divisible by {}", b * b)));
        }
        ("DepthToSpace", vec![n, c / (b * b), h * b, w * b])
    } else {
        if h % b != 0 || w % b != 0 {
            return Err(ctx.err(node, format!("size {h}x{w} is not divisible by {b}")));
        }
        ("SpaceToDepth", vec![n, c * b * b, h / b, w / b])
    };
    let hint = node.name.as_str();
    let xt = ctx.transpose(x, &TO_NCHW, &format!("{hint}/nchw"));
    let xn = ctx.name_of(&xt, hint);
    let mut attrs = vec![("blocksize", Attr::Int(b as i64))];
    if op == "DepthToSpace" {
        attrs.push(("mode", Attr::Str("DCR".into())));
    }
    let y = ctx.emit(
        op,
        &[&xn],
        &attrs,
        &format!("{hint}/d2s"),
        shape,
        DType::Float,
    );
    Ok(vec![ctx.transpose(&y, &TO_NHWC, hint)])
}

/// `FusedBatchNorm(V2/V3)` in inference mode: x·s + (offset − mean·s) per
/// channel (last axis), s = scale / √(variance + ε).
pub(crate) fn batch_norm(
    ctx: &mut Ctx,
    node: &Node,
    inputs: &[Val],
) -> Result<Vec<Val>, ImportError> {
    let x = arg(ctx, node, inputs, 0)?;
    let c = *x
        .shape()
        .last()
        .ok_or_else(|| ctx.err(node, "input is a scalar"))?;
    spatial_attrs(ctx, node)?;
    if node.attr_bool("is_training") == Some(true) {
        return Err(ctx.unsupported(node, "training-mode op", &node.op));
    }
    let mut vecs = Vec::new();
    for (i, what) in ["scale", "offset", "mean", "variance"].iter().enumerate() {
        vecs.push(channel_vec(
            ctx,
            node,
            arg(ctx, node, inputs, i + 1)?,
            c,
            what,
        )?);
    }
    let (scale, offset, mean, var) = (&vecs[0], &vecs[1], &vecs[2], &vecs[3]);
    let eps = node.attr_f32("epsilon").unwrap_or(1e-3);
    let s: Vec<f32> = scale
        .iter()
        .zip(var)
        .map(|(g, v)| g / (v + eps).sqrt())
        .collect();
    let b: Vec<f32> = (0..c).map(|i| offset[i] - mean[i] * s[i]).collect();
    let sv = Val::constant(ConstTensor::f32(vec![c], s));
    let bv = Val::constant(ConstTensor::f32(vec![c], b));
    let y = apply_binary(ctx, node, Bin::Mul, x, &sv)?;
    let y = apply_binary(ctx, node, Bin::Add, &y, &bv)?;
    let mut out = vec![y];
    out.extend(inputs.iter().skip(3).take(2).cloned());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_puts_the_extra_pixel_after() {
        // 5 wide, kernel 3, stride 2 → output 3, total pad 2 → (1, 1).
        assert_eq!(same_pads(5, 3, 2, 1), (1, 1));
        // 6 wide, kernel 3, stride 2 → output 3, total pad 1 → (0, 1).
        assert_eq!(same_pads(6, 3, 2, 1), (0, 1));
        // 7 wide, kernel 4, stride 1 → total 3 → (1, 2).
        assert_eq!(same_pads(7, 4, 1, 1), (1, 2));
        // dilation 2: kernel 3 acts like 5 → total 4 → (2, 2).
        assert_eq!(same_pads(8, 3, 1, 2), (2, 2));
        assert_eq!(window_out(6, 3, 2, 1, (0, 1)), Some(3));
    }
}
