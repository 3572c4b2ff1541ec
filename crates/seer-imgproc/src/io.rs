//! Reading and writing image files.
//!
//! [`read_image`] recognises the format from the content, applies the EXIF
//! orientation (so the pixels are upright) and keeps the ICC profile and
//! EXIF block; [`write_image`] writes them back where the format can hold
//! them (ICC: PNG, JPEG, WebP, TIFF; EXIF: PNG, JPEG, WebP), with the EXIF
//! orientation reset to "upright", through an atomic temporary file.

use crate::atomic::write_atomic_with;
use crate::ImageError;
use image::codecs::webp::WebPEncoder;
use image::codecs::{bmp::BmpEncoder, jpeg::JpegEncoder, png::PngEncoder, tiff::TiffEncoder};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, RgbImage};
use std::io::{BufWriter, Read, Write};
use std::path::Path;

/// Image formats seer reads and writes, for error messages.
pub const FORMATS: &str = "PNG, JPEG, WebP, TIFF or BMP";

/// JPEG quality of written files (1..100).
pub const JPEG_QUALITY: u8 = 92;

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
    /// The format recognised from the file's content.
    pub format: ImageFormat,
    /// ICC profile and EXIF block.
    pub metadata: ImageMetadata,
}

/// Which metadata a written file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataWritten {
    /// True when the ICC profile was embedded.
    pub icc_profile: bool,
    /// True when the EXIF block was embedded.
    pub exif: bool,
}

