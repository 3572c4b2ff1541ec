//! The native engine's layers other than the 3×3 convolution: transposed
//! convolution, depth-to-space, the nearest-neighbour input residual and
//! the bicubic resize some ×4 networks end with.

use super::blocked::{Blocked, LANES};
use super::planes::Planes;
use super::pool::BufferPool;
use crate::NativeError;

/// ONNX ConvTranspose (group 1, dilation 1): `weights` are
/// `[cin][cout][kh][kw]`, `stride` pixels, `pads` = (top, left, bottom,
/// right) pixels removed from the full output.
#[derive(Clone, Debug)]
pub(crate) struct Deconv {
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
    /// Kernel height and width in pixels.
    pub kernel: (usize, usize),
    /// Step between input pixels in the output, pixels.
    pub stride: usize,
    /// Pixels removed from the full output: top, left, bottom, right.
    pub pads: [usize; 4],
    /// `[cin][cout][kh][kw]`.
    pub weights: Vec<f32>,
    /// One per output channel.
    pub bias: Vec<f32>,
}

impl Deconv {
    /// Output width and height for a `width`×`height` input, or `None`
    /// when the padding removes everything.
    pub(crate) fn output_size(&self, width: usize, height: usize) -> Option<(usize, usize)> {
        let (kh, kw) = self.kernel;
        let full = |n: usize, k: usize| n.checked_sub(1)?.checked_mul(self.stride)?.checked_add(k);
        let ow = full(width, kw)?.checked_sub(self.pads[1].checked_add(self.pads[3])?)?;
        let oh = full(height, kh)?.checked_sub(self.pads[0].checked_add(self.pads[2])?)?;
        (ow > 0 && oh > 0).then_some((ow, oh))
    }

    /// Runs the layer: one matrix product (every input pixel's
    /// contributions to its kh×kw output neighbourhood), then a scatter-add.
    pub(crate) fn run(&self, input: &Planes, threads: usize) -> Planes {
        // Checked for every layer before a run (`shapes::walk`).
        debug_assert_eq!(input.channels, self.cin, "input channel count");
        let (kh, kw) = self.kernel;
        let rows = self.cout * kh * kw;
        let pixels = input.width * input.height;
        let (ow, oh) = self
            .output_size(input.width, input.height)
            .unwrap_or((0, 0));
        let mut out = Planes::zeros(self.cout, ow, oh);
        if ow == 0 || oh == 0 {
            return out;
        }
        // contributions[pixel][row], row = (co, ky, kx).
        let mut contributions = vec![0.0f32; pixels * rows];
        let per_thread = pixels.div_ceil(threads.max(1));
        std::thread::scope(|scope| {
            for (part, chunk) in contributions.chunks_mut(per_thread * rows).enumerate() {
                let first = part * per_thread;
                let count = chunk.len() / rows;
                let weights = &self.weights;
                let data = &input.data;
                scope.spawn(move || {
                    // C (rows × count, column-major) = Wᵀ (rows × cin) · X (cin × count).
                    // SAFETY: W is cin × rows row-major, so Wᵀ has row stride 1
                    // and column stride rows; X's columns first..first+count
                    // have row stride `pixels`; C is count columns of `rows`.
                    unsafe {
                        matrixmultiply::sgemm(
                            rows,
                            self.cin,
                            count,
                            1.0,
                            weights.as_ptr(),
                            1,
                            rows as isize,
                            data.as_ptr().add(first),
                            pixels as isize,
                            1,
                            0.0,
                            chunk.as_mut_ptr(),
                            1,
                            rows as isize,
                        );
                    }
                });
            }
        });
        self.scatter(
            &contributions,
            rows,
            input.width,
            input.height,
            &mut out,
            threads,
        );
        out
    }
}

