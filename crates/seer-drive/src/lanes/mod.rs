//! A classical lane finder: the ego lane's left and right lines from one
//! camera frame, and a tracker that smooths them over frames and signals a
//! lane departure.
//!
//! - [`birdseye`]: the road grid from the camera (inverse perspective) and
//!   the paint masks on it (white: bright and unsaturated; yellow: an HLS
//!   hue band; both must stand above the road on either side, a lateral
//!   lightness ridge).
//! - [`poly`]: degree-2 polynomials and their least-squares fit.
//! - [`finder`]: histogram + sliding windows in the bird's-eye view, the
//!   fit, solid vs dashed, colour and confidence.
//! - [`tracker`]: smoothing, prediction through gaps and lane departure.

pub mod birdseye;
pub mod finder;
pub mod poly;
pub mod tracker;

use crate::DriveError;
use serde::Serialize;

pub use finder::LaneFinder;
pub use poly::Poly2;
pub use tracker::{LaneTracker, Side, TrackedLanes, TrackerOptions};

/// Whether a line is painted along its whole length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// Paint covers most of the line's length.
    Solid,
    /// Paint segments with gaps.
    Dashed,
}

/// The paint colour of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineColour {
    /// White paint.
    White,
    /// Yellow paint.
    Yellow,
}

/// One lane line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LaneLine {
    /// The line in the frame: column `x = c0 + c1·y + c2·y²` of image row
    /// `y`, both in pixels.
    pub image_x_of_y: [f64; 3],
    /// The line on the road: lateral offset (metres, right of the camera
    /// positive) `= c0 + c1·z + c2·z²` at forward distance `z` metres.
    pub road_lateral_of_forward: [f64; 3],
    /// How sure the finder is, 0 to 1.
    pub confidence: f64,
    /// Solid or dashed.
    pub kind: LineKind,
    /// White or yellow.
    pub colour: LineColour,
    /// The image rows the line covers, `[top, bottom]`, pixels.
    pub rows: [f64; 2],
    /// The forward distances the line was seen over, `[near, far]`, metres.
    pub forward_m: [f64; 2],
    /// Frames since the line was last measured (0 = measured in this frame;
    /// above 0 the tracker predicted it).
    pub frames_since_seen: u32,
}

impl LaneLine {
    /// The line's column at image row `y`, pixels.
    pub fn x_at_row(&self, y: f64) -> f64 {
        let [a, b, c] = self.image_x_of_y;
        a + b * y + c * y * y
    }

    /// The line's lateral offset at forward distance `z`, metres.
    pub fn lateral_at(&self, z: f64) -> f64 {
        let [a, b, c] = self.road_lateral_of_forward;
        a + b * z + c * z * z
    }
}

/// The ego lane's lines in one frame, and the neighbouring lanes' outer
/// lines where visible.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Lanes {
    /// The nearest line left of the camera.
    pub left: Option<LaneLine>,
    /// The nearest line right of the camera.
    pub right: Option<LaneLine>,
    /// The line one lane further left: the left lane's outer line.
    pub left_neighbour: Option<LaneLine>,
    /// The line one lane further right: the right lane's outer line.
    pub right_neighbour: Option<LaneLine>,
}

impl Lanes {
    /// Every line found: the ego lane's, then the neighbours'.
    pub fn lines(&self) -> impl Iterator<Item = &LaneLine> {
        [
            &self.left,
            &self.right,
            &self.left_neighbour,
            &self.right_neighbour,
        ]
        .into_iter()
        .flatten()
    }

    /// The lane width where both lines are known, metres (at the nearer of
    /// their near ends).
    pub fn width_m(&self) -> Option<f64> {
        let (l, r) = (self.left.as_ref()?, self.right.as_ref()?);
        let z = l.forward_m[0].max(r.forward_m[0]);
        Some(r.lateral_at(z) - l.lateral_at(z))
    }
}

