//! Privacy blur: hiding faces in images and video frames.
//!
//! [`blur_faces`] blurs or pixelates rectangles (a detected box grown by
//! [`BlurOptions::expand`]); pixels outside them are never changed. The
//! Gaussian style is three passes of a box filter (a close Gaussian
//! approximation) whose radius scales with the box, reading only pixels
//! inside the rectangle, so nothing outside leaks in or is altered.
//!
//! [`video_blur_boxes`] turns the tracked detections of a scanned video
//! into the rectangles to hide in every frame: between two detections of a
//! track the box is interpolated, and each track's first and last boxes
//! are held [`BlurOptions::hold_frames`] frames before and after, so a
//! frame where the detector missed a face does not show it.

use crate::track::FrameFaces;
use image::RgbImage;
use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a face is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlurStyle {
    /// A strong blur (radius a quarter of the box's shorter side).
    Blur,
    /// Large flat blocks (a fifth of the expanded box's shorter side, at
    /// least 4 px): about four blocks across a face.
    Pixelate,
}

/// How faces are blurred.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlurOptions {
    /// Blur or pixelate.
    pub style: BlurStyle,
    /// Each box side grows by this fraction of its length (0.2 → 20 %
    /// wider and taller, same centre), to cover hair, ears and chin.
    pub expand: f32,
    /// In videos, frames a box is kept before a track's first and after its
    /// last detection.
    pub hold_frames: u64,
}

impl Default for BlurOptions {
    fn default() -> Self {
        BlurOptions {
            style: BlurStyle::Blur,
            expand: 0.25,
            hold_frames: 5,
        }
    }
}

/// `bbox` grown by `expand` (fraction of each side) about its centre.
pub fn expanded(bbox: &Rect, expand: f32) -> Rect {
    let factor = 1.0 + expand.max(0.0);
    Rect::from_center(bbox.center(), bbox.width * factor, bbox.height * factor)
}

/// A rectangle in whole pixels inside the image: (x0, y0, x1, y1), end
/// exclusive; `None` when nothing of `rect` lies inside.
fn pixel_bounds(rect: &Rect, width: u32, height: u32) -> Option<(u32, u32, u32, u32)> {
    let x0 = rect.x.floor().max(0.0) as u32;
    let y0 = rect.y.floor().max(0.0) as u32;
    let x1 = (rect.right().ceil().max(0.0) as u32).min(width);
    let y1 = (rect.bottom().ceil().max(0.0) as u32).min(height);
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// Hides every face box in `image` (boxes in image pixels, before
/// expansion). Pixels outside the expanded boxes stay unchanged.
pub fn blur_faces(image: &mut RgbImage, boxes: &[Rect], options: &BlurOptions) {
    for bbox in boxes {
        let rect = expanded(bbox, options.expand);
        let Some(bounds) = pixel_bounds(&rect, image.width(), image.height()) else {
            continue;
        };
        match options.style {
            BlurStyle::Blur => blur_region(image, bounds),
            BlurStyle::Pixelate => pixelate_region(image, bounds),
        }
    }
}

/// Replaces the region by blocks of its mean colour.
fn pixelate_region(image: &mut RgbImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) {
    let block = ((x1 - x0).min(y1 - y0) / 5).max(4);
    let mut by = y0;
    while by < y1 {
        let ey = (by + block).min(y1);
        let mut bx = x0;
        while bx < x1 {
            let ex = (bx + block).min(x1);
            let mut sum = [0u64; 3];
            for y in by..ey {
                for x in bx..ex {
                    let p = image.get_pixel(x, y).0;
                    for c in 0..3 {
                        sum[c] += p[c] as u64;
                    }
                }
            }
            let n = ((ex - bx) * (ey - by)) as u64;
            let mean = image::Rgb(sum.map(|s| ((s + n / 2) / n) as u8));
            for y in by..ey {
                for x in bx..ex {
                    image.put_pixel(x, y, mean);
                }
            }
            bx = ex;
        }
        by = ey;
    }
}

/// Three box-filter passes in each direction over the region, reading only
/// the region (edges clamped).
fn blur_region(image: &mut RgbImage, (x0, y0, x1, y1): (u32, u32, u32, u32)) {
    let (w, h) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let radius = (w.min(h) / 4).max(2);
    let mut plane: Vec<[f32; 3]> = Vec::with_capacity(w * h);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = image.get_pixel(x, y).0;
            plane.push([p[0] as f32, p[1] as f32, p[2] as f32]);
        }
    }
    let mut line = Vec::new();
    for _ in 0..3 {
        for row in 0..h {
            box_pass(&mut plane, row * w, 1, w, radius, &mut line);
        }
        for col in 0..w {
            box_pass(&mut plane, col, w, h, radius, &mut line);
        }
    }
    for y in 0..h {
        for x in 0..w {
            let v = plane[y * w + x];
            let px = image::Rgb(v.map(|c| c.round().clamp(0.0, 255.0) as u8));
            image.put_pixel(x0 + x as u32, y0 + y as u32, px);
        }
    }
}

/// One running-sum box filter of half-width `radius` along `len` values of
/// `plane` starting at `start`, `stride` apart; edges are clamped.
fn box_pass(
    plane: &mut [[f32; 3]],
    start: usize,
    stride: usize,
    len: usize,
    radius: usize,
    line: &mut Vec<[f32; 3]>,
) {
    line.clear();
    line.extend((0..len).map(|i| plane[start + i * stride]));
    let at = |i: isize| line[i.clamp(0, len as isize - 1) as usize];
    let r = radius as isize;
    let mut sum = [0f32; 3];
    for i in -r..=r {
        let v = at(i);
        for c in 0..3 {
            sum[c] += v[c];
        }
    }
    let n = (2 * radius + 1) as f32;
    for i in 0..len as isize {
        plane[start + i as usize * stride] = sum.map(|s| s / n);
        let (add, sub) = (at(i + r + 1), at(i - r));
        for c in 0..3 {
            sum[c] += add[c] - sub[c];
        }
    }
}

