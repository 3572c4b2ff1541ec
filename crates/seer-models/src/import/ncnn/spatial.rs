//! Layers that move or resample data: Concat, Pooling, Interp, PixelShuffle,
//! Crop and Padding.

use super::convert::{Converter, Rank};
use super::param::Layer;
use crate::import::ImportError;
use seer_onnx::{Attr, DataType};

/// "Until the end" for ONNX Slice.
const SLICE_END: i64 = i64::MAX;

/// Concat: 0=axis, counted without the batch (image axis 0 = channels).
pub(crate) fn concat(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    if layer.inputs.is_empty() || layer.outputs.len() != 1 {
        return Err(cv.malformed(layer, "Concat needs inputs and one output"));
    }
    let axis = cv.params(layer).int(0, 0)?;
    let blobs = (0..layer.inputs.len())
        .map(|i| cv.input(layer, i))
        .collect::<Result<Vec<_>, _>>()?;
    let rank = blobs[0].rank;
    if blobs.iter().any(|b| b.rank != rank) {
        return Err(cv.malformed(layer, "Concat inputs have different numbers of dimensions"));
    }
    let onnx_axis = onnx_axis(cv, layer, axis, rank)?;
    let refs: Vec<&str> = blobs.iter().map(|b| b.value.as_str()).collect();
    let out = Converter::out_name(layer, 0);
    let y =
        cv.g.node("Concat", &refs, &[("axis", Attr::Int(onnx_axis))], &out);
    cv.set_output(layer, 0, y, rank);
    Ok(())
}

/// Maps an ncnn axis (no batch; negative counts from the end) to ONNX.
fn onnx_axis(cv: &Converter, layer: &Layer, axis: i32, rank: Rank) -> Result<i64, ImportError> {
    let dims = match rank {
        Rank::Image => 3,
        Rank::Vector => 1,
    };
    let resolved = if axis < 0 { axis + dims } else { axis };
    if !(0..dims).contains(&resolved) {
        return Err(cv.malformed(layer, format!("axis {axis} is out of range")));
    }
    Ok(i64::from(resolved) + 1)
}

/// Pooling: 0=type (0 max, 1 avg), 1/11=kernel, 2/12=stride,
/// 3/13/14/15=pads (left/top/right/bottom), 4=global, 5=pad_mode
/// (0 full = ceil, 1 valid = floor, 2 SAME_UPPER, 3 SAME_LOWER),
/// 6=avgpool_count_include_pad. Global pooling yields a 1-D blob.
pub(crate) fn pooling(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    let kind = p.int(0, 0)?;
    let (op, global_op) = match kind {
        0 => ("MaxPool", "GlobalMaxPool"),
        1 => ("AveragePool", "GlobalAveragePool"),
        _ => return Err(cv.unsupported_param(layer, &format!("0=pooling_type {kind}"))),
    };
    if p.int(7, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "7=adaptive_pooling"));
    }
    let x = cv.image_input(layer, 0)?;
    let out = Converter::out_name(layer, 0);
    if p.int(4, 0)? != 0 {
        let pooled =
            cv.g.node(global_op, &[&x], &[], &format!("{}_pool", layer.name));
        let y =
            cv.g.node("Flatten", &[&pooled], &[("axis", Attr::Int(1))], &out);
        cv.set_output(layer, 0, y, Rank::Vector);
        return Ok(());
    }
    let kernel_w = p.positive(1, "kernel_w")?;
    let kernel_h = p.i64(11, kernel_w as i32)?;
    let stride_w = p.i64(2, 1)?;
    let stride_h = p.i64(12, stride_w as i32)?;
    let pad_left = p.i64(3, 0)?;
    let pad_top = p.i64(13, pad_left as i32)?;
    let pad_right = p.i64(14, pad_left as i32)?;
    let pad_bottom = p.i64(15, pad_top as i32)?;
    let pad_mode = p.int(5, 0)?;
    let include_pad = p.int(6, 0)?;
    let mut attrs = vec![
        ("kernel_shape", Attr::Ints(vec![kernel_h, kernel_w])),
        ("strides", Attr::Ints(vec![stride_h, stride_w])),
    ];
    let pads = Attr::Ints(vec![pad_top, pad_left, pad_bottom, pad_right]);
    match pad_mode {
        0 => {
            attrs.push(("pads", pads));
            attrs.push(("ceil_mode", Attr::Int(1)));
        }
        1 => attrs.push(("pads", pads)),
        2 => attrs.push(("auto_pad", Attr::Str("SAME_UPPER".to_string()))),
        3 => attrs.push(("auto_pad", Attr::Str("SAME_LOWER".to_string()))),
        _ => return Err(cv.unsupported_param(layer, &format!("5=pad_mode {pad_mode}"))),
    }
    if kind == 1 {
        attrs.push(("count_include_pad", Attr::Int(i64::from(include_pad != 0))));
    }
    let y = cv.g.node(op, &[&x], &attrs, &out);
    cv.set_output(layer, 0, y, Rank::Image);
    Ok(())
}

