//! Markdown to HTML, with the handbook's rules: relative `.md` links and
//! `service:` links rewritten (and recorded for checking), stable heading
//! ids, callouts, raw HTML shown as text, and the plain text of each part
//! of the page kept for search.

use std::collections::HashSet;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::load::Pos;

/// What rendering a page's Markdown gives.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    /// The page's plain text, split at each h2 and h3.
    pub blocks: Vec<TextBlock>,
    /// A number of its own for each rendering (0 only for an empty
    /// default): a rendering kept between rebuilds keeps its number, so
    /// what is made from it can be kept by the number alone.
    pub serial: u64,
}

static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Plain text under a heading (`heading` indexes `Rendered::headings`;
/// `None` is the text before the first h2/h3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextBlock {
    pub heading: Option<usize>,
    pub text: String,
}

/// A link found in the Markdown, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub target: Target,
    pub pos: Pos,
    pub text: String,
    pub is_image: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another page, by normalised source path (`policy/a.md`).
    Page {
        source: String,
        fragment: Option<String>,
    },
    /// A relative `.md` path that climbs out of the handbook folder.
    Outside(String),
    /// `#id` on the same page.
    Fragment(String),
    /// `service:id`.
    Service(String),
    /// A `javascript:`, `vbscript:` or `data:` address, which is never written.
    Unsafe(String),
    /// Anything else, written as it is.
    Other(String),
}

/// Turns link targets into `href`s for the place the HTML will be shown.
pub trait Linker {
    fn page(&self, source: &str, fragment: Option<&str>) -> String;
    fn fragment(&self, id: &str) -> String;
    fn service(&self, id: &str) -> String;
    /// The id written for a heading (print prefixes each page's ids).
    fn heading_id(&self, id: &str) -> String {
        id.to_string()
    }
    /// Any other address (a web page, an image or file beside the page).
    fn other(&self, url: &str) -> String {
        url.to_string()
    }
    /// How many levels to move every heading down (print nests pages under sections).
    fn heading_shift(&self) -> u8 {
        0
    }
}

/// Ids the theme's templates use, which headings must not take.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "toc",
    "toc-title",
    "urgent-help",
    "urgent-help-title",
    "search",
    "search-input",
    "search-results",
    "search-status",
    "site-nav",
    "section-nav",
    "page-nav",
    "breadcrumb",
    "footer",
    "page-meta",
    "filters",
    "pathway-urgent-title",
    "pathway-steps-title",
    "pathway-diagram-title",
    "pathway-diagram-svg-title",
    "pathway-diagram-desc",
    "pathway-arrow",
];

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders `markdown`, which lives in folder `dir` of the handbook and starts
/// on line `first_line` of its file.
pub fn render(markdown: &str, dir: &str, first_line: usize, linker: &dyn Linker) -> Rendered {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => render_with(markdown, dir, first_line, linker, &mut scratch),
        Err(_) => render_with(markdown, dir, first_line, linker, &mut Scratch::default()),
    })
}

/// Buffers reused from page to page on one thread: the HTML and each text
/// block are made in them, then copied out at their exact size, so the
/// rendered pages (kept for the whole build) hold no unused capacity and
/// the buffers grow only a few times per thread instead of on every page.
#[derive(Default)]
struct Scratch {
    html: String,
    text: String,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Scratch buffers larger than this are not kept after a render.
const SCRATCH_KEEP: usize = 1 << 20;

/// Turns offsets in `text` into line and column, counting lines from the
/// last offset asked for (links come in the order they are written).
struct Lines<'a> {
    text: &'a str,
    first_line: usize,
    /// The last offset asked for, its line (from 0) and where that line starts.
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, first_line: usize) -> Self {
        Lines {
            text,
            first_line,
            at: 0,
            line: 0,
            line_start: 0,
        }
    }

    fn pos_of(&mut self, offset: usize) -> Pos {
        if offset < self.at {
            (self.at, self.line, self.line_start) = (0, 0, 0);
        }
        let skipped = &self.text.as_bytes()[self.at..offset];
        let newlines = count_newlines(skipped);
        if newlines > 0 {
            let last = skipped.iter().rposition(|&b| b == b'\n').expect("counted");
            self.line_start = self.at + last + 1;
            self.line += newlines;
        }
        self.at = offset;
        let col = self.text[self.line_start..offset].chars().count() + 1;
        Pos::new(self.first_line + self.line, col)
    }
}

