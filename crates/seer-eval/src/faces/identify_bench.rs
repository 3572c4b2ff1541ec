//! `seer bench faces`: identification accuracy on a labelled folder.
//! Every gallery photo is enrolled into a fresh temporary gallery (random
//! key, deleted afterwards) and every probe identified against it
//! ([`crate::faces::gallery::evaluate_folder`]).

use crate::error::{io, EvalError};
use crate::faces::gallery::{evaluate_folder, Evaluation};
use seer_core::progress::Progress;
use seer_face::{DetectOptions, Detector, Embedder, Gallery, GalleryKey};
use seer_models::Store;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// What to measure.
#[derive(Clone, Debug)]
pub struct IdentifyBenchOptions {
    /// Folder with `gallery/<subject>/*` and `probes/*` + `probes/labels.csv`.
    pub data: PathBuf,
    /// Distance under which the nearest subject is accepted (positive).
    pub threshold: f32,
    /// Also search 2×2 overlapping tiles for small faces.
    pub small_faces: bool,
}

/// The evaluation and how long it took.
#[derive(Clone, Debug, Serialize)]
pub struct IdentifyBench {
    /// Per probe and in total.
    pub evaluation: Evaluation,
    /// Wall time of enrolment and identification, seconds.
    pub seconds: f64,
}

/// Runs the benchmark with the models of `store` (ONNX Runtime loaded).
pub fn bench_identify(
    store: &Store,
    options: &IdentifyBenchOptions,
    progress: &dyn Progress,
) -> Result<IdentifyBench, EvalError> {
    if !(options.threshold.is_finite() && options.threshold > 0.0) {
        return Err(EvalError::InvalidOption {
            option: "threshold",
            why: format!("must be a positive distance, got {}", options.threshold),
        });
    }
    for needed in ["gallery", "probes/labels.csv"] {
        if !options.data.join(needed).exists() {
            return Err(EvalError::MissingData {
                what: format!(
                    "{} has no {needed}; give a folder with gallery/<subject>/* and probes/labels.csv",
                    options.data.display()
                ),
            });
        }
    }
    let mut detector = Detector::from_store(store, progress)?;
    let mut embedder = Embedder::from_store(store, progress)?;
    let tmp = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix("seer-bench-faces-")
        .tempdir()
        .map_err(io(&tmp))?;
    let mut gallery = Gallery::open_or_create(&dir.path().join("bench.db"), GalleryKey::random()?)?;
    gallery.set_threshold(options.threshold);
    let detect = DetectOptions {
        small_faces: options.small_faces,
        ..Default::default()
    };
    let start = Instant::now();
    let evaluation = evaluate_folder(
        &mut gallery,
        &mut detector,
        &mut embedder,
        &options.data,
        &detect,
        progress,
    )?;
    Ok(IdentifyBench {
        evaluation,
        seconds: start.elapsed().as_secs_f64(),
    })
}
