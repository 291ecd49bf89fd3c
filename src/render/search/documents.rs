//! The documents of the index: each page section (split at h2 and h3) and
//! each service, with the terms of each field, ready to be weighted.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use super::index::{SECTIONS_PER_PAGE, SNIPPET_TEXT};
use super::tokenise::{Scratch, Stems, each_token, is_stop_word};
use crate::model::{Audience, Page, Service};
use crate::render::Rendered;
use crate::render::context::contact_links;

#[derive(Clone, Copy)]
pub(super) enum Field {
    Title,
    Heading,
    Summary,
    Tags,
    Body,
    Audience,
    Organisation,
    Category,
    Contacts,
}

pub(super) const FIELD_COUNT: usize = 9;

impl Field {
    pub(super) fn b(self) -> f64 {
        match self {
            Field::Body => 0.75,
            _ => 0.5,
        }
    }
}

/// One searchable document before weighting.
pub(super) struct Doc {
    pub(super) id: u32,
    pub(super) url: String,
    pub(super) title: String,
    pub(super) section: String,
    pub(super) audience: String,
    pub(super) kind: u8,
    pub(super) text: String,
    /// (field, boost, ids of the stemmed terms including synonym-group tokens).
    pub(super) fields: Vec<(Field, f64, Vec<u32>)>,
}

/// The terms of one build, shared by the threads that make its documents:
/// each stem and synonym-group token gets one id, and every word indexed is
/// remembered with its stem (the forms the browser maps query words by).
pub(super) struct Terms {
    /// Tells this build's ids from another's in the threads' caches.
    generation: u64,
    table: Mutex<Table>,
    /// Synonym groups as sequences of stem ids.
    groups: Vec<Vec<Vec<u32>>>,
    /// The id of each group's `~N` token.
    group_tokens: Vec<u32>,
    /// Stem id → (group, member) of the members starting with it.
    starts: Vec<Vec<(usize, usize)>>,
}

#[derive(Default)]
pub(super) struct Table {
    ids: FxHashMap<String, u32>,
    /// Term id → term.
    pub(super) names: Vec<String>,
    /// Every word indexed but stop words → its word id.
    words: FxHashMap<String, u32>,
    /// Word id → the word and the term id of its stem.
    pub(super) forms: Vec<(String, u32)>,
}

impl Table {
    fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(term.to_string());
        self.ids.insert(term.to_string(), id);
        id
    }
}

/// What one thread remembers between documents: the stem of every word it
/// has seen (kept from build to build, up to a limit) and, for the build it
/// is working on, each word's term id.
#[derive(Default)]
struct Local {
    generation: u64,
    /// Word → (term id of its stem, word id or `NO_WORD` for a stop word):
    /// words of up to 16 bytes by [`packed`], longer ones in `long_ids`.
    ids: FxHashMap<u128, (u32, u32)>,
    long_ids: FxHashMap<String, (u32, u32)>,
    /// Entries of `ids` last looked up, by their packed word's slot
    /// ([`recent_slot`]); 0 marks an empty slot. Most words are common ones.
    recent: Vec<(u128, (u32, u32))>,
    /// Word id → the last record that used it (`record`).
    stamps: Vec<u32>,
    record: u32,
    /// The word ids of the record being made.
    words: Vec<u32>,
    stems: FxHashMap<String, (String, bool)>,
    stemmer: Stems,
    scratch: Scratch,
    /// Buffers [`Builder::terms`] reuses from one text to the next.
    terms: Vec<u32>,
    seq: Vec<u32>,
}

/// The word id of stop words, which are not forms.
const NO_WORD: u32 = u32::MAX;

/// Words whose stems a thread keeps; past this the cache starts again.
const STEM_CACHE: usize = 200_000;

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::default());
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

