//! The encrypted face gallery: enrolment of the labelled subjects in
//! `testdata/faces` and identification of every probe; keys, forgetting
//! (data purged from the file), the audit trail and failed enrolments.

mod common;

use common::*;
use seer_eval::faces::gallery::evaluate_folder;
use seer_face::embed::EMBEDDING_SIZE;
use seer_face::{
    best_subject, enrolment_embedding, DetectOptions, Embedding, FaceError, FacePolicy, Gallery,
    GalleryError, GalleryKey,
};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn key(byte: u8) -> GalleryKey {
    GalleryKey::from_bytes([byte; 32])
}

/// A synthetic descriptor: `seed` picks the direction, so different seeds
/// are far apart (distance ≈ 1.4) and equal seeds identical.
fn synthetic(seed: usize) -> Embedding {
    let mut values = vec![0.0f32; EMBEDDING_SIZE];
    values[seed % EMBEDDING_SIZE] = 1.0;
    Embedding { values }
}

fn near(seed: usize, offset: f32) -> Embedding {
    let mut e = synthetic(seed);
    e.values[(seed + 1) % EMBEDDING_SIZE] = offset;
    e
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn wal(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The same evaluation as `seer bench faces`: every labelled subject is
/// identified, in left-to-right order, and no enrolled subject is reported
/// for a face not labelled as them.
#[test]
fn every_labelled_subject_is_identified_in_its_probe() {
    let start = Instant::now();
    let mut detector = detector();
    let mut embedder = embedder();
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gallery::open_or_create(&dir.path().join("g.db"), key(1)).unwrap();
    let report = evaluate_folder(
        &mut g,
        &mut detector,
        &mut embedder,
        &faces_dir(),
        &DetectOptions::default(),
        &seer_core::progress::NoProgress,
    )
    .unwrap();
    for p in &report.probes {
        eprintln!(
            "{}: labelled {:?}, faces {:?}",
            p.file,
            p.labelled,
            p.faces
                .iter()
                .map(|f| format!(
                    "x {:.0} {:?} (nearest {:?} {:.3})",
                    f.centre_x,
                    f.identified,
                    f.nearest,
                    f.distance.unwrap_or(f32::NAN)
                ))
                .collect::<Vec<_>>()
        );
    }
    eprintln!(
        "{:?} in {:.1}s",
        report.totals,
        start.elapsed().as_secs_f32()
    );
    assert_eq!(report.subjects, 6);
    assert_eq!(report.probes.len(), probes().len());
    let t = &report.totals;
    assert_eq!(
        t.labelled,
        probes().iter().map(|p| p.subjects.len()).sum::<usize>()
    );
    assert_eq!(t.misses, 0, "{:?}", report.probes);
    assert_eq!(t.false_accepts, 0, "{:?}", report.probes);
    assert_eq!(t.order_errors, 0, "{:?}", report.probes);
    assert_eq!(t.rank1_hits, t.labelled);
}

#[test]
fn a_wrong_key_is_refused_and_leaves_the_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(1)).unwrap();
    g.enroll("alice", &[synthetic(1)], "test").unwrap();
    drop(g);
    let before = read(&path);
    assert!(!before.is_empty());
    let err = Gallery::open_or_create(&path, key(2)).unwrap_err();
    assert!(matches!(err, GalleryError::WrongKey { .. }), "{err}");
    assert!(err.to_string().contains("wrong gallery key"), "{err}");
    assert_eq!(read(&path), before, "the file changed");
    assert!(read(&wal(&path)).is_empty(), "the log holds data");
    // The right key still opens it, with the subject intact.
    let g = Gallery::open_or_create(&path, key(1)).unwrap();
    assert_eq!(g.subjects().len(), 1);
    assert_eq!(g.subjects()[0].name, "alice");
}