impl Deconv {
    /// Runs the layer on channel-blocked input (the usual case after a
    /// Winograd convolution) without first converting it to planes: each
    /// input pixel's contributions come from an AVX2 kernel that keeps all
    /// of them (`cout × kh × kw` ≤ 64 values) in registers, then they are
    /// scattered into the output. Falls back to [`Deconv::run`] for larger
    /// kernels or CPUs without AVX2/FMA.
    pub(crate) fn run_blocked(&self, input: &Blocked, threads: usize) -> Planes {
        let (kh, kw) = self.kernel;
        let rows = self.cout * kh * kw;
        let vectors = rows.div_ceil(LANES);
        if vectors > MAX_VECTORS || !crate::cpu::Kernel::Avx2.available() {
            return self.run(&input.to_planes(), threads);
        }
        // Checked for every layer before a run (`shapes::walk`).
        debug_assert_eq!(input.channels, self.cin, "input channel count");
        let (ow, oh) = self
            .output_size(input.width, input.height)
            .unwrap_or((0, 0));
        let mut out = Planes::zeros(self.cout, ow, oh);
        if ow == 0 || oh == 0 {
            return out;
        }
        // Weights as [cin (padded to blocks)][rows (padded to vectors)].
        let cin_padded = input.blocks() * LANES;
        let stride = vectors * LANES;
        let mut packed = vec![0.0f32; cin_padded * stride];
        for ci in 0..self.cin {
            packed[ci * stride..][..rows].copy_from_slice(&self.weights[ci * rows..][..rows]);
        }
        let pixels = input.width * input.height;
        let mut contributions = vec![0.0f32; pixels * stride];
        let per_thread = pixels.div_ceil(threads.max(1));
        let per_thread = per_thread.next_multiple_of(2);
        std::thread::scope(|scope| {
            for (part, chunk) in contributions.chunks_mut(per_thread * stride).enumerate() {
                let packed = &packed;
                scope.spawn(move || {
                    let first = part * per_thread;
                    for (i, values) in chunk.chunks_mut(2 * stride).enumerate() {
                        #[cfg(target_arch = "x86_64")]
                        // SAFETY: AVX2/FMA were checked; `values` holds one
                        // or two pixels' `stride` floats and `packed`
                        // cin_padded × stride.
                        unsafe {
                            pixel_contributions(input, first + 2 * i, packed, stride, values)
                        };
                    }
                });
            }
        });
        self.scatter(
            &contributions,
            stride,
            input.width,
            input.height,
            &mut out,
            threads,
        );
        out
    }

    /// Adds each input pixel's contributions (`[pixel][co][ky][kx]`, `stride`
    /// values per pixel) into `out` (already holding nothing) plus the bias:
    /// into an uncropped plane first, so the inner loops need no bounds
    /// checks, then cropped by the pads. One thread per output channel.
    fn scatter(
        &self,
        contributions: &[f32],
        stride: usize,
        width: usize,
        height: usize,
        out: &mut Planes,
        threads: usize,
    ) {
        let (kh, kw) = self.kernel;
        let s = self.stride;
        let full_w = (width - 1) * s + kw;
        let full_h = (height - 1) * s + kh;
        let (ow, oh) = (out.width, out.height);
        let planes: Vec<&mut [f32]> = out.data.chunks_mut(ow * oh).collect();
        let per_thread = self.cout.div_ceil(threads.max(1));
        let mut groups: Vec<Vec<(usize, &mut [f32])>> = Vec::new();
        for (co, plane) in planes.into_iter().enumerate() {
            if co % per_thread == 0 {
                groups.push(Vec::new());
            }
            if let Some(group) = groups.last_mut() {
                group.push((co, plane));
            }
        }
        std::thread::scope(|scope| {
            for group in groups {
                scope.spawn(move || {
                    let mut full = vec![0.0f32; full_w * full_h];
                    for (co, plane) in group {
                        full.fill(self.bias[co]);
                        for y in 0..height {
                            for x in 0..width {
                                let c = &contributions[(y * width + x) * stride + co * kh * kw..]
                                    [..kh * kw];
                                let base = y * s * full_w + x * s;
                                for ky in 0..kh {
                                    let row = &mut full[base + ky * full_w..][..kw];
                                    for (dst, v) in row.iter_mut().zip(&c[ky * kw..][..kw]) {
                                        *dst += v;
                                    }
                                }
                            }
                        }
                        for (y, dst) in plane.chunks_mut(ow).enumerate() {
                            let src = (y + self.pads[0]) * full_w + self.pads[1];
                            dst.copy_from_slice(&full[src..src + ow]);
                        }
                    }
                });
            }
        });
    }
}

