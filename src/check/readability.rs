//! Plain English for parents and pupils: Flesch reading ease and an
//! estimated reading age (Flesch–Kincaid grade + 5, the UK school age that
//! matches a US grade) for every public page whose audience includes parents
//! or pupils, with the sentences that pull the score down most.
//!
//! The formulas count words, sentences and syllables; the syllable count is
//! a heuristic (vowel groups, with the common silent endings removed), good
//! to about one syllable in ten words, which is all a reading-age estimate
//! needs.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use super::{Audit, Finding, Positions};
use crate::diagnostic::Level;
use crate::load::Pos;
use crate::model::{Audience, Handbook, Visibility};
use crate::render::markdown;

/// Pages with fewer words than this are not scored: the formulas mean
/// little on a few lines.
pub const MIN_WORDS: usize = 30;

/// Sentences shorter than this are not offered as the hardest.
pub const MIN_SENTENCE_WORDS: usize = 5;

/// How many of the hardest sentences are reported per page.
pub const HARDEST: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct PageScore {
    pub page: String,
    pub title: String,
    pub words: usize,
    pub sentences: usize,
    /// Flesch reading ease: 0 (very hard) to 100 (very easy); 60–70 is plain English.
    pub flesch_reading_ease: f64,
    /// Estimated reading age in years.
    pub reading_age: f64,
    /// Whether `reading_age` is above `check.max_reading_age`.
    pub above_limit: bool,
    /// The sentences that pull the score down most, hardest first.
    pub hardest: Vec<Sentence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sentence {
    pub text: String,
    pub line: usize,
    pub column: usize,
    pub words: usize,
    pub reading_age: f64,
}

pub fn audit(handbook: &Handbook, findings: &mut Vec<Finding>) -> Vec<PageScore> {
    let limit = handbook.config.max_reading_age;
    let mut scores = Vec::new();
    for page in &handbook.pages {
        let Some(path) = &page.path else { continue };
        let for_families = page
            .audience
            .iter()
            .any(|a| matches!(a, Audience::Parents | Audience::Pupils));
        if !for_families || page.visibility != Visibility::Public {
            continue;
        }
        let Some(mut score) = score(&page.body, page.body_line) else {
            continue;
        };
        score.page = page.source.clone();
        score.title = page.title.clone();
        score.above_limit = score.reading_age > limit;
        if score.above_limit {
            let pos = score
                .hardest
                .first()
                .map_or(Pos::new(page.body_line, 1), |s| Pos::new(s.line, s.column));
            let hardest: Vec<String> = score
                .hardest
                .iter()
                .filter(|s| s.reading_age > limit)
                .map(|s| {
                    format!(
                        "line {} (age {:.0}): \"{}\"",
                        s.line,
                        s.reading_age,
                        shorten(&s.text, 90)
                    )
                })
                .collect();
            findings.push(Finding {
                audit: Audit::Readability,
                diagnostic: super::at(
                    path,
                    pos,
                    Level::Warning,
                    format!(
                        "reading age {:.1} is above {} for a page parents and pupils read (Flesch reading ease {:.0})",
                        score.reading_age,
                        trim_float(limit),
                        score.flesch_reading_ease
                    ),
                )
                .with_hint(format!(
                    "use shorter sentences and everyday words; hardest: {}",
                    hardest.join("; ")
                )),
            });
        }
        scores.push(score);
    }
    scores
}

/// Scores a Markdown body; `None` when it has fewer than `MIN_WORDS` words.
pub fn score(body: &str, first_line: usize) -> Option<PageScore> {
    let sentences = sentences(body, first_line);
    let (mut words, mut syllables) = (0, 0);
    let mut scored: Vec<Sentence> = Vec::new();
    for (text, pos) in &sentences {
        let counts: Vec<usize> = words_of(text).map(syllables_in).collect();
        if counts.is_empty() {
            continue;
        }
        words += counts.len();
        let s: usize = counts.iter().sum();
        syllables += s;
        scored.push(Sentence {
            text: text.clone(),
            line: pos.line,
            column: pos.col,
            words: counts.len(),
            reading_age: reading_age(counts.len(), 1, s),
        });
    }
    if words < MIN_WORDS {
        return None;
    }
    let count = scored.len();
    let flesch =
        206.835 - 1.015 * (words as f64 / count as f64) - 84.6 * (syllables as f64 / words as f64);
    // Fragments (list items, labels) of a few long words score absurdly
    // high on their own; the sentences worth rewriting are whole ones.
    if scored.iter().any(|s| s.words >= MIN_SENTENCE_WORDS) {
        scored.retain(|s| s.words >= MIN_SENTENCE_WORDS);
    }
    scored.sort_by(|a, b| b.reading_age.total_cmp(&a.reading_age));
    scored.truncate(HARDEST);
    Some(PageScore {
        page: String::new(),
        title: String::new(),
        words,
        sentences: count,
        flesch_reading_ease: round1(flesch),
        reading_age: reading_age(words, count, syllables),
        above_limit: false,
        hardest: scored,
    })
}

/// Flesch–Kincaid grade + 5, never below 5, to one decimal place.
fn reading_age(words: usize, sentences: usize, syllables: usize) -> f64 {
    let grade = 0.39 * (words as f64 / sentences.max(1) as f64)
        + 11.8 * (syllables as f64 / words.max(1) as f64)
        - 15.59;
    round1((grade + 5.0).max(5.0))
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The prose of a body (paragraphs and list items; not headings, tables or
/// code blocks) as sentences, each with where it starts.
pub fn sentences(body: &str, first_line: usize) -> Vec<(String, Pos)> {
    let positions = Positions::new(body, first_line);
    let mut out = Vec::new();
    // The block being read: its text, and where each piece of it starts.
    let mut text = String::new();
    let mut starts: Vec<(usize, Pos)> = Vec::new();
    let mut skip = 0usize;
    for (event, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::Table(_) | Tag::CodeBlock(_)) => skip += 1,
            Event::End(TagEnd::Heading(_) | TagEnd::Table | TagEnd::CodeBlock) => {
                skip = skip.saturating_sub(1)
            }
            Event::Text(t) | Event::Code(t) if skip == 0 => {
                starts.push((text.len(), positions.at(range.start)));
                text.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak if skip == 0 => text.push(' '),
            Event::Start(Tag::Paragraph | Tag::Item)
            | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                split_block(&text, &starts, &mut out);
                text.clear();
                starts.clear();
            }
            _ => {}
        }
    }
    split_block(&text, &starts, &mut out);
    out
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "no", "vs", "approx",
];

fn split_block(text: &str, starts: &[(usize, Pos)], out: &mut Vec<(String, Pos)>) {
    // `starts` is in text order: the piece holding byte `i` is the last that starts at or before it.
    let pos_of = |i: usize| {
        let k = starts.partition_point(|(s, _)| *s <= i).saturating_sub(1);
        starts.get(k).map_or(Pos::new(1, 1), |(_, p)| *p)
    };
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let at_end = chars.get(k + 1).is_none_or(|(_, n)| n.is_whitespace());
        if !at_end {
            continue;
        }
        let before = text[start..i]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default()
            .to_lowercase();
        if c == '.' && (ABBREVIATIONS.contains(&before.as_str()) || before.chars().count() == 1) {
            continue;
        }
        push_sentence(text, start, i + c.len_utf8(), &pos_of, out);
        start = i + c.len_utf8();
    }
    push_sentence(text, start, text.len(), &pos_of, out);
}