/// The newlines in `bytes`, counted in blocks too short for a byte-sized
/// count to overflow (a loop the compiler turns into vector instructions).
fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|block| {
            let n = block.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
            usize::from(n)
        })
        .sum()
}

fn render_with(
    markdown: &str,
    dir: &str,
    first_line: usize,
    linker: &dyn Linker,
    scratch: &mut Scratch,
) -> Rendered {
    let mut lines = Lines::new(markdown, first_line);

    // Pages give about one event per 15 to 25 bytes: room for them up front
    // instead of growing (and copying) the list many times.
    let mut parsed: Vec<(Event, std::ops::Range<usize>)> =
        Vec::with_capacity(markdown.len() / 10 + 16);
    parsed.extend(Parser::new_ext(markdown, options()).into_offset_iter());
    let mut has_h1 = false;
    // Each table gains two events (the scrolling wrapper's tags).
    let mut tables = 0;
    for (e, _) in &parsed {
        match e {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => has_h1 = true,
            Event::Start(Tag::Table(_)) => tables += 1,
            _ => {}
        }
    }
    let shift = u8::from(has_h1) + linker.heading_shift();

    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::with_capacity(parsed.len() + 2 * tables);
    let mut used_ids = UsedIds::default();
    scratch.text.clear();
    let mut block = TextBlock {
        heading: None,
        text: std::mem::take(&mut scratch.text),
    };
    let mut heading: Option<OpenHeading> = None;
    // Open link: index into `out.links`, to collect its text.
    let mut link: Option<usize> = None;

    for (event, range) in parsed {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let level = demote_level(level, shift);
                heading = Some(OpenHeading {
                    start: events.len(),
                    custom_id: id.map(|i| i.to_string()),
                    text: String::new(),
                });
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                let level = demote_level(level, shift);
                let open = heading.take().expect("a heading ends only after it starts");
                let text = open.text.trim().to_string();
                let id = unique_id(
                    &open.custom_id.unwrap_or_else(|| slug(&text)),
                    &mut used_ids,
                );
                if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[open.start] {
                    *slot = Some(CowStr::from(linker.heading_id(&id)));
                }
                events.push(Event::End(TagEnd::Heading(level)));
                // Recorded at the page's own level, whatever the print shift.
                let level = (level as u8).saturating_sub(linker.heading_shift()).max(1);
                out.headings.push(Heading {
                    level,
                    id,
                    text: text.clone(),
                });
                if level <= 3 {
                    flush(&mut out.blocks, &mut block);
                    block.heading = Some(out.headings.len() - 1);
                } else {
                    push_text(&mut block.text, &text);
                    push_text(&mut block.text, " ");
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let target = classify(&dest_url, dir);
                let href = href_for(&target, &dest_url, linker);
                out.links.push(LinkRef {
                    target,
                    pos: lines.pos_of(range.start),
                    text: String::new(),
                    is_image: false,
                });
                link = Some(out.links.len() - 1);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                link = None;
                events.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let target = classify(&dest_url, dir);
                let href = href_for(&target, &dest_url, linker);
                out.links.push(LinkRef {
                    target,
                    pos: lines.pos_of(range.start),
                    text: String::new(),
                    is_image: true,
                });
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = callout(kind);
                events.push(Event::Html(
                    format!("<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{label}</p>\n").into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => events.push(Event::Html("</div>\n".into())),
            Event::Start(Tag::Table(alignments)) => {
                events.push(Event::Html("<div class=\"table-wrap\" role=\"region\" aria-label=\"Table\" tabindex=\"0\">".into()));
                events.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html("</div>\n".into()));
            }
            Event::TaskListMarker(done) => {
                let (mark, words) = if done {
                    ("☑", "Done: ")
                } else {
                    ("☐", "To do: ")
                };
                events.push(Event::Html(
                    format!("<span class=\"task\" aria-hidden=\"true\">{mark}</span> <span class=\"visually-hidden\">{words}</span>").into(),
                ));
            }
            // Raw HTML is shown as text: a handbook page cannot inject markup or script.
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Html(text) | Event::InlineHtml(text) => {
                note_text(&text, &mut heading, link, &mut out.links, &mut block);
                events.push(Event::Text(text));
            }
            Event::Text(text) => {
                note_text(&text, &mut heading, link, &mut out.links, &mut block);
                events.push(Event::Text(text));
            }
            Event::Code(text) => {
                note_text(&text, &mut heading, link, &mut out.links, &mut block);
                events.push(Event::Code(text));
            }
            Event::SoftBreak | Event::HardBreak => {
                push_text(&mut block.text, " ");
                events.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                push_text(&mut block.text, " ");
                events.push(event);
            }
            other => events.push(other),
        }
    }
    flush(&mut out.blocks, &mut block);
    scratch.html.clear();
    pulldown_cmark::html::push_html(&mut scratch.html, events.into_iter());
    out.html = scratch.html.as_str().to_owned();
    out.serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    scratch.text = block.text;
    if scratch.html.capacity() > SCRATCH_KEEP {
        scratch.html = String::new();
    }
    if scratch.text.capacity() > SCRATCH_KEEP {
        scratch.text = String::new();
    }
    out
}

/// A heading being read: where its start tag is in the event list, the id
/// the author gave it (`{#id}`), and its text so far.
struct OpenHeading {
    start: usize,
    custom_id: Option<String>,
    text: String,
}

fn note_text(
    text: &str,
    heading: &mut Option<OpenHeading>,
    link: Option<usize>,
    links: &mut [LinkRef],
    block: &mut TextBlock,
) {
    if let Some(open) = heading {
        open.text.push_str(text);
        return;
    }
    if let Some(i) = link {
        links[i].text.push_str(text);
    }
    push_text(&mut block.text, text);
}

/// Appends `text` to a block's text with every run of whitespace made one
/// space and none at the start, as it comes (the block is never scanned a
/// second time): the finished block is `split_whitespace().join(" ")` of
/// everything appended. Runs without whitespace are copied whole.
fn push_text(buffer: &mut String, text: &str) {
    // Whether the text kept so far ends in a space (or is empty).
    let mut in_space = buffer.is_empty() || buffer.ends_with(' ');
    let bytes = text.as_bytes();
    // The start of the stretch of `text` that is copied as it is.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while they are printable ASCII with single
        // spaces (most of a page); any other byte is looked at on its own.
        let mut end = bytes.len();
        if let Some(chunk) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            if let Some(ends_in_space) = plain_chunk(word, in_space) {
                in_space = ends_in_space;
                i += 8;
                continue;
            }
            end = i + 8;
        }
        while i < end {
            let b = bytes[i];
            if b > b' ' && b < 0x80 {
                in_space = false;
                i += 1;
                continue;
            }
            if b == b' ' && !in_space {
                // A single space between words stays in the stretch.
                in_space = true;
                i += 1;
                continue;
            }
            let (space, len) = if b.is_ascii() {
                (
                    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c'),
                    1,
                )
            } else {
                let c = text[i..].chars().next().expect("i is on a char boundary");
                (c.is_whitespace(), c.len_utf8())
            };
            if !space {
                in_space = false;
            } else {
                buffer.push_str(&text[run..i]);
                if !in_space {
                    buffer.push(' ');
                    in_space = true;
                }
                run = i + len;
            }
            i += len;
        }
    }
    buffer.push_str(&text[run..]);
}

