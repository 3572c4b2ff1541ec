//! Deterministic synthetic sequences for tests and benches: moving boxes
//! ("sprites") in a frame, an occluder, and a simulated detector.
//!
//! [`generate_scene`] moves [`SceneOptions::sprites`] boxes for
//! [`SceneOptions::frames`] frames in a `width` × `height` pixel frame. The
//! first four are scripted: two persons walking head-on along the middle
//! row so that they cross (ids 1 and 2), and a car and a person (ids 3 and
//! 4, 6 and 3 px/frame) whose centres stay inside the occluder's rectangle
//! for its whole life, so they are hidden for exactly [`Occluder::frames`]
//! frames. The others
//! start at random places with random speeds (1..4 px/frame) and headings
//! that turn slowly (up to ±0.01 rad/frame) and bounce off the frame edges.
//!
//! The occluder is a rectangle in the foreground (a passing bus) during
//! frames `from_frame .. from_frame + frames`: a sprite whose centre lies in
//! it is hidden then (not in the ground truth, never detected).
//!
//! [`simulate_detections`] turns the visible boxes into detections: each
//! is missed with [`DetectorSim::miss_probability`], its edges jittered
//! by Gaussian noise of [`DetectorSim::jitter_px`] pixels, its score drawn
//! from 0.6..0.95, or from 0.15..0.45 for a share
//! [`DetectorSim::low_score_fraction`] of them (what ByteTrack's second
//! pass is for); Poisson-distributed false positives (mean
//! [`DetectorSim::false_positives_per_frame`]) with scores 0.1..0.7 are
//! added and each frame's detections are shuffled. Everything follows from
//! the seeds.

use crate::detection::{Detection, BICYCLE, CAR, PERSON};
use crate::metrics::LabelledBox;
use seer_core::geometry::{Point, Rect};
use seer_core::random::SeededRng;

/// A rectangle that hides sprites for a fixed run of frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Occluder {
    /// Where it is, in pixels; a sprite whose centre is inside is hidden.
    pub rect: Rect,
    /// First frame (0-based) it is present.
    pub from_frame: usize,
    /// How many frames it is present.
    pub frames: usize,
}

/// What scene to generate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SceneOptions {
    /// Frame width in pixels. Default 960.
    pub width: f32,
    /// Frame height in pixels. Default 540.
    pub height: f32,
    /// Number of frames. Default 200.
    pub frames: usize,
    /// Number of sprites (the first four are scripted). Default 8.
    pub sprites: usize,
    /// Seed of the random sprites. Default 7.
    pub seed: u64,
    /// The occluder; `None` for the default one: the middle of the upper
    /// part of the frame (30 % × 30 % of it), frames 60..70.
    pub occluder: Option<Occluder>,
}

impl Default for SceneOptions {
    fn default() -> Self {
        SceneOptions {
            width: 960.0,
            height: 540.0,
            frames: 200,
            sprites: 8,
            seed: 7,
            occluder: None,
        }
    }
}

impl SceneOptions {
    /// The occluder in use: [`SceneOptions::occluder`] or the default one.
    pub fn occluder(&self) -> Occluder {
        self.occluder.unwrap_or(Occluder {
            rect: Rect::new(
                0.35 * self.width,
                0.1 * self.height,
                0.3 * self.width,
                0.3 * self.height,
            ),
            from_frame: 60,
            frames: 10,
        })
    }
}

/// How the simulated detector sees the scene.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectorSim {
    /// Standard deviation of the noise on each box edge, in pixels.
    /// Default 2.
    pub jitter_px: f32,
    /// Chance (0..1) that a visible object is not detected in a frame.
    /// Default 0.1.
    pub miss_probability: f32,
    /// Mean number of false positives per frame. Default 1.
    pub false_positives_per_frame: f32,
    /// Share (0..1) of true detections with a low score (0.15..0.45).
    /// Default 0.2.
    pub low_score_fraction: f32,
    /// Seed of the detector's randomness. Default 11.
    pub seed: u64,
}

impl Default for DetectorSim {
    fn default() -> Self {
        DetectorSim {
            jitter_px: 2.0,
            miss_probability: 0.1,
            false_positives_per_frame: 1.0,
            low_score_fraction: 0.2,
            seed: 11,
        }
    }
}

/// One sprite in one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpriteState {
    /// The sprite's ground-truth id (1, 2, …).
    pub id: u64,
    /// COCO class id.
    pub class: u32,
    /// The true box, in pixels.
    pub bbox: Rect,
    /// False while the occluder hides it.
    pub visible: bool,
}

/// A generated scene: every sprite in every frame (hidden ones included).
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The options it was generated from.
    pub options: SceneOptions,
    /// Per frame (0-based), every sprite in id order.
    pub frames: Vec<Vec<SpriteState>>,
}

