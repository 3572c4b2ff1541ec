//! Anti-spoofing models on the real gallery and probe faces against
//! simulated print, screen and mask attacks of the same faces (the same
//! evaluation as `seer bench liveness`). The test checks that the verdict
//! this build ships (`LIVENESS_VERDICT`) is the one measured: the held-out
//! AUCs are within 0.05 of the recorded figures, and "usable" holds exactly
//! when one of them reaches `MIN_USABLE_AUC`.

mod common;

use common::*;
use seer_core::progress::NoProgress;
use seer_eval::faces::liveness as liveness_eval;
use seer_face::liveness::{LivenessModel, LivenessScorer, LIVENESS_VERDICT, MIN_USABLE_AUC};
use seer_runtime::SessionOptions;

fn scorer(model: LivenessModel) -> LivenessScorer {
    seer_models::testing::init_runtime();
    let path = seer_models::testing::model_path(model.model_id());
    LivenessScorer::from_file(model, &path, &SessionOptions { threads: 2 }).unwrap()
}

#[test]
fn shipped_liveness_verdict_matches_the_measured_separation() {
    let mut detector = detector();
    let files = seer_eval::dataset::all_photos(&faces_dir()).unwrap();
    assert!(files.len() >= 20, "expected the gallery and probe photos");
    let samples = liveness_eval::dataset_samples(&mut detector, &faces_dir(), &files, &NoProgress)
        .unwrap()
        .samples;
    let mut scorers: Vec<LivenessScorer> = LivenessModel::ALL.into_iter().map(scorer).collect();
    let e = liveness_eval::evaluate(&samples, &mut scorers, &NoProgress).unwrap();
    eprintln!(
        "{} real, {} attacks ({} + {} real per half)",
        e.real_samples, e.attack_samples, e.real_by_half[0], e.real_by_half[1]
    );
    assert!(e.real_by_half[0] >= 10 && e.real_by_half[1] >= 10);
    for v in &e.variants {
        eprintln!(
            "{:<15} {:<26} auc {:.3} print {:.3} screen {:.3} mask {:.3} halves {:.3}/{:.3} real med {:.3} attack med {:.3}",
            v.model.model_id(),
            v.convention.label(),
            v.auc,
            v.auc_by_attack[0].1,
            v.auc_by_attack[1].1,
            v.auc_by_attack[2].1,
            v.auc_by_half[0],
            v.auc_by_half[1],
            v.real.median,
            v.attack.median
        );
    }
    let held = |m: LivenessModel| e.held_out.iter().find(|h| h.model == m).unwrap().clone();
    let (anti, live) = (
        held(LivenessModel::Antispoof),
        held(LivenessModel::Liveness),
    );
    eprintln!(
        "held-out AUC: antispoof {:.3} ({:?}), liveness {:.3} ({:?})",
        anti.auc, anti.chosen_on_0, live.auc, live.chosen_on_0
    );
    let v = LIVENESS_VERDICT;
    assert!(
        (anti.auc - v.antispoof_auc).abs() < 0.05 && (live.auc - v.liveness_auc).abs() < 0.05,
        "measured held-out AUCs {:.3} / {:.3} differ from the recorded {:.3} / {:.3}",
        anti.auc,
        live.auc,
        v.antispoof_auc,
        v.liveness_auc
    );
    assert_eq!(
        v.usable,
        anti.auc.max(live.auc) >= MIN_USABLE_AUC,
        "the shipped verdict does not follow the measurement"
    );
}
