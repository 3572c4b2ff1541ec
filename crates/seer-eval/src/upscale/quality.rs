//! Measuring an upscaler the way super-resolution papers do: crop the
//! high-resolution (HR) image to a multiple of the scale, make the
//! low-resolution (LR) input with MATLAB-style antialiased bicubic
//! (`seer_imgproc::resize`, Keys a = −0.5, as `imresize`), upscale, and
//! compare with the HR image by PSNR and SSIM on BT.601 luma with `scale`
//! border pixels ignored. Plain bicubic upscaling is measured alongside as
//! the baseline. [`bench_dataset`] does this for every image of a folder
//! (`seer bench upscale`).

use crate::upscale::cost::PlanCost;
use image::RgbImage;
use seer_core::progress::Progress;
use seer_core::CancelToken;
use seer_imgproc::{imresize_bicubic_rgb8, psnr_y, ssim_y};
use seer_models::Store;
use seer_upscale::{EngineChoice, UpscaleError, UpscaleOptions, Upscaled, Upscaler};
use std::path::{Path, PathBuf};

/// Scores of one image (dB for PSNR, 0..1 for SSIM).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImageScore {
    /// Image name (file name).
    pub name: String,
    /// HR size after cropping to a multiple of the scale (pixels).
    pub hr_size: (u32, u32),
    /// PSNR-Y of the model output, dB.
    pub psnr: f64,
    /// SSIM-Y of the model output.
    pub ssim: f64,
    /// PSNR-Y of plain bicubic upscaling, dB.
    pub bicubic_psnr: f64,
    /// SSIM-Y of plain bicubic upscaling.
    pub bicubic_ssim: f64,
    /// Seconds the model took.
    pub seconds: f64,
    /// Throughput: LR kilopixels per second.
    pub lr_kpx_per_s: f64,
    /// Model arithmetic per LR pixel, MFLOP (2 × multiply-accumulates,
    /// tile context included); set by [`add_cost`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mflop_per_lr_px: Option<f64>,
    /// Achieved model arithmetic, GFLOP per second; set by [`add_cost`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gflop_per_s: Option<f64>,
}

/// Fills the score's FLOP figures from the operation count of the chain
/// (`cost`, built for the upscaler's plan) at tile size `tile`; a graph
/// whose operations cannot be counted leaves them empty.
pub fn add_cost(score: &mut ImageScore, cost: &mut PlanCost, scale: u32, tile: u32) {
    let (w, h) = (score.hr_size.0 / scale, score.hr_size.1 / scale);
    let Ok(macs) = cost.image_macs(w, h, tile) else {
        return;
    };
    let flop = 2.0 * macs as f64;
    score.mflop_per_lr_px = Some(flop / 1e6 / (f64::from(w) * f64::from(h)).max(1.0));
    score.gflop_per_s = Some(flop / 1e9 / score.seconds.max(1e-9));
}

/// The HR image cropped (top-left kept) to a multiple of `scale` per side.
pub fn crop_to_multiple(hr: &RgbImage, scale: u32) -> RgbImage {
    let (w, h) = hr.dimensions();
    let (cw, ch) = (w - w % scale, h - h % scale);
    image::imageops::crop_imm(hr, 0, 0, cw, ch).to_image()
}

/// The LR input for `hr` (already a multiple of `scale`): MATLAB-style
/// bicubic downscale, rounded to 8 bits.
pub fn make_lr(hr: &RgbImage, scale: u32) -> RgbImage {
    let (w, h) = hr.dimensions();
    imresize_bicubic_rgb8(hr, w / scale, h / scale)
}

/// Scores `upscaler` (and plain bicubic) on one HR image.
pub fn score_image(
    upscaler: &mut Upscaler,
    name: &str,
    hr: &RgbImage,
    progress: &dyn Progress,
) -> Result<ImageScore, UpscaleError> {
    let scale = upscaler.scale();
    let hr = crop_to_multiple(hr, scale);
    let (w, h) = hr.dimensions();
    // SSIM's 11-pixel window must fit inside the border.
    let min = 2 * scale + 11;
    if w < min || h < min {
        return Err(UpscaleError::TooSmallToScore {
            width: w,
            height: h,
            min,
        });
    }
    let lr = make_lr(&hr, scale);
    let Upscaled { image: sr, report } = upscaler.upscale_rgb(&lr, progress)?;
    let bicubic = imresize_bicubic_rgb8(&lr, w, h);
    let metric = |a: &RgbImage| -> (f64, f64) {
        // Sizes match and exceed the border by construction.
        let p = psnr_y(a, &hr, scale).unwrap_or(f64::NAN);
        let s = ssim_y(a, &hr, scale).unwrap_or(f64::NAN);
        (p, s)
    };
    let (psnr, ssim) = metric(&sr);
    let (bicubic_psnr, bicubic_ssim) = metric(&bicubic);
    Ok(ImageScore {
        name: name.to_string(),
        hr_size: (w, h),
        psnr,
        ssim,
        bicubic_psnr,
        bicubic_ssim,
        seconds: report.seconds,
        lr_kpx_per_s: report.lr_kpx_per_s,
        mflop_per_lr_px: None,
        gflop_per_s: None,
    })
}

