//! Convolutions whose stride equals their kernel size (the 2×2 stride-2
//! down- and up-sampling layers of U-Net upscalers such as Real-CUGAN and
//! waifu2x CUNet): each output (or input) pixel owns a whole patch, so the
//! layer is one matrix product over pixel-major activations, with no
//! overlap to add up.

use super::activation::Activation;
use super::blocked::{Blocked, LANES};
use super::pool::BufferPool;

/// A k×k convolution with stride k and no padding (space-to-depth, then a
/// 1×1 convolution).
#[derive(Clone, Debug)]
pub(crate) struct PatchConv {
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
    /// Kernel side and stride, pixels.
    pub k: usize,
    /// `[k·k·cin_padded][cout_padded]`.
    packed: Vec<f32>,
    /// One per padded output channel.
    bias: Vec<f32>,
    /// Applied after the bias.
    pub activation: Activation,
}

impl PatchConv {
    /// A layer from ONNX weights `[cout][cin][k][k]` and a bias per output channel.
    pub(crate) fn new(
        cin: usize,
        cout: usize,
        k: usize,
        weights: &[f32],
        bias: &[f32],
    ) -> PatchConv {
        let (cin_p, cout_p) = (cin.next_multiple_of(LANES), cout.next_multiple_of(LANES));
        let mut packed = vec![0.0; k * k * cin_p * cout_p];
        for co in 0..cout {
            for ci in 0..cin {
                for i in 0..k {
                    for j in 0..k {
                        packed[((i * k + j) * cin_p + ci) * cout_p + co] =
                            weights[((co * cin + ci) * k + i) * k + j];
                    }
                }
            }
        }
        let mut padded_bias = vec![0.0; cout_p];
        padded_bias[..cout].copy_from_slice(bias);
        PatchConv {
            cin,
            cout,
            k,
            packed,
            bias: padded_bias,
            activation: Activation::Identity,
        }
    }

    /// Runs the layer on `threads` threads.
    pub(crate) fn run(&self, input: &Blocked, threads: usize, pool: &BufferPool) -> Blocked {
        // Checked for every layer before a run (`shapes::walk`).
        debug_assert_eq!(input.channels, self.cin, "input channel count");
        let k = self.k;
        let (ow, oh) = (input.width / k, input.height / k);
        let cin_p = input.pixel_stride();
        let mut out = Blocked::unfilled(self.cout, ow, oh, pool);
        let cout_p = out.pixel_stride();
        let depth = k * k * cin_p;
        let pixels = ow * oh;
        if pixels == 0 {
            return out;
        }
        // Patches: one row of k·k pixel vectors per output pixel.
        let mut patches = pool.take(pixels * depth);
        for (p, row) in patches.chunks_exact_mut(depth).enumerate() {
            let (ox, oy) = (p % ow, p / ow);
            for i in 0..k {
                for j in 0..k {
                    let src = input.index(0, ox * k + j, oy * k + i);
                    row[(i * k + j) * cin_p..][..cin_p]
                        .copy_from_slice(&input.data[src..src + cin_p]);
                }
            }
        }
        multiply_rows(
            &patches,
            depth,
            &self.packed,
            cout_p,
            &mut out.data,
            threads,
        );
        pool.give(patches);
        for values in out.data.chunks_exact_mut(cout_p) {
            for (c, v) in values.iter_mut().enumerate().take(self.cout) {
                *v = self.activation.apply(*v + self.bias[c], c);
            }
        }
        out
    }
}

/// A k×k transposed convolution with stride k and no padding: every input
/// pixel becomes a k×k patch of output pixels.
#[derive(Clone, Debug)]
pub(crate) struct PatchDeconv {
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
    /// Kernel side and stride, pixels.
    pub k: usize,
    /// `[cin_padded][k·k·cout_padded]`.
    packed: Vec<f32>,
    /// One per output channel.
    bias: Vec<f32>,
    /// Applied after the bias.
    pub activation: Activation,
}

