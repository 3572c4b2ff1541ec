//! A constant-velocity Kalman filter on a box, as in SORT and ByteTrack.
//!
//! The state is `(cx, cy, a, h, vcx, vcy, va, vh)`: the box centre and
//! height in pixels, its aspect ratio `a = w / h`, and their velocities per
//! frame. The measurement is `(cx, cy, a, h)`. Process and measurement
//! noise are proportional to the box height (a box twice as tall moves and
//! jitters twice as many pixels), with ByteTrack's weights: 1/20 of the
//! height for positions, 1/160 for velocities.

use seer_core::geometry::Rect;

const DIM: usize = 8;
const MEAS: usize = 4;
/// Position noise, as a fraction of the box height.
const STD_POSITION: f64 = 1.0 / 20.0;
/// Velocity noise, as a fraction of the box height per frame.
const STD_VELOCITY: f64 = 1.0 / 160.0;

/// The filter's estimate of one box: mean and covariance of the state.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxKalman {
    mean: [f64; DIM],
    covariance: [[f64; DIM]; DIM],
}

/// `(cx, cy, a, h)` of a box (pixels; `a` = width / height).
fn measurement(bbox: &Rect) -> [f64; MEAS] {
    let c = bbox.center();
    let h = bbox.height as f64;
    let a = if h > 0.0 { bbox.width as f64 / h } else { 0.0 };
    [c.x as f64, c.y as f64, a, h]
}

impl BoxKalman {
    /// A filter started at `bbox` (pixels, positive height) with zero
    /// velocity and a wide velocity uncertainty.
    pub fn new(bbox: &Rect) -> BoxKalman {
        let z = measurement(bbox);
        let h = z[3];
        let mut mean = [0.0; DIM];
        mean[..MEAS].copy_from_slice(&z);
        let std = [
            2.0 * STD_POSITION * h,
            2.0 * STD_POSITION * h,
            1e-2,
            2.0 * STD_POSITION * h,
            10.0 * STD_VELOCITY * h,
            10.0 * STD_VELOCITY * h,
            1e-5,
            10.0 * STD_VELOCITY * h,
        ];
        let mut covariance = [[0.0; DIM]; DIM];
        for i in 0..DIM {
            covariance[i][i] = std[i] * std[i];
        }
        BoxKalman { mean, covariance }
    }

    /// Advances the estimate by one frame (constant velocity).
    pub fn predict(&mut self) {
        let h = self.mean[3];
        let std = [
            STD_POSITION * h,
            STD_POSITION * h,
            1e-2,
            STD_POSITION * h,
            STD_VELOCITY * h,
            STD_VELOCITY * h,
            1e-5,
            STD_VELOCITY * h,
        ];
        for i in 0..MEAS {
            self.mean[i] += self.mean[i + MEAS];
        }
        // P ← F P Fᵀ + Q with F = [[I, I], [0, I]].
        let p = self.covariance;
        let mut fp = p;
        for i in 0..MEAS {
            for j in 0..DIM {
                fp[i][j] = p[i][j] + p[i + MEAS][j];
            }
        }
        let mut next = fp;
        for i in 0..DIM {
            for j in 0..MEAS {
                next[i][j] = fp[i][j] + fp[i][j + MEAS];
            }
        }
        for i in 0..DIM {
            next[i][i] += std[i] * std[i];
        }
        self.covariance = next;
    }

    /// Corrects the estimate with a measured box (pixels).
    pub fn update(&mut self, bbox: &Rect) {
        let z = measurement(bbox);
        let h = self.mean[3];
        let r = [STD_POSITION * h, STD_POSITION * h, 1e-1, STD_POSITION * h];
        // S = H P Hᵀ + R: the top-left 4×4 block of P plus R.
        let mut s = [[0.0; MEAS]; MEAS];
        for (i, row) in s.iter_mut().enumerate() {
            row.copy_from_slice(&self.covariance[i][..MEAS]);
            row[i] += r[i] * r[i];
        }
        let Some(s_inv) = invert4(&s) else {
            return; // a degenerate estimate keeps its prediction
        };
        // K = P Hᵀ S⁻¹ (8×4); P Hᵀ is the first four columns of P.
        let mut gain = [[0.0; MEAS]; DIM];
        for (i, row) in gain.iter_mut().enumerate() {
            for (j, g) in row.iter_mut().enumerate() {
                *g = (0..MEAS).map(|k| self.covariance[i][k] * s_inv[k][j]).sum();
            }
        }
        let innovation: Vec<f64> = (0..MEAS).map(|i| z[i] - self.mean[i]).collect();
        for (i, row) in gain.iter().enumerate() {
            self.mean[i] += (0..MEAS).map(|k| row[k] * innovation[k]).sum::<f64>();
        }
        // P ← P − K H P (K H P = K times the first four rows of P).
        let p = self.covariance;
        for (i, row) in gain.iter().enumerate() {
            for (j, value) in self.covariance[i].iter_mut().enumerate() {
                let khp: f64 = (0..MEAS).map(|k| row[k] * p[k][j]).sum();
                *value = p[i][j] - khp;
            }
        }
    }

