//! The export archive: one file holding a gallery's subjects, descriptors
//! and kept photos, sealed as a whole with XChaCha20-Poly1305.
//!
//! Layout: the 8-byte magic `SEERGALX`, a little-endian `u32` version,
//! then a 24-byte nonce and the ciphertext; the magic and version are the
//! associated data. The plaintext is: `u32` subject count, then per
//! subject a `u32` name length and UTF-8 name, `i64` creation time (Unix
//! seconds), `u32` descriptor count and that many descriptors of
//! [`EMBEDDING_SIZE`] little-endian `f32`, `u32` photo count and per photo
//! a `u32` length and the encoded image bytes. No audit trail is exported.

use super::{GalleryError, GalleryKey};
use crate::embed::{Embedding, EMBEDDING_SIZE};

/// The first bytes of every archive.
const MAGIC: &[u8; 8] = b"SEERGALX";
/// The archive version this code writes and reads.
const VERSION: u32 = 1;

/// One subject as exported.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchiveSubject {
    /// The subject's name.
    pub name: String,
    /// When first enrolled, Unix seconds (UTC).
    pub created: i64,
    /// The descriptors.
    pub embeddings: Vec<Embedding>,
    /// Kept enrolment photos (encoded image files), usually none.
    pub photos: Vec<Vec<u8>>,
}

fn header() -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&VERSION.to_le_bytes());
    h
}

/// The sealed archive of `subjects` under `key`.
pub(crate) fn seal(subjects: &[ArchiveSubject], key: &GalleryKey) -> Result<Vec<u8>, GalleryError> {
    let mut plain = Vec::new();
    plain.extend_from_slice(&(subjects.len() as u32).to_le_bytes());
    for s in subjects {
        plain.extend_from_slice(&(s.name.len() as u32).to_le_bytes());
        plain.extend_from_slice(s.name.as_bytes());
        plain.extend_from_slice(&s.created.to_le_bytes());
        plain.extend_from_slice(&(s.embeddings.len() as u32).to_le_bytes());
        for e in &s.embeddings {
            for v in &e.values {
                plain.extend_from_slice(&v.to_le_bytes());
            }
        }
        plain.extend_from_slice(&(s.photos.len() as u32).to_le_bytes());
        for p in &s.photos {
            plain.extend_from_slice(&(p.len() as u32).to_le_bytes());
            plain.extend_from_slice(p);
        }
    }
    let header = header();
    let mut out = header.clone();
    out.extend_from_slice(&key.seal_archive(&plain, &header)?);
    zeroize::Zeroize::zeroize(&mut plain);
    Ok(out)
}

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Not a seer gallery archive, or a version this code does not read.
    #[error("not a seer gallery export (or from an unknown version)")]
    NotAnArchive,
    /// The key does not open it (or it was altered).
    #[error("the key does not open this export (wrong key, or the file was altered)")]
    WrongKey,
    /// It decrypted but its contents are malformed.
    #[error("the export is malformed: {0}")]
    Malformed(String),
}

impl seer_core::HasErrorKind for ArchiveError {
    fn kind(&self) -> seer_core::ErrorKind {
        seer_core::ErrorKind::InvalidInput
    }
}

/// The subjects of the sealed archive `bytes`.
pub(crate) fn open(bytes: &[u8], key: &GalleryKey) -> Result<Vec<ArchiveSubject>, ArchiveError> {
    let header = header();
    if bytes.len() < header.len() || bytes[..header.len()] != header[..] {
        return Err(ArchiveError::NotAnArchive);
    }
    let mut plain = key
        .open_archive(&bytes[header.len()..], &header)
        .ok_or(ArchiveError::WrongKey)?;
    let parsed = parse(&plain);
    zeroize::Zeroize::zeroize(&mut plain);
    parsed
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ArchiveError> {
        if self.bytes.len() < n {
            return Err(ArchiveError::Malformed("it ends early".to_string()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<usize, ArchiveError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn i64(&mut self) -> Result<i64, ArchiveError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }
}

fn parse(plain: &[u8]) -> Result<Vec<ArchiveSubject>, ArchiveError> {
    let mut r = Reader { bytes: plain };
    let count = r.u32()?;
    let mut subjects = Vec::new();
    for _ in 0..count {
        let len = r.u32()?;
        let name = std::str::from_utf8(r.take(len)?)
            .map_err(|_| ArchiveError::Malformed("a subject name is not UTF-8".to_string()))?
            .to_string();
        let created = r.i64()?;
        let n = r.u32()?;
        let mut embeddings = Vec::new();
        for _ in 0..n {
            let values = r
                .take(EMBEDDING_SIZE * 4)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            embeddings.push(Embedding { values });
        }
        let n = r.u32()?;
        let mut photos = Vec::new();
        for _ in 0..n {
            let len = r.u32()?;
            photos.push(r.take(len)?.to_vec());
        }
        subjects.push(ArchiveSubject {
            name,
            created,
            embeddings,
            photos,
        });
    }
    if !r.bytes.is_empty() {
        return Err(ArchiveError::Malformed(
            "bytes after the last subject".to_string(),
        ));
    }
    Ok(subjects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_round_trip_and_refuse_other_keys() {
        let key = GalleryKey::from_bytes([5; 32]);
        let subjects = vec![ArchiveSubject {
            name: "Zoë".to_string(),
            created: 1_700_000_000,
            embeddings: vec![Embedding {
                values: (0..EMBEDDING_SIZE).map(|i| i as f32 / 7.0).collect(),
            }],
            photos: vec![vec![1, 2, 3]],
        }];
        let sealed = seal(&subjects, &key).unwrap();
        assert_eq!(open(&sealed, &key).unwrap(), subjects);
        let other = GalleryKey::from_bytes([6; 32]);
        assert!(matches!(open(&sealed, &other), Err(ArchiveError::WrongKey)));
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(matches!(open(&altered, &key), Err(ArchiveError::WrongKey)));
        assert!(matches!(
            open(b"PK\x03\x04....", &key),
            Err(ArchiveError::NotAnArchive)
        ));
    }

    /// The plaintext of a small real archive (what `seal` encrypts).
    fn plaintext() -> Vec<u8> {
        let key = GalleryKey::from_bytes([5; 32]);
        let subjects = vec![ArchiveSubject {
            name: "Alice Example".to_string(),
            created: 1_700_000_000,
            embeddings: vec![Embedding {
                values: vec![0.25; EMBEDDING_SIZE],
            }],
            photos: vec![vec![9; 40]],
        }];
        let sealed = seal(&subjects, &key).unwrap();
        let h = header();
        key.open_archive(&sealed[h.len()..], &h).unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 1000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Behind the key: malformed plaintext (random, truncated, a byte
        /// flipped) is parsed without panicking, as `Malformed` or as a
        /// well-formed list; a truncation is always `Malformed`.
        #[test]
        fn the_parser_never_panics_on_malformed_plaintext(
            random in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            cut in 0usize..10_000,
            at in 0usize..10_000,
            mask in 1u8..=255,
        ) {
            let plain = plaintext();
            let outcome = |bytes: &[u8]| match parse(bytes) {
                Ok(_) | Err(ArchiveError::Malformed(_)) => true,
                Err(_) => false,
            };
            proptest::prop_assert!(outcome(&random));
            let truncated = parse(&plain[..cut % plain.len()]);
            proptest::prop_assert!(matches!(truncated, Err(ArchiveError::Malformed(_))));
            let mut flipped = plain.clone();
            let at = at % flipped.len();
            flipped[at] ^= mask;
            proptest::prop_assert!(outcome(&flipped));
        }
    }
}
