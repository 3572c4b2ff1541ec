//! A stack of float image planes (channels × height × width), the
//! activation format of the native engine (ONNX NCHW with batch 1).

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
    /// Planes over `data`; panics if the length does not match.
    pub fn new(channels: usize, width: usize, height: usize, data: Vec<f32>) -> Planes {
        assert_eq!(data.len(), channels * width * height, "plane data length");
        Planes {
            channels,
            width,
            height,
            data,
        }
    }

    /// Planes of zeros.
    pub fn zeros(channels: usize, width: usize, height: usize) -> Planes {
        Planes::new(
            channels,
            width,
            height,
            vec![0.0; channels * width * height],
        )
    }

    /// The values of plane `c`.
    pub fn plane(&self, c: usize) -> &[f32] {
        let n = self.width * self.height;
        &self.data[c * n..(c + 1) * n]
    }

    /// The values of plane `c`, mutable.
    pub fn plane_mut(&mut self, c: usize) -> &mut [f32] {
        let n = self.width * self.height;
        &mut self.data[c * n..(c + 1) * n]
    }
}
