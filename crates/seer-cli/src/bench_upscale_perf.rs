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
use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use seer_core::cpu_time::process_cpu_seconds as cpu_seconds;
use seer_core::progress::NoProgress;
use seer_models::Store;
use seer_onnx::CostModel;
use seer_onnx::{encode, DataType, Dim, GraphBuilder};
use seer_runtime::{Engine as SeerEngine, RuntimeError};
use seer_runtime::{Optimization, Session, SessionOptions, Tensor, Tuning};
use seer_upscale::overhead::measure_overhead;
use seer_upscale::{EngineChoice, Layout, UpscaleConvention, UpscaleOptions};
use serde::Serialize;
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
    #[arg(long)]
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
    #[arg(long, default_value_t = 256)]
    tile: u32,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long)]
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
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
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
    #[arg(long, default_value_t = 256)]
    tile: u32,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long)]
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

/// Models `upscale-speed` measures by default: one per tier and scale the
/// issue names.
const DEFAULT_MODELS: &[&str] = &[
    "upscale.waifu2x-upconv7-photo.x2",
    "upscale.srmdnf.x2",
    "upscale.realesr-animevideov3.x2",
    "upscale.realesr-animevideov3.x4",
    "upscale.realesrgan-x4plus.x4",
];

#[derive(Serialize)]
struct MatmulResult {
    size: usize,
    threads: usize,
    tuning: Tuning,
    rounds: usize,
    ms_per_product: f64,
    gflop_per_s: f64,
}

/// Loads ONNX Runtime from the store (or `ORT_DYLIB_PATH`).
fn init_runtime(store: &Store) -> anyhow::Result<()> {
    let library = store.runtime_library(true, &NoProgress)?;
    seer_runtime::init(&library)?;
    Ok(())
}

