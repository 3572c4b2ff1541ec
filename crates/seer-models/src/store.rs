//! The model cache (`$SEER_HOME`, default `~/.cache/seer`): fetches packages,
//! verifies checksums, imports models to ONNX once and finds them later.
//!
//! Layout:
//! - `packages/<registry>-<name>-<version>/…` the declared files of a package,
//!   checked against their sha256; the folder appears only once complete.
//! - `onnx/<model id>-<key>.onnx` imported models; `key` hashes the source
//!   files' checksums, the format and the importer version, so a new importer
//!   or new weights give a new file.
//! - `tmp/` downloads and extractions in progress (never read as results).

use crate::catalog::{Catalog, FileSpec, Format, ModelSpec, PackageSpec};
use crate::files::{disk_usage, sha256_bytes, sha256_file};
use crate::import::{self, ImportError};
use crate::{fetch, StoreError};
use seer_core::atomic::{sync_dir, write_atomic};
use seer_core::progress::Progress;
use seer_onnx::ModelProto;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The environment variable naming the cache folder.
pub const SEER_HOME_VAR: &str = "SEER_HOME";
/// The environment variable that overrides the ONNX Runtime library path.
pub const ORT_DYLIB_VAR: &str = "ORT_DYLIB_PATH";
/// Catalogue id of the ONNX Runtime library.
pub const RUNTIME_MODEL_ID: &str = "runtime.onnxruntime";

/// The local model cache.
pub struct Store {
    home: PathBuf,
    catalog: Catalog,
}

/// What the cache holds for one model.
#[derive(Clone, Debug, Serialize)]
pub struct ModelStatus {
    /// Model id.
    pub id: String,
    /// True when every file of the model is in the cache.
    pub fetched: bool,
    /// The file to load (imported ONNX, ONNX, or library), when ready.
    pub path: Option<PathBuf>,
    /// Bytes on disk: source files plus the imported ONNX (0 if not fetched).
    pub size_bytes: u64,
}

impl Store {
    /// Opens the cache at `$SEER_HOME`, else `~/.cache/seer`.
    pub fn open_default() -> Result<Store, StoreError> {
        Store::open(default_home())
    }

    /// Opens (creating if needed) the cache at `home` with the built-in catalogue.
    pub fn open(home: PathBuf) -> Result<Store, StoreError> {
        Store::with_catalog(home, Catalog::builtin())
    }

    /// Opens the cache at `home` with a given catalogue.
    pub fn with_catalog(home: PathBuf, catalog: Catalog) -> Result<Store, StoreError> {
        std::fs::create_dir_all(&home).map_err(|e| StoreError::io(&home, e))?;
        Ok(Store { home, catalog })
    }

    /// The cache folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The catalogue in use.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// A model's declaration, or an error listing close ids.
    pub fn model(&self, id: &str) -> Result<&ModelSpec, StoreError> {
        self.catalog.model(id).ok_or_else(|| {
            let close: Vec<&str> = self
                .catalog
                .models
                .iter()
                .map(|m| m.id.as_str())
                .filter(|m| m.contains(id) || id.contains(*m) || shares_prefix(m, id))
                .take(5)
                .collect();
            StoreError::UnknownModel {
                id: id.to_string(),
                hint: if close.is_empty() {
                    "run `seer models list` to see them".to_string()
                } else {
                    format!("did you mean {}?", close.join(", "))
                },
            }
        })
    }

    fn package_of(&self, model: &ModelSpec) -> &PackageSpec {
        // Catalog::parse guarantees every model's package exists.
        self.catalog
            .package(&model.package)
            .unwrap_or_else(|| panic!("catalogue checked at parse time: {}", model.package))
    }

    /// Folder holding a package's files in the cache.
    pub fn package_dir(&self, package: &PackageSpec) -> PathBuf {
        self.home.join("packages").join(package.cache_dir_name())
    }

    /// Path of one model's source file in the cache.
    pub fn file_path(&self, model: &ModelSpec, relative: &str) -> PathBuf {
        self.package_dir(self.package_of(model)).join(relative)
    }

    /// Path the imported ONNX of `model` has (or will have).
    pub fn onnx_path(&self, model: &ModelSpec) -> PathBuf {
        self.onnx_path_for(model, None)
    }

