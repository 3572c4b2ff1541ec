//! Fades: a run of near-black (or near-white) frames between two pictures.
//! The new shot starts at the first frame after the darkest (brightest)
//! part of the run, where the picture comes back.

use super::cuts::distance;
use super::features::FrameFeatures;
use super::ShotOptions;

/// A fade found in the video.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fade {
    /// First frame of the new shot.
    pub boundary: u64,
    /// First frame of the transition (the fade-out's first darker frame).
    pub span_start: u64,
    /// Last frame of the transition (the fade-in's last brighter frame).
    pub span_end: u64,
}

/// Luma within this of the run's extreme counts as the extreme (0–1).
const EXTREME_MARGIN: f32 = 0.01;

/// The fades of a video from its frames' features.
/// `max_ramp` bounds the fade-out and fade-in ramps in frames.
pub(crate) fn find(
    features: &[FrameFeatures],
    options: &ShotOptions,
    max_ramp: usize,
) -> Vec<Fade> {
    let luma: Vec<f32> = features.iter().map(|f| f.luma).collect();
    let mut fades = Vec::new();
    let dark: Vec<f32> = luma.clone();
    let bright: Vec<f32> = luma.iter().map(|l| 1.0 - l).collect();
    // Bright frames are found as dark frames of the inverted luma.
    for (levels, limit) in [
        (dark, options.black_level),
        (bright, 1.0 - options.white_level),
    ] {
        for (start, end) in runs(&levels, limit) {
            if start == 0 || end + 1 >= levels.len() {
                continue; // starts or ends the video: no boundary
            }
            if end - start < options.flash_frames && is_flash(features, start, end) {
                continue;
            }
            fades.push(fade(&levels, start, end, max_ramp));
        }
    }
    fades.sort_by_key(|f| f.boundary);
    fades
}

/// Runs of consecutive frames with `levels[t] < limit`, as (first, last).
fn runs(levels: &[f32], limit: f32) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (t, &l) in levels.iter().enumerate() {
        match (l < limit, start) {
            (true, None) => start = Some(t),
            (false, Some(s)) => {
                out.push((s, t - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, levels.len() - 1));
    }
    out
}

/// A short bright or dark run entered by a jump whose far side looks like
/// its near side: a flash, not a fade.
fn is_flash(features: &[FrameFeatures], start: usize, end: usize) -> bool {
    let before = &features[start - 1];
    let after = &features[end + 1];
    let jump = distance(before, &features[start]);
    distance(before, after) < 0.4 * jump
}

/// The fade around the run `start..=end` of `levels` (dark is low).
fn fade(levels: &[f32], start: usize, end: usize, max_ramp: usize) -> Fade {
    let extreme = levels[start..=end]
        .iter()
        .copied()
        .fold(f32::INFINITY, f32::min);
    let last_extreme = (start..=end)
        .rev()
        .find(|&t| levels[t] <= extreme + EXTREME_MARGIN)
        .unwrap_or(end);
    let mut span_start = start;
    while span_start > 0
        && start - span_start < max_ramp
        && levels[span_start - 1] > levels[span_start]
    {
        span_start -= 1;
    }
    let mut span_end = end;
    while span_end + 1 < levels.len()
        && span_end - end < max_ramp
        && levels[span_end + 1] > levels[span_end]
    {
        span_end += 1;
    }
    Fade {
        boundary: last_extreme as u64 + 1,
        span_start: span_start as u64,
        span_end: span_end as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_found_with_their_ends() {
        assert_eq!(runs(&[0.5, 0.0, 0.0, 0.5, 0.0], 0.1), vec![(1, 2), (4, 4)]);
        assert!(runs(&[0.5, 0.5], 0.1).is_empty());
    }

    #[test]
    fn the_boundary_is_where_the_picture_comes_back() {
        let levels = [0.5, 0.3, 0.1, 0.0, 0.0, 0.0, 0.03, 0.1, 0.3, 0.5];
        let f = fade(&levels, 3, 6, 30);
        assert_eq!(f.boundary, 6);
        assert_eq!((f.span_start, f.span_end), (0, 9));
    }
}
