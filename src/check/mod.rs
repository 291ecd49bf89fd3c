//! `handbook check`: every build-time validation, then the audits a Senior
//! Mental Health Lead needs to keep a handbook safe and current (review
//! dates, whole-school coverage, links, accessibility of the source, plain
//! English), without writing a site.
//!
//! The audits are pure functions of the validated handbook and its rendered
//! Markdown, so the staff edition's audit page shows exactly what `check`
//! reports. Only `--external` touches the network.

pub mod accessibility;
pub mod coverage;
pub mod external;
pub mod links;
pub mod readability;
pub mod report;
pub mod review;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::date::Date;
use crate::diagnostic::{self, Diagnostic};
use crate::load::Pos;
use crate::model::{Edition, Handbook};
use crate::render::Rendered;
use crate::{CompileOptions, Failure};

/// Which audit found a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audit {
    /// The build's own validation (front matter, services, pathways, page links).
    Build,
    Review,
    Coverage,
    Links,
    External,
    Accessibility,
    Readability,
}

impl Audit {
    pub fn name(self) -> &'static str {
        match self {
            Audit::Build => "build",
            Audit::Review => "review",
            Audit::Coverage => "coverage",
            Audit::Links => "links",
            Audit::External => "external",
            Audit::Accessibility => "accessibility",
            Audit::Readability => "readability",
        }
    }
}

/// One problem, and the audit that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub audit: Audit,
    pub diagnostic: Diagnostic,
}

/// What `handbook check` is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub compile: CompileOptions,
    /// Fetch every http(s) link and service website.
    pub external: bool,
}

/// Everything the audits found, for text, JSON and the audit page.
#[derive(Debug, Clone)]
pub struct Report {
    pub root: PathBuf,
    pub edition: Edition,
    pub today: Date,
    pub pages: usize,
    pub services: usize,
    /// Sorted by file, then position.
    pub findings: Vec<Finding>,
    pub review: Vec<review::PageReview>,
    pub stale_services: Vec<review::ServiceReview>,
    pub coverage: Vec<coverage::Principle>,
    pub readability: Vec<readability::PageScore>,
    /// Present only when external links were checked.
    pub external: Option<Vec<external::Checked>>,
    pub max_reading_age: f64,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.diagnostic.is_error())
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// 0 clean or warnings only; 1 errors, or warnings under `strict`.
    pub fn exit_code(&self, strict: bool) -> i32 {
        if self.errors() > 0 || (strict && self.warnings() > 0) {
            1
        } else {
            0
        }
    }
}

/// Reads, validates and audits the handbook at `dir`. Only a handbook that
/// cannot be read at all is an `Err` (exit code 2).
pub fn run(dir: &Path, options: Options) -> Result<Report, Failure> {
    let (handbook, _theme, rendered, diagnostics) = crate::analyse(dir, options.compile)?;
    let mut report = audit(&handbook, &rendered);
    drop_stale_services_the_build_reported(&mut report, &diagnostics);
    report
        .findings
        .extend(diagnostics.into_iter().map(|d| Finding {
            audit: Audit::Build,
            diagnostic: d,
        }));
    if options.external {
        let targets = external::targets(&handbook, &rendered);
        let checked = external::check_all(&targets, &external::Settings::default());
        report.findings.extend(external::findings(&checked));
        report.external = Some(checked);
    }
    finish(&mut report.findings);
    Ok(report)
}

/// The build may report a service not verified for 12 months in its own
/// words and at its own position; then the audit's finding is a repeat.
fn drop_stale_services_the_build_reported(report: &mut Report, build: &[Diagnostic]) {
    for stale in &report.stale_services {
        let named = format!("`{}`", stale.id);
        let reported = build
            .iter()
            .any(|d| d.message.contains(&named) && d.message.contains("verified"));
        if reported {
            let ours = review::stale_message_prefix(&stale.id);
            report
                .findings
                .retain(|f| !(f.audit == Audit::Review && f.diagnostic.message.starts_with(&ours)));
        }
    }
}

