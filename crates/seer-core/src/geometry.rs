//! Plane geometry shared by every capability: points, axis-aligned
//! rectangles and their overlap (intersection over union).
//!
//! Units are whatever the caller uses consistently (pixels of an image for
//! results; normalised 0..1 coordinates inside model decoders).

use serde::{Deserialize, Serialize};

/// A point; `x` grows to the right, `y` downwards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal coordinate.
    pub x: f32,
    /// Vertical coordinate.
    pub y: f32,
}

impl Point {
    /// A point at (`x`, `y`).
    pub fn new(x: f32, y: f32) -> Point {
        Point { x, y }
    }
}

/// An axis-aligned rectangle: top-left corner and size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width (≥ 0 for a valid rectangle).
    pub width: f32,
    /// Height (≥ 0 for a valid rectangle).
    pub height: f32,
}

impl Rect {
    /// A rectangle from its top-left corner and size.
    pub fn new(x: f32, y: f32, width: f32, height: f32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// A rectangle from its centre and size.
    pub fn from_center(center: Point, width: f32, height: f32) -> Rect {
        Rect::new(
            center.x - width / 2.0,
            center.y - height / 2.0,
            width,
            height,
        )
    }

    /// Right edge (`x + width`).
    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    /// Bottom edge (`y + height`).
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }

    /// The centre point.
    pub fn center(&self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Area (`width · height`); 0 for an empty or inverted rectangle.
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// True when `p` lies inside or on the border.
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.right() && p.y >= self.y && p.y <= self.bottom()
    }

    /// The overlap of two rectangles; `None` when they do not overlap.
    pub fn intersection(&self, other: &Rect) -> Option<Rect> {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = self.right().min(other.right());
        let y1 = self.bottom().min(other.bottom());
        (x1 > x0 && y1 > y0).then(|| Rect::new(x0, y0, x1 - x0, y1 - y0))
    }

    /// Intersection over union, 0..1 (0 when either rectangle is empty).
    pub fn iou(&self, other: &Rect) -> f32 {
        let inter = self.intersection(other).map_or(0.0, |r| r.area());
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    /// The rectangle scaled about its centre by `factor` in both directions.
    pub fn scaled(&self, factor: f32) -> Rect {
        Rect::from_center(self.center(), self.width * factor, self.height * factor)
    }

    /// The part inside `0..width` × `0..height` (e.g. an image); `None` if
    /// nothing is left.
    pub fn clipped(&self, width: f32, height: f32) -> Option<Rect> {
        self.intersection(&Rect::new(0.0, 0.0, width, height))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_identical_disjoint_and_half_overlapping() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&Rect::new(20.0, 0.0, 10.0, 10.0)), 0.0);
        // Overlap 5×10 = 50, union 150.
        let b = Rect::new(5.0, 0.0, 10.0, 10.0);
        assert!((a.iou(&b) - 50.0 / 150.0).abs() < 1e-6);
    }

    #[test]
    fn centre_scaling_and_clipping() {
        let a = Rect::new(10.0, 20.0, 4.0, 8.0);
        assert_eq!(a.center(), Point::new(12.0, 24.0));
        assert_eq!(a.scaled(2.0), Rect::new(8.0, 16.0, 8.0, 16.0));
        assert_eq!(
            Rect::new(-5.0, -5.0, 10.0, 10.0).clipped(100.0, 100.0),
            Some(Rect::new(0.0, 0.0, 5.0, 5.0))
        );
        assert!(a.contains(Point::new(12.0, 24.0)));
        assert!(!a.contains(Point::new(0.0, 0.0)));
    }
}

/// A rectangle on the integer pixel grid (tiles, crops): top-left corner
/// and size, in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PixelRect {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}
