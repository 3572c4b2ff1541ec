//! Reading TensorFlow.js weight manifests and their binary shards
//! (shared by the layers and graph importers).
//!
//! A manifest is a list of groups; each group names its shard files and the
//! weights stored one after another across them. Weights may be float32,
//! int32 or bool, or quantized: uint8/uint16 with `min` + `scale`
//! (value = q·scale + min) or float16.

use super::ImportError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One group of the manifest.
#[derive(Clone, Debug, Deserialize)]
pub struct ManifestGroup {
    /// Shard files, relative to the model JSON.
    pub paths: Vec<String>,
    /// Weights in storage order.
    pub weights: Vec<ManifestEntry>,
}

/// One weight's declaration.
#[derive(Clone, Debug, Deserialize)]
pub struct ManifestEntry {
    /// Weight name (matches the topology).
    pub name: String,
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Logical element type: "float32", "int32" or "bool".
    pub dtype: String,
    /// Present when stored quantized.
    pub quantization: Option<Quantization>,
}

/// How a quantized weight is stored.
#[derive(Clone, Debug, Deserialize)]
pub struct Quantization {
    /// Storage type: "uint8", "uint16" or "float16".
    pub dtype: String,
    /// Offset added after scaling (integer quantization).
    pub min: Option<f32>,
    /// Scale per step (integer quantization).
    pub scale: Option<f32>,
}

/// Decoded weight values.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightData {
    /// Floating point values (dequantized if stored quantized).
    F32(Vec<f32>),
    /// Integer values.
    I32(Vec<i32>),
    /// Booleans.
    Bool(Vec<bool>),
}

impl WeightData {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            WeightData::F32(v) => v.len(),
            WeightData::I32(v) => v.len(),
            WeightData::Bool(v) => v.len(),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decoded weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Weight {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Values in row-major order.
    pub data: WeightData,
}

impl Weight {
    /// The values as floats (integers converted), or an error naming the weight.
    pub fn as_f32(&self) -> Vec<f32> {
        match &self.data {
            WeightData::F32(v) => v.clone(),
            WeightData::I32(v) => v.iter().map(|&x| x as f32).collect(),
            WeightData::Bool(v) => v.iter().map(|&x| x as u8 as f32).collect(),
        }
    }

    /// The values as integers (floats truncated).
    pub fn as_i64(&self) -> Vec<i64> {
        match &self.data {
            WeightData::F32(v) => v.iter().map(|&x| x as i64).collect(),
            WeightData::I32(v) => v.iter().map(|&x| x as i64).collect(),
            WeightData::Bool(v) => v.iter().map(|&x| x as i64).collect(),
        }
    }
}

/// Reads every weight of `manifest` from shards next to `model_json`.
/// A shard shorter than the manifest requires is `ImportError::Truncated`.
///
/// The manifest is untrusted: each shard must be a plain relative name of a
/// regular file inside the model's own folder (no `..`, no absolute path, no
/// link leading out, no device), and no more bytes are read than the
/// manifest's weights need.
pub fn load_weights(
    model_json: &Path,
    manifest: &[ManifestGroup],
) -> Result<BTreeMap<String, Weight>, ImportError> {
    let dir = model_json.parent().unwrap_or(Path::new("."));
    let mut weights = BTreeMap::new();
    for group in manifest {
        let needed = group_bytes(model_json, group)?;
        let mut bytes = Vec::new();
        let mut shard_ends: Vec<(PathBuf, u64)> = Vec::new();
        for p in &group.paths {
            let path = shard_path(model_json, dir, p)?;
            let left = needed.saturating_sub(bytes.len()) as u64;
            let file = std::fs::File::open(&path).map_err(|e| ImportError::io(&path, e))?;
            file.take(left)
                .read_to_end(&mut bytes)
                .map_err(|e| ImportError::io(&path, e))?;
            shard_ends.push((path, bytes.len() as u64));
        }
        let mut offset = 0usize;
        for entry in &group.weights {
            let size = entry_bytes(model_json, entry)?;
            let end = offset.saturating_add(size);
            if end > bytes.len() {
                let (file, _) = shard_ends.last().cloned().unwrap_or_default();
                let before_last = shard_ends
                    .len()
                    .checked_sub(2)
                    .map(|i| shard_ends[i].1)
                    .unwrap_or(0);
                return Err(ImportError::Truncated {
                    model: model_json.to_path_buf(),
                    file,
                    needed: (end as u64).saturating_sub(before_last),
                    got: bytes.len() as u64 - before_last,
                });
            }
            let data = decode(entry, &bytes[offset..end]);
            let elements: usize = entry.shape.iter().product();
            if data.len() != elements {
                return Err(ImportError::malformed(
                    model_json,
                    format!(
                        "weight '{}' decodes to {} values, its shape {:?} needs {elements}",
                        entry.name,
                        data.len(),
                        entry.shape
                    ),
                ));
            }
            weights.insert(
                entry.name.clone(),
                Weight {
                    shape: entry.shape.clone(),
                    data,
                },
            );
            offset = end;
        }
    }
    Ok(weights)
}

/// The bytes one weight occupies in its shards; an overflowing shape is an
/// error.
fn entry_bytes(model_json: &Path, entry: &ManifestEntry) -> Result<usize, ImportError> {
    let element_size = stored_element_size(model_json, entry)?;
    entry
        .shape
        .iter()
        .try_fold(element_size, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            ImportError::malformed(
                model_json,
                format!("weight '{}' has an impossibly large shape", entry.name),
            )
        })
}

