//! Exact nearest-neighbour search over descriptors held in one contiguous
//! `f32` matrix (row-major, one row per descriptor).
//!
//! Every query computes the squared Euclidean distance to every row: no
//! index, no approximation. The inner loop keeps eight independent
//! accumulators so the compiler vectorises it; on x86-64 a copy compiled
//! for AVX2 is chosen at run time when the processor has it, else the
//! portable (SSE2) copy runs. Large matrices are split across threads.

use std::cmp::Ordering;

/// Rows per thread below which a query runs on the calling thread only.
const ROWS_PER_THREAD: usize = 16_384;

/// Descriptors of equal length in one contiguous buffer, each row owned by
/// an item (a subject index in the gallery; the row itself in benchmarks).
#[derive(Clone, Debug, Default)]
pub struct EmbeddingMatrix {
    dim: usize,
    values: Vec<f32>,
    owners: Vec<u32>,
}

/// One search result: an owner and its nearest row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour {
    /// The owner of the row (see [`EmbeddingMatrix::push`]).
    pub owner: u32,
    /// The row index.
    pub row: usize,
    /// Euclidean distance between the query and the row.
    pub distance: f32,
}

impl EmbeddingMatrix {
    /// An empty matrix of rows with `dim` values.
    pub fn new(dim: usize) -> EmbeddingMatrix {
        EmbeddingMatrix {
            dim,
            values: Vec::new(),
            owners: Vec::new(),
        }
    }

    /// An empty matrix with room for `rows` rows.
    pub fn with_capacity(dim: usize, rows: usize) -> EmbeddingMatrix {
        EmbeddingMatrix {
            dim,
            values: Vec::with_capacity(dim * rows),
            owners: Vec::with_capacity(rows),
        }
    }

    /// Values per row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.owners.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// Appends a row owned by `owner`. Panics if `values` is not `dim` long
    /// (callers check descriptor lengths first).
    pub fn push(&mut self, values: &[f32], owner: u32) {
        assert_eq!(values.len(), self.dim, "row length");
        self.values.extend_from_slice(values);
        self.owners.push(owner);
    }

    /// Row `row`'s values.
    pub fn row(&self, row: usize) -> &[f32] {
        &self.values[row * self.dim..(row + 1) * self.dim]
    }

    /// The owner of row `row`.
    pub fn owner(&self, row: usize) -> u32 {
        self.owners[row]
    }

    /// Keeps only the rows whose owner `keep` maps to `Some(new owner)`.
    pub fn retain_owners(&mut self, keep: impl Fn(u32) -> Option<u32>) {
        let mut values = Vec::with_capacity(self.values.len());
        let mut owners = Vec::with_capacity(self.owners.len());
        for row in 0..self.len() {
            if let Some(owner) = keep(self.owners[row]) {
                values.extend_from_slice(self.row(row));
                owners.push(owner);
            }
        }
        self.values = values;
        self.owners = owners;
    }

    /// The `k` owners nearest to `query` (each at its nearest row), nearest
    /// first, exact; split across up to `threads` threads.
    pub fn nearest_owners(&self, query: &[f32], k: usize, threads: usize) -> Vec<Neighbour> {
        assert_eq!(query.len(), self.dim, "query length");
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        let threads = threads.clamp(1, (self.len() / ROWS_PER_THREAD).max(1));
        let mut top = if threads == 1 {
            self.scan(query, k, 0, self.len())
        } else {
            let per = self.len().div_ceil(threads);
            let parts: Vec<Vec<Neighbour>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let start = (t * per).min(self.len());
                        let end = ((t + 1) * per).min(self.len());
                        scope.spawn(move || self.scan(query, k, start, end))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            // An owner in the global top k is in the top k of the part
            // holding its nearest row, so merging the parts is exact.
            let mut top = TopOwners::new(k);
            for n in parts.into_iter().flatten() {
                top.offer(n.owner, n.row, n.distance);
            }
            top.into_sorted()
        };
        for n in &mut top {
            n.distance = n.distance.sqrt();
        }
        top
    }

    /// The top `k` owners among rows `start..end`; distances squared.
    fn scan(&self, query: &[f32], k: usize, start: usize, end: usize) -> Vec<Neighbour> {
        let mut top = TopOwners::new(k);
        let rows = &self.values[start * self.dim..end * self.dim];
        for_each_distance(query, rows, self.dim, |i, d2| {
            if d2 < top.worst() {
                top.offer(self.owners[start + i], start + i, d2);
            }
        });
        top.into_sorted()
    }

    /// The `k` owners nearest to `query` by a plain scalar scan, for tests.
    pub fn nearest_owners_naive(&self, query: &[f32], k: usize) -> Vec<Neighbour> {
        let mut best: std::collections::HashMap<u32, Neighbour> = Default::default();
        for row in 0..self.len() {
            let d = self
                .row(row)
                .iter()
                .zip(query)
                .map(|(a, b)| ((a - b) as f64).powi(2))
                .sum::<f64>()
                .sqrt() as f32;
            let owner = self.owners[row];
            let entry = best.entry(owner).or_insert(Neighbour {
                owner,
                row,
                distance: f32::INFINITY,
            });
            if d < entry.distance {
                *entry = Neighbour {
                    owner,
                    row,
                    distance: d,
                };
            }
        }
        let mut all: Vec<Neighbour> = best.into_values().collect();
        all.sort_by(order);
        all.truncate(k);
        all
    }
}

/// Nearest first; ties by row so results are deterministic.
fn order(a: &Neighbour, b: &Neighbour) -> Ordering {
    a.distance.total_cmp(&b.distance).then(a.row.cmp(&b.row))
}

/// The best `k` distinct owners seen so far (squared distances).
struct TopOwners {
    k: usize,
    items: Vec<Neighbour>,
}

