//! Image quality metrics as used in super-resolution papers: PSNR and SSIM
//! on the BT.601 luma (Y of YCbCr, studio range 16..235) of 8-bit RGB
//! images, with a border of pixels ignored on each side.

use image::RgbImage;

/// Why two images cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The images differ in size.
    #[error("images differ in size: {a:?} vs {b:?} (width, height in pixels)")]
    SizeMismatch { a: (u32, u32), b: (u32, u32) },
    /// Nothing is left after cropping the border (or the window does not fit).
    #[error("image of {width}x{height} pixels is too small for a border of {border} pixels")]
    TooSmall {
        width: u32,
        height: u32,
        border: u32,
    },
}

/// A single-channel plane of f64 values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Plane {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height` values, row by row.
    pub data: Vec<f64>,
}

/// BT.601 luma of an RGB pixel given in 0..1 per channel, in 8-bit studio
/// units (16 for black, 235 for white): `16 + (65.481 R + 128.553 G + 24.966 B)`.
pub fn luma_bt601(r: f64, g: f64, b: f64) -> f64 {
    16.0 + 65.481 * r + 128.553 * g + 24.966 * b
}

/// The BT.601 luma plane (8-bit studio units) of an 8-bit RGB image with
/// `border` pixels removed on each side.
pub fn luma_plane(image: &RgbImage, border: u32) -> Result<Plane, MetricsError> {
    let (w, h) = image.dimensions();
    if w <= 2 * border || h <= 2 * border {
        return Err(MetricsError::TooSmall {
            width: w,
            height: h,
            border,
        });
    }
    let (width, height) = ((w - 2 * border) as usize, (h - 2 * border) as usize);
    let mut data = Vec::with_capacity(width * height);
    for y in border..h - border {
        for x in border..w - border {
            let p = image.get_pixel(x, y).0;
            let unit = |v: u8| f64::from(v) / 255.0;
            data.push(luma_bt601(unit(p[0]), unit(p[1]), unit(p[2])));
        }
    }
    Ok(Plane {
        width,
        height,
        data,
    })
}

fn same_size(a: &RgbImage, b: &RgbImage) -> Result<(), MetricsError> {
    if a.dimensions() != b.dimensions() {
        return Err(MetricsError::SizeMismatch {
            a: a.dimensions(),
            b: b.dimensions(),
        });
    }
    Ok(())
}

/// PSNR in dB of two planes with peak value `peak`; `f64::INFINITY` when
/// they are identical. Planes must have the same size.
pub fn psnr_plane(a: &Plane, b: &Plane, peak: f64) -> f64 {
    let n = a.data.len().max(1) as f64;
    let mse: f64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        / n;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (peak * peak / mse).log10()
    }
}

/// PSNR (dB, peak 255) of the BT.601 luma of two 8-bit RGB images, ignoring
/// `border` pixels on each side; `f64::INFINITY` for identical images.
pub fn psnr_y(a: &RgbImage, b: &RgbImage, border: u32) -> Result<f64, MetricsError> {
    same_size(a, b)?;
    Ok(psnr_plane(
        &luma_plane(a, border)?,
        &luma_plane(b, border)?,
        255.0,
    ))
}

/// SSIM of the BT.601 luma of two 8-bit RGB images, ignoring `border`
/// pixels on each side (Wang et al. 2004: 11×11 Gaussian window, σ = 1.5,
/// K1 = 0.01, K2 = 0.03, L = 255, mean over the valid windows).
pub fn ssim_y(a: &RgbImage, b: &RgbImage, border: u32) -> Result<f64, MetricsError> {
    same_size(a, b)?;
    let (pa, pb) = (luma_plane(a, border)?, luma_plane(b, border)?);
    ssim_plane(&pa, &pb, 255.0).ok_or(MetricsError::TooSmall {
        width: a.width(),
        height: a.height(),
        border,
    })
}

/// Side of the SSIM window in pixels.
const SSIM_WINDOW: usize = 11;
/// Standard deviation of the SSIM Gaussian window in pixels.
const SSIM_SIGMA: f64 = 1.5;

