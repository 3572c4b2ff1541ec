//! Where a gallery's rows live: the [`GalleryStore`] trait and its SQLite
//! implementation (the default; PostgreSQL in [`super::postgres`] behind
//! the `postgres` feature).
//!
//! A store keeps only what [`super::Gallery`] hands it: blind indexes and
//! sealed names, times, the key check value, audit entries (subjects as
//! pseudonyms) and sealed (nonce, ciphertext) rows. Encryption happens
//! above the trait, so no store sees a name, a descriptor or a photo in the
//! clear; the one exception is [`GalleryStore::migrate_plain_names`],
//! which rewrites an old gallery's plain names with the key.

use super::archive::ArchiveSubject;
use super::store::{self, FileState, SealedRow, SubjectRow};
use super::{AuditEntry, GalleryError, GalleryKey};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};

/// One sealed row: (nonce, ciphertext).
pub(crate) type SealedPair = (Vec<u8>, Vec<u8>);

/// A subject's sealed descriptors and photos, ready to store.
pub(crate) struct SealedSubject {
    pub embeddings: Vec<SealedPair>,
    pub photos: Vec<SealedPair>,
}

/// A subject to write, with what the store keeps of its name.
pub(crate) struct NamedSubject<'a> {
    /// The subject (its name is only used for messages).
    pub subject: &'a ArchiveSubject,
    /// The keyed blind index of the name (the lookup key).
    pub name_index: String,
    /// The name sealed under the gallery key (nonce, then ciphertext).
    pub name_sealed: Vec<u8>,
    /// The pseudonym its audit entries show.
    pub pseudonym: String,
}

/// Seals one subject's data once its row id is known.
pub(crate) type Sealer<'a> =
    dyn FnMut(i64, &ArchiveSubject) -> Result<SealedSubject, GalleryError> + 'a;

/// The storage operations of a gallery. Every method that writes is one
/// transaction: it happens whole or not at all.
pub(crate) trait GalleryStore: Send {
    /// A new, empty store, or a gallery with this key check value.
    fn state(&mut self) -> Result<FileState, GalleryError>;
    /// Creates the schema with the key check value and a `create` entry.
    fn create(&mut self, check_value: &[u8], now: i64, caller: &str) -> Result<(), GalleryError>;
    /// Brings an existing gallery's schema up to date (idempotent).
    fn prepare(&mut self) -> Result<(), GalleryError>;
    /// Rewrites a gallery of the format with plain names
    /// ([`FileState::PlainNames`]) with sealed names and pseudonymised
    /// audit subjects, in one transaction, then compacts it.
    fn migrate_plain_names(&mut self, key: &GalleryKey) -> Result<(), GalleryError>;
    /// Every subject row, in enrolment order.
    fn subject_rows(&mut self) -> Result<Vec<SubjectRow>, GalleryError>;
    /// Every sealed descriptor, in insertion order.
    fn sealed_rows(&mut self) -> Result<Vec<SealedRow>, GalleryError>;
    /// The sealed photos of one subject, in insertion order.
    fn sealed_photos(&mut self, subject_id: i64) -> Result<Vec<SealedRow>, GalleryError>;
    /// In one transaction, serialised against other writers: finds or adds
    /// each subject, stores what `seal` returns for it and appends one
    /// `action` audit entry per subject. With `refuse_existing`, any
    /// subject already present aborts it all
    /// ([`GalleryError::AlreadyEnrolled`]). Returns (row id, created).
    fn write_subjects(
        &mut self,
        subjects: &[NamedSubject<'_>],
        action: &str,
        caller: &str,
        now: i64,
        refuse_existing: bool,
        seal: &mut Sealer<'_>,
    ) -> Result<Vec<(i64, i64)>, GalleryError>;
    /// Deletes the subject with blind index `name_index` with its rows and
    /// appends a `forget` entry naming `pseudonym`, in one transaction; its
    /// row id, or `None` (nothing written) if absent.
    fn forget(
        &mut self,
        name_index: &str,
        pseudonym: &str,
        caller: &str,
        now: i64,
    ) -> Result<Option<i64>, GalleryError>;
    /// Rewrites storage so deleted rows linger nowhere.
    fn compact(&mut self) -> Result<(), GalleryError>;
    /// Appends one audit entry.
    fn append_audit(
        &mut self,
        now: i64,
        action: &str,
        subject: &str,
        caller: &str,
    ) -> Result<(), GalleryError>;
    /// The audit trail, oldest first.
    fn audit_rows(&mut self) -> Result<Vec<AuditEntry>, GalleryError>;
}

/// A gallery in one SQLite file.
pub(crate) struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the gallery file `path`; when it is absent, creates an empty
    /// private file if `create`, else [`GalleryError::NoGallery`]. Returns
    /// the store and whether the file was created now.
    pub(crate) fn open(path: &Path, create: bool) -> Result<(SqliteStore, bool), GalleryError> {
        let (conn, created) = store::connect(path, create)?;
        Ok((
            SqliteStore {
                conn,
                path: path.to_path_buf(),
            },
            created,
        ))
    }

