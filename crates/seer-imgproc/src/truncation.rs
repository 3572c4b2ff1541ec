//! Telling a cut-off JPEG from a whole one.
//!
//! The JPEG decoder fills the missing part of a truncated file with grey
//! and reports success, so a file cut at half its length would be upscaled
//! or searched for faces as half an image. PNG, WebP, TIFF and BMP decoders
//! already fail on a truncated file. This walk follows the JPEG's marker
//! segments (each with its length) and entropy-coded scans (where a marker
//! byte `FF` is always followed by `00` or a restart marker) to the end of
//! image marker; a file that ends first is truncated.

/// What the walk found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JpegEnd {
    /// The end-of-image marker was reached.
    Complete,
    /// The data ends inside a segment or a scan, before the end-of-image marker.
    Truncated,
    /// The structure is not one the walk follows (left to the decoder).
    Unknown,
}

/// Marker bytes (after `FF`) that carry no length field.
fn is_standalone(marker: u8) -> bool {
    matches!(marker, 0x01 | 0xD0..=0xD7)
}

/// Walks `data` (a JPEG from its first byte) to its end-of-image marker.
pub fn jpeg_end(data: &[u8]) -> JpegEnd {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return JpegEnd::Unknown;
    }
    let mut i = 2;
    loop {
        // A marker: one or more FF fill bytes, then its code.
        match data.get(i) {
            None => return JpegEnd::Truncated,
            Some(0xFF) => {}
            Some(_) => return JpegEnd::Unknown,
        }
        while data.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = data.get(i) else {
            return JpegEnd::Truncated;
        };
        i += 1;
        if marker == 0xD9 {
            return JpegEnd::Complete;
        }
        if is_standalone(marker) {
            continue;
        }
        let (Some(&hi), Some(&lo)) = (data.get(i), data.get(i + 1)) else {
            return JpegEnd::Truncated;
        };
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        if length < 2 {
            return JpegEnd::Unknown;
        }
        i += length;
        if i > data.len() {
            return JpegEnd::Truncated;
        }
        if marker == 0xDA {
            // Entropy-coded data of a scan, up to the next real marker.
            loop {
                match (data.get(i), data.get(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return JpegEnd::Truncated,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small baseline JPEG made by the encoder seer writes with.
    fn jpeg() -> Vec<u8> {
        let image = image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_to(
                &mut std::io::Cursor::new(&mut out),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        out
    }

    #[test]
    fn a_whole_jpeg_is_complete_and_every_cut_is_truncated() {
        let data = jpeg();
        assert_eq!(jpeg_end(&data), JpegEnd::Complete);
        for cut in 2..data.len() - 1 {
            assert_eq!(jpeg_end(&data[..cut]), JpegEnd::Truncated, "cut at {cut}");
        }
        // Bytes after the end-of-image marker are allowed (camera trailers).
        let mut trailer = data.clone();
        trailer.extend_from_slice(b"trailing bytes");
        assert_eq!(jpeg_end(&trailer), JpegEnd::Complete);
    }

    #[test]
    fn a_thumbnail_inside_a_segment_does_not_end_the_image() {
        let data = jpeg();
        // An APP1 segment holding a whole JPEG (as EXIF thumbnails do).
        let thumb = jpeg();
        let mut with_thumb = data[..2].to_vec();
        with_thumb.extend_from_slice(&[0xFF, 0xE1]);
        with_thumb.extend_from_slice(&((thumb.len() + 2) as u16).to_be_bytes());
        with_thumb.extend_from_slice(&thumb);
        with_thumb.extend_from_slice(&data[2..]);
        assert_eq!(jpeg_end(&with_thumb), JpegEnd::Complete);
        let half = with_thumb.len() - data.len() / 2;
        assert_eq!(jpeg_end(&with_thumb[..half]), JpegEnd::Truncated);
    }

    #[test]
    fn other_data_is_left_to_the_decoder() {
        assert_eq!(jpeg_end(b"\x89PNG"), JpegEnd::Unknown);
        assert_eq!(jpeg_end(&[0xFF, 0xD8, 0x12]), JpegEnd::Unknown);
        assert_eq!(jpeg_end(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 1]), JpegEnd::Unknown);
    }
}
