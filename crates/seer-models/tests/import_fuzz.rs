//! Bounded fuzzing of every importer that reads untrusted model files:
//! ncnn `.param`/`.bin`, TF.js graph and layers `model.json` with their
//! weight manifests, and face-api manifests. Each run starts from a small
//! valid model, damages it (tokens, lines, bytes, JSON values, manifest
//! sizes and paths) and imports it: the import returns a model or an
//! error, never panics, and never reads outside the model's folder. A
//! count that would need a huge allocation must be refused from the file
//! size first (an allocation failure would abort the whole test run).

use proptest::prelude::*;
use seer_models::import::{faceapi, ncnn, tfjs_graph, tfjs_layers};
use serde_json::{json, Value};
use std::path::Path;

/// Cases per fuzz target: 600 (all targets run in CI in about a second),
/// or `SEER_FUZZ_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("SEER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600)
}

/// Replacement values that break assumptions: sizes, signs, types.
fn nasty_number(pick: u8) -> String {
    [
        "0",
        "-1",
        "999999999",
        "2147483647",
        "-2147483648",
        "4294967296",
        "18446744073709551615",
        "1e30",
        "nan",
        "3",
        "",
        "x",
        "1,2,3",
        "-23300=999999999",
    ][pick as usize % 14]
        .to_string()
}

/// A JSON value that breaks assumptions.
fn nasty_json(pick: u8) -> Value {
    match pick % 16 {
        0 => json!(null),
        1 => json!(-1),
        2 => json!(999_999_999_999u64),
        3 => json!([999_999_999, 999_999_999]),
        4 => json!("../../../etc/passwd"),
        5 => json!("/proc/self/environ"),
        6 => json!("/dev/zero"),
        7 => json!([]),
        8 => json!({}),
        9 => json!("float16"),
        10 => json!("uint8"),
        11 => json!([0]),
        12 => json!([-1, 3]),
        13 => json!(1.5),
        14 => json!(true),
        _ => json!({ "dtype": "float32", "scale": 0.0, "min": 1e30 }),
    }
}

/// Every JSON pointer of `value` (objects and arrays included).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `value` with the values at the picked pointers replaced.
fn damage_json(mut value: Value, edits: &[(usize, u8)]) -> Value {
    for &(at, pick) in edits {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let pointer = &all[at % all.len()];
        if pointer.is_empty() {
            continue;
        }
        if let Some(slot) = value.pointer_mut(pointer) {
            *slot = nasty_json(pick);
        }
    }
    value
}

/// `bytes` with the given bytes overwritten and cut to `keep` % of it.
fn damage_bytes(mut bytes: Vec<u8>, flips: &[(usize, u8)], keep: usize) -> Vec<u8> {
    let len = bytes.len();
    for &(at, v) in flips {
        if len > 0 {
            bytes[at % len] = v;
        }
    }
    bytes.truncate(len * keep.clamp(1, 100) / 100);
    bytes
}

// ------------------------------------------------------------------ ncnn

/// A small valid ncnn model: convolution, activation, pooling, resize.
fn ncnn_seed() -> (String, Vec<u8>) {
    let layers = [
        "Input in 0 1 data 0=8 1=8 2=1",
        "Convolution c1 1 1 data a 0=2 1=3 4=1 5=1 6=18 9=1",
        "Pooling p 1 1 a b 0=0 1=2 2=2",
        "Interp up 1 1 b c 0=2 1=2.0 2=2.0",
        "ReLU r 1 1 c out",
    ];
    let text = format!("7767517\n{} 6\n{}\n", layers.len(), layers.join("\n"));
    let mut bin = 0u32.to_le_bytes().to_vec();
    for i in 0..18 {
        bin.extend((i as f32 * 0.1).to_le_bytes());
    }
    for b in [0.5f32, -0.5] {
        bin.extend(b.to_le_bytes());
    }
    (text, bin)
}

