//! Following faces from frame to frame of a video.
//!
//! [`Tracker`] matches each frame's detections to the live tracks by box
//! overlap alone (no embeddings): every (track, detection) pair with IoU at
//! least [`TrackerOptions::iou_threshold`] is a candidate, and pairs are
//! taken greedily, highest IoU first. An unmatched detection starts a new
//! track; a track that finds no detection stays alive for
//! [`TrackerOptions::max_missed`] detection steps (death hysteresis), so a
//! face the detector misses for a frame or two keeps its id.
//!
//! Birth hysteresis is applied once the video is scanned
//! ([`finish_tracks`]): a track seen in fewer than
//! [`TrackerOptions::min_hits`] frames is dropped (its detections get no
//! track id) and the rest are numbered 1, 2, … in order of appearance.

use crate::face::Face;
use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How detections are joined into tracks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackerOptions {
    /// Least IoU (0..1) between a track's last box and a detection for them
    /// to be matched. Default 0.3.
    pub iou_threshold: f32,
    /// Least number of frames with a detection for a track to be kept
    /// (birth hysteresis). Default 2.
    pub min_hits: usize,
    /// Detection steps a track survives without a detection (death
    /// hysteresis). Default 5. (12 with IoU 0.2 let a track jump across a
    /// shot cut to another face on the test clip.)
    pub max_missed: usize,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            iou_threshold: 0.3,
            min_hits: 2,
            max_missed: 5,
        }
    }
}

/// A track being followed.
#[derive(Clone, Debug)]
struct LiveTrack {
    id: u64,
    bbox: Rect,
    missed: usize,
}

/// Frame-to-frame tracker of face boxes (see the module documentation).
#[derive(Clone, Debug)]
pub struct Tracker {
    options: TrackerOptions,
    tracks: Vec<LiveTrack>,
    next_id: u64,
}

impl Tracker {
    /// A tracker with no tracks yet.
    pub fn new(options: TrackerOptions) -> Tracker {
        Tracker {
            options,
            tracks: Vec::new(),
            next_id: 0,
        }
    }

    /// Matches one frame's detection boxes (image pixels) to the tracks and
    /// returns, for each box in order, the raw id of its track (new ids for
    /// new tracks). Raw ids are unique within this tracker.
    pub fn update(&mut self, boxes: &[Rect]) -> Vec<u64> {
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (t, track) in self.tracks.iter().enumerate() {
            for (d, bbox) in boxes.iter().enumerate() {
                let iou = track.bbox.iou(bbox);
                if iou >= self.options.iou_threshold {
                    pairs.push((iou, t, d));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut track_taken = vec![false; self.tracks.len()];
        let mut assigned: Vec<Option<u64>> = vec![None; boxes.len()];
        for (_, t, d) in pairs {
            if track_taken[t] || assigned[d].is_some() {
                continue;
            }
            track_taken[t] = true;
            assigned[d] = Some(self.tracks[t].id);
            self.tracks[t].bbox = boxes[d];
            self.tracks[t].missed = 0;
        }
        for (track, taken) in self.tracks.iter_mut().zip(&track_taken) {
            if !taken {
                track.missed += 1;
            }
        }
        let max_missed = self.options.max_missed;
        self.tracks.retain(|t| t.missed <= max_missed);
        assigned
            .into_iter()
            .zip(boxes)
            .map(|(id, bbox)| match id {
                Some(id) => id,
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.tracks.push(LiveTrack {
                        id,
                        bbox: *bbox,
                        missed: 0,
                    });
                    id
                }
            })
            .collect()
    }
}

/// A face detected in one frame, with its track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackedFace {
    /// Track id (1, 2, …), or `None` for a detection whose track was too
    /// short to keep (see [`TrackerOptions::min_hits`]). Before
    /// [`finish_tracks`] this holds the tracker's raw id.
    pub track: Option<u64>,
    /// The detection.
    #[serde(flatten)]
    pub face: Face,
}

/// The faces detected in one video frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameFaces {
    /// Frame number, 0-based, in decoding order.
    pub frame: u64,
    /// Presentation time of the frame, seconds.
    pub time_s: f64,
    /// The faces found.
    pub faces: Vec<TrackedFace>,
}

