//! CPU time of the current process, for benchmarks on shared machines.

/// CPU seconds this process has used (all threads, user + system), from
/// `/proc/self/stat` in clock ticks of 1/100 s; 0 where unavailable (not
/// Linux). On a machine shared with other work this is steadier than wall
/// time.
pub fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // utime and stime are fields 14 and 15 of the line, i.e. 12 and 13
    // after the parenthesised command name.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_time_grows_while_the_process_computes() {
        let before = super::process_cpu_seconds();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed().as_millis() < 300 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(super::process_cpu_seconds() - before >= 0.1);
    }
}
