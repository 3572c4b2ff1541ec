//! `seer upscale IN OUT`: super-resolution of one image file, of every
//! image of a folder (see `upscale_batch`) or of a video (by extension: see
//! `upscale_video`), and
//! `seer bench upscale`: PSNR/SSIM of an upscaler on a folder of
//! high-resolution images (e.g. Set5). The work is done by `seer_upscale`;
//! this module parses arguments, adds flag hints to errors and prints.

use crate::output::{print_json, print_table};
use crate::progress::cancel_on_ctrl_c;
use crate::progress::TerminalProgress;
use anyhow::bail;
use clap::Args;
use seer_eval::upscale::quality::{bench_dataset, BenchJob};
use seer_models::Store;
use seer_upscale::{EngineChoice, ImageJob, Target, UpscaleError, VideoJob};
use std::path::PathBuf;

/// Arguments of `seer upscale`.
#[derive(Args)]
pub struct UpscaleArgs {
    /// Input image (PNG, JPEG, WebP, TIFF, BMP), folder of images, or video (MP4, MKV, MOV, WebM).
    input: PathBuf,
    /// Output image, folder (created; sub-folders and names mirrored) or video; the format follows the extension.
    output: PathBuf,
    /// Output pixels per input pixel, 1 to 16, e.g. 2 or 1.5 (default: the
    /// model's smallest native scale). Other than a native scale: the next
    /// native scale, then Lanczos.
    #[arg(long, value_parser = parse_factor, conflicts_with_all = ["width", "height"])]
    scale: Option<f64>,
    /// Output width in pixels (height keeps the aspect ratio); images only.
    #[arg(long, conflicts_with = "height")]
    width: Option<u32>,
    /// Output height in pixels (width keeps the aspect ratio); images only.
    #[arg(long)]
    height: Option<u32>,
    /// Memory budget of the job, e.g. 4G, 1.5G, 800M (default 4G): limits
    /// the tile size and refuses images that cannot fit.
    #[arg(long, default_value = "4G", value_parser = parse_memory)]
    max_memory: u64,
    /// Tier (fast, photo, perceptual, anime, anime-quality), model family (esrgan-slim) or model id.
    #[arg(long, default_value = "photo")]
    model: String,
    /// Largest tile side in input pixels, context included.
    #[arg(long, default_value_t = 256, value_parser = crate::upscale::parse_tile)]
    tile: u32,
    /// Inference threads (default: physical cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Inference engine: auto (seer's native Winograd engine where the
    /// model allows, else ONNX Runtime), native or ort.
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    engine: EngineArg,
    /// Video encoder (default libx264, else the best H.264 encoder; e.g. libx265, libvpx-vp9).
    #[arg(long)]
    codec: Option<String>,
    /// Video quality: constant rate factor, 0 (lossless) to 51 (default 18).
    #[arg(long, value_parser = crate::upscale_video::parse_crf)]
    crf: Option<u32>,
    /// Video chroma resolution: 420 (plays everywhere) or 444.
    #[arg(long, default_value = "420", value_parser = crate::upscale_video::parse_chroma)]
    chroma: seer_video::Chroma,
    /// Video: continue an interrupted upscale of the same input to the same output.
    #[arg(long)]
    resume: bool,
    /// Video: frames per resumable segment (the most work an interruption loses).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    segment_frames: u64,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer bench upscale`.
#[derive(Args)]
pub struct BenchUpscaleArgs {
    /// Folder of high-resolution images (e.g. Set5).
    #[arg(long)]
    dataset: PathBuf,
    /// Scale (2, 3, 4 or 8).
    #[arg(long, value_parser = parse_scale)]
    scale: u32,
    /// Tier, model family or model id.
    #[arg(long, default_value = "photo")]
    model: String,
    /// Largest tile side in input pixels, context included.
    #[arg(long, default_value_t = 256, value_parser = crate::upscale::parse_tile)]
    tile: u32,
    /// Inference threads (default: physical cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Inference engine: auto, native or ort.
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    engine: EngineArg,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// `--engine` values.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum EngineArg {
    /// Native where the model allows, else ONNX Runtime.
    Auto,
    /// seer's native engine (Winograd convolutions); an error for other models.
    Native,
    /// ONNX Runtime.
    Ort,
}

impl EngineArg {
    /// The library's engine choice.
    pub fn choice(self) -> EngineChoice {
        match self {
            EngineArg::Auto => EngineChoice::Auto,
            EngineArg::Native => EngineChoice::Native,
            EngineArg::Ort => EngineChoice::Ort,
        }
    }
}

/// Parses `--scale` for images: a factor from 1 to 16.
fn parse_factor(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if (1.0..=16.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "'{text}' is not a scale; use a number from 1 to 16, e.g. 2 or 1.5"
        )),
    }
}

