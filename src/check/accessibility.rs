//! Accessibility of the source: what an author can get wrong in Markdown
//! that the theme cannot put right. Images without alt text, empty
//! headings, skipped heading levels, link text that does not say where it
//! goes, and tables whose header row is empty.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::{Audit, Finding, Positions};
use crate::diagnostic::Level;
use crate::load::Pos;
use crate::model::Handbook;
use crate::render::markdown;

/// Link text that says nothing about where the link goes.
pub const VAGUE_LINK_TEXT: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "find out more",
    "more info",
    "more information",
    "this link",
    "link",
    "this",
    "this page",
    "go",
];

/// One accessibility problem in a page's Markdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub pos: Pos,
    pub level: Level,
    pub message: String,
    pub hint: &'static str,
}

pub fn audit(handbook: &Handbook, findings: &mut Vec<Finding>) {
    for page in &handbook.pages {
        let Some(path) = &page.path else { continue };
        for p in problems(&page.body, page.body_line) {
            findings.push(Finding {
                audit: Audit::Accessibility,
                diagnostic: super::at(path, p.pos, p.level, p.message).with_hint(p.hint),
            });
        }
    }
}

struct Open {
    pos: Pos,
    text: String,
}

/// The problems in `body`, which starts on line `first_line` of its file.
pub fn problems(body: &str, first_line: usize) -> Vec<Problem> {
    let positions = Positions::new(body, first_line);
    let events: Vec<(Event, std::ops::Range<usize>)> = Parser::new_ext(body, markdown::options())
        .into_offset_iter()
        .collect();
    // A body `#` is shown one level down, as the page title is the only h1.
    let shift = u8::from(events.iter().any(|(e, _)| {
        matches!(
            e,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
    }));
    let mut out = Vec::new();
    let mut previous_level = 1u8;
    let mut heading: Option<(u8, Open)> = None;
    let mut links: Vec<(String, Open)> = Vec::new();
    let mut image: Option<Open> = None;
    let mut table: Option<Pos> = None;
    let mut head: Option<(usize, usize)> = None; // (cells, cells with text)
    let mut cell: Option<String> = None;

    for (event, range) in events {
        let pos = positions.at(range.start);
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((
                    (level as u8 + shift).min(6),
                    Open {
                        pos,
                        text: String::new(),
                    },
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, open)) = heading.take() else {
                    continue;
                };
                if open.text.trim().is_empty() {
                    out.push(Problem {
                        pos: open.pos,
                        level: Level::Error,
                        message: "heading has no text".into(),
                        hint: "write what the part below is about, or remove the empty `#` line",
                    });
                }
                if level > previous_level + 1 {
                    out.push(Problem {
                        pos: open.pos,
                        level: Level::Warning,
                        message: format!(
                            "heading level skips from h{previous_level} to h{level}{}",
                            if previous_level == 1 {
                                " (the page title is the h1)"
                            } else {
                                ""
                            }
                        ),
                        hint: "screen reader users navigate by headings; go down one level at a time (## under the title, then ###)",
                    });
                }
                previous_level = level;
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push((
                dest_url.to_string(),
                Open {
                    pos,
                    text: String::new(),
                },
            )),
            Event::End(TagEnd::Link) => {
                if let Some((dest, open)) = links.pop() {
                    out.extend(link_text_problem(&dest, &open));
                }
            }
            Event::Start(Tag::Image { .. }) => {
                image = Some(Open {
                    pos,
                    text: String::new(),
                })
            }
            Event::End(TagEnd::Image) => {
                if let Some(open) = image.take()
                    && open.text.trim().is_empty()
                {
                    out.push(Problem {
                        pos: open.pos,
                        level: Level::Error,
                        message: "image has no alt text".into(),
                        hint: "describe what the image shows in the brackets: ![Two people talking on a bench](images/talking.svg)",
                    });
                }
            }
            Event::Start(Tag::Table(_)) => table = Some(pos),
            Event::Start(Tag::TableHead) => head = Some((0, 0)),
            Event::End(TagEnd::TableHead) => {
                if let (Some((cells, filled)), Some(at)) = (head.take(), table)
                    && cells > 0
                    && filled == 0
                {
                    out.push(Problem {
                        pos: at,
                        level: Level::Warning,
                        message: "table has no header row: every cell of its first row is empty".into(),
                        hint: "put a short heading for each column in the first row, so screen readers can say what each cell is",
                    });
                }
            }
            Event::Start(Tag::TableCell) if head.is_some() => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(text), Some((cells, filled))) = (cell.take(), head.as_mut()) {
                    *cells += 1;
                    if !text.trim().is_empty() {
                        *filled += 1;
                    }
                }
            }
            Event::Text(text) | Event::Code(text) | Event::InlineHtml(text) => {
                let open_text = heading
                    .iter_mut()
                    .map(|(_, o)| &mut o.text)
                    .chain(links.iter_mut().map(|(_, o)| &mut o.text))
                    .chain(image.iter_mut().map(|o| &mut o.text))
                    .chain(cell.iter_mut());
                for t in open_text {
                    t.push_str(&text);
                }
            }
            _ => {}
        }
    }
    out
}

