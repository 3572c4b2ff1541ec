//! Printing results as JSON or as a plain table.

use std::io::Write;

/// Writes one line to stdout; a closed pipe (`seer … | head`) ends the
/// program quietly instead of panicking.
pub fn out_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}").is_err() {
        std::process::exit(0);
    }
}

/// Prints rows as an aligned text table with a header.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out_line(padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    out_line(&serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Bytes as a short human-readable size (MiB with one decimal).
pub fn human_size(bytes: u64) -> String {
    if bytes == 0 {
        "-".to_string()
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Fails with a clear message when the folder that would hold `path` does not exist.
pub fn require_output_folder(path: &std::path::Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "output folder {} does not exist; create it first",
            dir.display()
        );
    }
    Ok(())
}
