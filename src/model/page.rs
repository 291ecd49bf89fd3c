//! Pages: front matter validated into plain data.

use std::cell::LazyCell;
use std::path::PathBuf;
use std::sync::Arc;

use super::pathway::{self, Step};
use super::{Audience, PRINCIPLES, Visibility};
use crate::config::{self, Ref};
use crate::date::Date;
use crate::diagnostic::{self, Diagnostic};
use crate::load::{PageSource, Pos, yaml};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// `index.md` at the top, or the generated home.
    Home,
    /// A section's `_index.md`, or its generated introduction.
    SectionIndex,
    Regular,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// Relative source path with `/` separators (`policy/anti-bullying.md`);
    /// generated index pages have the path their `_index.md` would have.
    pub source: String,
    /// The file as the user would name it; `None` for generated pages.
    pub path: Option<PathBuf>,
    /// Output path relative to the site root (`policy/anti-bullying.html`).
    pub url: String,
    pub kind: PageKind,
    /// Index into `Handbook::sections` of the section the page belongs to
    /// (for a section index, that section itself).
    pub section: usize,
    pub title: String,
    pub summary: Option<String>,
    pub audience: Vec<Audience>,
    pub visibility: Visibility,
    /// Principle keys, in the order of `PRINCIPLES`.
    pub principles: Vec<&'static str>,
    pub owner: Option<String>,
    pub last_reviewed: Option<Date>,
    pub review_by: Option<Date>,
    pub services: Vec<Ref>,
    pub weight: i64,
    pub draft: bool,
    pub tags: Vec<String>,
    pub lang: Option<String>,
    pub steps: Option<Vec<Step>>,
    /// The Markdown body and the file line it starts on.
    pub body: Arc<String>,
    pub body_line: usize,
    /// The front matter text, for locating values in it.
    pub front_text: Arc<str>,
}

impl Page {
    /// The page's folder relative to the root, `""` at the top.
    pub fn dir(&self) -> &str {
        self.source.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// Where `value` of `key` was written in the front matter (file position).
    pub fn locate(&self, key: &str, value: &str) -> Pos {
        let lines = yaml::all_lines(&self.front_text);
        let p = yaml::find_value(&self.front_text, lines, key, value).unwrap_or(Pos::new(0, 1));
        Pos::new(p.line + 1, p.col)
    }

    /// A generated page standing in for a missing `_index.md` or `index.md`.
    pub fn generated(source: String, title: String, kind: PageKind) -> Page {
        Page {
            url: output_url(&source),
            source,
            path: None,
            kind,
            section: 0,
            title,
            summary: None,
            audience: Audience::ALL.to_vec(),
            visibility: Visibility::Public,
            principles: Vec::new(),
            owner: None,
            last_reviewed: None,
            review_by: None,
            services: Vec::new(),
            weight: 0,
            draft: false,
            tags: Vec::new(),
            lang: None,
            steps: None,
            body: Arc::default(),
            body_line: 1,
            front_text: Arc::from(""),
        }
    }
}

/// `a/b.md` → `a/b.html`; `a/_index.md` and `a/index.md` → `a/index.html`.
pub fn output_url(source: &str) -> String {
    let (dir, file) = source
        .rsplit_once('/')
        .map_or(("", source), |(d, f)| (d, f));
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let stem = if stem == "_index" { "index" } else { stem };
    let mut url = String::with_capacity(dir.len() + stem.len() + 6);
    if !dir.is_empty() {
        url.push_str(dir);
        url.push('/');
    }
    url.push_str(stem);
    url.push_str(".html");
    url
}

/// Validates every page, in parallel; diagnostics keep the pages' order.
pub fn from_sources(sources: Vec<Arc<PageSource>>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Page> {
    use rayon::prelude::*;
    let checked: Vec<(Page, Vec<Diagnostic>)> = sources
        .into_par_iter()
        .map(|s| {
            let mut found = Vec::new();
            let page = from_source(s, &mut found);
            (page, found)
        })
        .collect();
    checked
        .into_iter()
        .map(|(page, found)| {
            diagnostics.extend(found);
            page
        })
        .collect()
}

fn from_source(source: Arc<PageSource>, diagnostics: &mut Vec<Diagnostic>) -> Page {
    let raw = &source.front;
    let text = &source.front_text;
    let path = &source.path;
    // Split into lines only when a position is wanted: for an error, or
    // for services not yet located.
    let located = LazyCell::new(|| yaml::Located::new(text));
    let file_pos = |p: Pos| Pos::new(p.line + source.front_line - 1, p.col);
    let key_pos = |key: &str| file_pos(located.find_key_from(key, 1).unwrap_or(Pos::new(1, 1)));
    let value_pos = |key: &str, value: &str| {
        file_pos(
            located
                .find_value(located.all(), key, value)
                .unwrap_or(Pos::new(1, 1)),
        )
    };
    let mut error = |pos: Pos, message: String, hint: Option<String>| {
        let d = Diagnostic::error(path, pos.line, pos.col, message);
        diagnostics.push(match hint {
            Some(h) => d.with_hint(h),
            None => d,
        });
    };

    let file_name = source.rel.rsplit('/').next().unwrap_or_default();
    let kind = match (source.rel.as_str(), file_name) {
        ("index.md", _) => PageKind::Home,
        (_, "_index.md") => PageKind::SectionIndex,
        _ => PageKind::Regular,
    };
    let title = match raw.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            error(
                Pos::new(1, 1),
                "the page has no `title`".into(),
                Some("add `title: …` to the front matter; it becomes the page's heading".into()),
            );
            String::new()
        }
    };

