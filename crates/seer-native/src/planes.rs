//! A stack of float image planes (channels × height × width), the
//! activation format of the native engine (ONNX NCHW with batch 1).

use crate::NativeError;

/// `channels` planes of `height` rows of `width` values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Planes {
    /// Number of planes.
    pub channels: usize,
    /// Plane width in pixels.
    pub width: usize,
    /// Plane height in pixels.
    pub height: usize,
    /// `channels × height × width` values.
    pub data: Vec<f32>,
}

impl Planes {
    /// Planes over `data` (`channels × height × width` values, row-major);
    /// an error if the length does not match.
    pub fn new(
        channels: usize,
        width: usize,
        height: usize,
        data: Vec<f32>,
    ) -> Result<Planes, NativeError> {
        let expected = channels
            .checked_mul(width)
            .and_then(|n| n.checked_mul(height));
        if expected != Some(data.len()) {
            return Err(NativeError::Input {
                detail: format!(
                    "{} values for {channels} planes of {width}x{height} pixels",
                    data.len()
                ),
            });
        }
        Ok(Planes {
            channels,
            width,
            height,
            data,
        })
    }

    /// Planes over `data`, which must have the right length (tests).
    #[cfg(test)]
    pub(crate) fn of(channels: usize, width: usize, height: usize, data: Vec<f32>) -> Planes {
        Planes::new(channels, width, height, data).expect("test data of the right length")
    }

    /// Planes of zeros.
    pub(crate) fn zeros(channels: usize, width: usize, height: usize) -> Planes {
        Planes {
            channels,
            width,
            height,
            data: vec![0.0; channels * width * height],
        }
    }

    /// The values of plane `c`.
    pub(crate) fn plane(&self, c: usize) -> &[f32] {
        let n = self.width * self.height;
        &self.data[c * n..(c + 1) * n]
    }

    /// The values of plane `c`, mutable.
    pub(crate) fn plane_mut(&mut self, c: usize) -> &mut [f32] {
        let n = self.width * self.height;
        &mut self.data[c * n..(c + 1) * n]
    }
}
