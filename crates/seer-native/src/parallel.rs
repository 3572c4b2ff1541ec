//! Splitting element-wise work on large activations between threads.

/// Calls `f(offset, part)` on `threads` consecutive parts of `data`, each a
/// whole number of `unit`s long (e.g. one pixel's values), in parallel;
/// `offset` is the part's first index in `data`.
pub(crate) fn for_each_part(
    data: &mut [f32],
    unit: usize,
    threads: usize,
    f: impl Fn(usize, &mut [f32]) + Sync,
) {
    let units = data.len() / unit.max(1);
    let per_part = units.div_ceil(threads.max(1)).max(1) * unit.max(1);
    if threads <= 1 || data.len() <= per_part {
        f(0, data);
        return;
    }
    std::thread::scope(|scope| {
        for (i, part) in data.chunks_mut(per_part).enumerate() {
            let f = &f;
            scope.spawn(move || f(i * per_part, part));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_visited_once_with_its_offset() {
        let mut data = vec![0.0f32; 8 * 13];
        for_each_part(&mut data, 8, 3, |offset, part| {
            assert_eq!(offset % 8, 0);
            for (i, v) in part.iter_mut().enumerate() {
                *v += (offset + i) as f32;
            }
        });
        assert!(data.iter().enumerate().all(|(i, v)| *v == i as f32));
    }
}
