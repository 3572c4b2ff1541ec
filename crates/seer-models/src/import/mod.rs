//! Importers: each turns one source format into a standard ONNX model.

pub mod error;
pub mod faceapi;
pub mod ncnn;
pub mod pytorch;
pub mod tfjs_graph;
pub mod tfjs_layers;
pub mod tfjs_weights;
pub mod transnetv2;

pub use error::ImportError;
