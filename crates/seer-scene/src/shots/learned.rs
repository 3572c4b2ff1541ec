//! Shot boundaries from TransNetV2, the learned shot-boundary network
//! (model `scene.shots.transnetv2`): frames shrunk to 48×27, windows of 100
//! frames stepping by 50 (25 copies of the first frame before the video,
//! copies of the last after it, the middle 50 predictions of each window
//! kept), threshold 0.5 on the single-frame head.
//!
//! The network finds boundaries, not their kind. Each is labelled from the
//! frames around it: a fade when a frame near it is near black or white, a
//! dissolve when the transition spans several frames of either head, else a
//! cut.

use super::{Boundary, ShotDetectorKind, ShotList, ShotOptions, Transition};
use crate::SceneError;
use seer_core::{CancelToken, NoProgress, Progress};
use seer_models::import::transnetv2::{HEIGHT, WIDTH, WINDOW};
use seer_models::Store;
use seer_runtime::{Session, SessionOptions, Tensor};
use std::path::Path;

/// Catalogue id of the TransNetV2 model.
pub const MODEL_ID: &str = "scene.shots.transnetv2";
/// Probability (0–1) of the single-frame head above which a frame ends a shot.
const THRESHOLD: f32 = 0.5;
/// Frames of context before the first kept prediction of a window.
const CONTEXT: usize = 25;
/// Frames kept per window.
const STEP: usize = 50;
/// Transition frames (either head above threshold) from which a boundary is a dissolve.
const DISSOLVE_FRAMES: usize = 3;

