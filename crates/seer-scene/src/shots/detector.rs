//! The detector over a stream of frames: features are computed as frames
//! arrive, boundaries are decided in [`ShotDetector::finish`].

use super::features::{analyse, change, shrink, FrameFeatures, FramePlanes};
use super::list::{Boundary, ShotList, Transition};
use super::{cuts, dissolves, fades, ShotOptions};
use crate::SceneError;
use image::RgbImage;

/// Finds shot boundaries in frames given one at a time, in display order.
/// Keeps about 2 KB per frame (a histogram and a 32-pixel-wide thumbnail)
/// until [`ShotDetector::finish`].
pub struct ShotDetector {
    options: ShotOptions,
    fps: f64,
    features: Vec<FrameFeatures>,
    /// `scores[t]`: change score from frame `t - 1` to `t` (0 for frame 0).
    scores: Vec<f32>,
    previous: Option<FramePlanes>,
}

impl ShotDetector {
    /// A detector for a video of `fps` frames per second (used to turn the
    /// options' seconds into frames).
    pub fn new(options: &ShotOptions, fps: f64) -> Result<ShotDetector, SceneError> {
        options.validate()?;
        if !(fps.is_finite() && fps > 0.0 && fps <= 1000.0) {
            return Err(SceneError::BadFrameRate { fps });
        }
        Ok(ShotDetector {
            options: options.clone(),
            fps,
            features: Vec::new(),
            scores: Vec::new(),
            previous: None,
        })
    }

    /// Frames given so far.
    pub fn frames(&self) -> u64 {
        self.features.len() as u64
    }

    /// Adds the next frame (any size; frames are shrunk to the analysis
    /// width).
    pub fn push(&mut self, frame: &RgbImage) -> Result<(), SceneError> {
        let (width, height) = frame.dimensions();
        if width == 0 || height == 0 {
            return Err(SceneError::EmptyFrame {
                index: self.frames(),
                width,
                height,
            });
        }
        let small = shrink(frame, self.options.analysis_width);
        let (features, planes) = analyse(&small);
        let score = match (&self.previous, self.features.last()) {
            (Some(prev_planes), Some(prev)) => {
                change((prev, prev_planes), (&features, &planes)).score()
            }
            _ => 0.0,
        };
        self.scores.push(score);
        self.features.push(features);
        self.previous = Some(planes);
        Ok(())
    }

    /// Frames of `seconds` at the detector's frame rate (at least 1).
    fn frames_of(&self, seconds: f32) -> usize {
        ((f64::from(seconds) * self.fps).round() as usize).max(1)
    }

    /// The boundaries found, sorted, each at least `min_shot_frames` after
    /// the previous one.
    pub fn boundaries(&self) -> Vec<Boundary> {
        let options = &self.options;
        let max_len = self.frames_of(options.dissolve_max_s);
        let min_len = self.frames_of(options.dissolve_min_s).min(max_len);
        let fades = fades::find(&self.features, options, max_len);
        let in_fade = |frame: u64| {
            fades
                .iter()
                .any(|f| frame + 2 >= f.span_start && frame <= f.span_end + 2)
        };
        let cuts: Vec<u64> = cuts::find(&self.scores, &self.features, options)
            .into_iter()
            .filter(|&c| !in_fade(c))
            .collect();
        let dissolves: Vec<_> = dissolves::find(&self.features, &cuts, options, min_len, max_len)
            .into_iter()
            .filter(|d| {
                !fades
                    .iter()
                    .any(|f| d.before <= f.span_end && d.after >= f.span_start)
            })
            .collect();
        tracing::debug!(?fades, ?cuts, ?dissolves, "shot boundary candidates");
        let mut all: Vec<Boundary> = fades
            .iter()
            .map(|f| (f.boundary, Transition::Fade))
            .chain(dissolves.iter().map(|d| (d.boundary, Transition::Dissolve)))
            .chain(cuts.iter().map(|&c| (c, Transition::Cut)))
            .map(|(frame, transition)| Boundary { frame, transition })
            .collect();
        all.sort_by_key(|b| b.frame);
        keep_apart(all, options.min_shot_frames)
    }

    /// The shot list of all frames given.
    pub fn finish(self) -> ShotList {
        let boundaries = self.boundaries();
        ShotList::from_boundaries(self.frames(), self.fps, &boundaries)
    }
}

/// Fades outrank dissolves, dissolves outrank cuts.
fn rank(t: Transition) -> u8 {
    match t {
        Transition::Fade => 3,
        Transition::Dissolve => 2,
        Transition::Cut => 1,
        Transition::Start => 0,
    }
}

/// Drops boundaries closer than `min_gap` frames to the previous kept one
/// (or to frame 0); of two close ones the higher-ranked stays.
fn keep_apart(sorted: Vec<Boundary>, min_gap: u64) -> Vec<Boundary> {
    let mut kept: Vec<Boundary> = Vec::new();
    for b in sorted {
        if b.frame < min_gap {
            continue;
        }
        match kept.last_mut() {
            Some(last) if b.frame < last.frame + min_gap => {
                if rank(b.transition) > rank(last.transition) {
                    *last = b;
                }
            }
            _ => kept.push(b),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(frame: u64, transition: Transition) -> Boundary {
        Boundary { frame, transition }
    }

    #[test]
    fn close_boundaries_keep_the_stronger_kind() {
        let kept = keep_apart(
            vec![
                b(3, Transition::Cut),
                b(20, Transition::Cut),
                b(24, Transition::Fade),
                b(40, Transition::Dissolve),
            ],
            8,
        );
        assert_eq!(
            kept,
            vec![b(24, Transition::Fade), b(40, Transition::Dissolve)]
        );
    }

    #[test]
    fn a_bad_frame_rate_or_empty_frame_is_refused() {
        let options = ShotOptions::default();
        assert!(ShotDetector::new(&options, 0.0).is_err());
        assert!(ShotDetector::new(&options, f64::NAN).is_err());
        let mut detector = ShotDetector::new(&options, 25.0).ok();
        let pushed = detector.as_mut().map(|d| d.push(&RgbImage::new(0, 4)));
        assert!(matches!(pushed, Some(Err(SceneError::EmptyFrame { .. }))));
    }
}