/// Interp: 0=resize_type (1 nearest, 2 bilinear, 3 bicubic), 1/2=height/
/// width scale, 3/4=output height/width, 6=align_corner.
pub(crate) fn interp(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    let kind = p.int(0, 0)?;
    let height_scale = p.float(1, 1.0)?;
    let width_scale = p.float(2, 1.0)?;
    let out_h = p.i64(3, 0)?;
    let out_w = p.i64(4, 0)?;
    if p.int(5, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "5=dynamic_target_size"));
    }
    let align_corner = p.int(6, 0)? != 0;
    let coords = if align_corner {
        "align_corners"
    } else {
        "half_pixel"
    };
    let mut attrs = match kind {
        1 => vec![
            ("mode", Attr::Str("nearest".to_string())),
            (
                "coordinate_transformation_mode",
                Attr::Str("asymmetric".to_string()),
            ),
            ("nearest_mode", Attr::Str("floor".to_string())),
        ],
        2 => vec![("mode", Attr::Str("linear".to_string()))],
        3 => vec![
            ("mode", Attr::Str("cubic".to_string())),
            ("cubic_coeff_a", Attr::Float(-0.75)),
        ],
        _ => return Err(cv.unsupported_param(layer, &format!("0=resize_type {kind}"))),
    };
    if kind != 1 {
        attrs.push((
            "coordinate_transformation_mode",
            Attr::Str(coords.to_string()),
        ));
    }
    let x = cv.image_input(layer, 0)?;
    let name = &layer.name;
    let out = Converter::out_name(layer, 0);
    let y = if out_h > 0 && out_w > 0 {
        let shape = cv.g.node("Shape", &[&x], &[], &format!("{name}_shape"));
        let nc = slice_1d(cv, &shape, 0, 2, &format!("{name}_nc"));
        let hw = cv.g.const_i64(&format!("{name}_hw"), &[2], &[out_h, out_w]);
        let sizes = cv.g.node(
            "Concat",
            &[&nc, &hw],
            &[("axis", Attr::Int(0))],
            &format!("{name}_sizes"),
        );
        cv.g.node("Resize", &[&x, "", "", &sizes], &attrs, &out)
    } else if kind == 1 {
        let scales = cv.g.const_f32(
            &format!("{name}_scales"),
            &[4],
            &[1.0, 1.0, height_scale, width_scale],
        );
        cv.g.node("Resize", &[&x, "", &scales], &attrs, &out)
    } else {
        // ncnn maps coordinates with in/out sizes, so pass sizes floor(in·scale).
        let sizes = scaled_sizes(cv, &x, height_scale, width_scale, name);
        cv.g.node("Resize", &[&x, "", "", &sizes], &attrs, &out)
    };
    cv.set_output(layer, 0, y, Rank::Image);
    Ok(())
}

/// `floor(shape(x) · [1, 1, sh, sw])` as int64.
fn scaled_sizes(cv: &mut Converter, x: &str, sh: f32, sw: f32, name: &str) -> String {
    let shape = cv.g.node("Shape", &[x], &[], &format!("{name}_shape"));
    let shape_f = cv.g.node(
        "Cast",
        &[&shape],
        &[("to", Attr::Int(DataType::Float as i64))],
        &format!("{name}_shape_f"),
    );
    let factors =
        cv.g.const_f32(&format!("{name}_factors"), &[4], &[1.0, 1.0, sh, sw]);
    let scaled =
        cv.g.node("Mul", &[&shape_f, &factors], &[], &format!("{name}_scaled"));
    let floored =
        cv.g.node("Floor", &[&scaled], &[], &format!("{name}_floored"));
    cv.g.node(
        "Cast",
        &[&floored],
        &[("to", Attr::Int(DataType::Int64 as i64))],
        &format!("{name}_sizes"),
    )
}

