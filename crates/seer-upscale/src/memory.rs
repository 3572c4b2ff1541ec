//! The memory budget of one upscale (`--max-memory`): how large tiles may
//! be, and which images are too large at all.
//!
//! The estimate adds up, in bytes:
//! * a fixed part: the process and ONNX Runtime ([`RUNTIME_BASE`]) and each
//!   model's weights twice (file and the runtime's copy);
//! * the images alive at the worst moment: the decoded input, the float
//!   input and output of the largest stage (12 bytes per RGB pixel), the
//!   float result after a Lanczos resize, the encoded-ready output and, with
//!   alpha, its resized plane;
//! * the model's working memory for one tile: `tile_bytes_per_pixel` per
//!   model-input pixel (context included). The number is the model fact
//!   `tile_bytes_per_pixel` (measured: peak RSS of a 512² tile minus a 256²
//!   tile, per added pixel) or, without it, a conservative guess of 64
//!   float channels at output resolution, three tensors alive.
//!
//! Tiles run one at a time (ONNX Runtime parallelises inside a tile), so
//! the tile side is the largest square whose working memory fits what the
//! fixed part and the images leave. A model that cannot tile needs the
//! whole image as one tile; if that does not fit the image is refused.

use crate::tiling::MIN_CORE;
use crate::UpscaleError;

/// Bytes in a GiB.
pub const GIB: u64 = 1024 * 1024 * 1024;

/// The default budget: 4 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 4 * GIB;

/// Memory of the process itself with ONNX Runtime loaded, before any
/// image or tile (bytes; measured about 110 MiB, rounded up).
pub const RUNTIME_BASE: u64 = 192 * 1024 * 1024;

/// Bytes of a float RGB pixel.
const FLOAT_RGB: u64 = 12;

/// What the budget needs to know about one model of the chain.
#[derive(Clone, Debug)]
pub struct StageMemory {
    /// Model id.
    pub model: String,
    /// Output pixels per input pixel.
    pub scale: u32,
    /// Context pixels per side (input resolution).
    pub pad: u32,
    /// The model input's sides are rounded up to a multiple of this.
    pub pad_multiple: u32,
    /// False for models that must see the whole image.
    pub tileable: bool,
    /// Working memory per model-input pixel (bytes).
    pub tile_bytes_per_pixel: u64,
    /// Size of the model file (bytes).
    pub weights_bytes: u64,
}

impl StageMemory {
    /// Working memory per input pixel when the model has no measured fact:
    /// 64 float channels at output resolution, three tensors alive.
    pub fn default_tile_bytes_per_pixel(scale: u32) -> u64 {
        3 * 64 * 4 * u64::from(scale) * u64::from(scale)
    }
}

/// What an image looks like in memory, besides its size.
#[derive(Clone, Copy, Debug)]
pub struct ImageBytes {
    /// Bytes per pixel of the decoded input (e.g. 4 for RGBA8).
    pub input: u64,
    /// Bytes per pixel of the output image (e.g. 4 for RGBA8).
    pub output: u64,
    /// True when an alpha plane is resized beside the colour.
    pub alpha: bool,
}

/// The outcome of planning an upscale against the budget.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MemoryPlan {
    /// The budget (bytes).
    pub budget_bytes: u64,
    /// Estimated peak (bytes) with the chosen tiles.
    pub estimate_bytes: u64,
    /// Largest tile side per stage (input pixels, context included).
    pub tile_sides: Vec<u32>,
    /// Tiles run at the same time (one; the runtime uses every thread inside a tile).
    pub tiles_in_flight: u32,
}