/// Times an N×N×N fp32 MatMul; 2·N³ FLOP per product.
fn matmul_peak(
    size: usize,
    threads: usize,
    tuning: Tuning,
    rounds: usize,
) -> anyhow::Result<MatmulResult> {
    if size == 0 {
        bail!("--size must be at least 1");
    }
    let mut g = GraphBuilder::new("matmul");
    let n = size as i64;
    let a = g.input("a", DataType::Float, &[Dim::Fixed(n), Dim::Fixed(n)]);
    let b = g.input("b", DataType::Float, &[Dim::Fixed(n), Dim::Fixed(n)]);
    let c = g.node("MatMul", &[&a, &b], &[], "c");
    g.output(&c, "c", DataType::Float, None);
    let bytes = encode(&g.finish());
    let mut session =
        Session::from_bytes_tuned("matmul", &bytes, &SessionOptions { threads }, tuning)?;
    let fill = |k: usize| -> Vec<f32> {
        (0..size * size)
            .map(|i| ((i * 7 + k) % 13) as f32 / 13.0 - 0.5)
            .collect()
    };
    let inputs = vec![vec![
        Tensor {
            shape: vec![size, size],
            data: fill(1),
        },
        Tensor {
            shape: vec![size, size],
            data: fill(2),
        },
    ]];
    session.time_bare_runs(&inputs, 1)?;
    let rounds = rounds.max(1);
    let seconds = session.time_bare_runs(&inputs, rounds)? / rounds as f64;
    let flop = 2.0 * (size as f64).powi(3);
    Ok(MatmulResult {
        size,
        threads,
        tuning,
        rounds,
        ms_per_product: seconds * 1000.0,
        gflop_per_s: flop / seconds / 1e9,
    })
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

#[derive(Serialize)]
struct ModelSpeed {
    model: String,
    /// The engine that ran it.
    engine: Engine,
    /// Input tile side (context included), pixels.
    tile: u32,
    /// Output pixels each model run keeps (tile minus context, scaled).
    gflop_per_tile: f64,
    /// FLOP per input pixel of the tile, millions (no tiling overhead).
    mflop_per_lr_px: f64,
    ms_per_tile: f64,
    /// CPU milliseconds per tile, all threads.
    cpu_ms_per_tile: f64,
    lr_kpx_per_s: f64,
    gflop_per_s: f64,
    percent_of_matmul_peak: f64,
}

#[derive(Serialize)]
struct SpeedResult {
    threads: usize,
    tuning: Tuning,
    matmul: MatmulResult,
    models: Vec<ModelSpeed>,
}

/// One model input of `tile`×`tile` pixels: a smooth colour pattern in the
/// model's value range plus its constant channels.
fn tile_tensor(c: &UpscaleConvention, tile: u32) -> Tensor {
    let t = tile as usize;
    let channels = c.input_channels();
    let mut data = vec![0.0f32; channels * t * t];
    for y in 0..t {
        for x in 0..t {
            let rgb = [
                x as f32 / t as f32,
                y as f32 / t as f32,
                ((x + y) % 32) as f32 / 32.0,
            ];
            for ch in 0..channels {
                let v = if ch < 3 {
                    rgb[ch] * c.value_range
                } else {
                    c.extra_channels[ch - 3]
                };
                match c.layout {
                    Layout::Nchw => data[(ch * t + y) * t + x] = v,
                    Layout::Nhwc => data[(y * t + x) * channels + ch] = v,
                }
            }
        }
    }
    let shape = match c.layout {
        Layout::Nchw => vec![1, channels, t, t],
        Layout::Nhwc => vec![1, t, t, channels],
    };
    Tensor { shape, data }
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
    let threads = args.threads.unwrap_or_else(seer_runtime::physical_cores);
    let tuning = args.tuning.tuning();
    let matmul = matmul_peak(1024, threads, tuning, if args.count_only { 1 } else { 10 })?;
    let ids: Vec<String> = if args.models.is_empty() {
        DEFAULT_MODELS.iter().map(|s| s.to_string()).collect()
    } else {
        args.models.clone()
    };
    let rounds = args.rounds.max(1);
    let mut models = Vec::new();
    for id in &ids {
        let convention = UpscaleConvention::from_spec(store.model(id)?)?;
        let path = store.ensure(id, &NoProgress)?;
        let input = tile_tensor(&convention, args.tile);
        // Some graphs (waifu2x CUNet's data-dependent crops) defeat the
        // static shape walk; their speed is still measured, FLOPs shown n/a.
        let counted = CostModel::from_file(&path)
            .map_err(anyhow::Error::from)
            .and_then(|mut cost| {
                Ok(cost.macs(&[input.shape.iter().map(|&d| d as i64).collect()])?)
            });
        let gflop = match counted {
            Ok(macs) => 2.0 * macs as f64 / 1e9,
            Err(e) => {
                eprintln!("{id}: operations not counted ({e:#})");
                f64::NAN
            }
        };
        let px = f64::from(args.tile) * f64::from(args.tile);
        if args.count_only {
            out_line(&format!(
                "{id}: {gflop:.2} GFLOP per {}² input, {:.3} MFLOP per input pixel",
                args.tile,
                gflop * 1e3 / px
            ));
            continue;
        }
        for engine in &args.engine {
            let choice = match engine {
                Engine::Ort => EngineChoice::Ort,
                Engine::Native => EngineChoice::Native,
            };
            let mut loaded = match SeerEngine::open(&path, id, threads, choice, tuning) {
                Ok(loaded) => loaded,
                Err(why @ RuntimeError::NativeUnsupported { .. }) => {
                    eprintln!("{id}: not timed natively ({:#})", anyhow::Error::from(why));
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            let runs = [input.clone()];
            loaded.time_bare_runs(&runs, 1)?;
            let cpu_before = cpu_seconds();
            let seconds = loaded.time_bare_runs(&runs, rounds)? / rounds as f64;
            let timed = (seconds, (cpu_seconds() - cpu_before) / rounds as f64);
            let (seconds, cpu) = timed;
            models.push(ModelSpeed {
                model: id.clone(),
                engine: *engine,
                tile: args.tile,
                gflop_per_tile: gflop,
                mflop_per_lr_px: gflop * 1e3 / px,
                ms_per_tile: seconds * 1000.0,
                cpu_ms_per_tile: cpu * 1000.0,
                lr_kpx_per_s: px / 1000.0 / seconds,
                gflop_per_s: gflop / seconds,
                percent_of_matmul_peak: 100.0 * gflop / seconds / matmul.gflop_per_s,
            });
        }
    }
    let result = SpeedResult {
        threads,
        tuning,
        matmul,
        models,
    };
    if args.json {
        return print_json(&result);
    }
    out_line(&format!(
        "{} threads; MatMul 1024³ peak {:.1} GFLOP/s; tile {}² input pixels, context included",
        result.threads, result.matmul.gflop_per_s, args.tile
    ));
    let rows: Vec<Vec<String>> = result
        .models
        .iter()
        .map(|m| {
            vec![
                m.model.clone(),
                match m.engine {
                    Engine::Ort => "ORT".into(),
                    Engine::Native => "native".into(),
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