impl Terms {
    /// `groups`: synonym groups as stem sequences.
    pub(super) fn new(groups: Vec<Vec<Vec<String>>>) -> Self {
        let mut table = Table::default();
        let mut ids = Vec::new();
        let mut group_tokens = Vec::new();
        for (g, members) in groups.into_iter().enumerate() {
            ids.push(
                members
                    .into_iter()
                    .map(|m| m.iter().map(|s| table.intern(s)).collect::<Vec<u32>>())
                    .collect::<Vec<_>>(),
            );
            group_tokens.push(table.intern(&format!("~{g}")));
        }
        let mut starts = vec![Vec::new(); table.names.len()];
        for (g, members) in ids.iter().enumerate() {
            for (m, member) in members.iter().enumerate() {
                if let Some(&first) = member.first() {
                    starts[first as usize].push((g, m));
                }
            }
        }
        Terms {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            table: Mutex::new(table),
            groups: ids,
            group_tokens,
            starts,
        }
    }

    /// Makes one record's documents with `f`, on this thread's cache; the
    /// record lists the words they use.
    pub(super) fn record(&self, f: impl FnOnce(&mut Builder) -> Vec<Doc>) -> Record {
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            if local.generation != self.generation {
                local.generation = self.generation;
                local.ids.clear();
                local.long_ids.clear();
                local.recent.clear();
                local.stamps.clear();
                local.record = 0;
            }
            if local.stems.len() > STEM_CACHE {
                local.stems.clear();
            }
            local.record += 1;
            local.words.clear();
            let docs = f(&mut Builder {
                terms: self,
                local: &mut local,
            });
            Record {
                docs,
                words: local.words.clone(),
                serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            }
        })
    }

    pub(super) fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The id of a word's stem and, but for stop words, of the word.
    fn intern(&self, word: &str, stem: &str, stop: bool) -> (u32, u32) {
        let mut table = self.table();
        let id = table.intern(stem);
        if stop {
            return (id, NO_WORD);
        }
        if let Some(&w) = table.words.get(word) {
            return (id, w);
        }
        let w = table.forms.len() as u32;
        table.forms.push((word.to_string(), id));
        table.words.insert(word.to_string(), w);
        (id, w)
    }
}

/// The documents of one page or service, with the words they use.
pub(super) struct Record {
    /// Ids count from 0 within the record.
    pub(super) docs: Vec<Doc>,
    /// Word ids (see [`Table::forms`]), each once.
    pub(super) words: Vec<u32>,
    /// Tells records apart (never reused within a run).
    pub(super) serial: u64,
}

static SERIAL: AtomicU64 = AtomicU64::new(1);

pub(super) struct Builder<'a> {
    terms: &'a Terms,
    local: &'a mut Local,
}

impl Builder<'_> {
    /// The terms of one field (as ids): stems of every word but stop words,
    /// plus a `~N` token for each time a member of synonym group N occurs.
    fn terms(&mut self, text: &str) -> Vec<u32> {
        let terms = self.terms;
        if self.local.recent.is_empty() {
            self.local.recent.resize(RECENT, (0, (0, 0)));
        }
        let Local {
            ids,
            long_ids,
            recent,
            stems,
            stemmer,
            scratch,
            stamps,
            record,
            words,
            terms: out,
            seq,
            ..
        } = &mut *self.local;
        // A huge text's buffers are not kept.
        for buffer in [&mut *out, &mut *seq] {
            buffer.clear();
            if buffer.capacity() > 1 << 20 {
                *buffer = Vec::new();
            }
        }
        let mut joined = Vec::new();
        each_token(text, scratch, |word, is_joined| {
            let key = packed(word);
            // (No word is empty, so none packs to 0, the empty slot's key.)
            let slot = key.filter(|&k| k != 0).map(recent_slot);
            let cached = match (key, slot) {
                (Some(key), Some(slot)) if recent[slot].0 == key => Some(recent[slot].1),
                _ => None,
            };
            let known = match (cached, key) {
                (Some(_), _) => cached.as_ref(),
                (None, Some(key)) => ids.get(&key),
                (None, None) => long_ids.get(word),
            };
            let (stem, word_id) = match known {
                Some(&known) => known,
                None => {
                    let (stem, stop) = match stems.get(word) {
                        Some(known) => known,
                        None => {
                            let known = (stemmer.stem(word), is_stop_word(word));
                            &*stems.entry(word.to_string()).or_insert(known)
                        }
                    };
                    let known = terms.intern(word, stem, *stop);
                    match key {
                        Some(key) => ids.insert(key, known),
                        None => long_ids.insert(word.to_string(), known),
                    };
                    known
                }
            };
            if let (None, Some(key), Some(slot)) = (cached, key, slot) {
                recent[slot] = (key, (stem, word_id));
            }
            if word_id != NO_WORD {
                out.push(stem);
                let w = word_id as usize;
                if stamps.len() <= w {
                    stamps.resize(w + 1, 0);
                }
                if stamps[w] != *record {
                    stamps[w] = *record;
                    words.push(word_id);
                }
            }
            if is_joined {
                joined.push(stem);
            } else {
                seq.push(stem);
            }
        });
        if terms.groups.is_empty() {
            return out.to_vec();
        }
        let mut counts = vec![0usize; terms.groups.len()];
        let none = Vec::new();
        let starting = |id: u32| terms.starts.get(id as usize).unwrap_or(&none);
        for (i, &stem) in seq.iter().enumerate() {
            for &(g, m) in starting(stem) {
                let member = &terms.groups[g][m];
                if seq[i..].starts_with(member) {
                    counts[g] += 1;
                }
            }
        }
        for &stem in &joined {
            for &(g, m) in starting(stem) {
                if terms.groups[g][m].len() == 1 {
                    counts[g] += 1;
                }
            }
        }
        for (&token, count) in terms.group_tokens.iter().zip(counts) {
            out.extend(std::iter::repeat_n(token, count));
        }
        // Copied out at its exact size: the documents keep it.
        out.to_vec()
    }
}