#[test]
fn missing_and_malformed_keys_are_clear_errors() {
    let err = GalleryError::MissingKey.to_string();
    assert!(
        err.contains("SEER_GALLERY_KEY") && err.contains("key file"),
        "{err}"
    );
    // Flag names are the CLI's to add.
    assert!(!err.contains("--"), "{err}");
    assert_eq!(
        seer_core::HasErrorKind::kind(&GalleryError::MissingKey),
        seer_core::ErrorKind::InvalidInput
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.hex");
    std::fs::write(&file, format!("{}\n", "0123456789abcdef".repeat(4))).unwrap();
    let k = GalleryKey::from_file(&file).unwrap();
    let g = Gallery::open_or_create(&dir.path().join("g.db"), k).unwrap();
    assert!(g.subjects().is_empty());
    std::fs::write(&file, "not a key").unwrap();
    let err = GalleryKey::from_file(&file).unwrap_err().to_string();
    assert!(err.contains("64 hex characters"), "{err}");
    assert!(
        !err.contains("not a key"),
        "the key text must not be echoed: {err}"
    );
    let err = GalleryKey::from_file(&dir.path().join("absent")).unwrap_err();
    assert!(matches!(err, GalleryError::KeyFile { .. }), "{err}");
}

#[test]
fn a_file_that_is_not_a_gallery_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "x".repeat(5000)).unwrap();
    let err = Gallery::open_or_create(&path, key(1)).unwrap_err();
    assert!(matches!(err, GalleryError::NotAGallery { .. }), "{err}");
}

#[test]
fn forget_purges_the_subject_from_the_file_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(7)).unwrap();
    assert_eq!(
        g.enroll("alice", &[synthetic(1), near(1, 0.1)], "op1")
            .unwrap(),
        2
    );
    assert_eq!(g.enroll("bob", &[synthetic(2)], "op1").unwrap(), 1);
    assert_eq!(g.enroll("alice", &[near(1, 0.2)], "op2").unwrap(), 3);

    let ciphertexts: Vec<Vec<u8>> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT ciphertext FROM embeddings \
                 WHERE subject_id = (SELECT min(id) FROM subjects)",
            )
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert_eq!(ciphertexts.len(), 3);
    let on_disk = |c: &[u8]| contains(&read(&path), c) || contains(&read(&wal(&path)), c);
    assert!(
        ciphertexts.iter().all(|c| on_disk(c)),
        "rows not found before forget"
    );

    assert!(g.forget("alice", "op3").unwrap());
    assert!(
        !g.forget("alice", "op3").unwrap(),
        "a second forget finds nothing"
    );
    let names: Vec<String> = g.subjects().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["bob"]);
    for c in &ciphertexts {
        assert!(!on_disk(c), "a forgotten ciphertext is still in the file");
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM embeddings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 1, "only bob's descriptor remains");
    drop(conn);
    let m = g.identify(&near(1, 0.1), 5);
    assert_eq!(best_subject(&m), None, "alice is unknown now: {m:?}");
    g.record_identification(&["bob", "unknown", "bob"], "op4")
        .unwrap();

    // Alice is forgotten: her entries show only her pseudonym.
    let alice = key(7).pseudonym("alice");
    let audit = g.audit().unwrap();
    let actions: Vec<(&str, &str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.subject.as_str(), a.caller.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("create", "", "seer"),
            ("enroll", alice.as_str(), "op1"),
            ("enroll", "bob", "op1"),
            ("enroll", alice.as_str(), "op2"),
            ("forget", alice.as_str(), "op3"),
            ("identify", "bob", "op4"),
        ]
    );
    // The trail cannot be edited through SQL either.
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(conn.execute("DELETE FROM audit", []).is_err());
    assert!(conn.execute("UPDATE audit SET caller = 'x'", []).is_err());
}

#[test]
fn identify_ranks_subjects_and_says_unknown_past_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(3)).unwrap();
    g.enroll("a", &[synthetic(1), synthetic(5)], "t").unwrap();
    g.enroll("b", &[synthetic(2)], "t").unwrap();
    g.enroll("c", &[synthetic(3)], "t").unwrap();
    let m = g.identify(&near(5, 0.3), 2);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].subject, "a");
    assert!((m[0].distance - 0.3).abs() < 1e-5);
    assert!(m[0].accepted && !m[1].accepted);
    assert_eq!(best_subject(&m), Some("a"));
    assert_eq!(
        best_subject(&g.identify(&near(5, 0.6), 3)),
        None,
        "0.6 is not below 0.6"
    );
    g.set_threshold(0.7);
    assert_eq!(best_subject(&g.identify(&near(5, 0.6), 3)), Some("a"));
    // Reopened, the same descriptors are decrypted again.
    drop(g);
    let g = Gallery::open_or_create(&path, key(3)).unwrap();
    let subjects: Vec<(String, usize)> = g
        .subjects()
        .into_iter()
        .map(|s| (s.name, s.embeddings))
        .collect();
    assert_eq!(
        subjects,
        [
            ("a".to_string(), 2),
            ("b".to_string(), 1),
            ("c".to_string(), 1)
        ]
    );
    assert_eq!(best_subject(&g.identify(&synthetic(2), 1)), Some("b"));
}

