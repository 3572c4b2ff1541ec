//! Copies between packed RGB images and FFmpeg frames (whose rows may be
//! padded: `stride` bytes per row ≥ 3 · width), and the YUV matrix and
//! range of colour conversions.

use ffmpeg_next::ffi;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::software::scaling;
use ffmpeg_next::util::color;
use ffmpeg_next::util::frame::video::Video as Frame;
use image::RgbImage;

/// Copies an `RGB24` frame into a packed RGB image.
pub fn frame_to_rgb(frame: &Frame) -> RgbImage {
    let (width, height) = (frame.width(), frame.height());
    let row_bytes = width as usize * 3;
    let stride = frame.stride(0);
    let data = frame.data(0);
    let mut pixels = Vec::with_capacity(row_bytes * height as usize);
    for y in 0..height as usize {
        let start = y * stride;
        pixels.extend_from_slice(&data[start..start + row_bytes]);
    }
    // The buffer has exactly width · height · 3 bytes, so this cannot fail;
    // an empty image is returned rather than panicking if it ever did.
    RgbImage::from_raw(width, height, pixels).unwrap_or_else(|| RgbImage::new(0, 0))
}

/// A new `RGB24` frame holding a copy of `image`.
pub fn rgb_to_frame(image: &RgbImage) -> Frame {
    let (width, height) = image.dimensions();
    let mut frame = Frame::new(Pixel::RGB24, width, height);
    let row_bytes = width as usize * 3;
    let stride = frame.stride(0);
    let data = frame.data_mut(0);
    for (y, row) in image.as_raw().chunks_exact(row_bytes.max(1)).enumerate() {
        let start = y * stride;
        data[start..start + row_bytes].copy_from_slice(row);
    }
    frame
}

/// How the YUV samples of a video map to RGB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YuvLayout {
    /// Matrix as an `AVColorSpace` value (BT.709 = 1; unspecified and
    /// unknown values mean BT.601, as in FFmpeg).
    pub matrix: i32,
    /// True when luma spans 0..255 ("full", JPEG range), false for 16..235.
    pub full_range: bool,
}

impl YuvLayout {
    /// The layout of frames with these colour facts; the `yuvj*` pixel
    /// formats are full range whatever the range tag says.
    pub fn new(space: color::Space, range: color::Range, pixel: Pixel) -> YuvLayout {
        let full_pixel = matches!(
            pixel,
            Pixel::YUVJ420P | Pixel::YUVJ422P | Pixel::YUVJ444P | Pixel::YUVJ440P | Pixel::YUVJ411P
        );
        YuvLayout {
            matrix: ffi::AVColorSpace::from(space) as i32,
            full_range: full_pixel || range == color::Range::JPEG,
        }
    }
}

/// True for pixel formats that store YUV (or grey) samples.
pub fn is_yuv(pixel: Pixel) -> bool {
    pixel
        .descriptor()
        .map(|d| {
            let name = d.name();
            name.starts_with("yuv") || name.starts_with("nv") || name.starts_with("gray")
        })
        .unwrap_or(false)
}

/// Tells swscale the matrix and range of the YUV side of a conversion
/// (`yuv_is_source`: YUV → RGB, else RGB → YUV); without this it assumes
/// BT.601 limited range. Returns false when swscale refuses.
pub fn set_yuv_layout(
    scaler: &mut scaling::Context,
    layout: YuvLayout,
    yuv_is_source: bool,
) -> bool {
    let range = i32::from(layout.full_range);
    let (source_range, target_range) = if yuv_is_source {
        (range, 1)
    } else {
        (1, range)
    };
    // SAFETY: sws_getCoefficients returns a pointer to a static table of
    // four ints (a default one for unknown matrices); the context is valid
    // and exclusively borrowed. Brightness 0, contrast and saturation 1.0
    // (16.16 fixed point) leave the picture unchanged.
    let status = unsafe {
        let table = ffi::sws_getCoefficients(layout.matrix);
        ffi::sws_setColorspaceDetails(
            scaler.as_mut_ptr(),
            table,
            source_range,
            table,
            target_range,
            0,
            1 << 16,
            1 << 16,
        )
    };
    status >= 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RGB → YUV 4:4:4 → RGB with the given layouts on each side.
    fn round_trip(image: &RgbImage, encode: YuvLayout, decode: YuvLayout) -> RgbImage {
        crate::init().unwrap();
        let (w, h) = image.dimensions();
        let flags = scaling::Flags::BICUBIC | scaling::Flags::ACCURATE_RND;
        let mut to_yuv =
            scaling::Context::get(Pixel::RGB24, w, h, Pixel::YUV444P, w, h, flags).unwrap();
        let mut to_rgb =
            scaling::Context::get(Pixel::YUV444P, w, h, Pixel::RGB24, w, h, flags).unwrap();
        assert!(set_yuv_layout(&mut to_yuv, encode, false));
        assert!(set_yuv_layout(&mut to_rgb, decode, true));
        let mut yuv = Frame::empty();
        to_yuv.run(&rgb_to_frame(image), &mut yuv).unwrap();
        let mut rgb = Frame::empty();
        to_rgb.run(&yuv, &mut rgb).unwrap();
        frame_to_rgb(&rgb)
    }

    fn max_diff(a: &RgbImage, b: &RgbImage) -> u8 {
        a.as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(&x, &y)| x.abs_diff(y))
            .max()
            .unwrap_or(0)
    }

    fn test_image() -> RgbImage {
        RgbImage::from_fn(48, 32, |x, y| {
            image::Rgb([(x * 5) as u8, (y * 7) as u8, ((x * y) % 256) as u8])
        })
    }

    #[test]
    fn matrix_and_range_round_trip() {
        let image = test_image();
        let layouts = [
            YuvLayout::new(color::Space::BT470BG, color::Range::MPEG, Pixel::YUV420P),
            YuvLayout::new(color::Space::BT709, color::Range::MPEG, Pixel::YUV420P),
            YuvLayout::new(color::Space::BT709, color::Range::JPEG, Pixel::YUV420P),
            YuvLayout::new(
                color::Space::BT709,
                color::Range::Unspecified,
                Pixel::YUVJ420P,
            ),
        ];
        for layout in layouts {
            let back = round_trip(&image, layout, layout);
            assert!(max_diff(&image, &back) <= 3, "{layout:?}");
        }
    }

    #[test]
    fn layouts_are_applied() {
        let image = test_image();
        let bt601 = YuvLayout::new(color::Space::BT470BG, color::Range::MPEG, Pixel::YUV420P);
        let bt709 = YuvLayout::new(color::Space::BT709, color::Range::MPEG, Pixel::YUV420P);
        let full = YuvLayout::new(color::Space::BT709, color::Range::JPEG, Pixel::YUV420P);
        assert!(max_diff(&image, &round_trip(&image, bt709, bt601)) > 10);
        assert!(max_diff(&image, &round_trip(&image, full, bt709)) > 10);
    }

    #[test]
    fn frames_with_padded_rows_copy_exactly() {
        let image = RgbImage::from_fn(37, 5, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let frame = rgb_to_frame(&image);
        assert!(frame.stride(0) >= 37 * 3);
        assert_eq!(frame_to_rgb(&frame), image);
    }
}
