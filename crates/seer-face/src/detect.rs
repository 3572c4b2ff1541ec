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
//! again on crops [`RECHECK_CONTEXTS`]× its size around it, taken from the
//! original pixels, with a mean best score of at least
//! `recheck_score_threshold`.
//!
//! Exposure: with [`ExposureMode::Auto`] an under- or over-exposed image is
//! CLAHE-normalised ([`crate::exposure`]) before detection; quality is
//! still measured on the original pixels. In such a frame the tiles are
//! searched on both the normalised and the original pixels (CLAHE also
//! amplifies the noise of a dark frame: each finds small faces the other
//! misses), and unconfirmed tile detections are held to the lower
//! `badly_exposed_*` thresholds, because the model scores real faces lower
//! in poor light.
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

/// Sides of the re-check crops relative to the detection's longer side.
/// One crop scale alone let background through in the gallery photos at
/// scores that real small faces reach; the mean over three scales
/// separates them. Wide crops keep a 24 px face near the tile scale where
/// it was found: with 3×, 4×, 6× dark 24 px recall on `seer bench
/// faces-synthetic` (seed 1) was 92.0 %, with 4×, 6×, 9× 95.5 %.
pub const RECHECK_CONTEXTS: [f32; 3] = [4.0, 6.0, 9.0];

/// Re-check detections scoring under this (0..1) count as 0.
const RECHECK_FLOOR: f32 = 0.05;

/// Side of the crop [`Detector::detect_near`] searches around a region,
/// relative to the region's longer side: a face that moved by up to about
/// twice its size stays inside, and a 24 px face fills ~40 px of the model
/// input.
pub const FOLLOW_CONTEXT: f32 = 6.0;

/// [`Detector::detect_near`] leaves a region to the whole-image run when
/// the region is at least this many pixels of the whole-image model input
/// (BlazeFace finds such faces on its own; following them only cost
/// time: ~45 ms per large face on 720p video).
pub const FOLLOW_MAX_INPUT_PX: f32 = 64.0;

/// Largest follow crop side in image pixels, unless that is under
/// [`FOLLOW_MIN_CONTEXT`]× the region: the model sees a 256 px input, so
/// a larger crop only costs resizing and exposure work.
pub const FOLLOW_MAX_CROP: f32 = 512.0;

/// Smallest follow crop side relative to the region's longer side.
pub const FOLLOW_MIN_CONTEXT: f32 = 2.5;

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
    /// detection confirms, in a normally exposed image (the higher of this
    /// and `score_threshold` applies). Default 0.6.
    pub tile_score_threshold: f32,
    /// Re-check unconfirmed tile detections on crops around them
    /// ([`RECHECK_CONTEXTS`]). Default on: without it a tile threshold of
    /// 0.6 adds background faces to 6 of the 11 gallery photos.
    pub recheck: bool,
    /// Minimum mean re-check score (0..1) of an unconfirmed tile detection
    /// in a normally exposed image. Default 0.75: with a tile threshold of
    /// 0.6 no gallery photo gets a background face, and synthetic 24 px
    /// faces keep 99.5 % recall (one crop scale at 0.5 and a tile threshold
    /// of 0.85 kept 86 %).
    pub recheck_score_threshold: f32,
    /// `tile_score_threshold` for an image that exposure normalisation
    /// changed. Default 0.55.
    pub badly_exposed_tile_score_threshold: f32,
    /// `recheck_score_threshold` for an image that exposure normalisation
    /// changed. Default 0.4 (darkened synthetic scenes: 24 px recall 50 %
    /// with the normal-light thresholds, see `seer bench faces-synthetic`).
    pub badly_exposed_recheck_score_threshold: f32,
    /// Exposure normalisation before detection. Default
    /// [`ExposureMode::Auto`].
    pub exposure: ExposureMode,
    /// Most tiles one image's pyramid may hold (each is one model run per
    /// pixel version). Default [`DEFAULT_MAX_TILES`]: an 8K frame searched
    /// for 20-pixel faces needs about 1,750; a 400-megapixel photo would
    /// need about 21,000 and minutes, so it is refused with the smallest
    /// face size that fits.
    pub max_tiles: usize,
}

/// Default [`DetectOptions::max_tiles`].
pub const DEFAULT_MAX_TILES: usize = 4096;

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

