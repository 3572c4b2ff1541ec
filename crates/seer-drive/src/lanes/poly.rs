//! Degree-2 polynomials and their weighted least-squares fit.

use serde::Serialize;

/// `value = c0 + c1·t + c2·t²`, with `t` measured from an origin so the
/// fit stays well conditioned.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Poly2 {
    /// Coefficients `[c0, c1, c2]`, in the units of the value per unit of
    /// `t`, `t²`.
    pub coeffs: [f64; 3],
    /// The `t` origin: the polynomial is evaluated at `t - origin`.
    pub origin: f64,
}

impl Poly2 {
    /// The value at `t`.
    pub fn eval(&self, t: f64) -> f64 {
        let d = t - self.origin;
        self.coeffs[0] + self.coeffs[1] * d + self.coeffs[2] * d * d
    }

    /// The slope d(value)/dt at `t`.
    pub fn slope(&self, t: f64) -> f64 {
        self.coeffs[1] + 2.0 * self.coeffs[2] * (t - self.origin)
    }

    /// The weighted least-squares fit of `(t, value, weight)` points about
    /// `origin`; `None` with fewer than 3 points or a singular system.
    /// `ridge` pulls the curvature towards 0 (a small number such as 1e-3
    /// keeps short fits from bending wildly).
    pub fn fit(points: &[(f64, f64, f64)], origin: f64, ridge: f64) -> Option<Poly2> {
        if points.len() < 3 {
            return None;
        }
        let mut m = [[0.0f64; 4]; 3];
        for &(t, v, w) in points {
            let d = t - origin;
            let b = [1.0, d, d * d];
            for i in 0..3 {
                for j in 0..3 {
                    m[i][j] += w * b[i] * b[j];
                }
                m[i][3] += w * b[i] * v;
            }
        }
        let total: f64 = points.iter().map(|p| p.2).sum();
        m[2][2] += ridge * total;
        solve3(m).map(|coeffs| Poly2 { coeffs, origin })
    }

    /// The fit of a straight line only (the curvature is 0).
    pub fn fit_line(points: &[(f64, f64, f64)], origin: f64) -> Option<Poly2> {
        let (mut sw, mut st, mut sv, mut stt, mut stv) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(t, v, w) in points {
            let d = t - origin;
            sw += w;
            st += w * d;
            sv += w * v;
            stt += w * d * d;
            stv += w * d * v;
        }
        let det = sw * stt - st * st;
        if points.len() < 2 || det.abs() < 1e-12 {
            return None;
        }
        let c1 = (sw * stv - st * sv) / det;
        let c0 = (sv - c1 * st) / sw;
        Some(Poly2 {
            coeffs: [c0, c1, 0.0],
            origin,
        })
    }

    /// The same polynomial as plain coefficients about `t = 0`.
    pub fn about_zero(&self) -> [f64; 3] {
        let [a, b, c] = self.coeffs;
        let o = self.origin;
        [a - b * o + c * o * o, b - 2.0 * c * o, c]
    }
}

/// Gauss-Jordan elimination with partial pivoting on a 3×4 system.
fn solve3(mut m: [[f64; 4]; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let mut piv = col;
        for r in col + 1..3 {
            if m[r][col].abs() > m[piv][col].abs() {
                piv = r;
            }
        }
        m.swap(col, piv);
        if m[col][col].abs() < 1e-12 {
            return None;
        }
        let pivot_row = m[col];
        for (r, row) in m.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let x = [m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]];
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parabola_is_recovered() {
        let pts: Vec<_> = (0..20)
            .map(|i| {
                let t = i as f64;
                (t, 1.0 + 0.5 * t - 0.02 * t * t, 1.0)
            })
            .collect();
        let p = Poly2::fit(&pts, 10.0, 0.0).unwrap();
        let z = p.about_zero();
        assert!(
            (z[0] - 1.0).abs() < 1e-6 && (z[1] - 0.5).abs() < 1e-6 && (z[2] + 0.02).abs() < 1e-9
        );
        assert!(Poly2::fit(&pts[..2], 0.0, 0.0).is_none());
        let l = Poly2::fit_line(&[(0.0, 1.0, 1.0), (2.0, 5.0, 1.0)], 0.0).unwrap();
        assert!((l.eval(1.0) - 3.0).abs() < 1e-9);
    }
}
