//! Reading and writing images: files, encoded bytes and writers.
//!
//! [`read_image`] (a file) and [`decode_image`] (bytes in memory) recognise
//! the format from the content, apply the EXIF orientation (so the pixels
//! are upright) and keep the ICC profile and EXIF block; [`write_image`]
//! (a file, through an atomic temporary file), [`encode_image`] (bytes) and
//! [`encode_image_to`] (any [`Write`]) write them back where the format can
//! hold them (ICC: PNG, JPEG, WebP, TIFF; EXIF: PNG, JPEG, WebP), with the
//! EXIF orientation reset to "upright". The caller chooses the format.

use crate::format::{format_of_content, format_of_path, is_supported};
use crate::truncation::{jpeg_end, JpegEnd};
use crate::ImageError;
use image::codecs::png::PngDecoder;
use image::codecs::webp::WebPDecoder;
use image::codecs::webp::WebPEncoder;
use image::codecs::{bmp::BmpEncoder, jpeg::JpegEncoder, png::PngEncoder, tiff::TiffEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits, RgbImage};
use seer_core::atomic::{write_atomic_with, Access};
use std::io::{Cursor, Read, Seek, Write};
use std::path::Path;

pub use crate::format::FORMATS;

/// JPEG quality of written images (1..100).
pub const JPEG_QUALITY: u8 = 92;

/// The name errors give an image decoded from or encoded to memory.
const IN_MEMORY: &str = "<image in memory>";

/// Metadata carried from an input image to its output.
#[derive(Clone, Debug, Default)]
pub struct ImageMetadata {
    /// The embedded ICC colour profile, if any.
    pub icc_profile: Option<Vec<u8>>,
    /// The raw EXIF block (TIFF header onwards), orientation reset to upright.
    pub exif: Option<Vec<u8>>,
    /// The EXIF orientation that was applied to the pixels on read
    /// (`None` when the image was already upright).
    pub orientation_applied: Option<String>,
}

/// A decoded image, upright, with its format and metadata.
pub struct DecodedImage {
    /// The pixels, EXIF orientation applied.
    pub image: DynamicImage,
    /// The format recognised from the content.
    pub format: ImageFormat,
    /// ICC profile and EXIF block.
    pub metadata: ImageMetadata,
}

/// What an image's header says, before any pixel is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageHeader {
    /// Width in pixels once upright (EXIF orientation applied).
    pub width: u32,
    /// Height in pixels once upright.
    pub height: u32,
    /// The pixel layout the decoder will produce.
    pub color: image::ColorType,
    /// Bytes the decoded pixels will take.
    pub decoded_bytes: u64,
}

/// Which metadata a written image holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataWritten {
    /// True when the ICC profile was embedded.
    pub icc_profile: bool,
    /// True when the EXIF block was embedded.
    pub exif: bool,
}

/// Short name of an EXIF orientation.
fn orientation_name(o: Orientation) -> &'static str {
    match o {
        Orientation::NoTransforms => "upright",
        Orientation::Rotate90 => "rotate 90 clockwise",
        Orientation::Rotate180 => "rotate 180",
        Orientation::Rotate270 => "rotate 270 clockwise",
        Orientation::FlipHorizontal => "flip horizontal",
        Orientation::FlipVertical => "flip vertical",
        Orientation::Rotate90FlipH => "rotate 90 clockwise and flip horizontal",
        Orientation::Rotate270FlipH => "rotate 270 clockwise and flip horizontal",
    }
}

/// Decoded bytes an image may need when the caller names no budget: 4 GiB
/// (e.g. 30 000 × 30 000 pixels of 8-bit RGB), and never more than the
/// machine's memory.
pub const DEFAULT_MAX_DECODED_BYTES: u64 = 4 << 30;

/// The budget in bytes a decode works to: the caller's, else the default,
/// capped at the machine's memory (a larger one cannot be honoured).
fn decode_budget(max_bytes: Option<u64>) -> u64 {
    seer_core::memory::within_physical_memory(max_bytes.unwrap_or(DEFAULT_MAX_DECODED_BYTES))
}

