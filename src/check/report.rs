//! The check report as text (for people) and JSON (for CI). The JSON
//! object's shape is documented in docs/check.md; its field names are stable.

use std::path::PathBuf;

use serde::Serialize;

use super::external::{Checked, Outcome};
use super::{Report, coverage, readability, review};
use crate::date::Date;
use crate::diagnostic::Level;

/// Findings grouped by file (`path:line:col: level: message` lines), short
/// summaries of coverage, reading age and external links, then one summary line.
pub fn text(report: &Report, strict: bool) -> String {
    let mut out = String::new();
    let mut current: Option<&PathBuf> = None;
    for f in &report.findings {
        let d = &f.diagnostic;
        if current != Some(&d.path) {
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("{}\n", d.path.display()));
            current = Some(&d.path);
        }
        out.push_str(&format!("{d}\n"));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }

    out.push_str("Whole-school approach: pages addressing each principle\n");
    for p in &report.coverage {
        let n = p.pages.len();
        out.push_str(&match n {
            0 => format!("  ✗ {}: no page\n", p.label),
            1 => format!("  ✓ {}: 1 page\n", p.label),
            n => format!("  ✓ {}: {n} pages\n", p.label),
        });
    }

    let scored = &report.readability;
    let above: Vec<&readability::PageScore> = scored.iter().filter(|s| s.above_limit).collect();
    out.push_str(&format!(
        "Reading age: {} page{} for parents or pupils scored, {} above {}",
        scored.len(),
        if scored.len() == 1 { "" } else { "s" },
        above.len(),
        report.max_reading_age
    ));
    match scored
        .iter()
        .max_by(|a, b| a.reading_age.total_cmp(&b.reading_age))
    {
        Some(s) => out.push_str(&format!(" (hardest: {} at {:.1})\n", s.page, s.reading_age)),
        None => out.push('\n'),
    }

    let overdue = count(&report.review, review::ReviewStatus::Overdue);
    let due = count(&report.review, review::ReviewStatus::DueSoon);
    out.push_str(&format!(
        "Review dates: {overdue} overdue, {due} due soon; {} service{} not verified for 12 months\n",
        report.stale_services.len(),
        if report.stale_services.len() == 1 { "" } else { "s" }
    ));

    match &report.external {
        None => out.push_str("External links: not checked (use --external)\n"),
        Some(checked) => {
            let n = |o: Outcome| checked.iter().filter(|c| c.outcome == o).count();
            out.push_str(&format!(
                "External links: {} checked: {} ok, {} broken, {} answered with an error, {} could not be reached\n",
                checked.len(),
                n(Outcome::Ok),
                n(Outcome::Broken),
                n(Outcome::Failed),
                n(Outcome::Unreachable)
            ));
            if !checked.is_empty() && n(Outcome::Unreachable) == checked.len() {
                out.push_str("  None could be reached: is this machine online?\n");
            }
        }
    }

    let (errors, warnings) = (report.errors(), report.warnings());
    out.push_str(&format!(
        "Checked the {} edition of {}: {} pages, {} services: {} error{}, {} warning{}{}.\n",
        report.edition.name(),
        report.root.display(),
        report.pages,
        report.services,
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
        if strict && errors == 0 && warnings > 0 {
            " (--strict: warnings fail the check)"
        } else {
            ""
        }
    ));
    out
}

fn count(pages: &[review::PageReview], status: review::ReviewStatus) -> usize {
    pages.iter().filter(|p| p.status == status).count()
}

#[derive(Serialize)]
struct Json<'a> {
    schema: u32,
    handbook: String,
    edition: &'static str,
    today: Date,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    review: JsonReview<'a>,
    coverage: &'a [coverage::Principle],
    readability: JsonReadability<'a>,
    external: Option<&'a [Checked]>,
}

#[derive(Serialize)]
struct Summary {
    pages: usize,
    services: usize,
    errors: usize,
    warnings: usize,
    exit_code: i32,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    audit: &'static str,
    level: Level,
    path: String,
    line: usize,
    column: usize,
    message: &'a str,
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReview<'a> {
    pages: &'a [review::PageReview],
    stale_services: &'a [review::ServiceReview],
}

#[derive(Serialize)]
struct JsonReadability<'a> {
    max_reading_age: f64,
    pages: &'a [readability::PageScore],
}

/// The report as one JSON object (see docs/check.md).
pub fn json(report: &Report, strict: bool) -> String {
    let value = Json {
        schema: 1,
        handbook: report.root.display().to_string(),
        edition: report.edition.name(),
        today: report.today,
        summary: Summary {
            pages: report.pages,
            services: report.services,
            errors: report.errors(),
            warnings: report.warnings(),
            exit_code: report.exit_code(strict),
        },
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                audit: f.audit.name(),
                level: f.diagnostic.level,
                path: f.diagnostic.path.display().to_string(),
                line: f.diagnostic.line,
                column: f.diagnostic.col,
                message: &f.diagnostic.message,
                hint: f.diagnostic.hint.as_deref(),
            })
            .collect(),
        review: JsonReview {
            pages: &report.review,
            stale_services: &report.stale_services,
        },
        coverage: &report.coverage,
        readability: JsonReadability {
            max_reading_age: report.max_reading_age,
            pages: &report.readability,
        },
        external: report.external.as_deref(),
    };
    let mut text = serde_json::to_string_pretty(&value).expect("plain data serialises");
    text.push('\n');
    text
}