/// Plans an upscale of a `input`-sized image through `stages` to `output`
/// within `budget` bytes, with tiles no larger than `max_tile`.
pub fn plan_memory(
    stages: &[StageMemory],
    input: (u32, u32),
    output: (u32, u32),
    bytes: ImageBytes,
    budget: u64,
    max_tile: u32,
) -> Result<MemoryPlan, UpscaleError> {
    let px = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    let fixed = RUNTIME_BASE + stages.iter().map(|s| 2 * s.weights_bytes).sum::<u64>();
    // The largest stage: its float input and output are alive together.
    let mut size = input;
    let mut largest_pair = 0;
    for s in stages {
        let next = (size.0 * s.scale, size.1 * s.scale);
        largest_pair = largest_pair.max(FLOAT_RGB * (px(size) + px(next)));
        size = next;
    }
    let resized = if size != output {
        FLOAT_RGB * px(output)
    } else {
        0
    };
    let alpha = if bytes.alpha {
        6 * (px(input) + px(output))
    } else {
        0
    };
    let images =
        bytes.input * px(input) + largest_pair + resized + bytes.output * px(output) + alpha;
    let too_large = |chain: &str, needed: u64, why: &'static str| UpscaleError::OverBudget {
        chain: chain.to_string(),
        input,
        output,
        needed,
        budget,
        why,
    };
    let base = fixed + images;
    let chain = stages
        .iter()
        .map(|s| s.model.as_str())
        .collect::<Vec<_>>()
        .join(" -> ");
    if base > budget {
        return Err(too_large(&chain, base, " for the images alone"));
    }
    let room = budget - base;
    let mut tile_sides = Vec::new();
    let mut worst_tile = 0;
    let mut size = input;
    for s in stages {
        let m = u64::from(s.pad_multiple.max(1));
        let padded = |v: u32| (u64::from(v) + 2 * u64::from(s.pad)).div_ceil(m) * m;
        if !s.tileable {
            let need = s.tile_bytes_per_pixel * padded(size.0) * padded(size.1);
            if need > room {
                return Err(too_large(
                    &s.model,
                    base + need,
                    " (this model cannot split the image into tiles)",
                ));
            }
            tile_sides.push(size.0.max(size.1) + 2 * s.pad);
            worst_tile = worst_tile.max(need);
        } else {
            let fit = ((room / s.tile_bytes_per_pixel.max(1)) as f64).sqrt() as u32;
            let smallest = 2 * s.pad + MIN_CORE;
            if fit < smallest {
                let need = s.tile_bytes_per_pixel * u64::from(smallest) * u64::from(smallest);
                return Err(too_large(
                    &s.model,
                    base + need,
                    " even with the smallest tiles",
                ));
            }
            let side = fit.min(max_tile.max(smallest));
            // The stage runs smaller tiles when the padded image is smaller.
            let used = u64::from(side).min(padded(size.0)) * u64::from(side).min(padded(size.1));
            worst_tile = worst_tile.max(s.tile_bytes_per_pixel * used);
            tile_sides.push(side);
        }
        size = (size.0 * s.scale, size.1 * s.scale);
    }
    Ok(MemoryPlan {
        budget_bytes: budget,
        estimate_bytes: base + worst_tile,
        tile_sides,
        tiles_in_flight: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(tileable: bool) -> StageMemory {
        StageMemory {
            model: "upscale.test.x2".into(),
            scale: 2,
            pad: 7,
            pad_multiple: 1,
            tileable,
            tile_bytes_per_pixel: 20_000,
            weights_bytes: 1_000_000,
        }
    }

    const RGBA8: ImageBytes = ImageBytes {
        input: 4,
        output: 4,
        alpha: true,
    };

    #[test]
    fn a_smaller_budget_gives_smaller_tiles() {
        let big = plan_memory(
            &[stage(true)],
            (3840, 2160),
            (7680, 4320),
            RGBA8,
            4 * GIB,
            4096,
        )
        .unwrap();
        let small = plan_memory(
            &[stage(true)],
            (3840, 2160),
            (7680, 4320),
            RGBA8,
            (1.3 * GIB as f64) as u64,
            4096,
        )
        .unwrap();
        assert!(
            small.tile_sides[0] < big.tile_sides[0] && small.tile_sides[0] >= 2 * 7 + MIN_CORE,
            "{small:?} {big:?}"
        );
        assert!(small.estimate_bytes <= small.budget_bytes);
        assert!(big.estimate_bytes <= big.budget_bytes);
        // The caller's tile limit still applies.
        let capped = plan_memory(
            &[stage(true)],
            (3840, 2160),
            (7680, 4320),
            RGBA8,
            4 * GIB,
            256,
        )
        .unwrap();
        assert_eq!(capped.tile_sides, [256]);
    }

    #[test]
    fn untileable_models_refuse_images_over_the_budget() {
        let ok = plan_memory(&[stage(false)], (200, 100), (400, 200), RGBA8, GIB, 256).unwrap();
        assert_eq!(ok.tile_sides, [214]);
        let err = plan_memory(&[stage(false)], (3840, 2160), (7680, 4320), RGBA8, GIB, 256)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("3840x2160") && err.contains("1.00 GiB") && err.contains("tiles"),
            "{err}"
        );
    }

    #[test]
    fn images_larger_than_the_budget_are_refused() {
        let err = plan_memory(
            &[stage(true)],
            (20000, 20000),
            (40000, 40000),
            RGBA8,
            4 * GIB,
            256,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("images alone") && err.contains("4.00 GiB"),
            "{err}"
        );
    }
}
