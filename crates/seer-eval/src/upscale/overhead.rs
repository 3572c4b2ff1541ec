//! How much time seer's upscaling pipeline adds around the model: the full
//! [`Upscaler::upscale_rgb`] path (8-bit → float, tile extraction with
//! context, model, crop-merge, float → 8-bit; image decoding excluded)
//! against a bare loop of model runs on the very same tile tensors, built
//! before the clock starts by the upscaler's own code
//! ([`seer_upscale::model_inputs`]).

use crate::upscale::cost::PlanCost;
use crate::EvalError;
use image::RgbImage;
use seer_core::cpu_time::process_cpu_seconds as cpu_seconds;
use seer_core::progress::NoProgress;
use seer_models::Store;
use seer_runtime::{Engine, Tuning};
use seer_upscale::model_inputs::tile_tensors;
use seer_upscale::{UpscaleConvention, UpscaleOptions, Upscaler};
use std::time::Instant;

/// Timings of the pipeline and of the bare model loop on one image.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OverheadReport {
    /// The model id run.
    pub model: String,
    /// The engine that ran it ("native" or "onnxruntime").
    pub engine: String,
    /// Input image width and height, pixels.
    pub image_size: (u32, u32),
    /// Largest tile side, input pixels (context included).
    pub tile: u32,
    /// Intra-op threads.
    pub threads: usize,
    /// ONNX Runtime settings of the bare loop.
    pub tuning: Tuning,
    /// Model runs per image.
    pub tiles: usize,
    /// Timed repetitions (after one untimed warm-up of each).
    pub rounds: usize,
    /// Giga multiply-accumulates per image (tile context included).
    pub gmac_per_image: f64,
    /// Mega FLOP (2 × MAC) per low-resolution input pixel.
    pub mflop_per_lr_px: f64,
    /// Seconds per image through the full pipeline.
    pub pipeline_seconds: f64,
    /// Seconds per image of bare model runs.
    pub bare_seconds: f64,
    /// Pipeline throughput, GFLOP/s.
    pub pipeline_gflop_per_s: f64,
    /// Bare-loop throughput, GFLOP/s.
    pub bare_gflop_per_s: f64,
    /// Pipeline throughput, input kilopixels per second.
    pub pipeline_lr_kpx_per_s: f64,
    /// Bare-loop throughput, input kilopixels per second.
    pub bare_lr_kpx_per_s: f64,
    /// (pipeline − bare) / bare, percent (wall time).
    pub overhead_percent: f64,
    /// CPU seconds per image through the pipeline (all threads).
    pub pipeline_cpu_seconds: f64,
    /// CPU seconds per image of the bare loop (all threads).
    pub bare_cpu_seconds: f64,
    /// (pipeline − bare) / bare in CPU time, percent: steadier than wall
    /// time on a machine shared with other work.
    pub overhead_cpu_percent: f64,
}

/// Measures the pipeline against bare runs for a single-model chain.
pub fn measure_overhead(
    store: &Store,
    model: &str,
    options: &UpscaleOptions,
    tuning: Tuning,
    image: &RgbImage,
    rounds: usize,
) -> Result<OverheadReport, EvalError> {
    let rounds = rounds.max(1);
    let (w, h) = image.dimensions();
    let mut upscaler = Upscaler::new(store, model, options)?;
    let plan = upscaler.plan().clone();
    let [id] = plan.chain.as_slice() else {
        return Err(EvalError::InvalidOption {
            option: "scale",
            why: format!(
                "needs a chain of one model to measure the overhead, {} has {} ({}); \
                 choose a scale the model has natively",
                model,
                plan.chain.len(),
                plan.chain.join(" -> ")
            ),
        });
    };
    let macs = PlanCost::new(store, &plan)?.image_macs(w, h, options.tile)? as f64;

    // The bare loop: the same tiles, built by the same code, run directly.
    let convention = UpscaleConvention::from_spec(store.model(id)?)?;
    let path = store.ensure(id, &NoProgress)?;
    let tensors = tile_tensors(&convention, image, options.tile, options.max_pixels)?;
    let mut engine = Engine::open(&path, id, options.threads.max(1), options.engine, tuning)?;
    let engine_name = engine.name().to_string();
    engine.time_bare_runs(&tensors, 1)?;
    let cpu = cpu_seconds();
    let bare = engine.time_bare_runs(&tensors, rounds)? / rounds as f64;
    let bare_cpu = (cpu_seconds() - cpu) / rounds as f64;
    drop(engine);

    // The full pipeline.
    upscaler.upscale_rgb(image, &NoProgress)?;
    let started = Instant::now();
    let cpu = cpu_seconds();
    for _ in 0..rounds {
        upscaler.upscale_rgb(image, &NoProgress)?;
    }
    let pipeline = started.elapsed().as_secs_f64() / rounds as f64;
    let pipeline_cpu = (cpu_seconds() - cpu) / rounds as f64;

    let kpx = f64::from(w) * f64::from(h) / 1000.0;
    let gflop = 2.0 * macs / 1e9;
    Ok(OverheadReport {
        model: id.clone(),
        engine: engine_name,
        image_size: (w, h),
        tile: options.tile,
        threads: options.threads,
        tuning,
        tiles: tensors.len(),
        rounds,
        gmac_per_image: macs / 1e9,
        mflop_per_lr_px: 2.0 * macs / 1e6 / (kpx * 1000.0),
        pipeline_seconds: pipeline,
        bare_seconds: bare,
        pipeline_gflop_per_s: gflop / pipeline,
        bare_gflop_per_s: gflop / bare,
        pipeline_lr_kpx_per_s: kpx / pipeline,
        bare_lr_kpx_per_s: kpx / bare,
        overhead_percent: 100.0 * (pipeline - bare) / bare,
        pipeline_cpu_seconds: pipeline_cpu,
        bare_cpu_seconds: bare_cpu,
        overhead_cpu_percent: 100.0 * (pipeline_cpu - bare_cpu) / bare_cpu.max(1e-9),
    })
}
