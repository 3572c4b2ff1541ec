//! The squeeze-and-excitation pieces of Real-CUGAN and waifu2x CUNet:
//! global average pooling to one value per channel, small fully connected
//! layers on that vector, and scaling each channel by the result.

use super::blocked::Blocked;

/// The mean of every channel over all pixels.
pub(crate) fn global_average(input: &Blocked) -> Vec<f32> {
    let stride = input.pixel_stride();
    let mut sums = vec![0.0f64; input.channels];
    for pixel in input.data.chunks_exact(stride) {
        for (s, v) in sums.iter_mut().zip(pixel) {
            *s += f64::from(*v);
        }
    }
    let n = (input.width * input.height).max(1) as f64;
    sums.iter().map(|s| (s / n) as f32).collect()
}

/// ONNX Gemm with transB = 1, alpha = beta = 1 on one vector: `weights`
/// are `[outputs][inputs]`.
#[derive(Clone, Debug)]
pub(crate) struct Dense {
    /// Length of the input vector.
    pub inputs: usize,
    /// `[outputs][inputs]`.
    pub weights: Vec<f32>,
    /// One per output.
    pub bias: Vec<f32>,
}

impl Dense {
    /// `weights · x + bias` (`x` has `inputs` values, checked before a run).
    pub(crate) fn run(&self, x: &[f32]) -> Vec<f32> {
        self.weights
            .chunks_exact(self.inputs.max(1))
            .zip(&self.bias)
            .map(|(row, b)| row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + b)
            .collect()
    }
}

/// Multiplies every pixel's channel `c` by `scale[c]`, on `threads` threads.
pub(crate) fn scale_channels(input: &mut Blocked, scale: &[f32], threads: usize) {
    let stride = input.pixel_stride();
    super::parallel::for_each_part(&mut input.data, stride, threads, |_, part| {
        for pixel in part.chunks_exact_mut(stride) {
            for (v, s) in pixel.iter_mut().zip(scale) {
                *v *= s;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planes::Planes;

    #[test]
    fn pooling_dense_and_scaling_by_hand() {
        let planes = Planes::of(2, 2, 1, vec![1.0, 3.0, 10.0, 20.0]);
        let mut blocked = Blocked::from_planes(&planes);
        assert_eq!(global_average(&blocked), vec![2.0, 15.0]);
        let dense = Dense {
            inputs: 2,
            weights: vec![1.0, 0.5, 0.0, 2.0],
            bias: vec![1.0, -1.0],
        };
        assert_eq!(dense.run(&[2.0, 4.0]), vec![5.0, 7.0]);
        scale_channels(&mut blocked, &[2.0, 0.5], 2);
        assert_eq!(blocked.to_planes().data, vec![2.0, 6.0, 5.0, 10.0]);
    }
}
