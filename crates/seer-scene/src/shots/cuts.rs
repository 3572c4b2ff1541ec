//! Hard cuts: a change score far above an adaptive baseline (the median
//! and the median absolute deviation of the recent scores), unless the
//! picture returns to the previous content within a few frames (a flash).

use super::features::{hist_distance, thumb_distance, FrameFeatures};
use super::ShotOptions;

/// Median of `values` (0 when empty); sorts a copy.
fn median(values: &[f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[sorted.len() / 2]
}

/// The score a change must exceed to be a cut, given the scores before it.
pub(crate) fn threshold(recent: &[f32], options: &ShotOptions) -> f32 {
    let m = median(recent);
    let deviations: Vec<f32> = recent.iter().map(|s| (s - m).abs()).collect();
    // A floor on the deviation so that a perfectly still shot (MAD 0) does
    // not turn noise into cuts.
    let mad = median(&deviations).max(0.01);
    (m + options.cut_deviations * mad)
        .max(options.cut_ratio * m)
        .max(options.cut_min_score)
}

/// How different two stored frames are: the mean of the histogram distance
/// and twice the mean absolute thumbnail difference (0–1 scale).
pub(crate) fn distance(a: &FrameFeatures, b: &FrameFeatures) -> f32 {
    (hist_distance(&a.hist, &b.hist) + 2.0 * thumb_distance(&a.thumb, &b.thumb)).min(2.0) / 2.0
}

/// A frame that resembles the other side of a jump this much less than the
/// jump itself marks a flash (share of the jump's distance).
const FLASH_RETURN: f32 = 0.4;

/// Whether the jump into frame `t` is one edge of a flash: a frame at most
/// `flash_frames` after `t` looks like `t - 1` again, or a frame at most
/// `flash_frames` before `t - 1` already looked like `t`.
pub(crate) fn is_flash(features: &[FrameFeatures], t: usize, flash_frames: usize) -> bool {
    if t == 0 || t >= features.len() {
        return false;
    }
    let jump = distance(&features[t - 1], &features[t]);
    let limit = FLASH_RETURN * jump;
    let returns_after = (1..=flash_frames)
        .filter_map(|k| features.get(t + k))
        .any(|f| distance(&features[t - 1], f) < limit);
    let came_before = (1..=flash_frames)
        .filter_map(|k| (t - 1).checked_sub(k).map(|i| &features[i]))
        .any(|f| distance(f, &features[t]) < limit);
    returns_after || came_before
}

/// Frames that start a new shot by a hard cut. `scores[t]` is the change
/// score from frame `t - 1` to `t` (`scores[0]` is unused).
pub(crate) fn find(scores: &[f32], features: &[FrameFeatures], options: &ShotOptions) -> Vec<u64> {
    let mut cuts = Vec::new();
    for t in 1..scores.len().min(features.len()) {
        let from = t.saturating_sub(options.baseline_frames).max(1);
        let limit = threshold(&scores[from..t], options);
        if scores[t] > limit && !is_flash(features, t, options.flash_frames) {
            cuts.push(t as u64);
        }
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_follows_the_baseline() {
        let options = ShotOptions::default();
        let still = threshold(&[0.01; 20], &options);
        assert!((still - options.cut_min_score).abs() < 1e-6, "{still}");
        let busy = threshold(&[0.2, 0.15, 0.25, 0.18, 0.22], &options);
        assert!(busy > 0.45, "{busy}");
    }
}
