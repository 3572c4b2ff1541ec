//! The bird's-eye (inverse perspective) view of the road: a grid of road
//! cells in metres, each looked up at the pixel where the camera sees it,
//! and the paint masks computed on that grid.
//!
//! The grid comes from the [`Camera`] alone: cell (row, col) is the road
//! point `forward = near + row·step_forward`, `lateral = -half + col·step`,
//! projected into the frame; cells outside the frame or above the horizon
//! are empty. No source trapezoid is picked by hand.

use crate::Camera;
use image::RgbImage;

/// The road grid and where each cell is seen in the frame.
#[derive(Clone, Debug)]
pub struct BirdsEye {
    /// The camera the grid was built for.
    pub camera: Camera,
    /// Columns (lateral cells).
    pub cols: usize,
    /// Rows (forward cells), row 0 the nearest.
    pub rows: usize,
    /// Forward distance of row 0, metres.
    pub near_m: f64,
    /// Forward size of a cell, metres.
    pub step_forward_m: f64,
    /// Lateral offset of column 0 (negative = left), metres.
    pub left_m: f64,
    /// Lateral size of a cell, metres.
    pub step_lateral_m: f64,
    /// For each cell, row-major, the frame pixel index `v·width + u`.
    lookup: Vec<Option<u32>>,
}

/// What one bird's-eye pass found per cell.
#[derive(Clone, Debug)]
pub struct PaintMask {
    /// Whether the cell shows lane paint (brighter than the road on both
    /// sides, and white or yellow).
    pub paint: Vec<bool>,
    /// Whether a paint cell is yellow.
    pub yellow: Vec<bool>,
    /// Number of cells seen in the frame.
    pub seen: usize,
}

/// The grid's extent and cell size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridSpec {
    /// Half the lateral width, metres.
    pub half_width_m: f64,
    /// Farthest forward distance, metres.
    pub far_m: f64,
    /// Lateral cell size, metres.
    pub step_lateral_m: f64,
    /// Forward cell size, metres.
    pub step_forward_m: f64,
}