/// Slots in [`Local::recent`].
const RECENT: usize = 1 << 12;

/// The slot of a packed word in [`Local::recent`].
fn recent_slot(key: u128) -> usize {
    let mixed = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - RECENT.trailing_zeros())) as usize
}

/// A word of up to 16 bytes as one number: its bytes in order, then zeros.
/// Words hold no NUL bytes, so no two words share a number.
fn packed(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    let n = b.len();
    let le = |s: &[u8]| u64::from_le_bytes(s.try_into().expect("8 bytes"));
    let (lo, hi) = match n {
        0..=3 => {
            let mut lo = 0u64;
            for (k, &c) in b.iter().enumerate() {
                lo |= u64::from(c) << (8 * k);
            }
            (lo, 0)
        }
        4..=8 => {
            // The first four bytes, and the last four without the ones
            // they share with the first.
            let first = u32::from_le_bytes(b[..4].try_into().expect("4 bytes"));
            let last = u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes"));
            let rest = u64::from(last) >> (8 * (8 - n));
            (u64::from(first) | rest << 32, 0)
        }
        9..=16 => (le(&b[..8]), le(&b[n - 8..]) >> (8 * (16 - n))),
        _ => return None,
    };
    Some(u128::from(lo) | u128::from(hi) << 64)
}

fn audience_label(audience: &[Audience]) -> String {
    if audience.len() == Audience::ALL.len() {
        return "Everyone".into();
    }
    audience
        .iter()
        .map(|a| a.label())
        .collect::<Vec<_>>()
        .join(", ")
}

