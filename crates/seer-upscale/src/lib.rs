//! seer-upscale: super-resolution of images with the model ladder of
//! `models.toml` (tiers `fast`, `photo`, `perceptual`, `anime`, or any
//! `upscale.*` model), seamless tiling and alpha handling.
//!
//! Every model's conventions (layout, value range, context padding, output
//! crop, constant input channels, whether it may tile) are facts in
//! `models.toml`, parsed into [`UpscaleConvention`]; the code has no
//! per-model branches. Videos go through [`upscale_video`] (decode →
//! upscale → encode on three threads, other streams copied).
//!
//! Every job a front end runs is one function here, taking typed options
//! and returning a serde result that carries its report: [`upscale_file`]
//! and [`upscale_bytes`] (one image; [`ImageUpscaler`] keeps the models
//! loaded between images), [`upscale_folder`] and [`upscale_video_file`]
//! (quality benchmarks live in the unpublished `seer-eval` crate). Each reports progress through
//! [`seer_core::Progress`] and stops when its [`seer_core::CancelToken`] is
//! cancelled.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use seer_core::{CancelToken, NoProgress};
//! let store = seer_models::Store::open_default()?;
//! let job = seer_upscale::ImageJob { model: "fast".into(), ..Default::default() };
//! let png = std::fs::read("in.png")?;
//! let out = seer_upscale::upscale_bytes(
//!     &store, &png, image::ImageFormat::Png, &job, &NoProgress, &CancelToken::new(),
//! )?;
//! println!("{} bytes, {}", out.bytes.len(), out.image.report.how);
//! # Ok(()) }
//! ```

mod alpha;
pub mod convention;
pub mod error;
pub mod folder;
pub mod job;
pub mod memory;
pub mod model_inputs;
pub mod plan;
mod stage;
pub mod target;
pub mod tiling;
pub mod upscaler;
pub mod video;

pub use convention::{Layout, PadMode, Tiling, UpscaleConvention};
pub use error::{describe, UpscaleError};
pub use folder::{upscale_folder, FileResult, FileStatus, FolderSummary};
pub use job::{
    upscale_bytes, upscale_file, EncodedUpscale, FileUpscale, ImageJob, ImageUpscale, ImageUpscaler,
};
pub use memory::MemoryPlan;
pub use plan::{plan, UpscalePlan};
/// The engine choice of [`UpscaleOptions::engine`] (from seer-runtime).
pub use seer_runtime::EngineChoice;
pub use target::Target;
pub use upscaler::{
    UpscaleOptions, UpscaleReport, Upscaled, Upscaler, MAX_THREADS, MAX_TILE, MIN_MAX_MEMORY,
    MIN_TILE,
};
pub use video::{
    upscale_video, upscale_video_file, VideoJob, VideoResult, VideoUpscaleOptions,
    VideoUpscaleReport, VideoWorkFolder,
};
