//! 3×3 stride-1 convolution by the Winograd F(6×6, 3×3) algorithm.
//!
//! Each 6×6 block of output pixels comes from an 8×8 input patch. The
//! patch and the 3×3 kernel are transformed into an 8×8 domain where the
//! convolution becomes 64 element-wise products, summed over input
//! channels; those sums are 64 matrix products (blocks × input channels
//! times input channels × output channels). That is 64 multiplications per
//! 36 outputs per channel pair instead of 324, about a fifth of a direct
//! convolution's (F(4×4, 3×3) needs a quarter; measured here, the larger
//! block was faster end to end). The transforms follow Lavin and Gray,
//! "Fast Algorithms for Convolutional Neural Networks" (2015), with
//! interpolation points 0, ±1, ±2, ±1/2; their float32 error is about 1e-6
//! of the activations' scale.
//!
//! Activations are channel-blocked ([`Blocked`]), so the transforms work on
//! eight channels per AVX register with no transposition, and the kernels
//! are stored pre-packed in panels of 16 output channels, so no matrix is
//! repacked while running. The products run in the micro-kernel of the
//! net's [`Kernel`]: 6 blocks × 16 channels (two AVX registers) with
//! AVX2/FMA, 12 blocks × 32 channels (two panels, two 512-bit registers)
//! with AVX-512F, whose chunk function is also compiled with AVX-512VL so
//! the 256-bit transforms have 32 registers instead of 16. x86-64 only.

