//! A gallery in a PostgreSQL database (cargo feature `postgres`), chosen by
//! a `postgres://` or `postgresql://` location.
//!
//! The same tables as the SQLite file, prefixed `seer_gallery_`, holding
//! only what the SQLite store holds: blind indexes and sealed names,
//! times, audit entries (subjects as pseudonyms) and sealed rows (BYTEA).
//! A version 1 database (plain names) is migrated when opened with its
//! key, in one transaction. Every write transaction first takes a
//! transaction-scoped advisory lock, so writers are serialised like
//! SQLite's `BEGIN IMMEDIATE`. Forgetting runs `VACUUM FULL` on the data
//! tables so the deleted ciphertexts do not linger in dead tuples.
//! Connections are unencrypted (`NoTls`): use a local socket or a trusted
//! network; the data itself is ciphertext.

use super::backend::{GalleryStore, NamedSubject, Sealer};
use super::store::{FileState, SealedRow, SubjectRow};
use super::{AuditEntry, GalleryError, GalleryKey};
use postgres::{Client, GenericClient, NoTls};

/// `version` in `seer_gallery_meta` this code writes.
const VERSION: &[u8] = b"2";
/// The version with plain names, migrated when opened.
const VERSION_PLAIN_NAMES: &[u8] = b"1";

/// The advisory lock key every writer takes ("seergall" in ASCII).
const WRITE_LOCK: i64 = 0x7365_6572_6761_6c6c;