    /// Path of the ONNX of `model` imported for input `input_hw` (height,
    /// width in pixels; `None`: the declared size). The name holds a hash
    /// of the format, importer version, files and import settings.
    fn onnx_path_for(&self, model: &ModelSpec, input_hw: Option<(u32, u32)>) -> PathBuf {
        let mut key = format!("{}:{}", model.format.name(), importer_version(model.format));
        for file in &model.files {
            key.push(':');
            key.push_str(&file.sha256);
        }
        for output in &model.import.outputs {
            key.push_str(":out=");
            key.push_str(output);
        }
        let key = sha256_bytes(key.as_bytes());
        let size = input_hw
            .map(|(h, w)| format!("-{h}x{w}"))
            .unwrap_or_default();
        self.home
            .join("onnx")
            .join(format!("{}{size}-{}.onnx", model.id, &key[..16]))
    }

    /// The file a user of `model` loads.
    fn load_path(&self, model: &ModelSpec) -> PathBuf {
        if model.format.needs_import() {
            self.onnx_path(model)
        } else {
            self.file_path(model, &model.entry)
        }
    }

    /// What the cache holds for `model`.
    pub fn status(&self, model: &ModelSpec) -> ModelStatus {
        let files_present = model
            .all_files()
            .all(|f| self.file_path(model, &f.path).is_file());
        let load = self.load_path(model);
        let ready = files_present && load.is_file();
        let mut size: u64 = model
            .files
            .iter()
            .map(|f| disk_usage(&self.file_path(model, &f.path)))
            .sum();
        if model.format.needs_import() {
            size += disk_usage(&load);
        }
        ModelStatus {
            id: model.id.clone(),
            fetched: ready,
            path: ready.then_some(load),
            size_bytes: size,
        }
    }

    /// Makes `id` ready to use: fetches its package if needed, verifies the
    /// checksums of a fresh download, imports to ONNX if needed. Returns the
    /// file to load.
    pub fn ensure(&self, id: &str, progress: &dyn Progress) -> Result<PathBuf, StoreError> {
        let model = self.model(id)?;
        let load = self.load_path(model);
        self.ensure_import(model, None, load, progress)
    }

    /// [`Store::ensure`] for a TF.js graph model imported for input
    /// `input_hw` (height, width in pixels) instead of its declared size;
    /// each size is imported once and cached. Other formats give
    /// [`StoreError::FixedInputSize`].
    pub fn ensure_for_input(
        &self,
        id: &str,
        input_hw: (u32, u32),
        progress: &dyn Progress,
    ) -> Result<PathBuf, StoreError> {
        let model = self.model(id)?;
        if model.format != Format::TfjsGraph {
            return Err(StoreError::FixedInputSize {
                id: model.id.clone(),
                format: model.format.name(),
            });
        }
        let load = self.onnx_path_for(model, Some(input_hw));
        self.ensure_import(model, Some(input_hw), load, progress)
    }

    /// Fetches the package of `model` if needed and imports it into `load`
    /// (for `input_hw` when given) unless that file exists; returns `load`.
    fn ensure_import(
        &self,
        model: &ModelSpec,
        input_hw: Option<(u32, u32)>,
        load: PathBuf,
        progress: &dyn Progress,
    ) -> Result<PathBuf, StoreError> {
        self.ensure_package_files(model, progress)?;
        if model.format.needs_import() && !load.is_file() {
            progress.start(&format!("importing {}", model.id), None);
            let onnx_model = self.import_model_for(model, input_hw)?;
            let bytes = seer_onnx::encode(&onnx_model);
            if let Some(folder) = load.parent() {
                std::fs::create_dir_all(folder).map_err(|e| StoreError::io(folder, e))?;
            }
            write_atomic(&load, &bytes).map_err(|e| StoreError::io(&load, e))?;
            progress.finish();
            tracing::info!(model = %model.id, path = %load.display(), "imported");
        }
        Ok(load)
    }

    /// Fetches the package of `model` unless all its files are already cached.
    fn ensure_package_files(
        &self,
        model: &ModelSpec,
        progress: &dyn Progress,
    ) -> Result<(), StoreError> {
        self.ensure_package(&model.package, progress).map(|_| ())
    }

    /// Makes every declared file of the package with key `key` present in
    /// the cache (fetching once if any is missing); returns its folder.
    pub fn ensure_package(
        &self,
        key: &str,
        progress: &dyn Progress,
    ) -> Result<PathBuf, StoreError> {
        let package =
            self.catalog
                .package(key)
                .cloned()
                .ok_or_else(|| StoreError::UnknownModel {
                    id: key.to_string(),
                    hint: "no package has this key".to_string(),
                })?;
        let files = self.catalog.package_files(&package.key);
        let dir = self.package_dir(&package);
        if !files.iter().all(|f| dir.join(&f.path).is_file()) {
            self.fetch_package(&package, &files, progress)?;
        }
        Ok(dir)
    }

