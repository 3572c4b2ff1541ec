//! The faces data folder that every face evaluation reads:
//! `gallery/<subject>/*` (enrolment photos, one face each) and `probes/*`
//! with `probes/labels.csv` (columns `file`, `subjects_left_to_right` —
//! enrolled people in the photo, `;`-separated, ordered by face centre x —
//! and `min_other_faces`, the least number of other faces visible).
//! Image files are told by extension ([`seer_imgproc::is_image_path`]).

use seer_core::{ErrorKind, HasErrorKind};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The header `labels.csv` must start with.
pub const LABELS_HEADER: &str = "file,subjects_left_to_right,min_other_faces";

/// Why a faces data folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// A folder or file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `labels.csv` is malformed.
    #[error("{path} line {line}: {why}")]
    Labels {
        /// The labels file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        why: String,
    },
}

impl HasErrorKind for DatasetError {
    fn kind(&self) -> ErrorKind {
        match self {
            DatasetError::Io { source, .. } => ErrorKind::of_io(source),
            DatasetError::Labels { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// One row of `labels.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeLabel {
    /// The photo's file name in `probes/`.
    pub file: String,
    /// Enrolled people in the photo, left to right by face centre x.
    pub subjects: Vec<String>,
    /// The least number of other (not enrolled) faces visible.
    pub min_other_faces: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DatasetError + '_ {
    move |source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The entries of `dir`, sorted by name.
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, DatasetError> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        paths.push(entry.map_err(io(dir))?.path());
    }
    paths.sort();
    Ok(paths)
}

/// The image files directly in `dir`, sorted by name.
pub fn images_in(dir: &Path) -> Result<Vec<PathBuf>, DatasetError> {
    Ok(sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_file() && seer_imgproc::is_image_path(p))
        .collect())
}

/// Every image of `gallery_dir/<subject>/*` as (subject, path): one folder
/// per subject, both sorted by name.
pub fn gallery_photos(gallery_dir: &Path) -> Result<Vec<(String, PathBuf)>, DatasetError> {
    let mut out = Vec::new();
    for dir in sorted_entries(gallery_dir)? {
        if !dir.is_dir() {
            continue;
        }
        let subject = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for photo in images_in(&dir)? {
            out.push((subject.clone(), photo));
        }
    }
    Ok(out)
}

/// Every photo of the data folder `dir`: `gallery/*/*` and `probes/*`
/// images (either folder may be missing), sorted by path.
pub fn all_photos(dir: &Path) -> Result<Vec<PathBuf>, DatasetError> {
    let mut out = Vec::new();
    let gallery = dir.join("gallery");
    if gallery.is_dir() {
        out.extend(gallery_photos(&gallery)?.into_iter().map(|(_, p)| p));
    }
    let probes = dir.join("probes");
    if probes.is_dir() {
        out.extend(images_in(&probes)?);
    }
    out.sort();
    Ok(out)
}

/// Reads `labels.csv` (the [`LABELS_HEADER`] line first; blank lines
/// ignored).
pub fn read_labels(path: &Path) -> Result<Vec<ProbeLabel>, DatasetError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse_labels(path, &text)
}

/// Parses the text of a `labels.csv` file read from `path`.
pub fn parse_labels(path: &Path, text: &str) -> Result<Vec<ProbeLabel>, DatasetError> {
    let bad = |line: usize, why: String| DatasetError::Labels {
        path: path.to_path_buf(),
        line,
        why,
    };
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l.trim()).unwrap_or_default();
    if header != LABELS_HEADER {
        return Err(bad(
            1,
            format!("expected the header {LABELS_HEADER}, found {header:?}"),
        ));
    }
    let mut labels = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 3 || cols[0].is_empty() {
            return Err(bad(
                i + 1,
                "expected 3 columns: file,subjects,min_other_faces".into(),
            ));
        }
        let min_other_faces = cols[2]
            .parse()
            .map_err(|_| bad(i + 1, format!("{:?} is not a whole number", cols[2])))?;
        labels.push(ProbeLabel {
            file: cols[0].to_string(),
            subjects: cols[1]
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            min_other_faces,
        });
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_parsed_and_checked() {
        let p = Path::new("labels.csv");
        let text = format!("{LABELS_HEADER}\na.jpg,obama;biden,1\n\nb.jpg,,0\n");
        let labels = parse_labels(p, &text).unwrap();
        assert_eq!(labels.len(), 2);
        assert_eq!(labels[0].subjects, vec!["obama", "biden"]);
        assert_eq!(labels[0].min_other_faces, 1);
        assert!(labels[1].subjects.is_empty());
        assert!(matches!(
            parse_labels(p, "file,x\n"),
            Err(DatasetError::Labels { line: 1, .. })
        ));
        assert!(matches!(
            parse_labels(p, &format!("{LABELS_HEADER}\na.jpg,obama,many\n")),
            Err(DatasetError::Labels { line: 2, .. })
        ));
    }
}