#[test]
fn invalid_enrolments_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(4)).unwrap();
    g.enroll("a", &[synthetic(1)], "t").unwrap();
    let audit = g.audit().unwrap().len();
    let bad = Embedding {
        values: vec![f32::NAN; EMBEDDING_SIZE],
    };
    assert!(g.enroll("b", &[synthetic(2), bad], "t").is_err());
    assert!(g.enroll("b", &[], "t").is_err());
    assert!(g.enroll("unknown", &[synthetic(2)], "t").is_err());
    assert!(g.enroll(" b", &[synthetic(2)], "t").is_err());
    assert_eq!(g.subjects().len(), 1);
    assert_eq!(g.audit().unwrap().len(), audit);
    drop(g);
    let g = Gallery::open_or_create(&path, key(4)).unwrap();
    assert_eq!(g.subjects().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_new_gallery_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    drop(Gallery::open_or_create(&path, key(5)).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn enrolling_a_photo_without_a_face_fails_and_leaves_the_gallery_unchanged() {
    let mut detector = detector();
    let mut embedder = embedder();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(6)).unwrap();
    g.enroll("a", &[synthetic(1)], "t").unwrap();
    drop(g);
    let before = read(&path);

    // A batch as `seer face enroll` makes it: a good photo, then a photo of
    // a plain gradient. Every photo is described before anything is written.
    let good = faces_dir().join("gallery/obama/1.jpg");
    let blank = dir.path().join("blank.png");
    let gradient = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let g = Gallery::open_or_create(&path, key(6)).unwrap();
    let batch: Result<Vec<Embedding>, FaceError> = [good.clone(), blank.clone()]
        .iter()
        .map(|p| {
            let image = if *p == blank {
                gradient.clone()
            } else {
                seer_imgproc::load_rgb(p).unwrap()
            };
            enrolment_embedding(
                &mut detector,
                &mut embedder,
                &image,
                p,
                FacePolicy::ExactlyOne,
            )
            .map(|(_, e)| e)
        })
        .collect();
    let err = batch.unwrap_err();
    assert!(matches!(err, FaceError::NoFace { .. }), "{err}");
    assert!(err.to_string().contains("blank.png"), "{err}");
    assert_eq!(g.subjects().len(), 1);
    drop(g);
    assert_eq!(read(&path), before, "the gallery file changed");

    // A photo with two people is refused unless the largest face is asked for.
    let two = faces_dir().join("probes/two_people.jpg");
    let image = seer_imgproc::load_rgb(&two).unwrap();
    let err = enrolment_embedding(
        &mut detector,
        &mut embedder,
        &image,
        &two,
        FacePolicy::ExactlyOne,
    )
    .unwrap_err();
    assert!(
        matches!(err, FaceError::SeveralFaces { count: 2, .. }),
        "{err}"
    );
    assert!(enrolment_embedding(
        &mut detector,
        &mut embedder,
        &image,
        &two,
        FacePolicy::Largest
    )
    .is_ok());
}

#[test]
fn an_enrolment_failing_midway_leaves_no_half_subject() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(8)).unwrap();
    g.enroll("a", &[synthetic(1)], "t").unwrap();
    // Inject a failure at the second descriptor row of any subject.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER fail_second AFTER INSERT ON embeddings \
         WHEN (SELECT count(*) FROM embeddings WHERE subject_id = NEW.subject_id) >= 2 \
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
    drop(conn);
    let audit = g.audit().unwrap().len();
    let err = g
        .enroll("b", &[synthetic(2), synthetic(3), synthetic(4)], "t")
        .unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_eq!(g.subjects().len(), 1);
    assert_eq!(g.audit().unwrap().len(), audit);
    drop(g);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM subjects"),
        1,
        "only a is enrolled"
    );
    assert_eq!(count("SELECT count(*) FROM embeddings"), 1);
}

