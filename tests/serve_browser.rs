//! Live reload in headless Chromium: runs `handbook serve` on a copy of
//! tests/fixtures/serve and drives a page with tests/serve/browser.js
//! (playwright-core): the event stream is taken by Chromium's EventSource,
//! an edit reloads the page where it was scrolled, a stylesheet swaps in,
//! and a build error shows over the page until it is fixed.
//!
//! Needs Debian's `chromium` (or CHROMIUM=path) and playwright-core in
//! tests/browser/node_modules or on NODE_PATH. Without them the test says
//! so and passes, except in CI (CI=true), where it fails.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::repo;

/// Long enough never to be hit on a slow machine; only stops a broken test
/// from hanging.
const PATIENCE: Duration = Duration::from_secs(60);

fn skip(why: &str) {
    println!("serve browser test skipped: {why}");
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} (required in CI)"
    );
}

fn node_path() -> String {
    let mut paths = vec![
        repo()
            .join("tests/browser/node_modules")
            .display()
            .to_string(),
    ];
    if let Ok(existing) = std::env::var("NODE_PATH") {
        paths.push(existing);
    }
    paths.join(":")
}

/// A running `handbook serve`, killed when the test ends (even by a panic).
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn live_reload_works_in_headless_chromium() {
    let chromium = std::env::var_os("CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !chromium.exists() {
        return skip(&format!("{} not found", chromium.display()));
    }
    let has_playwright = Command::new("node")
        .args(["-e", "require.resolve('playwright-core')"])
        .env("NODE_PATH", node_path())
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_playwright {
        return skip("node or playwright-core not found");
    }

    let tmp = common::fixture("serve");
    let content = tmp.path().join("content");
    let static_dir = content.join("themes/default/static");
    std::fs::create_dir_all(&static_dir).unwrap();
    std::fs::write(
        static_dir.join("handbook.css"),
        "body { color: rgb(26, 26, 26); }\n",
    )
    .unwrap();
    let mut child = common::bin()
        .current_dir(tmp.path())
        .args(["serve", "content", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the handbook binary runs");
    let out = child.stdout.take().unwrap();
    let serve = Serve(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut url = None;
    loop {
        let line = rx.recv_timeout(PATIENCE).expect("serve starts");
        if let Some(at) = line.split(" at ").nth(1) {
            url = Some(at.to_string());
        }
        if line.starts_with("Watching") {
            break;
        }
    }
    let url = url.expect("serve prints its address");

    let out = Command::new("node")
        .arg(repo().join("tests/serve/browser.js"))
        .arg(&url)
        .arg(&content)
        .arg(&chromium)
        .env("NODE_PATH", node_path())
        .output()
        .expect("node runs");
    drop(serve);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
