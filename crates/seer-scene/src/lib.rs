//! seer-scene: scene understanding of video, turning it into searchable
//! text. Its first piece is the shot list.
//!
//! - [`detect_shots`] reads a video once and returns a [`ShotList`]: every
//!   frame in exactly one shot, each shot labelled with how it begins
//!   ([`Transition`]: the start, a hard cut, a fade through black or white,
//!   or a dissolve), serialisable to JSON as users get it.
//! - [`describe_video`] decodes a video once into shots, objects, tracks
//!   and camera motion and narrates each shot in plain sentences built
//!   only from what was detected ([`narrate`]), as JSON, SubRip or WebVTT.
//! - [`ShotDetector`] is the same detector over frames given one at a time
//!   (no video needed), for tests and for callers that already decode.
//! - [`TextReader`] reads lines of Chinese and English text in an image
//!   ([`ocr`]: PP-OCRv4 detector, direction classifier and recogniser),
//!   each a [`TextLine`] with its box, in reading order.
//! - [`library::Library`] stores described videos in a folder (SQLite and
//!   a tantivy index) and finds shots by words, phrases, labels and times.
//!
//! ```no_run
//! # fn main() -> Result<(), seer_scene::SceneError> {
//! use seer_core::{CancelToken, NoProgress};
//! use seer_scene::{detect_shots, ShotOptions};
//! let shots = detect_shots("film.mp4".as_ref(), &ShotOptions::default(), &NoProgress, &CancelToken::new())?;
//! print!("{}", shots.to_table());
//! # Ok(()) }
//! ```

pub mod error;
pub mod library;
pub mod narrate;
pub mod ocr;
pub mod shots;

pub use error::SceneError;
pub use narrate::{
    describe_video, to_srt, to_vtt, CameraMotion, DescribeOptions, DescribeOutputs, Language,
    Narration, ShotNarration,
};
pub use ocr::{OcrOptions, OcrResult, TextLine, TextReader};
pub use shots::{
    detect_shots, detect_shots_learned, find_shots, Boundary, Shot, ShotDetector, ShotDetectorKind,
    ShotList, ShotOptions, ShotReport, Transition,
};
