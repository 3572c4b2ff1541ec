//! The horizon from the lane lines' vanishing point, for frames without a
//! calibrated camera: straight lane lines on a flat road meet at the
//! horizon, so the row where the ego lane's left and right lines cross,
//! collected over the first seconds, gives the camera's pitch.

use crate::lanes::{LaneLine, Lanes};

/// Lines less sure than this are not used.
const MIN_CONFIDENCE: f64 = 0.6;
/// Samples needed before an estimate is given.
const MIN_SAMPLES: usize = 10;

/// The row (pixels) where the tangents of the two lines at the lower part
/// of their common rows meet; `None` unless both lines are sure, measured
/// in this frame, and converge above that part.
pub fn vanishing_row(lanes: &Lanes) -> Option<f64> {
    let (l, r) = (lanes.left.as_ref()?, lanes.right.as_ref()?);
    let usable = |line: &LaneLine| line.confidence >= MIN_CONFIDENCE && line.frames_since_seen == 0;
    if !usable(l) || !usable(r) {
        return None;
    }
    let top = l.rows[0].max(r.rows[0]);
    let bottom = l.rows[1].min(r.rows[1]);
    if bottom - top <= 20.0 || bottom.is_nan() || top.is_nan() {
        return None;
    }
    // Two rows in the lower half of the common span: near the camera the
    // road is straightest in the image.
    let (y1, y2) = (top + (bottom - top) * 0.5, bottom);
    let slope = |line: &LaneLine| (line.x_at_row(y2) - line.x_at_row(y1)) / (y2 - y1);
    let (sl, sr) = (slope(l), slope(r));
    let gap = r.x_at_row(y2) - l.x_at_row(y2);
    // Left line runs up to the right (x falls as y grows), right the other way.
    let closing = sr - sl;
    if !(gap > 0.0 && closing > 1e-3) {
        return None;
    }
    let row = y2 - gap / closing;
    (row.is_finite() && row < top).then_some(row)
}

/// Collects vanishing rows frame by frame.
#[derive(Clone, Debug, Default)]
pub struct HorizonEstimator {
    rows: Vec<f64>,
}

impl HorizonEstimator {
    /// An estimator with no sample.
    pub fn new() -> HorizonEstimator {
        HorizonEstimator::default()
    }

    /// Adds this frame's lanes (ignored when they give no vanishing row).
    pub fn push(&mut self, lanes: &Lanes) {
        if let Some(row) = vanishing_row(lanes) {
            self.rows.push(row);
        }
    }

    /// Samples so far.
    pub fn samples(&self) -> usize {
        self.rows.len()
    }

    /// The median vanishing row, pixels, once enough frames gave one.
    pub fn horizon_row(&self) -> Option<f64> {
        if self.rows.len() < MIN_SAMPLES {
            return None;
        }
        let mut sorted = self.rows.clone();
        sorted.sort_by(f64::total_cmp);
        Some(sorted[sorted.len() / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::{LineColour, LineKind};

    /// A straight line through (`x_bottom`, 540) and (480, `vanish`).
    fn line(x_bottom: f64, vanish: f64) -> LaneLine {
        let slope = (x_bottom - 480.0) / (540.0 - vanish);
        LaneLine {
            image_x_of_y: [480.0 - slope * vanish, slope, 0.0],
            road_lateral_of_forward: [0.0; 3],
            confidence: 0.9,
            kind: LineKind::Solid,
            colour: LineColour::White,
            rows: [vanish + 30.0, 540.0],
            forward_m: [5.0, 40.0],
            frames_since_seen: 0,
        }
    }

    #[test]
    fn two_lines_meeting_at_row_300_give_row_300() {
        let lanes = Lanes {
            left: Some(line(150.0, 300.0)),
            right: Some(line(850.0, 300.0)),
            ..Lanes::default()
        };
        let row = vanishing_row(&lanes).unwrap();
        assert!((row - 300.0).abs() < 1e-6, "{row}");
        let mut e = HorizonEstimator::new();
        for _ in 0..9 {
            e.push(&lanes);
        }
        assert_eq!(e.horizon_row(), None);
        e.push(&lanes);
        assert!((e.horizon_row().unwrap() - 300.0).abs() < 1e-6);
        // One line alone, or parallel lines, say nothing.
        assert_eq!(
            vanishing_row(&Lanes {
                left: lanes.left.clone(),
                ..Lanes::default()
            }),
            None
        );
    }
}
