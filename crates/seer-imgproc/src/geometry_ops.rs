//! Geometric image operations models need around detection: letterboxing
//! an image into a square model input, cropping with black padding outside
//! the image, and plain resizing.

use image::{imageops, RgbImage};

/// Where a letterboxed image sits inside the square model input.
///
/// A source pixel coordinate `s` maps to `s · scale + offset` in the square;
/// [`Letterbox::to_source`] maps back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Letterbox {
    /// Side of the square, in pixels.
    pub size: u32,
    /// Square pixels per source pixel.
    pub scale: f32,
    /// Left padding inside the square, in square pixels.
    pub offset_x: f32,
    /// Top padding inside the square, in square pixels.
    pub offset_y: f32,
}

impl Letterbox {
    /// Maps a point in square pixels back to source pixels.
    pub fn to_source(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (x - self.offset_x) / self.scale,
            (y - self.offset_y) / self.scale,
        )
    }

    /// Converts a length in square pixels to source pixels.
    pub fn length_to_source(&self, length: f32) -> f32 {
        length / self.scale
    }
}

/// Scales `image` to fit a `size`×`size` square keeping its aspect ratio
/// (triangle filter, antialiased when shrinking) and centres it on black.
/// Returns the square and where the image lies in it. `size` must be > 0;
/// an empty image gives an all-black square.
pub fn letterbox(image: &RgbImage, size: u32) -> (RgbImage, Letterbox) {
    let (w, h) = image.dimensions();
    let size = size.max(1);
    let mut square = RgbImage::new(size, size);
    if w == 0 || h == 0 {
        let lb = Letterbox {
            size,
            scale: 1.0,
            offset_x: 0.0,
            offset_y: 0.0,
        };
        return (square, lb);
    }
    let scale = size as f32 / w.max(h) as f32;
    let new_w = ((w as f32 * scale).round() as u32).clamp(1, size);
    let new_h = ((h as f32 * scale).round() as u32).clamp(1, size);
    let resized = resize_to(image, new_w, new_h);
    let off_x = (size - new_w) / 2;
    let off_y = (size - new_h) / 2;
    imageops::replace(&mut square, &resized, off_x as i64, off_y as i64);
    let lb = Letterbox {
        size,
        // The actual per-axis scale differs from `scale` by < 1 pixel of
        // rounding; use the one of the longer side, which is exact.
        scale,
        offset_x: off_x as f32,
        offset_y: off_y as f32,
    };
    (square, lb)
}

/// Resizes to exactly `width`×`height` pixels (triangle filter, which
/// widens with the shrink factor, so shrinking is antialiased).
pub fn resize_to(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    if image.dimensions() == (width, height) {
        return image.clone();
    }
    crate::triangle::resize_triangle(image, width, height)
}

/// Shrinks by an integer `factor`: output pixel (x, y) is the rounded mean
/// of the `factor`×`factor` block of source pixels starting at
/// (`factor`·x, `factor`·y). The output is ⌊width / factor⌋ ×
/// ⌊height / factor⌋ pixels (at least 1×1); source columns and rows past
/// the last whole block are left out. A factor of 0 or 1 returns a copy;
/// factors above 257 shrink by 257.
/// A cheap antialiased first step before a filtered resize of a much
/// larger image.
pub fn box_shrink(image: &RgbImage, factor: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    if factor <= 1 || w == 0 || h == 0 {
        return image.clone();
    }
    // A u16 column sum holds up to 257 values of 255.
    let k = factor.min(w).min(h).min(257) as usize;
    let (ow, oh) = (w as usize / k, h as usize / k);
    let src = image.as_raw();
    let stride = w as usize * 3;
    let used = ow * k * 3;
    let mut out = vec![0u8; ow * oh * 3];
    // Column sums of k rows first (contiguous, vectorised), then the sums
    // of k neighbouring columns: ~4× faster than summing each block.
    let mut columns = vec![0u16; used];
    let count = (k * k) as u64;
    // Division by `count` as a multiply and shift: exact for every sum
    // (at most 256·count) when count < 4096, i.e. k < 64.
    let reciprocal = (1u64 << 32).div_ceil(count);
    let divide = |n: u32| -> u8 {
        let n = n as u64 + count / 2;
        (if k < 64 {
            (n * reciprocal) >> 32
        } else {
            n / count
        }) as u8
    };
    for (oy, out_row) in out.chunks_exact_mut(ow * 3).enumerate() {
        columns.fill(0);
        for row in src[oy * k * stride..(oy + 1) * k * stride].chunks_exact(stride) {
            for (sum, &v) in columns.iter_mut().zip(&row[..used]) {
                *sum += v as u16;
            }
        }
        for (pixel, block) in out_row.chunks_exact_mut(3).zip(columns.chunks_exact(k * 3)) {
            let (mut r, mut g, mut b) = (0u32, 0u32, 0u32);
            for p in block.chunks_exact(3) {
                r += p[0] as u32;
                g += p[1] as u32;
                b += p[2] as u32;
            }
            pixel[0] = divide(r);
            pixel[1] = divide(g);
            pixel[2] = divide(b);
        }
    }
    RgbImage::from_raw(ow as u32, oh as u32, out).expect("buffer matches the dimensions")
}

