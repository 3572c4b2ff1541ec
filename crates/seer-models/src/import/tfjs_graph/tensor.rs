//! Constant tensors known at import time and the small n-dimensional array
//! helpers used to fold shape arithmetic and to rearrange weights.

use seer_onnx::proto::TensorProto;
use seer_onnx::{tensor_f32, tensor_i64, DataType};

/// Element kinds the importer distinguishes. TF integer types (int32, int64…)
/// are all `Int` and become ONNX int64; float types become ONNX float32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DType {
    Float,
    Int,
    Bool,
}

impl DType {
    /// The ONNX element type used for this kind.
    pub fn onnx(self) -> DataType {
        match self {
            DType::Float => DataType::Float,
            DType::Int => DataType::Int64,
            DType::Bool => DataType::Bool,
        }
    }

    /// Maps a TF `DT_*` name; `None` for types seer does not handle (strings…).
    pub fn from_tf(name: &str) -> Option<DType> {
        match name {
            "DT_FLOAT" | "DT_HALF" | "DT_DOUBLE" | "DT_BFLOAT16" => Some(DType::Float),
            "DT_INT32" | "DT_INT64" | "DT_INT8" | "DT_INT16" | "DT_UINT8" | "DT_UINT16"
            | "DT_UINT32" | "DT_UINT64" => Some(DType::Int),
            "DT_BOOL" => Some(DType::Bool),
            _ => None,
        }
    }
}

/// Values of a constant tensor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Data {
    F32(Vec<f32>),
    I64(Vec<i64>),
    Bool(Vec<bool>),
}

/// Applies a generic expression to the vector inside a `Data`, keeping the variant.
macro_rules! map_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            Data::F32($v) => Data::F32($body),
            Data::I64($v) => Data::I64($body),
            Data::Bool($v) => Data::Bool($body),
        }
    };
}
pub(crate) use map_data;

/// A tensor whose values are known while importing.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConstTensor {
    pub shape: Vec<usize>,
    pub data: Data,
}

impl ConstTensor {
    /// A float tensor.
    pub fn f32(shape: Vec<usize>, values: Vec<f32>) -> ConstTensor {
        ConstTensor {
            shape,
            data: Data::F32(values),
        }
    }

    /// An integer tensor.
    pub fn i64(shape: Vec<usize>, values: Vec<i64>) -> ConstTensor {
        ConstTensor {
            shape,
            data: Data::I64(values),
        }
    }

