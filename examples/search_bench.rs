//! The search benchmark: generates handbooks of 100, 1,000 and 10,000
//! pages, builds each, and reports the index build time, the total index
//! size, and for typical queries the bytes a reader loads and the time to
//! answer (the site's own search.js run by Node).
//!
//! `cargo run --release --example search_bench [PAGES…]`

#[path = "../tests/search/corpus.rs"]
mod corpus;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use handbook::{BuildOptions, CompileOptions, date::Date, render::search::index};

const QUERIES: &[&str] = &[
    "support worried",
    "referral",
    "sucide",
    "mental health lead",
    "parnet meeting",
];

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100, 1_000, 10_000]
    } else {
        sizes
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let today = Date::parse("2026-11-23").expect("a date");
    for pages in sizes {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("content");
        corpus::write(&dir, pages, &repo.join("content"));
        let options = CompileOptions {
            today,
            ..CompileOptions::default()
        };
        let (handbook, _theme, rendered, _) =
            handbook::analyse(&dir, options).unwrap_or_else(|f| {
                for d in f.diagnostics() {
                    eprintln!("{d}");
                }
                panic!("the generated handbook does not build");
            });
        let started = Instant::now();
        let built = index::build(&handbook, &rendered);
        let index_ms = started.elapsed().as_secs_f64() * 1000.0;
        let out = tmp.path().join("site");
        let started = Instant::now();
        handbook::build(&BuildOptions {
            dir: dir.clone(),
            out: out.clone(),
            compile: options,
        })
        .unwrap_or_else(|_| panic!("build failed"));
        let build_ms = started.elapsed().as_secs_f64() * 1000.0;
        let (bytes, files) = walkdir::WalkDir::new(out.join("search"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .fold((0u64, 0usize), |(b, n), e| {
                (b + e.metadata().map_or(0, |m| m.len()), n + 1)
            });
        println!(
            "{pages} pages: {} documents, index built in {index_ms:.0} ms (whole site {build_ms:.0} ms); index {} files ({files} written), {:.1} KB",
            count_docs(&handbook, &rendered),
            built.files.len(),
            bytes as f64 / 1024.0
        );
        let report = Command::new("node")
            .arg(repo.join("tests/search/bench.js"))
            .arg(&out)
            .args(QUERIES)
            .output()
            .expect("node runs");
        let text = String::from_utf8_lossy(&report.stdout);
        let rows: Vec<serde_json::Value> = serde_json::from_str(text.trim()).unwrap_or_default();
        for row in rows {
            println!(
                "  {:<22} loads {:>3} files, {:>6.1} KB; first answer {:>7.1} ms, while typing {:>6.2} ms; {} results{}",
                format!("{:?}", row["q"].as_str().unwrap_or("")),
                row["files"],
                row["bytes"].as_f64().unwrap_or(0.0) / 1024.0,
                row["first_ms"].as_f64().unwrap_or(0.0),
                row["warm_ms"].as_f64().unwrap_or(0.0),
                row["results"],
                if row["crisis"] == true {
                    " (urgent help first)"
                } else {
                    ""
                }
            );
        }
        if !report.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&report.stderr));
        }
        browser(repo, &out);
    }
}

fn count_docs(
    handbook: &handbook::model::Handbook,
    rendered: &[handbook::render::Rendered],
) -> usize {
    handbook.services.len()
        + rendered
            .iter()
            .map(|r| r.blocks.len().max(1))
            .sum::<usize>()
}

/// The same queries typed in headless Chromium, when it and playwright-core
/// (tests/browser/node_modules or NODE_PATH) are there.
fn browser(repo: &Path, site: &Path) {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut node_path = repo
        .join("tests/browser/node_modules")
        .display()
        .to_string();
    if let Ok(more) = std::env::var("NODE_PATH") {
        node_path = format!("{node_path}:{more}");
    }
    if !Path::new(&chromium).exists() {
        println!("  (no Chromium: browser timings skipped)");
        return;
    }
    let Ok(report) = Command::new("node")
        .arg(repo.join("tests/search/bench-browser.js"))
        .arg(site)
        .arg(&chromium)
        .args(QUERIES)
        .env("NODE_PATH", node_path)
        .output()
    else {
        return;
    };
    if !report.status.success() {
        println!(
            "  (browser timings skipped: {})",
            String::from_utf8_lossy(&report.stderr).trim()
        );
        return;
    }
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(String::from_utf8_lossy(&report.stdout).trim()).unwrap_or_default();
    for row in rows {
        println!(
            "  in Chromium {:<22} results shown {:>7.1} ms after typing (first query), {:>6.1} ms (again)",
            format!("{:?}", row["q"].as_str().unwrap_or("")),
            row["first_ms"].as_f64().unwrap_or(0.0),
            row["again_ms"].as_f64().unwrap_or(0.0)
        );
    }
}
