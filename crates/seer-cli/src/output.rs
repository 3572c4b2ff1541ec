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

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC, proleptic Gregorian).
pub fn utc_time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Shift the epoch to 0000-03-01 so leap days end each 4-year cycle.
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A library error followed by the command-line hint for it (the library
/// names no flags), as one message: "error: causes; hint".
pub fn hinted<E>(error: E, hint: Option<&str>) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    let error = anyhow::Error::new(error);
    match hint {
        Some(hint) => anyhow::anyhow!("{error:#}; {hint}"),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_are_formatted() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc_time(1_798_518_730), "2026-12-29 04:32:10");
        assert_eq!(utc_time(-1), "1969-12-31 23:59:59");
    }
}
