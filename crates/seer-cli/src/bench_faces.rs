//! `seer bench faces` (identification accuracy on a labelled folder) and
//! `seer bench gallery-search` (exact search latency over a large random
//! gallery).

use crate::bench::with_flag;
use crate::face::runtime;
use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use clap::Args;
use seer_eval::faces::identify_bench::{bench_identify, IdentifyBenchOptions};
use seer_eval::faces::search_bench::{bench_search, SearchBenchOptions};
use std::path::PathBuf;

/// Arguments of `seer bench faces`.
#[derive(Args)]
pub struct BenchFacesArgs {
    /// Folder with gallery/<subject>/* and probes/* + probes/labels.csv.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Distance under which the nearest subject is accepted.
    #[arg(long, default_value_t = seer_face::SAME_PERSON_DISTANCE)]
    threshold: f32,
    /// Also search 2×2 overlapping tiles for small faces.
    #[arg(long)]
    small_faces: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// `seer bench faces`: enrols every gallery photo into a fresh temporary
/// gallery and identifies every probe (`seer_eval::faces::identify_bench`).
pub fn faces(args: BenchFacesArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let options = IdentifyBenchOptions {
        data: args.data,
        threshold: args.threshold,
        small_faces: args.small_faces,
    };
    let bench = bench_identify(&store, &options, &progress).map_err(with_flag)?;
    let (report, seconds) = (bench.evaluation, bench.seconds);
    if args.json {
        return print_json(&report);
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(";")
        }
    };
    let rows: Vec<Vec<String>> = report
        .probes
        .iter()
        .map(|p| {
            let found: Vec<String> = p
                .faces
                .iter()
                .map(|f| match (&f.identified, f.distance) {
                    (Some(s), Some(d)) => format!("{s} {d:.2}"),
                    (_, Some(d)) => format!("unknown {d:.2}"),
                    _ => "unknown".to_string(),
                })
                .collect();
            vec![
                p.file.clone(),
                list(&p.labelled),
                found.join(", "),
                format!("{}/{}", p.rank1_hits, p.labelled.len()),
                list(&p.missed),
                list(&p.false_accepts),
                if p.order_ok { "ok" } else { "WRONG" }.to_string(),
            ]
        })
        .collect();
    print_table(
        &[
            "probe",
            "labelled (left to right)",
            "faces found (left to right, distance)",
            "rank-1",
            "missed",
            "false accepts",
            "order",
        ],
        &rows,
    );
    let t = &report.totals;
    out_line(&format!(
        "{} subjects from {} photos; {} probes, {} faces; rank-1 {}/{} ({:.1} %); identified {}/{}; misses {}; false accepts {}; order errors {}; threshold {:.2}; {:.1} s",
        report.subjects,
        report.enrolment_photos,
        report.probes.len(),
        t.faces,
        t.rank1_hits,
        t.labelled,
        100.0 * t.rank1_accuracy,
        t.identified,
        t.labelled,
        t.misses,
        t.false_accepts,
        t.order_errors,
        report.threshold,
        seconds
    ));
    Ok(())
}

/// Arguments of `seer bench gallery-search`.
#[derive(Args)]
pub struct BenchGallerySearchArgs {
    /// Random unit descriptors in the gallery.
    #[arg(long, default_value_t = 1_000_000)]
    embeddings: usize,
    /// Values per descriptor.
    #[arg(long, default_value_t = 128)]
    dim: usize,
    /// Queries timed.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Neighbours per query.
    #[arg(long, default_value_t = 5)]
    top_k: usize,
    /// Threads per query (default: the machine's cores).
    #[arg(long, value_parser = crate::upscale::parse_threads)]
    threads: Option<usize>,
    /// Seed of the random descriptors and queries.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also check every result against a naive scan for the first N queries.
    #[arg(long, default_value_t = 3)]
    check: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// `seer bench gallery-search`: top-k query latency of the exact search
/// (`seer_eval::faces::search_bench`).
pub fn gallery_search(args: BenchGallerySearchArgs) -> anyhow::Result<()> {
    let options = SearchBenchOptions {
        embeddings: args.embeddings,
        dim: args.dim,
        queries: args.queries,
        top_k: args.top_k,
        threads: args.threads,
        seed: args.seed,
        check: args.check,
    };
    let result = bench_search(&options).map_err(with_flag)?;
    if args.json {
        return print_json(&result);
    }
    print_table(
        &[
            "embeddings",
            "dim",
            "matrix MiB",
            "threads",
            "queries",
            "top-k",
            "median ms",
            "p99 ms",
            "max ms",
        ],
        &[vec![
            result.embeddings.to_string(),
            result.dim.to_string(),
            format!("{:.0}", result.matrix_mib),
            result.threads.to_string(),
            result.queries.to_string(),
            result.top_k.to_string(),
            format!("{:.2}", result.median_ms),
            format!("{:.2}", result.p99_ms),
            format!("{:.2}", result.max_ms),
        ]],
    );
    out_line(&format!(
        "generated in {:.1} s; {} queries matched a naive scan",
        result.generate_s, result.checked_against_naive
    ));
    Ok(())
}
