//! Real-browser checks of the built example handbook.
//!
//! Builds the public and staff editions of `content/` into a temporary
//! directory and runs `node tests/browser/suite.mjs` on them (axe-core in light
//! and dark mode, keyboard walk and operation of filters and diagrams, 320 px
//! reflow, file:// and sub-path hosting, print to PDF, screenshots into
//! target/screenshots; see docs/browser.md). The suite prints one
//! line per failure and ends with `N passed, M failed`.
//!
//! Needs /usr/bin/chromium, pdftotext, node, and `npm ci --prefix tests/browser`.
//! When those are missing the test fails under CI=true and is skipped with a
//! note otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

fn under_ci() -> bool {
    match std::env::var("CI") {
        Ok(v) => !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"),
        Err(_) => false,
    }
}

fn missing_prerequisites(root: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("/usr/bin/chromium (apt-get install chromium)".to_string());
    }
    let modules = root.join("tests/browser/node_modules");
    if !modules.join("playwright-core").is_dir() || !modules.join("axe-core").is_dir() {
        missing.push("tests/browser/node_modules (npm ci --prefix tests/browser)".to_string());
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".to_string());
    }
    if Command::new("pdftotext").arg("-v").output().is_err() {
        missing.push("pdftotext (apt-get install poppler-utils)".to_string());
    }
    missing
}

fn build_edition(root: &Path, out: &Path, staff: bool) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handbook"));
    cmd.current_dir(root)
        .arg("build")
        .arg("content")
        .arg("-o")
        .arg(out);
    if staff {
        cmd.arg("--edition").arg("staff");
    }
    let output = cmd.output().expect("failed to run the handbook binary");
    assert!(
        output.status.success(),
        "`handbook build content -o {}{}` failed ({}):\n{}{}",
        out.display(),
        if staff { " --edition staff" } else { "" },
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        out.join("index.html").is_file(),
        "{} has no index.html after the build",
        out.display()
    );
}

#[test]
fn browser_suite() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let missing = missing_prerequisites(&root);
    if !missing.is_empty() {
        let msg = format!("browser tests need: {}", missing.join(", "));
        if under_ci() {
            panic!("{msg}");
        }
        eprintln!("note: skipping the browser tests; {msg}");
        return;
    }

    let tmp = tempfile::tempdir().expect("temp dir");
    let public = tmp.path().join("public");
    let staff = tmp.path().join("staff");
    build_edition(&root, &public, false);
    build_edition(&root, &staff, true);

    let shots = root.join("target").join("screenshots");
    // The suite's output goes straight to the terminal/CI log.
    let status = Command::new("node")
        .current_dir(&root)
        .arg(root.join("tests/browser/suite.mjs"))
        .arg("--public")
        .arg(&public)
        .arg("--staff")
        .arg(&staff)
        .arg("--shots")
        .arg(&shots)
        .status()
        .expect("failed to run node tests/browser/suite.mjs");
    assert!(
        status.success(),
        "browser suite failed ({status}); see the FAIL lines above; screenshots in {}",
        shots.display()
    );
}
