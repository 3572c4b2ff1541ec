//! Gallery privacy and hardening: names sealed and found by a keyed blind
//! index, audit subjects as pseudonyms (no readable trace of a forgotten
//! name in the file), migration of the older plain-name format, weak and
//! malformed keys and key files, opening that never creates, and a
//! read-only gallery refusing identification instead of skipping its audit
//! entry.

use seer_core::{ErrorKind, HasErrorKind};
use seer_face::embed::EMBEDDING_SIZE;
use seer_face::{Embedding, Gallery, GalleryError, GalleryKey, GalleryLocation};
use std::path::{Path, PathBuf};

/// One stored embedding row: id, subject id, nonce, ciphertext, creation time.
type EmbeddingRow = (i64, i64, Vec<u8>, Vec<u8>, i64);

/// A key that passes the strength check (`seed` varies it).
fn key(seed: u8) -> GalleryKey {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(seed);
    }
    GalleryKey::from_bytes(bytes)
}

fn synthetic(seed: usize) -> Embedding {
    let mut values = vec![0.0f32; EMBEDDING_SIZE];
    values[seed % EMBEDDING_SIZE] = 1.0;
    Embedding { values }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The bytes of the gallery file and any journal beside it.
fn gallery_bytes(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-journal", "-shm"] {
        all.extend(std::fs::read(with_suffix(path, suffix)).unwrap_or_default());
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

fn utf16be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
}

/// True when `text` appears in `bytes` as UTF-8, UTF-16LE or UTF-16BE,
/// in any letter case.
fn trace_of(bytes: &[u8], text: &str) -> bool {
    let lower = bytes.to_ascii_lowercase();
    let t = text.to_ascii_lowercase();
    contains(&lower, t.as_bytes())
        || contains(&lower, &utf16le(&t))
        || contains(&lower, &utf16be(&t))
}

#[test]
fn names_are_sealed_and_a_forgotten_name_leaves_no_trace_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let k = key(1);
    let mut g = Gallery::open_or_create(&path, k.clone()).unwrap();
    assert_eq!(g.enroll("Alice Example", &[synthetic(1)], "op").unwrap(), 1);
    assert_eq!(g.enroll("Bob Sample", &[synthetic(2)], "op").unwrap(), 1);
    g.record_identification(&["Alice Example", "Bob Sample"], "op")
        .unwrap();
    drop(g);
    // Sealed even while enrolled: neither name is readable in the file.
    let bytes = gallery_bytes(&path);
    assert!(!trace_of(&bytes, "Alice"), "a plain name in the file");
    assert!(!trace_of(&bytes, "Bob Sample"), "a plain name in the file");

    // Lookup by name goes through the blind index: enrolling again adds to
    // the subject, names are shown decrypted.
    let mut g = Gallery::open_existing(&GalleryLocation::file(&path), k.clone()).unwrap();
    assert_eq!(g.enroll("Alice Example", &[synthetic(3)], "op").unwrap(), 2);
    let names: Vec<String> = g.subjects().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Alice Example", "Bob Sample"]);
    // Names stay case-sensitive as before: another subject.
    assert_eq!(g.enroll("alice example", &[synthetic(4)], "op").unwrap(), 1);
    assert!(g.forget("alice example", "op").unwrap());

    assert!(g.forget("Alice Example", "op").unwrap());
    let audit = g.audit().unwrap();
    let alice = k.pseudonym("Alice Example");
    assert!(
        alice.starts_with("subject:") && alice.len() == 8 + 16,
        "{alice}"
    );
    let subjects: Vec<&str> = audit.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "",
            alice.as_str(),
            "Bob Sample",
            // Sorted pseudonyms, each resolved or not on its own.
            &{
                let mut both = [alice.clone(), k.pseudonym("Bob Sample")];
                both.sort();
                both.join(";")
                    .replace(&k.pseudonym("Bob Sample"), "Bob Sample")
            },
            alice.as_str(),
            k.pseudonym("alice example").as_str(),
            k.pseudonym("alice example").as_str(),
            alice.as_str(),
        ]
    );
    // Stored, the trail holds pseudonyms only.
    let stored = g.audit_pseudonymous().unwrap();
    assert!(stored.iter().all(|a| !a.subject.contains("Bob")));
    drop(g);

    let bytes = gallery_bytes(&path);
    assert!(!trace_of(&bytes, "Alice"), "a trace of the forgotten name");
    assert!(
        !trace_of(&bytes, "Example"),
        "a trace of the forgotten name"
    );
    // The export archive is sealed as a whole: no names in it either.
    let mut g = Gallery::open_existing(&GalleryLocation::file(&path), k.clone()).unwrap();
    let archive = dir.path().join("g.seerx");
    g.export(&archive, None, "op").unwrap();
    let exported = std::fs::read(&archive).unwrap();
    assert!(!trace_of(&exported, "Bob"), "a plain name in the export");
}

