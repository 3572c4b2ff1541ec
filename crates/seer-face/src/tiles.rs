//! Tiles for finding faces too small to be seen on the whole image.
//!
//! * [`tiles_2x2`]: each tile covers `1 / (2 − overlap)` of the image side,
//!   so neighbouring tiles share `overlap` of a tile; the first tile starts
//!   at 0 and the last ends at the image edge. Run at the detector's input
//!   size, a tile shows faces about 1.75× larger than the whole image does.
//! * [`pyramid`]: square tiles of side `s`, `2s`, `4s`, … (each level
//!   overlapping by [`PYRAMID_OVERLAP`] of a tile) up to the image size, so
//!   that a face of the smallest wanted size is large enough in the model
//!   input on the first level, and larger faces on the next ones.

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

/// Fraction of a pyramid tile shared with its neighbour.
pub const PYRAMID_OVERLAP: f32 = 0.25;

/// Tile positions along an axis of `len` pixels for tiles of `side` pixels
/// overlapping by at least `overlap` of a tile: evenly spread, the first at
/// 0 and the last ending at `len`.
fn positions(len: u32, side: u32, overlap: f32) -> Vec<u32> {
    if side >= len {
        return vec![0];
    }
    let step = (side as f32 * (1.0 - overlap)).max(1.0);
    let n = ((len - side) as f32 / step).ceil() as u32 + 1;
    (0..n)
        .map(|i| ((len - side) as u64 * i as u64 / (n - 1) as u64) as u32)
        .collect()
}

/// The tile pyramid of a `width`×`height` image: levels of square tiles of
/// side `first_side`, twice that, … (clipped to the image), level by level,
/// row by row. Levels stop before the tile reaches 0.9 × the image's
/// longer side: the whole-image pass covers those faces. Empty when
/// `first_side` is 0 or the image is not larger than one tile.
pub fn pyramid(width: u32, height: u32, first_side: u32) -> Vec<Tile> {
    let mut out = Vec::new();
    if first_side == 0 {
        return out;
    }
    let longer = width.max(height) as f32;
    let mut side = first_side;
    while (side as f32) < 0.9 * longer {
        let (tw, th) = (side.min(width), side.min(height));
        for y in positions(height, th, PYRAMID_OVERLAP) {
            for x in positions(width, tw, PYRAMID_OVERLAP) {
                out.push(Tile {
                    x,
                    y,
                    width: tw,
                    height: th,
                });
            }
        }
        side = side.saturating_mul(2);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyramid_levels_cover_the_image_with_overlap() {
        // 640×480 with 320 px tiles: 3 × 2 tiles, then 640 ≥ 0.9·640 stops.
        let t = pyramid(640, 480, 320);
        assert_eq!(t.len(), 6);
        assert_eq!(
            t[0],
            Tile {
                x: 0,
                y: 0,
                width: 320,
                height: 320
            }
        );
        assert_eq!(t[1].x, 160);
        assert_eq!(
            t[5],
            Tile {
                x: 320,
                y: 160,
                width: 320,
                height: 320
            }
        );
        // A 4K frame: several levels, every pixel covered on level one.
        let t = pyramid(3840, 2160, 384);
        let level0: Vec<&Tile> = t.iter().filter(|t| t.width == 384).collect();
        assert!(level0
            .iter()
            .any(|t| t.x + t.width == 3840 && t.y + t.height == 2160));
        for w in level0.windows(2) {
            if w[0].y == w[1].y {
                assert!(w[0].x + w[0].width >= w[1].x + 96, "{w:?}");
            }
        }
        assert!(t.iter().any(|t| t.width == 1536));
        assert!(!t.iter().any(|t| t.width >= 3456));
        // Small image: no tiles.
        assert!(pyramid(300, 200, 320).is_empty());
    }

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
