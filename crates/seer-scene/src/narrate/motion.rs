//! Global camera motion between frames: the shift (and zoom) that best
//! maps one small grey thumbnail onto the next, found by exhaustive
//! search of the mean absolute difference. Per shot the shifts add up to
//! a pan, a tilt, a zoom, or a static camera.

use image::RgbImage;
use serde::Serialize;

/// Thumbnail width used for the search, pixels.
const THUMB_WIDTH: u32 = 96;
/// Largest shift searched between two analysed frames, thumbnail pixels.
const MAX_SHIFT: i32 = 6;
/// Zoom factors tried (per analysed frame).
const ZOOMS: [f32; 3] = [0.97, 1.0, 1.03];

/// How the camera moved during a shot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraMotion {
    /// No clear motion.
    Static,
    /// The view moves to the left (content drifts right).
    PanLeft,
    /// The view moves to the right (content drifts left).
    PanRight,
    /// The view moves up.
    TiltUp,
    /// The view moves down.
    TiltDown,
    /// The view closes in.
    ZoomIn,
    /// The view widens.
    ZoomOut,
}

impl CameraMotion {
    /// The phrase used in narration ("" for a static camera).
    pub fn phrase(self) -> &'static str {
        match self {
            CameraMotion::Static => "",
            CameraMotion::PanLeft => "the camera pans left",
            CameraMotion::PanRight => "the camera pans right",
            CameraMotion::TiltUp => "the camera tilts up",
            CameraMotion::TiltDown => "the camera tilts down",
            CameraMotion::ZoomIn => "the camera zooms in",
            CameraMotion::ZoomOut => "the camera zooms out",
        }
    }
}

/// A grey thumbnail.
struct Thumb {
    w: usize,
    h: usize,
    v: Vec<f32>,
}

fn thumbnail(image: &RgbImage) -> Option<Thumb> {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 {
        return None;
    }
    let tw = THUMB_WIDTH.min(w);
    let th = ((h as f32 * tw as f32 / w as f32).round() as u32)
        .max(8)
        .min(h);
    let small = seer_imgproc::resize_to(image, tw, th);
    let v = small
        .pixels()
        .map(|p| 0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2]))
        .collect();
    Some(Thumb {
        w: tw as usize,
        h: th as usize,
        v,
    })
}

/// Mean absolute difference of `b` sampled at `a`'s pixels moved by
/// (`dx`, `dy`) and scaled by `zoom` about the centre, over the frame's
/// outer ring.
fn difference(a: &Thumb, b: &Thumb, dx: i32, dy: i32, zoom: f32) -> f32 {
    let (cx, cy) = (a.w as f32 / 2.0, a.h as f32 / 2.0);
    let margin = MAX_SHIFT as usize + 4;
    let (mut sum, mut n) = (0.0, 0u32);
    // The centre, where the subject usually is, is left out: the frame's
    // outer ring is mostly background, which moves with the camera.
    let (qx, qy) = (a.w / 4, a.h / 4);
    for y in (margin..a.h.saturating_sub(margin)).step_by(2) {
        for x in (margin..a.w.saturating_sub(margin)).step_by(2) {
            if x > qx && x < a.w - qx && y > qy && y < a.h - qy {
                continue;
            }
            let bx = ((x as f32 - cx) * zoom + cx + dx as f32).round();
            let by = ((y as f32 - cy) * zoom + cy + dy as f32).round();
            if bx < 0.0 || by < 0.0 || bx >= b.w as f32 || by >= b.h as f32 {
                continue;
            }
            sum += (a.v[y * a.w + x] - b.v[by as usize * b.w + bx as usize]).abs();
            n += 1;
        }
    }
    if n == 0 {
        f32::INFINITY
    } else {
        sum / n as f32
    }
}

/// One step of motion between consecutive analysed frames: content shift
/// in thumbnail pixels and zoom factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MotionStep {
    /// Time of the later frame, seconds.
    pub t: f64,
    /// Content shift to the right, thumbnail pixels.
    pub dx: i32,
    /// Content shift downwards, thumbnail pixels.
    pub dy: i32,
    /// Zoom of the later frame against the earlier one.
    pub zoom: f32,
}

/// Follows the camera over the frames given one at a time.
#[derive(Default)]
pub struct MotionEstimator {
    last: Option<Thumb>,
    steps: Vec<MotionStep>,
}

impl MotionEstimator {
    /// An estimator that has seen no frame.
    pub fn new() -> MotionEstimator {
        MotionEstimator::default()
    }

