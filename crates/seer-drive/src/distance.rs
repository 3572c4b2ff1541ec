//! Distance to a road user from one box in one camera.
//!
//! Two estimates, each with its uncertainty (one standard deviation,
//! metres), fused by inverse-variance weighting:
//!
//! - **ground**: the bottom edge of the box is where the object stands on
//!   the road; the ray through it meets the flat road at the camera's
//!   height. Precise nearby, fragile far away and on a road that is not
//!   flat: a small pitch error (a slope, braking, a bump) moves the point
//!   a long way near the horizon. Its uncertainty grows with the square of
//!   the distance (pixel noise and `pitch_sigma_deg` both propagated).
//! - **size**: objects of a class have a typical height and width (a car
//!   about 1.5 × 1.8 m); the box's pixel height and width then give the
//!   distance through the focal length. Insensitive to pitch and slope,
//!   but the prior's spread (±10 %) limits it; sides that touch the frame
//!   border are cut off and not used.
//!
//! Neither is trusted blindly: where they disagree, the one with the
//! smaller uncertainty wins in proportion, and `consistent` says whether
//! they agree within three combined standard deviations.

use crate::camera::Camera;
use seer_core::geometry::Rect;
use serde::Serialize;

/// Typical size of a class of road user, metres, with its spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizePrior {
    /// Typical height.
    pub height_m: f64,
    /// Standard deviation of the height.
    pub height_sigma_m: f64,
    /// Typical width as seen from behind or in front; `None` where the
    /// width depends on the view (a person, a bicycle side-on).
    pub width_m: Option<f64>,
    /// Standard deviation of the width.
    pub width_sigma_m: f64,
    /// Typical length: an object off the camera's axis shows its side too,
    /// widening its box by about length × tan(bearing).
    pub length_m: f64,
    /// Standard deviation of the length.
    pub length_sigma_m: f64,
}

/// The size prior of a COCO class id, for the road users seer tracks:
/// person, bicycle, car, motorcycle, bus, truck; `None` for other classes.
pub fn size_prior(class: u32) -> Option<SizePrior> {
    let prior = |h, hs, w: Option<f64>, ws, l, ls| SizePrior {
        height_m: h,
        height_sigma_m: hs,
        width_m: w,
        width_sigma_m: ws,
        length_m: l,
        length_sigma_m: ls,
    };
    match class {
        0 => Some(prior(1.70, 0.15, None, 0.0, 0.3, 0.1)),
        1 => Some(prior(1.60, 0.20, None, 0.0, 1.7, 0.2)),
        2 => Some(prior(1.50, 0.15, Some(1.80), 0.12, 4.5, 0.5)),
        3 => Some(prior(1.45, 0.20, None, 0.0, 2.0, 0.3)),
        5 => Some(prior(3.20, 0.30, Some(2.55), 0.10, 12.0, 1.5)),
        7 => Some(prior(3.00, 0.60, Some(2.45), 0.20, 8.0, 3.0)),
        _ => None,
    }
}

/// How uncertain the measurements are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistanceOptions {
    /// Box edge noise, pixels (one standard deviation).
    pub edge_sigma_px: f64,
    /// How far the road may tilt against the camera's pitch (slope,
    /// braking), degrees (one standard deviation).
    pub pitch_sigma_deg: f64,
}

impl Default for DistanceOptions {
    fn default() -> Self {
        DistanceOptions {
            edge_sigma_px: 1.5,
            pitch_sigma_deg: 0.75,
        }
    }
}

/// One distance estimate, metres.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Distance ahead along the road.
    pub distance_m: f64,
    /// One standard deviation.
    pub sigma_m: f64,
}

/// The distance of one object, from both cues and fused.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ObjectDistance {
    /// The fused distance ahead.
    pub distance_m: f64,
    /// Its standard deviation.
    pub sigma_m: f64,
    /// Offset of the box's bottom centre from the camera's axis, metres,
    /// right positive, at the fused distance.
    pub lateral_m: f64,
    /// The ground-plane estimate (`None` above the horizon).
    pub ground: Option<Estimate>,
    /// The size estimate (`None` without a prior or with every side cut).
    pub size: Option<Estimate>,
    /// True when the two agree within three combined standard deviations
    /// (or only one exists).
    pub consistent: bool,
}

