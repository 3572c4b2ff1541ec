//! MATLAB-style bicubic resizing (`imresize(…, 'bicubic')`), the resampler
//! super-resolution benchmarks use to make low-resolution inputs.
//!
//! The kernel is Keys' cubic with a = −0.5. When shrinking by a factor
//! s < 1 the kernel is widened to 4/s pixels and scaled by s (antialiasing),
//! exactly as MATLAB does; borders are mirrored symmetrically (the edge
//! pixel repeated), as MATLAB's index table does. Each axis is resized
//! separately, the axis with the larger shrink first, in f64.

use image::RgbImage;

/// Keys' cubic convolution kernel with a = −0.5 at distance `x` (pixels).
pub fn cubic(x: f64) -> f64 {
    let x = x.abs();
    if x <= 1.0 {
        1.5 * x * x * x - 2.5 * x * x + 1.0
    } else if x <= 2.0 {
        -0.5 * x * x * x + 2.5 * x * x - 4.0 * x + 2.0
    } else {
        0.0
    }
}

/// Source index `i` (may be out of range) folded into `0..len` by symmetric
/// mirroring with the edge pixel repeated (…, 1, 0, 0, 1, …).
fn mirror(i: i64, len: usize) -> usize {
    let len = len as i64;
    let period = 2 * len;
    let m = i.rem_euclid(period);
    (if m < len { m } else { period - 1 - m }) as usize
}

/// Taps (source index, weight) for every output position along one axis.
fn taps(in_len: usize, out_len: usize) -> Vec<Vec<(usize, f64)>> {
    let scale = out_len as f64 / in_len as f64;
    let shrink = scale < 1.0;
    let width = if shrink { 4.0 / scale } else { 4.0 };
    (0..out_len)
        .map(|o| {
            // 1-based MATLAB centre: u = x / scale + 0.5 (1 - 1 / scale).
            let u = (o + 1) as f64 / scale + 0.5 * (1.0 - 1.0 / scale);
            let left = (u - width / 2.0).floor() as i64;
            let count = width.ceil() as i64 + 2;
            let mut t: Vec<(usize, f64)> = (0..count)
                .map(|k| {
                    let j = left + k; // 1-based source index
                    let d = u - j as f64;
                    let w = if shrink {
                        scale * cubic(scale * d)
                    } else {
                        cubic(d)
                    };
                    (mirror(j - 1, in_len), w)
                })
                .filter(|(_, w)| *w != 0.0)
                .collect();
            let sum: f64 = t.iter().map(|(_, w)| w).sum();
            if sum != 0.0 {
                t.iter_mut().for_each(|(_, w)| *w /= sum);
            }
            t
        })
        .collect()
}

/// Resizes interleaved samples (`channels` per pixel, `width`×`height`
/// pixels, any units) to `out_width`×`out_height` with MATLAB-style bicubic.
/// Returns interleaved samples in the same units, not clamped. Sizes must be
/// non-zero and `data.len() == width * height * channels`.
pub fn imresize_bicubic(
    data: &[f64],
    width: usize,
    height: usize,
    channels: usize,
    out_width: usize,
    out_height: usize,
) -> Vec<f64> {
    let horizontal = |src: &[f64], w: usize, h: usize| -> Vec<f64> {
        let t = taps(w, out_width);
        let mut out = vec![0.0; out_width * h * channels];
        for y in 0..h {
            for (x, tx) in t.iter().enumerate() {
                for c in 0..channels {
                    out[(y * out_width + x) * channels + c] = tx
                        .iter()
                        .map(|&(i, k)| k * src[(y * w + i) * channels + c])
                        .sum();
                }
            }
        }
        out
    };
    let vertical = |src: &[f64], w: usize, h: usize| -> Vec<f64> {
        let t = taps(h, out_height);
        let mut out = vec![0.0; w * out_height * channels];
        for (y, ty) in t.iter().enumerate() {
            for x in 0..w {
                for c in 0..channels {
                    out[(y * w + x) * channels + c] = ty
                        .iter()
                        .map(|&(i, k)| k * src[(i * w + x) * channels + c])
                        .sum();
                }
            }
        }
        out
    };
    // MATLAB resizes the dimension with the smaller scale factor first.
    let sx = out_width as f64 / width as f64;
    let sy = out_height as f64 / height as f64;
    if sx <= sy {
        let h = horizontal(data, width, height);
        vertical(&h, out_width, height)
    } else {
        let v = vertical(data, width, height);
        horizontal(&v, width, out_height)
    }
}

/// MATLAB-style bicubic resize of an 8-bit RGB image to `out_width`×`out_height`
/// pixels, rounded and clamped to 8 bits like MATLAB's uint8 output.
/// An empty input or output size gives an empty image.
pub fn imresize_bicubic_rgb8(image: &RgbImage, out_width: u32, out_height: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 || out_width == 0 || out_height == 0 {
        return RgbImage::new(out_width, out_height);
    }
    let data: Vec<f64> = image.as_raw().iter().map(|&v| f64::from(v)).collect();
    let out = imresize_bicubic(
        &data,
        w as usize,
        h as usize,
        3,
        out_width as usize,
        out_height as usize,
    );
    let bytes = out
        .iter()
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    RgbImage::from_raw(out_width, out_height, bytes)
        .unwrap_or_else(|| RgbImage::new(out_width, out_height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_is_interpolating_and_sums_to_one() {
        assert_eq!(cubic(0.0), 1.0);
        assert_eq!(cubic(1.0), 0.0);
        assert_eq!(cubic(2.0), 0.0);
        let sum: f64 = (-2..=2).map(|i| cubic(i as f64 + 0.3)).sum();
        assert!((sum - 1.0).abs() < 1e-12);
    }

    #[test]
    fn mirror_repeats_the_edge() {
        let got: Vec<usize> = (-3..6).map(|i| mirror(i, 3)).collect();
        assert_eq!(got, vec![2, 1, 0, 0, 1, 2, 2, 1, 0]);
    }

    #[test]
    fn flat_image_stays_flat_both_ways() {
        let img = RgbImage::from_pixel(12, 9, image::Rgb([40, 120, 200]));
        for (w, h) in [(4, 3), (36, 27), (5, 7)] {
            let out = imresize_bicubic_rgb8(&img, w, h);
            assert!(out.pixels().all(|p| p.0 == [40, 120, 200]));
        }
    }

    #[test]
    fn halving_a_ramp_keeps_interior_centres() {
        // Shrinking by 2 samples input position 2x + 0.5 with a symmetric
        // 8-tap kernel: exact on a ramp away from the mirrored borders.
        let data: Vec<f64> = (0..16).map(f64::from).collect();
        let out = imresize_bicubic(&data, 16, 1, 1, 8, 1);
        for (x, v) in out.iter().enumerate().take(6).skip(2) {
            assert!((v - (2.0 * x as f64 + 0.5)).abs() < 1e-9, "{out:?}");
        }
        // At the border the mirrored samples (0 repeated) pull it down.
        assert!((out[0] - 0.449_218_75).abs() < 1e-9, "{out:?}");
    }

    #[test]
    fn integer_upscale_keeps_a_ramp_linear_inside() {
        let data: Vec<f64> = (0..8).map(f64::from).collect();
        let out = imresize_bicubic(&data, 8, 1, 1, 16, 1);
        // Output x maps to input (x + 0.5) / 2 - 0.5.
        for (x, v) in out.iter().enumerate().take(12).skip(4) {
            let expected = (x as f64 + 0.5) / 2.0 - 0.5;
            assert!((v - expected).abs() < 1e-9, "{x}: {v}");
        }
    }
}
