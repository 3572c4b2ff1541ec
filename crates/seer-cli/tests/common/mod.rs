//! Helpers shared by the CLI tests: running the `seer` binary, checking its
//! exit status and reading its JSON output. Test data comes from
//! `seer_testdata`, clips from `seer_testdata::clip`.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The gallery key the tests use (64 hex digits).
pub const KEY: &str = "3c1f0a9d5e7b2468ace013579bdf02468ace013579bdf02468ace013579bdf01";

/// A command running the `seer` binary under test.
pub fn seer() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seer"))
}

/// A `seer` command with [`KEY`] as the gallery key in the environment.
pub fn seer_with_key() -> Command {
    let mut command = seer();
    command.env("SEER_GALLERY_KEY", KEY);
    command
}

/// Standard error of a finished command, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the command succeeded (showing its stderr if not) and returns
/// its standard output as text.
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "seer failed: {}", stderr(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Parses a finished command's standard output as JSON (showing both
/// streams if it is not JSON).
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

/// Runs a command that must succeed and returns its JSON output.
pub fn run_json(command: &mut Command) -> serde_json::Value {
    let out = command.output().unwrap();
    ok(&out);
    json(&out)
}

/// Every file below `dir`, relative to it, sorted.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    all.sort();
    all
}
