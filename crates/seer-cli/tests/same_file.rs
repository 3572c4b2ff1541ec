//! An output that is the input file is refused before anything is written,
//! for every command that writes an image: the input stays as it was.

mod common;

use common::{seer, stderr};
use std::path::Path;

/// Runs `args` (with `file` wherever `FILE` stands) and checks that it
/// fails naming the clash and leaves `file` byte for byte unchanged.
fn refused(file: &Path, args: &[&str]) {
    let before = std::fs::read(file).unwrap();
    let out = seer()
        .args(args.iter().map(|a| {
            if *a == "FILE" {
                file.as_os_str().to_owned()
            } else {
                (*a).into()
            }
        }))
        .output()
        .unwrap();
    let text = stderr(&out);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(text.contains("is the input"), "{args:?}: {text}");
    assert_eq!(
        std::fs::read(file).unwrap(),
        before,
        "{args:?} changed the input"
    );
}

#[test]
fn writing_over_the_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("obama.jpg");
    std::fs::copy(seer_testdata::path("faces/probes/obama1.jpg"), &photo).unwrap();
    refused(&photo, &["upscale", "--model", "fast", "FILE", "FILE"]);
    refused(&photo, &["face", "blur", "FILE", "FILE"]);
    refused(&photo, &["face", "detect", "FILE", "--draw", "FILE"]);
    // The same file reached through `..` is the same file.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let other_name = sub.join("../obama.jpg");
    let before = std::fs::read(&photo).unwrap();
    let out = seer()
        .args(["face", "blur"])
        .arg(&photo)
        .arg(&other_name)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&photo).unwrap(), before);
}
