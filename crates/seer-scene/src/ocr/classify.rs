//! The text direction classifier: is a cropped line upside down?

use super::tensor::{line_planes, LINE_HEIGHT};
use crate::SceneError;
use image::RgbImage;
use seer_runtime::{Session, Tensor};

/// Catalogue id of the direction classifier.
pub const CLASSIFY_MODEL_ID: &str = "ocr.classify";

/// Width in pixels of the classifier's input.
const INPUT_WIDTH: u32 = 192;

/// The probability 0..1 that `line` is turned by 180°.
pub fn upside_down(session: &mut Session, line: &RgbImage) -> Result<f32, SceneError> {
    let tensor = Tensor {
        shape: vec![1, 3, LINE_HEIGHT as usize, INPUT_WIDTH as usize],
        data: line_planes(line, INPUT_WIDTH, INPUT_WIDTH),
    };
    let outputs = session
        .run(&[tensor])
        .map_err(|source| SceneError::OcrRuntime {
            model: CLASSIFY_MODEL_ID,
            source: Box::new(source),
        })?;
    match outputs.first().map(|o| o.data.as_slice()) {
        // Classes: 0°, 180° (softmax probabilities).
        Some([_, turned]) => Ok(*turned),
        _ => Err(SceneError::OcrModelContent {
            model: CLASSIFY_MODEL_ID,
            reason: format!(
                "output shape {:?} is not two class probabilities",
                outputs.first().map(|o| o.shape.clone())
            ),
        }),
    }
}
