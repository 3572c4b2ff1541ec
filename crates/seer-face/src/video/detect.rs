//! `face detect VIDEO`: the faces of every scanned frame with track ids,
//! a per-track summary, and optionally a copy with boxes and ids drawn.

use super::scan::{rewrite_video, scan_video};
use crate::error::{check_output_folder, check_unit};
use crate::{
    DetectOptions, Detector, FaceError, FrameFaces, ScanOptions, TrackSummary, TrackerOptions,
};
use seer_core::{CancelToken, Progress};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How a video's faces are detected.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoDetectOptions {
    /// Detector settings.
    pub detect: DetectOptions,
    /// Run the detector on every N-th frame only (at least 1).
    pub every: u64,
    /// With small faces: full tile search on every N-th detected frame,
    /// following faces between (at least 1).
    pub full_search_every: u64,
    /// Also write a copy of the video with boxes and track ids drawn here
    /// (a video file; audio kept).
    pub draw: Option<PathBuf>,
}

/// One JSON line per detected frame (`"kind": "frame"`).
#[derive(Clone, Debug, Serialize)]
pub struct FrameLine<'a> {
    /// Always `frame`.
    pub kind: &'static str,
    /// The frame and its faces.
    #[serde(flatten)]
    pub frame: &'a FrameFaces,
}

/// The closing JSON line of `face detect VIDEO --json` (`"kind": "summary"`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VideoDetectSummary {
    /// Always `summary`.
    pub kind: &'static str,
    /// The video, as given.
    pub video: String,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Frames decoded.
    pub frames: u64,
    /// Frames the detector ran on.
    pub detected_frames: usize,
    /// The detector ran on every N-th frame.
    pub every: u64,
    /// Wall-clock seconds of the scan.
    pub seconds: f64,
    /// Seconds spent in the detector.
    pub detect_seconds: f64,
    /// Frames decoded per second of scan.
    pub fps: f64,
    /// The kept tracks.
    pub tracks: Vec<TrackSummary>,
}

/// The faces of a video.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoDetectResult {
    /// Every detected frame with its faces (track ids final).
    pub frames: Vec<FrameFaces>,
    /// Facts and tracks.
    pub summary: VideoDetectSummary,
}

impl VideoDetectResult {
    /// The JSON lines printed before the summary, one per detected frame.
    pub fn frame_lines(&self) -> impl Iterator<Item = FrameLine<'_>> {
        self.frames.iter().map(|frame| FrameLine {
            kind: "frame",
            frame,
        })
    }

    /// Detections that belong to no kept track.
    pub fn untracked(&self) -> usize {
        self.frames
            .iter()
            .flat_map(|f| &f.faces)
            .filter(|f| f.track.is_none())
            .count()
    }
}

/// Scans `video` for faces and tracks them; with `options.draw`, writes
/// the annotated copy ([`crate::annotate::draw_tracked`]; on frames the
/// detector skipped, the last scanned frame's boxes).
pub fn detect_video(
    detector: &mut Detector,
    video: &Path,
    options: &VideoDetectOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<VideoDetectResult, FaceError> {
    check_unit("min_score", options.detect.score_threshold)?;
    if let Some(out) = &options.draw {
        if !seer_video::is_video_path(out) {
            return Err(FaceError::NotAVideoOutput { path: out.clone() });
        }
        check_output_folder(out)?;
    }
    let scan_options = ScanOptions {
        detect: options.detect,
        every: options.every,
        full_search_every: options.full_search_every,
        tracker: TrackerOptions::default(),
        keep_best_faces: false,
    };
    let scanned = scan_video(video, detector, &scan_options, progress, cancel)?;
    let frames = scanned.scan.frames;
    if let Some(out) = &options.draw {
        let mut next = 0;
        let mut current: Option<&FrameFaces> = None;
        rewrite_video(
            video,
            out,
            "drawing faces (frames)",
            progress,
            cancel,
            |index, image| {
                while next < frames.len() && frames[next].frame <= index {
                    current = Some(&frames[next]);
                    next += 1;
                }
                if let Some(frame) = current {
                    crate::annotate::draw_tracked(image, &frame.faces);
                }
            },
        )?;
    }
    let frame_count = scanned.scan.frame_count;
    let summary = VideoDetectSummary {
        kind: "summary",
        video: video.display().to_string(),
        width: scanned.info.size.0,
        height: scanned.info.size.1,
        frames: frame_count,
        detected_frames: frames.len(),
        every: options.every,
        seconds: scanned.seconds,
        detect_seconds: scanned.scan.detect_seconds,
        fps: frame_count as f64 / scanned.seconds.max(1e-9),
        tracks: scanned.scan.tracks,
    };
    Ok(VideoDetectResult { frames, summary })
}
