//! The CenterNet COCO detector (MobileNetV3 backbone, from the TF.js
//! `human-models` package), imported for the frame's aspect ratio and
//! decoded in Rust.
//!
//! The graph's own TopK decode hard-codes the 128×128 grid of its declared
//! 512×512 input, so the catalogue imports only the raw heads: a class
//! heatmap (sigmoid, stride 4) and four box edges per cell. Here: the
//! frame is resized to fit the input (aspect kept, the rest black), every
//! cell that is the 3×3 maximum of its class and above the threshold is an
//! object, its box is (4x − l, 4y − t, 4x + r, 4y + b) in input pixels,
//! mapped back to the frame; then class-agnostic non-maximum suppression.

use crate::{nms, DetectError, Detection};
use image::RgbImage;
use seer_core::geometry::Rect;
use seer_core::progress::NoProgress;
use seer_models::Store;
use seer_runtime::{Session, SessionOptions, Tensor};

/// Catalogue id of the CenterNet model.
pub const CENTERNET_MODEL_ID: &str = "scene.detect.centernet";

/// Output stride of the heads, input pixels per heatmap cell.
const STRIDE: usize = 4;
/// Input sides must be multiples of this (the backbone's total stride).
const SIDE_MULTIPLE: u32 = 32;
/// COCO classes in the heatmap.
const CLASSES: usize = 80;

/// How the detector runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CenterNetOptions {
    /// Longer side of the network input in pixels, a multiple of 32
    /// (default 800: a 16:9 frame runs at 800×448).
    pub input_long_side: u32,
    /// Lowest class score kept, 0..1 (default 0.3).
    pub score_threshold: f32,
    /// Boxes overlapping a better one by more than this IoU are dropped,
    /// whatever their class (default 0.5).
    pub nms_iou: f32,
    /// Most objects returned per frame (default 100).
    pub max_detections: usize,
    /// ONNX Runtime threads (default: physical cores).
    pub threads: usize,
}

impl Default for CenterNetOptions {
    fn default() -> Self {
        CenterNetOptions {
            input_long_side: 800,
            score_threshold: 0.3,
            nms_iou: 0.5,
            max_detections: 100,
            threads: SessionOptions::default().threads,
        }
    }
}

impl CenterNetOptions {
    /// Refuses settings that cannot work.
    pub fn validate(&self) -> Result<(), DetectError> {
        let bad = |setting, value: String, expected| {
            Err(DetectError::BadSetting {
                setting,
                value,
                expected,
            })
        };
        if self.input_long_side < SIDE_MULTIPLE
            || self.input_long_side > 4096
            || !self.input_long_side.is_multiple_of(SIDE_MULTIPLE)
        {
            return bad(
                "network input side",
                self.input_long_side.to_string(),
                "use a multiple of 32 from 32 to 4096",
            );
        }
        if !(0.0..=1.0).contains(&self.score_threshold) {
            return bad(
                "score threshold",
                self.score_threshold.to_string(),
                "use a value from 0 to 1",
            );
        }
        if !(0.0..=1.0).contains(&self.nms_iou) {
            return bad(
                "overlap (IoU) threshold",
                self.nms_iou.to_string(),
                "use a value from 0 to 1",
            );
        }
        if self.max_detections == 0 {
            return bad("detection limit", "0".into(), "use at least 1");
        }
        if self.threads == 0 {
            return bad("thread count", "0".into(), "use at least 1");
        }
        Ok(())
    }
}

/// The network input size (width, height in pixels, multiples of 32) for
/// frames of `frame` size: the longer side `long_side`, the other keeping
/// the aspect ratio, rounded to the nearest multiple of 32 (at least 32).
pub fn input_size(frame: (u32, u32), long_side: u32) -> (u32, u32) {
    let (w, h) = (frame.0.max(1) as f64, frame.1.max(1) as f64);
    let short = |ratio: f64| {
        let side = (f64::from(long_side) * ratio / f64::from(SIDE_MULTIPLE)).round() as u32;
        side.max(1) * SIDE_MULTIPLE
    };
    if w >= h {
        (long_side, short(h / w).min(long_side))
    } else {
        (short(w / h).min(long_side), long_side)
    }
}

