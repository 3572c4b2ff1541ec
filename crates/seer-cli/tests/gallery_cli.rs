//! `seer face enroll | identify | subjects | forget | audit` end to end on
//! the labelled photos, with the key from the environment or a key file.

mod common;

use common::{ok, KEY};
use std::path::{Path, PathBuf};
use std::process::Output;

fn faces(file: &str) -> PathBuf {
    seer_testdata::faces().join(file)
}

/// Runs `seer face ARGS… --gallery GALLERY` with the test key set.
fn seer(gallery: &Path, args: &[&str], extra: &[PathBuf]) -> Output {
    common::seer()
        .arg("face")
        .args(args)
        .arg("--gallery")
        .arg(gallery)
        .args(extra)
        .env("SEER_GALLERY_KEY", KEY)
        .output()
        .unwrap()
}

#[test]
fn enroll_identify_list_forget_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.db");
    let obama = [faces("gallery/obama/1.jpg"), faces("gallery/obama/2.jpg")];
    let biden = [faces("gallery/biden/1.jpg"), faces("gallery/biden/2.jpg")];
    ok(&seer(&g, &["enroll", "--subject", "obama"], &obama));
    ok(&seer(&g, &["enroll", "--subject", "biden"], &biden));

    let out = ok(&seer(
        &g,
        &["identify", "--json", "--top-k", "2"],
        &[faces("probes/two_people.jpg")],
    ));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut found: Vec<(f64, String)> = json["faces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let x = f["face"]["bbox"]["x"].as_f64().unwrap();
            (x, f["subject"].as_str().unwrap().to_string())
        })
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    let names: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(names, ["obama", "biden"], "{json}");
    assert_eq!(json["faces"][0]["candidates"].as_array().unwrap().len(), 2);

    let out = ok(&seer(&g, &["subjects", "--json"], &[]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["name"], "biden");
    assert_eq!(json[1]["embeddings"], 2);

    let out = ok(&seer(&g, &["forget"], &[PathBuf::from("obama")]));
    assert!(out.contains("forgot obama"), "{out}");
    let again = seer(&g, &["forget"], &[PathBuf::from("obama")]);
    assert!(!again.status.success());
    let out = ok(&seer(&g, &["identify"], &[faces("probes/obama1.jpg")]));
    assert!(!out.contains("obama "), "{out}");

    let out = ok(&seer(&g, &["audit", "--json"], &[]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let actions: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap(),
                a["subject"].as_str().unwrap(),
            )
        })
        .collect();
    // Each identification is recorded with the subjects it named; the one
    // after `forget` named nobody. The forgotten subject appears everywhere
    // only as one keyed pseudonym, never by name.
    let pseudonym = actions[1].1;
    assert!(
        pseudonym.starts_with("subject:") && pseudonym.len() > "subject:".len() + 8,
        "{actions:?}"
    );
    assert!(!out.contains("obama"), "{out}");
    assert_eq!(
        actions,
        [
            ("create", ""),
            ("enroll", pseudonym),
            ("enroll", "biden"),
            ("identify", &format!("biden;{pseudonym}")),
            ("forget", pseudonym),
            ("identify", ""),
        ]
    );
}

#[test]
fn a_bad_photo_enrols_nothing_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.db");
    ok(&seer(
        &g,
        &["enroll", "--subject", "obama"],
        &[faces("gallery/obama/1.jpg")],
    ));
    let before = std::fs::read(&g).unwrap();
    let blank = dir.path().join("blank.png");
    image::RgbImage::from_pixel(64, 64, image::Rgb([128, 128, 128]))
        .save(&blank)
        .unwrap();
    let out = seer(
        &g,
        &["enroll", "--subject", "obama"],
        &[faces("gallery/obama/2.jpg"), blank],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("blank.png") && err.contains("nothing was enrolled"),
        "{err}"
    );
    let two = seer(
        &g,
        &["enroll", "--subject", "biden"],
        &[faces("probes/two_people.jpg")],
    );
    let err = String::from_utf8_lossy(&two.stderr);
    assert!(
        err.contains("2 faces") && err.contains("--largest"),
        "{err}"
    );
    assert_eq!(std::fs::read(&g).unwrap(), before, "the gallery changed");
    let out = ok(&seer(&g, &["subjects", "--json"], &[]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["embeddings"], 1, "{json}");
}

#[test]
fn keys_come_from_a_file_and_wrong_or_missing_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.db");
    ok(&seer(
        &g,
        &["enroll", "--subject", "obama"],
        &[faces("gallery/obama/1.jpg")],
    ));
    let key_file = dir.path().join("key.hex");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let out = common::seer()
        .args(["face", "subjects", "--gallery"])
        .arg(&g)
        .arg("--key-file")
        .arg(&key_file)
        .env_remove("SEER_GALLERY_KEY")
        .output()
        .unwrap();
    assert!(ok(&out).contains("obama"));
    let out = common::seer()
        .args(["face", "subjects", "--gallery"])
        .arg(&g)
        .env("SEER_GALLERY_KEY", "0123456789abcdef".repeat(4))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong gallery key"));
    let out = common::seer()
        .args(["face", "subjects", "--gallery"])
        .arg(&g)
        .env_remove("SEER_GALLERY_KEY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SEER_GALLERY_KEY"));
}

