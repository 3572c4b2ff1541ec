//! Drawing faces onto images: boxes and keypoints ([`draw_faces`]), and
//! boxes in a per-track colour with the track id ([`draw_tracked`]) for
//! video frames. Built on the primitives of `seer_imgproc::draw`.

use crate::{Face, TrackedFace};
use image::{Rgb, RgbImage};

/// A copy of `image` with each face's box (green) and keypoints (red eyes,
/// yellow nose and mouth, blue ears).
pub fn draw_faces(image: &RgbImage, faces: &[Face]) -> RgbImage {
    let mut out = image.clone();
    let thickness = (image.width().max(image.height()) / 400).max(2);
    for face in faces {
        let b = face.bbox;
        seer_imgproc::draw_rect(
            &mut out,
            b.x.round() as i64,
            b.y.round() as i64,
            b.width.round().max(1.0) as u32,
            b.height.round().max(1.0) as u32,
            thickness,
            Rgb([0, 255, 0]),
        );
        let colours = [
            Rgb([255, 0, 0]),
            Rgb([255, 0, 0]),
            Rgb([255, 255, 0]),
            Rgb([255, 255, 0]),
            Rgb([0, 128, 255]),
            Rgb([0, 128, 255]),
        ];
        let radius = (b.width / 40.0).max(thickness as f32);
        for (p, colour) in face.keypoints.iter().zip(colours) {
            seer_imgproc::draw_dot(&mut out, p.x, p.y, radius, colour);
        }
    }
    out
}

/// Draws each face of `faces` onto `image` (a video frame): its box in its
/// track's colour and, for tracked faces, the track id above the box.
pub fn draw_tracked(image: &mut RgbImage, faces: &[TrackedFace]) {
    let thickness = (image.width().max(image.height()) / 400).max(2);
    for face in faces {
        let b = face.face.bbox;
        let colour = track_colour(face.track);
        seer_imgproc::draw_rect(
            image,
            b.x.round() as i64,
            b.y.round() as i64,
            b.width.round().max(1.0) as u32,
            b.height.round().max(1.0) as u32,
            thickness,
            colour,
        );
        if let Some(id) = face.track {
            let scale = (thickness + 1).max(3);
            let text = id.to_string();
            let label_y = b.y.round() as i64 - 6 * scale as i64 - thickness as i64;
            draw_digits(image, b.x.round() as i64, label_y, &text, scale, colour);
        }
    }
}

/// Colour of a track's box (a fixed palette; untracked faces are grey).
fn track_colour(track: Option<u64>) -> Rgb<u8> {
    const PALETTE: [[u8; 3]; 8] = [
        [0, 255, 0],
        [255, 64, 64],
        [64, 160, 255],
        [255, 220, 0],
        [255, 0, 255],
        [0, 255, 255],
        [255, 140, 0],
        [160, 255, 160],
    ];
    match track {
        Some(id) => Rgb(PALETTE[(id as usize).wrapping_sub(1) % PALETTE.len()]),
        None => Rgb([160, 160, 160]),
    }
}

/// 3×5 bitmaps of the digits 0–9, rows top to bottom, 3 bits per row.
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b001, 0b001, 0b001],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

/// Draws the decimal digits of `text` (other characters are skipped) with
/// their top-left corner at (`x`, `y`), each font pixel `scale` pixels,
/// on a black background; parts outside the image are clipped.
pub fn draw_digits(image: &mut RgbImage, x: i64, y: i64, text: &str, scale: u32, colour: Rgb<u8>) {
    let digits: Vec<usize> = text
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| d as usize)
        .collect();
    let s = scale as i64;
    let y = y.max(0);
    let width = (digits.len() as i64 * 4 + 1) * s;
    let mut put = |px: i64, py: i64, c: Rgb<u8>| {
        if px >= 0 && py >= 0 && px < image.width() as i64 && py < image.height() as i64 {
            image.put_pixel(px as u32, py as u32, c);
        }
    };
    for py in y..y + 7 * s {
        for px in x..x + width {
            put(px, py, Rgb([0, 0, 0]));
        }
    }
    for (i, &d) in digits.iter().enumerate() {
        let left = x + (i as i64 * 4 + 1) * s;
        for (row, bits) in DIGITS[d].iter().enumerate() {
            for col in 0..3 {
                if bits & (0b100 >> col) != 0 {
                    let (fx, fy) = (left + col * s, y + (row as i64 + 1) * s);
                    for py in fy..fy + s {
                        for px in fx..fx + s {
                            put(px, py, colour);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_drawn_inside_their_box_and_clipped_at_the_edge() {
        let mut image = RgbImage::from_pixel(40, 20, Rgb([9, 9, 9]));
        draw_digits(&mut image, 2, 3, "18", 2, Rgb([255, 0, 0]));
        let red = image.pixels().filter(|p| p.0 == [255, 0, 0]).count();
        // "1" has 8 lit font pixels, "8" has 13; each is 2×2 image pixels.
        assert_eq!(red, (8 + 13) * 4);
        assert_eq!(image.get_pixel(0, 0).0, [9, 9, 9]);
        draw_digits(&mut image, 35, 15, "8", 3, Rgb([0, 255, 0]));
    }
}