use super::activation::Activation;
use super::blocked::{Blocked, LANES};
use super::pool::BufferPool;
use crate::cpu::Kernel;
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Input patch side in pixels (output block plus the kernel's 2).
const PATCH: usize = 8;
/// Transformed-domain positions per block (8 × 8).
const POSITIONS: usize = PATCH * PATCH;
/// Output pixels per block side.
const BLOCK: usize = 6;
/// Blocks per AVX2 micro-kernel call (rows of the product).
const MR: usize = 6;
/// Blocks per AVX-512 micro-kernel call.
const MR_512: usize = 12;
/// Output channels per micro-kernel call (two AVX registers).
const NR: usize = 16;
/// Blocks transformed and multiplied together: the transformed input of
/// one chunk (64 positions × blocks × channels) stays in the L2 cache.
const CHUNK_BLOCKS: usize = 24;

/// Defines a method that transforms, multiplies (with `$products`) and
/// inverse-transforms the blocks of one [`Chunk`], compiled with the
/// target features `$features`: one body, one copy per kernel family, so
/// each copy's transforms are compiled for its instruction set.
macro_rules! chunk_function {
    ($(#[$doc:meta])* $name:ident, $features:literal, $products:ident) => {
        $(#[$doc])*
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        unsafe fn $name(&self, job: &Chunk, scratch: &mut Scratch) {
            let Chunk {
                input,
                grid,
                first,
                count,
                target,
                out_shape: (ow, oh),
            } = *job;
            let k = self.cin_padded;
            let n = self.cout_panels * NR;
            let size = scratch.size;
            let v = scratch.v.as_mut_ptr();
            let m = scratch.m.as_mut_ptr();
            // Input transform: v[xi][block][channel].
            for b in 0..count {
                let (bx, by) = grid.position(first + b);
                for cb in 0..input.blocks() {
                    let d = load_patch(input, cb, bx, by, self.pad);
                    let t = input_transform(&d);
                    for (xi, value) in t.iter().flatten().enumerate() {
                        _mm256_storeu_ps(v.add((xi * size + b) * k + cb * LANES), *value);
                    }
                }
            }
            self.$products(count, size, v, m);
            // Output transform, bias, activation, store.
            let out_blocks = self.cout.div_ceil(LANES);
            let out_stride = out_blocks * LANES;
            for b in 0..count {
                let (bx, by) = grid.position(first + b);
                let (x0, y0) = (bx * BLOCK, by * BLOCK);
                let (cols, lines) = (BLOCK.min(ow - x0), BLOCK.min(oh - y0));
                for ob in 0..out_blocks {
                    let t: [__m256; POSITIONS] = std::array::from_fn(|xi| {
                        _mm256_loadu_ps(m.add((b * POSITIONS + xi) * n + ob * LANES))
                    });
                    let y = output_transform(&t);
                    let bias = _mm256_loadu_ps(self.bias.as_ptr().add(ob * LANES));
                    let slope = self
                        .slopes
                        .as_ref()
                        .map(|s| _mm256_loadu_ps(s.as_ptr().add(ob * LANES)));
                    for (r, row) in y.iter().enumerate().take(lines) {
                        for (c, value) in row.iter().enumerate().take(cols) {
                            let mut x = _mm256_add_ps(*value, bias);
                            if let Some(slope) = slope {
                                let negative =
                                    _mm256_cmp_ps::<_CMP_LT_OQ>(x, _mm256_setzero_ps());
                                x = _mm256_blendv_ps(x, _mm256_mul_ps(x, slope), negative);
                            }
                            let index = ((y0 + r) * ow + x0 + c) * out_stride + ob * LANES;
                            _mm256_storeu_ps(target.0.add(index), x);
                        }
                    }
                }
            }
        }
    };
}

/// One 3×3 convolution layer, weights already in the Winograd domain.
#[derive(Clone, Debug)]
pub(crate) struct WinogradConv {
    /// Input channels.
    pub cin: usize,
    /// Output channels.
    pub cout: usize,
    /// Zero padding per side in pixels (0 = valid convolution).
    pub pad: usize,
    /// Input channels rounded up to a whole block.
    cin_padded: usize,
    /// Output channels rounded up to a whole micro-kernel panel.
    cout_panels: usize,
    /// Transformed kernels, `[64][cout / 16][cin][16]` (packed panels).
    u: Vec<f32>,
    /// One bias per output channel (zero past `cout`).
    bias: Vec<f32>,
    /// The activation as given.
    activation: Activation,
    /// Negative-side slope per output channel (`None`: no activation).
    slopes: Option<Vec<f32>>,
}

impl WinogradConv {
    /// A layer from ONNX-ordered weights `[cout][cin][3][3]`, a bias per
    /// output channel and the zero padding per side.
    pub(crate) fn new(
        cin: usize,
        cout: usize,
        pad: usize,
        weights: &[f32],
        bias: Vec<f32>,
        activation: Activation,
    ) -> WinogradConv {
        assert_eq!(
            weights.len(),
            cout * cin * 9,
            "weights are [cout][cin][3][3]"
        );
        assert_eq!(bias.len(), cout, "one bias per output channel");
        let cin_padded = cin.next_multiple_of(LANES);
        let cout_panels = cout.div_ceil(NR);
        let mut u = vec![0.0f32; POSITIONS * cout_panels * cin_padded * NR];
        for co in 0..cout {
            let (panel, lane) = (co / NR, co % NR);
            for ci in 0..cin {
                let g = &weights[(co * cin + ci) * 9..][..9];
                for (xi, v) in kernel_transform(g).iter().enumerate() {
                    u[((xi * cout_panels + panel) * cin_padded + ci) * NR + lane] = *v;
                }
            }
        }
        let mut padded_bias = vec![0.0; cout_panels * NR];
        padded_bias[..cout].copy_from_slice(&bias);
        let mut layer = WinogradConv {
            cin,
            cout,
            pad,
            cin_padded,
            cout_panels,
            u,
            bias: padded_bias,
            activation: Activation::Identity,
            slopes: None,
        };
        layer.set_activation(activation);
        layer
    }

    /// Sets the activation applied after the bias.
    pub(crate) fn set_activation(&mut self, activation: Activation) {
        let n = self.cout_panels * NR;
        self.slopes = match &activation {
            Activation::Identity => None,
            Activation::Relu => Some(vec![0.0; n]),
            Activation::LeakyRelu(alpha) => Some(vec![*alpha; n]),
            Activation::PRelu(slope) => {
                let mut s = vec![0.0; n];
                s[..slope.len()].copy_from_slice(slope);
                Some(s)
            }
        };
        self.activation = activation;
    }

    /// Whether an activation is already fused.
    pub(crate) fn has_activation(&self) -> bool {
        !matches!(self.activation, Activation::Identity)
    }

    /// The activation applied after the bias.
    #[cfg(test)]
    pub(crate) fn activation(&self) -> &Activation {
        &self.activation
    }

    /// Output width and height for a `width`×`height` input.
    pub(crate) fn output_size(&self, width: usize, height: usize) -> (usize, usize) {
        (
            (width + 2 * self.pad).saturating_sub(2),
            (height + 2 * self.pad).saturating_sub(2),
        )
    }

    /// Convolves `input` (`cin` channels, checked before a run by
    /// `shapes::walk`) on `threads` threads with the micro-kernels of
    /// `kernel` (which the CPU has: checked when the net is compiled),
    /// taking its output and scratch buffers from `pool` (and returning the
    /// scratch ones).
    pub(crate) fn run_pooled(
        &self,
        input: &Blocked,
        threads: usize,
        pool: &BufferPool,
        kernel: Kernel,
    ) -> Blocked {
        debug_assert_eq!(input.channels, self.cin, "input channel count");
        debug_assert!(kernel.available(), "kernel checked at compile");
        let (ow, oh) = self.output_size(input.width, input.height);
        let mut out = Blocked::unfilled(self.cout, ow, oh, pool);
        if ow == 0 || oh == 0 {
            return out;
        }
        let grid = BlockGrid {
            across: ow.div_ceil(BLOCK),
            down: oh.div_ceil(BLOCK),
        };
        let blocks = grid.across * grid.down;
        let rows_per_call = match kernel {
            Kernel::Avx512 => MR_512,
            Kernel::Avx2 => MR,
        };
        let size = chunk_size(blocks, threads, rows_per_call);
        let chunks = blocks.div_ceil(size);
        let next = AtomicUsize::new(0);
        let target = OutPtr(out.data.as_mut_ptr());
        let out_shape = (out.width, out.height);
        let workers = threads.clamp(1, chunks);
        let work = || {
            let mut scratch = Scratch::new(size, self.cin_padded, self.cout_panels * NR, pool);
            loop {
                let chunk = next.fetch_add(1, Ordering::Relaxed);
                if chunk >= chunks {
                    break;
                }
                let first = chunk * size;
                let count = size.min(blocks - first);
                let job = Chunk {
                    input,
                    grid: &grid,
                    first,
                    count,
                    target: &target,
                    out_shape,
                };
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the CPU has the kernel's instructions (checked
                // when the net was compiled); a chunk writes only the
                // pixels of its own blocks.
                unsafe {
                    match kernel {
                        Kernel::Avx512 => self.run_chunk_avx512(&job, &mut scratch),
                        Kernel::Avx2 => self.run_chunk_avx2(&job, &mut scratch),
                    }
                };
                #[cfg(not(target_arch = "x86_64"))]
                let _ = (job, &mut scratch);
            }
            pool.give(scratch.v);
            pool.give(scratch.m);
        };
        if workers == 1 {
            work();
        } else {
            std::thread::scope(|scope| {
                for _ in 1..workers {
                    scope.spawn(work);
                }
                work();
            });
        }
        out
    }

    chunk_function!(
        /// [`WinogradConv::run_pooled`]'s work on one chunk with the 6×16
        /// AVX2/FMA micro-kernel.
        run_chunk_avx2,
        "avx2,fma",
        products_avx2
    );

    chunk_function!(
        /// [`WinogradConv::run_pooled`]'s work on one chunk with the 12×32
        /// AVX-512F micro-kernel (transforms with 32 registers).
        run_chunk_avx512,
        "avx512f,avx512vl,avx2,fma",
        products_avx512
    );

    /// The 64 products of a chunk with the AVX2 kernel:
    /// m[·][xi] (blocks × cout) = v[xi] (blocks × cin) · u[xi] (cin × cout),
    /// stored block-major (m[block][xi][cout]) so the output transform reads
    /// each block's 64 rows from one contiguous stretch. Each kernel panel
    /// is loaded once per chunk and stays in the L1 cache while every group
    /// of six blocks is multiplied with it.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn products_avx2(&self, count: usize, size: usize, v: *const f32, m: *mut f32) {
        let k = self.cin_padded;
        let n = self.cout_panels * NR;
        let rows = count.next_multiple_of(MR);
        for xi in 0..POSITIONS {
            for panel in 0..self.cout_panels {
                let u = self
                    .u
                    .as_ptr()
                    .add((xi * self.cout_panels + panel) * k * NR);
                for b0 in (0..rows).step_by(MR) {
                    let a = v.add((xi * size + b0) * k);
                    let c = m.add((b0 * POSITIONS + xi) * n + panel * NR);
                    kernel_6x16(k, a, u, c, POSITIONS * n);
                }
            }
        }
    }

    /// [`WinogradConv::products_avx2`] with the AVX-512 kernels: two
    /// panels (32 output channels) and twelve blocks per call, a last odd
    /// panel with the 12×16 kernel.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
    #[inline]
    unsafe fn products_avx512(&self, count: usize, size: usize, v: *const f32, m: *mut f32) {
        let k = self.cin_padded;
        let n = self.cout_panels * NR;
        let rows = count.next_multiple_of(MR_512);
        for xi in 0..POSITIONS {
            let mut panel = 0;
            while panel < self.cout_panels {
                let u = self
                    .u
                    .as_ptr()
                    .add((xi * self.cout_panels + panel) * k * NR);
                let pair = panel + 1 < self.cout_panels;
                for b0 in (0..rows).step_by(MR_512) {
                    let a = v.add((xi * size + b0) * k);
                    let c = m.add((b0 * POSITIONS + xi) * n + panel * NR);
                    if pair {
                        kernel_12x32(k, a, u, u.add(k * NR), c, POSITIONS * n);
                    } else {
                        kernel_12x16(k, a, u, c, POSITIONS * n);
                    }
                }
                panel += if pair { 2 } else { 1 };
            }
        }
    }
}

/// One chunk's place in the layer: its blocks and where they go.
struct Chunk<'a> {
    input: &'a Blocked,
    grid: &'a BlockGrid,
    /// Index of the chunk's first block.
    first: usize,
    /// Blocks in the chunk.
    count: usize,
    target: &'a OutPtr,
    /// Output width and height, pixels.
    out_shape: (usize, usize),
}

/// The output buffer shared by the worker threads, which write disjoint
/// blocks of it.
struct OutPtr(*mut f32);
// SAFETY: workers write disjoint elements only (see `run_chunk`).
unsafe impl Sync for OutPtr {}

/// How many 6×6 output blocks fit across and down.
struct BlockGrid {
    across: usize,
    down: usize,
}

impl BlockGrid {
    /// Column and row of block `index` (row-major).
    fn position(&self, index: usize) -> (usize, usize) {
        (index % self.across, index / self.across)
    }
}

/// Blocks per chunk: [`CHUNK_BLOCKS`] for large images; for small ones
/// (the deep layers of U-Nets) fewer, so every thread gets about four
/// chunks and none waits long for the last one. Always a multiple of
/// `rows_per_call`, the micro-kernel's block count.
fn chunk_size(blocks: usize, threads: usize, rows_per_call: usize) -> usize {
    blocks
        .div_ceil(threads.max(1) * 4)
        .next_multiple_of(rows_per_call)
        .clamp(rows_per_call, CHUNK_BLOCKS)
}

/// Per-thread buffers for one chunk's transformed input and products.
struct Scratch {
    /// Blocks per chunk (the row count of `v` per position).
    size: usize,
    v: Vec<f32>,
    m: Vec<f32>,
}

impl Scratch {
    fn new(size: usize, cin_padded: usize, cout_padded: usize, pool: &BufferPool) -> Scratch {
        Scratch {
            size,
            v: pool.take(POSITIONS * size * cin_padded),
            m: pool.take(POSITIONS * size * cout_padded),
        }
    }
}

/// The 8×8 input patch of block (`bx`, `by`), channel block `cb`, zeros
/// outside the image.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn load_patch(
    input: &Blocked,
    cb: usize,
    bx: usize,
    by: usize,
    pad: usize,
) -> [__m256; POSITIONS] {
    let (w, h) = (input.width as isize, input.height as isize);
    let x0 = (bx * BLOCK) as isize - pad as isize;
    let y0 = (by * BLOCK) as isize - pad as isize;
    let data = input.data.as_ptr();
    let inside = x0 >= 0 && y0 >= 0 && x0 + PATCH as isize <= w && y0 + PATCH as isize <= h;
    if inside {
        // Every value exists: load them straight into the array.
        let base = input.index(cb, x0 as usize, y0 as usize);
        let stride = input.pixel_stride();
        return std::array::from_fn(|i| {
            let (r, c) = (i / PATCH, i % PATCH);
            _mm256_loadu_ps(data.add(base + (r * input.width + c) * stride))
        });
    }
    let mut d = [_mm256_setzero_ps(); POSITIONS];
    for r in 0..PATCH {
        let y = y0 + r as isize;
        if y < 0 || y >= h {
            continue;
        }
        for c in 0..PATCH {
            let x = x0 + c as isize;
            if x >= 0 && x < w {
                d[r * PATCH + c] =
                    _mm256_loadu_ps(data.add(input.index(cb, x as usize, y as usize)));
            }
        }
    }
    d
}