#[test]
fn export_and_import_round_trip_and_a_wrong_key_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let mut g = Gallery::open_or_create(&a, key(20)).unwrap();
    g.enroll("alice", &[synthetic(1), near(1, 0.1)], "t")
        .unwrap();
    g.enroll_with_photos(
        "bob",
        &[synthetic(2)],
        &[b"JPEG bytes of bob".to_vec()],
        "t",
    )
    .unwrap();
    let out = dir.path().join("export.seerx");
    assert_eq!(g.export(&out, None, "t").unwrap(), 2);
    let archive = read(&out);
    assert!(!contains(&archive, b"alice"), "names are encrypted");
    assert!(!contains(&archive, b"JPEG bytes of bob"));
    assert!(!contains(&archive, &1.0f32.to_le_bytes()));

    // Into a new gallery under another key: the export's key is given.
    let b = dir.path().join("b.db");
    let mut h = Gallery::open_or_create(&b, key(21)).unwrap();
    assert_eq!(h.import(&out, Some(&key(20)), "t").unwrap(), 2);
    assert_eq!(h.subjects().len(), 2);
    assert_eq!(h.subjects()[0].embeddings, 2);
    assert_eq!(
        h.photos("bob").unwrap(),
        vec![b"JPEG bytes of bob".to_vec()]
    );
    let m = h.identify(&near(1, 0.05), 1);
    assert_eq!(m[0].subject, "alice");
    assert!(m[0].distance < 0.06);
    drop(h);
    let h = Gallery::open_or_create(&b, key(21)).unwrap();
    assert_eq!(
        h.subjects(),
        g.subjects(),
        "names, counts and enrolment times"
    );
    assert!(h.audit().unwrap().iter().any(|e| e.action == "import"));

    // A wrong key: a clear error, the gallery file unchanged.
    let c = dir.path().join("c.db");
    let mut k = Gallery::open_or_create(&c, key(22)).unwrap();
    k.enroll("carol", &[synthetic(3)], "t").unwrap();
    let before = (read(&c), read(&wal(&c)));
    let err = k.import(&out, None, "t").unwrap_err();
    let cause = std::error::Error::source(&err).map(|e| e.to_string());
    assert!(
        cause.is_some_and(|c| c.contains("does not open this export")),
        "{err}"
    );
    assert_eq!(k.subjects().len(), 1);
    assert_eq!((read(&c), read(&wal(&c))), before);

    // Importing over an enrolled subject writes nothing.
    let err = g.import(&out, None, "t").unwrap_err();
    assert!(matches!(err, GalleryError::AlreadyEnrolled { .. }), "{err}");
    assert_eq!(g.subjects()[0].embeddings, 2);
}

#[test]
fn concurrent_enrolments_of_one_new_subject_end_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    Gallery::open_or_create(&path, key(30)).unwrap();
    for round in 0..5 {
        let name = format!("new-{round}");
        let barrier = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            for t in 0..2usize {
                let (path, name, barrier) = (&path, &name, &barrier);
                scope.spawn(move || {
                    let mut g = Gallery::open_or_create(path, key(30)).unwrap();
                    barrier.wait();
                    g.enroll(name, &[synthetic(t), synthetic(t + 10)], "t")
                        .unwrap();
                });
            }
        });
        let g = Gallery::open_or_create(&path, key(30)).unwrap();
        let subjects = g.subjects();
        let s: Vec<_> = subjects.iter().filter(|s| s.name == name).collect();
        assert_eq!(s.len(), 1, "{subjects:?}");
        assert_eq!(s[0].embeddings, 4, "both enrolments kept whole");
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM subjects"), 5);
    assert_eq!(count("SELECT count(*) FROM embeddings"), 20);
    assert_eq!(
        count("SELECT count(*) FROM audit WHERE action = 'enroll'"),
        10
    );
}