#[test]
fn export_then_import_restores_the_subjects_and_a_wrong_key_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.db");
    ok(&seer(
        &g,
        &["enroll", "--subject", "obama", "--keep-images"],
        &[faces("gallery/obama/1.jpg")],
    ));
    let archive = dir.path().join("g.seerx");
    let out = ok(&seer(&g, &["export"], std::slice::from_ref(&archive)));
    assert!(out.contains("exported 1 subject"), "{out}");
    let photo = std::fs::read(faces("gallery/obama/1.jpg")).unwrap();
    assert!(std::fs::metadata(&archive).unwrap().len() > photo.len() as u64);

    let restored = dir.path().join("restored.db");
    ok(&seer(
        &restored,
        &["import"],
        std::slice::from_ref(&archive),
    ));
    let out = ok(&seer(&restored, &["subjects", "--json"], &[]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["name"], "obama", "{json}");
    assert_eq!(json[0]["embeddings"], 1, "{json}");

    // Another key: a clear error, and no gallery file is left behind.
    let other = dir.path().join("other.db");
    let out = common::seer()
        .args(["face", "import", "--gallery"])
        .arg(&other)
        .arg(&archive)
        .env("SEER_GALLERY_KEY", "fedcba9876543210".repeat(4))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not open this export"), "{err}");
    assert!(!other.exists());
}

#[test]
fn bench_faces_finds_every_labelled_subject() {
    let out = common::seer()
        .args(["bench", "faces", "--json", "--data"])
        .arg(faces(""))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let totals = &json["totals"];
    assert_eq!(totals["misses"], 0, "{totals}");
    assert_eq!(totals["false_accepts"], 0, "{totals}");
    assert_eq!(totals["rank1_accuracy"], 1.0, "{totals}");
}

/// Runs `seer ARGS…` with the test key set; its exit status and stderr.
fn seer_err(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = common::seer()
        .args(args)
        .env("SEER_GALLERY_KEY", KEY)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn commands_on_a_missing_or_empty_gallery_fail_clearly_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let photo = faces("gallery/obama/1.jpg");
    let blurred = dir.path().join("out.jpg");
    let export = dir.path().join("out.seerx");
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = elsewhere.path().to_path_buf();
    let null = std::path::PathBuf::from("/dev/null");
    for (gallery, want) in [
        (&missing, "does not exist"),
        (&empty, "is not a seer face gallery"),
        (&folder, "is not a seer face gallery"),
        (&null, "is not a seer face gallery"),
    ] {
        let g = gallery.as_os_str();
        let runs: Vec<Vec<&std::ffi::OsStr>> = vec![
            vec![
                "face".as_ref(),
                "identify".as_ref(),
                "--gallery".as_ref(),
                g,
                photo.as_os_str(),
            ],
            vec![
                "face".as_ref(),
                "subjects".as_ref(),
                "--gallery".as_ref(),
                g,
            ],
            vec!["face".as_ref(), "audit".as_ref(), "--gallery".as_ref(), g],
            vec![
                "face".as_ref(),
                "forget".as_ref(),
                "--gallery".as_ref(),
                g,
                "x".as_ref(),
            ],
            vec![
                "face".as_ref(),
                "export".as_ref(),
                "--gallery".as_ref(),
                g,
                export.as_os_str(),
            ],
            vec![
                "face".as_ref(),
                "blur".as_ref(),
                "--except-gallery".as_ref(),
                g,
                photo.as_os_str(),
                blurred.as_os_str(),
            ],
        ];
        for args in runs {
            let (success, err) = seer_err(&args);
            assert!(!success, "{args:?} succeeded");
            assert!(err.contains(want), "{args:?}: {err}");
            assert!(!err.to_lowercase().contains("sqlite"), "{args:?}: {err}");
        }
    }
    // Enrolling into the empty file refuses to overwrite it.
    let (success, err) = seer_err(&[
        "face".as_ref(),
        "enroll".as_ref(),
        "--subject".as_ref(),
        "obama".as_ref(),
        "--gallery".as_ref(),
        empty.as_os_str(),
        photo.as_os_str(),
    ]);
    assert!(!success);
    assert!(err.contains("is not a seer face gallery"), "{err}");
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["empty.db"], "a command created a file");
    let in_folder = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(
        in_folder, 0,
        "a command wrote into the folder given as gallery"
    );
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

#[test]
#[cfg(unix)]
fn identify_on_a_read_only_gallery_fails_and_audits_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.db");
    ok(&seer(
        &g,
        &["enroll", "--subject", "obama"],
        &[faces("gallery/obama/1.jpg")],
    ));
    let audit_before = ok(&seer(&g, &["audit", "--json"], &[]));
    std::fs::set_permissions(&g, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = seer(&g, &["identify"], &[faces("gallery/obama/2.jpg")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the audit entry"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("obama"),
        "a result was shown without its audit entry"
    );
    std::fs::set_permissions(&g, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(ok(&seer(&g, &["audit", "--json"], &[])), audit_before);
}

#[test]
fn the_gallery_file_holds_no_subject_name_and_audit_shows_names_of_the_enrolled() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g.db");
    ok(&seer(
        &g,
        &["enroll", "--subject", "Barack Obama"],
        &[faces("gallery/obama/1.jpg")],
    ));
    ok(&seer(
        &g,
        &["enroll", "--subject", "Joe Biden"],
        &[faces("gallery/biden/1.jpg")],
    ));
    ok(&seer(&g, &["forget", "Joe Biden"], &[]));
    let mut bytes = std::fs::read(&g).unwrap();
    for suffix in ["-wal", "-journal"] {
        let mut name = g.as_os_str().to_owned();
        name.push(suffix);
        bytes.extend(std::fs::read(name).unwrap_or_default());
    }
    for name in ["Obama", "Biden"] {
        assert!(
            !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} is readable in the file"
        );
    }
    let audit = ok(&seer(&g, &["audit"], &[]));
    assert!(audit.contains("Barack Obama"), "{audit}");
    assert!(!audit.contains("Biden"), "{audit}");
    assert!(audit.contains("subject:"), "{audit}");
}
