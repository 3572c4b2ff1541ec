//! Lane lines over frames: exponential smoothing of each line's
//! coefficients, prediction through short gaps with decaying confidence, a
//! reset after a long gap, and the lane-departure signal with hysteresis.

use super::{LaneLine, Lanes};
use crate::DriveError;
use serde::Serialize;

/// A side of the ego lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The left line.
    Left,
    /// The right line.
    Right,
}

/// How the tracker smooths, bridges and warns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TrackerOptions {
    /// Weight of a new measurement in the smoothed coefficients, 0–1
    /// (default 0.5; 1 = no smoothing).
    pub smoothing: f64,
    /// Frames a line is predicted without a measurement before it is
    /// dropped (default 8).
    pub max_gap_frames: u32,
    /// Confidence factor per predicted frame, 0–1 (default 0.8).
    pub confidence_decay: f64,
    /// A measurement this far (metres, at the line's near end) from the
    /// track replaces it instead of being blended (default 0.8).
    pub jump_m: f64,
    /// Departure when the camera is closer than this to a line, metres
    /// (default 0.3).
    pub departure_m: f64,
    /// The departure ends when the camera is this much farther than
    /// `departure_m` from the line, metres (default 0.15).
    pub departure_release_m: f64,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            smoothing: 0.5,
            max_gap_frames: 8,
            confidence_decay: 0.8,
            jump_m: 0.8,
            departure_m: 0.3,
            departure_release_m: 0.15,
        }
    }
}

impl TrackerOptions {
    /// Refuses settings that cannot work.
    pub fn validate(&self) -> Result<(), DriveError> {
        let bad = |setting, v: f64, expected| DriveError::BadSetting {
            setting,
            value: v.to_string(),
            expected,
        };
        if !(self.smoothing.is_finite() && self.smoothing > 0.0 && self.smoothing <= 1.0) {
            return Err(bad(
                "lane smoothing",
                self.smoothing,
                "use a weight above 0 and at most 1",
            ));
        }
        if !(self.confidence_decay.is_finite() && (0.0..=1.0).contains(&self.confidence_decay)) {
            return Err(bad(
                "lane confidence decay",
                self.confidence_decay,
                "use a factor from 0 to 1",
            ));
        }
        for (name, v) in [
            ("lane jump distance", self.jump_m),
            ("lane departure distance", self.departure_m),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(name, v, "use a number of metres above 0"));
            }
        }
        if !(self.departure_release_m.is_finite() && self.departure_release_m >= 0.0) {
            return Err(bad(
                "lane departure release",
                self.departure_release_m,
                "use 0 or more metres",
            ));
        }
        Ok(())
    }
}

/// The tracked lines of one frame and the departure signal.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TrackedLanes {
    /// The smoothed (or predicted) lines.
    pub lanes: Lanes,
    /// The side whose line the camera is crossing, if any.
    pub departing: Option<Side>,
    /// Distance from the camera to the left line (under the camera),
    /// metres.
    pub left_distance_m: Option<f64>,
    /// Distance from the camera to the right line, metres.
    pub right_distance_m: Option<f64>,
}

/// Lines over frames; feed it every frame's [`Lanes`] in order.
#[derive(Clone, Debug)]
pub struct LaneTracker {
    options: TrackerOptions,
    left: Option<LaneLine>,
    right: Option<LaneLine>,
    left_neighbour: Option<LaneLine>,
    right_neighbour: Option<LaneLine>,
    departing: Option<Side>,
}

impl LaneTracker {
    /// A tracker with checked `options`.
    pub fn new(options: TrackerOptions) -> Result<LaneTracker, DriveError> {
        options.validate()?;
        Ok(LaneTracker {
            options,
            left: None,
            right: None,
            left_neighbour: None,
            right_neighbour: None,
            departing: None,
        })
    }

    /// Forgets every line and the departure.
    pub fn reset(&mut self) {
        self.left = None;
        self.right = None;
        self.left_neighbour = None;
        self.right_neighbour = None;
        self.departing = None;
    }

    /// Takes this frame's measurement and returns the tracked state.
    pub fn update(&mut self, measured: &Lanes) -> TrackedLanes {
        let o = self.options;
        self.left = step(self.left.take(), measured.left.as_ref(), &o);
        self.right = step(self.right.take(), measured.right.as_ref(), &o);
        self.left_neighbour = step(
            self.left_neighbour.take(),
            measured.left_neighbour.as_ref(),
            &o,
        );
        self.right_neighbour = step(
            self.right_neighbour.take(),
            measured.right_neighbour.as_ref(),
            &o,
        );
        let left_d = self.left.as_ref().map(|l| -l.lateral_at(0.0));
        let right_d = self.right.as_ref().map(|r| r.lateral_at(0.0));
        let release = o.departure_m + o.departure_release_m;
        let near = |d: Option<f64>, limit: f64| d.is_some_and(|d| d < limit);
        self.departing = match self.departing {
            Some(Side::Left) if near(left_d, release) => Some(Side::Left),
            Some(Side::Right) if near(right_d, release) => Some(Side::Right),
            _ => {
                if near(left_d, o.departure_m) {
                    Some(Side::Left)
                } else if near(right_d, o.departure_m) {
                    Some(Side::Right)
                } else {
                    None
                }
            }
        };
        TrackedLanes {
            lanes: Lanes {
                left: self.left.clone(),
                right: self.right.clone(),
                left_neighbour: self.left_neighbour.clone(),
                right_neighbour: self.right_neighbour.clone(),
            },
            departing: self.departing,
            left_distance_m: left_d,
            right_distance_m: right_d,
        }
    }
}

/// One line's track after a frame.
fn step(track: Option<LaneLine>, seen: Option<&LaneLine>, o: &TrackerOptions) -> Option<LaneLine> {
    match (track, seen) {
        (None, Some(m)) => Some(m.clone()),
        (Some(t), Some(m)) => {
            let z = m.forward_m[0];
            if (t.lateral_at(z) - m.lateral_at(z)).abs() > o.jump_m || t.colour != m.colour {
                return Some(m.clone());
            }
            let a = o.smoothing;
            let blend = |p: [f64; 3], q: [f64; 3]| {
                [
                    p[0] + a * (q[0] - p[0]),
                    p[1] + a * (q[1] - p[1]),
                    p[2] + a * (q[2] - p[2]),
                ]
            };
            Some(LaneLine {
                image_x_of_y: blend(t.image_x_of_y, m.image_x_of_y),
                road_lateral_of_forward: blend(
                    t.road_lateral_of_forward,
                    m.road_lateral_of_forward,
                ),
                confidence: t.confidence + a * (m.confidence - t.confidence),
                ..m.clone()
            })
        }
        (Some(mut t), None) => {
            t.frames_since_seen += 1;
            if t.frames_since_seen > o.max_gap_frames {
                return None;
            }
            t.confidence *= o.confidence_decay;
            Some(t)
        }
        (None, None) => None,
    }
}
