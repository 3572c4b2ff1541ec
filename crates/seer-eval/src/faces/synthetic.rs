//! Synthetic test material for small, distant and badly lit faces, and the
//! scores used to measure detection and verification on it.
//!
//! * Scenes: face crops (a detector box on a one-person photo, with
//!   [`CONTEXT`]× context, feathered edges) are shrunk to a chosen face
//!   width and pasted at random, non-overlapping places into a random crop
//!   of a background photo; optionally the whole scene is darkened
//!   ([`darken`]). Everything is drawn from a seeded [`SeededRng`], so a seed
//!   gives the same scenes on every machine.
//! * Scores: greedy box matching at an IoU threshold (recall, false
//!   positives); ROC AUC and TAR at a FAR are in [`crate::stats`].

use image::{Rgb, RgbImage};
use seer_core::geometry::Rect;

/// Gamma applied by [`darken`] (v → v^gamma on 0..1).
pub const DARK_GAMMA: f32 = 2.2;
/// Gain applied by [`darken`] after the gamma.
pub const DARK_GAIN: f32 = 0.35;
/// Standard deviation of the Gaussian noise [`darken`] adds, in 0..255 units.
pub const DARK_NOISE_SIGMA: f32 = 6.0;
/// Side of the pasted region relative to the face box's longer side.
pub const CONTEXT: f32 = 1.6;

use seer_core::random::SeededRng;

/// A face to paste: a photo and the face's box in it (image pixels).
#[derive(Clone, Debug)]
pub struct FaceSource {
    /// The photo.
    pub image: RgbImage,
    /// The face box in `image` pixels.
    pub bbox: Rect,
}

/// What one scene holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneSpec {
    /// Scene width in pixels.
    pub width: u32,
    /// Scene height in pixels.
    pub height: u32,
    /// Width of every pasted face box in pixels.
    pub face_width: u32,
    /// Faces to paste (fewer when they do not fit).
    pub faces: usize,
    /// Darken the finished scene ([`darken`]).
    pub dark: bool,
}

/// A generated scene and the true face boxes in it (scene pixels).
#[derive(Clone, Debug)]
pub struct Scene {
    /// The image.
    pub image: RgbImage,
    /// True face boxes.
    pub faces: Vec<Rect>,
}

