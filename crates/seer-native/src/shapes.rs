//! The size of every value of a program for one input size, worked out
//! before anything runs: an input that does not fit a layer (too small for
//! a valid convolution or a crop, skip connections of different sizes, a
//! channel count the next layer does not take) is an error naming the
//! node, never a panic inside a layer. The same walk counts the
//! multiply-accumulates.

use crate::graph::{Op, Program, Step};
use crate::NativeError;

/// What one value is for a given input size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// An image: channels, width and height in pixels.
    Image {
        channels: usize,
        width: usize,
        height: usize,
    },
    /// One value per channel.
    Vector(usize),
}

/// Every value's shape and the MACs of Conv/ConvTranspose/Gemm steps for
/// a `channels`×`width`×`height` input (MACs of the direct method, as
/// `seer_onnx::flops` counts them).
pub(crate) fn walk(
    program: &Program,
    width: usize,
    height: usize,
) -> Result<(Vec<Option<Shape>>, u64), NativeError> {
    let mut shapes: Vec<Option<Shape>> = vec![None; program.values];
    shapes[0] = Some(Shape::Image {
        channels: program.input_channels,
        width,
        height,
    });
    let mut macs = 0u64;
    for step in &program.steps {
        let fail = |detail: String| NativeError::InputSize {
            op: step.node.op.clone(),
            node: step.node.name.clone(),
            width,
            height,
            detail,
        };
        let (shape, m) = step_shape(step, &shapes).map_err(fail)?;
        macs = macs.saturating_add(m);
        if let Some(slot) = shapes.get_mut(step.output) {
            *slot = Some(shape);
        }
    }
    Ok((shapes, macs))
}

/// Checked `a · b · …` in `usize`, as a `u64` MAC count.
fn product(factors: &[usize]) -> Result<u64, String> {
    factors
        .iter()
        .try_fold(1u64, |n, f| n.checked_mul(*f as u64))
        .ok_or_else(|| "the size overflows".to_string())
}

/// Checked `a · b`.
fn times(a: usize, b: usize) -> Result<usize, String> {
    a.checked_mul(b)
        .ok_or_else(|| "the size overflows".to_string())
}

