//! Splitting a Markdown file into its YAML front matter and its body.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::{PageSource, raw::RawFrontMatter, yaml};
use crate::diagnostic::Diagnostic;

/// Splits `text` at its `---` fences and parses the front matter. Line
/// numbers in any error are those of the file, not of the block.
pub fn split(rel: String, path: PathBuf, text: String) -> Result<PageSource, Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err(
            Diagnostic::error(&path, 1, 1, "the page has no front matter")
                .with_hint("start the file with a line `---`, then `title: …`, then another `---`"),
        );
    }
    let front_start = first.len();
    let mut offset = front_start;
    let mut line_no = 1;
    let mut front_end = None;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "---" || line.trim_end() == "..." {
            front_end = Some((offset, offset + line.len(), line_no));
            break;
        }
        offset += line.len();
    }
    let Some((front_end, body_start, fence_line)) = front_end else {
        return Err(
            Diagnostic::error(&path, 1, 1, "the front matter is not closed")
                .with_hint("add a line `---` after the last front matter key"),
        );
    };
    let front_text: Arc<str> = Arc::from(&text[front_start..front_end]);
    let front = match read_plain(&front_text) {
        Some(front) => front,
        None => yaml::parse::<RawFrontMatter>(&front_text, &path, 2)?,
    };
    // The body keeps the file's buffer: no second copy of the page.
    let mut body = text;
    body.drain(..body_start);
    Ok(PageSource {
        rel,
        path,
        front_text,
        front_line: 2,
        front,
        body: Arc::new(body),
        body_line: fence_line + 1,
        service_positions: OnceLock::new(),
    })
}

/// Reads front matter written the plain way (one `key: value` a line, with
/// plain or double-quoted text, whole numbers, `true`/`false` and flow
/// lists of plain words) without a YAML parser: most pages are written so.
/// `None` for anything else (comments, blocks, `steps`, escapes, unknown or
/// repeated keys, anything YAML might read otherwise, anything wrong), which
/// then goes through serde_yaml, so values and errors are serde_yaml's.
pub(crate) fn read_plain(text: &str) -> Option<RawFrontMatter> {
    let mut front = RawFrontMatter::default();
    let mut seen = 0u16;
    let mut any = false;
    for line in text.split('\n') {
        if line.is_empty() {
            continue;
        }
        // The key is lowercase letters and `_`, then `: ` (a line whose
        // first `: ` comes later has no key known here).
        let key_end = line
            .bytes()
            .position(|b| !(b.is_ascii_lowercase() || b == b'_'))?;
        let (key, value) = (&line[..key_end], line[key_end..].strip_prefix(": ")?);
        let bit = match key {
            "title" => 0,
            "summary" => 1,
            "audience" => 2,
            "visibility" => 3,
            "principles" => 4,
            "owner" => 5,
            "last_reviewed" => 6,
            "review_by" => 7,
            "services" => 8,
            "weight" => 9,
            "draft" => 10,
            "tags" => 11,
            "lang" => 12,
            _ => return None,
        };
        if seen & (1 << bit) != 0 {
            return None;
        }
        seen |= 1 << bit;
        any = true;
        let text = || -> Option<Option<String>> {
            if matches!(value, "null" | "Null" | "NULL") {
                Some(None)
            } else {
                Some(Some(scalar(value)?.to_string()))
            }
        };
        let list = || -> Option<Option<Vec<String>>> {
            if matches!(value, "null" | "Null" | "NULL") {
                return Some(None);
            }
            let inner = value.strip_prefix('[')?.strip_suffix(']')?;
            if inner.is_empty() {
                return Some(Some(Vec::new()));
            }
            inner
                .split(',')
                .map(|item| flow_word(item.trim_matches(' ')).map(str::to_string))
                .collect::<Option<Vec<String>>>()
                .map(Some)
        };
        match bit {
            0 => front.title = text()?,
            1 => front.summary = text()?,
            2 => front.audience = list()?,
            3 => front.visibility = text()?,
            4 => front.principles = list()?,
            5 => front.owner = text()?,
            6 => front.last_reviewed = text()?,
            7 => front.review_by = text()?,
            8 => front.services = list()?,
            9 => front.weight = whole_number(value)?,
            10 => {
                front.draft = match value {
                    "true" => Some(true),
                    "false" => Some(false),
                    "null" | "Null" | "NULL" => None,
                    _ => return None,
                }
            }
            11 => front.tags = list()?,
            _ => front.lang = text()?,
        }
    }
    any.then_some(front)
}

