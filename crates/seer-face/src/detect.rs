//! BlazeFace face detection ("back" model, 256×256 input).
//!
//! Steps: letterbox the image into a 256×256 square (aspect kept, black
//! bars), scale RGB to −1..1 (`v / 127.5 − 1`), run the model, decode its
//! two grids ([`crate::anchors`], [`crate::decode`]), map boxes back to image
//! pixels, drop scores under the threshold and merge overlaps by weighted
//! NMS ([`crate::nms`]). In small-faces mode the same runs on 2×2
//! overlapping tiles ([`crate::tiles`]) too and everything is merged.
//!
//! The model's four outputs are told apart by shape: `[1, 512, 1]` and
//! `[1, 512, 16]` are the scores and regressors of the stride-16 grid,
//! `[1, 384, 1]` and `[1, 384, 16]` those of the stride-32 grid.

use crate::anchors::{Grid, BACK_COARSE, BACK_FINE};
use crate::decode::{decode_grid, Candidate, REGRESSORS_PER_ANCHOR};
use crate::face::Face;
use crate::nms::weighted_nms;
use crate::quality;
use crate::tiles::tiles_2x2;
use crate::{FaceError, MIN_IMAGE_SIDE};
use image::RgbImage;
use seer_core::geometry::{Point, Rect};
use seer_core::progress::Progress;
use seer_models::Store;
use seer_runtime::{Session, SessionOptions, Tensor};
use std::path::Path;

/// Catalogue id of the detector model.
pub const DETECTOR_MODEL_ID: &str = "face.detect.short";

/// Side of the model's square input, in pixels.
pub const INPUT_SIZE: u32 = 256;

/// How detection runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectOptions {
    /// Minimum score (0..1) of a kept face. Default 0.5.
    pub score_threshold: f32,
    /// Detections overlapping more than this IoU (0..1) are merged. Default 0.3.
    pub iou_threshold: f32,
    /// Also search 2×2 overlapping tiles for faces too small to be found on
    /// the whole image (5× the model runs). Default off.
    pub small_faces: bool,
    /// Minimum score (0..1) of a detection made on a tile in small-faces
    /// mode (the higher of this and `score_threshold` applies). Default
    /// 0.75: on the development photos tiles of background (windows,
    /// foliage, fur) scored up to 0.74, while a small real face went from
    /// 0.60 on the whole image to 0.83 on a tile.
    pub tile_score_threshold: f32,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            score_threshold: 0.5,
            iou_threshold: 0.3,
            small_faces: false,
            tile_score_threshold: 0.75,
        }
    }
}

/// A loaded face detector.
pub struct Detector {
    session: Session,
    name: String,
}

impl Detector {
    /// Loads the detector from an imported ONNX file.
    pub fn from_file(path: &Path, options: &SessionOptions) -> Result<Detector, FaceError> {
        Ok(Detector {
            session: Session::from_file(path, options)?,
            name: path.display().to_string(),
        })
    }

    /// Fetches (first use) and loads the catalogued detector from `store`.
    /// ONNX Runtime must already be initialised.
    pub fn from_store(store: &Store, progress: &dyn Progress) -> Result<Detector, FaceError> {
        let path = store.ensure(DETECTOR_MODEL_ID, progress)?;
        Detector::from_file(&path, &SessionOptions::default())
    }

