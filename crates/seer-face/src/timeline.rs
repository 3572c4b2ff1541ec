//! Identifying people per track in a video, and the resulting timeline.
//!
//! Per frame identification flickers; instead each track keeps its
//! [`BEST_FACES_PER_TRACK`] best face crops ([`BestFaces`], ranked by
//! [`usefulness`]), their descriptors are averaged ([`mean_embedding`])
//! and the mean is identified once against the gallery, giving one
//! decision per track ([`decide`]: the gallery threshold, plus a least
//! detector score and a margin over the runner-up, which on the test clip
//! turn profile close-ups that sit ~0.55–0.6 from several subjects into
//! "unknown" instead of a wrong name). The [`TimelineEntry`]s say who was on screen when.

use crate::embed::{face_crop, Embedding};
use crate::face::Face;
use crate::track::TrackSummary;
use image::RgbImage;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Face crops kept per track for identification.
pub const BEST_FACES_PER_TRACK: usize = 5;

/// How useful a detection is for recognition (unitless, higher is
/// better): size up to the embedder's input (150 px) times a sharpness
/// factor that saturates (Laplacian variance / (variance + 100)) times the
/// detector score.
pub fn usefulness(face: &Face) -> f32 {
    let size = face.quality.size_px.min(150.0);
    let sharp = face.quality.sharpness.max(0.0);
    size * (sharp / (sharp + 100.0)) * face.score
}

/// The best face crops (150×150 embedder inputs) of each track, by
/// [`usefulness`], at most `per_track` each.
#[derive(Debug, Default)]
pub struct BestFaces {
    per_track: usize,
    crops: HashMap<u64, Vec<(f32, RgbImage)>>,
}

impl BestFaces {
    /// Keeps up to `per_track` crops per track.
    pub fn new(per_track: usize) -> BestFaces {
        BestFaces {
            per_track: per_track.max(1),
            crops: HashMap::new(),
        }
    }

    /// Offers the face `face` of `frame` as a candidate for track `track`;
    /// its crop is cut only when it ranks among the best so far.
    pub fn offer(&mut self, track: u64, frame: &RgbImage, face: &Face) {
        let score = usefulness(face);
        let list = self.crops.entry(track).or_default();
        if list.len() >= self.per_track && list.iter().all(|(s, _)| *s >= score) {
            return;
        }
        list.push((score, face_crop(frame, &face.bbox)));
        list.sort_by(|a, b| b.0.total_cmp(&a.0));
        list.truncate(self.per_track);
    }

    /// Renames tracks (raw tracker id → final id); tracks missing from
    /// `map` are dropped.
    pub fn renumber(&mut self, map: &HashMap<u64, u64>) {
        let old = std::mem::take(&mut self.crops);
        self.crops = old
            .into_iter()
            .filter_map(|(raw, list)| map.get(&raw).map(|&id| (id, list)))
            .collect();
    }

    /// The crops of `track`, best first.
    pub fn crops(&self, track: u64) -> Vec<&RgbImage> {
        self.crops
            .get(&track)
            .map(|l| l.iter().map(|(_, c)| c).collect())
            .unwrap_or_default()
    }
}

/// The element-wise mean of descriptors (`None` for an empty list).
pub fn mean_embedding(embeddings: &[Embedding]) -> Option<Embedding> {
    let first = embeddings.first()?;
    let mut values = vec![0.0f32; first.values.len()];
    for e in embeddings {
        for (v, x) in values.iter_mut().zip(&e.values) {
            *v += x;
        }
    }
    let n = embeddings.len() as f32;
    Some(Embedding {
        values: values.into_iter().map(|v| v / n).collect(),
    })
}

