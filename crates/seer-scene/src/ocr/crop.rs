//! Cutting a (possibly turned) text box out of the image, straightened.

use super::quad::Quad;
use image::{Rgb, RgbImage};

/// Longest side of a crop in pixels (longer boxes are sampled coarser).
const MAX_CROP_SIDE: f32 = 4096.0;

/// The box as an upright image: `quad.length()` × `quad.thickness()`
/// pixels (rounded, at most 4096), sampled bilinearly; points outside
/// the image take the nearest edge pixel. `None` below 2×2 pixels.
pub fn straightened(image: &RgbImage, quad: &Quad) -> Option<RgbImage> {
    let width = quad.length().round().min(MAX_CROP_SIDE);
    let height = quad.thickness().round().min(MAX_CROP_SIDE);
    if !(width >= 2.0 && height >= 2.0) || image.width() == 0 || image.height() == 0 {
        return None;
    }
    let (w, h) = (width as u32, height as u32);
    let mut out = RgbImage::new(w, h);
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let (fu, fv) = ((x as f32 + 0.5) / width, (y as f32 + 0.5) / height);
        let sx = quad.origin[0] + fu * quad.along[0] + fv * quad.across[0] - 0.5;
        let sy = quad.origin[1] + fu * quad.along[1] + fv * quad.across[1] - 0.5;
        *pixel = bilinear(image, sx, sy);
    }
    Some(out)
}

/// The image at (x, y) (pixel centres at integers), edges repeated.
fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (maxx, maxy) = ((image.width() - 1) as f32, (image.height() - 1) as f32);
    let (x, y) = (x.clamp(0.0, maxx), y.clamp(0.0, maxy));
    let (x0, y0) = (x.floor(), y.floor());
    let (x1, y1) = ((x0 + 1.0).min(maxx), (y0 + 1.0).min(maxy));
    let (fx, fy) = (x - x0, y - y0);
    let p = |px: f32, py: f32| image.get_pixel(px as u32, py as u32).0;
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 3];
    for (i, o) in out.iter_mut().enumerate() {
        let top = f32::from(a[i]) * (1.0 - fx) + f32::from(b[i]) * fx;
        let bottom = f32::from(c[i]) * (1.0 - fx) + f32::from(d[i]) * fx;
        *o = (top * (1.0 - fy) + bottom * fy).round() as u8;
    }
    Rgb(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upright_box_is_a_plain_crop() {
        let image = RgbImage::from_fn(20, 10, |x, y| Rgb([x as u8 * 10, y as u8 * 20, 7]));
        let quad = Quad {
            origin: [4.0, 2.0],
            along: [8.0, 0.0],
            across: [0.0, 5.0],
        };
        let crop = straightened(&image, &quad).unwrap();
        assert_eq!(crop.dimensions(), (8, 5));
        assert_eq!(
            crop,
            image::imageops::crop_imm(&image, 4, 2, 8, 5).to_image()
        );
    }

    #[test]
    fn a_quarter_turned_box_is_turned_upright_and_tiny_boxes_give_none() {
        let image = RgbImage::from_fn(10, 10, |x, y| Rgb([x as u8, y as u8, 0]));
        // Reading downwards, the top edge at the right.
        let quad = Quad {
            origin: [6.0, 0.0],
            along: [0.0, 10.0],
            across: [-4.0, 0.0],
        };
        let crop = straightened(&image, &quad).unwrap();
        assert_eq!(crop.dimensions(), (10, 4));
        assert_eq!(crop.get_pixel(0, 0).0, [5, 0, 0]);
        assert_eq!(crop.get_pixel(9, 3).0, [2, 9, 0]);
        let dot = Quad {
            origin: [1.0, 1.0],
            along: [1.0, 0.0],
            across: [0.0, 1.0],
        };
        assert!(straightened(&image, &dot).is_none());
    }
}