    let audience = match &raw.audience {
        None => Audience::ALL.to_vec(),
        Some(list) => {
            let mut out = Vec::new();
            for a in list {
                match Audience::parse(a) {
                    Some(a) => out.push(a),
                    None => error(
                        value_pos("audience", a),
                        format!("unknown audience `{a}`"),
                        Some(diagnostic::hint_for_value(
                            a,
                            &["staff", "parents", "pupils"],
                        )),
                    ),
                }
            }
            out.sort();
            out.dedup();
            out
        }
    };
    let visibility = match raw.visibility.as_deref() {
        None => Visibility::Public,
        Some(v) => Visibility::parse(v).unwrap_or_else(|| {
            error(
                value_pos("visibility", v),
                format!("unknown visibility `{v}`"),
                Some(diagnostic::hint_for_value(v, &["public", "staff"])),
            );
            Visibility::Staff
        }),
    };
    let keys: Vec<&str> = PRINCIPLES.iter().map(|(k, _)| *k).collect();
    let mut principles = Vec::new();
    for p in raw.principles.iter().flatten() {
        match PRINCIPLES.iter().find(|(k, _)| k == p) {
            Some((k, _)) => principles.push(*k),
            None => error(
                value_pos("principles", p),
                format!("unknown principle `{p}`"),
                Some(diagnostic::hint_for_value(p, &keys)),
            ),
        }
    }
    principles.sort_by_key(|k| keys.iter().position(|x| x == k));
    principles.dedup();

    let mut date = |key: &str, value: &Option<String>| {
        value.as_deref().and_then(|v| match Date::parse(v) {
            Ok(d) => Some(d),
            Err(message) => {
                error(value_pos(key, v), format!("{key}: {message}"), None);
                None
            }
        })
    };
    let last_reviewed = date("last_reviewed", &raw.last_reviewed);
    let review_by = date("review_by", &raw.review_by);
    if let (Some(last), Some(by)) = (last_reviewed, review_by)
        && by < last
    {
        error(
            key_pos("review_by"),
            format!("review_by ({by}) is before last_reviewed ({last})"),
            Some("the next review date should come after the last review".into()),
        );
    }
    if let Some(lang) = &raw.lang
        && !config::valid_language(lang)
    {
        error(
            value_pos("lang", lang),
            format!("`{lang}` is not a language tag"),
            Some("use a tag such as en-GB or cy".into()),
        );
    }
    let positions = source.service_positions.get_or_init(|| {
        raw.services
            .iter()
            .flatten()
            .map(|id| value_pos("services", id))
            .collect()
    });
    let services = raw
        .services
        .iter()
        .flatten()
        .zip(positions)
        .map(|(id, &pos)| Ref {
            id: id.clone(),
            pos,
        })
        .collect();
    let steps = raw.steps.as_ref().map(|steps| {
        if !source.rel.starts_with("pathways/") {
            error(
                key_pos("steps"),
                "`steps` are only read on pages in pathways/".into(),
                Some("move this page into the pathways folder, or remove `steps`".into()),
            );
        }
        pathway::steps_from_raw(steps, &located, source.front_line)
    });