/// The output shape and MACs of one step.
fn step_shape(step: &Step, shapes: &[Option<Shape>]) -> Result<(Shape, u64), String> {
    let input = |i: usize| -> Result<Shape, String> {
        step.inputs
            .get(i)
            .and_then(|v| shapes.get(*v).copied().flatten())
            .ok_or_else(|| format!("input {i} is not computed"))
    };
    let image = |i: usize| -> Result<(usize, usize, usize), String> {
        match input(i)? {
            Shape::Image {
                channels,
                width,
                height,
            } => Ok((channels, width, height)),
            Shape::Vector(_) => Err(format!("input {i} is a vector, not an image")),
        }
    };
    let vector = |i: usize| -> Result<usize, String> {
        match input(i)? {
            Shape::Vector(n) => Ok(n),
            Shape::Image { .. } => Err(format!("input {i} is an image, not a vector")),
        }
    };
    let channels_are = |got: usize, want: usize| {
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "it has {got} input channels, the layer takes {want}"
            ))
        }
    };
    let out = |channels: usize, width: usize, height: usize| -> Result<Shape, String> {
        if width == 0 || height == 0 {
            return Err(format!(
                "its output would be {width}x{height} pixels (the input is too small)"
            ));
        }
        times(times(channels, width)?, height)?;
        Ok(Shape::Image {
            channels,
            width,
            height,
        })
    };
    Ok(match &step.op {
        Op::Conv3x3(conv) => {
            let (c, w, h) = image(0)?;
            channels_are(c, conv.cin)?;
            let (ow, oh) = conv.output_size(w, h);
            let macs = product(&[ow, oh, conv.cin, conv.cout, 9])?;
            (out(conv.cout, ow, oh)?, macs)
        }
        Op::PatchConv(conv) => {
            let (c, w, h) = image(0)?;
            channels_are(c, conv.cin)?;
            let (ow, oh) = (w / conv.k, h / conv.k);
            let macs = product(&[ow, oh, conv.cin, conv.cout, conv.k, conv.k])?;
            (out(conv.cout, ow, oh)?, macs)
        }
        Op::PatchDeconv(deconv) => {
            let (c, w, h) = image(0)?;
            channels_are(c, deconv.cin)?;
            let macs = product(&[w, h, deconv.cin, deconv.cout, deconv.k, deconv.k])?;
            (
                out(deconv.cout, times(w, deconv.k)?, times(h, deconv.k)?)?,
                macs,
            )
        }
        Op::PhaseDeconv(deconv) => {
            let (c, w, h) = image(0)?;
            channels_are(c, deconv.cin)?;
            let (ow, oh) = deconv.output_size(w, h).unwrap_or((0, 0));
            let macs = product(&[w, h, deconv.cin, deconv.cout, deconv.k, deconv.k])?;
            (out(deconv.cout, ow, oh)?, macs)
        }
        Op::Deconv(deconv) => {
            let (c, w, h) = image(0)?;
            channels_are(c, deconv.cin)?;
            let (ow, oh) = deconv.output_size(w, h).unwrap_or((0, 0));
            let (kh, kw) = deconv.kernel;
            let macs = product(&[w, h, deconv.cin, deconv.cout, kh, kw])?;
            (out(deconv.cout, ow, oh)?, macs)
        }
        Op::Activation(_) => {
            let (c, w, h) = image(0)?;
            (out(c, w, h)?, 0)
        }
        Op::DepthToSpace(block) => {
            let (c, w, h) = image(0)?;
            let cells = block * block;
            if c % cells != 0 {
                return Err(format!(
                    "{c} channels do not split into {block}x{block} blocks"
                ));
            }
            (out(c / cells, times(w, *block)?, times(h, *block)?)?, 0)
        }
        Op::Upsample(scale) => {
            let (c, w, h) = image(0)?;
            (out(c, times(w, *scale)?, times(h, *scale)?)?, 0)
        }
        Op::ResizeCubic {
            factor_w, factor_h, ..
        } => {
            let (c, w, h) = image(0)?;
            let (ow, oh) = crate::ops::cubic_size(w, h, *factor_w, *factor_h);
            (out(c, ow, oh)?, 0)
        }
        Op::GlobalAverage => (Shape::Vector(image(0)?.0), 0),
        Op::Dense(dense) => {
            let n = vector(0)?;
            if n != dense.inputs {
                return Err(format!(
                    "a vector of {n} values reaches a layer of {} inputs",
                    dense.inputs
                ));
            }
            (Shape::Vector(dense.bias.len()), dense.weights.len() as u64)
        }
        Op::VectorRelu | Op::VectorSigmoid | Op::Reshape => (Shape::Vector(vector(0)?), 0),
        Op::ScaleChannels => {
            let (c, w, h) = image(0)?;
            let n = vector(1)?;
            if n != c {
                return Err(format!("{n} scale factors for {c} channels"));
            }
            (out(c, w, h)?, 0)
        }
        Op::Crop([top, left, bottom, right]) => {
            let (c, w, h) = image(0)?;
            let ow = w.saturating_sub(left.saturating_add(*right));
            let oh = h.saturating_sub(top.saturating_add(*bottom));
            (out(c, ow, oh)?, 0)
        }
        Op::CropLike { top, left } => {
            let (c, w, h) = image(0)?;
            let (rc, rw, rh) = image(1)?;
            if rc != c {
                return Err(format!(
                    "a crop of {c} channels to the size of {rc} channels"
                ));
            }
            let fits = left.saturating_add(rw) <= w && top.saturating_add(rh) <= h;
            if !fits {
                return Err(format!(
                    "a {rw}x{rh} window at ({left}, {top}) does not fit its {w}x{h} input"
                ));
            }
            (out(c, rw, rh)?, 0)
        }
        Op::Add => {
            let first = image(0)?;
            for i in 1..step.inputs.len() {
                let term = image(i)?;
                if term != first {
                    return Err(format!(
                        "it adds {}x{}x{} (channels x width x height) to {}x{}x{}",
                        term.0, term.1, term.2, first.0, first.1, first.2
                    ));
                }
            }
            (out(first.0, first.1, first.2)?, 0)
        }
    })
}
