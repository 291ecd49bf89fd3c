//! Referral pathways end to end: every check on the steps, with its file,
//! line and message; and the rendered list, urgent box and SVG diagram.

mod common;

use common::{fixture, read, run, stderr};

/// The `path:line:col: error: message` lines of a failed build.
fn errors(name: &str, edition: &str) -> Vec<String> {
    let tmp = fixture(name);
    let out = run(
        tmp.path(),
        &["build", "content", "-o", "site", "--edition", edition],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!tmp.path().join("site").exists(), "nothing is written");
    stderr(&out)
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(str::to_string)
        .collect()
}

const P: &str = "content/pathways/p.md";

fn at(line_col: &str, message: &str) -> String {
    format!("{P}:{line_col}: error: {message}")
}

#[test]
fn duplicate_step_id() {
    assert_eq!(
        errors("pathway-duplicate-id", "public"),
        [at("11:9", "step id `risk` is used twice (first on line 7)")]
    );
}

#[test]
fn next_names_a_missing_step() {
    assert_eq!(
        errors("pathway-missing-next", "public"),
        [
            at(
                "6:18",
                "step `notice` goes next to `tel`, which is not a step of this pathway"
            ),
            at(
                "11:3",
                "step `tell` cannot be reached from the first step `notice`"
            ),
        ]
    );
    let tmp = fixture("pathway-missing-next");
    let out = run(tmp.path(), &["build", "content", "-o", "site"]);
    assert!(
        stderr(&out).contains("hint: did you mean `tell`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreachable_step() {
    assert_eq!(
        errors("pathway-unreachable", "public"),
        [at(
            "11:3",
            "step `tell` cannot be reached from the first step `notice`"
        )]
    );
}

#[test]
fn unknown_service() {
    assert_eq!(
        errors("pathway-unknown-service", "public"),
        [at("10:16", "unknown service `emergency-99`")]
    );
}

#[test]
fn staff_service_in_the_public_edition() {
    assert_eq!(
        errors("pathway-staff-service", "public"),
        [at(
            "10:31",
            "service `staff-line` is staff-only and cannot appear in the public edition"
        )]
    );
    // The staff edition has the service, so the same pathway builds.
    let tmp = fixture("pathway-staff-service");
    let out = run(
        tmp.path(),
        &["build", "content", "-o", "site", "--edition", "staff"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = read(tmp.path().join("site/pathways/p.html"));
    assert!(html.contains("Staff advice line"));
}

#[test]
fn no_urgent_step() {
    assert_eq!(
        errors("pathway-no-urgent", "public"),
        [at("3:1", "the pathway has no urgent step")]
    );
}

#[test]
fn a_loop_with_no_ending() {
    let message = |id: &str| {
        format!(
            "step `{id}` never leads to an end of the pathway: every way on from it comes back round"
        )
    };
    assert_eq!(
        errors("pathway-no-ending", "public"),
        [at("11:3", &message("tell")), at("14:3", &message("check"))]
    );
}

#[test]
fn a_step_that_goes_next_to_itself() {
    assert_eq!(
        errors("pathway-self-next", "public"),
        [at("13:12", "step `tell` goes next to itself")]
    );
}

#[test]
fn step_ids_must_work_as_links() {
    assert_eq!(
        errors("pathway-bad-id", "public"),
        [at("11:9", "step id `tell dsl` is not a valid id")]
    );
    assert_eq!(
        errors("pathway-reserved-id", "public"),
        [at("11:9", "step id `main` is used by the page itself")]
    );
}

#[test]
fn step_id_also_a_heading_id() {
    assert_eq!(
        errors("pathway-heading-id", "public"),
        [at(
            "11:9",
            "step id `tell` is also the id of the heading \"Tell\" on this page"
        )]
    );
}

#[test]
fn step_without_title() {
    assert_eq!(
        errors("pathway-no-title", "public"),
        [at("11:3", "step `tell` has no `title`")]
    );
}

#[test]
fn no_steps() {
    assert_eq!(
        errors("pathway-no-steps", "public"),
        [at("3:1", "the pathway has no steps")]
    );
}

#[test]
fn links_in_a_steps_do_are_checked_where_they_are_written() {
    assert_eq!(
        errors("pathway-step-link", "public"),
        [
            at("14:12", "link to missing page policy/missing.md"),
            at("14:51", "link to unknown service `emergency-99`"),
        ]
    );
}

#[test]
fn a_link_to_a_step_that_does_not_exist() {
    assert_eq!(
        errors("pathway-link-to-step", "public"),
        [
            "content/index.md:4:5: error: link to pathways/worried.md#tell-the-dsl: that page has no heading with id `tell-the-dsl`"
        ]
    );
}

#[test]
fn steps_outside_pathways() {
    assert_eq!(
        errors("pathway-outside", "public"),
        ["content/policy/p.md:3:1: error: `steps` are only read on pages in pathways/"]
    );
}

/// A small well-formedness check for the SVG: tags nest and close, every
/// attribute is quoted, and text and attributes use only XML's entities.
fn assert_well_formed_xml(xml: &str) {
    fn entities_ok(text: &str) -> bool {
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let Some(end) = after.find(';') else {
                return false;
            };
            let name = &after[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix("#x")
                    .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name
                    .strip_prefix('#')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return false;
            }
            rest = &after[end + 1..];
        }
        true
    }
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            assert!(entities_ok(rest) && !rest.contains('>'), "text: {rest}");
            break;
        };
        let text = &rest[..lt];
        assert!(entities_ok(text) && !text.contains('>'), "text: {text}");
        let gt = rest[lt..].find('>').expect("tag closes") + lt;
        let tag = &rest[lt + 1..gt];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "closing </{name}>"
            );
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            let name = &body[..name_end];
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':'),
                "tag name in <{tag}>"
            );
            // attributes: name="value" pairs, nothing else
            let mut attrs = body[name_end..].trim();
            let mut seen = Vec::new();
            while !attrs.is_empty() {
                let eq = attrs
                    .find("=\"")
                    .unwrap_or_else(|| panic!("attribute in <{tag}>"));
                let attr = attrs[..eq].trim();
                assert!(
                    attr.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
                    "attribute name `{attr}`"
                );
                assert!(!seen.contains(&attr), "attribute `{attr}` twice in <{tag}>");
                seen.push(attr);
                let value_end = attrs[eq + 2..].find('"').expect("attribute closes") + eq + 2;
                let value = &attrs[eq + 2..value_end];
                assert!(
                    !value.contains('<') && entities_ok(value),
                    "value `{value}`"
                );
                attrs = attrs[value_end + 1..].trim_start();
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        rest = &rest[gt + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

fn svg_of(html: &str) -> &str {
    let start = html.find("<svg").expect("the page has an SVG diagram");
    let end = html[start..].find("</svg>").expect("the SVG closes") + start + "</svg>".len();
    &html[start..end]
}

/// The ids of the steps in the list, in order.
fn step_ids(html: &str) -> Vec<String> {
    html.split("<li class=\"step")
        .skip(1)
        .filter(|s| s.starts_with(['"', ' ']))
        .map(|s| {
            let id = s.split("id=\"").nth(1).expect("step id");
            id[..id.find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn the_xml_check_catches_broken_xml() {
    for bad in [
        "<svg><g></svg>",
        "<svg a=b></svg>",
        "<svg>a & b</svg>",
        "<svg><text>1 < 2</text></svg>",
        "<svg a=\"1\" a=\"2\"></svg>",
    ] {
        assert!(
            std::panic::catch_unwind(|| assert_well_formed_xml(bad)).is_err(),
            "{bad} passed"
        );
    }
    assert_well_formed_xml("<svg a=\"1 &amp; 2\"><title>x &lt; y</title><g/></svg>");
}

#[test]
fn a_pathway_renders_as_urgent_box_list_and_diagram() {
    let tmp = fixture("pathway-ok");
    let out = run(tmp.path(), &["build", "content", "-o", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = read(tmp.path().join("site/pathways/worried.html"));

    // The urgent step comes before everything else the page says.
    let urgent = html.find("If someone is in immediate danger").unwrap();
    assert!(urgent < html.find("Intro text.").unwrap());
    assert!(html[urgent..].contains("href=\"tel:999\""));
    assert!(html.contains("href=\"#immediate-risk\">Step 2 in full</a>"));

    // The list: every step with its id, number, facts, and where it leads.
    assert_eq!(
        step_ids(&html),
        ["notice", "immediate-risk", "tell-dsl", "review"]
    );
    assert!(html.contains("<dt>Who</dt><dd>Any member of staff</dd>"));
    assert!(html.contains("<dt>How soon</dt><dd>The same day</dd>"));
    assert!(html.contains("<a href=\"#tell-dsl\">step 3, Tell the DSL</a>"));
    assert!(html.contains("End of the pathway."));
    assert!(html.contains("<span class=\"step-urgent-label\">Urgent:</span>"));
    // Markdown in `do`, with links made relative.
    assert!(html.contains("<a href=\"#tell-dsl\">tell the DSL</a>"));
    assert!(html.contains("href=\"other.html#start\""));
    // Text from the handbook is escaped everywhere.
    assert!(html.contains("A pupil seems &lt;withdrawn&gt; &amp; &quot;low&quot;"));
    assert!(!html.contains("<withdrawn>") && !html.contains("<immediate>"));

    // The diagram: valid XML, a title and text alternative, and every box linking to its step.
    let svg = svg_of(&html);
    assert_well_formed_xml(svg);
    assert!(svg.contains("role=\"group\""));
    assert!(svg.contains("<title id=\"pathway-diagram-svg-title\">Diagram of the pathway: Worried about a pupil</title>"));
    assert!(svg.contains("aria-labelledby=\"pathway-diagram-svg-title\""));
    assert!(svg.contains("aria-describedby=\"pathway-diagram-desc\""));
    assert!(svg.contains(
        "Step 2, urgent: The pupil is at &lt;immediate&gt; risk &amp; hurt. Next: step 3."
    ));
    assert!(svg.contains("Step 4: Review. This is an end of the pathway."));
    assert_eq!(svg.matches("data-step=").count(), 4);
    for id in step_ids(&html) {
        assert!(
            svg.contains(&format!("<a href=\"#{id}\" class=\"")),
            "no box linking to {id}"
        );
    }
    assert!(svg.contains("URGENT"));
    assert!(!svg.contains("<script"));
    assert!(html.contains("static/pathway.css"));

    // The section lists the pathway with the question it starts with.
    let index = read(tmp.path().join("site/pathways/index.html"));
    assert!(index.contains("Are you worried about a pupil?"));
    assert!(index.contains("Start here"));

    // Links to a step from elsewhere are checked and resolved.
    let home = read(tmp.path().join("site/index.html"));
    assert!(home.contains("href=\"pathways/worried.html#tell-dsl\""));
}

#[test]
fn print_holds_the_steps_under_the_pages_anchor() {
    let tmp = fixture("pathway-ok");
    let out = run(tmp.path(), &["build", "content", "-o", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let print = read(tmp.path().join("site/print.html"));
    assert!(print.contains("id=\"page-pathways-worried--tell-dsl\""));
    assert!(
        print.contains("<a href=\"#page-pathways-worried--tell-dsl\">step 3, Tell the DSL</a>")
    );
    assert!(print.contains("href=\"#page-pathways-other--start\""));
    // Two diagrams, each with its own ids.
    assert_eq!(print.matches("<svg").count(), 2);
    assert!(print.contains("id=\"page-pathways-worried--pathway-arrow\""));
    assert!(print.contains("id=\"page-pathways-other--pathway-arrow\""));
    let mut rest = print.as_str();
    while let Some(i) = rest.find("<svg") {
        let svg = svg_of(&rest[i..]);
        assert_well_formed_xml(svg);
        rest = &rest[i + svg.len()..];
    }
}

/// Unique ids on a page: steps may not clash with each other or the theme.
fn assert_unique_ids(html: &str) {
    let mut seen = std::collections::HashSet::new();
    for part in html.split(" id=\"").skip(1) {
        let id = &part[..part.find('"').unwrap()];
        assert!(seen.insert(id.to_string()), "id `{id}` twice");
    }
}

#[test]
fn the_example_pathways_render_as_lists_and_diagrams() {
    let tmp = common::example();
    for edition in ["public", "staff"] {
        let out = run(
            tmp.path(),
            &["build", "content", "-o", edition, "--edition", edition],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let dir = tmp.path().join(edition).join("pathways");
        let mut pathways = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name == "index.html" {
                continue;
            }
            let html = read(&path);
            let ids = step_ids(&html);
            assert!(ids.len() >= 4, "{name}: {ids:?}");
            assert!(html.contains("If someone is in immediate danger"), "{name}");
            let svg = svg_of(&html);
            assert_well_formed_xml(svg);
            assert!(
                svg.contains("<title id=\"pathway-diagram-svg-title\">"),
                "{name}"
            );
            assert!(svg.contains("<desc id=\"pathway-diagram-desc\">"), "{name}");
            assert_eq!(svg.matches("data-step=").count(), ids.len(), "{name}");
            for id in &ids {
                assert!(
                    svg.contains(&format!("<a href=\"#{id}\" class=\"")),
                    "{name}: {id}"
                );
            }
            assert_unique_ids(&html);
            pathways += 1;
        }
        assert!(pathways >= 4, "{edition}: {pathways} pathways");
    }
}

#[test]
fn a_section_index_with_steps_shows_them_too() {
    let tmp = common::handbook(&[
        ("handbook.yaml", common::CONFIG),
        (
            "pathways/_index.md",
            "---\ntitle: Pathways\nsteps:\n  - id: start\n    title: Where do I start?\n    next: [help]\n  - id: help\n    title: Get help now\n    urgent: true\n---\nIntro.\n",
        ),
    ]);
    let out = run(tmp.path(), &["build", "content", "-o", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = read(tmp.path().join("site/pathways/index.html"));
    assert_eq!(step_ids(&html), ["start", "help"]);
    assert_well_formed_xml(svg_of(&html));
    assert!(html.contains("If someone is in immediate danger"));
}
