//! Scores shared by the evaluations: ROC AUC and the true-accept rate at
//! a false-accept rate.

/// Area under the ROC curve of two score lists where a higher score should
/// mean the `positive` class (genuine pairs, real faces): the probability
/// that a random positive scores above a random negative, ties counting
/// half. 0.5 is chance; below 0.5 the score is inverted.
///
/// When either list is empty the AUC is undefined and this returns NaN
/// (serialised as `null` in JSON), so an empty measurement is never
/// mistaken for chance.
pub fn auc(positive: &[f32], negative: &[f32]) -> f64 {
    if positive.is_empty() || negative.is_empty() {
        return f64::NAN;
    }
    let mut wins = 0.0f64;
    for &p in positive {
        for &n in negative {
            if p > n {
                wins += 1.0;
            } else if p == n {
                wins += 0.5;
            }
        }
    }
    wins / (positive.len() * negative.len()) as f64
}

/// True-accept rate at a false-accept rate of at most `far` (0..1): the
/// threshold is the lowest that accepts no more than `far` of the impostor
/// pairs (strictly greater scores are accepted); returns (TAR, threshold).
/// With no genuine pairs: (0, +∞).
pub fn tar_at_far(same: &[f32], different: &[f32], far: f32) -> (f32, f32) {
    if same.is_empty() {
        return (0.0, f32::INFINITY);
    }
    let mut d = different.to_vec();
    d.sort_by(|a, b| b.total_cmp(a));
    let allowed = (far * d.len() as f32).floor() as usize;
    // Accept scores above the (allowed+1)-th highest impostor score.
    let threshold = d.get(allowed).copied().unwrap_or(f32::NEG_INFINITY);
    let accepted = same.iter().filter(|&&s| s > threshold).count();
    (accepted as f32 / same.len() as f32, threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_wins_and_half_ties() {
        assert_eq!(auc(&[0.9, 0.8], &[0.1, 0.2]), 1.0);
        assert_eq!(auc(&[0.1], &[0.2]), 0.0);
        assert_eq!(auc(&[0.5], &[0.5]), 0.5);
        assert_eq!(auc(&[0.9, 0.3], &[0.5, 0.1]), 0.75);
    }

    #[test]
    fn auc_of_an_empty_list_is_undefined() {
        assert!(auc(&[], &[0.1]).is_nan());
        assert!(auc(&[0.1], &[]).is_nan());
        assert!(auc(&[], &[]).is_nan());
    }

    #[test]
    fn tar_at_one_percent_far() {
        let diff: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        // FAR 1 %: one impostor (0.99) may pass; threshold is 0.98.
        let (tar, thr) = tar_at_far(&[0.985, 0.5, 0.995], &diff, 0.01);
        assert_eq!(thr, 0.98);
        assert!((tar - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(tar_at_far(&[], &diff, 0.01), (0.0, f32::INFINITY));
    }
}
