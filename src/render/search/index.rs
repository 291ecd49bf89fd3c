//! The search index: BM25F weights for every term of the documents,
//! computed here at build time, synonym groups indexed as tokens of their
//! own, and the files the browser loads (one, or the entry file, term shards
//! and document files). The README describes the design (Search, "How it
//! is built").

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use super::documents::{Doc, Record, Terms, page_docs, service_doc};
use super::json::Json;
use super::shards::{key_of, posting_sizes, shard_file, split, write_shard};
use super::tokenise::{FOLD, STOP_WORDS, Stems, tokenise};
pub use super::weights::Postings;
use super::weights::{Weighed, weigh};
use crate::model::{Handbook, Page, Service};
use crate::render::Rendered;

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

/// A phrase (synonym member or crisis term) as `[surface, stem]` words.
type Phrase = Vec<[String; 2]>;

pub struct Index {
    /// File path (under `search/`) → the data passed to `__handbookSearch`,
    /// as JSON text that is safe inside a script.
    pub files: Vec<(String, String)>,
}

/// Synonym groups from the config and the defaults, merged where they share
/// a member, as lists of member phrases.
pub fn synonym_groups(handbook: &Handbook) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let stems = Stems::default();
    // Each member's key is worked out once (merging compares them often).
    let keys_of = std::cell::RefCell::new(FxHashMap::<String, String>::default());
    let key = |m: &str| -> String {
        if let Some(k) = keys_of.borrow().get(m) {
            return k.clone();
        }
        let k = tokenise(m)
            .iter()
            .filter(|t| !t.joined)
            .map(|t| stems.stem(&t.word))
            .collect::<Vec<_>>()
            .join(" ");
        keys_of.borrow_mut().insert(m.to_string(), k.clone());
        k
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

pub fn build(handbook: &Handbook, rendered: &[Rendered]) -> Index {
    build_with(handbook, rendered, None)
}

/// What a rebuild takes from the last build: each page's documents, by
/// everything they are made from, and the document files made of them.
/// Term ids stay the same from build to build, so kept documents stay valid.
#[derive(Default)]
pub struct Memo(Mutex<Option<Kept>>);

struct Kept {
    groups: Vec<Vec<Vec<String>>>,
    terms: Arc<Terms>,
    records: FxHashMap<u64, Arc<Record>>,
    /// Document files by chunk and the serials of the records in them.
    chunks: FxHashMap<ChunkKey, Arc<Vec<u8>>>,
    shards: Shards,
    /// The weights, to weigh again from after an edit.
    weighed: Option<Weighed>,
}

/// Term shards by key, with the words (form and stem) they hold.
type Shards = FxHashMap<String, (Vec<(String, String)>, Arc<Vec<u8>>)>;

/// A document file's number and the serials of the records in it.
type ChunkKey = (u32, Vec<u64>);

impl Memo {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything (after a change to anything but pages).
    pub fn clear(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// An index file as it is handed on: its JSON text (safe inside a script),
/// or, when a memo keeps it, the finished script file, shared with the memo.
pub enum File<'a> {
    Json(&'a str),
    Script(Arc<Vec<u8>>),
}

/// `build`, reusing what `memo` kept from the last build and keeping what
/// this one makes. The index is the same as `build`'s.
pub fn build_with(handbook: &Handbook, rendered: &[Rendered], memo: Option<&Memo>) -> Index {
    let files = Mutex::new(Vec::new());
    build_into(handbook, rendered, memo, &|name, file| {
        let json = match file {
            File::Json(json) => json.to_string(),
            File::Script(script) => json_of(&name, &script),
        };
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name, json))
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Index { files }
}

/// The JSON text of a finished script file.
pub(super) fn json_of(name: &str, script: &[u8]) -> String {
    let empty = super::script(name, "");
    let (start, end) = empty.split_at(empty.len() - ");\n".len());
    let text = std::str::from_utf8(script).expect("index files are text");
    text.strip_prefix(start)
        .and_then(|t| t.strip_suffix(end))
        .expect("a script file of the index")
        .to_string()
}

/// `build_with`, handing each file to `emit(name, file)` as soon as it is
/// made (from any thread) instead of holding them all.
pub fn build_into(
    handbook: &Handbook,
    rendered: &[Rendered],
    memo: Option<&Memo>,
    emit: &(dyn Fn(String, File) + Sync),
) {
    // A file the memo keeps is finished here, so that it can be shared.
    let hand_on = |name: String, json: &str| -> Option<Arc<Vec<u8>>> {
        if memo.is_none() {
            emit(name, File::Json(json));
            return None;
        }
        let file = Arc::new(super::script(&name, json).into_bytes());
        emit(name, File::Script(Arc::clone(&file)));
        Some(file)
    };
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
    let mut guard = memo.map(|m| m.0.lock().unwrap_or_else(|e| e.into_inner()));
    let kept = match guard.as_deref_mut().and_then(Option::take) {
        Some(kept) if kept.groups == groups => Some(kept),
        _ => None,
    };
    let (terms, old_records, old_chunks, old_shards, mut weighed) = match kept {
        Some(k) => (k.terms, k.records, k.chunks, k.shards, k.weighed),
        None => (
            Arc::new(Terms::new(groups.clone())),
            FxHashMap::default(),
            FxHashMap::default(),
            FxHashMap::default(),
            None,
        ),
    };
    // Each page's and service's documents are made on any thread; the terms
    // are shared.
    let (keys, pages) = records_of(
        &handbook.pages,
        memo.is_some(),
        &old_records,
        |i, page| page_key(page, &rendered[i]),
        |i, page| terms.record(|b| page_docs(b, page, 0, &rendered[i])),
    );
    let (service_keys, services) = records_of(
        &handbook.services,
        memo.is_some(),
        &old_records,
        |_, service| service_key(service),
        |_, service| terms.record(|b| vec![service_doc(b, service, 0)]),
    );
    drop(old_records);
    let records: Vec<&Arc<Record>> = pages.iter().chain(&services).collect();
    let docs: Vec<(u32, &Doc)> = records
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.docs
                .iter()
                .map(move |d| (i as u32 * SECTIONS_PER_PAGE + d.id, d))
        })
        .collect();
    let table = terms.table();
    let names = &table.names;
    // A build weighs everything; `serve` weighs again from its last build.
    let all_weighed;
    let postings = if memo.is_some() {
        let again = weighed
            .as_mut()
            .is_some_and(|w| w.update(&records, &docs, names));
        if !again {
            weighed = Some(Weighed::new(&records, &docs, names));
        }
        &weighed.as_ref().expect("weighed just now").postings
    } else {
        all_weighed = weigh(&docs, names);
        &all_weighed
    };
    // Every form of the words in these documents, every stem as a form of
    // itself, and the group tokens.
    let mut used = vec![false; table.forms.len()];
    let mut items: Vec<(String, String)> = Vec::new();
    for record in &records {
        for &w in &record.words {
            if !std::mem::replace(&mut used[w as usize], true) {
                let (form, stem) = &table.forms[w as usize];
                items.push((form.clone(), names[*stem as usize].clone()));
            }
        }
    }
    items.extend(postings.keys().map(|s| (s.clone(), s.clone())));
    items.par_sort_unstable();
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
    // The entry file's fields (written in key order, as JSON objects are).
    let mut meta: Vec<(&str, Json)> = vec![
        ("v", part(&1)),
        ("fold", part(&fold)),
        ("stop", part(&STOP_WORDS)),
        ("groups", part(&groups_out)),
        ("crisis", part(&crisis)),
        ("urgent", part(&super::urgent::card(handbook))),
        ("sectionsPerPage", part(&SECTIONS_PER_PAGE)),
        ("docsPerChunk", part(&DOCS_PER_CHUNK)),
        ("docs", part(&docs.len())),
    ];

    // The documents and the entry file alone may already be over the limit;
    // then the one-file index is not built at all.
    let meta_size = object(&mut meta).plain_len();
    let room = SINGLE_FILE_LIMIT.saturating_sub(meta_size);
    let one_file = match docs_size_within(&docs, room) {
        Some(docs_size) => {
            let mut single = Json::default();
            single.raw("{\"\":");
            write_shard(&mut single, &items, postings);
            single.raw("}");
            if single.plain_len() + docs_size + meta_size <= SINGLE_FILE_LIMIT {
                let mut all = docs.clone();
                all.sort_by_cached_key(|d| d.0.to_string());
                let mut inline = Json::default();
                inline.raw("{\"docs\":");
                write_docs(&mut inline, &all);
                inline.raw(",\"shards\":");
                inline.raw(&single.out);
                inline.raw("}");
                meta.push(("shards", part(&[""])));
                meta.push(("inline", inline));
                hand_on("index".to_string(), &object(&mut meta).out);
                true
            } else {
                false
            }
        }
        None => false,
    };
    // Otherwise: the entry file, term shards and document files.
    let (chunks, shards) = if one_file {
        (FxHashMap::default(), FxHashMap::default())
    } else {
        let mut by_key: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for item in items {
            by_key.entry(key_of(&item.0, 1)).or_default().push(item);
        }
        let mut shards = Vec::new();
        let all_sizes;
        let sizes = match &weighed {
            Some(weighed) => &weighed.sizes,
            None => {
                all_sizes = posting_sizes(postings);
                &all_sizes
            }
        };
        for (key, group) in by_key {
            split(key, group, sizes, &mut shards);
        }
        meta.push((
            "shards",
            part(&shards.iter().map(|(k, _)| k).collect::<Vec<_>>()),
        ));
        hand_on("index".to_string(), &object(&mut meta).out);
        // A shard of the same words as last time, none of whose postings
        // changed, is taken as it was.
        let rewritten = weighed.as_ref().and_then(|w| w.rewritten.as_ref());
        let shards: Shards = shards
            .into_par_iter()
            .filter_map(|(key, group)| {
                if let (Some(rewritten), Some((words, file))) = (rewritten, old_shards.get(&key))
                    && *words == group
                    && !group.iter().any(|(_, stem)| rewritten.contains(stem))
                {
                    emit(shard_file(&key), File::Script(Arc::clone(file)));
                    return Some((key, (group, Arc::clone(file))));
                }
                let mut json = Json::default();
                write_shard(&mut json, &group, postings);
                let file = hand_on(shard_file(&key), &json.out)?;
                Some((key, (group, file)))
            })
            .collect();
        drop(old_shards);
        // A chunk holds the documents of two records (pages or services); one
        // made of the same records as last time is taken as it was.
        let per_chunk = (DOCS_PER_CHUNK / SECTIONS_PER_PAGE) as usize;
        let chunks: Vec<(ChunkKey, Arc<Vec<u8>>)> = records
            .par_chunks(per_chunk)
            .enumerate()
            .filter_map(|(c, group)| {
                let key = (c as u32, group.iter().map(|r| r.serial).collect::<Vec<_>>());
                let name = format!("d/{c}");
                if let Some(file) = old_chunks.get(&key) {
                    emit(name, File::Script(Arc::clone(file)));
                    return Some((key, Arc::clone(file)));
                }
                let mut sorted: Vec<(u32, &Doc)> = group
                    .iter()
                    .enumerate()
                    .flat_map(|(k, r)| {
                        let base = (c * per_chunk + k) as u32 * SECTIONS_PER_PAGE;
                        r.docs.iter().map(move |d| (base + d.id, d))
                    })
                    .collect();
                sorted.sort_by_cached_key(|d| d.0.to_string());
                let mut json = Json::default();
                write_docs(&mut json, &sorted);
                // Only a memo keeps the files once they are handed on.
                Some((key, hand_on(name, &json.out)?))
            })
            .collect();
        (chunks.into_iter().collect(), shards)
    };
    drop(table);
    keep(
        guard,
        Kept {
            groups,
            terms,
            records: records_by_key(keys, pages, service_keys, services),
            chunks,
            shards,
            weighed,
        },
    );
}

/// Hands what this build made to the memo, if there is one.
fn keep(guard: Option<MutexGuard<'_, Option<Kept>>>, kept: Kept) {
    if let Some(mut guard) = guard {
        *guard = Some(kept);
    }
}

/// Each item's record, made by `make` on all cores, and, when `keyed` (a
/// memo keeps them), the key of what each is made from: an item whose key
/// `old` holds takes that record as it was.
fn records_of<T: Sync>(
    items: &[T],
    keyed: bool,
    old: &FxHashMap<u64, Arc<Record>>,
    key: impl Fn(usize, &T) -> u64 + Sync,
    make: impl Fn(usize, &T) -> Record + Sync,
) -> (Vec<u64>, Vec<Arc<Record>>) {
    if !keyed {
        let made = items
            .par_iter()
            .enumerate()
            .map(|(i, item)| Arc::new(make(i, item)))
            .collect();
        return (Vec::new(), made);
    }
    items
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            let k = key(i, item);
            let record = old
                .get(&k)
                .cloned()
                .unwrap_or_else(|| Arc::new(make(i, item)));
            (k, record)
        })
        .unzip()
}

