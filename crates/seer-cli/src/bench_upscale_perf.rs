//! Speed benchmarks of upscaling against the hardware and ONNX Runtime:
//!
//! * `seer bench matmul`: a square fp32 MatMul in ONNX Runtime, the
//!   achievable GFLOP/s on this CPU with the same thread count (the peak
//!   the models are compared with);
//! * `seer bench upscale-speed`: per model, MFLOP per low-resolution pixel
//!   (from the ONNX graph), milliseconds per square tile, GFLOP/s and the
//!   share of the MatMul peak;
//! * `seer bench upscale-overhead`: the full `seer upscale` path against a
//!   bare loop of `Session::run` on the same tile tensors.

use crate::output::{out_line, print_json, print_table};
use anyhow::Context;
use clap::{Args, ValueEnum};
use seer_core::progress::NoProgress;
use seer_eval::upscale::overhead::measure_overhead;
use seer_eval::upscale::speed::{
    matmul_peak, upscale_speed as measure_speed, SpeedEngine, SpeedOptions,
};
use seer_models::Store;
use seer_runtime::{Optimization, Tuning};
use seer_upscale::UpscaleOptions;
use std::path::PathBuf;

/// ONNX Runtime settings given on the command line.
#[derive(Args, Clone)]
pub struct TuningArgs {
    /// ONNX Runtime graph optimisation level.
    #[arg(long, value_enum, default_value_t = OptLevel::Default)]
    opt: OptLevel,
    /// Let idle ONNX Runtime threads spin (lower latency, burns CPU).
    #[arg(long)]
    spinning: bool,
    /// Turn off ONNX Runtime's memory pattern planning.
    #[arg(long)]
    no_memory_pattern: bool,
}

/// Graph optimisation levels.
#[derive(Clone, Copy, ValueEnum)]
enum OptLevel {
    /// seer's default.
    Default,
    Disable,
    Basic,
    Extended,
    Layout,
    All,
}

impl TuningArgs {
    fn tuning(&self) -> Tuning {
        let default = Tuning::default();
        Tuning {
            optimization: match self.opt {
                OptLevel::Default => default.optimization,
                OptLevel::Disable => Optimization::Disable,
                OptLevel::Basic => Optimization::Basic,
                OptLevel::Extended => Optimization::Extended,
                OptLevel::Layout => Optimization::Layout,
                OptLevel::All => Optimization::All,
            },
            spinning: self.spinning,
            memory_pattern: !self.no_memory_pattern,
        }
    }
}

