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
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = seer_models::Store::open_default()?;
//! let options = seer_upscale::UpscaleOptions { scale: Some(2), ..Default::default() };
//! let mut upscaler = seer_upscale::Upscaler::new(&store, "photo", &options)?;
//! let image = image::open("in.png")?;
//! let big = upscaler.upscale_image(&image, &seer_core::progress::NoProgress)?;
//! big.save("out.png")?;
//! # Ok(()) }
//! ```

mod alpha;
pub mod bench;
pub mod convention;
pub mod error;
pub mod flops;
pub mod memory;
pub mod overhead;
pub mod plan;
mod stage;
pub mod target;
pub mod tiling;
pub mod upscaler;
pub mod video;

pub use convention::{Layout, PadMode, Tiling, UpscaleConvention};
pub use error::UpscaleError;
pub use memory::MemoryPlan;
pub use plan::{plan, UpscalePlan};
/// The engine choice of [`UpscaleOptions::engine`] (from seer-runtime).
pub use seer_runtime::EngineChoice;
pub use target::Target;
pub use upscaler::{UpscaleOptions, UpscaleReport, Upscaler};
pub use video::{upscale_video, VideoUpscaleOptions, VideoUpscaleReport, VideoWorkFolder};