/// Finds the shots of the video at `path` with TransNetV2, fetching the
/// model into `store` the first time. Progress is in frames; `cancel` is
/// checked before every frame. Fades use `options.black_level` and
/// `options.white_level`; shots shorter than `options.min_shot_frames` are
/// merged as in the classical detector.
pub fn detect_shots_learned(
    path: &Path,
    store: &Store,
    options: &ShotOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<ShotList, SceneError> {
    options.validate()?;
    let model = store
        .ensure(MODEL_ID, &NoProgress)
        .map_err(|source| SceneError::ShotModel {
            model: MODEL_ID,
            source: Box::new(source),
        })?;
    let runtime = |source| SceneError::ShotRuntime {
        model: MODEL_ID,
        source: Box::new(source),
    };
    let mut session = Session::from_file(&model, &SessionOptions::default()).map_err(runtime)?;

    let mut fps = 0.0;
    let mut frames: Vec<Vec<u8>> = Vec::new();
    super::video::each_frame(path, progress, cancel, |video_fps, image| {
        fps = video_fps;
        let small = seer_imgproc::resize_to(image, WIDTH as u32, HEIGHT as u32);
        frames.push(small.into_raw());
        Ok(())
    })?;
    let (single, many) = predict(&mut session, &frames).map_err(runtime)?;
    let boundaries = boundaries(&frames, &single, &many, options);
    Ok(ShotList::from_boundaries(
        frames.len() as u64,
        fps,
        &boundaries,
    ))
}

/// Runs the network over padded windows; returns both heads per frame (0–1).
fn predict(
    session: &mut Session,
    frames: &[Vec<u8>],
) -> Result<(Vec<f32>, Vec<f32>), seer_runtime::RuntimeError> {
    let n = frames.len();
    // Each frame is in two windows: its histogram is computed once.
    let histograms: Vec<Vec<f32>> = frames.iter().map(|f| histogram(f)).collect();
    let (mut single, mut many) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut start = 0usize; // first kept frame of the window
    while start < n {
        let (mut pixels, mut hists) = (Vec::with_capacity(WINDOW * WIDTH * HEIGHT * 3), Vec::new());
        for i in 0..WINDOW {
            // Before the start the first frame, past the end the last.
            let src = (start + i).saturating_sub(CONTEXT).min(n - 1);
            pixels.extend(frames[src].iter().map(|&v| f32::from(v)));
            hists.extend_from_slice(&histograms[src]);
        }
        let out = session.run(&[
            Tensor {
                shape: vec![1, WINDOW, HEIGHT, WIDTH, 3],
                data: pixels,
            },
            Tensor {
                shape: vec![1, WINDOW, 512],
                data: hists,
            },
        ])?;
        let keep = STEP.min(n - start);
        single.extend(out[0].data.iter().skip(CONTEXT).take(keep));
        many.extend(out[1].data.iter().skip(CONTEXT).take(keep));
        start += STEP;
    }
    Ok((single, many))
}

/// The 8×8×8 RGB histogram of a 48×27 frame, L2-normalised.
fn histogram(rgb: &[u8]) -> Vec<f32> {
    let mut h = vec![0f32; 512];
    for p in rgb.chunks_exact(3) {
        let bin =
            (usize::from(p[0] >> 5) << 6) | (usize::from(p[1] >> 5) << 3) | usize::from(p[2] >> 5);
        h[bin] += 1.0;
    }
    let norm = h.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    h.iter().map(|v| v / norm).collect()
}

fn mean_luma(rgb: &[u8]) -> f32 {
    let sum: f32 = rgb
        .chunks_exact(3)
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .sum();
    sum / (rgb.len() / 3).max(1) as f32 / 255.0
}

/// Runs of frames above threshold on the single head → labelled boundaries
/// (the first frame of the incoming shot).
fn boundaries(
    frames: &[Vec<u8>],
    single: &[f32],
    many: &[f32],
    options: &ShotOptions,
) -> Vec<Boundary> {
    let n = single.len();
    let mut out: Vec<Boundary> = Vec::new();
    let mut i = 0;
    while i < n {
        if single[i] <= THRESHOLD {
            i += 1;
            continue;
        }
        let first = i;
        while i + 1 < n && single[i + 1] > THRESHOLD {
            i += 1;
        }
        let last = i;
        i += 1;
        // The span of the transition on either head.
        let (mut a, mut b) = (first, last);
        while a > 0 && many[a - 1] > THRESHOLD {
            a -= 1;
        }
        while b + 1 < n && many[b + 1] > THRESHOLD {
            b += 1;
        }
        let frame = ((first + last) / 2 + 1) as u64;
        if frame >= n as u64 {
            continue;
        }
        let lo = a.saturating_sub(2);
        let hi = (b + 3).min(n);
        let faded = frames[lo..hi]
            .iter()
            .map(|f| mean_luma(f))
            .any(|l| l < options.black_level || l > options.white_level);
        let transition = if faded {
            Transition::Fade
        } else if b - a + 1 >= DISSOLVE_FRAMES {
            Transition::Dissolve
        } else {
            Transition::Cut
        };
        // A fade out and the fade in after it are one boundary through black
        // or white: the incoming shot starts after the last blank frame.
        if transition == Transition::Fade {
            if let Some(prev) = out.last_mut().filter(|p| p.transition == Transition::Fade) {
                let blank = |f: &Vec<u8>| {
                    let l = mean_luma(f);
                    l < options.black_level || l > options.white_level
                };
                let span = prev.frame as usize..frame as usize;
                if let Some(last_blank) = span.rev().find(|&k| blank(&frames[k])) {
                    prev.frame = last_blank as u64 + 1;
                    continue;
                }
            }
        }
        if out
            .last()
            .is_some_and(|p| frame - p.frame < options.min_shot_frames)
        {
            continue;
        }
        out.push(Boundary { frame, transition });
    }
    out
}

/// A shot list and the detector that produced it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ShotReport {
    /// The detector that ran (`learned` or `classical`, never `auto`).
    pub detector: ShotDetectorKind,
    /// The shots.
    #[serde(flatten)]
    pub list: ShotList,
}

/// Finds the shots of the video at `path` with the detector `kind` asks
/// for; `Auto` runs the learned one when its model is in `store` already,
/// the classical one otherwise.
pub fn find_shots(
    path: &Path,
    store: &Store,
    kind: ShotDetectorKind,
    options: &ShotOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<ShotReport, SceneError> {
    let detector = match kind {
        ShotDetectorKind::Auto => {
            let fetched = store.model(MODEL_ID).is_ok_and(|m| store.status(m).fetched);
            if fetched {
                ShotDetectorKind::Learned
            } else {
                ShotDetectorKind::Classical
            }
        }
        other => other,
    };
    let list = match detector {
        ShotDetectorKind::Learned => detect_shots_learned(path, store, options, progress, cancel)?,
        _ => super::detect_shots(path, options, progress, cancel)?,
    };
    Ok(ShotReport { detector, list })
}
