//! Weighted non-maximum suppression (MediaPipe's "WEIGHTED" mode): the
//! strongest remaining detection and every other detection overlapping it
//! by more than an IoU threshold form a cluster; the cluster becomes one
//! detection whose box and keypoints are the score-weighted average of its
//! members and whose score is the strongest member's.

use crate::decode::Candidate;
use seer_core::geometry::{Point, Rect};

/// Merges overlapping candidates; `iou_threshold` is 0..1. Results are
/// ordered by decreasing score.
pub fn weighted_nms(mut candidates: Vec<Candidate>, iou_threshold: f32) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept = Vec::new();
    while let Some(best) = candidates.first().copied() {
        let (cluster, rest): (Vec<Candidate>, Vec<Candidate>) = candidates
            .into_iter()
            .partition(|c| c.rect.iou(&best.rect) > iou_threshold || *c == best);
        kept.push(weighted_average(&cluster, best.score));
        candidates = rest;
    }
    kept
}

/// Score-weighted mean of boxes and keypoints, carrying `score`.
fn weighted_average(cluster: &[Candidate], score: f32) -> Candidate {
    let total: f32 = cluster.iter().map(|c| c.score).sum();
    if cluster.len() == 1 || total <= 0.0 {
        return Candidate {
            score,
            ..cluster[0]
        };
    }
    let mut rect = [0.0f32; 4];
    let mut keypoints = [Point::default(); 6];
    for c in cluster {
        let w = c.score / total;
        rect[0] += w * c.rect.x;
        rect[1] += w * c.rect.y;
        rect[2] += w * c.rect.right();
        rect[3] += w * c.rect.bottom();
        for (k, p) in keypoints.iter_mut().enumerate() {
            p.x += w * c.keypoints[k].x;
            p.y += w * c.keypoints[k].y;
        }
    }
    Candidate {
        rect: Rect::new(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]),
        score,
        keypoints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(x: f32, score: f32) -> Candidate {
        Candidate {
            rect: Rect::new(x, 0.0, 10.0, 10.0),
            score,
            keypoints: [Point::new(x, 0.0); 6],
        }
    }

    #[test]
    fn overlapping_boxes_are_averaged_by_score_and_distant_ones_kept() {
        let merged = weighted_nms(vec![cand(1.0, 0.25), cand(0.0, 0.75), cand(50.0, 0.6)], 0.3);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].score, 0.75);
        assert!((merged[0].rect.x - 0.25).abs() < 1e-6);
        assert!((merged[0].keypoints[3].x - 0.25).abs() < 1e-6);
        assert_eq!(merged[1].rect.x, 50.0);
    }
}
