//! The SQLite file of a gallery: schema, rows, audit trail, compaction.
//!
//! Tables: `subjects(id, name_index unique, name_sealed, created)` (the
//! name sealed under the gallery key and found by its keyed blind index,
//! see [`super::crypto`]), `embeddings(id,
//! subject_id → subjects ON DELETE CASCADE, nonce, ciphertext, created)`,
//! `audit(id, time, action, subject, caller)` (subjects as keyed
//! pseudonyms `subject:…`; triggers refuse UPDATE and DELETE), `meta(key, value)` (format, version, key check value) and
//! `photos(id, subject_id, nonce, ciphertext, created)` (enrolment photos,
//! only when asked to keep them; added to older files when opened).
//! Times are Unix seconds (UTC). The file is in WAL mode; foreign keys and
//! secure delete are switched on for every connection.
//!
//! Version 1 files (plain names) are migrated to version 2 when opened
//! with their key ([`migrate_v1`]), in one transaction, then compacted.

use super::{AuditEntry, GalleryError, GalleryKey};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// `meta.value` of key `format`.
const FORMAT: &str = "seer-gallery";
/// `meta.value` of key `version`.
const VERSION: &str = "2";
/// The version before names were sealed, migrated when opened.
const VERSION_PLAIN_NAMES: &str = "1";
/// `meta` key of the key check value.
const CHECK_KEY: &str = "key_check";

