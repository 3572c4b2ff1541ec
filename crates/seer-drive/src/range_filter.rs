//! Range and range rate of one tracked object: a constant-velocity Kalman
//! filter over the fused distance measurements, each weighted by its own
//! uncertainty, so a noisy far-away box moves the estimate less than a
//! sharp near one.

/// Kalman state of one track's range (metres) and range rate (m/s).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeFilter {
    /// Distance ahead, metres.
    range_m: f64,
    /// Rate of change of the distance, m/s (negative = closing).
    rate_mps: f64,
    /// Covariance [[rr, rv], [rv, vv]].
    p: [[f64; 2]; 2],
    /// Acceleration noise, m/s² (one standard deviation).
    accel_sigma: f64,
}

impl RangeFilter {
    /// Starts at a first measurement (`range_m` ± `sigma_m`), the rate
    /// unknown (± `initial_rate_sigma` m/s).
    pub fn new(
        range_m: f64,
        sigma_m: f64,
        accel_sigma: f64,
        initial_rate_sigma: f64,
    ) -> RangeFilter {
        RangeFilter {
            range_m,
            rate_mps: 0.0,
            p: [
                [sigma_m * sigma_m, 0.0],
                [0.0, initial_rate_sigma * initial_rate_sigma],
            ],
            accel_sigma,
        }
    }

    /// Moves the state `dt` seconds ahead.
    pub fn predict(&mut self, dt: f64) {
        if !(dt.is_finite() && dt > 0.0) {
            return;
        }
        self.range_m += self.rate_mps * dt;
        let [[a, b], [_, d]] = self.p;
        // P = F P Fᵀ + Q, F = [[1, dt], [0, 1]], Q from white acceleration.
        let q = self.accel_sigma * self.accel_sigma;
        let (dt2, dt3, dt4) = (dt * dt, dt * dt * dt, dt * dt * dt * dt);
        let rr = a + 2.0 * dt * b + dt2 * d + q * dt4 / 4.0;
        let rv = b + dt * d + q * dt3 / 2.0;
        let vv = d + q * dt2;
        self.p = [[rr, rv], [rv, vv]];
    }

    /// Folds in one measurement `range_m` ± `sigma_m`; a non-finite one is
    /// ignored.
    pub fn update(&mut self, range_m: f64, sigma_m: f64) {
        if !(range_m.is_finite() && sigma_m.is_finite() && sigma_m > 0.0) {
            return;
        }
        let [[a, b], [_, d]] = self.p;
        let s = a + sigma_m * sigma_m;
        let (k0, k1) = (a / s, b / s);
        let innovation = range_m - self.range_m;
        self.range_m += k0 * innovation;
        self.rate_mps += k1 * innovation;
        self.p = [
            [(1.0 - k0) * a, (1.0 - k0) * b],
            [(1.0 - k0) * b, d - k1 * b],
        ];
    }

    /// Estimated distance, metres.
    pub fn range_m(&self) -> f64 {
        self.range_m
    }

    /// Estimated rate of change of the distance, m/s (negative = closing).
    pub fn rate_mps(&self) -> f64 {
        self.rate_mps
    }

    /// Standard deviation of the rate estimate, m/s.
    pub fn rate_sigma_mps(&self) -> f64 {
        self.p[1][1].max(0.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_approach_is_followed_in_range_and_rate() {
        let mut f = RangeFilter::new(40.0, 2.0, 2.0, 10.0);
        let dt = 1.0 / 30.0;
        for i in 1..=60 {
            f.predict(dt);
            let truth = 40.0 - 10.0 * dt * f64::from(i);
            // Alternating ±1 m errors, as a noisy detector would give.
            let noise = if i % 2 == 0 { 1.0 } else { -1.0 };
            f.update(truth + noise, 1.5);
        }
        assert!((f.range_m() - 20.0).abs() < 1.0, "{f:?}");
        assert!((f.rate_mps() + 10.0).abs() < 2.0, "{f:?}");
    }

    #[test]
    fn bad_measurements_and_steps_change_nothing() {
        let mut f = RangeFilter::new(20.0, 1.0, 2.0, 5.0);
        let before = f;
        f.update(f64::NAN, 1.0);
        f.update(10.0, 0.0);
        f.predict(-1.0);
        f.predict(f64::INFINITY);
        assert_eq!(f, before);
    }
}