/// The lane finder's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LaneOptions {
    /// Half the width of the bird's-eye view, metres (default 7).
    pub view_half_width_m: f64,
    /// Farthest forward distance looked at, metres (default 40).
    pub view_far_m: f64,
    /// Lateral cell of the bird's-eye view, metres (default 0.05).
    pub cell_lateral_m: f64,
    /// Forward cell of the bird's-eye view, metres (default 0.25).
    pub cell_forward_m: f64,
    /// How much lighter than the road beside it paint must be, 0–255
    /// lightness (default 18).
    pub paint_contrast: f64,
    /// How far to each side of a cell the road is compared, metres
    /// (default 0.35; wider than a line, narrower than a lane).
    pub paint_side_m: f64,
    /// Highest HLS saturation of white paint, 0–1 (default 0.35).
    pub white_max_saturation: f64,
    /// Ego lines are looked for within this lateral offset, metres
    /// (default 3.5).
    pub search_max_m: f64,
    /// Sliding windows along the view (default 12).
    pub windows: u32,
    /// Half width of a sliding window, metres (default 0.45).
    pub window_half_m: f64,
    /// Fewest paint cells of a line (default 30).
    pub min_cells: u32,
    /// Shortest forward extent of a line's paint, metres (default 6).
    pub min_extent_m: f64,
    /// A line whose paint covers at least this fraction of its length is
    /// solid, else dashed (default 0.55).
    pub solid_coverage: f64,
    /// A line with a stretch this long without paint (up to 30 m ahead)
    /// is dashed, metres (default 4).
    pub dash_gap_m: f64,
    /// A plausible lane is at least this wide, metres (default 2.5).
    pub lane_min_m: f64,
    /// A plausible lane is at most this wide, metres (default 4.5).
    pub lane_max_m: f64,
    /// Lines below this confidence are dropped, 0–1 (default 0.4).
    pub min_confidence: f64,
}

impl Default for LaneOptions {
    fn default() -> Self {
        LaneOptions {
            view_half_width_m: 7.0,
            view_far_m: 40.0,
            cell_lateral_m: 0.05,
            cell_forward_m: 0.25,
            paint_contrast: 18.0,
            paint_side_m: 0.35,
            white_max_saturation: 0.35,
            search_max_m: 3.5,
            windows: 12,
            window_half_m: 0.45,
            min_cells: 30,
            min_extent_m: 6.0,
            solid_coverage: 0.55,
            dash_gap_m: 4.0,
            lane_min_m: 2.5,
            lane_max_m: 4.5,
            min_confidence: 0.4,
        }
    }
}

fn bad(setting: &'static str, value: f64, expected: &'static str) -> DriveError {
    DriveError::BadSetting {
        setting,
        value: value.to_string(),
        expected,
    }
}

impl LaneOptions {
    /// Refuses settings that cannot work.
    pub fn validate(&self) -> Result<(), DriveError> {
        let positive = [
            ("lane view half width", self.view_half_width_m),
            ("lane view far distance", self.view_far_m),
            ("lane cell lateral size", self.cell_lateral_m),
            ("lane cell forward size", self.cell_forward_m),
            ("lane paint side distance", self.paint_side_m),
            ("lane search distance", self.search_max_m),
            ("lane window half width", self.window_half_m),
            ("lane dash gap", self.dash_gap_m),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(name, v, "use a number of metres above 0"));
            }
        }
        if self.view_half_width_m / self.cell_lateral_m > 2000.0
            || self.view_far_m / self.cell_forward_m > 2000.0
        {
            return Err(bad(
                "lane cell size",
                self.cell_lateral_m.min(self.cell_forward_m),
                "use cells that give at most 4000 by 2000 cells",
            ));
        }
        if self.paint_side_m * 2.0 >= self.view_half_width_m {
            return Err(bad(
                "lane paint side distance",
                self.paint_side_m,
                "use less than half the view's half width",
            ));
        }
        for (name, v) in [
            ("lane white saturation", self.white_max_saturation),
            ("lane solid coverage", self.solid_coverage),
            ("lane minimum confidence", self.min_confidence),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(bad(name, v, "use a fraction from 0 to 1"));
            }
        }
        if !(self.paint_contrast.is_finite() && (0.0..=255.0).contains(&self.paint_contrast)) {
            return Err(bad(
                "lane paint contrast",
                self.paint_contrast,
                "use a lightness difference from 0 to 255",
            ));
        }
        if !(self.min_extent_m.is_finite() && self.min_extent_m >= 0.0) {
            return Err(bad(
                "lane minimum extent",
                self.min_extent_m,
                "use 0 or more metres",
            ));
        }
        if self.windows == 0 || self.windows > 200 {
            return Err(bad(
                "lane windows",
                f64::from(self.windows),
                "use 1 to 200 windows",
            ));
        }
        if !(self.lane_min_m.is_finite()
            && self.lane_max_m.is_finite()
            && self.lane_min_m > 0.0
            && self.lane_min_m < self.lane_max_m)
        {
            return Err(bad(
                "lane width range",
                self.lane_min_m,
                "use a minimum above 0 and below the maximum, metres",
            ));
        }
        Ok(())
    }
}
