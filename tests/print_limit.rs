//! print.html holds the whole edition for handbooks of up to 300 pages, and
//! only the contents (linking to each page) for larger ones.

mod common;

use common::{handbook, read, run, stderr};

fn pages(count: usize) -> Vec<(String, String)> {
    let mut files = vec![(
        "handbook.yaml".to_string(),
        "title: Big handbook\n".to_string(),
    )];
    for i in 0..count {
        files.push((
            format!("policy/page-{i:03}.md"),
            format!("---\ntitle: Page {i}\n---\n\nBody text of page {i}, unique-marker-{i}.\n"),
        ));
    }
    files
}

fn build(count: usize) -> String {
    let files = pages(count);
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let tmp = handbook(&refs);
    let out = run(tmp.path(), &["build", "content", "-o", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    read(tmp.path().join("site/print.html"))
}

#[test]
fn small_handbooks_print_whole() {
    // 297 pages, the policy section's index and the home: 299 in all.
    let print = build(297);
    assert!(
        print.contains("unique-marker-296"),
        "page bodies are printed"
    );
    assert!(print.contains("href=\"#page-policy-page-000\""));
    assert!(!print.contains("too many to print"));
}

#[test]
fn large_handbooks_print_the_contents_only() {
    // 299 pages, the section's index and the home: 301 in all.
    let print = build(299);
    assert!(!print.contains("unique-marker-"), "no page body is printed");
    assert!(print.contains("This handbook has 301 pages: too many to print as one."));
    assert!(print.contains("href=\"policy/page-298.html\">Page 298</a>"));
}