/// For eight bytes of text (little-endian in `word`) that `push_text` keeps
/// as they are, whether they end in a space; `None` when one of them needs
/// a closer look: a byte outside printable ASCII, or a space after a space
/// (`in_space` is whether the text before them ends in one).
fn plain_chunk(word: u64, in_space: bool) -> Option<bool> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // A byte of 0x80 or more, or below b' ' (control characters, tabs, newlines).
    if word & HIGH != 0 || word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0 {
        return None;
    }
    // Exactly the spaces, as the high bit of their bytes.
    let x = word ^ (ONES * 0x20);
    let spaces = !(((x & LOW7) + LOW7) | x | LOW7);
    let after_space = (spaces << 8) | if in_space { 0x80 } else { 0 };
    if spaces & after_space != 0 {
        return None;
    }
    Some(spaces >> 63 == 1)
}

/// Ends the block being read: it is kept (as an exact-size copy) unless it
/// is empty, and `block` starts again with its buffer emptied.
fn flush(blocks: &mut Vec<TextBlock>, block: &mut TextBlock) {
    if block.text.ends_with(' ') {
        block.text.pop();
    }
    if !block.text.is_empty() || block.heading.is_some() {
        blocks.push(TextBlock {
            heading: block.heading,
            text: block.text.as_str().to_owned(),
        });
    }
    block.heading = None;
    block.text.clear();
}

