//! Reading text lines (Chinese and English) in an image with PaddleOCR's
//! PP-OCRv4 models (from RapidOCR's ONNX files):
//!
//! 1. the DB detector ([`detect`]) gives a text probability per pixel of
//!    the image shrunk to at most [`OcrOptions::max_side`] (sides
//!    multiples of 32);
//! 2. [`boxes`] thresholds it, takes 8-connected regions, scores each by
//!    its mean probability and grows its minimum-area rectangle
//!    ([`quad`]) by area · 1.6 / perimeter (the detector marks a shrunk
//!    core);
//! 3. each box is cut out straightened ([`crop`]); the direction
//!    classifier ([`classify`]) turns it 180° when it is sure it is
//!    upside down;
//! 4. the recogniser ([`recognize`]) reads the crop at 48 pixels high and
//!    [`ctc`] decodes its steps greedily with the dictionary stored in
//!    the model's ONNX metadata.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use seer_scene::{OcrOptions, TextReader};
//! let store = seer_models::Store::open_default()?;
//! let mut reader = TextReader::open(&store, &OcrOptions::default())?;
//! let image = seer_imgproc::load_rgb("sign.jpg".as_ref())?;
//! for line in reader.read(&image)? {
//!     println!("{} at {:?}", line.text, line.bbox);
//! }
//! # Ok(()) }
//! ```

pub mod boxes;
pub mod classify;
pub mod crop;
pub mod ctc;
pub mod detect;
pub mod lines;
pub mod options;
pub mod quad;
pub mod reader;
pub mod recognize;
pub mod tensor;

pub use lines::{OcrResult, TextLine};
pub use options::OcrOptions;
pub use reader::TextReader;