impl BirdsEye {
    /// The grid for `camera` (frames of its size). The nearest row is the
    /// road at the bottom centre of the frame (at least 1 m ahead).
    pub fn new(camera: &Camera, spec: &GridSpec) -> BirdsEye {
        let bottom = f64::from(camera.height.max(1)) - 0.5;
        let near = camera
            .ground_point(camera.cx, bottom)
            .map_or(1.0, |g| g.forward_m.max(1.0));
        let far = spec.far_m.max(near + spec.step_forward_m * 4.0);
        let rows = ((far - near) / spec.step_forward_m).ceil().max(1.0) as usize;
        let cols = ((2.0 * spec.half_width_m) / spec.step_lateral_m)
            .ceil()
            .max(1.0) as usize;
        let left = -spec.half_width_m;
        let (w, h) = (f64::from(camera.width), f64::from(camera.height));
        let horizon = camera.horizon_row();
        let mut lookup = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            let z = near + r as f64 * spec.step_forward_m;
            for c in 0..cols {
                let x = left + (c as f64 + 0.5) * spec.step_lateral_m;
                let px = camera.project(x, 0.0, z).and_then(|(u, v)| {
                    let inside = u >= 0.0 && u < w && v >= 0.0 && v < h && v > horizon + 1.0;
                    inside.then(|| (v as u32) * camera.width + u as u32)
                });
                lookup.push(px);
            }
        }
        BirdsEye {
            camera: *camera,
            cols,
            rows,
            near_m: near,
            step_forward_m: spec.step_forward_m,
            left_m: left,
            step_lateral_m: spec.step_lateral_m,
            lookup,
        }
    }

    /// Forward distance of row `r`'s centre line, metres.
    pub fn forward_of(&self, r: usize) -> f64 {
        self.near_m + r as f64 * self.step_forward_m
    }

    /// Lateral offset of column `c`'s centre, metres.
    pub fn lateral_of(&self, c: usize) -> f64 {
        self.left_m + (c as f64 + 0.5) * self.step_lateral_m
    }

    /// The column at lateral offset `x` metres, if inside the grid.
    pub fn col_of(&self, x: f64) -> Option<usize> {
        let c = ((x - self.left_m) / self.step_lateral_m).floor();
        (c >= 0.0 && (c as usize) < self.cols).then_some(c as usize)
    }

    /// The paint masks of `frame` (which must have the camera's size;
    /// otherwise every cell is empty). `contrast` is how much brighter
    /// than the road on both sides paint must be (0–255 lightness);
    /// `side_m` how far to each side the road is looked at, metres.
    pub fn paint(
        &self,
        frame: &RgbImage,
        contrast: f64,
        side_m: f64,
        max_white_sat: f64,
    ) -> PaintMask {
        let n = self.rows * self.cols;
        let mut mask = PaintMask {
            paint: vec![false; n],
            yellow: vec![false; n],
            seen: 0,
        };
        if frame.width() != self.camera.width || frame.height() != self.camera.height {
            return mask;
        }
        let raw = frame.as_raw();
        let mut light = vec![f32::NAN; n];
        let mut sat = vec![0f32; n];
        let mut hue = vec![0f32; n];
        for (i, px) in self.lookup.iter().enumerate() {
            if let Some(p) = px {
                let o = *p as usize * 3;
                if let Some(rgb) = raw.get(o..o + 3) {
                    let (l, s, h) = hls(rgb[0], rgb[1], rgb[2]);
                    light[i] = l;
                    sat[i] = s;
                    hue[i] = h;
                    mask.seen += 1;
                }
            }
        }
        let k = ((side_m / self.step_lateral_m).round() as usize).max(1);
        let contrast = contrast as f32;
        for r in 0..self.rows {
            let row = r * self.cols;
            for c in k..self.cols.saturating_sub(k) {
                let i = row + c;
                let l = light[i];
                let (a, b) = (light[i - k], light[i + k]);
                // A lateral ridge: the cell stands above the road on both
                // sides (NaN, off the frame, never passes).
                if !(l - a > contrast && l - b > contrast) {
                    continue;
                }
                let is_yellow = (30.0..=70.0).contains(&hue[i]) && sat[i] > 0.25;
                let is_white = sat[i] <= max_white_sat as f32 || l > 200.0;
                if is_yellow || is_white {
                    mask.paint[i] = true;
                    mask.yellow[i] = is_yellow;
                }
            }
        }
        mask
    }
}

/// Lightness (0–255), HLS saturation (0–1) and hue (degrees) of a pixel.
fn hls(r: u8, g: u8, b: u8) -> (f32, f32, f32) {
    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let l = (max + min) / 2.0;
    let d = max - min;
    if d < 1e-3 {
        return (l, 0.0, 0.0);
    }
    let denom = if l < 127.5 {
        max + min
    } else {
        510.0 - max - min
    };
    let s = if denom > 0.0 { d / denom } else { 0.0 };
    let h = if max == r {
        60.0 * ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (l, s, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hls_of_known_colours() {
        let (l, s, _) = hls(255, 255, 255);
        assert_eq!((l, s), (255.0, 0.0));
        let (_, s, h) = hls(230, 190, 40);
        assert!(s > 0.5 && (40.0..=60.0).contains(&h), "{s} {h}");
    }

    #[test]
    fn the_grid_sees_the_road_only() {
        let cam = Camera::shared_clip_preset();
        let spec = GridSpec {
            half_width_m: 7.0,
            far_m: 40.0,
            step_lateral_m: 0.05,
            step_forward_m: 0.25,
        };
        let g = BirdsEye::new(&cam, &spec);
        assert!(g.near_m > 4.0 && g.near_m < 7.0, "{}", g.near_m);
        assert!(g.lookup.iter().any(|p| p.is_some()));
        let tiny = BirdsEye::new(&cam.scaled_to(1, 1), &spec);
        let m = tiny.paint(&RgbImage::new(1, 1), 20.0, 0.4, 0.3);
        assert!(m.paint.iter().all(|p| !p));
    }
}
