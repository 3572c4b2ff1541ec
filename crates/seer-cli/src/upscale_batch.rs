//! `seer upscale` on image files: one image (`IN.png OUT.png`) or every
//! image of a folder tree (`IN_DIR OUT_DIR`).
//!
//! A folder run mirrors sub-folders and keeps file names, skips outputs that
//! already exist (writes are atomic renames, so an existing output is
//! complete), removes temporary files left by killed runs, goes on past a
//! bad file and reports every failure at the end (exit status 1 if any).
//! Upscalers are loaded once per planned integer scale (once in all for
//! `--scale`; `--width` may need more than one chain for mixed sizes).

use crate::output::{print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::{bail, Context};
use image::ImageFormat;
use seer_core::progress::Progress;
use seer_imgproc::atomic::clean_stale_partials;
use seer_models::Store;
use seer_upscale::{Target, UpscaleOptions, UpscaleReport, Upscaler};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What to do with each image, from the command line.
pub struct ImageJob {
    /// Tier, family or model id.
    pub model: String,
    /// Output size; `None` = the model's smallest native scale.
    pub target: Option<Target>,
    /// Largest tile side in input pixels, context included.
    pub tile: u32,
    /// Inference threads (`None` = physical cores).
    pub threads: Option<usize>,
    /// Inference engine.
    pub engine: seer_upscale::EngineChoice,
    /// Memory budget in bytes.
    pub max_memory: u64,
    /// Print JSON instead of a table.
    pub json: bool,
}

/// The upscalers of a job, one per planned integer scale, loaded on first use.
struct Upscalers<'a> {
    job: &'a ImageJob,
    store: Store,
    loaded: BTreeMap<u32, Upscaler>,
}

impl<'a> Upscalers<'a> {
    fn new(job: &'a ImageJob) -> anyhow::Result<Self> {
        Ok(Upscalers {
            job,
            store: Store::open_default()?,
            loaded: BTreeMap::new(),
        })
    }

    /// The target: the one asked for, else the model's smallest native scale.
    fn target(&self) -> anyhow::Result<Target> {
        if let Some(t) = self.job.target {
            return Ok(t);
        }
        let plan = seer_upscale::plan(self.store.catalog(), &self.job.model, None)?;
        Ok(Target::Scale(f64::from(plan.scale)))
    }

    /// The upscaler for an integer scale (loading its models the first time).
    fn get(&mut self, scale: u32, progress: &dyn Progress) -> anyhow::Result<&mut Upscaler> {
        if !self.loaded.contains_key(&scale) {
            let defaults = UpscaleOptions::default();
            let options = UpscaleOptions {
                scale: Some(scale),
                tile: self.job.tile,
                threads: self.job.threads.unwrap_or(defaults.threads),
                max_memory: self.job.max_memory,
                engine: self.job.engine,
                ..defaults
            };
            let upscaler =
                Upscaler::with_progress(&self.store, &self.job.model, &options, progress)?;
            self.loaded.insert(scale, upscaler);
        }
        self.loaded
            .get_mut(&scale)
            .context("upscaler missing after loading")
    }
}

/// What happened to one image (serialised in `--json` output).
#[derive(Serialize)]
struct ImageResult {
    input: String,
    output: String,
    /// EXIF orientation applied to the pixels on read, if any.
    orientation_applied: Option<String>,
    /// True when the input's ICC profile was written into the output.
    icc_profile_kept: bool,
    /// True when the input's EXIF block was written (orientation reset).
    exif_kept: bool,
    #[serde(flatten)]
    report: UpscaleReport,
}

/// Reads, upscales and writes one image.
fn upscale_one(
    input: &Path,
    output: &Path,
    upscalers: &mut Upscalers,
    progress: &dyn Progress,
) -> anyhow::Result<ImageResult> {
    crate::output::require_output_folder(output)?;
    let format = seer_imgproc::output_format(output)?;
    let decoded = seer_imgproc::read_image(input, Some(upscalers.job.max_memory))?;
    let (w, h) = (decoded.image.width(), decoded.image.height());
    let target = upscalers.target()?;
    let size = target.output_size(w, h)?;
    let upscaler = upscalers.get(target.plan_scale(w, h), progress)?;
    let big = upscaler.upscale_image_to(&decoded.image, size, progress)?;
    drop(decoded.image);
    let written = seer_imgproc::write_image(&big, output, format, &decoded.metadata)?;
    Ok(ImageResult {
        input: input.display().to_string(),
        output: output.display().to_string(),
        orientation_applied: decoded.metadata.orientation_applied.clone(),
        icc_profile_kept: written.icc_profile,
        exif_kept: written.exif,
        report: upscaler.last_report().clone(),
    })
}

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
pub fn run_image(input: &Path, output: &Path, job: &ImageJob) -> anyhow::Result<()> {
    let progress = TerminalProgress::new();
    let mut upscalers = Upscalers::new(job)?;
    let result = upscale_one(input, output, &mut upscalers, &progress)?;
    if job.json {
        return print_json(&result);
    }
    let mut header = vec!["output"];
    header.extend(REPORT_HEADER);
    let mut row = vec![result.output.clone()];
    row.extend(report_cells(&result.report));
    print_table(&header, &[row]);
    Ok(())
}

