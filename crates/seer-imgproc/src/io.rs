//! Reading and writing image files.

use crate::ImageError;
use image::RgbImage;
use std::path::Path;

/// Decodes an image file (PNG, JPEG) into 8-bit RGB; alpha is dropped.
pub fn load_rgb(path: &Path) -> Result<RgbImage, ImageError> {
    let img = image::open(path).map_err(|e| ImageError::Read {
        path: path.display().to_string(),
        detail: e.to_string(),
    })?;
    Ok(img.to_rgb8())
}

/// Encodes an RGB image; the format follows the file extension.
pub fn save_rgb(image: &RgbImage, path: &Path) -> Result<(), ImageError> {
    image.save(path).map_err(|e| ImageError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    })
}
