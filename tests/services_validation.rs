//! Each rule of the service map, broken on purpose: the build fails with
//! the exact file, line, column and message.

mod common;

use std::process::Output;

/// A service that passes every rule; each test breaks one line of it.
const GOOD: &str = r#"services:
  - id: test-line
    name: Test line
    category: helpline
    audiences: [pupils]
    ages: { min: 5, max: 18 }
    contact:
      phone: "01632 960000"
      email: help@example.org
      website: https://example.org/
    referral: self
    last_verified: 2026-10-01
"#;

fn build_with(files: &[(&str, &str)], extra: &[&str]) -> (Output, tempfile::TempDir) {
    let mut all = vec![("handbook.yaml", common::CONFIG)];
    all.extend_from_slice(files);
    let tmp = common::handbook(&all);
    let mut args = vec!["build", "content", "-o", "site"];
    args.extend_from_slice(extra);
    (common::run(tmp.path(), &args), tmp)
}

/// Builds GOOD with `from` replaced by `to` and returns stderr, asserting failure.
fn errors(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    let yaml = GOOD.replace(from, to);
    let (out, tmp) = build_with(&[("services.yaml", &yaml)], &[]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!tmp.path().join("site").exists(), "nothing is written");
    err
}

fn assert_has(stderr: &str, line: &str) {
    assert!(
        stderr.lines().any(|l| l == line),
        "expected line\n  {line}\nin\n{stderr}"
    );
}