/// Runs every offline audit; `rendered[i]` is the Markdown of `handbook.pages[i]`.
pub fn audit(handbook: &Handbook, rendered: &[Rendered]) -> Report {
    let mut findings = Vec::new();
    let (review, stale_services) = review::audit(handbook, &mut findings);
    let coverage = coverage::audit(handbook, &mut findings);
    links::audit(handbook, rendered, &mut findings);
    accessibility::audit(handbook, &mut findings);
    let readability = readability::audit(handbook, &mut findings);
    finish(&mut findings);
    Report {
        root: handbook.root.clone(),
        edition: handbook.edition,
        today: handbook.today,
        pages: handbook.pages.len(),
        services: handbook.services.len(),
        findings,
        review,
        stale_services,
        coverage,
        readability,
        external: None,
        max_reading_age: handbook.config.max_reading_age,
    }
}

/// Sorts findings by place and drops exact repeats (the build may report a
/// problem an audit reports too, e.g. a stale service); of two repeats, the
/// build's is kept.
fn finish(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        let (x, y) = (&a.diagnostic, &b.diagnostic);
        (&x.path, x.line, x.col, &x.message, x.level, a.audit)
            .cmp(&(&y.path, y.line, y.col, &y.message, y.level, b.audit))
    });
    findings.dedup_by(|later, earlier| same_problem(&later.diagnostic, &earlier.diagnostic));
}

/// Identical diagnostics, ignoring the hint.
fn same_problem(a: &Diagnostic, b: &Diagnostic) -> bool {
    a.path == b.path
        && a.line == b.line
        && a.col == b.col
        && a.level == b.level
        && a.message == b.message
}

/// Maps byte offsets in a page's Markdown body to line:column in its file.
pub struct Positions<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: usize,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, first_line: usize) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Positions {
            text,
            starts,
            first_line,
        }
    }

    pub fn at(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = self
            .text
            .get(self.starts[line]..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Pos::new(self.first_line + line, col)
    }
}

/// A diagnostic at `pos` in `path`.
pub fn at(path: &Path, pos: Pos, level: diagnostic::Level, message: String) -> Diagnostic {
    let d = Diagnostic::error(path, pos.line, pos.col, message);
    Diagnostic { level, ..d }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_from_the_body_start() {
        let p = Positions::new("ab\ncdé\nf", 5);
        assert_eq!(p.at(0), Pos::new(5, 1));
        assert_eq!(p.at(4), Pos::new(6, 2));
        assert_eq!(p.at(8), Pos::new(7, 1));
    }

    #[test]
    fn a_stale_service_the_build_reported_is_not_repeated() {
        let handbook = Handbook {
            today: Date::parse("2026-11-23").unwrap(),
            services: vec![crate::model::Service {
                id: "old".into(),
                name: "Old".into(),
                organisation: None,
                description: None,
                category: None,
                audiences: Vec::new(),
                ages: None,
                area: None,
                urgent: false,
                contact: Default::default(),
                hours: None,
                cost: None,
                referral: None,
                languages: Vec::new(),
                visibility: Default::default(),
                last_verified: Some(Date::parse("2025-01-01").unwrap()),
                path: "content/services.yaml".into(),
                pos: Pos::new(2, 3),
            }],
            ..Handbook::default()
        };
        let mut report = audit(&handbook, &[]);
        let stale = |r: &Report| {
            r.findings
                .iter()
                .filter(|f| f.diagnostic.message.contains("`old`"))
                .count()
        };
        assert_eq!(stale(&report), 1);
        drop_stale_services_the_build_reported(&mut report, &[]);
        assert_eq!(stale(&report), 1);
        let build = Diagnostic::warning(
            "content/services.yaml",
            9,
            5,
            "service `old` has not been verified since 2025-01-01",
        );
        drop_stale_services_the_build_reported(&mut report, &[build]);
        assert_eq!(stale(&report), 0);
    }

    #[test]
    fn identical_findings_are_reported_once() {
        let d = Diagnostic::warning("content/services.yaml", 3, 5, "stale");
        let mut findings = vec![
            Finding {
                audit: Audit::Review,
                diagnostic: d.clone(),
            },
            Finding {
                audit: Audit::Build,
                diagnostic: d.clone().with_hint("check it"),
            },
            Finding {
                audit: Audit::Links,
                diagnostic: Diagnostic::error("content/a.md", 1, 1, "x"),
            },
        ];
        finish(&mut findings);
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].diagnostic.path, PathBuf::from("content/a.md"));
        assert_eq!(findings[1].audit, Audit::Build);
        assert_eq!(findings[1].diagnostic.hint.as_deref(), Some("check it"));
    }
}
