//! Text boxes that may be turned: the minimum-area rectangle around a
//! detected region, as a parallelogram in image pixels oriented the way
//! the text reads.

/// A text box as a parallelogram: corners `origin`, `origin + along`,
/// `origin + along + across`, `origin + across` (image pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quad {
    /// The corner where reading starts, at the top of the text (x, y pixels).
    pub origin: [f32; 2],
    /// From the start of the line to its end along its top edge (pixels).
    pub along: [f32; 2],
    /// From the top edge of the line to its bottom edge (pixels).
    pub across: [f32; 2],
}

/// A box at least this many times taller than wide holds vertical text
/// (read top to bottom); otherwise the more horizontal side is the line.
const TALL_RATIO: f32 = 1.5;

impl Quad {
    /// The four corners, clockwise from `origin` (pixels).
    pub fn corners(&self) -> [[f32; 2]; 4] {
        let [ox, oy] = self.origin;
        let [ax, ay] = self.along;
        let [cx, cy] = self.across;
        [
            [ox, oy],
            [ox + ax, oy + ay],
            [ox + ax + cx, oy + ay + cy],
            [ox + cx, oy + cy],
        ]
    }

    /// Length of the line in pixels.
    pub fn length(&self) -> f32 {
        self.along[0].hypot(self.along[1])
    }

    /// Thickness of the line in pixels.
    pub fn thickness(&self) -> f32 {
        self.across[0].hypot(self.across[1])
    }

    /// The axis-aligned bounds x1, y1, x2, y2 (pixels).
    pub fn bounds(&self) -> [f32; 4] {
        let c = self.corners();
        let xs = c.map(|p| p[0]);
        let ys = c.map(|p| p[1]);
        [
            xs.iter().copied().fold(f32::MAX, f32::min),
            ys.iter().copied().fold(f32::MAX, f32::min),
            xs.iter().copied().fold(f32::MIN, f32::max),
            ys.iter().copied().fold(f32::MIN, f32::max),
        ]
    }

    /// The same box reaching `fraction` of its thickness further above
    /// and below the line.
    pub fn widened(&self, fraction: f32) -> Quad {
        Quad {
            origin: [
                self.origin[0] - fraction * self.across[0],
                self.origin[1] - fraction * self.across[1],
            ],
            along: self.along,
            across: [
                self.across[0] * (1.0 + 2.0 * fraction),
                self.across[1] * (1.0 + 2.0 * fraction),
            ],
        }
    }

    /// The same box with x scaled by `sx` and y by `sy`.
    pub fn scaled(&self, sx: f32, sy: f32) -> Quad {
        let s = |v: [f32; 2]| [v[0] * sx, v[1] * sy];
        Quad {
            origin: s(self.origin),
            along: s(self.along),
            across: s(self.across),
        }
    }
}

/// The minimum-area rectangle around `points`: centre, one unit side
/// direction, and the extents along it and along its perpendicular.
/// `None` for fewer than two distinct points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinRect {
    /// Centre (x, y).
    pub centre: [f32; 2],
    /// Unit direction of the first side.
    pub axis: [f32; 2],
    /// Extent along `axis`.
    pub extent: f32,
    /// Extent along the perpendicular of `axis`.
    pub cross_extent: f32,
}

impl MinRect {
    /// The smaller of the two extents.
    pub fn short_side(&self) -> f32 {
        self.extent.min(self.cross_extent)
    }

    /// The rectangle grown by `distance` on every side, as a [`Quad`]
    /// oriented for reading: along the more horizontal side, unless the
    /// box is [`TALL_RATIO`] times taller than wide (vertical text, read
    /// top to bottom); the top is the side facing up (or, for vertical
    /// text, the image's right).
    pub fn to_quad(&self, distance: f32) -> Quad {
        let u = self.axis;
        let v = [-u[1], u[0]];
        let (eu, ev) = (
            self.extent + 2.0 * distance,
            self.cross_extent + 2.0 * distance,
        );
        // The more horizontal of the two sides and its extent.
        let (h, eh, vert, evert) = if u[0].abs() >= u[1].abs() {
            (u, eu, v, ev)
        } else {
            (v, ev, u, eu)
        };
        let (mut a, length, thickness) = if evert >= TALL_RATIO * eh {
            (vert, evert, eh)
        } else {
            (h, eh, evert)
        };
        // Reading runs rightwards, or downwards for vertical text.
        if a[0] < -1e-6 || (a[0].abs() <= 1e-6 && a[1] < 0.0) {
            a = [-a[0], -a[1]];
        }
        // A quarter turn clockwise of the reading direction (y down):
        // downwards for lines read rightwards, to the left for lines read
        // downwards.
        let b = [-a[1], a[0]];
        let [cx, cy] = self.centre;
        Quad {
            origin: [
                cx - 0.5 * (length * a[0] + thickness * b[0]),
                cy - 0.5 * (length * a[1] + thickness * b[1]),
            ],
            along: [length * a[0], length * a[1]],
            across: [thickness * b[0], thickness * b[1]],
        }
    }
}

