//! PyTorch checkpoints: a pickle VM restricted to state dicts and a reader
//! for the zip `.pth` format, so models can be rebuilt in ONNX from weights.

pub mod checkpoint;
pub mod pickle;

pub use checkpoint::{Checkpoint, DType, Tensor, TensorInfo};
