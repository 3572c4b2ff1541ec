//! ONNX Runtime runs with its telemetry off: a command that loads models
//! writes nothing into the home or cache folders (Microsoft's builds
//! otherwise keep a device id and an event queue under
//! `~/.cache/Microsoft/DeveloperTools/.onnxruntime`).

mod common;

use common::{ok, seer, tree};

#[test]
fn running_models_writes_nothing_outside_seer_home() {
    let home = tempfile::tempdir().unwrap();
    let out = seer()
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("SEER_HOME", seer_models::testing::store().home())
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
    assert_eq!(tree(home.path()), Vec::<String>::new());
}