/// The bytes all weights of `group` occupy together.
fn group_bytes(model_json: &Path, group: &ManifestGroup) -> Result<usize, ImportError> {
    group.weights.iter().try_fold(0usize, |acc, entry| {
        acc.checked_add(entry_bytes(model_json, entry)?)
            .ok_or_else(|| ImportError::malformed(model_json, "the weights' total size overflows"))
    })
}

/// The shard file `name` of a manifest in `dir`, checked to be a plain
/// relative path to a regular file that stays inside `dir`.
fn shard_path(model_json: &Path, dir: &Path, name: &str) -> Result<PathBuf, ImportError> {
    let refuse = |why: &str| {
        ImportError::malformed(
            model_json,
            format!("weight shard '{name}' {why}; only files inside the model's folder are read"),
        )
    };
    let relative = Path::new(name);
    let plain = !name.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Err(refuse("is not a plain relative file name"));
    }
    let path = dir.join(relative);
    let meta = std::fs::symlink_metadata(&path).map_err(|e| ImportError::io(&path, e))?;
    if !meta.file_type().is_file() {
        return Err(refuse("is not a regular file"));
    }
    let inside = match (path.canonicalize(), dir.canonicalize()) {
        (Ok(file), Ok(folder)) => file.starts_with(folder),
        _ => false,
    };
    if !inside {
        return Err(refuse("lies outside the model's folder"));
    }
    Ok(path)
}

/// Bytes per stored element. Only the combinations [`decode`] reads are
/// accepted (a logical float32, int32 or bool stored as itself; a float32
/// or int32 quantized to uint8, uint16 or float16), so a decoded weight
/// always has as many values as its shape.
fn stored_element_size(model_json: &Path, entry: &ManifestEntry) -> Result<usize, ImportError> {
    let unsupported = |what: &str, dtype: &str| {
        ImportError::malformed(
            model_json,
            format!("weight '{}' has unsupported {what} '{dtype}'", entry.name),
        )
    };
    match &entry.quantization {
        Some(q) => {
            if !matches!(entry.dtype.as_str(), "float32" | "int32") {
                return Err(unsupported("quantized type", &entry.dtype));
            }
            match q.dtype.as_str() {
                "uint16" | "float16" => Ok(2),
                "uint8" => Ok(1),
                other => Err(unsupported("storage type", other)),
            }
        }
        None => match entry.dtype.as_str() {
            "float32" | "int32" => Ok(4),
            "bool" => Ok(1),
            other => Err(unsupported("storage type", other)),
        },
    }
}