/// The schema and rows of a version 1 gallery (plain names), as seer wrote
/// them before names were sealed.
const V1_SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);
CREATE TABLE subjects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
CREATE TABLE embeddings (id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, created INTEGER NOT NULL);
CREATE INDEX embeddings_subject ON embeddings(subject_id);
CREATE TABLE photos (id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id) ON DELETE CASCADE,
    nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, created INTEGER NOT NULL);
CREATE TABLE audit (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, caller TEXT NOT NULL);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
PRAGMA journal_mode = WAL;
";

/// A version 1 gallery at `path` under `k` with subjects Alice Example (2
/// descriptors) and Bob Sample (1), and Carol Gone in the audit trail
/// only. The sealed rows (bound to row ids) come from a current gallery.
fn make_v1_gallery(dir: &Path, path: &Path, k: &GalleryKey) {
    let donor = dir.join("donor.db");
    let mut g = Gallery::open_or_create(&donor, k.clone()).unwrap();
    g.enroll("x", &[synthetic(1), synthetic(5)], "op").unwrap();
    g.enroll("y", &[synthetic(2)], "op").unwrap();
    drop(g);
    let from = rusqlite::Connection::open(&donor).unwrap();
    let check: Vec<u8> = from
        .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut stmt = from
        .prepare("SELECT id, subject_id, nonce, ciphertext, created FROM embeddings ORDER BY id")
        .unwrap();
    let rows: Vec<EmbeddingRow> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let ids: Vec<i64> = from
        .prepare("SELECT id FROM subjects ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let to = rusqlite::Connection::open(path).unwrap();
    to.execute_batch(V1_SCHEMA).unwrap();
    to.execute(
        "INSERT INTO meta (key, value) VALUES ('format', ?1), ('version', ?2), ('key_check', ?3)",
        rusqlite::params![b"seer-gallery".as_slice(), b"1".as_slice(), check],
    )
    .unwrap();
    for (id, name) in ids.iter().zip(["Alice Example", "Bob Sample"]) {
        to.execute(
            "INSERT INTO subjects (id, name, created) VALUES (?1, ?2, 1700000000)",
            rusqlite::params![id, name],
        )
        .unwrap();
    }
    for (id, subject_id, nonce, ciphertext, created) in rows {
        to.execute(
            "INSERT INTO embeddings VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![id, subject_id, nonce, ciphertext, created],
        )
        .unwrap();
    }
    for (action, subject) in [
        ("create", ""),
        ("enroll", "Alice Example"),
        ("enroll", "Bob Sample"),
        ("enroll", "Carol Gone"),
        ("forget", "Carol Gone"),
        ("identify", "Alice Example;Carol Gone"),
    ] {
        to.execute(
            "INSERT INTO audit (time, action, subject, caller) VALUES (1700000000, ?1, ?2, 'op')",
            [action, subject],
        )
        .unwrap();
    }
}

#[test]
fn a_plain_name_gallery_is_migrated_on_open_and_a_wrong_key_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let k = key(2);
    make_v1_gallery(dir.path(), &path, &k);
    assert!(trace_of(&gallery_bytes(&path), "Carol Gone"));

    let before = gallery_bytes(&path);
    let err = Gallery::open_existing(&GalleryLocation::file(&path), key(3)).unwrap_err();
    assert!(matches!(err, GalleryError::WrongKey { .. }), "{err}");
    assert_eq!(gallery_bytes(&path), before, "a wrong key wrote something");

    let g = Gallery::open_existing(&GalleryLocation::file(&path), k.clone()).unwrap();
    let subjects: Vec<(String, usize)> = g
        .subjects()
        .into_iter()
        .map(|s| (s.name, s.embeddings))
        .collect();
    assert_eq!(
        subjects,
        [
            ("Alice Example".to_string(), 2),
            ("Bob Sample".to_string(), 1)
        ]
    );
    let m = g.identify(&synthetic(2), 1);
    assert_eq!(m[0].subject, "Bob Sample");
    let carol = k.pseudonym("Carol Gone");
    let audit: Vec<String> = g.audit().unwrap().into_iter().map(|a| a.subject).collect();
    let mut identify = [k.pseudonym("Alice Example"), carol.clone()];
    identify.sort();
    let identify = identify
        .join(";")
        .replace(&k.pseudonym("Alice Example"), "Alice Example");
    assert_eq!(
        audit,
        [
            "",
            "Alice Example",
            "Bob Sample",
            carol.as_str(),
            carol.as_str(),
            identify.as_str()
        ]
    );
    drop(g);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, b"2");
    assert!(
        conn.execute("DELETE FROM audit", []).is_err(),
        "still append-only"
    );
    drop(conn);
    let bytes = gallery_bytes(&path);
    for name in ["Alice", "Bob Sample", "Carol"] {
        assert!(
            !trace_of(&bytes, name),
            "{name} still readable after migration"
        );
    }
}

