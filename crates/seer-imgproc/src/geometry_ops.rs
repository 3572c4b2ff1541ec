//! Geometric image operations models need around detection: letterboxing
//! an image into a square model input, cropping with black padding outside
//! the image, and plain resizing.

use image::{imageops, Rgb, RgbImage};

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
    imageops::resize(image, width, height, imageops::FilterType::Triangle)
}

/// Copies the `width`×`height` region whose top-left corner is (`x`, `y`)
/// in source pixels; parts outside the image are black.
pub fn crop_padded(image: &RgbImage, x: i64, y: i64, width: u32, height: u32) -> RgbImage {
    let (iw, ih) = (image.width() as i64, image.height() as i64);
    let mut out = RgbImage::from_pixel(width, height, Rgb([0, 0, 0]));
    for oy in 0..height as i64 {
        let sy = y + oy;
        if sy < 0 || sy >= ih {
            continue;
        }
        for ox in 0..width as i64 {
            let sx = x + ox;
            if sx < 0 || sx >= iw {
                continue;
            }
            let p = *image.get_pixel(sx as u32, sy as u32);
            out.put_pixel(ox as u32, oy as u32, p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