impl Scene {
    /// The visible boxes as `(frame, id, box)` with 1-based frames (the
    /// MOTChallenge convention), for [`crate::metrics::evaluate`].
    pub fn ground_truth(&self) -> Vec<LabelledBox> {
        let mut out = Vec::new();
        for (f, sprites) in self.frames.iter().enumerate() {
            for s in sprites.iter().filter(|s| s.visible) {
                out.push((f as u32 + 1, s.id, s.bbox));
            }
        }
        out
    }
}

/// One frame of simulated detections and where each came from.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectionFrame {
    /// The detections, in shuffled order.
    pub detections: Vec<Detection>,
    /// For each detection, the sprite id it detects; `None` for a false
    /// positive.
    pub sources: Vec<Option<u64>>,
}

struct Sprite {
    id: u64,
    class: u32,
    center: Point,
    width: f32,
    height: f32,
    speed: f32,
    heading: f32,
    turn: f32,
}

/// Moves the sprites (see the module documentation).
pub fn generate_scene(options: &SceneOptions) -> Scene {
    let (w, h) = (options.width.max(1.0), options.height.max(1.0));
    let mut rng = SeededRng::new(options.seed);
    let scripted = [
        // Two persons crossing head-on along the middle row.
        (PERSON, 0.15 * w, 0.5 * h, 36.0, 80.0, 4.0, 0.0, 0.0),
        (
            PERSON,
            0.85 * w,
            0.5 * h + 6.0,
            36.0,
            80.0,
            4.0,
            std::f32::consts::PI,
            0.0,
        ),
        // A car and a person inside the occluder while it is there, fast
        // enough (6 and 3 px/frame) that a tracker without a motion model
        // loses them: they move most of a box width while hidden.
        (CAR, 0.0625 * w, 0.2 * h, 90.0, 50.0, 6.0, 0.0, 0.0),
        (
            PERSON,
            0.6 * w,
            0.35 * h,
            30.0,
            70.0,
            3.0,
            std::f32::consts::PI,
            0.002,
        ),
    ];
    let mut sprites: Vec<Sprite> = Vec::with_capacity(options.sprites);
    for i in 0..options.sprites {
        let id = i as u64 + 1;
        let sprite = match scripted.get(i) {
            Some(&(class, cx, cy, sw, sh, speed, heading, turn)) => Sprite {
                id,
                class,
                center: Point::new(cx, cy),
                width: sw,
                height: sh,
                speed,
                heading,
                turn,
            },
            None => {
                let class = [PERSON, CAR, BICYCLE][rng.below(3) as usize];
                let (bw, bh) = match class {
                    PERSON => (32.0, 75.0),
                    CAR => (85.0, 48.0),
                    _ => (45.0, 55.0),
                };
                let scale = rng.range(0.8, 1.3);
                let (sw, sh) = (bw * scale, bh * scale);
                Sprite {
                    id,
                    class,
                    center: Point::new(
                        rng.range(sw / 2.0, (w - sw / 2.0).max(sw / 2.0)),
                        rng.range(sh / 2.0, (h - sh / 2.0).max(sh / 2.0)),
                    ),
                    width: sw,
                    height: sh,
                    speed: rng.range(1.0, 4.0),
                    heading: rng.range(0.0, std::f32::consts::TAU),
                    turn: rng.range(-0.01, 0.01),
                }
            }
        };
        sprites.push(sprite);
    }
    let occluder = options.occluder();
    let hidden_during = occluder.from_frame..occluder.from_frame.saturating_add(occluder.frames);
    let mut frames = Vec::with_capacity(options.frames);
    for f in 0..options.frames {
        let states = sprites
            .iter()
            .map(|s| SpriteState {
                id: s.id,
                class: s.class,
                bbox: Rect::from_center(s.center, s.width, s.height),
                visible: !(hidden_during.contains(&f) && occluder.rect.contains(s.center)),
            })
            .collect();
        frames.push(states);
        for s in &mut sprites {
            step(s, w, h);
        }
    }
    Scene {
        options: *options,
        frames,
    }
}

/// Moves a sprite by one frame, bouncing off the frame edges.
fn step(s: &mut Sprite, w: f32, h: f32) {
    let mut vx = s.speed * s.heading.cos();
    let mut vy = s.speed * s.heading.sin();
    let (x_lo, x_hi) = (s.width / 2.0, (w - s.width / 2.0).max(s.width / 2.0));
    let (y_lo, y_hi) = (s.height / 2.0, (h - s.height / 2.0).max(s.height / 2.0));
    let (nx, ny) = (s.center.x + vx, s.center.y + vy);
    if nx < x_lo || nx > x_hi {
        vx = -vx;
    }
    if ny < y_lo || ny > y_hi {
        vy = -vy;
    }
    s.center = Point::new(
        (s.center.x + vx).clamp(x_lo, x_hi),
        (s.center.y + vy).clamp(y_lo, y_hi),
    );
    s.heading = vy.atan2(vx) + s.turn;
}