/// The records of pages and services by the key of what they are made from
/// (empty without a memo, which alone makes keys).
fn records_by_key(
    keys: Vec<u64>,
    pages: Vec<Arc<Record>>,
    service_keys: Vec<u64>,
    services: Vec<Arc<Record>>,
) -> FxHashMap<u64, Arc<Record>> {
    keys.into_iter()
        .zip(pages)
        .chain(service_keys.into_iter().zip(services))
        .collect()
}

/// Everything a service's document is made from: the service as JSON.
fn service_key(service: &Service) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    "service".hash(&mut h);
    serde_json::to_vec(service)
        .expect("a service serialises")
        .hash(&mut h);
    h.finish()
}

/// Everything a page's documents are made from.
fn page_key(page: &Page, rendered: &Rendered) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    (
        &page.url,
        &page.title,
        &page.summary,
        &page.audience,
        &page.tags,
    )
        .hash(&mut h);
    for step in page.steps.iter().flatten() {
        (&step.title, &step.who, &step.when, &step.action).hash(&mut h);
    }
    page.steps.is_some().hash(&mut h);
    // The headings and text, by the rendering they came from.
    rendered.serial.hash(&mut h);
    h.finish()
}

/// A small value as JSON.
fn part(value: &impl serde::Serialize) -> Json {
    let mut json = Json::default();
    json.value(value);
    json
}

