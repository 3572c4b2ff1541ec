//! The result type of face detection.

use seer_core::geometry::{Point, Rect};
use serde::{Deserialize, Serialize};

/// Names of [`Face::keypoints`] in order. "Right" and "left" are the
/// person's own sides, so in a non-mirrored photo of someone facing the
/// camera the right eye appears on the image's left.
pub const KEYPOINT_NAMES: [&str; 6] = [
    "right_eye",
    "left_eye",
    "nose",
    "mouth",
    "right_ear",
    "left_ear",
];

/// One detected face.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Face {
    /// Bounding box in image pixels (may extend slightly past the image).
    pub bbox: Rect,
    /// Detector confidence, 0..1.
    pub score: f32,
    /// Right eye, left eye, nose tip, mouth centre, right ear, left ear, in
    /// image pixels (see [`KEYPOINT_NAMES`]).
    pub keypoints: [Point; 6],
    /// How usable the face is for recognition.
    pub quality: Quality,
}

/// Simple quality measures of a detected face.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The longer side of the box, in pixels.
    pub size_px: f32,
    /// Variance of the 4-neighbour Laplacian of the face crop's luma
    /// (0..255 units, so units of luma²); higher is sharper.
    pub sharpness: f32,
    /// Mean luma of the face crop, 0 (black) .. 1 (white).
    pub exposure: f32,
}
