//! Text drawn into test images with a real font (the glyph subsets in
//! `testdata/fonts`), antialiased, with an outline.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::RgbImage;

/// Ink coverage of `text` at `size` pixels: a width×height alpha map and
/// where the baseline origin sits in it.
pub struct Ink {
    pub width: u32,
    pub height: u32,
    pub alpha: Vec<f32>,
}

pub fn rasterise(font: &FontRef, text: &str, size: f32) -> Ink {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut glyphs = Vec::new();
    let mut x = 0.0f32;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        assert_ne!(id.0, 0, "the font subset lacks {c:?}");
        if let Some(p) = previous {
            x += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(size, ab_glyph::point(x, scaled.ascent())));
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    let outlined: Vec<_> = glyphs
        .into_iter()
        .filter_map(|g| font.outline_glyph(g))
        .collect();
    let (mut x1, mut y1, mut x2, mut y2) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for g in &outlined {
        let b = g.px_bounds();
        x1 = x1.min(b.min.x);
        y1 = y1.min(b.min.y);
        x2 = x2.max(b.max.x);
        y2 = y2.max(b.max.y);
    }
    let (width, height) = ((x2 - x1).ceil() as u32, (y2 - y1).ceil() as u32);
    let mut alpha = vec![0.0f32; (width * height) as usize];
    for g in &outlined {
        let b = g.px_bounds();
        let (ox, oy) = ((b.min.x - x1) as i64, (b.min.y - y1) as i64);
        g.draw(|gx, gy, c| {
            let (px, py) = (ox + i64::from(gx), oy + i64::from(gy));
            if px >= 0 && py >= 0 && (px as u32) < width && (py as u32) < height {
                let at = (py as u32 * width + px as u32) as usize;
                alpha[at] = alpha[at].max(c);
            }
        });
    }
    Ink {
        width,
        height,
        alpha,
    }
}

fn blend(image: &mut RgbImage, x: i64, y: i64, a: f32, color: [u8; 3]) {
    if x < 0 || y < 0 || x >= i64::from(image.width()) || y >= i64::from(image.height()) {
        return;
    }
    let p = image.get_pixel_mut(x as u32, y as u32);
    for (channel, target) in p.0.iter_mut().zip(color) {
        *channel = (f32::from(*channel) * (1.0 - a) + f32::from(target) * a).round() as u8;
    }
}

/// Draws `ink` with its top-left at (x, y): an outline of `outline`
/// pixels in `edge`, then the glyphs in `fill`.
pub fn stamp(
    image: &mut RgbImage,
    ink: &Ink,
    x: i64,
    y: i64,
    fill: [u8; 3],
    edge: [u8; 3],
    outline: i64,
) {
    for dy in -outline..=outline {
        for dx in -outline..=outline {
            for iy in 0..ink.height {
                for ix in 0..ink.width {
                    let a = ink.alpha[(iy * ink.width + ix) as usize];
                    if a > 0.0 {
                        blend(
                            image,
                            x + i64::from(ix) + dx,
                            y + i64::from(iy) + dy,
                            a,
                            edge,
                        );
                    }
                }
            }
        }
    }
    for iy in 0..ink.height {
        for ix in 0..ink.width {
            let a = ink.alpha[(iy * ink.width + ix) as usize];
            if a > 0.0 {
                blend(image, x + i64::from(ix), y + i64::from(iy), a, fill);
            }
        }
    }
}