/// A loaded CenterNet for one network input size; frames of any size are
/// fitted into it.
pub struct CenterNet {
    session: Session,
    options: CenterNetOptions,
    /// Network input width and height in pixels.
    input: (u32, u32),
}

impl CenterNet {
    /// Loads the detector for frames of `frame_size` (width, height in
    /// pixels), importing the model for the matching input size the first
    /// time (cached in `store`).
    pub fn open(
        store: &Store,
        frame_size: (u32, u32),
        options: &CenterNetOptions,
    ) -> Result<CenterNet, DetectError> {
        options.validate()?;
        if frame_size.0 == 0 || frame_size.1 == 0 {
            return Err(DetectError::EmptyImage {
                width: frame_size.0,
                height: frame_size.1,
            });
        }
        let input = input_size(frame_size, options.input_long_side);
        let path = store.ensure_for_input(CENTERNET_MODEL_ID, (input.1, input.0), &NoProgress)?;
        let session = Session::from_file(
            &path,
            &SessionOptions {
                threads: options.threads,
            },
        )?;
        Ok(CenterNet {
            session,
            options: options.clone(),
            input,
        })
    }

    /// The network input (width, height in pixels).
    pub fn input_size(&self) -> (u32, u32) {
        self.input
    }

    /// The objects in `image`, best first, boxes in its pixels.
    pub fn detect(&mut self, image: &RgbImage) -> Result<Vec<Detection>, DetectError> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(DetectError::EmptyImage {
                width: w,
                height: h,
            });
        }
        let (iw, ih) = self.input;
        let scale = (f64::from(iw) / f64::from(w)).min(f64::from(ih) / f64::from(h));
        let fw = ((f64::from(w) * scale).round() as u32).clamp(1, iw);
        let fh = ((f64::from(h) * scale).round() as u32).clamp(1, ih);
        let fitted = seer_imgproc::resize_to(image, fw, fh);
        let mut data = vec![0.0f32; (iw * ih * 3) as usize];
        for (y, row) in fitted.rows().enumerate() {
            let start = y * iw as usize * 3;
            for (x, p) in row.enumerate() {
                let at = start + x * 3;
                data[at] = f32::from(p.0[0]);
                data[at + 1] = f32::from(p.0[1]);
                data[at + 2] = f32::from(p.0[2]);
            }
        }
        let tensor = Tensor {
            shape: vec![1, ih as usize, iw as usize, 3],
            data,
        };
        let outputs = self.session.run(&[tensor])?;
        let heads = Heads::from_outputs(&outputs, (iw as usize, ih as usize))?;
        // Back to frame pixels: the fitted image starts at the origin.
        let (sx, sy) = (f64::from(w) / f64::from(fw), f64::from(h) / f64::from(fh));
        let frame = Rect::new(0.0, 0.0, w as f32, h as f32);
        let raw = heads
            .peaks(self.options.score_threshold)
            .into_iter()
            .filter_map(|d| {
                let b = d.bbox;
                let mapped = Rect::new(
                    (f64::from(b.x) * sx) as f32,
                    (f64::from(b.y) * sy) as f32,
                    (f64::from(b.width) * sx) as f32,
                    (f64::from(b.height) * sy) as f32,
                );
                let clipped = mapped.intersection(&frame)?;
                (clipped.width >= 1.0 && clipped.height >= 1.0)
                    .then_some(Detection { bbox: clipped, ..d })
            })
            .collect();
        Ok(nms::suppress(
            raw,
            self.options.nms_iou,
            true,
            self.options.max_detections,
        ))
    }
}

/// The two heads of one run, NHWC: heatmap [1, gh, gw, 80], edges
/// [1, gh, gw, 4].
struct Heads<'a> {
    heat: &'a [f32],
    edges: &'a [f32],
    grid: (usize, usize),
}

