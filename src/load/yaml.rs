//! The one place that speaks YAML: deserialising raw records and turning
//! serde_yaml's errors into diagnostics at positions in the file.
//!
//! Also finds where a key or value sits in YAML text, so that later checks
//! (an unknown service id, a step whose `next` is missing) can point at the
//! line and column the author wrote it on.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{self, Diagnostic};

/// A 1-based line and column in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// Deserialises `text`, which starts on line `first_line` of the file at
/// `path`. An empty document gives the type's default.
pub fn parse<T: DeserializeOwned + Default>(
    text: &str,
    path: &Path,
    first_line: usize,
) -> Result<T, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    serde_yaml::from_str::<T>(text).map_err(|err| to_diagnostic(&err, text, path, first_line))
}

fn to_diagnostic(
    err: &serde_yaml::Error,
    text: &str,
    path: &Path,
    first_line: usize,
) -> Diagnostic {
    let (line, col) = match err.location() {
        Some(loc) => (loc.line(), loc.column()),
        None => (1, 1),
    };
    let mut message = err.to_string();
    // serde_yaml appends its own (block-relative) position; ours replaces it.
    if let Some(at) = message.find(" at line ") {
        message.truncate(at);
    }
    let mut hint = None;
    let (mut line, mut col) = (line, col);
    if let Some((_, rest)) = message.split_once("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default().to_string();
        let expected: Vec<&str> = rest
            .split_once("expected ")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let keys = expected.join(", ");
        hint = Some(match diagnostic::nearest(&key, expected.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? Valid keys here: {keys}"),
            None => format!("valid keys here: {keys}"),
        });
        // serde_yaml points at the mapping that holds the key; find the key itself.
        if let Some(pos) = find_key_from(text, &key, line) {
            (line, col) = (pos.line, pos.col);
        }
        message = format!("unknown key `{key}`");
    } else if message.contains("missing field `") {
        message = message.replace("missing field", "missing required key");
    } else if err.location().is_some()
        && !message.contains("invalid type")
        && !message.contains("unknown variant")
    {
        hint = Some("check the YAML near here: lists need a closing `]`, and text containing `: ` or starting with a quote needs quotes around it".into());
    } else if message.contains("recursion limit exceeded")
        || message.contains("repetition limit exceeded")
    {
        hint = Some(
            "the YAML nests or repeats (through aliases) too deeply to be a handbook file".into(),
        );
    }
    let diagnostic = Diagnostic::error(path, line + first_line - 1, col, message);
    match hint {
        Some(h) => diagnostic.with_hint(h),
        None => diagnostic,
    }
}

/// YAML text split into lines once, so that finding where a key or value
/// is written costs the lines searched, not the whole text each time.
#[derive(Debug, Clone)]
pub struct Located<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Located<'a> {
    pub fn new(text: &'a str) -> Self {
        Located {
            lines: text.lines().collect(),
        }
    }

    /// Line `n` (1-based).
    pub fn line(&self, n: usize) -> Option<&'a str> {
        self.lines.get(n.checked_sub(1)?).copied()
    }

    /// The whole text's lines.
    pub fn all(&self) -> Lines {
        Lines {
            start: 1,
            end: self.lines.len() + 1,
        }
    }

    /// Where `key:` is written, searching from line `from` (1-based)
    /// onwards, then from the top.
    pub fn find_key_from(&self, key: &str, from: usize) -> Option<Pos> {
        let hit =
            |(i, line): (usize, &&str)| key_in_line(line, key).map(|col| Pos::new(i + 1, col));
        let skip = from.saturating_sub(1).min(self.lines.len());
        self.lines
            .iter()
            .enumerate()
            .skip(skip)
            .find_map(hit)
            .or_else(|| self.lines[..skip].iter().enumerate().find_map(hit))
    }

    /// The items of the block list under `key:` (e.g. `services:` or
    /// `steps:`), each as the lines it spans.
    pub fn list_items(&self, key: &str) -> Vec<Lines> {
        let lines = &self.lines;
        let Some(key_pos) = self.find_key_from(key, 1) else {
            return Vec::new();
        };
        let key_indent = key_pos.col - 1;
        let mut items = Vec::new();
        let mut item_indent: Option<usize> = None;
        let mut start: Option<usize> = None;
        let mut last_content = key_pos.line;
        for (i, line) in lines.iter().enumerate().skip(key_pos.line) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let is_dash = trimmed == "-" || trimmed.starts_with("- ");
            if indent < key_indent || (indent == key_indent && !is_dash) {
                break;
            }
            if is_dash && item_indent.is_none_or(|ind| ind == indent) {
                item_indent = Some(indent);
                if let Some(s) = start {
                    items.push(Lines {
                        start: s,
                        end: last_content + 1,
                    });
                }
                start = Some(i + 1);
            }
            last_content = i + 1;
        }
        if let Some(s) = start {
            items.push(Lines {
                start: s,
                end: last_content + 1,
            });
        }
        items
    }

    /// Where `value` is written as (part of) the value of `key` within
    /// `within` lines: on the key's own line (`key: [a, b]`) or in the block
    /// list below it.
    pub fn find_value(&self, within: Lines, key: &str, value: &str) -> Option<Pos> {
        let lines = &self.lines;
        let last = within.end.min(lines.len() + 1);
        let key_line = (within.start..last).find(|&n| key_in_line(lines[n - 1], key).is_some())?;
        let key_indent = lines[key_line - 1].len() - lines[key_line - 1].trim_start().len();
        for n in key_line..last {
            let line = lines[n - 1];
            if n > key_line {
                let indent = line.len() - line.trim_start().len();
                let blank = line.trim().is_empty();
                if !blank
                    && (indent < key_indent
                        || (indent == key_indent && !line.trim_start().starts_with('-')))
                {
                    break;
                }
            }
            let start = if n == key_line {
                line.find(':').map_or(0, |c| c + 1)
            } else {
                0
            };
            if let Some(col) = find_token(&line[start..], value) {
                return Some(Pos::new(n, start + col + 1));
            }
        }
        Some(Pos::new(
            key_line,
            key_in_line(lines[key_line - 1], key).unwrap_or(1),
        ))
    }
}

