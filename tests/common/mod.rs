//! Helpers shared by the end-to-end tests: run the real binary against
//! fixture handbooks in temporary folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The date every test builds as of, so review and staleness checks are stable.
pub const TODAY: &str = "2026-11-23";

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handbook"));
    cmd.env("HANDBOOK_TODAY", TODAY);
    cmd
}

/// Runs `handbook ARGS…` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the handbook binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of `tests/fixtures/NAME` as `content/` inside a new temporary folder.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &repo().join("tests/fixtures").join(name),
        &tmp.path().join("content"),
    );
    tmp
}

/// A copy of the example handbook as `content/` inside a new temporary folder.
pub fn example() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo().join("content"), &tmp.path().join("content"));
    tmp
}

/// A temporary folder holding `content/` made of the given files.
pub fn handbook(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = tmp.path().join("content").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    tmp
}

/// The smallest handbook.yaml that builds.
pub const CONFIG: &str = "title: Test handbook\nurgent_help:\n  services: []\n";

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("fixture readable");
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// Every file under `dir` (relative path, bytes).
pub fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Runs ../shared/tools/site-check.py when it is there (it is beside the
/// repository on development machines and in CI).
pub fn site_check(args: &[&str]) -> Option<(bool, String)> {
    let script = repo().join("../shared/tools/site-check.py");
    if !script.exists() {
        return None;
    }
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}
