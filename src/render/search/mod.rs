//! Search: the index the browser's script queries (built here, at build
//! time) and the A–Z page that the search box leads to without JavaScript.
//! The design is described in the README (Search, "How it is built").

mod documents;
pub mod index;
mod json;
mod shards;
pub mod tokenise;
mod urgent;
mod weights;

use std::sync::Mutex;

use serde::Serialize;

use super::context::{self, PageContext, Shared};
use super::{Content, OutputFile, Rendered, Reuse, Sink, Templates, json_for_script, relative};
use crate::diagnostic::Diagnostic;
use crate::model::Handbook;

/// The A–Z page, also where the search form goes without JavaScript.
pub const PAGE: &str = "search.html";
/// The index's entry file (the whole index, or its table of shards).
pub const ENTRY: &str = "search/index.js";

/// Output paths this feature always writes.
pub fn reserved_outputs() -> [&'static str; 2] {
    [PAGE, ENTRY]
}

/// The index files and the A–Z page, each handed to `sink` as it is made;
/// returns what the sink gives back, in path order.
pub fn files(
    handbook: &Handbook,
    shared: &Shared,
    templates: &Templates,
    rendered: &[Rendered],
    reuse: &Reuse,
    sink: &dyn Sink,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let kept = Mutex::new(Vec::new());
    let first_error = Mutex::new(None);
    let put = |file: OutputFile| match sink.put(file) {
        Ok(Some(file)) => kept.lock().unwrap_or_else(|e| e.into_inner()).push(file),
        Ok(None) => {}
        Err(d) => {
            first_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(d);
        }
    };
    index::build_into(handbook, rendered, reuse.search, &|name, file| {
        put(OutputFile {
            content: match file {
                index::File::Json(json) => Content::Bytes(script(&name, json).into_bytes()),
                index::File::Script(script) => Content::Shared(script),
            },
            path: format!("search/{name}.js"),
        })
    });
    // The A–Z page lists titles and summaries: front matter alone.
    let html = reuse.front_only(PAGE, || {
        templates
            .render("search.html", &az_context(handbook, shared))
            .map(String::into_bytes)
    })?;
    put(OutputFile {
        path: PAGE.into(),
        content: html,
    });
    if let Some(d) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(d);
    }
    let mut files = kept.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// One index file: a call the browser's script answers, which works from
/// `file://` where fetching would not.
/// `json` is JSON text already safe inside a script.
pub fn script(name: &str, json: &str) -> String {
    let name = json_for_script(&name);
    let mut out = String::with_capacity(json.len() + name.len() + 30);
    out.push_str("window.__handbookSearch(");
    out.push_str(&name);
    out.push(',');
    out.push_str(json);
    out.push_str(");\n");
    out
}

#[derive(Serialize)]
struct AzContext<'a> {
    #[serde(flatten)]
    base: PageContext<'a>,
    az: Vec<Letter>,
}

#[derive(Serialize)]
struct Letter {
    letter: String,
    id: String,
    entries: Vec<AzEntry>,
}

#[derive(Serialize)]
struct AzEntry {
    title: String,
    url: String,
    summary: Option<String>,
    kind: &'static str,
}

fn az_context<'a>(handbook: &'a Handbook, shared: &'a Shared) -> AzContext<'a> {
    let base = context::page_like(handbook, shared, PAGE, "A to Z");
    let mut entries: Vec<(String, AzEntry)> = handbook
        .pages
        .iter()
        .map(|p| AzEntry {
            title: p.title.clone(),
            url: relative(PAGE, &p.url),
            summary: p.summary.clone(),
            kind: "Page",
        })
        .chain(handbook.services.iter().map(|s| AzEntry {
            title: s.name.clone(),
            url: relative(PAGE, &format!("services/{}.html", s.id)),
            summary: s.organisation.clone(),
            kind: "Service",
        }))
        .map(|e| (tokenise::fold(&e.title), e))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut az: Vec<Letter> = Vec::new();
    for (key, entry) in entries {
        let first = key.chars().find(|c| c.is_alphanumeric()).unwrap_or('#');
        let letter = if first.is_ascii_alphabetic() {
            first.to_ascii_uppercase().to_string()
        } else {
            "#".to_string()
        };
        match az.last_mut() {
            Some(l) if l.letter == letter => l.entries.push(entry),
            _ => az.push(Letter {
                id: if letter == "#" {
                    "az-other".into()
                } else {
                    format!("az-{}", letter.to_lowercase())
                },
                letter,
                entries: vec![entry],
            }),
        }
    }
    AzContext { base, az }
}

#[cfg(test)]
pub(crate) mod tests;