fn push_sentence(
    text: &str,
    start: usize,
    end: usize,
    pos_of: &impl Fn(usize) -> Pos,
    out: &mut Vec<(String, Pos)>,
) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let sentence = piece.split_whitespace().collect::<Vec<_>>().join(" ");
    if words_of(&sentence).next().is_some() {
        out.push((sentence, pos_of(start + lead)));
    }
}

/// The words of a sentence: runs of letters, digits and apostrophes.
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(char::is_alphanumeric))
}

/// Estimated syllables in one word (at least 1).
pub fn syllables_in(word: &str) -> usize {
    let w: Vec<char> = word
        .chars()
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_alphabetic)
        .collect();
    if w.is_empty() {
        return 1;
    }
    if w.len() <= 3 {
        return 1;
    }
    let vowel = |i: usize| match w[i] {
        'a' | 'e' | 'i' | 'o' | 'u' => true,
        // `y` is a consonant at the start of a word (yes, you).
        'y' => i > 0,
        _ => false,
    };
    let mut groups = 0;
    for i in 0..w.len() {
        if vowel(i) && (i == 0 || !vowel(i - 1)) {
            groups += 1;
        }
    }
    let n = w.len();
    let ends = |s: &str| w.iter().rev().take(s.len()).rev().copied().eq(s.chars());
    let consonant_at = |i: usize| !vowel(i);
    let consonant_le = ends("le") && n >= 3 && consonant_at(n - 3);
    if ends("e") && !ends("ee") && !ends("ie") && !consonant_le {
        // Silent final e: make, there, time.
        groups -= 1;
    } else if ends("ed") && n >= 3 && !matches!(w[n - 3], 't' | 'd') && consonant_at(n - 3) {
        // -ed after most consonants is not a syllable: worked, helped.
        groups -= 1;
    } else if ends("es")
        && n >= 3
        && consonant_at(n - 3)
        && !matches!(w[n - 3], 's' | 'x' | 'z' | 'c' | 'g' | 'h')
    {
        // -es after most consonants is not a syllable: makes, times.
        groups -= 1;
    }
    groups.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllable_heuristic() {
        let cases = [
            ("the", 1),
            ("make", 1),
            ("there", 1),
            ("table", 2),
            ("people", 2),
            ("agree", 2),
            ("worked", 1),
            ("wanted", 2),
            ("needed", 2),
            ("makes", 1),
            ("boxes", 2),
            ("changes", 2),
            ("yes", 1),
            ("only", 2),
            ("family", 3),
            ("counsellor", 3),
            ("behaviour", 3),
            ("support", 2),
            ("designated", 4),
            ("confidential", 4),
            ("mental", 2),
            ("health", 1),
            ("school", 1),
            ("child's", 1),
            ("999", 1),
        ];
        for (word, expected) in cases {
            assert_eq!(syllables_in(word), expected, "{word}");
        }
    }

    #[test]
    fn sentences_are_split_with_their_positions() {
        let s = sentences(
            "# Title is skipped\n\nTalk to us. We listen, e.g. at break!\nAsk Mr. Shah?\n\n- A list item\n\n| Not | prose |\n|---|---|\n| x | y |\n",
            3,
        );
        let texts: Vec<(&str, usize)> = s.iter().map(|(t, p)| (t.as_str(), p.line)).collect();
        assert_eq!(
            texts,
            [
                ("Talk to us.", 5),
                ("We listen, e.g. at break!", 5),
                ("Ask Mr. Shah?", 6),
                ("A list item", 8),
            ]
        );
    }

    #[test]
    fn plain_text_scores_young_and_dense_text_old() {
        let plain = "If you feel sad, talk to us. We will listen. You can talk to any adult you trust. \
                     They will help you. You can call Childline too. It is free. It is open all day and all night.";
        let dense = "Safeguarding responsibilities necessitate comprehensive documentation of disclosures, \
                     contemporaneously recorded, and communicated expeditiously to the designated safeguarding \
                     lead, who determines proportionate intervention considering statutory obligations and \
                     institutional policies regarding confidentiality and information sharing.";
        let p = score(plain, 1).unwrap();
        let d = score(dense, 1).unwrap();
        assert!(p.reading_age < 9.0, "{}", p.reading_age);
        assert!(p.flesch_reading_ease > 80.0, "{}", p.flesch_reading_ease);
        assert!(d.reading_age > 20.0, "{}", d.reading_age);
        assert!(d.flesch_reading_ease < 10.0, "{}", d.flesch_reading_ease);
        assert_eq!(p.hardest.len(), HARDEST);
        assert_eq!(p.hardest[0].text, "You can talk to any adult you trust.");
        assert!(score("Too short to score.", 1).is_none());
    }
}
