//! `seer bench liveness`: how well the anti-spoofing models separate real
//! faces from simulated presentation attacks; and `seer face liveness`,
//! which gives a verdict only if a model measured usable.

use crate::face::runtime;
use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use clap::Args;
use seer_eval::faces::liveness::{ErrorRates, Evaluation, MIN_FACE_PX};
use seer_eval::faces::liveness_bench::{bench_liveness, LivenessBenchOptions};
use seer_face::liveness::MIN_USABLE_AUC;
use seer_face::ImageInput;
use std::path::PathBuf;

/// Arguments of `seer bench liveness`.
#[derive(Args)]
pub struct BenchLivenessArgs {
    /// Faces data folder with `gallery/<subject>/*` and `probes/*` photos.
    #[arg(long)]
    data: PathBuf,
    /// Also write every sample (real and simulated attack, as scored) as a
    /// PNG into this folder, to see what the simulations look like.
    #[arg(long, value_name = "DIR")]
    dump: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer face liveness`.
#[derive(Args)]
pub struct LivenessArgs {
    /// The image (PNG, JPEG, …).
    image: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `seer bench liveness` (`seer_eval::faces::liveness_bench`).
pub fn bench(args: BenchLivenessArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let options = LivenessBenchOptions {
        data: args.data,
        dump: args.dump,
    };
    let bench = bench_liveness(&store, &options, &progress)?;
    if args.json {
        return print_json(&bench.evaluation);
    }
    print_evaluation(&bench.evaluation, bench.photos, bench.skipped_small);
    Ok(())
}

fn print_evaluation(e: &Evaluation, photos: usize, skipped_small: usize) {
    out_line(&format!(
        "{photos} photos: {} real faces ({} + {} in the two halves; {skipped_small} under {MIN_FACE_PX} px skipped), {} simulated attacks (print, screen, mask)",
        e.real_samples, e.real_by_half[0], e.real_by_half[1], e.attack_samples
    ));
    out_line("score = the model's \"real\" output; AUC 0.5 = chance, < 0.5 = inverted");
    out_line(
        "thr A→B: threshold minimising (APCER+BPCER)/2 on half A, error rates on half B (and B→A)",
    );
    out_line("");
    let rows: Vec<Vec<String>> = e
        .variants
        .iter()
        .map(|v| {
            let by = |i: usize| format!("{:.3}", v.auc_by_attack[i].1);
            let r = |x: &ErrorRates| format!("{:.3}: {:.2}/{:.2}", x.threshold, x.apcer, x.bpcer);
            vec![
                v.model.model_id().to_string(),
                v.convention.label(),
                format!("{:.3}", v.auc),
                by(0),
                by(1),
                by(2),
                format!("{:.3}/{:.3}/{:.3}", v.real.q1, v.real.median, v.real.q3),
                format!(
                    "{:.3}/{:.3}/{:.3}",
                    v.attack.q1, v.attack.median, v.attack.q3
                ),
                r(&v.threshold_0_tested_on_1),
                r(&v.threshold_1_tested_on_0),
            ]
        })
        .collect();
    print_table(
        &[
            "model",
            "convention",
            "AUC",
            "print",
            "screen",
            "mask",
            "real q1/med/q3",
            "attack q1/med/q3",
            "thr A→B: APCER/BPCER",
            "thr B→A: APCER/BPCER",
        ],
        &rows,
    );
    out_line("");
    for h in &e.held_out {
        out_line(&format!(
            "{}: held-out AUC {:.3} (best on A: {} → {:.3} on B; best on B: {} → {:.3} on A); usable needs ≥ {MIN_USABLE_AUC}",
            h.model.model_id(),
            h.auc,
            h.chosen_on_0.0.label(),
            h.chosen_on_0.1,
            h.chosen_on_1.0.label(),
            h.chosen_on_1.1,
        ));
    }
}

/// Runs `seer face liveness`: prints the verdict record with `--json`,
/// then refuses with the measured figures.
pub fn liveness(args: LivenessArgs) -> anyhow::Result<()> {
    let (verdict, refusal) = seer_face::workflow::liveness(&ImageInput::Path(&args.image));
    if args.json {
        print_json(&verdict)?;
    }
    Err(refusal.into())
}