/// acc (6 × 16) = Σₖ a[row][k] · b[k][0..16], stored at `c` (row stride
/// `c_stride`); `a` has rows of `k` values, `b` is a packed `k × 16` panel.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn kernel_6x16(k: usize, a: *const f32, b: *const f32, c: *mut f32, c_stride: usize) {
    // Twelve named accumulators so they stay in registers.
    let z = _mm256_setzero_ps();
    let (mut c00, mut c01, mut c10, mut c11, mut c20, mut c21) = (z, z, z, z, z, z);
    let (mut c30, mut c31, mut c40, mut c41, mut c50, mut c51) = (z, z, z, z, z, z);
    let (a0, a1, a2) = (a, a.add(k), a.add(2 * k));
    let (a3, a4, a5) = (a.add(3 * k), a.add(4 * k), a.add(5 * k));
    let mut bp = b;
    for kk in 0..k {
        let b0 = _mm256_loadu_ps(bp);
        let b1 = _mm256_loadu_ps(bp.add(8));
        bp = bp.add(NR);
        let s = _mm256_broadcast_ss(&*a0.add(kk));
        c00 = _mm256_fmadd_ps(s, b0, c00);
        c01 = _mm256_fmadd_ps(s, b1, c01);
        let s = _mm256_broadcast_ss(&*a1.add(kk));
        c10 = _mm256_fmadd_ps(s, b0, c10);
        c11 = _mm256_fmadd_ps(s, b1, c11);
        let s = _mm256_broadcast_ss(&*a2.add(kk));
        c20 = _mm256_fmadd_ps(s, b0, c20);
        c21 = _mm256_fmadd_ps(s, b1, c21);
        let s = _mm256_broadcast_ss(&*a3.add(kk));
        c30 = _mm256_fmadd_ps(s, b0, c30);
        c31 = _mm256_fmadd_ps(s, b1, c31);
        let s = _mm256_broadcast_ss(&*a4.add(kk));
        c40 = _mm256_fmadd_ps(s, b0, c40);
        c41 = _mm256_fmadd_ps(s, b1, c41);
        let s = _mm256_broadcast_ss(&*a5.add(kk));
        c50 = _mm256_fmadd_ps(s, b0, c50);
        c51 = _mm256_fmadd_ps(s, b1, c51);
    }
    for (row, (lo, hi)) in [
        (c00, c01),
        (c10, c11),
        (c20, c21),
        (c30, c31),
        (c40, c41),
        (c50, c51),
    ]
    .into_iter()
    .enumerate()
    {
        _mm256_storeu_ps(c.add(row * c_stride), lo);
        _mm256_storeu_ps(c.add(row * c_stride + 8), hi);
    }
}

