//! `seer face detect` and `seer face verify` end to end on real photos.

mod common;

use common::seer;
use std::path::PathBuf;

fn gallery(file: &str) -> PathBuf {
    seer_testdata::path("faces/gallery").join(file)
}

#[test]
fn detect_json_finds_a_face_and_draw_writes_a_png_of_the_same_size() {
    let dir = tempfile::tempdir().unwrap();
    let drawn = dir.path().join("drawn.png");
    let input = gallery("obama/1.jpg");
    let out = seer()
        .args(["face", "detect", "--json", "--draw"])
        .arg(&drawn)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let faces = json["faces"].as_array().unwrap();
    assert!(!faces.is_empty(), "{json}");
    let score = faces[0]["score"].as_f64().unwrap();
    assert!(score > 0.9, "score {score}");
    assert_eq!(faces[0]["keypoints"].as_array().unwrap().len(), 6);
    let (w, h) = image::image_dimensions(&input).unwrap();
    assert_eq!(json["width"].as_u64(), Some(w as u64));
    assert_eq!(image::image_dimensions(&drawn).unwrap(), (w, h));
    assert_eq!(
        image::ImageFormat::from_path(&drawn).unwrap(),
        image::ImageFormat::Png
    );
}

#[test]
fn verify_says_same_person_for_two_photos_of_one_subject() {
    let out = seer()
        .args(["face", "verify", "--json"])
        .arg(gallery("obama/1.jpg"))
        .arg(gallery("obama/2.jpg"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let distance = json["distance"].as_f64().unwrap();
    // Measured: 0.501.
    assert!(distance < 0.6, "{json}");
    assert_eq!(json["same_person"], true);
    assert!(json["cosine_similarity"].as_f64().unwrap() > 0.9);
}

#[test]
fn verify_without_a_face_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.png");
    image::RgbImage::from_pixel(64, 64, image::Rgb([128, 128, 128]))
        .save(&blank)
        .unwrap();
    let out = seer()
        .args(["face", "verify"])
        .arg(gallery("obama/1.jpg"))
        .arg(&blank)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no face found") && stderr.contains("blank.png"),
        "{stderr}"
    );
}

#[test]
fn detect_on_a_corrupt_or_tiny_image_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.jpg");
    std::fs::write(&corrupt, b"\xff\xd8\xff\xe0 not a jpeg").unwrap();
    let out = seer()
        .args(["face", "detect"])
        .arg(&corrupt)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("corrupt.jpg"), "{stderr}");

    let tiny = dir.path().join("tiny.png");
    image::RgbImage::new(1, 1).save(&tiny).unwrap();
    let out = seer().args(["face", "detect"]).arg(&tiny).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tiny.png") && stderr.contains("1×1"),
        "{stderr}"
    );
}
