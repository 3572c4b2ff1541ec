//! BlazeFace face detection ("back" model, 256×256 input).
//!
//! Steps: letterbox the image into a 256×256 square (aspect kept, black
//! bars), scale RGB to −1..1 (`v / 127.5 − 1`), run the model, decode its
//! two grids ([`crate::anchors`], [`crate::decode`]), map boxes back to image
//! pixels, drop scores under the threshold and merge overlaps by weighted
//! NMS ([`crate::nms`]).
//!
//! Small faces: with [`Tiling::Pyramid`] (what `small_faces` turns on) the
//! model also runs on a pyramid of overlapping tiles ([`crate::tiles`])
//! whose first level is small enough that a face of `min_face_px` pixels
//! fills [`TILE_FACE_INPUT_PX`] pixels of the model input; images not
//! larger than that get no tiles, so the cost adapts to the image size.
//! [`Tiling::Grid2x2`] is the older fixed 2×2 grid. A tile detection cut by
//! the tile's inner border is dropped (a neighbouring tile sees the whole
//! face). A tile detection that no whole-image detection confirms must
//! score at least `tile_score_threshold` and, with `recheck`, be found
//! again on a crop [`RECHECK_CONTEXT`]× its size around it.
//!
//! Exposure: with [`ExposureMode::Auto`] an under- or over-exposed image is
//! CLAHE-normalised ([`crate::exposure`]) before detection; quality is
//! still measured on the original pixels.
//!
//! The model's four outputs are told apart by shape: `[1, 512, 1]` and
//! `[1, 512, 16]` are the scores and regressors of the stride-16 grid,
//! `[1, 384, 1]` and `[1, 384, 16]` those of the stride-32 grid.

use crate::anchors::{Grid, BACK_COARSE, BACK_FINE};
use crate::decode::{decode_grid, Candidate, REGRESSORS_PER_ANCHOR};
use crate::exposure::{self, ExposureMode};
use crate::face::Face;
use crate::nms::weighted_nms;
use crate::quality;
use crate::tiles::{pyramid, tiles_2x2, Tile};
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

/// Size in model-input pixels that a face of `min_face_px` gets on the
/// first level of the tile pyramid.
pub const TILE_FACE_INPUT_PX: f32 = 24.0;

/// Side of the re-check crop relative to the detection's longer side.
pub const RECHECK_CONTEXT: f32 = 4.0;

/// Which tiles are searched besides the whole image.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tiling {
    /// The whole image only (unless `small_faces` is set).
    #[default]
    None,
    /// A fixed 2×2 grid with 25 % overlap (5 model runs).
    Grid2x2,
    /// A pyramid sized from `min_face_px` and the image size.
    Pyramid,
}

/// How detection runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectOptions {
    /// Minimum score (0..1) of a kept face. Default 0.5.
    pub score_threshold: f32,
    /// Detections overlapping more than this IoU (0..1) are merged. Default 0.3.
    pub iou_threshold: f32,
    /// Also search for faces too small to be found on the whole image: the
    /// same as `tiling: Tiling::Pyramid` when `tiling` is `None`. Default off.
    pub small_faces: bool,
    /// Which tiles to search (see [`DetectOptions::effective_tiling`]).
    /// Default [`Tiling::None`].
    pub tiling: Tiling,
    /// Smallest face width wanted from the tile pyramid, in image pixels.
    /// Default 20.
    pub min_face_px: f32,
    /// Minimum score (0..1) of a tile detection that no whole-image
    /// detection confirms (the higher of this and `score_threshold`
    /// applies). Default 0.85, which with `recheck` keeps background out of
    /// the 11 gallery photos (0.75 left a 26 px dark-region face in one of
    /// them); on the synthetic benchmark (24 px faces, `seer bench
    /// faces-synthetic`) 0.6 without re-check finds more (0.5 gave 0.67
    /// false positives per image, 0.6 none, 0.7 lost dark recall) but
    /// added background faces to 6 of the 11 gallery photos.
    pub tile_score_threshold: f32,
    /// Re-check unconfirmed tile detections on a crop around them.
    /// Default on. On the synthetic benchmark it also removes darkened
    /// 24 px faces (dark recall 79 % with it, 100 % without, at a tile
    /// threshold of 0.5).
    pub recheck: bool,
    /// Exposure normalisation before detection. Default
    /// [`ExposureMode::Auto`].
    pub exposure: ExposureMode,
}

impl DetectOptions {
    /// The tiling that applies: `tiling`, or the pyramid when `tiling` is
    /// `None` and `small_faces` is set.
    pub fn effective_tiling(&self) -> Tiling {
        match (self.tiling, self.small_faces) {
            (Tiling::None, true) => Tiling::Pyramid,
            (t, _) => t,
        }
    }

