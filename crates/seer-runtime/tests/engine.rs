//! `Engine::open` errors are runtime errors with their cause kept: a
//! missing file, a model the native engine refuses (naming the node).

use seer_core::{ErrorKind, HasErrorKind};
use seer_onnx::{Attr, DataType, Dim, GraphBuilder};
use seer_runtime::{Engine, EngineChoice, RuntimeError, Tuning};
use std::error::Error;

#[test]
fn a_missing_file_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.onnx");
    let Err(err) = Engine::open(&path, "m", 1, EngineChoice::Native, Tuning::default()) else {
        panic!("a missing file opened");
    };
    assert!(matches!(err, RuntimeError::ModelFile { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.source().is_some(), "the I/O error is kept");
}

#[test]
fn native_refusal_names_the_node_in_its_source() {
    let mut g = GraphBuilder::new("t");
    let x = g.input(
        "x",
        DataType::Float,
        &[
            Dim::Fixed(1),
            Dim::Fixed(3),
            Dim::named("h"),
            Dim::named("w"),
        ],
    );
    let y = g.node("Concat", &[&x, &x], &[("axis", Attr::Int(1))], "join");
    g.output(&y, &y, DataType::Float, None);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("concat.onnx");
    std::fs::write(&path, seer_onnx::encode(&g.finish())).unwrap();
    let Err(err) = Engine::open(&path, "m", 1, EngineChoice::Native, Tuning::default()) else {
        panic!("the native engine accepted a Concat");
    };
    assert!(
        matches!(err, RuntimeError::NativeUnsupported { .. }),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let cause = err.source().map(|s| s.to_string()).unwrap_or_default();
    assert!(cause.contains("join/Concat"), "{cause}");
    assert!(!err.to_string().contains("--"), "no flag names: {err}");
}