/// Parses `--threads`: 1 to the library's limit.
pub(crate) fn parse_threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=seer_upscale::MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a thread count; use 1 to {}",
            seer_upscale::MAX_THREADS
        )),
    }
}

/// Parses `--tile`: a side in pixels within the library's limits.
pub(crate) fn parse_tile(text: &str) -> Result<u32, String> {
    let range = seer_upscale::MIN_TILE..=seer_upscale::MAX_TILE;
    match text.parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "'{text}' is not a tile side; use {} to {} pixels",
            range.start(),
            range.end()
        )),
    }
}

/// Parses `--max-memory`: bytes, or a number with K, M, G (binary units,
/// optional "iB"/"B").
fn parse_memory(text: &str) -> Result<u64, String> {
    let bad = || format!("'{text}' is not a memory size; use e.g. 4G, 1.5G or 800M");
    let t = text.trim().to_ascii_uppercase();
    let t = t.trim_end_matches("IB").trim_end_matches('B');
    let (number, unit) = match t.char_indices().last() {
        Some((i, c @ ('K' | 'M' | 'G' | 'T'))) => (&t[..i], c),
        _ => (t, ' '),
    };
    let n: f64 = number.trim().parse().map_err(|_| bad())?;
    let factor = match unit {
        'K' => 1024.0,
        'M' => 1024.0 * 1024.0,
        'G' => 1024.0 * 1024.0 * 1024.0,
        'T' => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => 1.0,
    };
    let bytes = n * factor;
    // Below 64 MiB no model fits.
    if !(bytes.is_finite() && bytes >= seer_upscale::MIN_MAX_MEMORY as f64) {
        return Err(format!("{} (at least 64M)", bad()));
    }
    // Above 1 PiB no machine has it, and the number would saturate the
    // budget arithmetic (the library caps budgets at the machine anyway).
    if bytes > (1u64 << 50) as f64 {
        return Err(format!("{} (at most 1024T)", bad()));
    }
    Ok(bytes as u64)
}

/// The integer scale of `--scale` for videos.
fn integer_scale(scale: Option<f64>) -> anyhow::Result<Option<u32>> {
    match scale {
        None => Ok(None),
        Some(f) if f.fract() == 0.0 && f >= 2.0 => Ok(Some(f as u32)),
        Some(f) => bail!("videos need a whole scale of 2 or more (got {f}); use e.g. --scale 2"),
    }
}

fn parse_scale(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(s @ (2 | 3 | 4 | 8)) => Ok(s),
        _ => Err(format!("'{text}' is not a scale; use 2, 3, 4 or 8")),
    }
}

/// The library error with the command-line hint its variant calls for
/// (the library names no flags).
pub(crate) fn with_hint(error: UpscaleError) -> anyhow::Error {
    use seer_imgproc::ImageError;
    use seer_video::VideoError;
    let hint = match &error {
        UpscaleError::OverBudget { .. } => Some("the budget is --max-memory, the model --model"),
        UpscaleError::Image(
            ImageError::OverBudget { budget, .. } | ImageError::FileOverBudget { budget, .. },
        ) => {
            if Some(*budget) == seer_core::memory::physical_memory() {
                Some("the budget is already all of this machine's memory; use a smaller image")
            } else {
                Some("raise --max-memory (up to this machine's memory)")
            }
        }
        UpscaleError::BadSetting { setting, .. } => match *setting {
            "tile side" => Some("change --tile"),
            "thread count" => Some("change --threads"),
            "memory budget" => Some("change --max-memory"),
            _ => None,
        },
        UpscaleError::Runtime(seer_runtime::RuntimeError::NativeUnsupported { .. }) => {
            Some("use --engine auto or ort")
        }
        UpscaleError::Paused { .. } => Some("run the same command with --resume to continue"),
        UpscaleError::WorkFolderExists { .. } => Some("pass --resume to continue it"),
        UpscaleError::BadTarget { .. } => Some("choose another --scale, --width or --height"),
        UpscaleError::UnknownModel { .. } => Some("`seer models list` shows the model ids"),
        UpscaleError::Video(VideoError::OddSize { .. }) => Some("use --chroma 444"),
        UpscaleError::Video(VideoError::Container { .. }) => {
            Some("try another --codec or output extension")
        }
        _ => None,
    };
    crate::output::hinted(error, hint)
}

