//! The PP-OCRv4 DB text detector: the image in, a per-pixel probability
//! of "text" out, at the network input's size.

use super::tensor::{bgr_planes, Normalise};
use crate::SceneError;
use image::RgbImage;
use seer_runtime::{Session, Tensor};

/// Catalogue id of the detector.
pub const DETECT_MODEL_ID: &str = "ocr.detect";

/// Input sides must be multiples of this (the backbone's total stride).
const SIDE_MULTIPLE: u32 = 32;

/// The detector's text probability per pixel of its input, row-major.
#[derive(Clone, Debug)]
pub struct ProbabilityMap {
    /// Width in input pixels.
    pub width: usize,
    /// Height in input pixels.
    pub height: usize,
    /// Probability 0..1 of each pixel, `width * height` values.
    pub data: Vec<f32>,
}

impl ProbabilityMap {
    /// The probability at column `x`, row `y`.
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }
}

/// The detector input size (width, height in pixels) for an image of
/// `size`: shrunk so that its longer side is at most `max_side` (never
/// enlarged), each side rounded to the nearest multiple of 32, at least 32.
pub fn input_size(size: (u32, u32), max_side: u32) -> (u32, u32) {
    let (w, h) = (f64::from(size.0.max(1)), f64::from(size.1.max(1)));
    let scale = (f64::from(max_side) / w.max(h)).min(1.0);
    let round = |side: f64| {
        let units = (side * scale / f64::from(SIDE_MULTIPLE)).round() as u32;
        (units.max(1) * SIDE_MULTIPLE).min(max_side.max(SIDE_MULTIPLE))
    };
    (round(w), round(h))
}

/// Runs the detector on `image` resized to `input` (width, height).
pub fn probability_map(
    session: &mut Session,
    image: &RgbImage,
    input: (u32, u32),
) -> Result<ProbabilityMap, SceneError> {
    let resized = seer_imgproc::resize_to(image, input.0, input.1);
    let (w, h) = (input.0 as usize, input.1 as usize);
    let tensor = Tensor {
        shape: vec![1, 3, h, w],
        data: bgr_planes(&resized, w, Normalise::Symmetric),
    };
    let outputs = session
        .run(&[tensor])
        .map_err(|source| SceneError::OcrRuntime {
            model: DETECT_MODEL_ID,
            source: Box::new(source),
        })?;
    let map = outputs
        .into_iter()
        .next()
        .ok_or(SceneError::OcrModelContent {
            model: DETECT_MODEL_ID,
            reason: "no output".into(),
        })?;
    if map.data.len() != w * h {
        return Err(SceneError::OcrModelContent {
            model: DETECT_MODEL_ID,
            reason: format!(
                "output shape {:?} is not one map of {w}x{h} pixels",
                map.shape
            ),
        });
    }
    Ok(ProbabilityMap {
        width: w,
        height: h,
        data: map.data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_sides_are_multiples_of_32_within_the_limit() {
        assert_eq!(input_size((960, 540), 960), (960, 544));
        assert_eq!(input_size((1920, 1080), 960), (960, 544));
        assert_eq!(input_size((300, 40), 960), (288, 32));
        assert_eq!(input_size((1, 1), 960), (32, 32));
        assert_eq!(input_size((5000, 10), 960), (960, 32));
    }
}
