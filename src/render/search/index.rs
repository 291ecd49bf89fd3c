//! The search index: documents (page sections and services), BM25F weights
//! computed here at build time, synonym groups indexed as tokens of their
//! own, and the split into shards by term. See docs/search.md.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::shards::{key_of, posting_sizes, shard_file, shard_value, split};
use super::tokenise::{FOLD, STOP_WORDS, Stems, is_stop_word, tokenise};
use crate::model::{Audience, Handbook, Page, Service};
use crate::render::Rendered;
use crate::render::context::contact_links;

/// Ids leave room for this many sections per page (`id = page * 32 + section`),
/// so the browser can tell a result's page without loading its document.
pub const SECTIONS_PER_PAGE: u32 = 32;
/// Documents per document file when the index is split: two pages' worth.
pub const DOCS_PER_CHUNK: u32 = SECTIONS_PER_PAGE * 2;
/// An index smaller than this is written as one file.
pub const SINGLE_FILE_LIMIT: usize = 300 * 1024;
/// A term shard larger than this is split by one more letter.
pub const SHARD_LIMIT: usize = 40 * 1024;
/// Only the best postings of a term are kept (a term in more documents
/// than this says little about any of them).
pub const MAX_POSTINGS: usize = 1500;
/// Text kept per document for snippets, in characters.
pub const SNIPPET_TEXT: usize = 600;

const K1: f64 = 1.2;

/// Built-in synonym groups for the domain; merged with handbook.yaml's.
pub const DEFAULT_SYNONYMS: &[&[&str]] = &[
    &[
        "camhs",
        "cypmhs",
        "child and adolescent mental health services",
        "children and young people's mental health services",
    ],
    &["mhst", "mental health support team"],
    &["dsl", "designated safeguarding lead"],
    &["senco", "sendco", "special educational needs coordinator"],
    &["smhl", "senior mental health lead"],
    &["anxiety", "anxious", "worry", "worried"],
    &["self-harm", "selfharm", "self-injury"],
    &["depression", "low mood"],
    &["counsellor", "counselling", "counseling", "therapist"],
    &["gp", "doctor"],
    &["ehcp", "education health and care plan"],
    &["eating disorder", "anorexia", "bulimia"],
    &["bereavement", "grief", "grieving"],
    &["pupil", "student"],
    &["parent", "carer"],
    &["adhd", "attention deficit hyperactivity disorder"],
    &["ocd", "obsessive compulsive disorder"],
    &["ptsd", "post-traumatic stress disorder"],
];

#[derive(Clone, Copy)]
enum Field {
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

const FIELD_COUNT: usize = 9;

impl Field {
    fn b(self) -> f64 {
        match self {
            Field::Body => 0.75,
            _ => 0.5,
        }
    }
}

/// One searchable document before weighting.
struct Doc {
    id: u32,
    url: String,
    title: String,
    section: String,
    audience: String,
    kind: u8,
    text: String,
    /// (field, boost, stemmed terms including synonym-group tokens).
    fields: Vec<(Field, f64, Vec<String>)>,
}

/// A phrase (synonym member or crisis term) as `[surface, stem]` words.
type Phrase = Vec<[String; 2]>;

pub struct Index {
    /// File path (under `search/`) → the data passed to `__handbookSearch`.
    pub files: Vec<(String, Value)>,
}

struct Builder<'a> {
    stems: Stems,
    /// Synonym groups as stem sequences.
    groups: Vec<Vec<Vec<String>>>,
    /// Surface form → stem, for every word indexed.
    forms: &'a mut BTreeMap<String, String>,
    /// Stems already worked out (a word is stemmed once).
    cache: HashMap<String, String>,
}

impl Builder<'_> {
    /// The terms of one field: stems of every word but stop words, plus a
    /// `~N` token for each time a member of synonym group N occurs.
    fn terms(&mut self, text: &str) -> Vec<String> {
        let tokens = tokenise(text);
        let mut out = Vec::new();
        let mut seq = Vec::new();
        let mut joined = Vec::new();
        for t in &tokens {
            let stem = match self.cache.get(&t.word) {
                Some(stem) => stem.clone(),
                None => {
                    let stem = self.stems.stem(&t.word);
                    self.cache.insert(t.word.clone(), stem.clone());
                    stem
                }
            };
            if !is_stop_word(&t.word) {
                self.forms.insert(t.word.clone(), stem.clone());
                out.push(stem.clone());
            }
            if t.joined {
                joined.push(stem);
            } else {
                seq.push(stem);
            }
        }
        for (g, members) in self.groups.iter().enumerate() {
            let mut count = 0;
            for member in members {
                if member.is_empty() {
                    continue;
                }
                count += seq.windows(member.len()).filter(|w| w == member).count();
                if member.len() == 1 {
                    count += joined.iter().filter(|j| **j == member[0]).count();
                }
            }
            for _ in 0..count {
                out.push(format!("~{g}"));
            }
        }
        out
    }
}

