//! Image to network input: planar BGR floats, as the PaddleOCR models were
//! trained (OpenCV's channel order).

use image::RgbImage;

/// How 0..255 pixel values become network inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalise {
    /// (x / 255 − 0.5) / 0.5, so −1..1.
    Symmetric,
}

impl Normalise {
    fn apply(self, value: u8) -> f32 {
        match self {
            Normalise::Symmetric => (f32::from(value) / 255.0 - 0.5) / 0.5,
        }
    }
}

/// The image as three planes B, G, R of `width` columns each (the image
/// is placed at the left; columns past its width are 0, the mid value
/// after normalising), `image.height()` rows.
pub fn bgr_planes(image: &RgbImage, width: usize, normalise: Normalise) -> Vec<f32> {
    let (iw, ih) = (image.width() as usize, image.height() as usize);
    let plane = width * ih;
    let mut data = vec![0.0f32; plane * 3];
    for (y, row) in image.rows().enumerate() {
        for (x, p) in row.enumerate().take(width.min(iw)) {
            let at = y * width + x;
            data[at] = normalise.apply(p.0[2]);
            data[plane + at] = normalise.apply(p.0[1]);
            data[2 * plane + at] = normalise.apply(p.0[0]);
        }
    }
    data
}

/// Height in pixels of the line image the classifier and recogniser read.
pub const LINE_HEIGHT: u32 = 48;

/// A text line as network input: scaled to [`LINE_HEIGHT`] rows keeping
/// its aspect ratio (at most `max_width` columns), normalised, padded
/// on the right with 0 to `width` columns. Returns the planar B, G, R data.
pub fn line_planes(line: &RgbImage, max_width: u32, width: u32) -> Vec<f32> {
    let (w, h) = (
        f64::from(line.width().max(1)),
        f64::from(line.height().max(1)),
    );
    let scaled = ((f64::from(LINE_HEIGHT) * w / h).ceil() as u32).clamp(1, max_width.min(width));
    let resized = seer_imgproc::resize_to(line, scaled, LINE_HEIGHT);
    bgr_planes(&resized, width as usize, Normalise::Symmetric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_are_bgr_normalised_and_padded_with_zero() {
        let image = RgbImage::from_pixel(1, 1, image::Rgb([255, 0, 51]));
        let data = bgr_planes(&image, 2, Normalise::Symmetric);
        assert_eq!(data.len(), 6);
        assert!((data[0] - (-0.6)).abs() < 1e-6, "blue first");
        assert_eq!(data[1], 0.0, "padding");
        assert_eq!(data[2], -1.0);
        assert_eq!(data[4], 1.0, "red last");
    }

    #[test]
    fn lines_are_scaled_to_48_rows_and_padded() {
        let line = RgbImage::from_pixel(40, 10, image::Rgb([255, 255, 255]));
        let data = line_planes(&line, 192, 192);
        assert_eq!(data.len(), 3 * 48 * 192);
        // 40x10 becomes 192x48 would need 192 columns: all white.
        assert_eq!(data[191], 1.0);
        let narrow = RgbImage::from_pixel(10, 10, image::Rgb([255, 255, 255]));
        let data = line_planes(&narrow, 192, 192);
        assert_eq!(data[47], 1.0);
        assert_eq!(data[48], 0.0, "padding after 48 columns");
    }
}
