//! Pixel-major activations with channels padded to whole groups of eight
//! (`[y][x][channels rounded up to 8]`): one AVX register holds eight
//! channels of one pixel, and all of a pixel's channels are adjacent, so
//! the Winograd layers read and write whole cache lines. The Winograd
//! layers read and write this format.

use super::planes::Planes;
use super::pool::BufferPool;

/// Channels per block (one AVX register of f32).
pub(crate) const LANES: usize = 8;

/// Activations in `[height][width][8 · blocks]` order; the channels past
/// `channels` in the last block are zero.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Blocked {
    /// Real channel count.
    pub channels: usize,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `blocks() × height × width × 8` values.
    pub data: Vec<f32>,
}

impl Blocked {
    /// Zeros for `channels` channels of `width`×`height`.
    pub(crate) fn zeros(channels: usize, width: usize, height: usize) -> Blocked {
        let blocks = channels.div_ceil(LANES);
        Blocked {
            channels,
            width,
            height,
            data: vec![0.0; blocks * height * width * LANES],
        }
    }

    /// Activations of this shape in a buffer from `pool` whose contents
    /// are unspecified: the caller must write every value, padding lanes
    /// included (they must be zero).
    pub(crate) fn unfilled(
        channels: usize,
        width: usize,
        height: usize,
        pool: &BufferPool,
    ) -> Blocked {
        let blocks = channels.div_ceil(LANES);
        Blocked {
            channels,
            width,
            height,
            data: pool.take(blocks * height * width * LANES),
        }
    }

    /// Number of eight-channel blocks.
    pub(crate) fn blocks(&self) -> usize {
        self.channels.div_ceil(LANES)
    }

    /// Index of channel block `b` at pixel (`x`, `y`).
    #[inline(always)]
    pub(crate) fn index(&self, b: usize, x: usize, y: usize) -> usize {
        ((y * self.width + x) * self.blocks() + b) * LANES
    }

    /// Values per pixel (channels rounded up to whole blocks).
    pub(crate) fn pixel_stride(&self) -> usize {
        self.blocks() * LANES
    }

    /// Rearranges planar activations into blocks.
    pub(crate) fn from_planes(planes: &Planes) -> Blocked {
        let mut out = Blocked::zeros(planes.channels, planes.width, planes.height);
        let stride = out.pixel_stride();
        for c in 0..planes.channels {
            for (p, v) in planes.plane(c).iter().enumerate() {
                out.data[p * stride + c] = *v;
            }
        }
        out
    }

    /// Rearranges blocks back into planes.
    pub(crate) fn to_planes(&self) -> Planes {
        let mut out = Planes::zeros(self.channels, self.width, self.height);
        let stride = self.pixel_stride();
        for c in 0..self.channels {
            for (p, v) in out.plane_mut(c).iter_mut().enumerate() {
                *v = self.data[p * stride + c];
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_round_trip_through_blocks() {
        let data: Vec<f32> = (0..11 * 3 * 2).map(|v| v as f32).collect();
        let planes = Planes::of(11, 3, 2, data);
        let blocked = Blocked::from_planes(&planes);
        assert_eq!(blocked.blocks(), 2);
        // Channel 9 of pixel (1, 0) sits in block 1, lane 1, right after
        // that pixel's first eight channels.
        assert_eq!(blocked.index(1, 1, 0), 16 + 8);
        assert_eq!(blocked.data[blocked.index(1, 1, 0) + 1], planes.plane(9)[1]);
        // Padding channels are zero.
        assert_eq!(blocked.data[blocked.index(1, 0, 0) + 5], 0.0);
        assert_eq!(blocked.to_planes(), planes);
    }
}
