//! The error of the benchmark drivers ([`crate::faces`], whose functions
//! load models, read data folders and run the measurements).

use seer_core::{ErrorKind, HasErrorKind};
use std::path::PathBuf;

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// An option is out of range; `option` is its field name in the
    /// options struct (front ends map it to their own spelling).
    #[error("{option} {why}")]
    InvalidOption {
        /// The options field, e.g. `threshold`.
        option: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// The data folder lacks what the benchmark needs.
    #[error("{what}")]
    MissingData {
        /// What is missing, where.
        what: String,
    },
    /// A photo the benchmark relies on shows no face.
    #[error("no face found in {path}")]
    NoFace {
        /// The photo.
        path: PathBuf,
    },
    /// A file or folder could not be read or written.
    #[error("cannot access {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A self-check of the measured code failed (a bug, not an input).
    #[error("self-check failed: {what}")]
    SelfCheck {
        /// What disagreed.
        what: String,
    },
    /// The caller cancelled the benchmark.
    #[error(transparent)]
    Cancelled(#[from] seer_core::Cancelled),
    /// The faces data folder could not be read.
    #[error(transparent)]
    Dataset(#[from] crate::dataset::DatasetError),
    /// Enrolment or identification of a labelled folder failed.
    #[error(transparent)]
    Evaluate(#[from] crate::faces::gallery::EvaluateError),
    /// A face model failed or an image could not be used.
    #[error(transparent)]
    Face(#[from] seer_face::FaceError),
    /// The temporary gallery could not be made or used.
    #[error(transparent)]
    Gallery(#[from] seer_face::GalleryError),
    /// An image could not be read, decoded or written.
    #[error(transparent)]
    Image(#[from] seer_imgproc::ImageError),
    /// A video could not be read.
    #[error(transparent)]
    Video(#[from] seer_video::VideoError),
    /// The model cache failed.
    #[error(transparent)]
    Models(#[from] seer_models::StoreError),
    /// An upscaler could not be built or run.
    #[error(transparent)]
    Upscale(#[from] seer_upscale::UpscaleError),
    /// A model could not be loaded or run.
    #[error(transparent)]
    Runtime(#[from] seer_runtime::RuntimeError),
    /// A model's operations could not be counted.
    #[error(transparent)]
    Flops(#[from] seer_onnx::FlopsError),
}

impl HasErrorKind for EvalError {
    fn kind(&self) -> ErrorKind {
        match self {
            EvalError::InvalidOption { .. } | EvalError::NoFace { .. } => ErrorKind::InvalidInput,
            EvalError::MissingData { .. } => ErrorKind::NotFound,
            EvalError::Io { source, .. } => ErrorKind::of_io(source),
            EvalError::SelfCheck { .. } | EvalError::Models(_) => ErrorKind::Internal,
            EvalError::Cancelled(e) => e.kind(),
            EvalError::Dataset(e) => e.kind(),
            EvalError::Evaluate(e) => e.kind(),
            EvalError::Face(e) => e.kind(),
            EvalError::Gallery(e) => e.kind(),
            EvalError::Image(e) => e.kind(),
            EvalError::Video(e) => e.kind(),
            EvalError::Upscale(e) => e.kind(),
            EvalError::Runtime(e) => e.kind(),
            EvalError::Flops(e) => e.kind(),
        }
    }
}

/// An [`EvalError::Io`] for `path`.
pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> EvalError + '_ {
    move |source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    }
}
