//! `seer scene index|search|videos|remove`: the video library (a folder
//! made by `seer_scene::library`).

use crate::output::{out_line, print_json};
use crate::progress::{cancel_on_ctrl_c, TerminalProgress};
use clap::Args;
use seer_scene::library::{IndexOptions, Library, SearchQuery};
use std::path::PathBuf;

/// Arguments of `seer scene index`.
#[derive(Args)]
pub struct IndexArgs {
    /// Videos (MP4, MKV, MOV, WebM); one already in the library is replaced.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Library folder (created if missing).
    #[arg(long, value_name = "LIB")]
    library: PathBuf,
    /// Frames analysed for objects per second of video.
    #[arg(long, default_value_t = 5.0)]
    fps: f64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer scene search`.
#[derive(Args)]
pub struct SearchArgs {
    /// Words and "quoted phrases" (English or Chinese); may be empty with filters.
    query: String,
    /// Library folder.
    #[arg(long, value_name = "LIB")]
    library: PathBuf,
    /// Only this video (path or file name).
    #[arg(long, value_name = "V")]
    video: Option<String>,
    /// Only shots where this object class was seen (e.g. person, car).
    #[arg(long)]
    label: Option<String>,
    /// Only shots starting at or after this time (seconds, m:ss or h:mm:ss).
    #[arg(long, value_name = "TIME")]
    after: Option<String>,
    /// Only shots with at least this many of --label at once.
    #[arg(long, value_name = "N")]
    min_count: Option<u64>,
    /// Most hits shown.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer scene videos`.
#[derive(Args)]
pub struct VideosArgs {
    /// Library folder.
    #[arg(long, value_name = "LIB")]
    library: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer scene remove`.
#[derive(Args)]
pub struct RemoveArgs {
    /// Video (path or file name as indexed).
    video: String,
    /// Library folder.
    #[arg(long, value_name = "LIB")]
    library: PathBuf,
}

/// Seconds of `45`, `1:05`, `00:01:00` or `12.5`.
fn parse_time(text: &str) -> anyhow::Result<f64> {
    let mut seconds = 0.0;
    for part in text.split(':') {
        let value: f64 = part.trim().parse().map_err(|_| {
            anyhow::anyhow!("--after {text:?} is not a time (seconds, m:ss or h:mm:ss)")
        })?;
        seconds = seconds * 60.0 + value;
    }
    Ok(seconds)
}

/// `seer scene index`.
pub fn index(args: IndexArgs) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = crate::face::runtime(&progress)?;
    let mut options = IndexOptions::default();
    options.describe.objects.sample_fps = Some(args.fps);
    let mut library = Library::create(&args.library)?;
    let report = library.index_videos(
        &store,
        &args.inputs,
        &options,
        &progress,
        &cancel_on_ctrl_c(),
    )?;
    if args.json {
        return print_json(&report);
    }
    out_line(report.to_table().trim_end());
    Ok(())
}

/// `seer scene search`.
pub fn search(args: SearchArgs) -> anyhow::Result<()> {
    let library = Library::open(&args.library)?;
    let query = SearchQuery {
        text: args.query,
        video: args.video,
        label: args.label,
        after_s: args.after.as_deref().map(parse_time).transpose()?,
        min_count: args.min_count,
        limit: args.limit,
    };
    let results = library.search(&query)?;
    if args.json {
        return print_json(&results);
    }
    out_line(results.to_table().trim_end());
    Ok(())
}

/// `seer scene videos`.
pub fn videos(args: VideosArgs) -> anyhow::Result<()> {
    let list = Library::open(&args.library)?.videos()?;
    if args.json {
        return print_json(&list);
    }
    out_line(list.to_table().trim_end());
    Ok(())
}

/// `seer scene remove`.
pub fn remove(args: RemoveArgs) -> anyhow::Result<()> {
    let removed = Library::open(&args.library)?.remove(&args.video)?;
    for v in &removed.videos {
        out_line(&format!("removed {}", v.path));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times_in_seconds_minutes_and_hours() {
        assert_eq!(parse_time("45").unwrap(), 45.0);
        assert_eq!(parse_time("1:05").unwrap(), 65.0);
        assert_eq!(parse_time("00:01:00").unwrap(), 60.0);
        assert!(parse_time("soon").is_err());
    }
}
