//! A ByteTrack-style multi-object tracker (Zhang et al. 2022): boxes only,
//! no appearance features.
//!
//! Each [`Tracker::update`] takes one frame's detections and
//!
//! 1. moves every track forward with its Kalman filter ([`BoxKalman`]);
//! 2. matches the high-score detections (score ≥
//!    [`TrackerOptions::high_score`]) to the confirmed tracks, tracked or
//!    lost, by IoU of the predicted boxes (cost 1 − IoU, optimal
//!    assignment, pairs below [`TrackerOptions::first_match_iou`] refused);
//! 3. matches the low-score detections (between
//!    [`TrackerOptions::low_score`] and the high threshold) to the confirmed
//!    tracks still unmatched that were tracked in the previous frame (not
//!    lost), with [`TrackerOptions::second_match_iou`]: a partly occluded
//!    object whose score dropped keeps its track;
//! 4. matches the remaining high-score detections to the tentative tracks
//!    (born recently, not yet confirmed);
//! 5. starts a tentative track for each high-score detection still left
//!    with score ≥ [`TrackerOptions::new_track_score`].
//!
//! A tentative track matched in [`TrackerOptions::min_hits`] consecutive
//! frames is confirmed and gets the next id (1, 2, 3, … in confirmation
//! order); one that misses a frame is dropped. A confirmed track that finds
//! no detection becomes lost and is removed after more than
//! [`TrackerOptions::max_lost_frames`] frames lost. With
//! [`TrackerOptions::per_class`] a track only takes detections of its own
//! class.
//!
//! Detections with a non-finite or empty box or a non-finite score are
//! skipped. Everything is deterministic: the same detections give the
//! same ids.

use crate::assignment::min_cost_matching;
use crate::detection::Detection;
use crate::error::TrackerError;
use crate::kalman::BoxKalman;
use seer_core::geometry::Rect;
use serde::{Deserialize, Serialize};

/// How detections are joined into tracks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackerOptions {
    /// Detections scoring at least this (0..1) are "high": they are
    /// matched first and may start tracks. Default 0.5.
    pub high_score: f32,
    /// Detections scoring below this (0..1) are ignored; those between it
    /// and `high_score` are only used to continue tracked objects (second
    /// pass). Set it equal to `high_score` to turn the second pass off.
    /// Default 0.1.
    pub low_score: f32,
    /// Least score (0..1) of an unmatched high detection to start a
    /// tentative track. Default 0.6.
    pub new_track_score: f32,
    /// Least IoU (0 exclusive..1) between a predicted track box and a
    /// high-score detection in the first pass (and for tentative tracks).
    /// Default 0.2.
    pub first_match_iou: f32,
    /// Least IoU (0 exclusive..1) between a predicted track box and a
    /// low-score detection in the second pass. Default 0.5.
    pub second_match_iou: f32,
    /// Frames a confirmed track may stay unmatched before it is removed.
    /// Default 30.
    pub max_lost_frames: u32,
    /// Consecutive matched frames (≥ 1) for a tentative track to be
    /// confirmed and reported. Default 3.
    pub min_hits: u32,
    /// Match only detections of the track's own class (a car never takes a
    /// person's id). Default true.
    pub per_class: bool,
    /// Most detections used per frame (≥ 1): beyond it only the
    /// highest-scoring ones are kept, so a flood of detections cannot make
    /// the assignment (cubic in the count) run away. Default 1000.
    pub max_detections: usize,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            high_score: 0.5,
            low_score: 0.1,
            new_track_score: 0.6,
            first_match_iou: 0.2,
            second_match_iou: 0.5,
            max_lost_frames: 30,
            min_hits: 3,
            per_class: true,
            max_detections: 1000,
        }
    }
}

impl TrackerOptions {
    /// Thresholds for CenterNet's scores, which peak lower than those the
    /// defaults assume (its cars score 0.3–0.7): detections from 0.2 feed
    /// the second pass, from 0.4 the first, from 0.45 start tracks. Run
    /// the detector with a 0.2 score threshold to give the second pass
    /// its detections.
    pub fn for_centernet() -> TrackerOptions {
        TrackerOptions {
            high_score: 0.4,
            low_score: 0.2,
            new_track_score: 0.45,
            ..TrackerOptions::default()
        }
    }