impl TopOwners {
    fn new(k: usize) -> TopOwners {
        TopOwners {
            k,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// The distance a row must beat to change the list.
    fn worst(&self) -> f32 {
        if self.items.len() < self.k {
            f32::INFINITY
        } else {
            self.items.last().map_or(f32::INFINITY, |n| n.distance)
        }
    }

    fn offer(&mut self, owner: u32, row: usize, distance: f32) {
        let candidate = Neighbour {
            owner,
            row,
            distance,
        };
        if let Some(i) = self.items.iter().position(|n| n.owner == owner) {
            if order(&candidate, &self.items[i]) != Ordering::Less {
                return;
            }
            self.items.remove(i);
        } else if self.items.len() == self.k {
            if order(&candidate, &self.items[self.k - 1]) != Ordering::Less {
                return;
            }
            self.items.pop();
        }
        let at = self
            .items
            .partition_point(|n| order(n, &candidate) == Ordering::Less);
        self.items.insert(at, candidate);
    }

    fn into_sorted(self) -> Vec<Neighbour> {
        self.items
    }
}

/// Calls `visit(i, squared distance)` for every row `i` of `rows`.
fn for_each_distance(query: &[f32], rows: &[f32], dim: usize, visit: impl FnMut(usize, f32)) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2 (checked just above).
            unsafe { distances_avx2(query, rows, dim, visit) };
            return;
        }
    }
    distances_portable(query, rows, dim, visit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn distances_avx2(query: &[f32], rows: &[f32], dim: usize, visit: impl FnMut(usize, f32)) {
    distances_portable(query, rows, dim, visit)
}

#[inline(always)]
fn distances_portable(query: &[f32], rows: &[f32], dim: usize, mut visit: impl FnMut(usize, f32)) {
    for (i, row) in rows.chunks_exact(dim).enumerate() {
        visit(i, squared_distance(query, row));
    }
}

/// Squared Euclidean distance with eight independent lanes (vectorisable
/// without reordering any single lane's additions).
#[inline(always)]
fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut acc = [0.0f32; LANES];
    let chunks = a.len() / LANES * LANES;
    for (ca, cb) in a[..chunks]
        .chunks_exact(LANES)
        .zip(b[..chunks].chunks_exact(LANES))
    {
        for l in 0..LANES {
            let d = ca[l] - cb[l];
            acc[l] += d * d;
        }
    }
    let mut sum = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in a[chunks..].iter().zip(&b[chunks..]) {
        sum += (x - y) * (x - y);
    }
    sum
}

use seer_core::random::SeededRng;

/// A random vector of length 1 with `dim` values.
pub fn random_unit_vector(rng: &mut SeededRng, dim: usize) -> Vec<f32> {
    loop {
        let v: Vec<f32> = (0..dim).map(|_| rng.signed()).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 1e-3 {
            return v.into_iter().map(|x| x / norm).collect();
        }
    }
}

/// A matrix of `rows` random unit vectors (seeded), each its own owner.
pub fn random_matrix(rows: usize, dim: usize, seed: u64) -> EmbeddingMatrix {
    let mut rng = SeededRng::new(seed);
    let mut m = EmbeddingMatrix::with_capacity(dim, rows);
    for row in 0..rows {
        m.push(&random_unit_vector(&mut rng, dim), row as u32);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(fast: &[Neighbour], naive: &[Neighbour]) {
        assert_eq!(fast.len(), naive.len());
        for (f, n) in fast.iter().zip(naive) {
            assert_eq!(f.owner, n.owner, "{fast:?} vs {naive:?}");
            assert!((f.distance - n.distance).abs() < 1e-4, "{f:?} vs {n:?}");
        }
    }

    #[test]
    fn fast_search_returns_the_naive_top_5() {
        let m = random_matrix(50_000, 128, 7);
        let mut rng = SeededRng::new(99);
        for q in 0..20 {
            let query = random_unit_vector(&mut rng, 128);
            let naive = m.nearest_owners_naive(&query, 5);
            same(&m.nearest_owners(&query, 5, 1), &naive);
            same(&m.nearest_owners(&query, 5, 2), &naive);
            // A stored row is its own nearest neighbour at distance 0.
            let row = (q * 2_473) % m.len();
            let hit = m.nearest_owners(m.row(row), 1, 2);
            assert_eq!(hit[0].row, row);
            assert!(hit[0].distance < 1e-3);
        }
    }

    #[test]
    fn owners_with_several_rows_appear_once_at_their_nearest_row() {
        let mut rng = SeededRng::new(3);
        let mut m = EmbeddingMatrix::new(13);
        for row in 0..40_000 {
            m.push(&random_unit_vector(&mut rng, 13), (row % 97) as u32);
        }
        let query = random_unit_vector(&mut rng, 13);
        let naive = m.nearest_owners_naive(&query, 10);
        let fast = m.nearest_owners(&query, 10, 2);
        same(&fast, &naive);
        let mut owners: Vec<u32> = fast.iter().map(|n| n.owner).collect();
        owners.dedup();
        assert_eq!(owners.len(), 10);
    }

    #[test]
    fn retain_owners_drops_and_renumbers() {
        let mut m = EmbeddingMatrix::new(2);
        m.push(&[0.0, 1.0], 0);
        m.push(&[1.0, 0.0], 1);
        m.push(&[1.0, 1.0], 2);
        m.retain_owners(|o| match o {
            1 => None,
            o if o > 1 => Some(o - 1),
            o => Some(o),
        });
        assert_eq!(m.len(), 2);
        assert_eq!(m.row(1), &[1.0, 1.0]);
        assert_eq!(m.owner(1), 1);
    }
}
