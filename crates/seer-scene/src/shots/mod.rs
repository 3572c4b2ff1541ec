//! Shot boundaries: hard cuts, fades through black or white, and
//! dissolves, found by classical image statistics on shrunk frames.
//!
//! Per frame (`features`): an HSV histogram, the mean luma, a luma gradient
//! map and a 32-pixel thumbnail of the picture shrunk to
//! [`ShotOptions::analysis_width`]. Between consecutive frames a change
//! score mixes the histogram distance, the mean absolute luma difference
//! and the change of the luma gradient maps (edges).
//!
//! - `cuts`: a score above an adaptive baseline (median + k·MAD and a
//!   multiple of the median of the recent scores), unless the picture
//!   comes back within a few frames (a flash).
//! - `fades`: a run of near-black or near-white frames with pictures on
//!   both sides; the shot starts at the first frame after the darkest part.
//! - `dissolves`: a span whose frames fit linear mixes of its end frames
//!   with a falling weight; the shot starts at the middle of the span.

mod cuts;
mod detector;
mod dissolves;
mod fades;
mod features;
mod learned;
mod list;
mod options;
mod video;

pub use detector::ShotDetector;
pub use learned::{detect_shots_learned, find_shots, ShotReport, MODEL_ID as LEARNED_MODEL_ID};
pub use list::{Boundary, Shot, ShotList, Transition};
pub use options::{ShotDetectorKind, ShotOptions};
pub use video::detect_shots;