/// acc (12 × 32) = Σₖ a[row][k] · (b0[k][0..16], b1[k][0..16]), stored at
/// `c` (row stride `c_stride`); `a` has rows of `k` values, `b0` and `b1`
/// are packed `k × 16` panels (consecutive output channels).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn kernel_12x32(
    k: usize,
    a: *const f32,
    b0: *const f32,
    b1: *const f32,
    c: *mut f32,
    c_stride: usize,
) {
    // 24 accumulators, two panel registers and a broadcast: 27 of the 32
    // registers. The row loops have constant bounds and are unrolled.
    let mut lo = [_mm512_setzero_ps(); MR_512];
    let mut hi = [_mm512_setzero_ps(); MR_512];
    for kk in 0..k {
        let w0 = _mm512_loadu_ps(b0.add(kk * NR));
        let w1 = _mm512_loadu_ps(b1.add(kk * NR));
        for r in 0..MR_512 {
            let s = _mm512_set1_ps(*a.add(r * k + kk));
            lo[r] = _mm512_fmadd_ps(s, w0, lo[r]);
            hi[r] = _mm512_fmadd_ps(s, w1, hi[r]);
        }
    }
    for r in 0..MR_512 {
        _mm512_storeu_ps(c.add(r * c_stride), lo[r]);
        _mm512_storeu_ps(c.add(r * c_stride + NR), hi[r]);
    }
}

