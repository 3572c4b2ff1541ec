//! The video upscale job: loads the upscaler for the job's model and
//! scale, then runs the resumable pipeline ([`super::upscale_video`]).

use super::{upscale_video, VideoUpscaleOptions, VideoUpscaleReport};
use crate::job::require_output_folder;
use crate::{EngineChoice, UpscaleError, UpscaleOptions, Upscaler};
use seer_core::progress::Progress;
use seer_core::CancelToken;
use seer_models::Store;
use seer_video::EncodeOptions;
use serde::Serialize;
use std::path::Path;

/// What to do with a video.
#[derive(Clone, Debug)]
pub struct VideoJob {
    /// Tier, model family or model id.
    pub model: String,
    /// Whole scale (output pixels per input pixel); `None` = the model's
    /// smallest native scale.
    pub scale: Option<u32>,
    /// Largest tile side in input pixels, context included.
    pub tile: u32,
    /// Inference threads (`None` = physical cores).
    pub threads: Option<usize>,
    /// Inference engine.
    pub engine: EngineChoice,
    /// Memory budget of one frame's upscale in bytes.
    pub max_memory: u64,
    /// How the upscaled video is encoded.
    pub encode: EncodeOptions,
    /// Continue an interrupted run of the same job from its finished segments.
    pub resume: bool,
    /// Frames per resumable segment.
    pub segment_frames: u64,
}

impl Default for VideoJob {
    fn default() -> Self {
        let upscale = UpscaleOptions::default();
        let video = VideoUpscaleOptions::default();
        VideoJob {
            model: "photo".into(),
            scale: None,
            tile: upscale.tile,
            threads: None,
            engine: upscale.engine,
            max_memory: upscale.max_memory,
            encode: video.encode,
            resume: video.resume,
            segment_frames: video.segment_frames,
        }
    }
}

/// The result of a video upscale (serialised in `--json` output).
#[derive(Clone, Debug, Serialize)]
pub struct VideoResult {
    /// The input video.
    pub input: String,
    /// The output video (complete: renamed into place at the end).
    pub output: String,
    /// What the upscale did.
    #[serde(flatten)]
    pub report: VideoUpscaleReport,
}

/// Upscales the video `input` into `output` (container from its
/// extension, in an existing folder). `progress` shows model loading and
/// frames; once `cancel` is cancelled the pipeline stops (finished
/// segments are kept for a resume, see [`VideoUpscaleOptions::cancel`]).
pub fn upscale_video_file(
    store: &Store,
    input: &Path,
    output: &Path,
    job: &VideoJob,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<VideoResult, UpscaleError> {
    if !seer_video::is_video_path(output) {
        return Err(UpscaleError::NotVideoOutput {
            path: output.display().to_string(),
            extensions: seer_video::VIDEO_EXTENSIONS.join(", ."),
        });
    }
    require_output_folder(output)?;
    let defaults = UpscaleOptions::default();
    let options = UpscaleOptions {
        scale: job.scale,
        tile: job.tile,
        threads: job.threads.unwrap_or(defaults.threads),
        max_memory: job.max_memory,
        engine: job.engine,
        ..defaults
    };
    let mut upscaler = Upscaler::with_progress(store, &job.model, &options, progress)?;
    let video = VideoUpscaleOptions {
        encode: job.encode.clone(),
        cancel: cancel.clone(),
        resume: job.resume,
        segment_frames: job.segment_frames,
        ..Default::default()
    };
    let report = upscale_video(input, output, &mut upscaler, &video, progress)?;
    Ok(VideoResult {
        input: input.display().to_string(),
        output: output.display().to_string(),
        report,
    })
}
