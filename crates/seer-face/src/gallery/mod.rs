//! The face gallery: subjects an operator enrolled, for 1:N identification.
//!
//! One SQLite file per gallery ([`store`]) holds subject names, face
//! descriptors encrypted with XChaCha20-Poly1305 under the operator's key
//! ([`crypto`]), and an append-only audit trail. No photos are stored.
//! Every enrol and forget is one transaction; forgetting a subject deletes
//! its rows, then rewrites the file (`VACUUM`, WAL truncated) so its data
//! does not linger. A wrong key is detected from a check value sealed at
//! creation, before any data is read or written.
//!
//! Identification is an exact search over the descriptors, decrypted once
//! when the gallery is opened: the Euclidean distance to each subject's
//! nearest descriptor; the nearest subject is accepted below a threshold
//! (default [`SAME_PERSON_DISTANCE`]), else the face is "unknown".

pub mod crypto;
mod store;

pub use crypto::{GalleryKey, KEY_ENV};

use crate::embed::{Embedder, Embedding, EMBEDDING_SIZE, SAME_PERSON_DISTANCE};
use crate::{largest, DetectOptions, Detector, Face, FaceError};
use image::RgbImage;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What identification reports for a face that matches no subject.
pub const UNKNOWN: &str = "unknown";

/// The longest subject name or caller, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Why a gallery operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GalleryError {
    /// No key was given.
    #[error("no gallery key: set {KEY_ENV} to 64 hex characters (a 32-byte key, e.g. from `openssl rand -hex 32`) or give a key file holding them (--key-file)")]
    MissingKey,
    /// The key text is not 64 hex characters.
    #[error("the gallery key is not valid: {detail}; it must be 64 hex characters (32 bytes)")]
    BadKey {
        /// What was wrong (never the key itself).
        detail: String,
    },
    /// The key file could not be read.
    #[error("cannot read the gallery key file {path}: {source}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The key does not open this gallery.
    #[error(
        "wrong gallery key: it does not open {path}; use the key the gallery was created with"
    )]
    WrongKey {
        /// The gallery file.
        path: PathBuf,
    },
    /// The file exists but is not a seer gallery.
    #[error("{path} is not a seer face gallery; give a new file name or an existing gallery")]
    NotAGallery {
        /// The file.
        path: PathBuf,
    },
    /// The gallery file could not be created.
    #[error("cannot create the gallery file {path}: {source}")]
    Create {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The gallery file could not be opened.
    #[error("cannot open the gallery {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A database operation failed.
    #[error("gallery database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The gallery's contents are damaged or from an unknown version.
    #[error("the gallery is damaged: {detail}")]
    Corrupt {
        /// What was wrong.
        detail: String,
    },
    /// The operating system gave no random bytes.
    #[error("no random numbers from the operating system: {0}")]
    Random(String),
    /// A subject name or caller is not acceptable.
    #[error("invalid {what} {value:?}: {why}")]
    InvalidName {
        /// "subject name" or "caller".
        what: &'static str,
        /// The rejected text.
        value: String,
        /// Why.
        why: String,
    },
    /// A descriptor has the wrong length or non-finite values.
    #[error("invalid face descriptor: {0}")]
    InvalidEmbedding(String),
    /// Another process holds the file, so deleted data could not be purged.
    #[error("the gallery file is in use by another process; the forgotten data was deleted but could not yet be purged from the file; run forget again when it is free")]
    Busy,
}

/// An enrolled subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubjectInfo {
    /// The subject's name (unique in the gallery).
    pub name: String,
    /// How many descriptors are enrolled.
    pub embeddings: usize,
    /// When first enrolled, Unix seconds (UTC).
    pub created: i64,
}

/// One candidate of an identification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// The subject.
    pub subject: String,
    /// Euclidean distance to the subject's nearest descriptor.
    pub distance: f32,
    /// Cosine similarity with that descriptor, −1..1.
    pub similarity: f32,
    /// True when `distance` is below the gallery's threshold.
    pub accepted: bool,
}

/// The identified subject of `matches` (from [`Gallery::identify`]): the
/// nearest one when accepted, else `None` ("unknown").
pub fn best_subject(matches: &[Match]) -> Option<&str> {
    matches
        .first()
        .filter(|m| m.accepted)
        .map(|m| m.subject.as_str())
}

/// One entry of the append-only audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Unix seconds (UTC).
    pub time: i64,
    /// `create`, `enroll` or `forget`.
    pub action: String,
    /// The subject concerned (empty for `create`).
    pub subject: String,
    /// Who asked, as the caller named itself.
    pub caller: String,
}

/// A subject held in memory, descriptors decrypted.
struct Subject {
    id: i64,
    name: String,
    created: i64,
    embeddings: Vec<Embedding>,
}