/// The minimum-area rectangle around `points` (rotating calipers over
/// the convex hull); `None` when the points do not span a line.
pub fn min_area_rect(points: &[[i32; 2]]) -> Option<MinRect> {
    let hull = convex_hull(points);
    if hull.len() < 2 {
        return None;
    }
    let mut best: Option<(f32, MinRect)> = None;
    for i in 0..hull.len() {
        let (p, q) = (hull[i], hull[(i + 1) % hull.len()]);
        let (dx, dy) = ((q[0] - p[0]) as f32, (q[1] - p[1]) as f32);
        let norm = dx.hypot(dy);
        if norm == 0.0 {
            continue;
        }
        let u = [dx / norm, dy / norm];
        let v = [-u[1], u[0]];
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for h in &hull {
            let (x, y) = (h[0] as f32, h[1] as f32);
            let (pu, pv) = (x * u[0] + y * u[1], x * v[0] + y * v[1]);
            u0 = u0.min(pu);
            u1 = u1.max(pu);
            v0 = v0.min(pv);
            v1 = v1.max(pv);
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.as_ref().is_none_or(|(a, _)| area < *a - 1e-3) {
            let (mu, mv) = (0.5 * (u0 + u1), 0.5 * (v0 + v1));
            best = Some((
                area,
                MinRect {
                    centre: [mu * u[0] + mv * v[0], mu * u[1] + mv * v[1]],
                    axis: u,
                    extent: u1 - u0,
                    cross_extent: v1 - v0,
                },
            ));
        }
    }
    best.map(|(_, rect)| rect)
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in
/// y-up terms, collinear points dropped.
fn convex_hull(points: &[[i32; 2]]) -> Vec<[i32; 2]> {
    let mut sorted = points.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() < 3 {
        return sorted;
    }
    let cross = |o: [i32; 2], a: [i32; 2], b: [i32; 2]| {
        i64::from(a[0] - o[0]) * i64::from(b[1] - o[1])
            - i64::from(a[1] - o[1]) * i64::from(b[0] - o[0])
    };
    let mut hull: Vec<[i32; 2]> = Vec::with_capacity(sorted.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &[i32; 2]>> = if pass == 0 {
            Box::new(sorted.iter())
        } else {
            Box::new(sorted.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(w: i32, h: i32) -> Vec<[i32; 2]> {
        (0..h).flat_map(|y| (0..w).map(move |x| [x, y])).collect()
    }

    #[test]
    fn an_upright_rectangle_reads_left_to_right() {
        let rect = min_area_rect(&filled(41, 9)).unwrap();
        assert!((rect.extent * rect.cross_extent - 40.0 * 8.0).abs() < 1e-3);
        let q = rect.to_quad(0.0);
        assert_eq!(q.origin, [0.0, 0.0]);
        assert!((q.along[0] - 40.0).abs() < 1e-4 && q.along[1].abs() < 1e-4);
        assert!((q.across[1] - 8.0).abs() < 1e-4 && q.across[0].abs() < 1e-4);
        assert_eq!(q.widened(0.5).bounds(), [0.0, -4.0, 40.0, 12.0]);
    }

    #[test]
    fn a_turned_line_keeps_its_angle_and_reads_rightwards() {
        // A 60 x 10 bar turned by atan(1/3) (about 18 degrees).
        let mut points = Vec::new();
        for i in 0..60 {
            for j in 0..10 {
                let (x, y) = (
                    i as f32 * 0.9487 - j as f32 * 0.3162,
                    i as f32 * 0.3162 + j as f32 * 0.9487,
                );
                points.push([x.round() as i32, y.round() as i32]);
            }
        }
        let q = min_area_rect(&points).unwrap().to_quad(0.0);
        let angle = q.along[1].atan2(q.along[0]).to_degrees();
        assert!((angle - 18.43).abs() < 3.0, "{angle} {q:?}");
        assert!(q.across[1] > 0.0, "top edge first: {q:?}");
        assert!(
            (q.length() - 59.0).abs() < 3.0 && (q.thickness() - 9.0).abs() < 3.0,
            "{q:?}"
        );
    }

    #[test]
    fn tall_boxes_read_downwards_and_points_need_a_line() {
        let q = min_area_rect(&filled(9, 41)).unwrap().to_quad(0.0);
        assert!((q.along[1] - 40.0).abs() < 1e-4, "{q:?}");
        assert!(q.across[0] < 0.0, "the top faces the image's right: {q:?}");
        assert!(min_area_rect(&[[3, 3], [3, 3]]).is_none());
        assert!(min_area_rect(&[]).is_none());
    }
}