/// `text` with runs of whitespace made one space and none at either end,
/// as `split_whitespace().join(" ")` gives.
#[cfg(test)]
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::new();
    push_text(&mut out, text);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn demote_level(level: HeadingLevel, by: u8) -> HeadingLevel {
    match (level as u8 + by).min(6) {
        1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// A heading's automatic id: lowercase letters and digits, other runs as `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Whether `out` ends in `-` (runs of other characters make one).
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                out.push(c);
                dash = false;
            } else if !dash {
                out.push('-');
                dash = true;
            }
            continue;
        }
        for c in c.to_lowercase() {
            if c.is_alphanumeric() {
                out.push(c);
                dash = false;
            } else if !dash {
                out.push('-');
                dash = true;
            }
        }
    }
    if dash {
        out.pop();
    }
    if out.starts_with('-') {
        out.remove(0);
    }
    if out.is_empty() {
        "section".into()
    } else {
        out
    }
}

/// The ids a page's headings have taken so far; the reserved ids count as
/// taken without being copied into the set for every page.
#[derive(Default)]
struct UsedIds(HashSet<String>);

impl UsedIds {
    /// Takes `id` if it is free.
    fn insert(&mut self, id: &str) -> bool {
        !RESERVED_IDS.contains(&id) && !self.0.contains(id) && self.0.insert(id.to_string())
    }
}

fn unique_id(base: &str, used: &mut UsedIds) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while !used.insert(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// What a link's destination points at, resolved against the page's folder.
pub fn classify(dest: &str, dir: &str) -> Target {
    let trimmed = dest.trim();
    if unsafe_scheme(trimmed) {
        return Target::Unsafe(trimmed.to_string());
    }
    if let Some(id) = trimmed.strip_prefix("service:") {
        return Target::Service(id.to_string());
    }
    if let Some(id) = trimmed.strip_prefix('#') {
        return Target::Fragment(percent_decode(id));
    }
    let has_scheme = trimmed
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|first| first.contains(':'));
    if has_scheme || trimmed.starts_with("//") || trimmed.starts_with('/') {
        return Target::Other(trimmed.to_string());
    }
    let (path, fragment) = match trimmed.split_once('#') {
        Some((p, f)) => (p, Some(percent_decode(f))),
        None => (trimmed, None),
    };
    if !path.ends_with(".md") {
        return Target::Other(trimmed.to_string());
    }
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    let decoded = percent_decode(path);
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Outside(trimmed.to_string());
                }
            }
            p => parts.push(p),
        }
    }
    let source = parts.join("/");
    Target::Page {
        source,
        fragment: fragment.filter(|f| !f.is_empty()),
    }
}

/// Whether `dest`, lowercased and without whitespace or control characters
/// (which browsers ignore there), starts with a scheme that runs code.
fn unsafe_scheme(dest: &str) -> bool {
    const SCHEMES: [&[u8]; 3] = [b"javascript:", b"vbscript:", b"data:"];
    // The first letters as a browser reads them, up to the longest scheme
    // or the first character outside ASCII (no scheme has one).
    let mut head = [0u8; 11];
    let mut n = 0;
    for c in dest
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
    {
        if n == head.len() || !c.is_ascii() {
            break;
        }
        head[n] = c.to_ascii_lowercase() as u8;
        n += 1;
    }
    SCHEMES.iter().any(|s| head[..n].starts_with(s))
}

fn href_for(target: &Target, dest: &str, linker: &dyn Linker) -> String {
    match target {
        Target::Page { source, fragment } => linker.page(source, fragment.as_deref()),
        Target::Fragment(id) => linker.fragment(id),
        Target::Service(id) => linker.service(id),
        Target::Unsafe(_) => "#".into(),
        Target::Other(url) => linker.other(url),
        Target::Outside(_) => dest.to_string(),
    }
}

/// Decodes `%XX` escapes in a link (a bad escape is kept as written).
pub(crate) fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    decode_escapes(text)
}