/// Most output vectors (of eight values) one pixel's contributions may span.
const MAX_VECTORS: usize = 8;

/// Most contributions per input pixel (`cout × kh × kw`) the blocked path
/// of [`Deconv::run_blocked`] keeps in registers.
pub(crate) const MAX_BLOCKED_ROWS: usize = MAX_VECTORS * LANES;

/// values[p · stride + r] = Σ_c input[c][pixel + p] · packed[c][r] for the
/// one or two pixels `values` has room for.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn pixel_contributions(
    input: &Blocked,
    pixel: usize,
    packed: &[f32],
    stride: usize,
    values: &mut [f32],
) {
    match stride / LANES {
        1 => contributions_n::<1>(input, pixel, packed, values),
        2 => contributions_n::<2>(input, pixel, packed, values),
        3 => contributions_n::<3>(input, pixel, packed, values),
        4 => contributions_n::<4>(input, pixel, packed, values),
        5 => contributions_n::<5>(input, pixel, packed, values),
        6 => contributions_n::<6>(input, pixel, packed, values),
        7 => contributions_n::<7>(input, pixel, packed, values),
        _ => contributions_n::<8>(input, pixel, packed, values),
    }
}

/// [`pixel_contributions`] with the vector count fixed at compile time, so
/// the accumulators of two pixels stay in registers and each weight load
/// serves both.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn contributions_n<const V: usize>(
    input: &Blocked,
    pixel: usize,
    packed: &[f32],
    values: &mut [f32],
) {
    use std::arch::x86_64::*;
    let stride = V * LANES;
    let two = values.len() >= 2 * stride;
    let mut first = [_mm256_setzero_ps(); V];
    let mut second = [_mm256_setzero_ps(); V];
    let pixel_stride = input.pixel_stride();
    let x0 = input.data.as_ptr().add(pixel * pixel_stride);
    // The second pixel reads the first's values when there is none.
    let x1 = if two { x0.add(pixel_stride) } else { x0 };
    let weights = packed.as_ptr();
    for c in 0..pixel_stride {
        let s0 = _mm256_broadcast_ss(&*x0.add(c));
        let s1 = _mm256_broadcast_ss(&*x1.add(c));
        let w = weights.add(c * stride);
        for j in 0..V {
            let wj = _mm256_loadu_ps(w.add(j * LANES));
            first[j] = _mm256_fmadd_ps(s0, wj, first[j]);
            second[j] = _mm256_fmadd_ps(s1, wj, second[j]);
        }
    }
    for j in 0..V {
        _mm256_storeu_ps(values.as_mut_ptr().add(j * LANES), first[j]);
        if two {
            _mm256_storeu_ps(values.as_mut_ptr().add(stride + j * LANES), second[j]);
        }
    }
}

/// ONNX DepthToSpace in CRD mode: channel `c·b² + i·b + j` at (y, x) moves
/// to channel `c` at (y·b + i, x·b + j).
pub(crate) fn depth_to_space(input: &Planes, block: usize) -> Planes {
    let b = block;
    let channels = input.channels / (b * b);
    let (w, h) = (input.width, input.height);
    let mut out = Planes::zeros(channels, w * b, h * b);
    let ow = w * b;
    for c in 0..channels {
        for i in 0..b {
            for j in 0..b {
                let src = input.plane(c * b * b + i * b + j);
                let dst = out.plane_mut(c);
                for y in 0..h {
                    let row = &src[y * w..][..w];
                    let base = (y * b + i) * ow + j;
                    for (x, v) in row.iter().enumerate() {
                        dst[base + x * b] = *v;
                    }
                }
            }
        }
    }
    out
}

