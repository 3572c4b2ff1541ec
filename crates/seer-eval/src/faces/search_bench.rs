//! `seer bench gallery-search`: top-k latency of the exact gallery search
//! over a large matrix of random unit descriptors, checked against a
//! naive scan.

use crate::error::EvalError;
use seer_core::random::SeededRng;
use seer_face::gallery::search::{random_matrix, random_unit_vector};
use serde::Serialize;
use std::time::Instant;

/// What to measure.
#[derive(Clone, Debug)]
pub struct SearchBenchOptions {
    /// Random unit descriptors in the gallery (1 ..= u32::MAX).
    pub embeddings: usize,
    /// Values per descriptor.
    pub dim: usize,
    /// Queries timed.
    pub queries: usize,
    /// Neighbours per query.
    pub top_k: usize,
    /// Threads per query (`None`: the machine's cores).
    pub threads: Option<usize>,
    /// Seed of the random descriptors and queries.
    pub seed: u64,
    /// Queries also checked against a naive scan (the first N).
    pub check: usize,
}

/// Latencies of the search (milliseconds) and the matrix it ran on.
#[derive(Clone, Debug, Serialize)]
pub struct SearchBench {
    /// Descriptors searched.
    pub embeddings: usize,
    /// Values per descriptor.
    pub dim: usize,
    /// Queries timed.
    pub queries: usize,
    /// Neighbours per query.
    pub top_k: usize,
    /// Threads per query.
    pub threads: usize,
    /// Size of the descriptor matrix, MiB.
    pub matrix_mib: f64,
    /// Seconds to generate the matrix.
    pub generate_s: f64,
    /// Median query latency, ms.
    pub median_ms: f64,
    /// 99th percentile query latency, ms.
    pub p99_ms: f64,
    /// Slowest query, ms.
    pub max_ms: f64,
    /// Queries whose results equalled a naive scan.
    pub checked_against_naive: usize,
}

/// Runs the benchmark.
pub fn bench_search(options: &SearchBenchOptions) -> Result<SearchBench, EvalError> {
    let at_least_one = [
        ("embeddings", options.embeddings),
        ("dim", options.dim),
        ("queries", options.queries),
        ("top_k", options.top_k),
    ];
    for (option, value) in at_least_one {
        if value == 0 {
            return Err(EvalError::InvalidOption {
                option,
                why: "must be at least 1".into(),
            });
        }
    }
    if options.embeddings > u32::MAX as usize {
        return Err(EvalError::InvalidOption {
            option: "embeddings",
            why: format!("must be at most {}", u32::MAX),
        });
    }
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let start = Instant::now();
    let matrix = random_matrix(options.embeddings, options.dim, options.seed);
    let generate_s = start.elapsed().as_secs_f64();
    let mut rng = SeededRng::new(options.seed ^ 0x5EED);
    let queries: Vec<Vec<f32>> = (0..options.queries)
        .map(|_| random_unit_vector(&mut rng, options.dim))
        .collect();
    // One untimed query warms the caches and spawns nothing lasting.
    matrix.nearest_owners(&queries[0], options.top_k, threads);
    let mut times_ms = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let top = matrix.nearest_owners(q, options.top_k, threads);
        times_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(top);
    }
    let checked = options.check.min(queries.len());
    for q in &queries[..checked] {
        let fast = matrix.nearest_owners(q, options.top_k, threads);
        let naive = matrix.nearest_owners_naive(q, options.top_k);
        let same = fast.len() == naive.len()
            && fast
                .iter()
                .zip(&naive)
                .all(|(a, b)| a.owner == b.owner && (a.distance - b.distance).abs() < 1e-4);
        if !same {
            return Err(EvalError::SelfCheck {
                what: format!("the fast search disagrees with a naive scan: {fast:?} vs {naive:?}"),
            });
        }
    }
    times_ms.sort_by(f64::total_cmp);
    let pct = |p: f64| times_ms[((times_ms.len() - 1) as f64 * p).round() as usize];
    Ok(SearchBench {
        embeddings: options.embeddings,
        dim: options.dim,
        queries: options.queries,
        top_k: options.top_k,
        threads,
        matrix_mib: (options.embeddings * options.dim * 4) as f64 / (1024.0 * 1024.0),
        generate_s,
        median_ms: pct(0.5),
        p99_ms: pct(0.99),
        max_ms: times_ms[times_ms.len() - 1],
        checked_against_naive: checked,
    })
}