/// The ground-plane distance of a point on the road seen at (`u`, `v`),
/// with its uncertainty from the row noise and the pitch spread.
fn ground_estimate(camera: &Camera, u: f64, v: f64, options: &DistanceOptions) -> Option<Estimate> {
    let z = camera.ground_point(u, v)?.forward_m;
    let at_row = |dv: f64| camera.ground_point(u, v + dv).map(|g| g.forward_m);
    let tilted = |dp: f64| {
        let c = Camera {
            pitch_deg: camera.pitch_deg + dp,
            ..*camera
        };
        c.ground_point(u, v).map(|g| g.forward_m)
    };
    // One-sided differences towards the camera stay below the horizon.
    let per_px = at_row(1.0).map(|near| (z - near).abs()).unwrap_or(z);
    let per_deg = tilted(0.1).map(|near| (z - near).abs() * 10.0).unwrap_or(z);
    let sigma = ((per_px * options.edge_sigma_px).powi(2)
        + (per_deg * options.pitch_sigma_deg).powi(2))
    .sqrt();
    Some(Estimate {
        distance_m: z,
        sigma_m: sigma.max(1e-3),
    })
}

/// Distance from a known length `size_m` (± `size_sigma_m`) seen as
/// `pixels` through `focal_px`.
fn from_extent(
    size_m: f64,
    size_sigma_m: f64,
    pixels: f64,
    focal_px: f64,
    options: &DistanceOptions,
) -> Estimate {
    let z = focal_px * size_m / pixels;
    let relative = ((size_sigma_m / size_m).powi(2)
        + (options.edge_sigma_px * 2f64.sqrt() / pixels).powi(2))
    .sqrt();
    Estimate {
        distance_m: z,
        sigma_m: z * relative,
    }
}

/// Inverse-variance mean of estimates.
fn fuse(estimates: &[Estimate]) -> Option<Estimate> {
    let weight: f64 = estimates.iter().map(|e| 1.0 / e.sigma_m.powi(2)).sum();
    if estimates.is_empty() || weight.is_nan() || weight <= 0.0 {
        return None;
    }
    let mean = estimates
        .iter()
        .map(|e| e.distance_m / e.sigma_m.powi(2))
        .sum::<f64>()
        / weight;
    Some(Estimate {
        distance_m: mean,
        sigma_m: 1.0 / weight.sqrt(),
    })
}

/// Lateral offset (metres, right positive) of the centre line of an
/// object of `class` whose box spans columns `x1..x2` with its bottom at
/// row `v`, `distance_m` ahead. Off the axis the box also covers the side
/// that faces the axis, which runs from the rear face towards the
/// vanishing point, so the rear face ends at the box's outer edge and the
/// centre is half the typical width inside it; across the axis, or without
/// a typical width, it is the box's centre.
fn lateral(camera: &Camera, (x1, x2): (f64, f64), v: f64, distance_m: f64, class: u32) -> f64 {
    let (b1, b2) = (x1 - camera.cx, x2 - camera.cx);
    let width = size_prior(class).and_then(|p| p.width_m);
    match width {
        Some(w) if b1.signum() == b2.signum() => {
            let outer = if b1.abs() > b2.abs() { x1 } else { x2 };
            camera.lateral_at(outer, v, distance_m) - b1.signum() * w / 2.0
        }
        _ => camera.lateral_at((x1 + x2) / 2.0, v, distance_m),
    }
}

