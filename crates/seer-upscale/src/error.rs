//! Errors of the upscaler and of the upscale jobs. Messages speak of the
//! library's own terms (the memory budget, resuming a job); front ends add
//! their own hints (flag names) by matching the variant.

use seer_core::{ErrorKind, HasErrorKind};

/// `bytes` in GiB with two decimals, e.g. "1.25 GiB".
fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

/// Why an upscale could not be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum UpscaleError {
    /// The model store could not provide the model (unknown id, fetch or
    /// import failure).
    #[error(transparent)]
    Store(#[from] seer_models::StoreError),
    /// ONNX Runtime could not load or run the model.
    #[error(transparent)]
    Runtime(#[from] seer_runtime::RuntimeError),
    /// A model's facts in `models.toml` are missing or wrong.
    #[error("model {model} has a bad upscaling convention in models.toml: {detail}")]
    Convention { model: String, detail: String },
    /// The model name is neither a tier, a model family nor an upscaling model.
    #[error("unknown upscaler '{name}'; use a tier ({tiers}), a model family or a catalogue model id starting with upscale.")]
    UnknownModel { name: String, tiers: String },
    /// A setting is outside what the upscaler can work with.
    #[error("a {setting} of {value} cannot work; use {expected}")]
    BadSetting {
        setting: &'static str,
        value: String,
        expected: String,
    },
    /// The requested scale is not supported.
    #[error("scale {scale} is not supported; use 2 to 16")]
    BadScale { scale: u32 },
    /// The image has no pixels.
    #[error("the image is empty ({width}x{height} pixels)")]
    EmptyImage { width: u32, height: u32 },
    /// A benchmark image is too small to score after cropping the border.
    #[error("image of {width}x{height} pixels is too small to score at this scale (needs at least {min} pixels per side)")]
    TooSmallToScore { width: u32, height: u32, min: u32 },
    /// A model that cannot tile was given an image above the pixel budget.
    #[error("model {model} cannot split images into tiles (it pools over the whole image) and {width}x{height} = {pixels} pixels exceeds the budget of {max_pixels}; use a smaller image, raise the pixel limit, or choose another model")]
    TooLarge {
        model: String,
        width: u32,
        height: u32,
        pixels: u64,
        max_pixels: u64,
    },
    /// The upscale does not fit the memory budget.
    #[error(
        "upscaling {}x{} to {}x{} with {chain} needs about {}{why}, above the memory budget of {}; use a smaller image, a larger budget, or a model that tiles",
        input.0, input.1, output.0, output.1, gib(*needed), gib(*budget)
    )]
    OverBudget {
        /// The model (or chain) that does not fit.
        chain: String,
        /// Input width and height in pixels.
        input: (u32, u32),
        /// Output width and height in pixels.
        output: (u32, u32),
        /// Estimated bytes needed.
        needed: u64,
        /// The budget in bytes.
        budget: u64,
        /// What part cannot fit, e.g. " for the images alone".
        why: &'static str,
    },
    /// The requested output size cannot be reached (factor below 1 or above 16).
    #[error("{target} gives a factor of {factor:.3} for a {width}x{height} image; the factor must be 1 to {}", crate::target::MAX_FACTOR)]
    BadTarget {
        target: crate::Target,
        factor: f64,
        width: u32,
        height: u32,
    },
    /// The model's output does not have the size its convention promises.
    #[error("model {model} returned an unexpected output: {detail}")]
    Output { model: String, detail: String },
    /// An image could not be read, decoded, encoded or written.
    #[error(transparent)]
    Image(#[from] seer_imgproc::ImageError),
    /// A video could not be read or written.
    #[error(transparent)]
    Video(#[from] seer_video::VideoError),
    /// The output (image or video) would overwrite the input.
    #[error("the output {path} is the input; choose another output file")]
    SameFile { path: String },
    /// The folder an output file goes into does not exist.
    #[error("output folder {folder} does not exist; create it first")]
    NoOutputFolder { folder: String },
    /// A video's output does not name a video file.
    #[error("the output {path} of a video must end in .{extensions}")]
    NotVideoOutput { path: String, extensions: String },
    /// A folder job's output folder is its input folder.
    #[error("the output folder {folder} is the input folder; choose another (outputs keep the input names)")]
    SameFolder { folder: String },
    /// A folder job's output exists and is a file.
    #[error("{path} is a file; the output of a folder must be a folder")]
    OutputIsFile { path: String },
    /// A folder job's input holds no image files.
    #[error("folder {folder} holds no {} images", seer_imgproc::FORMATS)]
    NoImages { folder: String },
    /// A folder could not be read or created.
    #[error("cannot use folder {folder}")]
    Folder {
        folder: String,
        #[source]
        source: std::io::Error,
    },
    /// The caller asked the work to stop (e.g. Ctrl-C).
    #[error("stopped on request; no partial output was left")]
    Cancelled,
    /// A worker thread of the video pipeline stopped unexpectedly.
    #[error("the video pipeline's {stage} thread stopped unexpectedly")]
    Pipeline { stage: &'static str },
    /// A video upscale stopped on request with finished segments kept.
    #[error("stopped on request; {segments} finished segments ({frames} frames) are kept in {folder}; resume the same job to continue")]
    Paused {
        segments: usize,
        frames: u64,
        folder: String,
    },
    /// The output's work folder exists but resuming was not asked for.
    #[error("{folder} holds the work of an earlier, interrupted upscale of this output; resume the job to continue it, or delete the folder to start again")]
    WorkFolderExists { folder: String },
    /// The work folder cannot be used to resume this job.
    #[error("cannot resume from {folder}: {detail}; delete the folder to start again, or resume with the same input and settings")]
    ResumeMismatch { folder: String, detail: String },
    /// Reading or writing the work folder failed.
    #[error("cannot use the work folder {folder}")]
    WorkFolderIo {
        folder: String,
        #[source]
        source: std::io::Error,
    },
    /// The journal could not be serialised.
    #[error("cannot write the journal of the work folder {folder}")]
    JournalEncode {
        folder: String,
        #[source]
        source: serde_json::Error,
    },
    /// The work folder's content is not what the pipeline wrote.
    #[error("cannot use the work folder {folder}: {detail}")]
    WorkFolder { folder: String, detail: String },
}

impl From<seer_core::Cancelled> for UpscaleError {
    fn from(_: seer_core::Cancelled) -> Self {
        UpscaleError::Cancelled
    }
}

impl HasErrorKind for UpscaleError {
    fn kind(&self) -> ErrorKind {
        use UpscaleError::*;
        match self {
            Store(seer_models::StoreError::UnknownModel { .. }) | UnknownModel { .. } => {
                ErrorKind::NotFound
            }
            Runtime(e) => e.kind(),
            Store(_) | Convention { .. } | Output { .. } | Pipeline { .. } => ErrorKind::Internal,
            WorkFolderIo { source, .. } | Folder { source, .. } => ErrorKind::of_io(source),
            WorkFolder { .. } | JournalEncode { .. } => ErrorKind::Internal,
            BadScale { .. }
            | BadSetting { .. }
            | EmptyImage { .. }
            | TooSmallToScore { .. }
            | BadTarget { .. }
            | SameFile { .. }
            | NotVideoOutput { .. }
            | SameFolder { .. }
            | OutputIsFile { .. }
            | NoImages { .. }
            | WorkFolderExists { .. }
            | ResumeMismatch { .. } => ErrorKind::InvalidInput,
            NoOutputFolder { .. } => ErrorKind::NotFound,
            TooLarge { .. } | OverBudget { .. } => ErrorKind::ResourceLimit,
            Image(e) => e.kind(),
            Video(e) => e.kind(),
            Cancelled | Paused { .. } => ErrorKind::Cancelled,
        }
    }
}

/// The message of `error` followed by its causes, joined by ": " (as a
/// front end prints it), for results that carry a failure as text.
pub fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant a front end must answer without a CLI at hand.
    fn samples() -> Vec<UpscaleError> {
        let io = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        vec![
            UpscaleError::OverBudget {
                chain: "upscale.x".into(),
                input: (3840, 2160),
                output: (7680, 4320),
                needed: 5 << 30,
                budget: 4 << 30,
                why: " for the images alone",
            },
            UpscaleError::BadTarget {
                target: crate::Target::Width(100),
                factor: 0.5,
                width: 200,
                height: 100,
            },
            UpscaleError::Image(seer_imgproc::ImageError::Unsupported {
                name: "a.png".into(),
            }),
            UpscaleError::Image(seer_imgproc::ImageError::Write {
                name: "b.png".into(),
                source: io(),
            }),
            UpscaleError::Paused {
                segments: 1,
                frames: 4,
                folder: ".out.mp4.seer-parts".into(),
            },
            UpscaleError::WorkFolderExists {
                folder: ".out.mp4.seer-parts".into(),
            },
            UpscaleError::WorkFolderIo {
                folder: ".out.mp4.seer-parts".into(),
                source: io(),
            },
            UpscaleError::Video(seer_video::VideoError::OddSize {
                width: 3,
                height: 3,
            }),
            UpscaleError::Cancelled,
        ]
    }

    #[test]
    fn messages_name_no_command_line_flags() {
        for error in samples() {
            let text = describe(&error);
            assert!(!text.contains("--"), "{text}");
        }
    }

    #[test]
    fn client_errors_and_server_faults_have_their_kinds() {
        let kinds: Vec<ErrorKind> = samples().iter().map(|e| e.kind()).collect();
        assert_eq!(
            kinds,
            [
                ErrorKind::ResourceLimit,
                ErrorKind::InvalidInput,
                ErrorKind::Unsupported,
                ErrorKind::Internal,
                ErrorKind::Cancelled,
                ErrorKind::InvalidInput,
                ErrorKind::Internal,
                ErrorKind::InvalidInput,
                ErrorKind::Cancelled,
            ]
        );
        // The cause travels with the error.
        let write = &samples()[3];
        assert!(describe(write).ends_with("denied"), "{}", describe(write));
    }
}
