//! `seer upscale` on image files: one image (`IN.png OUT.png`) or every
//! image of a folder tree (`IN_DIR OUT_DIR`), run by
//! `seer_upscale::{upscale_file, upscale_folder}`; this module prints the
//! results (table or `--json`) and fails the folder run (exit status 1)
//! when any image failed.

use crate::output::{print_json, print_table};
use crate::progress::cancel_on_ctrl_c;
use crate::progress::TerminalProgress;
use crate::upscale::with_hint;
use anyhow::bail;
use seer_models::Store;
use seer_upscale::{FolderSummary, ImageJob, UpscaleReport};
use std::path::Path;

/// Table cells shared by single and folder results.
fn report_cells(r: &UpscaleReport) -> Vec<String> {
    vec![
        format!("{}x{}", r.output_size.0, r.output_size.1),
        format!("x{}", (r.factor * 1000.0).round() / 1000.0),
        r.how.clone(),
        r.chain.join(" -> "),
        r.tiles.to_string(),
        format!("{:.2}", r.seconds),
        format!("{:.1}", r.lr_kpx_per_s),
    ]
}

const REPORT_HEADER: [&str; 7] = [
    "size", "scale", "how", "models", "tiles", "seconds", "LR kpx/s",
];

/// Runs `seer upscale IN OUT` for one image file.
pub fn run_image(input: &Path, output: &Path, job: &ImageJob, json: bool) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = Store::open_default()?;
    let result =
        seer_upscale::upscale_file(&store, input, output, job, &progress, &cancel_on_ctrl_c())
            .map_err(with_hint)?;
    if json {
        return print_json(&result);
    }
    let mut header = vec!["output"];
    header.extend(REPORT_HEADER);
    let mut row = vec![result.output.clone()];
    row.extend(report_cells(&result.image.report));
    print_table(&header, &[row]);
    Ok(())
}

/// Runs `seer upscale IN_DIR OUT_DIR`.
pub fn run_folder(
    input_dir: &Path,
    output_dir: &Path,
    job: &ImageJob,
    json: bool,
) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let store = Store::open_default()?;
    let summary = seer_upscale::upscale_folder(
        &store,
        input_dir,
        output_dir,
        job,
        &progress,
        &cancel_on_ctrl_c(),
    )
    .map_err(with_hint)?;
    if json {
        print_json(&summary)?;
    } else {
        print_folder_table(&summary);
    }
    if summary.failed > 0 {
        bail!(
            "{} of {} images failed (listed above); the others were written or already existed",
            summary.failed,
            summary.files.len()
        );
    }
    Ok(())
}

fn print_folder_table(summary: &FolderSummary) {
    let mut header = vec!["input", "status"];
    header.extend(REPORT_HEADER);
    header.push("reason");
    let rows: Vec<Vec<String>> = summary
        .files
        .iter()
        .map(|f| {
            let mut row = vec![f.input.clone(), f.status.as_str().to_string()];
            match &f.result {
                Some(r) => row.extend(report_cells(&r.image.report)),
                None => row.extend(std::iter::repeat_n(String::new(), REPORT_HEADER.len())),
            }
            row.push(f.reason.clone().unwrap_or_default());
            row
        })
        .collect();
    print_table(&header, &rows);
    crate::output::out_line(&format!(
        "{} done, {} skipped, {} failed in {:.1} s ({} stale temporary files removed)",
        summary.done,
        summary.skipped,
        summary.failed,
        summary.seconds,
        summary.stale_partials_removed
    ));
}
