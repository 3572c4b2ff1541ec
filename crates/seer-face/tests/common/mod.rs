//! Shared helpers of the seer-face integration tests: the labelled photos
//! in `testdata/faces` and the two models, fetched on first use.

#![allow(dead_code)]

use seer_face::{DetectOptions, Detector, Embedder, Face};
use seer_runtime::SessionOptions;
use std::path::{Path, PathBuf};

/// `testdata/faces` (gallery/<subject>/*, probes/* + labels.csv).
pub fn faces_dir() -> PathBuf {
    seer_testdata::faces()
}

/// Every gallery photo as (subject, path), sorted.
pub fn gallery() -> Vec<(String, PathBuf)> {
    seer_eval::dataset::gallery_photos(&faces_dir().join("gallery")).unwrap()
}

/// One row of probes/labels.csv.
pub type Probe = seer_eval::dataset::ProbeLabel;

/// Every row of probes/labels.csv, in file order.
pub fn probes() -> Vec<Probe> {
    seer_eval::dataset::read_labels(&faces_dir().join("probes/labels.csv")).unwrap()
}

pub fn detector() -> Detector {
    seer_models::testing::init_runtime();
    let path = seer_models::testing::model_path(seer_face::DETECTOR_MODEL_ID);
    Detector::from_file(&path, &SessionOptions { threads: 2 }).unwrap()
}

pub fn embedder() -> Embedder {
    seer_models::testing::init_runtime();
    let path = seer_models::testing::model_path(seer_face::EMBEDDER_MODEL_ID);
    Embedder::from_file(&path, &SessionOptions { threads: 2 }).unwrap()
}

pub fn detect(detector: &mut Detector, path: &Path, options: &DetectOptions) -> Vec<Face> {
    let image = seer_imgproc::load_rgb(path).unwrap();
    detector.detect(&image, options).unwrap()
}

pub fn describe(face: &Face) -> String {
    let b = face.bbox;
    let k: Vec<String> = face
        .keypoints
        .iter()
        .map(|p| format!("({:.0},{:.0})", p.x, p.y))
        .collect();
    format!(
        "box ({:.0},{:.0},{:.0}x{:.0}) score {:.3} kp {} q size {:.0} sharp {:.0} exp {:.2}",
        b.x,
        b.y,
        b.width,
        b.height,
        face.score,
        k.join(" "),
        face.quality.size_px,
        face.quality.sharpness,
        face.quality.exposure
    )
}
