//! The video library: videos analysed once with [`crate::describe_video`]
//! and stored for search by what was seen and read in each shot.
//!
//! A library is a folder:
//! - `library.sqlite`: the source of truth (videos, shots, all indexed
//!   text, per-class counts) and a generation number bumped by every
//!   write;
//! - `index/`: a tantivy index over the shots' narration, on-screen text,
//!   labels and face names, whose commit payload is the generation it
//!   matches; a mismatch (a crash between the two commits) is repaired on
//!   opening by rebuilding the index from SQLite;
//! - `thumbs/<video id>/<shot>.jpg`: a small JPEG of a frame of each shot.
//!
//! A write analyses first (no change), writes thumbnails into a temporary
//! folder, then commits SQLite and the index together and moves the
//! thumbnails in, so a failed or cancelled run leaves the library as it
//! was. One process writes at a time; another gets [`LibraryError::Busy`].
//!
//! ```no_run
//! # fn main() -> Result<(), seer_scene::library::LibraryError> {
//! use seer_scene::library::{Library, SearchQuery};
//! let library = Library::open("videos.lib".as_ref())?;
//! print!("{}", library.search(&SearchQuery::new("two cars"))?.to_table());
//! # Ok(()) }
//! ```

pub mod bench;
pub mod error;
pub mod search;
pub mod store;
pub mod text_index;
pub mod thumbs;
pub mod tokenizer;

pub use error::LibraryError;
pub use search::{SearchHit, SearchQuery, SearchResults};
pub use store::{StoredShot, VideoEntry, VideoFacts};

use crate::{describe_video, DescribeOptions, DescribeOutputs, Narration, SceneError};
use rusqlite::{Connection, TransactionBehavior};
use seer_core::{CancelToken, Progress};
use seer_models::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tantivy::collector::TopDocs;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};
use tempfile::TempDir;
use text_index::Fields;

/// Memory the index writer may buffer before flushing, bytes.
const WRITER_MEMORY: usize = 64 << 20;

/// How videos are indexed.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// The analysis of each video.
    pub describe: DescribeOptions,
    /// Make a thumbnail per shot (a second, model-free decode).
    pub thumbnails: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            describe: DescribeOptions::default(),
            thumbnails: true,
        }
    }
}

/// The videos an index run stored.
#[derive(Clone, Debug, Serialize)]
pub struct IndexReport {
    /// Each video, as now listed in the library.
    pub videos: Vec<VideoEntry>,
}

impl IndexReport {
    /// A plain-text table of the videos.
    pub fn to_table(&self) -> String {
        videos_table(&self.videos)
    }
}

/// The videos of a library.
#[derive(Clone, Debug, Serialize)]
pub struct VideoList {
    /// Each video, in the order indexed.
    pub videos: Vec<VideoEntry>,
}

impl VideoList {
    /// A plain-text table of the videos.
    pub fn to_table(&self) -> String {
        videos_table(&self.videos)
    }
}

fn videos_table(videos: &[VideoEntry]) -> String {
    let mut out = String::from("id     shots  duration  video\n");
    for v in videos {
        out.push_str(&format!(
            "{:<6} {:<6} {:<9} {}\n",
            v.id,
            v.shots,
            format!("{:.1} s", v.duration_s),
            v.path
        ));
    }
    if videos.is_empty() {
        out.push_str("(no videos)\n");
    }
    out
}

/// The folder of a library file.
pub(crate) fn folder(file: &Path) -> &Path {
    file.parent().unwrap_or(file)
}

/// A video analysed and ready to store.
struct Pending {
    facts: VideoFacts,
    shots: Vec<StoredShot>,
    /// Thumbnails inside the library's thumbnail folder, moved in after
    /// the commit.
    thumbs: Option<TempDir>,
}