impl PatchDeconv {
    /// A layer from ONNX weights `[cin][cout][k][k]` and a bias per output channel.
    pub(crate) fn new(
        cin: usize,
        cout: usize,
        k: usize,
        weights: &[f32],
        bias: &[f32],
    ) -> PatchDeconv {
        let (cin_p, cout_p) = (cin.next_multiple_of(LANES), cout.next_multiple_of(LANES));
        let width = k * k * cout_p;
        let mut packed = vec![0.0; cin_p * width];
        for ci in 0..cin {
            for co in 0..cout {
                for i in 0..k {
                    for j in 0..k {
                        packed[ci * width + (i * k + j) * cout_p + co] =
                            weights[((ci * cout + co) * k + i) * k + j];
                    }
                }
            }
        }
        PatchDeconv {
            cin,
            cout,
            k,
            packed,
            bias: bias.to_vec(),
            activation: Activation::Identity,
        }
    }

    /// Runs the layer on `threads` threads.
    pub(crate) fn run(&self, input: &Blocked, threads: usize, pool: &BufferPool) -> Blocked {
        // Checked for every layer before a run (`shapes::walk`).
        debug_assert_eq!(input.channels, self.cin, "input channel count");
        let k = self.k;
        let (w, h) = (input.width, input.height);
        let mut out = Blocked::unfilled(self.cout, w * k, h * k, pool);
        let cout_p = out.pixel_stride();
        let width = k * k * cout_p;
        let pixels = w * h;
        if pixels == 0 {
            return out;
        }
        let mut products = pool.take(pixels * width);
        multiply_rows(
            &input.data,
            input.pixel_stride(),
            &self.packed,
            width,
            &mut products,
            threads,
        );
        // Input row y becomes output rows y·k .. y·k + k: disjoint, so the
        // rows are scattered in parallel.
        let out_row = k * w * k * cout_p;
        let per_thread = h.div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for (part, rows) in out.data.chunks_mut(per_thread * out_row).enumerate() {
                let products = &products;
                scope.spawn(move || {
                    for (r, band) in rows.chunks_exact_mut(out_row).enumerate() {
                        let y = part * per_thread + r;
                        for x in 0..w {
                            let row = &products[(y * w + x) * width..][..width];
                            for i in 0..k {
                                for j in 0..k {
                                    let dst = ((i * w * k) + x * k + j) * cout_p;
                                    let src = &row[(i * k + j) * cout_p..][..cout_p];
                                    let pixel = &mut band[dst..dst + cout_p];
                                    for (c, (d, v)) in pixel.iter_mut().zip(src).enumerate() {
                                        *d = if c < self.cout {
                                            self.activation.apply(*v + self.bias[c], c)
                                        } else {
                                            0.0
                                        };
                                    }
                                }
                            }
                        }
                    }
                });
            }
        });
        pool.give(products);
        out
    }
}

/// A transposed convolution whose kernel side k is a multiple of its stride
/// s (e.g. 4×4 stride 2): each output pixel receives (k/s)² taps, chosen by
/// its position modulo s, so every output row is (for each of the s column
/// phases) one matrix product of gathered input neighbourhoods with that
/// phase's weights. Nothing is scattered and no per-input-pixel
/// contribution buffer (k²·cout values per pixel) is needed.
#[derive(Clone, Debug)]
pub(crate) struct PhaseDeconv {
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
    /// Kernel side, pixels.
    pub k: usize,
    /// Stride, pixels (divides `k`).
    pub s: usize,
    /// Pixels removed at the top and left of the full output.
    pub pad: usize,
    /// Pixels removed at the bottom and right of the full output.
    pub pad_end: usize,
    /// Per phase (ry, rx): `[(ty, tx, cin_padded)][cout_padded]`.
    phases: Vec<Vec<f32>>,
    /// One per output channel.
    bias: Vec<f32>,
}

impl PhaseDeconv {
    /// A layer from ONNX weights `[cin][cout][k][k]`, or `None` when `k` is
    /// not a multiple of `s`.
    pub(crate) fn new(
        cin: usize,
        cout: usize,
        (k, s): (usize, usize),
        (pad, pad_end): (usize, usize),
        weights: &[f32],
        bias: &[f32],
    ) -> Option<PhaseDeconv> {
        if s == 0 || k % s != 0 {
            return None;
        }
        let taps = k / s;
        let (cin_p, cout_p) = (cin.next_multiple_of(LANES), cout.next_multiple_of(LANES));
        let mut phases = Vec::new();
        for ry in 0..s {
            for rx in 0..s {
                let mut w = vec![0.0; taps * taps * cin_p * cout_p];
                for ty in 0..taps {
                    for tx in 0..taps {
                        let (ky, kx) = (ry + s * ty, rx + s * tx);
                        for ci in 0..cin {
                            for co in 0..cout {
                                w[((ty * taps + tx) * cin_p + ci) * cout_p + co] =
                                    weights[((ci * cout + co) * k + ky) * k + kx];
                            }
                        }
                    }
                }
                phases.push(w);
            }
        }
        Some(PhaseDeconv {
            cin,
            cout,
            k,
            s,
            pad,
            pad_end,
            phases,
            bias: bias.to_vec(),
        })
    }