/// `v[start..end]` of a 1-D int64 value.
fn slice_1d(cv: &mut Converter, v: &str, start: i64, end: i64, hint: &str) -> String {
    let s = cv.g.const_i64(&format!("{hint}_start"), &[1], &[start]);
    let e = cv.g.const_i64(&format!("{hint}_end"), &[1], &[end]);
    let a = cv.g.const_i64(&format!("{hint}_axis"), &[1], &[0]);
    cv.g.node("Slice", &[v, &s, &e, &a], &[], hint)
}

/// PixelShuffle: 0=upscale_factor, 1=mode (0 PyTorch = DepthToSpace CRD,
/// 1 TensorFlow = DCR).
pub(crate) fn pixel_shuffle(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    let factor = p.positive(0, "upscale_factor")?;
    let mode = match p.int(1, 0)? {
        0 => "CRD",
        1 => "DCR",
        m => return Err(cv.unsupported_param(layer, &format!("1=mode {m}"))),
    };
    let x = cv.image_input(layer, 0)?;
    let out = Converter::out_name(layer, 0);
    let y = cv.g.node(
        "DepthToSpace",
        &[&x],
        &[
            ("blocksize", Attr::Int(factor)),
            ("mode", Attr::Str(mode.to_string())),
        ],
        &out,
    );
    cv.set_output(layer, 0, y, Rank::Image);
    Ok(())
}

/// Crop, in three forms: (a) two inputs, crop the first to the second's
/// size at 0=woffset 1=hoffset 2=coffset; (b) -23309=starts -23310=ends
/// -23311=axes (numpy slicing, axes without batch, -233 / 0 end = to the
/// end); (c) offsets 0/1/2 with sizes 3=outw 4=outh 5=outc (-233 or 0 =
/// the rest) and tail offsets 6/7/8.
pub(crate) fn crop(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    let p = cv.params(layer);
    if layer.inputs.len() == 2 {
        cv.check_io(layer, 2, 1)?;
        let woffset = p.i64(0, 0)?;
        if woffset == -233 {
            return Err(cv.unsupported_param(layer, "0=-233 (offsets from a blob)"));
        }
        let starts = [p.i64(2, 0)?, p.i64(1, 0)?, woffset];
        let x = cv.image_input(layer, 0)?;
        let reference = cv.image_input(layer, 1)?;
        let y = crop_like(cv, layer, &x, &reference, starts);
        cv.set_output(layer, 0, y, Rank::Image);
        return Ok(());
    }
    cv.check_io(layer, 1, 1)?;
    let x = cv.input(layer, 0)?;
    let (starts, ends, axes) = if p.has(9) && p.has(10) {
        numpy_crop(cv, layer, x.rank)?
    } else {
        if x.rank != Rank::Image {
            return Err(cv.unsupported_param(layer, "offsets on a 1-D blob"));
        }
        offset_crop(cv, layer)?
    };
    let out = Converter::out_name(layer, 0);
    let y = slice(cv, &x.value, &starts, &ends, &axes, &out);
    cv.set_output(layer, 0, y, x.rank);
    Ok(())
}

/// Slices `x` to `shape(reference)[1..4]` starting at `starts` (c, h, w).
fn crop_like(
    cv: &mut Converter,
    layer: &Layer,
    x: &str,
    reference: &str,
    starts: [i64; 3],
) -> String {
    let name = &layer.name;
    let shape =
        cv.g.node("Shape", &[reference], &[], &format!("{name}_ref_shape"));
    let size = slice_1d(cv, &shape, 1, 4, &format!("{name}_ref_chw"));
    let starts = cv.g.const_i64(&format!("{name}_starts"), &[3], &starts);
    let ends =
        cv.g.node("Add", &[&starts, &size], &[], &format!("{name}_ends"));
    let axes = cv.g.const_i64(&format!("{name}_axes"), &[3], &[1, 2, 3]);
    let out = Converter::out_name(layer, 0);
    cv.g.node("Slice", &[x, &starts, &ends, &axes], &[], &out)
}

type SliceSpec = (Vec<i64>, Vec<i64>, Vec<i64>);

/// Crop form (b): starts/ends/axes arrays.
fn numpy_crop(cv: &Converter, layer: &Layer, rank: Rank) -> Result<SliceSpec, ImportError> {
    let p = cv.params(layer);
    let starts = p.ints(9)?.unwrap_or_default();
    let ends = p.ints(10)?.unwrap_or_default();
    let axes = match p.ints(11)? {
        Some(a) => a,
        None => (0..starts.len() as i32).collect(),
    };
    if starts.len() != ends.len() || starts.len() != axes.len() {
        return Err(p.err("starts, ends and axes differ in length"));
    }
    let mut spec = (Vec::new(), Vec::new(), Vec::new());
    for ((&s, &e), &a) in starts.iter().zip(&ends).zip(&axes) {
        spec.0.push(if s == -233 { 0 } else { i64::from(s) });
        spec.1.push(if e == -233 || e == 0 {
            SLICE_END
        } else {
            i64::from(e)
        });
        spec.2.push(onnx_axis(cv, layer, a, rank)?);
    }
    Ok(spec)
}