/// acc (12 × 16) = Σₖ a[row][k] · b[k][0..16] (one panel), as
/// [`kernel_12x32`] for a last odd panel.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn kernel_12x16(k: usize, a: *const f32, b: *const f32, c: *mut f32, c_stride: usize) {
    let mut acc = [_mm512_setzero_ps(); MR_512];
    for kk in 0..k {
        let w = _mm512_loadu_ps(b.add(kk * NR));
        for (r, acc) in acc.iter_mut().enumerate() {
            let s = _mm512_set1_ps(*a.add(r * k + kk));
            *acc = _mm512_fmadd_ps(s, w, *acc);
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        _mm512_storeu_ps(c.add(r * c_stride), *acc);
    }
}

/// G g Gᵀ for one 3×3 kernel `g` (row-major), giving 64 values.
fn kernel_transform(g: &[f32]) -> [f32; POSITIONS] {
    let g_rows = |a: f32, b: f32, c: f32| -> [f32; PATCH] {
        [
            a,
            -2.0 / 9.0 * (a + b + c),
            -2.0 / 9.0 * (a - b + c),
            a / 90.0 + b / 45.0 + 2.0 * c / 45.0,
            a / 90.0 - b / 45.0 + 2.0 * c / 45.0,
            32.0 * a / 45.0 + 16.0 * b / 45.0 + 8.0 * c / 45.0,
            32.0 * a / 45.0 - 16.0 * b / 45.0 + 8.0 * c / 45.0,
            c,
        ]
    };
    // Columns first: for each kernel column, 8 values down.
    let mut tmp = [[0.0f32; 3]; PATCH];
    for col in 0..3 {
        let t = g_rows(g[col], g[3 + col], g[6 + col]);
        for (r, v) in t.iter().enumerate() {
            tmp[r][col] = *v;
        }
    }
    let mut out = [0.0f32; POSITIONS];
    for r in 0..PATCH {
        let t = g_rows(tmp[r][0], tmp[r][1], tmp[r][2]);
        out[r * PATCH..(r + 1) * PATCH].copy_from_slice(&t);
    }
    out
}