/// The error for a pyramid of `tiles` tiles above the limit, with the
/// smallest face size (doubling from the one asked for) whose pyramid fits.
fn too_many_tiles(width: u32, height: u32, tiles: usize, options: &DetectOptions) -> FaceError {
    let mut fitting = *options;
    while fitting.min_face_px < width.max(height) as f32
        && pyramid(width, height, fitting.first_tile_side()).len() > options.max_tiles
    {
        fitting.min_face_px = fitting.min_face_px.max(1.0) * 2.0;
    }
    FaceError::TooManyTiles {
        width,
        height,
        min_face_px: options.min_face_px,
        tiles,
        limit: options.max_tiles,
        fitting_px: fitting.min_face_px,
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
            tile_score_threshold: 0.6,
            recheck: true,
            recheck_score_threshold: 0.75,
            badly_exposed_tile_score_threshold: 0.55,
            badly_exposed_recheck_score_threshold: 0.4,
            exposure: ExposureMode::Auto,
            max_tiles: DEFAULT_MAX_TILES,
        }
    }
}

/// A loaded face detector.
pub struct Detector {
    session: Session,
    name: String,
    /// Model runs so far.
    runs: u64,
}

impl Detector {
    /// Loads the detector from an imported ONNX file.
    pub fn from_file(path: &Path, options: &SessionOptions) -> Result<Detector, FaceError> {
        Ok(Detector {
            session: Session::from_file(path, options)?,
            name: path.display().to_string(),
            runs: 0,
        })
    }

    /// Fetches (first use) and loads the catalogued detector from `store`.
    /// ONNX Runtime must already be initialised.
    pub fn from_store(store: &Store, progress: &dyn Progress) -> Result<Detector, FaceError> {
        let path = store.ensure(DETECTOR_MODEL_ID, progress)?;
        Detector::from_file(&path, &SessionOptions::default())
    }

    /// How many times the model has run (whole images, tiles, re-checks
    /// and follow crops): the cost of detection in model runs.
    pub fn model_runs(&self) -> u64 {
        self.runs
    }

