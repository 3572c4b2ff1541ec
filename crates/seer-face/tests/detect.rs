//! BlazeFace detection on real labelled photos (`testdata/faces`):
//! confident faces in every gallery photo, at least the labelled number of
//! faces in every probe, boxes that overlap hand-set face boxes, keypoints
//! where a face has them, and clear errors for unusable input.

mod common;

use common::*;
use seer_core::geometry::Rect;
use seer_face::{DetectOptions, FaceError};

#[test]
fn every_gallery_photo_has_a_face_scoring_at_least_0_7() {
    let mut detector = detector();
    let mut weakest = f32::MAX;
    for (subject, path) in gallery() {
        let faces = detect(&mut detector, &path, &DetectOptions::default());
        let best = faces.iter().map(|f| f.score).fold(0.0, f32::max);
        eprintln!(
            "{subject}/{}: {} face(s), best score {best:.3}",
            path.file_name().unwrap().to_string_lossy(),
            faces.len()
        );
        assert!(best >= 0.7, "{}: best score {best}", path.display());
        weakest = weakest.min(best);
    }
    // Measured: the weakest best score is 0.867 (alex_lacamoire/2.png).
    eprintln!("weakest best score: {weakest:.3}");
}

#[test]
fn every_probe_has_at_least_its_labelled_faces_in_both_modes() {
    let mut detector = detector();
    let mut failures = Vec::new();
    for small_faces in [false, true] {
        let options = DetectOptions {
            small_faces,
            ..Default::default()
        };
        for probe in probes() {
            let path = faces_dir().join("probes").join(&probe.file);
            let faces = detect(&mut detector, &path, &options);
            let wanted = probe.subjects.len() + probe.min_other_faces;
            eprintln!(
                "small_faces={small_faces} {}: {} face(s), labelled {} enrolled + {} other",
                probe.file,
                faces.len(),
                probe.subjects.len(),
                probe.min_other_faces
            );
            if faces.len() < wanted {
                failures.push(format!(
                    "{} ({small_faces}): {} < {wanted}",
                    probe.file,
                    faces.len()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "too few faces: {failures:?}");
}

/// Face boxes hand-set in `seer-models/tests/faceapi_recognition.rs`
/// (gallery file, x, y, width, height in pixels).
const HAND_SET: [(&str, f32, f32, f32, f32); 8] = [
    ("obama/1.jpg", 353.0, 156.0, 281.0, 319.0),
    ("obama/2.jpg", 174.0, 308.0, 331.0, 337.0),
    ("biden/1.jpg", 387.0, 261.0, 349.0, 317.0),
    ("biden/2.jpg", 363.0, 319.0, 564.0, 464.0),
    ("kit_harington/1.jpg", 672.0, 114.0, 154.0, 140.0),
    ("kit_harington/2.jpg", 301.0, 112.0, 191.0, 191.0),
    ("rose_leslie/1.jpg", 615.0, 138.0, 285.0, 286.0),
    ("rose_leslie/2.jpg", 180.0, 191.0, 241.0, 286.0),
];

#[test]
fn detected_boxes_overlap_the_hand_set_boxes() {
    let mut detector = detector();
    let mut lowest = f32::MAX;
    for (file, x, y, w, h) in HAND_SET {
        let path = faces_dir().join("gallery").join(file);
        let faces = detect(&mut detector, &path, &DetectOptions::default());
        let expected = Rect::new(x, y, w, h);
        let best = faces
            .iter()
            .map(|f| f.bbox.iou(&expected))
            .fold(0.0, f32::max);
        eprintln!("{file}: best IoU {best:.3}");
        assert!(best >= 0.4, "{file}: best IoU {best:.3} < 0.4");
        lowest = lowest.min(best);
    }
    eprintln!("lowest IoU: {lowest:.3}");
}

#[test]
fn eyes_are_in_the_top_half_and_the_nose_between_them() {
    let mut detector = detector();
    let mut paths: Vec<_> = gallery().into_iter().map(|(_, p)| p).collect();
    paths.extend(
        probes()
            .iter()
            .map(|p| faces_dir().join("probes").join(&p.file)),
    );
    let mut checked = 0;
    for path in paths {
        for face in detect(&mut detector, &path, &DetectOptions::default()) {
            if face.score < 0.8 {
                continue; // only clear, frontal-enough faces
            }
            let b = face.bbox;
            let top_half = Rect::new(b.x, b.y, b.width, b.height / 2.0);
            let [right_eye, left_eye, nose, ..] = face.keypoints;
            let name = path.display();
            assert!(top_half.contains(right_eye), "{name}: {}", describe(&face));
            assert!(top_half.contains(left_eye), "{name}: {}", describe(&face));
            // The person's right eye appears on the image's left.
            assert!(
                right_eye.x < nose.x && nose.x < left_eye.x,
                "{name}: {}",
                describe(&face)
            );
            checked += 1;
        }
    }
    eprintln!("faces checked: {checked}");
    assert!(checked >= 20, "only {checked} faces scored ≥ 0.8");
}

#[test]
fn quality_measures_are_in_range() {
    let mut detector = detector();
    for (_, path) in gallery() {
        let faces = detect(&mut detector, &path, &DetectOptions::default());
        let face = &faces[0];
        let q = face.quality;
        assert_eq!(q.size_px, face.bbox.width.max(face.bbox.height));
        assert!(q.sharpness > 0.0, "{}: {q:?}", path.display());
        assert!(
            q.exposure > 0.1 && q.exposure < 0.9,
            "{}: {q:?}",
            path.display()
        );
    }
}

#[test]
fn tiny_and_corrupt_images_are_clear_errors() {
    let mut detector = detector();
    let tiny = image::RgbImage::new(1, 1);
    let err = detector
        .detect(&tiny, &DetectOptions::default())
        .unwrap_err();
    assert!(matches!(
        err,
        FaceError::ImageTooSmall {
            width: 1,
            height: 1,
            ..
        }
    ));
    assert!(err.to_string().contains("1×1"), "{err}");

    let dir = std::env::temp_dir().join(format!("seer-face-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let corrupt = dir.join("corrupt.jpg");
    std::fs::write(&corrupt, b"\xff\xd8\xff\xe0 this is not really a jpeg").unwrap();
    let err = seer_imgproc::load_rgb(&corrupt).unwrap_err();
    let message = FaceError::from(err).to_string();
    assert!(message.contains("corrupt.jpg"), "{message}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn small_faces_mode_raises_a_small_face_and_adds_no_background_faces() {
    let mut detector = detector();
    let small = DetectOptions {
        small_faces: true,
        ..Default::default()
    };
    // The girl at the bottom right of obama_and_biden.jpg (~150 px face in a
    // 2000 px photo): measured 0.603 on the whole image, 0.834 on a tile.
    let path = faces_dir().join("probes/obama_and_biden.jpg");
    let girl = Rect::new(1640.0, 1080.0, 150.0, 150.0);
    let score_near = |faces: &[seer_face::Face]| {
        faces
            .iter()
            .filter(|f| f.bbox.iou(&girl) > 0.5)
            .map(|f| f.score)
            .fold(0.0, f32::max)
    };
    let whole = score_near(&detect(&mut detector, &path, &DetectOptions::default()));
    let tiled = score_near(&detect(&mut detector, &path, &small));
    eprintln!("small face score: whole image {whole:.3}, with tiles {tiled:.3}");
    assert!(whole > 0.5 && tiled > whole + 0.1, "{whole} {tiled}");
    // Every gallery photo shows one person: tiles add nothing.
    for (_, path) in gallery() {
        let faces = detect(&mut detector, &path, &small);
        assert_eq!(faces.len(), 1, "{}: {faces:?}", path.display());
    }
}

/// Face-free backgrounds: the dashcam frames and Set14 images without
/// faces.
fn synthetic_backgrounds() -> Vec<image::RgbImage> {
    let data = faces_dir().join("..");
    let mut paths: Vec<_> = std::fs::read_dir(data.join("drive/test_images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for name in ["baboon", "bridge", "flowers", "monarch", "pepper", "zebra"] {
        paths.push(data.join(format!("sr/Set14/{name}.png")));
    }
    paths
        .iter()
        .map(|p| seer_imgproc::load_rgb(p).unwrap())
        .collect()
}

/// The largest face of the first `count` gallery photos, as paste sources.
fn face_sources(
    detector: &mut seer_face::Detector,
    count: usize,
) -> Vec<seer_eval::faces::synthetic::FaceSource> {
    gallery()
        .into_iter()
        .take(count)
        .map(|(_, path)| {
            let image = seer_imgproc::load_rgb(&path).unwrap();
            let faces = detector.detect(&image, &DetectOptions::default()).unwrap();
            let bbox = seer_face::largest(&faces).unwrap().bbox;
            seer_eval::faces::synthetic::FaceSource { image, bbox }
        })
        .collect()
}

/// Recall and false positives per image of `options` on `scenes` seeded
/// 640×480 scenes with 4 faces `width` pixels wide, normal then dark.
fn synthetic_scores(
    detector: &mut seer_face::Detector,
    options: &DetectOptions,
    width: u32,
    scenes: u64,
) -> [(f32, f32); 2] {
    use seer_core::random::SeededRng;
    use seer_eval::faces::synthetic::{darken, make_scene, match_boxes, SceneSpec};
    let sources = face_sources(detector, usize::MAX);
    let backgrounds = synthetic_backgrounds();
    let mut totals = [[0usize; 3]; 2];
    for s in 0..scenes {
        let mut rng = SeededRng::new(1000 + s);
        let spec = SceneSpec {
            width: 640,
            height: 480,
            face_width: width,
            faces: 4,
            dark: false,
        };
        let scene = make_scene(&backgrounds, &sources, &spec, &mut rng);
        let dark = darken(&scene.image, &mut rng);
        for (i, image) in [&scene.image, &dark].into_iter().enumerate() {
            let found: Vec<Rect> = detector
                .detect(image, options)
                .unwrap()
                .iter()
                .map(|f| f.bbox)
                .collect();
            let (hits, fp) = match_boxes(&scene.faces, &found, 0.4);
            totals[i][0] += scene.faces.len();
            totals[i][1] += hits;
            totals[i][2] += fp;
        }
    }
    totals.map(|[n, hits, fp]| (hits as f32 / n as f32, fp as f32 / scenes as f32))
}

#[test]
fn small_faces_mode_finds_24_px_faces_in_normal_and_dark_scenes() {
    let mut detector = detector();
    // What `--small-faces` uses: tile pyramid, exposure normalisation,
    // multi-scale re-check with thresholds for normal and poor light.
    let options = DetectOptions {
        small_faces: true,
        ..Default::default()
    };
    let [(recall, fp), (dark_recall, dark_fp)] = synthetic_scores(&mut detector, &options, 24, 12);
    eprintln!(
        "24 px: normal recall {recall:.3} FP/image {fp:.2}; dark recall {dark_recall:.3} FP/image {dark_fp:.2}"
    );
    assert!(recall >= 0.95, "normal recall {recall}");
    // Measured on these 12 scenes: 1.000 and 1.000, FP 0.00 and 0.00 (the
    // 50-scene benchmark, seed 1: 99.5 % and 95.5 %, FP 0.02 and 0.34).
    assert!(dark_recall >= 0.95, "dark recall {dark_recall}");
    assert!(fp <= 0.5 && dark_fp <= 0.5, "{fp} {dark_fp}");
}

#[test]
fn the_whole_image_alone_misses_most_24_px_faces() {
    // The reason for tiles: 24 px in a 640 px frame is ~10 px in the
    // 256 px model input.
    let mut detector = detector();
    let [(recall, _), _] = synthetic_scores(&mut detector, &DetectOptions::default(), 24, 4);
    eprintln!("24 px, whole image only: recall {recall:.3}");
    assert!(recall < 0.6, "{recall}");
}

/// Recall, false positives per frame and model runs of `search` over a
/// 20-frame 640×480 clip in which three faces `width` pixels wide drift
/// by (3, 2) pixels per frame; darkened when `dark`.
fn moving_clip_scores(
    detector: &mut seer_face::Detector,
    search: &mut seer_face::FrameSearch,
    width: u32,
    dark: bool,
) -> (f32, f32, u64) {
    use seer_core::random::SeededRng;
    use seer_eval::faces::synthetic::{background, darken, match_boxes, paste_face};
    let sources = face_sources(detector, 3);
    let mut rng = SeededRng::new(77);
    let backdrop = background(&synthetic_backgrounds(), 640, 480, &mut rng);
    let options = DetectOptions {
        small_faces: true,
        ..Default::default()
    };
    let starts = [(80i64, 90i64), (300, 240), (480, 120)];
    let runs_before = detector.model_runs();
    let (mut truth_total, mut hits_total, mut fp_total) = (0, 0, 0);
    let frames = 20;
    for f in 0..frames {
        let mut frame = backdrop.clone();
        let truth: Vec<Rect> = sources
            .iter()
            .zip(starts)
            .map(|(source, (x, y))| paste_face(&mut frame, source, width, x + 3 * f, y + 2 * f))
            .collect();
        if dark {
            frame = darken(&frame, &mut rng);
        }
        let found: Vec<Rect> = search
            .detect(detector, &frame, &options)
            .unwrap()
            .iter()
            .map(|f| f.bbox)
            .collect();
        let (hits, fp) = match_boxes(&truth, &found, 0.4);
        truth_total += truth.len();
        hits_total += hits;
        fp_total += fp;
    }
    (
        hits_total as f32 / truth_total as f32,
        fp_total as f32 / frames as f32,
        detector.model_runs() - runs_before,
    )
}

#[test]
fn following_faces_between_full_searches_keeps_recall_at_a_fraction_of_the_runs() {
    let mut detector = detector();
    for dark in [false, true] {
        let every =
            moving_clip_scores(&mut detector, &mut seer_face::FrameSearch::new(1), 24, dark);
        let follow = moving_clip_scores(
            &mut detector,
            &mut seer_face::FrameSearch::new(10),
            24,
            dark,
        );
        eprintln!(
            "24 px moving, dark {dark}: full search every frame recall {:.3} FP/frame {:.2} runs {}; every 10th recall {:.3} FP/frame {:.2} runs {}",
            every.0, every.1, every.2, follow.0, follow.1, follow.2
        );
        assert!(follow.0 >= 0.9, "recall {} (dark {dark})", follow.0);
        assert!(follow.0 >= every.0 - 0.05, "{follow:?} vs {every:?}");
        assert!(
            follow.1 <= 0.5,
            "false positives {} (dark {dark})",
            follow.1
        );
        assert!(
            (follow.2 as f32) < 0.4 * every.2 as f32,
            "{} model runs against {}",
            follow.2,
            every.2
        );
    }
}
