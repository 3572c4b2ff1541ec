//! Errors of the driving capability.

use seer_core::{ErrorKind, HasErrorKind};
use std::path::PathBuf;

/// Why driving perception could not run.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    /// The camera file could not be read.
    #[error("cannot read the camera file {}", path.display())]
    CameraFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The camera description is not valid TOML or has an unknown key.
    #[error("the camera description is not valid: {source}")]
    CameraSyntax {
        #[source]
        source: toml::de::Error,
    },
    /// A camera value that cannot describe a camera.
    #[error("camera key '{key}' = {value} is invalid: {expected}")]
    CameraValue {
        /// The key in the camera description, e.g. `mount_height_m`.
        key: &'static str,
        /// The value given.
        value: String,
        /// What would be valid.
        expected: &'static str,
    },
    /// The object detector failed or was set up wrongly.
    #[error(transparent)]
    Detect(#[from] seer_objects::DetectError),
    /// The tracker's settings cannot work.
    #[error(transparent)]
    Tracker(#[from] seer_objects::TrackerError),
    /// The video could not be read or written.
    #[error(transparent)]
    Video(#[from] seer_video::VideoError),
    /// The image could not be read or written.
    #[error(transparent)]
    Image(#[from] seer_imgproc::ImageError),
    /// The run was cancelled; nothing was written.
    #[error("cancelled; nothing was written")]
    Cancelled(#[from] seer_core::Cancelled),
    /// The video holds no frame.
    #[error("{} holds no video frame", path.display())]
    NoFrames { path: PathBuf },
    /// An output is the input (or the two outputs are one file).
    #[error("the output {} is the input or the other output; choose another file", path.display())]
    OutputIsInput { path: PathBuf },
    /// The folder of an output does not exist.
    #[error("output folder {} does not exist; create it first", folder.display())]
    NoOutputFolder { folder: PathBuf },
    /// The JSONL log could not be written.
    #[error("cannot write the log {}", path.display())]
    Log {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A setting of the warnings or filters that cannot work.
    #[error("{setting} {value} is invalid; {expected}")]
    BadSetting {
        setting: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl HasErrorKind for DriveError {
    fn kind(&self) -> ErrorKind {
        match self {
            DriveError::CameraFile { source, .. } => ErrorKind::of_io(source),
            DriveError::CameraSyntax { .. }
            | DriveError::CameraValue { .. }
            | DriveError::BadSetting { .. }
            | DriveError::NoFrames { .. }
            | DriveError::OutputIsInput { .. } => ErrorKind::InvalidInput,
            DriveError::NoOutputFolder { .. } => ErrorKind::NotFound,
            DriveError::Detect(e) => e.kind(),
            DriveError::Tracker(e) => e.kind(),
            DriveError::Video(e) => e.kind(),
            DriveError::Image(e) => e.kind(),
            DriveError::Cancelled(_) => ErrorKind::Cancelled,
            DriveError::Log { source, .. } => ErrorKind::of_io(source),
        }
    }
}
