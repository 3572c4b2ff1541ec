//! Finding the ego lane's lines in one frame: paint masks on the
//! bird's-eye grid, a column histogram of the near half for the start of
//! each line, sliding windows forward, a robust polynomial fit of lateral
//! offset against forward distance, then coverage (solid or dashed),
//! colour and confidence.

use super::birdseye::{BirdsEye, GridSpec, PaintMask};
use super::poly::Poly2;
use super::{LaneLine, LaneOptions, Lanes, LineColour, LineKind};
use crate::{Camera, DriveError};
use image::RgbImage;

/// The lane finder, which keeps the bird's-eye grid of the last camera.
#[derive(Clone, Debug)]
pub struct LaneFinder {
    options: LaneOptions,
    grid: Option<BirdsEye>,
}

/// A line before its confidence is set.
struct Candidate {
    road: Poly2,
    /// RMS of the inliers about the fit, metres.
    rms_m: f64,
    cells: usize,
    /// Share of the windows' paint cells within 0.15 m of the fit.
    concentration: f64,
    yellow_share: f64,
    coverage: f64,
    /// Longest stretch without paint on the curve, metres.
    longest_gap_m: f64,
    near_m: f64,
    far_m: f64,
}

impl LaneFinder {
    /// A finder with checked `options`.
    pub fn new(options: LaneOptions) -> Result<LaneFinder, DriveError> {
        options.validate()?;
        Ok(LaneFinder {
            options,
            grid: None,
        })
    }

    /// The settings.
    pub fn options(&self) -> &LaneOptions {
        &self.options
    }

    /// The ego lane's lines in `frame`, seen by `camera` (scaled to the
    /// frame's size here if it differs). Frames without lines, or too small
    /// to show any, give [`Lanes::default`].
    pub fn find(&mut self, frame: &RgbImage, camera: &Camera) -> Lanes {
        if frame.width() < 8 || frame.height() < 8 {
            return Lanes::default();
        }
        let camera = if (camera.width, camera.height) == frame.dimensions() {
            *camera
        } else {
            camera.scaled_to(frame.width(), frame.height())
        };
        let o = self.options;
        let grid = match &self.grid {
            Some(g) if g.camera == camera => g,
            _ => {
                let spec = GridSpec {
                    half_width_m: o.view_half_width_m,
                    far_m: o.view_far_m,
                    step_lateral_m: o.cell_lateral_m,
                    step_forward_m: o.cell_forward_m,
                };
                self.grid.insert(BirdsEye::new(&camera, &spec))
            }
        };
        let mask = grid.paint(
            frame,
            o.paint_contrast,
            o.paint_side_m,
            o.white_max_saturation,
        );
        if mask.seen == 0 {
            return Lanes::default();
        }
        let hist = histogram(grid, &mask);
        let left =
            base(grid, &hist, -o.search_max_m, -0.01).and_then(|x| follow(grid, &mask, x, &o));
        let right =
            base(grid, &hist, 0.01, o.search_max_m).and_then(|x| follow(grid, &mask, x, &o));
        let plausible = pair_plausibility(left.as_ref(), right.as_ref(), &o);
        let finish = |c: Option<&Candidate>| {
            c.and_then(|c| {
                let confidence = line_confidence(c, &o) * plausible;
                (confidence >= o.min_confidence)
                    .then(|| to_line(c, confidence, &camera, &o))
                    .flatten()
            })
        };
        let left_line = finish(left.as_ref());
        let right_line = finish(right.as_ref());
        // A neighbour is looked for only beyond a reported ego line, one
        // plausible lane width further out, and must run parallel to it.
        let neighbour = |ego: Option<&Candidate>, reported: bool, outward: f64| {
            let ego = ego.filter(|_| reported)?;
            let x = ego.road.eval(grid.near_m);
            let (a, b) = (x + outward * o.lane_min_m, x + outward * o.lane_max_m);
            let (from, to) = if a < b { (a, b) } else { (b, a) };
            let found = base(grid, &hist, from, to).and_then(|x| follow(grid, &mask, x, &o))?;
            let (inner, outer) = if outward < 0.0 {
                (&found, ego)
            } else {
                (ego, &found)
            };
            let confidence = line_confidence(&found, &o) * neighbour_plausibility(inner, outer, &o);
            (confidence >= o.min_confidence)
                .then(|| to_line(&found, confidence, &camera, &o))
                .flatten()
        };
        Lanes {
            left_neighbour: neighbour(left.as_ref(), left_line.is_some(), -1.0),
            right_neighbour: neighbour(right.as_ref(), right_line.is_some(), 1.0),
            left: left_line,
            right: right_line,
        }
    }
}

