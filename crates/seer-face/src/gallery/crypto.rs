//! Encryption of gallery rows at rest: XChaCha20-Poly1305 with a 32-byte
//! key given by the operator and a fresh random 24-byte nonce per row.
//!
//! An embedding is stored as its 128 `f32` values, little-endian, sealed
//! with the owning subject's row id as associated data, so a ciphertext
//! moved to another subject's row fails to open. The key check value is a
//! fixed text sealed at creation; opening it proves the key before any data
//! is read or written.

use super::GalleryError;
use crate::embed::{Embedding, EMBEDDING_SIZE};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;
use zeroize::Zeroize;

/// Environment variable holding the gallery key (64 hex characters).
pub const KEY_ENV: &str = "SEER_GALLERY_KEY";

/// Length of the key in bytes.
pub const KEY_LEN: usize = 32;

/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 24;

/// The plain text of the key check value.
const CHECK_TEXT: &[u8] = b"seer gallery key check v1";

/// Associated data of the key check value.
const CHECK_AAD: &[u8] = b"seer-gallery-key-check";

/// The 32-byte secret key of a gallery. Its bytes are never printed.
#[derive(Clone)]
pub struct GalleryKey {
    bytes: [u8; KEY_LEN],
}

impl std::fmt::Debug for GalleryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GalleryKey(..)")
    }
}

impl Drop for GalleryKey {
    fn drop(&mut self) {
        // Best effort: do not leave the key in freed memory.
        self.bytes.zeroize();
    }
}

impl GalleryKey {
    /// The key from its raw bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> GalleryKey {
        GalleryKey { bytes }
    }

    /// The key from 64 hex characters (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Result<GalleryKey, GalleryError> {
        let text = text.trim();
        if text.len() != 2 * KEY_LEN {
            return Err(GalleryError::BadKey {
                detail: format!(
                    "expected {} hex characters, got {}",
                    2 * KEY_LEN,
                    text.chars().count()
                ),
            });
        }
        let mut bytes = [0u8; KEY_LEN];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| GalleryError::BadKey {
            detail: "it contains characters other than 0-9 and a-f".to_string(),
        })?;
        Ok(GalleryKey { bytes })
    }

    /// The key from a file holding 64 hex characters.
    pub fn from_file(path: &Path) -> Result<GalleryKey, GalleryError> {
        let text = std::fs::read_to_string(path).map_err(|source| GalleryError::KeyFile {
            path: path.to_path_buf(),
            source,
        })?;
        GalleryKey::from_hex(&text)
    }

    /// The key from `key_file` when given, else from the environment
    /// variable [`KEY_ENV`]; neither is [`GalleryError::MissingKey`].
    pub fn load(key_file: Option<&Path>) -> Result<GalleryKey, GalleryError> {
        if let Some(path) = key_file {
            return GalleryKey::from_file(path);
        }
        match std::env::var(KEY_ENV) {
            Ok(text) if !text.trim().is_empty() => GalleryKey::from_hex(&text),
            _ => Err(GalleryError::MissingKey),
        }
    }

    /// A new random key (for creating a gallery in tests and tools).
    pub fn random() -> Result<GalleryKey, GalleryError> {
        let mut bytes = [0u8; KEY_LEN];
        getrandom::fill(&mut bytes).map_err(GalleryError::Random)?;
        Ok(GalleryKey { bytes })
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.bytes).into())
    }

    /// Seals `plain` under a fresh random nonce; returns (nonce, ciphertext).
    fn seal(&self, plain: &[u8], aad: &[u8]) -> Result<(Vec<u8>, Vec<u8>), GalleryError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(GalleryError::Random)?;
        let ciphertext = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| GalleryError::Corrupt {
                detail: "encryption failed".to_string(),
            })?;
        Ok((nonce.to_vec(), ciphertext))
    }

    /// Opens a sealed row; `None` when the key or the data is wrong.
    fn open(&self, nonce: &[u8], ciphertext: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if nonce.len() != NONCE_LEN {
            return None;
        }
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .ok()
    }

    /// A new key check value: nonce followed by the sealed check text.
    pub(crate) fn check_value(&self) -> Result<Vec<u8>, GalleryError> {
        let (mut value, ciphertext) = self.seal(CHECK_TEXT, CHECK_AAD)?;
        value.extend_from_slice(&ciphertext);
        Ok(value)
    }

    /// True when `value` (from [`GalleryKey::check_value`]) was made with this key.
    pub(crate) fn matches_check_value(&self, value: &[u8]) -> bool {
        if value.len() < NONCE_LEN {
            return false;
        }
        let (nonce, ciphertext) = value.split_at(NONCE_LEN);
        self.open(nonce, ciphertext, CHECK_AAD).as_deref() == Some(CHECK_TEXT)
    }

    /// Seals `embedding` for the subject with row id `subject_id`.
    pub(crate) fn seal_embedding(
        &self,
        embedding: &Embedding,
        subject_id: i64,
    ) -> Result<(Vec<u8>, Vec<u8>), GalleryError> {
        let plain: Vec<u8> = embedding
            .values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        self.seal(&plain, &subject_id.to_le_bytes())
    }

    /// Seals the encoded bytes of an enrolment photo of subject `subject_id`.
    pub(crate) fn seal_photo(
        &self,
        photo: &[u8],
        subject_id: i64,
    ) -> Result<(Vec<u8>, Vec<u8>), GalleryError> {
        self.seal(photo, &photo_aad(subject_id))
    }

    /// Opens a photo sealed by [`GalleryKey::seal_photo`].
    pub(crate) fn open_photo(
        &self,
        nonce: &[u8],
        ciphertext: &[u8],
        subject_id: i64,
    ) -> Option<Vec<u8>> {
        self.open(nonce, ciphertext, &photo_aad(subject_id))
    }

    /// Seals a whole export archive body: nonce followed by ciphertext,
    /// bound to `header`.
    pub(crate) fn seal_archive(
        &self,
        plain: &[u8],
        header: &[u8],
    ) -> Result<Vec<u8>, GalleryError> {
        let (mut out, ciphertext) = self.seal(plain, header)?;
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Opens an archive body sealed by [`GalleryKey::seal_archive`];
    /// `None` when the key, the header or the data is wrong.
    pub(crate) fn open_archive(&self, sealed: &[u8], header: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.open(nonce, ciphertext, header)
    }

    /// Opens an embedding sealed by [`GalleryKey::seal_embedding`].
    pub(crate) fn open_embedding(
        &self,
        nonce: &[u8],
        ciphertext: &[u8],
        subject_id: i64,
    ) -> Option<Embedding> {
        let plain = self.open(nonce, ciphertext, &subject_id.to_le_bytes())?;
        if plain.len() != EMBEDDING_SIZE * 4 {
            return None;
        }
        let values = plain
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Some(Embedding { values })
    }
}

