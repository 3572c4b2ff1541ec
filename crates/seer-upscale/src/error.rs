//! Errors of the upscaler.

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
    /// `--model` names neither a tier, a model family nor an upscaling model.
    #[error("unknown upscaler '{name}'; use a tier ({tiers}) or a model id from `seer models list` starting with upscale.")]
    UnknownModel { name: String, tiers: String },
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
    #[error("model {model} cannot split images into tiles (it pools over the whole image) and {width}x{height} = {pixels} pixels exceeds the budget of {max_pixels}; use a smaller image, raise max_pixels, or choose another model")]
    TooLarge {
        model: String,
        width: u32,
        height: u32,
        pixels: u64,
        max_pixels: u64,
    },
    /// The image does not fit the memory budget (`--max-memory`).
    #[error("{detail}; use a smaller image, raise --max-memory, or choose a model that tiles")]
    OverBudget {
        width: u32,
        height: u32,
        detail: String,
    },
    /// The requested output size cannot be reached (factor below 1 or above 16).
    #[error("{detail}")]
    BadTarget { detail: String },
    /// The model's output does not have the size its convention promises.
    #[error("model {model} returned an unexpected output: {detail}")]
    Output { model: String, detail: String },
    /// A video could not be read or written.
    #[error(transparent)]
    Video(#[from] seer_video::VideoError),
    /// The output video would overwrite the input.
    #[error("the output {path} is the input; choose another output file")]
    SameFile { path: String },
    /// The caller asked the work to stop (e.g. Ctrl-C).
    #[error("stopped on request; no output was written")]
    Cancelled,
    /// A worker thread of the video pipeline stopped unexpectedly.
    #[error("the video pipeline's {stage} thread stopped unexpectedly")]
    Pipeline { stage: &'static str },
    /// A video upscale stopped on request with finished segments kept.
    #[error("stopped on request; {segments} finished segments ({frames} frames) are kept in {folder}; run the same command with --resume to continue")]
    Paused {
        segments: usize,
        frames: u64,
        folder: String,
    },
    /// The output's work folder exists but resuming was not asked for.
    #[error("{folder} holds the work of an earlier, interrupted upscale of this output; pass --resume to continue it, or delete the folder to start again")]
    WorkFolderExists { folder: String },
    /// The work folder cannot be used to resume this job.
    #[error("cannot resume from {folder}: {detail}; delete the folder to start again, or resume with the same input and settings")]
    ResumeMismatch { folder: String, detail: String },
    /// Reading or writing the work folder failed.
    #[error("cannot use the work folder {folder}: {detail}")]
    WorkFolder { folder: String, detail: String },
}