    /// Side in image pixels of the first pyramid level's tiles.
    pub fn first_tile_side(&self) -> u32 {
        (INPUT_SIZE as f32 * self.min_face_px.max(1.0) / TILE_FACE_INPUT_PX)
            .round()
            .max(64.0) as u32
    }
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            score_threshold: 0.5,
            iou_threshold: 0.3,
            small_faces: false,
            tiling: Tiling::None,
            min_face_px: 20.0,
            tile_score_threshold: 0.85,
            recheck: true,
            exposure: ExposureMode::Auto,
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
        let normalised = exposure::normalise(image, options.exposure);
        let work = normalised.as_ref().unwrap_or(image);
        let whole = self.candidates(work, options.score_threshold)?;
        let tiles = match options.effective_tiling() {
            Tiling::None => Vec::new(),
            Tiling::Grid2x2 => tiles_2x2(width, height),
            Tiling::Pyramid => pyramid(width, height, options.first_tile_side()),
        };
        let mut from_tiles = Vec::new();
        for tile in tiles {
            let crop =
                image::imageops::crop_imm(work, tile.x, tile.y, tile.width, tile.height).to_image();
            let (dx, dy) = (tile.x as f32, tile.y as f32);
            for c in self.candidates(&crop, options.score_threshold)? {
                if !cut_by_inner_border(&c.rect, &tile, width, height) {
                    from_tiles.push(shifted(&c, dx, dy));
                }
            }
        }
        let confirmed_by = weighted_nms(whole.clone(), options.iou_threshold);
        let tile_threshold = options.score_threshold.max(options.tile_score_threshold);
        let mut candidates = whole;
        for t in weighted_nms(from_tiles, options.iou_threshold) {
            let confirmed = confirmed_by
                .iter()
                .any(|w| w.rect.iou(&t.rect) > options.iou_threshold);
            // A tile detection mostly inside a much larger whole-image face
            // is a part of it (an eye, the mouth), not another face.
            let part_of_larger = confirmed_by.iter().any(|w| {
                w.rect.area() > 2.0 * t.rect.area()
                    && w.rect.intersection(&t.rect).map_or(0.0, |i| i.area()) > 0.5 * t.rect.area()
            });
            let accepted = !part_of_larger
                && (confirmed
                    || (t.score >= tile_threshold
                        && (!options.recheck
                            || self.recheck(work, &t, options.score_threshold)?)));
            if accepted {
                candidates.push(t);
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

    /// True when a detection on a crop of [`RECHECK_CONTEXT`]× its size
    /// around `c` (image pixels, black outside) scores ≥ `threshold` and
    /// overlaps `c` by IoU ≥ 0.3.
    fn recheck(
        &mut self,
        image: &RgbImage,
        c: &Candidate,
        threshold: f32,
    ) -> Result<bool, FaceError> {
        let cap = 2.0 * image.width().max(image.height()) as f32;
        let side = (c.rect.width.max(c.rect.height) * RECHECK_CONTEXT)
            .round()
            .clamp(MIN_IMAGE_SIDE as f32, cap);
        let centre = c.rect.center();
        let x = (centre.x - side / 2.0).round() as i64;
        let y = (centre.y - side / 2.0).round() as i64;
        let crop = seer_imgproc::crop_padded(image, x, y, side as u32, side as u32);
        Ok(self
            .candidates(&crop, threshold)?
            .iter()
            .any(|k| shifted(k, x as f32, y as f32).rect.iou(&c.rect) >= 0.3))
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

/// True when `rect` (tile pixels) crosses a border of `tile` that is not
/// the image's border by more than a fifth of its width or height.
fn cut_by_inner_border(rect: &Rect, tile: &Tile, width: u32, height: u32) -> bool {
    let (mx, my) = (rect.width * 0.2, rect.height * 0.2);
    let (tw, th) = (tile.width as f32, tile.height as f32);
    (tile.x > 0 && rect.x < -mx)
        || (tile.y > 0 && rect.y < -my)
        || (tile.x + tile.width < width && rect.right() > tw + mx)
        || (tile.y + tile.height < height && rect.bottom() > th + my)
}

/// `c` moved by (`dx`, `dy`) pixels.
fn shifted(c: &Candidate, dx: f32, dy: f32) -> Candidate {
    Candidate {
        rect: Rect::new(c.rect.x + dx, c.rect.y + dy, c.rect.width, c.rect.height),
        score: c.score,
        keypoints: c.keypoints.map(|p| Point::new(p.x + dx, p.y + dy)),
    }
}
