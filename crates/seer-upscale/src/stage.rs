//! One model of a chain: builds each tile's input tensor, runs the model
//! and copies the cropped output into the result image.

use crate::convention::Residual;
use crate::tiling::{core_side, grid, source_index, Tile};
use crate::{Layout, Tiling, UpscaleConvention, UpscaleError};
use image::Rgb32FImage;
use seer_core::progress::Progress;
use seer_core::CancelToken;
use seer_runtime::Engine;
use seer_runtime::Tensor;

/// A loaded model and its conventions.
pub struct Stage {
    /// The model's conventions.
    pub convention: UpscaleConvention,
    engine: Engine,
}

/// How a stage splits its input.
#[derive(Clone, Copy, Debug)]
pub struct StageLimits {
    /// Largest tile side in input pixels, context included.
    pub tile: u32,
    /// Largest image (width × height) a model without tiling accepts.
    pub max_pixels: u64,
}

impl Stage {
    /// Wraps a loaded model.
    pub fn new(convention: UpscaleConvention, engine: Engine) -> Stage {
        Stage { convention, engine }
    }

    /// The name of the engine that runs this stage's model.
    pub fn engine_name(&self) -> &'static str {
        self.engine.name()
    }

    /// The tiles this stage will run for a `width`×`height` input.
    pub fn tiles(
        &self,
        width: u32,
        height: u32,
        limits: StageLimits,
    ) -> Result<Vec<Tile>, UpscaleError> {
        stage_tiles(&self.convention, width, height, limits)
    }

    /// Upscales `image` (RGB, 0..1) tile by tile; `done` counts finished
    /// tiles across stages for `progress`; `cancel` is checked before each
    /// tile. Output values are clamped to 0..1.
    pub fn run(
        &mut self,
        image: &Rgb32FImage,
        tiles: &[Tile],
        progress: &dyn Progress,
        done: &mut u64,
        cancel: &CancelToken,
    ) -> Result<Rgb32FImage, UpscaleError> {
        let s = self.convention.scale;
        let (w, h) = image.dimensions();
        let mut out = Rgb32FImage::new(w * s, h * s);
        for tile in tiles {
            cancel.check()?;
            let (input, in_w, in_h) = self.tile_input(image, tile);
            let output = self.engine.run(input)?;
            self.place(&output, in_w, in_h, tile, &mut out)?;
            if self.convention.residual == Residual::Nearest {
                add_nearest(image, tile, s, &mut out);
            }
            *done += 1;
            progress.set(*done);
        }
        Ok(out)
    }

    /// The model input for one tile (see [`tile_input`]).
    fn tile_input(&self, image: &Rgb32FImage, tile: &Tile) -> (Tensor, u32, u32) {
        tile_input(&self.convention, image, tile)
    }

    /// Copies the part of `output` that belongs to `tile` into `out`.
    fn place(
        &self,
        output: &Tensor,
        in_w: u32,
        in_h: u32,
        tile: &Tile,
        out: &mut Rgb32FImage,
    ) -> Result<(), UpscaleError> {
        let c = &self.convention;
        let s = c.scale;
        let bad = |detail: String| UpscaleError::Output {
            model: c.model.clone(),
            detail,
        };
        let (oh, ow, channel_stride, pixel_stride) = match (c.layout, output.shape.as_slice()) {
            (Layout::Nchw, [1, 3, oh, ow]) => (*oh, *ow, oh * ow, 1),
            (Layout::Nhwc, [1, oh, ow, 3]) => (*oh, *ow, 1, 3),
            (_, shape) => return Err(bad(format!("shape {shape:?} is not a 3-channel image"))),
        };
        // The model may lose border pixels itself (valid convolutions);
        // that loss is symmetric. Loss plus output_crop must remove exactly
        // the context (scale * pad) so the output aligns with the input.
        let full_w = (s * in_w) as usize;
        let full_h = (s * in_h) as usize;
        if ow > full_w
            || oh > full_h
            || !(full_w - ow).is_multiple_of(2)
            || !(full_h - oh).is_multiple_of(2)
        {
            return Err(bad(format!(
                "{ow}x{oh} output for a {in_w}x{in_h} input at scale {s}"
            )));
        }
        let context = (s * c.pad) as usize;
        let crop = c.output_crop as usize;
        for loss in [(full_w - ow) / 2, (full_h - oh) / 2] {
            if loss + crop != context {
                return Err(bad(format!(
                    "the model drops {loss} border pixels and output_crop is {crop}, \
                     but the context is {context} output pixels; fix pad/output_crop in models.toml"
                )));
            }
        }
        let (left, top) = (crop, crop);
        let (tw, th) = ((tile.width * s) as usize, (tile.height * s) as usize);
        if left + tw > ow || top + th > oh {
            return Err(bad(format!(
                "{ow}x{oh} output is too small for a {tw}x{th} region at offset ({left}, {top})"
            )));
        }
        let inv = 1.0 / c.value_range;
        for y in 0..th {
            for x in 0..tw {
                let base = match c.layout {
                    Layout::Nchw => (top + y) * ow + left + x,
                    Layout::Nhwc => ((top + y) * ow + left + x) * pixel_stride,
                };
                let mut px = [0.0f32; 3];
                for (ch, v) in px.iter_mut().enumerate() {
                    *v = output.data[base + ch * channel_stride] * inv;
                    if c.residual == Residual::None {
                        *v = v.clamp(0.0, 1.0);
                    }
                }
                out.put_pixel(tile.x * s + x as u32, tile.y * s + y as u32, image::Rgb(px));
            }
        }
        Ok(())
    }
}

