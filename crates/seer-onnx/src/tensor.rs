//! Reading the values of constant tensors (initializers), whether stored
//! in the typed fields or as little-endian `raw_data`.

use crate::proto::{DataType, TensorProto};

/// The values of a float32 tensor; `None` for another type or a raw
/// buffer whose length is not a whole number of values.
pub fn floats(t: &TensorProto) -> Option<Vec<f32>> {
    if t.data_type != DataType::Float as i32 {
        return None;
    }
    if !t.float_data.is_empty() {
        return Some(t.float_data.clone());
    }
    raw_values::<4, f32>(&t.raw_data, f32::from_le_bytes)
}

/// The values of an int64 tensor; `None` for another type or a raw buffer
/// whose length is not a whole number of values.
pub fn ints(t: &TensorProto) -> Option<Vec<i64>> {
    if t.data_type != DataType::Int64 as i32 {
        return None;
    }
    if !t.int64_data.is_empty() {
        return Some(t.int64_data.clone());
    }
    raw_values::<8, i64>(&t.raw_data, i64::from_le_bytes)
}

/// The values of a float32, int32 or int64 tensor as `f64` (for shape
/// arithmetic); `None` for other types.
pub fn numbers(t: &TensorProto) -> Option<Vec<f64>> {
    if !t.float_data.is_empty() {
        return Some(t.float_data.iter().map(|&v| f64::from(v)).collect());
    }
    if !t.int64_data.is_empty() {
        return Some(t.int64_data.iter().map(|&v| v as f64).collect());
    }
    if !t.int32_data.is_empty() {
        return Some(t.int32_data.iter().map(|&v| f64::from(v)).collect());
    }
    let raw = &t.raw_data;
    match t.data_type {
        x if x == DataType::Float as i32 => raw_values::<4, f32>(raw, f32::from_le_bytes)
            .map(|v| v.into_iter().map(f64::from).collect()),
        x if x == DataType::Int32 as i32 => raw_values::<4, i32>(raw, i32::from_le_bytes)
            .map(|v| v.into_iter().map(f64::from).collect()),
        x if x == DataType::Int64 as i32 => raw_values::<8, i64>(raw, i64::from_le_bytes)
            .map(|v| v.into_iter().map(|x| x as f64).collect()),
        _ => None,
    }
}

/// `raw` read as little-endian values of `N` bytes each.
fn raw_values<const N: usize, T>(raw: &[u8], from: fn([u8; N]) -> T) -> Option<Vec<T>> {
    if !raw.len().is_multiple_of(N) {
        return None;
    }
    raw.chunks_exact(N)
        .map(|b| b.try_into().ok().map(from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{tensor_f32, tensor_i32, tensor_i64};

    #[test]
    fn typed_and_raw_values_read_alike() {
        let raw = tensor_f32("f", &[2], &[1.5, -2.0]);
        assert_eq!(floats(&raw), Some(vec![1.5, -2.0]));
        let mut typed = raw.clone();
        typed.raw_data.clear();
        typed.float_data = vec![1.5, -2.0];
        assert_eq!(floats(&typed), Some(vec![1.5, -2.0]));
        let mut partial = raw.clone();
        partial.raw_data.pop();
        assert_eq!(floats(&partial), None, "a partial value is refused");
        let i = tensor_i64("i", &[2], &[3, -4]);
        assert_eq!(ints(&i), Some(vec![3, -4]));
        assert_eq!(floats(&i), None, "wrong type");
        assert_eq!(numbers(&tensor_i32("j", &[1], &[7])), Some(vec![7.0]));
    }
}