/// A character YAML reads as itself in any scalar: printable, not a line
/// break, not a byte order mark.
fn printable_beyond_ascii(c: char) -> bool {
    c >= '\u{a0}'
        && !matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// The text of a plain scalar made only of words and ordinary punctuation,
/// or of a double-quoted one without escapes.
fn scalar(value: &str) -> Option<&str> {
    if let Some(quoted) = value.strip_prefix('"') {
        let inner = quoted.strip_suffix('"')?;
        let ok = inner.chars().all(|c| {
            (c.is_ascii() && (' '..='~').contains(&c) && c != '"' && c != '\\')
                || printable_beyond_ascii(c)
        });
        return ok.then_some(inner);
    }
    let first = value.chars().next()?;
    let ok = first.is_ascii_alphanumeric()
        && !value.ends_with(' ')
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || " -_.,'()/?!;+&".contains(c) || printable_beyond_ascii(c)
        });
    ok.then_some(value)
}

/// An item of a flow list: a plain word (or words) with no punctuation
/// YAML could read otherwise, and not `null`.
fn flow_word(item: &str) -> Option<&str> {
    let first = item.chars().next()?;
    let ok = first.is_ascii_alphanumeric()
        && !item.ends_with(' ')
        && !matches!(item, "null" | "Null" | "NULL")
        && item
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_.".contains(c) || printable_beyond_ascii(c));
    ok.then_some(item)
}