/// True for files seer can upscale, judged by extension (content is
/// checked when read).
fn is_image_name(path: &Path) -> bool {
    matches!(
        ImageFormat::from_path(path),
        Ok(ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::WebP
            | ImageFormat::Tiff
            | ImageFormat::Bmp)
    )
}

/// Image files below `dir` (sub-folders included, hidden entries and
/// `skip` excluded), sorted by path.
fn image_files(dir: &Path, skip: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read folder {}", folder.display()))?;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("cannot read folder {}", folder.display()))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if canonical(&path) != canonical(skip) {
                    folders.push(path);
                }
            } else if is_image_name(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Outcome of one file of a folder run.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Done,
    Skipped,
    Failed,
}

#[derive(Serialize)]
struct FileResult {
    input: String,
    output: String,
    status: Status,
    /// Why it was skipped or failed.
    reason: Option<String>,
    result: Option<ImageResult>,
}

#[derive(Serialize)]
struct FolderSummary {
    input_dir: String,
    output_dir: String,
    model: String,
    done: usize,
    skipped: usize,
    failed: usize,
    /// Temporary files of killed earlier runs that were removed.
    stale_partials_removed: usize,
    seconds: f64,
    files: Vec<FileResult>,
}

/// A progress display whose phase labels start with `[i/n] name: `.
struct Prefixed<'a> {
    inner: &'a dyn Progress,
    prefix: String,
}

impl Progress for Prefixed<'_> {
    fn start(&self, label: &str, total: Option<u64>) {
        self.inner.start(&format!("{}{label}", self.prefix), total);
    }
    fn set(&self, done: u64) {
        self.inner.set(done);
    }
    fn finish(&self) {
        self.inner.finish();
    }
}

/// Runs `seer upscale IN_DIR OUT_DIR`.
pub fn run_folder(input_dir: &Path, output_dir: &Path, job: &ImageJob) -> anyhow::Result<()> {
    if canonical(input_dir) == canonical(output_dir) {
        bail!(
            "the output folder {} is the input folder; choose another (outputs keep the input names)",
            output_dir.display()
        );
    }
    if output_dir.exists() && !output_dir.is_dir() {
        bail!(
            "{} is a file; the output of a folder must be a folder",
            output_dir.display()
        );
    }
    std::fs::create_dir_all(output_dir)
        .with_context(|| format!("cannot create output folder {}", output_dir.display()))?;
    let files = image_files(input_dir, output_dir)?;
    if files.is_empty() {
        bail!(
            "folder {} holds no {} images",
            input_dir.display(),
            seer_imgproc::io::FORMATS
        );
    }
    let started = std::time::Instant::now();
    let progress = TerminalProgress::new();
    let mut upscalers = Upscalers::new(job)?;
    let mut results = Vec::new();
    let mut cleaned = std::collections::BTreeSet::new();
    let mut stale = 0;
    for (i, input) in files.iter().enumerate() {
        let relative = input.strip_prefix(input_dir).unwrap_or(input);
        let output = output_dir.join(relative);
        let folder = output.parent().unwrap_or(output_dir).to_path_buf();
        let mut result = FileResult {
            input: input.display().to_string(),
            output: output.display().to_string(),
            status: Status::Done,
            reason: None,
            result: None,
        };
        if let Err(e) = std::fs::create_dir_all(&folder) {
            result.status = Status::Failed;
            result.reason = Some(format!("cannot create folder {}: {e}", folder.display()));
            results.push(result);
            continue;
        }
        if cleaned.insert(folder.clone()) {
            stale += clean_stale_partials(&folder).len();
        }
        if output.exists() {
            result.status = Status::Skipped;
            result.reason = Some("output exists".into());
            results.push(result);
            continue;
        }
        let prefixed = Prefixed {
            inner: &progress,
            prefix: format!("[{}/{}] {}: ", i + 1, files.len(), relative.display()),
        };
        match upscale_one(input, &output, &mut upscalers, &prefixed) {
            Ok(done) => result.result = Some(done),
            Err(e) => {
                progress.finish();
                eprintln!("failed: {}: {e:#}", input.display());
                result.status = Status::Failed;
                result.reason = Some(format!("{e:#}"));
            }
        }
        results.push(result);
    }
    let count = |s: fn(&Status) -> bool| results.iter().filter(|r| s(&r.status)).count();
    let summary = FolderSummary {
        input_dir: input_dir.display().to_string(),
        output_dir: output_dir.display().to_string(),
        model: job.model.clone(),
        done: count(|s| matches!(s, Status::Done)),
        skipped: count(|s| matches!(s, Status::Skipped)),
        failed: count(|s| matches!(s, Status::Failed)),
        stale_partials_removed: stale,
        seconds: started.elapsed().as_secs_f64(),
        files: results,
    };
    if job.json {
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
            let status = match f.status {
                Status::Done => "done",
                Status::Skipped => "skipped",
                Status::Failed => "failed",
            };
            let mut row = vec![f.input.clone(), status.to_string()];
            match &f.result {
                Some(r) => row.extend(report_cells(&r.report)),
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