/// SSIM of two planes of the same size with dynamic range `peak` (mean over
/// every position where the 11×11 window fits); `None` when the planes are
/// smaller than the window or differ in size.
pub fn ssim_plane(a: &Plane, b: &Plane, peak: f64) -> Option<f64> {
    if a.width != b.width || a.height != b.height {
        return None;
    }
    if a.width < SSIM_WINDOW || a.height < SSIM_WINDOW {
        return None;
    }
    let half = (SSIM_WINDOW / 2) as f64;
    let mut window = [0.0f64; SSIM_WINDOW];
    for (i, w) in window.iter_mut().enumerate() {
        let d = i as f64 - half;
        *w = (-d * d / (2.0 * SSIM_SIGMA * SSIM_SIGMA)).exp();
    }
    let total: f64 = window.iter().sum();
    window.iter_mut().for_each(|w| *w /= total);
    let c1 = (0.01 * peak) * (0.01 * peak);
    let c2 = (0.03 * peak) * (0.03 * peak);
    let (ow, oh) = (a.width - SSIM_WINDOW + 1, a.height - SSIM_WINDOW + 1);
    let mut sum = 0.0;
    for y in 0..oh {
        for x in 0..ow {
            let (mut ma, mut mb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (dy, wy) in window.iter().enumerate() {
                let row = (y + dy) * a.width + x;
                for (dx, wx) in window.iter().enumerate() {
                    let w = wy * wx;
                    let (va, vb) = (a.data[row + dx], b.data[row + dx]);
                    ma += w * va;
                    mb += w * vb;
                    saa += w * va * va;
                    sbb += w * vb * vb;
                    sab += w * va * vb;
                }
            }
            let (var_a, var_b, cov) = (saa - ma * ma, sbb - mb * mb, sab - ma * mb);
            sum += ((2.0 * ma * mb + c1) * (2.0 * cov + c2))
                / ((ma * ma + mb * mb + c1) * (var_a + var_b + c2));
        }
    }
    Some(sum / (ow * oh) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(w: u32, h: u32, v: u8) -> RgbImage {
        RgbImage::from_pixel(w, h, image::Rgb([v, v, v]))
    }

    #[test]
    fn psnr_of_identical_images_is_infinite() {
        let a = flat(8, 8, 77);
        assert_eq!(psnr_y(&a, &a, 2).unwrap(), f64::INFINITY);
    }

    #[test]
    fn psnr_of_a_known_luma_offset() {
        // A grey step of 10 (8-bit) is a luma step of 10 * 219 / 255.
        let (a, b) = (flat(8, 8, 100), flat(8, 8, 110));
        let d = 10.0 * (65.481 + 128.553 + 24.966) / 255.0;
        let expected = 10.0 * (255.0f64 * 255.0 / (d * d)).log10();
        assert!((psnr_y(&a, &b, 1).unwrap() - expected).abs() < 1e-9);
    }

    #[test]
    fn ssim_of_identical_images_is_one() {
        let mut a = flat(16, 16, 0);
        for (x, y, p) in a.enumerate_pixels_mut() {
            p.0 = [(x * 13 + y * 7) as u8, (x * 3) as u8, (y * 11) as u8];
        }
        assert!((ssim_y(&a, &a, 0).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn ssim_of_two_flat_planes_is_the_luminance_term() {
        // Flat planes: no variance, so SSIM = (2ab + C1) / (a² + b² + C1).
        let a = Plane {
            width: 12,
            height: 12,
            data: vec![100.0; 144],
        };
        let b = Plane {
            width: 12,
            height: 12,
            data: vec![110.0; 144],
        };
        let c1 = (0.01f64 * 255.0).powi(2);
        let expected = (2.0 * 100.0 * 110.0 + c1) / (100.0f64 * 100.0 + 110.0 * 110.0 + c1);
        let got = ssim_plane(&a, &b, 255.0).unwrap();
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
        assert!((got - 0.995_476).abs() < 1e-6, "{got}");
    }

    #[test]
    fn size_mismatch_and_tiny_images_are_errors() {
        assert!(psnr_y(&flat(8, 8, 0), &flat(8, 9, 0), 0).is_err());
        assert!(psnr_y(&flat(4, 4, 0), &flat(4, 4, 0), 2).is_err());
        assert!(ssim_y(&flat(8, 8, 0), &flat(8, 8, 0), 0).is_err());
    }
}
