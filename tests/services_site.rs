//! The example handbook's service map as a site: the directory, one page
//! per service, cards on pages, tap-to-call links, the editions, and the
//! Open Referral UK export and import.

mod common;

use std::path::Path;

use handbook::date::Date;
use handbook::load::{ServiceFileSource, raw::RawServiceFile, yaml};
use handbook::model::service;

fn build_example(edition: &str) -> tempfile::TempDir {
    let tmp = common::example();
    let out = common::run(
        tmp.path(),
        &["build", "content", "-o", "site", "--edition", edition],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    tmp
}

/// The example's service ids, in file order, with their visibility.
fn example_ids() -> Vec<(String, bool)> {
    let text = common::read(common::repo().join("content/services.yaml"));
    let mut ids = Vec::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("- id: ") {
            id = Some(rest.trim().to_string());
        }
        if let Some(v) = line.trim_start().strip_prefix("visibility: ") {
            ids.push((id.take().unwrap(), v.trim() == "staff"));
        }
    }
    ids
}

#[test]
fn directory_and_one_page_per_service() {
    let ids = example_ids();
    assert!(ids.len() >= 16 && ids.iter().any(|(_, staff)| *staff));
    for edition in ["public", "staff"] {
        let tmp = build_example(edition);
        let site = tmp.path().join("site");
        let directory = common::read(site.join("services/index.html"));
        // print.html ends with every service of the edition.
        let print = common::read(site.join("print.html"));
        assert!(
            print.contains("<h2 id=\"print-services-title\">Support services</h2>"),
            "{edition}: print.html has a Support services part"
        );
        assert!(print.contains("<a href=\"#print-services\">Support services</a>"));
        for (id, staff) in &ids {
            assert_eq!(
                print.contains(&format!("id=\"service-{id}\"")),
                edition == "staff" || !staff,
                "{edition}: print.html card for {id}"
            );
            let in_edition = edition == "staff" || !staff;
            assert_eq!(
                site.join(format!("services/{id}.html")).exists(),
                in_edition,
                "{edition}: {id}"
            );
            assert_eq!(
                directory.contains(&format!("id=\"service-{id}\"")),
                in_edition,
                "{edition}: card for {id}"
            );
        }
        // Urgent services come first.
        let urgent = directory.find("id=\"group-urgent\"").expect("urgent group");
        let first_other = directory
            .find("class=\"service-group\" id=\"group-nhs\"")
            .unwrap();
        assert!(urgent < first_other);
        assert!(directory.contains("static/services.js"));
        // Every filter value is also a link to a list, for readers without JavaScript.
        for anchor in ["type-helpline", "for-parents", "age-11-15", "area-westmere"] {
            assert!(
                directory.contains(&format!("href=\"#{anchor}\"")),
                "{anchor}"
            );
            assert!(directory.contains(&format!("id=\"{anchor}\"")), "{anchor}");
        }
        if let Some((ok, report)) = common::site_check(&["links", site.to_str().unwrap()]) {
            let broken: Vec<&str> = report
                .lines()
                .filter(|l| l.contains("services/") || l.contains("services.json"))
                .collect();
            assert!(broken.is_empty() || ok, "{report}");
        }
    }
}

#[test]
fn only_the_directory_loads_the_filter_script() {
    let tmp = build_example("public");
    let site = tmp.path().join("site");
    assert!(site.join("static/services.js").exists());
    assert!(!common::read(site.join("services/childline.html")).contains("services.js"));
    assert!(!common::read(site.join("index.html")).contains("services.js"));
}

#[test]
fn pages_show_cards_for_the_services_they_name() {
    let tmp = build_example("public");
    let page = common::read(tmp.path().join("site/signposting/local-services.html"));
    for id in [
        "ashby-vale-counselling",
        "westmere-mhst",
        "westmere-cypmhs-spa",
        "westmere-young-carers",
        "westmere-bereavement",
        "westmere-parents-together",
    ] {
        assert!(page.contains(&format!("id=\"service-{id}\"")), "{id}");
        assert!(
            page.contains(&format!("href=\"../services/{id}.html\"")),
            "{id}"
        );
    }
    assert!(page.contains("Ages 11 to 18"));
    assert!(page.contains("Last checked <time datetime=\"2026-09-15\">15 September 2026</time>"));
    // The urgent-help box: tap-to-call for the services handbook.yaml names.
    assert!(page.contains("href=\"tel:08001111\""));
    assert!(page.contains("href=\"sms:85258\""));
}

#[test]
fn tel_and_sms_links_hold_only_digits_and_plus() {
    for edition in ["public", "staff"] {
        let tmp = build_example(edition);
        let mut count = 0;
        for (path, bytes) in common::all_files(&tmp.path().join("site")) {
            let text = String::from_utf8_lossy(&bytes);
            for scheme in ["href=\"tel:", "href=\"sms:"] {
                for (at, _) in text.match_indices(scheme) {
                    let rest = &text[at + scheme.len()..];
                    let value = &rest[..rest.find('"').unwrap()];
                    assert!(
                        !value.is_empty() && value.chars().all(|c| c.is_ascii_digit() || c == '+'),
                        "{path}: {scheme}{value}"
                    );
                    count += 1;
                }
            }
        }
        assert!(count > 100, "{count}");
    }
}

