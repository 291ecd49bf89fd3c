//! One problem found in a handbook, with where it is and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

/// A problem at a place in a file: `path:line:col: level: message`.
///
/// `path` is the file as the user would name it (the handbook folder joined
/// with the file's relative path); `line` and `col` count from 1, and 0 means
/// "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub level: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(
        path: impl AsRef<Path>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.as_ref().to_path_buf(),
            line,
            col,
            level: Level::Error,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(
        path: impl AsRef<Path>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(path, line, col, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.col.max(1))?;
        }
        write!(f, ": {}: {}", self.level, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, then position, so output is stable whatever
/// order the parallel stages found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
    });
}

/// Makes every warning an error (`--strict`), keeping its message and hint.
pub fn warnings_as_errors(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        d.level = Level::Error;
    }
}

/// The nearest of `candidates` to `word`, when it is close enough to be a
/// likely typo (used for "did you mean" hints).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(word, candidate);
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// A hint for a value that is not one of `valid`: the nearest valid value
/// when it looks like a typo, and the list of valid values.
pub fn hint_for_value(value: &str, valid: &[&str]) -> String {
    match nearest(value, valid.iter().copied()) {
        Some(near) => format!("did you mean `{near}`? Valid values: {}", valid.join(", ")),
        None => format!("valid values: {}", valid.join(", ")),
    }
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_path_line_col_level_message() {
        let d = Diagnostic::error("content/a.md", 3, 7, "bad thing").with_hint("fix it");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:7: error: bad thing\n  hint: fix it"
        );
    }

    #[test]
    fn whole_file_diagnostics_have_no_position() {
        let d = Diagnostic::warning("content/a.md", 0, 0, "odd");
        assert_eq!(d.to_string(), "content/a.md: warning: odd");
    }

    #[test]
    fn nearest_finds_typos_but_not_strangers() {
        let keys = ["title", "summary", "audience"];
        assert_eq!(nearest("sumary", keys), Some("summary"));
        assert_eq!(nearest("titel", keys), Some("title"));
        assert_eq!(nearest("colour", keys), None);
    }
}
