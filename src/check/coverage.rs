//! Whole-school approach coverage: which pages address each of the eight
//! principles (front matter `principles`). A principle no page addresses is
//! a gap in the handbook.

use serde::Serialize;

use super::{Audit, Finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Handbook, PRINCIPLES};

/// One principle and the pages (source paths, reading order) that address it.
#[derive(Debug, Clone, Serialize)]
pub struct Principle {
    pub key: &'static str,
    pub label: &'static str,
    pub pages: Vec<String>,
}

pub fn audit(handbook: &Handbook, findings: &mut Vec<Finding>) -> Vec<Principle> {
    PRINCIPLES
        .iter()
        .map(|&(key, label)| {
            let pages: Vec<String> = handbook
                .pages
                .iter()
                .filter(|p| p.principles.contains(&key))
                .map(|p| p.source.clone())
                .collect();
            if pages.is_empty() {
                findings.push(Finding {
                    audit: Audit::Coverage,
                    diagnostic: Diagnostic::warning(
                        &handbook.root,
                        0,
                        0,
                        format!(
                            "no page in the {} edition addresses the principle `{key}` ({label})",
                            handbook.edition.name()
                        ),
                    )
                    .with_hint(format!(
                        "add `principles: [{key}]` to the pages that cover it, or write one"
                    )),
                });
            }
            Principle { key, label, pages }
        })
        .collect()
}