/// The distance of an object of COCO class `class` seen in `bbox`
/// (pixels of a frame of the camera's size); `None` when neither cue
/// applies (above the horizon and no size prior).
pub fn object_distance(
    camera: &Camera,
    bbox: &Rect,
    class: u32,
    options: &DistanceOptions,
) -> Option<ObjectDistance> {
    let (x1, y1) = (f64::from(bbox.x), f64::from(bbox.y));
    let (x2, y2) = (f64::from(bbox.right()), f64::from(bbox.bottom()));
    if !(x2 > x1 && y2 > y1) {
        return None;
    }
    let u = (x1 + x2) / 2.0;
    let (w, h) = (f64::from(camera.width), f64::from(camera.height));
    let margin = 1.0;
    let cut_left_right = x1 <= margin || x2 >= w - margin;
    let cut_top_bottom = y1 <= margin || y2 >= h - margin;
    let ground = if y2 >= h - margin {
        None
    } else {
        ground_estimate(camera, u, y2, options)
    };
    let mut cues = Vec::new();
    if let Some(prior) = size_prior(class) {
        if !cut_top_bottom {
            cues.push(from_extent(
                prior.height_m,
                prior.height_sigma_m,
                y2 - y1,
                camera.focal_y_px,
                options,
            ));
        }
        if let (Some(width_m), false) = (prior.width_m, cut_left_right) {
            // Off the axis the side shows too: the box spans the rear and
            // the side's projection, length × tan(bearing of the nearer
            // edge); nothing when the box straddles the axis.
            let (b1, b2) = (x1 - camera.cx, x2 - camera.cx);
            let bearing = if b1.signum() == b2.signum() {
                b1.abs().min(b2.abs()) / camera.focal_x_px
            } else {
                0.0
            };
            let seen = width_m + prior.length_m * bearing;
            let sigma =
                (prior.width_sigma_m.powi(2) + (prior.length_sigma_m * bearing).powi(2)).sqrt();
            cues.push(from_extent(
                seen,
                sigma,
                x2 - x1,
                camera.focal_x_px,
                options,
            ));
        }
    }
    let size = fuse(&cues);
    let both: Vec<Estimate> = ground.iter().chain(size.iter()).copied().collect();
    let fused = fuse(&both)?;
    let consistent = match (ground, size) {
        (Some(g), Some(s)) => {
            (g.distance_m - s.distance_m).abs()
                <= 3.0 * (g.sigma_m.powi(2) + s.sigma_m.powi(2)).sqrt()
        }
        _ => true,
    };
    Some(ObjectDistance {
        distance_m: fused.distance_m,
        sigma_m: fused.sigma_m,
        lateral_m: lateral(camera, (x1, x2), y2, fused.distance_m, class),
        ground,
        size,
        consistent,
    })
}

/// How far (metres) the foot of a road user may seem to stand above or
/// below the flat road at distance 0, and per metre of distance (a slope
/// of about 4° plus pitch errors).
const ROAD_TOLERANCE_M: f64 = 0.5;
/// See [`ROAD_TOLERANCE_M`]: the part that grows with the distance, m/m.
const ROAD_TOLERANCE_PER_M: f64 = 0.045;

/// Whether an object whose distance was measured as `distance` and whose
/// box's bottom edge is at row `bottom_v` (pixel column `u`) plausibly
/// stands on the road: at the distance its size gives (within three
/// standard deviations), its foot must lie near the road surface. A lane
/// dash or a road marking taken for a car has a car's box far too small
/// for the row it sits at (its size puts it far away, its row close by);
/// a car on a billboard floats metres above the road. Objects without a
/// size estimate (cut by the frame, no prior) are kept.
pub fn stands_on_road(camera: &Camera, u: f64, bottom_v: f64, distance: &ObjectDistance) -> bool {
    let Some(size) = distance.size else {
        return true;
    };
    // A point seen at (u, v) that lies z ahead is z·dy/dz below the camera.
    let [_, dy, dz] = camera.ray(u, bottom_v);
    if dz <= 1e-9 {
        return true;
    }
    let drop_per_m = dy / dz;
    let height_at = |z: f64| camera.mount_height_m - z * drop_per_m;
    let near = (size.distance_m - 3.0 * size.sigma_m).max(0.1);
    let far = size.distance_m + 3.0 * size.sigma_m;
    // Somewhere in that range the foot must be within the tolerance of
    // the road, the tolerance taken at the same distance.
    let off_road = |z: f64| height_at(z).abs() - (ROAD_TOLERANCE_M + ROAD_TOLERANCE_PER_M * z);
    let (a, b) = (height_at(near), height_at(far));
    // The height is linear in z: it crosses zero inside the range, or the
    // nearest end decides.
    (a.signum() != b.signum()) || off_road(near) <= 0.0 || off_road(far) <= 0.0
}
