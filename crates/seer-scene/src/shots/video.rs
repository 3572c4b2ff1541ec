//! Shots of a video file, read once.

use super::{ShotDetector, ShotList, ShotOptions};
use crate::SceneError;
use seer_core::{CancelToken, Progress};
use seer_video::{Item, VideoReader};
use std::path::Path;

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
    let fps = reader.info().fps();
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
