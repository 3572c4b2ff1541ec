//! Faces in videos (cargo feature `video`, through seer-video and the
//! system FFmpeg libraries).
//!
//! A video is scanned once ([`scan_video`]): a decode thread feeds frames
//! to a [`crate::FaceScanner`] (detector, following, tracker, best crops).
//! Writing a video ([`rewrite_video`]) decodes the input again, edits
//! every frame (draw, blur) and copies audio and subtitle packets
//! unchanged into an output that appears only when complete. Every long
//! loop reports [`seer_core::Progress`] and stops on a cancelled
//! [`seer_core::CancelToken`].
//!
//! * [`detect_video`]: per-frame faces with track ids and a per-track summary.
//! * [`identify_video`]: one decision per track, as a timeline.
//! * [`enrolment_from_video`]: the descriptors of a video of one person.
//! * [`blur_video`] / [`blur_file`]: hide every face, audio kept.

mod blur;
mod detect;
mod identify;
mod scan;

pub use blur::{blur_file, blur_video};
pub use detect::{
    detect_video, FrameLine, VideoDetectOptions, VideoDetectResult, VideoDetectSummary,
};
pub use identify::{
    enrolment_from_video, identify_tracks, identify_video, TrackDecision, TrackTimeline,
};
pub use scan::{rewrite_video, scan_video, VideoScan};

/// True when `path` names a video file by its extension (.mp4, .mkv, .mov, .webm).
pub fn is_video_path(path: &std::path::Path) -> bool {
    seer_video::is_video_path(path)
}
