//! Errors of video decoding and encoding. The FFmpeg error that caused a
//! failure is kept as its source.

use ffmpeg_next::Error as FfmpegError;
use seer_core::{ErrorKind, HasErrorKind};
use std::path::PathBuf;

/// Why a video could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The FFmpeg libraries could not be initialised.
    #[error("cannot initialise the FFmpeg libraries")]
    Init {
        #[source]
        source: FfmpegError,
    },
    /// The input file does not exist.
    #[error("cannot open {}: no such file", path.display())]
    NotFound { path: PathBuf },
    /// The input file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The input could not be opened as a media file.
    #[error("cannot open {} as a video ({step}); give an intact MP4, MKV, MOV or WebM file", path.display())]
    Open {
        path: PathBuf,
        /// What was being done, e.g. "opening the video decoder".
        step: &'static str,
        #[source]
        source: FfmpegError,
    },
    /// The video stream declares no picture size.
    #[error("cannot open {} as a video: the video stream has no picture size; give an intact MP4, MKV, MOV or WebM file", path.display())]
    NoPictureSize { path: PathBuf },
    /// The input has no video stream.
    #[error("{} has no video stream; give a video file", path.display())]
    NoVideoStream { path: PathBuf },
    /// Reading or decoding the input failed part-way (e.g. a truncated file).
    #[error("cannot decode {} after {frames} frames ({step}); the file may be truncated or corrupt", path.display())]
    Decode {
        path: PathBuf,
        frames: u64,
        /// What was being done, e.g. "reading a packet".
        step: &'static str,
        #[source]
        source: FfmpegError,
    },
    /// The data ends before the frames the file's index lists.
    #[error("cannot decode {} after {frames} frames: the file's index lists {declared} frames but its data ends there; the file may be truncated or corrupt", path.display())]
    Truncated {
        path: PathBuf,
        frames: u64,
        declared: u64,
    },
    /// The video stream holds no frame that decodes.
    #[error("cannot decode {}: the video stream holds no decodable frames; the file may be truncated or corrupt", path.display())]
    NoFrames { path: PathBuf },
    /// The input's video stream disappeared while it was in use.
    #[error("the video stream of {} is no longer available", path.display())]
    StreamVanished { path: PathBuf },
    /// No encoder of that name, or none for H.264.
    #[error(
        "no video encoder '{name}' in this FFmpeg build; try libx264, libx265, libvpx-vp9 or mpeg4"
    )]
    NoEncoder { name: String },
    /// 4:2:0 chroma needs even sides.
    #[error("4:2:0 video needs an even width and height, not {width}x{height}; use 4:4:4 chroma")]
    OddSize { width: u32, height: u32 },
    /// The encoder refused its settings or a frame.
    #[error("encoder {codec} failed ({step})")]
    Encode {
        codec: String,
        /// What was being done, e.g. "sending a frame".
        step: &'static str,
        #[source]
        source: FfmpegError,
    },
    /// A frame handed to the writer has the wrong size.
    #[error("frame of {got_width}x{got_height} pixels given to a video of {width}x{height}")]
    FrameSize {
        width: u32,
        height: u32,
        got_width: u32,
        got_height: u32,
    },
    /// The output container cannot hold the streams.
    #[error("cannot write {}: the container refused the streams; the video codec {codec} or a copied stream may not fit this container, try another codec or file extension", path.display())]
    Container {
        path: PathBuf,
        codec: String,
        #[source]
        source: FfmpegError,
    },
    /// The output could not be created or written.
    #[error("cannot write {} ({step})", path.display())]
    Write {
        path: PathBuf,
        /// What was being done, e.g. "writing a packet".
        step: &'static str,
        #[source]
        source: FfmpegError,
    },
    /// The finished output could not be put in place.
    #[error("cannot write {}", path.display())]
    WriteIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A video given in memory or from a reader is larger than allowed.
    #[error("the video given is larger than the limit of {max_bytes} bytes")]
    SpoolTooLarge { max_bytes: u64 },
    /// A video given in memory or from a reader holds no bytes.
    #[error("the video given is empty")]
    EmptyInput,
    /// Bytes given as a video cannot be opened as one.
    #[error("the {bytes} bytes given are not a video FFmpeg can open; give an intact MP4, MKV, MOV or WebM file")]
    NotAVideo {
        bytes: u64,
        #[source]
        source: Box<VideoError>,
    },
    /// The writer was used after it finished.
    #[error("the video writer of {} is already closed", path.display())]
    Closed { path: PathBuf },
}

impl HasErrorKind for VideoError {
    fn kind(&self) -> ErrorKind {
        use VideoError::*;
        match self {
            NotFound { .. } => ErrorKind::NotFound,
            Io { source, .. } => ErrorKind::of_io(source),
            Open { .. }
            | NoPictureSize { .. }
            | NoVideoStream { .. }
            | Decode { .. }
            | Truncated { .. }
            | NoFrames { .. }
            | OddSize { .. }
            | FrameSize { .. }
            | EmptyInput
            | NotAVideo { .. } => ErrorKind::InvalidInput,
            SpoolTooLarge { .. } => ErrorKind::ResourceLimit,
            NoEncoder { .. } | Container { .. } => ErrorKind::Unsupported,
            WriteIo { source, .. } => match ErrorKind::of_io(source) {
                ErrorKind::NotFound => ErrorKind::Internal,
                kind => kind,
            },
            Init { .. } | StreamVanished { .. } | Encode { .. } | Write { .. } | Closed { .. } => {
                ErrorKind::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_messages_without_command_line_flags() {
        let path = PathBuf::from("clip.mp4");
        let cases = [
            (
                VideoError::NotFound { path: path.clone() },
                ErrorKind::NotFound,
            ),
            (
                VideoError::Truncated {
                    path: path.clone(),
                    frames: 3,
                    declared: 9,
                },
                ErrorKind::InvalidInput,
            ),
            (
                VideoError::OddSize {
                    width: 3,
                    height: 5,
                },
                ErrorKind::InvalidInput,
            ),
            (
                VideoError::Container {
                    path: path.clone(),
                    codec: "libx264".into(),
                    source: FfmpegError::InvalidData,
                },
                ErrorKind::Unsupported,
            ),
            (
                VideoError::WriteIo {
                    path,
                    source: std::io::Error::other("disk full"),
                },
                ErrorKind::Internal,
            ),
        ];
        for (error, kind) in cases {
            assert_eq!(error.kind(), kind, "{error}");
            assert!(!error.to_string().contains("--"), "{error}");
        }
    }
}
