//! The upscaler: a planned chain of models, run tile by tile, with an
//! optional final Lanczos shrink to the requested scale.

use crate::plan::{plan, UpscalePlan};
use crate::stage::{Stage, StageLimits};
use crate::tiling::Tile;
use crate::{UpscaleConvention, UpscaleError};
use image::{imageops, Rgb32FImage, RgbImage};
use seer_core::progress::{NoProgress, Progress};
use seer_models::Store;
use seer_runtime::{Session, SessionOptions};
use std::time::Instant;

/// How to upscale.
#[derive(Clone, Debug)]
pub struct UpscaleOptions {
    /// Output pixels per input pixel; `None` = the model's smallest native scale.
    pub scale: Option<u32>,
    /// Largest tile side in input pixels, context included (default 256).
    pub tile: u32,
    /// ONNX Runtime threads per operator (default: physical cores).
    pub threads: usize,
    /// Largest input (width × height pixels) for models that cannot tile
    /// (default 1024 × 1024).
    pub max_pixels: u64,
}

impl Default for UpscaleOptions {
    fn default() -> Self {
        UpscaleOptions {
            scale: None,
            tile: 256,
            threads: seer_runtime::physical_cores(),
            max_pixels: 1024 * 1024,
        }
    }
}

/// What one upscale did (serialised in `--json` output).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct UpscaleReport {
    /// Model ids applied in order (more than one when chained).
    pub chain: Vec<String>,
    /// Requested scale (output pixels per input pixel).
    pub scale: u32,
    /// Product of the chain's native scales.
    pub native_scale: u32,
    /// True when the result was shrunk with Lanczos from `native_scale` to `scale`.
    pub lanczos_downscale: bool,
    /// Input width and height in pixels.
    pub input_size: (u32, u32),
    /// Output width and height in pixels.
    pub output_size: (u32, u32),
    /// Model runs (tiles) over the whole chain.
    pub tiles: u64,
    /// Wall-clock seconds of the upscale.
    pub seconds: f64,
    /// Throughput: input (low-resolution) kilopixels per second.
    pub lr_kpx_per_s: f64,
}

/// Super-resolution with one planned chain of models, ready to run.
pub struct Upscaler {
    plan: UpscalePlan,
    stages: Vec<Stage>,
    options: UpscaleOptions,
    last: UpscaleReport,
}

impl Upscaler {
    /// Prepares the models `model` stands for (a tier such as `photo`, a
    /// model family such as `esrgan-slim`, or a model id) at
    /// `options.scale`: fetches/imports them through the store, loads ONNX
    /// Runtime (from the store or `ORT_DYLIB_PATH`) and opens the sessions.
    pub fn new(
        store: &Store,
        model: &str,
        options: &UpscaleOptions,
    ) -> Result<Upscaler, UpscaleError> {
        Self::with_progress(store, model, options, &NoProgress)
    }

    /// [`Upscaler::new`] reporting downloads and imports to `progress`.
    pub fn with_progress(
        store: &Store,
        model: &str,
        options: &UpscaleOptions,
        progress: &dyn Progress,
    ) -> Result<Upscaler, UpscaleError> {
        let plan = plan(store.catalog(), model, options.scale)?;
        let library = store.runtime_library(true, progress)?;
        seer_runtime::init(&library)?;
        let session_options = SessionOptions {
            threads: options.threads.max(1),
        };
        let mut stages = Vec::new();
        for id in &plan.chain {
            let convention = UpscaleConvention::from_spec(store.model(id)?)?;
            let path = store.ensure(id, progress)?;
            let session = Session::from_file(&path, &session_options)?;
            stages.push(Stage::new(convention, session));
        }
        tracing::info!(chain = ?plan.chain, scale = plan.scale, "upscaler ready");
        Ok(Upscaler {
            plan,
            stages,
            options: options.clone(),
            last: UpscaleReport::default(),
        })
    }

    /// The chosen models and scales.
    pub fn plan(&self) -> &UpscalePlan {
        &self.plan
    }

    /// Output pixels per input pixel.
    pub fn scale(&self) -> u32 {
        self.plan.scale
    }

    /// The report of the last upscale (default before the first).
    pub fn last_report(&self) -> &UpscaleReport {
        &self.last
    }

    /// Upscales an 8-bit RGB image; `progress` counts tiles.
    pub fn upscale_rgb(
        &mut self,
        image: &RgbImage,
        progress: &dyn Progress,
    ) -> Result<RgbImage, UpscaleError> {
        let float = image::DynamicImage::ImageRgb8(image.clone()).to_rgb32f();
        let out = self.upscale_f32(&float, progress)?;
        Ok(image::DynamicImage::ImageRgb32F(out).to_rgb8())
    }

    /// Upscales an RGB image with values in 0..1 (any bit depth converted to
    /// float); the output is clamped to 0..1. `progress` counts tiles.
    pub fn upscale_f32(
        &mut self,
        image: &Rgb32FImage,
        progress: &dyn Progress,
    ) -> Result<Rgb32FImage, UpscaleError> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(UpscaleError::EmptyImage {
                width: w,
                height: h,
            });
        }
        let started = Instant::now();
        let limits = StageLimits {
            tile: self.options.tile.max(1),
            max_pixels: self.options.max_pixels,
        };
        // Every stage's tiles are known up front so the bar has a total.
        let mut plans: Vec<Vec<Tile>> = Vec::new();
        let (mut sw, mut sh) = (w, h);
        for stage in &self.stages {
            plans.push(stage.tiles(sw, sh, limits)?);
            sw *= stage.convention.scale;
            sh *= stage.convention.scale;
        }
        let total: u64 = plans.iter().map(|p| p.len() as u64).sum();
        progress.start("upscaling (tiles)", Some(total));
        let mut done = 0;
        let mut current = image.clone();
        for (stage, tiles) in self.stages.iter_mut().zip(&plans) {
            current = stage.run(&current, tiles, progress, &mut done)?;
        }
        let (ow, oh) = (w * self.plan.scale, h * self.plan.scale);
        if current.dimensions() != (ow, oh) {
            current = imageops::resize(&current, ow, oh, imageops::FilterType::Lanczos3);
            current.pixels_mut().for_each(|p| {
                p.0.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            });
        }
        progress.finish();
        let seconds = started.elapsed().as_secs_f64();
        self.last = UpscaleReport {
            chain: self.plan.chain.clone(),
            scale: self.plan.scale,
            native_scale: self.plan.native_scale,
            lanczos_downscale: self.plan.lanczos_downscale(),
            input_size: (w, h),
            output_size: (ow, oh),
            tiles: total,
            seconds,
            lr_kpx_per_s: f64::from(w) * f64::from(h) / 1000.0 / seconds.max(1e-9),
        };
        tracing::info!(?self.last, "upscaled");
        Ok(current)
    }
}
