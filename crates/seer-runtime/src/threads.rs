//! Choosing thread counts.

use std::collections::HashSet;

/// Number of physical CPU cores (hyper-threads counted once); falls back to
/// the logical count when `/proc/cpuinfo` cannot be read.
pub fn physical_cores() -> usize {
    let logical = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let Ok(info) = std::fs::read_to_string("/proc/cpuinfo") else {
        return logical;
    };
    let mut cores = HashSet::new();
    let mut physical_id = String::new();
    for line in info.lines() {
        let mut parts = line.splitn(2, ':');
        let key = parts.next().unwrap_or("").trim();
        let value = parts.next().unwrap_or("").trim().to_string();
        match key {
            "physical id" => physical_id = value,
            "core id" => {
                cores.insert((physical_id.clone(), value));
            }
            _ => {}
        }
    }
    if cores.is_empty() {
        logical
    } else {
        cores.len().min(logical)
    }
}