    /// Finds the faces in `image`, strongest first. Boxes, keypoints and
    /// sizes are in `image` pixels. Images under [`MIN_IMAGE_SIDE`] pixels
    /// on a side are an error.
    pub fn detect(
        &mut self,
        image: &RgbImage,
        options: &DetectOptions,
    ) -> Result<Vec<Face>, FaceError> {
        let (width, height) = image.dimensions();
        if width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE {
            return Err(FaceError::ImageTooSmall {
                width,
                height,
                min: MIN_IMAGE_SIDE,
            });
        }
        let mut candidates = self.candidates(image, options.score_threshold)?;
        if options.small_faces {
            let tile_threshold = options.score_threshold.max(options.tile_score_threshold);
            for tile in tiles_2x2(width, height) {
                let crop =
                    image::imageops::crop_imm(image, tile.x, tile.y, tile.width, tile.height)
                        .to_image();
                let (dx, dy) = (tile.x as f32, tile.y as f32);
                for c in self.candidates(&crop, tile_threshold)? {
                    candidates.push(shifted(&c, dx, dy));
                }
            }
        }
        let merged = weighted_nms(candidates, options.iou_threshold);
        Ok(merged
            .into_iter()
            .map(|c| Face {
                quality: quality::measure(image, &c.rect),
                bbox: c.rect,
                score: c.score,
                keypoints: c.keypoints,
            })
            .collect())
    }

    /// Runs the model once on the whole `image`; candidates above
    /// `threshold` in `image` pixels, not yet merged.
    fn candidates(
        &mut self,
        image: &RgbImage,
        threshold: f32,
    ) -> Result<Vec<Candidate>, FaceError> {
        let (square, letterbox) = seer_imgproc::letterbox(image, INPUT_SIZE);
        let data: Vec<f32> = square
            .as_raw()
            .iter()
            .map(|&v| v as f32 / 127.5 - 1.0)
            .collect();
        let side = INPUT_SIZE as usize;
        let input = Tensor {
            shape: vec![1, side, side, 3],
            data,
        };
        let outputs = self.session.run(&[input])?;
        let mut found = Vec::new();
        for grid in [BACK_FINE, BACK_COARSE] {
            let scores = self.output(&outputs, grid, 1)?;
            let regressors = self.output(&outputs, grid, REGRESSORS_PER_ANCHOR)?;
            let decoded = decode_grid(grid, scores, regressors, INPUT_SIZE as f32, threshold)
                .ok_or_else(|| self.bad_output("output lengths do not match the anchors"))?;
            found.extend(decoded);
        }
        let size = INPUT_SIZE as f32;
        let to_image = |p: Point| {
            let (x, y) = letterbox.to_source(p.x * size, p.y * size);
            Point::new(x, y)
        };
        Ok(found
            .into_iter()
            .map(|c| {
                let top_left = to_image(Point::new(c.rect.x, c.rect.y));
                Candidate {
                    rect: Rect::new(
                        top_left.x,
                        top_left.y,
                        letterbox.length_to_source(c.rect.width * size),
                        letterbox.length_to_source(c.rect.height * size),
                    ),
                    score: c.score,
                    keypoints: c.keypoints.map(to_image),
                }
            })
            .collect())
    }

    /// The output of shape `[1, grid.len(), channels]`.
    fn output<'a>(
        &self,
        outputs: &'a [Tensor],
        grid: Grid,
        channels: usize,
    ) -> Result<&'a [f32], FaceError> {
        outputs
            .iter()
            .find(|t| t.shape == [1, grid.len(), channels])
            .map(|t| t.data.as_slice())
            .ok_or_else(|| {
                let shapes: Vec<&Vec<usize>> = outputs.iter().map(|t| &t.shape).collect();
                self.bad_output(&format!(
                    "no output of shape [1, {}, {channels}] among {shapes:?}",
                    grid.len()
                ))
            })
    }

    fn bad_output(&self, detail: &str) -> FaceError {
        FaceError::ModelOutput {
            model: self.name.clone(),
            detail: detail.to_string(),
        }
    }
}

/// `c` moved by (`dx`, `dy`) pixels.
fn shifted(c: &Candidate, dx: f32, dy: f32) -> Candidate {
    Candidate {
        rect: Rect::new(c.rect.x + dx, c.rect.y + dy, c.rect.width, c.rect.height),
        score: c.score,
        keypoints: c.keypoints.map(|p| Point::new(p.x + dx, p.y + dy)),
    }
}
