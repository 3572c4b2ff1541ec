//! `seer bench liveness`: the anti-spoofing models on the real faces of a
//! data folder against simulated attacks of the same faces
//! ([`crate::faces::liveness`]).

use crate::error::EvalError;
use crate::faces::liveness::{dataset_samples, dump_samples, evaluate, Evaluation};
use seer_core::progress::Progress;
use seer_face::liveness::{LivenessModel, LivenessScorer};
use seer_face::Detector;
use seer_models::Store;
use serde::Serialize;
use std::path::PathBuf;

/// What to measure.
#[derive(Clone, Debug)]
pub struct LivenessBenchOptions {
    /// Faces data folder with `gallery/<subject>/*` and `probes/*` photos.
    pub data: PathBuf,
    /// Also write every sample (real and simulated attack, as scored) as a
    /// PNG into this folder.
    pub dump: Option<PathBuf>,
}

/// The evaluation and what it was made from.
#[derive(Clone, Debug, Serialize)]
pub struct LivenessBench {
    /// Per model and convention.
    pub evaluation: Evaluation,
    /// Photos read.
    pub photos: usize,
    /// Faces under [`crate::faces::liveness::MIN_FACE_PX`], skipped.
    pub skipped_small: usize,
}

/// Runs the benchmark with the models of `store` (ONNX Runtime loaded).
pub fn bench_liveness(
    store: &Store,
    options: &LivenessBenchOptions,
    progress: &dyn Progress,
) -> Result<LivenessBench, EvalError> {
    let files = crate::dataset::all_photos(&options.data)?;
    if files.is_empty() {
        return Err(EvalError::MissingData {
            what: format!(
                "no photos in {}/gallery/*/ or {}/probes/",
                options.data.display(),
                options.data.display()
            ),
        });
    }
    let mut detector = Detector::from_store(store, progress)?;
    let mut scorers = Vec::new();
    for model in LivenessModel::ALL {
        scorers.push(LivenessScorer::from_store(model, store, progress)?);
    }
    let dataset = dataset_samples(&mut detector, &options.data, &files, progress)?;
    if let Some(dir) = &options.dump {
        dump_samples(dir, &dataset.samples)?;
    }
    let evaluation = evaluate(&dataset.samples, &mut scorers, progress)?;
    Ok(LivenessBench {
        evaluation,
        photos: files.len(),
        skipped_small: dataset.skipped_small,
    })
}
