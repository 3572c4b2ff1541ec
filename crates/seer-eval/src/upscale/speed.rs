//! Speed of the upscaling models against the hardware: the achievable
//! fp32 MatMul rate of ONNX Runtime on this CPU ([`matmul_peak`]) and, per
//! model and engine, milliseconds per square tile, GFLOP/s and the share of
//! that peak ([`upscale_speed`]).

use crate::EvalError;
use seer_core::cpu_time::process_cpu_seconds as cpu_seconds;
use seer_core::progress::NoProgress;
use seer_core::CancelToken;
use seer_models::Store;
use seer_onnx::{encode, CostModel, DataType, Dim, GraphBuilder};
use seer_runtime::{Engine, EngineChoice, RuntimeError, Session, SessionOptions, Tensor, Tuning};
use seer_upscale::{Layout, UpscaleConvention};
use serde::Serialize;

/// Models [`upscale_speed`] measures by default: one per tier and scale.
pub const DEFAULT_MODELS: &[&str] = &[
    "upscale.waifu2x-upconv7-photo.x2",
    "upscale.srmdnf.x2",
    "upscale.realesr-animevideov3.x2",
    "upscale.realesr-animevideov3.x4",
    "upscale.realesrgan-x4plus.x4",
];

/// The timing of an N×N by N×N fp32 MatMul in ONNX Runtime.
#[derive(Clone, Debug, Serialize)]
pub struct MatmulResult {
    /// Matrix side N.
    pub size: usize,
    /// ONNX Runtime intra-op threads.
    pub threads: usize,
    /// ONNX Runtime settings.
    pub tuning: Tuning,
    /// Timed products (after one warm-up).
    pub rounds: usize,
    /// Milliseconds per product.
    pub ms_per_product: f64,
    /// Achieved rate, 2·N³ FLOP per product, GFLOP/s.
    pub gflop_per_s: f64,
}

/// Times an N×N×N fp32 MatMul in ONNX Runtime (loaded by the caller);
/// 2·N³ FLOP per product.
pub fn matmul_peak(
    size: usize,
    threads: usize,
    tuning: Tuning,
    rounds: usize,
) -> Result<MatmulResult, EvalError> {
    if size == 0 {
        return Err(EvalError::InvalidOption {
            option: "size",
            why: "must be at least 1".into(),
        });
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

/// An engine [`upscale_speed`] times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeedEngine {
    /// ONNX Runtime's CPU kernels.
    Ort,
    /// seer's native engine (Winograd 3×3 convolutions).
    Native,
}

/// What [`upscale_speed`] measures.
#[derive(Clone, Debug)]
pub struct SpeedOptions {
    /// Model ids (empty: [`DEFAULT_MODELS`]).
    pub models: Vec<String>,
    /// Tile side in input pixels (the model input, context included).
    pub tile: u32,
    /// Intra-op threads of both engines.
    pub threads: usize,
    /// Timed runs per model and engine (after one warm-up).
    pub rounds: usize,
    /// Only count the operations; run nothing.
    pub count_only: bool,
    /// Engines to time; models an engine cannot run are listed in
    /// [`SpeedResult::skipped`].
    pub engines: Vec<SpeedEngine>,
    /// ONNX Runtime settings.
    pub tuning: Tuning,
}

/// The speed of one model on one engine.
#[derive(Clone, Debug, Serialize)]
pub struct ModelSpeed {
    /// The model id.
    pub model: String,
    /// The engine that ran it.
    pub engine: SpeedEngine,
    /// Input tile side (context included), pixels.
    pub tile: u32,
    /// GFLOP (2 × MAC) per tile; NaN (`null`) when not countable.
    pub gflop_per_tile: f64,
    /// FLOP per input pixel of the tile, millions (no tiling overhead).
    pub mflop_per_lr_px: f64,
    /// Wall milliseconds per tile.
    pub ms_per_tile: f64,
    /// CPU milliseconds per tile, all threads.
    pub cpu_ms_per_tile: f64,
    /// Input kilopixels per second.
    pub lr_kpx_per_s: f64,
    /// Achieved GFLOP/s.
    pub gflop_per_s: f64,
    /// Share of the MatMul peak, percent.
    pub percent_of_matmul_peak: f64,
}

/// The operation count of a model that was not timed (`count_only`).
#[derive(Clone, Debug, Serialize)]
pub struct ModelCount {
    /// The model id.
    pub model: String,
    /// GFLOP per tile; NaN (`null`) when not countable.
    pub gflop_per_tile: f64,
    /// MFLOP per input pixel of the tile.
    pub mflop_per_lr_px: f64,
}

/// A model/engine pair or an operation count that could not be measured,
/// and why.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    /// The model id.
    pub model: String,
    /// The engine, or `None` when the operations could not be counted.
    pub engine: Option<SpeedEngine>,
    /// Why.
    pub reason: String,
}

