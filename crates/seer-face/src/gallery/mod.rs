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
//! when the gallery is opened into one contiguous matrix ([`search`]): the
//! Euclidean distance to each subject's nearest descriptor; the nearest
//! subject is accepted below a threshold (default
//! [`SAME_PERSON_DISTANCE`]), else the face is "unknown".
//!
//! Enrolment photos are stored (encrypted like the descriptors) only when
//! the caller passes them ([`Gallery::enroll_with_photos`]). A gallery can
//! be exported to one encrypted archive file and imported ([`archive`]).
//!
//! Concurrency: every write is one SQLite transaction begun `IMMEDIATE`,
//! so two handles (threads or processes) enrolling the same new subject
//! at once are serialised: the first creates the subject, the second adds
//! its descriptors to it. A handle sees other handles' writes after it is
//! reopened. A process killed during an enrolment leaves nothing of it:
//! the subject row, its descriptors, photos and audit entry are committed
//! together or not at all.

pub mod archive;
mod backend;
pub mod crypto;
pub mod location;
#[cfg(feature = "postgres")]
mod postgres;
pub mod search;
mod store;

pub use archive::{ArchiveError, ArchiveSubject};
pub use crypto::{GalleryKey, KEY_ENV};
pub use location::{is_postgres_url, GalleryLocation};
pub use search::EmbeddingMatrix;

