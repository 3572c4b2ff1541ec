//! The work folder of a resumable video upscale: `.NAME.seer-parts/`
//! beside the output, holding one file per finished segment and
//! `journal.json`, which lists them. The journal is replaced atomically
//! (written to a temporary file, fsynced, renamed, folder fsynced) after
//! each segment file is fsynced, so after a crash or power loss it lists
//! only segments that are complete on disk.

use crate::UpscaleError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Version of the journal and segment file formats.
const FORMAT: u32 = 1;
/// Bytes hashed at each end of the input to recognise it.
const FINGERPRINT_BYTES: u64 = 1 << 20;
/// Name of the journal inside the work folder.
const JOURNAL: &str = "journal.json";

/// Everything that must be equal for finished segments to be reused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobKey {
    /// Size of the input file in bytes.
    pub input_bytes: u64,
    /// SHA-256 of the input's first and last MiB (hex).
    pub input_sha256: String,
    /// Model ids applied to every frame.
    pub chain: Vec<String>,
    /// Output pixels per input pixel.
    pub scale: u32,
    /// Output frame width and height in pixels.
    pub output_size: (u32, u32),
    /// Encoder name as asked (`auto` = the default).
    pub codec: String,
    /// Constant rate factor.
    pub crf: u32,
    /// Encoder preset as asked (`default` = the encoder's).
    pub preset: String,
    /// Chroma layout (`420` or `444`).
    pub chroma: String,
    /// Frames per segment.
    pub segment_frames: u64,
}

impl JobKey {
    /// Lines naming each field that differs from `other` (`self` is the
    /// journal's, `other` this run's).
    pub fn differences(&self, other: &JobKey) -> Vec<String> {
        let mut lines = Vec::new();
        let mut check = |name: &str, a: String, b: String| {
            if a != b {
                lines.push(format!("{name} was {a}, now {b}"));
            }
        };
        let short = |h: &str| h.chars().take(12).collect::<String>();
        check(
            "the input (SHA-256 of its first and last MiB)",
            short(&self.input_sha256),
            short(&other.input_sha256),
        );
        check(
            "input size",
            format!("{} bytes", self.input_bytes),
            format!("{} bytes", other.input_bytes),
        );
        check("model", self.chain.join("+"), other.chain.join("+"));
        check("scale", self.scale.to_string(), other.scale.to_string());
        check(
            "output size",
            format!("{:?}", self.output_size),
            format!("{:?}", other.output_size),
        );
        check("codec", self.codec.clone(), other.codec.clone());
        check("crf", self.crf.to_string(), other.crf.to_string());
        check("preset", self.preset.clone(), other.preset.clone());
        check("chroma", self.chroma.clone(), other.chroma.clone());
        check(
            "segment frames",
            self.segment_frames.to_string(),
            other.segment_frames.to_string(),
        );
        lines
    }
}

/// One finished segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRecord {
    /// Position of the segment, from 0.
    pub index: u64,
    /// Index of its first frame in the input (display order).
    pub first_frame: u64,
    /// Frames in the segment.
    pub frames: u64,
    /// Timestamps of its first and last frame (ticks of the input video's
    /// time base), as decoded.
    pub first_pts: Option<i64>,
    /// See `first_pts`.
    pub last_pts: Option<i64>,
    /// File name inside the work folder.
    pub file: String,
    /// File size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file (hex).
    pub sha256: String,
}

/// The journal: the job it belongs to and its finished segments.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Journal {
    /// Format version.
    pub format: u32,
    /// What the segments were made from and with.
    pub key: JobKey,
    /// SHA-256 of the encoder's global headers (hex), set with the first
    /// segment; every segment and the final output must match it.
    pub headers_sha256: Option<String>,
    /// Finished segments, in order.
    pub segments: Vec<SegmentRecord>,
    /// True once the last frame of the input is in a segment.
    pub complete: bool,
}

impl Journal {
    /// An empty journal for `key`.
    pub fn new(key: JobKey) -> Journal {
        Journal {
            format: FORMAT,
            key,
            headers_sha256: None,
            segments: Vec::new(),
            complete: false,
        }
    }

