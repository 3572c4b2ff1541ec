//! seer-runtime: loads the ONNX Runtime shared library at run time and runs
//! inference sessions on float tensors; [`Engine`] opens a model in seer's
//! native engine ([`seer_native`]) or in ONNX Runtime, for any capability.
//!
//! The library is never linked or downloaded by the build: the caller points
//! [`init`] at `libonnxruntime.so` (seer-models fetches it from the
//! `onnxruntime` wheel into the cache; `ORT_DYLIB_PATH` overrides).

pub mod engine;
pub mod library;
pub mod session;
pub mod tensor;
pub mod threads;

pub use engine::{Engine, EngineChoice};
pub use library::{init, is_initialised, RuntimeInfo};
pub use session::{Optimization, Session, SessionOptions, Tuning, ValueSpec};
pub use tensor::Tensor;
pub use threads::physical_cores;

use seer_core::{ErrorKind, HasErrorKind};
use std::path::PathBuf;

/// Why the runtime could not load a library, a model, or run it.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The library file does not exist.
    #[error("ONNX Runtime library not found at {path}; run `seer models fetch runtime.onnxruntime` or set ORT_DYLIB_PATH to a libonnxruntime.so (1.22 or newer)")]
    LibraryMissing { path: PathBuf },
    /// The file exists but is not a usable ONNX Runtime library.
    #[error("cannot load ONNX Runtime from {path}: {detail}; run `seer models fetch runtime.onnxruntime` or set ORT_DYLIB_PATH to a libonnxruntime.so (1.22 or newer)")]
    LibraryInvalid { path: PathBuf, detail: String },
    /// ONNX Runtime itself refused to start from the library (the source
    /// is its own error).
    #[error("cannot start ONNX Runtime from {path}; run `seer models fetch runtime.onnxruntime` or set ORT_DYLIB_PATH to a libonnxruntime.so (1.22 or newer)")]
    LibraryRejected {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// `init` was already called with a different library.
    #[error("ONNX Runtime was already loaded from {loaded}; cannot switch to {requested} in the same process")]
    AlreadyLoaded { loaded: PathBuf, requested: PathBuf },
    /// A session was requested before `init`.
    #[error("ONNX Runtime is not loaded yet (seer_runtime::init was not called)")]
    NotInitialised,
    /// ONNX Runtime refused the model.
    #[error("ONNX Runtime cannot load model {model}: {detail}")]
    Model { model: String, detail: String },
    /// ONNX Runtime refused the model (the source is its own error).
    #[error("ONNX Runtime cannot load model {model}")]
    ModelRejected {
        model: String,
        #[source]
        source: ort::Error,
    },
    /// ONNX Runtime refused an input tensor.
    #[error("bad input '{input}' for model {model}")]
    InputRejected {
        model: String,
        input: String,
        #[source]
        source: ort::Error,
    },
    /// ONNX Runtime failed while running the model.
    #[error("inference failed in model {model}")]
    RunFailed {
        model: String,
        #[source]
        source: ort::Error,
    },
    /// An output of the model is not a float32 tensor.
    #[error("output '{output}' of model {model} is not a float32 tensor")]
    OutputNotFloat {
        model: String,
        output: String,
        #[source]
        source: ort::Error,
    },
    /// Inputs do not match the model.
    #[error("bad input for model {model}: {detail}")]
    Input { model: String, detail: String },
    /// ONNX Runtime failed while running.
    #[error("inference failed in model {model}: {detail}")]
    Run { model: String, detail: String },
    /// The model file could not be read.
    #[error("cannot read model file {path}")]
    ModelFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The native engine was asked for a model it cannot run (the source
    /// names the node and why).
    #[error("model {model} cannot run in the native engine")]
    NativeUnsupported {
        model: String,
        #[source]
        source: seer_native::NativeError,
    },
    /// The native engine refused an input or failed while running.
    #[error("the native engine cannot run model {model}")]
    Native {
        model: String,
        #[source]
        source: seer_native::NativeError,
    },
}

impl HasErrorKind for RuntimeError {
    fn kind(&self) -> ErrorKind {
        match self {
            RuntimeError::LibraryMissing { .. }
            | RuntimeError::LibraryInvalid { .. }
            | RuntimeError::AlreadyLoaded { .. }
            | RuntimeError::LibraryRejected { .. }
            | RuntimeError::NotInitialised
            | RuntimeError::Run { .. }
            | RuntimeError::RunFailed { .. }
            | RuntimeError::OutputNotFloat { .. } => ErrorKind::Internal,
            RuntimeError::Model { .. }
            | RuntimeError::ModelRejected { .. }
            | RuntimeError::Input { .. }
            | RuntimeError::InputRejected { .. } => ErrorKind::InvalidInput,
            RuntimeError::ModelFile { source, .. } => ErrorKind::of_io(source),
            RuntimeError::NativeUnsupported { source, .. }
            | RuntimeError::Native { source, .. } => source.kind(),
        }
    }
}
