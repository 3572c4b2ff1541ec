//! Who is in a video: one decision per face track from the mean descriptor
//! of its best crops ([`identify_video`], [`identify_tracks`]), and the
//! descriptors of a video of one person for enrolment
//! ([`enrolment_from_video`]).

use super::scan::{scan_video, VideoScan};
use crate::timeline::{decide, DecisionRule};
use crate::workflow::IdentifyOptions;
use crate::{
    mean_embedding, timeline, DetectOptions, Detector, Embedder, Embedding, FaceError, Gallery,
    Match, ScanOptions, TimelineEntry, TrackIdentity, TrackSummary, TrackerOptions,
    MIN_IDENTIFY_FACE_PX,
};
use seer_core::{CancelToken, Progress};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One track's decision with its nearest subjects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackDecision {
    /// The track and who it is.
    #[serde(flatten)]
    pub identity: TrackIdentity,
    /// The nearest subjects, nearest first.
    pub candidates: Vec<Match>,
}

/// Who appears when in a video (`seer face identify VIDEO --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackTimeline {
    /// The video, as given.
    pub video: String,
    /// The acceptance distance used.
    pub threshold: f32,
    /// Frames decoded.
    pub frames: u64,
    /// Wall-clock seconds of the scan.
    pub seconds: f64,
    /// The tracks in order of appearance, with their subjects.
    pub timeline: Vec<TimelineEntry>,
    /// Every track's decision.
    pub tracks: Vec<TrackDecision>,
}

/// One decision per track of `scanned`: the mean descriptor of its best
/// crops, identified against `gallery` and decided by `rule`; at most
/// `top_k` candidates are kept. Checks `cancel` per track.
pub fn identify_tracks(
    scanned: &VideoScan,
    embedder: &mut Embedder,
    gallery: &Gallery,
    top_k: usize,
    rule: &DecisionRule,
    cancel: &CancelToken,
) -> Result<Vec<TrackDecision>, FaceError> {
    let mut out = Vec::new();
    for track in &scanned.scan.tracks {
        cancel.check()?;
        let mut embeddings = Vec::new();
        for crop in scanned.scan.best.crops(track.track) {
            embeddings.push(embedder.embed_crop(crop)?);
        }
        let mut candidates = match mean_embedding(&embeddings) {
            Some(mean) => gallery.identify(&mean, top_k.max(2)),
            None => Vec::new(),
        };
        let subject = decide(track, &candidates, rule)
            .unwrap_or(crate::gallery::UNKNOWN)
            .to_string();
        candidates.truncate(top_k.max(1));
        let identity = TrackIdentity {
            track: track.track,
            subject,
            distance: candidates.first().map(|m| m.distance),
            faces_used: embeddings.len(),
        };
        out.push(TrackDecision {
            identity,
            candidates,
        });
    }
    Ok(out)
}

/// Scans `video`, decides who each face track is against `gallery`
/// ([`DecisionRule::default`]) and records the request in the audit trail
/// as `caller`.
#[allow(clippy::too_many_arguments)]
pub fn identify_video(
    detector: &mut Detector,
    embedder: &mut Embedder,
    gallery: &mut Gallery,
    video: &Path,
    options: &IdentifyOptions,
    caller: &str,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<TrackTimeline, FaceError> {
    options.apply(gallery)?;
    let scan_options = ScanOptions {
        detect: DetectOptions {
            small_faces: options.small_faces,
            ..Default::default()
        },
        every: 1,
        full_search_every: options.full_search_every,
        tracker: TrackerOptions::default(),
        keep_best_faces: true,
    };
    let scanned = scan_video(video, detector, &scan_options, progress, cancel)?;
    let decided = identify_tracks(
        &scanned,
        embedder,
        gallery,
        options.top_k,
        &DecisionRule::default(),
        cancel,
    )?;
    let identities: Vec<TrackIdentity> = decided.iter().map(|d| d.identity.clone()).collect();
    let named: Vec<&str> = identities.iter().map(|i| i.subject.as_str()).collect();
    gallery.record_identification(&named, caller)?;
    Ok(TrackTimeline {
        video: video.display().to_string(),
        threshold: gallery.threshold(),
        frames: scanned.scan.frame_count,
        seconds: scanned.seconds,
        timeline: timeline(&scanned.scan.tracks, &identities),
        tracks: decided,
    })
}

/// The descriptors to enrol from a video of one person: the video is
/// scanned like `face detect VIDEO` (whole frames), and the person's track
/// gives one descriptor per kept best crop (up to
/// [`crate::BEST_FACES_PER_TRACK`]), with those crops PNG-encoded when
/// `keep_crops`. More than one face track is [`FaceError::SeveralTracks`]
/// unless `largest`, which takes the most prominent track (mean face area
/// × frames); no track is [`FaceError::NoTrack`], a face under
/// [`MIN_IDENTIFY_FACE_PX`] on average [`FaceError::TrackTooSmall`].
pub fn enrolment_from_video(
    path: &Path,
    detector: &mut Detector,
    embedder: &mut Embedder,
    largest: bool,
    keep_crops: bool,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<(Vec<Embedding>, Vec<Vec<u8>>), FaceError> {
    let options = ScanOptions {
        keep_best_faces: true,
        ..ScanOptions::default()
    };
    let scanned = scan_video(path, detector, &options, progress, cancel)?;
    let tracks = &scanned.scan.tracks;
    if tracks.len() > 1 && !largest {
        return Err(FaceError::SeveralTracks {
            count: tracks.len(),
        });
    }
    let prominence = |t: &TrackSummary| t.mean_size_px * t.mean_size_px * t.frames as f32;
    let track = tracks
        .iter()
        .max_by(|a, b| prominence(a).total_cmp(&prominence(b)))
        .ok_or(FaceError::NoTrack {
            min_frames: options.tracker.min_hits,
        })?;
    if track.mean_size_px < MIN_IDENTIFY_FACE_PX {
        return Err(FaceError::TrackTooSmall {
            size_px: track.mean_size_px,
            min_px: MIN_IDENTIFY_FACE_PX,
        });
    }
    let mut embeddings = Vec::new();
    let mut crops = Vec::new();
    for crop in scanned.scan.best.crops(track.track) {
        cancel.check()?;
        embeddings.push(embedder.embed_crop(crop)?);
        if keep_crops {
            crops.push(crate::input::png_bytes(crop)?);
        }
    }
    Ok((embeddings, crops))
}