/// An open gallery.
pub struct Gallery {
    conn: Connection,
    path: PathBuf,
    key: GalleryKey,
    subjects: Vec<Subject>,
    threshold: f32,
}

impl std::fmt::Debug for Gallery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gallery")
            .field("path", &self.path)
            .field("subjects", &self.subjects.len())
            .field("threshold", &self.threshold)
            .finish()
    }
}

impl Gallery {
    /// Opens the gallery at `path`, creating it (readable by its owner
    /// only) when the file does not exist. An existing gallery is checked
    /// against `key` before anything else is read, and nothing is written
    /// when the key is wrong ([`GalleryError::WrongKey`]).
    pub fn open_or_create(path: &Path, key: GalleryKey) -> Result<Gallery, GalleryError> {
        let mut conn = store::connect(path)?;
        match store::inspect(&conn, path)? {
            store::FileState::Empty => {
                store::create(&mut conn, &key.check_value()?, now(), "seer")?;
            }
            store::FileState::Gallery(check) => {
                if !key.matches_check_value(&check) {
                    return Err(GalleryError::WrongKey {
                        path: path.to_path_buf(),
                    });
                }
            }
        }
        let subjects = load(&conn, &key)?;
        Ok(Gallery {
            conn,
            path: path.to_path_buf(),
            key,
            subjects,
            threshold: SAME_PERSON_DISTANCE,
        })
    }

    /// The gallery file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The distance under which the nearest subject is accepted.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Sets the acceptance distance (default [`SAME_PERSON_DISTANCE`]).
    pub fn set_threshold(&mut self, threshold: f32) {
        self.threshold = threshold;
    }

    /// Adds `embeddings` to subject `name`, creating the subject when new,
    /// in one transaction with an `enroll` audit entry naming `caller`.
    /// Returns how many descriptors the subject has now.
    pub fn enroll(
        &mut self,
        name: &str,
        embeddings: &[Embedding],
        caller: &str,
    ) -> Result<usize, GalleryError> {
        check_name("subject name", name)?;
        if name.eq_ignore_ascii_case(UNKNOWN) {
            return Err(invalid_name(
                "subject name",
                name,
                "it is what identification reports for unmatched faces",
            ));
        }
        check_name("caller", caller)?;
        if embeddings.is_empty() {
            return Err(GalleryError::InvalidEmbedding(
                "no descriptors to enrol".to_string(),
            ));
        }
        for e in embeddings {
            check_embedding(e)?;
        }
        let now = now();
        let tx = self.conn.transaction()?;
        let (id, created) = match store::find_subject(&tx, name)? {
            Some(found) => found,
            None => (store::insert_subject(&tx, name, now)?, now),
        };
        for e in embeddings {
            let (nonce, ciphertext) = self.key.seal_embedding(e, id)?;
            store::insert_embedding(&tx, id, &nonce, &ciphertext, now)?;
        }
        store::append_audit(&tx, now, "enroll", name, caller)?;
        tx.commit()?;
        if !self.subjects.iter().any(|s| s.id == id) {
            self.subjects.push(Subject {
                id,
                name: name.to_string(),
                created,
                embeddings: Vec::new(),
            });
            self.subjects.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let mut count = 0;
        if let Some(subject) = self.subjects.iter_mut().find(|s| s.id == id) {
            subject.embeddings.extend_from_slice(embeddings);
            count = subject.embeddings.len();
        }
        Ok(count)
    }

    /// The enrolled subjects, by name.
    pub fn subjects(&self) -> Vec<SubjectInfo> {
        self.subjects
            .iter()
            .map(|s| SubjectInfo {
                name: s.name.clone(),
                embeddings: s.embeddings.len(),
                created: s.created,
            })
            .collect()
    }

    /// Deletes subject `name` and all its descriptors in one transaction
    /// with a `forget` audit entry, then rewrites the file so the deleted
    /// data does not linger. False (and nothing written) when no such
    /// subject is enrolled.
    pub fn forget(&mut self, name: &str, caller: &str) -> Result<bool, GalleryError> {
        check_name("caller", caller)?;
        let tx = self.conn.transaction()?;
        let Some((id, _)) = store::find_subject(&tx, name)? else {
            return Ok(false);
        };
        store::delete_subject(&tx, id)?;
        store::append_audit(&tx, now(), "forget", name, caller)?;
        tx.commit()?;
        self.subjects.retain(|s| s.id != id);
        store::compact(&self.conn)?;
        Ok(true)
    }

    /// The subjects nearest to `probe`, nearest first, at most `top_k`
    /// (each at its nearest descriptor). The first is the identity when its
    /// `accepted` is true (see [`best_subject`]); an empty gallery gives none.
    pub fn identify(&self, probe: &Embedding, top_k: usize) -> Vec<Match> {
        let mut matches: Vec<Match> = self
            .subjects
            .iter()
            .filter_map(|s| {
                s.embeddings
                    .iter()
                    .map(|e| (probe.distance(e), e))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(distance, e)| Match {
                        subject: s.name.clone(),
                        distance,
                        similarity: probe.cosine_similarity(e),
                        accepted: distance < self.threshold,
                    })
            })
            .collect();
        matches.sort_by(|a, b| a.distance.total_cmp(&b.distance));
        matches.truncate(top_k);
        matches
    }