/// An opened library (see the module documentation).
pub struct Library {
    root: PathBuf,
    db: PathBuf,
    conn: Connection,
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

impl Library {
    /// Opens the library in the folder `root`; repairs its text index if
    /// it does not match the database.
    pub fn open(root: &Path) -> Result<Library, LibraryError> {
        let db = store::db_path(root);
        if !db.is_file() {
            return Err(LibraryError::NotALibrary {
                path: root.to_path_buf(),
            });
        }
        let conn = store::open(&db)?;
        let generation = store::generation(&conn).map_err(store::failed(&db))?;
        let index_dir = root.join("index");
        let (index, fresh) = match Index::open_in_dir(&index_dir) {
            Ok(index) => (index, false),
            Err(_) => (new_index(&index_dir, true)?, true),
        };
        text_index::register(&index);
        let fields = text_index::fields_of(&index.schema()).map_err(index_failed(&index_dir))?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(index_failed(&index_dir))?;
        let mut library = Library {
            root: root.to_path_buf(),
            db,
            conn,
            index,
            reader,
            fields,
        };
        if fresh || library.index_generation()? != Some(generation) {
            match library.rebuild() {
                // Another process is writing; its commit brings the index
                // up to date.
                Ok(()) | Err(LibraryError::Busy { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(library)
    }

    /// Creates an empty library in `root` (made if missing); opens it if
    /// one is already there.
    pub fn create(root: &Path) -> Result<Library, LibraryError> {
        let db = store::db_path(root);
        if db.exists() {
            return Library::open(root);
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LibraryError::Io { path, source }
        };
        std::fs::create_dir_all(root.join("thumbs")).map_err(io(root))?;
        let index_dir = root.join("index");
        new_index(&index_dir, true)?;
        // The database is made last: its presence marks a library.
        let partial = root.join("library.sqlite.partial");
        let _ = std::fs::remove_file(&partial);
        drop(store::create(&partial)?);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(root.join(format!("library.sqlite.partial{suffix}")));
        }
        std::fs::rename(&partial, &db).map_err(io(&db))?;
        seer_core::atomic::sync_dir(root);
        Library::open(root)
    }

    /// The library folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Analyses each video in `paths` with [`describe_video`] and stores
    /// them all in one commit (a video already in the library is
    /// replaced). On any error or cancellation nothing is stored.
    pub fn index_videos(
        &mut self,
        models: &Store,
        paths: &[PathBuf],
        options: &IndexOptions,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<IndexReport, LibraryError> {
        let mut pending = Vec::new();
        for path in paths {
            pending.push(self.analyse(models, path, options, progress, cancel)?);
        }
        cancel.check().map_err(LibraryError::Cancelled)?;
        let ids = self.write(pending)?;
        self.report(&ids)
    }

    /// [`Library::index_videos`] of one video.
    pub fn index_video(
        &mut self,
        models: &Store,
        path: &Path,
        options: &IndexOptions,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<IndexReport, LibraryError> {
        self.index_videos(models, &[path.to_path_buf()], options, progress, cancel)
    }

    /// Stores a video described elsewhere (tests, callers that already
    /// ran the analysis): its `facts`, the `narration`, and optionally a
    /// folder of thumbnails named `<shot>.jpg` (copied in).
    pub fn index_narration(
        &mut self,
        facts: VideoFacts,
        narration: &Narration,
        thumbnails: Option<&Path>,
    ) -> Result<IndexReport, LibraryError> {
        let thumbs = match thumbnails {
            Some(from) => Some(self.copy_thumbnails(from)?),
            None => None,
        };
        let pending = self.pending(facts, narration, thumbs);
        let ids = self.write(vec![pending])?;
        self.report(&ids)
    }

    /// Stores videos given as shot rows (bulk loads, benchmarks) in one
    /// commit, without thumbnails; a video already there is replaced.
    pub fn index_shots(
        &mut self,
        videos: Vec<(VideoFacts, Vec<StoredShot>)>,
    ) -> Result<IndexReport, LibraryError> {
        let pending = videos
            .into_iter()
            .map(|(facts, shots)| Pending {
                facts,
                shots: shots
                    .into_iter()
                    .map(|s| StoredShot {
                        thumbnail: None,
                        ..s
                    })
                    .collect(),
                thumbs: None,
            })
            .collect();
        let ids = self.write(pending)?;
        self.report(&ids)
    }

    /// Deletes `video` (its path as indexed, or its file name) from the
    /// database, the index and the thumbnails.
    pub fn remove(&mut self, video: &str) -> Result<VideoList, LibraryError> {
        let ids = self.resolve(video)?;
        let before = store::videos(&self.conn).map_err(store::failed(&self.db))?;
        let mut writer = self.writer()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(store::failed(&self.db))?;
        for &id in &ids {
            store::delete_video(&tx, id).map_err(store::failed(&self.db))?;
            writer.delete_term(text_index::video_term(&self.fields, id));
        }
        let generation = store::bump_generation(&tx).map_err(store::failed(&self.db))?;
        commit_both(&self.db, &self.root, tx, &mut writer, generation)?;
        drop(writer);
        for &id in &ids {
            let _ = std::fs::remove_dir_all(self.thumbs_dir(id));
        }
        self.reload()?;
        Ok(VideoList {
            videos: before.into_iter().filter(|v| ids.contains(&v.id)).collect(),
        })
    }

    /// Every video of the library.
    pub fn videos(&self) -> Result<VideoList, LibraryError> {
        Ok(VideoList {
            videos: store::videos(&self.conn).map_err(store::failed(&self.db))?,
        })
    }

    /// The shots matching `query`, best first.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults, LibraryError> {
        query.validate()?;
        let videos = match &query.video {
            Some(v) => Some(self.resolve(v)?),
            None => None,
        };
        let built = search::build(&self.fields, query, videos.as_deref())?;
        let index_dir = self.root.join("index");
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&built, &TopDocs::with_limit(query.limit).order_by_score())
            .map_err(index_failed(&index_dir))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let fast = searcher.segment_reader(address.segment_ord).fast_fields();
            let column = |name: &str| fast.u64(name).map_err(index_failed(&index_dir));
            let (Some(id), Some(shot)) = (
                column("video")?.first(address.doc_id),
                column("shot")?.first(address.doc_id),
            ) else {
                continue;
            };
            // A shot the index still lists but the database no longer
            // holds (another process mid-write) is left out.
            let Some((video, stored)) =
                store::shot(&self.conn, id, shot).map_err(store::failed(&self.db))?
            else {
                continue;
            };
            if let (Some(label), Some(min)) = (&query.label, query.min_count) {
                let count = stored.counts.get(label.trim()).copied().unwrap_or(0);
                if count < min {
                    continue;
                }
            }
            let thumbnail = stored
                .thumbnail
                .as_ref()
                .map(|name| self.thumbs_dir(id).join(name))
                .filter(|p| p.is_file())
                .map(|p| p.display().to_string());
            let mut text = stored.narration.clone();
            if !stored.screen_text.is_empty() {
                text.push_str("\nOn screen: ");
                text.push_str(&stored.screen_text.replace('\n', " | "));
            }
            hits.push(SearchHit {
                video,
                start_s: stored.start_s,
                end_s: stored.end_s,
                score: if query.text.trim().is_empty() {
                    0.0
                } else {
                    score
                },
                text,
                thumbnail,
            });
        }
        Ok(SearchResults { hits })
    }

    fn thumbs_dir(&self, id: u64) -> PathBuf {
        self.root.join("thumbs").join(id.to_string())
    }

    /// Ids of the videos `video` names: its canonical path if the file
    /// exists, else the path or file name as stored.
    fn resolve(&self, video: &str) -> Result<Vec<u64>, LibraryError> {
        let canonical = std::fs::canonicalize(video)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| video.to_string());
        let mut ids =
            store::videos_named(&self.conn, &canonical).map_err(store::failed(&self.db))?;
        if ids.is_empty() {
            ids = store::videos_named(&self.conn, video).map_err(store::failed(&self.db))?;
        }
        if ids.is_empty() {
            return Err(LibraryError::NotInLibrary {
                video: video.to_string(),
            });
        }
        Ok(ids)
    }

    fn report(&self, ids: &[u64]) -> Result<IndexReport, LibraryError> {
        let all = store::videos(&self.conn).map_err(store::failed(&self.db))?;
        Ok(IndexReport {
            videos: all.into_iter().filter(|v| ids.contains(&v.id)).collect(),
        })
    }

    fn analyse(
        &self,
        models: &Store,
        path: &Path,
        options: &IndexOptions,
        progress: &dyn Progress,
        cancel: &CancelToken,
    ) -> Result<Pending, LibraryError> {
        let meta = std::fs::metadata(path).map_err(|source| LibraryError::VideoFile {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.len() == 0 {
            return Err(LibraryError::EmptyVideo {
                path: path.to_path_buf(),
            });
        }
        let narration = describe_video(
            models,
            path,
            &options.describe,
            &DescribeOutputs::default(),
            progress,
            cancel,
        )
        .map_err(|source| match source {
            SceneError::Cancelled { source, .. } => LibraryError::Cancelled(source),
            source => LibraryError::Analyse {
                path: path.to_path_buf(),
                source: Box::new(source),
            },
        })?;
        let facts = VideoFacts::of_file(path, narration.fps, narration.frames)?;
        let thumbs = if options.thumbnails {
            let dir = self.temp_thumbs()?;
            let mids: Vec<f64> = narration
                .shots
                .iter()
                .map(|s| (s.facts.shot.start_s + s.facts.shot.end_s) / 2.0)
                .collect();
            thumbs::write_thumbnails(path, &mids, dir.path(), cancel)?;
            Some(dir)
        } else {
            None
        };
        Ok(self.pending(facts, &narration, thumbs))
    }

    fn pending(
        &self,
        facts: VideoFacts,
        narration: &Narration,
        thumbs: Option<TempDir>,
    ) -> Pending {
        let shots = narration
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = thumbs::file_name(i as u64);
                let has_thumb = thumbs
                    .as_ref()
                    .is_some_and(|d| d.path().join(&name).is_file());
                StoredShot {
                    index: i as u64,
                    start_s: s.facts.shot.start_s,
                    end_s: s.facts.shot.end_s,
                    narration: s.text.clone(),
                    screen_text: s.facts.text.join("\n"),
                    faces: String::new(),
                    counts: s.facts.objects.clone(),
                    thumbnail: has_thumb.then_some(name),
                }
            })
            .collect();
        Pending {
            facts,
            shots,
            thumbs,
        }
    }

    fn temp_thumbs(&self) -> Result<TempDir, LibraryError> {
        let parent = self.root.join("thumbs");
        std::fs::create_dir_all(&parent).map_err(|source| LibraryError::Io {
            path: parent.clone(),
            source,
        })?;
        tempfile::Builder::new()
            .prefix(".partial-")
            .tempdir_in(&parent)
            .map_err(|source| LibraryError::Io {
                path: parent,
                source,
            })
    }

    fn copy_thumbnails(&self, from: &Path) -> Result<TempDir, LibraryError> {
        let dir = self.temp_thumbs()?;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LibraryError::Io { path, source }
        };
        for entry in std::fs::read_dir(from).map_err(io(from))? {
            let entry = entry.map_err(io(from))?;
            let name = entry.file_name();
            if entry.path().is_file() && name.to_string_lossy().ends_with(".jpg") {
                std::fs::copy(entry.path(), dir.path().join(&name)).map_err(io(&entry.path()))?;
            }
        }
        Ok(dir)
    }

