//! Errors of the object detectors.

use seer_core::{ErrorKind, HasErrorKind};

/// Why objects could not be detected.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// A setting that cannot work (e.g. a threshold outside 0..1).
    #[error("{setting} {value} is invalid; {expected}")]
    BadSetting {
        /// The setting, in words (no front-end flag names).
        setting: &'static str,
        /// The value given.
        value: String,
        /// What would work.
        expected: &'static str,
    },
    /// The image has no pixels.
    #[error("the image has no pixels ({width}x{height})")]
    EmptyImage { width: u32, height: u32 },
    /// The model could not be fetched or imported.
    #[error(transparent)]
    Model(#[from] seer_models::StoreError),
    /// ONNX Runtime failed to load or run the model.
    #[error(transparent)]
    Runtime(#[from] seer_runtime::RuntimeError),
    /// The model's outputs are not what its decoder expects.
    #[error("model {model} returned unexpected outputs: {detail}")]
    Output { model: String, detail: String },
}

impl HasErrorKind for DetectError {
    fn kind(&self) -> ErrorKind {
        match self {
            DetectError::BadSetting { .. } | DetectError::EmptyImage { .. } => {
                ErrorKind::InvalidInput
            }
            DetectError::Model(e) => e.kind(),
            DetectError::Runtime(e) => e.kind(),
            DetectError::Output { .. } => ErrorKind::Internal,
        }
    }
}
