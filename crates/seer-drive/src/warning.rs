//! The lead vehicle, time-to-collision and the forward-collision warning.
//!
//! The lead vehicle is the nearest vehicle ahead whose lateral offset puts
//! it in the ego lane. Its time-to-collision is its distance divided by
//! the closing speed (the negative range rate) when it closes faster than
//! a floor. The warning turns on when the time-to-collision stays below the
//! threshold for a few frames and turns off only when it has stayed above
//! the threshold plus a margin (or the lead stopped closing) for more
//! frames: hysteresis, so it does not flicker.

use crate::DriveError;
use serde::Serialize;

/// When to warn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WarningOptions {
    /// Warn below this time-to-collision, seconds (default 2.5).
    pub ttc_threshold_s: f64,
    /// The warning ends only above threshold + this margin, seconds
    /// (default 0.5).
    pub release_margin_s: f64,
    /// Consecutive frames below the threshold before warning (default 2).
    pub on_frames: u32,
    /// Consecutive frames above the release level before the warning ends
    /// (default 10).
    pub off_frames: u32,
    /// A lead closing slower than this has no time-to-collision, m/s
    /// (default 0.5).
    pub min_closing_mps: f64,
    /// Half the ego lane's width: a vehicle whose offset from the camera's
    /// axis is smaller is in the ego lane, metres (default 1.6).
    pub ego_half_width_m: f64,
}

impl Default for WarningOptions {
    fn default() -> Self {
        WarningOptions {
            ttc_threshold_s: 2.5,
            release_margin_s: 0.5,
            on_frames: 2,
            off_frames: 10,
            min_closing_mps: 0.5,
            ego_half_width_m: 1.6,
        }
    }
}

impl WarningOptions {
    /// Refuses settings that cannot work.
    pub fn validate(&self) -> Result<(), DriveError> {
        let positive = |setting, v: f64, expected| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(DriveError::BadSetting {
                    setting,
                    value: v.to_string(),
                    expected,
                })
            }
        };
        positive(
            "time-to-collision threshold",
            self.ttc_threshold_s,
            "use a number of seconds above 0",
        )?;
        positive(
            "ego lane half width",
            self.ego_half_width_m,
            "use a number of metres above 0",
        )?;
        if !(self.release_margin_s.is_finite() && self.release_margin_s >= 0.0) {
            return Err(DriveError::BadSetting {
                setting: "warning release margin",
                value: self.release_margin_s.to_string(),
                expected: "use 0 or more seconds",
            });
        }
        if !(self.min_closing_mps.is_finite() && self.min_closing_mps >= 0.0) {
            return Err(DriveError::BadSetting {
                setting: "minimum closing speed",
                value: self.min_closing_mps.to_string(),
                expected: "use 0 or more m/s",
            });
        }
        if self.on_frames == 0 || self.off_frames == 0 {
            return Err(DriveError::BadSetting {
                setting: "warning frame count",
                value: "0".into(),
                expected: "use at least 1 frame to turn the warning on and off",
            });
        }
        Ok(())
    }
}

/// Time-to-collision, seconds: `range_m` over the closing speed
/// (−`rate_mps`), or `None` when the lead closes slower than
/// `min_closing_mps` (or the values are not finite).
pub fn time_to_collision(range_m: f64, rate_mps: f64, min_closing_mps: f64) -> Option<f64> {
    let closing = -rate_mps;
    (range_m.is_finite()
        && closing.is_finite()
        && range_m > 0.0
        && closing > min_closing_mps.max(1e-6))
    .then(|| range_m / closing)
}

/// A vehicle candidate for the lead: its distance ahead and lateral offset,
/// metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeadCandidate {
    /// Distance ahead, metres.
    pub range_m: f64,
    /// Offset to the right of the camera's axis, metres.
    pub lateral_m: f64,
}

/// The index of the lead among `candidates`: the nearest one ahead within
/// `ego_half_width_m` of the axis.
pub fn pick_lead(candidates: &[LeadCandidate], ego_half_width_m: f64) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.range_m.is_finite() && c.range_m > 0.0 && c.lateral_m.abs() < ego_half_width_m
        })
        .min_by(|a, b| a.1.range_m.total_cmp(&b.1.range_m))
        .map(|(i, _)| i)
}

/// The forward-collision warning state, fed one time-to-collision per
/// frame.
#[derive(Clone, Debug)]
pub struct CollisionWarning {
    options: WarningOptions,
    active: bool,
    below: u32,
    clear: u32,
}

impl CollisionWarning {
    /// A warning that is off (options checked).
    pub fn new(options: WarningOptions) -> Result<CollisionWarning, DriveError> {
        options.validate()?;
        Ok(CollisionWarning {
            options,
            active: false,
            below: 0,
            clear: 0,
        })
    }

    /// Takes this frame's time-to-collision of the lead (`None`: no lead or
    /// not closing) and says whether the warning is on.
    pub fn update(&mut self, ttc_s: Option<f64>) -> bool {
        let o = &self.options;
        let below = ttc_s.is_some_and(|t| t < o.ttc_threshold_s);
        let released = ttc_s.is_none_or(|t| t > o.ttc_threshold_s + o.release_margin_s);
        self.below = if below { self.below + 1 } else { 0 };
        self.clear = if released { self.clear + 1 } else { 0 };
        if !self.active && self.below >= o.on_frames {
            self.active = true;
        } else if self.active && self.clear >= o.off_frames {
            self.active = false;
        }
        self.active
    }

    /// Whether the warning is on.
    pub fn is_active(&self) -> bool {
        self.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_needs_frames_to_start_and_more_to_end() {
        let mut w = CollisionWarning::new(WarningOptions::default()).unwrap();
        assert!(!w.update(Some(2.0)));
        assert!(w.update(Some(2.0)));
        // Hovering between threshold and release level keeps it on.
        for _ in 0..20 {
            assert!(w.update(Some(2.8)));
        }
        for _ in 0..9 {
            assert!(w.update(None));
        }
        assert!(!w.update(None));
    }

    #[test]
    fn one_noisy_frame_does_not_warn() {
        let mut w = CollisionWarning::new(WarningOptions::default()).unwrap();
        for i in 0..100 {
            let ttc = if i % 7 == 0 { Some(1.0) } else { Some(8.0) };
            assert!(!w.update(ttc));
        }
    }

    #[test]
    fn ttc_and_lead() {
        assert_eq!(time_to_collision(20.0, -10.0, 0.5), Some(2.0));
        assert_eq!(time_to_collision(20.0, 0.2, 0.5), None);
        assert_eq!(time_to_collision(20.0, -0.3, 0.5), None);
        assert_eq!(time_to_collision(f64::NAN, -3.0, 0.5), None);
        let c = |range_m, lateral_m| LeadCandidate { range_m, lateral_m };
        let all = [c(30.0, 0.2), c(12.0, -3.5), c(18.0, 1.0), c(f64::NAN, 0.0)];
        assert_eq!(pick_lead(&all, 1.6), Some(2));
        assert_eq!(pick_lead(&all[1..2], 1.6), None);
    }

    #[test]
    fn impossible_settings_are_refused() {
        let bad = [
            WarningOptions {
                ttc_threshold_s: 0.0,
                ..Default::default()
            },
            WarningOptions {
                on_frames: 0,
                ..Default::default()
            },
            WarningOptions {
                release_margin_s: f64::NAN,
                ..Default::default()
            },
        ];
        for o in bad {
            assert!(CollisionWarning::new(o).is_err(), "{o:?}");
        }
    }
}
