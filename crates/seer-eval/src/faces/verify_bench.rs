//! `seer bench faces-verify`: 1:1 verification under degradation.
//!
//! Items are the largest face of every gallery photo (`DATA/gallery/*/*`)
//! and of every probe labelled with exactly one enrolled person and no
//! other faces (`DATA/probes/labels.csv`). Every unordered pair (a, b) is
//! scored by cosine similarity of the 128-d descriptors, with `a` clean and
//! `b` under one condition: clean; reduced to a 24 px wide face (the
//! embedder crop shrunk so the face box is 24 px wide, then enlarged back);
//! darkened ([`crate::faces::synthetic::darken`]); each also with exposure
//! normalisation of the crop (CLAHE when it is badly exposed). Reported:
//! ROC AUC and the true-accept rate at a 1 % false-accept rate.

use crate::error::EvalError;
use crate::faces::synthetic;
use image::RgbImage;
use seer_core::progress::Progress;
use seer_core::random::SeededRng;
use seer_core::CancelToken;
use seer_face::embed::{face_crop, CROP_SCALE, INPUT_SIZE};
use seer_face::{exposure, largest, DetectOptions, Detector, Embedder, Embedding, ExposureMode};
use seer_models::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Face width (pixels) of the low-resolution condition.
pub const SMALL_FACE_PX: u32 = 24;

/// What to measure.
#[derive(Clone, Debug)]
pub struct VerifyBenchOptions {
    /// The faces data folder (gallery/<subject>/*, probes/labels.csv).
    pub data: PathBuf,
    /// Use the gallery photos only (no single-person probes).
    pub gallery_only: bool,
    /// Seed of the darkening noise.
    pub seed: u64,
}

/// A degradation of the second face of each pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Condition {
    /// Unchanged.
    Clean,
    /// Face reduced to [`SMALL_FACE_PX`] wide and enlarged back.
    Small,
    /// Darkened (gamma 2.2, ×0.35, noise σ 6).
    Dark,
}

/// The conditions in report order: (name, degradation, exposure mode).
pub const CONDITIONS: [(&str, Condition, ExposureMode); 6] = [
    ("clean", Condition::Clean, ExposureMode::Off),
    ("clean+exp", Condition::Clean, ExposureMode::Auto),
    ("small24", Condition::Small, ExposureMode::Off),
    ("small24+exp", Condition::Small, ExposureMode::Auto),
    ("dark", Condition::Dark, ExposureMode::Off),
    ("dark+exp", Condition::Dark, ExposureMode::Auto),
];

/// The embedder crop of a face under `condition`, then normalised as
/// `exposure` says.
pub fn degraded_crop(
    crop: &RgbImage,
    condition: Condition,
    exposure_mode: ExposureMode,
    rng: &mut SeededRng,
) -> RgbImage {
    let degraded = match condition {
        Condition::Clean => crop.clone(),
        Condition::Small => {
            // The face box spans INPUT_SIZE / CROP_SCALE crop pixels.
            let face_px = INPUT_SIZE as f32 / CROP_SCALE;
            let width = (INPUT_SIZE as f32 * SMALL_FACE_PX as f32 / face_px).round() as u32;
            synthetic::down_up(crop, width)
        }
        Condition::Dark => synthetic::darken(crop, rng),
    };
    exposure::normalise(&degraded, exposure_mode).unwrap_or(degraded)
}

/// The scores under one condition.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The condition's name ([`CONDITIONS`]).
    pub condition: &'static str,
    /// Pairs of the same person.
    pub same_pairs: usize,
    /// Pairs of different people.
    pub different_pairs: usize,
    /// ROC AUC of the cosine similarity ([`crate::stats::auc`]; NaN, shown
    /// as `null`, when a pair list is empty).
    pub auc: f32,
    /// True-accept rate at a 1 % false-accept rate, 0..1.
    pub tar_at_far_1pct: f32,
    /// The cosine similarity threshold of that rate.
    pub cosine_threshold: f32,
}

/// The whole measurement.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyBench {
    /// Every photo used, as `subject: path`.
    pub items: Vec<String>,
    /// Per condition, in [`CONDITIONS`] order.
    pub rows: Vec<Row>,
}

/// (subject, path) of every photo used.
fn items(data: &Path, gallery_only: bool) -> Result<Vec<(String, PathBuf)>, EvalError> {
    let mut out = crate::dataset::gallery_photos(&data.join("gallery"))?;
    if !gallery_only {
        let labels = crate::dataset::read_labels(&data.join("probes/labels.csv"))?;
        for label in labels {
            if label.subjects.len() == 1 && label.min_other_faces == 0 {
                out.push((
                    label.subjects[0].clone(),
                    data.join("probes").join(label.file),
                ));
            }
        }
    }
    Ok(out)
}

/// Runs the benchmark with the models of `store` (ONNX Runtime loaded);
/// `cancel` is checked per photo.
pub fn bench_verify(
    store: &Store,
    options: &VerifyBenchOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<VerifyBench, EvalError> {
    let items = items(&options.data, options.gallery_only)?;
    if items.len() < 2 {
        return Err(EvalError::MissingData {
            what: format!("fewer than two photos in {}", options.data.display()),
        });
    }
    let mut detector = Detector::from_store(store, progress)?;
    let mut embedder = Embedder::from_store(store, progress)?;
    let mut rng = SeededRng::new(options.seed);
    // embeddings[item][condition]
    let mut embeddings: Vec<Vec<Embedding>> = Vec::new();
    progress.start("describing faces", Some(items.len() as u64));
    for (i, (_, path)) in items.iter().enumerate() {
        cancel.check()?;
        let image = seer_imgproc::load_rgb(path)?;
        let faces = detector.detect(&image, &DetectOptions::default())?;
        let face = largest(&faces).ok_or_else(|| EvalError::NoFace { path: path.clone() })?;
        let crop = face_crop(&image, &face.bbox);
        let mut per_condition = Vec::new();
        for (_, condition, mode) in CONDITIONS {
            let c = degraded_crop(&crop, condition, mode, &mut rng);
            per_condition.push(embedder.embed_crop(&c)?);
        }
        embeddings.push(per_condition);
        progress.set(i as u64 + 1);
    }
    progress.finish();
    let mut rows = Vec::new();
    for (ci, (name, _, _)) in CONDITIONS.iter().enumerate() {
        let (mut same, mut different) = (Vec::new(), Vec::new());
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                let s = embeddings[a][0].cosine_similarity(&embeddings[b][ci]);
                if items[a].0 == items[b].0 {
                    same.push(s);
                } else {
                    different.push(s);
                }
            }
        }
        let (tar, threshold) = crate::stats::tar_at_far(&same, &different, 0.01);
        rows.push(Row {
            condition: name,
            same_pairs: same.len(),
            different_pairs: different.len(),
            auc: crate::stats::auc(&same, &different) as f32,
            tar_at_far_1pct: tar,
            cosine_threshold: threshold,
        });
    }
    Ok(VerifyBench {
        items: items
            .iter()
            .map(|(s, p)| format!("{s}: {}", p.display()))
            .collect(),
        rows,
    })
}
