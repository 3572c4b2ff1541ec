//! Bounded fuzzing of gallery import: random bytes, truncations and byte
//! flips of a real export archive are fed to `Gallery::import`. Import
//! never panics, every failure is `InvalidInput`, and a failed import
//! leaves the gallery exactly as it was (no subject, no descriptor, no
//! audit entry), as does the workflow's import into a new file (no file
//! left behind).

use proptest::prelude::*;
use seer_core::{ErrorKind, HasErrorKind};
use seer_face::embed::EMBEDDING_SIZE;
use seer_face::workflow::import_gallery;
use seer_face::{Embedding, Gallery, GalleryKey, GalleryLocation};
use std::sync::OnceLock;

/// Cases per strategy; three strategies.
const CASES: u32 = 1000;

fn key() -> GalleryKey {
    GalleryKey::from_hex("3c1f0a9d5e7b2468ace013579bdf02468ace013579bdf02468ace013579bdf01")
        .unwrap()
}

fn synthetic(seed: usize) -> Embedding {
    let mut values = vec![0.0f32; EMBEDDING_SIZE];
    values[seed % EMBEDDING_SIZE] = 1.0;
    Embedding { values }
}

/// A real archive: two subjects, three descriptors, one kept photo.
fn archive() -> &'static [u8] {
    static ARCHIVE: OnceLock<Vec<u8>> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut g = Gallery::open_or_create(&dir.path().join("g.db"), key()).unwrap();
        g.enroll_with_photos(
            "Alice Example",
            &[synthetic(1), synthetic(2)],
            &[vec![7u8; 300]],
            "op",
        )
        .unwrap();
        g.enroll("Bob Sample", &[synthetic(3)], "op").unwrap();
        let out = dir.path().join("g.seerx");
        g.export(&out, None, "op").unwrap();
        std::fs::read(out).unwrap()
    })
}

/// Imports `bytes` into a fresh in-memory gallery: Ok(subjects) or the
/// error kind; on failure the gallery must be unchanged.
fn import(bytes: &[u8]) -> Result<usize, ErrorKind> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.seerx");
    std::fs::write(&input, bytes).unwrap();
    let mut g = Gallery::open(&GalleryLocation::Memory, key()).unwrap();
    let audit = g.audit().unwrap().len();
    match g.import(&input, None, "fuzz") {
        Ok(n) => Ok(n),
        Err(err) => {
            assert!(g.subjects().is_empty(), "a failed import left subjects");
            assert_eq!(g.embedding_count(), 0, "a failed import left descriptors");
            assert_eq!(
                g.audit().unwrap().len(),
                audit,
                "a failed import was audited"
            );
            Err(err.kind())
        }
    }
}

#[test]
fn the_real_archive_imports_whole() {
    assert_eq!(import(archive()), Ok(2));
}

#[test]
fn a_failed_import_into_a_new_file_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = archive().to_vec();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let input = dir.path().join("in.seerx");
    std::fs::write(&input, &bytes).unwrap();
    let target = dir.path().join("new.db");
    let err =
        import_gallery(&GalleryLocation::file(&target), key(), &input, None, "fuzz").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["in.seerx"], "a half-written gallery was left");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_refused_as_invalid_input(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert_eq!(import(&bytes), Err(ErrorKind::InvalidInput));
    }

    #[test]
    fn truncated_archives_are_refused_as_invalid_input(cut in 0usize..100_000) {
        let whole = archive();
        let cut = cut % whole.len();
        prop_assert_eq!(import(&whole[..cut]), Err(ErrorKind::InvalidInput));
    }

    #[test]
    fn flipped_bytes_are_refused_as_invalid_input(at in 0usize..100_000, mask in 1u8..=255) {
        let mut bytes = archive().to_vec();
        let at = at % bytes.len();
        bytes[at] ^= mask;
        prop_assert_eq!(import(&bytes), Err(ErrorKind::InvalidInput));
    }
}
