//! The video library without models: hand-made narrations indexed with
//! `index_narration`, found by class, on-screen word (English and
//! Chinese), phrase and typo, filtered by video, label, count and time;
//! re-indexing replaces, removing deletes everywhere, a stale or missing
//! text index is rebuilt from SQLite, a locked or corrupt library gives
//! a clear error and stays as it was.

use seer_core::{ErrorKind, HasErrorKind};
use seer_scene::library::{Library, LibraryError, SearchQuery, VideoFacts};
use seer_scene::narrate::ShotFacts;
use seer_scene::shots::Transition;
use seer_scene::{CameraMotion, Narration, Shot, ShotNarration};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A shot of `start_s`..`end_s` with `objects`, on-screen `text` and a
/// narration.
fn shot(
    start_s: f64,
    end_s: f64,
    objects: &[(&str, u64)],
    text: &[&str],
    narration: &str,
) -> ShotNarration {
    let fps = 25.0;
    ShotNarration {
        facts: ShotFacts {
            shot: Shot {
                start_frame: (start_s * fps) as u64,
                end_frame: (end_s * fps) as u64 - 1,
                start_s,
                end_s,
                transition_in: if start_s == 0.0 {
                    Transition::Start
                } else {
                    Transition::Cut
                },
            },
            objects: objects
                .iter()
                .map(|(c, n)| (c.to_string(), *n))
                .collect::<BTreeMap<_, _>>(),
            events: Vec::new(),
            camera: CameraMotion::Static,
            text: text.iter().map(|t| t.to_string()).collect(),
            score_changes: Vec::new(),
        },
        text: narration.to_string(),
    }
}

fn narration(input: &str, shots: Vec<ShotNarration>) -> Narration {
    let frames = shots
        .last()
        .map(|s| s.facts.shot.end_frame + 1)
        .unwrap_or(0);
    Narration {
        input: input.to_string(),
        fps: 25.0,
        frames,
        shots,
        seconds: 1.0,
        speed_x_real_time: 1.0,
    }
}

fn facts(path: &str, frames: u64) -> VideoFacts {
    VideoFacts {
        path: PathBuf::from(path),
        name: Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        fps: 25.0,
        frames,
        duration_s: frames as f64 / 25.0,
        size_bytes: 1000,
        mtime_s: 0,
    }
}

/// Three videos: a street, a stage and a station.
fn three_videos(library: &mut Library) {
    let street = narration(
        "/videos/street.mp4",
        vec![
            shot(
                0.0,
                4.0,
                &[("car", 3), ("person", 1)],
                &[],
                "Three cars and a person. The camera pans left.",
            ),
            shot(
                4.0,
                9.0,
                &[("bus", 1)],
                &["Main Street"],
                "A bus. The camera is still.",
            ),
            shot(
                9.0,
                15.0,
                &[("car", 1), ("bicycle", 2)],
                &[],
                "A car and two bicycles. A bicycle enters at 0:11.",
            ),
        ],
    );
    let stage = narration(
        "/videos/stage.mp4",
        vec![
            shot(
                0.0,
                6.0,
                &[("person", 4)],
                &["Breaking News"],
                "Four people. The camera zooms in.",
            ),
            shot(
                6.0,
                20.0,
                &[("person", 1)],
                &[],
                "A person sings under a red umbrella. The camera is still.",
            ),
        ],
    );
    let station = narration(
        "/videos/station.mp4",
        vec![
            shot(
                0.0,
                5.0,
                &[("train", 1)],
                &["火车站"],
                "A train. The camera is still.",
            ),
            shot(
                5.0,
                12.0,
                &[("person", 2)],
                &["欢迎光临", "EXIT"],
                "Two people. The camera pans right.",
            ),
        ],
    );
    for n in [street, stage, station] {
        let frames = n.frames;
        library
            .index_narration(facts(&n.input.clone(), frames), &n, None)
            .unwrap();
    }
}

fn first(library: &Library, query: &SearchQuery) -> (String, f64, f64) {
    let results = library.search(query).unwrap();
    let hit = results
        .hits
        .first()
        .unwrap_or_else(|| panic!("no hit for {query:?}"));
    (hit.video.clone(), hit.start_s, hit.end_s)
}

fn q(text: &str) -> SearchQuery {
    SearchQuery::new(text)
}

