//! The learned detector (TransNetV2) on the same edited clip as the
//! classical one: hard cuts (including the Hamilton clip's own), one
//! dissolve and one fade; precision/recall within ±2 frames and labels.

mod shots_common;

use seer_core::{CancelToken, NoProgress};
use seer_scene::{detect_shots_learned, ShotOptions};
use seer_testdata::shots::edited_clip;
use shots_common::{check_contiguous, matches, TOLERANCE};

/// Smallest F1 the learned detector must reach on the edited clip.
const FLOOR_F1: f64 = 0.95;

#[test]
fn learned_detector_finds_the_boundaries_of_the_edited_clip() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("edited.mp4");
    let truth = edited_clip(&path);
    seer_models::testing::init_runtime();
    let store = seer_models::testing::store();
    let list = detect_shots_learned(
        &path,
        &store,
        &ShotOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .expect("learned shots of the edited clip");
    print!("{}", list.to_table());
    check_contiguous(&list);
    let found = list.boundaries();
    let pairs = matches(&truth, &found);
    println!("true boundaries: {truth:?}");
    for (i, j) in &pairs {
        println!(
            "  true {:>4} {:<8} found {:>4} {}",
            truth[*i].frame,
            truth[*i].kind.name(),
            found[*j].frame,
            found[*j].transition.name()
        );
    }
    let tp = pairs.len() as f64;
    let precision = tp / found.len().max(1) as f64;
    let recall = tp / truth.len().max(1) as f64;
    let f1 = if tp > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let labelled = pairs
        .iter()
        .filter(|(i, j)| truth[*i].kind.name() == found[*j].transition.name())
        .count();
    println!(
        "learned: boundaries within ±{TOLERANCE} frames: true {}, found {}, matched {}; precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}; labels right {labelled}/{}",
        truth.len(),
        found.len(),
        pairs.len(),
        pairs.len()
    );
    assert!(f1 >= FLOOR_F1, "F1 {f1:.3}");
    assert_eq!(
        labelled,
        pairs.len(),
        "every matched boundary labelled right"
    );
}
