//! Any decoded image through the upscaler: grey, RGB, grey+alpha and RGBA,
//! 8 or 16 bits (or float). Colour goes through the network; alpha never
//! does — it is resized on its own with Lanczos, and a fully opaque alpha
//! stays exactly opaque.

use crate::memory::ImageBytes;
use crate::{UpscaleError, Upscaled, Upscaler};
use image::{imageops, ColorType, DynamicImage, ImageBuffer, Luma, Rgb32FImage};
use seer_core::progress::Progress;

/// The colour planes of an image as float RGB in 0..1 (grey replicated).
fn colour(image: &DynamicImage) -> Rgb32FImage {
    image.to_rgb32f()
}

/// True for images that carry an alpha channel.
fn has_alpha(image: &DynamicImage) -> bool {
    image.color().has_alpha()
}

/// True for grey (luma) images.
fn is_grey(image: &DynamicImage) -> bool {
    !image.color().has_color()
}

/// True when samples are wider than 8 bits.
fn is_wide(image: &DynamicImage) -> bool {
    image.color().bytes_per_pixel() / image.color().channel_count() > 1
}

/// The memory an image of pixel layout `color` takes per pixel, as input
/// and as output of an upscale that keeps its kind.
pub(crate) fn image_bytes(color: ColorType) -> ImageBytes {
    let wide = color.bytes_per_pixel() / color.channel_count() > 1;
    let sample_bytes = if wide { 2 } else { 1 };
    ImageBytes {
        input: u64::from(color.bytes_per_pixel()),
        output: sample_bytes * u64::from(color.channel_count()),
        alpha: color.has_alpha(),
    }
}

/// The alpha channel as 16-bit samples (8-bit alpha widened ×257).
fn alpha16(image: &DynamicImage) -> ImageBuffer<Luma<u16>, Vec<u16>> {
    let rgba = image.to_rgba16();
    let (w, h) = rgba.dimensions();
    ImageBuffer::from_fn(w, h, |x, y| Luma([rgba.get_pixel(x, y).0[3]]))
}

/// Alpha resized to `width`×`height` with Lanczos; exactly opaque when the
/// input was fully opaque.
fn resize_alpha(image: &DynamicImage, width: u32, height: u32) -> ImageBuffer<Luma<u16>, Vec<u16>> {
    let alpha = alpha16(image);
    if alpha.pixels().all(|p| p.0[0] == u16::MAX) {
        return ImageBuffer::from_pixel(width, height, Luma([u16::MAX]));
    }
    // Lanczos on float samples then clamped: no wrap-around at 0 and max.
    let float: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_fn(alpha.width(), alpha.height(), |x, y| {
            Luma([f32::from(alpha.get_pixel(x, y).0[0]) / 65535.0])
        });
    let resized = imageops::resize(&float, width, height, imageops::FilterType::Lanczos3);
    ImageBuffer::from_fn(width, height, |x, y| {
        Luma([(resized.get_pixel(x, y).0[0].clamp(0.0, 1.0) * 65535.0).round() as u16])
    })
}

