//! The PP-OCRv4 recogniser: a cropped line image in, per-step class
//! probabilities out, decoded to text with the model's own dictionary.

use super::ctc::{Alphabet, DICTIONARY_KEY};
use super::tensor::{line_planes, LINE_HEIGHT};
use crate::SceneError;
use image::RgbImage;
use seer_runtime::{Session, Tensor};
use std::path::Path;

/// Catalogue id of the recogniser.
pub const RECOGNIZE_MODEL_ID: &str = "ocr.recognize";

/// Narrowest recogniser input in pixels (lines are padded to it).
const MIN_WIDTH: u32 = 320;
/// Widest recogniser input in pixels (longer lines are squeezed).
const MAX_WIDTH: u32 = 3200;
/// Input widths are padded to a multiple of this (the width stride).
const WIDTH_MULTIPLE: u32 = 8;

/// The dictionary stored in the recogniser's ONNX metadata.
pub fn alphabet_of(path: &Path) -> Result<Alphabet, SceneError> {
    let bytes = std::fs::read(path).map_err(|source| SceneError::OcrModelFile {
        path: path.to_path_buf(),
        source,
    })?;
    let model = seer_onnx::decode(&bytes).map_err(|source| SceneError::OcrModelFormat {
        path: path.to_path_buf(),
        source,
    })?;
    model
        .metadata_props
        .iter()
        .find(|entry| entry.key == DICTIONARY_KEY)
        .and_then(|entry| Alphabet::from_dictionary(&entry.value))
        .ok_or(SceneError::OcrModelContent {
            model: RECOGNIZE_MODEL_ID,
            reason: format!("no dictionary under the metadata key {DICTIONARY_KEY:?}"),
        })
}

/// The recogniser input width for a line of `size` (width, height):
/// the width at 48 rows, at least 320, at most 3200, a multiple of 8.
pub fn input_width(size: (u32, u32)) -> u32 {
    let (w, h) = (f64::from(size.0.max(1)), f64::from(size.1.max(1)));
    let scaled = (f64::from(LINE_HEIGHT) * w / h).ceil() as u32;
    scaled
        .div_ceil(WIDTH_MULTIPLE)
        .saturating_mul(WIDTH_MULTIPLE)
        .clamp(MIN_WIDTH, MAX_WIDTH)
}

/// The text of `line` and its mean character probability 0..1.
pub fn read_line(
    session: &mut Session,
    alphabet: &Alphabet,
    line: &RgbImage,
) -> Result<(String, f32), SceneError> {
    let width = input_width(line.dimensions());
    let tensor = Tensor {
        shape: vec![1, 3, LINE_HEIGHT as usize, width as usize],
        data: line_planes(line, MAX_WIDTH, width),
    };
    let outputs = session
        .run(&[tensor])
        .map_err(|source| SceneError::OcrRuntime {
            model: RECOGNIZE_MODEL_ID,
            source: Box::new(source),
        })?;
    let steps = outputs
        .into_iter()
        .next()
        .ok_or(SceneError::OcrModelContent {
            model: RECOGNIZE_MODEL_ID,
            reason: "no output".into(),
        })?;
    if steps.shape.last() != Some(&alphabet.len()) {
        return Err(SceneError::OcrModelContent {
            model: RECOGNIZE_MODEL_ID,
            reason: format!(
                "output shape {:?} does not end in the dictionary's {} classes",
                steps.shape,
                alphabet.len()
            ),
        });
    }
    Ok(alphabet.decode(&steps.data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_keep_the_aspect_within_limits() {
        assert_eq!(input_width((100, 48)), 320);
        assert_eq!(input_width((1000, 48)), 1000);
        assert_eq!(input_width((1001, 48)), 1008);
        assert_eq!(input_width((100_000, 1)), 3200);
        assert_eq!(input_width((0, 0)), 320);
    }
}
