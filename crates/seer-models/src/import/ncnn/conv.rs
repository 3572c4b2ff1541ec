//! Convolution, ConvolutionDepthWise, Deconvolution(DepthWise) and
//! InnerProduct, each with an optional fused activation.

use super::activation;
use super::convert::{Converter, Params, Rank};
use super::param::Layer;
use crate::import::ImportError;
use seer_onnx::Attr;

/// Padding of a convolution window.
enum Padding {
    /// `[top, left, bottom, right]` in pixels.
    Explicit([i64; 4]),
    /// ONNX `auto_pad` value (`SAME_UPPER` / `SAME_LOWER`).
    Auto(&'static str),
}

/// Kernel geometry shared by convolutions and deconvolutions.
struct Window {
    num_output: i64,
    kernel: [i64; 2],
    dilation: [i64; 2],
    stride: [i64; 2],
    group: i64,
    weight_size: i64,
}

impl Window {
    /// Reads ids 0,1,11,2,12,3,13,6 and (depthwise) 7.
    fn read(cv: &Converter, layer: &Layer) -> Result<Window, ImportError> {
        let p = cv.params(layer);
        let num_output = p.positive(0, "num_output")?;
        let kernel_w = p.positive(1, "kernel_w")?;
        let kernel_h = p.i64(11, kernel_w as i32)?;
        let dilation_w = p.i64(2, 1)?;
        let dilation_h = p.i64(12, dilation_w as i32)?;
        let stride_w = p.i64(3, 1)?;
        let stride_h = p.i64(13, stride_w as i32)?;
        let group = if layer.kind.ends_with("DepthWise") {
            p.i64(7, 1)?
        } else {
            1
        };
        let weight_size = p.positive(6, "weight_data_size")?;
        let window = Window {
            num_output,
            kernel: [kernel_h, kernel_w],
            dilation: [dilation_h, dilation_w],
            stride: [stride_h, stride_w],
            group,
            weight_size,
        };
        if [kernel_h, dilation_h, dilation_w, stride_h, stride_w, group]
            .iter()
            .any(|&v| v <= 0)
        {
            return Err(p.err("kernel, dilation, stride and group must be positive"));
        }
        if num_output % group != 0 || weight_size % (num_output * kernel_h * kernel_w) != 0 {
            return Err(p.err(&format!(
                "6=weight_data_size {weight_size} does not fit num_output {num_output}, \
                 kernel {kernel_h}x{kernel_w} and group {group}"
            )));
        }
        Ok(window)
    }

    /// Input channels per group.
    fn in_per_group(&self) -> i64 {
        self.weight_size / (self.num_output * self.kernel[0] * self.kernel[1])
    }