#[test]
fn nothing_of_a_staff_service_reaches_the_public_edition() {
    let text = common::read(common::repo().join("content/services.yaml"));
    assert!(text.contains("consult@westmere-cypmhs.example.org"));
    let marks = [
        "westmere-camhs-consultation",
        "consult@westmere-cypmhs.example.org",
        "01632 960199",
        "01632960199",
        "consultation line",
        "Do not give this number to pupils",
    ];
    let staff = build_example("staff");
    let staff_files = common::all_files(&staff.path().join("site"));
    for mark in marks {
        assert!(
            staff_files
                .iter()
                .any(|(_, b)| String::from_utf8_lossy(b).contains(mark)),
            "the staff edition has {mark}"
        );
    }
    let public = build_example("public");
    let site = public.path().join("site");
    for (path, bytes) in common::all_files(&site) {
        let text = String::from_utf8_lossy(&bytes);
        for mark in marks {
            assert!(!text.contains(mark), "{path} holds {mark}");
        }
    }
    if let Some((ok, report)) =
        common::site_check(&[&["absent", site.to_str().unwrap()][..], &marks[..]].concat())
    {
        assert!(ok, "{report}");
    }
}

fn services_of(path: &Path, text: &str) -> serde_json::Value {
    let raw: RawServiceFile = yaml::parse(text, path, 1).expect("valid YAML");
    let file = ServiceFileSource {
        path: path.to_path_buf(),
        text: text.to_string(),
        raw,
    };
    let mut diagnostics = Vec::new();
    let services = service::from_sources(
        &[file],
        Date::parse(common::TODAY).unwrap(),
        &mut diagnostics,
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    serde_json::to_value(&services).unwrap()
}

#[test]
fn export_then_import_gives_back_the_same_services() {
    let tmp = build_example("staff");
    let json_path = tmp.path().join("site/services.json");
    let json: serde_json::Value = serde_json::from_str(&common::read(&json_path)).unwrap();
    let first = &json["content"][0];
    assert_eq!(first["status"], "active");
    assert_eq!(first["contacts"][0]["phones"][0]["number"], "999");
    assert!(
        first.get("minimum_age").is_none(),
        "empty fields are left out"
    );

    let out = common::run(
        tmp.path(),
        &[
            "import-services",
            "site/services.json",
            "-o",
            "imported.yaml",
        ],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let original_path = common::repo().join("content/services.yaml");
    let original = services_of(&original_path, &common::read(&original_path));
    let imported_path = tmp.path().join("imported.yaml");
    let imported = services_of(&imported_path, &common::read(&imported_path));
    assert_eq!(original.as_array().unwrap().len(), example_ids().len());
    assert_eq!(original, imported);

    // The imported file is a working service map.
    std::fs::copy(&imported_path, tmp.path().join("content/services.yaml")).unwrap();
    let out = common::run(tmp.path(), &["build", "content", "-o", "again"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
}

#[test]
fn import_never_overwrites_without_force() {
    let tmp = build_example("public");
    std::fs::write(tmp.path().join("services.yaml"), "keep me\n").unwrap();
    let out = common::run(tmp.path(), &["import-services", "site/services.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("services.yaml: error: already exists; nothing was written")
    );
    assert_eq!(common::read(tmp.path().join("services.yaml")), "keep me\n");
    let out = common::run(
        tmp.path(),
        &["import-services", "site/services.json", "--force"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(common::read(tmp.path().join("services.yaml")).contains("  - id: childline\n"));
}

#[test]
fn import_reports_what_needs_checking() {
    let json = r#"[{"id": "17", "name": "Westmere Youth Line", "url": "http://youth.example.org/",
        "contacts": [{"phones": [{"number": "01632 960777"}]}]}]"#;
    let tmp = common::handbook(&[]);
    std::fs::write(tmp.path().join("council.json"), json).unwrap();
    let out = common::run(
        tmp.path(),
        &["import-services", "council.json", "-o", "s.yaml"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(
        err.contains(
            "s.yaml:4:3: warning: service `westmere-youth-line` has no `last_verified` date"
        ),
        "{err}"
    );
    assert!(
        err.contains("warning: website `http://youth.example.org/` must start with https://"),
        "{err}"
    );
}

/// The directory's filter script, run by Node.js against a stand-in DOM
/// (tests/js/services_filter.js); skipped where Node.js is not installed.
#[test]
fn the_filter_script_narrows_the_cards() {
    let repo = common::repo();
    let Ok(out) = std::process::Command::new("node")
        .arg(repo.join("tests/js/services_filter.js"))
        .arg(repo.join("themes/default/static/services.js"))
        .output()
    else {
        eprintln!("node is not installed; skipping");
        return;
    };
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