/// Arguments of `seer bench matmul`.
#[derive(Args)]
pub struct MatmulArgs {
    /// Matrix side N (an N×N by N×N product).
    #[arg(long, default_value_t = 1024)]
    size: usize,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Timed products (after one warm-up).
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    #[command(flatten)]
    tuning: TuningArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer bench upscale-speed`.
#[derive(Args)]
pub struct UpscaleSpeedArgs {
    /// Model ids (default: the ladder's tileable models).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Tile side in input pixels (the model input, context included).
    #[arg(long, default_value_t = 256, value_parser = crate::upscale::parse_tile)]
    tile: u32,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Timed runs per model (after one warm-up).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Only count the operations; run nothing.
    #[arg(long)]
    count_only: bool,
    /// Engines to time: ONNX Runtime, seer's native Winograd engine, or
    /// both (models the native engine cannot run are timed in ORT only).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Engine::Ort, Engine::Native])]
    engine: Vec<Engine>,
    #[command(flatten)]
    tuning: TuningArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// An inference engine to time.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Engine {
    /// ONNX Runtime's CPU kernels.
    Ort,
    /// seer's native engine (Winograd 3×3 convolutions).
    Native,
}

/// Arguments of `seer bench upscale-overhead`.
#[derive(Args)]
pub struct UpscaleOverheadArgs {
    /// Input image (decoded before timing).
    #[arg(long)]
    image: PathBuf,
    /// Tier, model family or model id.
    #[arg(long, default_value = "fast")]
    model: String,
    /// Scale; must be native to the model.
    #[arg(long, default_value_t = 2)]
    scale: u32,
    /// Largest tile side in input pixels, context included.
    #[arg(long, default_value_t = 256, value_parser = crate::upscale::parse_tile)]
    tile: u32,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Timed repetitions of each path (after one warm-up).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Inference engine of both paths: auto, native or ort.
    #[arg(long, value_enum, default_value_t = crate::upscale::EngineArg::Auto)]
    engine: crate::upscale::EngineArg,
    #[command(flatten)]
    tuning: TuningArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Loads ONNX Runtime from the store (or `ORT_DYLIB_PATH`).
fn init_runtime(store: &Store) -> anyhow::Result<()> {
    let library = store.runtime_library(true, &NoProgress)?;
    seer_runtime::init(&library)?;
    Ok(())
}

/// Runs `seer bench matmul`.
pub fn matmul(args: MatmulArgs) -> anyhow::Result<()> {
    let store = Store::open_default()?;
    init_runtime(&store)?;
    let threads = args.threads.unwrap_or_else(seer_runtime::physical_cores);
    let result = matmul_peak(args.size, threads, args.tuning.tuning(), args.rounds)?;
    if args.json {
        return print_json(&result);
    }
    print_table(
        &["N", "threads", "ms per product", "GFLOP/s"],
        &[vec![
            result.size.to_string(),
            result.threads.to_string(),
            format!("{:.2}", result.ms_per_product),
            format!("{:.1}", result.gflop_per_s),
        ]],
    );
    Ok(())
}

/// `value` with `decimals` decimals and `unit`, or "n/a" when the FLOPs
/// could not be counted (NaN).
fn counted(value: f64, decimals: usize, unit: &str) -> String {
    if value.is_nan() {
        "n/a".into()
    } else {
        format!("{value:.decimals$}{unit}")
    }
}

/// Runs `seer bench upscale-speed`.
pub fn upscale_speed(args: UpscaleSpeedArgs) -> anyhow::Result<()> {
    let store = Store::open_default()?;
    init_runtime(&store)?;
    let options = SpeedOptions {
        models: args.models.clone(),
        tile: args.tile,
        threads: args.threads.unwrap_or_else(seer_runtime::physical_cores),
        rounds: args.rounds,
        count_only: args.count_only,
        engines: args
            .engine
            .iter()
            .map(|e| match e {
                Engine::Ort => SpeedEngine::Ort,
                Engine::Native => SpeedEngine::Native,
            })
            .collect(),
        tuning: args.tuning.tuning(),
    };
    let result = measure_speed(&store, &options, &crate::progress::cancel_on_ctrl_c())?;
    if args.json {
        return print_json(&result);
    }
    for skipped in &result.skipped {
        eprintln!("{}: {}", skipped.model, skipped.reason);
    }
    for count in &result.counts {
        out_line(&format!(
            "{}: {} GFLOP per {}² input, {} MFLOP per input pixel",
            count.model,
            counted(count.gflop_per_tile, 2, ""),
            result.tile,
            counted(count.mflop_per_lr_px, 3, "")
        ));
    }
    if args.count_only {
        return Ok(());
    }
    out_line(&format!(
        "{} threads; MatMul 1024³ peak {:.1} GFLOP/s; tile {}² input pixels, context included",
        result.threads, result.matmul.gflop_per_s, result.tile
    ));
    let rows: Vec<Vec<String>> = result
        .models
        .iter()
        .map(|m| {
            vec![
                m.model.clone(),
                match m.engine {
                    SpeedEngine::Ort => "ORT".into(),
                    SpeedEngine::Native => "native".into(),
                },
                counted(m.mflop_per_lr_px, 3, ""),
                format!("{:.1}", m.ms_per_tile),
                format!("{:.1}", m.cpu_ms_per_tile),
                format!("{:.1}", m.lr_kpx_per_s),
                counted(m.gflop_per_s, 1, ""),
                counted(m.percent_of_matmul_peak, 0, "%"),
            ]
        })
        .collect();
    print_table(
        &[
            "model",
            "engine",
            "MFLOP/LR px",
            "ms/tile",
            "CPU ms/tile",
            "LR kpx/s",
            "GFLOP/s",
            "of MatMul peak",
        ],
        &rows,
    );
    Ok(())
}

/// Runs `seer bench upscale-overhead`.
pub fn upscale_overhead(args: UpscaleOverheadArgs) -> anyhow::Result<()> {
    let image = image::open(&args.image)
        .with_context(|| format!("cannot read image {}", args.image.display()))?
        .to_rgb8();
    let store = Store::open_default()?;
    let defaults = UpscaleOptions::default();
    let options = UpscaleOptions {
        scale: Some(args.scale),
        tile: args.tile,
        threads: args.threads.unwrap_or(defaults.threads),
        engine: args.engine.choice(),
        ..defaults
    };
    let report = measure_overhead(
        &store,
        &args.model,
        &options,
        args.tuning.tuning(),
        &image,
        args.rounds,
    )?;
    if args.json {
        return print_json(&report);
    }
    out_line(&format!(
        "{} ({}) on {}x{} ({} tiles of ≤{} px, {} threads, {:.2} MFLOP per LR pixel incl. tile context); decode excluded",
        report.model,
        report.engine,
        report.image_size.0,
        report.image_size.1,
        report.tiles,
        report.tile,
        report.threads,
        report.mflop_per_lr_px
    ));
    print_table(
        &["path", "s per image", "LR kpx/s", "GFLOP/s"],
        &[
            vec![
                "seer pipeline".into(),
                format!("{:.3}", report.pipeline_seconds),
                format!("{:.1}", report.pipeline_lr_kpx_per_s),
                format!("{:.1}", report.pipeline_gflop_per_s),
            ],
            vec![
                "bare model loop".into(),
                format!("{:.3}", report.bare_seconds),
                format!("{:.1}", report.bare_lr_kpx_per_s),
                format!("{:.1}", report.bare_gflop_per_s),
            ],
        ],
    );
    out_line(&format!(
        "overhead: {:.1}% wall time; {:.1}% CPU time ({:.2} vs {:.2} CPU s per image)",
        report.overhead_percent,
        report.overhead_cpu_percent,
        report.pipeline_cpu_seconds,
        report.bare_cpu_seconds
    ));
    Ok(())
}
