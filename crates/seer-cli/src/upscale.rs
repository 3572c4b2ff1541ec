//! `seer upscale IN OUT`: super-resolution of one image file (or a video,
//! by extension: see `upscale_video`), and
//! `seer bench upscale`: PSNR/SSIM of an upscaler on a folder of
//! high-resolution images (e.g. Set5).

use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::{bail, Context};
use clap::Args;
use image::{DynamicImage, ImageFormat};
use seer_models::Store;
use seer_upscale::bench::{add_cost, score_image, ImageScore};
use seer_upscale::{UpscaleOptions, UpscaleReport, Upscaler};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Image formats seer reads and writes, for error messages.
const FORMATS: &str = "PNG, JPEG, WebP, TIFF or BMP";

/// Arguments of `seer upscale`.
#[derive(Args)]
pub struct UpscaleArgs {
    /// Input image (PNG, JPEG, WebP, TIFF, BMP) or video (MP4, MKV, MOV, WebM).
    input: PathBuf,
    /// Output image or video; the format follows the extension.
    output: PathBuf,
    /// Output pixels per input pixel (default: the model's smallest native scale).
    #[arg(long, value_parser = parse_scale)]
    scale: Option<u32>,
    /// Tier (fast, photo, perceptual, anime, anime-quality), model family (esrgan-slim) or model id.
    #[arg(long, default_value = "photo")]
    model: String,
    /// Largest tile side in input pixels, context included.
    #[arg(long, default_value_t = 256)]
    tile: u32,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long)]
    threads: Option<usize>,
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
    #[arg(long, default_value_t = 256)]
    tile: u32,
    /// ONNX Runtime threads (default: physical cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_scale(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(s @ (2 | 3 | 4 | 8)) => Ok(s),
        _ => Err(format!("'{text}' is not a scale; use 2, 3, 4 or 8")),
    }
}

#[derive(Serialize)]
struct UpscaleOutput {
    input: String,
    output: String,
    #[serde(flatten)]
    report: UpscaleReport,
}

fn options(scale: Option<u32>, tile: u32, threads: Option<usize>) -> UpscaleOptions {
    let defaults = UpscaleOptions::default();
    UpscaleOptions {
        scale,
        tile,
        threads: threads.unwrap_or(defaults.threads),
        ..defaults
    }
}

/// Loads the runtime and the upscaler's models with progress bars.
fn open_upscaler(
    model: &str,
    options: &UpscaleOptions,
    progress: &TerminalProgress,
) -> anyhow::Result<Upscaler> {
    let store = Store::open_default()?;
    Ok(Upscaler::with_progress(&store, model, options, progress)?)
}

/// Decodes an image file with clear errors for empty, unknown and corrupt
/// files; the format is recognised from the content, not the extension.
fn read_image(path: &Path) -> anyhow::Result<DynamicImage> {
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read input {}", path.display()))?;
    if bytes.is_empty() {
        bail!(
            "input {} is empty (0 bytes); give a {FORMATS} image",
            path.display()
        );
    }
    let Ok(format) = image::guess_format(&bytes) else {
        bail!(
            "input {} is not a supported image; give a {FORMATS} image",
            path.display()
        );
    };
    let image = image::load_from_memory_with_format(&bytes, format).map_err(|e| {
        anyhow::anyhow!(
            "cannot decode input {}: {e}; give an intact {FORMATS} image",
            path.display()
        )
    })?;
    if image.width() == 0 || image.height() == 0 {
        bail!("input {} has no pixels", path.display());
    }
    Ok(image)
}

/// The output format from the file extension, after checking the folder exists.
fn output_format(path: &Path) -> anyhow::Result<ImageFormat> {
    crate::output::require_output_folder(path)?;
    let format = ImageFormat::from_path(path).ok().filter(|f| {
        matches!(
            f,
            ImageFormat::Png
                | ImageFormat::Jpeg
                | ImageFormat::WebP
                | ImageFormat::Tiff
                | ImageFormat::Bmp
        )
    });
    format.with_context(|| {
        format!(
            "cannot tell the output format of {}; use the extension .png, .jpg, .webp, .tif or .bmp",
            path.display()
        )
    })
}

/// The image in a pixel type the format can store (PNG and TIFF keep 16
/// bits; JPEG has no alpha; the others are 8-bit).
fn fit_for_format(image: DynamicImage, format: ImageFormat) -> DynamicImage {
    let grey = !image.color().has_color();
    let alpha = image.color().has_alpha();
    match format {
        ImageFormat::Png => image,
        ImageFormat::Tiff if !(grey && alpha) => image,
        ImageFormat::Jpeg if grey => DynamicImage::ImageLuma8(image.to_luma8()),
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()),
        _ if alpha => DynamicImage::ImageRgba8(image.to_rgba8()),
        _ => DynamicImage::ImageRgb8(image.to_rgb8()),
    }
}

