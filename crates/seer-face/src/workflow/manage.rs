//! Gallery management: forget a subject, export the gallery to one
//! encrypted archive, import an archive. (Listing subjects and the audit
//! trail are [`Gallery::subjects`] and [`Gallery::audit`].)

use crate::error::check_output_folder;
use crate::{FaceError, Gallery, GalleryError, GalleryKey, GalleryLocation};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What `forget` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetResult {
    /// The subject deleted.
    pub subject: String,
    /// The gallery, as it names itself.
    pub gallery: String,
}

/// Deletes subject `name` and all their data as `caller`; no such subject
/// is [`GalleryError::NoSuchSubject`].
pub fn forget_subject(
    gallery: &mut Gallery,
    name: &str,
    caller: &str,
) -> Result<ForgetResult, FaceError> {
    let label = gallery.path().display().to_string();
    if !gallery.forget(name, caller)? {
        return Err(GalleryError::NoSuchSubject {
            name: name.to_string(),
            gallery: label,
        }
        .into());
    }
    Ok(ForgetResult {
        subject: name.to_string(),
        gallery: label,
    })
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportResult {
    /// Subjects exported.
    pub subjects: usize,
    /// Descriptors exported.
    pub descriptors: usize,
    /// The archive file.
    pub archive: String,
    /// Size of the archive, bytes.
    pub bytes: u64,
    /// True when sealed under a separate export key, false under the
    /// gallery's own key.
    pub export_key: bool,
}

/// Writes every subject of `gallery` to the archive `out`, sealed under
/// `export_key` (else the gallery's key), as `caller`.
pub fn export_gallery(
    gallery: &mut Gallery,
    out: &Path,
    export_key: Option<&GalleryKey>,
    caller: &str,
) -> Result<ExportResult, FaceError> {
    check_output_folder(out)?;
    let subjects = gallery.export(out, export_key, caller)?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(ExportResult {
        subjects,
        descriptors: gallery.embedding_count(),
        archive: out.display().to_string(),
        bytes,
        export_key: export_key.is_some(),
    })
}

/// What an import added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    /// Subjects imported.
    pub subjects: usize,
    /// Descriptors the gallery holds now.
    pub descriptors: usize,
    /// The gallery, as it names itself.
    pub gallery: String,
}

/// Adds the subjects of the archive `input` (sealed under `export_key`,
/// else the gallery's key) to the gallery at `location` (created when
/// absent) as `caller`. Nothing is written unless the whole archive opens
/// and none of its subjects is enrolled; a gallery file created for a
/// failed import is removed again.
pub fn import_gallery(
    location: &GalleryLocation,
    key: GalleryKey,
    input: &Path,
    export_key: Option<&GalleryKey>,
    caller: &str,
) -> Result<ImportResult, FaceError> {
    let new_file = location.as_file().filter(|_| !location.exists());
    if let Some(path) = new_file {
        check_output_folder(path)?;
    }
    let mut gallery = Gallery::open(location, key)?;
    // The location as the gallery names it (a URL without its password).
    let label = gallery.path().display().to_string();
    match gallery.import(input, export_key, caller) {
        Ok(subjects) => Ok(ImportResult {
            subjects,
            descriptors: gallery.embedding_count(),
            gallery: label,
        }),
        Err(err) => {
            if let Some(path) = new_file {
                // Leave no empty gallery behind a failed import.
                drop(gallery);
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = path.to_path_buf().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
            }
            Err(FaceError::from(err).on(format!("nothing was imported into {label}")))
        }
    }
}