    /// Output width and height for a `width`×`height` input, or `None`
    /// when the padding removes everything.
    pub(crate) fn output_size(&self, width: usize, height: usize) -> Option<(usize, usize)> {
        let full = |n: usize| n.checked_sub(1)?.checked_mul(self.s)?.checked_add(self.k);
        let pads = self.pad.checked_add(self.pad_end)?;
        let (ow, oh) = (
            full(width)?.checked_sub(pads)?,
            full(height)?.checked_sub(pads)?,
        );
        (ow > 0 && oh > 0).then_some((ow, oh))
    }

    /// Runs the layer on `threads` threads (rows split between them).
    pub(crate) fn run(&self, input: &Blocked, threads: usize, pool: &BufferPool) -> Blocked {
        // Checked for every layer before a run (`shapes::walk`).
        debug_assert_eq!(input.channels, self.cin, "input channel count");
        let (k, s) = (self.k, self.s);
        let taps = k / s;
        let (ow, oh) = self
            .output_size(input.width, input.height)
            .unwrap_or((0, 0));
        let mut out = Blocked::unfilled(self.cout, ow, oh, pool);
        let cin_p = input.pixel_stride();
        let cout_p = out.pixel_stride();
        if ow == 0 || oh == 0 {
            return out;
        }
        let depth = taps * taps * cin_p;
        let row_len = ow * cout_p;
        let per_thread = oh.div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for (part, rows) in out.data.chunks_mut(per_thread * row_len).enumerate() {
                scope.spawn(move || {
                    let mut patches = vec![0.0f32; ow.div_ceil(s) * depth];
                    for (r, row) in rows.chunks_exact_mut(row_len).enumerate() {
                        let oy = part * per_thread + r;
                        let (ry, base_y) = ((oy + self.pad) % s, (oy + self.pad) / s);
                        for rx in 0..s {
                            // Output columns of this phase: ox ≡ rx - pad (mod s).
                            let first = (rx + s - self.pad % s) % s;
                            if first >= ow {
                                continue;
                            }
                            let count = (ow - first).div_ceil(s);
                            for (i, patch) in
                                patches.chunks_exact_mut(depth).take(count).enumerate()
                            {
                                let ox = first + i * s;
                                let base_x = (ox + self.pad) / s;
                                for ty in 0..taps {
                                    for tx in 0..taps {
                                        let dst = &mut patch[(ty * taps + tx) * cin_p..][..cin_p];
                                        let (iy, ix) = (
                                            base_y as isize - ty as isize,
                                            base_x as isize - tx as isize,
                                        );
                                        if iy < 0
                                            || ix < 0
                                            || iy as usize >= input.height
                                            || ix as usize >= input.width
                                        {
                                            dst.fill(0.0);
                                        } else {
                                            let src = input.index(0, ix as usize, iy as usize);
                                            dst.copy_from_slice(&input.data[src..src + cin_p]);
                                        }
                                    }
                                }
                            }
                            let weights = &self.phases[ry * s + rx];
                            let target = &mut row[first * cout_p..];
                            // SAFETY: patches holds count × depth values,
                            // weights depth × cout_p; the output rows are
                            // every s-th pixel of this row from `first`,
                            // count of them, each cout_p values.
                            unsafe {
                                matrixmultiply::sgemm(
                                    count,
                                    depth,
                                    cout_p,
                                    1.0,
                                    patches.as_ptr(),
                                    depth as isize,
                                    1,
                                    weights.as_ptr(),
                                    cout_p as isize,
                                    1,
                                    0.0,
                                    target.as_mut_ptr(),
                                    (s * cout_p) as isize,
                                    1,
                                );
                            }
                        }
                        for pixel in row.chunks_exact_mut(cout_p) {
                            for (c, v) in pixel.iter_mut().enumerate().take(self.cout) {
                                *v += self.bias[c];
                            }
                        }
                    }
                });
            }
        });
        out
    }
}