/// Encodes in memory, then writes through a temporary file in the same
/// folder renamed onto `path`: never a partial file at `path`.
pub(crate) fn write_image(
    image: DynamicImage,
    path: &Path,
    format: ImageFormat,
) -> anyhow::Result<()> {
    let image = fit_for_format(image, format);
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, format)
        .with_context(|| format!("cannot encode {}", path.display()))?;
    seer_models::files::write_atomic(path, bytes.get_ref())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs `seer upscale`.
pub fn run(args: UpscaleArgs) -> anyhow::Result<()> {
    if seer_video::is_video_path(&args.input) {
        return run_video(args);
    }
    let format = output_format(&args.output)?;
    let input = read_image(&args.input)?;
    let progress = TerminalProgress::new();
    let options = options(args.scale, args.tile, args.threads);
    let mut upscaler = open_upscaler(&args.model, &options, &progress)?;
    let output = upscaler.upscale_image(&input, &progress)?;
    write_image(output, &args.output, format)?;
    let result = UpscaleOutput {
        input: args.input.display().to_string(),
        output: args.output.display().to_string(),
        report: upscaler.last_report().clone(),
    };
    if args.json {
        return print_json(&result);
    }
    let r = &result.report;
    let downscale = if r.lanczos_downscale {
        format!(" (x{} then Lanczos to x{})", r.native_scale, r.scale)
    } else {
        String::new()
    };
    print_table(
        &[
            "output", "size", "scale", "models", "tiles", "seconds", "LR kpx/s",
        ],
        &[vec![
            result.output.clone(),
            format!("{}x{}", r.output_size.0, r.output_size.1),
            format!("x{}{downscale}", r.scale),
            r.chain.join(" -> "),
            r.tiles.to_string(),
            format!("{:.2}", r.seconds),
            format!("{:.1}", r.lr_kpx_per_s),
        ]],
    );
    Ok(())
}

/// Runs `seer upscale` on a video.
fn run_video(args: UpscaleArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let options = options(args.scale, args.tile, args.threads);
    let mut upscaler = open_upscaler(&args.model, &options, &progress)?;
    let video = crate::upscale_video::VideoArgs {
        codec: args.codec,
        crf: args.crf,
        chroma: args.chroma,
        resume: args.resume,
        segment_frames: args.segment_frames,
    };
    crate::upscale_video::run(
        &args.input,
        &args.output,
        &mut upscaler,
        video,
        args.json,
        &progress,
    )
}

#[derive(Serialize)]
struct BenchMean {
    psnr: f64,
    ssim: f64,
    bicubic_psnr: f64,
    bicubic_ssim: f64,
    lr_kpx_per_s: f64,
    gflop_per_s: f64,
}

#[derive(Serialize)]
struct BenchOutput {
    dataset: String,
    model: String,
    chain: Vec<String>,
    scale: u32,
    degradation: &'static str,
    metric: &'static str,
    images: Vec<ImageScore>,
    mean: BenchMean,
}

/// Image files of a folder, sorted by name.
fn dataset_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read dataset folder {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && ImageFormat::from_path(p).is_ok())
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("dataset folder {} holds no {FORMATS} images", dir.display());
    }
    Ok(files)
}

/// Runs `seer bench upscale`.
pub fn bench(args: BenchUpscaleArgs) -> anyhow::Result<()> {
    let files = dataset_files(&args.dataset)?;
    let progress = TerminalProgress::new();
    let options = options(Some(args.scale), args.tile, args.threads);
    let mut upscaler = open_upscaler(&args.model, &options, &progress)?;
    let mut cost = seer_upscale::flops::ChainCost::new(&Store::open_default()?, upscaler.plan())?;
    let mut images = Vec::new();
    for path in &files {
        let hr = read_image(path)?.to_rgb8();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut score = score_image(&mut upscaler, &name, &hr, &progress)?;
        add_cost(&mut score, &mut cost, args.scale, args.tile)?;
        images.push(score);
    }
    let n = images.len() as f64;
    let mean_of = |f: fn(&ImageScore) -> f64| images.iter().map(f).sum::<f64>() / n;
    let mean = BenchMean {
        psnr: mean_of(|s| s.psnr),
        ssim: mean_of(|s| s.ssim),
        bicubic_psnr: mean_of(|s| s.bicubic_psnr),
        bicubic_ssim: mean_of(|s| s.bicubic_ssim),
        lr_kpx_per_s: mean_of(|s| s.lr_kpx_per_s),
        gflop_per_s: mean_of(|s| s.gflop_per_s.unwrap_or(0.0)),
    };
    let result = BenchOutput {
        dataset: args.dataset.display().to_string(),
        model: args.model.clone(),
        chain: upscaler.plan().chain.clone(),
        scale: args.scale,
        degradation: "HR cropped to a multiple of the scale; LR by MATLAB-style antialiased bicubic (Keys a=-0.5), 8-bit",
        metric: "PSNR (dB) and SSIM on BT.601 Y (16..235), border = scale",
        images,
        mean,
    };
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
        "{} x{} ({}) on {}",
        result.model,
        result.scale,
        result.chain.join(" -> "),
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