/// One kept track.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackSummary {
    /// Track id (1, 2, …).
    pub track: u64,
    /// First and last frame with a detection (0-based).
    pub first_frame: u64,
    /// Last frame with a detection (0-based).
    pub last_frame: u64,
    /// Time of the first detection, seconds.
    pub start_s: f64,
    /// Time of the last detection, seconds.
    pub end_s: f64,
    /// Frames in which the face was detected.
    pub frames: usize,
    /// Highest detector score along the track, 0..1.
    pub best_score: f32,
    /// Mean longer box side along the track, pixels.
    pub mean_size_px: f32,
}

/// Applies birth hysteresis to a scanned video whose faces carry raw
/// tracker ids: tracks with fewer than `min_hits` detections lose their id
/// (`None`), the others are renumbered 1, 2, … by first appearance. Returns
/// the kept tracks' summaries and the map raw id → new id.
pub fn finish_tracks(
    frames: &mut [FrameFaces],
    min_hits: usize,
) -> (Vec<TrackSummary>, HashMap<u64, u64>) {
    let mut hits: HashMap<u64, usize> = HashMap::new();
    for face in frames.iter().flat_map(|f| &f.faces) {
        if let Some(raw) = face.track {
            *hits.entry(raw).or_default() += 1;
        }
    }
    let mut renumber: HashMap<u64, u64> = HashMap::new();
    let mut summaries: Vec<TrackSummary> = Vec::new();
    for frame in frames.iter_mut() {
        for tracked in &mut frame.faces {
            let Some(raw) = tracked.track else { continue };
            if hits.get(&raw).copied().unwrap_or(0) < min_hits.max(1) {
                tracked.track = None;
                continue;
            }
            let next = renumber.len() as u64 + 1;
            let id = *renumber.entry(raw).or_insert(next);
            tracked.track = Some(id);
            let face = &tracked.face;
            match summaries.get_mut(id as usize - 1) {
                Some(s) => {
                    s.last_frame = frame.frame;
                    s.end_s = frame.time_s;
                    s.frames += 1;
                    s.best_score = s.best_score.max(face.score);
                    s.mean_size_px += face.quality.size_px;
                }
                None => summaries.push(TrackSummary {
                    track: id,
                    first_frame: frame.frame,
                    last_frame: frame.frame,
                    start_s: frame.time_s,
                    end_s: frame.time_s,
                    frames: 1,
                    best_score: face.score,
                    mean_size_px: face.quality.size_px,
                }),
            }
        }
    }
    for s in &mut summaries {
        s.mean_size_px /= s.frames as f32;
    }
    (summaries, renumber)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_boxes_keep_their_track_and_missed_frames_are_bridged() {
        let mut tracker = Tracker::new(TrackerOptions {
            max_missed: 2,
            ..Default::default()
        });
        let a = Rect::new(10.0, 10.0, 50.0, 50.0);
        let b = Rect::new(200.0, 10.0, 50.0, 50.0);
        let first = tracker.update(&[a, b]);
        assert_eq!(first, vec![0, 1]);
        // Moved a little, listed in the other order.
        let moved = |r: Rect| Rect::new(r.x + 5.0, r.y, r.width, r.height);
        assert_eq!(tracker.update(&[moved(b), moved(a)]), vec![1, 0]);
        // `a` missed for two steps, then back: same track.
        assert_eq!(tracker.update(&[moved(b)]), vec![1]);
        assert_eq!(tracker.update(&[moved(b)]), vec![1]);
        assert_eq!(tracker.update(&[moved(a), moved(b)]), vec![0, 1]);
        // Missed three steps: a new track.
        for _ in 0..3 {
            tracker.update(&[]);
        }
        assert_eq!(tracker.update(&[a]), vec![2]);
    }
}