#[test]
fn classes_words_chinese_phrases_and_typos_find_the_right_shot_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut library = Library::create(&dir.path().join("lib")).unwrap();
    three_videos(&mut library);
    // Both street shots with a car match; the street video comes first.
    assert_eq!(first(&library, &q("car")).0, "/videos/street.mp4");
    assert_eq!(
        first(&library, &q("bicycles")),
        ("/videos/street.mp4".into(), 9.0, 15.0)
    );
    assert_eq!(
        first(&library, &q("umbrella")),
        ("/videos/stage.mp4".into(), 6.0, 20.0)
    );
    assert_eq!(
        first(&library, &q("breaking news")),
        ("/videos/stage.mp4".into(), 0.0, 6.0)
    );
    assert_eq!(
        first(&library, &q("火车站")),
        ("/videos/station.mp4".into(), 0.0, 5.0)
    );
    assert_eq!(
        first(&library, &q("欢迎光临")),
        ("/videos/station.mp4".into(), 5.0, 12.0)
    );
    // A phrase must appear as written: "sings under" is in one shot only.
    assert_eq!(
        first(&library, &q("\"sings under a red\"")),
        ("/videos/stage.mp4".into(), 6.0, 20.0)
    );
    assert!(library.search(&q("\"red under\"")).unwrap().hits.is_empty());
    // One typo in a word of five letters or more.
    assert_eq!(
        first(&library, &q("Braking")),
        ("/videos/stage.mp4".into(), 0.0, 6.0)
    );
    assert_eq!(
        first(&library, &q("umbrela")),
        ("/videos/stage.mp4".into(), 6.0, 20.0)
    );
    // No typo allowed in short words: "bus" must not match "bust".
    assert!(library.search(&q("bust")).unwrap().hits.is_empty());
    // Every word must match.
    assert!(library
        .search(&q("train umbrella"))
        .unwrap()
        .hits
        .is_empty());
    // The hit's text carries narration and on-screen text.
    let hit = &library.search(&q("火车站")).unwrap().hits[0];
    assert!(
        hit.text.contains("A train") && hit.text.contains("火车站"),
        "{}",
        hit.text
    );
    assert!(hit.score > 0.0);
}

#[test]
fn filters_select_video_label_count_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut library = Library::create(&dir.path().join("lib")).unwrap();
    three_videos(&mut library);
    let all = |query: SearchQuery| -> Vec<(String, f64)> {
        let mut hits: Vec<(String, f64)> = library
            .search(&query)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| (h.video, h.start_s))
            .collect();
        hits.sort_by(|a, b| a.partial_cmp(b).unwrap());
        hits
    };
    let mut people = SearchQuery::new("");
    people.label = Some("person".into());
    assert_eq!(all(people.clone()).len(), 4);
    people.min_count = Some(2);
    assert_eq!(
        all(people.clone()),
        [
            ("/videos/stage.mp4".into(), 0.0),
            ("/videos/station.mp4".into(), 5.0)
        ]
    );
    people.video = Some("station.mp4".into());
    assert_eq!(all(people.clone()), [("/videos/station.mp4".into(), 5.0)]);
    let mut later = SearchQuery::new("camera");
    later.after_s = Some(6.0);
    assert_eq!(all(later), [("/videos/stage.mp4".into(), 6.0)]);
    let mut missing = SearchQuery::new("car");
    missing.video = Some("nowhere.mp4".into());
    let error = library.search(&missing).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
}

/// Everything a user can see of a library: videos, every shot's hits
/// for some queries, the thumbnail files.
fn snapshot(library: &Library) -> String {
    let mut out = format!("{:?}\n", library.videos().unwrap().videos);
    for text in ["car", "person", "火车站", "camera", ""] {
        out.push_str(&format!("{:?}\n", library.search(&q(text)).unwrap().hits));
    }
    let mut files: Vec<String> = walk(&library.root().join("thumbs"));
    files.sort();
    out.push_str(&format!("{files:?}"));
    out
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

fn thumbs_folder(dir: &Path, shots: usize) -> PathBuf {
    let folder = dir.join("made_thumbs");
    std::fs::create_dir_all(&folder).unwrap();
    for i in 0..shots {
        image::RgbImage::from_pixel(32, 18, image::Rgb([i as u8 * 40, 90, 30]))
            .save(folder.join(format!("{i}.jpg")))
            .unwrap();
    }
    folder
}

#[test]
fn reindexing_replaces_and_removing_deletes_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let mut library = Library::create(&root).unwrap();
    three_videos(&mut library);
    let thumbs = thumbs_folder(dir.path(), 2);
    let first_take = narration(
        "/videos/stage.mp4",
        vec![
            shot(0.0, 3.0, &[("dog", 1)], &[], "A dog. The camera is still."),
            shot(
                3.0,
                8.0,
                &[("cat", 2)],
                &[],
                "Two cats. The camera is still.",
            ),
        ],
    );
    library
        .index_narration(facts("/videos/stage.mp4", 200), &first_take, Some(&thumbs))
        .unwrap();
    let videos = library.videos().unwrap().videos;
    assert_eq!(videos.len(), 3);
    let stage = videos.iter().find(|v| v.name == "stage.mp4").unwrap();
    assert_eq!(stage.shots, 2);
    // The old stage text is gone, the new is found with its thumbnail.
    assert!(library.search(&q("umbrella")).unwrap().hits.is_empty());
    let hit = library.search(&q("cats")).unwrap().hits.remove(0);
    assert_eq!((hit.start_s, hit.end_s), (3.0, 8.0));
    let thumb = PathBuf::from(hit.thumbnail.expect("a thumbnail"));
    assert!(thumb.is_file());
    assert!(thumb.starts_with(root.join("thumbs").join(stage.id.to_string())));
    // Reopened, the same.
    drop(library);
    let mut library = Library::open(&root).unwrap();
    assert_eq!(library.search(&q("cats")).unwrap().hits.len(), 1);
    // Removed: no rows, no hits, no thumbnails.
    let removed = library.remove("/videos/stage.mp4").unwrap();
    assert_eq!(removed.videos.len(), 1);
    assert_eq!(library.videos().unwrap().videos.len(), 2);
    assert!(library.search(&q("cats")).unwrap().hits.is_empty());
    assert!(!thumb.exists());
    assert!(!root.join("thumbs").join(stage.id.to_string()).exists());
    let error = library.remove("/videos/stage.mp4").unwrap_err();
    assert!(
        matches!(error, LibraryError::NotInLibrary { .. }),
        "{error}"
    );
}

