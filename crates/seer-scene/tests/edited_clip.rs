//! The detector on an edited clip with known boundaries: hard cuts
//! (including the Hamilton clip's own), one dissolve and one fade.

mod shots_common;

use seer_core::{CancelToken, NoProgress};
use seer_scene::{detect_shots, ShotOptions};
use seer_testdata::shots::edited_clip;
use shots_common::{check_contiguous, matches, TOLERANCE};

#[test]
fn finds_cuts_dissolve_and_fade_with_their_labels() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("edited.mp4");
    let truth = edited_clip(&path);
    let csv = std::fs::read_to_string(dir.path().join("edited.mp4.boundaries.csv"))
        .expect("the true boundaries are written next to the clip");
    assert_eq!(csv.lines().count(), truth.len() + 1, "{csv}");
    let started = std::time::Instant::now();
    let list = detect_shots(
        &path,
        &ShotOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .expect("shots of the edited clip");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "edited clip: {} frames of {}x{} analysed in {seconds:.2} s ({:.0} frames/s, decode included)",
        list.frames,
        seer_testdata::shots::WIDTH,
        seer_testdata::shots::HEIGHT,
        list.frames as f64 / seconds
    );
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
        "boundaries within ±{TOLERANCE} frames: true {}, found {}, matched {}; precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}; labels right {labelled}/{}",
        truth.len(),
        found.len(),
        pairs.len(),
        pairs.len()
    );
    assert!(f1 >= 0.95, "F1 {f1:.3}");
    assert_eq!(
        labelled,
        pairs.len(),
        "every matched boundary labelled right"
    );
    for kind in ["cut", "fade", "dissolve"] {
        assert!(
            pairs.iter().any(|(i, _)| truth[*i].kind.name() == kind),
            "the {kind} is found"
        );
    }
}
