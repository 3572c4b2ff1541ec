//! BlazeFace anchor centres.
//!
//! The "back" model (256×256 input) predicts on two grids: 16×16 cells
//! (stride 16) with 2 anchors each, and 8×8 cells (stride 32) with 6 anchors
//! each; 512 + 384 = 896 anchors. Every anchor of a cell has the cell
//! centre, `((x + 0.5) / grid, (y + 0.5) / grid)` in 0..1 input units;
//! anchors are ordered row by row, cell by cell, then anchor.

use seer_core::geometry::Point;

/// One prediction grid of the detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Cells per side.
    pub cells: usize,
    /// Anchors per cell.
    pub anchors_per_cell: usize,
}

impl Grid {
    /// Number of anchors on the grid.
    pub fn len(&self) -> usize {
        self.cells * self.cells * self.anchors_per_cell
    }

    /// True for a grid without anchors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Anchor centres in 0..1 input units, in model output order.
    pub fn centres(&self) -> Vec<Point> {
        let mut out = Vec::with_capacity(self.len());
        let n = self.cells as f32;
        for y in 0..self.cells {
            for x in 0..self.cells {
                let centre = Point::new((x as f32 + 0.5) / n, (y as f32 + 0.5) / n);
                out.extend(std::iter::repeat_n(centre, self.anchors_per_cell));
            }
        }
        out
    }
}

/// The stride-16 grid of the 256×256 BlazeFace back model.
pub const BACK_FINE: Grid = Grid {
    cells: 16,
    anchors_per_cell: 2,
};

/// The stride-32 grid of the 256×256 BlazeFace back model.
pub const BACK_COARSE: Grid = Grid {
    cells: 8,
    anchors_per_cell: 6,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_model_has_896_anchors_in_row_major_order() {
        assert_eq!(BACK_FINE.len() + BACK_COARSE.len(), 896);
        let fine = BACK_FINE.centres();
        assert_eq!(fine[0], Point::new(0.5 / 16.0, 0.5 / 16.0));
        assert_eq!(fine[1], fine[0]);
        assert_eq!(fine[2], Point::new(1.5 / 16.0, 0.5 / 16.0));
        assert_eq!(fine[32], Point::new(0.5 / 16.0, 1.5 / 16.0));
        let coarse = BACK_COARSE.centres();
        assert_eq!(coarse[6], Point::new(1.5 / 8.0, 0.5 / 8.0));
        assert_eq!(coarse[383], Point::new(7.5 / 8.0, 7.5 / 8.0));
    }
}