#[test]
fn a_stale_or_missing_text_index_is_rebuilt_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let mut library = Library::create(&root).unwrap();
    three_videos(&mut library);
    let before = snapshot(&library);
    drop(library);
    // A crash between the SQLite and index commits: SQLite is a
    // generation ahead.
    let conn = rusqlite::Connection::open(root.join("library.sqlite")).unwrap();
    conn.execute(
        "UPDATE shots SET narration = 'A zebra.' WHERE idx = 1 AND video_id = 1",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
        [],
    )
    .unwrap();
    drop(conn);
    let library = Library::open(&root).unwrap();
    assert_eq!(
        first(&library, &q("zebra")),
        ("/videos/street.mp4".into(), 4.0, 9.0)
    );
    drop(library);
    // The index folder lost: rebuilt.
    std::fs::remove_dir_all(root.join("index")).unwrap();
    let library = Library::open(&root).unwrap();
    assert_eq!(
        first(&library, &q("zebra")),
        ("/videos/street.mp4".into(), 4.0, 9.0)
    );
    assert_eq!(
        first(&library, &q("火车站")),
        ("/videos/station.mp4".into(), 0.0, 5.0)
    );
    assert_ne!(before, snapshot(&library));
}

#[test]
fn a_second_writer_is_refused_and_the_library_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let mut library = Library::create(&root).unwrap();
    three_videos(&mut library);
    let before = snapshot(&library);
    // Another process holds the index writer.
    let index = tantivy::Index::open_in_dir(root.join("index")).unwrap();
    let writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    let extra = narration(
        "/videos/new.mp4",
        vec![shot(0.0, 2.0, &[("dog", 1)], &[], "A dog.")],
    );
    let error = library
        .index_narration(facts("/videos/new.mp4", 50), &extra, None)
        .unwrap_err();
    assert!(matches!(error, LibraryError::Busy { .. }), "{error}");
    assert!(error.to_string().contains("another process"), "{error}");
    let error = library.remove("/videos/street.mp4").unwrap_err();
    assert!(matches!(error, LibraryError::Busy { .. }), "{error}");
    assert_eq!(before, snapshot(&library));
    drop(writer);
    library
        .index_narration(facts("/videos/new.mp4", 50), &extra, None)
        .unwrap();
    assert_eq!(
        first(&library, &q("dog")),
        ("/videos/new.mp4".into(), 0.0, 2.0)
    );
}

#[test]
fn a_corrupt_or_missing_library_is_a_clear_error_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let error = Library::open(&dir.path().join("none")).err().unwrap();
    assert!(matches!(error, LibraryError::NotALibrary { .. }), "{error}");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let root = dir.path().join("lib");
    drop(Library::create(&root).unwrap());
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(root.join("library.sqlite"), &garbage).unwrap();
    for _ in 0..2 {
        let error = Library::open(&root).err().unwrap();
        assert!(matches!(error, LibraryError::Corrupt { .. }), "{error}");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error.to_string().contains("unreadable or corrupt"),
            "{error}"
        );
        let error = Library::create(&root).err().unwrap();
        assert!(matches!(error, LibraryError::Corrupt { .. }), "{error}");
    }
    assert_eq!(std::fs::read(root.join("library.sqlite")).unwrap(), garbage);
}