/// The rectangles to hide in each of `frame_count` frames (indexed by frame
/// number) of a scanned video: every detection, boxes interpolated between
/// the detections of a track, and each track's (or untracked detection's)
/// first and last box held `hold_frames` frames before and after. Tracks
/// for which `keep(track)` is true are left out (e.g. enrolled subjects);
/// untracked detections are always hidden.
pub fn video_blur_boxes(
    frames: &[FrameFaces],
    frame_count: u64,
    hold_frames: u64,
    keep: impl Fn(u64) -> bool,
) -> Vec<Vec<Rect>> {
    let mut out: Vec<Vec<Rect>> = vec![Vec::new(); frame_count as usize];
    let mut put = |frame: u64, rect: Rect| {
        if let Some(list) = out.get_mut(frame as usize) {
            list.push(rect);
        }
    };
    let mut tracks: BTreeMap<u64, Vec<(u64, Rect)>> = BTreeMap::new();
    for frame in frames {
        for face in &frame.faces {
            match face.track {
                Some(id) => tracks
                    .entry(id)
                    .or_default()
                    .push((frame.frame, face.face.bbox)),
                None => {
                    let first = frame.frame.saturating_sub(hold_frames);
                    for f in first..=frame.frame + hold_frames {
                        put(f, face.face.bbox);
                    }
                }
            }
        }
    }
    for (id, seen) in tracks {
        if keep(id) {
            continue;
        }
        let (first, last) = (seen[0], seen[seen.len() - 1]);
        for f in first.0.saturating_sub(hold_frames)..first.0 {
            put(f, first.1);
        }
        for pair in seen.windows(2) {
            let ((fa, a), (fb, b)) = (pair[0], pair[1]);
            for f in fa..fb {
                let t = (f - fa) as f32 / (fb - fa) as f32;
                put(f, lerp(&a, &b, t));
            }
        }
        for f in last.0..=last.0 + hold_frames {
            put(f, last.1);
        }
    }
    out
}

/// The rectangle `t` (0..1) of the way from `a` to `b`.
fn lerp(a: &Rect, b: &Rect, t: f32) -> Rect {
    let mix = |p: f32, q: f32| p + (q - p) * t;
    Rect::new(
        mix(a.x, b.x),
        mix(a.y, b.y),
        mix(a.width, b.width),
        mix(a.height, b.height),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::{Face, Quality};
    use crate::track::TrackedFace;
    use seer_core::geometry::Point;

    fn noisy(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let v = ((x * 7919 + y * 104_729) % 251) as u8;
            image::Rgb([v, v.wrapping_mul(3), 255 - v])
        })
    }

    /// Sum of squared horizontal differences inside the region.
    fn energy(image: &RgbImage, x0: u32, y0: u32, x1: u32, y1: u32) -> f64 {
        let mut e = 0.0;
        for y in y0..y1 {
            for x in x0 + 1..x1 {
                let (a, b) = (image.get_pixel(x - 1, y).0, image.get_pixel(x, y).0);
                e += (0..3)
                    .map(|c| (a[c] as f64 - b[c] as f64).powi(2))
                    .sum::<f64>();
            }
        }
        e
    }

    #[test]
    fn both_styles_flatten_the_box_and_leave_the_rest_alone() {
        for style in [BlurStyle::Blur, BlurStyle::Pixelate] {
            let original = noisy(120, 100);
            let mut image = original.clone();
            let options = BlurOptions {
                style,
                expand: 0.0,
                hold_frames: 0,
            };
            blur_faces(&mut image, &[Rect::new(20.0, 30.0, 40.0, 40.0)], &options);
            for (x, y, p) in image.enumerate_pixels() {
                let inside = (20..60).contains(&x) && (30..70).contains(&y);
                if !inside {
                    assert_eq!(p, original.get_pixel(x, y), "{style:?} changed ({x},{y})");
                }
            }
            let before = energy(&original, 20, 30, 60, 70);
            let after = energy(&image, 20, 30, 60, 70);
            assert!(after * 20.0 < before, "{style:?}: {before} -> {after}");
        }
    }

    fn face(x: f32) -> Face {
        Face {
            bbox: Rect::new(x, 0.0, 10.0, 10.0),
            score: 0.9,
            keypoints: [Point::new(0.0, 0.0); 6],
            quality: Quality::default(),
        }
    }

    #[test]
    fn video_boxes_are_interpolated_held_and_skipped_for_kept_tracks() {
        let frame = |n: u64, faces: Vec<TrackedFace>| FrameFaces {
            frame: n,
            time_s: n as f64,
            faces,
        };
        let tracked = |track, x| TrackedFace {
            track,
            face: face(x),
        };
        let frames = vec![
            frame(2, vec![tracked(Some(1), 0.0), tracked(Some(2), 50.0)]),
            frame(6, vec![tracked(Some(1), 40.0), tracked(None, 90.0)]),
        ];
        let boxes = video_blur_boxes(&frames, 12, 2, |t| t == 2);
        let xs = |f: usize| -> Vec<f32> { boxes[f].iter().map(|r| r.x).collect() };
        assert_eq!(xs(0), vec![0.0]);
        assert_eq!(xs(1), vec![0.0]);
        assert_eq!(xs(4), vec![90.0, 20.0]);
        assert_eq!(xs(8), vec![90.0, 40.0]);
        assert_eq!(xs(9), Vec::<f32>::new());
        assert!(boxes.iter().flatten().all(|r| r.x != 50.0));
    }
}
