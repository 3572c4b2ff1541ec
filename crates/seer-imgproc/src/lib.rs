//! seer-imgproc: image decode/encode, conversions between images and
//! model tensors, MATLAB-style bicubic resizing and quality metrics.

pub mod atomic;
pub mod convert;
pub mod draw;
pub mod geometry_ops;
pub mod io;
pub mod metrics;
pub mod resize;
pub mod triangle;

pub use convert::{rgb_from_nhwc, rgb_to_nhwc};
pub use draw::{draw_dot, draw_rect};
pub use geometry_ops::{box_shrink, crop_padded, letterbox, resize_to, Letterbox};
pub use io::{
    decode_rgb, load_rgb, output_format, read_image, save_rgb, write_image, DecodedImage,
    ImageMetadata, MetadataWritten,
};
pub use metrics::{psnr_y, ssim_y, MetricsError};
pub use resize::imresize_bicubic_rgb8;

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
