//! The one way tests find the data shipped in the repository's `testdata/`
//! folder (see `testdata/README.md` for each file's origin and terms).

use std::path::PathBuf;

#[cfg(feature = "video")]
pub mod clip;

#[cfg(feature = "video")]
pub mod shots;

#[cfg(feature = "hostile")]
pub mod hostile;

/// The repository's `testdata/` folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// A file or folder below `testdata/`, e.g. `path("sr/Set5")`.
pub fn path(relative: &str) -> PathBuf {
    root().join(relative)
}

/// The Set5 super-resolution images (`testdata/sr/Set5`).
pub fn set5() -> PathBuf {
    path("sr/Set5")
}

/// The labelled face photos (`testdata/faces`: gallery/, probes/, the clip).
pub fn faces() -> PathBuf {
    path("faces")
}

/// The short Hamilton clip with audio (`testdata/faces/short_hamilton_clip.mp4`).
pub fn hamilton_clip() -> PathBuf {
    path("faces/short_hamilton_clip.mp4")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_data_is_found() {
        assert!(super::set5().join("baby.png").is_file());
        assert!(super::hamilton_clip().is_file());
        assert!(super::path("faces/probes/labels.csv").is_file());
    }
}