#[test]
fn photos_are_kept_only_when_given_and_are_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let mut g = Gallery::open_or_create(&path, key(40)).unwrap();
    g.enroll("plain", &[synthetic(1)], "t").unwrap();
    let photo = b"a very recognisable photo payload".to_vec();
    g.enroll_with_photos("kept", &[synthetic(2)], std::slice::from_ref(&photo), "t")
        .unwrap();
    assert!(g.photos("plain").unwrap().is_empty());
    assert_eq!(g.photos("kept").unwrap(), vec![photo.clone()]);
    drop(g);
    assert!(!contains(&read(&path), &photo[..12]));
    assert!(!contains(&read(&wal(&path)), &photo[..12]));
    let mut g = Gallery::open_or_create(&path, key(40)).unwrap();
    assert!(g.forget("kept", "t").unwrap());
    drop(g);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM photos", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "forget deletes the photos too");
}

/// The PostgreSQL store behind the same `Gallery`: enrol, identify after
/// reopening, concurrent enrolment, export/import, forget, wrong key.
/// Needs `--features postgres` and `SEER_TEST_POSTGRES_URL` (a database the
/// test may create `seer_gallery_*` tables in; reruns reuse them).
#[cfg(feature = "postgres")]
#[test]
fn the_postgres_store_behaves_like_the_sqlite_one() {
    let Ok(url) = std::env::var("SEER_TEST_POSTGRES_URL") else {
        eprintln!(
            "skipped: set SEER_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST/DATABASE to test the PostgreSQL gallery store"
        );
        return;
    };
    let location = seer_face::GalleryLocation::Postgres(url.clone());
    let run = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let alice = format!("alice-{run}");
    let bob = format!("bob-{run}");
    let mut g = Gallery::open(&location, key(50)).unwrap();
    assert!(
        !g.path().to_string_lossy().contains(":seer@"),
        "no password"
    );
    g.enroll(&alice, &[synthetic(1), near(1, 0.1)], "t")
        .unwrap();
    g.enroll_with_photos(&bob, &[synthetic(2)], &[b"photo".to_vec()], "t")
        .unwrap();
    drop(g);

    let err = Gallery::open(&location, key(51)).unwrap_err();
    assert!(matches!(err, GalleryError::WrongKey { .. }), "{err}");

    // Two handles enrolling one new subject at once end with one subject.
    let carol = format!("carol-{run}");
    let barrier = std::sync::Barrier::new(2);
    std::thread::scope(|scope| {
        for t in 0..2usize {
            let (location, carol, barrier) = (&location, &carol, &barrier);
            scope.spawn(move || {
                let mut g = Gallery::open(location, key(50)).unwrap();
                barrier.wait();
                g.enroll(carol, &[synthetic(t + 20)], "t").unwrap();
            });
        }
    });

    let mut g = Gallery::open(&location, key(50)).unwrap();
    let subjects = g.subjects();
    let count = |name: &str| {
        subjects
            .iter()
            .filter(|s| s.name == name)
            .map(|s| s.embeddings)
            .collect::<Vec<_>>()
    };
    assert_eq!(count(&alice), vec![2]);
    assert_eq!(count(&bob), vec![1]);
    assert_eq!(count(&carol), vec![2]);
    let m = g.identify(&near(1, 0.05), 1);
    assert_eq!(m[0].subject, alice);
    assert_eq!(g.photos(&bob).unwrap(), vec![b"photo".to_vec()]);

    // Export from Postgres, import into SQLite.
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("pg.seerx");
    g.export(&archive, None, "t").unwrap();
    let mut local = Gallery::open_or_create(&dir.path().join("g.db"), key(50)).unwrap();
    local.import(&archive, None, "t").unwrap();
    assert_eq!(local.subjects(), g.subjects());

    assert!(g.forget(&alice, "t").unwrap());
    drop(g);
    let g = Gallery::open(&location, key(50)).unwrap();
    assert!(g.subjects().iter().all(|s| s.name != alice));
    let audit = g.audit().unwrap();
    // Alice is forgotten: her entries show only her pseudonym.
    let alice_pseudonym = key(50).pseudonym(&alice);
    assert!(audit
        .iter()
        .any(|e| e.action == "forget" && e.subject == alice_pseudonym));
    assert!(audit.iter().all(|e| e.subject != alice));
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "enroll" && e.subject == carol)
            .count(),
        2
    );
}