    fn attrs(&self) -> Vec<(&'static str, Attr)> {
        vec![
            ("kernel_shape", Attr::Ints(self.kernel.to_vec())),
            ("dilations", Attr::Ints(self.dilation.to_vec())),
            ("strides", Attr::Ints(self.stride.to_vec())),
            ("group", Attr::Int(self.group)),
        ]
    }
}

/// Reads ncnn pads (left 4, top 14, right 15, bottom 16 for convolutions;
/// `ids` gives the four ids in that order). All -233 = SAME_UPPER, all -234
/// = SAME_LOWER; any positive value = explicit (others clamped to 0).
fn read_padding(p: &Params, ids: [i32; 4]) -> Result<Padding, ImportError> {
    let left = p.i64(ids[0], 0)?;
    let top = p.i64(ids[1], left as i32)?;
    let right = p.i64(ids[2], left as i32)?;
    let bottom = p.i64(ids[3], top as i32)?;
    let all = [top, left, bottom, right];
    if all.iter().any(|&v| v > 0) {
        if all.iter().any(|&v| v < 0) {
            return Err(p.err(&format!("mixed explicit and automatic padding {all:?}")));
        }
        return Ok(Padding::Explicit(all));
    }
    if all.iter().all(|&v| v == -233) {
        return Ok(Padding::Auto("SAME_UPPER"));
    }
    if all.iter().all(|&v| v == -234) {
        return Ok(Padding::Auto("SAME_LOWER"));
    }
    Ok(Padding::Explicit([0; 4]))
}

/// Convolution / ConvolutionDepthWise → ONNX Conv (+ activation).
pub(crate) fn convolution(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    if p.int(8, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "8=int8_scale_term"));
    }
    if p.int(19, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "19=dynamic_weight"));
    }
    let window = Window::read(cv, layer)?;
    let padding = read_padding(&p, [4, 14, 15, 16])?;
    let pad_value = p.float(18, 0.0)?;
    let bias_term = p.int(5, 0)? != 0;
    let mut x = cv.image_input(layer, 0)?;

    let w = cv
        .weights
        .tagged(window.weight_size as usize, &layer.name)?;
    let weight_dims = [
        window.num_output,
        window.in_per_group(),
        window.kernel[0],
        window.kernel[1],
    ];
    let weight =
        cv.g.const_f32(&format!("{}_weight", layer.name), &weight_dims, &w);
    let mut inputs = vec![weight];
    if bias_term {
        let b = cv.weights.raw(window.num_output as usize)?;
        inputs.push(cv.g.const_f32(&format!("{}_bias", layer.name), &[window.num_output], &b));
    }

    let mut attrs = window.attrs();
    match padding {
        Padding::Explicit(pads) if pad_value != 0.0 && pads.iter().any(|&v| v > 0) => {
            x = pad_constant(cv, &x, pads, pad_value, &format!("{}_pad", layer.name));
        }
        Padding::Explicit([t, l, b, r]) => attrs.push(("pads", Attr::Ints(vec![t, l, b, r]))),
        Padding::Auto(mode) if pad_value == 0.0 => {
            attrs.push(("auto_pad", Attr::Str(mode.to_string())))
        }
        Padding::Auto(_) => {
            return Err(cv.unsupported_param(layer, "18=pad_value and SAME padding"))
        }
    }

    let out = Converter::out_name(layer, 0);
    let pre = activation::pre_activation_name(cv, layer, &out)?;
    let mut all_inputs: Vec<&str> = vec![&x];
    all_inputs.extend(inputs.iter().map(String::as_str));
    let y = cv.g.node("Conv", &all_inputs, &attrs, &pre);
    let y = activation::fused(cv, layer, &y, &out)?;
    cv.set_output(layer, 0, y, Rank::Image);
    Ok(())
}

fn pad_constant(cv: &mut Converter, x: &str, pads: [i64; 4], value: f32, hint: &str) -> String {
    let [t, l, b, r] = pads;
    let pads =
        cv.g.const_i64(&format!("{hint}_pads"), &[8], &[0, 0, t, l, 0, 0, b, r]);
    let value = cv.g.const_f32(&format!("{hint}_value"), &[], &[value]);
    cv.g.node(
        "Pad",
        &[x, &pads, &value],
        &[("mode", Attr::Str("constant".to_string()))],
        hint,
    )
}

/// Deconvolution / DeconvolutionDepthWise → ONNX ConvTranspose (+ activation).
/// ncnn stores weights `[group][out/group][in/group][kh][kw]`; ONNX wants
/// `[in][out/group][kh][kw]`.
pub(crate) fn deconvolution(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    if p.int(28, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "28=dynamic_weight"));
    }
    let window = Window::read(cv, layer)?;
    let padding = read_padding(&p, [4, 14, 15, 16])?;
    let output_pad_right = p.i64(18, 0)?;
    let output_pad_bottom = p.i64(19, output_pad_right as i32)?;
    let output_w = p.i64(20, 0)?;
    let output_h = p.i64(21, output_w as i32)?;
    let bias_term = p.int(5, 0)? != 0;
    let pads = match padding {
        Padding::Explicit(pads) => pads,
        Padding::Auto(_) if output_w > 0 && output_h > 0 => {
            return Err(cv.unsupported_param(layer, "20=output_w/21=output_h"));
        }
        // ncnn cuts nothing when the pads are automatic but no output size is given.
        Padding::Auto(_) => [0; 4],
    };
    let x = cv.image_input(layer, 0)?;

    let w = cv
        .weights
        .tagged(window.weight_size as usize, &layer.name)?;
    let in_g = window.in_per_group();
    let out_g = window.num_output / window.group;
    let w = deconv_weights_to_onnx(&w, window.group, out_g, in_g, window.kernel);
    let weight = cv.g.const_f32(
        &format!("{}_weight", layer.name),
        &[
            window.group * in_g,
            out_g,
            window.kernel[0],
            window.kernel[1],
        ],
        &w,
    );
    let mut inputs = vec![x, weight];
    if bias_term {
        let b = cv.weights.raw(window.num_output as usize)?;
        inputs.push(cv.g.const_f32(&format!("{}_bias", layer.name), &[window.num_output], &b));
    }
    let mut attrs = window.attrs();
    attrs.push(("pads", Attr::Ints(pads.to_vec())));
    if output_pad_bottom != 0 || output_pad_right != 0 {
        attrs.push((
            "output_padding",
            Attr::Ints(vec![output_pad_bottom, output_pad_right]),
        ));
    }
    let out = Converter::out_name(layer, 0);
    let pre = activation::pre_activation_name(cv, layer, &out)?;
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let y = cv.g.node("ConvTranspose", &refs, &attrs, &pre);
    let y = activation::fused(cv, layer, &y, &out)?;
    cv.set_output(layer, 0, y, Rank::Image);
    Ok(())
}

