//! Checking every link the Markdown makes: pages, headings, services.

use std::sync::OnceLock;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Handbook, LeftOut};
use crate::diagnostic::{self, Diagnostic};
use crate::render::markdown::{Rendered, Target};

/// The ids a page offers to `#fragment` links: its headings and, on a
/// pathway, its steps.
pub fn anchors<'a>(page: &'a super::Page, rendered: &'a Rendered) -> FxHashSet<&'a str> {
    let mut ids: FxHashSet<&str> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
    ids.extend(page.steps.iter().flatten().map(|s| s.id.as_str()));
    ids
}

/// Checks the links of every page; `rendered[i]` belongs to `handbook.pages[i]`.
pub fn check(handbook: &Handbook, rendered: &[Rendered], diagnostics: &mut Vec<Diagnostic>) {
    let by_source: FxHashMap<&str, usize> = handbook
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.source.as_str(), i))
        .collect();
    // Made when a link first needs them: most pages are never the target
    // of a `#fragment` link.
    let anchor_sets: Vec<OnceLock<FxHashSet<&str>>> =
        (0..handbook.pages.len()).map(|_| OnceLock::new()).collect();
    let anchors_of =
        |i: usize| anchor_sets[i].get_or_init(|| anchors(&handbook.pages[i], &rendered[i]));
    // Pages are checked in parallel; their problems keep the pages' order.
    let found: Vec<Vec<Diagnostic>> = handbook
        .pages
        .par_iter()
        .zip(rendered)
        .enumerate()
        .map(|(i, (page, result))| {
            let mut found = Vec::new();
            let Some(path) = &page.path else { return found };
            check_page(
                handbook,
                i,
                path,
                result,
                &by_source,
                &anchors_of,
                &mut found,
            );
            found
        })
        .collect();
    diagnostics.extend(found.into_iter().flatten());
}

fn check_page<'a>(
    handbook: &'a Handbook,
    i: usize,
    path: &std::path::Path,
    result: &Rendered,
    by_source: &FxHashMap<&str, usize>,
    anchors_of: &(dyn Fn(usize) -> &'a FxHashSet<&'a str> + Sync),
    diagnostics: &mut Vec<Diagnostic>,
) {
    for link in &result.links {
        let at = |message: String, hint: String| {
            let d = Diagnostic::error(path, link.pos.line, link.pos.col, message);
            if hint.is_empty() {
                d
            } else {
                d.with_hint(hint)
            }
        };
        let missing_fragment = |target: usize, fragment: &str| {
            let ids = anchors_of(target);
            (!ids.contains(fragment)).then(|| {
                    // In order, so that of two ids as near, the same is named every run.
                    let mut sorted: Vec<&str> = ids.iter().copied().collect();
                    sorted.sort_unstable();
                    let hint = match diagnostic::nearest(fragment, sorted) {
                        Some(n) => format!("did you mean `#{n}`?"),
                        None => "heading ids are the heading text in lowercase with `-` between words, or the `{#id}` you give a heading".into(),
                    };
                    (fragment.to_string(), hint)
                })
        };
        let problem = match &link.target {
                Target::Page { source, fragment } => match by_source.get(source.as_str()) {
                    Some(&target) => fragment.as_deref().and_then(|f| missing_fragment(target, f)).map(|(f, hint)| {
                        at(format!("link to {source}#{f}: that page has no heading with id `{f}`"), hint)
                    }),
                    None => Some(match handbook.left_out.get(source.as_str()) {
                        Some(LeftOut::StaffOnly) => at(
                            format!("public page links to staff-only page {source}, which is not in the public edition"),
                            "remove the link, or make one of the two pages match the other's visibility".into(),
                        ),
                        Some(LeftOut::Draft) => at(
                            format!("link to draft page {source}, which is not built"),
                            "build with --drafts, publish the page (`draft: false`), or remove the link".into(),
                        ),
                        None => {
                            let all = handbook.pages.iter().map(|p| p.source.as_str());
                            let hint = match diagnostic::nearest(source, all) {
                                Some(n) => format!("did you mean {n}? Paths are relative to this page's folder"),
                                None => "link to pages by their path relative to this page, e.g. ../policy/mental-health-policy.md".into(),
                            };
                            at(format!("link to missing page {source}"), hint)
                        }
                    }),
                },
                Target::Fragment(f) => missing_fragment(i, f)
                    .map(|(f, hint)| at(format!("link to #{f}: this page has no heading with that id"), hint)),
                Target::Service(id) if handbook.service(id).is_none() => Some(if handbook.left_out_service(id) {
                    at(
                        format!("service `{id}` is staff-only and cannot appear in the public edition"),
                        "link to it only from staff pages".into(),
                    )
                } else {
                    let hint = match diagnostic::nearest(id, handbook.services.iter().map(|s| s.id.as_str())) {
                        Some(n) => format!("did you mean `service:{n}`?"),
                        None => "service ids are listed in services.yaml".into(),
                    };
                    at(format!("link to unknown service `{id}`"), hint)
                }),
                Target::Outside(dest) => Some(at(
                    format!("link to {dest} points outside the handbook folder"),
                    "link only to pages inside the handbook".into(),
                )),
                Target::Unsafe(dest) => Some(at(
                    format!("link to `{dest}` is not allowed: it could run script in a reader's browser"),
                    "link to a page, a service, or a web address starting https://".into(),
                )),
                Target::Service(_) | Target::Other(_) => None,
            };
        diagnostics.extend(problem);
    }
}
