//! `handbook check`: each audit against a fixture handbook with the problem,
//! the JSON report, exit codes, --external against a local server, and the
//! staff edition's audit page.

mod common;

use std::path::Path;

use common::{fixture, read, run, stdout};

/// Runs `handbook check ARGS…` in `dir` (which holds `content/`).
fn check(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["check", "content"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    (out.status.code().unwrap_or(-1), stdout(&out))
}

fn assert_line(text: &str, expected: &str) {
    assert!(
        text.lines().any(|l| l == expected),
        "expected the line\n{expected}\nin\n{text}"
    );
}

#[test]
fn review_dates_overdue_due_soon_missing_and_stale_services() {
    let tmp = fixture("check-review");
    let (code, out) = check(tmp.path(), &[]);
    assert_eq!(code, 1, "an overdue page is an error\n{out}");
    assert_line(
        &out,
        "content/policy/overdue.md:5:12: error: review date 2026-11-01 has passed (22 days ago): \"Overdue policy\" may be out of date",
    );
    assert_line(
        &out,
        "content/policy/soon.md:4:12: warning: due for review by 2026-12-10 (in 17 days)",
    );
    assert_line(
        &out,
        "content/pathways/no-date.md:1:1: warning: \"Pathway without a review date\" has no review_by date; pathways pages must be reviewed regularly",
    );
    assert!(!out.contains("parents/no-date.md"), "{out}");
    assert_line(
        &out,
        "content/services.yaml:11:20: warning: service `old-helpline` was last verified on 2025-10-01, more than 12 months ago",
    );
    assert!(!out.contains("fresh-helpline"), "{out}");
    assert_line(
        &out,
        "Review dates: 1 overdue, 1 due soon; 1 service not verified for 12 months",
    );
}

#[test]
fn findings_are_grouped_by_file_and_end_with_a_summary() {
    let tmp = fixture("check-review");
    let (_, out) = check(tmp.path(), &[]);
    let overdue = out
        .find("content/policy/overdue.md\n")
        .expect("a file heading");
    let soon = out
        .find("content/policy/soon.md\n")
        .expect("a file heading");
    assert!(overdue < soon, "{out}");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("Checked the public edition of content: "),
        "{out}"
    );
    assert!(out.contains(": 1 error, 11 warnings."), "{out}");
}

