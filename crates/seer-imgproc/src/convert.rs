//! Conversions between RGB images and float tensors.

use crate::ImageError;
use image::RgbImage;

/// RGB image → NHWC float tensor data `[1, h, w, 3]` scaled to 0..1.
/// Returns (shape, data).
pub fn rgb_to_nhwc(image: &RgbImage) -> (Vec<usize>, Vec<f32>) {
    let (w, h) = image.dimensions();
    let data = image.as_raw().iter().map(|&v| v as f32 / 255.0).collect();
    (vec![1, h as usize, w as usize, 3], data)
}

/// NHWC float tensor `[1, h, w, 3]` in 0..1 → RGB image, rounding to the
/// nearest 8-bit value and clamping.
pub fn rgb_from_nhwc(shape: &[usize], data: &[f32]) -> Result<RgbImage, ImageError> {
    if shape.len() != 4 || shape[0] != 1 || shape[3] != 3 || data.len() != shape.iter().product() {
        return Err(ImageError::Shape {
            shape: shape.to_vec(),
        });
    }
    let bytes = data
        .iter()
        .map(|&v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect();
    RgbImage::from_raw(shape[2] as u32, shape[1] as u32, bytes).ok_or(ImageError::Shape {
        shape: shape.to_vec(),
    })
}
