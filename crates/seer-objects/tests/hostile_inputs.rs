//! Garbage in, no panic out: random and broken detections into the
//! tracker, random text into the MOT reader, odd boxes into the metrics.

use seer_core::geometry::Rect;
use seer_core::random::SeededRng;
use seer_objects::metrics::evaluate;
use seer_objects::mot_format::parse_mot;
use seer_objects::{Detection, Tracker, TrackerOptions};
use std::collections::BTreeSet;

/// A number that is sometimes NaN, infinite, huge, negative or zero.
fn wild(rng: &mut SeededRng, lo: f32, hi: f32) -> f32 {
    match rng.below(12) {
        0 => f32::NAN,
        1 => f32::INFINITY,
        2 => -1e30,
        3 => 0.0,
        4 => -rng.range(0.0, 50.0),
        _ => rng.range(lo, hi),
    }
}

#[test]
fn random_broken_detections_never_panic_and_outputs_stay_consistent() {
    let mut rng = SeededRng::new(5);
    for (per_class, min_hits) in [(true, 1), (false, 1), (true, 2), (false, 3)] {
        let options = TrackerOptions {
            per_class,
            min_hits,
            max_lost_frames: rng.below(10),
            ..TrackerOptions::default()
        };
        let mut tracker = Tracker::new(options).unwrap();
        let mut frames_reported = 0;
        for _ in 0..400 {
            let n = rng.below(30) as usize;
            let dets: Vec<Detection> = (0..n)
                .map(|_| {
                    let bbox = Rect::new(
                        wild(&mut rng, 0.0, 300.0),
                        wild(&mut rng, 0.0, 300.0),
                        wild(&mut rng, 1.0, 60.0),
                        wild(&mut rng, 1.0, 60.0),
                    );
                    Detection::new(bbox, wild(&mut rng, 0.0, 1.0), rng.below(4))
                })
                .collect();
            let out = tracker.update(&dets);
            let ids: BTreeSet<u64> = out.iter().map(|o| o.track_id).collect();
            assert_eq!(ids.len(), out.len(), "an id twice in one frame");
            let used: BTreeSet<usize> = out.iter().map(|o| o.detection).collect();
            assert_eq!(used.len(), out.len(), "a detection used twice");
            for o in &out {
                let d = dets[o.detection];
                assert!(d.is_usable() && d.score >= 0.1, "{d:?}");
                assert_eq!((o.bbox, o.score, o.class), (d.bbox, d.score, d.class));
            }
            frames_reported += usize::from(!out.is_empty());
        }
        // With min_hits 1 every usable new detection is reported at once.
        if min_hits == 1 {
            assert!(frames_reported > 100, "{frames_reported}");
        }
    }
}

#[test]
fn random_text_never_panics_the_mot_reader() {
    let mut rng = SeededRng::new(9);
    let alphabet = b"0123456789,.-+eE naNinf\n\r\t#x";
    for _ in 0..3000 {
        let len = rng.below(80) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len() as u32) as usize] as char)
            .collect();
        let _ = parse_mot(&text);
    }
    // Non-UTF-8 bytes through the reader are an error, not a panic.
    assert!(seer_objects::read_mot(&[0xff, 0xfe, b'\n'][..]).is_err());
}

#[test]
fn degenerate_boxes_in_the_metrics_are_scored_or_refused() {
    // Zero-size boxes are valid (IoU 0): misses and false positives.
    let zero = Rect::new(5.0, 5.0, 0.0, 0.0);
    let m = evaluate(&[(1, 1, zero)], &[(1, 1, zero)]).unwrap();
    assert_eq!((m.matches, m.misses, m.false_positives), (0, 1, 1));
    assert!(evaluate(&[(1, 1, Rect::new(0.0, 0.0, -1.0, 1.0))], &[]).is_err());
    assert!(evaluate(&[], &[(1, 1, Rect::new(0.0, f32::INFINITY, 1.0, 1.0))]).is_err());
}

#[test]
fn metrics_serialize_with_their_field_names() {
    let b = Rect::new(0.0, 0.0, 10.0, 10.0);
    let m = evaluate(&[(1, 1, b)], &[(1, 7, b)]).unwrap();
    let json = serde_json::to_value(m).unwrap();
    assert_eq!(json["mota"], 1.0);
    assert_eq!(json["idf1"], 1.0);
    assert_eq!(json["id_switches"], 0);
    assert_eq!(json["gt_objects"], 1);
}