/// Runs `seer upscale`.
pub fn run(args: UpscaleArgs) -> anyhow::Result<()> {
    if seer_video::is_video_path(&args.input) {
        return run_video(args);
    }
    let target = match (args.scale, args.width, args.height) {
        (Some(f), _, _) => Some(Target::Scale(f)),
        (_, Some(w), _) => Some(Target::Width(w)),
        (_, _, Some(h)) => Some(Target::Height(h)),
        _ => None,
    };
    let job = ImageJob {
        model: args.model,
        target,
        tile: args.tile,
        threads: args.threads,
        engine: args.engine.choice(),
        max_memory: args.max_memory,
    };
    if args.input.is_dir() {
        return crate::upscale_batch::run_folder(&args.input, &args.output, &job, args.json);
    }
    crate::upscale_batch::run_image(&args.input, &args.output, &job, args.json)
}

/// Runs `seer upscale` on a video.
fn run_video(args: UpscaleArgs) -> anyhow::Result<()> {
    if args.width.is_some() || args.height.is_some() {
        bail!("--width and --height are for images; give videos a whole --scale");
    }
    let job = VideoJob {
        model: args.model,
        scale: integer_scale(args.scale)?,
        tile: args.tile,
        threads: args.threads,
        engine: args.engine.choice(),
        max_memory: args.max_memory,
        encode: seer_video::EncodeOptions {
            codec: args.codec,
            crf: args.crf,
            preset: None,
            chroma: args.chroma,
        },
        resume: args.resume,
        segment_frames: args.segment_frames,
    };
    crate::upscale_video::run(&args.input, &args.output, &job, args.json)
}

/// Runs `seer bench upscale`.
pub fn bench(args: BenchUpscaleArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let job = BenchJob {
        dataset: args.dataset,
        scale: args.scale,
        model: args.model,
        tile: args.tile,
        threads: args.threads,
        engine: args.engine.choice(),
    };
    let store = Store::open_default()?;
    let result = bench_dataset(&store, &job, &progress, &cancel_on_ctrl_c()).map_err(with_hint)?;
    if args.json {
        return print_json(&result);
    }
    let mut rows: Vec<Vec<String>> = result
        .images
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                format!("{}x{}", s.hr_size.0, s.hr_size.1),
                format!("{:.2}", s.psnr),
                format!("{:.4}", s.ssim),
                format!("{:.2}", s.bicubic_psnr),
                format!("{:.4}", s.bicubic_ssim),
                format!("{:.1}", s.lr_kpx_per_s),
                format!("{:.1}", s.gflop_per_s.unwrap_or(0.0)),
            ]
        })
        .collect();
    let m = &result.mean;
    rows.push(vec![
        "mean".into(),
        String::new(),
        format!("{:.2}", m.psnr),
        format!("{:.4}", m.ssim),
        format!("{:.2}", m.bicubic_psnr),
        format!("{:.4}", m.bicubic_ssim),
        format!("{:.1}", m.lr_kpx_per_s),
        format!("{:.1}", m.gflop_per_s),
    ]);
    crate::output::out_line(&format!(
        "{} x{} ({}; engine {}) on {}",
        result.model,
        result.scale,
        result.chain.join(" -> "),
        result.engines.join(", "),
        result.dataset
    ));
    print_table(
        &[
            "image",
            "HR size",
            "PSNR-Y",
            "SSIM-Y",
            "bicubic PSNR",
            "bicubic SSIM",
            "LR kpx/s",
            "GFLOP/s",
        ],
        &rows,
    );
    Ok(())
}
