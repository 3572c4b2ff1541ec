//! Shots of a video file, read once.

use super::{ShotDetector, ShotList, ShotOptions};
use crate::SceneError;
use image::RgbImage;
use seer_core::{CancelToken, Progress};
use seer_video::{Item, VideoReader};
use std::path::Path;

/// Decodes the video at `path` once and hands every frame to `see` with
/// the video's frame rate, with progress in frames (`"finding shots
/// (frames)"`) and `cancel` checked before every frame. Returns the number
/// of frames; a video without any is an error.
pub(crate) fn each_frame(
    path: &Path,
    progress: &dyn Progress,
    cancel: &CancelToken,
    mut see: impl FnMut(f64, &RgbImage) -> Result<(), SceneError>,
) -> Result<u64, SceneError> {
    let video_error = |source| SceneError::Video {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = VideoReader::open(path).map_err(video_error)?;
    reader.set_copy_streams(false);
    let fps = reader.info().fps();
    progress.start("finding shots (frames)", reader.info().frames);
    let mut frames = 0u64;
    loop {
        if let Err(source) = cancel.check() {
            return Err(SceneError::Cancelled { frames, source });
        }
        match reader.next_item().map_err(video_error)? {
            Some(Item::Frame(frame)) => {
                see(fps, &frame.image)?;
                frames += 1;
                progress.set(frames);
            }
            Some(Item::Packet(_)) => {}
            None => break,
        }
    }
    progress.finish();
    if frames == 0 {
        return Err(SceneError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    Ok(frames)
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
    let mut detector: Option<ShotDetector> = None;
    each_frame(path, progress, cancel, |fps, image| {
        match detector.as_mut() {
            Some(d) => d.push(image),
            None => {
                let mut d = ShotDetector::new(options, fps)?;
                d.push(image)?;
                detector = Some(d);
                Ok(())
            }
        }
    })?;
    let detector = detector.ok_or_else(|| SceneError::NoFrames {
        path: path.to_path_buf(),
    })?;
    Ok(detector.finish())
}