/// `weight`: a decimal whole number as YAML writes one plainly.
fn whole_number(value: &str) -> Option<Option<i64>> {
    if matches!(value, "null" | "Null" | "NULL") {
        return Some(None);
    }
    let digits = value.strip_prefix('-').unwrap_or(value);
    let plain = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && value != "-0";
    if !plain {
        return None;
    }
    Some(Some(value.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_str(text: &str) -> Result<PageSource, Diagnostic> {
        split("a.md".into(), "content/a.md".into(), text.to_string())
    }

    /// Front matter made of lines drawn from plain and awkward keys and
    /// values: whatever the plain reader accepts, serde_yaml reads the same.
    #[test]
    fn plain_reader_agrees_with_serde_yaml() {
        let keys = [
            "title",
            "summary",
            "audience",
            "visibility",
            "principles",
            "owner",
            "last_reviewed",
            "review_by",
            "services",
            "weight",
            "draft",
            "tags",
            "lang",
            "steps",
            "sumary",
            " title",
            "title ",
            "Title",
        ];
        let values = [
            "Hello",
            "Hello world",
            "\"Quoted: yes\"",
            "\"\"",
            "\"a \\\"b\\\" c\"",
            "\"tab\there\"",
            "'single'",
            "null",
            "Null",
            "NULL",
            "~",
            "",
            " ",
            "x ",
            "a: b",
            "a #b",
            "a#b",
            "Don't panic",
            "A & B",
            "What now?",
            "1",
            "-1",
            "0",
            "-0",
            "007",
            "12.5",
            "1e3",
            "0x10",
            "+5",
            "123456789012345678",
            "1234567890123456789",
            "true",
            "false",
            "True",
            "yes",
            "no",
            "2026-03-10",
            "2026-3-1",
            "[a, b]",
            "[staff, parents]",
            "[]",
            "[ ]",
            "[a,b]",
            "[ a , b ]",
            "[a, , b]",
            "[a, b,]",
            "[null]",
            "[mental health, x-y]",
            "[\"a\", b]",
            "[a: b]",
            "[a, [b]]",
            "{a: 1}",
            "- a",
            "|",
            ">",
            "*x",
            "&x y",
            "!x",
            "%x",
            "@x",
            "`x`",
            "caf\u{e9}",
            "\u{e9}t\u{e9}",
            "a\u{a0}b",
            "a\u{2028}b",
            "\u{feff}x",
            "a\u{85}b",
            "\"caf\u{e9}\"",
            "x\r",
            "[a]\r",
            "[caf\u{e9}, x]",
            "a,b",
            "(x)",
            "a/b",
            "a - b",
            "a -b",
            "--x",
            "en-GB",
            "cy",
            "public",
            "staff",
        ];
        let mut state = 7u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        let mut accepted = 0;
        let total = 60_000;
        for _ in 0..total {
            let mut text = String::new();
            for _ in 0..1 + next(6) {
                match next(20) {
                    0 => text.push('\n'),
                    1 => text.push_str("# note\n"),
                    2 => text.push_str("  indented: x\n"),
                    // Mostly the plain keys with plain values, so that many
                    // texts are accepted.
                    3..=12 => {
                        let key = keys[next(13)];
                        let value = match key {
                            "weight" => ["1", "-20", "0", "170", "null"][next(5)],
                            "draft" => ["true", "false", "null"][next(3)],
                            "audience" | "principles" | "services" | "tags" => {
                                ["[a, b]", "[staff]", "[]", "[x-y, z_1]", "null"][next(5)]
                            }
                            _ => values[next(40)],
                        };
                        text.push_str(&format!("{key}: {value}\n"));
                    }
                    _ => {
                        let key = keys[next(keys.len())];
                        let value = values[next(values.len())];
                        let sep = [": ", ":", " : ", ":  "][next(4)];
                        text.push_str(&format!("{key}{sep}{value}\n"));
                    }
                }
            }
            if let Some(plain) = read_plain(&text) {
                accepted += 1;
                let full = serde_yaml::from_str::<RawFrontMatter>(&text);
                let full = full.unwrap_or_else(|e| panic!("{text:?}: read plainly, but {e}"));
                assert_eq!(format!("{plain:?}"), format!("{full:?}"), "{text:?}");
            }
        }
        assert!(accepted > total / 10, "only {accepted} accepted");
    }

    #[test]
    fn plain_reader_declines_what_is_not_plain() {
        for text in [
            "",
            "\n",
            "title: A\ntitle: B\n",
            "title: A\n# comment\n",
            "title: A\nsteps: []\n",
            "title: A\nsumary: B\n",
            "title: a: b\n",
            "title: \"a\\nb\"\n",
            "title: |\n  A\n",
            "weight: 1.5\n",
            "weight: 0x10\n",
            "draft: yes\n",
            "tags: [a, b\n",
            "tags: a\n",
            "title: A\r\n",
        ] {
            assert!(read_plain(text).is_none(), "{text:?}");
        }
        let front =
            read_plain("title: \"Hello\"\nweight: -3\ndraft: false\ntags: [a, b c]\nowner: null\n")
                .unwrap();
        assert_eq!(front.title.as_deref(), Some("Hello"));
        assert_eq!(front.weight, Some(-3));
        assert_eq!(front.draft, Some(false));
        assert_eq!(front.tags, Some(vec!["a".to_string(), "b c".to_string()]));
        assert_eq!(front.owner, None);
    }

    #[test]
    fn splits_front_matter_and_body() {
        let page = split_str("---\ntitle: Hello\n---\n# Body\n").unwrap();
        assert_eq!(page.front.title.as_deref(), Some("Hello"));
        assert_eq!(*page.body, "# Body\n");
        assert_eq!(page.body_line, 4);
    }

    #[test]
    fn errors_carry_file_lines() {
        let err = split_str("---\ntitle: Hello\nsummary: [oops\n---\n").unwrap_err();
        assert_eq!(err.path, PathBuf::from("content/a.md"));
        assert!(err.line >= 3, "{err}");
        let err = split_str("---\ntitle: ok\n\nbad: key\n---\n").unwrap_err();
        assert_eq!((err.line, err.col), (4, 1));
    }

    #[test]
    fn missing_and_unclosed_front_matter() {
        assert!(
            split_str("# no front matter")
                .unwrap_err()
                .message
                .contains("no front matter")
        );
        assert!(
            split_str("---\ntitle: x\n")
                .unwrap_err()
                .message
                .contains("not closed")
        );
    }
}