#[test]
fn weak_and_malformed_keys_are_refused_with_the_reason() {
    for text in [
        "00".repeat(32),
        "ff".repeat(32),
        "0102030405060701".repeat(4),
    ] {
        let err = GalleryKey::from_hex(&text).unwrap_err();
        assert!(matches!(err, GalleryError::BadKey { .. }), "{err}");
        assert!(err.to_string().contains("weak"), "{err}");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    // 64 characters but 65 bytes: named as a non-hex character.
    let err = GalleryKey::from_hex(&("0".repeat(63) + "é"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("non-hex character"), "{err}");
    assert!(!err.contains("got 64"), "{err}");
    let err = GalleryKey::from_hex(&"a1".repeat(20))
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected 64 hex characters, got 40"), "{err}");
}

#[test]
fn key_files_are_read_bounded_and_must_be_files() {
    let dir = tempfile::tempdir().unwrap();
    let err = GalleryKey::from_file(Path::new("/dev/zero")).unwrap_err();
    assert!(err.to_string().contains("larger than 4096 bytes"), "{err}");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = GalleryKey::from_file(dir.path()).unwrap_err();
    assert!(err.to_string().contains("is a folder"), "{err}");
    let fifo = dir.path().join("key.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Opening a pipe would wait for a writer: it must be refused first.
    let err = GalleryKey::from_file(&fifo).unwrap_err();
    assert!(err.to_string().contains("pipe"), "{err}");
    let big = dir.path().join("big.hex");
    std::fs::write(&big, "a".repeat(5000)).unwrap();
    let err = GalleryKey::from_file(&big).unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
    assert!(!err.to_string().contains("aaaa"), "{err}");
    let good = dir.path().join("good.hex");
    std::fs::write(&good, format!("{}\n", "0123456789abcdef".repeat(4))).unwrap();
    assert!(GalleryKey::from_file(&good).is_ok());
}

/// Text of SQLite's own messages, which must not reach the user.
fn has_raw_sqlite_text(message: &str) -> bool {
    let m = message.to_lowercase();
    [
        "sqlite",
        "file is not a database",
        "unable to open database",
        "disk i/o",
    ]
    .iter()
    .any(|t| m.contains(t))
}

#[test]
fn opening_an_existing_gallery_never_creates_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let folder = dir.path().join("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let cases: [(&Path, &str); 4] = [
        (&missing, "does not exist"),
        (&empty, "is not a seer face gallery"),
        (&folder, "is not a seer face gallery"),
        (Path::new("/dev/null"), "is not a seer face gallery"),
    ];
    for (path, want) in cases {
        let err = Gallery::open_existing(&GalleryLocation::file(path), key(4)).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(want), "{}: {text}", path.display());
        assert!(!has_raw_sqlite_text(&text), "{text}");
        assert!(
            matches!(err.kind(), ErrorKind::NotFound | ErrorKind::InvalidInput),
            "{err:?}"
        );
    }
    assert!(!missing.exists(), "a missing gallery was created");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    assert!(std::fs::read_dir(&folder).unwrap().next().is_none());
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["empty.db", "folder.db"],
        "no journal files appeared"
    );
    assert_eq!(std::fs::metadata("/dev/null").unwrap().len(), 0);

    // Enrolling into an empty file someone made: refused, not overwritten.
    let err = Gallery::open_or_create(&empty, key(4)).unwrap_err();
    assert!(matches!(err, GalleryError::NotAGallery { .. }), "{err}");
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    let err = Gallery::open_or_create(&folder, key(4)).unwrap_err();
    assert!(matches!(err, GalleryError::NotAGallery { .. }), "{err}");
    // Creating is for a path that does not exist.
    let g = Gallery::open_or_create(&missing, key(4)).unwrap();
    assert!(g.subjects().is_empty());
}

#[test]
#[cfg(unix)]
fn identification_on_a_read_only_gallery_is_refused_not_left_unaudited() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(5)).unwrap();
    g.enroll("Alice Example", &[synthetic(1)], "op").unwrap();
    let entries = g.audit().unwrap().len();
    drop(g);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = gallery_bytes(&path);

    let g = Gallery::open_existing(&GalleryLocation::file(&path), key(5)).unwrap();
    let m = g.identify(&synthetic(1), 1);
    assert_eq!(m[0].subject, "Alice Example");
    let err = g
        .record_identification(&["Alice Example"], "op")
        .unwrap_err();
    assert!(matches!(err, GalleryError::ReadOnly { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("cannot write the audit entry"), "{text}");
    assert!(text.contains("read-only"), "{text}");
    assert!(!has_raw_sqlite_text(&text), "{text}");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(g.audit().unwrap().len(), entries);
    drop(g);
    assert_eq!(gallery_bytes(&path), before, "a read-only gallery changed");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
}
