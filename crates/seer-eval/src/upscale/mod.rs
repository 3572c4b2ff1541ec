//! Upscaling evaluation: image quality against high-resolution references.

pub mod quality;
