//! The upscaler: a planned chain of models, run tile by tile, with an
//! optional final Lanczos shrink to the requested scale.

use crate::memory::{plan_memory, ImageBytes, MemoryPlan, StageMemory, DEFAULT_MAX_MEMORY};
use crate::plan::{plan, UpscalePlan};
use crate::stage::{Stage, StageLimits};
use crate::tiling::Tile;
use crate::{UpscaleConvention, UpscaleError};
use image::{imageops, Rgb32FImage, RgbImage};
use seer_core::progress::{NoProgress, Progress};
use seer_core::CancelToken;
use seer_models::Store;
use seer_runtime::Tuning;
use seer_runtime::{Engine, EngineChoice};
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
    /// Memory budget of one upscale in bytes (default 4 GiB): limits the
    /// tile side and refuses images that cannot fit (see [`crate::memory`]).
    pub max_memory: u64,
    /// Inference engine (default: native where the model allows).
    pub engine: EngineChoice,
}

impl Default for UpscaleOptions {
    fn default() -> Self {
        UpscaleOptions {
            scale: None,
            tile: 256,
            threads: seer_runtime::physical_cores(),
            max_pixels: 1024 * 1024,
            max_memory: DEFAULT_MAX_MEMORY,
            engine: EngineChoice::Auto,
        }
    }
}

/// Smallest tile side in input pixels a caller may ask for.
pub const MIN_TILE: u32 = 16;
/// Largest tile side in input pixels a caller may ask for (a side larger
/// than the image means one tile; the memory budget still bounds the tile
/// actually used).
pub const MAX_TILE: u32 = 1_000_000;
/// Smallest memory budget in bytes a caller may ask for (64 MiB).
pub const MIN_MAX_MEMORY: u64 = 64 << 20;
/// Most inference threads a caller may ask for.
pub const MAX_THREADS: usize = 1024;

impl UpscaleOptions {
    /// Refuses settings that cannot work (a tile of 0 pixels, no threads, a
    /// budget too small for any model) instead of quietly replacing them.
    pub fn validate(&self) -> Result<(), UpscaleError> {
        let bad = |setting: &'static str, value: String, expected: String| {
            Err(UpscaleError::BadSetting {
                setting,
                value,
                expected,
            })
        };
        if !(MIN_TILE..=MAX_TILE).contains(&self.tile) {
            return bad(
                "tile side",
                format!("{} pixels", self.tile),
                format!("{MIN_TILE} to {MAX_TILE} pixels"),
            );
        }
        if !(1..=MAX_THREADS).contains(&self.threads) {
            return bad(
                "thread count",
                self.threads.to_string(),
                format!("1 to {MAX_THREADS}"),
            );
        }
        if self.max_memory < MIN_MAX_MEMORY {
            return bad(
                "memory budget",
                format!("{} bytes", self.max_memory),
                format!("at least {} MiB", MIN_MAX_MEMORY >> 20),
            );
        }
        if self.max_pixels == 0 {
            return bad("pixel limit", "0".into(), "at least 1 pixel".into());
        }
        Ok(())
    }

    /// The memory budget in bytes the planner works to: the caller's,
    /// capped at the machine's physical memory.
    pub fn effective_max_memory(&self) -> u64 {
        seer_core::memory::within_physical_memory(self.max_memory)
    }
}

/// What one upscale did (serialised in `--json` output).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct UpscaleReport {
    /// Model ids applied in order (more than one when chained).
    pub chain: Vec<String>,
    /// The engine that ran each model of `chain` ("native" or "onnxruntime").
    pub engines: Vec<String>,
    /// Integer scale the chain was planned for (output pixels per input pixel).
    pub scale: u32,
    /// The exact output width over the input width (e.g. 1.5).
    pub factor: f64,
    /// How the factor was reached, e.g. "x4 then x2" or "x2 then Lanczos to x1.5".
    pub how: String,
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
    /// The memory budget, tile sides and estimated peak.
    pub memory: Option<MemoryPlan>,
    /// Wall-clock seconds of the upscale.
    pub seconds: f64,
    /// Throughput: input (low-resolution) kilopixels per second.
    pub lr_kpx_per_s: f64,
}