/// Where `key:` is written, searching from line `from` (1-based) onwards,
/// then from the top.
pub fn find_key_from(text: &str, key: &str, from: usize) -> Option<Pos> {
    Located::new(text).find_key_from(key, from)
}

/// The column of `key:` in `line`, allowing indentation and a list dash.
fn key_in_line(line: &str, key: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    let mut col = line.len() - trimmed.len();
    let mut rest = trimmed;
    if let Some(after) = rest.strip_prefix("- ") {
        let t = after.trim_start();
        col += rest.len() - t.len();
        rest = t;
    }
    let unquoted = match rest.strip_prefix(key) {
        Some(after) => after,
        None => {
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            rest[1..]
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix(quote))?
        }
    };
    unquoted.trim_start().starts_with(':').then_some(col + 1)
}

/// Lines `[start, end)` (1-based) of the YAML text, for narrowing a search
/// to one record of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lines {
    pub start: usize,
    pub end: usize,
}

/// The items of the block list under `key:` (e.g. `services:` or `steps:`),
/// each as the lines it spans.
pub fn list_items(text: &str, key: &str) -> Vec<Lines> {
    Located::new(text).list_items(key)
}

/// Where `value` is written as (part of) the value of `key` within `within`
/// lines: on the key's own line (`key: [a, b]`) or in the block list below it.
/// (Splits the text each time: many lookups in one text go through
/// [`Located`].)
pub fn find_value(text: &str, within: Lines, key: &str, value: &str) -> Option<Pos> {
    Located::new(text).find_value(within, key, value)
}