fn audience_words(audience: &[Audience]) -> String {
    audience
        .iter()
        .map(|a| a.label())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text cut to about `SNIPPET_TEXT` characters at a word boundary.
fn cap(text: &str) -> String {
    // The SNIPPET_TEXT-th character starts at that byte when the ones before
    // it are ASCII; a text of no more bytes than that is never cut.
    let end = if text.len() <= SNIPPET_TEXT {
        None
    } else if text.as_bytes()[..SNIPPET_TEXT].is_ascii() {
        Some(SNIPPET_TEXT)
    } else {
        text.char_indices().nth(SNIPPET_TEXT).map(|(end, _)| end)
    };
    let Some(end) = end else {
        return text.to_string();
    };
    let cut = &text[..end];
    let cut = cut.rsplit_once(' ').map_or(cut, |(a, _)| a);
    let mut capped = String::with_capacity(cut.len() + " …".len());
    capped.push_str(cut);
    capped.push_str(" …");
    capped
}

pub(super) fn page_docs(
    b: &mut Builder,
    page: &Page,
    index: usize,
    rendered: &Rendered,
) -> Vec<Doc> {
    let base = index as u32 * SECTIONS_PER_PAGE;
    let audience = audience_label(&page.audience);
    let audience_text = audience_words(&page.audience);
    let tags = page.tags.join(" ");
    // The same in every section of the page: worked out once.
    let title_terms = b.terms(&page.title);
    let tags_terms = b.terms(&tags);
    let audience_terms = b.terms(&audience_text);
    let mut blocks: Vec<(Option<usize>, Cow<str>)> = Vec::with_capacity(rendered.blocks.len() + 1);
    if rendered
        .blocks
        .first()
        .is_none_or(|bl| bl.heading.is_some())
    {
        blocks.push((None, Cow::Borrowed("")));
    }
    for block in &rendered.blocks {
        if blocks.len() as u32 >= SECTIONS_PER_PAGE {
            let last = blocks.last_mut().expect("not empty").1.to_mut();
            last.push(' ');
            last.push_str(&block.text);
        } else {
            blocks.push((block.heading, Cow::Borrowed(&block.text)));
        }
    }
    let mut docs = Vec::with_capacity(blocks.len());
    for (i, (heading, text)) in blocks.into_iter().enumerate() {
        let mut fields = Vec::with_capacity(6);
        let section;
        let mut with_summary = None;
        match heading.and_then(|h| rendered.headings.get(h)) {
            None => {
                section = String::new();
                let mut body = text.to_string();
                if let Some(steps) = &page.steps {
                    for step in steps {
                        for part in [
                            Some(&step.title),
                            step.who.as_ref(),
                            step.when.as_ref(),
                            step.action.as_ref(),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            body.push(' ');
                            body.push_str(part);
                        }
                    }
                }
                let headings: Vec<&str> =
                    rendered.headings.iter().map(|h| h.text.as_str()).collect();
                fields.push((Field::Title, 8.0, title_terms.clone()));
                fields.push((
                    Field::Summary,
                    3.0,
                    b.terms(page.summary.as_deref().unwrap_or("")),
                ));
                fields.push((Field::Tags, 3.0, tags_terms.clone()));
                fields.push((Field::Heading, 1.0, b.terms(&headings.join(" "))));
                fields.push((Field::Body, 1.0, b.terms(&body)));
                if let Some(summary) = &page.summary {
                    with_summary = Some(format!("{summary} {text}"));
                }
            }
            Some(h) => {
                section = h.text.clone();
                fields.push((Field::Title, 2.0, title_terms.clone()));
                fields.push((Field::Heading, 5.0, b.terms(&h.text)));
                fields.push((Field::Tags, 1.0, tags_terms.clone()));
                fields.push((Field::Body, 1.0, b.terms(&text)));
            }
        }
        fields.push((Field::Audience, 0.5, audience_terms.clone()));
        let url = match heading.and_then(|h| rendered.headings.get(h)) {
            Some(h) => format!("{}#{}", page.url, h.id),
            None => page.url.clone(),
        };
        docs.push(Doc {
            id: base + i as u32,
            url,
            title: page.title.clone(),
            section,
            audience: audience.clone(),
            kind: 0,
            text: cap(with_summary.as_deref().unwrap_or(&text).trim()),
            fields,
        });
    }
    docs
}

pub(super) fn service_doc(b: &mut Builder, service: &Service, page_index: usize) -> Doc {
    let description = service.description.as_deref().unwrap_or("");
    let contacts = contact_links(service)
        .iter()
        .map(|c| format!("{} {}", c.label, c.value))
        .collect::<Vec<_>>()
        .join(" ");
    let mut about = description.to_string();
    for extra in [&service.hours, &service.cost, &service.area]
        .into_iter()
        .flatten()
    {
        about.push(' ');
        about.push_str(extra);
    }
    let fields = vec![
        (Field::Title, 8.0, b.terms(&service.name)),
        (
            Field::Organisation,
            3.0,
            b.terms(service.organisation.as_deref().unwrap_or("")),
        ),
        (
            Field::Category,
            3.0,
            b.terms(service.category.as_deref().unwrap_or("")),
        ),
        (Field::Body, 1.5, b.terms(&about)),
        (Field::Contacts, 1.0, b.terms(&contacts)),
        (
            Field::Audience,
            0.5,
            b.terms(&audience_words(&service.audiences)),
        ),
    ];
    let mut section = String::from("Service");
    if let Some(org) = &service.organisation {
        section = format!("Service: {org}");
    }
    Doc {
        id: page_index as u32 * SECTIONS_PER_PAGE,
        url: format!("services/{}.html", service.id),
        title: service.name.clone(),
        section,
        audience: audience_label(&service.audiences),
        kind: 1,
        text: cap(&format!("{} {contacts}", strip_markdown(description)).replace("  ", " ")),
        fields,
    }
}

/// Plain text from a short Markdown description (emphasis and link syntax dropped).
pub(super) fn strip_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' | '_' | '`' | '#' | '[' => {}
            ']' if chars.peek() == Some(&'(') => {
                for c in chars.by_ref() {
                    if c == ')' {
                        break;
                    }
                }
            }
            ']' => {}
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random text from `alphabet`, `count` of them, up to `max` characters.
    fn texts(alphabet: &str, count: usize, max: u64) -> Vec<String> {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        (0..count)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut r = seed;
                (0..seed % max)
                    .map(|_| {
                        r = r
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        alphabet[(r >> 33) as usize % alphabet.len()]
                    })
                    .collect()
            })
            .collect()
    }

    /// Through the cache of recent words and the maps behind it, each term
    /// is the stem of its word, for more words than the cache has slots.
    #[test]
    fn terms_are_the_stems_of_the_words() {
        use super::super::tokenise::tokenise;
        let vocabulary = texts("abcdefghijklmnopqrstuvwxyz", 20_000, 24);
        let stems = Stems::default();
        let terms = Terms::new(Vec::new());
        for round in 0..3 {
            for (k, words) in vocabulary.chunks(50).enumerate() {
                let text = words.join(" ");
                let mut got = Vec::new();
                terms.record(|b| {
                    got = b.terms(&text);
                    Vec::new()
                });
                let expected: Vec<String> = tokenise(&text)
                    .into_iter()
                    .filter(|t| !is_stop_word(&t.word))
                    .map(|t| stems.stem(&t.word))
                    .collect();
                let table = terms.table();
                let names: Vec<&str> = got
                    .iter()
                    .map(|&id| table.names[id as usize].as_str())
                    .collect();
                assert_eq!(names, expected, "round {round}, text {k}");
            }
        }
    }

    #[test]
    fn packed_words_are_their_bytes_then_zeros() {
        for word in texts("ab0zé’ß😀", 20_000, 20) {
            let mut bytes = [0u8; 16];
            let expected = (word.len() <= 16).then(|| {
                bytes[..word.len()].copy_from_slice(word.as_bytes());
                u128::from_le_bytes(bytes)
            });
            assert_eq!(packed(&word), expected, "{word:?}");
        }
    }

    /// The `cap` the ASCII shortcut was added to.
    fn reference_cap(text: &str) -> String {
        let Some((end, _)) = text.char_indices().nth(SNIPPET_TEXT) else {
            return text.to_string();
        };
        let cut = &text[..end];
        let cut = cut.rsplit_once(' ').map_or(cut, |(a, _)| a);
        format!("{cut} …")
    }

    #[test]
    fn cap_agrees_with_counting_characters() {
        let mut all = texts("ab cé", 2_000, SNIPPET_TEXT as u64 * 2);
        all.extend(texts("ab c", 2_000, SNIPPET_TEXT as u64 * 2));
        for n in SNIPPET_TEXT - 2..SNIPPET_TEXT + 3 {
            all.push("a".repeat(n));
            all.push(format!("{}é", "a ".repeat(n / 2)));
            all.push(format!("é{}", "a".repeat(n)));
        }
        for text in all {
            assert_eq!(cap(&text), reference_cap(&text), "{text:?}");
        }
    }
}
