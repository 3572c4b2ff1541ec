//! `seer bench faces` (identification accuracy on a labelled folder) and
//! `seer bench gallery-search` (exact search latency over a large random
//! gallery).

use crate::face::runtime;
use crate::output::{out_line, print_json, print_table};
use crate::progress::TerminalProgress;
use clap::Args;
use seer_core::random::SeededRng;
use seer_eval::faces::gallery::evaluate_folder;
use seer_face::gallery::search::{random_matrix, random_unit_vector};
use seer_face::{DetectOptions, Detector, Embedder, Gallery, GalleryKey};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

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
/// gallery (random key, deleted afterwards) and identifies every probe.
pub fn faces(args: BenchFacesArgs) -> anyhow::Result<()> {
    if !(args.threshold.is_finite() && args.threshold > 0.0) {
        anyhow::bail!(
            "--threshold must be a positive distance, got {}",
            args.threshold
        );
    }
    for needed in ["gallery", "probes/labels.csv"] {
        if !args.data.join(needed).exists() {
            anyhow::bail!(
                "{} has no {needed}; give a folder with gallery/<subject>/* and probes/labels.csv",
                args.data.display()
            );
        }
    }
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let mut embedder = Embedder::from_store(&store, &progress)?;
    let dir = TempDir::new()?;
    let mut gallery = Gallery::open_or_create(&dir.0.join("bench.db"), GalleryKey::random()?)?;
    gallery.set_threshold(args.threshold);
    let options = DetectOptions {
        small_faces: args.small_faces,
        ..Default::default()
    };
    let start = Instant::now();
    let report = evaluate_folder(
        &mut gallery,
        &mut detector,
        &mut embedder,
        &args.data,
        &options,
        &progress,
    )?;
    let seconds = start.elapsed().as_secs_f64();
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

/// A private temporary folder, deleted with everything in it when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let mut random = [0u8; 8];
        getrandom_name(&mut random);
        let path = std::env::temp_dir().join(format!(
            "seer-bench-faces-{}-{}",
            std::process::id(),
            random
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Bytes for a unique folder name (time-based; uniqueness, not secrecy).
fn getrandom_name(out: &mut [u8; 8]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    *out = SeededRng::new(nanos).next_u64().to_le_bytes();
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
    #[arg(long)]
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

#[derive(Serialize)]
struct SearchBench {
    embeddings: usize,
    dim: usize,
    queries: usize,
    top_k: usize,
    threads: usize,
    matrix_mib: f64,
    generate_s: f64,
    median_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    checked_against_naive: usize,
}

/// `seer bench gallery-search`: top-k query latency of the exact search.
pub fn gallery_search(args: BenchGallerySearchArgs) -> anyhow::Result<()> {
    if args.embeddings == 0 || args.dim == 0 || args.queries == 0 || args.top_k == 0 {
        anyhow::bail!("--embeddings, --dim, --queries and --top-k must be at least 1");
    }
    if args.embeddings > u32::MAX as usize {
        anyhow::bail!("--embeddings must be at most {}", u32::MAX);
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let start = Instant::now();
    let matrix = random_matrix(args.embeddings, args.dim, args.seed);
    let generate_s = start.elapsed().as_secs_f64();
    let mut rng = SeededRng::new(args.seed ^ 0x5EED);
    let queries: Vec<Vec<f32>> = (0..args.queries)
        .map(|_| random_unit_vector(&mut rng, args.dim))
        .collect();
    // One untimed query warms the caches and spawns nothing lasting.
    matrix.nearest_owners(&queries[0], args.top_k, threads);
    let mut times_ms = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let top = matrix.nearest_owners(q, args.top_k, threads);
        times_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(top);
    }
    let checked = args.check.min(queries.len());
    for q in &queries[..checked] {
        let fast = matrix.nearest_owners(q, args.top_k, threads);
        let naive = matrix.nearest_owners_naive(q, args.top_k);
        let same = fast.len() == naive.len()
            && fast
                .iter()
                .zip(&naive)
                .all(|(a, b)| a.owner == b.owner && (a.distance - b.distance).abs() < 1e-4);
        if !same {
            anyhow::bail!("the fast search disagrees with a naive scan: {fast:?} vs {naive:?}");
        }
    }
    times_ms.sort_by(f64::total_cmp);
    let pct = |p: f64| times_ms[((times_ms.len() - 1) as f64 * p).round() as usize];
    let result = SearchBench {
        embeddings: args.embeddings,
        dim: args.dim,
        queries: args.queries,
        top_k: args.top_k,
        threads,
        matrix_mib: (args.embeddings * args.dim * 4) as f64 / (1024.0 * 1024.0),
        generate_s,
        median_ms: pct(0.5),
        p99_ms: pct(0.99),
        max_ms: times_ms[times_ms.len() - 1],
        checked_against_naive: checked,
    };
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