    fn writer(&self) -> Result<IndexWriter<TantivyDocument>, LibraryError> {
        self.index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| match e {
                TantivyError::LockFailure(..) => LibraryError::Busy {
                    path: self.root.clone(),
                },
                e => LibraryError::TextIndex {
                    path: self.root.join("index"),
                    source: e,
                },
            })
    }

    fn reload(&self) -> Result<(), LibraryError> {
        self.reader
            .reload()
            .map_err(index_failed(&self.root.join("index")))
    }

    fn index_generation(&self) -> Result<Option<u64>, LibraryError> {
        let metas = self
            .index
            .load_metas()
            .map_err(index_failed(&self.root.join("index")))?;
        Ok(metas.payload.and_then(|p| p.parse().ok()))
    }

    /// Stores `pending` (replacing videos of the same paths) in one
    /// SQLite transaction and one index commit, then moves thumbnails in
    /// and deletes those of replaced videos. Returns the new ids.
    fn write(&mut self, pending: Vec<Pending>) -> Result<Vec<u64>, LibraryError> {
        let mut writer = self.writer()?;
        let failed = store::failed(&self.db);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&failed)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let mut replaced = Vec::new();
        let mut ids = Vec::new();
        for p in &pending {
            if let Some(old) =
                store::video_id(&tx, &p.facts.path.to_string_lossy()).map_err(&failed)?
            {
                store::delete_video(&tx, old).map_err(&failed)?;
                writer.delete_term(text_index::video_term(&self.fields, old));
                replaced.push(old);
            }
            let id = store::insert_video(&tx, &p.facts, &p.shots, now).map_err(&failed)?;
            for shot in &p.shots {
                writer
                    .add_document(text_index::document(&self.fields, id, shot))
                    .map_err(index_failed(&self.root.join("index")))?;
            }
            ids.push(id);
        }
        let generation = store::bump_generation(&tx).map_err(&failed)?;
        commit_both(&self.db, &self.root, tx, &mut writer, generation)?;
        drop(writer);
        for (p, &id) in pending.into_iter().zip(&ids) {
            if let Some(dir) = p.thumbs {
                let target = self.thumbs_dir(id);
                let _ = std::fs::remove_dir_all(&target);
                let kept = dir.keep();
                if std::fs::rename(&kept, &target).is_err() {
                    let _ = std::fs::remove_dir_all(&kept);
                }
            }
        }
        for old in replaced {
            let _ = std::fs::remove_dir_all(self.thumbs_dir(old));
        }
        seer_core::atomic::sync_dir(&self.root.join("thumbs"));
        self.reload()?;
        Ok(ids)
    }

    /// Replaces the whole text index by the shots in the database.
    fn rebuild(&mut self) -> Result<(), LibraryError> {
        let mut writer = self.writer()?;
        let index_dir = self.root.join("index");
        let generation = store::generation(&self.conn).map_err(store::failed(&self.db))?;
        writer
            .delete_all_documents()
            .map_err(index_failed(&index_dir))?;
        for (id, shot) in store::all_shots(&self.conn).map_err(store::failed(&self.db))? {
            writer
                .add_document(text_index::document(&self.fields, id, &shot))
                .map_err(index_failed(&index_dir))?;
        }
        let mut prepared = writer.prepare_commit().map_err(index_failed(&index_dir))?;
        prepared.set_payload(&generation.to_string());
        prepared.commit().map_err(index_failed(&index_dir))?;
        drop(writer);
        self.reload()
    }
}