/// The decoder for `bytes` (format already recognised), with `limits`
/// bounding its own allocations. Animated PNG and WebP files are refused:
/// reading only their first frame would silently drop the rest.
fn open_decoder<'a>(
    bytes: &'a [u8],
    format: ImageFormat,
    name: &str,
    limits: Limits,
) -> Result<Box<dyn ImageDecoder + 'a>, ImageError> {
    let corrupt = |source| ImageError::Corrupt {
        name: name.to_string(),
        source,
    };
    let animated = || ImageError::Animated {
        name: name.to_string(),
        format,
    };
    let source = Cursor::new(bytes);
    match format {
        ImageFormat::Png => {
            let decoder = PngDecoder::with_limits(source, limits).map_err(corrupt)?;
            if decoder.is_apng().map_err(corrupt)? {
                return Err(animated());
            }
            Ok(Box::new(decoder))
        }
        ImageFormat::WebP => {
            let mut decoder = WebPDecoder::new(source).map_err(corrupt)?;
            if decoder.has_animation() {
                return Err(animated());
            }
            decoder.set_limits(limits).map_err(corrupt)?;
            Ok(Box::new(decoder))
        }
        _ => {
            let mut reader = ImageReader::with_format(source, format);
            reader.limits(limits);
            Ok(Box::new(reader.into_decoder().map_err(corrupt)?))
        }
    }
}

/// Decodes `bytes` (an encoded image), applies the EXIF orientation and
/// keeps the metadata. `name` names the source in errors; `max_bytes`
/// (default [`DEFAULT_MAX_DECODED_BYTES`]) refuses images whose decoded
/// pixels would need more memory, from the header, before any pixel is
/// decoded. A JPEG that ends before its last scan is refused as truncated.
///
/// `check` sees the header (upright size, pixel layout) after the budget
/// check and before decoding, so a caller can refuse an image its own work
/// could not hold without paying for the decode.
fn decode_bytes<E: From<ImageError>>(
    bytes: &[u8],
    name: &str,
    max_bytes: Option<u64>,
    check: impl FnOnce(&ImageHeader) -> Result<(), E>,
) -> Result<DecodedImage, E> {
    if bytes.is_empty() {
        return Err(ImageError::Empty {
            name: name.to_string(),
        }
        .into());
    }
    // The format comes from the content only: a text file named .png is
    // "not an image", not a corrupt PNG.
    let format = format_of_content(bytes).ok_or_else(|| ImageError::Unsupported {
        name: name.to_string(),
    })?;
    if format == ImageFormat::Jpeg && jpeg_end(bytes) == JpegEnd::Truncated {
        return Err(ImageError::Truncated {
            name: name.to_string(),
            bytes: bytes.len() as u64,
        }
        .into());
    }
    let budget = decode_budget(max_bytes);
    let mut limits = Limits::default();
    limits.max_alloc = Some(budget);
    let corrupt = |source| ImageError::Corrupt {
        name: name.to_string(),
        source,
    };
    let mut decoder = open_decoder(bytes, format, name, limits)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::NoPixels {
            name: name.to_string(),
            width,
            height,
        }
        .into());
    }
    let needed = decoder.total_bytes();
    if needed > budget {
        return Err(ImageError::OverBudget {
            name: name.to_string(),
            width,
            height,
            bytes: needed,
            budget,
        }
        .into());
    }
    // Metadata is optional: unreadable metadata is dropped, not an error.
    let icc_profile = decoder.icc_profile().ok().flatten();
    let mut exif = decoder.exif_metadata().ok().flatten();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = upright_size(width, height, orientation);
    check(&ImageHeader {
        width,
        height,
        color: decoder.color_type(),
        decoded_bytes: needed,
    })?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    if let Some(chunk) = exif.as_mut() {
        // The pixels are upright now; viewers must not rotate them again.
        let _ = Orientation::remove_from_exif_chunk(chunk);
    }
    Ok(DecodedImage {
        image,
        format,
        metadata: ImageMetadata {
            icc_profile,
            exif,
            orientation_applied: (orientation != Orientation::NoTransforms)
                .then(|| orientation_name(orientation).to_string()),
        },
    })
}

