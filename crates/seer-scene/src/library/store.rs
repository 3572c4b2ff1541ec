//! The library's SQLite database, the source of truth: videos, their
//! shots with all indexed text, and the generation number that every
//! write bumps (the text index records the generation it matches).

use super::LibraryError;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the tables below; a database with another is refused.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE videos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    fps REAL NOT NULL,
    frames INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    size_bytes INTEGER NOT NULL,
    mtime_s INTEGER NOT NULL,
    indexed_at INTEGER NOT NULL
);
CREATE TABLE shots (
    video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    narration TEXT NOT NULL,
    screen_text TEXT NOT NULL,
    faces TEXT NOT NULL,
    counts TEXT NOT NULL,
    thumbnail TEXT,
    PRIMARY KEY (video_id, idx)
) WITHOUT ROWID;
";

/// What the library records of a video file.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoFacts {
    /// Canonical path of the file.
    pub path: PathBuf,
    /// File name shown in results.
    pub name: String,
    /// Frames per second.
    pub fps: f64,
    /// Frames in the video.
    pub frames: u64,
    /// Length in seconds.
    pub duration_s: f64,
    /// Size of the file in bytes when indexed.
    pub size_bytes: u64,
    /// Modification time of the file when indexed, seconds since 1970.
    pub mtime_s: i64,
}

/// One shot as stored: its times and all its searchable text.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredShot {
    /// Position of the shot in its video, from 0.
    pub index: u64,
    /// Start in seconds.
    pub start_s: f64,
    /// End in seconds.
    pub end_s: f64,
    /// The narration.
    pub narration: String,
    /// On-screen text, one line per read line.
    pub screen_text: String,
    /// Names of people recognised in the shot (empty for now).
    pub faces: String,
    /// Per class, the number of objects seen at once.
    pub counts: BTreeMap<String, u64>,
    /// File name of the thumbnail under the video's thumbnail folder.
    pub thumbnail: Option<String>,
}

/// A video in the library, as listed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VideoEntry {
    /// Library id (changes when the video is indexed again).
    pub id: u64,
    /// Canonical path of the file.
    pub path: String,
    /// File name.
    pub name: String,
    /// Frames per second.
    pub fps: f64,
    /// Frames in the video.
    pub frames: u64,
    /// Length in seconds.
    pub duration_s: f64,
    /// Shots stored.
    pub shots: u64,
    /// When it was indexed, seconds since 1970.
    pub indexed_at: i64,
}

/// The database file of the library in `root`.
pub fn db_path(root: &Path) -> PathBuf {
    root.join("library.sqlite")
}

fn corrupt(path: &Path) -> impl Fn(rusqlite::Error) -> LibraryError + '_ {
    move |source| LibraryError::Corrupt {
        path: path.to_path_buf(),
        source,
    }
}

/// A database error of the library at `path`.
pub fn failed(path: &Path) -> impl Fn(rusqlite::Error) -> LibraryError + '_ {
    move |source| match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            LibraryError::Busy {
                path: crate::library::folder(path).to_path_buf(),
            }
        }
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            LibraryError::Corrupt {
                path: path.to_path_buf(),
                source,
            }
        }
        _ => LibraryError::Database {
            path: path.to_path_buf(),
            source,
        },
    }
}

fn configure(conn: &Connection, path: &Path) -> Result<(), LibraryError> {
    conn.busy_timeout(std::time::Duration::from_millis(2000))
        .map_err(failed(path))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(corrupt(path))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(corrupt(path))?;
    Ok(())
}

/// Opens the existing database at `path`, checking it is a library of
/// this version.
pub fn open(path: &Path) -> Result<Connection, LibraryError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(corrupt(path))?;
    configure(&conn, path)?;
    let version: Option<i64> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(corrupt(path))?;
    if version != Some(SCHEMA_VERSION) {
        return Err(LibraryError::Corrupt {
            path: path.to_path_buf(),
            source: rusqlite::Error::InvalidQuery,
        });
    }
    Ok(conn)
}

/// Creates a new database at `path` (which must not exist).
pub fn create(path: &Path) -> Result<Connection, LibraryError> {
    let conn = Connection::open(path).map_err(failed(path))?;
    configure(&conn, path)?;
    conn.execute_batch(SCHEMA).map_err(failed(path))?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', ?1), ('generation', 0)",
        params![SCHEMA_VERSION],
    )
    .map_err(failed(path))?;
    Ok(conn)
}

/// The generation of the last committed write.
pub fn generation(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|g| g as u64)
}

/// Bumps the generation inside `tx`; returns the new one.
pub fn bump_generation(tx: &Transaction) -> rusqlite::Result<u64> {
    tx.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
        [],
    )?;
    generation(tx)
}