/// Reorders `[g][out_g][in_g][k]` to `[g][in_g][out_g][k]`.
fn deconv_weights_to_onnx(
    w: &[f32],
    group: i64,
    out_g: i64,
    in_g: i64,
    kernel: [i64; 2],
) -> Vec<f32> {
    let (group, out_g, in_g) = (group as usize, out_g as usize, in_g as usize);
    let kk = (kernel[0] * kernel[1]) as usize;
    let mut t = vec![0.0; w.len()];
    for g in 0..group {
        for o in 0..out_g {
            for i in 0..in_g {
                let src = ((g * out_g + o) * in_g + i) * kk;
                let dst = ((g * in_g + i) * out_g + o) * kk;
                t[dst..dst + kk].copy_from_slice(&w[src..src + kk]);
            }
        }
    }
    t
}

/// InnerProduct → Flatten + Gemm (+ activation); the output is 1-D (`[N, C]`).
pub(crate) fn inner_product(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let p = cv.params(layer);
    if p.int(8, 0)? != 0 {
        return Err(cv.unsupported_param(layer, "8=int8_scale_term"));
    }
    let num_output = p.positive(0, "num_output")?;
    let bias_term = p.int(1, 0)? != 0;
    let weight_size = p.positive(2, "weight_data_size")?;
    if weight_size % num_output != 0 {
        return Err(p.err(&format!(
            "2=weight_data_size {weight_size} is not a multiple of num_output {num_output}"
        )));
    }
    let num_input = weight_size / num_output;
    let x = cv.input(layer, 0)?;
    let x = match x.rank {
        Rank::Vector => x.value,
        Rank::Image => cv.g.node(
            "Flatten",
            &[&x.value],
            &[("axis", Attr::Int(1))],
            &format!("{}_flat", layer.name),
        ),
    };
    let w = cv.weights.tagged(weight_size as usize, &layer.name)?;
    let weight = cv.g.const_f32(
        &format!("{}_weight", layer.name),
        &[num_output, num_input],
        &w,
    );
    let mut inputs = vec![x, weight];
    if bias_term {
        let b = cv.weights.raw(num_output as usize)?;
        inputs.push(cv.g.const_f32(&format!("{}_bias", layer.name), &[num_output], &b));
    }
    let out = Converter::out_name(layer, 0);
    let pre = activation::pre_activation_name(cv, layer, &out)?;
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let y = cv.g.node("Gemm", &refs, &[("transB", Attr::Int(1))], &pre);
    let y = activation::fused(cv, layer, &y, &out)?;
    cv.set_output(layer, 0, y, Rank::Vector);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deconv_weights_swap_in_and_out_per_group() {
        // group 1, out 2, in 3, 1x1 kernel: ncnn w[o][i] = 10*o + i.
        let w: Vec<f32> = (0..2)
            .flat_map(|o| (0..3).map(move |i| (10 * o + i) as f32))
            .collect();
        let t = deconv_weights_to_onnx(&w, 1, 2, 3, [1, 1]);
        assert_eq!(t, vec![0.0, 10.0, 1.0, 11.0, 2.0, 12.0]);
    }
}
