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
    let mut out = Vec::new();
    let root = faces_dir().join("gallery");
    let mut subjects: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    subjects.sort();
    for dir in subjects {
        let subject = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            out.push((subject.clone(), f));
        }
    }
    out
}

/// One row of probes/labels.csv.
pub struct Probe {
    pub file: String,
    /// Enrolled people from left to right.
    pub subjects: Vec<String>,
    /// Least number of other faces visible.
    pub min_other: usize,
}

pub fn probes() -> Vec<Probe> {
    let text = std::fs::read_to_string(faces_dir().join("probes/labels.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            Probe {
                file: cols[0].to_string(),
                subjects: cols[1].split(';').map(str::to_string).collect(),
                min_other: cols[2].trim().parse().unwrap(),
            }
        })
        .collect()
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