/// 1 for a neighbouring lane between lines `l` and `r` (left to right)
/// whose width is plausible and nearly constant along their common
/// reach, 0 otherwise: a curb, a barrier or a shadow beside the road
/// rarely runs one lane width from the ego line all the way.
fn neighbour_plausibility(l: &Candidate, r: &Candidate, o: &LaneOptions) -> f64 {
    let z0 = l.near_m.max(r.near_m);
    let z1 = l.far_m.min(r.far_m);
    if z1 - z0 < o.min_extent_m {
        return 0.0;
    }
    let widths: Vec<f64> = (0..=8)
        .map(|i| {
            let z = z0 + (z1 - z0) * f64::from(i) / 8.0;
            r.road.eval(z) - l.road.eval(z)
        })
        .collect();
    let lo = widths.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = widths.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let plausible = lo >= o.lane_min_m && hi <= o.lane_max_m && hi - lo <= 0.5;
    if plausible {
        1.0
    } else {
        0.0
    }
}

/// Paint cells per column over the nearer half of the view, smoothed over
/// three columns.
fn histogram(grid: &BirdsEye, mask: &PaintMask) -> Vec<f64> {
    let mut h = vec![0.0; grid.cols];
    let rows = (grid.rows / 2).max(1);
    for r in 0..rows {
        for (c, v) in h.iter_mut().enumerate() {
            if mask.paint[r * grid.cols + c] {
                *v += 1.0;
            }
        }
    }
    (0..grid.cols)
        .map(|c| {
            let lo = c.saturating_sub(2);
            let hi = (c + 2).min(grid.cols - 1);
            h[lo..=hi].iter().sum()
        })
        .collect()
}

/// The start (lateral metres) of the line nearest the camera between
/// `from_m` and `to_m`: the peak nearest 0 among those at least a third as
/// strong as the strongest.
fn base(grid: &BirdsEye, hist: &[f64], from_m: f64, to_m: f64) -> Option<f64> {
    let lo = grid.col_of(from_m).unwrap_or(0);
    let hi = grid.col_of(to_m).unwrap_or(grid.cols - 1);
    if lo >= hi {
        return None;
    }
    let strongest = hist[lo..=hi].iter().copied().fold(0.0, f64::max);
    if strongest < 4.0 {
        return None;
    }
    let mut best: Option<(f64, f64)> = None;
    for c in lo..=hi {
        let v = hist[c];
        let left = if c > 0 { hist[c - 1] } else { 0.0 };
        let right = hist.get(c + 1).copied().unwrap_or(0.0);
        if v >= strongest / 3.0 && v >= left && v > right {
            let x = grid.lateral_of(c);
            if best.is_none_or(|(bx, _)| x.abs() < bx.abs()) {
                best = Some((x, v));
            }
        }
    }
    best.map(|b| b.0)
}

