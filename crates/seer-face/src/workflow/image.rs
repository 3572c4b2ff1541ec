//! Faces of one photo: detection ([`detect_image`]), 1:1 verification
//! ([`verify_images`]) and 1:N identification against a gallery
//! ([`identify_image`]).

use crate::error::{check_output_folder, check_unit};
use crate::{
    best_subject, largest, verify, DetectOptions, Detector, Embedder, Embedding, Face, FaceError,
    Gallery, ImageInput, Match, Verification,
};
use image::RgbImage;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The faces of one image (`seer face detect IMG --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetectResult {
    /// The image's path, or `<image in memory>`.
    pub image: String,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The faces found, best first.
    pub faces: Vec<Face>,
}

/// Decodes `input` and detects its faces; errors name the image.
pub fn detect_decoded(
    detector: &mut Detector,
    input: &ImageInput,
    options: &DetectOptions,
) -> Result<(RgbImage, Vec<Face>), FaceError> {
    let image = input.decode()?.into_owned();
    let faces = detector
        .detect(&image, options)
        .map_err(|e| e.on(format!("face detection failed on {}", input.label())))?;
    Ok((image, faces))
}

/// The faces of `input`; with `draw`, also writes a copy of the image with
/// boxes and keypoints ([`crate::annotate::draw_faces`]) there.
pub fn detect_image(
    detector: &mut Detector,
    input: &ImageInput,
    options: &DetectOptions,
    draw: Option<&Path>,
) -> Result<DetectResult, FaceError> {
    check_unit("min_score", options.score_threshold)?;
    if let Some(out) = draw {
        crate::error::check_not_input(input, out)?;
        check_output_folder(out)?;
    }
    let (image, faces) = detect_decoded(detector, input, options)?;
    if let Some(out) = draw {
        seer_imgproc::save_rgb(&crate::annotate::draw_faces(&image, &faces), out)?;
    }
    Ok(DetectResult {
        image: input.label(),
        width: image.width(),
        height: image.height(),
        faces,
    })
}

/// Whether two photos show the same person (`seer face verify --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyResult {
    /// The first image's path, or `<image in memory>`.
    pub a: String,
    /// The second image's path, or `<image in memory>`.
    pub b: String,
    /// The largest face of the first image.
    pub face_a: Face,
    /// The largest face of the second image.
    pub face_b: Face,
    /// Distance, similarity and decision.
    #[serde(flatten)]
    pub verification: Verification,
}

/// The largest face of `input` and its descriptor; no face is
/// [`FaceError::NoFace`].
fn describe_largest(
    detector: &mut Detector,
    embedder: &mut Embedder,
    input: &ImageInput,
) -> Result<(Face, Embedding), FaceError> {
    let (image, faces) = detect_decoded(detector, input, &DetectOptions::default())?;
    let face = largest(&faces).cloned().ok_or_else(|| FaceError::NoFace {
        path: input.label().into(),
    })?;
    let embedding = embedder
        .embed(&image, &face)
        .map_err(|e| e.on(format!("cannot describe the face in {}", input.label())))?;
    Ok((face, embedding))
}

/// Compares the largest face of `a` with the largest face of `b`.
pub fn verify_images(
    detector: &mut Detector,
    embedder: &mut Embedder,
    a: &ImageInput,
    b: &ImageInput,
) -> Result<VerifyResult, FaceError> {
    let (face_a, ea) = describe_largest(detector, embedder, a)?;
    let (face_b, eb) = describe_largest(detector, embedder, b)?;
    Ok(VerifyResult {
        a: a.label(),
        b: b.label(),
        face_a,
        face_b,
        verification: verify(&ea, &eb),
    })
}

/// How faces are identified against a gallery.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdentifyOptions {
    /// Candidate subjects reported per face (at least 1).
    pub top_k: usize,
    /// Distance under which the nearest subject is accepted (positive).
    pub threshold: f32,
    /// Also search a tile pyramid for small faces.
    pub small_faces: bool,
    /// Video with small faces: full tile search on every N-th frame.
    pub full_search_every: u64,
}

impl Default for IdentifyOptions {
    fn default() -> Self {
        IdentifyOptions {
            top_k: 1,
            threshold: crate::SAME_PERSON_DISTANCE,
            small_faces: false,
            full_search_every: crate::DEFAULT_FULL_SEARCH_INTERVAL,
        }
    }
}

impl IdentifyOptions {
    /// Checks the values and sets the gallery's acceptance threshold.
    pub(crate) fn apply(&self, gallery: &mut Gallery) -> Result<(), FaceError> {
        if self.top_k == 0 {
            return Err(FaceError::InvalidOption {
                option: "top_k",
                why: "must be at least 1".to_string(),
            });
        }
        if !(self.threshold.is_finite() && self.threshold > 0.0) {
            return Err(FaceError::InvalidOption {
                option: "threshold",
                why: format!("must be a positive distance, got {}", self.threshold),
            });
        }
        gallery.set_threshold(self.threshold);
        Ok(())
    }
}

/// One face of an identified photo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentifiedFace {
    /// The face.
    pub face: Face,
    /// The identified subject, or "unknown".
    pub subject: String,
    /// Distance to the nearest subject (none in an empty gallery).
    pub distance: Option<f32>,
    /// The nearest subjects, nearest first.
    pub candidates: Vec<Match>,
}

/// Who is in a photo (`seer face identify IMG --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentifyResult {
    /// The image's path, or `<image in memory>`.
    pub image: String,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The acceptance distance used.
    pub threshold: f32,
    /// Every face found, with its identity.
    pub faces: Vec<IdentifiedFace>,
}

/// Identifies every face of `input` against `gallery` and records the
/// request in the gallery's audit trail as `caller`.
pub fn identify_image(
    detector: &mut Detector,
    embedder: &mut Embedder,
    gallery: &mut Gallery,
    input: &ImageInput,
    options: &IdentifyOptions,
    caller: &str,
) -> Result<IdentifyResult, FaceError> {
    options.apply(gallery)?;
    let detect = DetectOptions {
        small_faces: options.small_faces,
        ..Default::default()
    };
    let (image, faces) = detect_decoded(detector, input, &detect)?;
    let embeddings = embedder
        .embed_all(&image, &faces)
        .map_err(|e| e.on(format!("cannot describe the faces in {}", input.label())))?;
    let mut identified = Vec::new();
    for (face, embedding) in faces.into_iter().zip(embeddings) {
        let candidates = gallery.identify(&embedding, options.top_k);
        identified.push(IdentifiedFace {
            subject: best_subject(&candidates)
                .unwrap_or(crate::gallery::UNKNOWN)
                .to_string(),
            distance: candidates.first().map(|m| m.distance),
            face,
            candidates,
        });
    }
    let named: Vec<&str> = identified.iter().map(|f| f.subject.as_str()).collect();
    gallery.record_identification(&named, caller)?;
    Ok(IdentifyResult {
        image: input.label(),
        width: image.width(),
        height: image.height(),
        threshold: gallery.threshold(),
        faces: identified,
    })
}
