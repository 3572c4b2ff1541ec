//! The text reader: detector, direction classifier and recogniser loaded
//! once, then any number of images read.

use super::boxes::{text_boxes, BoxRules, TextBox};
use super::classify::{upside_down, CLASSIFY_MODEL_ID};
use super::crop::straightened;
use super::ctc::Alphabet;
use super::detect::{input_size, probability_map, DETECT_MODEL_ID};
use super::lines::{reading_order, OcrResult, TextLine};
use super::recognize::{alphabet_of, read_line, RECOGNIZE_MODEL_ID};
use super::OcrOptions;
use crate::SceneError;
use image::RgbImage;
use seer_core::progress::NoProgress;
use seer_models::Store;
use seer_runtime::{Session, SessionOptions};
use std::borrow::Cow;
use std::path::PathBuf;

/// Crops reach this fraction of the box's thickness above and below it:
/// with the bare box the recogniser dropped the spaces of 6 of the 17
/// lines of the Set14 book cover (`ppt3.png`), with it none.
const CROP_MARGIN: f32 = 0.1;

/// Boxes turned less than this (degrees) are cropped upright: resampling
/// a nearly upright box along its slight tilt made the recogniser drop
/// spaces on the book cover (11 of 17 lines exact instead of 17).
const UPRIGHT_DEGREES: f32 = 3.0;

/// Reads lines of Chinese and English text in images with PaddleOCR's
/// PP-OCRv4 models.
pub struct TextReader {
    detector: Session,
    classifier: Session,
    recogniser: Session,
    alphabet: Alphabet,
    options: OcrOptions,
}

impl TextReader {
    /// Loads the three models, fetching them into `store` the first time.
    pub fn open(store: &Store, options: &OcrOptions) -> Result<TextReader, SceneError> {
        options.validate()?;
        let session_options = SessionOptions {
            threads: options.threads,
        };
        let load = |id: &'static str| -> Result<(Session, PathBuf), SceneError> {
            let path = store
                .ensure(id, &NoProgress)
                .map_err(|source| SceneError::OcrModel {
                    model: id,
                    source: Box::new(source),
                })?;
            let session = Session::from_file(&path, &session_options).map_err(|source| {
                SceneError::OcrRuntime {
                    model: id,
                    source: Box::new(source),
                }
            })?;
            Ok((session, path))
        };
        let (detector, _) = load(DETECT_MODEL_ID)?;
        let (classifier, _) = load(CLASSIFY_MODEL_ID)?;
        let (recogniser, rec_path) = load(RECOGNIZE_MODEL_ID)?;
        let alphabet = alphabet_of(&rec_path)?;
        Ok(TextReader {
            detector,
            classifier,
            recogniser,
            alphabet,
            options: options.clone(),
        })
    }

    /// The options the reader was opened with.
    pub fn options(&self) -> &OcrOptions {
        &self.options
    }

    /// The text lines of `image`, top to bottom then left to right;
    /// an image without text gives none. An image without pixels is an
    /// error.
    pub fn read(&mut self, image: &RgbImage) -> Result<Vec<TextLine>, SceneError> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(SceneError::EmptyImage {
                width: w,
                height: h,
            });
        }
        let canvas = padded(image, self.options.min_side);
        let size = canvas.dimensions();
        let input = input_size(size, self.options.max_side);
        let map = probability_map(&mut self.detector, &canvas, input)?;
        let rules = BoxRules {
            pixel_threshold: self.options.pixel_threshold,
            box_threshold: self.options.box_threshold,
            unclip_ratio: self.options.unclip_ratio,
        };
        let mut lines = Vec::new();
        for mut found in text_boxes(&map, &rules, size) {
            // Boxes reaching into the padding end at the image's edge.
            found.x2 = found.x2.min(w as f32);
            found.y2 = found.y2.min(h as f32);
            if let Some(line) = self.read_box(image, &found)? {
                lines.push(line);
            }
        }
        Ok(reading_order(lines))
    }

    /// [`TextReader::read`] as the serialisable result.
    pub fn read_result(&mut self, image: &RgbImage) -> Result<OcrResult, SceneError> {
        Ok(OcrResult {
            lines: self.read(image)?,
        })
    }

    /// Crops, turns and reads one box; `None` when nothing legible is in it.
    fn read_box(
        &mut self,
        image: &RgbImage,
        found: &TextBox,
    ) -> Result<Option<TextLine>, SceneError> {
        let Some(mut crop) = line_crop(image, found) else {
            return Ok(None);
        };
        if upside_down(&mut self.classifier, &crop)? > self.options.rotate_threshold {
            image::imageops::rotate180_in_place(&mut crop);
        }
        let (text, score) = read_line(&mut self.recogniser, &self.alphabet, &crop)?;
        let text = text.trim();
        if text.is_empty() || score < self.options.text_threshold {
            return Ok(None);
        }
        Ok(Some(TextLine {
            text: text.to_string(),
            bbox: [found.x1, found.y1, found.x2, found.y2],
            score,
        }))
    }
}

/// The line image of a box: a plain crop of the box's bounds (pixels
/// rounded outwards) when it is within [`UPRIGHT_DEGREES`] of upright and
/// reads rightwards, else the box straightened; both reach
/// [`CROP_MARGIN`] of the thickness above and below. `None` below 2×2.
fn line_crop(image: &RgbImage, found: &TextBox) -> Option<RgbImage> {
    let quad = &found.quad;
    let upright = quad.along[0] > 0.0
        && quad.along[1].abs() <= UPRIGHT_DEGREES.to_radians().tan() * quad.along[0];
    if !upright {
        return straightened(image, &quad.widened(CROP_MARGIN));
    }
    let margin = CROP_MARGIN * (found.y2 - found.y1);
    let x1 = found.x1.floor().max(0.0) as u32;
    let y1 = (found.y1 - margin).floor().max(0.0) as u32;
    let x2 = (found.x2.ceil() as u32).min(image.width());
    let y2 = ((found.y2 + margin).ceil() as u32).min(image.height());
    if x2 < x1 + 2 || y2 < y1 + 2 {
        return None;
    }
    Some(image::imageops::crop_imm(image, x1, y1, x2 - x1, y2 - y1).to_image())
}

/// `image` at the top left of a black `min_side` square when both its
/// sides are shorter than that; otherwise the image itself.
fn padded(image: &RgbImage, min_side: u32) -> Cow<'_, RgbImage> {
    let (w, h) = image.dimensions();
    if w.max(h) >= min_side {
        return Cow::Borrowed(image);
    }
    let mut canvas = RgbImage::new(w.max(min_side), h.max(min_side));
    image::imageops::replace(&mut canvas, image, 0, 0);
    Cow::Owned(canvas)
}
