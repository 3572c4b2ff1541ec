//! Where a gallery lives: a SQLite file, a PostgreSQL database, or memory.

use std::path::{Path, PathBuf};

/// What [`GalleryLocation::label`] calls an in-memory gallery.
pub const MEMORY_LABEL: &str = "<gallery in memory>";

/// The place of a gallery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GalleryLocation {
    /// One SQLite file (created by the first enrolment).
    File(PathBuf),
    /// A PostgreSQL database, `postgres://USER:PASSWORD@HOST/DATABASE`
    /// (needs the cargo feature `postgres`).
    Postgres(String),
    /// A private SQLite database in memory, gone when the gallery is
    /// dropped (servers and tests).
    Memory,
}

impl GalleryLocation {
    /// A location from text: a `postgres://` or `postgresql://` URL, else
    /// a file path.
    pub fn parse(text: &str) -> GalleryLocation {
        if is_postgres_url(text) {
            GalleryLocation::Postgres(text.to_string())
        } else {
            GalleryLocation::File(PathBuf::from(text))
        }
    }

    /// A file location.
    pub fn file(path: &Path) -> GalleryLocation {
        GalleryLocation::File(path.to_path_buf())
    }

    /// True when a gallery may already be there: an existing file, or any
    /// database URL (checked when connecting). Memory never holds one
    /// before it is opened.
    pub fn exists(&self) -> bool {
        match self {
            GalleryLocation::File(path) => path.exists(),
            GalleryLocation::Postgres(_) => true,
            GalleryLocation::Memory => false,
        }
    }

    /// The file, if the location is one.
    pub fn as_file(&self) -> Option<&Path> {
        match self {
            GalleryLocation::File(path) => Some(path),
            _ => None,
        }
    }

    /// How messages name the location: the path, the URL without its
    /// password, or [`MEMORY_LABEL`].
    pub fn label(&self) -> String {
        match self {
            GalleryLocation::File(path) => path.display().to_string(),
            GalleryLocation::Postgres(url) => redacted(url),
            GalleryLocation::Memory => MEMORY_LABEL.to_string(),
        }
    }
}

impl std::fmt::Display for GalleryLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// True for a `postgres://` or `postgresql://` gallery location.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// `url` with any password replaced by `***`, for messages.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            if user_info.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                format!("{scheme}://{user}@{host}")
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_parsed_and_labelled_without_passwords() {
        let pg = GalleryLocation::parse("postgres://seer:secret@db/g");
        assert_eq!(pg.label(), "postgres://seer:***@db/g");
        assert_eq!(
            GalleryLocation::parse("g.db"),
            GalleryLocation::File(PathBuf::from("g.db"))
        );
        assert!(!GalleryLocation::Memory.exists());
    }
}
