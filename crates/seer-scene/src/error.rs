//! Errors of scene analysis. The error that caused a failure is kept as
//! its source.

use seer_core::{Cancelled, ErrorKind, HasErrorKind};
use seer_models::StoreError;
use seer_runtime::RuntimeError;
use seer_video::VideoError;
use std::path::PathBuf;

/// Why a video could not be analysed or text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    /// An option is out of its range.
    #[error("invalid shot option {name}: {reason}")]
    InvalidOption {
        /// The option's field name in [`crate::ShotOptions`].
        name: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The video could not be opened or decoded (the cause says why).
    #[error("cannot find shots in {}", path.display())]
    Video {
        /// The file.
        path: PathBuf,
        #[source]
        source: VideoError,
    },
    /// The video holds no frame.
    #[error("{} holds no video frames; give a video with at least one frame", path.display())]
    NoFrames {
        /// The file.
        path: PathBuf,
    },
    /// The frame rate is unknown or absurd.
    #[error("the video's frame rate {fps} is not a number of frames per second above 0 and at most 1000")]
    BadFrameRate {
        /// Frames per second given.
        fps: f64,
    },
    /// A frame handed to the detector has no pixels.
    #[error("frame {index} has no pixels ({width}x{height})")]
    EmptyFrame {
        /// Position of the frame, from 0.
        index: u64,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Objects could not be found (the cause says why).
    #[error(transparent)]
    Objects(#[from] seer_objects::DetectError),
    /// An output file is the input.
    #[error("the output {} is the input; choose another file", path.display())]
    OutputIsInput {
        /// The file.
        path: PathBuf,
    },
    /// The folder of an output file does not exist.
    #[error("output folder {} does not exist; create it first", folder.display())]
    NoOutputFolder {
        /// The missing folder.
        folder: PathBuf,
    },
    /// An output file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An OCR option is out of its range.
    #[error("invalid OCR option {name}: {reason}")]
    InvalidOcrOption {
        /// The option's field name in [`crate::OcrOptions`].
        name: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The shot-boundary model could not be fetched or imported into the cache.
    #[error("cannot get the shot-boundary model {model}")]
    ShotModel {
        /// Catalogue id of the model.
        model: &'static str,
        /// Boxed: the store's error is large and rare.
        #[source]
        source: Box<StoreError>,
    },
    /// ONNX Runtime could not load or run the shot-boundary model.
    #[error("the shot-boundary model {model} failed in ONNX Runtime")]
    ShotRuntime {
        /// Catalogue id of the model.
        model: &'static str,
        /// Boxed: the runtime's error is large and rare.
        #[source]
        source: Box<RuntimeError>,
    },
    /// An OCR model could not be fetched or imported into the cache.
    #[error("cannot get the OCR model {model}")]
    OcrModel {
        /// Catalogue id of the model.
        model: &'static str,
        /// Boxed: the store's error is large and rare.
        #[source]
        source: Box<StoreError>,
    },
    /// ONNX Runtime could not load or run an OCR model.
    #[error("the OCR model {model} failed in ONNX Runtime")]
    OcrRuntime {
        /// Catalogue id of the model.
        model: &'static str,
        /// Boxed: the runtime's error is large and rare.
        #[source]
        source: Box<RuntimeError>,
    },
    /// The recogniser's model file could not be read for its dictionary.
    #[error("cannot read the OCR model file {}", path.display())]
    OcrModelFile {
        /// The ONNX file.
        path: PathBuf,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// The recogniser's model file is not a readable ONNX model.
    #[error("the OCR model file {} is not a valid ONNX model", path.display())]
    OcrModelFormat {
        /// The ONNX file.
        path: PathBuf,
        /// Why the protobuf could not be decoded.
        #[source]
        source: prost::DecodeError,
    },
    /// An OCR model lacks what the reader needs or answered with outputs
    /// of an unexpected shape.
    #[error("the OCR model {model} is not usable: {reason}")]
    OcrModelContent {
        /// Catalogue id of the model.
        model: &'static str,
        /// What is missing or wrong.
        reason: String,
    },
    /// An image handed to the text reader has no pixels.
    #[error("the image has no pixels ({width}x{height}); give an image at least 1x1")]
    EmptyImage {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The caller cancelled the work.
    #[error("finding shots was cancelled after {frames} frames")]
    Cancelled {
        /// Frames analysed before stopping.
        frames: u64,
        #[source]
        source: Cancelled,
    },
}

impl HasErrorKind for SceneError {
    fn kind(&self) -> ErrorKind {
        match self {
            SceneError::Objects(e) => e.kind(),
            SceneError::OutputIsInput { .. } => ErrorKind::InvalidInput,
            SceneError::NoOutputFolder { .. } => ErrorKind::NotFound,
            SceneError::Write { source, .. } => ErrorKind::of_io(source),
            SceneError::InvalidOption { .. }
            | SceneError::NoFrames { .. }
            | SceneError::BadFrameRate { .. }
            | SceneError::EmptyFrame { .. }
            | SceneError::InvalidOcrOption { .. }
            | SceneError::EmptyImage { .. } => ErrorKind::InvalidInput,
            SceneError::Video { source, .. } => source.kind(),
            SceneError::OcrModel { source, .. } => source.kind(),
            SceneError::ShotModel { source, .. } => source.kind(),
            SceneError::ShotRuntime { source, .. } => source.kind(),
            SceneError::OcrRuntime { source, .. } => source.kind(),
            SceneError::OcrModelFile { source, .. } => ErrorKind::of_io(source),
            SceneError::OcrModelFormat { .. } | SceneError::OcrModelContent { .. } => {
                ErrorKind::Internal
            }
            SceneError::Cancelled { .. } => ErrorKind::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn kinds_sources_and_messages_without_command_line_flags() {
        let video = SceneError::Video {
            path: "a.mp4".into(),
            source: VideoError::NotFound {
                path: "a.mp4".into(),
            },
        };
        assert_eq!(video.kind(), ErrorKind::NotFound);
        assert!(video.source().is_some());
        let cancelled = SceneError::Cancelled {
            frames: 3,
            source: Cancelled,
        };
        assert_eq!(cancelled.kind(), ErrorKind::Cancelled);
        assert!(cancelled.source().is_some());
        let option = SceneError::InvalidOption {
            name: "analysis_width",
            reason: "must be 16 to 512 pixels".into(),
        };
        assert_eq!(option.kind(), ErrorKind::InvalidInput);
        let file = SceneError::OcrModelFile {
            path: "rec.onnx".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(file.kind(), ErrorKind::NotFound);
        assert!(file.source().is_some());
        let empty = SceneError::EmptyImage {
            width: 0,
            height: 4,
        };
        assert_eq!(empty.kind(), ErrorKind::InvalidInput);
        let content = SceneError::OcrModelContent {
            model: "ocr.recognize",
            reason: "no dictionary".into(),
        };
        assert_eq!(content.kind(), ErrorKind::Internal);
        for error in [video, cancelled, option, file, empty, content] {
            assert!(!error.to_string().contains("--"), "{error}");
        }
    }
}
