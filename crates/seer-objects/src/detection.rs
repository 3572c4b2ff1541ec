//! A detected object.

use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};

/// One object found in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Bounding box in image pixels.
    pub bbox: Rect,
    /// Detector confidence, 0..1.
    pub score: f32,
    /// COCO class index, 0..80 (0 = person).
    pub class: u32,
}
