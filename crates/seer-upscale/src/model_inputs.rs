//! The model inputs an upscale runs, built by the code the upscaler itself
//! uses: for benchmarks that time or count a model on exactly the tiles a
//! real upscale feeds it (the `seer-eval` crate).

use crate::stage::{stage_tiles, tile_input, tile_input_size, StageLimits};
use crate::{Layout, UpscaleConvention, UpscaleError};
use image::RgbImage;
use seer_runtime::Tensor;

/// The input tensors (tile core plus context, padded to the model's
/// multiple, values scaled, constant channels appended) that the model of
/// `convention` runs for `image`, with tiles of at most `tile` input pixels
/// per side (context included). `max_pixels` bounds a model that cannot
/// tile.
pub fn tile_tensors(
    convention: &UpscaleConvention,
    image: &RgbImage,
    tile: u32,
    max_pixels: u64,
) -> Result<Vec<Tensor>, UpscaleError> {
    let (w, h) = image.dimensions();
    let limits = StageLimits {
        tile: tile.max(1),
        max_pixels,
    };
    let float = image::DynamicImage::ImageRgb8(image.clone()).to_rgb32f();
    Ok(stage_tiles(convention, w, h, limits)?
        .iter()
        .map(|t| tile_input(convention, &float, t).0)
        .collect())
}

/// The input shape of every model run of a chain (one entry per model of
/// `chain`, in order, each holding one shape per tile) when upscaling a
/// `width`×`height` image (pixels) with tiles of at most `tile` input
/// pixels per side: the same split as the upscaler's, with no size limit on
/// models that cannot tile.
pub fn chain_input_shapes(
    chain: &[UpscaleConvention],
    width: u32,
    height: u32,
    tile: u32,
) -> Result<Vec<Vec<Vec<i64>>>, UpscaleError> {
    let limits = StageLimits {
        tile: tile.max(1),
        max_pixels: u64::MAX,
    };
    let (mut w, mut h) = (width, height);
    let mut stages = Vec::with_capacity(chain.len());
    for c in chain {
        let shapes = stage_tiles(c, w, h, limits)?
            .iter()
            .map(|t| {
                let (iw, ih) = tile_input_size(c, t);
                let ch = c.input_channels() as i64;
                match c.layout {
                    Layout::Nchw => vec![1, ch, i64::from(ih), i64::from(iw)],
                    Layout::Nhwc => vec![1, i64::from(ih), i64::from(iw), ch],
                }
            })
            .collect();
        stages.push(shapes);
        w = w.saturating_mul(c.scale);
        h = h.saturating_mul(c.scale);
    }
    Ok(stages)
}
