//! Why an operation of this crate failed, each error with its
//! [`seer_core::ErrorKind`] for front ends.

use seer_core::{ErrorKind, HasErrorKind};

/// Tracker options that cannot work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrackerError {
    /// A threshold is NaN or outside its range.
    #[error("tracker option {name} is {value}; it must be a number in {range}")]
    OutOfRange {
        /// The option's field name.
        name: &'static str,
        /// The value given.
        value: f32,
        /// The allowed range, in words.
        range: &'static str,
    },
    /// The low score threshold is above the high one.
    #[error("tracker low score threshold {low} is above the high threshold {high}")]
    LowAboveHigh {
        /// The low threshold given.
        low: f32,
        /// The high threshold given.
        high: f32,
    },
    /// `min_hits` is zero: a track could never be confirmed.
    #[error("tracker option min_hits is 0; a track needs at least 1 hit to be confirmed")]
    ZeroMinHits,
    /// `max_detections` is zero: no detection could ever be used.
    #[error("tracker option max_detections is 0; at least 1 detection per frame must be usable")]
    ZeroMaxDetections,
}

impl HasErrorKind for TrackerError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

/// Ground truth or hypotheses the metrics cannot score.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsError {
    /// The same id appears twice in one frame.
    #[error("{which} id {id} appears more than once in frame {frame}")]
    DuplicateId {
        /// `"ground truth"` or `"hypothesis"`.
        which: &'static str,
        /// The frame.
        frame: u32,
        /// The repeated id.
        id: u64,
    },
    /// A box has a non-finite coordinate or a negative size.
    #[error("{which} id {id} in frame {frame} has an invalid box (non-finite or negative size)")]
    InvalidBox {
        /// `"ground truth"` or `"hypothesis"`.
        which: &'static str,
        /// The frame.
        frame: u32,
        /// The id whose box is invalid.
        id: u64,
    },
}

impl HasErrorKind for MetricsError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

/// A MOTChallenge text file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MotFormatError {
    /// Reading or writing failed.
    #[error("MOT file I/O failed: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not `frame,id,x,y,w,h[,score,…]`.
    #[error("MOT line {line}: {reason}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A record cannot be written (frame 0, a non-finite number).
    #[error("MOT record {index} cannot be written: {reason}")]
    Unwritable {
        /// 0-based index of the record.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}

impl HasErrorKind for MotFormatError {
    fn kind(&self) -> ErrorKind {
        match self {
            MotFormatError::Io(e) => ErrorKind::of_io(e),
            MotFormatError::Malformed { .. } | MotFormatError::Unwritable { .. } => {
                ErrorKind::InvalidInput
            }
        }
    }
}

/// Why objects could not be detected.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// A setting that cannot work (e.g. a threshold outside 0..1).
    #[error("{setting} {value} is invalid; {expected}")]
    BadSetting {
        /// The setting, in words (no front-end flag names).
        setting: &'static str,
        /// The value given.
        value: String,
        /// What would work.
        expected: &'static str,
    },
    /// The image has no pixels.
    #[error("the image has no pixels ({width}x{height})")]
    EmptyImage { width: u32, height: u32 },
    /// The model could not be fetched or imported.
    #[error(transparent)]
    Model(#[from] seer_models::StoreError),
    /// ONNX Runtime failed to load or run the model.
    #[error(transparent)]
    Runtime(#[from] seer_runtime::RuntimeError),
    /// The tracker's settings cannot work.
    #[error(transparent)]
    Tracker(#[from] TrackerError),
    /// The video could not be read or written.
    #[error(transparent)]
    Video(#[from] seer_video::VideoError),
    /// The image could not be read or written.
    #[error(transparent)]
    Image(#[from] seer_imgproc::ImageError),
    /// The MOTChallenge records could not be formatted.
    #[error(transparent)]
    Mot(#[from] MotFormatError),
    /// An output file could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The run was cancelled; nothing was written.
    #[error("cancelled; nothing was written")]
    Cancelled(#[from] seer_core::Cancelled),
    /// The video holds no frame.
    #[error("{} holds no video frame", path.display())]
    NoFrames { path: std::path::PathBuf },
    /// An output is the input.
    #[error("the output {} is the input; choose another file", path.display())]
    OutputIsInput { path: std::path::PathBuf },
    /// The folder of an output does not exist.
    #[error("output folder {} does not exist; create it first", folder.display())]
    NoOutputFolder { folder: std::path::PathBuf },
    /// The model's outputs are not what its decoder expects.
    #[error("model {model} returned unexpected outputs: {detail}")]
    Output { model: String, detail: String },
}

impl HasErrorKind for DetectError {
    fn kind(&self) -> ErrorKind {
        match self {
            DetectError::BadSetting { .. } | DetectError::EmptyImage { .. } => {
                ErrorKind::InvalidInput
            }
            DetectError::Model(e) => e.kind(),
            DetectError::Runtime(e) => e.kind(),
            DetectError::Output { .. } | DetectError::Mot(_) => ErrorKind::Internal,
            DetectError::Tracker(e) => e.kind(),
            DetectError::Video(e) => e.kind(),
            DetectError::Image(e) => e.kind(),
            DetectError::Write { source, .. } => ErrorKind::of_io(source),
            DetectError::Cancelled(_) => ErrorKind::Cancelled,
            DetectError::NoFrames { .. } | DetectError::OutputIsInput { .. } => {
                ErrorKind::InvalidInput
            }
            DetectError::NoOutputFolder { .. } => ErrorKind::NotFound,
        }
    }
}