    /// The element kind.
    pub fn dtype(&self) -> DType {
        match self.data {
            Data::F32(_) => DType::Float,
            Data::I64(_) => DType::Int,
            Data::Bool(_) => DType::Bool,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match &self.data {
            Data::F32(v) => v.len(),
            Data::I64(v) => v.len(),
            Data::Bool(v) => v.len(),
        }
    }

    /// Values as floats.
    pub fn to_f32(&self) -> Vec<f32> {
        match &self.data {
            Data::F32(v) => v.clone(),
            Data::I64(v) => v.iter().map(|&x| x as f32).collect(),
            Data::Bool(v) => v.iter().map(|&x| x as u8 as f32).collect(),
        }
    }

    /// Values as integers (floats truncated toward zero).
    pub fn to_i64(&self) -> Vec<i64> {
        match &self.data {
            Data::F32(v) => v.iter().map(|&x| x as i64).collect(),
            Data::I64(v) => v.clone(),
            Data::Bool(v) => v.iter().map(|&x| x as i64).collect(),
        }
    }

    /// Values as booleans (non-zero is true).
    pub fn to_bool(&self) -> Vec<bool> {
        match &self.data {
            Data::F32(v) => v.iter().map(|&x| x != 0.0).collect(),
            Data::I64(v) => v.iter().map(|&x| x != 0).collect(),
            Data::Bool(v) => v.clone(),
        }
    }

    /// Converts to another element kind (TF `Cast` semantics).
    pub fn cast(&self, to: DType) -> ConstTensor {
        let data = match to {
            DType::Float => Data::F32(self.to_f32()),
            DType::Int => Data::I64(self.to_i64()),
            DType::Bool => Data::Bool(self.to_bool()),
        };
        ConstTensor {
            shape: self.shape.clone(),
            data,
        }
    }

    /// The same values with another shape (sizes must match).
    pub fn reshaped(&self, shape: Vec<usize>) -> ConstTensor {
        ConstTensor {
            shape,
            data: self.data.clone(),
        }
    }

    /// The ONNX initializer holding these values.
    pub fn to_proto(&self, name: &str) -> TensorProto {
        let dims: Vec<i64> = self.shape.iter().map(|&d| d as i64).collect();
        match &self.data {
            Data::F32(v) => tensor_f32(name, &dims, v),
            Data::I64(v) => tensor_i64(name, &dims, v),
            Data::Bool(v) => TensorProto {
                name: name.to_string(),
                dims,
                data_type: DataType::Bool as i32,
                raw_data: v.iter().map(|&b| b as u8).collect(),
                ..Default::default()
            },
        }
    }
}

/// Row-major strides (in elements) of `shape`.
pub(crate) fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// NumPy broadcasting of two shapes; `None` when incompatible.
pub(crate) fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for (i, o) in out.iter_mut().enumerate() {
        let da = if i + a.len() >= rank {
            a[i + a.len() - rank]
        } else {
            1
        };
        let db = if i + b.len() >= rank {
            b[i + b.len() - rank]
        } else {
            1
        };
        *o = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// Advances a row-major multi-index; false once it wraps around.
fn next_index(idx: &mut [usize], shape: &[usize]) -> bool {
    for d in (0..shape.len()).rev() {
        idx[d] += 1;
        if idx[d] < shape[d] {
            return true;
        }
        idx[d] = 0;
    }
    false
}

/// For each element of `out_shape`, the flat index into a tensor of `shape`
/// broadcast to it.
fn broadcast_index(shape: &[usize], out_shape: &[usize]) -> Vec<usize> {
    let rank = out_shape.len();
    let src_strides = strides(shape);
    let mut eff = vec![0; rank];
    for i in 0..shape.len() {
        let o = rank - shape.len() + i;
        eff[o] = if shape[i] == 1 { 0 } else { src_strides[i] };
    }
    let total: usize = out_shape.iter().product();
    let mut result = Vec::with_capacity(total);
    let mut idx = vec![0usize; rank];
    for _ in 0..total {
        result.push(idx.iter().zip(&eff).map(|(i, s)| i * s).sum());
        next_index(&mut idx, out_shape);
    }
    result
}

/// Repeats `data` of `shape` to `out_shape` (which it must broadcast to).
pub(crate) fn broadcast_to<T: Copy>(shape: &[usize], data: &[T], out_shape: &[usize]) -> Vec<T> {
    broadcast_index(shape, out_shape)
        .into_iter()
        .map(|i| data[i])
        .collect()
}

/// Element-wise binary function with broadcasting; `out_shape` must be the
/// broadcast of both shapes.
pub(crate) fn broadcast_binary<T: Copy, U>(
    a: (&[usize], &[T]),
    b: (&[usize], &[T]),
    out_shape: &[usize],
    f: impl Fn(T, T) -> U,
) -> Vec<U> {
    let ia = broadcast_index(a.0, out_shape);
    let ib = broadcast_index(b.0, out_shape);
    ia.into_iter()
        .zip(ib)
        .map(|(i, j)| f(a.1[i], b.1[j]))
        .collect()
}

/// Permutes axes: output axis `k` is input axis `perm[k]`.
pub(crate) fn permute<T: Copy>(shape: &[usize], data: &[T], perm: &[usize]) -> Vec<T> {
    let in_strides = strides(shape);
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let steps: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
    let total: usize = out_shape.iter().product();
    let mut result = Vec::with_capacity(total);
    let mut idx = vec![0usize; out_shape.len()];
    for _ in 0..total {
        let pos: usize = idx.iter().zip(&steps).map(|(i, s)| i * s).sum();
        result.push(data[pos]);
        next_index(&mut idx, &out_shape);
    }
    result
}

/// A strided window per axis: first index, step (may be negative), length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AxisSlice {
    pub begin: i64,
    pub step: i64,
    pub len: usize,
}

/// Extracts a strided window (one `AxisSlice` per axis).
pub(crate) fn slice<T: Copy>(shape: &[usize], data: &[T], axes: &[AxisSlice]) -> Vec<T> {
    let in_strides = strides(shape);
    let lens: Vec<usize> = axes.iter().map(|a| a.len).collect();
    let total: usize = lens.iter().product();
    let mut result = Vec::with_capacity(total);
    let mut idx = vec![0usize; axes.len()];
    for _ in 0..total {
        let pos: i64 = axes
            .iter()
            .zip(&idx)
            .zip(&in_strides)
            .map(|((a, &i), &s)| (a.begin + a.step * i as i64) * s as i64)
            .sum();
        result.push(data[pos as usize]);
        next_index(&mut idx, &lens);
    }
    result
}

/// Concatenates tensors along `axis` (all other dimensions equal).
pub(crate) fn concat<T: Copy>(parts: &[(&[usize], &[T])], axis: usize) -> Vec<T> {
    let outer: usize = parts
        .first()
        .map(|(s, _)| s[..axis].iter().product())
        .unwrap_or(0);
    let mut result = Vec::new();
    for o in 0..outer {
        for (shape, data) in parts {
            let block: usize = shape[axis..].iter().product();
            result.extend_from_slice(&data[o * block..(o + 1) * block]);
        }
    }
    result
}

/// Gathers entries of `axis` at `indices` (already non-negative and in range).
pub(crate) fn gather<T: Copy>(
    shape: &[usize],
    data: &[T],
    axis: usize,
    indices: &[usize],
) -> Vec<T> {
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let mut result = Vec::with_capacity(outer * indices.len() * inner);
    for o in 0..outer {
        for &i in indices {
            let start = (o * shape[axis] + i) * inner;
            result.extend_from_slice(&data[start..start + inner]);
        }
    }
    result
}

/// Reduces the given axes with `f`, starting from each group's first element.
/// Returns values in the order of the kept axes. `data` must not be empty.
pub(crate) fn reduce<T: Copy>(
    shape: &[usize],
    data: &[T],
    axes: &[usize],
    f: impl Fn(T, T) -> T,
) -> Vec<T> {
    let kept: Vec<usize> = (0..shape.len()).filter(|a| !axes.contains(a)).collect();
    let mut perm = kept.clone();
    perm.extend_from_slice(axes);
    let moved = permute(shape, data, &perm);
    let group: usize = axes.iter().map(|&a| shape[a]).product();
    let count: usize = kept.iter().map(|&a| shape[a]).product();
    (0..count)
        .map(|i| {
            let chunk = &moved[i * group..(i + 1) * group];
            chunk[1..].iter().fold(chunk[0], |acc, &x| f(acc, x))
        })
        .collect()
}

/// Pads with `value`: `pads[axis] = (before, after)`.
pub(crate) fn pad<T: Copy>(
    shape: &[usize],
    data: &[T],
    pads: &[(usize, usize)],
    value: T,
) -> Vec<T> {
    let out_shape: Vec<usize> = shape
        .iter()
        .zip(pads)
        .map(|(d, (b, a))| d + b + a)
        .collect();
    let total: usize = out_shape.iter().product();
    let in_strides = strides(shape);
    let mut result = Vec::with_capacity(total);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..total {
        let mut pos = Some(0usize);
        for d in 0..shape.len() {
            let i = idx[d];
            if i < pads[d].0 || i >= pads[d].0 + shape[d] {
                pos = None;
                break;
            }
            pos = pos.map(|p| p + (i - pads[d].0) * in_strides[d]);
        }
        result.push(pos.map(|p| data[p]).unwrap_or(value));
        next_index(&mut idx, &out_shape);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_swaps_axes() {
        // [[1,2,3],[4,5,6]] transposed
        assert_eq!(
            permute(&[2, 3], &[1, 2, 3, 4, 5, 6], &[1, 0]),
            vec![1, 4, 2, 5, 3, 6]
        );
    }

    #[test]
    fn broadcast_binary_adds_rows() {
        let out = broadcast_binary(
            (&[2, 2], &[1, 2, 3, 4]),
            (&[2], &[10, 20]),
            &[2, 2],
            |a, b| a + b,
        );
        assert_eq!(out, vec![11, 22, 13, 24]);
        assert_eq!(broadcast_shape(&[2, 1, 3], &[4, 1]), Some(vec![2, 4, 3]));
        assert_eq!(broadcast_shape(&[2], &[3]), None);
    }

    #[test]
    fn slice_with_negative_step_reverses() {
        let axes = [AxisSlice {
            begin: 3,
            step: -2,
            len: 2,
        }];
        assert_eq!(slice(&[4], &[1, 2, 3, 4], &axes), vec![4, 2]);
    }

    #[test]
    fn concat_gather_reduce_pad() {
        assert_eq!(
            concat(&[(&[2, 1], &[1, 2]), (&[2, 2], &[3, 4, 5, 6])], 1),
            vec![1, 3, 4, 2, 5, 6]
        );
        assert_eq!(
            gather(&[3, 2], &[1, 2, 3, 4, 5, 6], 0, &[2, 0]),
            vec![5, 6, 1, 2]
        );
        assert_eq!(
            reduce(&[2, 3], &[1, 2, 3, 4, 5, 6], &[0], |a, b| a + b),
            vec![5, 7, 9]
        );
        assert_eq!(
            reduce(&[2, 3], &[1, 2, 3, 4, 5, 6], &[1], |a, b| a * b),
            vec![6, 120]
        );
        assert_eq!(pad(&[2], &[1, 2], &[(1, 2)], 0), vec![0, 1, 2, 0, 0]);
    }
}