/// Bᵀ applied to eight vectors.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn bt(d: [__m256; PATCH]) -> [__m256; PATCH] {
    let c = |v: f32| _mm256_set1_ps(v);
    let [d0, d1, d2, d3, d4, d5, d6, d7] = d;
    // Shared partial sums of the symmetric row pairs.
    let p12 = _mm256_fnmadd_ps(c(4.25), d3, _mm256_add_ps(d1, d5));
    let q12 = _mm256_fnmadd_ps(c(4.25), d4, _mm256_add_ps(d2, d6));
    let p34 = _mm256_fmadd_ps(
        c(2.0),
        d5,
        _mm256_fnmadd_ps(c(2.5), d3, _mm256_mul_ps(c(0.5), d1)),
    );
    let q34 = _mm256_fnmadd_ps(c(1.25), d4, _mm256_fmadd_ps(c(0.25), d2, d6));
    let p56 = _mm256_fmadd_ps(
        c(0.5),
        d5,
        _mm256_fnmadd_ps(c(2.5), d3, _mm256_mul_ps(c(2.0), d1)),
    );
    let q56 = _mm256_fnmadd_ps(c(5.0), d4, _mm256_fmadd_ps(c(4.0), d2, d6));
    [
        _mm256_fmadd_ps(c(5.25), _mm256_sub_ps(d4, d2), _mm256_sub_ps(d0, d6)),
        _mm256_add_ps(q12, p12),
        _mm256_sub_ps(q12, p12),
        _mm256_add_ps(q34, p34),
        _mm256_sub_ps(q34, p34),
        _mm256_add_ps(q56, p56),
        _mm256_sub_ps(q56, p56),
        _mm256_fmadd_ps(c(5.25), _mm256_sub_ps(d3, d5), _mm256_sub_ps(d7, d1)),
    ]
}