/// `input` enlarged `scale` times by nearest neighbour (ONNX Resize
/// nearest, asymmetric coordinates, floor rounding, integer scale).
pub(crate) fn upsample_nearest(input: &Planes, scale: usize) -> Planes {
    let (w, h) = (input.width, input.height);
    let mut out = Planes::zeros(input.channels, w * scale, h * scale);
    let ow = w * scale;
    for c in 0..input.channels {
        let src = input.plane(c);
        let dst = out.plane_mut(c);
        for (y, row) in dst.chunks_exact_mut(ow).enumerate() {
            let from = &src[(y / scale) * w..][..w];
            for (x, d) in row.iter_mut().enumerate() {
                *d = from[x / scale];
            }
        }
    }
    out
}

/// The `width`×`height` window of `input` starting at (`left`, `top`);
/// an error if the window does not fit.
pub(crate) fn crop(
    input: &Blocked,
    left: usize,
    top: usize,
    width: usize,
    height: usize,
    pool: &BufferPool,
) -> Result<Blocked, NativeError> {
    if left.saturating_add(width) > input.width || top.saturating_add(height) > input.height {
        return Err(NativeError::internal(&format!(
            "crop {width}x{height} at ({left}, {top}) does not fit {}x{}",
            input.width, input.height
        )));
    }
    let mut out = Blocked::unfilled(input.channels, width, height, pool);
    let row = width * input.pixel_stride();
    for y in 0..height {
        let src = input.index(0, left, top + y);
        let dst = out.index(0, 0, y);
        out.data[dst..dst + row].copy_from_slice(&input.data[src..src + row]);
    }
    Ok(out)
}

/// `sum += term` element by element; `sum_size` and `term_size` (width,
/// height) must be equal.
pub(crate) fn add_into(
    sum: &mut [f32],
    term: &[f32],
    sum_size: (usize, usize),
    term_size: (usize, usize),
    threads: usize,
) -> Result<(), NativeError> {
    if sum_size != term_size || sum.len() != term.len() {
        return Err(NativeError::internal("added images differ in size"));
    }
    super::parallel::for_each_part(sum, 1, threads, |offset, part| {
        for (s, t) in part.iter_mut().zip(&term[offset..]) {
            *s += t;
        }
    });
    Ok(())
}

/// Output width and height of a bicubic resize by these factors (floored).
pub(crate) fn cubic_size(
    width: usize,
    height: usize,
    factor_w: f32,
    factor_h: f32,
) -> (usize, usize) {
    (
        (width as f32 * factor_w).floor() as usize,
        (height as f32 * factor_h).floor() as usize,
    )
}

/// ONNX Resize, mode cubic (coefficient `a`), half-pixel coordinates,
/// taps outside the image clamped to the edge, to `width`×`height`.
pub(crate) fn resize_cubic(input: &Planes, width: usize, height: usize, a: f32) -> Planes {
    let across = cubic_taps(input.width, width, a);
    let down = cubic_taps(input.height, height, a);
    let mut out = Planes::zeros(input.channels, width, height);
    let mut rows = vec![0.0f32; input.height * width];
    for c in 0..input.channels {
        let src = input.plane(c);
        for y in 0..input.height {
            let row = &src[y * input.width..][..input.width];
            for (x, (index, weight)) in across.iter().enumerate() {
                let mut sum = 0.0f32;
                for k in 0..4 {
                    sum += row[index[k]] * weight[k];
                }
                rows[y * width + x] = sum;
            }
        }
        let dst = out.plane_mut(c);
        for (y, (index, weight)) in down.iter().enumerate() {
            for x in 0..width {
                let mut sum = 0.0f32;
                for k in 0..4 {
                    sum += rows[index[k] * width + x] * weight[k];
                }
                dst[y * width + x] = sum;
            }
        }
    }
    out
}

