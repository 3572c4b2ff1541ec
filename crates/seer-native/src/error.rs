//! Errors of the native engine.

use seer_core::{ErrorKind, HasErrorKind};

/// Why a network cannot be compiled or run natively.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The bytes are not an ONNX protobuf.
    #[error("not a readable ONNX model")]
    Decode(#[source] prost::DecodeError),
    /// The graph as a whole is not one the engine runs (no graph, several
    /// inputs or outputs, an input that is not one NCHW image).
    #[error("the graph cannot run natively: {reason}")]
    UnsupportedGraph {
        /// What is wrong.
        reason: String,
    },
    /// A node the engine does not implement, or implements only with other
    /// settings (attributes, weight shapes).
    #[error("{op} node {node:?} cannot run natively: {reason}")]
    UnsupportedNode {
        /// The node's operator (e.g. `Concat`).
        op: String,
        /// The node's name.
        node: String,
        /// Why it is refused.
        reason: String,
    },
    /// This CPU lacks the instructions of the asked (or every) kernel.
    #[error("this CPU cannot run the {kernel} kernels of the native engine")]
    Cpu {
        /// The kernel family that is missing (e.g. "AVX2/FMA").
        kernel: &'static str,
    },
    /// The input does not fit the network (channel count, data length).
    #[error("bad input for the native engine: {detail}")]
    Input {
        /// What is wrong.
        detail: String,
    },
    /// The input's size does not work for one of the layers (too small
    /// for a valid convolution or a crop, skip connections of different
    /// sizes).
    #[error("{op} node {node:?} cannot take a {width}x{height} network input: {detail}")]
    InputSize {
        /// The node's operator.
        op: String,
        /// The node's name.
        node: String,
        /// Input width in pixels.
        width: usize,
        /// Input height in pixels.
        height: usize,
        /// What does not fit.
        detail: String,
    },
    /// A fault of the engine itself (a value missing between steps).
    #[error("native engine fault: {detail}")]
    Internal {
        /// What went wrong.
        detail: String,
    },
}

impl HasErrorKind for NativeError {
    fn kind(&self) -> ErrorKind {
        match self {
            NativeError::Decode(_) | NativeError::Input { .. } | NativeError::InputSize { .. } => {
                ErrorKind::InvalidInput
            }
            NativeError::UnsupportedGraph { .. }
            | NativeError::UnsupportedNode { .. }
            | NativeError::Cpu { .. } => ErrorKind::Unsupported,
            NativeError::Internal { .. } => ErrorKind::Internal,
        }
    }
}

impl NativeError {
    /// An engine fault.
    pub(crate) fn internal(detail: &str) -> NativeError {
        NativeError::Internal {
            detail: detail.to_string(),
        }
    }
}