    /// Downloads `package`, extracts and verifies `files`, and moves them into
    /// place in one rename. On any error nothing is left in the cache.
    fn fetch_package(
        &self,
        package: &PackageSpec,
        files: &[&FileSpec],
        progress: &dyn Progress,
    ) -> Result<(), StoreError> {
        let tmp_root = self.home.join("tmp");
        std::fs::create_dir_all(&tmp_root).map_err(|e| StoreError::io(&tmp_root, e))?;
        let work = tempfile::Builder::new()
            .prefix("fetch-")
            .tempdir_in(&tmp_root)
            .map_err(|e| StoreError::io(&tmp_root, e))?;
        progress.start(&format!("downloading {}", package.spec()), None);
        let archive = fetch::download(package, work.path())?;
        progress.finish();
        let staged = work.path().join("package");
        fetch::extract(package, &archive, files, &staged)?;
        progress.start(
            &format!("verifying {}", package.spec()),
            Some(files.len() as u64),
        );
        for (i, file) in files.iter().enumerate() {
            check_file(package, &staged, file)?;
            progress.set(i as u64 + 1);
        }
        progress.finish();
        let dir = self.package_dir(package);
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
        }
        // Replace an older, incomplete copy (e.g. from a catalogue that declared fewer files).
        if dir.exists() {
            let old = work.path().join("old");
            std::fs::rename(&dir, &old).map_err(|e| StoreError::io(&dir, e))?;
        }
        if let Err(e) = std::fs::rename(&staged, &dir) {
            // Another process may have finished the same fetch first.
            let complete = files.iter().all(|f| dir.join(&f.path).is_file());
            if !complete {
                return Err(StoreError::io(&dir, e));
            }
        }
        if let Some(parent) = dir.parent() {
            sync_dir(parent);
        }
        Ok(())
    }

    /// Runs the importer for `model` on its cached files.
    pub fn import_model(&self, model: &ModelSpec) -> Result<ModelProto, StoreError> {
        self.import_model_for(model, None)
    }

    /// Runs the importer for `model`, for input `input_hw` (height, width
    /// in pixels) when given (TF.js graph models only).
    fn import_model_for(
        &self,
        model: &ModelSpec,
        input_hw: Option<(u32, u32)>,
    ) -> Result<ModelProto, StoreError> {
        let entry = self.file_path(model, &model.entry);
        let weights = model.weights.as_ref().map(|w| self.file_path(model, w));
        let imported = if model.format == Format::TfjsGraph {
            let options = crate::import::tfjs_graph::GraphImportOptions {
                input_hw: input_hw.map(|(h, w)| (h as usize, w as usize)),
                outputs: model.import.outputs.clone(),
            };
            crate::import::tfjs_graph::import_with(&entry, &options)
        } else {
            import_file(model.format, &entry, weights.as_deref())
        };
        imported.map_err(|source| StoreError::Import {
            id: model.id.clone(),
            source,
        })
    }

    /// Re-checks a fetched model: every file's checksum, and that its ONNX
    /// parses. A corrupt entry is removed from the cache (run fetch again).
    /// Returns `Ok(false)` when the model is not fetched.
    pub fn verify(&self, model: &ModelSpec) -> Result<bool, StoreError> {
        let package = self.package_of(model).clone();
        let dir = self.package_dir(&package);
        if !model.all_files().all(|f| dir.join(&f.path).is_file()) {
            return Ok(false);
        }
        for file in model.all_files() {
            if let Err(e) = check_file(&package, &dir, file) {
                let _ = std::fs::remove_file(dir.join(&file.path));
                let _ = std::fs::remove_file(self.onnx_path(model));
                return Err(e);
            }
        }
        let load = self.load_path(model);
        if model.format == Format::SharedLibrary {
            return Ok(true);
        }
        if !load.is_file() {
            return Ok(false);
        }
        let bytes = std::fs::read(&load).map_err(|e| StoreError::io(&load, e))?;
        if let Err(detail) = check_onnx(&bytes) {
            if model.format.needs_import() {
                let _ = std::fs::remove_file(&load);
            }
            return Err(StoreError::BadOnnx { path: load, detail });
        }
        Ok(true)
    }

    /// The ONNX Runtime library: `$ORT_DYLIB_PATH` if set, else the cached
    /// copy (fetched first when `fetch` is true and it is missing).
    pub fn runtime_library(
        &self,
        fetch: bool,
        progress: &dyn Progress,
    ) -> Result<PathBuf, StoreError> {
        if let Ok(path) = std::env::var(ORT_DYLIB_VAR) {
            if !path.is_empty() {
                return Ok(PathBuf::from(path));
            }
        }
        let model = self.model(RUNTIME_MODEL_ID)?;
        let path = self.load_path(model);
        if path.is_file() || !fetch {
            return Ok(path);
        }
        self.ensure(RUNTIME_MODEL_ID, progress)
    }
}

