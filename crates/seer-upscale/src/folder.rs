//! Upscaling every image of a folder tree into another folder.
//!
//! Sub-folders are mirrored and file names kept; hidden entries and the
//! output folder itself are skipped. An output that already exists is
//! skipped (writes are atomic renames, so an existing output is complete);
//! temporary files left by killed runs (their process is gone) are
//! removed; a bad file is recorded with its reason and the run goes on.
//! Upscalers are loaded once per planned whole scale ([`ImageUpscaler`]).

use crate::error::describe;
use crate::job::{FileUpscale, ImageJob, ImageUpscaler};
use crate::UpscaleError;
use seer_core::atomic::clean_stale_partials;
use seer_core::progress::Progress;
use seer_core::CancelToken;
use seer_models::Store;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Outcome of one file of a folder run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Upscaled and written.
    Done,
    /// Not upscaled: the output exists.
    Skipped,
    /// Not upscaled: see the reason.
    Failed,
}

impl FileStatus {
    /// The status as a word ("done", "skipped", "failed").
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Done => "done",
            FileStatus::Skipped => "skipped",
            FileStatus::Failed => "failed",
        }
    }
}

/// What happened to one file of a folder run.
#[derive(Clone, Debug, Serialize)]
pub struct FileResult {
    /// The input file.
    pub input: String,
    /// Its output file.
    pub output: String,
    /// Done, skipped or failed.
    pub status: FileStatus,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    /// The upscale, when done.
    pub result: Option<FileUpscale>,
}

/// The summary of a folder run (serialised in `--json` output).
#[derive(Clone, Debug, Serialize)]
pub struct FolderSummary {
    /// The input folder.
    pub input_dir: String,
    /// The output folder.
    pub output_dir: String,
    /// The model as asked for.
    pub model: String,
    /// Files upscaled.
    pub done: usize,
    /// Files skipped (output exists).
    pub skipped: usize,
    /// Files that failed.
    pub failed: usize,
    /// Temporary files of killed earlier runs that were removed.
    pub stale_partials_removed: usize,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Every file, sorted by input path.
    pub files: Vec<FileResult>,
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

/// `path` made absolute and resolved when possible (for comparisons).
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Image files below `dir` (sub-folders included, hidden entries and
/// `skip` excluded), sorted by path.
pub fn image_files(dir: &Path, skip: &Path) -> Result<Vec<PathBuf>, UpscaleError> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    let skip = canonical(skip);
    while let Some(folder) = folders.pop() {
        let folder_error = |source| UpscaleError::Folder {
            folder: folder.display().to_string(),
            source,
        };
        for entry in std::fs::read_dir(&folder).map_err(folder_error)? {
            let entry = entry.map_err(folder_error)?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if entry.file_type().map_err(folder_error)?.is_dir() {
                if canonical(&path) != skip {
                    folders.push(path);
                }
            } else if seer_imgproc::is_image_path(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Upscales every image below `input_dir` into the same relative path
/// below `output_dir` (created). Bad files are recorded in the summary,
/// not returned as errors; the error cases are an unusable folder pair,
/// a folder without images, and a cancel (outputs written before it are
/// complete, none is partial). `progress` labels each file's phases with
/// `[i/n] name: `.
pub fn upscale_folder(
    store: &Store,
    input_dir: &Path,
    output_dir: &Path,
    job: &ImageJob,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> Result<FolderSummary, UpscaleError> {
    job.validate()?;
    if canonical(input_dir) == canonical(output_dir) {
        return Err(UpscaleError::SameFolder {
            folder: output_dir.display().to_string(),
        });
    }
    if output_dir.exists() && !output_dir.is_dir() {
        return Err(UpscaleError::OutputIsFile {
            path: output_dir.display().to_string(),
        });
    }
    std::fs::create_dir_all(output_dir).map_err(|source| UpscaleError::Folder {
        folder: output_dir.display().to_string(),
        source,
    })?;
    let files = image_files(input_dir, output_dir)?;
    if files.is_empty() {
        return Err(UpscaleError::NoImages {
            folder: input_dir.display().to_string(),
        });
    }
    let started = Instant::now();
    let mut upscaler = ImageUpscaler::new(store, job.clone());
    let mut results = Vec::new();
    let mut cleaned = BTreeSet::new();
    let mut stale = 0;
    for (i, input) in files.iter().enumerate() {
        cancel.check()?;
        let relative = input.strip_prefix(input_dir).unwrap_or(input);
        let output = output_dir.join(relative);
        let folder = output.parent().unwrap_or(output_dir).to_path_buf();
        let mut result = FileResult {
            input: input.display().to_string(),
            output: output.display().to_string(),
            status: FileStatus::Done,
            reason: None,
            result: None,
        };
        if let Err(e) = std::fs::create_dir_all(&folder) {
            result.status = FileStatus::Failed;
            result.reason = Some(format!("cannot create folder {}: {e}", folder.display()));
            results.push(result);
            continue;
        }
        if cleaned.insert(folder.clone()) {
            stale += clean_stale_partials(&folder).len();
        }
        if output.exists() {
            result.status = FileStatus::Skipped;
            result.reason = Some("output exists".into());
            results.push(result);
            continue;
        }
        let prefixed = Prefixed {
            inner: progress,
            prefix: format!("[{}/{}] {}: ", i + 1, files.len(), relative.display()),
        };
        match upscaler.upscale_file(input, &output, &prefixed, cancel) {
            Ok(done) => result.result = Some(done),
            Err(UpscaleError::Cancelled) => return Err(UpscaleError::Cancelled),
            Err(e) => {
                progress.finish();
                let reason = describe(&e);
                tracing::warn!(input = %input.display(), %reason, "image failed");
                result.status = FileStatus::Failed;
                result.reason = Some(reason);
            }
        }
        results.push(result);
    }
    let count = |s: FileStatus| results.iter().filter(|r| r.status == s).count();
    Ok(FolderSummary {
        input_dir: input_dir.display().to_string(),
        output_dir: output_dir.display().to_string(),
        model: job.model.clone(),
        done: count(FileStatus::Done),
        skipped: count(FileStatus::Skipped),
        failed: count(FileStatus::Failed),
        stale_partials_removed: stale,
        seconds: started.elapsed().as_secs_f64(),
        files: results,
    })
}
