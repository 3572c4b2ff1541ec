//! Activation layers (ReLU, PReLU, Sigmoid, TanH, Clip) and the activations
//! fused into Convolution/Deconvolution/InnerProduct (`9=activation_type`).

use super::convert::{Converter, Rank};
use super::param::Layer;
use crate::import::ImportError;
use seer_onnx::Attr;

/// Converts a standalone activation layer.
pub(crate) fn layer(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    cv.check_io(layer, 1, 1)?;
    let x = cv.input(layer, 0)?;
    let out = Converter::out_name(layer, 0);
    let p = cv.params(layer);
    let y = match layer.kind.as_str() {
        "ReLU" => {
            let slope = p.float(0, 0.0)?;
            relu(cv, &x.value, slope, &out)
        }
        "PReLU" => {
            let n = p.int(0, 0)?;
            if n <= 0 {
                return Err(p.err(&format!("0=num_slope must be positive, found {n}")));
            }
            let slopes = cv.weights.raw(n as usize)?;
            let dims: Vec<i64> = match x.rank {
                Rank::Image => vec![n as i64, 1, 1],
                Rank::Vector => vec![n as i64],
            };
            let slope =
                cv.g.const_f32(&format!("{}_slope", layer.name), &dims, &slopes);
            cv.g.node("PRelu", &[&x.value, &slope], &[], &out)
        }
        "Sigmoid" => cv.g.node("Sigmoid", &[&x.value], &[], &out),
        "TanH" => cv.g.node("Tanh", &[&x.value], &[], &out),
        _ => {
            let min = p.float(0, -f32::MAX)?;
            let max = p.float(1, f32::MAX)?;
            clip(cv, &x.value, min, max, &out)
        }
    };
    cv.set_output(layer, 0, y, x.rank);
    Ok(())
}

/// Applies the fused activation `9=activation_type` with `10=activation_params`
/// to `x`; the result is named `out`. Type 0 returns `x` unchanged, so the
/// caller names `x` itself `out` in that case.
pub(crate) fn fused(
    cv: &mut Converter,
    layer: &Layer,
    x: &str,
    out: &str,
) -> Result<String, ImportError> {
    let p = cv.params(layer);
    let kind = p.int(9, 0)?;
    let params = p.floats(10)?.unwrap_or_default();
    let param = |i: usize| -> Result<f32, ImportError> {
        params.get(i).copied().ok_or_else(|| {
            p.err(&format!(
                "activation type {kind} needs {} value(s) in 10=activation_params",
                i + 1
            ))
        })
    };
    let y = match kind {
        0 => x.to_string(),
        1 => cv.g.node("Relu", &[x], &[], out),
        2 => {
            let slope = param(0)?;
            relu(cv, x, slope, out)
        }
        3 => {
            let (min, max) = (param(0)?, param(1)?);
            clip(cv, x, min, max, out)
        }
        4 => cv.g.node("Sigmoid", &[x], &[], out),
        5 => {
            let sp = cv.g.node("Softplus", &[x], &[], &format!("{out}_softplus"));
            let t = cv.g.node("Tanh", &[&sp], &[], &format!("{out}_tanh"));
            cv.g.node("Mul", &[x, &t], &[], out)
        }
        6 => {
            let (alpha, beta) = (param(0)?, param(1)?);
            let gate = cv.g.node(
                "HardSigmoid",
                &[x],
                &[("alpha", Attr::Float(alpha)), ("beta", Attr::Float(beta))],
                &format!("{out}_gate"),
            );
            cv.g.node("Mul", &[x, &gate], &[], out)
        }
        _ => {
            return Err(cv.unsupported_param(layer, &format!("9=activation_type {kind}")));
        }
    };
    Ok(y)
}

/// Name hint for the value before a fused activation: `out` itself when the
/// layer has no activation.
pub(crate) fn pre_activation_name(
    cv: &Converter,
    layer: &Layer,
    out: &str,
) -> Result<String, ImportError> {
    let kind = cv.params(layer).int(9, 0)?;
    Ok(if kind == 0 {
        out.to_string()
    } else {
        format!("{}_linear", layer.name)
    })
}

fn relu(cv: &mut Converter, x: &str, slope: f32, out: &str) -> String {
    if slope == 0.0 {
        cv.g.node("Relu", &[x], &[], out)
    } else {
        cv.g.node("LeakyRelu", &[x], &[("alpha", Attr::Float(slope))], out)
    }
}

fn clip(cv: &mut Converter, x: &str, min: f32, max: f32, out: &str) -> String {
    let lo = cv.g.const_f32(&format!("{out}_min"), &[], &[min]);
    let hi = cv.g.const_f32(&format!("{out}_max"), &[], &[max]);
    cv.g.node("Clip", &[x, &lo, &hi], &[], out)
}
