//! `seer upscale IN.mp4 OUT.mp4`: super-resolution of every frame of a
//! video, with audio and subtitles copied unchanged.

use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::bail;
use seer_upscale::{upscale_video, UpscaleError, VideoUpscaleOptions, VideoUpscaleReport};
use seer_video::{Chroma, EncodeOptions};
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How the video is encoded, from the command line.
pub struct VideoArgs {
    /// Encoder name, `None` = libx264 or the best H.264 encoder.
    pub codec: Option<String>,
    /// Constant rate factor, `None` = 18.
    pub crf: Option<u32>,
    /// Chroma resolution.
    pub chroma: Chroma,
    /// Continue an interrupted run from its finished segments.
    pub resume: bool,
    /// Frames per resumable segment.
    pub segment_frames: u64,
}

#[derive(Serialize)]
struct VideoOutput {
    input: String,
    output: String,
    #[serde(flatten)]
    report: VideoUpscaleReport,
}

/// Checks that `output` is a video file in an existing folder.
fn check_output(output: &Path) -> anyhow::Result<()> {
    if !seer_video::is_video_path(output) {
        bail!(
            "the output {} of a video must end in .{}",
            output.display(),
            seer_video::VIDEO_EXTENSIONS.join(", .")
        );
    }
    crate::output::require_output_folder(output)?;
    Ok(())
}

/// A flag that the first Ctrl-C sets (the pipeline then stops, keeping
/// finished segments for `--resume`); a second Ctrl-C exits at once (the
/// journal still lists only complete segments).
fn ctrl_c_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = Arc::clone(&flag);
    let installed = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    if let Err(e) = installed {
        tracing::warn!(
            "cannot catch Ctrl-C ({e}); an interrupted run may leave a hidden .partial file"
        );
    }
    flag
}

/// Upscales the video `input` into `output` and prints the summary.
pub fn run(
    input: &Path,
    output: &Path,
    upscaler: &mut seer_upscale::Upscaler,
    video: VideoArgs,
    json: bool,
    progress: &TerminalProgress,
) -> anyhow::Result<()> {
    check_output(output)?;
    let options = VideoUpscaleOptions {
        encode: EncodeOptions {
            codec: video.codec,
            crf: video.crf,
            preset: None,
            chroma: video.chroma,
        },
        cancel: Some(ctrl_c_flag()),
        resume: video.resume,
        segment_frames: video.segment_frames,
        ..Default::default()
    };
    let report = match upscale_video(input, output, upscaler, &options, progress) {
        Ok(report) => report,
        Err(e) => {
            let work = seer_upscale::VideoWorkFolder::for_output(output);
            let resumable = !matches!(
                e,
                UpscaleError::Paused { .. }
                    | UpscaleError::WorkFolderExists { .. }
                    | UpscaleError::ResumeMismatch { .. }
            );
            if resumable && work.exists() {
                return Err(anyhow::Error::new(e).context(format!(
                    "finished segments are kept in {}; fix the problem and run the same command with --resume to continue",
                    work.path.display()
                )));
            }
            return Err(e.into());
        }
    };
    let result = VideoOutput {
        input: input.display().to_string(),
        output: output.display().to_string(),
        report,
    };
    if json {
        return print_json(&result);
    }
    let r = &result.report;
    print_table(
        &[
            "output", "size", "scale", "models", "frames", "segments", "codec", "copied",
            "seconds", "fps",
        ],
        &[vec![
            result.output.clone(),
            format!("{}x{}", r.output_size.0, r.output_size.1),
            format!("x{}", r.scale),
            r.chain.join(" -> "),
            r.frames.to_string(),
            if r.resumed_segments > 0 {
                format!("{} ({} resumed)", r.segments, r.resumed_segments)
            } else {
                r.segments.to_string()
            },
            r.codec.clone(),
            format!("{} streams", r.copied_streams),
            format!("{:.2}", r.seconds),
            format!("{:.2}", r.fps),
        ]],
    );
    Ok(())
}

/// Parses `--chroma`.
pub fn parse_chroma(text: &str) -> Result<Chroma, String> {
    match text {
        "420" => Ok(Chroma::Yuv420),
        "444" => Ok(Chroma::Yuv444),
        _ => Err(format!("'{text}' is not a chroma layout; use 420 or 444")),
    }
}

/// Parses `--crf` (0 = lossless … 51 = worst).
pub fn parse_crf(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(c) if c <= 51 => Ok(c),
        _ => Err(format!("'{text}' is not a CRF; use 0 (lossless) to 51")),
    }
}
