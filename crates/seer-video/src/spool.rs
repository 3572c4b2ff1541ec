//! Videos that arrive as bytes or from a reader (an upload, a pipe), held
//! in a private temporary file for as long as they are needed.
//!
//! FFmpeg's demuxers seek through their input (an MP4's index is often at
//! its end) and the video workflows open their input more than once (facts,
//! frames, stream copy), so a video given in memory is written once to a
//! temporary file that only this process can read, checked to be a video,
//! and handed to the same path-based workflows as any file. The file is
//! removed when the [`SpooledVideo`] is dropped, on success and on error.

use crate::{VideoError, VideoReader};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The name errors give a video that was given in memory.
pub const IN_MEMORY_VIDEO: &str = "<video in memory>";

/// Bytes a spooled video may take when the caller names no limit: 8 GiB.
pub const DEFAULT_MAX_SPOOL_BYTES: u64 = 8 << 30;

/// A video held in a private temporary file (mode 0600 on Unix), removed
/// on drop. Its [`SpooledVideo::path`] goes to any workflow that reads a
/// video file.
#[derive(Debug)]
pub struct SpooledVideo {
    file: tempfile::TempPath,
    bytes: u64,
}

impl SpooledVideo {
    /// Spools `bytes` into the system's temporary folder (see
    /// [`SpooledVideo::from_reader_in`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<SpooledVideo, VideoError> {
        SpooledVideo::from_reader_in(&std::env::temp_dir(), bytes, DEFAULT_MAX_SPOOL_BYTES)
    }

    /// Spools everything `reader` yields into the system's temporary folder
    /// (see [`SpooledVideo::from_reader_in`]).
    pub fn from_reader(reader: impl Read, max_bytes: u64) -> Result<SpooledVideo, VideoError> {
        SpooledVideo::from_reader_in(&std::env::temp_dir(), reader, max_bytes)
    }

    /// Spools everything `reader` yields into a new private file in
    /// `folder`, refusing more than `max_bytes` bytes (checked while
    /// reading, so an endless reader stops there), an empty input, and
    /// bytes FFmpeg cannot open as a video. On any error no file remains.
    pub fn from_reader_in(
        folder: &Path,
        mut reader: impl Read,
        max_bytes: u64,
    ) -> Result<SpooledVideo, VideoError> {
        let io = |source| VideoError::Io {
            path: PathBuf::from(IN_MEMORY_VIDEO),
            source,
        };
        let mut file = tempfile::Builder::new()
            .prefix(".seer-video-")
            .suffix(".spool")
            .tempfile_in(folder)
            .map_err(io)?;
        let limit = max_bytes.saturating_add(1);
        let bytes =
            std::io::copy(&mut (&mut reader).take(limit), file.as_file_mut()).map_err(io)?;
        if bytes > max_bytes {
            return Err(VideoError::SpoolTooLarge { max_bytes });
        }
        if bytes == 0 {
            return Err(VideoError::EmptyInput);
        }
        file.as_file_mut().flush().map_err(io)?;
        let spooled = SpooledVideo {
            file: file.into_temp_path(),
            bytes,
        };
        // Bytes that are no video are refused here, not deep in a workflow.
        VideoReader::open(spooled.path()).map_err(|source| VideoError::NotAVideo {
            bytes,
            source: Box::new(source),
        })?;
        Ok(spooled)
    }

    /// The temporary file holding the video (valid while `self` lives).
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// Size of the video in bytes.
    pub fn len(&self) -> u64 {
        self.bytes
    }

    /// Always false: an empty input is refused when spooling.
    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }
}
