//! `seer bench scene-search`: build time and search latency of a scene
//! library of N synthetic shots (built in a temporary folder).

use crate::output::{out_line, print_json};
use clap::Args;

/// Arguments of `seer bench scene-search`.
#[derive(Args)]
pub struct BenchSceneSearchArgs {
    /// Shots in the synthetic library.
    #[arg(long, default_value_t = 100_000)]
    shots: usize,
    /// Queries timed (words, phrases, typos, filters, Chinese).
    #[arg(long, default_value_t = 600)]
    queries: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `seer bench scene-search`.
pub fn run(args: BenchSceneSearchArgs) -> anyhow::Result<()> {
    if args.shots == 0 || args.queries == 0 {
        anyhow::bail!("--shots and --queries must be at least 1");
    }
    let figures = seer_scene::library::bench::bench_search(args.shots, args.queries)?;
    if args.json {
        return print_json(&figures);
    }
    out_line(figures.to_table().trim_end());
    Ok(())
}
