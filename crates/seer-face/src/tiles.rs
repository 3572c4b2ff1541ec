//! The 2×2 overlapping tiles of the small-faces mode.
//!
//! Each tile covers `1 / (2 − overlap)` of the image side, so neighbouring
//! tiles share `overlap` of a tile; the first tile starts at 0 and the last
//! ends at the image edge. Run at the detector's input size, a tile shows
//! faces about 1.75× larger than the whole image does.

/// Fraction of a tile shared with its neighbour.
pub const TILE_OVERLAP: f32 = 0.25;

/// A tile: top-left corner and size, in image pixels.
pub use seer_core::geometry::PixelRect as Tile;

/// The four tiles (row by row) of a `width`×`height` image.
pub fn tiles_2x2(width: u32, height: u32) -> Vec<Tile> {
    let side = |len: u32| ((len as f32 / (2.0 - TILE_OVERLAP)).ceil() as u32).clamp(1, len.max(1));
    let (tw, th) = (side(width), side(height));
    let xs = [0, width.saturating_sub(tw)];
    let ys = [0, height.saturating_sub(th)];
    let mut out = Vec::with_capacity(4);
    for &y in &ys {
        for &x in &xs {
            out.push(Tile {
                x,
                y,
                width: tw,
                height: th,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_image_with_a_quarter_overlap() {
        let t = tiles_2x2(700, 350);
        assert_eq!(t.len(), 4);
        assert_eq!(
            t[0],
            Tile {
                x: 0,
                y: 0,
                width: 400,
                height: 200
            }
        );
        assert_eq!(
            t[3],
            Tile {
                x: 300,
                y: 150,
                width: 400,
                height: 200
            }
        );
        // Shared strip is 100 px = 25 % of a 400 px tile.
        assert_eq!(t[0].x + t[0].width - t[1].x, 100);
    }
}