fn read_error(path: &Path, detail: impl ToString) -> ImageError {
    ImageError::Read {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

fn write_error(path: &Path, detail: impl ToString) -> ImageError {
    ImageError::Write {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
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

/// `path` holds no image seer reads.
fn unsupported_error(path: &Path) -> ImageError {
    read_error(
        path,
        format!("not a supported image; give a {FORMATS} image"),
    )
}

/// `path` could not be decoded.
fn corrupt_error(path: &Path, e: image::ImageError) -> ImageError {
    read_error(
        path,
        format!("cannot decode: {e}; give an intact {FORMATS} image"),
    )
}

/// The format of an encoded image, from its first bytes, when it is one
/// seer reads ([`FORMATS`]).
fn supported_format(head: &[u8]) -> Option<ImageFormat> {
    image::guess_format(head).ok().filter(|f| {
        matches!(
            f,
            ImageFormat::Png
                | ImageFormat::Jpeg
                | ImageFormat::WebP
                | ImageFormat::Tiff
                | ImageFormat::Bmp
        )
    })
}

/// Decodes an image file with clear errors for empty, unknown and corrupt
/// files (the format is recognised from the content, not the extension),
/// applies its EXIF orientation and keeps its ICC profile and EXIF block.
/// `max_bytes` refuses images whose decoded pixels would need more memory.
pub fn read_image(path: &Path, max_bytes: Option<u64>) -> Result<DecodedImage, ImageError> {
    let size = std::fs::metadata(path)
        .map_err(|e| read_error(path, e))?
        .len();
    if size == 0 {
        return Err(read_error(
            path,
            format!("the file is empty (0 bytes); give a {FORMATS} image"),
        ));
    }
    // The format comes from the content only: a text file named .png is
    // "not an image", not a corrupt PNG.
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .map_err(|e| read_error(path, e))?;
    let format = supported_format(&head).ok_or_else(|| unsupported_error(path))?;
    let corrupt = |e| corrupt_error(path, e);
    let mut reader = ImageReader::open(path).map_err(|e| read_error(path, e))?;
    reader.set_format(format);
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(read_error(
            path,
            format!("the image has no pixels ({w}x{h})"),
        ));
    }
    if let Some(max) = max_bytes {
        if decoder.total_bytes() > max {
            return Err(read_error(
                path,
                format!(
                    "{w}x{h} pixels need {:.2} GiB decoded, above the memory budget of {:.2} GiB",
                    decoder.total_bytes() as f64 / GIB,
                    max as f64 / GIB
                ),
            ));
        }
    }
    // Metadata is optional: unreadable metadata is dropped, not an error.
    let icc_profile = decoder.icc_profile().ok().flatten();
    let mut exif = decoder.exif_metadata().ok().flatten();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
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

/// Bytes per GiB.
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Decodes an image file (PNG, JPEG, …) into 8-bit RGB, upright; alpha is dropped.
pub fn load_rgb(path: &Path) -> Result<RgbImage, ImageError> {
    Ok(read_image(path, None)?.image.into_rgb8())
}

/// Decodes an encoded image held in memory (PNG, JPEG, …; the format is
/// recognised from the content) into 8-bit RGB, upright; alpha is dropped.
pub fn decode_rgb(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    let source = Path::new("<image in memory>");
    let format = supported_format(bytes).ok_or_else(|| unsupported_error(source))?;
    let corrupt = |e| corrupt_error(source, e);
    let mut decoder = ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_decoder()
        .map_err(corrupt)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok(image.into_rgb8())
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
    ImageFormat::from_path(path)
        .ok()
        .filter(|f| {
            matches!(
                f,
                ImageFormat::Png
                    | ImageFormat::Jpeg
                    | ImageFormat::WebP
                    | ImageFormat::Tiff
                    | ImageFormat::Bmp
            )
        })
        .ok_or_else(|| {
            write_error(
                path,
                "cannot tell the output format; use the extension .png, .jpg, .webp, .tif or .bmp",
            )
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

/// Encodes `image` as `format` into `w` with the metadata the format holds.
fn encode(
    image: &DynamicImage,
    format: ImageFormat,
    metadata: &ImageMetadata,
    w: &mut BufWriter<std::fs::File>,
) -> Result<MetadataWritten, image::ImageError> {
    let fitted = fit_for_format(image, format);
    let image = fitted.as_ref().unwrap_or(image);
    let (width, height) = (image.width(), image.height());
    let colour = image.color().into();
    let bytes = image.as_bytes();
    let written = match format {
        ImageFormat::Png => {
            let mut e = PngEncoder::new(&mut *w);
            let m = offer_metadata(&mut e, metadata);
            e.write_image(bytes, width, height, colour)?;
            m
        }
        ImageFormat::Jpeg => {
            let mut e = JpegEncoder::new_with_quality(&mut *w, JPEG_QUALITY);
            let m = offer_metadata(&mut e, metadata);
            e.write_image(bytes, width, height, colour)?;
            m
        }
        ImageFormat::WebP => {
            let mut e = WebPEncoder::new_lossless(&mut *w);
            let m = offer_metadata(&mut e, metadata);
            e.write_image(bytes, width, height, colour)?;
            m
        }
        ImageFormat::Tiff => {
            let mut e = TiffEncoder::new(&mut *w);
            let m = offer_metadata(&mut e, metadata);
            e.write_image(bytes, width, height, colour)?;
            m
        }
        _ => {
            let mut e = BmpEncoder::new(&mut *w);
            let m = offer_metadata(&mut e, metadata);
            e.write_image(bytes, width, height, colour)?;
            m
        }
    };
    Ok(written)
}

/// Encodes `image` as `format` (PNG and TIFF keep 16 bits, JPEG drops
/// alpha) with the ICC profile and EXIF block where the format holds them,
/// streaming into a hidden temporary file renamed onto `path` when
/// complete: never a partial file at `path` (on a full disk neither the
/// output nor the temporary file remains). The folder must exist.
pub fn write_image(
    image: &DynamicImage,
    path: &Path,
    format: ImageFormat,
    metadata: &ImageMetadata,
) -> Result<MetadataWritten, ImageError> {
    let mut written = MetadataWritten::default();
    let result: Result<(), EncodeOrIo> = write_atomic_with(path, |w| {
        written = encode(image, format, metadata, w).map_err(EncodeOrIo::Encode)?;
        w.flush()?;
        Ok(())
    });
    result.map_err(|e| {
        let detail = match e {
            EncodeOrIo::Io(e) if e.raw_os_error() == Some(28) || e.raw_os_error() == Some(27) => {
                format!("{e}; the disk (or file size limit) is full, nothing was written")
            }
            EncodeOrIo::Io(e) => format!("{e}; nothing was written"),
            EncodeOrIo::Encode(image::ImageError::IoError(e)) => {
                format!("{e}; nothing was written")
            }
            EncodeOrIo::Encode(e) => format!("cannot encode: {e}; nothing was written"),
        };
        write_error(path, detail)
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
        let err = read_image(&big, Some(1000)).err().unwrap().to_string();
        assert!(err.contains("100x100") && err.contains("budget"), "{err}");
    }
}