/// Column `c` of an 8×8 patch stored row by row (`m[row * 8 + col]`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn column(m: &[__m256; POSITIONS], c: usize) -> [__m256; PATCH] {
    [
        m[c],
        m[8 + c],
        m[16 + c],
        m[24 + c],
        m[32 + c],
        m[40 + c],
        m[48 + c],
        m[56 + c],
    ]
}

/// Row `r` of `t`, which holds columns (`t[col][row]`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn row<const N: usize>(t: &[[__m256; N]; PATCH], r: usize) -> [__m256; PATCH] {
    [
        t[0][r], t[1][r], t[2][r], t[3][r], t[4][r], t[5][r], t[6][r], t[7][r],
    ]
}

/// Bᵀ d B for one patch (`d[row * 8 + col]`), as `[row][col]`: [`bt`]
/// down every column, then along every row of the result. Written out with
/// array literals so no temporary array is zero-filled first.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn input_transform(d: &[__m256; POSITIONS]) -> [[__m256; PATCH]; PATCH] {
    // t[col][row]
    let t = [
        bt(column(d, 0)),
        bt(column(d, 1)),
        bt(column(d, 2)),
        bt(column(d, 3)),
        bt(column(d, 4)),
        bt(column(d, 5)),
        bt(column(d, 6)),
        bt(column(d, 7)),
    ];
    [
        bt(row(&t, 0)),
        bt(row(&t, 1)),
        bt(row(&t, 2)),
        bt(row(&t, 3)),
        bt(row(&t, 4)),
        bt(row(&t, 5)),
        bt(row(&t, 6)),
        bt(row(&t, 7)),
    ]
}

