//! Errors an importer reports; each names the model file and what was wrong.

use std::path::PathBuf;

/// Why a model could not be imported to ONNX.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file of the model could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file that must be JSON does not parse (the source says where).
    #[error("{path} is not a valid {format} file")]
    NotJson {
        path: PathBuf,
        format: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A JSON file is not what the format requires.
    #[error("{path} is not a valid {format} file: {detail}")]
    BadJson {
        path: PathBuf,
        format: &'static str,
        detail: String,
    },
    /// The model uses an operator/layer the importer does not support.
    #[error("model {model}: unsupported {kind} '{op}' (node '{node}'); seer cannot import this model yet")]
    UnsupportedOp {
        model: PathBuf,
        kind: &'static str,
        op: String,
        node: String,
    },
    /// A weight file is shorter than the manifest/topology says.
    #[error("model {model}: weight data is truncated: {file} needs at least {needed} bytes but has {got}; re-fetch the model")]
    Truncated {
        model: PathBuf,
        file: PathBuf,
        needed: u64,
        got: u64,
    },
    /// Anything else structurally wrong with the model.
    #[error("model {model}: {detail}")]
    Malformed { model: PathBuf, detail: String },
}

impl ImportError {
    /// Shorthand for a `Malformed` error.
    pub fn malformed(model: &std::path::Path, detail: impl Into<String>) -> Self {
        ImportError::Malformed {
            model: model.to_path_buf(),
            detail: detail.into(),
        }
    }

    /// Shorthand for an `Io` error.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ImportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl seer_core::HasErrorKind for ImportError {
    /// A model file someone brings is the caller's input: a bad one is
    /// invalid input, an operator no importer knows is unsupported.
    fn kind(&self) -> seer_core::ErrorKind {
        use seer_core::ErrorKind;
        match self {
            ImportError::Io { source, .. } => ErrorKind::of_io(source),
            ImportError::UnsupportedOp { .. } => ErrorKind::Unsupported,
            ImportError::BadJson { .. }
            | ImportError::NotJson { .. }
            | ImportError::Truncated { .. }
            | ImportError::Malformed { .. } => ErrorKind::InvalidInput,
        }
    }
}