/// The byte offset of `token` in `haystack` where it stands as a whole word.
fn find_token(haystack: &str, token: &str) -> Option<usize> {
    if token.is_empty() {
        return None;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    haystack.match_indices(token).map(|(i, _)| i).find(|&i| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + token.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// The whole text's lines, for searching the entire document.
pub fn all_lines(text: &str) -> Lines {
    Lines {
        start: 1,
        end: text.lines().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::raw::{RawConfig, RawFrontMatter};
    use std::path::PathBuf;

    #[test]
    fn unknown_key_points_at_the_key_and_suggests_the_nearest() {
        let text = "title: A\nsumary: B\n";
        let err = parse::<RawFrontMatter>(text, &PathBuf::from("a.md"), 2).unwrap_err();
        assert_eq!((err.line, err.col), (3, 1));
        assert_eq!(err.message, "unknown key `sumary`");
        assert!(err.hint.unwrap().starts_with("did you mean `summary`?"));
    }

    #[test]
    fn nested_unknown_key_is_found() {
        let text = "title: A\nurgent_help:\n  title: Help\n  servces: [a]\n";
        let err = parse::<RawConfig>(text, &PathBuf::from("handbook.yaml"), 1).unwrap_err();
        assert_eq!((err.line, err.col), (4, 3));
        assert!(err.hint.unwrap().contains("`services`"));
    }

    #[test]
    fn syntax_errors_are_offset_by_the_first_line() {
        let text = "title: A\nsummary: [unclosed\n";
        let err = parse::<RawFrontMatter>(text, &PathBuf::from("a.md"), 2).unwrap_err();
        assert!(err.line >= 3, "{err}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        text.push_str("title: *a11\n");
        let result = parse::<serde_yaml::Value>(&text, &PathBuf::from("a.md"), 1);
        assert!(result.is_err());
    }

    /// The straightforward versions the line-split ones replace: each
    /// lookup splits the whole text again.
    mod plain {
        use super::super::{Lines, Pos, find_token};

        fn key_in_line(line: &str, key: &str) -> Option<usize> {
            let trimmed = line.trim_start();
            let mut col = line.len() - trimmed.len();
            let mut rest = trimmed;
            if let Some(after) = rest.strip_prefix("- ") {
                let t = after.trim_start();
                col += rest.len() - t.len();
                rest = t;
            }
            let unquoted = rest
                .strip_prefix(key)
                .or_else(|| rest.strip_prefix(&format!("\"{key}\"")))
                .or_else(|| rest.strip_prefix(&format!("'{key}'")))?;
            unquoted.trim_start().starts_with(':').then_some(col + 1)
        }

        pub fn find_key_from(text: &str, key: &str, from: usize) -> Option<Pos> {
            let hits: Vec<Pos> = text
                .lines()
                .enumerate()
                .filter_map(|(i, line)| key_in_line(line, key).map(|col| Pos::new(i + 1, col)))
                .collect();
            hits.iter()
                .find(|p| p.line >= from)
                .or(hits.first())
                .copied()
        }

        pub fn find_value(text: &str, within: Lines, key: &str, value: &str) -> Option<Pos> {
            let lines: Vec<&str> = text.lines().collect();
            let last = within.end.min(lines.len() + 1);
            let key_line =
                (within.start..last).find(|&n| key_in_line(lines[n - 1], key).is_some())?;
            let key_indent = lines[key_line - 1].len() - lines[key_line - 1].trim_start().len();
            for n in key_line..last {
                let line = lines[n - 1];
                if n > key_line {
                    let indent = line.len() - line.trim_start().len();
                    let blank = line.trim().is_empty();
                    if !blank
                        && (indent < key_indent
                            || (indent == key_indent && !line.trim_start().starts_with('-')))
                    {
                        break;
                    }
                }
                let start = if n == key_line {
                    line.find(':').map_or(0, |c| c + 1)
                } else {
                    0
                };
                if let Some(col) = find_token(&line[start..], value) {
                    return Some(Pos::new(n, start + col + 1));
                }
            }
            Some(Pos::new(
                key_line,
                key_in_line(lines[key_line - 1], key).unwrap_or(1),
            ))
        }
    }

    /// A small deterministic generator of YAML-like texts: keys (some
    /// quoted, some repeated), list dashes, flow lists, blank lines and
    /// comments at several indentations.
    fn yaml_like(seed: u64, lines: usize) -> String {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let keys = [
            "id", "services", "do", "next", "title", "steps", "phone", "ages",
        ];
        let values = [
            "a",
            "b",
            "kooth",
            "mind",
            "max",
            "x-y",
            "\"x\"",
            "[a, b]",
            "[mind, kooth]",
            "|",
            "",
        ];
        let mut text = String::new();
        for _ in 0..lines {
            let indent = " ".repeat(next(4) as usize * 2);
            let key = keys[next(keys.len() as u64) as usize];
            let value = values[next(values.len() as u64) as usize];
            let line = match next(9) {
                0 => String::new(),
                1 => format!("{indent}# {key}: {value}"),
                2 => format!("{indent}- {key}: {value}"),
                3 => format!("{indent}- {value}"),
                4 => format!("{indent}\"{key}\": {value}"),
                5 => format!("{indent}'{key}' : {value}"),
                6 => format!("{indent}-"),
                _ => format!("{indent}{key}: {value}"),
            };
            text.push_str(&line);
            if next(7) == 0 {
                text.push('\r');
            }
            text.push('\n');
        }
        text
    }

    #[test]
    fn line_split_lookups_match_the_plain_ones() {
        let keys = [
            "id", "services", "do", "next", "title", "steps", "phone", "ages", "missing", "'id'",
        ];
        let values = ["a", "b", "kooth", "mind", "max", "x-y", "x", "", "nowhere"];
        for seed in 0..300 {
            let text = yaml_like(seed, (seed % 40) as usize);
            let located = Located::new(&text);
            assert_eq!(located.all(), all_lines(&text));
            let mut ranges = vec![located.all()];
            for key in keys {
                ranges.extend(located.list_items(key));
                for from in 0..text.lines().count() + 3 {
                    assert_eq!(
                        located.find_key_from(key, from),
                        plain::find_key_from(&text, key, from),
                        "{key} from {from} in {text:?}"
                    );
                }
            }
            for n in 1..5 {
                ranges.push(Lines {
                    start: n,
                    end: n + 3,
                });
            }
            for within in ranges {
                for key in keys {
                    for value in values {
                        assert_eq!(
                            located.find_value(within, key, value),
                            plain::find_value(&text, within, key, value),
                            "{key} {value} {within:?} in {text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn list_items_and_values_are_located() {
        let text = "services:\n  - id: one\n    name: One\n  - id: two\n    contact:\n      phone: \"x\"\n";
        let items = list_items(text, "services");
        assert_eq!(
            items,
            vec![Lines { start: 2, end: 4 }, Lines { start: 4, end: 7 }]
        );
        assert_eq!(
            find_value(text, items[1], "phone", "x"),
            Some(Pos::new(6, 15))
        );
        let fm = "title: A\nservices: [kooth, childline]\n";
        assert_eq!(
            find_value(fm, all_lines(fm), "services", "childline"),
            Some(Pos::new(2, 19))
        );
        let block = "services:\n  - kooth\n  - mind\ntags: [mind]\n";
        assert_eq!(
            find_value(block, all_lines(block), "services", "mind"),
            Some(Pos::new(3, 5))
        );
    }
}