/// What to measure on a dataset.
#[derive(Clone, Debug)]
pub struct BenchJob {
    /// Folder of high-resolution images (e.g. Set5).
    pub dataset: PathBuf,
    /// Scale (output pixels per input pixel).
    pub scale: u32,
    /// Tier, model family or model id.
    pub model: String,
    /// Largest tile side in input pixels, context included.
    pub tile: u32,
    /// Inference threads (`None` = physical cores).
    pub threads: Option<usize>,
    /// Inference engine.
    pub engine: EngineChoice,
}

/// Means over the images of a dataset (dB for PSNR, 0..1 for SSIM).
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchMean {
    /// Mean PSNR-Y of the model, dB.
    pub psnr: f64,
    /// Mean SSIM-Y of the model.
    pub ssim: f64,
    /// Mean PSNR-Y of plain bicubic, dB.
    pub bicubic_psnr: f64,
    /// Mean SSIM-Y of plain bicubic.
    pub bicubic_ssim: f64,
    /// Mean throughput, LR kilopixels per second.
    pub lr_kpx_per_s: f64,
    /// Mean achieved model arithmetic, GFLOP per second.
    pub gflop_per_s: f64,
}

/// The scores of a model on a dataset (serialised in `--json` output).
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchResult {
    /// The dataset folder.
    pub dataset: String,
    /// The model as asked for (tier, family or id).
    pub model: String,
    /// Model ids applied in order.
    pub chain: Vec<String>,
    /// The engine running each model of `chain`.
    pub engines: Vec<String>,
    /// Scale measured.
    pub scale: u32,
    /// How the LR inputs were made.
    pub degradation: &'static str,
    /// What was measured.
    pub metric: &'static str,
    /// Per-image scores, by file name.
    pub images: Vec<ImageScore>,
    /// Means over `images`.
    pub mean: BenchMean,
}

/// Image files of a folder (not its sub-folders), sorted by name.
fn dataset_files(dir: &Path) -> Result<Vec<PathBuf>, UpscaleError> {
    let folder_error = |source| UpscaleError::Folder {
        folder: dir.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(folder_error)? {
        let path = entry.map_err(folder_error)?.path();
        if path.is_file() && seer_imgproc::is_image_path(&path) {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(UpscaleError::NoImages {
            folder: dir.display().to_string(),
        });
    }
    Ok(files)
}

/// Scores the model of `job` on every image of its dataset folder;
/// `progress` shows model loading and tiles, `cancel` is checked per tile.
pub fn bench_dataset(
    store: &Store,
    job: &BenchJob,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<BenchResult, UpscaleError> {
    let files = dataset_files(&job.dataset)?;
    let defaults = UpscaleOptions::default();
    let options = UpscaleOptions {
        scale: Some(job.scale),
        tile: job.tile,
        threads: job.threads.unwrap_or(defaults.threads),
        engine: job.engine,
        ..defaults
    };
    let mut upscaler = Upscaler::with_progress(store, &job.model, &options, progress)?;
    upscaler.set_cancel(cancel.clone());
    // Counting is best effort: some graphs defeat the static shape walk.
    let mut cost = PlanCost::new(store, upscaler.plan()).ok();
    let mut images = Vec::new();
    for path in &files {
        cancel.check()?;
        let hr = seer_imgproc::read_image(path, None)?.image.to_rgb8();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut score = score_image(&mut upscaler, &name, &hr, progress)?;
        if let Some(cost) = cost.as_mut() {
            add_cost(&mut score, cost, job.scale, job.tile);
        }
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
    Ok(BenchResult {
        dataset: job.dataset.display().to_string(),
        model: job.model.clone(),
        chain: upscaler.plan().chain.clone(),
        engines: upscaler.engines(),
        scale: job.scale,
        degradation: "HR cropped to a multiple of the scale; LR by MATLAB-style antialiased bicubic (Keys a=-0.5), 8-bit",
        metric: "PSNR (dB) and SSIM on BT.601 Y (16..235), border = scale",
        images,
        mean,
    })
}
