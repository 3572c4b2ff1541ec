//! The machine's memory, to bound what a caller's budget may promise.

use std::sync::OnceLock;

/// Total physical memory of this machine in bytes (Linux `/proc/meminfo`,
/// read once per process), or `None` where it cannot be read.
pub fn physical_memory() -> Option<u64> {
    static TOTAL: OnceLock<Option<u64>> = OnceLock::new();
    *TOTAL.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/meminfo").ok()?;
        parse_mem_total(&text)
    })
}

/// The `MemTotal` line of a `/proc/meminfo` text, in bytes.
fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut fields = line["MemTotal:".len()..].split_whitespace();
    let kib: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") | None => kib.checked_mul(1024),
        Some(_) => None,
    }
}

/// `budget` (bytes) capped at the machine's physical memory: a budget larger
/// than the machine cannot be honoured, so checks against it must not pass
/// work that would exhaust memory.
pub fn within_physical_memory(budget: u64) -> u64 {
    match physical_memory() {
        Some(total) => budget.min(total),
        None => budget,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_total_is_read_in_bytes() {
        let text = "MemTotal:       24568040 kB\nMemFree:         1000 kB\n";
        assert_eq!(parse_mem_total(text), Some(24_568_040 * 1024));
        assert_eq!(parse_mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(parse_mem_total("MemTotal: lots kB\n"), None);
    }

    #[test]
    fn a_budget_never_exceeds_the_machine() {
        let total = physical_memory();
        let capped = within_physical_memory(u64::MAX);
        match total {
            Some(t) => assert_eq!(capped, t),
            None => assert_eq!(capped, u64::MAX),
        }
        assert_eq!(within_physical_memory(1 << 20), 1 << 20);
    }
}