    /// Sets the height velocity to zero (ByteTrack does so for a lost
    /// track, so that its box does not grow or shrink without evidence).
    pub fn freeze_height(&mut self) {
        self.mean[7] = 0.0;
    }

    /// The estimated box in pixels.
    pub fn bbox(&self) -> Rect {
        let [cx, cy, a, h] = [self.mean[0], self.mean[1], self.mean[2], self.mean[3]];
        let w = a * h;
        Rect::new(
            (cx - w / 2.0) as f32,
            (cy - h / 2.0) as f32,
            w as f32,
            h as f32,
        )
    }

    /// The estimated velocity of the box centre, in pixels per frame.
    pub fn velocity(&self) -> (f32, f32) {
        (self.mean[4] as f32, self.mean[5] as f32)
    }

    /// True while every number of the estimate is finite and the box has a
    /// positive size.
    pub fn is_sane(&self) -> bool {
        self.mean.iter().all(|v| v.is_finite())
            && self.covariance.iter().flatten().all(|v| v.is_finite())
            && self.mean[2] > 0.0
            && self.mean[3] > 0.0
    }
}

/// The inverse of a 4×4 matrix by Gauss–Jordan elimination with partial
/// pivoting; `None` when it is (numerically) singular.
fn invert4(m: &[[f64; MEAS]; MEAS]) -> Option<[[f64; MEAS]; MEAS]> {
    let mut a = *m;
    let mut inv = [[0.0; MEAS]; MEAS];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for col in 0..MEAS {
        let pivot = (col..MEAS).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        let value = a[pivot][col];
        if !value.is_finite() || value.abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        for j in 0..MEAS {
            a[col][j] /= value;
            inv[col][j] /= value;
        }
        for row in 0..MEAS {
            if row != col {
                let f = a[row][col];
                for j in 0..MEAS {
                    a[row][j] -= f * a[col][j];
                    inv[row][j] -= f * inv[col][j];
                }
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_moving_at_constant_velocity_is_followed_and_extrapolated() {
        // A 20×40 box moving 3 px right and 1 px down per frame.
        let at = |t: f32| Rect::new(100.0 + 3.0 * t, 50.0 + t, 20.0, 40.0);
        let mut kf = BoxKalman::new(&at(0.0));
        for t in 1..30 {
            kf.predict();
            kf.update(&at(t as f32));
        }
        let (vx, vy) = kf.velocity();
        assert!(
            (vx - 3.0).abs() < 0.05 && (vy - 1.0).abs() < 0.05,
            "{vx} {vy}"
        );
        // Ten frames without measurements: the prediction keeps moving.
        for _ in 0..10 {
            kf.predict();
        }
        let predicted = kf.bbox();
        assert!(predicted.iou(&at(39.0)) > 0.95, "{predicted:?}");
        assert!(kf.is_sane());
    }

    #[test]
    fn an_update_pulls_the_estimate_towards_the_measurement() {
        let mut kf = BoxKalman::new(&Rect::new(0.0, 0.0, 10.0, 10.0));
        kf.predict();
        kf.update(&Rect::new(4.0, 0.0, 10.0, 10.0));
        let b = kf.bbox();
        assert!(b.x > 0.5 && b.x < 4.0, "{b:?}");
    }

    #[test]
    fn inversion_of_a_known_matrix() {
        let m = [
            [4.0, 1.0, 0.0, 0.0],
            [1.0, 3.0, 0.0, 0.0],
            [0.0, 0.0, 2.0, 0.0],
            [0.0, 0.0, 0.0, 0.5],
        ];
        let inv = invert4(&m).unwrap();
        for (i, row) in m.iter().enumerate() {
            let product: Vec<f64> = (0..4)
                .map(|j| (0..4).map(|k| row[k] * inv[k][j]).sum())
                .collect();
            for (j, v) in product.iter().enumerate() {
                let identity = if i == j { 1.0 } else { 0.0 };
                assert!((v - identity).abs() < 1e-12);
            }
        }
        assert!(invert4(&[[0.0; 4]; 4]).is_none());
    }
}
