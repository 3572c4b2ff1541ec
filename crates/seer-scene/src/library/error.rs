//! Errors of the video library. The error that caused a failure is kept
//! as its source.

use crate::SceneError;
use seer_core::{ErrorKind, HasErrorKind};
use std::path::PathBuf;

/// Why a library could not be opened, changed or searched.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The folder holds no library.
    #[error("{} is not a video library (no library.sqlite in it); create one first", path.display())]
    NotALibrary {
        /// The folder.
        path: PathBuf,
    },
    /// The library's database is unreadable or not a seer library.
    #[error("the library database {} is unreadable or corrupt", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The library's database failed while reading or writing.
    #[error("the library database {} failed", path.display())]
    Database {
        /// The database file.
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The text index failed or is damaged.
    #[error("the library's text index in {} failed", path.display())]
    TextIndex {
        /// The index folder.
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    /// Another process is writing to the library.
    #[error("the library {} is being changed by another process; try again when it is done", path.display())]
    Busy {
        /// The library folder.
        path: PathBuf,
    },
    /// A file or folder of the library could not be read or written.
    #[error("cannot use {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The video to index does not exist or cannot be read.
    #[error("cannot read the video {}", path.display())]
    VideoFile {
        /// The file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The video to index is an empty file.
    #[error("{} is an empty file, not a video", path.display())]
    EmptyVideo {
        /// The file.
        path: PathBuf,
    },
    /// The video could not be analysed (the cause says why).
    #[error("cannot index {}", path.display())]
    Analyse {
        /// The file.
        path: PathBuf,
        #[source]
        source: Box<SceneError>,
    },
    /// A thumbnail could not be made.
    #[error("cannot make a thumbnail of {}", path.display())]
    Thumbnail {
        /// The video.
        path: PathBuf,
        #[source]
        source: seer_video::VideoError,
    },
    /// A thumbnail could not be encoded.
    #[error("cannot encode a thumbnail")]
    ThumbnailEncode(#[source] image::ImageError),
    /// The video named is not in the library.
    #[error("{video} is not in the library")]
    NotInLibrary {
        /// The path or name given.
        video: String,
    },
    /// The query is not usable.
    #[error("invalid search: {reason}")]
    InvalidQuery {
        /// What is wrong.
        reason: String,
    },
    /// The caller cancelled the work; the library is unchanged.
    #[error("indexing was cancelled; the library is unchanged")]
    Cancelled(#[source] seer_core::Cancelled),
}

impl HasErrorKind for LibraryError {
    fn kind(&self) -> ErrorKind {
        match self {
            LibraryError::NotALibrary { .. } | LibraryError::NotInLibrary { .. } => {
                ErrorKind::NotFound
            }
            LibraryError::Corrupt { .. }
            | LibraryError::EmptyVideo { .. }
            | LibraryError::InvalidQuery { .. } => ErrorKind::InvalidInput,
            LibraryError::Database { .. }
            | LibraryError::TextIndex { .. }
            | LibraryError::Busy { .. }
            | LibraryError::ThumbnailEncode(_) => ErrorKind::Internal,
            LibraryError::Io { source, .. } | LibraryError::VideoFile { source, .. } => {
                ErrorKind::of_io(source)
            }
            LibraryError::Analyse { source, .. } => source.kind(),
            LibraryError::Thumbnail { source, .. } => source.kind(),
            LibraryError::Cancelled(_) => ErrorKind::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn kinds_sources_and_messages_without_command_line_flags() {
        let corrupt = LibraryError::Corrupt {
            path: "lib/library.sqlite".into(),
            source: rusqlite::Error::InvalidQuery,
        };
        assert_eq!(corrupt.kind(), ErrorKind::InvalidInput);
        assert!(corrupt.source().is_some());
        let missing = LibraryError::NotInLibrary {
            video: "a.mp4".into(),
        };
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        let cancelled = LibraryError::Cancelled(seer_core::Cancelled);
        assert_eq!(cancelled.kind(), ErrorKind::Cancelled);
        for error in [corrupt, missing, cancelled] {
            assert!(!error.to_string().contains("--"), "{error}");
        }
    }
}