/// When a track's mean descriptor may be given a name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecisionRule {
    /// The track's best detector score must reach this (0..1); tracks the
    /// detector was never sure of (profiles, cross-fades) stay unknown.
    /// Default 0.6.
    pub min_best_score: f32,
    /// The nearest subject must be nearer than the runner-up by at least
    /// this distance, else the track is unknown. Default 0.03.
    pub min_margin: f32,
    /// The nearest subject's descriptor distance must be below this as
    /// well as below the gallery threshold. Default `f32::INFINITY` (the
    /// gallery threshold alone decides).
    pub max_distance: f32,
    /// The face (a track's mean box side) must be at least this many
    /// pixels, else it stays unknown. Default [`MIN_IDENTIFY_FACE_PX`].
    pub min_face_px: f32,
}

/// Faces smaller than this (longer box side, pixels) are not given a name
/// from a video track. The embedder sees a 150 px crop of 1.2× the box, so
/// a face under 64 px is enlarged more than 2× and its descriptor drifts:
/// at 24 px the true-accept rate at 1 % false accepts fell from 100 % to
/// 69 % (`seer bench faces-verify`), and on the Hamilton test clip with
/// `--small-faces` tracks of 31 and 57 px were named after an enrolled
/// subject at distances 0.50–0.56, while the two people really there were
/// 84 and 112 px.
pub const MIN_IDENTIFY_FACE_PX: f32 = 64.0;

impl Default for DecisionRule {
    fn default() -> Self {
        DecisionRule {
            min_best_score: 0.6,
            min_margin: 0.03,
            max_distance: f32::INFINITY,
            min_face_px: MIN_IDENTIFY_FACE_PX,
        }
    }
}

impl DecisionRule {
    /// The rule for leaving a face unblurred (`seer face blur
    /// --except-gallery`): a wrong name there exposes a person who did not
    /// consent, so it demands a sure detection, a distance of at most 0.45
    /// (same-person photo pairs measured 0.38–0.54, different people
    /// ≥ 0.59 on the test clip's wrong tracks) and a clear 0.08 margin.
    /// Faces it does not accept stay blurred.
    pub fn unblur() -> DecisionRule {
        DecisionRule {
            min_best_score: 0.8,
            min_margin: 0.08,
            max_distance: 0.45,
            min_face_px: MIN_IDENTIFY_FACE_PX,
        }
    }
}

/// The subject of a track, or `None` ("unknown"): the nearest of
/// `candidates` (nearest first, from [`crate::Gallery::identify`] with
/// `top_k` ≥ 2) when it is accepted by the gallery threshold, the track's
/// best score reaches `rule.min_best_score`, its mean face size reaches
/// `rule.min_face_px` and the runner-up is at least `rule.min_margin`
/// farther.
pub fn decide<'a>(
    track: &TrackSummary,
    candidates: &'a [crate::Match],
    rule: &DecisionRule,
) -> Option<&'a str> {
    decide_face(track.best_score, track.mean_size_px, candidates, rule)
}

/// The subject of one face whose detector score is `score` and longer box
/// side `size_px` (pixels), or `None`: the same rule as [`decide`].
pub fn decide_face<'a>(
    score: f32,
    size_px: f32,
    candidates: &'a [crate::Match],
    rule: &DecisionRule,
) -> Option<&'a str> {
    let best = candidates
        .first()
        .filter(|m| m.accepted && m.distance <= rule.max_distance)?;
    if score < rule.min_best_score || size_px < rule.min_face_px {
        return None;
    }
    if let Some(second) = candidates.get(1) {
        if second.distance - best.distance < rule.min_margin {
            return None;
        }
    }
    Some(best.subject.as_str())
}

/// Who a track is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackIdentity {
    /// The track.
    pub track: u64,
    /// The identified subject, or "unknown".
    pub subject: String,
    /// Distance of the track's mean descriptor to the nearest subject
    /// (none in an empty gallery or when no crop was kept).
    pub distance: Option<f32>,
    /// How many face crops were averaged.
    pub faces_used: usize,
}

/// One span of the timeline: a track and who it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Start, seconds (first detection).
    pub start_s: f64,
    /// End, seconds (last detection).
    pub end_s: f64,
    /// The track.
    pub track: u64,
    /// The identified subject, or "unknown".
    pub subject: String,
    /// Distance to the subject (see [`TrackIdentity::distance`]).
    pub distance: Option<f32>,
    /// Frames with a detection.
    pub frames: usize,
}

