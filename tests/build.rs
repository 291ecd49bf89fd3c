//! End-to-end tests of `handbook build`: output, editions, and every kind of
//! bad input reported at its file, line and column.

mod common;

use common::*;
use std::fs;

fn build(tmp: &tempfile::TempDir, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "content", "-o", "public"];
    args.extend_from_slice(extra);
    run(tmp.path(), &args)
}

fn assert_fails_with(tmp: &tempfile::TempDir, expected: &[&str]) -> String {
    let out = build(tmp, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "expected exit 1\n{err}");
    for e in expected {
        assert!(err.contains(e), "missing `{e}` in:\n{err}");
    }
    assert!(
        !tmp.path().join("public").exists(),
        "nothing may be written on failure"
    );
    err
}

#[test]
fn builds_the_minimal_fixture() {
    let tmp = fixture("minimal");
    let out = build(&tmp, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = tmp.path().join("public");
    let html = all_files(&site)
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .count();
    assert!(
        stdout(&out).contains(&format!("Built the public edition: {html} pages")),
        "the summary counts the pages written: {}",
        stdout(&out)
    );
    for file in [
        "index.html",
        "guide/index.html",
        "guide/first.html",
        "guide/second.html",
        "404.html",
        "print.html",
        "robots.txt",
        "static/handbook.css",
    ] {
        assert!(site.join(file).is_file(), "{file} missing");
    }
    assert!(
        !site.join("sitemap.xml").exists(),
        "no sitemap without base_url"
    );
    let first = read(site.join("guide/first.html"));
    assert!(first.contains(r#"<html lang="en-GB">"#));
    assert!(first.contains(r##"<a class="skip-link" href="#main">"##));
    assert_eq!(first.matches("<h1").count(), 1);
    assert!(first.contains(r#"<meta name="description" content="The first page.">"#));
    assert!(
        first.contains(r#"href="second.html#beta""#),
        "links rewritten to output URLs"
    );
    assert!(
        first.contains(r#"href="../static/handbook.css""#),
        "assets are relative"
    );
    assert!(
        first.contains(r#"id="toc""#),
        "three headings give a table of contents"
    );
    assert!(first.contains("Senior Mental Health Lead") && first.contains("1 September 2027"));
    assert!(first.contains(r#"rel="next" href="second.html""#));
    let second = read(site.join("guide/second.html"));
    assert!(
        !second.contains(r#"id="toc""#),
        "one heading gives no table of contents"
    );
    assert!(!read(site.join("index.html")).contains("noindex"));
    let print = read(site.join("print.html"));
    assert!(
        print.contains(r##"href="#page-guide-second--beta""##),
        "print links stay inside the page: {print}"
    );
    assert!(print.contains(r#"id="page-guide-second--beta""#));
}

#[test]
fn every_link_and_fragment_resolves_in_both_editions_of_the_example() {
    let tmp = example();
    for (edition, out_dir) in [("public", "public"), ("staff", "staff")] {
        let out = run(
            tmp.path(),
            &["build", "content", "-o", out_dir, "--edition", edition],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let site = tmp.path().join(out_dir);
        let pages = all_files(&site)
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .count();
        assert!(pages >= 40, "{pages} pages");
        if let Some((ok, report)) = site_check(&["links", site.to_str().unwrap()]) {
            assert!(ok, "{edition}: {report}");
        }
    }
}

#[test]
fn public_edition_holds_nothing_from_staff_pages() {
    let tmp = example();
    assert!(build(&tmp, &[]).status.success());
    let staff_only = [
        "red safeguarding handset",
        "Pastoral Log",
        "walk the pupil to the headteacher",
        "Who is on the DSL rota",
        "dsl-rota",
        "recording-concerns",
        "internal-escalation-contacts",
    ];
    for (path, bytes) in all_files(&tmp.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for s in staff_only {
            assert!(!text.contains(s), "{s:?} leaked into public/{path}");
        }
    }
    assert!(!tmp.path().join("public/roles/dsl-rota.html").exists());
    // The same text is there in the staff edition, so the test above can fail.
    let out = run(
        tmp.path(),
        &["build", "content", "-o", "staff", "--edition", "staff"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rota = read(tmp.path().join("staff/roles/dsl-rota.html"));
    assert!(rota.contains("red safeguarding handset"));
    assert!(rota.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
    assert!(rota.contains("Staff only"));
    assert!(read(tmp.path().join("staff/robots.txt")).contains("Disallow: /"));
    assert!(read(tmp.path().join("staff/index.html")).contains("Staff only"));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let tmp = example();
    assert!(build(&tmp, &["--edition", "staff"]).status.success());
    assert!(
        !tmp.path()
            .join("public/staff/draft-exam-wellbeing-plan.html")
            .exists()
    );
    assert!(
        build(&tmp, &["--edition", "staff", "--drafts"])
            .status
            .success()
    );
    let draft = read(
        tmp.path()
            .join("public/staff/draft-exam-wellbeing-plan.html"),
    );
    assert!(draft.contains("Draft"));
}

#[test]
fn malformed_front_matter_on_line_3_names_the_file_and_line_and_keeps_the_old_site() {
    let tmp = fixture("minimal");
    assert!(build(&tmp, &[]).status.success());
    let before = all_files(&tmp.path().join("public"));
    common::copy_dir(
        &repo().join("tests/fixtures/bad-front-matter/policy"),
        &tmp.path().join("content/policy"),
    );
    let out = build(&tmp, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content/policy/broken.md:3:"), "{err}");
    assert!(err.contains("error:"), "{err}");
    assert_eq!(
        all_files(&tmp.path().join("public")),
        before,
        "the previous site is byte-for-byte unchanged"
    );
}

#[test]
fn broken_yaml_in_handbook_yaml() {
    let tmp = handbook(&[("handbook.yaml", "title: A\nsearch:\n  synonyms: [[a, b]\n")]);
    let err = assert_fails_with(
        &tmp,
        &[
            "content/handbook.yaml:4:1: error: did not find expected ',' or ']'",
            "hint: check the YAML",
        ],
    );
    assert!(
        !err.contains("no `title`"),
        "a broken file is not also reported as empty: {err}"
    );
}

#[test]
fn unknown_keys_name_the_key_its_line_and_the_nearest_valid_key() {
    let tmp = handbook(&[
        (
            "handbook.yaml",
            "title: A\nurgent_help:\n  title: Help\n  servics: []\n",
        ),
        ("a.md", "---\ntitle: A\n\nsumary: typo\n---\nBody\n"),
    ]);
    assert_fails_with(
        &tmp,
        &[
            "content/handbook.yaml:4:3: error: unknown key `servics`",
            "hint: did you mean `services`?",
            "content/a.md:4:1: error: unknown key `sumary`",
            "hint: did you mean `summary`?",
        ],
    );
}

#[test]
fn missing_titles() {
    let tmp = handbook(&[
        ("handbook.yaml", "school: X\n"),
        ("a.md", "---\nsummary: no title\n---\nBody\n"),
    ]);
    assert_fails_with(
        &tmp,
        &[
            "content/handbook.yaml:1:1: error: handbook.yaml has no `title`",
            "content/a.md:1:1: error: the page has no `title`",
        ],
    );
}

#[test]
fn impossible_dates() {
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        (
            "a.md",
            "---\ntitle: A\nlast_reviewed: 2026-02-30\nreview_by: 2027-13-01\n---\n",
        ),
    ]);
    assert_fails_with(
        &tmp,
        &[
            "content/a.md:3:16: error: last_reviewed: `2026-02-30` is not a real date: that month has 28 days",
            "content/a.md:4:12: error: review_by: `2027-13-01` has no month 13",
        ],
    );
}

#[test]
fn two_sources_with_the_same_output_path() {
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        ("policy/_index.md", "---\ntitle: Policy\n---\n"),
        ("policy/index.md", "---\ntitle: Also policy\n---\n"),
    ]);
    assert_fails_with(
        &tmp,
        &["writes to policy/index.html, which content/policy/_index.md also writes"],
    );
}

#[test]
fn links_to_missing_pages_and_headings() {
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        (
            "a.md",
            "---\ntitle: A\n---\n## Here\n\nSee [b](b.md#nowhere) and [c](c.md).\n\nAnd [self](#her).\n",
        ),
        ("b.md", "---\ntitle: B\n---\n## Somewhere\n"),
    ]);
    assert_fails_with(
        &tmp,
        &[
            "content/a.md:6:5: error: link to b.md#nowhere: that page has no heading with id `nowhere`",
            "content/a.md:6:27: error: link to missing page c.md",
            "content/a.md:8:5: error: link to #her: this page has no heading with that id",
            "hint: did you mean `#here`?",
        ],
    );
}

#[test]
fn of_two_headings_as_near_the_hint_always_names_the_same() {
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        (
            "a.md",
            "---\ntitle: A\n---\n## Step b\n\n## Step d\n\n## Step f\n\n## Step h\n\nSee [x](#step-e).\n",
        ),
    ]);
    // Every id is one letter away: the first in order is named, in every
    // run (each run hashes differently).
    for _ in 0..5 {
        assert_fails_with(&tmp, &["hint: did you mean `#step-b`?"]);
    }
}

#[test]
fn public_page_linking_to_a_staff_page() {
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        (
            "a.md",
            "---\ntitle: A\n---\nSee [the rota](staff/rota.md).\n",
        ),
        (
            "staff/rota.md",
            "---\ntitle: Rota\nvisibility: staff\n---\nSecret rota.\n",
        ),
    ]);
    assert_fails_with(
        &tmp,
        &[
            "content/a.md:4:5: error: public page links to staff-only page staff/rota.md, which is not in the public edition",
        ],
    );
    let out = build(&tmp, &["--edition", "staff"]);
    assert!(
        out.status.success(),
        "the staff edition has both pages: {}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_is_not_utf8() {
    let tmp = handbook(&[("handbook.yaml", CONFIG)]);
    fs::write(
        tmp.path().join("content/latin1.md"),
        b"---\ntitle: Caf\xe9\n---\n",
    )
    .unwrap();
    assert_fails_with(
        &tmp,
        &["content/latin1.md:2:11: error: file is not UTF-8 text"],
    );
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        ("a.md", "---\ntitle: A\naudience: [teachers]\n---\n"),
        ("b.md", "---\ntitle: B\nvisibility: secret\n---\n"),
        (
            "c.md",
            "---\ntitle: C\nprinciples: [ethos, leadershp]\n---\n",
        ),
    ]);
    let err = assert_fails_with(
        &tmp,
        &[
            "content/a.md:3:12: error: unknown audience `teachers`",
            "content/b.md:3:13: error: unknown visibility `secret`",
            "content/c.md:3:21: error: unknown principle `leadershp`",
            "hint: did you mean `leadership`?",
            "3 errors found",
        ],
    );
    assert!(err.contains("nothing was written"));
}

#[test]
fn refuses_output_folders_it_did_not_make() {
    let tmp = fixture("minimal");
    fs::create_dir(tmp.path().join("mine")).unwrap();
    fs::write(tmp.path().join("mine/notes.txt"), "keep").unwrap();
    for target in ["content", ".", "mine", "content/public"] {
        let out = run(tmp.path(), &["build", "content", "-o", target]);
        assert_eq!(out.status.code(), Some(2), "-o {target}: {}", stderr(&out));
        assert!(stderr(&out).contains("refusing"), "{}", stderr(&out));
    }
    assert_eq!(read(tmp.path().join("mine/notes.txt")), "keep");
    assert!(!tmp.path().join("content/public").exists());
    assert!(!tmp.path().join("content/404.html").exists());
    assert!(!tmp.path().join("404.html").exists());
}

#[test]
fn text_from_the_handbook_is_escaped_where_it_lands() {
    let tmp = handbook(&[
        (
            "handbook.yaml",
            "title: \"<script>alert('t')</script>\"\nurgent_help:\n  body: \"<b onmouseover=x>hi</b>\"\n  services: []\n",
        ),
        (
            "a.md",
            "---\ntitle: \"<img src=x onerror=alert(1)>\"\nsummary: '\"><script>alert(2)</script>'\nowner: \"<i>x</i>\"\n---\n## <em>Heading</em>\n\n<script>alert(3)</script>\n\n[x](javascript:alert(4))\n",
        ),
    ]);
    let out = build(&tmp, &[]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "javascript: links are refused: {err}"
    );
    assert!(
        err.contains("content/a.md:10:1: error: link to `javascript:alert(4)` is not allowed"),
        "{err}"
    );
    fs::write(
        tmp.path().join("content/a.md"),
        "---\ntitle: \"<img src=x onerror=alert(1)>\"\nsummary: '\"><script>alert(2)</script>'\nowner: \"<i>x</i>\"\n---\n## <em>Heading</em>\n\n<script>alert(3)</script>\n",
    )
    .unwrap();
    let out = build(&tmp, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (path, bytes) in all_files(&tmp.path().join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for bad in [
            "<script>alert",
            "<img src=x",
            "<b onmouseover",
            "<i>x</i>",
            "<em>Heading",
        ] {
            assert!(!text.contains(bad), "{bad:?} unescaped in {path}");
        }
    }
}

#[test]
fn hostile_input_does_not_hang_or_crash() {
    let big_body = "Word and more words. ".repeat(1_000_000); // about 20 MB
    let deep = format!("{}deep", "> ".repeat(50_000));
    let mut bomb = String::from("---\ntitle: Bomb\ntags: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!("summary: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
    }
    bomb.push_str("---\n");
    let tmp = handbook(&[
        ("handbook.yaml", CONFIG),
        ("big.md", &format!("---\ntitle: Big\n---\n{big_body}")),
        ("deep.md", &format!("---\ntitle: Deep\n---\n{deep}")),
        ("bomb.md", &bomb),
    ]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("..", tmp.path().join("content/loop")).unwrap();
        std::os::unix::fs::symlink("/etc", tmp.path().join("content/outside")).unwrap();
    }
    let out = build(&tmp, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "the bomb is an error: {err}");
    assert!(err.contains("content/bomb.md:"), "{err}");
    #[cfg(unix)]
    assert!(
        err.contains(
            "content/outside: warning: symbolic link to outside the handbook folder; skipped"
        ),
        "{err}"
    );
    fs::remove_file(tmp.path().join("content/bomb.md")).unwrap();
    let out = build(&tmp, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(tmp.path().join("public/deep.html").exists());
    assert!(!tmp.path().join("public/outside").exists());
}

/// Writes templates (by name) into the handbook's own `default` theme.
fn theme_templates(tmp: &tempfile::TempDir, templates: &[(&str, &str)]) {
    let dir = tmp.path().join("content/themes/default/templates");
    for (name, text) in templates {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

#[test]
fn a_handbook_theme_overrides_one_template() {
    let tmp = fixture("minimal");
    theme_templates(
        &tmp,
        &[(
            "404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>Lost? Custom.</h1>{% endblock main %}",
        )],
    );
    let out = build(&tmp, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(tmp.path().join("public/404.html")).contains("Lost? Custom."));
    assert!(
        read(tmp.path().join("public/index.html")).contains("skip-link"),
        "other templates stay the default"
    );
    assert!(
        !tmp.path().join("public/themes").exists(),
        "the theme is not content"
    );
}

#[test]
fn a_theme_card_and_urgent_help_box_are_made_on_each_page_with_the_page_to_read() {
    // The built-in card and urgent-help box are made once per folder; a
    // theme's own may read the page they are on, so they are made on every
    // page.
    let tmp = example();
    theme_templates(
        &tmp,
        &[
            (
                "partials/service_card.html",
                "<p class=\"mine\">{{ service.name }}{% if page %}, shown on {{ page.title }}{% endif %}</p>",
            ),
            (
                "partials/urgent_help.html",
                "<aside class=\"mine\">Help{% if page %} beside {{ page.title }}{% endif %}</aside>",
            ),
        ],
    );
    let out = build(&tmp, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let policy = read(tmp.path().join("public/policy/mental-health-policy.html"));
    assert!(
        policy.contains(
            "<aside class=\"mine\">Help beside Mental health and wellbeing policy</aside>"
        ),
        "{policy}"
    );
    assert!(
        policy.contains(
            "<p class=\"mine\">Westmere Mental Health Support Team, shown on Mental health and wellbeing policy</p>"
        ),
        "{policy}"
    );
    assert!(
        !policy.contains("service-facts"),
        "the built-in card is not used"
    );
}

#[test]
fn sitemap_and_canonical_links_only_with_a_base_url() {
    let tmp = fixture("minimal");
    let config = read(tmp.path().join("content/handbook.yaml"));
    fs::write(
        tmp.path().join("content/handbook.yaml"),
        format!("base_url: https://example.org/hb\n{config}"),
    )
    .unwrap();
    assert!(build(&tmp, &[]).status.success());
    let sitemap = read(tmp.path().join("public/sitemap.xml"));
    assert!(
        sitemap.contains("<loc>https://example.org/hb/guide/first.html</loc>"),
        "{sitemap}"
    );
    assert!(
        read(tmp.path().join("public/guide/first.html"))
            .contains(r#"<link rel="canonical" href="https://example.org/hb/guide/first.html">"#)
    );
}

#[test]
fn new_writes_a_starter_that_builds_and_refuses_a_non_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["new", "school"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(tmp.path(), &["build", "school", "-o", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        tmp.path()
            .join("site/policy/mental-health-policy.html")
            .exists()
    );
    let out = run(tmp.path(), &["new", "school"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not empty"));
}
