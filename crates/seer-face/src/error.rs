//! Why a face operation failed: [`FaceError`], with its
//! [`seer_core::ErrorKind`] for front ends. Messages name files and
//! values, never command-line flags (the CLI adds those).

use crate::gallery::GalleryError;
use seer_core::{ErrorKind, HasErrorKind};
use std::path::PathBuf;

/// Why face detection, verification, identification, enrolment or
/// blurring failed.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// An image could not be read or written.
    #[error(transparent)]
    Image(#[from] seer_imgproc::ImageError),
    /// ONNX Runtime failed.
    #[error(transparent)]
    Runtime(#[from] seer_runtime::RuntimeError),
    /// The model could not be fetched or found in the cache.
    #[error(transparent)]
    Store(#[from] seer_models::StoreError),
    /// A gallery operation failed.
    #[error(transparent)]
    Gallery(#[from] GalleryError),
    /// A video could not be read or written.
    #[cfg(feature = "video")]
    #[error(transparent)]
    Video(#[from] seer_video::VideoError),
    /// The caller cancelled the work.
    #[error(transparent)]
    Cancelled(#[from] seer_core::Cancelled),
    /// The image is too small to hold a face.
    #[error("image is {width}×{height} pixels; face detection needs at least {min}×{min}")]
    ImageTooSmall {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// The minimum side in pixels.
        min: u32,
    },
    /// The small-face search of an image this large would need more model
    /// runs than the limit allows.
    #[error("searching a {width}×{height} image for faces from {min_face_px} pixels needs {tiles} tile runs, above the limit of {limit}; look for faces from {fitting_px} pixels or more, or give a smaller image")]
    TooManyTiles {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// The smallest face asked for, in pixels.
        min_face_px: f32,
        /// Tiles the search would run.
        tiles: usize,
        /// The limit on tile runs.
        limit: usize,
        /// The smallest face size (pixels) whose search fits the limit.
        fitting_px: f32,
    },
    /// The model's outputs are not what this code expects.
    #[error("model {model} gave unexpected outputs: {detail}")]
    ModelOutput {
        /// Model file or id.
        model: String,
        /// What was wrong.
        detail: String,
    },
    /// No face was found where one is needed (e.g. verification).
    #[error("no face found in {path}; use a photo where the face is visible and at least ~20 pixels wide")]
    NoFace {
        /// The image file (or `<image in memory>`).
        path: PathBuf,
    },
    /// Several faces were found where exactly one is needed (enrolment).
    #[error("{count} faces found in {path}; an enrolment photo must show exactly one face; crop it, or enrol its largest face")]
    SeveralFaces {
        /// The image file (or `<image in memory>`).
        path: PathBuf,
        /// How many faces were found.
        count: usize,
    },
    /// An enrolment video shows more than one face track.
    #[error("the video shows {count} face tracks; an enrolment video must show one person")]
    SeveralTracks {
        /// How many face tracks were kept.
        count: usize,
    },
    /// An enrolment video shows no face track.
    #[error("no face found in the video (a face must be seen in at least {min_frames} frames)")]
    NoTrack {
        /// Detections a track needs to be kept.
        min_frames: usize,
    },
    /// The face of an enrolment video is too small to describe reliably.
    #[error("the face in the video is {size_px:.0} px on average; enrolment needs at least {min_px:.0} px")]
    TrackTooSmall {
        /// Mean face size of the track, pixels.
        size_px: f32,
        /// The minimum, pixels.
        min_px: f32,
    },
    /// A video holds no frame that could be decoded.
    #[error("{path} holds no decodable video frames")]
    NoFrames {
        /// The video file.
        path: PathBuf,
    },
    /// An option value is out of range. `option` is the field name of
    /// the options struct (`min_score`, `top_k`, …).
    #[error("{option} {why}")]
    InvalidOption {
        /// The option's field name.
        option: &'static str,
        /// What is wrong, with the value given.
        why: String,
    },
    /// The input and output of a blur are not of the same kind.
    #[error("input {input} and output {output} must both be videos or both be images")]
    KindMismatch {
        /// The input file.
        input: PathBuf,
        /// The output file.
        output: PathBuf,
    },
    /// A drawing of a video's faces must be written to a video file.
    #[error(
        "the drawing {path} must be a video file (.mp4, .mkv, .mov or .webm) for a video input"
    )]
    NotAVideoOutput {
        /// The requested output.
        path: PathBuf,
    },
    /// The output would overwrite the input.
    #[error("the output {path} is the input; choose another file")]
    OutputIsInput {
        /// The file.
        path: PathBuf,
    },
    /// The folder that would hold an output does not exist.
    #[error("output folder {dir} does not exist; create it first")]
    NoOutputFolder {
        /// The missing folder.
        dir: PathBuf,
    },
    /// An output file could not be encoded or written.
    #[error("cannot write {path}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An image could not be encoded.
    #[error("cannot encode {path}")]
    Encode {
        /// The output file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: image::ImageError,
    },
    /// An input file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The input file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No liveness model measured usable, so no verdict is given.
    #[error(
        "no usable liveness model is available, so seer gives no live/spoof verdict for {image}. \
         Measured on real faces vs simulated print, screen and mask attacks: \
         held-out AUC face.antispoof {antispoof_auc:.3}, face.liveness {liveness_auc:.3} \
         (0.5 = chance); a verdict needs ≥ {min_auc}. {reason}"
    )]
    NoUsableLiveness {
        /// The image asked about.
        image: String,
        /// Best held-out AUC of `face.antispoof`.
        antispoof_auc: f64,
        /// Best held-out AUC of `face.liveness`.
        liveness_auc: f64,
        /// The AUC a verdict needs.
        min_auc: f64,
        /// What was measured, in words.
        reason: &'static str,
    },
    /// A liveness model is recorded usable but no verdict code exists.
    #[error("this build records a usable liveness model but has no verdict code for it")]
    NoLivenessVerdictCode,
    /// A step failed on one input; `what` says which step and input.
    #[error("{what}")]
    On {
        /// The step and the input, e.g. "face detection failed on a.jpg".
        what: String,
        /// The cause.
        #[source]
        source: Box<FaceError>,
    },
}

impl FaceError {
    /// Wraps `self` with what was being done and on which input.
    pub fn on(self, what: impl Into<String>) -> FaceError {
        FaceError::On {
            what: what.into(),
            source: Box::new(self),
        }
    }

    /// The innermost error (below every [`FaceError::On`]).
    pub fn root(&self) -> &FaceError {
        match self {
            FaceError::On { source, .. } => source.root(),
            other => other,
        }
    }
}

impl HasErrorKind for FaceError {
    fn kind(&self) -> ErrorKind {
        match self {
            FaceError::Image(e) => e.kind(),
            FaceError::TooManyTiles { .. } => ErrorKind::ResourceLimit,
            FaceError::Runtime(_) | FaceError::Store(_) => ErrorKind::Internal,
            FaceError::Gallery(e) => e.kind(),
            #[cfg(feature = "video")]
            FaceError::Video(e) => video_kind(e),
            FaceError::Cancelled(_) => ErrorKind::Cancelled,
            FaceError::ImageTooSmall { .. }
            | FaceError::NoFace { .. }
            | FaceError::SeveralFaces { .. }
            | FaceError::SeveralTracks { .. }
            | FaceError::NoTrack { .. }
            | FaceError::TrackTooSmall { .. }
            | FaceError::NoFrames { .. }
            | FaceError::InvalidOption { .. }
            | FaceError::KindMismatch { .. }
            | FaceError::NotAVideoOutput { .. }
            | FaceError::OutputIsInput { .. } => ErrorKind::InvalidInput,
            FaceError::NoOutputFolder { .. } => ErrorKind::NotFound,
            FaceError::ModelOutput { .. }
            | FaceError::Write { .. }
            | FaceError::Encode { .. }
            | FaceError::NoLivenessVerdictCode => ErrorKind::Internal,
            FaceError::Read { source, .. } => ErrorKind::of_io(source),
            FaceError::NoUsableLiveness { .. } => ErrorKind::Unsupported,
            FaceError::On { source, .. } => source.kind(),
        }
    }
}

/// The kind of a video error: a bad input file is the caller's, a failed
/// encoder or write is seer's.
#[cfg(feature = "video")]
fn video_kind(e: &seer_video::VideoError) -> ErrorKind {
    use seer_video::VideoError as V;
    match e {
        V::Open { .. } | V::NoVideoStream { .. } | V::Decode { .. } => ErrorKind::InvalidInput,
        V::NoEncoder { .. } => ErrorKind::Unsupported,
        _ => ErrorKind::Internal,
    }
}

/// Checks that `value` lies in `0..=1` (a score option).
pub(crate) fn check_unit(option: &'static str, value: f32) -> Result<(), FaceError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(FaceError::InvalidOption {
            option,
            why: format!("must be between 0 and 1, got {value}"),
        })
    }
}

