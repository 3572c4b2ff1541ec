//! Hiding every face of a photo (`face blur IMG OUT`): detect in
//! small-faces mode, grow the boxes, blur or pixelate them. With an
//! [`ExceptGallery`] a face is left as it is only on a sure match
//! ([`DecisionRule::unblur`]), and the request is recorded in the
//! gallery's audit trail. Videos: `crate::video::blur_video`.

use crate::error::{check_output_folder, check_unit};
use crate::timeline::{decide_face, DecisionRule};
use crate::{
    blur_faces, BlurOptions, DetectOptions, Detector, Embedder, FaceError, Gallery, ImageInput,
};
use image::RgbImage;
use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How faces are found and hidden.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlurRequest {
    /// Style, box growth and (videos) hold frames.
    pub blur: BlurOptions,
    /// Detector settings (small faces on by default for blurring).
    pub detect: DetectOptions,
    /// Video: run the full small-faces search on every N-th frame and
    /// follow faces between (1 = every frame).
    pub full_search_every: u64,
}

impl BlurRequest {
    /// Checks the option values.
    pub(crate) fn check(&self) -> Result<(), FaceError> {
        check_unit("min_score", self.detect.score_threshold)?;
        let expand = self.blur.expand;
        if !(expand.is_finite() && (0.0..=2.0).contains(&expand)) {
            return Err(FaceError::InvalidOption {
                option: "expand",
                why: format!("must be between 0 and 2, got {expand}"),
            });
        }
        crate::error::check_at_least_one("full_search_every", self.full_search_every)
    }
}

/// Leave enrolled subjects unblurred: the gallery, an embedder to describe
/// faces with, and who asks (for the audit trail).
pub struct ExceptGallery<'a> {
    /// The gallery of subjects to spare.
    pub gallery: &'a Gallery,
    /// Describes the faces.
    pub embedder: &'a mut Embedder,
    /// Who asks, for the audit entry.
    pub caller: &'a str,
}

/// A face (image) or track (video) left unblurred.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// Track id (videos) or face index (images).
    pub id: u64,
    /// The enrolled subject it was identified as.
    pub subject: String,
    /// Distance to that subject.
    pub distance: f32,
}

/// What a blur did (`seer face blur --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlurReport {
    /// The input, as given.
    pub input: String,
    /// The output written.
    pub output: String,
    /// Frames written (1 for an image).
    pub frames: u64,
    /// Faces detected (all scanned frames).
    pub faces_detected: usize,
    /// Face boxes hidden over all frames (with interpolated and held boxes).
    pub boxes_blurred: usize,
    /// Face tracks (videos) or faces (images) left unblurred as enrolled subjects.
    pub kept: Vec<Kept>,
    /// Audio/subtitle packets copied (videos).
    pub copied_packets: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// A blurred image and what was done to it.
#[derive(Clone, Debug)]
pub struct BlurredImage {
    /// The image with the faces hidden.
    pub image: RgbImage,
    /// Faces detected.
    pub faces_detected: usize,
    /// Face boxes hidden.
    pub boxes_blurred: usize,
    /// Faces left unblurred.
    pub kept: Vec<Kept>,
}

/// Records one identification request that named the `kept` subjects.
pub(crate) fn record_kept(except: &ExceptGallery, kept: &[Kept]) -> Result<(), FaceError> {
    let named: Vec<&str> = kept.iter().map(|k| k.subject.as_str()).collect();
    except
        .gallery
        .record_identification(&named, except.caller)?;
    Ok(())
}

/// Hides the faces of `input`, sparing sure matches of `except`.
pub fn blur_image(
    detector: &mut Detector,
    input: &ImageInput,
    request: &BlurRequest,
    mut except: Option<ExceptGallery>,
) -> Result<BlurredImage, FaceError> {
    request.check()?;
    let (mut image, faces) = super::image::detect_decoded(detector, input, &request.detect)?;
    let mut kept = Vec::new();
    let mut boxes: Vec<Rect> = Vec::new();
    for (i, face) in faces.iter().enumerate() {
        if let Some(except) = except.as_mut() {
            let embedding = except.embedder.embed(&image, face)?;
            let candidates = except.gallery.identify(&embedding, 2);
            if let (Some(subject), Some(nearest)) = (
                decide_face(
                    face.score,
                    face.quality.size_px,
                    &candidates,
                    &DecisionRule::unblur(),
                ),
                candidates.first(),
            ) {
                kept.push(Kept {
                    id: i as u64,
                    subject: subject.to_string(),
                    distance: nearest.distance,
                });
                continue;
            }
        }
        boxes.push(face.bbox);
    }
    if let Some(except) = &except {
        record_kept(except, &kept)?;
    }
    blur_faces(&mut image, &boxes, &request.blur);
    Ok(BlurredImage {
        image,
        faces_detected: faces.len(),
        boxes_blurred: boxes.len(),
        kept,
    })
}

/// Hides the faces of `input` and writes the result to `output` (format
/// from its extension), which appears only when complete.
pub fn blur_image_file(
    detector: &mut Detector,
    input: &ImageInput,
    output: &Path,
    request: &BlurRequest,
    except: Option<ExceptGallery>,
) -> Result<BlurReport, FaceError> {
    let started = std::time::Instant::now();
    crate::error::check_not_input(input, output)?;
    check_output_folder(output)?;
    let format = seer_imgproc::output_format(output)?;
    let blurred = blur_image(detector, input, request, except)?;
    let mut bytes = std::io::Cursor::new(Vec::new());
    blurred
        .image
        .write_to(&mut bytes, format)
        .map_err(|source| FaceError::Encode {
            path: output.to_path_buf(),
            source,
        })?;
    seer_core::atomic::write_atomic(output, bytes.get_ref()).map_err(|source| {
        FaceError::Write {
            path: output.to_path_buf(),
            source,
        }
    })?;
    Ok(BlurReport {
        input: input.label(),
        output: output.display().to_string(),
        frames: 1,
        faces_detected: blurred.faces_detected,
        boxes_blurred: blurred.boxes_blurred,
        kept: blurred.kept,
        copied_packets: 0,
        seconds: started.elapsed().as_secs_f64(),
    })
}