/// `text` with whitespace-separated tokens replaced and lines dropped or
/// doubled.
fn damage_param(text: &str, edits: &[(usize, u8)], lines: &[(usize, bool)]) -> String {
    let mut rows: Vec<String> = text.lines().map(str::to_string).collect();
    for &(at, double) in lines {
        let i = at % rows.len();
        if double {
            let row = rows[i].clone();
            rows.insert(i, row);
        } else if rows.len() > 1 {
            rows.remove(i);
        }
    }
    let mut tokens: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.split_whitespace().map(str::to_string).collect())
        .collect();
    let total: usize = tokens.iter().map(Vec::len).sum();
    for &(at, pick) in edits {
        if total == 0 {
            break;
        }
        let mut k = at % total;
        for row in tokens.iter_mut() {
            if k < row.len() {
                let token = &mut row[k];
                // Keep a key's name half the time: `0=…` reaches the value parser.
                *token = match token.split_once('=') {
                    Some((key, _)) if pick % 2 == 0 => format!("{key}={}", nasty_number(pick / 2)),
                    _ => nasty_number(pick),
                };
                break;
            }
            k -= row.len();
        }
    }
    tokens
        .iter()
        .map(|r| r.join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_ncnn_seed_imports() {
    let dir = tempfile::tempdir().unwrap();
    let (text, bin) = ncnn_seed();
    std::fs::write(dir.path().join("m.param"), text).unwrap();
    std::fs::write(dir.path().join("m.bin"), bin).unwrap();
    ncnn::import(&dir.path().join("m.param"), &dir.path().join("m.bin"))
        .unwrap_or_else(|e| panic!("{e}"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_ncnn_models_import_or_fail_cleanly(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        lines in proptest::collection::vec((any::<usize>(), any::<bool>()), 0..3),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        keep in 1usize..=100,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (text, bin) = ncnn_seed();
        let param = dir.path().join("m.param");
        let bin_path = dir.path().join("m.bin");
        std::fs::write(&param, damage_param(&text, &edits, &lines)).unwrap();
        std::fs::write(&bin_path, damage_bytes(bin, &flips, keep)).unwrap();
        let _ = ncnn::import(&param, &bin_path);
    }
}

// ----------------------------------------------------------------- TF.js

/// Standard base64 of `text` (protobuf-JSON `bytes`).
fn b64(text: &str) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ABC[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// A small valid TF.js graph model (conv, bias, relu) and its shard.
fn graph_seed() -> (Value, Vec<u8>) {
    let float = json!({ "type": "DT_FLOAT" });
    let model = json!({
        "format": "graph-model",
        "modelTopology": { "node": [
            { "name": "x", "op": "Placeholder", "attr": { "dtype": float,
              "shape": { "shape": { "dim": [{"size": "1"}, {"size": "6"}, {"size": "6"}, {"size": "1"}] } } } },
            { "name": "k", "op": "Const", "attr": { "dtype": float } },
            { "name": "bias", "op": "Const", "attr": { "dtype": float } },
            { "name": "conv", "op": "Conv2D", "input": ["x", "k"], "attr": {
                "padding": { "s": b64("SAME") },
                "strides": { "list": { "i": ["1", "1", "1", "1"] } },
                "dilations": { "list": { "i": ["1", "1", "1", "1"] } },
                "data_format": { "s": b64("NHWC") } } },
            { "name": "add", "op": "BiasAdd", "input": ["conv", "bias"], "attr": {} },
            { "name": "y", "op": "Relu", "input": ["add"], "attr": {} }
        ] },
        "weightsManifest": [{ "paths": ["w.bin"], "weights": [
            { "name": "k", "shape": [3, 3, 1, 2], "dtype": "float32" },
            { "name": "bias", "shape": [2], "dtype": "float32" }
        ] }]
    });
    let bytes = (0..20)
        .flat_map(|i| (i as f32 * 0.05).to_le_bytes())
        .collect();
    (model, bytes)
}

/// A small valid TF.js layers model (input, 3×3 convolution, activation)
/// and its shard.
fn layers_seed() -> (Value, Vec<u8>) {
    let model = json!({
        "format": "layers-model",
        "modelTopology": { "model_config": { "class_name": "Functional", "config": {
            "name": "m",
            "layers": [
                { "class_name": "InputLayer", "name": "in",
                  "config": { "name": "in", "batch_input_shape": [null, null, null, 1] },
                  "inbound_nodes": [] },
                { "class_name": "Conv2D", "name": "c",
                  "config": { "name": "c", "filters": 2, "kernel_size": [3, 3],
                              "strides": [1, 1], "padding": "same", "use_bias": true,
                              "activation": "linear", "dilation_rate": [1, 1] },
                  "inbound_nodes": [[["in", 0, 0, {}]]] },
                { "class_name": "Activation", "name": "a",
                  "config": { "name": "a", "activation": "relu" },
                  "inbound_nodes": [[["c", 0, 0, {}]]] }
            ],
            "input_layers": [["in", 0, 0]],
            "output_layers": [["a", 0, 0]]
        } } },
        "weightsManifest": [{ "paths": ["w.bin"], "weights": [
            { "name": "c/kernel", "shape": [3, 3, 1, 2], "dtype": "float32" },
            { "name": "c/bias", "shape": [2], "dtype": "float32" }
        ] }]
    });
    let bytes = (0..20)
        .flat_map(|i| (i as f32 * 0.1).to_le_bytes())
        .collect();
    (model, bytes)
}

/// Writes `model` as `model.json` (text damaged by `flips`) and the shard
/// into `dir`, with a secret file beside the folder that no import may read.
fn write_tfjs(
    dir: &Path,
    model: &Value,
    shard: &[u8],
    flips: &[(usize, u8)],
) -> std::path::PathBuf {
    let folder = dir.join("model");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(dir.join("secret.bin"), b"SECRET-SECRET-SECRET").unwrap();
    let text = serde_json::to_vec(model).unwrap();
    let path = folder.join("model.json");
    std::fs::write(&path, damage_bytes(text, flips, 100)).unwrap();
    std::fs::write(folder.join("w.bin"), shard).unwrap();
    path
}

#[test]
fn the_tfjs_seeds_import() {
    let dir = tempfile::tempdir().unwrap();
    let (model, shard) = graph_seed();
    tfjs_graph::import(&write_tfjs(dir.path(), &model, &shard, &[]))
        .unwrap_or_else(|e| panic!("graph: {e}"));
    let (model, shard) = layers_seed();
    tfjs_layers::import(&write_tfjs(dir.path(), &model, &shard, &[]))
        .unwrap_or_else(|e| panic!("layers: {e}"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_tfjs_models_import_or_fail_cleanly(
        layers in any::<bool>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..2),
        keep in 1usize..=100,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (model, shard) = if layers { layers_seed() } else { graph_seed() };
        let model = damage_json(model, &edits);
        let shard = damage_bytes(shard, &[], keep);
        let path = write_tfjs(dir.path(), &model, &shard, &flips);
        let result = if layers { tfjs_layers::import(&path) } else { tfjs_graph::import(&path) };
        // Nothing from outside the model's folder ends up in a model.
        if let Ok(model) = result {
            let bytes = seer_onnx::encode(&model);
            prop_assert!(!bytes.windows(6).any(|w| w == b"SECRET"));
        }
    }

    #[test]
    fn damaged_faceapi_manifests_import_or_fail_cleanly(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..2),
        keep in 1usize..=100,
    ) {
        let dir = tempfile::tempdir().unwrap();
        // A manifest shaped like face-api's (the importer stops at the
        // first missing or malformed tensor).
        let manifest = json!([{ "paths": ["w.bin"], "weights": [
            { "name": "conv32_down/conv/filters", "shape": [7, 7, 3, 32], "dtype": "float32" },
            { "name": "conv32_down/conv/bias", "shape": [32], "dtype": "float32" },
            { "name": "conv32_down/scale/weights", "shape": [32], "dtype": "float32",
              "quantization": { "dtype": "uint8", "scale": 0.01, "min": -1.0 } }
        ] }]);
        let shard: Vec<u8> = (0..(7 * 7 * 3 * 32 + 32) * 4 + 32).map(|i| (i % 251) as u8).collect();
        let manifest = damage_json(manifest, &edits);
        let path = write_tfjs(dir.path(), &manifest, &damage_bytes(shard, &[], keep), &flips);
        let _ = faceapi::import_face_recognition(&path);
    }
}
