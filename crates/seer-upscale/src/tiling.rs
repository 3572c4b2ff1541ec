//! Splitting an image into tiles whose model outputs are cropped to their
//! exact region and placed side by side (crop merge).
//!
//! Each tile's core region is read together with `pad` context pixels on
//! every side (taken from the neighbouring image or, past the border, made
//! up by the model's pad mode), so the model sees the same neighbourhood it
//! would see untiled; the context is cropped away again from the output.

use crate::PadMode;

/// One tile's core region in input pixels.
pub use seer_core::geometry::PixelRect as Tile;

/// Smallest core side used when `tile` leaves little room beside the context.
pub const MIN_CORE: u32 = 8;

/// Core side for a tile of at most `tile` input pixels (context included)
/// with `pad` context pixels per side; never below [`MIN_CORE`].
pub fn core_side(tile: u32, pad: u32) -> u32 {
    tile.saturating_sub(2 * pad).max(MIN_CORE)
}

/// Tiles covering a `width`×`height` image with cores of at most `core`
/// pixels per side, row by row.
pub fn grid(width: u32, height: u32, core: u32) -> Vec<Tile> {
    let core = core.max(1);
    let mut tiles = Vec::new();
    for y in (0..height).step_by(core as usize) {
        for x in (0..width).step_by(core as usize) {
            tiles.push(Tile {
                x,
                y,
                width: core.min(width - x),
                height: core.min(height - y),
            });
        }
    }
    tiles
}

/// Index of the image pixel that stands for position `i` (may lie outside
/// `0..len`) under the pad mode. `len` must be at least 1.
pub fn source_index(i: i64, len: u32, mode: PadMode) -> u32 {
    let last = i64::from(len) - 1;
    match mode {
        PadMode::Replicate => i.clamp(0, last) as u32,
        PadMode::Reflect => {
            if last == 0 {
                return 0;
            }
            let period = 2 * last;
            let m = i.rem_euclid(period);
            (if m <= last { m } else { period - m }) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_every_pixel_once() {
        let tiles = grid(100, 80, 32);
        assert_eq!(tiles.len(), 4 * 3);
        let area: u32 = tiles.iter().map(|t| t.width * t.height).sum();
        assert_eq!(area, 100 * 80);
        assert_eq!(
            tiles[3],
            Tile {
                x: 96,
                y: 0,
                width: 4,
                height: 32
            }
        );
    }

    #[test]
    fn core_leaves_room_for_context() {
        assert_eq!(core_side(256, 10), 236);
        assert_eq!(core_side(32, 12), 8);
        assert_eq!(core_side(16, 12), MIN_CORE);
    }

    #[test]
    fn pad_modes_fold_indices() {
        let reflect: Vec<u32> = (-3..7)
            .map(|i| source_index(i, 4, PadMode::Reflect))
            .collect();
        assert_eq!(reflect, vec![3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
        let replicate: Vec<u32> = (-2..6)
            .map(|i| source_index(i, 4, PadMode::Replicate))
            .collect();
        assert_eq!(replicate, vec![0, 0, 0, 1, 2, 3, 3, 3]);
        assert_eq!(source_index(-5, 1, PadMode::Reflect), 0);
    }
}
