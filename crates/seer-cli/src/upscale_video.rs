//! `seer upscale IN.mp4 OUT.mp4`: super-resolution of every frame of a
//! video, with audio and subtitles copied unchanged, run by
//! `seer_upscale::upscale_video_file`; this module adds the `--resume`
//! hints and prints the summary.

use crate::output::{print_json, print_table};
use crate::progress::cancel_on_ctrl_c;
use crate::progress::TerminalProgress;
use crate::upscale::with_hint;
use seer_models::Store;
use seer_upscale::{upscale_video_file, UpscaleError, VideoJob};
use seer_video::Chroma;
use std::path::Path;

/// Upscales the video `input` into `output` and prints the summary.
pub fn run(input: &Path, output: &Path, job: &VideoJob, json: bool) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = Store::open_default()?;
    let result = match upscale_video_file(
        &store,
        input,
        output,
        job,
        &progress,
        &cancel_on_ctrl_c(),
    ) {
        Ok(result) => result,
        Err(e) => {
            let work = seer_upscale::VideoWorkFolder::for_output(output);
            let resumable = !matches!(
                e,
                UpscaleError::Paused { .. }
                    | UpscaleError::WorkFolderExists { .. }
                    | UpscaleError::ResumeMismatch { .. }
            );
            if resumable && work.exists() {
                return Err(with_hint(e).context(format!(
                    "finished segments are kept in {}; fix the problem and run the same command with --resume to continue",
                    work.path.display()
                )));
            }
            return Err(with_hint(e));
        }
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
            if r.already_complete {
                "already complete".to_string()
            } else if r.resumed_segments > 0 {
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
