//! Errors of video decoding and encoding.

use std::path::PathBuf;

/// Why a video could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The FFmpeg libraries could not be initialised.
    #[error("cannot initialise the FFmpeg libraries: {detail}")]
    Init { detail: String },
    /// The input could not be opened as a media file.
    #[error("cannot open {} as a video: {detail}; give an intact MP4, MKV, MOV or WebM file", path.display())]
    Open { path: PathBuf, detail: String },
    /// The input has no video stream.
    #[error("{} has no video stream; give a video file", path.display())]
    NoVideoStream { path: PathBuf },
    /// Reading or decoding the input failed part-way (e.g. a truncated file).
    #[error("cannot decode {} after {frames} frames: {detail}; the file may be truncated or corrupt", path.display())]
    Decode {
        path: PathBuf,
        frames: u64,
        detail: String,
    },
    /// No encoder of that name, or none for H.264.
    #[error(
        "no video encoder '{name}' in this FFmpeg build; try libx264, libx265, libvpx-vp9 or mpeg4"
    )]
    NoEncoder { name: String },
    /// The encoder refused its settings or a frame.
    #[error("encoder {codec} failed: {detail}")]
    Encode { codec: String, detail: String },
    /// A frame handed to the writer has the wrong size.
    #[error("frame of {got_width}x{got_height} pixels given to a video of {width}x{height}")]
    FrameSize {
        width: u32,
        height: u32,
        got_width: u32,
        got_height: u32,
    },
    /// The output could not be created or written.
    #[error("cannot write {}: {detail}", path.display())]
    Write { path: PathBuf, detail: String },
}