/// Assembles the output in the input's kind (grey/RGB, alpha or not, 8 or
/// 16 bits) from the upscaled colour and the resized alpha.
fn assemble(
    input: &DynamicImage,
    rgb: &Rgb32FImage,
    alpha: Option<&ImageBuffer<Luma<u16>, Vec<u16>>>,
) -> DynamicImage {
    let (w, h) = rgb.dimensions();
    let grey = is_grey(input);
    let wide = is_wide(input);
    // Samples in 0..1 for channel `c` of pixel (x, y): grey is the mean of
    // the network's three channels.
    let sample = |x: u32, y: u32, c: usize| -> f32 {
        let p = rgb.get_pixel(x, y).0;
        if grey {
            (p[0] + p[1] + p[2]) / 3.0
        } else {
            p[c]
        }
    };
    let to8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let to16 = |v: f32| (v.clamp(0.0, 1.0) * 65535.0).round() as u16;
    let a16 = |x: u32, y: u32| alpha.map(|a| a.get_pixel(x, y).0[0]).unwrap_or(u16::MAX);
    let a8 = |x: u32, y: u32| (f32::from(a16(x, y)) / 257.0).round() as u8;
    match (grey, alpha.is_some(), wide) {
        (true, false, false) => DynamicImage::ImageLuma8(ImageBuffer::from_fn(w, h, |x, y| {
            image::Luma([to8(sample(x, y, 0))])
        })),
        (true, false, true) => DynamicImage::ImageLuma16(ImageBuffer::from_fn(w, h, |x, y| {
            image::Luma([to16(sample(x, y, 0))])
        })),
        (true, true, false) => DynamicImage::ImageLumaA8(ImageBuffer::from_fn(w, h, |x, y| {
            image::LumaA([to8(sample(x, y, 0)), a8(x, y)])
        })),
        (true, true, true) => DynamicImage::ImageLumaA16(ImageBuffer::from_fn(w, h, |x, y| {
            image::LumaA([to16(sample(x, y, 0)), a16(x, y)])
        })),
        (false, false, false) => DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| {
            image::Rgb([0, 1, 2].map(|c| to8(sample(x, y, c))))
        })),
        (false, false, true) => DynamicImage::ImageRgb16(ImageBuffer::from_fn(w, h, |x, y| {
            image::Rgb([0, 1, 2].map(|c| to16(sample(x, y, c))))
        })),
        (false, true, false) => DynamicImage::ImageRgba8(ImageBuffer::from_fn(w, h, |x, y| {
            let [r, g, b] = [0, 1, 2].map(|c| to8(sample(x, y, c)));
            image::Rgba([r, g, b, a8(x, y)])
        })),
        (false, true, true) => DynamicImage::ImageRgba16(ImageBuffer::from_fn(w, h, |x, y| {
            let [r, g, b] = [0, 1, 2].map(|c| to16(sample(x, y, c)));
            image::Rgba([r, g, b, a16(x, y)])
        })),
    }
}

impl Upscaler {
    /// Upscales any decoded image, keeping its kind: grey stays grey (the
    /// network sees it replicated to RGB), alpha is resized separately with
    /// Lanczos (fully opaque stays 255 / 65535), 16-bit input runs the
    /// network on the full-precision values and gives 16-bit output, float
    /// input gives 16-bit output. `progress` counts tiles.
    pub fn upscale_image(
        &mut self,
        image: &DynamicImage,
        progress: &dyn Progress,
    ) -> Result<Upscaled<DynamicImage>, UpscaleError> {
        let size = (
            image.width().saturating_mul(self.scale()),
            image.height().saturating_mul(self.scale()),
        );
        self.upscale_image_to(image, size, progress)
    }

    /// [`Upscaler::upscale_image`] to exactly `size` (width, height in
    /// pixels, e.g. from [`crate::Target`]): the chain's models, then
    /// Lanczos when their scale differs.
    pub fn upscale_image_to(
        &mut self,
        image: &DynamicImage,
        size: (u32, u32),
        progress: &dyn Progress,
    ) -> Result<Upscaled<DynamicImage>, UpscaleError> {
        let (w, h) = (image.width(), image.height());
        if w == 0 || h == 0 {
            return Err(UpscaleError::EmptyImage {
                width: w,
                height: h,
            });
        }
        let bytes = image_bytes(image.color());
        // Refused before the float copy of the input is made.
        self.check_memory((w, h), size, bytes)?;
        let rgb = self.upscale_f32_to(&colour(image), size, bytes, progress)?;
        let (ow, oh) = rgb.image.dimensions();
        let alpha = has_alpha(image).then(|| resize_alpha(image, ow, oh));
        Ok(Upscaled {
            image: assemble(image, &rgb.image, alpha.as_ref()),
            report: rgb.report,
        })
    }
}