use crate::embed::{Embedder, Embedding, EMBEDDING_SIZE, SAME_PERSON_DISTANCE};
use crate::{largest, DetectOptions, Detector, Face, FaceError};
use backend::{GalleryStore, NamedSubject, SealedSubject, SqliteStore};
use image::RgbImage;
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
    #[error("no gallery key: set {KEY_ENV} to 64 hex characters (a 32-byte key, e.g. from `openssl rand -hex 32`) or give a key file holding them")]
    MissingKey,
    /// No gallery exists where one must (identify, forget, export …).
    #[error(
        "no gallery at {location}: it does not exist; enrol a subject first, which creates it"
    )]
    NoGallery {
        /// The location, as [`GalleryLocation::label`] names it.
        location: String,
    },
    /// No subject of this name is enrolled.
    #[error("no subject {name:?} in {gallery}")]
    NoSuchSubject {
        /// The name asked for.
        name: String,
        /// The gallery, as [`Gallery::path`] names it.
        gallery: String,
    },
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
    /// The key file is not a readable file of a sensible size.
    #[error("cannot use {path} as the gallery key file: {why}")]
    KeyFileInvalid {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it (never its contents).
        why: String,
    },
    /// The gallery file exists but cannot be inspected.
    #[error("cannot read the gallery {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The gallery cannot be written, so the audit entry an operation
    /// must leave cannot be written either; the operation is refused.
    #[error("cannot write the audit entry of this {action} to {path}: the gallery is read-only (the file or its folder is not writable); every {action} is recorded in the gallery, so make it writable")]
    ReadOnly {
        /// The operation: "identification", "enrolment", "forget", "export".
        action: &'static str,
        /// The gallery file.
        path: PathBuf,
        /// The database's refusal, when it came from there.
        #[source]
        source: Option<rusqlite::Error>,
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
    #[error("no random numbers from the operating system")]
    Random(#[source] getrandom::Error),
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
    /// An export archive could not be written or read.
    #[error("export {path}")]
    Archive {
        /// The archive file.
        path: PathBuf,
        /// What was wrong.
        #[source]
        problem: ArchiveError,
    },
    /// An export archive file could not be written or read.
    #[error("cannot {action} the export {path}: {source}")]
    ArchiveIo {
        /// "read" or "write".
        action: &'static str,
        /// The archive file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Importing would merge into subjects that are already enrolled.
    #[error("nothing was imported: the gallery already has subject(s) {names:?}; forget them first or import into a new gallery")]
    AlreadyEnrolled {
        /// The subjects present in both.
        names: Vec<String>,
    },
    /// The PostgreSQL server refused or failed an operation.
    #[error("PostgreSQL gallery: {0}")]
    Postgres(String),
    /// A PostgreSQL query or connection failed.
    #[cfg(feature = "postgres")]
    #[error("PostgreSQL gallery: {what}")]
    PostgresDb {
        /// What failed: connecting (to the URL without its password) or a query.
        what: String,
        /// The driver's error.
        #[source]
        source: ::postgres::Error,
    },
    /// Another process holds the file, so deleted data could not be purged.
    #[error("the gallery file is in use by another process; the forgotten data was deleted but could not yet be purged from the file; run forget again when it is free")]
    Busy,
}

impl seer_core::HasErrorKind for GalleryError {
    fn kind(&self) -> seer_core::ErrorKind {
        use seer_core::ErrorKind as K;
        match self {
            GalleryError::MissingKey
            | GalleryError::BadKey { .. }
            | GalleryError::WrongKey { .. }
            | GalleryError::NotAGallery { .. }
            | GalleryError::KeyFileInvalid { .. }
            | GalleryError::ReadOnly { .. }
            | GalleryError::InvalidName { .. }
            | GalleryError::InvalidEmbedding(_)
            | GalleryError::AlreadyEnrolled { .. } => K::InvalidInput,
            GalleryError::Archive { problem, .. } => problem.kind(),
            GalleryError::NoGallery { .. } | GalleryError::NoSuchSubject { .. } => K::NotFound,
            GalleryError::KeyFile { source, .. }
            | GalleryError::ArchiveIo { source, .. }
            | GalleryError::Unreadable { source, .. } => K::of_io(source),
            GalleryError::Create { .. }
            | GalleryError::Open { .. }
            | GalleryError::Sqlite(_)
            | GalleryError::Corrupt { .. }
            | GalleryError::Random(_)
            | GalleryError::Postgres(_)
            | GalleryError::Busy => K::Internal,
            #[cfg(feature = "postgres")]
            GalleryError::PostgresDb { .. } => K::Internal,
        }
    }
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
    /// `create`, `enroll`, `import`, `identify`, `export` or `forget`.
    pub action: String,
    /// The subject concerned (empty for `create` and `export`; for
    /// `identify` a sorted `;`-separated list). The trail stores each
    /// subject as its keyed pseudonym `subject:` + 16 hex characters
    /// ([`GalleryKey::pseudonym`]); [`Gallery::audit`] shows the name of a
    /// subject still enrolled and the pseudonym of a forgotten one.
    pub subject: String,
    /// Who asked, as the caller named itself.
    pub caller: String,
}

/// A subject held in memory; its descriptors are the matrix rows it owns.
struct Subject {
    id: i64,
    name: String,
    created: i64,
    embeddings: usize,
}

/// An open gallery.
pub struct Gallery {
    store: std::sync::Mutex<Box<dyn GalleryStore>>,
    /// The file, or the database URL without its password.
    path: PathBuf,
    key: GalleryKey,
    /// In enrolment order; a subject's index owns its matrix rows.
    subjects: Vec<Subject>,
    /// Every descriptor, decrypted, one row each.
    matrix: EmbeddingMatrix,
    threshold: f32,
    threads: usize,
    /// The gallery file has no write permission at all (checked when
    /// opened): writing the audit entry is refused even where the
    /// operating system would allow it (root).
    read_only: bool,
}

/// What opening does with a store that holds no gallery yet.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnEmpty {
    /// Create the gallery (a file made now, memory, `open` of a database).
    Create,
    /// [`GalleryError::NotAGallery`]: an existing file someone else made.
    NotAGallery,
    /// [`GalleryError::NoGallery`]: a database without a gallery.
    NoGallery,
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
    /// when the key is wrong ([`GalleryError::WrongKey`]). An existing file
    /// that is not a gallery (an empty file included) is refused
    /// ([`GalleryError::NotAGallery`]), never overwritten. A gallery of the
    /// older format with plain names is migrated (names sealed, audit
    /// subjects pseudonymised) in one transaction.
    pub fn open_or_create(path: &Path, key: GalleryKey) -> Result<Gallery, GalleryError> {
        let (store, created) = SqliteStore::open(path, true)?;
        let on_empty = if created {
            OnEmpty::Create
        } else {
            OnEmpty::NotAGallery
        };
        Gallery::with_store(Box::new(store), path.to_path_buf(), key, on_empty)
    }

    /// Opens the gallery at `location`, creating it when there is none yet
    /// (a new file, new tables, a fresh in-memory database); the key is
    /// checked as in [`Gallery::open_or_create`].
    pub fn open(location: &GalleryLocation, key: GalleryKey) -> Result<Gallery, GalleryError> {
        match location {
            GalleryLocation::File(path) => Gallery::open_or_create(path, key),
            GalleryLocation::Postgres(url) => Gallery::open_postgres(url, key, OnEmpty::Create),
            GalleryLocation::Memory => {
                let store = SqliteStore::in_memory()?;
                Gallery::with_store(
                    Box::new(store),
                    PathBuf::from(location.label()),
                    key,
                    OnEmpty::Create,
                )
            }
        }
    }

    /// Opens the gallery at `location`, which must exist; nothing is ever
    /// created. A missing file or a database without a gallery is
    /// [`GalleryError::NoGallery`]; an empty file, a folder or a device is
    /// [`GalleryError::NotAGallery`]. In-memory galleries never exist
    /// before they are opened.
    pub fn open_existing(
        location: &GalleryLocation,
        key: GalleryKey,
    ) -> Result<Gallery, GalleryError> {
        match location {
            GalleryLocation::File(path) => {
                let (store, _) = SqliteStore::open(path, false)?;
                Gallery::with_store(Box::new(store), path.clone(), key, OnEmpty::NotAGallery)
            }
            GalleryLocation::Postgres(url) => Gallery::open_postgres(url, key, OnEmpty::NoGallery),
            GalleryLocation::Memory => Err(GalleryError::NoGallery {
                location: location.label(),
            }),
        }
    }

    #[cfg(feature = "postgres")]
    fn open_postgres(
        url: &str,
        key: GalleryKey,
        on_empty: OnEmpty,
    ) -> Result<Gallery, GalleryError> {
        let (store, label) = postgres::PostgresStore::connect(url)?;
        Gallery::with_store(Box::new(store), PathBuf::from(label), key, on_empty)
    }

    #[cfg(not(feature = "postgres"))]
    fn open_postgres(
        _url: &str,
        _key: GalleryKey,
        _on_empty: OnEmpty,
    ) -> Result<Gallery, GalleryError> {
        Err(GalleryError::Postgres(
            "this seer was built without PostgreSQL support (cargo feature `postgres`)".to_string(),
        ))
    }

    /// Checks, migrates or creates the gallery in `store`, then decrypts it.
    fn with_store(
        mut store: Box<dyn GalleryStore>,
        path: PathBuf,
        key: GalleryKey,
        on_empty: OnEmpty,
    ) -> Result<Gallery, GalleryError> {
        match store.state()? {
            store::FileState::Empty => match on_empty {
                OnEmpty::Create => store.create(&key.check_value()?, now(), "seer")?,
                OnEmpty::NotAGallery => return Err(GalleryError::NotAGallery { path }),
                OnEmpty::NoGallery => {
                    return Err(GalleryError::NoGallery {
                        location: path.display().to_string(),
                    })
                }
            },
            store::FileState::Gallery(check) => {
                if !key.matches_check_value(&check) {
                    return Err(GalleryError::WrongKey { path });
                }
            }
            store::FileState::PlainNames(check) => {
                if !key.matches_check_value(&check) {
                    return Err(GalleryError::WrongKey { path });
                }
                store.migrate_plain_names(&key)?;
            }
        }
        store.prepare()?;
        let (subjects, matrix) = load(store.as_mut(), &key)?;
        let read_only = std::fs::metadata(&path)
            .map(|m| m.is_file() && m.permissions().readonly())
            .unwrap_or(false);
        Ok(Gallery {
            store: std::sync::Mutex::new(store),
            path,
            key,
            subjects,
            matrix,
            threshold: SAME_PERSON_DISTANCE,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            read_only,
        })
    }

    /// [`GalleryError::ReadOnly`] for `action` when the gallery file has no
    /// write permission.
    fn check_writable(&self, action: &'static str) -> Result<(), GalleryError> {
        if self.read_only {
            return Err(GalleryError::ReadOnly {
                action,
                path: self.path.clone(),
                source: None,
            });
        }
        Ok(())
    }

    /// `err` as [`GalleryError::ReadOnly`] when the database refused a
    /// write because the file or its folder is read-only.
    fn read_only_error(&self, action: &'static str, err: GalleryError) -> GalleryError {
        match err {
            GalleryError::Sqlite(source) if is_read_only(&source) => GalleryError::ReadOnly {
                action,
                path: self.path.clone(),
                source: Some(source),
            },
            other => other,
        }
    }

    /// The storage, locked for one operation.
    fn store(&self) -> std::sync::MutexGuard<'_, Box<dyn GalleryStore>> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many threads a search may use (default: the machine's cores, at
    /// most 8); small galleries are searched on one thread regardless.
    pub fn set_search_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// The number of descriptors in memory.
    pub fn embedding_count(&self) -> usize {
        self.matrix.len()
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
        self.enroll_with_photos(name, embeddings, &[], caller)
    }

    /// As [`Gallery::enroll`], also keeping `photos` (encoded image files,
    /// encrypted like the descriptors) in the same transaction.
    pub fn enroll_with_photos(
        &mut self,
        name: &str,
        embeddings: &[Embedding],
        photos: &[Vec<u8>],
        caller: &str,
    ) -> Result<usize, GalleryError> {
        let subject = ArchiveSubject {
            name: name.to_string(),
            created: now(),
            embeddings: embeddings.to_vec(),
            photos: photos.to_vec(),
        };
        self.write_subjects(std::slice::from_ref(&subject), "enroll", false, caller)?;
        Ok(self
            .subjects
            .iter()
            .find(|s| s.name == name)
            .map_or(0, |s| s.embeddings))
    }

    /// Writes `subjects` (added to existing ones of the same name unless
    /// `refuse_existing`) in one transaction, one `action` audit entry per
    /// subject, then updates the in-memory copy.
    fn write_subjects(
        &mut self,
        subjects: &[ArchiveSubject],
        action: &str,
        refuse_existing: bool,
        caller: &str,
    ) -> Result<(), GalleryError> {
        check_name("caller", caller)?;
        for s in subjects {
            check_name("subject name", &s.name)?;
            if s.name.eq_ignore_ascii_case(UNKNOWN) {
                return Err(invalid_name(
                    "subject name",
                    &s.name,
                    "it is what identification reports for unmatched faces",
                ));
            }
            if s.embeddings.is_empty() {
                return Err(GalleryError::InvalidEmbedding(format!(
                    "no descriptors to enrol for {:?}",
                    s.name
                )));
            }
            for e in &s.embeddings {
                check_embedding(e)?;
            }
        }
        let action_name = match action {
            "import" => "import",
            _ => "enrolment",
        };
        self.check_writable(action_name)?;
        let key = &self.key;
        let named = subjects
            .iter()
            .map(|s| {
                let name_index = key.name_index(&s.name);
                Ok(NamedSubject {
                    subject: s,
                    name_sealed: key.seal_name(&s.name, &name_index)?,
                    name_index,
                    pseudonym: key.pseudonym(&s.name),
                })
            })
            .collect::<Result<Vec<_>, GalleryError>>()?;
        let mut seal = |id: i64, s: &ArchiveSubject| -> Result<SealedSubject, GalleryError> {
            Ok(SealedSubject {
                embeddings: s
                    .embeddings
                    .iter()
                    .map(|e| key.seal_embedding(e, id))
                    .collect::<Result<_, _>>()?,
                photos: s
                    .photos
                    .iter()
                    .map(|p| key.seal_photo(p, id))
                    .collect::<Result<_, _>>()?,
            })
        };
        let ids = self
            .store
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .write_subjects(&named, action, caller, now(), refuse_existing, &mut seal)
            .map_err(|e| self.read_only_error(action_name, e))?;
        for (s, (id, created)) in subjects.iter().zip(ids) {
            let index = match self.subjects.iter().position(|m| m.id == id) {
                Some(i) => i,
                None => {
                    self.subjects.push(Subject {
                        id,
                        name: s.name.clone(),
                        created,
                        embeddings: 0,
                    });
                    self.subjects.len() - 1
                }
            };
            for e in &s.embeddings {
                self.matrix.push(&e.values, index as u32);
            }
            self.subjects[index].embeddings += s.embeddings.len();
        }
        Ok(())
    }

    /// Writes every subject, descriptor and kept photo to one archive file
    /// at `out`, sealed under `key` (the gallery's own key when `None`),
    /// through a temporary file renamed at the end. Returns the subjects
    /// exported. Adds an `export` audit entry.
    pub fn export(
        &mut self,
        out: &Path,
        key: Option<&GalleryKey>,
        caller: &str,
    ) -> Result<usize, GalleryError> {
        check_name("caller", caller)?;
        self.check_writable("export")?;
        let mut subjects = Vec::new();
        for (index, s) in self.subjects.iter().enumerate() {
            let embeddings = (0..self.matrix.len())
                .filter(|&row| self.matrix.owner(row) == index as u32)
                .map(|row| Embedding {
                    values: self.matrix.row(row).to_vec(),
                })
                .collect();
            let mut photos = Vec::new();
            for row in self.store().sealed_photos(s.id)? {
                photos.push(
                    self.key
                        .open_photo(&row.nonce, &row.ciphertext, s.id)
                        .ok_or_else(|| GalleryError::Corrupt {
                            detail: format!("a photo of subject {:?} does not decrypt", s.name),
                        })?,
                );
            }
            subjects.push(ArchiveSubject {
                name: s.name.clone(),
                created: s.created,
                embeddings,
                photos,
            });
        }
        subjects.sort_by(|a, b| a.name.cmp(&b.name));
        let sealed = archive::seal(&subjects, key.unwrap_or(&self.key))?;
        seer_core::atomic::write_private(out, &sealed).map_err(|source| {
            GalleryError::ArchiveIo {
                action: "write",
                path: out.to_path_buf(),
                source,
            }
        })?;
        let appended = self.store().append_audit(now(), "export", "", caller);
        appended.map_err(|e| self.read_only_error("export", e))?;
        Ok(subjects.len())
    }

    /// Adds every subject of the archive `input` (sealed under `key`, the
    /// gallery's own key when `None`) in one transaction, with an `import`
    /// audit entry per subject. A wrong key, a damaged file or a subject
    /// already enrolled is an error and nothing is written. Returns the
    /// subjects imported.
    pub fn import(
        &mut self,
        input: &Path,
        key: Option<&GalleryKey>,
        caller: &str,
    ) -> Result<usize, GalleryError> {
        let bytes = std::fs::read(input).map_err(|source| GalleryError::ArchiveIo {
            action: "read",
            path: input.to_path_buf(),
            source,
        })?;
        let subjects = archive::open(&bytes, key.unwrap_or(&self.key)).map_err(|source| {
            GalleryError::Archive {
                path: input.to_path_buf(),
                problem: source,
            }
        })?;
        self.write_subjects(&subjects, "import", true, caller)?;
        Ok(subjects.len())
    }

    /// The kept enrolment photos of subject `name` (encoded image files),
    /// none when photos were not kept or no such subject is enrolled.
    pub fn photos(&self, name: &str) -> Result<Vec<Vec<u8>>, GalleryError> {
        let Some(s) = self.subjects.iter().find(|s| s.name == name) else {
            return Ok(Vec::new());
        };
        self.store()
            .sealed_photos(s.id)?
            .iter()
            .map(|row| {
                self.key
                    .open_photo(&row.nonce, &row.ciphertext, s.id)
                    .ok_or_else(|| GalleryError::Corrupt {
                        detail: format!("a photo of subject {:?} does not decrypt", s.name),
                    })
            })
            .collect()
    }

    /// The enrolled subjects, by name.
    pub fn subjects(&self) -> Vec<SubjectInfo> {
        let mut list: Vec<SubjectInfo> = self
            .subjects
            .iter()
            .map(|s| SubjectInfo {
                name: s.name.clone(),
                embeddings: s.embeddings,
                created: s.created,
            })
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    /// Deletes subject `name` and all its descriptors in one transaction
    /// with a `forget` audit entry, then rewrites the file so the deleted
    /// data does not linger. False (and nothing written) when no such
    /// subject is enrolled.
    pub fn forget(&mut self, name: &str, caller: &str) -> Result<bool, GalleryError> {
        check_name("caller", caller)?;
        self.check_writable("forget")?;
        let (index, pseudonym) = (self.key.name_index(name), self.key.pseudonym(name));
        let forgotten = self.store().forget(&index, &pseudonym, caller, now());
        let Some(id) = forgotten.map_err(|e| self.read_only_error("forget", e))? else {
            return Ok(false);
        };
        if let Some(gone) = self.subjects.iter().position(|s| s.id == id) {
            self.subjects.remove(gone);
            let gone = gone as u32;
            self.matrix.retain_owners(|o| match o.cmp(&gone) {
                std::cmp::Ordering::Less => Some(o),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some(o - 1),
            });
        }
        self.store().compact()?;
        Ok(true)
    }

    /// The subjects nearest to `probe`, nearest first, at most `top_k`
    /// (each at its nearest descriptor). The first is the identity when its
    /// `accepted` is true (see [`best_subject`]); an empty gallery gives none.
    pub fn identify(&self, probe: &Embedding, top_k: usize) -> Vec<Match> {
        if probe.values.len() != self.matrix.dim() {
            return Vec::new();
        }
        self.matrix
            .nearest_owners(&probe.values, top_k, self.threads)
            .into_iter()
            .map(|n| {
                let nearest = Embedding {
                    values: self.matrix.row(n.row).to_vec(),
                };
                Match {
                    subject: self.subjects[n.owner as usize].name.clone(),
                    distance: n.distance,
                    similarity: probe.cosine_similarity(&nearest),
                    accepted: n.distance < self.threshold,
                }
            })
            .collect()
    }

    /// Adds an `identify` audit entry for one identification request (a
    /// photo or a video) by `caller`: its subject is the sorted,
    /// `;`-separated list of the enrolled subjects the request named,
    /// empty when it named nobody; each subject is stored as its
    /// pseudonym. [`Gallery::identify`] itself only searches, so a caller
    /// records each request once, after deciding. A gallery that cannot
    /// be written is [`GalleryError::ReadOnly`]: the entry is never
    /// skipped.
    pub fn record_identification(&self, named: &[&str], caller: &str) -> Result<(), GalleryError> {
        check_name("caller", caller)?;
        self.check_writable("identification")?;
        let mut named: Vec<String> = named
            .iter()
            .filter(|n| **n != UNKNOWN)
            .map(|n| self.key.pseudonym(n))
            .collect();
        named.sort_unstable();
        named.dedup();
        let appended = self
            .store()
            .append_audit(now(), "identify", &named.join(";"), caller);
        appended.map_err(|e| self.read_only_error("identification", e))
    }

    /// The audit trail, oldest first: each pseudonym of a subject still
    /// enrolled is shown as its name, that of a forgotten subject stays a
    /// pseudonym (nothing else in the gallery knows the name any more).
    pub fn audit(&self) -> Result<Vec<AuditEntry>, GalleryError> {
        let names: std::collections::HashMap<String, &str> = self
            .subjects
            .iter()
            .map(|s| (self.key.pseudonym(&s.name), s.name.as_str()))
            .collect();
        let mut entries = self.store().audit_rows()?;
        for entry in &mut entries {
            if entry.subject.is_empty() {
                continue;
            }
            let shown: Vec<&str> = entry
                .subject
                .split(';')
                .map(|p| names.get(p).copied().unwrap_or(p))
                .collect();
            entry.subject = shown.join(";");
        }
        Ok(entries)
    }

    /// The audit trail as stored: subjects as pseudonyms only.
    pub fn audit_pseudonymous(&self) -> Result<Vec<AuditEntry>, GalleryError> {
        self.store().audit_rows()
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

/// Decrypts every descriptor of the gallery into one matrix.
fn load(
    store: &mut dyn GalleryStore,
    key: &GalleryKey,
) -> Result<(Vec<Subject>, EmbeddingMatrix), GalleryError> {
    let mut subjects: Vec<Subject> = Vec::new();
    for r in store.subject_rows()? {
        let name = key
            .open_name(&r.name_sealed, &r.name_index)
            .filter(|name| key.name_index(name) == r.name_index)
            .ok_or_else(|| GalleryError::Corrupt {
                detail: format!("the name of subject row {} does not decrypt", r.id),
            })?;
        subjects.push(Subject {
            id: r.id,
            name,
            created: r.created,
            embeddings: 0,
        });
    }
    let index: std::collections::HashMap<i64, usize> = subjects
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    let rows = store.sealed_rows()?;
    let mut matrix = EmbeddingMatrix::with_capacity(EMBEDDING_SIZE, rows.len());
    for row in rows {
        let owner = *index
            .get(&row.subject_id)
            .ok_or_else(|| GalleryError::Corrupt {
                detail: format!("a descriptor belongs to no subject (id {})", row.subject_id),
            })?;
        let embedding = key
            .open_embedding(&row.nonce, &row.ciphertext, row.subject_id)
            .ok_or_else(|| GalleryError::Corrupt {
                detail: format!(
                    "a descriptor of subject {:?} does not decrypt",
                    subjects[owner].name
                ),
            })?;
        matrix.push(&embedding.values, owner as u32);
        subjects[owner].embeddings += 1;
    }
    Ok((subjects, matrix))
}

/// True when SQLite refused a write because the database is read-only
/// (file permissions, a read-only folder for its journal, a read-only
/// mount).
fn is_read_only(err: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode;
    matches!(
        err,
        rusqlite::Error::SqliteFailure(e, _)
            if matches!(
                e.code,
                ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied
            )
    )
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
