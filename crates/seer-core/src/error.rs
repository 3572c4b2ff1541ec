//! What kind of failure an error is, so that a front end can answer it the
//! right way (the CLI's exit message, the server's HTTP status).

use serde::Serialize;

/// The class of a failure, shared by every library error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The caller's input is wrong: a corrupt or truncated image, a bad
    /// option value, a key that does not open the gallery (HTTP 400).
    InvalidInput,
    /// Something the caller named does not exist: a file, a model id, a
    /// gallery subject (HTTP 404).
    NotFound,
    /// The input is well formed but seer cannot handle it: an unknown image
    /// format, a model operator no engine implements (HTTP 415).
    Unsupported,
    /// The work would exceed a limit: a memory budget, a pixel budget, a
    /// size cap (HTTP 413).
    ResourceLimit,
    /// The caller cancelled the work (HTTP 499, "client closed request").
    Cancelled,
    /// A fault on seer's side: a failed write, a missing runtime library,
    /// a model that misbehaves (HTTP 500).
    Internal,
}

impl ErrorKind {
    /// The HTTP status code a server answers this kind with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::Unsupported => 415,
            ErrorKind::ResourceLimit => 413,
            ErrorKind::Cancelled => 499,
            ErrorKind::Internal => 500,
        }
    }

    /// The kind of an I/O error: a missing file is `NotFound`, anything else
    /// (permissions, a full disk) is `Internal`.
    pub fn of_io(err: &std::io::Error) -> ErrorKind {
        match err.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::NotFound,
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput => {
                ErrorKind::InvalidInput
            }
            _ => ErrorKind::Internal,
        }
    }
}

/// Implemented by every library error type: which [`ErrorKind`] it is.
pub trait HasErrorKind {
    /// The class of this failure.
    fn kind(&self) -> ErrorKind;
}

impl HasErrorKind for crate::cancel::Cancelled {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Cancelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_distinct_client_and_server_statuses() {
        assert_eq!(ErrorKind::InvalidInput.http_status(), 400);
        assert_eq!(ErrorKind::Internal.http_status(), 500);
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "x");
        assert_eq!(ErrorKind::of_io(&missing), ErrorKind::NotFound);
        assert_eq!(crate::cancel::Cancelled.kind(), ErrorKind::Cancelled);
    }
}
