//! Decoding a video into a [`FaceScanner`], and rewriting a video frame by
//! frame with the other streams copied.

use crate::error::check_output_folder;
use crate::{Detector, FaceError, FaceScan, FaceScanner, ScanOptions};
use image::RgbImage;
use seer_core::{CancelToken, Progress};
use seer_video::{Item, VideoError, VideoInfo, VideoReader};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::Instant;

/// The result of scanning a video.
#[derive(Debug)]
pub struct VideoScan {
    /// Facts about the input.
    pub info: VideoInfo,
    /// Frames, tracks and best crops.
    pub scan: FaceScan,
    /// Wall-clock seconds of the scan.
    pub seconds: f64,
}

/// A decoded frame for the scanner: number, time (s), and the picture
/// when the detector runs on it.
type Decoded = (u64, f64, Option<RgbImage>);

/// Decode thread of [`scan_video`]: sends every frame's number and time,
/// with the picture for every `every`-th frame; sends the error and stops
/// on failure, stops quietly when the scanner hung up.
fn decode_frames(
    mut reader: VideoReader,
    every: u64,
    to_scanner: SyncSender<Result<Decoded, VideoError>>,
) {
    loop {
        let message = match reader.next_item() {
            Ok(Some(Item::Frame(frame))) => {
                let time = reader.frame_time(&frame);
                let image = (frame.index % every == 0).then_some(frame.image);
                Ok((frame.index, time, image))
            }
            Ok(Some(Item::Packet(_))) => continue,
            Ok(None) => return,
            Err(e) => Err(e),
        };
        let failed = message.is_err();
        if to_scanner.send(message).is_err() || failed {
            return;
        }
    }
}

/// Detects and tracks the faces of every `options.every`-th frame of
/// `path`, checking `cancel` every frame.
pub fn scan_video(
    path: &Path,
    detector: &mut Detector,
    options: &ScanOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<VideoScan, FaceError> {
    crate::error::check_at_least_one("every", options.every)?;
    crate::error::check_at_least_one("full_search_every", options.full_search_every)?;
    let started = Instant::now();
    let reader = VideoReader::open(path)?;
    let info = reader.info().clone();
    let every = options.every;
    let mut scanner = FaceScanner::new(*options);
    progress.start("detecting faces (frames)", info.frames);
    let (to_scanner, from_decoder) = sync_channel(4);
    std::thread::scope(|scope| -> Result<(), FaceError> {
        scope.spawn(move || decode_frames(reader, every, to_scanner));
        // Returning early drops `from_decoder`, which stops the decoder.
        for message in from_decoder {
            cancel.check()?;
            let (index, time_s, image) = message?;
            match image {
                Some(image) => scanner
                    .detect_frame(detector, index, time_s, &image)
                    .map_err(|e| {
                        e.on(format!(
                            "face detection failed on frame {index} of {}",
                            path.display()
                        ))
                    })?,
                None => scanner.skip_frame(index),
            }
            progress.set(scanner.frame_count());
        }
        Ok(())
    })?;
    progress.finish();
    if scanner.frame_count() == 0 {
        return Err(FaceError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    Ok(VideoScan {
        info,
        scan: scanner.finish(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Decodes `input` again and writes `output` with every frame passed
/// through `edit(frame number, picture)`, other streams copied packet for
/// packet. Nothing appears at `output` unless all went well; a cancelled
/// token stops it with no output.
pub fn rewrite_video(
    input: &Path,
    output: &Path,
    label: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
    mut edit: impl FnMut(u64, &mut RgbImage),
) -> Result<seer_video::WriteSummary, FaceError> {
    check_output_folder(output)?;
    if seer_core::atomic::same_file(input, output) {
        return Err(FaceError::OutputIsInput {
            path: output.to_path_buf(),
        });
    }
    seer_video::rewrite_video(input, output, label, progress, cancel, |i, image| {
        edit(i, image);
        Ok::<(), FaceError>(())
    })
}