/// Crop form (c): offsets with sizes or tail offsets (an axis with both an
/// output size and a tail offset is not supported).
fn offset_crop(cv: &Converter, layer: &Layer) -> Result<SliceSpec, ImportError> {
    let p = cv.params(layer);
    let offsets = [p.i64(2, 0)?, p.i64(1, 0)?, p.i64(0, 0)?];
    if offsets.contains(&-233) {
        return Err(cv.unsupported_param(layer, "-233 offsets"));
    }
    let sizes = [p.i64(5, 0)?, p.i64(4, 0)?, p.i64(3, 0)?];
    let tails = [p.i64(8, 0)?, p.i64(7, 0)?, p.i64(6, 0)?];
    let mut spec = (Vec::new(), Vec::new(), Vec::new());
    for axis in 0..3 {
        let (off, size, tail) = (offsets[axis], sizes[axis], tails[axis]);
        if off < 0 || tail < 0 || (size < 0 && size != -233) {
            return Err(p.err(&format!(
                "negative crop offset or size on axis {axis} (offset {off}, size {size}, tail {tail})"
            )));
        }
        let sized = size > 0;
        if off == 0 && tail == 0 && !sized {
            continue;
        }
        if sized && tail > 0 {
            return Err(cv.unsupported_param(layer, "both an output size and a tail offset"));
        }
        let end = if sized {
            off + size
        } else if tail > 0 {
            -tail
        } else {
            SLICE_END
        };
        spec.0.push(off);
        spec.1.push(end);
        spec.2.push(axis as i64 + 1);
    }
    Ok(spec)
}

fn slice(
    cv: &mut Converter,
    x: &str,
    starts: &[i64],
    ends: &[i64],
    axes: &[i64],
    out: &str,
) -> String {
    if axes.is_empty() {
        return cv.g.node("Identity", &[x], &[], out);
    }
    let n = axes.len() as i64;
    let s = cv.g.const_i64(&format!("{out}_starts"), &[n], starts);
    let e = cv.g.const_i64(&format!("{out}_ends"), &[n], ends);
    let a = cv.g.const_i64(&format!("{out}_axes"), &[n], axes);
    cv.g.node("Slice", &[x, &s, &e, &a], &[], out)
}

/// Padding: 0=top 1=bottom 2=left 3=right 4=type (0 constant, 1 replicate,
/// 2 reflect) 5=value 7=front 8=behind (channels).
pub(crate) fn padding(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    let [top, bottom, left, right] = [p.i64(0, 0)?, p.i64(1, 0)?, p.i64(2, 0)?, p.i64(3, 0)?];
    let [front, behind] = [p.i64(7, 0)?, p.i64(8, 0)?];
    if [top, bottom, left, right, front, behind]
        .iter()
        .any(|&v| v < 0)
    {
        return Err(cv.unsupported_param(layer, "negative or dynamic pads"));
    }
    if p.int(6, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "6=per_channel_pad_data_size"));
    }
    let kind = p.int(4, 0)?;
    let mode = match kind {
        0 => "constant",
        1 => "edge",
        2 => "reflect",
        _ => return Err(cv.unsupported_param(layer, &format!("4=type {kind}"))),
    };
    let value = p.float(5, 0.0)?;
    let x = cv.image_input(layer, 0)?;
    let name = &layer.name;
    let pads = cv.g.const_i64(
        &format!("{name}_pads"),
        &[8],
        &[0, front, top, left, 0, behind, bottom, right],
    );
    let out = Converter::out_name(layer, 0);
    let attrs = [("mode", Attr::Str(mode.to_string()))];
    let y = if kind == 0 {
        let v = cv.g.const_f32(&format!("{name}_value"), &[], &[value]);
        cv.g.node("Pad", &[&x, &pads, &v], &attrs, &out)
    } else {
        cv.g.node("Pad", &[&x, &pads], &attrs, &out)
    };
    cv.set_output(layer, 0, y, Rank::Image);
    Ok(())
}
