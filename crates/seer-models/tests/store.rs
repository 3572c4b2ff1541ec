//! The model store's failure paths: a flipped checksum on download or in
//! the cache is an error and leaves nothing half-written behind.

use seer_core::progress::NoProgress;
use seer_models::{Catalog, Store, StoreError};

const SMALL_MODEL: &str = "upscale.esrgan-slim.x2";

/// The built-in catalogue with the first file of `SMALL_MODEL` given a wrong sha256.
fn catalogue_with_flipped_checksum() -> (Catalog, String) {
    let mut catalog = Catalog::builtin();
    let model = catalog
        .models
        .iter_mut()
        .find(|m| m.id == SMALL_MODEL)
        .unwrap();
    let file = &mut model.files[0];
    let flipped: String = file
        .sha256
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == '0' {
                    '1'
                } else {
                    '0'
                }
            } else {
                c
            }
        })
        .collect();
    file.sha256 = flipped;
    let path = file.path.clone();
    (catalog, path)
}

#[test]
fn download_with_wrong_checksum_is_rejected_and_removed() {
    let home = tempfile::tempdir().unwrap();
    let (catalog, path) = catalogue_with_flipped_checksum();
    let store = Store::with_catalog(home.path().to_path_buf(), catalog).unwrap();
    let err = store.ensure(SMALL_MODEL, &NoProgress).unwrap_err();
    assert!(
        matches!(&err, StoreError::Checksum { path: p, .. } if *p == path),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("checksum mismatch") && message.contains(&path),
        "{message}"
    );
    // Nothing of the failed download is left where a later run would use it.
    let packages = home.path().join("packages");
    let kept = std::fs::read_dir(&packages).map(|d| d.count()).unwrap_or(0);
    assert_eq!(kept, 0, "no package folder may survive a failed fetch");
    let tmp_left = std::fs::read_dir(home.path().join("tmp")).unwrap().count();
    assert_eq!(tmp_left, 0, "temporary download folders are removed");
    assert!(!home.path().join("onnx").exists());
}

#[test]
fn corrupted_cache_file_fails_verify_and_is_removed() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(home.path().to_path_buf()).unwrap();
    let onnx = store.ensure(SMALL_MODEL, &NoProgress).unwrap();
    let model = store.model(SMALL_MODEL).unwrap().clone();
    assert!(store.verify(&model).unwrap(), "fresh fetch verifies");
    assert!(onnx.is_file());

    // Flip one byte of a weight shard in the cache.
    let shard = model
        .files
        .iter()
        .find(|f| f.path.ends_with(".bin"))
        .unwrap();
    let shard_path = store.file_path(&model, &shard.path);
    let mut bytes = std::fs::read(&shard_path).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&shard_path, &bytes).unwrap();

    let err = store.verify(&model).unwrap_err();
    assert!(
        matches!(&err, StoreError::Checksum { path, .. } if *path == shard.path),
        "{err}"
    );
    assert!(!shard_path.exists(), "the corrupt file is removed");
    assert!(!onnx.exists(), "the ONNX imported from it is removed");
    assert!(!store.status(&model).fetched);

    // A new fetch restores it.
    store.ensure(SMALL_MODEL, &NoProgress).unwrap();
    assert!(store.verify(&model).unwrap());
}

#[test]
fn corrupted_imported_onnx_fails_verify() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(home.path().to_path_buf()).unwrap();
    let onnx = store.ensure(SMALL_MODEL, &NoProgress).unwrap();
    let model = store.model(SMALL_MODEL).unwrap().clone();
    let bytes = std::fs::read(&onnx).unwrap();
    std::fs::write(&onnx, &bytes[..bytes.len() / 3]).unwrap();
    let err = store.verify(&model).unwrap_err();
    assert!(matches!(err, StoreError::BadOnnx { .. }), "{err}");
    assert!(!onnx.exists());
}

#[test]
fn unknown_model_suggests_close_ids() {
    let home = tempfile::tempdir().unwrap();
    let store = Store::open(home.path().to_path_buf()).unwrap();
    let err = store
        .ensure("face.detect", &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown model 'face.detect'") && err.contains("face.detect.full"),
        "{err}"
    );
}

#[test]
fn a_graph_model_is_imported_for_another_input_size_once_and_only_where_it_divides() {
    let store = seer_models::testing::store();
    let id = "scene.detect.centernet";
    // 448x800: every constant resize of the 512x512 graph scales evenly.
    let path = store.ensure_for_input(id, (448, 800), &NoProgress).unwrap();
    assert!(
        path.to_string_lossy().contains("-448x800-"),
        "{}",
        path.display()
    );
    let model = seer_onnx::decode(&std::fs::read(&path).unwrap()).unwrap();
    let graph = model.graph.unwrap();
    let dims = |v: &seer_onnx::proto::ValueInfoProto| -> Option<Vec<i64>> {
        let shape = v.r#type.as_ref()?.tensor_type.as_ref()?.shape.as_ref()?;
        shape
            .dim
            .iter()
            .map(|d| match d.value {
                Some(seer_onnx::proto::DimValue::DimValue(n)) => Some(n),
                _ => None,
            })
            .collect()
    };
    assert_eq!(dims(&graph.input[0]), Some(vec![1, 448, 800, 3]));
    // Only the heads chosen in the catalogue, at stride 4.
    let outputs: Vec<(String, Option<Vec<i64>>)> = graph
        .output
        .iter()
        .map(|o| (o.name.clone(), dims(o)))
        .collect();
    assert_eq!(
        outputs,
        vec![
            ("tower_0/keypoints".to_string(), Some(vec![1, 112, 200, 80])),
            ("tower_0/wh".to_string(), Some(vec![1, 112, 200, 4])),
        ]
    );
    // Cached: the same file again, not re-imported.
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let again = store.ensure_for_input(id, (448, 800), &NoProgress).unwrap();
    assert_eq!(again, path);
    assert_eq!(
        std::fs::metadata(&again).unwrap().modified().unwrap(),
        modified
    );
    // 100x100: the 32x32 resize would become 6.25 pixels.
    let error = store
        .ensure_for_input(id, (100, 100), &NoProgress)
        .unwrap_err();
    assert!(
        error.to_string().contains("does not scale evenly"),
        "{error}"
    );
    assert_eq!(
        seer_core::HasErrorKind::kind(&error),
        seer_core::ErrorKind::InvalidInput
    );
    // A model of another format cannot change its input size.
    let error = store
        .ensure_for_input(SMALL_MODEL, (64, 64), &NoProgress)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::FixedInputSize { .. }),
        "{error}"
    );
}