const SCHEMA: &str = "
CREATE TABLE meta (
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
);
CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    name_index TEXT NOT NULL UNIQUE,
    name_sealed BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE embeddings (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX embeddings_subject ON embeddings(subject_id);
";

/// Enrolment photos, kept only when the operator asks (`--keep-images`).
const PHOTOS: &str = "
CREATE TABLE IF NOT EXISTS photos (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_subject ON photos(subject_id);
";

const AUDIT: &str = "
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    caller TEXT NOT NULL
);
";

/// The triggers keeping the audit trail append-only (dropped and re-made
/// only by [`migrate_v1`]).
const AUDIT_TRIGGERS: &str = "
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
";

/// What an opened file holds.
pub(crate) enum FileState {
    /// No tables yet: a new gallery.
    Empty,
    /// A seer gallery with this key check value.
    Gallery(Vec<u8>),
    /// A version 1 gallery (plain names) with this key check value, to be
    /// migrated once the key is checked.
    PlainNames(Vec<u8>),
}

/// One stored, still encrypted, embedding row.
pub(crate) struct SealedRow {
    pub subject_id: i64,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// One subject row; the name is still sealed.
pub(crate) struct SubjectRow {
    pub id: i64,
    pub name_index: String,
    pub name_sealed: Vec<u8>,
    pub created: i64,
}

/// Opens the database file at `path`. An absent file is created (empty,
/// readable by its owner only) when `create`, else it is
/// [`GalleryError::NoGallery`]; a folder, a device, a pipe or an empty
/// file someone else made is [`GalleryError::NotAGallery`]. Nothing is
/// written to an existing file. Returns the connection and whether the
/// file was created now.
pub(crate) fn connect(path: &Path, create: bool) -> Result<(Connection, bool), GalleryError> {
    let not_gallery = || GalleryError::NotAGallery {
        path: path.to_path_buf(),
    };
    let created = match std::fs::metadata(path) {
        Ok(m) if !m.is_file() || m.len() == 0 => return Err(not_gallery()),
        Ok(_) => false,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Err(GalleryError::NoGallery {
                    location: path.display().to_string(),
                });
            }
            create_private_file(path)?;
            true
        }
        Err(source) => {
            return Err(GalleryError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let open_error = |source| GalleryError::Open {
        path: path.to_path_buf(),
        source,
    };
    // Never let SQLite create the file: it exists now.
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(open_error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_error)?;
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(open_error)?;
    Ok((conn, created))
}

/// A private, empty database in memory, set up like [`connect`].
pub(crate) fn connect_in_memory() -> Result<Connection, GalleryError> {
    let open_error = |source| GalleryError::Open {
        path: super::location::MEMORY_LABEL.into(),
        source,
    };
    let conn = Connection::open_in_memory().map_err(open_error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_error)?;
    Ok(conn)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<(), GalleryError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(|_| ())
        .map_err(|source| GalleryError::Create {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<(), GalleryError> {
    Ok(())
}

/// Tells a new file from a gallery; anything else is an error. Reads only.
pub(crate) fn inspect(conn: &Connection, path: &Path) -> Result<FileState, GalleryError> {
    let not_gallery = || GalleryError::NotAGallery {
        path: path.to_path_buf(),
    };
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|source| match source {
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::NotADatabase => {
                not_gallery()
            }
            source => GalleryError::Open {
                path: path.to_path_buf(),
                source,
            },
        })?;
    if tables == 0 {
        return Ok(FileState::Empty);
    }
    let has_meta: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get(0),
    )?;
    if has_meta == 0 {
        return Err(not_gallery());
    }
    let format = meta(conn, "format")?;
    if format.as_deref() != Some(FORMAT.as_bytes()) {
        return Err(not_gallery());
    }
    let version = meta(conn, "version")?;
    let plain_names = version.as_deref() == Some(VERSION_PLAIN_NAMES.as_bytes());
    if version.as_deref() != Some(VERSION.as_bytes()) && !plain_names {
        return Err(GalleryError::Corrupt {
            detail: format!(
                "{} has gallery version {:?}; this seer reads version {VERSION}",
                path.display(),
                version.map(|v| String::from_utf8_lossy(&v).into_owned())
            ),
        });
    }
    let check = meta(conn, CHECK_KEY)?.ok_or_else(|| GalleryError::Corrupt {
        detail: format!("{} has no key check value", path.display()),
    })?;
    Ok(if plain_names {
        FileState::PlainNames(check)
    } else {
        FileState::Gallery(check)
    })
}

/// Rewrites a version 1 gallery (plain subject names, plain names in the
/// audit trail) as version 2 in one transaction: each name sealed under
/// `key` with its blind index, each audit subject replaced by its
/// pseudonym, the version bumped. The caller compacts the file afterwards
/// so the plain names linger nowhere. A gallery another process migrated
/// meanwhile is left alone.
pub(crate) fn migrate_v1(conn: &mut Connection, key: &GalleryKey) -> Result<(), GalleryError> {
    // Foreign keys must be off while `subjects` is rebuilt, else dropping
    // the old table would cascade to every descriptor; they cannot change
    // inside a transaction.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = migrate_v1_transaction(conn, key);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

fn migrate_v1_transaction(conn: &mut Connection, key: &GalleryKey) -> Result<(), GalleryError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if meta(&tx, "version")?.as_deref() != Some(VERSION_PLAIN_NAMES.as_bytes()) {
        return Ok(());
    }
    let old: Vec<(i64, String, i64)> = {
        let mut stmt = tx.prepare("SELECT id, name, created FROM subjects ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    tx.execute_batch(
        "CREATE TABLE subjects_v2 (
            id INTEGER PRIMARY KEY,
            name_index TEXT NOT NULL UNIQUE,
            name_sealed BLOB NOT NULL,
            created INTEGER NOT NULL
        );",
    )?;
    for (id, name, created) in &old {
        let index = key.name_index(name);
        tx.execute(
            "INSERT INTO subjects_v2 (id, name_index, name_sealed, created) VALUES (?1, ?2, ?3, ?4)",
            params![id, index, key.seal_name(name, &index)?, created],
        )?;
    }
    tx.execute_batch(
        "DROP TABLE subjects;
         ALTER TABLE subjects_v2 RENAME TO subjects;
         DROP TRIGGER audit_no_update;
         DROP TRIGGER audit_no_delete;",
    )?;
    let entries: Vec<(i64, String, String)> = {
        let mut stmt = tx.prepare("SELECT id, action, subject FROM audit ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, action, subject) in entries {
        let pseudonymised = pseudonymise_v1_subject(key, &action, &subject);
        tx.execute(
            "UPDATE audit SET subject = ?1 WHERE id = ?2",
            params![pseudonymised, id],
        )?;
    }
    tx.execute_batch(AUDIT_TRIGGERS)?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'version'",
        [VERSION.as_bytes()],
    )?;
    let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if dangling != 0 {
        return Err(GalleryError::Corrupt {
            detail: format!("{dangling} rows belong to no subject; the gallery was not migrated"),
        });
    }
    tx.commit()?;
    Ok(())
}

/// The version 2 audit subject of a version 1 entry: the pseudonym of the
/// name, or for `identify` of each `;`-separated name; empty stays empty.
pub(crate) fn pseudonymise_v1_subject(key: &GalleryKey, action: &str, subject: &str) -> String {
    if subject.is_empty() {
        return String::new();
    }
    if action == "identify" {
        let mut names: Vec<String> = subject.split(';').map(|n| key.pseudonym(n)).collect();
        names.sort_unstable();
        names.join(";")
    } else {
        key.pseudonym(subject)
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, GalleryError> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Creates the schema of a new gallery in one transaction, with its key
/// check value and a `create` audit entry.
pub(crate) fn create(
    conn: &mut Connection,
    check_value: &[u8],
    now: i64,
    caller: &str,
) -> Result<(), GalleryError> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    // An in-memory gallery has no file and keeps its journal in memory.
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(GalleryError::Corrupt {
            detail: format!("the gallery file cannot use WAL mode (got {mode})"),
        });
    }
    let tx = conn.transaction()?;
    tx.execute_batch(SCHEMA)?;
    tx.execute_batch(PHOTOS)?;
    tx.execute_batch(AUDIT)?;
    tx.execute_batch(AUDIT_TRIGGERS)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('format', ?1), ('version', ?2), (?3, ?4)",
        params![
            FORMAT.as_bytes(),
            VERSION.as_bytes(),
            CHECK_KEY,
            check_value
        ],
    )?;
    append_audit(&tx, now, "create", "", caller)?;
    tx.commit()?;
    Ok(())
}

/// Every subject row, in enrolment order.
pub(crate) fn subject_rows(conn: &Connection) -> Result<Vec<SubjectRow>, GalleryError> {
    let mut stmt =
        conn.prepare("SELECT id, name_index, name_sealed, created FROM subjects ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(SubjectRow {
            id: r.get(0)?,
            name_index: r.get(1)?,
            name_sealed: r.get(2)?,
            created: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every embedding row, still sealed, in insertion order.
pub(crate) fn sealed_rows(conn: &Connection) -> Result<Vec<SealedRow>, GalleryError> {
    let mut stmt =
        conn.prepare("SELECT subject_id, nonce, ciphertext FROM embeddings ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(SealedRow {
            subject_id: r.get(0)?,
            nonce: r.get(1)?,
            ciphertext: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The row id and creation time of the subject with blind index
/// `name_index`, if enrolled.
pub(crate) fn find_subject(
    conn: &Connection,
    name_index: &str,
) -> Result<Option<(i64, i64)>, GalleryError> {
    Ok(conn
        .query_row(
            "SELECT id, created FROM subjects WHERE name_index = ?1",
            [name_index],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Adds a subject by its blind index and sealed name; its row id.
pub(crate) fn insert_subject(
    conn: &Connection,
    name_index: &str,
    name_sealed: &[u8],
    now: i64,
) -> Result<i64, GalleryError> {
    conn.execute(
        "INSERT INTO subjects (name_index, name_sealed, created) VALUES (?1, ?2, ?3)",
        params![name_index, name_sealed, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Adds one sealed embedding of subject `subject_id`.
pub(crate) fn insert_embedding(
    conn: &Connection,
    subject_id: i64,
    nonce: &[u8],
    ciphertext: &[u8],
    now: i64,
) -> Result<(), GalleryError> {
    conn.execute(
        "INSERT INTO embeddings (subject_id, nonce, ciphertext, created) VALUES (?1, ?2, ?3, ?4)",
        params![subject_id, nonce, ciphertext, now],
    )?;
    Ok(())
}

/// Deletes subject `subject_id`; its embeddings go with it (cascade).
pub(crate) fn delete_subject(conn: &Connection, subject_id: i64) -> Result<(), GalleryError> {
    conn.execute("DELETE FROM subjects WHERE id = ?1", [subject_id])?;
    Ok(())
}

/// Appends one audit entry.
pub(crate) fn append_audit(
    conn: &Connection,
    now: i64,
    action: &str,
    subject: &str,
    caller: &str,
) -> Result<(), GalleryError> {
    conn.execute(
        "INSERT INTO audit (time, action, subject, caller) VALUES (?1, ?2, ?3, ?4)",
        params![now, action, subject, caller],
    )?;
    Ok(())
}

/// The audit trail, oldest first.
pub(crate) fn audit_rows(conn: &Connection) -> Result<Vec<AuditEntry>, GalleryError> {
    let mut stmt = conn.prepare("SELECT time, action, subject, caller FROM audit ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(AuditEntry {
            time: r.get(0)?,
            action: r.get(1)?,
            subject: r.get(2)?,
            caller: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Rewrites the file without free pages (`VACUUM`) and copies the
/// write-ahead log into it, truncating the log, so deleted rows linger in
/// neither file.
pub(crate) fn compact(conn: &Connection) -> Result<(), GalleryError> {
    conn.execute_batch("VACUUM")?;
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        return Err(GalleryError::Busy);
    }
    Ok(())
}

/// Adds the photos table to a gallery made before it existed.
pub(crate) fn ensure_photos_table(conn: &Connection) -> Result<(), GalleryError> {
    conn.execute_batch(PHOTOS)?;
    Ok(())
}

/// Adds one sealed photo of subject `subject_id`.
pub(crate) fn insert_photo(
    conn: &Connection,
    subject_id: i64,
    nonce: &[u8],
    ciphertext: &[u8],
    now: i64,
) -> Result<(), GalleryError> {
    conn.execute(
        "INSERT INTO photos (subject_id, nonce, ciphertext, created) VALUES (?1, ?2, ?3, ?4)",
        params![subject_id, nonce, ciphertext, now],
    )?;
    Ok(())
}

/// Every photo row of subject `subject_id`, still sealed, in insertion order.
pub(crate) fn sealed_photos(
    conn: &Connection,
    subject_id: i64,
) -> Result<Vec<SealedRow>, GalleryError> {
    let mut stmt = conn.prepare(
        "SELECT subject_id, nonce, ciphertext FROM photos WHERE subject_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([subject_id], |r| {
        Ok(SealedRow {
            subject_id: r.get(0)?,
            nonce: r.get(1)?,
            ciphertext: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