/// Synonym groups from the config and the defaults, merged where they share
/// a member, as lists of member phrases.
pub fn synonym_groups(handbook: &Handbook) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let stems = Stems::default();
    let key = |m: &str| -> String {
        tokenise(m)
            .iter()
            .filter(|t| !t.joined)
            .map(|t| stems.stem(&t.word))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let all = handbook.config.synonyms.iter().cloned().chain(
        DEFAULT_SYNONYMS
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect()),
    );
    for group in all {
        let keys: Vec<String> = group.iter().map(|m| key(m)).collect();
        let mut merged: Vec<String> = group
            .into_iter()
            .zip(&keys)
            .filter(|(_, k)| !k.is_empty())
            .map(|(m, _)| m)
            .collect();
        let mut i = 0;
        while i < groups.len() {
            if groups[i].iter().any(|m| keys.contains(&key(m))) {
                let other = groups.remove(i);
                merged.extend(other);
            } else {
                i += 1;
            }
        }
        let mut seen = Vec::new();
        merged.retain(|m| {
            let k = key(m);
            !seen.contains(&k) && {
                seen.push(k);
                true
            }
        });
        if merged.len() > 1 {
            groups.push(merged);
        }
    }
    groups
}

fn phrase(stems: &Stems, text: &str) -> Phrase {
    tokenise(text)
        .into_iter()
        .filter(|t| !t.joined)
        .map(|t| {
            let stem = stems.stem(&t.word);
            [t.word, stem]
        })
        .collect()
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
    if text.chars().count() <= SNIPPET_TEXT {
        return text.to_string();
    }
    let cut: String = text.chars().take(SNIPPET_TEXT).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut} …")
}

fn page_docs(b: &mut Builder, page: &Page, index: usize, rendered: &Rendered) -> Vec<Doc> {
    let base = index as u32 * SECTIONS_PER_PAGE;
    let audience = audience_label(&page.audience);
    let audience_text = audience_words(&page.audience);
    let tags = page.tags.join(" ");
    let mut blocks: Vec<(Option<usize>, String)> = Vec::new();
    if rendered
        .blocks
        .first()
        .is_none_or(|bl| bl.heading.is_some())
    {
        blocks.push((None, String::new()));
    }
    for block in &rendered.blocks {
        if blocks.len() as u32 >= SECTIONS_PER_PAGE {
            let last = blocks.last_mut().expect("not empty");
            last.1.push(' ');
            last.1.push_str(&block.text);
        } else {
            blocks.push((block.heading, block.text.clone()));
        }
    }
    let mut docs = Vec::with_capacity(blocks.len());
    for (i, (heading, text)) in blocks.into_iter().enumerate() {
        let mut fields = Vec::new();
        let section;
        let mut shown = text.clone();
        match heading.and_then(|h| rendered.headings.get(h)) {
            None => {
                section = String::new();
                let mut body = text.clone();
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
                fields.push((Field::Title, 8.0, b.terms(&page.title)));
                fields.push((
                    Field::Summary,
                    3.0,
                    b.terms(page.summary.as_deref().unwrap_or("")),
                ));
                fields.push((Field::Tags, 3.0, b.terms(&tags)));
                fields.push((Field::Heading, 1.0, b.terms(&headings.join(" "))));
                fields.push((Field::Body, 1.0, b.terms(&body)));
                if let Some(summary) = &page.summary {
                    shown = format!("{summary} {text}");
                }
            }
            Some(h) => {
                section = h.text.clone();
                fields.push((Field::Title, 2.0, b.terms(&page.title)));
                fields.push((Field::Heading, 5.0, b.terms(&h.text)));
                fields.push((Field::Tags, 1.0, b.terms(&tags)));
                fields.push((Field::Body, 1.0, b.terms(&text)));
            }
        }
        fields.push((Field::Audience, 0.5, b.terms(&audience_text)));
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
            text: cap(shown.trim()),
            fields,
        });
    }
    docs
}

