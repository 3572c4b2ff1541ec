//! The assignment problem: a minimum-cost one-to-one matching between the
//! rows and the columns of a cost matrix, solved exactly by the Hungarian
//! method (Kuhn–Munkres with potentials, O(n²·m)).
//!
//! Used by the tracker (tracks × detections, cost 1 − IoU) and by the
//! metrics (ground truth × hypotheses per frame, and trajectories for
//! IDF1).

/// Pairs `(row, column)` of a minimum-cost matching among the allowed
/// entries of a `rows` × `columns` matrix.
///
/// `cost(r, c)` gives the cost of pairing row `r` with column `c`, or
/// `None` where the pair is not allowed (a non-finite cost, or one of
/// magnitude 1e100 or more, is treated as not allowed). The matching first has as many pairs as possible and,
/// among those, the least total cost. Pairs come sorted by row. The result
/// depends only on the costs (deterministic).
pub fn min_cost_matching<F>(rows: usize, columns: usize, cost: F) -> Vec<(usize, usize)>
where
    F: Fn(usize, usize) -> Option<f64>,
{
    if rows == 0 || columns == 0 {
        return Vec::new();
    }
    // Read the allowed costs once, remembering their range.
    let mut table: Vec<Option<f64>> = Vec::with_capacity(rows * columns);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in 0..rows {
        for c in 0..columns {
            let value = cost(r, c).filter(|v| v.is_finite() && v.abs() < 1e100);
            if let Some(v) = value {
                lo = lo.min(v);
                hi = hi.max(v);
            }
            table.push(value);
        }
    }
    if lo > hi {
        return Vec::new(); // nothing allowed
    }
    // A forbidden pair costs more than any set of allowed pairs could
    // save, so the solver first maximises the number of allowed pairs.
    let pairs = rows.min(columns) as f64;
    let forbidden = (hi - lo + 1.0) * (pairs + 1.0);
    // The solver needs rows ≤ columns: transpose when there are more rows.
    let transposed = rows > columns;
    let (n, m) = if transposed {
        (columns, rows)
    } else {
        (rows, columns)
    };
    let at = |i: usize, j: usize| -> Option<f64> {
        if transposed {
            table[j * columns + i]
        } else {
            table[i * columns + j]
        }
    };
    let matrix: Vec<f64> = (0..n)
        .flat_map(|i| (0..m).map(move |j| (i, j)))
        .map(|(i, j)| at(i, j).map_or(forbidden, |v| v - lo))
        .collect();
    let assigned = hungarian(n, m, &matrix);
    let mut result: Vec<(usize, usize)> = assigned
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j)))
        .filter(|&(i, j)| at(i, j).is_some())
        .map(|(i, j)| if transposed { (j, i) } else { (i, j) })
        .collect();
    result.sort_unstable();
    result
}

/// For each of the `n` rows of the row-major `n` × `m` matrix `a`
/// (`n ≤ m`, finite costs), the column of a minimum-cost assignment.
fn hungarian(n: usize, m: usize, a: &[f64]) -> Vec<Option<usize>> {
    // 1-based arrays as in the textbook formulation; index 0 is a sentinel.
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; m + 1];
    let mut p = vec![0usize; m + 1]; // p[j]: row assigned to column j
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![f64::INFINITY; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=m {
                if used[j] {
                    continue;
                }
                let cur = a[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            if j1 == 0 {
                // Cannot happen with finite costs and n ≤ m; stop rather
                // than loop for ever.
                return collect_assignment(n, &p);
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    collect_assignment(n, &p)
}

fn collect_assignment(n: usize, p: &[usize]) -> Vec<Option<usize>> {
    let mut rows = vec![None; n];
    for (j, &i) in p.iter().enumerate().skip(1) {
        if i > 0 && i <= n {
            rows[i - 1] = Some(j - 1);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use seer_core::random::SeededRng;

    /// Best (most pairs, then least cost) over every matching, by search.
    fn brute_force(rows: usize, cols: usize, cost: &[Option<f64>]) -> (usize, f64) {
        fn go(
            r: usize,
            rows: usize,
            cols: usize,
            cost: &[Option<f64>],
            used: &mut Vec<bool>,
            acc: (usize, f64),
            best: &mut (usize, f64),
        ) {
            if r == rows {
                if acc.0 > best.0 || (acc.0 == best.0 && acc.1 < best.1) {
                    *best = acc;
                }
                return;
            }
            go(r + 1, rows, cols, cost, used, acc, best);
            for c in 0..cols {
                if let (false, Some(v)) = (used[c], cost[r * cols + c]) {
                    used[c] = true;
                    go(r + 1, rows, cols, cost, used, (acc.0 + 1, acc.1 + v), best);
                    used[c] = false;
                }
            }
        }
        let mut best = (0, 0.0);
        go(
            0,
            rows,
            cols,
            cost,
            &mut vec![false; cols],
            (0, 0.0),
            &mut best,
        );
        best
    }

    #[test]
    fn a_hand_case_takes_the_cheaper_crossing() {
        // Diagonal costs 1 + 1 = 2; anti-diagonal 0.4 + 0.5 = 0.9.
        let cost = [[1.0, 0.4], [0.5, 1.0]];
        let pairs = min_cost_matching(2, 2, |r, c| Some(cost[r][c]));
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn forbidden_pairs_are_never_returned_and_more_pairs_win() {
        // Row 0 could take column 0 cheaply, but then row 1 (which can only
        // take column 0) would stay unmatched: two pairs beat one.
        let cost = [[Some(0.0), Some(5.0)], [Some(1.0), None]];
        let pairs = min_cost_matching(2, 2, |r, c| cost[r][c]);
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
        assert!(min_cost_matching(2, 3, |_, _| None).is_empty());
        assert!(min_cost_matching(0, 3, |_, _| Some(1.0)).is_empty());
        assert!(min_cost_matching(2, 2, |_, _| Some(f64::NAN)).is_empty());
        // Enormous costs are refused rather than overflowing the solver.
        let pairs = min_cost_matching(2, 2, |r, c| Some(if r == c { 1.0 } else { 1e300 }));
        assert_eq!(pairs, vec![(0, 0), (1, 1)]);
    }

    #[test]
    fn agrees_with_brute_force_on_random_rectangular_matrices() {
        let mut rng = SeededRng::new(11);
        for _ in 0..300 {
            let rows = 1 + rng.below(5) as usize;
            let cols = 1 + rng.below(5) as usize;
            let cost: Vec<Option<f64>> = (0..rows * cols)
                .map(|_| (rng.uniform() < 0.7).then(|| (rng.range(-3.0, 3.0) * 4.0).round() as f64))
                .collect();
            let pairs = min_cost_matching(rows, cols, |r, c| cost[r * cols + c]);
            let total: f64 = pairs.iter().filter_map(|&(r, c)| cost[r * cols + c]).sum();
            let (best_pairs, best_cost) = brute_force(rows, cols, &cost);
            assert_eq!(pairs.len(), best_pairs, "{rows}x{cols} {cost:?}");
            assert!((total - best_cost).abs() < 1e-9, "{total} vs {best_cost}");
            let mut seen_cols: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            seen_cols.sort_unstable();
            seen_cols.dedup();
            assert_eq!(seen_cols.len(), pairs.len());
        }
    }
}
