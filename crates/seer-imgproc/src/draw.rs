//! Drawing results onto images: rectangle outlines and dots.

use image::{Rgb, RgbImage};

/// Draws the outline of the rectangle with top-left (`x`, `y`) and size
/// `width`×`height` (pixels), `thickness` pixels wide, inside the rectangle.
/// Parts outside the image are skipped.
pub fn draw_rect(
    image: &mut RgbImage,
    x: i64,
    y: i64,
    width: u32,
    height: u32,
    thickness: u32,
    color: Rgb<u8>,
) {
    let (w, h) = (width as i64, height as i64);
    let t = (thickness as i64).min(w.max(1)).min(h.max(1)).max(1);
    for dy in 0..h {
        for dx in 0..w {
            let edge = dx < t || dy < t || dx >= w - t || dy >= h - t;
            if edge {
                put(image, x + dx, y + dy, color);
            }
        }
    }
}

/// Fills a disc of `radius` pixels centred on (`x`, `y`).
pub fn draw_dot(image: &mut RgbImage, x: f32, y: f32, radius: f32, color: Rgb<u8>) {
    let r = radius.max(0.5);
    let (x0, x1) = ((x - r).floor() as i64, (x + r).ceil() as i64);
    let (y0, y1) = ((y - r).floor() as i64, (y + r).ceil() as i64);
    for py in y0..=y1 {
        for px in x0..=x1 {
            let (dx, dy) = (px as f32 + 0.5 - x, py as f32 + 0.5 - y);
            if dx * dx + dy * dy <= r * r {
                put(image, px, py, color);
            }
        }
    }
}

fn put(image: &mut RgbImage, x: i64, y: i64, color: Rgb<u8>) {
    if x >= 0 && y >= 0 && (x as u64) < image.width() as u64 && (y as u64) < image.height() as u64 {
        image.put_pixel(x as u32, y as u32, color);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_is_drawn_and_inside_is_untouched() {
        let mut image = RgbImage::new(10, 10);
        let red = Rgb([255, 0, 0]);
        draw_rect(&mut image, 2, 2, 6, 6, 1, red);
        assert_eq!(*image.get_pixel(2, 2), red);
        assert_eq!(*image.get_pixel(7, 5), red);
        assert_eq!(image.get_pixel(5, 5).0, [0, 0, 0]);
        // Off-image parts are clipped without panicking.
        draw_rect(&mut image, -3, -3, 20, 20, 2, red);
        draw_dot(&mut image, 0.0, 0.0, 2.0, red);
        assert_eq!(*image.get_pixel(0, 0), red);
    }
}
