//! ONNX Runtime runs with its telemetry off: a command that loads models
//! writes nothing into the home or cache folders (Microsoft's builds
//! otherwise keep a device id and an event queue under
//! `~/.cache/Microsoft/DeveloperTools/.onnxruntime`).

mod common;

use common::{ok, seer};
use std::path::PathBuf;

/// The model cache the other tests use (so nothing is fetched again).
fn seer_home() -> PathBuf {
    match std::env::var_os("SEER_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/seer"),
    }
}

/// Every path below `dir`.
fn tree(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out
}

#[test]
fn running_models_writes_nothing_outside_seer_home() {
    let home = tempfile::tempdir().unwrap();
    let out = seer()
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("SEER_HOME", seer_home())
        .env_remove("ORT_DISABLE_TELEMETRY")
        .args(["face", "detect", "--json"])
        .arg(seer_testdata::path("faces/probes/obama1.jpg"))
        .output()
        .unwrap();
    let text = ok(&out);
    // The models really ran: faces were found.
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        json["faces"].as_array().is_some_and(|f| !f.is_empty()),
        "{text}"
    );
    assert_eq!(tree(home.path()), Vec::<PathBuf>::new());
}
