//! handbook.yaml as plain, validated data.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::load::{ConfigSource, Pos, raw::RawConfig, yaml};

/// A reference to something by id (a service, a step), with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ref {
    pub id: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: PathBuf,
    pub title: String,
    pub school: Option<String>,
    pub language: String,
    /// Always ends with `/` when set.
    pub base_url: Option<String>,
    pub theme: String,
    pub urgent_help: UrgentHelp,
    pub synonyms: Vec<Vec<String>>,
    pub crisis_terms: Vec<String>,
    pub review_warn_days: i64,
    pub max_reading_age: f64,
}

#[derive(Debug, Clone, Default)]
pub struct UrgentHelp {
    pub title: String,
    /// Markdown.
    pub body: String,
    pub services: Vec<Ref>,
}

/// Crisis terms used when handbook.yaml names none.
pub const DEFAULT_CRISIS_TERMS: &[&str] = &[
    "suicide",
    "suicidal",
    "kill myself",
    "end my life",
    "self-harm",
    "overdose",
    "abuse",
    "in danger",
];

/// Validates handbook.yaml; problems are pushed to `diagnostics`.
pub fn from_source(source: &ConfigSource, diagnostics: &mut Vec<Diagnostic>) -> Config {
    let raw: &RawConfig = &source.raw;
    let text = &source.text;
    let path = &source.path;
    let located = yaml::Located::new(text);
    let at = |key: &str| located.find_key_from(key, 1).unwrap_or(Pos::new(1, 1));
    let title = match raw.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            diagnostics.push(
                Diagnostic::error(path, 1, 1, "handbook.yaml has no `title`")
                    .with_hint("add a line such as `title: Our school's mental health handbook`"),
            );
            String::new()
        }
    };
    let language = raw.language.clone().unwrap_or_else(|| "en-GB".into());
    if !valid_language(&language) {
        let p = at("language");
        diagnostics.push(
            Diagnostic::error(
                path,
                p.line,
                p.col,
                format!("`{language}` is not a language tag"),
            )
            .with_hint("use a tag such as en-GB or cy"),
        );
    }
    let base_url = raw.base_url.as_ref().map(|u| {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            let p = at("base_url");
            diagnostics.push(
                Diagnostic::error(
                    path,
                    p.line,
                    p.col,
                    format!("base_url `{u}` is not a web address"),
                )
                .with_hint("write the full address, e.g. https://www.example.org/handbook/"),
            );
        }
        if u.ends_with('/') {
            u.clone()
        } else {
            format!("{u}/")
        }
    });
    let help = raw.urgent_help.clone().unwrap_or_default();
    let lines = located.all();
    let urgent_help = UrgentHelp {
        title: help.title.unwrap_or_else(|| "Need help now?".into()),
        body: help.body.unwrap_or_else(|| {
            "If anyone is in immediate danger, call 999. In school, talk to any adult you trust: they will tell the \
             Designated Safeguarding Lead."
                .into()
        }),
        services: help
            .services
            .iter()
            .map(|id| Ref { id: id.clone(), pos: located.find_value(lines, "services", id).unwrap_or_default() })
            .collect(),
    };
    let search = raw.search.clone().unwrap_or_default();
    let review_warn_days = raw.review.as_ref().and_then(|r| r.warn_days).unwrap_or(30);
    if review_warn_days < 0 {
        let p = at("warn_days");
        diagnostics.push(Diagnostic::error(
            path,
            p.line,
            p.col,
            "review.warn_days must be 0 or more",
        ));
    }
    Config {
        path: path.clone(),
        title,
        school: raw.school.clone(),
        language,
        base_url,
        theme: raw.theme.clone().unwrap_or_else(|| "default".into()),
        urgent_help,
        synonyms: search.synonyms,
        crisis_terms: search
            .crisis_terms
            .unwrap_or_else(|| DEFAULT_CRISIS_TERMS.iter().map(|s| s.to_string()).collect()),
        review_warn_days,
        max_reading_age: raw
            .check
            .as_ref()
            .and_then(|c| c.max_reading_age)
            .unwrap_or(12.0),
    }
}

/// A BCP 47 language tag in its common shapes: `en`, `en-GB`, `cy`, `zh-Hant-TW`.
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert!(valid_language("en-GB"));
        assert!(valid_language("cy"));
        assert!(!valid_language("english"));
        assert!(!valid_language("en_GB"));
    }
}