/// Commits the index's prepared changes with `generation` as payload and
/// the SQLite transaction: the index is prepared first, SQLite commits,
/// then the index; a failed SQLite commit aborts the index's. A failure
/// of the last step leaves SQLite ahead, which the next open repairs.
fn commit_both(
    db: &Path,
    root: &Path,
    tx: rusqlite::Transaction,
    writer: &mut IndexWriter<TantivyDocument>,
    generation: u64,
) -> Result<(), LibraryError> {
    let index_dir = root.join("index");
    let mut prepared = writer.prepare_commit().map_err(index_failed(&index_dir))?;
    prepared.set_payload(&generation.to_string());
    if let Err(e) = tx.commit() {
        let _ = prepared.abort();
        return Err(store::failed(db)(e));
    }
    prepared.commit().map_err(index_failed(&index_dir))?;
    Ok(())
}

fn index_failed(path: &Path) -> impl Fn(TantivyError) -> LibraryError + '_ {
    move |source| LibraryError::TextIndex {
        path: path.to_path_buf(),
        source,
    }
}

/// An empty index in `dir`, replacing whatever is there when `replace`.
fn new_index(dir: &Path, replace: bool) -> Result<Index, LibraryError> {
    if replace && dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| LibraryError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::create_dir_all(dir).map_err(|source| LibraryError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let (schema, _) = text_index::schema();
    let index = Index::create_in_dir(dir, schema).map_err(index_failed(dir))?;
    text_index::register(&index);
    Ok(index)
}

impl VideoFacts {
    /// Facts of the file `path` (canonicalised) with its analysed frame
    /// rate and frame count.
    pub fn of_file(path: &Path, fps: f64, frames: u64) -> Result<VideoFacts, LibraryError> {
        let failed = |source| LibraryError::VideoFile {
            path: path.to_path_buf(),
            source,
        };
        let canonical = std::fs::canonicalize(path).map_err(failed)?;
        let meta = std::fs::metadata(&canonical).map_err(failed)?;
        let mtime_s = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let name = canonical
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(VideoFacts {
            name,
            fps,
            frames,
            duration_s: if fps > 0.0 { frames as f64 / fps } else { 0.0 },
            size_bytes: meta.len(),
            mtime_s,
            path: canonical,
        })
    }
}