/// Decodes an image file with clear errors for missing, empty, unknown,
/// truncated, animated and corrupt files (the format is recognised from the
/// content, not the extension), applies its EXIF orientation and keeps its
/// ICC profile and EXIF block. `max_bytes` (default
/// [`DEFAULT_MAX_DECODED_BYTES`], never above the machine's memory) bounds
/// the file and its decoded pixels, checked before decoding.
pub fn read_image(path: &Path, max_bytes: Option<u64>) -> Result<DecodedImage, ImageError> {
    read_image_checked(path, max_bytes, |_| Ok::<(), ImageError>(()))
}

/// [`read_image`] that first shows the header to `check` (after the budget
/// checks, before any pixel is decoded): a caller whose own work on the
/// pixels would not fit refuses the image without decoding it.
pub fn read_image_checked<E: From<ImageError>>(
    path: &Path,
    max_bytes: Option<u64>,
    check: impl FnOnce(&ImageHeader) -> Result<(), E>,
) -> Result<DecodedImage, E> {
    let bytes = read_file_bounded(path, decode_budget(max_bytes))?;
    decode_bytes(&bytes, &path.display().to_string(), max_bytes, check)
}

/// The bytes of the regular file at `path`, refused when there are more
/// than `budget` (checked before reading and while reading, in case the
/// file grows).
fn read_file_bounded(path: &Path, budget: u64) -> Result<Vec<u8>, ImageError> {
    let name = path.display().to_string();
    let open = |source| ImageError::Open {
        name: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(open)?;
    let meta = file.metadata().map_err(open)?;
    if !meta.is_file() {
        return Err(ImageError::NotAFile { name });
    }
    if meta.len() > budget {
        return Err(ImageError::FileOverBudget {
            name,
            bytes: meta.len(),
            budget,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(budget.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(open)?;
    if bytes.len() as u64 > budget {
        return Err(ImageError::FileOverBudget {
            name,
            bytes: bytes.len() as u64,
            budget,
        });
    }
    Ok(bytes)
}

/// [`read_image`] for an encoded image held in memory (PNG, JPEG, …; the
/// format is recognised from the content).
pub fn decode_image(bytes: &[u8], max_bytes: Option<u64>) -> Result<DecodedImage, ImageError> {
    decode_bytes(bytes, IN_MEMORY, max_bytes, |_| Ok::<(), ImageError>(()))
}

/// [`decode_image`] that first shows the header to `check` (after the
/// budget check, before any pixel is decoded): a caller whose own work on
/// the pixels would not fit refuses the image without decoding it.
pub fn decode_image_checked<E: From<ImageError>>(
    bytes: &[u8],
    max_bytes: Option<u64>,
    check: impl FnOnce(&ImageHeader) -> Result<(), E>,
) -> Result<DecodedImage, E> {
    decode_bytes(bytes, IN_MEMORY, max_bytes, check)
}

/// The size of an image once `orientation` is applied: the quarter turns
/// swap width and height.
fn upright_size(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// Decodes an image file (PNG, JPEG, …) into 8-bit RGB, upright; alpha is
/// dropped; images above [`DEFAULT_MAX_DECODED_BYTES`] are refused.
pub fn load_rgb(path: &Path) -> Result<RgbImage, ImageError> {
    Ok(read_image(path, None)?.image.into_rgb8())
}

/// Decodes an encoded image held in memory (PNG, JPEG, …; the format is
/// recognised from the content) into 8-bit RGB, upright; alpha is dropped;
/// images above [`DEFAULT_MAX_DECODED_BYTES`] are refused.
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    Ok(decode_image(bytes, None)?.image.into_rgb8())
}

/// Encodes an RGB image; the format follows the file extension; written atomically.
pub fn save_rgb(image: &RgbImage, path: &Path) -> Result<(), ImageError> {
    let format = output_format(path)?;
    write_image(
        &DynamicImage::ImageRgb8(image.clone()),
        path,
        format,
        &ImageMetadata::default(),
    )?;
    Ok(())
}

/// The output format from the file extension (PNG, JPEG, WebP, TIFF, BMP).
pub fn output_format(path: &Path) -> Result<ImageFormat, ImageError> {
    format_of_path(path).ok_or_else(|| ImageError::UnknownOutputFormat {
        path: path.display().to_string(),
    })
}

/// The image in a pixel type the format can store (PNG and TIFF keep 16
/// bits; JPEG has no alpha; the others are 8-bit).
pub fn fit_for_format(image: &DynamicImage, format: ImageFormat) -> Option<DynamicImage> {
    let grey = !image.color().has_color();
    let alpha = image.color().has_alpha();
    let wide = image.color().bytes_per_pixel() / image.color().channel_count() > 1;
    let float = matches!(
        image,
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_)
    );
    match format {
        ImageFormat::Png if !float => None,
        ImageFormat::Tiff if !(float || (grey && alpha)) => None,
        ImageFormat::Jpeg if grey => Some(DynamicImage::ImageLuma8(image.to_luma8())),
        ImageFormat::Jpeg => Some(DynamicImage::ImageRgb8(image.to_rgb8())),
        ImageFormat::Png | ImageFormat::Tiff if alpha => {
            Some(DynamicImage::ImageRgba16(image.to_rgba16()))
        }
        ImageFormat::Png | ImageFormat::Tiff => Some(DynamicImage::ImageRgb16(image.to_rgb16())),
        ImageFormat::WebP | ImageFormat::Bmp if !wide && !grey => None,
        _ if alpha => Some(DynamicImage::ImageRgba8(image.to_rgba8())),
        _ => Some(DynamicImage::ImageRgb8(image.to_rgb8())),
    }
}

/// Gives the encoder the metadata it can hold; says what it took.
fn offer_metadata(encoder: &mut dyn ImageEncoder, metadata: &ImageMetadata) -> MetadataWritten {
    let mut written = MetadataWritten::default();
    if let Some(icc) = &metadata.icc_profile {
        written.icc_profile = encoder.set_icc_profile(icc.clone()).is_ok();
    }
    if let Some(exif) = &metadata.exif {
        written.exif = encoder.set_exif_metadata(exif.clone()).is_ok();
    }
    written
}

/// Encodes with `encoder` after offering it the metadata.
fn finish<E: ImageEncoder>(
    mut encoder: E,
    image: &DynamicImage,
    metadata: &ImageMetadata,
) -> Result<MetadataWritten, image::ImageError> {
    let written = offer_metadata(&mut encoder, metadata);
    let (width, height) = (image.width(), image.height());
    encoder.write_image(image.as_bytes(), width, height, image.color().into())?;
    Ok(written)
}

/// Encodes `image` (already fitted) as a format whose encoder only needs
/// [`Write`]: PNG, JPEG, WebP, BMP.
fn encode_stream<W: Write>(
    image: &DynamicImage,
    format: ImageFormat,
    metadata: &ImageMetadata,
    mut w: W,
) -> Result<MetadataWritten, image::ImageError> {
    match format {
        ImageFormat::Png => finish(PngEncoder::new(w), image, metadata),
        ImageFormat::Jpeg => finish(
            JpegEncoder::new_with_quality(w, JPEG_QUALITY),
            image,
            metadata,
        ),
        ImageFormat::WebP => finish(WebPEncoder::new_lossless(w), image, metadata),
        _ => finish(BmpEncoder::new(&mut w), image, metadata),
    }
}

/// Encodes `image` as any supported format into a seekable writer.
fn encode_seekable<W: Write + Seek>(
    image: &DynamicImage,
    format: ImageFormat,
    metadata: &ImageMetadata,
    w: W,
) -> Result<MetadataWritten, image::ImageError> {
    let fitted = fit_for_format(image, format);
    let image = fitted.as_ref().unwrap_or(image);
    match format {
        ImageFormat::Tiff => finish(TiffEncoder::new(w), image, metadata),
        _ => encode_stream(image, format, metadata, w),
    }
}

/// `format` as an error unless seer writes it.
fn check_format(format: ImageFormat) -> Result<(), ImageError> {
    if is_supported(format) {
        Ok(())
    } else {
        Err(ImageError::UnsupportedOutputFormat { format })
    }
}

/// An encoder failure as the error of writing `name`.
fn encode_error(name: &str, format: ImageFormat, e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::IoError(source) => io_error(name, source),
        source => ImageError::Encode {
            name: name.to_string(),
            format,
            source,
        },
    }
}

/// A failed write of `name`: a full disk or file size limit, or another I/O error.
fn io_error(name: &str, source: std::io::Error) -> ImageError {
    let name = name.to_string();
    // ENOSPC (28) and EFBIG (27).
    if matches!(source.raw_os_error(), Some(27 | 28)) {
        ImageError::DiskFull { name, source }
    } else {
        ImageError::Write { name, source }
    }
}

/// Encodes `image` as `format` (PNG and TIFF keep 16 bits, JPEG drops
/// alpha) with the ICC profile and EXIF block where the format holds them,
/// into `w`. TIFF needs to seek, so it is assembled in memory first.
pub fn encode_image_to<W: Write>(
    image: &DynamicImage,
    format: ImageFormat,
    metadata: &ImageMetadata,
    w: &mut W,
) -> Result<MetadataWritten, ImageError> {
    check_format(format)?;
    let fail = |e| encode_error(IN_MEMORY, format, e);
    if format == ImageFormat::Tiff {
        let mut buffer = std::io::Cursor::new(Vec::new());
        let written = encode_seekable(image, format, metadata, &mut buffer).map_err(fail)?;
        w.write_all(buffer.get_ref())
            .map_err(|e| io_error(IN_MEMORY, e))?;
        return Ok(written);
    }
    let fitted = fit_for_format(image, format);
    let image = fitted.as_ref().unwrap_or(image);
    encode_stream(image, format, metadata, &mut *w).map_err(fail)
}

/// [`encode_image_to`] into a new buffer: the encoded bytes and the
/// metadata they hold.
pub fn encode_image(
    image: &DynamicImage,
    format: ImageFormat,
    metadata: &ImageMetadata,
) -> Result<(Vec<u8>, MetadataWritten), ImageError> {
    check_format(format)?;
    let mut buffer = std::io::Cursor::new(Vec::new());
    let written = encode_seekable(image, format, metadata, &mut buffer)
        .map_err(|e| encode_error(IN_MEMORY, format, e))?;
    Ok((buffer.into_inner(), written))
}

/// [`encode_image_to`] streaming into a hidden temporary file renamed onto
/// `path` when complete: never a partial file at `path` (on a full disk
/// neither the output nor the temporary file remains). The folder must exist.
pub fn write_image(
    image: &DynamicImage,
    path: &Path,
    format: ImageFormat,
    metadata: &ImageMetadata,
) -> Result<MetadataWritten, ImageError> {
    check_format(format)?;
    let name = path.display().to_string();
    let mut written = MetadataWritten::default();
    let result: Result<(), EncodeOrIo> = write_atomic_with(path, Access::Shared, |w| {
        written = encode_seekable(image, format, metadata, &mut *w).map_err(EncodeOrIo::Encode)?;
        w.flush()?;
        Ok(())
    });
    result.map_err(|e| match e {
        EncodeOrIo::Io(e) => io_error(&name, e),
        EncodeOrIo::Encode(e) => encode_error(&name, format, e),
    })?;
    Ok(written)
}

/// An encoder error or an I/O error of the temporary file.
enum EncodeOrIo {
    Encode(image::ImageError),
    Io(std::io::Error),
}

impl From<std::io::Error> for EncodeOrIo {
    fn from(e: std::io::Error) -> Self {
        EncodeOrIo::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal EXIF block (big-endian TIFF header, one IFD entry:
    /// Orientation = `value`).
    fn exif_orientation(value: u16) -> Vec<u8> {
        let mut e = b"MM\0\x2a\0\0\0\x08".to_vec();
        e.extend_from_slice(&1u16.to_be_bytes()); // one entry
        e.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        e.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        e.extend_from_slice(&1u32.to_be_bytes()); // count
        e.extend_from_slice(&value.to_be_bytes());
        e.extend_from_slice(&[0, 0]); // padding of the value field
        e.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        e
    }

    /// Inserts an APP1 EXIF segment after a JPEG's SOI marker.
    fn with_app1(jpeg: &[u8], exif: &[u8]) -> Vec<u8> {
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(exif);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// A 64×32 JPEG: left half black, right half white, with EXIF
    /// orientation 6 ("rotate 90 clockwise to display").
    fn rotated_jpeg(dir: &Path) -> std::path::PathBuf {
        let img = RgbImage::from_fn(64, 32, |x, _| {
            if x < 32 {
                image::Rgb([0, 0, 0])
            } else {
                image::Rgb([255, 255, 255])
            }
        });
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 95)
            .encode_image(&img)
            .unwrap();
        let path = dir.join("rotated.jpg");
        std::fs::write(&path, with_app1(&plain, &exif_orientation(6))).unwrap();
        path
    }

    #[test]
    fn exif_orientation_is_applied_on_read_and_reset_on_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = rotated_jpeg(dir.path());
        let decoded = read_image(&path, None).unwrap();
        // Rotated 90° clockwise: 32 wide, 64 high, the stored left (black)
        // half is now on top.
        assert_eq!(decoded.image.dimensions_tuple(), (32, 64));
        let rgb = decoded.image.to_rgb8();
        assert!(rgb.get_pixel(16, 8).0[0] < 20, "{:?}", rgb.get_pixel(16, 8));
        assert!(
            rgb.get_pixel(16, 56).0[0] > 235,
            "{:?}",
            rgb.get_pixel(16, 56)
        );
        assert_eq!(
            decoded.metadata.orientation_applied.as_deref(),
            Some("rotate 90 clockwise")
        );
        // Written back, the EXIF block is kept but says "upright", so the
        // file is not rotated a second time.
        let out = dir.path().join("out.jpg");
        let written =
            write_image(&decoded.image, &out, ImageFormat::Jpeg, &decoded.metadata).unwrap();
        assert!(written.exif);
        let again = read_image(&out, None).unwrap();
        assert_eq!(again.image.dimensions_tuple(), (32, 64));
        assert_eq!(again.metadata.orientation_applied, None);
        assert!(again.metadata.exif.is_some());
    }

    trait Dims {
        fn dimensions_tuple(&self) -> (u32, u32);
    }
    impl Dims for DynamicImage {
        fn dimensions_tuple(&self) -> (u32, u32) {
            (self.width(), self.height())
        }
    }

    #[test]
    fn icc_profile_round_trips_through_png_jpeg_webp_and_tiff() {
        let dir = tempfile::tempdir().unwrap();
        // Any bytes: the profile is carried, not interpreted.
        let icc: Vec<u8> = (0..600u32).map(|i| (i * 7 % 251) as u8).collect();
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(20, 10, |x, y| {
            image::Rgba([x as u8 * 10, y as u8 * 20, 99, 200])
        }));
        let meta = ImageMetadata {
            icc_profile: Some(icc.clone()),
            ..Default::default()
        };
        let input = dir.path().join("in.png");
        assert!(
            write_image(&img, &input, ImageFormat::Png, &meta)
                .unwrap()
                .icc_profile
        );
        // The PNG holds an iCCP chunk.
        let bytes = std::fs::read(&input).unwrap();
        assert!(bytes.windows(4).any(|w| w == b"iCCP"));
        let decoded = read_image(&input, None).unwrap();
        assert_eq!(decoded.metadata.icc_profile.as_deref(), Some(&icc[..]));
        for (name, format) in [
            ("out.png", ImageFormat::Png),
            ("out.jpg", ImageFormat::Jpeg),
            ("out.webp", ImageFormat::WebP),
            ("out.tif", ImageFormat::Tiff),
        ] {
            let out = dir.path().join(name);
            let written = write_image(&decoded.image, &out, format, &decoded.metadata).unwrap();
            assert!(written.icc_profile, "{name}");
            let back = read_image(&out, None).unwrap();
            if format == ImageFormat::Tiff {
                // image 0.25's TIFF decoder does not read the tag back: check
                // that the profile's bytes are in the file.
                let bytes = std::fs::read(&out).unwrap();
                assert!(bytes.windows(icc.len()).any(|w| w == &icc[..]), "{name}");
            } else {
                assert_eq!(
                    back.metadata.icc_profile.as_deref(),
                    Some(&icc[..]),
                    "{name}"
                );
            }
            assert_eq!(back.image.dimensions_tuple(), (20, 10), "{name}");
        }
        // BMP cannot hold a profile: written without it.
        let bmp = dir.path().join("out.bmp");
        let written = write_image(&decoded.image, &bmp, ImageFormat::Bmp, &decoded.metadata);
        assert!(!written.unwrap().icc_profile);
    }

    #[test]
    fn images_in_memory_decode_like_files_and_garbage_is_an_error() {
        let image = RgbImage::from_fn(9, 4, |x, y| image::Rgb([x as u8 * 20, y as u8 * 50, 7]));
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(image.clone())
            .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert_eq!(decode_rgb(&png).unwrap(), image);
        let err = decode_rgb(b"definitely not an image")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a supported image"), "{err}");
        let err = decode_rgb(&png[..png.len() / 2]).unwrap_err().to_string();
        assert!(err.contains("cannot decode"), "{err}");
    }

    #[test]
    fn images_encode_to_bytes_and_writers_keeping_metadata() {
        let icc: Vec<u8> = (0..300u32).map(|i| (i * 11 % 251) as u8).collect();
        let meta = ImageMetadata {
            icc_profile: Some(icc.clone()),
            ..Default::default()
        };
        let img = DynamicImage::ImageRgb16(image::ImageBuffer::from_fn(12, 7, |x, y| {
            image::Rgb([x as u16 * 5000, y as u16 * 9000, 777])
        }));
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let (bytes, written) = encode_image(&img, format, &meta).unwrap();
            assert!(written.icc_profile, "{format:?}");
            let back = decode_image(&bytes, None).unwrap();
            assert_eq!(back.format, format);
            assert_eq!(back.image.dimensions_tuple(), (12, 7));
            assert_eq!(back.metadata.icc_profile.as_deref(), Some(&icc[..]));
        }
        // PNG keeps 16 bits exactly; TIFF goes through a writer that cannot seek.
        let (png, _) = encode_image(&img, ImageFormat::Png, &meta).unwrap();
        assert_eq!(decode_image(&png, None).unwrap().image, img);
        let mut tiff = Vec::new();
        encode_image_to(&img, ImageFormat::Tiff, &meta, &mut tiff).unwrap();
        assert_eq!(decode_image(&tiff, None).unwrap().image, img);
        let err = encode_image(&img, ImageFormat::Gif, &meta).unwrap_err();
        assert_eq!(
            seer_core::HasErrorKind::kind(&err),
            seer_core::ErrorKind::Unsupported
        );
    }

    #[test]
    fn bad_files_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.png");
        std::fs::write(&empty, b"").unwrap();
        let err = read_image(&empty, None).err().unwrap().to_string();
        assert!(err.contains("empty"), "{err}");
        let text = dir.path().join("text.png");
        std::fs::write(&text, b"hello, not an image").unwrap();
        let err = read_image(&text, None).err().unwrap().to_string();
        assert!(err.contains("not a supported image"), "{err}");
        let big = dir.path().join("big.png");
        image::RgbImage::new(100, 100).save(&big).unwrap();
        let err = read_image(&big, Some(1000)).err().unwrap();
        assert_eq!(
            seer_core::HasErrorKind::kind(&err),
            seer_core::ErrorKind::ResourceLimit
        );
        let err = err.to_string();
        assert!(err.contains("100x100") && err.contains("budget"), "{err}");
        let missing = read_image(&dir.path().join("missing.png"), None)
            .err()
            .unwrap();
        assert_eq!(
            seer_core::HasErrorKind::kind(&missing),
            seer_core::ErrorKind::NotFound
        );
    }
}
