//! seer-imgproc: image decode/encode and conversions between images and
//! model tensors.

pub mod convert;
pub mod io;

pub use convert::{rgb_from_nhwc, rgb_to_nhwc};
pub use io::{load_rgb, save_rgb};

/// Why an image could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The file could not be opened or decoded.
    #[error("cannot read image {path}: {detail}")]
    Read { path: String, detail: String },
    /// The file could not be encoded or written.
    #[error("cannot write image {path}: {detail}")]
    Write { path: String, detail: String },
    /// A tensor does not have the layout the conversion needs.
    #[error("tensor shape {shape:?} is not [1, height, width, 3]")]
    Shape { shape: Vec<usize> },
}