/// Id of the video stored under the canonical `path`.
pub fn video_id(conn: &Connection, path: &str) -> rusqlite::Result<Option<u64>> {
    conn.query_row("SELECT id FROM videos WHERE path = ?1", [path], |r| {
        r.get::<_, i64>(0)
    })
    .optional()
    .map(|id| id.map(|i| i as u64))
}

/// Ids of the videos whose path or file name is `name`.
pub fn videos_named(conn: &Connection, name: &str) -> rusqlite::Result<Vec<u64>> {
    let mut statement =
        conn.prepare_cached("SELECT id FROM videos WHERE path = ?1 OR name = ?1 ORDER BY id")?;
    let rows = statement.query_map([name], |r| r.get::<_, i64>(0))?;
    rows.map(|r| r.map(|i| i as u64)).collect()
}

/// Inserts `facts` and its `shots` as a new video; returns its id.
pub fn insert_video(
    tx: &Transaction,
    facts: &VideoFacts,
    shots: &[StoredShot],
    indexed_at: i64,
) -> rusqlite::Result<u64> {
    tx.execute(
        "INSERT INTO videos (path, name, fps, frames, duration_s, size_bytes, mtime_s, indexed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            facts.path.to_string_lossy(),
            facts.name,
            facts.fps,
            facts.frames as i64,
            facts.duration_s,
            facts.size_bytes as i64,
            facts.mtime_s,
            indexed_at
        ],
    )?;
    let id = tx.last_insert_rowid() as u64;
    let mut statement = tx.prepare_cached(
        "INSERT INTO shots (video_id, idx, start_s, end_s, narration, screen_text, faces, counts, thumbnail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for s in shots {
        let counts = serde_json::to_string(&s.counts).unwrap_or_else(|_| "{}".into());
        statement.execute(params![
            id as i64,
            s.index as i64,
            s.start_s,
            s.end_s,
            s.narration,
            s.screen_text,
            s.faces,
            counts,
            s.thumbnail
        ])?;
    }
    Ok(id)
}

/// Deletes the video `id` and its shots.
pub fn delete_video(tx: &Transaction, id: u64) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM videos WHERE id = ?1", [id as i64])?;
    Ok(())
}

fn shot_of_row(r: &rusqlite::Row, first: usize) -> rusqlite::Result<StoredShot> {
    let counts: String = r.get(first + 6)?;
    Ok(StoredShot {
        index: r.get::<_, i64>(first)? as u64,
        start_s: r.get(first + 1)?,
        end_s: r.get(first + 2)?,
        narration: r.get(first + 3)?,
        screen_text: r.get(first + 4)?,
        faces: r.get(first + 5)?,
        counts: serde_json::from_str(&counts).unwrap_or_default(),
        thumbnail: r.get(first + 7)?,
    })
}

const SHOT_COLUMNS: &str = "idx, start_s, end_s, narration, screen_text, faces, counts, thumbnail";

/// Every shot of the library with its video id (for rebuilding the text
/// index).
pub fn all_shots(conn: &Connection) -> rusqlite::Result<Vec<(u64, StoredShot)>> {
    let mut statement = conn.prepare(&format!(
        "SELECT video_id, {SHOT_COLUMNS} FROM shots ORDER BY video_id, idx"
    ))?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, shot_of_row(r, 1)?)))?;
    rows.collect()
}

/// Shot `index` of video `id` with the video's path, if stored.
pub fn shot(
    conn: &Connection,
    id: u64,
    index: u64,
) -> rusqlite::Result<Option<(String, StoredShot)>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT v.path, {} FROM shots s JOIN videos v ON v.id = s.video_id
         WHERE s.video_id = ?1 AND s.idx = ?2",
        SHOT_COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    statement
        .query_row(params![id as i64, index as i64], |r| {
            Ok((r.get(0)?, shot_of_row(r, 1)?))
        })
        .optional()
}

/// Every video, in the order indexed.
pub fn videos(conn: &Connection) -> rusqlite::Result<Vec<VideoEntry>> {
    let mut statement = conn.prepare(
        "SELECT v.id, v.path, v.name, v.fps, v.frames, v.duration_s, v.indexed_at,
                (SELECT COUNT(*) FROM shots s WHERE s.video_id = v.id)
         FROM videos v ORDER BY v.id",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(VideoEntry {
            id: r.get::<_, i64>(0)? as u64,
            path: r.get(1)?,
            name: r.get(2)?,
            fps: r.get(3)?,
            frames: r.get::<_, i64>(4)? as u64,
            duration_s: r.get(5)?,
            indexed_at: r.get(6)?,
            shots: r.get::<_, i64>(7)? as u64,
        })
    })?;
    rows.collect()
}