    /// The audit trail, oldest first.
    pub fn audit(&self) -> Result<Vec<AuditEntry>, GalleryError> {
        store::audit_rows(&self.conn)
    }
}

/// Which face of an enrolment photo to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FacePolicy {
    /// The photo must show exactly one face.
    ExactlyOne,
    /// Use the largest face when there are several.
    Largest,
}

/// The face and descriptor to enrol from the photo `image` (read from
/// `path`, named in errors): no face is [`FaceError::NoFace`], several
/// faces under [`FacePolicy::ExactlyOne`] are [`FaceError::SeveralFaces`].
pub fn enrolment_embedding(
    detector: &mut Detector,
    embedder: &mut Embedder,
    image: &RgbImage,
    path: &Path,
    policy: FacePolicy,
) -> Result<(Face, Embedding), FaceError> {
    let faces = detector.detect(image, &DetectOptions::default())?;
    if faces.len() > 1 && policy == FacePolicy::ExactlyOne {
        return Err(FaceError::SeveralFaces {
            path: path.to_path_buf(),
            count: faces.len(),
        });
    }
    let face = largest(&faces).cloned().ok_or_else(|| FaceError::NoFace {
        path: path.to_path_buf(),
    })?;
    let embedding = embedder.embed(image, &face)?;
    Ok((face, embedding))
}

/// Decrypts every descriptor of the gallery into memory.
fn load(conn: &Connection, key: &GalleryKey) -> Result<Vec<Subject>, GalleryError> {
    let mut subjects: Vec<Subject> = store::subject_rows(conn)?
        .into_iter()
        .map(|r| Subject {
            id: r.id,
            name: r.name,
            created: r.created,
            embeddings: Vec::new(),
        })
        .collect();
    for row in store::sealed_rows(conn)? {
        let subject = subjects
            .iter_mut()
            .find(|s| s.id == row.subject_id)
            .ok_or_else(|| GalleryError::Corrupt {
                detail: format!("a descriptor belongs to no subject (id {})", row.subject_id),
            })?;
        let embedding = key
            .open_embedding(&row.nonce, &row.ciphertext, row.subject_id)
            .ok_or_else(|| GalleryError::Corrupt {
                detail: format!(
                    "a descriptor of subject {:?} does not decrypt",
                    subject.name
                ),
            })?;
        subject.embeddings.push(embedding);
    }
    Ok(subjects)
}

fn invalid_name(what: &'static str, value: &str, why: &str) -> GalleryError {
    GalleryError::InvalidName {
        what,
        value: value.to_string(),
        why: why.to_string(),
    }
}

/// Names are 1..=[`MAX_NAME_CHARS`] characters, no control characters, no
/// white space at either end.
fn check_name(what: &'static str, value: &str) -> Result<(), GalleryError> {
    if value.is_empty() {
        return Err(invalid_name(what, value, "it is empty"));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(invalid_name(
            what,
            value,
            &format!("it is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid_name(what, value, "it contains control characters"));
    }
    if value.trim() != value {
        return Err(invalid_name(
            what,
            value,
            "it starts or ends with white space",
        ));
    }
    Ok(())
}

fn check_embedding(e: &Embedding) -> Result<(), GalleryError> {
    if e.values.len() != EMBEDDING_SIZE {
        return Err(GalleryError::InvalidEmbedding(format!(
            "{} values, expected {EMBEDDING_SIZE}",
            e.values.len()
        )));
    }
    if e.values.iter().any(|v| !v.is_finite()) {
        return Err(GalleryError::InvalidEmbedding(
            "it contains NaN or infinite values".to_string(),
        ));
    }
    Ok(())
}

/// Now, in Unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("subject name", "obama").is_ok());
        assert!(check_name("subject name", "Zoë O'Neil-Smith").is_ok());
        for bad in ["", " x", "x ", "a\nb", &"x".repeat(101)] {
            assert!(check_name("subject name", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn best_subject_is_the_first_accepted_match() {
        let m = |subject: &str, accepted| Match {
            subject: subject.to_string(),
            distance: 0.5,
            similarity: 0.9,
            accepted,
        };
        assert_eq!(best_subject(&[m("a", true), m("b", true)]), Some("a"));
        assert_eq!(best_subject(&[m("a", false)]), None);
        assert_eq!(best_subject(&[]), None);
    }
}
