//! Search end to end: the index built for the example handbook answers a
//! set of real queries (run by the site's own search.js under Node), holds
//! nothing from the staff edition, and the A–Z page and search box are there.

mod common;

#[path = "search/corpus.rs"]
mod corpus;

use std::path::Path;
use std::process::Command;

use common::{example, read, repo, run, stderr, stdout};
use handbook::render::search::tokenise::tokenise;

/// Node runs the site's search.js; without it these tests cannot run.
fn node() -> bool {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!("node is not installed: skipping the search script tests");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "node is required in CI"
        );
    }
    found
}

fn build(tmp: &Path, edition: &str) -> std::path::PathBuf {
    let out = run(
        tmp,
        &["build", "content", "-o", "site", "--edition", edition],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    tmp.join("site")
}

fn node_script(script: &str, args: &[&Path]) -> std::process::Output {
    Command::new("node")
        .arg(repo().join("tests/search").join(script))
        .args(args)
        .output()
        .expect("node runs")
}

#[test]
fn query_set_finds_the_right_page_in_the_top_three() {
    if !node() {
        return;
    }
    let tmp = example();
    let site = build(tmp.path(), "public");
    let queries = repo().join("tests/search/queries.json");
    let count = serde_json::from_str::<Vec<serde_json::Value>>(&read(&queries))
        .unwrap()
        .len();
    assert!(count >= 30, "the query set has {count} queries");
    let out = node_script("check.js", &[&site, &queries]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{count}/{count} queries passed")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_script_tokenises_like_the_index_and_matches_typos() {
    if !node() {
        return;
    }
    let tmp = example();
    let site = build(tmp.path(), "public");
    let samples = [
        "self-harm, self harm and selfharm",
        "My child's worries — don't panic!",
        "Élève naïve café STRASSE Ŵyn",
        "camhs/cypmhs referral (0800 1111) 24/7",
        "--well-being-- 'quoted' O\u{2019}Brien",
        "ＡＢＣ full width ١٢٣ digits",
    ];
    let cases: Vec<(String, Vec<String>)> = samples
        .iter()
        .map(|s| {
            let words = tokenise(s)
                .into_iter()
                .map(|t| {
                    if t.joined {
                        format!("+{}", t.word)
                    } else {
                        t.word
                    }
                })
                .collect();
            (s.to_string(), words)
        })
        .collect();
    let tokens = tmp.path().join("tokens.json");
    std::fs::write(&tokens, serde_json::to_string(&cases).unwrap()).unwrap();
    let out = node_script("unit.js", &[&site, &tokens]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn public_index_holds_nothing_from_staff_pages_or_services() {
    let tmp = example();
    let site = build(tmp.path(), "public");
    let index = read(site.join("search/index.js"));
    for staff in [
        "roles/dsl-rota.html",
        "staff/recording-concerns.html",
        "staff/internal-escalation-contacts.html",
        "westmere-camhs-consultation",
        "DSL duty rota",
        "Internal escalation contacts",
    ] {
        assert!(!index.contains(staff), "the public index mentions {staff}");
    }
    assert!(index.contains("roles/designated-safeguarding-lead.html"));
    assert!(index.contains("services/childline.html"));
    let az = read(site.join("search.html"));
    assert!(
        !az.contains("DSL duty rota") && !az.contains("professionals"),
        "staff entries on the public A–Z"
    );

    let tmp = example();
    let site = build(tmp.path(), "staff");
    let index = read(site.join("search/index.js"));
    assert!(index.contains("roles/dsl-rota.html") && index.contains("westmere-camhs-consultation"));
}

#[test]
fn index_is_json_a_script_cannot_escape() {
    let tmp = common::handbook(&[
        ("handbook.yaml", common::CONFIG),
        ("index.md", "---\ntitle: Home\n---\nHello.\n"),
        (
            "a.md",
            "---\ntitle: \"</script><script>alert(1)</script>\"\nsummary: \"<!-- & -->\"\n---\nText </script> here.\n",
        ),
    ]);
    let out = run(tmp.path(), &["build", "content", "-o", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = read(tmp.path().join("site/search/index.js"));
    assert!(
        index.starts_with("window.__handbookSearch(\"index\",{"),
        "{}",
        &index[..60]
    );
    assert!(
        !index.contains('<') && !index.contains('&'),
        "raw markup in the index"
    );
    assert!(index.contains("\\u003c/script\\u003e"));
}

#[test]
fn every_page_has_the_search_box_first_and_the_a_to_z_lists_everything() {
    let tmp = example();
    let site = build(tmp.path(), "public");
    for entry in walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") || path.ends_with("print.html") {
            continue;
        }
        let html = read(path);
        let first_input = html
            .find("<input")
            .unwrap_or_else(|| panic!("{} has no input", path.display()));
        assert!(
            html[first_input..].starts_with("<input type=\"search\" id=\"search-q\""),
            "{}: the first input is not the search box",
            path.display()
        );
        assert!(
            html.contains("<label for=\"search-q\">"),
            "{}: no visible label",
            path.display()
        );
        assert!(html.contains("id=\"search-results\""), "{}", path.display());
        for tag in html.split("<script").skip(1) {
            let open_tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(
                !open_tag.contains("search.js"),
                "{}: search.js must load on focus only",
                path.display()
            );
        }
    }
    let az = read(site.join("search.html"));
    let index = read(site.join("index.html"));
    assert!(index.contains("action=\"search.html\""));
    assert!(read(site.join("parents/exam-stress.html")).contains("action=\"../search.html\""));
    let entries = az.matches("<span class=\"az-kind\">").count();
    // 41 public pages plus the home, sections and 15 public services.
    let pages = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path().extension().is_some_and(|x| x == "html")
                && !["404.html", "print.html", "search.html"]
                    .iter()
                    .any(|n| e.path().ends_with(n))
                // Service pages are listed once each, as services.
                && !e.path().starts_with(site.join("services"))
        })
        .count();
    assert_eq!(entries, pages + 15, "A–Z entries");
    assert!(az.contains("<a href=\"services/childline.html\">Childline</a>"));
    assert!(
        az.contains("<a href=\"parents/exam-stress.html\">Helping your child with exam stress</a>")
    );
    assert!(az.contains("id=\"az-h\""));
}

#[test]
fn a_large_handbook_is_sharded_and_one_query_loads_little() {
    if !node() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    corpus::write(&tmp.path().join("content"), 800, &repo().join("content"));
    let site = build(tmp.path(), "public");
    assert!(
        site.join("search/t").is_dir() && site.join("search/d").is_dir(),
        "no shards"
    );
    let entry = std::fs::metadata(site.join("search/index.js"))
        .unwrap()
        .len();
    assert!(entry < 50 * 1024, "the entry file is {entry} bytes");
    let out = node_script(
        "bench.js",
        &[&site, Path::new("support worried"), Path::new("sucide")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_str(stdout(&out).trim()).unwrap();
    for row in &rows {
        let bytes = row["bytes"].as_u64().unwrap();
        assert!(bytes < 300 * 1024, "{row}");
        assert!(row["files"].as_u64().unwrap() >= 2, "{row}");
    }
    assert!(rows[0]["results"].as_u64().unwrap() > 0, "{}", rows[0]);
    assert_eq!(rows[1]["crisis"], true);
}