fn decode(entry: &ManifestEntry, raw: &[u8]) -> WeightData {
    if let Some(q) = &entry.quantization {
        let min = q.min.unwrap_or(0.0);
        let scale = q.scale.unwrap_or(1.0);
        let values: Vec<f32> = match q.dtype.as_str() {
            "uint8" => raw.iter().map(|&b| b as f32 * scale + min).collect(),
            "uint16" => raw
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]) as f32 * scale + min)
                .collect(),
            _ => raw
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
        };
        return if entry.dtype == "int32" {
            WeightData::I32(values.iter().map(|v| v.round() as i32).collect())
        } else {
            WeightData::F32(values)
        };
    }
    match entry.dtype.as_str() {
        "int32" => WeightData::I32(
            raw.chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        "bool" => WeightData::Bool(raw.iter().map(|&b| b != 0).collect()),
        _ => WeightData::F32(
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uint8_quantized_weights_are_dequantized() {
        let entry = ManifestEntry {
            name: "w".into(),
            shape: vec![3],
            dtype: "float32".into(),
            quantization: Some(Quantization {
                dtype: "uint8".into(),
                min: Some(-1.0),
                scale: Some(0.5),
            }),
        };
        assert_eq!(
            decode(&entry, &[0, 2, 4]),
            WeightData::F32(vec![-1.0, 0.0, 1.0])
        );
    }

    #[test]
    fn short_shard_is_reported_as_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("model.json");
        std::fs::write(&json, "{}").unwrap();
        std::fs::write(dir.path().join("w.bin"), [0u8; 6]).unwrap();
        let manifest = vec![ManifestGroup {
            paths: vec!["w.bin".into()],
            weights: vec![ManifestEntry {
                name: "w".into(),
                shape: vec![2],
                dtype: "float32".into(),
                quantization: None,
            }],
        }];
        let err = load_weights(&json, &manifest).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::Truncated {
                    needed: 8,
                    got: 6,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn storage_types_the_decoder_cannot_read_are_refused() {
        // Found by the import fuzz run: a weight declared "uint8" without
        // quantization was sized as 1 byte per value but decoded as
        // float32, giving a quarter of the values its shape promises.
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("model.json");
        std::fs::write(&json, "{}").unwrap();
        std::fs::write(dir.path().join("w.bin"), [7u8; 64]).unwrap();
        let quantized = |dtype: &str| Quantization {
            dtype: dtype.into(),
            min: None,
            scale: None,
        };
        for (dtype, quantization) in [
            ("uint8", None),
            ("float16", None),
            ("float32", Some(quantized("float32"))),
            ("bool", Some(quantized("uint8"))),
        ] {
            let manifest = vec![ManifestGroup {
                paths: vec!["w.bin".into()],
                weights: vec![ManifestEntry {
                    name: "w".into(),
                    shape: vec![4],
                    dtype: dtype.into(),
                    quantization,
                }],
            }];
            let err = load_weights(&json, &manifest).unwrap_err().to_string();
            assert!(err.contains("unsupported"), "{dtype}: {err}");
        }
    }

    /// A manifest of one float32 weight of `count` values in shard `path`.
    fn manifest(path: &str, count: usize) -> Vec<ManifestGroup> {
        vec![ManifestGroup {
            paths: vec![path.into()],
            weights: vec![ManifestEntry {
                name: "w".into(),
                shape: vec![count],
                dtype: "float32".into(),
                quantization: None,
            }],
        }]
    }

    #[test]
    fn shards_outside_the_model_folder_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let model_dir = root.path().join("model");
        std::fs::create_dir(&model_dir).unwrap();
        let json = model_dir.join("model.json");
        std::fs::write(&json, "{}").unwrap();
        let secret = root.path().join("secret.bin");
        std::fs::write(&secret, [7u8; 64]).unwrap();
        std::os::unix::fs::symlink(&secret, model_dir.join("link.bin")).unwrap();
        let absolute = secret.display().to_string();
        for name in [
            "../secret.bin",
            absolute.as_str(),
            "link.bin",
            "/dev/zero",
            "",
        ] {
            let err = load_weights(&json, &manifest(name, 4)).unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(err, ImportError::Malformed { .. }),
                "{name}: {text}"
            );
            assert!(
                text.contains("only files inside the model's folder"),
                "{text}"
            );
        }
    }

    #[test]
    fn no_more_is_read_than_the_manifest_needs() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("model.json");
        std::fs::write(&json, "{}").unwrap();
        let mut data = 1.5f32.to_le_bytes().to_vec();
        data.extend([0xAB; 4096]);
        std::fs::write(dir.path().join("w.bin"), &data).unwrap();
        let weights = load_weights(&json, &manifest("w.bin", 1)).unwrap();
        assert_eq!(weights["w"].data, WeightData::F32(vec![1.5]));
        // A shape whose size overflows is an error, not a wrapped count.
        let err = load_weights(&json, &manifest("w.bin", usize::MAX / 2)).unwrap_err();
        assert!(err.to_string().contains("impossibly large"), "{err}");
    }
}
