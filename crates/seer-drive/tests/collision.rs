//! Time-to-collision and the forward-collision warning on synthetic
//! approaches rendered from a known camera: a car closing from 40 m at
//! 10 m/s (contact 4 s later) must warn between 2.3 and 2.7 s before
//! contact and never earlier; a car followed at constant distance never
//! warns. Boxes are projections of the car's rear face, jittered by up to
//! ±0.7 px per edge (seeded) and rounded to whole pixels.

use seer_core::geometry::Rect;
use seer_core::random::SeededRng;
use seer_drive::{
    object_distance, time_to_collision, Camera, CollisionWarning, DistanceOptions, RangeFilter,
    WarningOptions,
};

const CAR: u32 = 2;
const FPS: f64 = 30.0;

/// The box of a 1.5 × 1.8 m car `z` metres ahead, edges jittered.
fn car_box(camera: &Camera, z: f64, rng: &mut SeededRng) -> Option<Rect> {
    let (u1, v2) = camera.project(0.2 - 0.9, 0.0, z)?;
    let (u2, v1) = camera.project(0.2 + 0.9, -1.5, z)?;
    let mut jitter = |v: f64| (v + 0.7 * f64::from(rng.signed())).round();
    let (u1, u2, v1, v2) = (jitter(u1), jitter(u2), jitter(v1), jitter(v2));
    let inside = u1 > 1.0
        && v1 > 1.0
        && u2 < f64::from(camera.width) - 1.0
        && v2 < f64::from(camera.height) - 1.0;
    inside.then(|| Rect::new(u1 as f32, v1 as f32, (u2 - u1) as f32, (v2 - v1) as f32))
}

/// Runs distance → range filter → TTC → warning over `seconds` of a lead
/// at `range(t)`; returns the time of the first warning, if any.
fn first_warning(range: impl Fn(f64) -> f64, seconds: f64, seed: u64) -> Option<f64> {
    let camera = Camera::shared_clip_preset();
    let options = DistanceOptions::default();
    let mut rng = SeededRng::new(seed);
    let mut filter: Option<RangeFilter> = None;
    let mut warning = CollisionWarning::new(WarningOptions::default()).unwrap();
    let frames = (seconds * FPS) as u32;
    for frame in 0..frames {
        let t = f64::from(frame) / FPS;
        let Some(bbox) = car_box(&camera, range(t), &mut rng) else {
            continue;
        };
        let d = object_distance(&camera, &bbox, CAR, &options).unwrap();
        let f = filter.get_or_insert_with(|| RangeFilter::new(d.distance_m, d.sigma_m, 3.0, 15.0));
        if frame > 0 {
            f.predict(1.0 / FPS);
            f.update(d.distance_m, d.sigma_m);
        }
        let ttc = time_to_collision(f.range_m(), f.rate_mps(), 0.5);
        if warning.update(ttc) {
            return Some(t);
        }
    }
    None
}

#[test]
fn a_car_closing_at_10_mps_warns_2_3_to_2_7_s_before_contact() {
    for seed in 1..=8 {
        let warned = first_warning(|t| 40.0 - 10.0 * t, 4.0, seed).expect("no warning");
        let before_contact = 4.0 - warned;
        println!("seed {seed}: warned at {warned:.3} s, {before_contact:.3} s before contact");
        assert!(
            (2.3..=2.7).contains(&before_contact),
            "seed {seed}: warned {before_contact:.3} s before contact"
        );
    }
}

#[test]
fn a_car_followed_at_constant_distance_never_warns() {
    for (seed, gap) in [(1, 8.0), (2, 15.0), (3, 25.0), (4, 40.0)] {
        assert_eq!(first_warning(|_| gap, 20.0, seed), None, "gap {gap} m");
    }
}

#[test]
fn a_car_pulling_away_never_warns() {
    assert_eq!(first_warning(|t| 10.0 + 3.0 * t, 10.0, 9), None);
}