fn service_doc(b: &mut Builder, service: &Service, page_index: usize) -> Doc {
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

/// Postings of one term as `[doc, weight, doc-delta, weight, …]`.
pub type Postings = Vec<u32>;

fn weigh(docs: &[Doc]) -> HashMap<String, Postings> {
    let n = docs.len().max(1) as f64;
    let mut total_len = [0f64; FIELD_COUNT];
    for doc in docs {
        for (field, _, terms) in &doc.fields {
            total_len[*field as usize] += terms.len() as f64;
        }
    }
    let avg: Vec<f64> = total_len.iter().map(|t| (t / n).max(1.0)).collect();
    // term → doc → weighted term frequency
    let mut tfs: HashMap<&str, Vec<(u32, f64)>> = HashMap::new();
    for doc in docs {
        let mut per: HashMap<&str, f64> = HashMap::new();
        for (field, boost, terms) in &doc.fields {
            let f = *field as usize;
            let norm = 1.0 - field.b() + field.b() * terms.len() as f64 / avg[f];
            for term in terms {
                *per.entry(term.as_str()).or_default() += boost / norm;
            }
        }
        for (term, tf) in per {
            tfs.entry(term).or_default().push((doc.id, tf));
        }
    }
    tfs.into_iter()
        .map(|(term, mut list)| {
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let mut weighted: Vec<(u32, u32)> = list
                .drain(..)
                .map(|(doc, tf)| {
                    let w = idf * tf * (K1 + 1.0) / (tf + K1);
                    (doc, ((w * 100.0).round() as u32).max(1))
                })
                .collect();
            if weighted.len() > MAX_POSTINGS {
                weighted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                weighted.truncate(MAX_POSTINGS);
            }
            weighted.sort_by_key(|p| p.0);
            let mut out = Vec::with_capacity(weighted.len() * 2);
            let mut last = 0;
            for (doc, w) in weighted {
                out.push(doc - last);
                out.push(w);
                last = doc;
            }
            (term.to_string(), out)
        })
        .collect()
}

pub fn build(handbook: &Handbook, rendered: &[Rendered]) -> Index {
    let stems = Stems::default();
    let group_texts = synonym_groups(handbook);
    let groups: Vec<Vec<Vec<String>>> = group_texts
        .iter()
        .map(|g| {
            g.iter()
                .map(|m| phrase(&stems, m).into_iter().map(|[_, s]| s).collect())
                .collect()
        })
        .collect();
    let mut forms = BTreeMap::new();
    let mut builder = Builder {
        stems,
        groups,
        forms: &mut forms,
        cache: HashMap::new(),
    };
    let mut docs = Vec::new();
    for (i, page) in handbook.pages.iter().enumerate() {
        docs.extend(page_docs(&mut builder, page, i, &rendered[i]));
    }
    for (s, service) in handbook.services.iter().enumerate() {
        docs.push(service_doc(&mut builder, service, handbook.pages.len() + s));
    }
    let postings = weigh(&docs);
    let stems = Stems::default();
    // Every form, every stem as a form of itself, and the group tokens.
    let mut items: Vec<(String, String)> = forms.into_iter().collect();
    let mut stem_list: Vec<&String> = postings.keys().collect();
    stem_list.sort();
    items.extend(stem_list.into_iter().map(|s| (s.clone(), s.clone())));
    items.sort();
    items.dedup();

    let fold: BTreeMap<String, &str> = FOLD.iter().map(|(c, s)| (c.to_string(), *s)).collect();
    let groups_out: Vec<Vec<Phrase>> = group_texts
        .iter()
        .map(|g| g.iter().map(|m| phrase(&stems, m)).collect())
        .collect();
    let crisis: Vec<Phrase> = handbook
        .config
        .crisis_terms
        .iter()
        .map(|t| phrase(&stems, t))
        .filter(|p| !p.is_empty())
        .collect();
    let doc_values: BTreeMap<u32, Value> = docs
        .iter()
        .map(|d| {
            (
                d.id,
                json!([d.url, d.title, d.section, d.audience, d.text, d.kind]),
            )
        })
        .collect();
    let mut meta = json!({
        "v": 1,
        "fold": fold,
        "stop": STOP_WORDS,
        "groups": groups_out,
        "crisis": crisis,
        "urgent": super::urgent::card(handbook),
        "sectionsPerPage": SECTIONS_PER_PAGE,
        "docsPerChunk": DOCS_PER_CHUNK,
        "docs": docs.len(),
    });

    let single = json!({ "": shard_value(&items, &postings) });
    let all_docs = serde_json::to_value(&doc_values).expect("plain data");
    let single_size =
        single.to_string().len() + all_docs.to_string().len() + meta.to_string().len();
    let mut files = Vec::new();
    if single_size <= SINGLE_FILE_LIMIT {
        meta["shards"] = json!([""]);
        meta["inline"] = json!({ "shards": single, "docs": all_docs });
        files.push(("index".to_string(), meta));
        return Index { files };
    }
    let mut by_key: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in items {
        by_key.entry(key_of(&item.0, 1)).or_default().push(item);
    }
    let mut shards = Vec::new();
    let sizes = posting_sizes(&postings);
    for (key, group) in by_key {
        split(key, group, &sizes, &mut shards);
    }
    meta["shards"] = json!(shards.iter().map(|(k, _)| k).collect::<Vec<_>>());
    files.push(("index".to_string(), meta));
    for (key, group) in &shards {
        files.push((shard_file(key), shard_value(group, &postings)));
    }
    let mut chunks: BTreeMap<u32, serde_json::Map<String, Value>> = BTreeMap::new();
    for (id, value) in doc_values {
        chunks
            .entry(id / DOCS_PER_CHUNK)
            .or_default()
            .insert(id.to_string(), value);
    }
    for (chunk, map) in chunks {
        files.push((format!("d/{chunk}"), Value::Object(map)));
    }
    Index { files }
}