#[test]
fn the_good_service_builds() {
    let (out, tmp) = build_with(&[("services.yaml", GOOD)], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(tmp.path().join("site/services/test-line.html").exists());
}

#[test]
fn unknown_category() {
    let err = errors("category: helpline", "category: helpine");
    assert_has(
        &err,
        "content/services.yaml:4:15: error: unknown category `helpine`",
    );
    assert!(err.contains("did you mean `helpline`?"), "{err}");
}

#[test]
fn unknown_audience_is_an_error_not_dropped() {
    let err = errors("[pupils]", "[pupils, teens]");
    assert_has(
        &err,
        "content/services.yaml:5:25: error: unknown audience `teens`",
    );
}

#[test]
fn unknown_referral() {
    let err = errors("referral: self", "referral: doctor");
    assert_has(
        &err,
        "content/services.yaml:11:15: error: unknown referral `doctor`",
    );
}

#[test]
fn ages_min_above_max() {
    let err = errors("{ min: 5, max: 18 }", "{ min: 18, max: 5 }");
    assert_has(
        &err,
        "content/services.yaml:6:22: error: ages.max 5 is below ages.min 18",
    );
}

#[test]
fn phone_with_other_characters() {
    let err = errors("\"01632 960000\"", "\"0800-1111\"");
    assert_has(
        &err,
        "content/services.yaml:8:15: error: phone number `0800-1111` may hold only digits and spaces, with an optional leading +44",
    );
}

#[test]
fn phone_of_the_wrong_length() {
    let err = errors("\"01632 960000\"", "\"01632 9600\"");
    assert_has(
        &err,
        "content/services.yaml:8:15: error: phone number `01632 9600` has 9 digits; UK numbers have 10 or 11, starting with 0",
    );
}

#[test]
fn short_numbers_and_text_codes_are_valid() {
    for (from, to) in [
        ("phone: \"01632 960000\"", "phone: \"999\""),
        ("phone: \"01632 960000\"", "phone: \"111\""),
        ("phone: \"01632 960000\"", "phone: \"116 123\""),
        ("phone: \"01632 960000\"", "phone: \"+44 1632 960000\""),
        ("phone: \"01632 960000\"", "text: \"85258\""),
    ] {
        let yaml = GOOD.replace(from, to);
        let (out, _tmp) = build_with(&[("services.yaml", &yaml)], &[]);
        assert!(out.status.success(), "{to}: {}", common::stderr(&out));
    }
}

#[test]
fn text_that_is_not_a_number() {
    let err = errors("phone: \"01632 960000\"", "text: \"SHOUT 85258\"");
    assert_has(
        &err,
        "content/services.yaml:8:14: error: text number `SHOUT 85258` may hold only digits and spaces, with an optional leading +44",
    );
}

#[test]
fn website_must_be_https() {
    let err = errors("https://example.org/", "http://example.org/");
    assert_has(
        &err,
        "content/services.yaml:10:16: error: website `http://example.org/` must start with https://",
    );
}

#[test]
fn email_syntax() {
    let err = errors("help@example.org", "help.example.org");
    assert_has(
        &err,
        "content/services.yaml:9:14: error: email `help.example.org` is not an email address",
    );
}

#[test]
fn impossible_date() {
    let err = errors("2026-10-01", "2026-13-01");
    assert_has(
        &err,
        "content/services.yaml:12:20: error: last_verified: `2026-13-01` has no month 13; months run from 01 to 12",
    );
}

#[test]
fn date_in_the_future() {
    let err = errors("2026-10-01", "2027-01-01");
    assert_has(
        &err,
        "content/services.yaml:12:20: error: last_verified 2027-01-01 is after today (2026-11-23)",
    );
}

#[test]
fn id_syntax() {
    let err = errors("id: test-line", "id: Test_Line");
    assert_has(
        &err,
        "content/services.yaml:2:9: error: service id `Test_Line` may use only a-z, 0-9 and `-`",
    );
}

#[test]
fn name_is_required() {
    let err = errors("    name: Test line\n", "");
    assert_has(
        &err,
        "content/services.yaml:2:3: error: service `test-line` has no `name`",
    );
}

#[test]
fn last_verified_is_required() {
    let err = errors("    last_verified: 2026-10-01\n", "");
    assert_has(
        &err,
        "content/services.yaml:2:3: error: service `test-line` has no `last_verified` date",
    );
}

#[test]
fn at_least_one_contact() {
    let err = errors(
        "    contact:\n      phone: \"01632 960000\"\n      email: help@example.org\n      website: https://example.org/\n",
        "",
    );
    assert_has(
        &err,
        "content/services.yaml:2:3: error: service `test-line` has no contact",
    );
}

#[test]
fn duplicate_ids_across_files_name_both_places() {
    let (out, _tmp) = build_with(&[("services/a.yaml", GOOD), ("services/b.yaml", GOOD)], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_has(
        &common::stderr(&out),
        "content/services/b.yaml:2:3: error: service id `test-line` is already used at content/services/a.yaml:2",
    );
}

#[test]
fn a_later_file_may_override_on_purpose() {
    let later = GOOD.replace(
        "    name: Test line",
        "    override: true\n    name: Better line",
    );
    let (out, tmp) = build_with(
        &[("services/a.yaml", GOOD), ("services/b.yaml", &later)],
        &[],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let page = common::read(tmp.path().join("site/services/test-line.html"));
    assert!(page.contains("Better line") && !page.contains("Test line"));
}

#[test]
fn markdown_in_the_services_folder_is_reported() {
    let (out, _tmp) = build_with(
        &[
            ("services/a.yaml", GOOD),
            ("services/about.md", "---\ntitle: About\n---\nHi\n"),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out)
            .contains("content/services/about.md: error: a Markdown page cannot live in services/"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn unknown_service_ids_anywhere_are_errors_at_their_line() {
    let config = "title: T\nurgent_help:\n  services: [test-line, nope]\n";
    let page = "---\ntitle: P\nservices: [test-lin]\n---\nSee [it](service:tst-line).\n";
    let tmp = common::handbook(&[
        ("handbook.yaml", config),
        ("services.yaml", GOOD),
        ("p.md", page),
    ]);
    let out = common::run(tmp.path(), &["build", "content", "-o", "site"]);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_has(
        &err,
        "content/handbook.yaml:3:25: error: unknown service `nope`",
    );
    assert_has(&err, "content/p.md:3:12: error: unknown service `test-lin`");
    assert_has(
        &err,
        "content/p.md:5:5: error: link to unknown service `tst-line`",
    );
}

#[test]
fn a_stale_service_warns_and_fails_under_strict() {
    let stale = GOOD.replace("2026-10-01", "2025-10-01");
    let line = "content/services.yaml:12:20: {level}: service `test-line` was last verified on 2025-10-01, more than 12 months ago";
    let (out, tmp) = build_with(&[("services.yaml", &stale)], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_has(&common::stderr(&out), &line.replace("{level}", "warning"));
    assert!(tmp.path().join("site/index.html").exists());

    let (out, tmp) = build_with(&[("services.yaml", &stale)], &["--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert_has(&common::stderr(&out), &line.replace("{level}", "error"));
    assert!(
        !tmp.path().join("site").exists(),
        "nothing is written under --strict"
    );
}

#[test]
fn service_files_the_map_does_not_read_are_not_published() {
    let (out, tmp) = build_with(
        &[("services/a.yaml", GOOD), ("services/staff.yml", GOOD)],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains(
            "content/services/staff.yml: error: this file is not part of the service map and would be published as it is"
        ),
        "{}",
        common::stderr(&out)
    );
    assert!(!tmp.path().join("site").exists());
}

#[test]
fn generated_service_files_are_reserved() {
    let (out, _tmp) = build_with(&[("services.yaml", GOOD), ("services.json", "{}")], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stderr(&out).contains(
            "content/services.json: error: writes to services.json, which (generated by handbook) also writes"
        ),
        "{}",
        common::stderr(&out)
    );
}
