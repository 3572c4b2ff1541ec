//! Element-wise layers: Eltwise, BinaryOp and Scale.

use super::convert::{Blob, Converter, Rank};
use super::param::Layer;
use crate::import::ImportError;

/// Brings blobs to one layout: when any is an image, 1-D blobs become
/// `[N, C, 1, 1]` (ncnn broadcasts a 1-D blob per channel).
fn aligned(cv: &mut Converter, layer: &Layer, blobs: &[Blob]) -> (Vec<String>, Rank) {
    let rank = if blobs.iter().any(|b| b.rank == Rank::Image) {
        Rank::Image
    } else {
        Rank::Vector
    };
    let values = blobs
        .iter()
        .enumerate()
        .map(|(i, b)| match rank {
            Rank::Image => cv.as_image(b, &format!("{}_in{i}", layer.name)),
            Rank::Vector => b.value.clone(),
        })
        .collect();
    (values, rank)
}

/// Eltwise: 0=op_type (0 product, 1 sum, 2 max), 1=coeffs (sum only).
pub(crate) fn eltwise(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    if layer.inputs.len() < 2 || layer.outputs.len() != 1 {
        return Err(cv.malformed(layer, "Eltwise needs at least two inputs and one output"));
    }
    let p = cv.params(layer);
    let op = p.int(0, 0)?;
    let coeffs = p.floats(1)?.unwrap_or_default();
    let blobs = (0..layer.inputs.len())
        .map(|i| cv.input(layer, i))
        .collect::<Result<Vec<_>, _>>()?;
    let (mut values, rank) = aligned(cv, layer, &blobs);
    let out = Converter::out_name(layer, 0);
    let y = match op {
        0 => {
            let mut acc = values[0].clone();
            for (i, v) in values.iter().enumerate().skip(1) {
                let hint = if i + 1 == values.len() {
                    out.clone()
                } else {
                    format!("{}_prod{i}", layer.name)
                };
                acc = cv.g.node("Mul", &[&acc, v], &[], &hint);
            }
            acc
        }
        1 => {
            if !coeffs.is_empty() {
                if coeffs.len() != values.len() {
                    return Err(p.err(&format!(
                        "1=coeffs has {} values for {} inputs",
                        coeffs.len(),
                        values.len()
                    )));
                }
                for (i, (v, &c)) in values.iter_mut().zip(&coeffs).enumerate() {
                    if c != 1.0 {
                        let k =
                            cv.g.const_f32(&format!("{}_coeff{i}", layer.name), &[], &[c]);
                        *v =
                            cv.g.node("Mul", &[v, &k], &[], &format!("{}_scaled{i}", layer.name));
                    }
                }
            }
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            cv.g.node("Sum", &refs, &[], &out)
        }
        2 => {
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            cv.g.node("Max", &refs, &[], &out)
        }
        _ => return Err(cv.unsupported_param(layer, &format!("0=op_type {op}"))),
    };
    cv.set_output(layer, 0, y, rank);
    Ok(())
}

/// BinaryOp: 0=op_type (0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 pow,
/// 7 rsub, 8 rdiv, 9 rpow), 1=with_scalar, 2=b (the scalar).
pub(crate) fn binary_op(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    let p = cv.params(layer);
    let op = p.int(0, 0)?;
    let with_scalar = p.int(1, 0)? != 0;
    let b = p.float(2, 0.0)?;
    let (onnx_op, reversed) = match op {
        0 => ("Add", false),
        1 => ("Sub", false),
        2 => ("Mul", false),
        3 => ("Div", false),
        4 => ("Max", false),
        5 => ("Min", false),
        6 => ("Pow", false),
        7 => ("Sub", true),
        8 => ("Div", true),
        9 => ("Pow", true),
        _ => return Err(cv.unsupported_param(layer, &format!("0=op_type {op}"))),
    };
    let (a, b, rank) = if with_scalar {
        cv.check_io(layer, 1, 1)?;
        let a = cv.input(layer, 0)?;
        let b = cv.g.const_f32(&format!("{}_b", layer.name), &[], &[b]);
        (a.value, b, a.rank)
    } else {
        cv.check_io(layer, 2, 1)?;
        let blobs = [cv.input(layer, 0)?, cv.input(layer, 1)?];
        let (values, rank) = aligned(cv, layer, &blobs);
        (values[0].clone(), values[1].clone(), rank)
    };
    let (lhs, rhs) = if reversed { (&b, &a) } else { (&a, &b) };
    let out = Converter::out_name(layer, 0);
    let y = cv.g.node(onnx_op, &[lhs, rhs], &[], &out);
    cv.set_output(layer, 0, y, rank);
    Ok(())
}

/// Scale: 0=scale_data_size (-233 = multiply by the second input blob),
/// 1=bias_term. Scales (and biases) are per channel.
pub(crate) fn scale(cv: &mut Converter, layer: &Layer) -> Result<(), ImportError> {
    let p = cv.params(layer);
    let size = p.int(0, 0)?;
    let bias_term = p.int(1, 0)? != 0;
    let out = Converter::out_name(layer, 0);
    if size == -233 {
        cv.check_io(layer, 2, 1)?;
        if bias_term {
            return Err(cv.unsupported_param(layer, "0=-233 and 1=bias_term"));
        }
        let blobs = [cv.input(layer, 0)?, cv.input(layer, 1)?];
        let (values, rank) = aligned(cv, layer, &blobs);
        let y = cv.g.node("Mul", &[&values[0], &values[1]], &[], &out);
        cv.set_output(layer, 0, y, rank);
        return Ok(());
    }
    cv.check_io(layer, 1, 1)?;
    if size <= 0 {
        return Err(p.err(&format!("0=scale_data_size must be positive, found {size}")));
    }
    let x = cv.input(layer, 0)?;
    let dims: Vec<i64> = match x.rank {
        Rank::Image => vec![size as i64, 1, 1],
        Rank::Vector => vec![size as i64],
    };
    let s = cv.weights.raw(size as usize)?;
    let s = cv.g.const_f32(&format!("{}_scale", layer.name), &dims, &s);
    let y = if bias_term {
        let bias = cv.weights.raw(size as usize)?;
        let bias =
            cv.g.const_f32(&format!("{}_bias", layer.name), &dims, &bias);
        let m =
            cv.g.node("Mul", &[&x.value, &s], &[], &format!("{}_mul", layer.name));
        cv.g.node("Add", &[&m, &bias], &[], &out)
    } else {
        cv.g.node("Mul", &[&x.value, &s], &[], &out)
    };
    cv.set_output(layer, 0, y, x.rank);
    Ok(())
}