/// `percent_decode` without the shortcut for a text with no `%`.
fn decode_escapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(v) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_counted_as_one_by_one() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut r = seed;
            let bytes: Vec<u8> = (0..seed % 2_000)
                .map(|_| {
                    r = r
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Some texts nearly all newlines, so a block's count nears 255.
                    if (r >> 60) < seed % 17 {
                        b'\n'
                    } else {
                        (r >> 33) as u8
                    }
                })
                .collect();
            let expected = bytes.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(&bytes), expected);
        }
        assert_eq!(count_newlines(&[b'\n'; 1000]), 1000);
    }

    /// The shortcut changes nothing: every text decodes as the loop alone
    /// decodes it (as before the shortcut).
    #[test]
    fn percent_decode_as_before() {
        let alphabet: Vec<char> = "%2A0fFgé/ -x".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let text: String = (0..seed % 12)
                .map(|k| alphabet[(seed >> (k * 5)) as usize % alphabet.len()])
                .collect();
            assert_eq!(percent_decode(&text), decode_escapes(&text), "{text:?}");
        }
    }

    #[test]
    fn collapse_whitespace_matches_split_whitespace() {
        for text in [
            "",
            "   ",
            "one",
            "  one  two\n\tthree  ",
            "a\u{a0}b\u{2003} c\u{3000}",
            "caf\u{e9}  na\u{ef}ve\r\n\x0bend\x0c",
            "\u{85}x\u{85}",
        ] {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapse_whitespace(text), expected, "{text:?}");
        }
    }

    #[test]
    fn text_appended_in_pieces_collapses_as_one() {
        let pieces = [
            "  one",
            " ",
            "two",
            "\n",
            " three\u{a0}",
            "four",
            "",
            " ",
            "  ",
        ];
        let mut block = TextBlock::default();
        for piece in pieces {
            push_text(&mut block.text, piece);
        }
        let mut blocks = Vec::new();
        flush(&mut blocks, &mut block);
        let whole = pieces.concat();
        let expected = whole.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(blocks[0].text, expected);
        assert_eq!(block, TextBlock::default());
    }

    #[test]
    fn every_short_text_split_anywhere_collapses_as_one() {
        let alphabet = ["a", " ", "\n", "\u{a0}", "\u{e9}", "\t"];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            for text in &texts {
                let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
                for (cut, _) in text.char_indices() {
                    let mut block = TextBlock::default();
                    push_text(&mut block.text, &text[..cut]);
                    push_text(&mut block.text, &text[cut..]);
                    let mut blocks = Vec::new();
                    flush(&mut blocks, &mut block);
                    let got = blocks.first().map_or("", |b| b.text.as_str());
                    assert_eq!(got, expected, "{text:?} cut at {cut}");
                }
            }
        }
    }

    #[test]
    fn long_texts_split_anywhere_collapse_as_one() {
        let alphabet = [
            "word",
            "a",
            " ",
            " ",
            " ",
            "  ",
            "\n",
            "\t",
            "\u{a0}",
            "caf\u{e9}",
            "\u{2003}",
            "\x01",
            "~",
            "\u{7f}",
            "x.",
            "\r\n",
            "longerwordhere",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let len = next(40);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut cuts: Vec<usize> = (0..next(4))
                .map(|_| next(text.len() + 1))
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            cuts.sort_unstable();
            let mut block = TextBlock::default();
            let mut from = 0;
            for cut in cuts.into_iter().chain([text.len()]) {
                push_text(&mut block.text, &text[from..cut]);
                from = cut;
            }
            let mut blocks = Vec::new();
            flush(&mut blocks, &mut block);
            let got = blocks.first().map_or("", |b| b.text.as_str());
            assert_eq!(got, expected, "{text:?}");
        }
    }

    #[test]
    fn plain_chunks_are_exactly_the_bytes_kept_as_they_are() {
        let interesting = [
            0x00, 0x09, 0x0a, 0x1f, b' ', b'!', b'a', 0x7e, 0x7f, 0x80, 0xc3, 0xff,
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for n in 0..200_000u32 {
            let mut bytes = [0u8; 8];
            for b in &mut bytes {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly letters and spaces, as in text, sometimes anything.
                *b = match seed % 8 {
                    0..=3 => b'a',
                    4 | 5 => b' ',
                    _ => interesting[(seed >> 8) as usize % interesting.len()],
                };
            }
            if n % 7 == 0 {
                bytes = ((seed >> 3).wrapping_mul(n as u64 + 1)).to_le_bytes();
            }
            let word = u64::from_le_bytes(bytes);
            for in_space in [false, true] {
                let plain = bytes.iter().all(|&b| (b' '..0x80).contains(&b))
                    && !bytes.windows(2).any(|w| w == b"  ")
                    && !(in_space && bytes[0] == b' ');
                let expected = plain.then(|| bytes[7] == b' ');
                assert_eq!(
                    plain_chunk(word, in_space),
                    expected,
                    "{bytes:?} {in_space}"
                );
            }
        }
    }

    #[test]
    fn unsafe_schemes_as_lowercased_compact_text() {
        let straightforward = |dest: &str| {
            let compact: String = dest
                .to_ascii_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            ["javascript:", "vbscript:", "data:"]
                .iter()
                .any(|s| compact.starts_with(s))
        };
        let pieces = [
            "java", "script", ":", "JAVA", "Script", " ", "\t", "\u{0}", "\u{a0}", "d", "a", "t",
            "vb", "\u{e9}", "x", "\u{2003}", "alert(1)", "\u{85}", "S",
        ];
        let mut seed: u64 = 7;
        for _ in 0..50_000 {
            let mut dest = String::new();
            for _ in 0..(seed % 7) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                dest.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed.wrapping_add(0x9e37_79b9);
            assert_eq!(unsafe_scheme(&dest), straightforward(&dest), "{dest:?}");
        }
        for dest in [
            "javascript:x",
            " J a v a s c r i p t : x",
            "DATA:text",
            "vbscript:",
            "data",
        ] {
            assert_eq!(unsafe_scheme(dest), straightforward(dest), "{dest:?}");
        }
    }

    #[test]
    fn positions_counted_onwards_match_a_table_of_line_starts() {
        let text = "one\ntwo caf\u{e9} [x](a)\n\n  three\n\u{e9}\u{e9} four\nfive";
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let expected = |offset: usize| {
            let line = starts.partition_point(|&s| s <= offset) - 1;
            let col = text[starts[line]..offset].chars().count() + 1;
            Pos::new(3 + line, col)
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        let mut lines = Lines::new(text, 3);
        // In order, backwards, and jumping about.
        let jumps = offsets
            .iter()
            .map(|&o| offsets[(o * 7 + 3) % offsets.len()]);
        for offset in offsets
            .iter()
            .copied()
            .chain(offsets.iter().rev().copied())
            .chain(jumps)
        {
            assert_eq!(lines.pos_of(offset), expected(offset), "{offset}");
        }
    }

    #[test]
    fn slugs_match_the_straightforward_rule() {
        let straightforward = |text: &str| {
            let mut out = String::new();
            for c in text.chars().flat_map(char::to_lowercase) {
                if c.is_alphanumeric() {
                    out.push(c);
                } else if !out.ends_with('-') {
                    out.push('-');
                }
            }
            let out = out.trim_matches('-').to_string();
            if out.is_empty() {
                "section".to_string()
            } else {
                out
            }
        };
        let pieces = [
            "What",
            " ",
            "to",
            "-",
            "do?",
            "\u{c9}t\u{c9}",
            "\u{130}",
            "\u{2003}",
            "--",
            "A1",
            "\u{1f600}",
            "\u{3a3}",
            "_",
            "\u{df}",
            "",
        ];
        let mut seed: u64 = 11;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 6) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed.wrapping_add(0x9e37_79b9);
            assert_eq!(slug(&text), straightforward(&text), "{text:?}");
        }
    }

    struct Plain;
    impl Linker for Plain {
        fn page(&self, source: &str, fragment: Option<&str>) -> String {
            format!(
                "PAGE:{source}{}",
                fragment.map(|f| format!("#{f}")).unwrap_or_default()
            )
        }
        fn fragment(&self, id: &str) -> String {
            format!("#{id}")
        }
        fn service(&self, id: &str) -> String {
            format!("SERVICE:{id}")
        }
    }

    fn md(text: &str) -> Rendered {
        render(text, "policy", 5, &Plain)
    }

    #[test]
    fn headings_get_stable_unique_ids() {
        let r = md("## What to do?\n\n## What to do?\n\n### Custom {#mine}\n\n## Main\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["what-to-do", "what-to-do-2", "mine", "main-2"]);
        assert!(
            r.html.contains("<h2 id=\"what-to-do\">What to do?</h2>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn h1_in_the_body_is_demoted_so_the_title_stays_the_only_h1() {
        let r = md("# One\n\n## Two\n");
        assert!(
            r.html.contains("<h2 id=\"one\">") && r.html.contains("<h3 id=\"two\">"),
            "{}",
            r.html
        );
    }

    #[test]
    fn links_are_resolved_rewritten_and_located() {
        let r = md(
            "Intro.\n\nSee [the policy](../roles/dsl.md#duties) and [Childline](service:childline).\n",
        );
        assert_eq!(
            r.links[0].target,
            Target::Page {
                source: "roles/dsl.md".into(),
                fragment: Some("duties".into())
            }
        );
        assert_eq!(r.links[0].pos, Pos::new(7, 5));
        assert_eq!(r.links[0].text, "the policy");
        assert_eq!(r.links[1].target, Target::Service("childline".into()));
        assert!(r.html.contains("href=\"PAGE:roles/dsl.md#duties\""));
        assert!(r.html.contains("href=\"SERVICE:childline\""));
    }

    #[test]
    fn other_links_are_left_alone_and_unsafe_ones_neutralised() {
        assert_eq!(
            classify("https://x.org/a.md", ""),
            Target::Other("https://x.org/a.md".into())
        );
        assert_eq!(
            classify("files/form.pdf", ""),
            Target::Other("files/form.pdf".into())
        );
        assert_eq!(
            classify("../../x.md", "a"),
            Target::Outside("../../x.md".into())
        );
        assert_eq!(
            classify(" JavaScript:alert(1)", ""),
            Target::Unsafe("JavaScript:alert(1)".into())
        );
        let r = md("[x](javascript:alert(1))");
        assert!(!r.html.contains("javascript"), "{}", r.html);
    }

    #[test]
    fn raw_html_is_escaped() {
        let r = md("<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> here.\n");
        assert!(
            !r.html.contains("<script") && !r.html.contains("<img"),
            "{}",
            r.html
        );
        assert!(r.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn callouts_tables_and_tasks() {
        let r = md("> [!WARNING]\n> Call 999.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n");
        assert!(r.html.contains("callout-warning") && r.html.contains("Warning"));
        assert!(r.html.contains("<div class=\"table-wrap\""));
        assert!(r.html.contains("Done: ") && !r.html.contains("<input"));
    }

    #[test]
    fn text_blocks_split_at_h2_and_h3() {
        let r = md(
            "Lead in.\n\n## First\n\nBody *one*.\n\n#### Deep\n\nMore.\n\n### Second\n\nBody two.\n",
        );
        assert_eq!(r.blocks.len(), 3);
        assert_eq!(r.blocks[0].text, "Lead in.");
        assert_eq!(r.blocks[1].text, "Body one. Deep More.");
        assert_eq!(r.blocks[2].heading, Some(2));
    }

    #[test]
    fn reused_buffers_give_what_fresh_ones_give() {
        let pages = [
            "Lead.\n\n## Top {#main}\n\nA [link](a.md) here.\n\n| a |\n|---|\n| 1 |\n",
            "# Only\n\nText   with  spaces.\n\n### Deep\n\n- [ ] task\n",
            "",
            "## Top\n\n## Top\n\nEnd [x](#top).\n",
        ];
        for _ in 0..2 {
            for text in pages {
                let reused = md(text);
                let fresh = render_with(text, "policy", 5, &Plain, &mut Scratch::default());
                assert_eq!(reused.html, fresh.html);
                assert_eq!(reused.headings, fresh.headings);
                assert_eq!(reused.links, fresh.links);
                assert_eq!(reused.blocks, fresh.blocks);
                assert_eq!(reused.html.capacity(), reused.html.len());
            }
        }
        let ids: Vec<String> = md(pages[3]).headings.into_iter().map(|h| h.id).collect();
        assert_eq!(ids, ["top-2", "top-3"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = format!("{}deep", "> ".repeat(20_000));
        let r = md(&text);
        assert!(r.html.contains("deep"));
        let list = "- a\n".to_string()
            + &(1..5000)
                .map(|i| format!("{}- a\n", "  ".repeat(i)))
                .collect::<String>();
        md(&list);
    }
}