    /// Checks that every option can work: scores in 0..1, `low_score ≤
    /// high_score`, IoU thresholds in 0 (exclusive)..1, `min_hits ≥ 1`,
    /// `max_detections ≥ 1`.
    pub fn validate(&self) -> Result<(), TrackerError> {
        let unit = "0..=1";
        let iou = "0 (exclusive)..=1";
        for (name, value, range, zero_ok) in [
            ("high_score", self.high_score, unit, true),
            ("low_score", self.low_score, unit, true),
            ("new_track_score", self.new_track_score, unit, true),
            ("first_match_iou", self.first_match_iou, iou, false),
            ("second_match_iou", self.second_match_iou, iou, false),
        ] {
            let low_ok = if zero_ok { value >= 0.0 } else { value > 0.0 };
            if !(low_ok && value <= 1.0) {
                return Err(TrackerError::OutOfRange { name, value, range });
            }
        }
        if self.low_score > self.high_score {
            return Err(TrackerError::LowAboveHigh {
                low: self.low_score,
                high: self.high_score,
            });
        }
        if self.min_hits == 0 {
            return Err(TrackerError::ZeroMinHits);
        }
        if self.max_detections == 0 {
            return Err(TrackerError::ZeroMaxDetections);
        }
        Ok(())
    }
}

/// One tracked object in the current frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackedObject {
    /// The track's id: stable over the frames, 1, 2, 3, … in order of
    /// confirmation.
    pub track_id: u64,
    /// The matched detection's box, in pixels.
    pub bbox: Rect,
    /// The matched detection's score, 0..1.
    pub score: f32,
    /// The matched detection's class id.
    pub class: u32,
    /// Index of the matched detection in this frame's input slice.
    pub detection: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Born recently, not yet confirmed; no id.
    Tentative,
    /// Confirmed and matched in the previous frame.
    Tracked,
    /// Confirmed, unmatched for `lost_frames` frames.
    Lost,
}

#[derive(Clone, Debug)]
struct Track {
    id: Option<u64>,
    kalman: BoxKalman,
    class: u32,
    hits: u32,
    lost_frames: u32,
    state: State,
}

/// A multi-object tracker following boxes from frame to frame (see the
/// module documentation).
#[derive(Clone, Debug)]
pub struct Tracker {
    options: TrackerOptions,
    tracks: Vec<Track>,
    next_id: u64,
    frames: u64,
}

impl Tracker {
    /// A tracker with no tracks; fails when the options cannot work
    /// ([`TrackerOptions::validate`]).
    pub fn new(options: TrackerOptions) -> Result<Tracker, TrackerError> {
        options.validate()?;
        Ok(Tracker {
            options,
            tracks: Vec::new(),
            next_id: 1,
            frames: 0,
        })
    }

    /// The options this tracker runs with.
    pub fn options(&self) -> &TrackerOptions {
        &self.options
    }

    /// Frames processed so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Confirmed tracks currently followed (tracked or lost).
    pub fn confirmed_tracks(&self) -> usize {
        self.tracks.iter().filter(|t| t.id.is_some()).count()
    }