/// For each of `to` output positions: the four source indices (clamped)
/// and their cubic weights, resizing `from` samples half-pixel aligned.
fn cubic_taps(from: usize, to: usize, a: f32) -> Vec<([usize; 4], [f32; 4])> {
    let scale = to as f32 / from as f32;
    (0..to)
        .map(|o| {
            let x = (o as f32 + 0.5) / scale - 0.5;
            let base = x.floor();
            let t = x - base;
            let w = [
                cubic(t + 1.0, a),
                cubic(t, a),
                cubic(1.0 - t, a),
                cubic(2.0 - t, a),
            ];
            let idx = |k: isize| (base as isize + k).clamp(0, from as isize - 1) as usize;
            ([idx(-1), idx(0), idx(1), idx(2)], w)
        })
        .collect()
}

/// The cubic convolution kernel (Keys) at distance `d` ≥ 0.
fn cubic(d: f32, a: f32) -> f32 {
    let d = d.abs();
    if d <= 1.0 {
        ((a + 2.0) * d - (a + 3.0)) * d * d + 1.0
    } else if d < 2.0 {
        ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_to_space_moves_channels_to_pixels() {
        // 4 channels of 1×1 → 1 channel of 2×2 in CRD order.
        let input = Planes::of(4, 1, 1, vec![1.0, 2.0, 3.0, 4.0]);
        let out = depth_to_space(&input, 2);
        assert_eq!(out.data, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!((out.channels, out.width, out.height), (1, 2, 2));
    }

    #[test]
    fn deconv_matches_a_hand_computed_case() {
        // One channel, 2×2 kernel of ones, stride 2, no padding: each input
        // pixel becomes a 2×2 block of its value, plus the bias.
        let layer = Deconv {
            cin: 1,
            cout: 1,
            kernel: (2, 2),
            stride: 2,
            pads: [0, 0, 0, 0],
            weights: vec![1.0; 4],
            bias: vec![0.5],
        };
        let input = Planes::of(1, 2, 1, vec![1.0, 2.0]);
        let out = layer.run(&input, 2);
        assert_eq!((out.width, out.height), (4, 2));
        assert_eq!(out.data, vec![1.5, 1.5, 2.5, 2.5, 1.5, 1.5, 2.5, 2.5]);
    }

    #[test]
    fn blocked_deconv_equals_planar_deconv() {
        let mut rng = seer_core::random::SeededRng::new(3);
        let mut random = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.uniform() - 0.5).collect() };
        let layer = Deconv {
            cin: 19,
            cout: 3,
            kernel: (4, 4),
            stride: 2,
            pads: [3, 3, 3, 3],
            weights: random(19 * 3 * 16),
            bias: random(3),
        };
        let input = Planes::of(19, 9, 7, random(19 * 9 * 7));
        let planar = layer.run(&input, 2);
        let blocked = layer.run_blocked(&Blocked::from_planes(&input), 2);
        assert_eq!(
            (blocked.width, blocked.height),
            (planar.width, planar.height)
        );
        let worst = crate::reference::max_abs_diff(&planar.data, &blocked.data);
        assert!(worst < 1e-5, "max difference {worst}");
    }

    #[test]
    fn cubic_resize_keeps_constants_and_halves_sizes() {
        let input = Planes::of(1, 8, 6, vec![0.25; 48]);
        let out = resize_cubic(&input, 4, 3, -0.75);
        assert_eq!((out.width, out.height), (4, 3));
        assert!(out.data.iter().all(|v| (v - 0.25).abs() < 1e-6));
    }
}