    let summary = raw
        .summary
        .as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let (owner, tags, lang) = (raw.owner.clone(), raw.tags.clone(), raw.lang.clone());
    let (weight, draft) = (raw.weight.unwrap_or(0), raw.draft.unwrap_or(false));
    let (url, body, body_line, front_text) = (
        output_url(&source.rel),
        Arc::clone(&source.body),
        source.body_line,
        Arc::clone(&source.front_text),
    );
    // A build holds the only reference; `serve`'s cache keeps its own.
    let (rel, path) = match Arc::try_unwrap(source) {
        Ok(source) => (source.rel, source.path),
        Err(kept) => (kept.rel.clone(), kept.path.clone()),
    };
    Page {
        url,
        source: rel,
        path: Some(path),
        kind,
        section: 0,
        title,
        summary,
        audience,
        visibility,
        principles,
        owner,
        last_reviewed,
        review_by,
        services,
        weight,
        draft,
        tags: tags.unwrap_or_default(),
        lang,
        steps,
        body,
        body_line,
        front_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_urls() {
        assert_eq!(output_url("policy/a.md"), "policy/a.html");
        assert_eq!(output_url("policy/_index.md"), "policy/index.html");
        assert_eq!(output_url("policy/index.md"), "policy/index.html");
        assert_eq!(output_url("index.md"), "index.html");
        assert_eq!(output_url("a/b/c.md"), "a/b/c.html");
        assert_eq!(output_url("a/_index"), "a/index.html");
        assert_eq!(output_url("a/b.txt"), "a/b.txt.html");
        assert_eq!(output_url("/x.md"), "x.html");
        assert_eq!(output_url(""), ".html");
    }

    fn source(text: &str) -> Arc<PageSource> {
        let path = PathBuf::from("content/policy/a.md");
        Arc::new(crate::load::frontmatter::split("policy/a.md".into(), path, text.into()).unwrap())
    }

    #[test]
    fn service_references_are_located_once_per_source() {
        let text = "---\ntitle: A\nservices:\n  - childline\n  - nhs-111\n---\nBody.\n";
        let kept = source(text);
        let mut diagnostics = Vec::new();
        let first = from_source(Arc::clone(&kept), &mut diagnostics);
        let at = |line, col| Pos::new(line, col);
        let refs = |page: &Page| -> Vec<(String, Pos)> {
            page.services
                .iter()
                .map(|r| (r.id.clone(), r.pos))
                .collect()
        };
        let expected = vec![
            ("childline".to_string(), at(4, 5)),
            ("nhs-111".to_string(), at(5, 5)),
        ];
        assert_eq!(refs(&first), expected);
        assert_eq!(
            kept.service_positions.get(),
            Some(&vec![at(4, 5), at(5, 5)])
        );
        // A source kept between rebuilds gives the same references again.
        let again = from_source(Arc::clone(&kept), &mut diagnostics);
        assert_eq!(refs(&again), expected);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        // A page without services, or with an error, is located as before.
        let page = from_source(
            source("---\ntitle: B\naudience: [staff, elves]\n---\n"),
            &mut diagnostics,
        );
        assert!(page.services.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!((diagnostics[0].line, diagnostics[0].col), (3, 19));
    }
}
