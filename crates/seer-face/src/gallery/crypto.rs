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
use hmac::{KeyInit as _, Mac};
use std::path::Path;
use zeroize::Zeroize;

/// HMAC-SHA256.
type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// HMAC-SHA256 of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Environment variable holding the gallery key (64 hex characters).
pub const KEY_ENV: &str = "SEER_GALLERY_KEY";

/// Length of the key in bytes.
pub const KEY_LEN: usize = 32;

/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 24;

/// The largest key file read, in bytes.
pub const MAX_KEY_FILE_BYTES: usize = 4096;

/// The fewest distinct byte values a key may have (a random 32-byte key
/// has about 30; one with fewer than 8 is almost surely not random).
pub const MIN_DISTINCT_BYTES: usize = 8;

/// Length of a subject's blind index in hex characters.
pub const NAME_INDEX_HEX: usize = 64;

/// How many hex characters of the keyed hash an audit pseudonym shows.
pub const PSEUDONYM_HEX: usize = 16;

/// Domain label of the key deriving blind indexes of names.
const NAME_INDEX_LABEL: &[u8] = b"seer gallery name index v1";

/// Domain label of the key deriving audit pseudonyms of names.
const PSEUDONYM_LABEL: &[u8] = b"seer gallery audit pseudonym v1";

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
    /// A weak key (see [`MIN_DISTINCT_BYTES`]) is refused.
    pub fn from_hex(text: &str) -> Result<GalleryKey, GalleryError> {
        let text = text.trim();
        let bad = |detail: String| GalleryError::BadKey { detail };
        if let Some((at, c)) = text
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_hexdigit())
        {
            let shown = if c.is_ascii_graphic() {
                format!("{c:?}")
            } else {
                format!("U+{:04X}", c as u32)
            };
            return Err(bad(format!(
                "it holds a non-hex character ({shown} at character {}); only 0-9 and a-f are allowed",
                at + 1
            )));
        }
        if text.len() != 2 * KEY_LEN {
            return Err(bad(format!(
                "expected {} hex characters, got {}",
                2 * KEY_LEN,
                text.len()
            )));
        }
        let mut bytes = [0u8; KEY_LEN];
        hex::decode_to_slice(text, &mut bytes)
            .map_err(|_| bad("it contains characters other than 0-9 and a-f".to_string()))?;
        let key = GalleryKey { bytes };
        key.check_strength()?;
        Ok(key)
    }

    /// Refuses a key that is obviously not random: every byte the same
    /// (all zero, all 0xff …) or fewer than [`MIN_DISTINCT_BYTES`]
    /// distinct byte values.
    pub fn check_strength(&self) -> Result<(), GalleryError> {
        let mut seen = [false; 256];
        for b in self.bytes {
            seen[b as usize] = true;
        }
        let distinct = seen.iter().filter(|s| **s).count();
        if distinct == 1 {
            return Err(GalleryError::BadKey {
                detail: format!(
                    "it is weak: all {KEY_LEN} bytes are 0x{:02x}; generate a random one (e.g. `openssl rand -hex 32`)",
                    self.bytes[0]
                ),
            });
        }
        if distinct < MIN_DISTINCT_BYTES {
            return Err(GalleryError::BadKey {
                detail: format!(
                    "it is weak: only {distinct} distinct byte values (a random key has about 30); generate a random one (e.g. `openssl rand -hex 32`)"
                ),
            });
        }
        Ok(())
    }

    /// The key from a file holding 64 hex characters. The file must be a
    /// regular file (or a device) of at most [`MAX_KEY_FILE_BYTES`] bytes;
    /// a folder or a pipe is refused before it is opened.
    pub fn from_file(path: &Path) -> Result<GalleryKey, GalleryError> {
        use std::io::Read;
        let invalid = |why: String| GalleryError::KeyFileInvalid {
            path: path.to_path_buf(),
            why,
        };
        let io = |source| GalleryError::KeyFile {
            path: path.to_path_buf(),
            source,
        };
        let kind = std::fs::metadata(path).map_err(io)?.file_type();
        if kind.is_dir() {
            return Err(invalid("it is a folder, not a file".to_string()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_fifo() || kind.is_socket() {
                return Err(invalid(
                    "it is a pipe or a socket, not a file (give a file holding the key)"
                        .to_string(),
                ));
            }
        }
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(MAX_KEY_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() > MAX_KEY_FILE_BYTES {
            bytes.zeroize();
            return Err(invalid(format!(
                "the key file is larger than {MAX_KEY_FILE_BYTES} bytes; it must hold only the 64 hex characters of the key"
            )));
        }
        let result = match std::str::from_utf8(&bytes) {
            Ok(text) => GalleryKey::from_hex(text),
            Err(_) => Err(invalid(
                "it is not text; it must hold the 64 hex characters of the key".to_string(),
            )),
        };
        bytes.zeroize();
        result
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

    /// A sub-key for one purpose: HMAC-SHA256 of `label` under the key.
    fn derived(&self, label: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.bytes, label)
    }

    /// The keyed blind index of subject `name` ([`NAME_INDEX_HEX`] hex
    /// characters): HMAC-SHA256 of the name (as validated, so exactly as
    /// enrolled) under a key derived from the gallery key. Equal names
    /// give equal indexes; without the key the index says nothing of the
    /// name.
    pub(crate) fn name_index(&self, name: &str) -> String {
        let mut sub = self.derived(NAME_INDEX_LABEL);
        let index = hex::encode(hmac_sha256(&sub, name.as_bytes()));
        sub.zeroize();
        index
    }

    /// The pseudonym naming subject `name` in the audit trail:
    /// `subject:` and [`PSEUDONYM_HEX`] hex characters of HMAC-SHA256 of
    /// the name under another key derived from the gallery key.
    pub fn pseudonym(&self, name: &str) -> String {
        let mut sub = self.derived(PSEUDONYM_LABEL);
        let full = hex::encode(hmac_sha256(&sub, name.as_bytes()));
        sub.zeroize();
        format!("subject:{}", &full[..PSEUDONYM_HEX])
    }

    /// Seals subject `name` bound to its blind index `index`: nonce
    /// followed by ciphertext.
    pub(crate) fn seal_name(&self, name: &str, index: &str) -> Result<Vec<u8>, GalleryError> {
        let (mut out, ciphertext) = self.seal(name.as_bytes(), &name_aad(index))?;
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Opens a name sealed by [`GalleryKey::seal_name`]; `None` when the
    /// key, the index or the data is wrong.
    pub(crate) fn open_name(&self, sealed: &[u8], index: &str) -> Option<String> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = self.open(nonce, ciphertext, &name_aad(index))?;
        String::from_utf8(plain).ok()
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

/// Associated data of a sealed name: its row's blind index.
fn name_aad(index: &str) -> Vec<u8> {
    let mut aad = b"name:".to_vec();
    aad.extend_from_slice(index.as_bytes());
    aad
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
        let text = "00112233445566778899aabbccddeeff".repeat(2);
        let k = GalleryKey::from_hex(&format!(" {text}\n")).unwrap();
        assert_eq!(k.bytes[15], 0xff);
        let short = GalleryKey::from_hex("abcd").unwrap_err().to_string();
        assert!(
            short.contains("expected 64 hex characters, got 4"),
            "{short}"
        );
        let bad = GalleryKey::from_hex(&"zz".repeat(32)).unwrap_err();
        assert!(bad.to_string().contains("0-9"), "{bad}");
        // 63 ASCII characters and one 'é' (2 bytes): 64 characters, 65 bytes.
        let accented = "0".repeat(63) + "é";
        let err = GalleryKey::from_hex(&accented).unwrap_err().to_string();
        assert!(err.contains("non-hex character"), "{err}");
        assert!(err.contains("U+00E9 at character 64"), "{err}");
        assert!(!err.contains("got 64"), "{err}");
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
    fn weak_keys_are_refused_with_the_reason() {
        for (text, want) in [
            ("00".repeat(32), "all 32 bytes are 0x00"),
            ("ff".repeat(32), "all 32 bytes are 0xff"),
            ("0102".repeat(16), "only 2 distinct byte values"),
            (
                "00010203040506".repeat(4) + "00010203",
                "only 7 distinct byte values",
            ),
        ] {
            let err = GalleryKey::from_hex(&text).unwrap_err();
            assert!(matches!(err, GalleryError::BadKey { .. }), "{err:?}");
            assert!(err.to_string().contains(want), "{err}");
        }
        let eight = "0001020304050607".repeat(4);
        assert!(GalleryKey::from_hex(&eight).is_ok());
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn names_are_indexed_sealed_and_pseudonymised_under_the_key() {
        let (a, b) = (key(1), key(2));
        let index = a.name_index("Alice Example");
        assert_eq!(index.len(), NAME_INDEX_HEX);
        assert_eq!(index, a.name_index("Alice Example"));
        assert_ne!(index, b.name_index("Alice Example"));
        assert_ne!(index, a.name_index("alice example"));
        let sealed = a.seal_name("Alice Example", &index).unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"Alice"));
        assert_eq!(
            a.open_name(&sealed, &index).as_deref(),
            Some("Alice Example")
        );
        assert_eq!(a.open_name(&sealed, &a.name_index("Bob")), None);
        assert_eq!(b.open_name(&sealed, &index), None);
        let p = a.pseudonym("Alice Example");
        assert_eq!(p.len(), "subject:".len() + PSEUDONYM_HEX);
        assert!(p.starts_with("subject:"), "{p}");
        assert!(!index.starts_with(&p["subject:".len()..]));
        assert_ne!(p, b.pseudonym("Alice Example"));
    }

    #[test]
    fn check_value_tells_keys_apart() {
        let v = key(3).check_value().unwrap();
        assert!(key(3).matches_check_value(&v));
        assert!(!key(4).matches_check_value(&v));
        assert!(!key(3).matches_check_value(&v[..10]));
    }
}
