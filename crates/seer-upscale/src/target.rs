//! The size an upscale should reach: a factor (`--scale 1.5`), a width
//! (`--width 7680`) or a height, and the integer scale the model chain is
//! planned for (the next native scale at or above the factor; the result
//! is then shrunk with Lanczos to the exact size).

use crate::UpscaleError;

/// Largest factor accepted (output pixels per input pixel).
pub const MAX_FACTOR: f64 = 16.0;

/// What the output size is derived from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Output pixels per input pixel along both axes (1 to 16, e.g. 1.5).
    Scale(f64),
    /// Output width in pixels; the height keeps the aspect ratio.
    Width(u32),
    /// Output height in pixels; the width keeps the aspect ratio.
    Height(u32),
}

impl Target {
    /// The factor for a `width`×`height` input (output / input).
    pub fn factor(&self, width: u32, height: u32) -> f64 {
        match *self {
            Target::Scale(f) => f,
            Target::Width(w) => f64::from(w) / f64::from(width.max(1)),
            Target::Height(h) => f64::from(h) / f64::from(height.max(1)),
        }
    }

    /// Output width and height in pixels for a `width`×`height` input.
    pub fn output_size(&self, width: u32, height: u32) -> Result<(u32, u32), UpscaleError> {
        let f = self.factor(width, height);
        if !(1.0..=MAX_FACTOR).contains(&f) {
            return Err(UpscaleError::BadTarget {
                target: *self,
                factor: f,
                width,
                height,
            });
        }
        let side = |v: u32| ((f64::from(v) * f).round() as u32).max(1);
        Ok(match *self {
            Target::Scale(_) => (side(width), side(height)),
            Target::Width(w) => (w, side(height)),
            Target::Height(h) => (side(width), h),
        })
    }

    /// The integer scale to plan the model chain for: the factor rounded up
    /// (at least 2; a tiny excess from rounding is ignored).
    pub fn plan_scale(&self, width: u32, height: u32) -> u32 {
        let f = self.factor(width, height);
        ((f - 1e-6).ceil() as u32).clamp(2, MAX_FACTOR as u32)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Scale(s) => write!(f, "scale {s}"),
            Target::Width(w) => write!(f, "width {w}"),
            Target::Height(h) => write!(f, "height {h}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_plan_scales() {
        let t = Target::Scale(1.5);
        assert_eq!(t.output_size(256, 171).unwrap(), (384, 257));
        assert_eq!(t.plan_scale(256, 171), 2);
        let w = Target::Width(7680);
        assert_eq!(w.output_size(1920, 1080).unwrap(), (7680, 4320));
        assert_eq!(w.plan_scale(1920, 1080), 4);
        assert_eq!(w.output_size(2000, 1000).unwrap(), (7680, 3840));
        assert_eq!(w.plan_scale(2000, 1000), 4);
        assert_eq!(Target::Scale(2.0).plan_scale(10, 10), 2);
        assert_eq!(Target::Scale(1.0).plan_scale(10, 10), 2);
        assert_eq!(
            Target::Height(300).output_size(200, 100).unwrap(),
            (600, 300)
        );
    }

    #[test]
    fn factors_below_one_or_above_sixteen_are_errors() {
        let err = Target::Width(100)
            .output_size(200, 100)
            .unwrap_err()
            .to_string();
        assert!(err.contains("width 100") && err.contains("0.500"), "{err}");
        assert!(Target::Scale(17.0).output_size(10, 10).is_err());
    }
}
