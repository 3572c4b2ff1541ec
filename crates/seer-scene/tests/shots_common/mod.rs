//! Scoring of found shot boundaries against the true ones, shared by the
//! tests of both shot detectors.

use seer_scene::{Boundary, ShotList};
use seer_testdata::shots::TrueBoundary;

/// Frames a found boundary may be off and still match.
pub const TOLERANCE: u64 = 2;

/// Matches each true boundary to the nearest unmatched found one within
/// [`TOLERANCE`]; returns (true index, found index) pairs.
pub fn matches(truth: &[TrueBoundary], found: &[Boundary]) -> Vec<(usize, usize)> {
    let mut used = vec![false; found.len()];
    let mut pairs = Vec::new();
    for (i, t) in truth.iter().enumerate() {
        let best = found
            .iter()
            .enumerate()
            .filter(|(j, f)| !used[*j] && f.frame.abs_diff(t.frame) <= TOLERANCE)
            .min_by_key(|(_, f)| f.frame.abs_diff(t.frame));
        if let Some((j, _)) = best {
            used[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

/// Asserts that the shots cover every frame once, in order.
pub fn check_contiguous(list: &ShotList) {
    assert_eq!(list.shots.first().map(|s| s.start_frame), Some(0));
    assert_eq!(
        list.shots.last().map(|s| s.end_frame),
        Some(list.frames - 1)
    );
    for pair in list.shots.windows(2) {
        assert_eq!(pair[1].start_frame, pair[0].end_frame + 1);
    }
}
