//! Measuring an upscaler the way super-resolution papers do: crop the
//! high-resolution (HR) image to a multiple of the scale, make the
//! low-resolution (LR) input with MATLAB-style antialiased bicubic
//! (`seer_imgproc::resize`, Keys a = −0.5, as `imresize`), upscale, and
//! compare with the HR image by PSNR and SSIM on BT.601 luma with `scale`
//! border pixels ignored. Plain bicubic upscaling is measured alongside as
//! the baseline.

use crate::flops::ChainCost;
use crate::{UpscaleError, Upscaler};
use image::RgbImage;
use seer_core::progress::Progress;
use seer_imgproc::{imresize_bicubic_rgb8, psnr_y, ssim_y};

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
/// (`cost`, built for the upscaler's plan) at tile size `tile`.
pub fn add_cost(
    score: &mut ImageScore,
    cost: &mut ChainCost,
    scale: u32,
    tile: u32,
) -> Result<(), UpscaleError> {
    let (w, h) = (score.hr_size.0 / scale, score.hr_size.1 / scale);
    let flop = 2.0 * cost.image_macs(w, h, tile)? as f64;
    score.mflop_per_lr_px = Some(flop / 1e6 / (f64::from(w) * f64::from(h)));
    score.gflop_per_s = Some(flop / 1e9 / score.seconds.max(1e-9));
    Ok(())
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
    if w < 2 * scale + 11 || h < 2 * scale + 11 {
        return Err(UpscaleError::EmptyImage {
            width: w,
            height: h,
        });
    }
    let lr = make_lr(&hr, scale);
    let sr = upscaler.upscale_rgb(&lr, progress)?;
    let report = upscaler.last_report().clone();
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