#[test]
fn a_principle_no_page_addresses_is_a_warning() {
    let tmp = fixture("check-coverage");
    let (code, out) = check(tmp.path(), &[]);
    assert_eq!(code, 0, "warnings alone pass\n{out}");
    assert_line(
        &out,
        "content: warning: no page in the public edition addresses the principle `student-voice` (Student voice)",
    );
    assert_line(&out, "  ✗ Student voice: no page");
    assert_line(&out, "  ✓ Leadership and management: 1 page");
    // --strict fails on warnings.
    let (code, out) = check(tmp.path(), &["--strict"]);
    assert_eq!(code, 1, "{out}");
    // The staff edition has the staff page that covers it.
    let (code, out) = check(tmp.path(), &["--edition", "staff", "--strict"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("student-voice"), "{out}");
}

#[test]
fn missing_images_and_files_and_bad_mailto_and_tel_links() {
    let tmp = fixture("check-links");
    let (code, out) = check(tmp.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let page = "content/parents/contact.md";
    for expected in [
        ":4:1: error: image `images/logo.png` does not exist (looked for parents/images/logo.png)",
        ":6:55: error: link to `../files/leaflet.pdf`: the file files/leaflet.pdf does not exist",
        ":8:1: error: email link `mailto:office.example.org` is not a valid address: `office.example.org` has no @",
        ":8:50: error: phone link `tel:0800-CALL-NOW` cannot be dialled: `C` is not a digit",
        ":12:9: warning: link to `/images/map.png` starts with `/`, so it breaks when the site is not at the top of its web address",
    ] {
        assert_line(&out, &format!("{page}{expected}"));
    }
    // The form exists; 999 and the DSL's address are fine.
    assert!(!out.contains("form.pdf`"), "{out}");
    assert!(!out.contains("tel:999") && !out.contains("dsl@"), "{out}");
    assert!(out.contains(": 4 errors, "), "{out}");
}

#[test]
fn accessibility_of_the_source() {
    let tmp = fixture("check-accessibility");
    let (code, out) = check(tmp.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let page = "content/parents/inaccessible.md";
    for expected in [
        ":4:1: warning: heading level skips from h1 to h3 (the page title is the h1)",
        ":6:1: error: image has no alt text",
        ":8:18: warning: link text \"click here\" does not say where the link goes",
        ":8:53: warning: link text is a bare web address (https://www.nhs.uk/)",
        ":10:1: error: heading has no text",
        ":12:1: warning: table has no header row: every cell of its first row is empty",
    ] {
        assert_line(&out, &format!("{page}{expected}"));
    }
    assert!(
        !out.contains("leaflet.md:"),
        "a tidy page has no findings\n{out}"
    );
}

#[test]
fn reading_age_for_parents_and_pupils_with_the_hardest_sentences() {
    let tmp = fixture("check-readability");
    let (code, out) = check(tmp.path(), &[]);
    assert_eq!(code, 0, "{out}");
    let warning = out
        .lines()
        .find(|l| l.starts_with("content/parents/dense.md:5:1: warning: reading age "))
        .unwrap_or_else(|| panic!("no reading-age warning\n{out}"));
    assert!(
        warning.contains("is above 12 for a page parents and pupils read (Flesch reading ease "),
        "{warning}"
    );
    let hint = out.lines().skip_while(|l| *l != warning).nth(1).unwrap();
    assert!(
        hint.contains("line 5 (age ") && hint.contains("line 7 (age "),
        "{hint}"
    );
    assert!(!hint.contains("We will talk to you"), "{hint}");
    // Plain English passes; a page only for staff is not scored.
    assert!(!out.contains("plain.md:"), "{out}");
    assert!(!out.contains("dense-for-staff"), "{out}");
    assert_line(
        &out,
        "Reading age: 2 pages for parents or pupils scored, 1 above 12 (hardest: parents/dense.md at 30.3)",
    );

    // The threshold comes from handbook.yaml.
    let config = tmp.path().join("content/handbook.yaml");
    let text = read(&config) + "check:\n  max_reading_age: 40\n";
    std::fs::write(&config, text).unwrap();
    let (_, out) = check(tmp.path(), &[]);
    assert!(!out.contains("reading age 30.3 is above"), "{out}");
}

#[test]
fn json_report_parses_with_stable_fields() {
    let tmp = fixture("check-review");
    let (code, out) = check(tmp.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("the report is JSON");
    assert_eq!(v["schema"], 1);
    assert_eq!(v["edition"], "public");
    assert_eq!(v["today"], "2026-11-23");
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["warnings"], 11);
    assert_eq!(v["summary"]["exit_code"], 1);
    let findings = v["findings"].as_array().unwrap();
    let overdue = findings
        .iter()
        .find(|f| f["level"] == "error")
        .expect("the overdue page");
    assert_eq!(overdue["audit"], "review");
    assert_eq!(overdue["path"], "content/policy/overdue.md");
    assert_eq!(overdue["line"], 5);
    assert_eq!(overdue["column"], 12);
    assert!(overdue["hint"].is_string());
    let pages = v["review"]["pages"].as_array().unwrap();
    let row = pages
        .iter()
        .find(|p| p["page"] == "policy/overdue.md")
        .unwrap();
    assert_eq!(row["status"], "overdue");
    assert_eq!(row["days_left"], -22);
    assert_eq!(row["review_by"], "2026-11-01");
    assert_eq!(v["review"]["stale_services"][0]["id"], "old-helpline");
    assert_eq!(v["coverage"].as_array().unwrap().len(), 8);
    assert_eq!(v["coverage"][0]["key"], "leadership");
    assert_eq!(v["readability"]["max_reading_age"], 12.0);
    assert!(v["external"].is_null());
}

#[test]
fn the_example_handbook_passes_with_a_summary() {
    for edition in ["public", "staff"] {
        let out = run(&common::repo(), &["check", "content", "--edition", edition]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{edition}\n{text}");
        assert!(
            text.contains(&format!("Checked the {edition} edition of content: ")),
            "{text}"
        );
        assert!(text.contains(": 0 errors, "), "{text}");
    }
}

#[test]
fn an_unreadable_handbook_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["check", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("no-such-folder: error: cannot read the handbook folder")
    );
}

/// A local web server: `/ok` is 200, `/no-head` refuses HEAD but answers
/// GET, everything else is 404.
fn serve() -> u16 {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
    let port = server.server_addr().to_ip().expect("an IP address").port();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let head = *request.method() == tiny_http::Method::Head;
            let status = match request.url() {
                "/ok" => 200,
                "/no-head" if head => 405,
                "/no-head" => 200,
                _ => 404,
            };
            let _ = request.respond(tiny_http::Response::from_string("x").with_status_code(status));
        }
    });
    port
}