/// The timeline, ordered by start time, from the track summaries and the
/// per-track decisions (tracks without a decision are "unknown").
pub fn timeline(tracks: &[TrackSummary], identities: &[TrackIdentity]) -> Vec<TimelineEntry> {
    let mut entries: Vec<TimelineEntry> = tracks
        .iter()
        .map(|t| {
            let identity = identities.iter().find(|i| i.track == t.track);
            TimelineEntry {
                start_s: t.start_s,
                end_s: t.end_s,
                track: t.track,
                subject: identity
                    .map(|i| i.subject.clone())
                    .unwrap_or_else(|| crate::gallery::UNKNOWN.to_string()),
                distance: identity.and_then(|i| i.distance),
                frames: t.frames,
            }
        })
        .collect();
    entries.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then(a.track.cmp(&b.track)));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::Quality;
    use seer_core::geometry::{Point, Rect};

    fn face(size: f32, sharpness: f32) -> Face {
        Face {
            bbox: Rect::new(0.0, 0.0, size, size),
            score: 0.9,
            keypoints: [Point::new(0.0, 0.0); 6],
            quality: Quality {
                size_px: size,
                sharpness,
                exposure: 0.5,
            },
        }
    }

    #[test]
    fn best_faces_keep_the_largest_sharpest_crops() {
        let frame = RgbImage::new(200, 200);
        let mut best = BestFaces::new(2);
        best.offer(7, &frame, &face(20.0, 500.0));
        best.offer(7, &frame, &face(90.0, 500.0));
        best.offer(7, &frame, &face(90.0, 5.0));
        best.offer(7, &frame, &face(60.0, 500.0));
        assert_eq!(best.crops(7).len(), 2);
        let scores: Vec<f32> = best.crops[&7].iter().map(|(s, _)| *s).collect();
        assert_eq!(scores[0], usefulness(&face(90.0, 500.0)));
        assert_eq!(scores[1], usefulness(&face(60.0, 500.0)));
        best.renumber(&HashMap::from([(7, 1)]));
        assert_eq!(best.crops(1).len(), 2);
        assert!(best.crops(7).is_empty());
    }

    #[test]
    fn decisions_need_a_sure_track_and_a_clear_margin() {
        let sized = |best_score, mean_size_px| TrackSummary {
            track: 1,
            first_frame: 0,
            last_frame: 9,
            start_s: 0.0,
            end_s: 0.3,
            frames: 10,
            best_score,
            mean_size_px,
        };
        let track = |best_score| sized(best_score, 80.0);
        let m = |subject: &str, distance: f32| crate::Match {
            subject: subject.into(),
            distance,
            similarity: 0.9,
            accepted: distance < 0.6,
        };
        let rule = DecisionRule::default();
        let clear = [m("a", 0.40), m("b", 0.65)];
        assert_eq!(decide(&track(0.9), &clear, &rule), Some("a"));
        assert_eq!(decide(&track(0.55), &clear, &rule), None);
        assert_eq!(
            decide(&track(0.9), &[m("a", 0.55), m("b", 0.57)], &rule),
            None
        );
        assert_eq!(
            decide(&track(0.9), &[m("a", 0.62), m("b", 0.9)], &rule),
            None
        );
        assert_eq!(decide(&track(0.9), &[m("a", 0.5)], &rule), Some("a"));
        // Too small a face is not named, however close.
        assert_eq!(decide(&sized(0.9, 40.0), &clear, &rule), None);
    }

    #[test]
    fn mean_of_descriptors() {
        let a = Embedding {
            values: vec![1.0, 0.0],
        };
        let b = Embedding {
            values: vec![0.0, 2.0],
        };
        assert_eq!(mean_embedding(&[a, b]).unwrap().values, vec![0.5, 1.0]);
        assert!(mean_embedding(&[]).is_none());
    }
}