    /// Takes the next frame's detections (boxes in pixels) and returns the
    /// confirmed tracks matched in this frame, sorted by track id.
    pub fn update(&mut self, detections: &[Detection]) -> Vec<TrackedObject> {
        self.frames += 1;
        let o = self.options;
        let mut usable: Vec<usize> = (0..detections.len())
            .filter(|&i| detections[i].is_usable() && detections[i].score >= o.low_score)
            .collect();
        if usable.len() > o.max_detections {
            // Highest scores first, ties by index; then back to input order.
            usable.sort_by(|&a, &b| {
                detections[b]
                    .score
                    .total_cmp(&detections[a].score)
                    .then(a.cmp(&b))
            });
            usable.truncate(o.max_detections);
            usable.sort_unstable();
        }
        let mut high = Vec::new();
        let mut low = Vec::new();
        for i in usable {
            let d = &detections[i];
            if d.score >= o.high_score {
                high.push(i);
            } else {
                low.push(i);
            }
        }

        for track in &mut self.tracks {
            if track.state == State::Lost {
                track.kalman.freeze_height();
            }
            track.kalman.predict();
        }
        self.tracks.retain(|t| t.kalman.is_sane());
        let predicted: Vec<Rect> = self.tracks.iter().map(|t| t.kalman.bbox()).collect();

        // matched[t] = Some(detection index) for each track matched now.
        let mut matched: Vec<Option<usize>> = vec![None; self.tracks.len()];

        // First pass: high detections vs confirmed tracks, tracked or lost.
        let confirmed: Vec<usize> = (0..self.tracks.len())
            .filter(|&t| self.tracks[t].state != State::Tentative)
            .collect();
        let high_left = self.assign(
            &confirmed,
            &high,
            detections,
            &predicted,
            o.first_match_iou,
            &mut matched,
        );

        // Second pass: low detections vs tracks tracked last frame.
        let tracked_left: Vec<usize> = (0..self.tracks.len())
            .filter(|&t| self.tracks[t].state == State::Tracked && matched[t].is_none())
            .collect();
        self.assign(
            &tracked_left,
            &low,
            detections,
            &predicted,
            o.second_match_iou,
            &mut matched,
        );

        // Third pass: remaining high detections vs tentative tracks.
        let tentative: Vec<usize> = (0..self.tracks.len())
            .filter(|&t| self.tracks[t].state == State::Tentative)
            .collect();
        let unmatched_high = self.assign(
            &tentative,
            &high_left,
            detections,
            &predicted,
            o.first_match_iou,
            &mut matched,
        );

        // Update the matched tracks, age the others.
        let mut output = Vec::new();
        let mut keep = Vec::with_capacity(self.tracks.len());
        for (t, track) in self.tracks.iter_mut().enumerate() {
            match matched[t] {
                Some(d) => {
                    let det = &detections[d];
                    track.kalman.update(&det.bbox);
                    track.hits = track.hits.saturating_add(1);
                    track.lost_frames = 0;
                    if track.id.is_none() && track.hits >= o.min_hits {
                        track.id = Some(self.next_id);
                        self.next_id += 1;
                    }
                    if let Some(id) = track.id {
                        track.state = State::Tracked;
                        output.push(tracked_object(id, d, det));
                    }
                    keep.push(true);
                }
                None => {
                    if track.state == State::Tentative {
                        keep.push(false);
                    } else {
                        track.state = State::Lost;
                        track.lost_frames = track.lost_frames.saturating_add(1);
                        keep.push(track.lost_frames <= o.max_lost_frames);
                    }
                }
            }
        }
        let mut flags = keep.into_iter();
        self.tracks.retain(|_| flags.next().unwrap_or(false));

        // New tentative tracks (confirmed at once when min_hits is 1).
        for d in unmatched_high {
            let det = &detections[d];
            if det.score < o.new_track_score {
                continue;
            }
            let mut track = Track {
                id: None,
                kalman: BoxKalman::new(&det.bbox),
                class: det.class,
                hits: 1,
                lost_frames: 0,
                state: State::Tentative,
            };
            if o.min_hits <= 1 {
                track.id = Some(self.next_id);
                self.next_id += 1;
                track.state = State::Tracked;
                output.push(tracked_object(self.next_id - 1, d, det));
            }
            self.tracks.push(track);
        }
        output.sort_by_key(|obj| obj.track_id);
        output
    }

    /// Optimal IoU matching of the tracks `tracks` to the detections
    /// `dets` (indices into `detections`), pairs with IoU below `min_iou`
    /// (or of different classes with `per_class`) refused. Records each
    /// pair in `matched` and returns the detections left, in order.
    fn assign(
        &self,
        tracks: &[usize],
        dets: &[usize],
        detections: &[Detection],
        predicted: &[Rect],
        min_iou: f32,
        matched: &mut [Option<usize>],
    ) -> Vec<usize> {
        let per_class = self.options.per_class;
        let pairs = min_cost_matching(tracks.len(), dets.len(), |r, c| {
            let track = &self.tracks[tracks[r]];
            let det = &detections[dets[c]];
            if per_class && track.class != det.class {
                return None;
            }
            let iou = predicted[tracks[r]].iou(&det.bbox);
            (iou.is_finite() && iou >= min_iou).then_some(1.0 - iou as f64)
        });
        let mut taken = vec![false; dets.len()];
        for (r, c) in pairs {
            matched[tracks[r]] = Some(dets[c]);
            taken[c] = true;
        }
        dets.iter()
            .zip(taken)
            .filter(|(_, t)| !t)
            .map(|(&d, _)| d)
            .collect()
    }
}

