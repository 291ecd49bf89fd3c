//! The search index: BM25F weights for every term of the documents,
//! computed here at build time, synonym groups indexed as tokens of their
//! own, and the files the browser loads (one, or the entry file, term shards
//! and document files). See docs/search.md.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use rayon::prelude::*;

use super::documents::{Doc, FIELD_COUNT, Table, Terms, page_docs, service_doc};
use super::json::Json;
use super::shards::{key_of, posting_sizes, shard_file, split, write_shard};
use super::tokenise::{FOLD, STOP_WORDS, Stems, tokenise};
use crate::model::Handbook;
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

/// Postings of one term as `[doc, weight, doc-delta, weight, …]`.
pub type Postings = Vec<u32>;

fn weigh(docs: &[Doc], names: &[String]) -> FxHashMap<String, Postings> {
    let n = docs.len().max(1) as f64;
    let mut total_len = [0f64; FIELD_COUNT];
    for doc in docs {
        for (field, _, terms) in &doc.fields {
            total_len[*field as usize] += terms.len() as f64;
        }
    }
    let avg: Vec<f64> = total_len.iter().map(|t| (t / n).max(1.0)).collect();
    // term id → doc → weighted term frequency
    let mut tfs: Vec<Vec<(u32, f64)>> = vec![Vec::new(); names.len()];
    // This document's weighted frequency of each term, and the terms it has
    // in the order first seen.
    let mut per = vec![0f64; names.len()];
    let mut seen = vec![false; names.len()];
    let mut touched: Vec<u32> = Vec::new();
    for doc in docs {
        for (field, boost, terms) in &doc.fields {
            let f = *field as usize;
            let norm = 1.0 - field.b() + field.b() * terms.len() as f64 / avg[f];
            for &term in terms {
                let t = term as usize;
                if !seen[t] {
                    seen[t] = true;
                    touched.push(term);
                }
                per[t] += boost / norm;
            }
        }
        for term in touched.drain(..) {
            let t = term as usize;
            tfs[t].push((doc.id, per[t]));
            per[t] = 0.0;
            seen[t] = false;
        }
    }
    tfs.into_par_iter()
        .enumerate()
        .filter(|(_, list)| !list.is_empty())
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
                // The best by weight (ties to the earlier document), found
                // without sorting them all.
                weighted.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| {
                    b.1.cmp(&a.1).then(a.0.cmp(&b.0))
                });
                weighted.truncate(MAX_POSTINGS);
            }
            // Documents were visited in order: only a cut list needs sorting.
            if !weighted.is_sorted_by_key(|p| p.0) {
                weighted.sort_by_key(|p| p.0);
            }
            let mut out = Vec::with_capacity(weighted.len() * 2);
            let mut last = 0;
            for (doc, w) in weighted {
                out.push(doc - last);
                out.push(w);
                last = doc;
            }
            (names[term].clone(), out)
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
    // Each page's documents are made on any thread; the terms are shared.
    let terms = Terms::new(groups);
    let pages: Vec<Vec<Doc>> = handbook
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| terms.with(|b| page_docs(b, page, i, &rendered[i])))
        .collect();
    let services: Vec<Doc> = handbook
        .services
        .par_iter()
        .enumerate()
        .map(|(s, service)| terms.with(|b| service_doc(b, service, handbook.pages.len() + s)))
        .collect();
    let docs: Vec<Doc> = pages.into_iter().flatten().chain(services).collect();
    let Table { names, forms, .. } = terms.into_table();
    let postings = weigh(&docs, &names);
    // Every form, every stem as a form of itself, and the group tokens.
    let mut items: Vec<(String, String)> = forms
        .into_iter()
        .map(|(form, id)| (form, names[id as usize].clone()))
        .chain(postings.keys().map(|s| (s.clone(), s.clone())))
        .collect();
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
    let mut files = Vec::new();
    if let Some(docs_size) = docs_size_within(&docs, room) {
        let mut single = Json::default();
        single.raw("{\"\":");
        write_shard(&mut single, &items, &postings);
        single.raw("}");
        if single.plain_len() + docs_size + meta_size <= SINGLE_FILE_LIMIT {
            let mut all: Vec<&Doc> = docs.iter().collect();
            all.sort_by_cached_key(|d| d.id.to_string());
            let mut inline = Json::default();
            inline.raw("{\"docs\":");
            write_docs(&mut inline, &all);
            inline.raw(",\"shards\":");
            inline.raw(&single.out);
            inline.raw("}");
            meta.push(("shards", part(&[""])));
            meta.push(("inline", inline));
            files.push(("index".to_string(), object(&mut meta).out));
            return Index { files };
        }
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
    meta.push((
        "shards",
        part(&shards.iter().map(|(k, _)| k).collect::<Vec<_>>()),
    ));
    files.push(("index".to_string(), object(&mut meta).out));
    files.par_extend(shards.par_iter().map(|(key, group)| {
        let mut json = Json::default();
        write_shard(&mut json, group, &postings);
        (shard_file(key), json.out)
    }));
    // Documents are in id order: each chunk is a run of them.
    let chunks: Vec<&[Doc]> = docs
        .chunk_by(|a, b| a.id / DOCS_PER_CHUNK == b.id / DOCS_PER_CHUNK)
        .collect();
    files.par_extend(chunks.into_par_iter().map(|chunk| {
        let mut sorted: Vec<&Doc> = chunk.iter().collect();
        sorted.sort_by_cached_key(|d| d.id.to_string());
        let mut json = Json::default();
        write_docs(&mut json, &sorted);
        (format!("d/{}", chunk[0].id / DOCS_PER_CHUNK), json.out)
    }));
    Index { files }
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
fn write_docs(json: &mut Json, docs: &[&Doc]) {
    json.raw("{");
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            json.raw(",");
        }
        json.raw("\"");
        json.num(doc.id.into());
        json.raw("\":");
        write_doc(json, doc);
    }
    json.raw("}");
}

/// The written size of the object of all documents, if it is at most `room`
/// (a large index stops counting early).
fn docs_size_within(docs: &[Doc], room: usize) -> Option<usize> {
    let mut size = 2 + docs.len().saturating_sub(1);
    let mut json = Json::default();
    for doc in docs {
        json.out.clear();
        json.escaped = 0;
        json.raw("\"");
        json.num(doc.id.into());
        json.raw("\":");
        write_doc(&mut json, doc);
        size += json.plain_len();
        if size > room {
            return None;
        }
    }
    Some(size)
}