    /// A new, empty store in memory, gone when dropped.
    pub(crate) fn in_memory() -> Result<SqliteStore, GalleryError> {
        Ok(SqliteStore {
            conn: store::connect_in_memory()?,
            path: PathBuf::from(super::location::MEMORY_LABEL),
        })
    }
}

impl GalleryStore for SqliteStore {
    fn state(&mut self) -> Result<FileState, GalleryError> {
        store::inspect(&self.conn, &self.path)
    }

    fn create(&mut self, check_value: &[u8], now: i64, caller: &str) -> Result<(), GalleryError> {
        store::create(&mut self.conn, check_value, now, caller)
    }

    fn prepare(&mut self) -> Result<(), GalleryError> {
        store::ensure_photos_table(&self.conn)
    }

    fn migrate_plain_names(&mut self, key: &GalleryKey) -> Result<(), GalleryError> {
        store::migrate_v1(&mut self.conn, key)?;
        store::compact(&self.conn)
    }

    fn subject_rows(&mut self) -> Result<Vec<SubjectRow>, GalleryError> {
        store::subject_rows(&self.conn)
    }

    fn sealed_rows(&mut self) -> Result<Vec<SealedRow>, GalleryError> {
        store::sealed_rows(&self.conn)
    }

    fn sealed_photos(&mut self, subject_id: i64) -> Result<Vec<SealedRow>, GalleryError> {
        store::sealed_photos(&self.conn, subject_id)
    }

    fn write_subjects(
        &mut self,
        subjects: &[NamedSubject<'_>],
        action: &str,
        caller: &str,
        now: i64,
        refuse_existing: bool,
        seal: &mut Sealer<'_>,
    ) -> Result<Vec<(i64, i64)>, GalleryError> {
        // IMMEDIATE: take the write lock before reading, so a concurrent
        // enrolment of the same new subject waits and then adds to it.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut existing = Vec::new();
        let mut ids = Vec::new();
        for named in subjects {
            let s = named.subject;
            let found = store::find_subject(&tx, &named.name_index)?;
            if found.is_some() {
                existing.push(s.name.clone());
            }
            let created = s.created.min(now);
            let (id, created) = match found {
                Some(found) => found,
                None => (
                    store::insert_subject(&tx, &named.name_index, &named.name_sealed, created)?,
                    created,
                ),
            };
            let sealed = seal(id, s)?;
            for (nonce, ciphertext) in &sealed.embeddings {
                store::insert_embedding(&tx, id, nonce, ciphertext, now)?;
            }
            for (nonce, ciphertext) in &sealed.photos {
                store::insert_photo(&tx, id, nonce, ciphertext, now)?;
            }
            store::append_audit(&tx, now, action, &named.pseudonym, caller)?;
            ids.push((id, created));
        }
        if refuse_existing && !existing.is_empty() {
            return Err(GalleryError::AlreadyEnrolled { names: existing });
        }
        tx.commit()?;
        Ok(ids)
    }

    fn forget(
        &mut self,
        name_index: &str,
        pseudonym: &str,
        caller: &str,
        now: i64,
    ) -> Result<Option<i64>, GalleryError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some((id, _)) = store::find_subject(&tx, name_index)? else {
            return Ok(None);
        };
        store::delete_subject(&tx, id)?;
        store::append_audit(&tx, now, "forget", pseudonym, caller)?;
        tx.commit()?;
        Ok(Some(id))
    }

    fn compact(&mut self) -> Result<(), GalleryError> {
        store::compact(&self.conn)
    }

    fn append_audit(
        &mut self,
        now: i64,
        action: &str,
        subject: &str,
        caller: &str,
    ) -> Result<(), GalleryError> {
        store::append_audit(&self.conn, now, action, subject, caller)
    }

    fn audit_rows(&mut self) -> Result<Vec<AuditEntry>, GalleryError> {
        store::audit_rows(&self.conn)
    }
}
