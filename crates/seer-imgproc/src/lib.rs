//! seer-imgproc: image decode/encode, conversions between images and
//! model tensors, MATLAB-style bicubic resizing and quality metrics.

pub mod convert;
pub mod draw;
pub mod format;
pub mod geometry_ops;
pub mod io;
pub mod metrics;
pub mod resize;
pub mod text;
pub mod triangle;
pub mod truncation;

pub use convert::{rgb_from_nhwc, rgb_to_nhwc};
pub use draw::{draw_dot, draw_rect};
pub use format::{is_image_path, FORMATS};
pub use geometry_ops::{box_shrink, crop_padded, letterbox, resize_to, Letterbox};
pub use io::{
    decode_image, decode_image_checked, decode_rgb, encode_image, encode_image_to, load_rgb,
    output_format, read_image, read_image_checked, save_rgb, write_image, DecodedImage,
    ImageHeader, ImageMetadata, MetadataWritten, DEFAULT_MAX_DECODED_BYTES,
};
pub use metrics::{psnr_y, ssim_y, MetricsError};
pub use resize::imresize_bicubic_rgb8;
pub use text::{draw_labelled_box, draw_text, label_scale, text_size};

use seer_core::{ErrorKind, HasErrorKind};

/// Bytes per GiB, for messages.
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Why an image could not be read or written. `name` is the file's path,
/// or `<image in memory>` for encoded bytes.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The file could not be opened or read.
    #[error("cannot read image {name}")]
    Open {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// The file or buffer holds no bytes.
    #[error("cannot read image {name}: the file is empty (0 bytes); give a {FORMATS} image")]
    Empty { name: String },
    /// The content is not an image in a format seer reads.
    #[error("cannot read image {name}: not a supported image; give a {FORMATS} image")]
    Unsupported { name: String },
    /// The content looks like a supported format but does not decode.
    #[error("cannot read image {name}: cannot decode it; give an intact {FORMATS} image")]
    Corrupt {
        name: String,
        #[source]
        source: image::ImageError,
    },
    /// The path names something other than a regular file (a folder, a device).
    #[error("cannot read image {name}: not a regular file; give a {FORMATS} image file")]
    NotAFile { name: String },
    /// A JPEG that ends before its last scan (a cut-off download or copy);
    /// decoding it would fill the missing part with grey.
    #[error("cannot read image {name}: the JPEG is truncated (its {bytes} bytes end before the image does); give the whole file")]
    Truncated { name: String, bytes: u64 },
    /// An animated PNG or WebP: seer reads still images only.
    #[error("cannot read image {name}: it is an animated {format:?} and only still images are read (the first frame alone would drop the rest); give a still image, or turn the animation into a video")]
    Animated {
        name: String,
        format: image::ImageFormat,
    },
    /// The encoded file alone is larger than the memory budget.
    #[error(
        "cannot read image {name}: the file holds {:.2} GiB, above the memory budget of {:.2} GiB",
        *.bytes as f64 / GIB,
        *.budget as f64 / GIB
    )]
    FileOverBudget {
        name: String,
        /// Size of the file in bytes.
        bytes: u64,
        /// The limit in bytes.
        budget: u64,
    },
    /// The image header declares no pixels.
    #[error("cannot read image {name}: the image has no pixels ({width}x{height})")]
    NoPixels {
        name: String,
        width: u32,
        height: u32,
    },
    /// The decoded pixels would need more memory than the caller allows.
    #[error(
        "cannot read image {name}: {width}x{height} pixels need {:.2} GiB decoded, above the memory budget of {:.2} GiB",
        *.bytes as f64 / GIB,
        *.budget as f64 / GIB
    )]
    OverBudget {
        name: String,
        width: u32,
        height: u32,
        /// Bytes of the decoded pixels.
        bytes: u64,
        /// The caller's limit in bytes.
        budget: u64,
    },
    /// The output file name names no format seer writes.
    #[error("cannot write image {path}: cannot tell the output format from the extension; use .png, .jpg, .webp, .tif or .bmp")]
    UnknownOutputFormat { path: String },
    /// The caller asked for a format seer does not write.
    #[error("cannot encode images as {format:?}; use PNG, JPEG, WebP, TIFF or BMP")]
    UnsupportedOutputFormat { format: image::ImageFormat },
    /// The disk (or the process's file size limit) is full.
    #[error(
        "cannot write image {name}: the disk (or file size limit) is full; nothing was written"
    )]
    DiskFull {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// Writing the file failed (permissions, I/O error).
    #[error("cannot write image {name}; nothing was written")]
    Write {
        name: String,
        #[source]
        source: std::io::Error,
    },
    /// The encoder refused the image.
    #[error("cannot encode image {name} as {format:?}; nothing was written")]
    Encode {
        name: String,
        format: image::ImageFormat,
        #[source]
        source: image::ImageError,
    },
    /// A tensor does not have the layout the conversion needs.
    #[error("tensor shape {shape:?} is not [1, height, width, 3]")]
    Shape { shape: Vec<usize> },
}

impl HasErrorKind for ImageError {
    fn kind(&self) -> ErrorKind {
        match self {
            ImageError::Open { source, .. } => ErrorKind::of_io(source),
            ImageError::Empty { .. }
            | ImageError::Corrupt { .. }
            | ImageError::NoPixels { .. }
            | ImageError::NotAFile { .. }
            | ImageError::Truncated { .. }
            | ImageError::UnknownOutputFormat { .. } => ErrorKind::InvalidInput,
            ImageError::Unsupported { .. }
            | ImageError::Animated { .. }
            | ImageError::UnsupportedOutputFormat { .. } => ErrorKind::Unsupported,
            ImageError::OverBudget { .. } | ImageError::FileOverBudget { .. } => {
                ErrorKind::ResourceLimit
            }
            ImageError::DiskFull { .. }
            | ImageError::Write { .. }
            | ImageError::Encode { .. }
            | ImageError::Shape { .. } => ErrorKind::Internal,
        }
    }
}

impl HasErrorKind for MetricsError {
    fn kind(&self) -> ErrorKind {
        // Both cases are wrong inputs of the caller (sizes, borders).
        ErrorKind::InvalidInput
    }
}
