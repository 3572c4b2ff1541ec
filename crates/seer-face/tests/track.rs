//! The tracker on real faces: a camera pan across a labelled two-person
//! photo (a window sliding a few pixels per frame) keeps one track per
//! person, with ids that do not swap, through frames where a face is
//! dropped from the detections.

mod common;

use common::*;
use seer_face::{DetectOptions, FaceScanner, ScanOptions, TrackedFace};

#[test]
fn a_pan_across_two_people_gives_two_stable_tracks() {
    let mut detector = detector();
    let photo = seer_imgproc::load_rgb(&faces_dir().join("probes/two_people.jpg")).unwrap();
    let (w, h) = photo.dimensions();
    let (cw, ch) = (w * 9 / 10, h * 9 / 10);
    let steps = 12u32;
    // The library's scan loop; the detections are ours so that two can
    // be dropped.
    let mut scanner = FaceScanner::new(ScanOptions::default());
    for i in 0..steps {
        // The window moves right and down; faces move left and up.
        let x = (w - cw) * i / (steps - 1);
        let y = (h - ch) * i / (steps - 1);
        let frame = image::imageops::crop_imm(&photo, x, y, cw, ch).to_image();
        let mut faces = detector.detect(&frame, &DetectOptions::default()).unwrap();
        // Frames 4 and 5: the detector "misses" the leftmost face.
        if i == 4 || i == 5 {
            faces.sort_by(|a, b| a.bbox.x.total_cmp(&b.bbox.x));
            faces.remove(0);
        }
        scanner.track_frame(i as u64, i as f64 / 25.0, &frame, faces);
    }
    let scan = scanner.finish();
    let (tracks, frames) = (scan.tracks, scan.frames);
    for t in &tracks {
        eprintln!("{t:?}");
    }
    // Two people, both seen in (nearly) every frame, each one track.
    let long: Vec<_> = tracks.iter().filter(|t| t.frames >= 8).collect();
    assert_eq!(long.len(), 2, "{tracks:?}");
    for t in &long {
        assert_eq!(t.first_frame, 0, "{t:?}");
        assert_eq!(t.last_frame, steps as u64 - 1, "{t:?}");
    }
    // Ids do not swap: in every frame the left face has the left track.
    let left_id = frames[0]
        .faces
        .iter()
        .min_by(|a, b| a.face.bbox.x.total_cmp(&b.face.bbox.x))
        .and_then(|f| f.track)
        .unwrap();
    for frame in &frames {
        let mut by_x: Vec<&TrackedFace> = frame
            .faces
            .iter()
            .filter(|f| long.iter().any(|t| Some(t.track) == f.track))
            .collect();
        by_x.sort_by(|a, b| a.face.bbox.x.total_cmp(&b.face.bbox.x));
        if by_x.len() == 2 {
            assert_eq!(by_x[0].track, Some(left_id), "frame {}", frame.frame);
        } else {
            assert!(
                by_x.iter().all(|f| f.track != Some(left_id)),
                "frame {}",
                frame.frame
            );
        }
    }
}
