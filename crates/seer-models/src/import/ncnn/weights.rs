//! Reading the `.bin` weight file: blobs stored one after another in layer
//! order, little-endian.
//!
//! Convolution, ConvolutionDepthWise, Deconvolution and InnerProduct weight
//! blobs start with a 4-byte tag: `0x01306B47` = float16 payload, `0` =
//! float32, `0x0002C056` = float32, `0x000D4B38` = int8 (not supported),
//! anything else = a 256-entry float32 table followed by one uint8 index per
//! value. Every other blob (biases, slopes, scales) is raw float32. Each
//! blob's payload is padded to a multiple of 4 bytes.

use crate::import::ImportError;
use std::path::Path;

const TAG_FLOAT16: u32 = 0x0130_6B47;
const TAG_INT8: u32 = 0x000D_4B38;
const TAG_FLOAT32_SCALED: u32 = 0x0002_C056;
const TABLE_LEN: usize = 256;

/// Sequential reader over the bytes of a `.bin` file.
pub(crate) struct WeightReader<'a> {
    data: &'a [u8],
    pos: usize,
    model: &'a Path,
    bin: &'a Path,
}

impl<'a> WeightReader<'a> {
    /// A reader at the start of `data`, the contents of `bin`; errors name
    /// `model` (the `.param` file) and `bin`.
    pub(crate) fn new(data: &'a [u8], model: &'a Path, bin: &'a Path) -> Self {
        WeightReader {
            data,
            pos: 0,
            model,
            bin,
        }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Reads `n` values of a tagged weight blob (float32, float16 or
    /// table-quantized) belonging to `layer`.
    pub(crate) fn tagged(&mut self, n: usize, layer: &str) -> Result<Vec<f32>, ImportError> {
        let tag = u32::from_le_bytes(self.take(4)?.try_into().unwrap_or([0; 4]));
        match tag {
            0 | TAG_FLOAT32_SCALED => self.raw(n),
            TAG_FLOAT16 => {
                let bytes = self.take(align4(n.saturating_mul(2)))?;
                Ok(bytes[..n * 2]
                    .chunks_exact(2)
                    .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                    .collect())
            }
            TAG_INT8 => Err(ImportError::UnsupportedOp {
                model: self.model.to_path_buf(),
                kind: "weight encoding",
                op: "int8".to_string(),
                node: layer.to_string(),
            }),
            _ => {
                let table = self.raw(TABLE_LEN)?;
                let indices = self.take(align4(n))?;
                Ok(indices[..n].iter().map(|&i| table[i as usize]).collect())
            }
        }
    }

    /// Reads `n` raw float32 values.
    pub(crate) fn raw(&mut self, n: usize) -> Result<Vec<f32>, ImportError> {
        let bytes = self.take(n.saturating_mul(4))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], ImportError> {
        // Sizes come from the model's parameters: saturate instead of
        // wrapping, so an absurd size is reported as truncated data.
        let end = self.pos.saturating_add(len);
        if end > self.data.len() {
            return Err(ImportError::Truncated {
                model: self.model.to_path_buf(),
                file: self.bin.to_path_buf(),
                needed: end as u64,
                got: self.data.len() as u64,
            });
        }
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }
}

fn align4(len: usize) -> usize {
    len.div_ceil(4).saturating_mul(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(data: &[u8]) -> WeightReader<'_> {
        WeightReader::new(data, Path::new("m.param"), Path::new("m.bin"))
    }

    #[test]
    fn reads_mixed_float16_float32_and_table_blobs() {
        let mut bytes = Vec::new();
        bytes.extend(TAG_FLOAT16.to_le_bytes());
        for v in [1.5f32, -2.0, 0.25] {
            bytes.extend(half::f16::from_f32(v).to_le_bytes());
        }
        bytes.extend([0, 0]); // padding to 4 bytes
        bytes.extend(0u32.to_le_bytes());
        bytes.extend(3.0f32.to_le_bytes());
        bytes.extend(7u32.to_le_bytes()); // any other tag: quantized table
        for i in 0..TABLE_LEN {
            bytes.extend((i as f32 * 0.5).to_le_bytes());
        }
        bytes.extend([4, 2, 0, 0]);
        bytes.extend(9.0f32.to_le_bytes());
        let mut r = reader(&bytes);
        assert_eq!(r.tagged(3, "a").unwrap(), vec![1.5, -2.0, 0.25]);
        assert_eq!(r.tagged(1, "b").unwrap(), vec![3.0]);
        assert_eq!(r.tagged(2, "c").unwrap(), vec![2.0, 1.0]);
        assert_eq!(r.raw(1).unwrap(), vec![9.0]);
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn absurd_blob_sizes_are_truncated_not_wrapped() {
        let bytes = [0u8; 16];
        for n in [usize::MAX, usize::MAX / 2, usize::MAX / 4 + 1] {
            let err = reader(&bytes).tagged(n, "a").unwrap_err();
            assert!(matches!(err, ImportError::Truncated { .. }), "{err}");
        }
        let mut half = TAG_FLOAT16.to_le_bytes().to_vec();
        half.extend([0u8; 8]);
        let err = reader(&half).tagged(usize::MAX / 2 + 1, "b").unwrap_err();
        assert!(matches!(err, ImportError::Truncated { .. }), "{err}");
    }

    #[test]
    fn short_file_is_truncated() {
        let bytes = [0u8; 4 + 8];
        let err = reader(&bytes).tagged(3, "a").unwrap_err();
        match err {
            ImportError::Truncated { needed, got, .. } => {
                assert_eq!((needed, got), (16, 12));
            }
            other => panic!("{other}"),
        }
    }
}