/// Adds `image` enlarged `s` times by nearest neighbour to `tile`'s region
/// of `out` (for models whose output is a residual), clamping to 0..1.
fn add_nearest(image: &Rgb32FImage, tile: &Tile, s: u32, out: &mut Rgb32FImage) {
    for y in 0..tile.height * s {
        for x in 0..tile.width * s {
            let src = image.get_pixel(tile.x + x / s, tile.y + y / s).0;
            let dst = out.get_pixel_mut(tile.x * s + x, tile.y * s + y);
            for (d, v) in dst.0.iter_mut().zip(src) {
                *d = (*d + v).clamp(0.0, 1.0);
            }
        }
    }
}

/// The tiles a model with convention `c` runs for a `width`×`height` input:
/// the whole image when the model cannot tile (within `max_pixels`) or when
/// it fits one tile with its context, else a grid of cores.
pub(crate) fn stage_tiles(
    c: &UpscaleConvention,
    width: u32,
    height: u32,
    limits: StageLimits,
) -> Result<Vec<Tile>, UpscaleError> {
    let whole = vec![Tile {
        x: 0,
        y: 0,
        width,
        height,
    }];
    if c.tiling == Tiling::No {
        let pixels = u64::from(width) * u64::from(height);
        if pixels > limits.max_pixels {
            return Err(UpscaleError::TooLarge {
                model: c.model.clone(),
                width,
                height,
                pixels,
                max_pixels: limits.max_pixels,
            });
        }
        return Ok(whole);
    }
    // One tile when the whole padded image fits.
    if width + 2 * c.pad <= limits.tile && height + 2 * c.pad <= limits.tile {
        return Ok(whole);
    }
    Ok(grid(width, height, core_side(limits.tile, c.pad)))
}

/// Width and height of the model input for `tile`: core plus context on
/// each side, rounded up to `pad_multiple`.
pub(crate) fn tile_input_size(c: &UpscaleConvention, tile: &Tile) -> (u32, u32) {
    let m = c.pad_multiple.max(1);
    let in_w = (tile.width + 2 * c.pad).div_ceil(m) * m;
    let in_h = (tile.height + 2 * c.pad).div_ceil(m) * m;
    (in_w, in_h)
}

/// The model input for one tile of a model with convention `c`: core plus context (and the extension
/// to `pad_multiple`), values scaled, constant channels appended.
pub(crate) fn tile_input(
    c: &UpscaleConvention,
    image: &Rgb32FImage,
    tile: &Tile,
) -> (Tensor, u32, u32) {
    let (w, h) = image.dimensions();
    let (in_w, in_h) = tile_input_size(c, tile);
    let x0 = i64::from(tile.x) - i64::from(c.pad);
    let y0 = i64::from(tile.y) - i64::from(c.pad);
    let plane = (in_w * in_h) as usize;
    let channels = c.input_channels();
    let mut data = vec![0.0f32; plane * channels];
    let put = |data: &mut [f32], ch: usize, idx: usize, v: f32| match c.layout {
        Layout::Nchw => data[ch * plane + idx] = v,
        Layout::Nhwc => data[idx * channels + ch] = v,
    };
    for ty in 0..in_h {
        let sy = source_index(y0 + i64::from(ty), h, c.pad_mode);
        for tx in 0..in_w {
            let sx = source_index(x0 + i64::from(tx), w, c.pad_mode);
            let p = image.get_pixel(sx, sy).0;
            let idx = (ty * in_w + tx) as usize;
            for (ch, v) in p.iter().enumerate() {
                put(&mut data, ch, idx, v * c.value_range);
            }
            for (k, v) in c.extra_channels.iter().enumerate() {
                put(&mut data, 3 + k, idx, *v);
            }
        }
    }
    let shape = match c.layout {
        Layout::Nchw => vec![1, channels, in_h as usize, in_w as usize],
        Layout::Nhwc => vec![1, in_h as usize, in_w as usize, channels],
    };
    (Tensor { shape, data }, in_w, in_h)
}
