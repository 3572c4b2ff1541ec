//! A missing or foreign runtime library is a clear error naming the fix,
//! never a panic or a hang.

use seer_runtime::{init, RuntimeError};

#[test]
fn missing_library_names_the_fix() {
    let err = init(std::path::Path::new("/nonexistent/libonnxruntime.so")).unwrap_err();
    assert!(matches!(err, RuntimeError::LibraryMissing { .. }));
    let message = err.to_string();
    assert!(
        message.contains("seer models fetch runtime.onnxruntime"),
        "{message}"
    );
    assert!(message.contains("ORT_DYLIB_PATH"), "{message}");
}

#[test]
fn a_file_that_is_not_a_library_is_rejected() {
    let dir = std::env::temp_dir().join(format!("seer-runtime-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("libonnxruntime.so");
    std::fs::write(&fake, b"this is not a shared library").unwrap();
    let err = init(&fake).unwrap_err();
    assert!(matches!(err, RuntimeError::LibraryInvalid { .. }), "{err}");
    assert!(err.to_string().contains("not a shared library"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_shared_library_that_is_not_onnx_runtime_is_rejected() {
    // libc is a real shared library without OrtGetApiBase.
    let libc = [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/aarch64-linux-gnu/libc.so.6",
        "/usr/lib64/libc.so.6",
    ]
    .into_iter()
    .map(std::path::Path::new)
    .find(|p| p.is_file());
    let Some(libc) = libc else {
        panic!("no libc.so.6 found to test with");
    };
    let err = init(libc).unwrap_err();
    assert!(err.to_string().contains("OrtGetApiBase"), "{err}");
}