impl<'a> Heads<'a> {
    /// Finds the heads among the outputs by their shapes.
    fn from_outputs(
        outputs: &'a [Tensor],
        input: (usize, usize),
    ) -> Result<Heads<'a>, DetectError> {
        let grid = (input.0 / STRIDE, input.1 / STRIDE);
        let want = |channels: usize| vec![1, grid.1, grid.0, channels];
        let find = |channels: usize| {
            outputs
                .iter()
                .find(|t| t.shape == want(channels))
                .map(|t| t.data.as_slice())
        };
        let shapes = || {
            outputs
                .iter()
                .map(|t| format!("{:?}", t.shape))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let missing = |what: &str, channels: usize| DetectError::Output {
            model: CENTERNET_MODEL_ID.to_string(),
            detail: format!(
                "no {what} output of shape {:?} (got {})",
                want(channels),
                shapes()
            ),
        };
        Ok(Heads {
            heat: find(CLASSES).ok_or_else(|| missing("heatmap", CLASSES))?,
            edges: find(4).ok_or_else(|| missing("box edges", 4))?,
            grid,
        })
    }

    /// Cells that are the maximum of their 3×3 neighbourhood (per class)
    /// and score at least `threshold`, as boxes in network input pixels.
    fn peaks(&self, threshold: f32) -> Vec<Detection> {
        let (gw, gh) = self.grid;
        let at = |x: usize, y: usize, c: usize| self.heat[(y * gw + x) * CLASSES + c];
        let mut found = Vec::new();
        for y in 0..gh {
            for x in 0..gw {
                for c in 0..CLASSES {
                    let v = at(x, y, c);
                    if v.is_nan() || v < threshold {
                        continue;
                    }
                    let mut peak = true;
                    'around: for ny in y.saturating_sub(1)..=(y + 1).min(gh - 1) {
                        for nx in x.saturating_sub(1)..=(x + 1).min(gw - 1) {
                            if (nx, ny) != (x, y) && at(nx, ny, c) > v {
                                peak = false;
                                break 'around;
                            }
                        }
                    }
                    if !peak {
                        continue;
                    }
                    let e = &self.edges[(y * gw + x) * 4..(y * gw + x) * 4 + 4];
                    let (cx, cy) = ((x * STRIDE) as f32, (y * STRIDE) as f32);
                    let (x1, y1, x2, y2) = (cx - e[0], cy - e[1], cx + e[2], cy + e[3]);
                    if !(x2 > x1 && y2 > y1) {
                        continue;
                    }
                    found.push(Detection {
                        bbox: Rect::new(x1, y1, x2 - x1, y2 - y1),
                        score: v,
                        class: c as u32,
                    });
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_sizes_keep_the_aspect_in_multiples_of_32() {
        assert_eq!(input_size((960, 540), 800), (800, 448));
        assert_eq!(input_size((1920, 1080), 512), (512, 288));
        assert_eq!(input_size((540, 960), 800), (448, 800));
        assert_eq!(input_size((1242, 375), 800), (800, 256));
        assert_eq!(input_size((100, 100), 512), (512, 512));
        assert_eq!(input_size((10000, 10), 512), (512, 32));
    }

    #[test]
    fn settings_that_cannot_work_are_refused() {
        let ok = CenterNetOptions::default();
        assert!(ok.validate().is_ok());
        for bad in [
            CenterNetOptions {
                input_long_side: 500,
                ..ok.clone()
            },
            CenterNetOptions {
                score_threshold: f32::NAN,
                ..ok.clone()
            },
            CenterNetOptions {
                nms_iou: 1.5,
                ..ok.clone()
            },
            CenterNetOptions {
                threads: 0,
                ..ok.clone()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_peak_becomes_one_box_from_its_edges() {
        // A 2x2-cell grid (8x8 input): one class-2 peak at cell (1, 0).
        let mut heat = vec![0.0; 4 * CLASSES];
        heat[CLASSES + 2] = 0.9;
        heat[3 * CLASSES + 2] = 0.5; // a lower neighbour: not a peak
        let mut edges = vec![0.0; 16];
        edges[4..8].copy_from_slice(&[2.0, 1.0, 3.0, 5.0]);
        let heads = Heads {
            heat: &heat,
            edges: &edges,
            grid: (2, 2),
        };
        let found = heads.peaks(0.3);
        assert_eq!(found.len(), 1, "{found:?}");
        let best = &found[0];
        assert_eq!(best.class, 2);
        // Centre (4, 0): x 2..7, y -1..5.
        assert_eq!(best.bbox, Rect::new(2.0, -1.0, 5.0, 6.0));
    }
}
