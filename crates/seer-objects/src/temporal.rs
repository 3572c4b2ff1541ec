//! Temporal context: detection scores re-scored along tracks, the way
//! video object detectors use tubelets. A weak detection on a long,
//! confident track is kept (its score moves towards the track's), and a
//! detection that belongs to no lasting track is damped (an isolated
//! false alarm rarely repeats in the same place frame after frame).

use crate::Detection;
use serde::Serialize;
use std::collections::HashMap;

/// How detections are re-scored.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RescoreOptions {
    /// A track needs at least this many detections to lend its confidence
    /// (default 5).
    pub min_track_frames: usize,
    /// Weight of the track's mean score in a member's new score, 0..1
    /// (default 0.5): new = (1 − w)·own + w·track mean.
    pub track_weight: f32,
    /// Factor on the score of a detection in no lasting track, 0..1
    /// (default 0.5).
    pub isolated_factor: f32,
}

impl Default for RescoreOptions {
    fn default() -> Self {
        RescoreOptions {
            min_track_frames: 5,
            track_weight: 0.5,
            isolated_factor: 0.5,
        }
    }
}

/// One detection with the track it was assigned to (if any).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackedDetection {
    /// The detection.
    pub detection: Detection,
    /// Its track id, when the tracker kept it in a confirmed track.
    pub track: Option<u64>,
}

/// The new score (0..1) of every detection of every frame, in the same
/// order as `frames`.
pub fn rescore(frames: &[Vec<TrackedDetection>], options: &RescoreOptions) -> Vec<Vec<f32>> {
    let mut sums: HashMap<u64, (f32, usize)> = HashMap::new();
    for d in frames.iter().flatten() {
        if let (Some(id), true) = (d.track, d.detection.score.is_finite()) {
            let entry = sums.entry(id).or_default();
            entry.0 += d.detection.score;
            entry.1 += 1;
        }
    }
    let w = options.track_weight.clamp(0.0, 1.0);
    let damp = options.isolated_factor.clamp(0.0, 1.0);
    frames
        .iter()
        .map(|frame| {
            frame
                .iter()
                .map(|d| {
                    let own = if d.detection.score.is_finite() {
                        d.detection.score
                    } else {
                        0.0
                    };
                    let lasting = d
                        .track
                        .and_then(|id| sums.get(&id))
                        .filter(|(_, n)| *n >= options.min_track_frames.max(1));
                    match lasting {
                        Some((sum, n)) => (1.0 - w) * own + w * (sum / *n as f32),
                        None => own * damp,
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use seer_core::geometry::Rect;

    fn det(score: f32, track: Option<u64>) -> TrackedDetection {
        TrackedDetection {
            detection: Detection::new(Rect::new(0.0, 0.0, 10.0, 10.0), score, 2),
            track,
        }
    }

    #[test]
    fn a_weak_member_of_a_strong_track_rises_and_a_loner_falls() {
        let mut frames: Vec<Vec<TrackedDetection>> =
            (0..5).map(|_| vec![det(0.9, Some(1))]).collect();
        frames[2][0] = det(0.3, Some(1));
        frames[3].push(det(0.6, None));
        let scores = rescore(&frames, &RescoreOptions::default());
        // Track mean (4 × 0.9 + 0.3) / 5 = 0.78; the weak one: (0.3 + 0.78) / 2.
        assert!((scores[2][0] - 0.54).abs() < 1e-5, "{scores:?}");
        assert!((scores[3][1] - 0.3).abs() < 1e-6);
        // A short track lends nothing.
        let short = vec![vec![det(0.4, Some(7))], vec![det(0.4, Some(7))]];
        assert_eq!(rescore(&short, &RescoreOptions::default())[0][0], 0.2);
    }
}