/// Copies the `width`×`height` region whose top-left corner is (`x`, `y`)
/// in source pixels; parts outside the image are black.
pub fn crop_padded(image: &RgbImage, x: i64, y: i64, width: u32, height: u32) -> RgbImage {
    let (iw, ih) = (image.width() as i64, image.height() as i64);
    let mut out = RgbImage::new(width, height);
    // The source columns inside the image, as output columns x0..x1.
    let x0 = (-x).clamp(0, width as i64);
    let x1 = (iw - x).clamp(x0, width as i64);
    if x0 == x1 {
        return out;
    }
    let (out_stride, src_stride) = (width as usize * 3, iw as usize * 3);
    let src = image.as_raw();
    for (oy, out_row) in out.chunks_exact_mut(out_stride).enumerate() {
        let sy = y + oy as i64;
        if sy < 0 || sy >= ih {
            continue;
        }
        let from = sy as usize * src_stride + (x + x0) as usize * 3;
        let len = (x1 - x0) as usize * 3;
        out_row[x0 as usize * 3..x0 as usize * 3 + len].copy_from_slice(&src[from..from + len]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn box_shrink_averages_whole_blocks() {
        // 7×5 with factor 3: 2×1 output; columns 6 and rows 3-4 left out.
        let image = RgbImage::from_fn(7, 5, |x, y| Rgb([(10 * x + y) as u8, 200, (x * y) as u8]));
        let out = box_shrink(&image, 3);
        assert_eq!(out.dimensions(), (2, 1));
        // Block x 0..3, y 0..3: red mean of 10x + y = 10 + 1 = 11; blue
        // mean of x·y = (0+1+2)(0+1+2)/9 = 1.
        assert_eq!(out.get_pixel(0, 0).0, [11, 200, 1]);
        assert_eq!(out.get_pixel(1, 0).0, [41, 200, 4]);
        assert_eq!(box_shrink(&image, 1), image);
    }

    #[test]
    fn box_shrink_rounds_every_block_mean_exactly() {
        let image = RgbImage::from_fn(211, 149, |x, y| {
            Rgb([(x * 31 + y * 17) as u8, (x * y) as u8, 255 - (x ^ y) as u8])
        });
        for k in [2u32, 3, 4, 5, 7, 63, 64, 70] {
            let out = box_shrink(&image, k);
            for (ox, oy, p) in out.enumerate_pixels() {
                for c in 0..3 {
                    let mut sum = 0u32;
                    for y in oy * k..(oy + 1) * k {
                        for x in ox * k..(ox + 1) * k {
                            sum += image.get_pixel(x, y).0[c] as u32;
                        }
                    }
                    let count = k * k;
                    assert_eq!(
                        p.0[c] as u32,
                        (sum + count / 2) / count,
                        "k {k} at ({ox}, {oy})"
                    );
                }
            }
        }
    }

    #[test]
    fn letterbox_centres_a_wide_image_and_maps_back() {
        let image = RgbImage::from_pixel(400, 200, Rgb([255, 255, 255]));
        let (square, lb) = letterbox(&image, 100);
        assert_eq!(square.dimensions(), (100, 100));
        assert_eq!(lb.scale, 0.25);
        assert_eq!((lb.offset_x, lb.offset_y), (0.0, 25.0));
        assert_eq!(square.get_pixel(50, 10).0, [0, 0, 0]);
        assert_eq!(square.get_pixel(50, 50).0, [255, 255, 255]);
        assert_eq!(lb.to_source(50.0, 50.0), (200.0, 100.0));
        assert_eq!(lb.length_to_source(10.0), 40.0);
    }

    #[test]
    fn crop_outside_the_image_is_black() {
        let image = RgbImage::from_pixel(4, 4, Rgb([9, 9, 9]));
        let crop = crop_padded(&image, -2, 2, 4, 4);
        assert_eq!(crop.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(crop.get_pixel(2, 0).0, [9, 9, 9]);
        assert_eq!(crop.get_pixel(2, 2).0, [0, 0, 0]);
    }

    #[test]
    fn crop_copies_exactly_the_pixels_inside_the_image() {
        let image = RgbImage::from_fn(7, 5, |x, y| Rgb([x as u8, y as u8, 100]));
        for (x, y, w, h) in [
            (-3, -2, 12, 9),
            (2, 1, 3, 3),
            (5, 4, 6, 6),
            (8, 0, 2, 2),
            (-9, 1, 3, 3),
        ] {
            let crop = crop_padded(&image, x, y, w, h);
            for (cx, cy, p) in crop.enumerate_pixels() {
                let (sx, sy) = (x + cx as i64, y + cy as i64);
                let inside = (0..7).contains(&sx) && (0..5).contains(&sy);
                let want = if inside {
                    [sx as u8, sy as u8, 100]
                } else {
                    [0, 0, 0]
                };
                assert_eq!(p.0, want, "crop ({x}, {y}) {w}×{h} at ({cx}, {cy})");
            }
        }
    }
}
