//! Short labels drawn onto images with a built-in 3×5 pixel font (digits,
//! capital letters, `. - : / %` and space; lower case is drawn as capitals),
//! scaled up by whole pixels, on a dark backing box so they read on any
//! background. Unknown characters are drawn as spaces.

use image::{Rgb, RgbImage};

/// The glyph of `c`: five rows of three bits, the high bit on the left.
fn glyph(c: char) -> [u8; 5] {
    match c.to_ascii_uppercase() {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 7, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 1, 1],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        '.' => [0, 0, 0, 0, 2],
        '-' => [0, 0, 7, 0, 0],
        ':' => [0, 2, 0, 2, 0],
        '/' => [1, 1, 2, 4, 4],
        '%' => [5, 1, 2, 4, 5],
        'A' => [2, 5, 7, 5, 5],
        'B' => [6, 5, 6, 5, 6],
        'C' => [3, 4, 4, 4, 3],
        'D' => [6, 5, 5, 5, 6],
        'E' => [7, 4, 6, 4, 7],
        'F' => [7, 4, 6, 4, 4],
        'G' => [3, 4, 5, 5, 3],
        'H' => [5, 5, 7, 5, 5],
        'I' => [7, 2, 2, 2, 7],
        'J' => [1, 1, 1, 5, 2],
        'K' => [5, 5, 6, 5, 5],
        'L' => [4, 4, 4, 4, 7],
        'M' => [5, 7, 7, 5, 5],
        'N' => [6, 5, 5, 5, 5],
        'O' => [2, 5, 5, 5, 2],
        'P' => [6, 5, 6, 4, 4],
        'Q' => [2, 5, 5, 6, 3],
        'R' => [6, 5, 6, 5, 5],
        'S' => [3, 4, 2, 1, 6],
        'T' => [7, 2, 2, 2, 2],
        'U' => [5, 5, 5, 5, 7],
        'V' => [5, 5, 5, 5, 2],
        'W' => [5, 5, 7, 7, 5],
        'X' => [5, 5, 2, 5, 5],
        'Y' => [5, 5, 2, 2, 2],
        'Z' => [7, 1, 2, 4, 7],
        _ => [0; 5],
    }
}

/// Width and height in pixels of `text` drawn at `scale` (pixels per font
/// pixel), backing box included.
pub fn text_size(text: &str, scale: u32) -> (u32, u32) {
    let scale = scale.max(1);
    let chars = text.chars().count() as u32;
    ((chars * 4 + 1) * scale, 7 * scale)
}

/// Draws `text` with its top-left corner at (`x`, `y`) pixels, each font
/// pixel `scale`×`scale` image pixels, in `color` on a black box. Parts
/// outside the image are skipped.
pub fn draw_text(image: &mut RgbImage, x: i64, y: i64, text: &str, scale: u32, color: Rgb<u8>) {
    let scale = i64::from(scale.max(1));
    let (w, h) = text_size(text, scale as u32);
    fill(image, x, y, i64::from(w), i64::from(h), Rgb([0, 0, 0]));
    for (i, c) in text.chars().enumerate() {
        let left = x + (i as i64 * 4 + 1) * scale;
        for (row, bits) in glyph(c).iter().enumerate() {
            for col in 0..3 {
                if bits & (4 >> col) != 0 {
                    let px = left + col * scale;
                    let py = y + (row as i64 + 1) * scale;
                    fill(image, px, py, scale, scale, color);
                }
            }
        }
    }
}

/// The label scale that reads well on `image`: one font pixel per 270
/// rows of the image (1 at 540p, 4 at 4K), at least 1.
pub fn label_scale(image: &RgbImage) -> u32 {
    (image.height() / 270).max(1)
}

/// Draws the outline of the box with corners (`x1`, `y1`), (`x2`, `y2`)
/// (pixels), `thickness` pixels wide, and `label` (unless empty) just
/// above it at `scale`, both in `color`.
pub fn draw_labelled_box(
    image: &mut RgbImage,
    [x1, y1, x2, y2]: [f32; 4],
    label: &str,
    thickness: u32,
    scale: u32,
    color: Rgb<u8>,
) {
    crate::draw_rect(
        image,
        x1 as i64,
        y1 as i64,
        (x2 - x1).max(1.0) as u32,
        (y2 - y1).max(1.0) as u32,
        thickness,
        color,
    );
    if !label.is_empty() {
        let (_, h) = text_size(label, scale);
        draw_text(
            image,
            x1 as i64,
            y1 as i64 - i64::from(h),
            label,
            scale,
            color,
        );
    }
}

/// Fills the rectangle at (`x`, `y`) of `w`×`h` pixels, clipped.
pub fn fill(image: &mut RgbImage, x: i64, y: i64, w: i64, h: i64, color: Rgb<u8>) {
    let (iw, ih) = (i64::from(image.width()), i64::from(image.height()));
    for py in y.max(0)..(y + h).min(ih) {
        for px in x.max(0)..(x + w).min(iw) {
            image.put_pixel(px as u32, py as u32, color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_lights_its_glyph_pixels_and_clips_at_the_edge() {
        let mut image = RgbImage::new(40, 20);
        draw_text(&mut image, 0, 0, "1", 2, Rgb([255, 255, 255]));
        // The "1" has its foot (three pixels) on the fifth glyph row.
        let lit = |x, y| image.get_pixel(x, y).0 == [255, 255, 255];
        assert!(lit(2, 10) && lit(4, 10) && lit(6, 10));
        assert!(!lit(2, 2));
        assert_eq!(text_size("12.5 M", 2), (50, 14));
        // Off the image: nothing to draw, no panic.
        draw_text(&mut image, 35, 15, "FCW 1.2 S", 3, Rgb([255, 0, 0]));
        draw_text(&mut image, -100, -100, "X", 1, Rgb([255, 0, 0]));
    }
}
