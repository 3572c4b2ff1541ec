//! Turning BlazeFace's raw outputs into scored boxes and keypoints.
//!
//! For each anchor the model gives one score logit and 16 regressors in
//! input pixels: box centre offset (x, y), box size (w, h), then six
//! keypoints as offsets (x, y) from the anchor centre. Dividing by the input
//! side (256) gives 0..1 units.

use crate::anchors::Grid;
use seer_core::geometry::{Point, Rect};

/// Values per anchor in the regressor output.
pub const REGRESSORS_PER_ANCHOR: usize = 16;

/// Logits are clipped to ±this before the sigmoid (as MediaPipe does).
pub const LOGIT_CLIP: f32 = 100.0;

/// A decoded detection before suppression; coordinates in whatever frame
/// the caller works in (0..1 model input units after [`decode_grid`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    /// The face box.
    pub rect: Rect,
    /// Confidence 0..1.
    pub score: f32,
    /// Right eye, left eye, nose, mouth, right ear, left ear.
    pub keypoints: [Point; 6],
}

/// The logistic function of a logit clipped to ±[`LOGIT_CLIP`].
pub fn sigmoid(logit: f32) -> f32 {
    let x = logit.clamp(-LOGIT_CLIP, LOGIT_CLIP);
    1.0 / (1.0 + (-x).exp())
}

/// Decodes the anchors of one grid whose score reaches `threshold` (0..1).
///
/// `scores` holds one logit per anchor, `regressors` 16 values per anchor
/// (both in model output order); `input_size` is the model's input side in
/// pixels. Returns `None` when the lengths do not match the grid.
pub fn decode_grid(
    grid: Grid,
    scores: &[f32],
    regressors: &[f32],
    input_size: f32,
    threshold: f32,
) -> Option<Vec<Candidate>> {
    if scores.len() != grid.len() || regressors.len() != grid.len() * REGRESSORS_PER_ANCHOR {
        return None;
    }
    let mut out = Vec::new();
    for (i, anchor) in grid.centres().into_iter().enumerate() {
        let score = sigmoid(scores[i]);
        if score < threshold {
            continue;
        }
        let r = &regressors[i * REGRESSORS_PER_ANCHOR..(i + 1) * REGRESSORS_PER_ANCHOR];
        let centre = Point::new(anchor.x + r[0] / input_size, anchor.y + r[1] / input_size);
        let rect = Rect::from_center(centre, r[2] / input_size, r[3] / input_size);
        let mut keypoints = [Point::default(); 6];
        for (k, p) in keypoints.iter_mut().enumerate() {
            *p = Point::new(
                anchor.x + r[4 + 2 * k] / input_size,
                anchor.y + r[5 + 2 * k] / input_size,
            );
        }
        out.push(Candidate {
            rect,
            score,
            keypoints,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_is_clipped_and_centred() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(1e9).is_finite() && sigmoid(-1e9) >= 0.0);
    }

    #[test]
    fn one_anchor_decodes_relative_to_its_cell_centre() {
        let grid = Grid {
            cells: 2,
            anchors_per_cell: 1,
        };
        let mut scores = vec![-10.0; 4];
        scores[3] = 10.0; // cell (1, 1): centre (0.75, 0.75)
        let mut regs = vec![0.0; 4 * 16];
        let r = &mut regs[3 * 16..4 * 16];
        r[0] = 25.6; // +0.1
        r[1] = -25.6; // -0.1
        r[2] = 51.2; // w 0.2
        r[3] = 102.4; // h 0.4
        r[4] = -25.6; // right eye x -0.1
        let got = decode_grid(grid, &scores, &regs, 256.0, 0.5).unwrap();
        assert_eq!(got.len(), 1);
        let c = got[0];
        assert!((c.rect.center().x - 0.85).abs() < 1e-6);
        assert!((c.rect.center().y - 0.65).abs() < 1e-6);
        assert!((c.rect.width - 0.2).abs() < 1e-6 && (c.rect.height - 0.4).abs() < 1e-6);
        assert!((c.keypoints[0].x - 0.65).abs() < 1e-6);
        assert_eq!(c.keypoints[1], Point::new(0.75, 0.75));
        assert!(decode_grid(grid, &scores[..3], &regs, 256.0, 0.5).is_none());
    }
}
