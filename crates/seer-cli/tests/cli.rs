//! The `seer` binary end to end: listing, importing, bad input, and a
//! machine without the runtime library.

mod common;

use common::seer;

#[test]
fn info_without_runtime_library_says_how_to_get_it() {
    let home = tempfile::tempdir().unwrap();
    let out = seer()
        .arg("info")
        .env("SEER_HOME", home.path())
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not available"), "{text}");
    assert!(
        text.contains("seer models fetch runtime.onnxruntime"),
        "{text}"
    );
    assert!(text.contains(&home.path().display().to_string()), "{text}");
}

#[test]
fn models_list_json_has_every_catalogued_model() {
    let home = tempfile::tempdir().unwrap();
    let out = seer()
        .args(["models", "list", "--json"])
        .env("SEER_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let catalogue = seer_models::Catalog::builtin();
    assert_eq!(rows.len(), catalogue.models.len());
    for id in [
        "face.detect.full",
        "face.embed.resnet34",
        "upscale.esrgan-thick.x8",
        "ocr.detect",
        "runtime.onnxruntime",
    ] {
        let row = rows
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(row["fetched"], false, "an empty cache has nothing fetched");
        assert!(!row["licence"].as_str().unwrap().is_empty());
    }
}

#[test]
fn import_of_unknown_op_names_op_node_and_model() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    std::fs::write(
        &model,
        r#"{"format":"graph-model","modelTopology":{"node":[
            {"name":"x","op":"Placeholder","attr":{"dtype":{"type":"DT_FLOAT"},"shape":{"shape":{"dim":[{"size":"1"},{"size":"4"}]}}}},
            {"name":"odd","op":"MysteryOp","input":["x"]}]},
          "weightsManifest":[]}"#,
    )
    .unwrap();
    let out_path = dir.path().join("out.onnx");
    let out = seer()
        .args(["models", "import"])
        .arg(&model)
        .args(["--format", "tfjs-graph", "--out"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("MysteryOp") && err.contains("odd") && err.contains("model.json"),
        "{err}"
    );
    assert!(!out_path.exists(), "no output file is left behind");
}

#[test]
fn import_of_truncated_ncnn_weights_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let param = dir.path().join("m.param");
    std::fs::write(
        &param,
        "7767517\n2 2\nInput in0 0 1 in0 0=4 1=4 2=3\nConvolution conv 1 1 in0 out0 0=8 1=3 4=1 5=1 6=216\n",
    )
    .unwrap();
    // 216 weights + tag + 8 biases need 4 + 864 + 32 bytes; give 100.
    std::fs::write(dir.path().join("m.bin"), vec![0u8; 100]).unwrap();
    let out_path = dir.path().join("out.onnx");
    let out = seer()
        .args(["models", "import"])
        .arg(&param)
        .args(["--format", "ncnn", "--out"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("truncated") && err.contains("m.bin"), "{err}");
    assert!(!out_path.exists());
}

#[test]
fn unknown_model_id_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let out = seer()
        .args(["models", "fetch", "upscale.esrgan-thick.x5"])
        .env("SEER_HOME", home.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown model 'upscale.esrgan-thick.x5'") && err.contains("did you mean"),
        "{err}"
    );
}