/// The result of [`upscale_speed`].
#[derive(Clone, Debug, Serialize)]
pub struct SpeedResult {
    /// Intra-op threads.
    pub threads: usize,
    /// ONNX Runtime settings.
    pub tuning: Tuning,
    /// Tile side, input pixels, context included.
    pub tile: u32,
    /// The 1024³ MatMul peak the models are compared with.
    pub matmul: MatmulResult,
    /// Timed models.
    pub models: Vec<ModelSpeed>,
    /// Counted models (`count_only`).
    pub counts: Vec<ModelCount>,
    /// What could not be measured.
    pub skipped: Vec<Skipped>,
}

/// One model input of `tile`×`tile` pixels: a smooth colour pattern in the
/// model's value range plus its constant channels.
pub fn pattern_tile(c: &UpscaleConvention, tile: u32) -> Tensor {
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
                    c.extra_channels.get(ch - 3).copied().unwrap_or(0.0)
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

/// Measures each model of `options` on each engine (ONNX Runtime loaded by
/// the caller); `cancel` is checked between models.
pub fn upscale_speed(
    store: &Store,
    options: &SpeedOptions,
    cancel: &CancelToken,
) -> Result<SpeedResult, EvalError> {
    if options.tile == 0 {
        return Err(EvalError::InvalidOption {
            option: "tile",
            why: "must be at least 1 pixel".into(),
        });
    }
    let threads = options.threads.max(1);
    let matmul_rounds = if options.count_only { 1 } else { 10 };
    let matmul = matmul_peak(1024, threads, options.tuning, matmul_rounds)?;
    let ids: Vec<String> = if options.models.is_empty() {
        DEFAULT_MODELS.iter().map(|s| s.to_string()).collect()
    } else {
        options.models.clone()
    };
    let rounds = options.rounds.max(1);
    let px = f64::from(options.tile) * f64::from(options.tile);
    let mut result = SpeedResult {
        threads,
        tuning: options.tuning,
        tile: options.tile,
        matmul,
        models: Vec::new(),
        counts: Vec::new(),
        skipped: Vec::new(),
    };
    for id in &ids {
        cancel.check()?;
        let convention = UpscaleConvention::from_spec(store.model(id)?)?;
        let path = store.ensure(id, &NoProgress)?;
        let input = pattern_tile(&convention, options.tile);
        // Some graphs (waifu2x CUNet's data-dependent crops) defeat the
        // static shape walk; their speed is still measured, FLOPs NaN.
        let shape: Vec<i64> = input.shape.iter().map(|&d| d as i64).collect();
        let gflop = match CostModel::from_file(&path).and_then(|mut cost| cost.macs(&[shape])) {
            Ok(macs) => 2.0 * macs as f64 / 1e9,
            Err(e) => {
                result.skipped.push(Skipped {
                    model: id.clone(),
                    engine: None,
                    reason: format!("operations not counted: {e}"),
                });
                f64::NAN
            }
        };
        if options.count_only {
            result.counts.push(ModelCount {
                model: id.clone(),
                gflop_per_tile: gflop,
                mflop_per_lr_px: gflop * 1e3 / px,
            });
            continue;
        }
        for &engine in &options.engines {
            let choice = match engine {
                SpeedEngine::Ort => EngineChoice::Ort,
                SpeedEngine::Native => EngineChoice::Native,
            };
            let mut loaded = match Engine::open(&path, id, threads, choice, options.tuning) {
                Ok(loaded) => loaded,
                Err(why @ RuntimeError::NativeUnsupported { .. }) => {
                    result.skipped.push(Skipped {
                        model: id.clone(),
                        engine: Some(engine),
                        reason: why.to_string(),
                    });
                    continue;
                }
                Err(other) => return Err(other.into()),
            };
            let runs = [input.clone()];
            loaded.time_bare_runs(&runs, 1)?;
            let cpu_before = cpu_seconds();
            let seconds = loaded.time_bare_runs(&runs, rounds)? / rounds as f64;
            let cpu = (cpu_seconds() - cpu_before) / rounds as f64;
            result.models.push(ModelSpeed {
                model: id.clone(),
                engine,
                tile: options.tile,
                gflop_per_tile: gflop,
                mflop_per_lr_px: gflop * 1e3 / px,
                ms_per_tile: seconds * 1000.0,
                cpu_ms_per_tile: cpu * 1000.0,
                lr_kpx_per_s: px / 1000.0 / seconds,
                gflop_per_s: gflop / seconds,
                percent_of_matmul_peak: 100.0 * gflop / seconds / result.matmul.gflop_per_s,
            });
        }
    }
    Ok(result)
}
