//! Splitting a Markdown file into its YAML front matter and its body.

use std::path::PathBuf;

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
    let front_text = text[front_start..front_end].to_string();
    let front = yaml::parse::<RawFrontMatter>(&front_text, &path, 2)?;
    let body = text[body_start..].to_string();
    Ok(PageSource {
        rel,
        path,
        front_text,
        front_line: 2,
        front,
        body,
        body_line: fence_line + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_str(text: &str) -> Result<PageSource, Diagnostic> {
        split("a.md".into(), "content/a.md".into(), text.to_string())
    }

    #[test]
    fn splits_front_matter_and_body() {
        let page = split_str("---\ntitle: Hello\n---\n# Body\n").unwrap();
        assert_eq!(page.front.title.as_deref(), Some("Hello"));
        assert_eq!(page.body, "# Body\n");
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