/// An upscaled image and the report of how it was made.
#[derive(Clone, Debug)]
pub struct Upscaled<I> {
    /// The upscaled image.
    pub image: I,
    /// What the upscale did.
    pub report: UpscaleReport,
}

/// Super-resolution with one planned chain of models, ready to run.
pub struct Upscaler {
    plan: UpscalePlan,
    stages: Vec<Stage>,
    memory: Vec<StageMemory>,
    options: UpscaleOptions,
    cancel: CancelToken,
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
        options.validate()?;
        let plan = plan(store.catalog(), model, options.scale)?;
        let library = store.runtime_library(true, progress)?;
        seer_runtime::init(&library)?;
        let mut stages = Vec::new();
        let mut memory = Vec::new();
        for id in &plan.chain {
            let spec = store.model(id)?;
            let convention = UpscaleConvention::from_spec(spec)?;
            let path = store.ensure(id, progress)?;
            let engine = Engine::open(
                &path,
                id,
                options.threads,
                options.engine,
                Tuning::default(),
            )?;
            memory.push(StageMemory {
                model: id.clone(),
                scale: convention.scale,
                pad: convention.pad,
                pad_multiple: convention.pad_multiple,
                tileable: convention.tiling == crate::Tiling::Ok,
                tile_bytes_per_pixel: spec
                    .facts
                    .get("tile_bytes_per_pixel")
                    .and_then(|v| v.as_integer())
                    .filter(|v| *v > 0)
                    .map(|v| v as u64)
                    .unwrap_or_else(|| StageMemory::default_tile_bytes_per_pixel(convention.scale)),
                weights_bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            });
            stages.push(Stage::new(convention, engine));
        }
        tracing::info!(chain = ?plan.chain, scale = plan.scale, "upscaler ready");
        Ok(Upscaler {
            plan,
            stages,
            memory,
            options: options.clone(),
            cancel: CancelToken::new(),
        })
    }

    /// The engine running each model of the chain ("native" or "onnxruntime").
    pub fn engines(&self) -> Vec<String> {
        self.stages
            .iter()
            .map(|s| s.engine_name().to_string())
            .collect()
    }

    /// The chosen models and scales.
    pub fn plan(&self) -> &UpscalePlan {
        &self.plan
    }

    /// Output pixels per input pixel.
    pub fn scale(&self) -> u32 {
        self.plan.scale
    }

    /// The token every later upscale checks before each tile: once it is
    /// cancelled, upscales stop with [`UpscaleError::Cancelled`]. The
    /// default token is never cancelled.
    pub fn set_cancel(&mut self, cancel: CancelToken) {
        self.cancel = cancel;
    }

    /// Upscales an 8-bit RGB image; `progress` counts tiles.
    pub fn upscale_rgb(
        &mut self,
        image: &RgbImage,
        progress: &dyn Progress,
    ) -> Result<Upscaled<RgbImage>, UpscaleError> {
        let float = image::DynamicImage::ImageRgb8(image.clone()).to_rgb32f();
        let out = self.upscale_f32(&float, progress)?;
        Ok(Upscaled {
            image: image::DynamicImage::ImageRgb32F(out.image).to_rgb8(),
            report: out.report,
        })
    }

    /// Upscales an RGB image with values in 0..1 (any bit depth converted to
    /// float); the output is clamped to 0..1. `progress` counts tiles.
    pub fn upscale_f32(
        &mut self,
        image: &Rgb32FImage,
        progress: &dyn Progress,
    ) -> Result<Upscaled<Rgb32FImage>, UpscaleError> {
        let (w, h) = image.dimensions();
        let size = (w * self.plan.scale, h * self.plan.scale);
        let bytes = ImageBytes {
            input: 3,
            output: 3,
            alpha: false,
        };
        self.upscale_f32_to(image, size, bytes, progress)
    }

    /// Plans an upscale of a `input`-sized image to `size` (width, height
    /// in pixels) against the memory budget, without touching pixels:
    /// [`UpscaleError::OverBudget`] when it cannot fit, else the plan.
    pub(crate) fn check_memory(
        &self,
        input: (u32, u32),
        size: (u32, u32),
        bytes: ImageBytes,
    ) -> Result<MemoryPlan, UpscaleError> {
        plan_memory(
            &self.memory,
            input,
            size,
            bytes,
            self.options.effective_max_memory(),
            self.options.tile,
        )
    }

    /// Upscales to exactly `size` (width, height in pixels): the chain's
    /// models, then a Lanczos resize when their product differs (e.g. ×2
    /// then Lanczos to ×1.5). `bytes` describes the caller's images for the
    /// memory budget. The output is clamped to 0..1; `progress` counts
    /// tiles; the cancel token is checked before each.
    pub(crate) fn upscale_f32_to(
        &mut self,
        image: &Rgb32FImage,
        size: (u32, u32),
        bytes: ImageBytes,
        progress: &dyn Progress,
    ) -> Result<Upscaled<Rgb32FImage>, UpscaleError> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 || size.0 == 0 || size.1 == 0 {
            return Err(UpscaleError::EmptyImage {
                width: w,
                height: h,
            });
        }
        self.cancel.check()?;
        let started = Instant::now();
        let memory = self.check_memory((w, h), size, bytes)?;
        // Every stage's tiles are known up front so the bar has a total.
        let mut plans: Vec<Vec<Tile>> = Vec::new();
        let (mut sw, mut sh) = (w, h);
        for (stage, side) in self.stages.iter().zip(&memory.tile_sides) {
            let limits = StageLimits {
                tile: *side,
                max_pixels: self.options.max_pixels,
            };
            plans.push(stage.tiles(sw, sh, limits)?);
            sw *= stage.convention.scale;
            sh *= stage.convention.scale;
        }
        let total: u64 = plans.iter().map(|p| p.len() as u64).sum();
        progress.start("upscaling (tiles)", Some(total));
        let mut done = 0;
        let mut current: Option<Rgb32FImage> = None;
        for (stage, tiles) in self.stages.iter_mut().zip(&plans) {
            // The input is borrowed for the first stage, not copied.
            let next = stage.run(
                current.as_ref().unwrap_or(image),
                tiles,
                progress,
                &mut done,
                &self.cancel,
            )?;
            current = Some(next);
        }
        let mut current = current.unwrap_or_else(|| image.clone());
        if current.dimensions() != size {
            current = imageops::resize(&current, size.0, size.1, imageops::FilterType::Lanczos3);
            current.pixels_mut().for_each(|p| {
                p.0.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
            });
        }
        progress.finish();
        let seconds = started.elapsed().as_secs_f64();
        let factor = f64::from(size.0) / f64::from(w);
        let report = UpscaleReport {
            chain: self.plan.chain.clone(),
            engines: self.engines(),
            scale: self.plan.scale,
            factor,
            how: describe_chain(&self.stages, (w, h), size),
            native_scale: self.plan.native_scale,
            lanczos_downscale: size != (w * self.plan.native_scale, h * self.plan.native_scale),
            input_size: (w, h),
            output_size: size,
            tiles: total,
            memory: Some(memory),
            seconds,
            lr_kpx_per_s: f64::from(w) * f64::from(h) / 1000.0 / seconds.max(1e-9),
        };
        tracing::info!(?report, "upscaled");
        Ok(Upscaled {
            image: current,
            report,
        })
    }
}

/// "x4 then x2", "x2 then Lanczos to x1.5" or "x4 then Lanczos to 7680x4288".
fn describe_chain(stages: &[Stage], input: (u32, u32), output: (u32, u32)) -> String {
    let mut parts: Vec<String> = stages
        .iter()
        .map(|s| format!("x{}", s.convention.scale))
        .collect();
    let native: u32 = stages.iter().map(|s| s.convention.scale).product();
    if output != (input.0 * native, input.1 * native) {
        // A factor when both sides follow from it, else the exact size.
        let factor = (f64::from(output.0) / f64::from(input.0) * 1000.0).round() / 1000.0;
        let side = |v: u32| (f64::from(v) * factor).round() as u32;
        if (side(input.0), side(input.1)) == output {
            parts.push(format!("Lanczos to x{factor}"));
        } else {
            parts.push(format!("Lanczos to {}x{}", output.0, output.1));
        }
    }
    parts.join(" then ")
}
