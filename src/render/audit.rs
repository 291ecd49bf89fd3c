//! `audit.html`, in the staff edition only: the findings of `handbook check`
//! as tables a Senior Mental Health Lead can take to governors (review
//! dates, stale services, the whole-school approach as a grid of principles
//! against pages, and every other finding).

use std::path::Path;

use serde::Serialize;

use super::context::{self, DateInfo, PageContext, Shared};
use super::{Rendered, Templates};
use crate::check::{self, review::ReviewStatus};
use crate::diagnostic::{Diagnostic, Level};
use crate::model::{Handbook, PRINCIPLES};

pub const URL: &str = "audit.html";

#[derive(Serialize)]
struct AuditContext<'a> {
    #[serde(flatten)]
    base: PageContext<'a>,
    audit: Audit,
}

#[derive(Serialize)]
struct Audit {
    today: DateInfo,
    errors: usize,
    warnings: usize,
    review: Vec<ReviewRow>,
    overdue: usize,
    due_soon: usize,
    stale_services: Vec<ServiceRow>,
    principles: Vec<PrincipleColumn>,
    grid: Vec<GridRow>,
    pages_without_principles: usize,
    readability: Vec<ReadingRow>,
    max_reading_age: f64,
    findings: Vec<FindingRow>,
}

#[derive(Serialize)]
struct ReviewRow {
    title: String,
    url: String,
    owner: Option<String>,
    last_reviewed: Option<DateInfo>,
    review_by: Option<DateInfo>,
    status: &'static str,
    status_key: String,
    when: Option<String>,
}

#[derive(Serialize)]
struct ServiceRow {
    name: String,
    id: String,
    last_verified: DateInfo,
    days_since: i64,
}

#[derive(Serialize)]
struct PrincipleColumn {
    key: &'static str,
    label: &'static str,
    pages: usize,
}

#[derive(Serialize)]
struct GridRow {
    title: String,
    url: String,
    /// One per principle, in the order of `PRINCIPLES`.
    cells: Vec<bool>,
}

#[derive(Serialize)]
struct ReadingRow {
    title: String,
    url: String,
    reading_age: f64,
    flesch_reading_ease: f64,
    above_limit: bool,
    hardest: Option<String>,
}

#[derive(Serialize)]
struct FindingRow {
    audit: &'static str,
    error: bool,
    level: &'static str,
    location: String,
    message: String,
    hint: Option<String>,
}

pub fn render(
    handbook: &Handbook,
    shared: &Shared,
    templates: &Templates,
    rendered: &[Rendered],
) -> Result<String, Diagnostic> {
    let report = check::audit(handbook, rendered);
    let url_of = |source: &str| {
        handbook
            .page_by_source(source)
            .map(|p| p.url.clone())
            .unwrap_or_default()
    };
    let review: Vec<ReviewRow> = report
        .review
        .iter()
        .map(|r| ReviewRow {
            title: r.title.clone(),
            url: url_of(&r.page),
            owner: r.owner.clone(),
            last_reviewed: r.last_reviewed.map(Into::into),
            review_by: r.review_by.map(Into::into),
            status: r.status.label(),
            status_key: format!("{:?}", r.status).to_lowercase(),
            when: r.days_left.map(|d| match d {
                d if d < 0 => format!("{} days ago", -d),
                0 => "today".into(),
                d => format!("in {d} days"),
            }),
        })
        .collect();
    let count = |s: ReviewStatus| report.review.iter().filter(|r| r.status == s).count();
    let grid: Vec<GridRow> = handbook
        .pages
        .iter()
        .filter(|p| !p.principles.is_empty())
        .map(|p| GridRow {
            title: p.title.clone(),
            url: p.url.clone(),
            cells: PRINCIPLES
                .iter()
                .map(|(k, _)| p.principles.contains(k))
                .collect(),
        })
        .collect();
    let root = handbook.root.as_path();
    let audit = Audit {
        today: handbook.today.into(),
        errors: report.errors(),
        warnings: report.warnings(),
        overdue: count(ReviewStatus::Overdue),
        due_soon: count(ReviewStatus::DueSoon),
        review,
        stale_services: report
            .stale_services
            .iter()
            .map(|s| ServiceRow {
                name: s.name.clone(),
                id: s.id.clone(),
                last_verified: s.last_verified.into(),
                days_since: s.days_since,
            })
            .collect(),
        principles: report
            .coverage
            .iter()
            .map(|c| PrincipleColumn {
                key: c.key,
                label: c.label,
                pages: c.pages.len(),
            })
            .collect(),
        pages_without_principles: handbook
            .pages
            .iter()
            .filter(|p| p.path.is_some() && p.principles.is_empty())
            .count(),
        grid,
        readability: report
            .readability
            .iter()
            .map(|s| ReadingRow {
                title: s.title.clone(),
                url: url_of(&s.page),
                reading_age: s.reading_age,
                flesch_reading_ease: s.flesch_reading_ease,
                above_limit: s.above_limit,
                hardest: s.hardest.first().map(|h| h.text.clone()),
            })
            .collect(),
        max_reading_age: report.max_reading_age,
        findings: report
            .findings
            .iter()
            .map(|f| FindingRow {
                audit: f.audit.name(),
                error: f.diagnostic.level == Level::Error,
                level: if f.diagnostic.level == Level::Error {
                    "Error"
                } else {
                    "Warning"
                },
                location: location(root, &f.diagnostic),
                message: f.diagnostic.message.clone(),
                hint: f.diagnostic.hint.clone(),
            })
            .collect(),
    };
    let base = context::page_like(handbook, shared, URL, "Handbook audit");
    templates.render("audit.html", &AuditContext { base, audit })
}

/// `policy/a.md:3:1`, relative to the handbook folder.
fn location(root: &Path, d: &Diagnostic) -> String {
    let path = d.path.strip_prefix(root).unwrap_or(&d.path);
    let path = if path.as_os_str().is_empty() {
        "(whole handbook)".to_string()
    } else {
        path.display().to_string()
    };
    if d.line > 0 {
        format!("{path}:{}:{}", d.line, d.col.max(1))
    } else {
        path
    }
}
