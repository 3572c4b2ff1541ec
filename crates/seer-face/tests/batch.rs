//! The parallel describer gives, for every image and in input order, the
//! same faces and descriptors as one detector and embedder run image by
//! image, and one unreadable input is an error at its own index only.

mod common;

use common::*;
use seer_core::progress::NoProgress;
use seer_face::batch::BatchDescriber;
use seer_face::{DetectOptions, FaceError};
use std::path::PathBuf;

#[test]
fn two_workers_match_one_image_at_a_time_in_input_order() {
    let mut detector = detector();
    let mut embedder = embedder();
    let mut inputs: Vec<PathBuf> = gallery().into_iter().map(|(_, p)| p).collect();
    let probes_dir = faces_dir().join("probes");
    inputs.extend(probes().iter().map(|p| probes_dir.join(&p.file)));
    inputs.insert(3, faces_dir().join("no_such_photo.jpg"));
    let options = DetectOptions::default();
    let mut batch = BatchDescriber::from_files(
        &seer_models::testing::model_path(seer_face::DETECTOR_MODEL_ID),
        &seer_models::testing::model_path(seer_face::EMBEDDER_MODEL_ID),
        2,
    )
    .unwrap();
    assert_eq!(batch.workers(), 2);
    let results = batch.describe(
        &inputs,
        |path| Ok(seer_imgproc::load_rgb(path)?),
        &options,
        &NoProgress,
    );
    assert_eq!(results.len(), inputs.len());
    let mut faces_seen = 0;
    for (path, result) in inputs.iter().zip(&results) {
        if !path.exists() {
            assert!(
                matches!(result, Err(FaceError::Image(_))),
                "{}: {result:?}",
                path.display()
            );
            continue;
        }
        let described = result.as_ref().unwrap();
        let image = seer_imgproc::load_rgb(path).unwrap();
        let faces = detector.detect(&image, &options).unwrap();
        assert_eq!(described.faces.len(), faces.len(), "{}", path.display());
        assert_eq!(described.embeddings.len(), faces.len());
        for ((got, want), embedding) in described
            .faces
            .iter()
            .zip(&faces)
            .zip(&described.embeddings)
        {
            assert!(got.bbox.iou(&want.bbox) > 0.99, "{}", path.display());
            let alone = embedder.embed(&image, want).unwrap();
            assert!(embedding.distance(&alone) < 1e-3, "{}", path.display());
        }
        faces_seen += faces.len();
    }
    assert!(
        faces_seen >= 20,
        "only {faces_seen} faces in the test photos"
    );
}
