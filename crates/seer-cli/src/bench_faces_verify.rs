//! `seer bench faces-verify`: 1:1 verification under degradation
//! (`seer_eval::faces::verify_bench`).

use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use clap::Args;
use seer_eval::faces::verify_bench::{bench_verify, VerifyBenchOptions};
use std::path::PathBuf;

/// Arguments of `seer bench faces-verify`.
#[derive(Args)]
pub struct BenchFacesVerifyArgs {
    /// The faces data folder (gallery/<subject>/*, probes/labels.csv).
    #[arg(long, default_value = "testdata/faces")]
    data: PathBuf,
    /// Use the gallery photos only (no single-person probes).
    #[arg(long)]
    gallery_only: bool,
    /// Seed of the darkening noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `seer bench faces-verify`.
pub fn run(args: BenchFacesVerifyArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let options = VerifyBenchOptions {
        data: args.data,
        gallery_only: args.gallery_only,
        seed: args.seed,
    };
    let output = bench_verify(
        &store,
        &options,
        &progress,
        &crate::progress::cancel_on_ctrl_c(),
    )?;
    if args.json {
        return print_json(&output);
    }
    let table: Vec<Vec<String>> = output
        .rows
        .iter()
        .map(|r| {
            vec![
                r.condition.to_string(),
                format!("{}/{}", r.same_pairs, r.different_pairs),
                format!("{:.3}", r.auc),
                format!("{:.1}", 100.0 * r.tar_at_far_1pct),
                format!("{:.3}", r.cosine_threshold),
            ]
        })
        .collect();
    print_table(
        &[
            "condition",
            "same/diff pairs",
            "AUC",
            "TAR@FAR1% %",
            "cos threshold",
        ],
        &table,
    );
    Ok(())
}
