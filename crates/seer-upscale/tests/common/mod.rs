//! Shared helpers for the seer-upscale integration tests.

#![allow(dead_code)]

use seer_upscale::{UpscaleOptions, Upscaler};
use std::path::PathBuf;

/// The Set5 folder in the repository's test data.
pub fn set5_dir() -> PathBuf {
    seer_testdata::set5()
}

/// One Set5 image as 8-bit RGB.
pub fn set5(name: &str) -> image::RgbImage {
    image::open(set5_dir().join(name))
        .unwrap_or_else(|e| panic!("Set5 {name}: {e}"))
        .to_rgb8()
}

/// A `w`×`h` crop at (`x`, `y`).
pub fn crop(img: &image::RgbImage, x: u32, y: u32, w: u32, h: u32) -> image::RgbImage {
    image::imageops::crop_imm(img, x, y, w, h).to_image()
}

/// An upscaler for `model` at `scale` with tiles of at most `tile` pixels.
pub fn upscaler(model: &str, scale: u32, tile: u32) -> Upscaler {
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let options = UpscaleOptions {
        scale: Some(scale),
        tile,
        ..Default::default()
    };
    Upscaler::new(&store, model, &options).unwrap_or_else(|e| panic!("{model}: {e}"))
}
