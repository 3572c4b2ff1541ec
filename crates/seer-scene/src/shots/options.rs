//! The detector's settings.

use crate::SceneError;

/// Settings of the shot detector. Scores are on the detector's 0–1 scales
/// (documented per field); durations are in seconds and converted with the
/// video's frame rate.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ShotOptions {
    /// Width in pixels frames are shrunk to before analysis (height keeps
    /// the aspect). 16–512; default 64.
    pub analysis_width: u32,
    /// Smallest change score (0–1, the mean of the histogram distance, twice
    /// the mean absolute luma difference and the change of the gradient maps) a cut
    /// may have. Default 0.22.
    pub cut_min_score: f32,
    /// How many robust deviations (MAD) above the median of the recent
    /// change scores a cut must be. Default 6.
    pub cut_deviations: f32,
    /// How many times the median of the recent change scores a cut must
    /// be. Default 2.5.
    pub cut_ratio: f32,
    /// Frames of the recent change scores the adaptive baseline uses.
    /// Default 24.
    pub baseline_frames: usize,
    /// Longest flash in frames: a change that returns to the previous
    /// content within this many frames is not a cut. Default 4.
    pub flash_frames: usize,
    /// Mean luma (0–1) under which a frame counts as black. Default 0.06.
    pub black_level: f32,
    /// Mean luma (0–1) over which a frame counts as white. Default 0.94.
    pub white_level: f32,
    /// Shortest dissolve in seconds. Default 0.3.
    pub dissolve_min_s: f32,
    /// Longest dissolve in seconds. Default 2.0.
    pub dissolve_max_s: f32,
    /// Smallest histogram distance (0–1) between the frames before and
    /// after a dissolve. Default 0.2.
    pub dissolve_min_change: f32,
    /// Largest mean residual of the frames of a dissolve against the best
    /// linear mix of its end frames, relative to the end frames' difference
    /// (0–1). Default 0.3.
    pub dissolve_max_residual: f32,
    /// Shortest shot in frames: boundaries closer than this to the previous
    /// one are dropped (the stronger kind wins). Default 8.
    pub min_shot_frames: u64,
}

impl Default for ShotOptions {
    fn default() -> Self {
        ShotOptions {
            analysis_width: 64,
            cut_min_score: 0.22,
            cut_deviations: 6.0,
            cut_ratio: 2.5,
            baseline_frames: 24,
            flash_frames: 4,
            black_level: 0.06,
            white_level: 0.94,
            dissolve_min_s: 0.3,
            dissolve_max_s: 2.0,
            dissolve_min_change: 0.2,
            dissolve_max_residual: 0.3,
            min_shot_frames: 8,
        }
    }
}

fn check(ok: bool, name: &'static str, reason: &str) -> Result<(), SceneError> {
    if ok {
        Ok(())
    } else {
        Err(SceneError::InvalidOption {
            name,
            reason: reason.to_string(),
        })
    }
}

fn unit(value: f32) -> bool {
    value.is_finite() && (0.0..=1.0).contains(&value)
}

impl ShotOptions {
    /// Checks every field against its range.
    pub fn validate(&self) -> Result<(), SceneError> {
        check(
            (16..=512).contains(&self.analysis_width),
            "analysis_width",
            "must be 16 to 512 pixels",
        )?;
        check(
            unit(self.cut_min_score) && self.cut_min_score > 0.0,
            "cut_min_score",
            "must be above 0 and at most 1",
        )?;
        check(
            self.cut_deviations.is_finite() && self.cut_deviations >= 0.0,
            "cut_deviations",
            "must be a number of at least 0",
        )?;
        check(
            self.cut_ratio.is_finite() && self.cut_ratio >= 1.0,
            "cut_ratio",
            "must be a number of at least 1",
        )?;
        check(
            (2..=1000).contains(&self.baseline_frames),
            "baseline_frames",
            "must be 2 to 1000 frames",
        )?;
        check(
            self.flash_frames <= 30,
            "flash_frames",
            "must be at most 30 frames",
        )?;
        check(
            unit(self.black_level) && unit(self.white_level) && self.black_level < self.white_level,
            "black_level",
            "black and white levels must be within 0 to 1, black below white",
        )?;
        check(
            self.dissolve_min_s.is_finite()
                && self.dissolve_max_s.is_finite()
                && self.dissolve_min_s > 0.0
                && self.dissolve_min_s <= self.dissolve_max_s
                && self.dissolve_max_s <= 10.0,
            "dissolve_min_s",
            "dissolve lengths must be above 0 and at most 10 seconds, the shortest not above the longest",
        )?;
        check(
            unit(self.dissolve_min_change),
            "dissolve_min_change",
            "must be within 0 to 1",
        )?;
        check(
            unit(self.dissolve_max_residual),
            "dissolve_max_residual",
            "must be within 0 to 1",
        )?;
        check(
            (1..=100_000).contains(&self.min_shot_frames),
            "min_shot_frames",
            "must be 1 to 100000 frames",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seer_core::{ErrorKind, HasErrorKind};

    #[test]
    fn defaults_are_valid_and_bad_values_are_refused() {
        assert!(ShotOptions::default().validate().is_ok());
        let bad = [
            ShotOptions {
                analysis_width: 4,
                ..Default::default()
            },
            ShotOptions {
                cut_min_score: f32::NAN,
                ..Default::default()
            },
            ShotOptions {
                dissolve_min_s: 3.0,
                ..Default::default()
            },
            ShotOptions {
                min_shot_frames: 0,
                ..Default::default()
            },
        ];
        for options in bad {
            let error = options.validate().err();
            assert_eq!(
                error.as_ref().map(|e| e.kind()),
                Some(ErrorKind::InvalidInput),
                "{options:?}"
            );
        }
    }
}

/// Which shot detector runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShotDetectorKind {
    /// TransNetV2, the learned network (fetched on first use).
    Learned,
    /// The classical content, fade and dissolve models.
    Classical,
    /// The learned detector when its model is already fetched, the
    /// classical one otherwise.
    #[default]
    Auto,
}
