//! Where an image comes from: a file, encoded bytes in memory (an upload)
//! or an image already decoded. Every image-taking workflow accepts all
//! three.

use crate::FaceError;
use image::RgbImage;
use std::borrow::Cow;
use std::path::Path;

/// What results and errors call an image given as bytes or pixels.
pub const IN_MEMORY_LABEL: &str = "<image in memory>";

/// An image to work on.
#[derive(Clone, Copy, Debug)]
pub enum ImageInput<'a> {
    /// An image file (PNG, JPEG, …; the format comes from the content).
    Path(&'a Path),
    /// An encoded image file held in memory.
    Bytes(&'a [u8]),
    /// Decoded 8-bit RGB pixels, upright.
    Image(&'a RgbImage),
}

impl<'a> ImageInput<'a> {
    /// How results and errors name the image: the path as given, or
    /// [`IN_MEMORY_LABEL`].
    pub fn label(&self) -> String {
        match self {
            ImageInput::Path(path) => path.display().to_string(),
            ImageInput::Bytes(_) | ImageInput::Image(_) => IN_MEMORY_LABEL.to_string(),
        }
    }

    /// The decoded, upright RGB pixels (borrowed when already decoded).
    pub fn decode(&self) -> Result<Cow<'a, RgbImage>, FaceError> {
        Ok(match *self {
            ImageInput::Path(path) => Cow::Owned(seer_imgproc::load_rgb(path)?),
            ImageInput::Bytes(bytes) => Cow::Owned(seer_imgproc::decode_rgb(bytes)?),
            ImageInput::Image(image) => Cow::Borrowed(image),
        })
    }

    /// The encoded image file, to keep in a gallery: the file's bytes, the
    /// bytes given, or decoded pixels encoded as PNG.
    pub fn encoded(&self) -> Result<Vec<u8>, FaceError> {
        match *self {
            ImageInput::Path(path) => std::fs::read(path).map_err(|source| FaceError::Read {
                path: path.to_path_buf(),
                source,
            }),
            ImageInput::Bytes(bytes) => Ok(bytes.to_vec()),
            ImageInput::Image(image) => png_bytes(image),
        }
    }
}

/// `image` encoded as a PNG file in memory.
pub fn png_bytes(image: &RgbImage) -> Result<Vec<u8>, FaceError> {
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|source| FaceError::Encode {
            path: IN_MEMORY_LABEL.into(),
            source,
        })?;
    Ok(png)
}