/// Simulated detections of every frame of `scene` (see the module
/// documentation).
pub fn simulate_detections(scene: &Scene, sim: &DetectorSim) -> Vec<DetectionFrame> {
    let mut rng = SeededRng::new(sim.seed);
    let (w, h) = (scene.options.width.max(1.0), scene.options.height.max(1.0));
    let mut out = Vec::with_capacity(scene.frames.len());
    for sprites in &scene.frames {
        let mut items: Vec<(Detection, Option<u64>)> = Vec::new();
        for s in sprites.iter().filter(|s| s.visible) {
            if rng.uniform() < sim.miss_probability {
                continue;
            }
            let b = s.bbox;
            let x0 = b.x + sim.jitter_px * rng.normal();
            let y0 = b.y + sim.jitter_px * rng.normal();
            let x1 = b.right() + sim.jitter_px * rng.normal();
            let y1 = b.bottom() + sim.jitter_px * rng.normal();
            let bbox = Rect::new(x0, y0, (x1 - x0).max(2.0), (y1 - y0).max(2.0));
            let score = if rng.uniform() < sim.low_score_fraction {
                rng.range(0.15, 0.45)
            } else {
                rng.range(0.6, 0.95)
            };
            items.push((Detection::new(bbox, score, s.class), Some(s.id)));
        }
        for _ in 0..poisson(&mut rng, sim.false_positives_per_frame) {
            let class = [PERSON, CAR, BICYCLE][rng.below(3) as usize];
            let (bw, bh) = (rng.range(20.0, 80.0), rng.range(30.0, 90.0));
            let bbox = Rect::new(rng.range(0.0, w - bw), rng.range(0.0, h - bh), bw, bh);
            let score = rng.range(0.1, 0.7);
            items.push((Detection::new(bbox, score, class), None));
        }
        // Fisher–Yates: the detector's order says nothing.
        for i in (1..items.len()).rev() {
            let j = rng.below(i as u32 + 1) as usize;
            items.swap(i, j);
        }
        let (detections, sources) = items.into_iter().unzip();
        out.push(DetectionFrame {
            detections,
            sources,
        });
    }
    out
}

/// A Poisson-distributed count with mean `lambda` (Knuth's method; 0 for
/// a mean that is not positive, at most 1000).
fn poisson(rng: &mut SeededRng, lambda: f32) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    let limit = (-lambda.min(50.0)).exp();
    let mut count = 0;
    let mut product = rng.uniform();
    while product > limit && count < 1000 {
        count += 1;
        product *= rng.uniform();
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seeds_give_the_same_sequence() {
        let options = SceneOptions::default();
        let a = generate_scene(&options);
        let b = generate_scene(&options);
        assert_eq!(a, b);
        let sim = DetectorSim::default();
        assert_eq!(simulate_detections(&a, &sim), simulate_detections(&b, &sim));
        let other = generate_scene(&SceneOptions { seed: 8, ..options });
        assert_ne!(a.frames[10], other.frames[10]);
    }

    #[test]
    fn the_scripted_pair_crosses_and_two_sprites_hide_for_exactly_ten_frames() {
        let scene = generate_scene(&SceneOptions::default());
        let x = |f: usize, id: u64| scene.frames[f][id as usize - 1].bbox.center().x;
        assert!(x(0, 1) < x(0, 2) && x(199, 1) > x(199, 2));
        let crossing = (0..200).any(|f| {
            let s = &scene.frames[f];
            s[0].bbox.iou(&s[1].bbox) > 0.8
        });
        assert!(crossing);
        for id in [3u64, 4] {
            let hidden: Vec<usize> = (0..200)
                .filter(|&f| !scene.frames[f][id as usize - 1].visible)
                .collect();
            assert_eq!(hidden, (60..70).collect::<Vec<_>>(), "sprite {id}");
        }
        // Every box stays inside the frame.
        for s in scene.frames.iter().flatten() {
            assert!(s.bbox.x >= -0.01 && s.bbox.right() <= 960.01, "{s:?}");
            assert!(s.bbox.y >= -0.01 && s.bbox.bottom() <= 540.01, "{s:?}");
        }
    }

    #[test]
    fn the_detector_matches_its_settings() {
        let scene = generate_scene(&SceneOptions::default());
        let sim = DetectorSim::default();
        let frames = simulate_detections(&scene, &sim);
        let visible = scene.ground_truth().len() as f32;
        let sources: Vec<Option<u64>> = frames.iter().flat_map(|f| f.sources.clone()).collect();
        let true_hits = sources.iter().filter(|s| s.is_some()).count() as f32;
        let fps = sources.len() as f32 - true_hits;
        let miss = 1.0 - true_hits / visible;
        assert!((miss - 0.1).abs() < 0.03, "miss rate {miss}");
        assert!((fps / 200.0 - 1.0).abs() < 0.25, "fp/frame {}", fps / 200.0);
        let low = frames
            .iter()
            .flat_map(|f| f.detections.iter().zip(&f.sources))
            .filter(|(d, s)| s.is_some() && d.score < 0.5)
            .count() as f32;
        assert!(
            (low / true_hits - 0.2).abs() < 0.04,
            "low share {}",
            low / true_hits
        );
    }
}
