//! seer-objects: objects in images and video, shared by the scene and
//! driving capabilities (neither depends on the other).
//!
//! - [`detection`]: a detected object (box in pixels, score, COCO class).
//! - [`centernet`]: the CenterNet (MobileNetV3) COCO detector, imported
//!   for the frame's aspect ratio and decoded in Rust.
//! - [`nms`]: non-maximum suppression.
//! - `error`: [`DetectError`], with an error kind for servers.

pub mod centernet;
pub mod detection;
pub mod error;
pub mod nms;

pub use centernet::{CenterNet, CenterNetOptions, CENTERNET_MODEL_ID};
pub use detection::Detection;
pub use error::DetectError;