/// Aᵀ applied to eight vectors, giving six.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn at(m: [__m256; PATCH]) -> [__m256; BLOCK] {
    let c = |v: f32| _mm256_set1_ps(v);
    let [m0, m1, m2, m3, m4, m5, m6, m7] = m;
    let (s12, d12) = (_mm256_add_ps(m1, m2), _mm256_sub_ps(m1, m2));
    let (s34, d34) = (_mm256_add_ps(m3, m4), _mm256_sub_ps(m3, m4));
    let (s56, d56) = (_mm256_add_ps(m5, m6), _mm256_sub_ps(m5, m6));
    [
        _mm256_add_ps(_mm256_add_ps(m0, s12), _mm256_add_ps(s34, s56)),
        _mm256_fmadd_ps(c(0.5), d56, _mm256_fmadd_ps(c(2.0), d34, d12)),
        _mm256_fmadd_ps(c(0.25), s56, _mm256_fmadd_ps(c(4.0), s34, s12)),
        _mm256_fmadd_ps(c(0.125), d56, _mm256_fmadd_ps(c(8.0), d34, d12)),
        _mm256_fmadd_ps(c(0.0625), s56, _mm256_fmadd_ps(c(16.0), s34, s12)),
        _mm256_add_ps(
            _mm256_fmadd_ps(c(0.03125), d56, _mm256_fmadd_ps(c(32.0), d34, d12)),
            m7,
        ),
    ]
}

/// Aᵀ m A for one block: `y[row][col]`, the same two passes as
/// [`input_transform`] with [`at`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn output_transform(m: &[__m256; POSITIONS]) -> [[__m256; BLOCK]; BLOCK] {
    // t[col][row]
    let t = [
        at(column(m, 0)),
        at(column(m, 1)),
        at(column(m, 2)),
        at(column(m, 3)),
        at(column(m, 4)),
        at(column(m, 5)),
        at(column(m, 6)),
        at(column(m, 7)),
    ];
    [
        at(row(&t, 0)),
        at(row(&t, 1)),
        at(row(&t, 2)),
        at(row(&t, 3)),
        at(row(&t, 4)),
        at(row(&t, 5)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planes::Planes;
    use crate::reference::direct_conv3x3;
    use seer_core::random::SeededRng;

    fn random(rng: &mut SeededRng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.uniform() * 2.0 - 1.0).collect()
    }

    /// Winograd output equals a direct convolution on odd sizes, both
    /// paddings, every activation, one and two threads.
    #[test]
    fn matches_direct_convolution() {
        let mut rng = SeededRng::new(7);
        for &(cin, cout, w, h, pad) in &[
            (3, 16, 37, 29, 0),
            (5, 7, 9, 6, 1),
            (16, 24, 50, 41, 1),
            (2, 3, 3, 3, 0),
            (20, 40, 30, 26, 1),
            (4, 4, 1, 1, 1),
            (64, 48, 41, 37, 1),
            (32, 64, 80, 13, 0),
        ] {
            let weights = random(&mut rng, cout * cin * 9);
            let bias = random(&mut rng, cout);
            let input = Planes::of(cin, w, h, random(&mut rng, cin * w * h));
            for activation in [
                Activation::Identity,
                Activation::Relu,
                Activation::LeakyRelu(0.1),
                Activation::PRelu((0..cout).map(|c| c as f32 * 0.05).collect()),
            ] {
                let conv = WinogradConv::new(cin, cout, pad, &weights, bias.clone(), activation);
                let expected = direct_conv3x3(&input, &weights, &bias, pad, conv.activation());
                let kernels = [Kernel::Avx512, Kernel::Avx2];
                for (threads, kernel) in [1, 2]
                    .into_iter()
                    .flat_map(|t| kernels.map(|k| (t, k)))
                    .filter(|(_, k)| k.available())
                {
                    let pool = BufferPool::new();
                    let blocked = Blocked::from_planes(&input);
                    let got = conv
                        .run_pooled(&blocked, threads, &pool, kernel)
                        .to_planes();
                    assert_eq!((got.width, got.height), (expected.width, expected.height));
                    let worst = crate::reference::max_abs_diff(&got.data, &expected.data);
                    assert!(
                        worst < 1e-4 * (cin as f32).sqrt() * 3.0,
                        "{kernel:?} cin {cin} cout {cout} {w}x{h} pad {pad}: max diff {worst}"
                    );
                }
            }
        }
    }
}
