//! Per-class matching: a car never takes a person's id.

use seer_core::geometry::Rect;
use seer_objects::detection::{CAR, PERSON};
use seer_objects::{Detection, Tracker, TrackerOptions};

/// A person walking right and a car driving left along the same row meet
/// (boxes identical at frame 20) and both turn back. Returns, per frame,
/// the track ids given to the person's and the car's detection.
fn meet_and_turn_back(options: TrackerOptions) -> Vec<(Option<u64>, Option<u64>)> {
    let mut tracker = Tracker::new(options).unwrap();
    let mut ids = Vec::new();
    for t in 0..40 {
        // Distance from the meeting point: shrinks to 0 at t = 20, then grows.
        let d = 3.0 * (20.0 - t as f32).abs();
        let person = Detection::new(Rect::new(200.0 - d, 100.0, 40.0, 40.0), 0.9, PERSON);
        let car = Detection::new(Rect::new(200.0 + d, 100.0, 40.0, 40.0), 0.9, CAR);
        let out = tracker.update(&[person, car]);
        let id_of = |index: usize| {
            out.iter()
                .find(|o| o.detection == index)
                .map(|o| o.track_id)
        };
        ids.push((id_of(0), id_of(1)));
    }
    ids
}

#[test]
fn a_car_and_a_person_that_meet_keep_their_ids_with_per_class_matching() {
    let ids = meet_and_turn_back(TrackerOptions::default());
    // Confirmed from the third frame (min_hits 3): person 1, car 2 (the
    // person's detection comes first), and so to the end.
    for (t, pair) in ids.iter().enumerate().skip(2) {
        assert_eq!(*pair, (Some(1), Some(2)), "frame {t}");
    }
    let agnostic = meet_and_turn_back(TrackerOptions {
        per_class: false,
        ..TrackerOptions::default()
    });
    println!("class-agnostic, after the meeting: {:?}", &agnostic[21..24]);
    // Without per-class matching the constant-velocity prediction carries
    // each track on through the meeting point, onto the other object: the
    // ids swap. This is what the per-class rule prevents.
    assert_eq!(agnostic[10], (Some(1), Some(2)));
    assert_eq!(agnostic[30], (Some(2), Some(1)));
}
