//! Quality measures of a face crop: size, sharpness, exposure.

use crate::face::Quality;
use image::RgbImage;
use seer_core::geometry::Rect;

/// Luma (BT.601, 0..255) of an RGB pixel.
fn luma(p: [u8; 3]) -> f32 {
    0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32
}

/// Measures the part of `bbox` (image pixels) inside `image`.
/// Sharpness is the variance of the 4-neighbour Laplacian of luma over the
/// crop's interior; exposure the mean luma / 255. A crop under 3×3 pixels
/// gives sharpness 0.
pub fn measure(image: &RgbImage, bbox: &Rect) -> Quality {
    let size_px = bbox.width.max(bbox.height);
    let Some(clip) = bbox.clipped(image.width() as f32, image.height() as f32) else {
        return Quality {
            size_px,
            ..Quality::default()
        };
    };
    let x0 = clip.x.floor() as u32;
    let y0 = clip.y.floor() as u32;
    let x1 = (clip.right().ceil() as u32).min(image.width());
    let y1 = (clip.bottom().ceil() as u32).min(image.height());
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let mut l = Vec::with_capacity(w * h);
    let stride = image.width() as usize * 3;
    for row in image
        .as_raw()
        .chunks_exact(stride)
        .skip(y0 as usize)
        .take(h)
    {
        let pixels = &row[x0 as usize * 3..x1 as usize * 3];
        l.extend(pixels.chunks_exact(3).map(|p| luma([p[0], p[1], p[2]])));
    }
    let exposure = if l.is_empty() {
        0.0
    } else {
        l.iter().map(|&v| v as f64).sum::<f64>() / l.len() as f64 / 255.0
    };
    Quality {
        size_px,
        sharpness: laplacian_variance(&l, w, h),
        exposure: exposure as f32,
    }
}

/// Variance of `4·c − n − s − e − w` over interior pixels of a `w`×`h`
/// plane (row-major); 0 when there is no interior.
pub fn laplacian_variance(plane: &[f32], w: usize, h: usize) -> f32 {
    if w < 3 || h < 3 || plane.len() < w * h {
        return 0.0;
    }
    let (mut sum, mut sum2, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let v = 4.0 * plane[i] - plane[i - 1] - plane[i + 1] - plane[i - w] - plane[i + w];
            sum += v as f64;
            sum2 += (v as f64) * (v as f64);
            n += 1.0;
        }
    }
    let mean = sum / n;
    (sum2 / n - mean * mean).max(0.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn flat_image_has_no_sharpness_and_checkerboard_has_much() {
        let flat = RgbImage::from_pixel(20, 20, Rgb([255, 255, 255]));
        let q = measure(&flat, &Rect::new(0.0, 0.0, 20.0, 20.0));
        assert_eq!(q.sharpness, 0.0);
        assert!((q.exposure - 1.0).abs() < 1e-4);
        assert_eq!(q.size_px, 20.0);
        let checker = RgbImage::from_fn(20, 20, |x, y| {
            if (x + y) % 2 == 0 {
                Rgb([0, 0, 0])
            } else {
                Rgb([255, 255, 255])
            }
        });
        let q = measure(&checker, &Rect::new(-5.0, -5.0, 30.0, 30.0));
        // The Laplacian is ±1020 everywhere: variance 1020².
        assert!((q.sharpness - 1020.0 * 1020.0).abs() < 10.0);
        assert!((q.exposure - 0.5).abs() < 1e-3);
    }
}