fn link_text_problem(dest: &str, open: &Open) -> Option<Problem> {
    let text = open.text.trim();
    let normal: String = text
        .to_lowercase()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace() || c == '…')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return Some(Problem {
            pos: open.pos,
            level: Level::Error,
            message: format!("link to `{dest}` has no text"),
            hint: "write the words readers should click, e.g. [Childline's website](https://www.childline.org.uk/)",
        });
    }
    if VAGUE_LINK_TEXT.contains(&normal.as_str()) {
        return Some(Problem {
            pos: open.pos,
            level: Level::Warning,
            message: format!("link text \"{text}\" does not say where the link goes"),
            hint: "use words that make sense on their own, e.g. \"read the anti-bullying policy\"",
        });
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        return Some(Problem {
            pos: open.pos,
            level: Level::Warning,
            message: format!("link text is a bare web address ({text})"),
            hint: "screen readers read web addresses letter by letter; name the page instead, e.g. [Young Minds parents' helpline](https://…)",
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(body: &str) -> Vec<String> {
        problems(body, 10)
            .into_iter()
            .map(|p| format!("{}:{}: {}", p.pos.line, p.pos.col, p.message))
            .collect()
    }

    #[test]
    fn images_without_alt_text() {
        assert_eq!(
            messages("Text.\n\n![](a.png) and ![ok](b.png)\n"),
            ["12:1: image has no alt text"]
        );
    }

    #[test]
    fn heading_levels_and_empty_headings() {
        assert_eq!(
            messages("## One\n\n#### Three\n\n##\n"),
            [
                "12:1: heading level skips from h2 to h4",
                "14:1: heading has no text"
            ]
        );
        assert_eq!(
            messages("### Deep first\n"),
            ["10:1: heading level skips from h1 to h3 (the page title is the h1)"]
        );
        // A body h1 is shown as h2, so `#` then `##` is fine.
        assert!(messages("# Top\n\n## Next\n").is_empty());
    }

    #[test]
    fn vague_and_bare_link_text() {
        assert_eq!(
            messages(
                "[Click here](a.md), [read more…](b.md), [the policy](c.md), <https://x.org>, [](d.md), [![A map](m.png)](m.png)\n"
            ),
            [
                "10:1: link text \"Click here\" does not say where the link goes",
                "10:21: link text \"read more…\" does not say where the link goes",
                "10:61: link text is a bare web address (https://x.org)",
                "10:78: link to `d.md` has no text",
            ]
        );
    }

    #[test]
    fn tables_need_a_header_row() {
        assert_eq!(
            messages("| | |\n|---|---|\n| a | b |\n\n| A | |\n|---|---|\n| a | b |\n"),
            ["10:1: table has no header row: every cell of its first row is empty"]
        );
    }
}