/// An object of `fields`, in key order.
fn object(fields: &mut [(&str, Json)]) -> Json {
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut json = Json::default();
    json.raw("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            json.raw(",");
        }
        json.str(key);
        json.raw(":");
        json.raw(&value.out);
        json.escaped += value.escaped;
    }
    json.raw("}");
    json
}

fn write_doc(json: &mut Json, doc: &Doc) {
    json.raw("[");
    for text in [&doc.url, &doc.title, &doc.section, &doc.audience, &doc.text] {
        json.str(text);
        json.raw(",");
    }
    json.num(doc.kind.into());
    json.raw("]");
}

/// Documents as an object by id; `docs` are in the order of their ids as text.
fn write_docs(json: &mut Json, docs: &[(u32, &Doc)]) {
    json.raw("{");
    for (i, &(id, doc)) in docs.iter().enumerate() {
        if i > 0 {
            json.raw(",");
        }
        write_entry(json, id, doc);
    }
    json.raw("}");
}

/// One document as an entry of the object of documents: `"id":[…]`.
fn write_entry(json: &mut Json, id: u32, doc: &Doc) {
    json.raw("\"");
    json.num(id.into());
    json.raw("\":");
    write_doc(json, doc);
}

/// The written size of the object of all documents, if it is at most `room`
/// (a large index stops counting early).
fn docs_size_within(docs: &[(u32, &Doc)], room: usize) -> Option<usize> {
    let mut size = 2 + docs.len().saturating_sub(1);
    let mut json = Json::default();
    for &(id, doc) in docs {
        json.out.clear();
        json.escaped = 0;
        write_entry(&mut json, id, doc);
        size += json.plain_len();
        if size > room {
            return None;
        }
    }
    Some(size)
}