/// Sliding windows forward from `start_m`, the fit and its coverage.
fn follow(grid: &BirdsEye, mask: &PaintMask, start_m: f64, o: &LaneOptions) -> Option<Candidate> {
    let per = (grid.rows as f64 / f64::from(o.windows)).ceil().max(1.0) as usize;
    let mut centre = start_m;
    let mut drift = 0.0;
    let mut points: Vec<(f64, f64, f64)> = Vec::new();
    let mut yellow = 0usize;
    for w in 0..o.windows as usize {
        let r0 = w * per;
        if r0 >= grid.rows {
            break;
        }
        let r1 = (r0 + per).min(grid.rows);
        let lo = grid.col_of(centre - o.window_half_m);
        let hi = grid.col_of(centre + o.window_half_m);
        let (Some(lo), Some(hi)) = (lo, hi) else {
            break;
        };
        let mut found = Vec::new();
        for r in r0..r1 {
            for c in lo..=hi {
                let i = r * grid.cols + c;
                if mask.paint[i] {
                    found.push((grid.forward_of(r), grid.lateral_of(c)));
                    if mask.yellow[i] {
                        yellow += 1;
                    }
                }
            }
        }
        if found.len() >= 3 {
            let mean = found.iter().map(|p| p.1).sum::<f64>() / found.len() as f64;
            drift = 0.5 * drift + 0.5 * (mean - centre);
            centre = mean;
            points.extend(found.iter().map(|&(z, x)| (z, x, 1.0)));
        } else {
            centre += drift;
        }
    }
    if points.len() < o.min_cells as usize {
        return None;
    }
    let origin = grid.near_m + 10.0;
    let mut fit = Poly2::fit(&points, origin, 1e-3).or_else(|| Poly2::fit_line(&points, origin))?;
    // One pass of outlier rejection: keep cells within 0.25 m of the fit.
    let inliers: Vec<_> = points
        .iter()
        .copied()
        .filter(|p| (fit.eval(p.0) - p.1).abs() < 0.25)
        .collect();
    if inliers.len() < o.min_cells as usize {
        return None;
    }
    let near = inliers.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let far = inliers
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    if far - near < o.min_extent_m {
        return None;
    }
    // Short fits stay straight; curvature needs a long reach.
    fit = if far - near > 15.0 {
        Poly2::fit(&inliers, origin, 1e-3)
    } else {
        Poly2::fit_line(&inliers, origin)
    }
    .unwrap_or(fit);
    let n = inliers.len() as f64;
    let tight = inliers
        .iter()
        .filter(|p| (fit.eval(p.0) - p.1).abs() < 0.15)
        .count() as f64;
    let rms = (inliers
        .iter()
        .map(|p| (fit.eval(p.0) - p.1).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let (coverage, longest_gap_m) = coverage(grid, mask, &fit, far);
    Some(Candidate {
        road: fit,
        longest_gap_m,
        rms_m: rms,
        cells: inliers.len(),
        concentration: tight / points.len() as f64,
        yellow_share: yellow as f64 / points.len() as f64,
        coverage,
        near_m: grid.near_m,
        far_m: far,
    })
}

/// The share of grid rows, from the nearest to `far_m` (at most 30 m),
/// with paint within 0.15 m of the fitted line (rows where the line is off
/// the frame do not count), and the longest run of rows without, metres.
fn coverage(grid: &BirdsEye, mask: &PaintMask, fit: &Poly2, far_m: f64) -> (f64, f64) {
    let (mut seen, mut hit) = (0usize, 0usize);
    let (mut run, mut longest) = (0usize, 0usize);
    for r in 0..grid.rows {
        let z = grid.forward_of(r);
        if z > far_m.min(30.0) {
            break;
        }
        let x = fit.eval(z);
        let (Some(lo), Some(hi)) = (grid.col_of(x - 0.15), grid.col_of(x + 0.15)) else {
            continue;
        };
        seen += 1;
        if (lo..=hi).any(|c| mask.paint[r * grid.cols + c]) {
            hit += 1;
            run = 0;
        } else {
            run += 1;
            longest = longest.max(run);
        }
    }
    let gap = longest as f64 * grid.step_forward_m;
    if seen == 0 {
        (0.0, gap)
    } else {
        (hit as f64 / seen as f64, gap)
    }
}

/// Confidence from the amount of paint, the reach, the fit residual and
/// the coverage, 0 to 1.
fn line_confidence(c: &Candidate, o: &LaneOptions) -> f64 {
    let amount = (c.cells as f64 / (3.0 * f64::from(o.min_cells))).min(1.0);
    let reach = ((c.far_m - c.near_m) / (2.0 * o.min_extent_m).max(1.0)).min(1.0);
    let residual = (-c.rms_m / 0.12).exp();
    let cover = (c.coverage / 0.3).min(1.0);
    (amount * reach).sqrt() * residual.sqrt() * cover * c.concentration.powi(2)
}

/// 1 for a plausible lane (width within the range, lines roughly
/// parallel), less otherwise; 1 with one line only.
fn pair_plausibility(l: Option<&Candidate>, r: Option<&Candidate>, o: &LaneOptions) -> f64 {
    let (Some(l), Some(r)) = (l, r) else {
        return 1.0;
    };
    let z0 = l.near_m.max(r.near_m);
    let z1 = (l.far_m.min(r.far_m)).max(z0 + 1.0).min(z0 + 20.0);
    let w0 = r.road.eval(z0) - l.road.eval(z0);
    let w1 = r.road.eval(z1) - l.road.eval(z1);
    let mut p = 1.0;
    if w0 < o.lane_min_m || w0 > o.lane_max_m {
        p *= 0.5;
    }
    if (w1 - w0).abs() > 0.8 {
        p *= 0.6;
    }
    p
}

/// The reported line: the road fit, its image polynomial and the rest.
fn to_line(c: &Candidate, confidence: f64, camera: &Camera, o: &LaneOptions) -> Option<LaneLine> {
    let mut pts = Vec::new();
    let steps = 24;
    for i in 0..=steps {
        let z = c.near_m + (c.far_m - c.near_m) * i as f64 / steps as f64;
        if let Some((u, v)) = camera.project(c.road.eval(z), 0.0, z) {
            pts.push((v, u, 1.0));
        }
    }
    let mid = pts.iter().map(|p| p.0).sum::<f64>() / pts.len().max(1) as f64;
    let image = Poly2::fit(&pts, mid, 0.0)?;
    let top = pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let bottom = pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    Some(LaneLine {
        image_x_of_y: image.about_zero(),
        road_lateral_of_forward: c.road.about_zero(),
        confidence,
        kind: if c.coverage >= o.solid_coverage && c.longest_gap_m < o.dash_gap_m {
            LineKind::Solid
        } else {
            LineKind::Dashed
        },
        colour: if c.yellow_share > 0.3 {
            LineColour::Yellow
        } else {
            LineColour::White
        },
        rows: [top, bottom],
        forward_m: [c.near_m, c.far_m],
        frames_since_seen: 0,
    })
}
