//! seer-video: decode, encode and remux video files through the system
//! FFmpeg libraries (libavformat, libavcodec, libswscale).
//!
//! - [`VideoReader`] opens a file and yields, in file order, the video
//!   frames as 8-bit RGB with their timestamps and every packet of the other
//!   streams (audio, subtitles) untouched.
//! - [`VideoWriter`] encodes RGB frames (H.264 by default) and copies those
//!   packets packet-for-packet, keeping time bases and timestamps. It writes
//!   to a temporary file next to the output and renames it only in
//!   [`VideoWriter::finish`]; dropped unfinished, it removes the temporary
//!   file, so a failed run never leaves a file that looks complete.
//! - [`SpooledVideo`] takes a video given as bytes or from a reader (an
//!   upload) into a private temporary file, removed on drop, so every
//!   path-based workflow reads it like a file.
//! - [`FrameEncoder`] encodes RGB frames into [`EncodedPacket`]s without a
//!   container (for resumable, segment-by-segment work); a
//!   [`VideoWriter`] muxes them later with [`VideoWriter::write_encoded`].
//!
//! ```no_run
//! # fn main() -> Result<(), seer_video::VideoError> {
//! use seer_video::{EncodeOptions, Item, VideoReader, VideoWriter};
//! let mut reader = VideoReader::open("in.mp4".as_ref())?;
//! let (w, h) = reader.info().size;
//! let mut writer = VideoWriter::create("out.mp4".as_ref(), &reader, (w, h), &EncodeOptions::default())?;
//! while let Some(item) = reader.next_item()? {
//!     match item {
//!         Item::Frame(frame) => writer.write_frame(&frame.image, frame.pts)?,
//!         Item::Packet(packet) => writer.write_packet(packet)?,
//!     }
//! }
//! writer.finish()?;
//! # Ok(()) }
//! ```

mod convert;
pub mod encoder;
pub mod error;
pub mod reader;
pub mod rewrite;
pub mod spool;
pub mod writer;

pub use encoder::{Chroma, EncodeOptions, EncodedPacket, FrameEncoder};
pub use error::VideoError;
pub use reader::{CopiedPacket, Item, VideoFrame, VideoInfo, VideoReader, FALLBACK_FPS};
pub use rewrite::rewrite_video;
pub use spool::{SpooledVideo, DEFAULT_MAX_SPOOL_BYTES, IN_MEMORY_VIDEO};
pub use writer::{VideoWriter, WriteSummary};

/// File extensions treated as videos by the front ends.
pub const VIDEO_EXTENSIONS: [&str; 4] = ["mp4", "mkv", "mov", "webm"];

/// True when `path` has one of [`VIDEO_EXTENSIONS`] (case-insensitive).
pub fn is_video_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| VIDEO_EXTENSIONS.iter().any(|v| v.eq_ignore_ascii_case(e)))
        .unwrap_or(false)
}

/// Initialises FFmpeg once per process and silences its own logging
/// (errors come back as [`VideoError`]s; libraries never print).
fn init() -> Result<(), VideoError> {
    static INIT: std::sync::OnceLock<Result<(), ffmpeg_next::Error>> = std::sync::OnceLock::new();
    let result = INIT.get_or_init(|| {
        ffmpeg_next::init()?;
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
        Ok(())
    });
    (*result).map_err(|source| VideoError::Init { source })
}