/// Imports one model file of a given format to ONNX (what `seer models
/// import` runs). `weights` is the second file of two-file formats (ncnn).
pub fn import_file(
    format: Format,
    entry: &Path,
    weights: Option<&Path>,
) -> Result<ModelProto, ImportError> {
    match format {
        Format::TfjsLayers => import::tfjs_layers::import(entry),
        Format::TfjsGraph => import::tfjs_graph::import(entry),
        Format::FaceapiResnet => import::faceapi::import_face_recognition(entry),
        Format::TransnetV2Pth => import::transnetv2::import(entry),
        Format::Ncnn => {
            let bin = match weights {
                Some(w) => w.to_path_buf(),
                None => entry.with_extension("bin"),
            };
            import::ncnn::import(entry, &bin)
        }
        Format::Onnx => {
            let bytes = std::fs::read(entry).map_err(|e| ImportError::io(entry, e))?;
            check_onnx(&bytes).map_err(|d| ImportError::malformed(entry, d))?;
            seer_onnx::decode(&bytes).map_err(|e| ImportError::malformed(entry, e.to_string()))
        }
        Format::SharedLibrary => Err(ImportError::malformed(
            entry,
            "a shared library is not a model",
        )),
    }
}

/// Checks that bytes are an ONNX model seer can use: it parses, has a graph
/// with inputs and outputs, and imports the default opset.
pub fn check_onnx(bytes: &[u8]) -> Result<(), String> {
    let model = seer_onnx::decode(bytes).map_err(|e| format!("not an ONNX protobuf: {e}"))?;
    let graph = model.graph.as_ref().ok_or("the model has no graph")?;
    if graph.input.is_empty() || graph.output.is_empty() || graph.node.is_empty() {
        return Err("the graph has no inputs, outputs or nodes".to_string());
    }
    if !model
        .opset_import
        .iter()
        .any(|o| o.domain.is_empty() || o.domain == "ai.onnx")
    {
        return Err("the model does not import the default ONNX opset".to_string());
    }
    Ok(())
}

fn importer_version(format: Format) -> u32 {
    match format {
        Format::TfjsLayers => import::tfjs_layers::IMPORTER_VERSION,
        Format::TfjsGraph => import::tfjs_graph::IMPORTER_VERSION,
        Format::Ncnn => import::ncnn::IMPORTER_VERSION,
        Format::FaceapiResnet => import::faceapi::IMPORTER_VERSION,
        Format::TransnetV2Pth => import::transnetv2::IMPORTER_VERSION,
        Format::Onnx | Format::SharedLibrary => 0,
    }
}

fn check_file(package: &PackageSpec, dir: &Path, file: &FileSpec) -> Result<(), StoreError> {
    let path = dir.join(&file.path);
    let actual = sha256_file(&path).map_err(|e| StoreError::io(&path, e))?;
    if actual != file.sha256 {
        return Err(StoreError::Checksum {
            package: package.spec(),
            path: file.path.clone(),
            expected: file.sha256.clone(),
            actual,
        });
    }
    Ok(())
}

fn shares_prefix(a: &str, b: &str) -> bool {
    let first = |s: &str| s.split('.').take(2).collect::<Vec<_>>().join(".");
    first(a) == first(b)
}

/// `$SEER_HOME`, else `$HOME/.cache/seer`, else `./.seer-cache`.
pub fn default_home() -> PathBuf {
    if let Ok(home) = std::env::var(SEER_HOME_VAR) {
        if !home.is_empty() {
            return PathBuf::from(home);
        }
    }
    match std::env::var("HOME") {
        Ok(h) if !h.is_empty() => PathBuf::from(h).join(".cache").join("seer"),
        _ => PathBuf::from(".seer-cache"),
    }
}
