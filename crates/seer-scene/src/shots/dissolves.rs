//! Dissolves: a span of frames each close to a linear mix
//! `α·A + (1−α)·B` of the frames `A` just before and `B` just after it,
//! with `α` falling gradually while `A` and `B` differ a lot. The new shot
//! starts at the middle of the span: halfway from the first clearly mixed
//! frame (fitted `α` below 0.85) to the last (above 0.15).

use super::features::{hist_distance, FrameFeatures};
use super::ShotOptions;

/// A dissolve found in the video.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Dissolve {
    /// First frame of the new shot (the middle of the span).
    pub boundary: u64,
    /// The last frame before the span (pure `A`).
    pub before: u64,
    /// The first frame after the span (pure `B`).
    pub after: u64,
    /// RMS difference of the end frames (0–1): the strength.
    pub strength: f32,
    /// Mean residual of the mixed frames relative to the end frames' difference.
    pub residual: f32,
}

/// Fitted mixing weights within this range count as mixed.
const MIXED: std::ops::RangeInclusive<f32> = 0.15..=0.85;

/// Span lengths (interior frames) tried: from `min` to `max`, each about
/// a quarter longer than the previous.
fn lengths(min: usize, max: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut l = min.max(2);
    while l < max {
        out.push(l);
        l = (l + l.div_ceil(4)).max(l + 1);
    }
    out.push(max.max(min.max(2)));
    out
}

/// The dissolves of a video. `cuts` are the hard cuts already found (a
/// span holding one is no dissolve); `min_len` and `max_len` bound the
/// span in frames.
pub(crate) fn find(
    features: &[FrameFeatures],
    cuts: &[u64],
    options: &ShotOptions,
    min_len: usize,
    max_len: usize,
) -> Vec<Dissolve> {
    let mut candidates = Vec::new();
    let n = features.len();
    for len in lengths(min_len, max_len) {
        for before in 0..n {
            let after = before + len + 1;
            if after >= n {
                break;
            }
            let (a, b) = (&features[before], &features[after]);
            if hist_distance(&a.hist, &b.hist) < options.dissolve_min_change {
                continue;
            }
            if cuts.iter().any(|&c| c > before as u64 && c <= after as u64) {
                continue;
            }
            if let Some(d) = fit(features, before, after, options) {
                candidates.push(d);
            }
        }
    }
    // Strongest first; a candidate overlapping a stronger one, or with its
    // middle within the stronger one's length of that one's middle, is the
    // same dissolve seen through another (partial) window.
    candidates.sort_by(|x, y| {
        y.strength
            .total_cmp(&x.strength)
            .then(x.residual.total_cmp(&y.residual))
    });
    let mut chosen: Vec<Dissolve> = Vec::new();
    for c in candidates {
        let separate = |d: &Dissolve| {
            let apart = c.after <= d.before || c.before >= d.after;
            apart && c.boundary.abs_diff(d.boundary) >= d.after - d.before
        };
        if chosen.iter().all(separate) {
            chosen.push(c);
        }
    }
    chosen.sort_by_key(|d| d.boundary);
    chosen
}

/// The dissolve from frame `before` to frame `after` if the frames between
/// are gradual linear mixes of the two.
fn fit(
    features: &[FrameFeatures],
    before: usize,
    after: usize,
    options: &ShotOptions,
) -> Option<Dissolve> {
    let a = &features[before].thumb;
    let b = &features[after].thumb;
    let diff: Vec<f32> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let dd: f32 = diff.iter().map(|d| d * d).sum();
    let pixels = diff.len().max(1) as f32;
    let strength = (dd / pixels).sqrt();
    if strength < 0.05 {
        return None;
    }
    let interior = after - before - 1;
    let mut alphas = Vec::with_capacity(interior);
    let mut residual_sum = 0f32;
    for frame in &features[before + 1..after] {
        let t = &frame.thumb;
        let dot: f32 = t
            .iter()
            .zip(b)
            .zip(&diff)
            .map(|((x, y), d)| (x - y) * d)
            .sum();
        let alpha = (dot / dd).clamp(0.0, 1.0);
        let r: f32 = t
            .iter()
            .zip(b)
            .zip(&diff)
            .map(|((x, y), d)| {
                let e = x - y - alpha * d;
                e * e
            })
            .sum();
        residual_sum += r;
        alphas.push(alpha);
    }
    let residual = (residual_sum / (interior as f32 * dd)).sqrt();
    if residual > options.dissolve_max_residual {
        return None;
    }
    let mixed = alphas.iter().filter(|a| MIXED.contains(a)).count();
    if mixed < (interior / 3).max(2) {
        return None;
    }
    // α must fall: no step back up by more than a little, and from high to low.
    let rises = alphas.windows(2).any(|w| w[1] > w[0] + 0.15);
    let first = alphas.first().copied().unwrap_or(0.0);
    let last = alphas.last().copied().unwrap_or(1.0);
    if rises || first < 0.6 || last > 0.4 {
        return None;
    }
    Some(Dissolve {
        boundary: (before + 1 + middle(&alphas)) as u64,
        before: before as u64,
        after: after as u64,
        strength,
        residual,
    })
}

/// Weights within this of 0 or 1 count as (nearly) a pure end frame:
/// the ends of [`MIXED`].
const PURE: f32 = 0.15;

/// The middle of the mixed span (index into `alphas`, rounded up): from
/// the first frame that is clearly mixed (`α` below 0.85) to the last
/// (above 0.15). Measured closer to the true middle than where `α`
/// crosses one half, which motion within the two shots biases by a frame
/// or two; motion outside the span can make purer thresholds wander.
fn middle(alphas: &[f32]) -> usize {
    let first = alphas.iter().position(|&a| a < 1.0 - PURE);
    let last = alphas.iter().rposition(|&a| a > PURE);
    match (first, last) {
        (Some(first), Some(last)) if first <= last => (first + last).div_ceil(2),
        _ => alphas.iter().position(|&a| a < 0.5).unwrap_or(alphas.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_is_the_middle_of_the_mixed_span() {
        // Pure A, five mixed frames (a biased crossing), pure B.
        let alphas = [1.0, 0.9, 0.75, 0.62, 0.3, 0.1, 0.0, 0.0];
        assert_eq!(middle(&alphas), 3);
        assert_eq!(middle(&[1.0, 1.0, 0.0]), 2);
    }

    #[test]
    fn lengths_cover_the_range() {
        let l = lengths(8, 50);
        assert_eq!(l.first(), Some(&8));
        assert_eq!(l.last(), Some(&50));
        assert!(l.windows(2).all(|w| w[0] < w[1]));
    }
}
