//! Settings of the text reader.

use crate::SceneError;
use seer_runtime::SessionOptions;

/// How [`crate::TextReader`] finds and reads text.
#[derive(Clone, Debug, PartialEq)]
pub struct OcrOptions {
    /// A detector map pixel is text when its probability is above this,
    /// 0..1 (default 0.3).
    pub pixel_threshold: f32,
    /// A text region is kept when the mean probability inside its box is
    /// at least this, 0..1 (default 0.5).
    pub box_threshold: f32,
    /// Each detected region is grown by area · ratio / perimeter pixels
    /// on every side, since the detector marks a shrunk core of the text
    /// (default 1.6).
    pub unclip_ratio: f32,
    /// Longest side of the detector input in pixels, a multiple of 32
    /// from 32 to 4096; larger images are shrunk to it (default 960).
    pub max_side: u32,
    /// Images whose longer side is shorter than this (pixels) are
    /// padded with black on the right and bottom to a square of this
    /// side before detection: the detector misses text that fills most
    /// of a small image (0..=4096, default 640; 0 never pads).
    pub min_side: u32,
    /// The direction classifier's 180° score above which a line is
    /// turned before it is read, 0..1 (default 0.9).
    pub rotate_threshold: f32,
    /// Lines whose mean character score is below this are dropped, 0..1
    /// (default 0.5).
    pub text_threshold: f32,
    /// ONNX Runtime threads per model (default: physical cores).
    pub threads: usize,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            pixel_threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.6,
            max_side: 960,
            min_side: 640,
            rotate_threshold: 0.9,
            text_threshold: 0.5,
            threads: SessionOptions::default().threads,
        }
    }
}

impl OcrOptions {
    /// Refuses settings that cannot work, naming the field.
    pub fn validate(&self) -> Result<(), SceneError> {
        let bad = |name, reason: &str| {
            Err(SceneError::InvalidOcrOption {
                name,
                reason: reason.to_string(),
            })
        };
        let fractions = [
            ("pixel_threshold", self.pixel_threshold),
            ("box_threshold", self.box_threshold),
            ("rotate_threshold", self.rotate_threshold),
            ("text_threshold", self.text_threshold),
        ];
        for (name, value) in fractions {
            if !(0.0..=1.0).contains(&value) {
                return bad(name, &format!("{value} is not from 0 to 1"));
            }
        }
        if !(self.unclip_ratio.is_finite() && (0.0..=10.0).contains(&self.unclip_ratio)) {
            return bad(
                "unclip_ratio",
                &format!("{} is not from 0 to 10", self.unclip_ratio),
            );
        }
        if !(32..=4096).contains(&self.max_side) || !self.max_side.is_multiple_of(32) {
            return bad(
                "max_side",
                &format!("{} is not a multiple of 32 from 32 to 4096", self.max_side),
            );
        }
        if self.min_side > 4096 {
            return bad(
                "min_side",
                &format!("{} is not from 0 to 4096", self.min_side),
            );
        }
        if self.threads == 0 {
            return bad("threads", "use at least 1 thread");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_name_their_field() {
        assert!(OcrOptions::default().validate().is_ok());
        let cases = [
            (
                OcrOptions {
                    pixel_threshold: 1.5,
                    ..OcrOptions::default()
                },
                "pixel_threshold",
            ),
            (
                OcrOptions {
                    box_threshold: f32::NAN,
                    ..OcrOptions::default()
                },
                "box_threshold",
            ),
            (
                OcrOptions {
                    max_side: 1000,
                    ..OcrOptions::default()
                },
                "max_side",
            ),
            (
                OcrOptions {
                    threads: 0,
                    ..OcrOptions::default()
                },
                "threads",
            ),
        ];
        for (options, field) in cases {
            match options.validate() {
                Err(SceneError::InvalidOcrOption { name, .. }) => assert_eq!(name, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