/// out (rows × n) = a (rows × depth) · b (depth × n), all row-major, the
/// rows split between `threads` threads.
fn multiply_rows(a: &[f32], depth: usize, b: &[f32], n: usize, out: &mut [f32], threads: usize) {
    let rows = a.len() / depth;
    let per_thread = rows.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        for (part, chunk) in out.chunks_mut(per_thread * n).enumerate() {
            let count = chunk.len() / n;
            let a = &a[part * per_thread * depth..][..count * depth];
            scope.spawn(move || {
                // SAFETY: a is count × depth, b depth × n and chunk count × n,
                // all row-major with the strides given.
                unsafe {
                    matrixmultiply::sgemm(
                        count,
                        depth,
                        n,
                        1.0,
                        a.as_ptr(),
                        depth as isize,
                        1,
                        b.as_ptr(),
                        n as isize,
                        1,
                        0.0,
                        chunk.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planes::Planes;
    use crate::reference::random;
    use seer_core::random::SeededRng;

    #[test]
    fn patch_conv_matches_a_direct_strided_convolution() {
        let mut rng = SeededRng::new(11);
        let (cin, cout, k, w, h) = (5, 9, 2, 7, 6);
        let weights = random(&mut rng, cout * cin * k * k);
        let bias = random(&mut rng, cout);
        let input = Planes::of(cin, w, h, random(&mut rng, cin * w * h));
        let layer = PatchConv::new(cin, cout, k, &weights, &bias);
        let got = layer
            .run(&Blocked::from_planes(&input), 2, &BufferPool::new())
            .to_planes();
        assert_eq!((got.width, got.height), (3, 3));
        for co in 0..cout {
            for oy in 0..3 {
                for ox in 0..3 {
                    let mut sum = bias[co];
                    for ci in 0..cin {
                        for i in 0..k {
                            for j in 0..k {
                                sum += weights[((co * cin + ci) * k + i) * k + j]
                                    * input.plane(ci)[(oy * k + i) * w + ox * k + j];
                            }
                        }
                    }
                    let v = got.plane(co)[oy * 3 + ox];
                    assert!((v - sum).abs() < 1e-5, "{v} vs {sum}");
                }
            }
        }
    }

    #[test]
    fn phase_deconv_matches_the_general_deconvolution() {
        let mut rng = SeededRng::new(13);
        for (k, s, pad, cin, cout, w, h) in [
            (4, 2, 3, 12, 9, 7, 5),
            (4, 2, 0, 3, 20, 4, 6),
            (6, 3, 2, 5, 4, 5, 5),
        ] {
            let weights = random(&mut rng, cin * cout * k * k);
            let bias = random(&mut rng, cout);
            let input = Planes::of(cin, w, h, random(&mut rng, cin * w * h));
            let general = crate::ops::Deconv {
                cin,
                cout,
                kernel: (k, k),
                stride: s,
                pads: [pad; 4],
                weights: weights.clone(),
                bias: bias.clone(),
            };
            let expected = general.run(&input, 2);
            let got = PhaseDeconv::new(cin, cout, (k, s), (pad, pad), &weights, &bias)
                .unwrap()
                .run(&Blocked::from_planes(&input), 2, &BufferPool::new())
                .to_planes();
            assert_eq!((got.width, got.height), (expected.width, expected.height));
            let worst = crate::reference::max_abs_diff(&got.data, &expected.data);
            assert!(
                worst < 1e-5,
                "k {k} s {s} pad {pad}: max difference {worst}"
            );
        }
    }

    #[test]
    fn patch_deconv_matches_the_general_deconvolution() {
        let mut rng = SeededRng::new(12);
        let (cin, cout, k, w, h) = (6, 10, 2, 5, 4);
        let weights = random(&mut rng, cin * cout * k * k);
        let bias = random(&mut rng, cout);
        let input = Planes::of(cin, w, h, random(&mut rng, cin * w * h));
        let general = crate::ops::Deconv {
            cin,
            cout,
            kernel: (k, k),
            stride: k,
            pads: [0; 4],
            weights: weights.clone(),
            bias: bias.clone(),
        };
        let expected = general.run(&input, 2);
        let got = PatchDeconv::new(cin, cout, k, &weights, &bias)
            .run(&Blocked::from_planes(&input), 2, &BufferPool::new())
            .to_planes();
        assert_eq!((got.width, got.height), (expected.width, expected.height));
        let worst = crate::reference::max_abs_diff(&got.data, &expected.data);
        assert!(worst < 1e-5, "max difference {worst}");
    }
}
