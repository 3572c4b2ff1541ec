//! Non-maximum suppression over detections.

use crate::Detection;

/// Keeps the best-scoring detections, dropping any whose box overlaps an
/// already kept one by more than `iou` (intersection over union), across
/// classes when `class_agnostic`, else only within a class. The result is
/// sorted by score, best first, at most `max` long.
pub fn suppress(
    mut detections: Vec<Detection>,
    iou: f32,
    class_agnostic: bool,
    max: usize,
) -> Vec<Detection> {
    detections.retain(|d| d.score.is_finite());
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for d in detections {
        if kept.len() >= max {
            break;
        }
        let overlaps = kept
            .iter()
            .any(|k| (class_agnostic || k.class == d.class) && k.bbox.iou(&d.bbox) > iou);
        if !overlaps {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use seer_core::geometry::Rect;

    fn det(x: f32, score: f32, class: u32) -> Detection {
        Detection {
            bbox: Rect::new(x, 0.0, 10.0, 10.0),
            score,
            class,
        }
    }

    #[test]
    fn overlapping_boxes_keep_the_best_and_distinct_ones_stay() {
        // IoU of boxes 2 px apart: 8*10 / (200 - 80) = 0.667.
        let out = suppress(
            vec![det(0.0, 0.6, 0), det(2.0, 0.9, 0), det(50.0, 0.5, 0)],
            0.5,
            true,
            10,
        );
        let xs: Vec<f32> = out.iter().map(|d| d.bbox.x).collect();
        assert_eq!(xs, vec![2.0, 50.0]);
    }

    #[test]
    fn per_class_suppression_keeps_overlapping_objects_of_other_classes() {
        let dets = vec![det(0.0, 0.9, 0), det(1.0, 0.8, 2)];
        assert_eq!(suppress(dets.clone(), 0.5, false, 10).len(), 2);
        assert_eq!(suppress(dets, 0.5, true, 10).len(), 1);
    }

    #[test]
    fn nan_scores_are_dropped_and_the_cap_holds() {
        let out = suppress(
            vec![det(0.0, f32::NAN, 0), det(20.0, 0.7, 0), det(40.0, 0.6, 0)],
            0.5,
            true,
            1,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].score, 0.7);
    }
}