/// Associated data of a sealed photo: distinct from an embedding's.
fn photo_aad(subject_id: i64) -> Vec<u8> {
    let mut aad = b"photo:".to_vec();
    aad.extend_from_slice(&subject_id.to_le_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> GalleryKey {
        GalleryKey::from_bytes([byte; KEY_LEN])
    }

    #[test]
    fn hex_keys_parse_and_bad_ones_are_clear_errors() {
        let text = "00".repeat(31) + "ff";
        let k = GalleryKey::from_hex(&format!(" {text}\n")).unwrap();
        assert_eq!(k.bytes[31], 0xff);
        let short = GalleryKey::from_hex("abcd").unwrap_err().to_string();
        assert!(
            short.contains("expected 64 hex characters, got 4"),
            "{short}"
        );
        let bad = GalleryKey::from_hex(&"zz".repeat(32)).unwrap_err();
        assert!(bad.to_string().contains("0-9"), "{bad}");
        assert_eq!(format!("{k:?}"), "GalleryKey(..)");
    }

    #[test]
    fn embeddings_round_trip_only_with_the_key_and_subject() {
        let e = Embedding {
            values: (0..EMBEDDING_SIZE).map(|i| i as f32 * 0.01 - 0.5).collect(),
        };
        let (nonce, ct) = key(1).seal_embedding(&e, 7).unwrap();
        assert_eq!(nonce.len(), NONCE_LEN);
        assert_eq!(ct.len(), EMBEDDING_SIZE * 4 + 16);
        assert_eq!(key(1).open_embedding(&nonce, &ct, 7), Some(e.clone()));
        assert_eq!(key(2).open_embedding(&nonce, &ct, 7), None);
        assert_eq!(key(1).open_embedding(&nonce, &ct, 8), None);
        let (nonce2, _) = key(1).seal_embedding(&e, 7).unwrap();
        assert_ne!(nonce, nonce2, "nonces must be fresh");
    }

    #[test]
    fn check_value_tells_keys_apart() {
        let v = key(3).check_value().unwrap();
        assert!(key(3).matches_check_value(&v));
        assert!(!key(4).matches_check_value(&v));
        assert!(!key(3).matches_check_value(&v[..10]));
    }
}
