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
            | DriveError::BadSetting { .. } => ErrorKind::InvalidInput,
        }
    }
}
