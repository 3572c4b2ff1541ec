//! Shots of a video file, read once.

use super::{ShotDetector, ShotList, ShotOptions};
use crate::SceneError;
use seer_core::{CancelToken, Progress};
use seer_video::{Item, VideoInfo, VideoReader};
use std::path::Path;

/// Frame rate assumed when the file declares none that is usable (frames per second).
const FALLBACK_FPS: f64 = 25.0;

/// The video's frame rate in frames per second: the declared average, else
/// frames over duration, else [`FALLBACK_FPS`].
pub(crate) fn frame_rate(info: &VideoInfo) -> f64 {
    let (num, den) = info.frame_rate;
    let declared = f64::from(num) / f64::from(den);
    if den != 0 && declared.is_finite() && declared > 0.0 && declared <= 1000.0 {
        return declared;
    }
    if let (Some(frames), Some(duration)) = (info.frames, info.duration_s) {
        let estimate = frames as f64 / duration;
        if estimate.is_finite() && estimate > 0.0 && estimate <= 1000.0 {
            return estimate;
        }
    }
    tracing::warn!(path = %info.path.display(), "no usable frame rate; assuming {FALLBACK_FPS} fps");
    FALLBACK_FPS
}

/// Finds the shots of the video at `path`, decoding it once. Reports
/// progress in frames (`"finding shots (frames)"`) and checks `cancel`
/// before every frame.
pub fn detect_shots(
    path: &Path,
    options: &ShotOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<ShotList, SceneError> {
    options.validate()?;
    let video_error = |source| SceneError::Video {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = VideoReader::open(path).map_err(video_error)?;
    reader.set_copy_streams(false);
    let fps = frame_rate(reader.info());
    let mut detector = ShotDetector::new(options, fps)?;
    progress.start("finding shots (frames)", reader.info().frames);
    loop {
        if let Err(source) = cancel.check() {
            return Err(SceneError::Cancelled {
                frames: detector.frames(),
                source,
            });
        }
        match reader.next_item().map_err(video_error)? {
            Some(Item::Frame(frame)) => {
                detector.push(&frame.image)?;
                progress.set(detector.frames());
            }
            Some(Item::Packet(_)) => {}
            None => break,
        }
    }
    progress.finish();
    if detector.frames() == 0 {
        return Err(SceneError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    Ok(detector.finish())
}
