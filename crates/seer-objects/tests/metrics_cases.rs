//! CLEAR-MOT and identity metrics on small cases computed by hand.

use seer_core::geometry::Rect;
use seer_objects::metrics::{evaluate, LabelledBox};
use seer_objects::MetricsError;

/// A 10×10 box with its top-left corner at (`x`, 0).
fn b(x: f32) -> Rect {
    Rect::new(x, 0.0, 10.0, 10.0)
}

const EPS: f64 = 1e-9;

#[test]
fn two_objects_four_frames_one_switch_one_miss_one_false_positive() {
    // Ground truth: A (id 1) at x = 0 and B (id 2) at x = 100, frames 1–4.
    let mut gt: Vec<LabelledBox> = Vec::new();
    for f in 1..=4 {
        gt.push((f, 1, b(0.0)));
        gt.push((f, 2, b(100.0)));
    }
    // Hypotheses:
    //   h1 on A in frames 1–3 (shifted 1 px in frame 2: IoU 9·10/110 = 9/11),
    //   h3 on A in frame 4            → an id switch (A was h1),
    //   h2 on B in frames 1–3, none in frame 4 → a miss,
    //   h4 at x = 200 in frame 4      → a false positive.
    let hyp: Vec<LabelledBox> = vec![
        (1, 1, b(0.0)),
        (1, 2, b(100.0)),
        (2, 1, b(1.0)),
        (2, 2, b(100.0)),
        (3, 1, b(0.0)),
        (3, 2, b(100.0)),
        (4, 3, b(0.0)),
        (4, 4, b(200.0)),
    ];
    let m = evaluate(&gt, &hyp).unwrap();
    println!("{m:?}");
    assert_eq!((m.frames, m.gt_objects, m.hypotheses), (4, 8, 8));
    // Matches: 2 + 2 + 2 + 1 = 7.
    assert_eq!(m.matches, 7);
    assert_eq!((m.misses, m.false_positives, m.id_switches), (1, 1, 1));
    // MOTA = 1 − (1 miss + 1 FP + 1 switch) / 8 = 5/8.
    assert!((m.mota - 0.625).abs() < EPS, "{}", m.mota);
    // MOTP = (6 · 1 + 9/11) / 7.
    assert!(
        (m.motp - (6.0 + 9.0 / 11.0) / 7.0).abs() < 1e-6,
        "{}",
        m.motp
    );
    // B's matched run ends with the miss: no gap followed by a match.
    assert_eq!(m.fragmentations, 0);
    // Identity: A–h1 correspond in 3 frames, A–h3 in 1, B–h2 in 3. The best
    // one-to-one pairing is A–h1, B–h2: IDTP = 6. IDFN = 8 − 6 = 2, IDFP =
    // 8 − 6 = 2, IDF1 = 2·6 / (8 + 8) = 0.75, IDP = IDR = 6/8.
    assert_eq!((m.idtp, m.idfn, m.idfp), (6, 2, 2));
    assert!((m.idf1 - 0.75).abs() < EPS, "{}", m.idf1);
    assert!((m.idp - 0.75).abs() < EPS && (m.idr - 0.75).abs() < EPS);
    // A matched 4/4 (mostly tracked), B 3/4 = 75 % (neither).
    assert_eq!(
        (m.gt_trajectories, m.mostly_tracked, m.mostly_lost),
        (2, 1, 0)
    );
    assert!((m.recall - 7.0 / 8.0).abs() < EPS && (m.precision - 7.0 / 8.0).abs() < EPS);
}

#[test]
fn a_still_valid_previous_match_is_kept_over_a_better_overlap() {
    // Frame 1: A matched to h1 exactly. Frame 2: h1 shifted by 2.5 px
    // (IoU 7.5·10 / 125 = 0.6, still ≥ 0.5) and h2 exactly on A (IoU 1).
    // CLEAR-MOT keeps A–h1: no switch, h2 is a false positive. (Matching
    // frame 2 on its own would pick h2 and count a switch.)
    let gt = vec![(1, 1, b(0.0)), (2, 1, b(0.0))];
    let hyp = vec![(1, 1, b(0.0)), (2, 1, b(2.5)), (2, 2, b(0.0))];
    let m = evaluate(&gt, &hyp).unwrap();
    assert_eq!(
        (m.matches, m.id_switches, m.false_positives, m.misses),
        (2, 0, 1, 0)
    );
    // MOTA = 1 − 1/2; MOTP = (1 + 0.6) / 2 = 0.8.
    assert!((m.mota - 0.5).abs() < EPS);
    assert!((m.motp - 0.8).abs() < 1e-6, "{}", m.motp);
    // IDF1: A–h1 correspond in 2 frames, A–h2 in 1: IDTP 2, IDF1 = 4/5.
    assert!((m.idf1 - 0.8).abs() < EPS, "{}", m.idf1);
}

#[test]
fn a_switch_after_a_gap_counts_against_the_last_match_and_fragments() {
    // A is matched to h1 in frame 1, missed in frame 2 (the hypothesis is
    // 20 px off: IoU 0), matched to h2 in frame 3: one miss, one false
    // positive (frame 2), one switch (h1 → h2 across the gap), one
    // fragmentation (matched → missed → matched).
    let gt = vec![(1, 1, b(0.0)), (2, 1, b(0.0)), (3, 1, b(0.0))];
    let hyp = vec![(1, 1, b(0.0)), (2, 1, b(20.0)), (3, 2, b(0.0))];
    let m = evaluate(&gt, &hyp).unwrap();
    assert_eq!(
        (m.misses, m.false_positives, m.id_switches, m.fragmentations),
        (1, 1, 1, 1)
    );
    // MOTA = 1 − 3/3 = 0. IDF1: A–h1 1 frame, A–h2 1 frame → IDTP 1,
    // IDF1 = 2 / (3 + 3) = 1/3. A matched 2/3 ≈ 67 %: neither MT nor ML.
    assert!(m.mota.abs() < EPS);
    assert!((m.idf1 - 1.0 / 3.0).abs() < EPS);
    assert_eq!((m.mostly_tracked, m.mostly_lost), (0, 0));
}

#[test]
fn empty_inputs_and_bad_inputs() {
    let m = evaluate(&[], &[]).unwrap();
    assert_eq!((m.frames, m.gt_objects, m.mota, m.idf1), (0, 0, 0.0, 0.0));
    // One miss and two false positives: MOTA = 1 − (1 + 2)/1 = −2.
    let m = evaluate(&[(1, 1, b(0.0))], &[(1, 5, b(50.0)), (1, 6, b(80.0))]).unwrap();
    assert_eq!((m.misses, m.false_positives), (1, 2));
    assert!((m.mota + 2.0).abs() < EPS, "{}", m.mota);
    assert_eq!(
        evaluate(&[(1, 1, b(0.0)), (1, 1, b(5.0))], &[]),
        Err(MetricsError::DuplicateId {
            which: "ground truth",
            frame: 1,
            id: 1
        })
    );
    assert!(matches!(
        evaluate(&[], &[(3, 2, Rect::new(f32::NAN, 0.0, 1.0, 1.0))]),
        Err(MetricsError::InvalidBox {
            frame: 3,
            id: 2,
            ..
        })
    ));
}