/// Checks that a count option is at least 1.
pub(crate) fn check_at_least_one(option: &'static str, value: u64) -> Result<(), FaceError> {
    if value >= 1 {
        Ok(())
    } else {
        Err(FaceError::InvalidOption {
            option,
            why: "must be at least 1".to_string(),
        })
    }
}

/// Fails when the folder that would hold `path` does not exist.
/// Refuses an output that is the input file itself (writing it would
/// destroy the input).
pub(crate) fn check_not_input(
    input: &crate::ImageInput,
    output: &std::path::Path,
) -> Result<(), FaceError> {
    match input {
        crate::ImageInput::Path(path) if seer_core::atomic::same_file(path, output) => {
            Err(FaceError::OutputIsInput {
                path: output.to_path_buf(),
            })
        }
        _ => Ok(()),
    }
}

pub(crate) fn check_output_folder(path: &std::path::Path) -> Result<(), FaceError> {
    match seer_core::atomic::missing_output_folder(path) {
        None => Ok(()),
        Some(dir) => Err(FaceError::NoOutputFolder { dir }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_innermost_cause_and_messages_name_no_flags() {
        let several = FaceError::SeveralFaces {
            path: "a.jpg".into(),
            count: 2,
        };
        assert!(!several.to_string().contains("--"), "{several}");
        let wrapped = several.on("nothing was enrolled: a.jpg is not usable");
        assert_eq!(wrapped.kind(), ErrorKind::InvalidInput);
        assert!(matches!(
            wrapped.root(),
            FaceError::SeveralFaces { count: 2, .. }
        ));
        let source = std::error::Error::source(&wrapped).map(|e| e.to_string());
        assert!(source.is_some_and(|s| s.starts_with("2 faces found in a.jpg")));
        assert_eq!(
            FaceError::from(seer_core::Cancelled).kind(),
            ErrorKind::Cancelled
        );
        let missing = FaceError::Gallery(GalleryError::NoGallery {
            location: "g.db".into(),
        });
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert_eq!(
            FaceError::Write {
                path: "o.png".into(),
                source: std::io::Error::other("disk full"),
            }
            .kind(),
            ErrorKind::Internal
        );
    }

    #[test]
    fn option_checks_name_the_option_field() {
        let err = check_unit("min_score", 1.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "min_score must be between 0 and 1, got 1.5"
        );
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(check_at_least_one("every", 0).is_err());
        assert!(check_at_least_one("every", 1).is_ok());
    }
}
