//! Verification with detector-driven crops on the gallery photos, against
//! face-api's convention (same person < 0.6 Euclidean), with cosine
//! similarity reported too.
//!
//! Measured with the 1.2× square crop around the BlazeFace box (no
//! rotation alignment): same-person distances 0.416..0.592, different-person
//! 0.523..0.981; the one pair on the wrong side is alex_lacamoire/2.png
//! (a small, soft 424×394 photo) vs kit_harington/2.jpg (a tilted head) at
//! 0.523. On the four subjects of seer-models' hand-set-box test (obama,
//! biden, kit_harington, rose_leslie) every pair is on the right side.

mod common;

use common::*;
use seer_face::{largest, verify, DetectOptions, Embedding};

#[test]
fn same_person_pairs_are_under_0_6_and_different_people_over() {
    let mut detector = detector();
    let mut embedder = embedder();
    let mut items: Vec<(String, String, Embedding)> = Vec::new();
    for (subject, path) in gallery() {
        let image = seer_imgproc::load_rgb(&path).unwrap();
        let faces = detector.detect(&image, &DetectOptions::default()).unwrap();
        let face = largest(&faces).unwrap();
        let embedding = embedder.embed(&image, face).unwrap();
        assert_eq!(embedding.values.len(), 128);
        let name = format!("{subject}/{}", path.file_name().unwrap().to_string_lossy());
        items.push((subject, name, embedding));
    }
    let (mut same_d, mut diff_d) = (Vec::new(), Vec::new());
    let (mut same_c, mut diff_c) = (Vec::new(), Vec::new());
    let mut errors = Vec::new();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            let v = verify(&items[i].2, &items[j].2);
            let same = items[i].0 == items[j].0;
            eprintln!(
                "{:<28} {:<28} d {:.3} cos {:.3} {}",
                items[i].1,
                items[j].1,
                v.distance,
                v.cosine_similarity,
                if same { "same" } else { "diff" }
            );
            if same {
                same_d.push(v.distance);
                same_c.push(v.cosine_similarity);
            } else {
                diff_d.push(v.distance);
                diff_c.push(v.cosine_similarity);
            }
            if v.same_person != same {
                errors.push(format!(
                    "{} vs {}: {:.3}",
                    items[i].1, items[j].1, v.distance
                ));
            }
        }
    }
    let range = |v: &[f32]| {
        (
            v.iter().copied().fold(f32::MAX, f32::min),
            v.iter().copied().fold(f32::MIN, f32::max),
        )
    };
    eprintln!(
        "same-person distance {:?} cosine {:?}; different-person distance {:?} cosine {:?}",
        range(&same_d),
        range(&same_c),
        range(&diff_d),
        range(&diff_c)
    );
    assert_eq!(same_d.len(), 5);
    assert!(
        range(&same_d).1 < 0.6,
        "same-person distances {:?}",
        range(&same_d)
    );
    assert_eq!(
        errors,
        vec!["alex_lacamoire/2.png vs kit_harington/2.jpg: 0.523".to_string()],
        "pairs on the wrong side of 0.6 changed"
    );
    // Without the low-quality alex_lacamoire/2.png every pair is right.
    let clean = ["obama", "biden", "kit_harington", "rose_leslie"];
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if !clean.contains(&items[i].0.as_str()) || !clean.contains(&items[j].0.as_str()) {
                continue;
            }
            let v = verify(&items[i].2, &items[j].2);
            assert_eq!(
                v.same_person,
                items[i].0 == items[j].0,
                "{} vs {}",
                items[i].1,
                items[j].1
            );
        }
    }
}

#[test]
fn a_photo_is_the_same_person_as_itself() {
    let mut detector = detector();
    let mut embedder = embedder();
    let path = faces_dir().join("gallery/obama/1.jpg");
    let image = seer_imgproc::load_rgb(&path).unwrap();
    let faces = detector.detect(&image, &DetectOptions::default()).unwrap();
    let a = embedder.embed(&image, &faces[0]).unwrap();
    let v = verify(&a, &a);
    assert_eq!(v.distance, 0.0);
    assert!((v.cosine_similarity - 1.0).abs() < 1e-5);
    assert!(v.same_person);
}

/// Cosine similarities of every gallery pair with the second face of each
/// pair under `degrade` (a function of the 150×150 embedder crop):
/// (same-person scores, different-person scores).
fn pair_scores(degrade: &dyn Fn(&image::RgbImage) -> image::RgbImage) -> (Vec<f32>, Vec<f32>) {
    let mut detector = detector();
    let mut embedder = embedder();
    let mut items = Vec::new();
    for (subject, path) in gallery() {
        let image = seer_imgproc::load_rgb(&path).unwrap();
        let faces = detector.detect(&image, &DetectOptions::default()).unwrap();
        let crop = seer_face::embed::face_crop(&image, &largest(&faces).unwrap().bbox);
        let clean = embedder.embed_crop(&crop).unwrap();
        let degraded = embedder.embed_crop(&degrade(&crop)).unwrap();
        items.push((subject, clean, degraded));
    }
    let (mut same, mut different) = (Vec::new(), Vec::new());
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            let s = items[i].1.cosine_similarity(&items[j].2);
            if items[i].0 == items[j].0 {
                same.push(s);
            } else {
                different.push(s);
            }
        }
    }
    (same, different)
}

#[test]
fn clean_gallery_pairs_separate_with_a_high_auc() {
    let (same, different) = pair_scores(&|c| c.clone());
    let auc = seer_eval::stats::auc(&same, &different);
    eprintln!(
        "clean AUC {auc:.3} ({} same, {} different)",
        same.len(),
        different.len()
    );
    // Gallery and single-person probes (`seer bench faces-verify`): 0.998.
    assert!(auc >= 0.95, "clean AUC {auc}");
}

#[test]
fn darkened_faces_verify_no_worse_with_exposure_normalisation() {
    use seer_core::random::SeededRng;
    use seer_eval::faces::synthetic::darken;
    use seer_eval::stats::auc;
    use seer_face::{exposure, ExposureMode};
    let dark = |c: &image::RgbImage| darken(c, &mut SeededRng::new(5));
    let (s, d) = pair_scores(&dark);
    let plain = auc(&s, &d);
    let normalised = |c: &image::RgbImage| {
        let x = darken(c, &mut SeededRng::new(5));
        exposure::normalise(&x, ExposureMode::Auto).unwrap_or(x)
    };
    let (s, d) = pair_scores(&normalised);
    let with = auc(&s, &d);
    eprintln!("dark AUC {plain:.3}, with CLAHE {with:.3}");
    assert!(with >= plain - 0.02, "{with} < {plain}");
}

#[test]
fn batched_descriptors_equal_one_at_a_time() {
    let mut detector = detector();
    let mut embedder = embedder();
    // A group photo: several faces go through the embedder in one run.
    let path = faces_dir().join("probes/obama_and_biden.jpg");
    let image = seer_imgproc::load_rgb(&path).unwrap();
    let faces = detector.detect(&image, &DetectOptions::default()).unwrap();
    assert!(faces.len() >= 2, "{} faces", faces.len());
    let batched = embedder.embed_all(&image, &faces).unwrap();
    assert_eq!(batched.len(), faces.len());
    for (face, together) in faces.iter().zip(&batched) {
        let alone = embedder.embed(&image, face).unwrap();
        let worst = alone
            .values
            .iter()
            .zip(&together.values)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-4,
            "batched and single descriptors differ by {worst}"
        );
    }
}
