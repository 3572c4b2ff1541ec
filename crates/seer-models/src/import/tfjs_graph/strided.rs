//! TF `StridedSlice` semantics (masks, ellipsis, new and shrunk axes)
//! resolved against a static input shape.

use super::tensor::AxisSlice;

/// The five bit masks of a `StridedSlice` node.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Masks {
    pub begin: i64,
    pub end: i64,
    pub ellipsis: i64,
    pub new_axis: i64,
    pub shrink: i64,
}

/// A resolved slice: one window per input axis and the final output shape
/// (shrunk axes removed, new axes inserted).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    pub axes: Vec<AxisSlice>,
    pub out_shape: Vec<usize>,
}

fn bit(mask: i64, i: usize) -> bool {
    i < 63 && (mask >> i) & 1 == 1
}

/// Resolves `begin`/`end`/`strides` (one entry per sparse slice spec) for an
/// input of `shape`; an error text describes an invalid spec.
pub(crate) fn plan(
    shape: &[usize],
    begin: &[i64],
    end: &[i64],
    strides: &[i64],
    m: Masks,
) -> Result<Plan, String> {
    let n = begin.len();
    if end.len() != n || strides.len() != n {
        return Err(format!(
            "begin/end/strides have different lengths ({}, {}, {})",
            n,
            end.len(),
            strides.len()
        ));
    }
    let rank = shape.len();
    let consumed = (0..n)
        .filter(|&i| !bit(m.ellipsis, i) && !bit(m.new_axis, i))
        .count();
    let mut axes = Vec::with_capacity(rank);
    let mut out_shape = Vec::new();
    let mut dim = 0usize;
    let mut seen_ellipsis = false;
    let full = |d: usize| AxisSlice {
        begin: 0,
        step: 1,
        len: d,
    };
    for i in 0..n {
        if bit(m.ellipsis, i) && !seen_ellipsis {
            seen_ellipsis = true;
            let covered = rank.checked_sub(consumed).ok_or_else(|| {
                format!("slice has {consumed} axes but the input has rank {rank}")
            })?;
            for _ in 0..covered {
                axes.push(full(shape[dim]));
                out_shape.push(shape[dim]);
                dim += 1;
            }
            continue;
        }
        if bit(m.new_axis, i) {
            out_shape.push(1);
            continue;
        }
        if dim >= rank {
            return Err(format!("slice has more axes than the input rank {rank}"));
        }
        let size = shape[dim] as i64;
        let stride = strides[i];
        if stride == 0 {
            return Err("stride 0".to_string());
        }
        if bit(m.shrink, i) {
            let idx = if begin[i] < 0 {
                begin[i] + size
            } else {
                begin[i]
            };
            if idx < 0 || idx >= size {
                return Err(format!(
                    "index {} is out of range for size {size}",
                    begin[i]
                ));
            }
            axes.push(AxisSlice {
                begin: idx,
                step: 1,
                len: 1,
            });
        } else {
            let w = window(
                size,
                begin[i],
                end[i],
                stride,
                bit(m.begin, i),
                bit(m.end, i),
            );
            out_shape.push(w.len);
            axes.push(w);
        }
        dim += 1;
    }
    while dim < rank {
        axes.push(full(shape[dim]));
        out_shape.push(shape[dim]);
        dim += 1;
    }
    Ok(Plan { axes, out_shape })
}

/// Python-style slice bounds for one axis of `size`.
fn window(
    size: i64,
    begin: i64,
    end: i64,
    stride: i64,
    begin_all: bool,
    end_all: bool,
) -> AxisSlice {
    let norm = |x: i64| if x < 0 { x + size } else { x };
    let (b, e) = if stride > 0 {
        let b = if begin_all {
            0
        } else {
            norm(begin).clamp(0, size)
        };
        let e = if end_all {
            size
        } else {
            norm(end).clamp(0, size)
        };
        (b, e)
    } else {
        let b = if begin_all {
            size - 1
        } else {
            norm(begin).clamp(-1, size - 1)
        };
        let e = if end_all {
            -1
        } else {
            norm(end).clamp(-1, size - 1)
        };
        (b, e)
    };
    let span = if stride > 0 { e - b } else { b - e };
    let step = stride.abs();
    let len = if span <= 0 {
        0
    } else {
        (span + step - 1) / step
    };
    AxisSlice {
        begin: if len == 0 { 0 } else { b },
        step: stride,
        len: len as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ax(begin: i64, step: i64, len: usize) -> AxisSlice {
        AxisSlice { begin, step, len }
    }

    #[test]
    fn shrink_takes_one_index_and_drops_the_axis() {
        // x[1] on shape [4, 3]: shrink axis 0.
        let m = Masks {
            shrink: 1,
            ..Default::default()
        };
        let p = plan(&[4, 3], &[1], &[2], &[1], m).unwrap();
        assert_eq!(p.axes, vec![ax(1, 1, 1), ax(0, 1, 3)]);
        assert_eq!(p.out_shape, vec![3]);
    }

    #[test]
    fn masks_ellipsis_and_new_axis() {
        // x[..., ::-2, None] on [2, 5]
        let m = Masks {
            ellipsis: 1,
            new_axis: 4,
            begin: 2,
            end: 2,
            ..Default::default()
        };
        let p = plan(&[2, 5], &[0, 0, 0], &[0, 0, 0], &[1, -2, 1], m).unwrap();
        assert_eq!(p.axes, vec![ax(0, 1, 2), ax(4, -2, 3)]);
        assert_eq!(p.out_shape, vec![2, 3, 1]);
    }

    #[test]
    fn bounds_are_clamped_and_negative_indices_count_from_the_end() {
        let p = plan(&[10], &[-3], &[100], &[1], Masks::default()).unwrap();
        assert_eq!(p.axes, vec![ax(7, 1, 3)]);
        let p = plan(&[10], &[5], &[2], &[1], Masks::default()).unwrap();
        assert_eq!(p.out_shape, vec![0]);
        let shrink = Masks {
            shrink: 1,
            ..Default::default()
        };
        assert!(plan(&[3], &[5], &[6], &[1], shrink).is_err());
    }
}