const SCHEMA: &str = "
CREATE TABLE seer_gallery_meta (
    key TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE seer_gallery_subjects (
    id BIGSERIAL PRIMARY KEY,
    name_index TEXT NOT NULL UNIQUE,
    name_sealed BYTEA NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE seer_gallery_embeddings (
    id BIGSERIAL PRIMARY KEY,
    subject_id BIGINT NOT NULL REFERENCES seer_gallery_subjects(id) ON DELETE CASCADE,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX seer_gallery_embeddings_subject ON seer_gallery_embeddings(subject_id);
CREATE TABLE seer_gallery_photos (
    id BIGSERIAL PRIMARY KEY,
    subject_id BIGINT NOT NULL REFERENCES seer_gallery_subjects(id) ON DELETE CASCADE,
    nonce BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX seer_gallery_photos_subject ON seer_gallery_photos(subject_id);
CREATE TABLE seer_gallery_audit (
    id BIGSERIAL PRIMARY KEY,
    time BIGINT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    caller TEXT NOT NULL
);
CREATE FUNCTION seer_gallery_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
CREATE TRIGGER seer_gallery_audit_no_change BEFORE UPDATE OR DELETE ON seer_gallery_audit
    FOR EACH ROW EXECUTE FUNCTION seer_gallery_audit_append_only();
";

/// A gallery in a PostgreSQL database.
pub(crate) struct PostgresStore {
    client: Client,
}

fn pg(source: postgres::Error) -> GalleryError {
    GalleryError::PostgresDb {
        what: "a query failed".to_string(),
        source,
    }
}

impl PostgresStore {
    /// Connects to `url`; returns the store and the URL without password.
    pub(crate) fn connect(url: &str) -> Result<(PostgresStore, String), GalleryError> {
        let label = super::location::redacted(url);
        let client = Client::connect(url, NoTls).map_err(|source| GalleryError::PostgresDb {
            what: format!("cannot connect to {label}"),
            source,
        })?;
        Ok((PostgresStore { client }, label))
    }
}

fn meta(c: &mut impl GenericClient, key: &str) -> Result<Option<Vec<u8>>, GalleryError> {
    Ok(c.query_opt(
        "SELECT value FROM seer_gallery_meta WHERE key = $1",
        &[&key],
    )
    .map_err(pg)?
    .map(|r| r.get(0)))
}

fn has_schema(c: &mut impl GenericClient) -> Result<bool, GalleryError> {
    let row = c
        .query_one("SELECT to_regclass('seer_gallery_meta') IS NOT NULL", &[])
        .map_err(pg)?;
    Ok(row.get(0))
}

fn append(
    c: &mut impl GenericClient,
    now: i64,
    action: &str,
    subject: &str,
    caller: &str,
) -> Result<(), GalleryError> {
    c.execute(
        "INSERT INTO seer_gallery_audit (time, action, subject, caller) VALUES ($1, $2, $3, $4)",
        &[&now, &action, &subject, &caller],
    )
    .map_err(pg)?;
    Ok(())
}

fn sealed(rows: Vec<postgres::Row>) -> Vec<SealedRow> {
    rows.into_iter()
        .map(|r| SealedRow {
            subject_id: r.get(0),
            nonce: r.get(1),
            ciphertext: r.get(2),
        })
        .collect()
}

impl GalleryStore for PostgresStore {
    fn state(&mut self) -> Result<FileState, GalleryError> {
        if !has_schema(&mut self.client)? {
            return Ok(FileState::Empty);
        }
        if meta(&mut self.client, "format")?.as_deref() != Some(b"seer-gallery".as_slice()) {
            return Err(GalleryError::Postgres(
                "the database has a seer_gallery_meta table that is not a seer gallery".into(),
            ));
        }
        let version = meta(&mut self.client, "version")?;
        let plain_names = version.as_deref() == Some(VERSION_PLAIN_NAMES);
        if version.as_deref() != Some(VERSION) && !plain_names {
            return Err(GalleryError::Corrupt {
                detail: "the PostgreSQL gallery has a version this seer does not read".into(),
            });
        }
        let check = meta(&mut self.client, "key_check")?.ok_or_else(|| GalleryError::Corrupt {
            detail: "the PostgreSQL gallery has no key check value".into(),
        })?;
        Ok(if plain_names {
            FileState::PlainNames(check)
        } else {
            FileState::Gallery(check)
        })
    }

    fn create(&mut self, check_value: &[u8], now: i64, caller: &str) -> Result<(), GalleryError> {
        let mut tx = self.client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(pg)?;
        if has_schema(&mut tx)? {
            // Another process created it meanwhile; its key is checked next.
            return Ok(());
        }
        tx.batch_execute(SCHEMA).map_err(pg)?;
        tx.execute(
            "INSERT INTO seer_gallery_meta (key, value) VALUES ('format', $1), ('version', $2), ('key_check', $3)",
            &[&b"seer-gallery".as_slice(), &VERSION, &check_value],
        )
        .map_err(pg)?;
        append(&mut tx, now, "create", "", caller)?;
        tx.commit().map_err(pg)
    }

    fn prepare(&mut self) -> Result<(), GalleryError> {
        Ok(())
    }

    fn migrate_plain_names(&mut self, key: &GalleryKey) -> Result<(), GalleryError> {
        let mut tx = self.client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(pg)?;
        if meta(&mut tx, "version")?.as_deref() != Some(VERSION_PLAIN_NAMES) {
            // Another process migrated it meanwhile.
            return Ok(());
        }
        tx.batch_execute(
            "ALTER TABLE seer_gallery_subjects ADD COLUMN name_index TEXT, ADD COLUMN name_sealed BYTEA",
        )
        .map_err(pg)?;
        let rows = tx
            .query("SELECT id, name FROM seer_gallery_subjects", &[])
            .map_err(pg)?;
        for r in rows {
            let (id, name): (i64, String) = (r.get(0), r.get(1));
            let index = key.name_index(&name);
            let sealed = key.seal_name(&name, &index)?;
            tx.execute(
                "UPDATE seer_gallery_subjects SET name_index = $1, name_sealed = $2 WHERE id = $3",
                &[&index, &sealed, &id],
            )
            .map_err(pg)?;
        }
        tx.batch_execute(
            "ALTER TABLE seer_gallery_subjects DROP COLUMN name,
                ALTER COLUMN name_index SET NOT NULL,
                ALTER COLUMN name_sealed SET NOT NULL,
                ADD CONSTRAINT seer_gallery_subjects_name_index_key UNIQUE (name_index);
             ALTER TABLE seer_gallery_audit DISABLE TRIGGER seer_gallery_audit_no_change;",
        )
        .map_err(pg)?;
        let entries = tx
            .query("SELECT id, action, subject FROM seer_gallery_audit", &[])
            .map_err(pg)?;
        for r in entries {
            let (id, action, subject): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
            let pseudonymised = super::store::pseudonymise_v1_subject(key, &action, &subject);
            tx.execute(
                "UPDATE seer_gallery_audit SET subject = $1 WHERE id = $2",
                &[&pseudonymised, &id],
            )
            .map_err(pg)?;
        }
        tx.batch_execute(
            "ALTER TABLE seer_gallery_audit ENABLE TRIGGER seer_gallery_audit_no_change",
        )
        .map_err(pg)?;
        tx.execute(
            "UPDATE seer_gallery_meta SET value = $1 WHERE key = 'version'",
            &[&VERSION],
        )
        .map_err(pg)?;
        tx.commit().map_err(pg)?;
        self.client
            .batch_execute("VACUUM FULL seer_gallery_subjects, seer_gallery_audit")
            .map_err(pg)
    }

    fn subject_rows(&mut self) -> Result<Vec<SubjectRow>, GalleryError> {
        Ok(self
            .client
            .query(
                "SELECT id, name_index, name_sealed, created FROM seer_gallery_subjects ORDER BY id",
                &[],
            )
            .map_err(pg)?
            .into_iter()
            .map(|r| SubjectRow {
                id: r.get(0),
                name_index: r.get(1),
                name_sealed: r.get(2),
                created: r.get(3),
            })
            .collect())
    }

    fn sealed_rows(&mut self) -> Result<Vec<SealedRow>, GalleryError> {
        Ok(sealed(
            self.client
                .query(
                    "SELECT subject_id, nonce, ciphertext FROM seer_gallery_embeddings ORDER BY id",
                    &[],
                )
                .map_err(pg)?,
        ))
    }

    fn sealed_photos(&mut self, subject_id: i64) -> Result<Vec<SealedRow>, GalleryError> {
        Ok(sealed(
            self.client
                .query(
                    "SELECT subject_id, nonce, ciphertext FROM seer_gallery_photos WHERE subject_id = $1 ORDER BY id",
                    &[&subject_id],
                )
                .map_err(pg)?,
        ))
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
        let mut tx = self.client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(pg)?;
        let mut existing = Vec::new();
        let mut ids = Vec::new();
        for named in subjects {
            let s = named.subject;
            let found = tx
                .query_opt(
                    "SELECT id, created FROM seer_gallery_subjects WHERE name_index = $1",
                    &[&named.name_index],
                )
                .map_err(pg)?
                .map(|r| (r.get::<_, i64>(0), r.get::<_, i64>(1)));
            if found.is_some() {
                existing.push(s.name.clone());
            }
            let created = s.created.min(now);
            let (id, created) = match found {
                Some(found) => found,
                None => {
                    let row = tx
                        .query_one(
                            "INSERT INTO seer_gallery_subjects (name_index, name_sealed, created) VALUES ($1, $2, $3) RETURNING id",
                            &[&named.name_index, &named.name_sealed, &created],
                        )
                        .map_err(pg)?;
                    (row.get(0), created)
                }
            };
            let sealed = seal(id, s)?;
            for (table, rows) in [
                ("seer_gallery_embeddings", &sealed.embeddings),
                ("seer_gallery_photos", &sealed.photos),
            ] {
                let sql = format!(
                    "INSERT INTO {table} (subject_id, nonce, ciphertext, created) VALUES ($1, $2, $3, $4)"
                );
                for (nonce, ciphertext) in rows {
                    tx.execute(sql.as_str(), &[&id, nonce, ciphertext, &now])
                        .map_err(pg)?;
                }
            }
            append(&mut tx, now, action, &named.pseudonym, caller)?;
            ids.push((id, created));
        }
        if refuse_existing && !existing.is_empty() {
            return Err(GalleryError::AlreadyEnrolled { names: existing });
        }
        tx.commit().map_err(pg)?;
        Ok(ids)
    }

    fn forget(
        &mut self,
        name_index: &str,
        pseudonym: &str,
        caller: &str,
        now: i64,
    ) -> Result<Option<i64>, GalleryError> {
        let mut tx = self.client.transaction().map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(pg)?;
        let Some(row) = tx
            .query_opt(
                "DELETE FROM seer_gallery_subjects WHERE name_index = $1 RETURNING id",
                &[&name_index],
            )
            .map_err(pg)?
        else {
            return Ok(None);
        };
        append(&mut tx, now, "forget", pseudonym, caller)?;
        tx.commit().map_err(pg)?;
        Ok(Some(row.get(0)))
    }

    fn compact(&mut self) -> Result<(), GalleryError> {
        self.client
            .batch_execute(
                "VACUUM FULL seer_gallery_subjects, seer_gallery_embeddings, seer_gallery_photos",
            )
            .map_err(pg)
    }

    fn append_audit(
        &mut self,
        now: i64,
        action: &str,
        subject: &str,
        caller: &str,
    ) -> Result<(), GalleryError> {
        append(&mut self.client, now, action, subject, caller)
    }

    fn audit_rows(&mut self) -> Result<Vec<AuditEntry>, GalleryError> {
        Ok(self
            .client
            .query(
                "SELECT time, action, subject, caller FROM seer_gallery_audit ORDER BY id",
                &[],
            )
            .map_err(pg)?
            .into_iter()
            .map(|r| AuditEntry {
                time: r.get(0),
                action: r.get(1),
                subject: r.get(2),
                caller: r.get(3),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::super::location::redacted("postgres://seer:secret@localhost/db"),
            "postgres://seer:***@localhost/db"
        );
        assert_eq!(
            super::super::location::redacted("postgres://seer@localhost/db"),
            "postgres://seer@localhost/db"
        );
    }
}
