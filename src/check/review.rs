//! Review dates: pages past (or near) their `review_by`, policy and pathway
//! pages with no review date, and services not verified for 12 months.

use serde::Serialize;

use super::{Audit, Finding};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Level};
use crate::load::Pos;
use crate::model::{Handbook, Page, PageKind};

/// Sections whose pages must carry a review date.
pub const REVIEWED_SECTIONS: [&str; 2] = ["policy", "pathways"];

/// A service is stale when not verified for this many months.
pub const STALE_MONTHS: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewStatus {
    /// `review_by` has passed.
    Overdue,
    /// `review_by` falls within `review.warn_days`.
    DueSoon,
    /// No `review_by`, on a page that needs one.
    Missing,
    /// No `review_by`, on a page that may go without.
    NotSet,
    Current,
}

impl ReviewStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Overdue => "Overdue",
            ReviewStatus::DueSoon => "Due soon",
            ReviewStatus::Missing => "No review date",
            ReviewStatus::NotSet => "Not set",
            ReviewStatus::Current => "Current",
        }
    }
}

/// One page's review state.
#[derive(Debug, Clone, Serialize)]
pub struct PageReview {
    pub page: String,
    pub title: String,
    pub owner: Option<String>,
    pub last_reviewed: Option<Date>,
    pub review_by: Option<Date>,
    /// Days from today to `review_by` (negative when overdue).
    pub days_left: Option<i64>,
    pub status: ReviewStatus,
}

/// A service whose contacts were last verified over 12 months ago.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceReview {
    pub id: String,
    pub name: String,
    pub last_verified: Date,
    pub days_since: i64,
}

/// The review state of every page written by hand (generated pages have no
/// dates), and the stale services. Problems go to `findings`.
pub fn audit(
    handbook: &Handbook,
    findings: &mut Vec<Finding>,
) -> (Vec<PageReview>, Vec<ServiceReview>) {
    let today = handbook.today;
    let warn_days = handbook.config.review_warn_days;
    let mut pages = Vec::new();
    for page in &handbook.pages {
        let Some(path) = &page.path else { continue };
        let days_left = page.review_by.map(|by| today.days_until(by));
        let status = match days_left {
            Some(d) if d < 0 => ReviewStatus::Overdue,
            Some(d) if d <= warn_days => ReviewStatus::DueSoon,
            Some(_) => ReviewStatus::Current,
            None if needs_review_date(page) => ReviewStatus::Missing,
            None => ReviewStatus::NotSet,
        };
        let mut push = |level: Level, pos: Pos, message: String, hint: &str| {
            findings.push(Finding {
                audit: Audit::Review,
                diagnostic: super::at(path, pos, level, message).with_hint(hint),
            });
        };
        match (status, page.review_by, days_left) {
            (ReviewStatus::Overdue, Some(by), Some(d)) => push(
                Level::Error,
                page.locate("review_by", &by.to_string()),
                format!(
                    "review date {by} has passed ({} ago): \"{}\" may be out of date",
                    days(-d),
                    page.title
                ),
                "review the page with its owner, then set last_reviewed to today and a new review_by",
            ),
            (ReviewStatus::DueSoon, Some(by), Some(d)) => push(
                Level::Warning,
                page.locate("review_by", &by.to_string()),
                format!(
                    "due for review by {by} ({})",
                    if d == 0 {
                        "today".to_string()
                    } else {
                        format!("in {}", days(d))
                    }
                ),
                "plan the review with the page's owner",
            ),
            (ReviewStatus::Missing, _, _) => push(
                Level::Warning,
                Pos::new(1, 1),
                format!(
                    "\"{}\" has no review_by date; {} pages must be reviewed regularly",
                    page.title,
                    page.source.split('/').next().unwrap_or_default()
                ),
                "add `review_by: YYYY-MM-DD` (and `last_reviewed`) to the front matter",
            ),
            _ => {}
        }
        pages.push(PageReview {
            page: page.source.clone(),
            title: page.title.clone(),
            owner: page.owner.clone(),
            last_reviewed: page.last_reviewed,
            review_by: page.review_by,
            days_left,
            status,
        });
    }

    let cutoff = today.months_before(STALE_MONTHS);
    let mut stale = Vec::new();
    for service in &handbook.services {
        let Some(verified) = service.last_verified else {
            continue;
        };
        if verified >= cutoff {
            continue;
        }
        let since = verified.days_until(today);
        findings.push(Finding {
            audit: Audit::Review,
            diagnostic: Diagnostic::warning(
                &service.path,
                service.pos.line,
                service.pos.col,
                format!(
                    "{} on {verified}, over {STALE_MONTHS} months ago",
                    stale_message_prefix(&service.id)
                ),
            )
            .with_hint(
                "check its phone numbers, hours and web address still work, then update last_verified",
            ),
        });
        stale.push(ServiceReview {
            id: service.id.clone(),
            name: service.name.clone(),
            last_verified: verified,
            days_since: since,
        });
    }
    (pages, stale)
}

/// How the stale-service finding starts (to recognise it).
pub fn stale_message_prefix(id: &str) -> String {
    format!("service `{id}` was last verified")
}

/// Policy and pathway pages (not the sections' introductions) need a review date.
fn needs_review_date(page: &Page) -> bool {
    page.kind == PageKind::Regular
        && REVIEWED_SECTIONS
            .iter()
            .any(|s| page.source.starts_with(&format!("{s}/")))
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}
