//! Hostile image files built in code, for the hardening tests: headers
//! that claim huge sizes, truncated files and animations. Each is small on
//! disk; what it claims is what the tests check seer refuses.

use std::io::Cursor;

/// CRC-32 (IEEE, as PNG chunks use) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One PNG chunk: length, type, data, CRC.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A PNG whose header claims `width`×`height` 8-bit RGB pixels but that
/// holds almost no pixel data (a few hundred bytes on disk).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
    out.extend(png_chunk(b"IHDR", &ihdr));
    // A zlib stream of one stored, empty block: valid, but far too short.
    out.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF],
    ));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A `width`×`height` gradient with detail (so compressed files have
/// enough scan data to cut).
fn gradient(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        let v = (x * 7 + y * 13 + (x * y) % 31) as u8;
        image::Rgb([v, v.wrapping_mul(3), (x ^ y) as u8])
    })
}

/// `image` encoded as `format`.
fn encode(image: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image.clone())
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encoding a generated image");
    out
}

/// A whole `width`×`height` JPEG.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&gradient(width, height), image::ImageFormat::Jpeg)
}

/// A whole `width`×`height` PNG.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(&gradient(width, height), image::ImageFormat::Png)
}

/// The first `percent` % of `bytes`, as a cut-off download leaves it.
pub fn truncated(bytes: &[u8], percent: usize) -> Vec<u8> {
    bytes[..bytes.len() * percent / 100].to_vec()
}

/// An animated PNG (APNG): a still PNG with an animation control chunk
/// (`acTL`, two frames) after its header, which marks it as animated.
pub fn animated_png() -> Vec<u8> {
    let still = png(32, 24);
    // Signature (8) + IHDR chunk (4 + 4 + 13 + 4).
    let after_ihdr = 8 + 25;
    let mut actl = 2u32.to_be_bytes().to_vec(); // frames
    actl.extend_from_slice(&0u32.to_be_bytes()); // loop forever
    let mut out = still[..after_ihdr].to_vec();
    out.extend(png_chunk(b"acTL", &actl));
    let mut fctl = 0u32.to_be_bytes().to_vec(); // sequence number
    fctl.extend_from_slice(&32u32.to_be_bytes());
    fctl.extend_from_slice(&24u32.to_be_bytes());
    fctl.extend_from_slice(&[0; 8]); // x, y offsets
    fctl.extend_from_slice(&[0, 1, 0, 10, 0, 0]); // delay 1/10 s, no dispose, no blend
    out.extend(png_chunk(b"fcTL", &fctl));
    out.extend_from_slice(&still[after_ihdr..]);
    out
}

/// An animated WebP of two identical 16×16 lossless frames.
pub fn animated_webp() -> Vec<u8> {
    let image = gradient(16, 16);
    let mut still = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut still)
        .encode(image.as_raw(), 16, 16, image::ExtendedColorType::Rgb8)
        .expect("encoding a generated WebP");
    // RIFF header (12) then the VP8L chunk, which a frame carries as is.
    let vp8l = &still[12..];
    let u24 = |v: u32| v.to_le_bytes()[..3].to_vec();
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut out = kind.to_vec();
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    };
    let mut vp8x = vec![0x02, 0, 0, 0]; // animation flag
    vp8x.extend(u24(15));
    vp8x.extend(u24(15));
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for _ in 0..2 {
        let mut frame = u24(0);
        frame.extend(u24(0));
        frame.extend(u24(15));
        frame.extend(u24(15));
        frame.extend(u24(100)); // 100 ms
        frame.push(0);
        frame.extend_from_slice(vp8l);
        body.extend(chunk(b"ANMF", &frame));
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