    /// Finds the faces in `image`, strongest first. Boxes, keypoints and
    /// sizes are in `image` pixels. Images under [`MIN_IMAGE_SIDE`] pixels
    /// on a side are an error.
    pub fn detect(
        &mut self,
        image: &RgbImage,
        options: &DetectOptions,
    ) -> Result<Vec<Face>, FaceError> {
        check_size(image)?;
        let (width, height) = image.dimensions();
        let tiles = match options.effective_tiling() {
            Tiling::None => Vec::new(),
            Tiling::Grid2x2 => tiles_2x2(width, height),
            Tiling::Pyramid => {
                let tiles = pyramid(width, height, options.first_tile_side());
                if tiles.len() > options.max_tiles {
                    return Err(too_many_tiles(width, height, tiles.len(), options));
                }
                tiles
            }
        };
        if tiles.is_empty() {
            let whole = self.whole_image_candidates(image, options)?;
            return Ok(self.faces(image, whole, options));
        }
        let normalised = exposure::normalise(image, options.exposure);
        let work = normalised.as_ref().unwrap_or(image);
        let whole = self.candidates(work, options.score_threshold)?;
        // A normalised frame is searched on both its pixel versions.
        let tile_sources: Vec<&RgbImage> = match &normalised {
            Some(n) => vec![n, image],
            None => vec![image],
        };
        let mut from_tiles = Vec::new();
        for tile in tiles {
            for source in &tile_sources {
                let crop =
                    image::imageops::crop_imm(*source, tile.x, tile.y, tile.width, tile.height)
                        .to_image();
                let (dx, dy) = (tile.x as f32, tile.y as f32);
                for c in self.candidates(&crop, options.score_threshold)? {
                    if !cut_by_inner_border(&c.rect, &tile, width, height) {
                        from_tiles.push(shifted(&c, dx, dy));
                    }
                }
            }
        }
        let confirmed_by = weighted_nms(whole.clone(), options.iou_threshold);
        let (tile_score, recheck_score) = if normalised.is_some() {
            (
                options.badly_exposed_tile_score_threshold,
                options.badly_exposed_recheck_score_threshold,
            )
        } else {
            (
                options.tile_score_threshold,
                options.recheck_score_threshold,
            )
        };
        let tile_threshold = options.score_threshold.max(tile_score);
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
                        && (!options.recheck || self.recheck_score(image, &t)? >= recheck_score)));
            if accepted {
                candidates.push(t);
            }
        }
        Ok(self.faces(image, candidates, options))
    }

    /// Finds the faces the whole `image` shows plus those near `regions`
    /// (boxes in image pixels, typically the faces of the previous video
    /// frame): one model run on the whole image and one per region, on a
    /// square crop [`FOLLOW_CONTEXT`]× the region's longer side about its
    /// centre (at most [`FOLLOW_MAX_CROP`] pixels unless that is under
    /// [`FOLLOW_MIN_CONTEXT`]×; regions the whole-image run sees well
    /// enough, [`FOLLOW_MAX_INPUT_PX`], get no crop). A crop detection is
    /// kept when its centre lies within the region's own size of the
    /// region's centre and it scores at least `score_threshold`; a badly
    /// exposed crop is searched both as it is and CLAHE-normalised, at the
    /// lower of `score_threshold` and
    /// `badly_exposed_recheck_score_threshold`. This follows small faces
    /// from frame to frame for a fraction of a full tile search; faces that
    /// newly appear are left to the next full search
    /// ([`crate::follow::FrameSearch`]).
    pub fn detect_near(
        &mut self,
        image: &RgbImage,
        regions: &[Rect],
        options: &DetectOptions,
    ) -> Result<Vec<Face>, FaceError> {
        check_size(image)?;
        let mut candidates = self.whole_image_candidates(image, options)?;
        let longer = image.width().max(image.height()) as f32;
        let cap = 2.0 * longer;
        let to_input = INPUT_SIZE as f32 / longer;
        for region in regions {
            let size = region.width.max(region.height);
            if size * to_input >= FOLLOW_MAX_INPUT_PX {
                continue;
            }
            let side = (size * FOLLOW_CONTEXT)
                .min(FOLLOW_MAX_CROP.max(size * FOLLOW_MIN_CONTEXT))
                .round()
                .clamp(MIN_IMAGE_SIDE as f32, cap);
            let centre = region.center();
            let x = (centre.x - side / 2.0).round() as i64;
            let y = (centre.y - side / 2.0).round() as i64;
            let crop = seer_imgproc::crop_padded(image, x, y, side as u32, side as u32);
            // A badly exposed crop is searched on both pixel versions, with
            // the lower threshold of poor light (as the tiles are).
            let normalised = exposure::normalise(&crop, options.exposure);
            let threshold = match normalised {
                Some(_) => options
                    .score_threshold
                    .min(options.badly_exposed_recheck_score_threshold),
                None => options.score_threshold,
            };
            for source in std::iter::once(&crop).chain(normalised.as_ref()) {
                for c in self.candidates(source, threshold)? {
                    let c = shifted(&c, x as f32, y as f32);
                    let moved = c.rect.center();
                    if (moved.x - centre.x).abs() <= size && (moved.y - centre.y).abs() <= size {
                        candidates.push(c);
                    }
                }
            }
        }
        Ok(self.faces(image, candidates, options))
    }

    /// Candidates of one run on the whole image. Only the shrunk model
    /// input is used, so exposure is normalised on it (on the full 1920 px
    /// photos CLAHE was ~8 % of decode+detect+embed).
    fn whole_image_candidates(
        &mut self,
        image: &RgbImage,
        options: &DetectOptions,
    ) -> Result<Vec<Candidate>, FaceError> {
        let factor = shrink_factor(image);
        let shrunk = seer_imgproc::box_shrink(image, factor);
        let normalised = exposure::normalise(&shrunk, options.exposure);
        let input = normalised.as_ref().unwrap_or(&shrunk);
        self.candidates_at(input, factor as f32, options.score_threshold)
    }

    /// `candidates` merged by weighted NMS, as faces with quality measured
    /// on `image`.
    fn faces(
        &self,
        image: &RgbImage,
        candidates: Vec<Candidate>,
        options: &DetectOptions,
    ) -> Vec<Face> {
        weighted_nms(candidates, options.iou_threshold)
            .into_iter()
            .map(|c| Face {
                quality: quality::measure(image, &c.rect),
                bbox: c.rect,
                score: c.score,
                keypoints: c.keypoints,
            })
            .collect()
    }

    /// The mean, over the crops [`RECHECK_CONTEXTS`]× the longer side of
    /// `c` about its centre (image pixels, black outside), of the best score
    /// of a detection overlapping `c` by IoU ≥ 0.3 (0 when none), 0..1.
    fn recheck_score(&mut self, image: &RgbImage, c: &Candidate) -> Result<f32, FaceError> {
        let cap = 2.0 * image.width().max(image.height()) as f32;
        let centre = c.rect.center();
        let mut sum = 0.0;
        for context in RECHECK_CONTEXTS {
            let side = (c.rect.width.max(c.rect.height) * context)
                .round()
                .clamp(MIN_IMAGE_SIDE as f32, cap);
            let x = (centre.x - side / 2.0).round() as i64;
            let y = (centre.y - side / 2.0).round() as i64;
            let crop = seer_imgproc::crop_padded(image, x, y, side as u32, side as u32);
            sum += self
                .candidates(&crop, RECHECK_FLOOR)?
                .iter()
                .filter(|k| shifted(k, x as f32, y as f32).rect.iou(&c.rect) >= 0.3)
                .map(|k| k.score)
                .fold(0.0, f32::max);
        }
        Ok(sum / RECHECK_CONTEXTS.len() as f32)
    }

    /// Runs the model once on the whole `image`; candidates above
    /// `threshold` in `image` pixels, not yet merged.
    fn candidates(
        &mut self,
        image: &RgbImage,
        threshold: f32,
    ) -> Result<Vec<Candidate>, FaceError> {
        let factor = shrink_factor(image);
        if factor > 1 {
            let shrunk = seer_imgproc::box_shrink(image, factor);
            self.candidates_at(&shrunk, factor as f32, threshold)
        } else {
            self.candidates_at(image, 1.0, threshold)
        }
    }

    /// Runs the model once on `image`, a copy of the searched image shrunk
    /// `k` times; candidates above `threshold` in the searched image's
    /// pixels, not yet merged.
    fn candidates_at(
        &mut self,
        image: &RgbImage,
        k: f32,
        threshold: f32,
    ) -> Result<Vec<Candidate>, FaceError> {
        let (square, letterbox) = seer_imgproc::letterbox(image, INPUT_SIZE);
        let data: Vec<f32> = square
            .as_raw()
            .iter()
            .map(|&v| v as f32 * (1.0 / 127.5) - 1.0)
            .collect();
        let side = INPUT_SIZE as usize;
        let input = Tensor {
            shape: vec![1, side, side, 3],
            data,
        };
        let outputs = self.session.run(&[input])?;
        self.runs += 1;
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
            Point::new(x * k, y * k)
        };
        Ok(found
            .into_iter()
            .map(|c| {
                let top_left = to_image(Point::new(c.rect.x, c.rect.y));
                Candidate {
                    rect: Rect::new(
                        top_left.x,
                        top_left.y,
                        k * letterbox.length_to_source(c.rect.width * size),
                        k * letterbox.length_to_source(c.rect.height * size),
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

/// An error when `image` is under [`MIN_IMAGE_SIDE`] pixels on a side.
fn check_size(image: &RgbImage) -> Result<(), FaceError> {
    let (width, height) = image.dimensions();
    if width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE {
        return Err(FaceError::ImageTooSmall {
            width,
            height,
            min: MIN_IMAGE_SIDE,
        });
    }
    Ok(())
}

/// The integer factor by which `image` is box-shrunk before the model
/// input is resized from it: the shrunk image keeps at least twice
/// [`INPUT_SIZE`] pixels on its longer side, so the triangle filter still
/// does the last antialiased step (box averaging costs a fraction of the
/// triangle filter over a large image; measured on the face-api demo
/// photos, the filter was ~16 % of decode+detect+embed).
fn shrink_factor(image: &RgbImage) -> u32 {
    (image.width().max(image.height()) / (2 * INPUT_SIZE)).max(1)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_8k_frame_fits_the_tile_limit_and_a_400_megapixel_photo_does_not() {
        let options = DetectOptions {
            small_faces: true,
            ..DetectOptions::default()
        };
        let side = options.first_tile_side();
        let eight_k = pyramid(7680, 4320, side).len();
        assert!((1000..=options.max_tiles).contains(&eight_k), "{eight_k}");
        let huge = pyramid(20_000, 20_000, side).len();
        assert!(huge > options.max_tiles, "{huge}");
        match too_many_tiles(20_000, 20_000, huge, &options) {
            FaceError::TooManyTiles {
                fitting_px, tiles, ..
            } => {
                assert_eq!(tiles, huge);
                // The suggestion fits, and half of it would not.
                let fits = |px: f32| {
                    let o = DetectOptions {
                        min_face_px: px,
                        ..options
                    };
                    pyramid(20_000, 20_000, o.first_tile_side()).len() <= o.max_tiles
                };
                assert!(fits(fitting_px) && !fits(fitting_px / 2.0), "{fitting_px}");
            }
            other => panic!("{other}"),
        }
    }
}