/// `image` as if shot in poor light: each channel v (0..1) becomes
/// `DARK_GAIN · v^DARK_GAMMA`, plus Gaussian noise of [`DARK_NOISE_SIGMA`]
/// (0..255 units), rounded and clamped.
pub fn darken(image: &RgbImage, rng: &mut SeededRng) -> RgbImage {
    let mut table = [0f32; 256];
    for (v, t) in table.iter_mut().enumerate() {
        *t = 255.0 * DARK_GAIN * (v as f32 / 255.0).powf(DARK_GAMMA);
    }
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            let v = table[*c as usize] + DARK_NOISE_SIGMA * rng.normal();
            *c = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// `image` shrunk to `width` pixels wide (aspect kept, antialiased) and
/// enlarged back to its own size: the detail a face `width / image width`
/// times smaller would have.
pub fn down_up(image: &RgbImage, width: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let small_w = width.clamp(1, w.max(1));
    let small_h = ((h as f32 * small_w as f32 / w.max(1) as f32).round() as u32).max(1);
    let small = seer_imgproc::resize_to(image, small_w, small_h);
    seer_imgproc::resize_to(&small, w, h)
}

/// A random `width`×`height` crop of a random background, scaled 1–1.3×
/// its covering size.
pub fn background(
    backgrounds: &[RgbImage],
    width: u32,
    height: u32,
    rng: &mut SeededRng,
) -> RgbImage {
    if backgrounds.is_empty() {
        return RgbImage::from_pixel(width, height, Rgb([96, 96, 96]));
    }
    let b = &backgrounds[rng.below(backgrounds.len() as u32) as usize];
    let (bw, bh) = (b.width().max(1) as f32, b.height().max(1) as f32);
    let scale = (width as f32 / bw).max(height as f32 / bh) * (1.0 + 0.3 * rng.uniform());
    let sw = ((bw * scale).ceil() as u32).max(width);
    let sh = ((bh * scale).ceil() as u32).max(height);
    let scaled = seer_imgproc::resize_to(b, sw, sh);
    let x = rng.below(sw - width + 1);
    let y = rng.below(sh - height + 1);
    image::imageops::crop_imm(&scaled, x, y, width, height).to_image()
}

/// Pastes `source`'s face, scaled so its box is `face_width` pixels wide,
/// with the region's top-left corner at (`x`, `y`) in `canvas`; the
/// region's outer eighth fades into the canvas. Returns the face box in
/// canvas pixels.
pub fn paste_face(
    canvas: &mut RgbImage,
    source: &FaceSource,
    face_width: u32,
    x: i64,
    y: i64,
) -> Rect {
    let (region, scale) = pasted_region(source, face_width);
    let patch = scaled_patch(source, &region, scale);
    let (pw, ph) = patch.dimensions();
    let feather = (pw.min(ph) as f32 / 8.0).max(1.0);
    for py in 0..ph {
        for px in 0..pw {
            let (cx, cy) = (x + px as i64, y + py as i64);
            if cx < 0 || cy < 0 || cx >= canvas.width() as i64 || cy >= canvas.height() as i64 {
                continue;
            }
            let edge = (px as f32 + 0.5)
                .min(py as f32 + 0.5)
                .min(pw as f32 - px as f32 - 0.5)
                .min(ph as f32 - py as f32 - 0.5);
            let alpha = (edge / feather).clamp(0.0, 1.0);
            let src = patch.get_pixel(px, py).0;
            let dst = canvas.get_pixel_mut(cx as u32, cy as u32);
            for (d, s) in dst.0.iter_mut().zip(src) {
                *d = (alpha * s as f32 + (1.0 - alpha) * *d as f32).round() as u8;
            }
        }
    }
    let b = source.bbox;
    Rect::new(
        x as f32 + (b.x - region.x) * scale,
        y as f32 + (b.y - region.y) * scale,
        b.width * scale,
        b.height * scale,
    )
}

/// The source region pasted (the box with context, clipped to the photo)
/// and the scale that makes the box `face_width` wide.
fn pasted_region(source: &FaceSource, face_width: u32) -> (Rect, f32) {
    let b = source.bbox;
    let side = b.width.max(b.height) * CONTEXT;
    let region = Rect::from_center(b.center(), side, side)
        .clipped(source.image.width() as f32, source.image.height() as f32)
        .unwrap_or(b);
    (region, face_width as f32 / b.width.max(1.0))
}

/// The region cut from the source photo and resized by `scale`.
fn scaled_patch(source: &FaceSource, region: &Rect, scale: f32) -> RgbImage {
    let x = region.x.floor().max(0.0) as u32;
    let y = region.y.floor().max(0.0) as u32;
    let w = (region.width.round() as u32)
        .clamp(1, source.image.width() - x.min(source.image.width() - 1));
    let h = (region.height.round() as u32)
        .clamp(1, source.image.height() - y.min(source.image.height() - 1));
    let cut = image::imageops::crop_imm(&source.image, x, y, w, h).to_image();
    let pw = ((w as f32 * scale).round() as u32).max(1);
    let ph = ((h as f32 * scale).round() as u32).max(1);
    seer_imgproc::resize_to(&cut, pw, ph)
}

/// One scene: a background crop with `spec.faces` random sources pasted
/// where they do not overlap (4 px apart), then darkened if asked.
pub fn make_scene(
    backgrounds: &[RgbImage],
    sources: &[FaceSource],
    spec: &SceneSpec,
    rng: &mut SeededRng,
) -> Scene {
    let mut image = background(backgrounds, spec.width, spec.height, rng);
    let mut placed: Vec<Rect> = Vec::new();
    let mut faces = Vec::new();
    if !sources.is_empty() {
        for _ in 0..spec.faces {
            let source = &sources[rng.below(sources.len() as u32) as usize];
            let (region, scale) = pasted_region(source, spec.face_width);
            let (rw, rh) = (region.width * scale, region.height * scale);
            if rw + 2.0 > spec.width as f32 || rh + 2.0 > spec.height as f32 {
                continue;
            }
            for _attempt in 0..100 {
                let x = rng.below(spec.width - rw.ceil() as u32) as f32;
                let y = rng.below(spec.height - rh.ceil() as u32) as f32;
                let area = Rect::new(x - 4.0, y - 4.0, rw + 8.0, rh + 8.0);
                if placed.iter().any(|p| p.intersection(&area).is_some()) {
                    continue;
                }
                placed.push(Rect::new(x, y, rw, rh));
                faces.push(paste_face(
                    &mut image,
                    source,
                    spec.face_width,
                    x as i64,
                    y as i64,
                ));
                break;
            }
        }
    }
    if spec.dark {
        image = darken(&image, rng);
    }
    Scene { image, faces }
}

/// Greedy one-to-one matching of `found` boxes (strongest first) to `truth`
/// boxes at IoU ≥ `iou`: (true boxes matched, found boxes left unmatched).
pub fn match_boxes(truth: &[Rect], found: &[Rect], iou: f32) -> (usize, usize) {
    let mut used = vec![false; truth.len()];
    let mut false_positives = 0;
    for f in found {
        let best = truth
            .iter()
            .enumerate()
            .filter(|(i, _)| !used[*i])
            .map(|(i, t)| (i, t.iou(f)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, v)) if v >= iou => used[i] = true,
            _ => false_positives += 1,
        }
    }
    (used.iter().filter(|&&u| u).count(), false_positives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_roughly_normal() {
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let xs: Vec<f32> = (0..20000).map(|_| a.normal()).collect();
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / xs.len() as f32;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
    }

    #[test]
    fn darken_follows_gamma_gain_and_noise() {
        let image = RgbImage::from_pixel(100, 100, Rgb([200, 200, 200]));
        let out = darken(&image, &mut SeededRng::new(1));
        let expect = 255.0 * 0.35 * (200.0f32 / 255.0).powf(2.2);
        let vals: Vec<f32> = out.pixels().map(|p| p.0[1] as f32).collect();
        let mean = vals.iter().sum::<f32>() / vals.len() as f32;
        let sd = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / vals.len() as f32).sqrt();
        assert!((mean - expect).abs() < 0.5, "{mean} vs {expect}");
        assert!((sd - 6.0).abs() < 0.5, "{sd}");
    }

    #[test]
    fn a_pasted_face_box_lands_where_reported() {
        // A source whose "face" is a white 40×40 square at (30, 30).
        let mut photo = RgbImage::from_pixel(100, 100, Rgb([0, 0, 0]));
        for y in 30..70 {
            for x in 30..70 {
                photo.put_pixel(x, y, Rgb([255, 255, 255]));
            }
        }
        let source = FaceSource {
            image: photo,
            bbox: Rect::new(30.0, 30.0, 40.0, 40.0),
        };
        let mut canvas = RgbImage::from_pixel(200, 200, Rgb([0, 0, 0]));
        let b = paste_face(&mut canvas, &source, 20, 50, 60);
        assert!((b.width - 20.0).abs() < 1e-3 && (b.height - 20.0).abs() < 1e-3);
        let c = b.center();
        assert_eq!(canvas.get_pixel(c.x as u32, c.y as u32).0, [255, 255, 255]);
        assert_eq!(canvas.get_pixel(b.x as u32 - 3, c.y as u32).0, [0, 0, 0]);
    }

    #[test]
    fn scenes_hold_the_asked_faces_apart_and_repeat_with_the_seed() {
        let source = FaceSource {
            image: RgbImage::from_pixel(100, 100, Rgb([200, 150, 120])),
            bbox: Rect::new(30.0, 30.0, 40.0, 40.0),
        };
        let bg = vec![RgbImage::from_pixel(300, 200, Rgb([10, 20, 30]))];
        let spec = SceneSpec {
            width: 640,
            height: 480,
            face_width: 24,
            faces: 6,
            dark: true,
        };
        let a = make_scene(
            &bg,
            std::slice::from_ref(&source),
            &spec,
            &mut SeededRng::new(3),
        );
        let b = make_scene(
            &bg,
            std::slice::from_ref(&source),
            &spec,
            &mut SeededRng::new(3),
        );
        assert_eq!(a.faces.len(), 6);
        assert_eq!(a.faces, b.faces);
        assert_eq!(a.image, b.image);
        for i in 0..6 {
            for j in i + 1..6 {
                assert!(a.faces[i].intersection(&a.faces[j]).is_none());
            }
        }
    }

    #[test]
    fn matching_boxes() {
        let t = [
            Rect::new(0.0, 0.0, 10.0, 10.0),
            Rect::new(50.0, 0.0, 10.0, 10.0),
        ];
        let f = [
            Rect::new(1.0, 0.0, 10.0, 10.0),
            Rect::new(100.0, 0.0, 10.0, 10.0),
        ];
        assert_eq!(match_boxes(&t, &f, 0.4), (1, 1));
    }
}
