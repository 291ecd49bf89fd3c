//! `print.html`: the whole edition in reading order on one page, with every
//! link between pages turned into a link within the page.
//!
//! A handbook of more than `WHOLE_PRINT_LIMIT` pages is too long to print
//! as one page (and rendering it would double the build): its print.html is
//! the contents, linking to each page, which prints well on its own.

use rayon::prelude::*;
use serde::Serialize;

use super::Templates;
use super::context::{self, PageContext, ServiceCard, Shared};
use super::markdown::{self, Linker};
use super::pathway::PathwayView;
use crate::diagnostic::Diagnostic;
use crate::model::{Handbook, PageKind};

/// The most pages printed whole on print.html.
pub const WHOLE_PRINT_LIMIT: usize = 300;

/// The print page's path.
pub const URL: &str = "print.html";

/// Whether the print page holds the pages' text (and not only the contents).
pub fn shows_markdown(handbook: &Handbook) -> bool {
    handbook.pages.len() <= WHOLE_PRINT_LIMIT
}

/// Pages nest under sections in print, so their headings move down by
/// `shift` levels; ids and links gain the page's anchor as a prefix, and
/// files beside the page (images, PDFs) are reached from the site root.
struct PrintLinker<'a> {
    prefix: &'a str,
    shift: u8,
    dir: &'a str,
}

/// The anchor of a page within print.html.
pub fn anchor(source: &str) -> String {
    format!("page-{}", markdown::slug(source.trim_end_matches(".md")))
}

impl Linker for PrintLinker<'_> {
    fn page(&self, source: &str, fragment: Option<&str>) -> String {
        let page = anchor(source);
        match fragment {
            Some(f) => format!("#{page}--{f}"),
            None => format!("#{page}"),
        }
    }
    fn fragment(&self, id: &str) -> String {
        format!("#{}--{id}", self.prefix)
    }
    fn service(&self, id: &str) -> String {
        format!("services/{id}.html")
    }
    fn heading_id(&self, id: &str) -> String {
        format!("{}--{id}", self.prefix)
    }
    fn heading_shift(&self) -> u8 {
        self.shift
    }
    fn other(&self, url: &str) -> String {
        let has_scheme = url
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|first| first.contains(':'));
        if self.dir.is_empty() || has_scheme || url.starts_with('/') || url.starts_with('#') {
            url.to_string()
        } else {
            format!("{}/{url}", self.dir)
        }
    }
}

#[derive(Serialize)]
struct Part {
    anchor: String,
    title: String,
    /// 2 for the home and sections, 3 for pages.
    level: u8,
    summary: Option<String>,
    owner: Option<String>,
    review_by: Option<String>,
    content: String,
    staff_only: bool,
    /// A pathway's steps, with ids under the page's anchor.
    pathway: Option<PathwayView>,
    /// The page's own URL, when print.html holds only the contents.
    url: Option<String>,
}

#[derive(Serialize)]
struct PrintContext<'a> {
    #[serde(flatten)]
    base: PageContext<'a>,
    parts: Vec<Part>,
    /// Whether every page is printed in full (else only the contents).
    whole: bool,
    page_count: usize,
    /// Every service in the edition, after the pages: the service
    /// directory is generated, so it has no page of its own to print.
    print_services: PrintServices,
}

#[derive(Serialize)]
struct PrintServices {
    anchor: &'static str,
    title: &'static str,
    cards: Vec<ServiceCard>,
}

pub fn render(
    handbook: &Handbook,
    shared: &Shared,
    templates: &Templates,
) -> Result<String, Diagnostic> {
    let whole = shows_markdown(handbook);
    let parts = handbook
        .pages
        .par_iter()
        .map(|page| {
            let prefix = anchor(&page.source);
            let level = if page.kind == PageKind::Regular { 3 } else { 2 };
            if !whole {
                return Part {
                    content: String::new(),
                    anchor: prefix,
                    title: page.title.clone(),
                    level,
                    summary: None,
                    owner: None,
                    review_by: None,
                    staff_only: page.visibility == crate::model::Visibility::Staff,
                    url: Some(page.url.clone()),
                    pathway: None,
                };
            }
            // A part's own title is at `level`; its h2s go one below that.
            let linker = PrintLinker {
                prefix: &prefix,
                shift: level - 1,
                dir: page.dir(),
            };
            let content = markdown::render(&page.body, page.dir(), page.body_line, &linker);
            Part {
                content: content.html,
                anchor: prefix.clone(),
                title: page.title.clone(),
                level,
                summary: page.summary.clone(),
                owner: page.owner.clone(),
                review_by: page.review_by.map(|d| d.long()),
                staff_only: page.visibility == crate::model::Visibility::Staff,
                pathway: super::pathway::view(
                    handbook,
                    page,
                    &linker,
                    "print.html",
                    &format!("{prefix}--"),
                    level + 1,
                ),
                url: None,
            }
        })
        .collect();
    let base = context::page_like(handbook, shared, "print.html", &handbook.config.title);
    let page_count = handbook.pages.len();
    let mut cards: Vec<ServiceCard> = handbook
        .services
        .par_iter()
        .map(|s| shared.service_card(s, "print.html"))
        .collect();
    cards.sort_by_key(|c| !c.urgent);
    let print_services = PrintServices {
        anchor: "print-services",
        title: super::services::DIRECTORY_TITLE,
        cards,
    };
    templates.render(
        "print.html",
        &PrintContext {
            base,
            parts,
            whole,
            page_count,
            print_services,
        },
    )
}