    /// Takes the next analysed frame, shown at `t` seconds.
    pub fn push(&mut self, image: &RgbImage, t: f64) {
        let Some(thumb) = thumbnail(image) else {
            return;
        };
        if let Some(last) = &self.last {
            if last.w == thumb.w && last.h == thumb.h {
                let mut best = (f32::INFINITY, 0, 0, 1.0);
                for zoom in ZOOMS {
                    for dy in -MAX_SHIFT..=MAX_SHIFT {
                        for dx in -MAX_SHIFT..=MAX_SHIFT {
                            // b(x·zoom + d) ≈ a(x): content moved by d.
                            let e = difference(last, &thumb, dx, dy, zoom);
                            // Prefer no motion on near ties (flat frames).
                            let e = e
                                + 0.05 * (dx.abs() + dy.abs()) as f32
                                + if zoom == 1.0 { 0.0 } else { 0.3 };
                            if e < best.0 {
                                best = (e, dx, dy, zoom);
                            }
                        }
                    }
                }
                self.steps.push(MotionStep {
                    t,
                    dx: best.1,
                    dy: best.2,
                    zoom: best.3,
                });
            }
        }
        self.last = Some(thumb);
    }

    /// The steps measured so far.
    pub fn steps(&self) -> &[MotionStep] {
        &self.steps
    }
}

/// The camera motion over the steps between `start_s` and `end_s`: the
/// summed content shift must reach a quarter of the frame width (or the
/// zoom 10 %) and three quarters of the steps must agree in direction
/// (people moving in a static shot must not read as a pan).
pub fn motion_between(steps: &[MotionStep], start_s: f64, end_s: f64) -> CameraMotion {
    let inside: Vec<&MotionStep> = steps
        .iter()
        .filter(|s| s.t > start_s && s.t < end_s)
        .collect();
    if inside.len() < 2 {
        return CameraMotion::Static;
    }
    let sx: i32 = inside.iter().map(|s| s.dx).sum();
    let sy: i32 = inside.iter().map(|s| s.dy).sum();
    let zoom: f32 = inside.iter().map(|s| s.zoom).product();
    let agree = |f: &dyn Fn(&MotionStep) -> bool| {
        inside.iter().filter(|s| f(s)).count() * 2 >= inside.len()
    };
    let threshold = THUMB_WIDTH as i32 / 4;
    if zoom > 1.1 && agree(&|s| s.zoom > 1.0) {
        return CameraMotion::ZoomIn;
    }
    if zoom < 0.9 && agree(&|s| s.zoom < 1.0) {
        return CameraMotion::ZoomOut;
    }
    if sx.abs() >= sy.abs() && sx.abs() >= threshold {
        // Content moving left means the view turns right.
        if sx < 0 && agree(&|s| s.dx < 0) {
            return CameraMotion::PanRight;
        }
        if sx > 0 && agree(&|s| s.dx > 0) {
            return CameraMotion::PanLeft;
        }
    }
    if sy.abs() > sx.abs() && sy.abs() >= threshold {
        if sy < 0 && agree(&|s| s.dy < 0) {
            return CameraMotion::TiltDown;
        }
        if sy > 0 && agree(&|s| s.dy > 0) {
            return CameraMotion::TiltUp;
        }
    }
    CameraMotion::Static
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured picture viewed through a window at `offset` (pixels).
    fn view(offset: u32) -> RgbImage {
        RgbImage::from_fn(320, 180, |x, y| {
            let u = x + offset;
            let v = ((u * 7) ^ (y * 13)) % 251;
            let w = (((u / 9) + (y / 7)) % 2) * 90;
            image::Rgb([(v + w).min(255) as u8, (v / 2) as u8, (255 - v) as u8])
        })
    }

    #[test]
    fn a_window_moving_right_is_a_pan_right_and_a_fixed_one_is_static() {
        let mut moving = MotionEstimator::new();
        let mut fixed = MotionEstimator::new();
        for i in 0..10u32 {
            // 10 px per frame at 320 px = 3 thumbnail px per frame.
            moving.push(&view(i * 10), f64::from(i));
            fixed.push(&view(0), f64::from(i));
        }
        assert_eq!(
            motion_between(moving.steps(), -1.0, 100.0),
            CameraMotion::PanRight
        );
        assert_eq!(
            motion_between(fixed.steps(), -1.0, 100.0),
            CameraMotion::Static
        );
        assert!(
            moving.steps().iter().all(|s| s.dx == -3),
            "{:?}",
            moving.steps()
        );
    }
}
