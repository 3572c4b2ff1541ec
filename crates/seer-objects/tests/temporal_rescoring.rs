//! Temporal re-scoring on seeded synthetic sequences: detections are the
//! simulated detector's (2 px jitter, 10 % misses, 20 % of true objects
//! with low scores 0.15–0.45, false alarms of score 0.1–0.7 at random
//! places); each is true when the simulator made it from a sprite.
//! Precision and recall at the same score threshold, before and after
//! re-scoring along the tracker's tracks.

use seer_objects::synthetic::{generate_scene, simulate_detections, DetectorSim, SceneOptions};
use seer_objects::{rescore, RescoreOptions, TrackedDetection, Tracker, TrackerOptions};

/// Precision, recall and F1 of keeping detections scoring ≥ `threshold`.
fn quality(scores: &[Vec<f32>], truth: &[Vec<bool>], threshold: f32) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut positives) = (0u32, 0u32, 0u32);
    for (s, t) in scores.iter().zip(truth) {
        for (&score, &is_true) in s.iter().zip(t) {
            positives += u32::from(is_true);
            if score >= threshold {
                if is_true {
                    tp += 1;
                } else {
                    fp += 1;
                }
            }
        }
    }
    let p = f64::from(tp) / f64::from((tp + fp).max(1));
    let r = f64::from(tp) / f64::from(positives.max(1));
    (p, r, 2.0 * p * r / (p + r).max(1e-9))
}

#[test]
fn rescoring_along_tracks_raises_recall_and_precision_together() {
    for seed in 1..=4u64 {
        let scene = generate_scene(&SceneOptions {
            seed,
            sprites: 10,
            ..SceneOptions::default()
        });
        let sim = DetectorSim {
            seed: seed + 50,
            false_positives_per_frame: 3.0,
            ..DetectorSim::default()
        };
        let frames = simulate_detections(&scene, &sim);
        let mut tracker = Tracker::new(TrackerOptions::default()).unwrap();
        let mut tracked = Vec::new();
        let mut truth = Vec::new();
        for f in &frames {
            let mut track_of = vec![None; f.detections.len()];
            for t in tracker.update(&f.detections) {
                track_of[t.detection] = Some(t.track_id);
            }
            tracked.push(
                f.detections
                    .iter()
                    .zip(track_of)
                    .map(|(&detection, track)| TrackedDetection { detection, track })
                    .collect::<Vec<_>>(),
            );
            truth.push(f.sources.iter().map(Option::is_some).collect::<Vec<_>>());
        }
        let raw: Vec<Vec<f32>> = tracked
            .iter()
            .map(|f| f.iter().map(|d| d.detection.score).collect())
            .collect();
        let new = rescore(&tracked, &RescoreOptions::default());
        let threshold = 0.5;
        let before = quality(&raw, &truth, threshold);
        let after = quality(&new, &truth, threshold);
        println!(
            "seed {seed}: precision {:.3} -> {:.3}, recall {:.3} -> {:.3}, F1 {:.3} -> {:.3}",
            before.0, after.0, before.1, after.1, before.2, after.2
        );
        assert!(after.1 > before.1 + 0.05, "recall {before:?} -> {after:?}");
        assert!(after.0 >= before.0, "precision {before:?} -> {after:?}");
        assert!(after.2 > before.2 + 0.03, "F1 {before:?} -> {after:?}");
    }
}