#[test]
fn external_links_are_fetched_only_when_asked() {
    let port = serve();
    let page = format!(
        "---\ntitle: Links out\n---\nSee [the guide](http://127.0.0.1:{port}/ok), [the form](http://127.0.0.1:{port}/no-head)\nand [an old page](http://127.0.0.1:{port}/gone).\n"
    );
    let services =
        "services:\n  - id: old-site\n    name: Old site\n    contact:\n      phone: \"0800 000 0000\"\n    last_verified: 2026-09-01\n".to_string();
    let tmp = common::handbook(&[
        ("handbook.yaml", common::CONFIG),
        ("parents/out.md", &page),
        ("services.yaml", &services),
    ]);

    let (code, out) = check(tmp.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert_line(&out, "External links: not checked (use --external)");

    let (code, out) = check(tmp.path(), &["--external"]);
    assert_eq!(code, 1, "a 404 is an error\n{out}");
    assert_line(
        &out,
        &format!(
            "content/parents/out.md:5:5: error: web address http://127.0.0.1:{port}/gone is broken: 404 Not Found"
        ),
    );
    assert!(
        !out.contains("/ok is") && !out.contains("/no-head"),
        "{out}"
    );
    assert_line(
        &out,
        "External links: 3 checked: 2 ok, 1 broken, 0 answered with an error, 0 could not be reached",
    );

    let (_, json) = check(tmp.path(), &["--external", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let external = v["external"].as_array().unwrap();
    assert_eq!(external.len(), 3);
    assert_eq!(external[2]["outcome"], "broken");
    assert_eq!(external[2]["status"], 404);
    assert_eq!(external[2]["places"].as_array().unwrap().len(), 1);
    assert_eq!(external[1]["outcome"], "ok");
}

#[test]
fn a_network_error_alone_never_fails_the_check() {
    // Nothing listens on port 9 (discard) here: the connection is refused.
    let page = "---\ntitle: Links out\n---\nSee [the guide](http://127.0.0.1:9/guide).\n";
    let tmp = common::handbook(&[("handbook.yaml", common::CONFIG), ("parents/out.md", page)]);
    let (code, out) = check(tmp.path(), &["--external"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("content/parents/out.md:4:5: warning: could not check web address http://127.0.0.1:9/guide: "),
        "{out}"
    );
}

#[test]
fn the_audit_page_is_in_the_staff_edition_only() {
    let tmp = fixture("check-review");
    let staff = tmp.path().join("staff");
    let public = tmp.path().join("public");
    let out = run(
        tmp.path(),
        &["build", "content", "-o", "staff", "--edition", "staff"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = run(tmp.path(), &["build", "content", "-o", "public"]);
    assert!(out.status.success(), "{}", common::stderr(&out));

    assert!(!public.join("audit.html").exists());
    assert!(!read(public.join("index.html")).contains("audit.html"));
    assert!(read(staff.join("policy/soon.html")).contains("href=\"../audit.html\""));
    let html = read(staff.join("audit.html"));
    assert!(html.contains("<h1>Handbook audit</h1>"), "{html}");
    assert!(html.contains("✗ Overdue"), "{html}");
    assert!(html.contains("! Due soon"), "{html}");
    assert!(
        html.contains("<th scope=\"row\">Old helpline</th>"),
        "{html}"
    );
    assert!(html.contains("✗ None: a gap"), "{html}");
    assert!(html.contains("noindex"), "{html}");
    if let Some((ok, report)) =
        common::site_check(&["absent", public.to_str().unwrap(), "Handbook audit"])
    {
        assert!(ok, "{report}");
    }
}

#[test]
fn the_audit_grid_marks_principles_with_text() {
    let tmp = fixture("check-coverage");
    let out = run(
        tmp.path(),
        &["build", "content", "-o", "staff", "--edition", "staff"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let html = read(tmp.path().join("staff/audit.html"));
    let grid = html.split("id=\"principles\"").nth(1).expect("the grid");
    let row = grid
        .split("<tr>")
        .find(|r| r.contains("Our whole-school approach</a>"))
        .expect("a grid row for the page");
    assert_eq!(
        row.matches("✓ <span class=\"visually-hidden\">addressed</span>")
            .count(),
        7,
        "{row}"
    );
    assert_eq!(
        row.matches("<span class=\"visually-hidden\">not addressed</span>")
            .count(),
        1,
        "{row}"
    );
}