fn tracked_object(track_id: u64, detection: usize, det: &Detection) -> TrackedObject {
    TrackedObject {
        track_id,
        bbox: det.bbox,
        score: det.score,
        class: det.class,
        detection,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, y: f32, score: f32, class: u32) -> Detection {
        Detection::new(Rect::new(x, y, 20.0, 40.0), score, class)
    }

    #[test]
    fn invalid_options_are_refused() {
        let base = TrackerOptions::default();
        assert!(base.validate().is_ok());
        let cases = [
            TrackerOptions {
                high_score: f32::NAN,
                ..base
            },
            TrackerOptions {
                low_score: -0.1,
                ..base
            },
            TrackerOptions {
                new_track_score: 1.5,
                ..base
            },
            TrackerOptions {
                first_match_iou: 0.0,
                ..base
            },
            TrackerOptions {
                second_match_iou: f32::INFINITY,
                ..base
            },
            TrackerOptions {
                low_score: 0.6,
                high_score: 0.5,
                ..base
            },
            TrackerOptions {
                min_hits: 0,
                ..base
            },
        ];
        for options in cases {
            let err = Tracker::new(options).unwrap_err();
            assert_eq!(
                seer_core::HasErrorKind::kind(&err),
                seer_core::ErrorKind::InvalidInput
            );
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn a_track_is_confirmed_after_min_hits_and_keeps_its_id() {
        let mut tracker = Tracker::new(TrackerOptions::default()).unwrap();
        let mut ids = Vec::new();
        for t in 0..6 {
            let out = tracker.update(&[det(10.0 + 2.0 * t as f32, 10.0, 0.9, 0)]);
            ids.push(out.first().map(|o| o.track_id));
        }
        // min_hits 3: reported from the third frame on, always as id 1.
        assert_eq!(ids, [None, None, Some(1), Some(1), Some(1), Some(1)]);
    }

    #[test]
    fn a_lost_track_is_removed_after_max_lost_frames() {
        let options = TrackerOptions {
            max_lost_frames: 2,
            min_hits: 1,
            ..TrackerOptions::default()
        };
        let mut tracker = Tracker::new(options).unwrap();
        tracker.update(&[det(10.0, 10.0, 0.9, 0)]);
        tracker.update(&[]);
        tracker.update(&[]);
        assert_eq!(tracker.confirmed_tracks(), 1); // lost 2 frames: kept
        tracker.update(&[]);
        assert_eq!(tracker.confirmed_tracks(), 0); // lost 3 > 2: removed
        let out = tracker.update(&[det(10.0, 10.0, 0.9, 0)]);
        assert_eq!(out[0].track_id, 2);
    }

    #[test]
    fn beyond_max_detections_only_the_highest_scores_are_used() {
        let options = TrackerOptions {
            min_hits: 1,
            max_detections: 2,
            ..TrackerOptions::default()
        };
        let mut tracker = Tracker::new(options).unwrap();
        let dets = [
            det(0.0, 0.0, 0.7, 0),
            det(100.0, 0.0, 0.9, 0),
            det(200.0, 0.0, 0.6, 0),
            det(300.0, 0.0, 0.8, 0),
        ];
        let out = tracker.update(&dets);
        let used: Vec<usize> = out.iter().map(|o| o.detection).collect();
        assert_eq!(used, [1, 3]); // scores 0.9 and 0.8, ids 1 and 2
    }

    #[test]
    fn a_low_score_detection_never_starts_a_track() {
        let options = TrackerOptions {
            min_hits: 1,
            ..TrackerOptions::default()
        };
        let mut tracker = Tracker::new(options).unwrap();
        for _ in 0..5 {
            assert!(tracker.update(&[det(10.0, 10.0, 0.3, 0)]).is_empty());
        }
        // 0.55 is high (first pass) but below new_track_score 0.6.
        assert!(tracker.update(&[det(10.0, 10.0, 0.55, 0)]).is_empty());
    }
}
