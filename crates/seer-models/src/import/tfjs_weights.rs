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
pub fn load_weights(
    model_json: &Path,
    manifest: &[ManifestGroup],
) -> Result<BTreeMap<String, Weight>, ImportError> {
    let dir = model_json.parent().unwrap_or(Path::new("."));
    let mut weights = BTreeMap::new();
    for group in manifest {
        let mut bytes = Vec::new();
        let mut shard_ends: Vec<(PathBuf, u64)> = Vec::new();
        for p in &group.paths {
            let path = dir.join(p);
            let mut data = std::fs::read(&path).map_err(|e| ImportError::io(&path, e))?;
            bytes.append(&mut data);
            shard_ends.push((path, bytes.len() as u64));
        }
        let mut offset = 0usize;
        for entry in &group.weights {
            let count: usize = entry.shape.iter().product();
            let element_size = stored_element_size(model_json, entry)?;
            let end = offset + count * element_size;
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
                    needed: end as u64 - before_last,
                    got: bytes.len() as u64 - before_last,
                });
            }
            let data = decode(entry, &bytes[offset..end]);
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

fn stored_element_size(model_json: &Path, entry: &ManifestEntry) -> Result<usize, ImportError> {
    let dtype = match &entry.quantization {
        Some(q) => q.dtype.as_str(),
        None => entry.dtype.as_str(),
    };
    match dtype {
        "float32" | "int32" => Ok(4),
        "uint16" | "float16" => Ok(2),
        "uint8" | "bool" => Ok(1),
        other => Err(ImportError::malformed(
            model_json,
            format!(
                "weight '{}' has unsupported storage type '{other}'",
                entry.name
            ),
        )),
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
}