    /// Frames in the finished segments.
    pub fn frames(&self) -> u64 {
        self.segments.iter().map(|s| s.frames).sum()
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes` in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Size and SHA-256 (hex) of the whole file at `path`, read in pieces.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok((bytes, hex(&hasher.finalize())))
}

/// Size of `path` and the SHA-256 of its first and last MiB.
pub fn fingerprint(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut hasher = Sha256::new();
    let mut buffer = Vec::new();
    (&mut file)
        .take(FINGERPRINT_BYTES)
        .read_to_end(&mut buffer)?;
    hasher.update(&buffer);
    if size > FINGERPRINT_BYTES {
        buffer.clear();
        file.seek(SeekFrom::Start(size.saturating_sub(FINGERPRINT_BYTES)))?;
        file.read_to_end(&mut buffer)?;
        hasher.update(&buffer);
    }
    Ok((size, hex(&hasher.finalize())))
}

/// The work folder of one output video.
#[derive(Clone, Debug)]
pub struct WorkFolder {
    /// `dir/.NAME.seer-parts`.
    pub path: PathBuf,
}

impl WorkFolder {
    /// The work folder of `output`: `.NAME.seer-parts` beside it.
    pub fn for_output(output: &Path) -> WorkFolder {
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "video".into());
        WorkFolder {
            path: output.with_file_name(format!(".{name}.seer-parts")),
        }
    }

    /// An error about the folder itself.
    pub fn error(&self, detail: impl std::fmt::Display) -> UpscaleError {
        UpscaleError::WorkFolder {
            folder: self.path.display().to_string(),
            detail: detail.to_string(),
        }
    }

    /// A failed read or write in the folder.
    pub fn io_error(&self, source: std::io::Error) -> UpscaleError {
        UpscaleError::WorkFolderIo {
            folder: self.path.display().to_string(),
            source,
        }
    }

    /// A resume that cannot use the folder.
    pub fn mismatch(&self, detail: impl std::fmt::Display) -> UpscaleError {
        UpscaleError::ResumeMismatch {
            folder: self.path.display().to_string(),
            detail: detail.to_string(),
        }
    }

    /// True when the folder exists.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Creates the (new, empty) folder.
    pub fn create(&self) -> Result<(), UpscaleError> {
        std::fs::create_dir(&self.path).map_err(|e| self.io_error(e))
    }

    /// Deletes the folder and everything in it.
    pub fn remove(&self) -> Result<(), UpscaleError> {
        std::fs::remove_dir_all(&self.path).map_err(|e| self.io_error(e))
    }

    /// Path of a file in the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// File name of segment `index`.
    pub fn segment_name(index: u64) -> String {
        format!("segment-{index:06}.pkts")
    }

    /// Reads the journal (a folder without one is an interrupted start and
    /// yields `None`).
    pub fn load(&self) -> Result<Option<Journal>, UpscaleError> {
        let path = self.file(JOURNAL);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        let journal: Journal = serde_json::from_str(&text)
            .map_err(|e| self.mismatch(format!("{JOURNAL} is not a seer journal ({e})")))?;
        if journal.format != FORMAT {
            return Err(self.mismatch(format!(
                "{JOURNAL} has format {}, this seer writes {FORMAT}",
                journal.format
            )));
        }
        Ok(Some(journal))
    }

    /// Replaces the journal atomically and durably.
    pub fn save(&self, journal: &Journal) -> Result<(), UpscaleError> {
        let text = serde_json::to_string_pretty(journal).map_err(|source| {
            UpscaleError::JournalEncode {
                folder: self.path.display().to_string(),
                source,
            }
        })?;
        seer_core::atomic::write_atomic(&self.file(JOURNAL), text.as_bytes())
            .map_err(|e| self.io_error(e))
    }

    /// Fsyncs the folder so renames and new files in it are durable.
    pub fn sync(&self) -> std::io::Result<()> {
        File::open(&self.path)?.sync_all()
    }

    /// Keeps the journal's segments whose files are intact (size and
    /// checksum), up to the first that is not, and deletes every other
    /// file (segments of an interrupted run that the journal does not
    /// list). Returns how many listed segments were dropped.
    pub fn keep_intact(&self, journal: &mut Journal) -> Result<usize, UpscaleError> {
        let listed = journal.segments.len();
        let mut intact = 0;
        for (i, record) in journal.segments.iter().enumerate() {
            let ok = record.index == i as u64
                && hash_file(&self.file(&record.file))
                    .map(|(bytes, sha256)| bytes == record.bytes && sha256 == record.sha256)
                    .unwrap_or(false);
            if !ok {
                tracing::warn!(segment = i, "segment file damaged; it will be made again");
                break;
            }
            intact += 1;
        }
        journal.segments.truncate(intact);
        if intact < listed {
            journal.complete = false;
        }
        let keep: Vec<String> = journal.segments.iter().map(|s| s.file.clone()).collect();
        let entries = std::fs::read_dir(&self.path).map_err(|e| self.io_error(e))?;
        for entry in entries {
            let entry = entry.map_err(|e| self.io_error(e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != JOURNAL && !keep.contains(&name) {
                std::fs::remove_file(entry.path()).map_err(|e| self.io_error(e))?;
            }
        }
        self.save(journal)?;
        Ok(listed - intact)
    }
}
