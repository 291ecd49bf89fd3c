//! The postings' BM25F weights: weighed all at once by a build, and again
//! after an edit by `serve` from what its last build kept ([`Weighed`]).
//!
//! Every weight depends on the whole handbook (each field's average length,
//! each term's document frequency), so an edit to one page changes, in
//! principle, every weight. In practice the averages move by a few millionths
//! and almost every weight, rounded to hundredths, stays as it was.
//! [`Weighed`] keeps each posting's term frequency as found with the averages
//! of its last full weighing; the drift of the averages since then bounds how
//! far any weight can have moved, so only the few weights that lie that close
//! to a rounding boundary are worked out again. The result is the same, to the
//! bit, as weighing everything again.

use std::cmp::Ordering;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::documents::{Doc, FIELD_COUNT, Record};
use super::index::MAX_POSTINGS;
use super::shards::{posting_size, posting_sizes};

/// Postings of one term as `[doc, weight, doc-delta, weight, …]`.
pub type Postings = Vec<u32>;

const K1: f64 = 1.2;

/// How far (relatively) the averages may drift from those of the last full
/// weighing before `serve` weighs everything again. Each edit of a sentence
/// to a 1,000-page handbook moves them by about 0.00002.
const MAX_DRIFT: f64 = 2e-4;

/// Allowance for the rounding of floating-point arithmetic, relative (far
/// above the few units in the last place the weighing's steps can differ by).
const SLACK: f64 = 1e-9;

/// `x.round() as u32` for an `x` of 0 or more, without the call to libm's
/// `round` (one per posting): the fraction a truncation leaves is exact, so
/// rounding half away from zero is a comparison.
fn round(x: f64) -> u32 {
    // Weights are far below 2^52, where every double has a fraction.
    debug_assert!((0.0..4e9).contains(&x), "{x}");
    let whole = x as u32;
    if x - f64::from(whole) >= 0.5 {
        whole + 1
    } else {
        whole
    }
}

/// `(w * 100.0).round() as u32` for a weight `w` of 0 or more.
fn hundredths(w: f64) -> u32 {
    round(w * 100.0)
}

fn idf(n: f64, df: u32) -> f64 {
    let d = df as f64;
    (1.0 + (n - d + 0.5) / (d + 0.5)).ln()
}

fn weight(idf: f64, tf: f64) -> f64 {
    idf * tf * (K1 + 1.0) / (tf + K1)
}

/// A posting's weight as written: hundredths, and never 0.
fn written(idf: f64, tf: f64) -> u32 {
    hundredths(weight(idf, tf)).max(1)
}

/// Each field's average length over `docs` (at least 1).
fn averages(docs: &[(u32, &Doc)]) -> [f64; FIELD_COUNT] {
    let n = docs.len().max(1) as f64;
    let mut total_len = [0f64; FIELD_COUNT];
    for (_, doc) in docs {
        for (field, _, terms) in &doc.fields {
            total_len[*field as usize] += terms.len() as f64;
        }
    }
    total_len.map(|t| (t / n).max(1.0))
}

/// A field's length normalisation.
fn norm(field: super::documents::Field, len: usize, avg: &[f64; FIELD_COUNT]) -> f64 {
    1.0 - field.b() + field.b() * len as f64 / avg[field as usize]
}

/// Adds each term's weighted frequency in `doc` to `per`, listing in
/// `touched` the terms it sets first (`seen` marks them).
#[inline]
fn frequencies(
    doc: &Doc,
    avg: &[f64; FIELD_COUNT],
    per: &mut [f64],
    seen: &mut [bool],
    touched: &mut Vec<u32>,
) {
    for (field, boost, terms) in &doc.fields {
        let norm = norm(*field, terms.len(), avg);
        for &term in terms {
            let t = term as usize;
            if !seen[t] {
                seen[t] = true;
                touched.push(term);
            }
            per[t] += boost / norm;
        }
    }
}

/// One term's weighted frequency in `doc`, added up in the order
/// [`frequencies`] adds it, so to the same bit.
fn frequency(doc: &Doc, term: u32, avg: &[f64; FIELD_COUNT]) -> f64 {
    let mut tf = 0.0;
    for (field, boost, terms) in &doc.fields {
        let norm = norm(*field, terms.len(), avg);
        for &t in terms {
            if t == term {
                tf += boost / norm;
            }
        }
    }
    tf
}

/// Ranks postings `(doc, weight)`: the heavier first, ties to the earlier document.
fn rank(a: &(u32, u32), b: &(u32, u32)) -> Ordering {
    b.1.cmp(&a.1).then(a.0.cmp(&b.0))
}

/// A term's postings `(doc, weight)` in document order, written: only the
/// best [`MAX_POSTINGS`] of a longer list, by one selection in a copy. Also
/// gives the last posting kept of a list that was cut.
fn encode(
    pairs: impl Iterator<Item = (u32, u32)> + Clone,
    len: usize,
) -> (Postings, Option<(u32, u32)>) {
    let last = (len > MAX_POSTINGS).then(|| {
        let mut ranked: Vec<(u32, u32)> = pairs.clone().collect();
        *ranked.select_nth_unstable_by(MAX_POSTINGS - 1, rank).1
    });
    let mut out = Vec::with_capacity(len.min(MAX_POSTINGS) * 2);
    let mut previous = 0;
    for p in pairs {
        if last.is_some_and(|last| rank(&p, &last).is_gt()) {
            continue;
        }
        debug_assert!(p.0 >= previous, "documents in order");
        out.push(p.0 - previous);
        out.push(p.1);
        previous = p.0;
    }
    (out, last)
}

/// Weighs the postings of every term in `docs` (in document order) and
/// writes them by term. `names` are the terms by id.
pub(super) fn weigh(docs: &[(u32, &Doc)], names: &[String]) -> FxHashMap<String, Postings> {
    let n = docs.len().max(1) as f64;
    let avg = averages(docs);
    // The documents are weighed in a few runs side by side. Each run counts
    // its document frequencies first, so that each posting can be weighed as
    // it is found and stored in a list of the exact size; a term's lists
    // from the runs, joined in order, are in document order.
    let runs: Vec<&[(u32, &Doc)]> = docs
        .chunks(
            docs.len()
                .div_ceil(rayon::current_num_threads().max(1))
                .max(1),
        )
        .collect();
    let counts: Vec<Vec<u32>> = runs
        .par_iter()
        .map(|run| counted(run, names.len()))
        .collect();
    let idf: Vec<f64> = (0..names.len())
        .map(|t| idf(n, counts.iter().map(|df| df[t]).sum::<u32>()))
        .collect();
    // Per run: term id → (doc, weight)
    let by_run: Vec<Vec<Vec<(u32, u32)>>> = runs
        .par_iter()
        .zip(&counts)
        .map(|(run, df)| {
            let mut lists: Vec<Vec<(u32, u32)>> =
                df.iter().map(|&d| Vec::with_capacity(d as usize)).collect();
            // This document's weighted frequency of each term, and the terms
            // it has in the order first seen.
            let mut per = vec![0f64; names.len()];
            let mut seen = vec![false; names.len()];
            let mut touched: Vec<u32> = Vec::new();
            for &(id, doc) in run.iter() {
                frequencies(doc, &avg, &mut per, &mut seen, &mut touched);
                for term in touched.drain(..) {
                    let t = term as usize;
                    lists[t].push((id, written(idf[t], per[t])));
                    per[t] = 0.0;
                    seen[t] = false;
                }
            }
            lists
        })
        .collect();
    // Each term's lists from the runs (moved, not copied), joined one term
    // at a time as it is finished.
    let mut parts: Vec<Vec<Vec<(u32, u32)>>> = (0..names.len())
        .map(|_| Vec::with_capacity(by_run.len()))
        .collect();
    for run in by_run {
        for (t, list) in run.into_iter().enumerate() {
            if !list.is_empty() {
                parts[t].push(list);
            }
        }
    }
    parts
        .into_par_iter()
        .enumerate()
        .filter(|(_, lists)| !lists.is_empty())
        .map(|(term, lists)| {
            let len = lists.iter().map(Vec::len).sum();
            let pairs = lists.iter().flatten().copied();
            (names[term].clone(), encode(pairs, len).0)
        })
        .collect()
}

/// Each term's document frequency in `docs`.
fn counted(docs: &[(u32, &Doc)], terms: usize) -> Vec<u32> {
    let mut df = vec![0u32; terms];
    let mut seen = vec![false; terms];
    let mut touched: Vec<u32> = Vec::new();
    for (_, doc) in docs {
        distinct(doc, &mut seen, &mut touched);
        for term in touched.drain(..) {
            df[term as usize] += 1;
            seen[term as usize] = false;
        }
    }
    df
}

/// Lists in `touched` each term of `doc` once (`seen` marks them).
fn distinct(doc: &Doc, seen: &mut [bool], touched: &mut Vec<u32>) {
    for (_, _, terms) in &doc.fields {
        for &term in terms {
            if !std::mem::replace(&mut seen[term as usize], true) {
                touched.push(term);
            }
        }
    }
}

/// One posting as kept between weighings.
#[derive(Clone, Copy)]
struct Posting {
    doc: u32,
    weight: u32,
    /// The weighted term frequency found with the averages of the last full
    /// weighing (unused in documents weighed exactly since).
    tf: f64,
}

/// A posting whose weight lies near a rounding boundary: within `margin`
/// (relative) of it, so that a drift of the averages by that much may move
/// it across.
struct Near {
    margin: f32,
    term: u32,
    doc: u32,
}

/// What a weighing keeps for the next (in `serve`): every posting with the
/// term frequency it was weighed from, and the written postings by term.
pub(super) struct Weighed {
    /// The records weighed, in order; they give the documents' ids.
    records: Vec<Arc<Record>>,
    ids: Vec<u32>,
    /// The averages of the last full weighing, and the largest relative
    /// drift from them seen by a weighing since.
    base: [f64; FIELD_COUNT],
    drift: f64,
    df: Vec<u32>,
    idf: Vec<f64>,
    /// Each term's idf at the last full weighing (NaN for terms new since).
    base_idf: Vec<f64>,
    /// Terms whose idf has changed since the last full weighing.
    moved: Vec<u32>,
    /// Documents changed since the last full weighing: weighed exactly
    /// every time.
    dirty: FxHashSet<u32>,
    /// Each term's postings, in document order.
    lists: Vec<Vec<Posting>>,
    /// The postings that may round differently after a drift of up to
    /// [`MAX_DRIFT`], nearest the boundary first.
    near: Vec<Near>,
    /// The last posting written of a term whose list was cut.
    last: Vec<Option<(u32, u32)>>,
    /// The written postings by term, as [`weigh`] gives them.
    pub(super) postings: FxHashMap<String, Postings>,
    /// The terms whose written postings the last update changed (added,
    /// rewritten or gone); `None` after weighing everything.
    pub(super) rewritten: Option<FxHashSet<String>>,
    /// The written size of each term's postings (see [`posting_size`]).
    pub(super) sizes: FxHashMap<String, usize>,
    /// How many weights the last weighing worked out again exactly because
    /// the drift put them too near a boundary (for tests).
    pub(super) rechecked: usize,
}

/// How the averages moved from `base` to `avg`: the least and greatest
/// factor any weighted term frequency can have moved by (1 included).
fn factors(base: &[f64; FIELD_COUNT], avg: &[f64; FIELD_COUNT]) -> (f64, f64) {
    let mut low: f64 = 1.0;
    let mut high: f64 = 1.0;
    for (b, a) in base.iter().zip(avg) {
        // A field's norm is 1 - b + b·len/avg: its inverse moves by a factor
        // between 1 and avg/base, and so does the frequency, a sum of
        // them, and the weight, which grows more slowly than it.
        let r = a / b;
        low = low.min(r);
        high = high.max(r);
    }
    (low, high)
}

/// How near `x` (a weight in hundredths) is to a rounding boundary, relative to `x`.
fn margin(x: f64) -> f64 {
    let fraction = x - x.floor();
    (fraction - 0.5).abs() / x.max(f64::MIN_POSITIVE)
}

impl Weighed {
    /// Weighs everything, as [`weigh`] does, keeping what the next
    /// weighing can start from.
    pub(super) fn new(records: &[&Arc<Record>], docs: &[(u32, &Doc)], names: &[String]) -> Self {
        let n = docs.len().max(1) as f64;
        let avg = averages(docs);
        let df = counted(docs, names.len());
        let idf: Vec<f64> = df.iter().map(|&d| idf(n, d)).collect();
        let mut lists: Vec<Vec<Posting>> =
            df.iter().map(|&d| Vec::with_capacity(d as usize)).collect();
        let mut near = Vec::new();
        let mut per = vec![0f64; names.len()];
        let mut seen = vec![false; names.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &(id, doc) in docs {
            frequencies(doc, &avg, &mut per, &mut seen, &mut touched);
            for term in touched.drain(..) {
                let t = term as usize;
                let tf = std::mem::take(&mut per[t]);
                seen[t] = false;
                let w = weight(idf[t], tf);
                let m = margin(w * 100.0);
                if m <= MAX_DRIFT + SLACK {
                    near.push(Near {
                        margin: m as f32,
                        term,
                        doc: id,
                    });
                }
                lists[t].push(Posting {
                    doc: id,
                    weight: hundredths(w).max(1),
                    tf,
                });
            }
        }
        near.sort_unstable_by(|a, b| a.margin.total_cmp(&b.margin));
        let written: Vec<(Postings, Option<(u32, u32)>)> = lists
            .par_iter()
            .map(|list| encode(list.iter().map(|p| (p.doc, p.weight)), list.len()))
            .collect();
        let mut postings = FxHashMap::default();
        let mut last = Vec::with_capacity(names.len());
        for ((out, cut), name) in written.into_iter().zip(names) {
            last.push(cut);
            if !out.is_empty() {
                postings.insert(name.clone(), out);
            }
        }
        Weighed {
            records: records.iter().map(|r| Arc::clone(r)).collect(),
            ids: docs.iter().map(|d| d.0).collect(),
            base: avg,
            drift: 0.0,
            base_idf: idf.clone(),
            df,
            idf,
            moved: Vec::new(),
            dirty: FxHashSet::default(),
            lists,
            near,
            last,
            sizes: posting_sizes(&postings),
            postings,
            rewritten: None,
            rechecked: 0,
        }
    }

    /// Weighs `docs` (made of `records`) again from what the last weighing
    /// kept; `false`, with nothing changed, when it cannot (the documents'
    /// ids differ, or the averages drifted too far) and [`Weighed::new`]
    /// must weigh everything.
    pub(super) fn update(
        &mut self,
        records: &[&Arc<Record>],
        docs: &[(u32, &Doc)],
        names: &[String],
    ) -> bool {
        if records.len() != self.records.len()
            || docs.len() != self.ids.len()
            || docs.iter().zip(&self.ids).any(|(d, id)| d.0 != *id)
        {
            return false;
        }
        let avg = averages(docs);
        let (low, high) = factors(&self.base, &avg);
        let drift = self.drift.max(1.0 - low).max(high - 1.0);
        if drift > MAX_DRIFT {
            return false;
        }
        // The documents that changed, with their ids: a record's documents
        // are all the same when it is the same record, and otherwise
        // compared by their terms. `docs` lists the records' documents in order.
        let mut changed: Vec<(&Doc, &Doc, u32)> = Vec::new();
        let mut offset = 0;
        for (old, new) in self.records.iter().zip(records) {
            if !Arc::ptr_eq(old, new) {
                if old.docs.len() != new.docs.len() {
                    return false;
                }
                for (k, (a, b)) in old.docs.iter().zip(&new.docs).enumerate() {
                    debug_assert!(std::ptr::eq(docs[offset + k].1, b));
                    if !same_terms(a, b) {
                        changed.push((a, b, docs[offset + k].0));
                    }
                }
            }
            offset += new.docs.len();
        }
        self.drift = drift;
        self.rechecked = 0;
        let mut rewritten = FxHashSet::default();
        let terms = names.len();
        if self.df.len() < terms {
            self.df.resize(terms, 0);
            self.idf.resize(terms, f64::NAN);
            self.base_idf.resize(terms, f64::NAN);
            self.lists.resize_with(terms, Vec::new);
            self.last.resize(terms, None);
        }
        let mut marks = Marks::new(terms);
        let mut seen = vec![false; terms];
        let mut touched = Vec::new();
        let mut delta: FxHashMap<u32, i64> = FxHashMap::default();
        // Postings of terms a document lost go; document frequencies move.
        // (Those of the terms it kept are weighed again below, in place.)
        let mut in_new = vec![false; terms];
        let mut new_terms = Vec::new();
        for &(old, new, id) in &changed {
            distinct(old, &mut seen, &mut touched);
            distinct(new, &mut in_new, &mut new_terms);
            for &term in &new_terms {
                if !seen[term as usize] {
                    *delta.entry(term).or_default() += 1;
                }
            }
            for &term in &touched {
                let t = term as usize;
                if in_new[t] {
                    continue;
                }
                *delta.entry(term).or_default() -= 1;
                let list = &mut self.lists[t];
                if let Ok(i) = list.binary_search_by_key(&id, |p| p.doc) {
                    let p = list.remove(i);
                    marks.changed(t, in_top(self.last[t], (p.doc, p.weight)));
                }
            }
            for term in touched.drain(..) {
                seen[term as usize] = false;
            }
            for term in new_terms.drain(..) {
                in_new[term as usize] = false;
            }
            self.dirty.insert(id);
        }
        let n = docs.len().max(1) as f64;
        for (&term, &d) in &delta {
            if d == 0 {
                continue;
            }
            let t = term as usize;
            self.df[t] = (i64::from(self.df[t]) + d) as u32;
            self.idf[t] = idf(n, self.df[t]);
            if self.idf[t].to_bits() != self.base_idf[t].to_bits() && !self.moved.contains(&term) {
                self.moved.push(term);
            }
        }
        // Documents changed since the last full weighing, weighed exactly.
        let mut per = vec![0f64; terms];
        let mut dirty: Vec<u32> = self.dirty.iter().copied().collect();
        dirty.sort_unstable();
        for &id in &dirty {
            let at = docs
                .binary_search_by_key(&id, |d| d.0)
                .expect("dirty documents are documents");
            frequencies(docs[at].1, &avg, &mut per, &mut seen, &mut touched);
            for term in touched.drain(..) {
                let t = term as usize;
                let tf = std::mem::take(&mut per[t]);
                seen[t] = false;
                let weight = written(self.idf[t], tf);
                let list = &mut self.lists[t];
                match list.binary_search_by_key(&id, |p| p.doc) {
                    Ok(i) => {
                        let old = list[i].weight;
                        if old != weight {
                            list[i].weight = weight;
                            let top = in_top(self.last[t], (id, old))
                                || in_top(self.last[t], (id, weight));
                            marks.changed(t, top);
                        }
                    }
                    Err(i) => {
                        list.insert(
                            i,
                            Posting {
                                doc: id,
                                weight,
                                tf: f64::NAN,
                            },
                        );
                        marks.changed(t, in_top(self.last[t], (id, weight)));
                    }
                }
            }
        }
        // Every posting of a term whose idf moved, and the postings near a
        // boundary, where the drift may have moved them across.
        let reach = drift + SLACK;
        let near = self.near.partition_point(|p| f64::from(p.margin) <= reach);
        let mut moved = vec![false; terms];
        for &term in &self.moved {
            moved[term as usize] = true;
        }
        let mut check = |term: u32, i: usize, this: &mut Self| {
            let t = term as usize;
            let p = this.lists[t][i];
            let x = weight(this.idf[t], p.tf) * 100.0;
            let a = round(x * low * (1.0 - SLACK)).max(1);
            let b = round(x * high * (1.0 + SLACK)).max(1);
            let weight = if a == b {
                a
            } else {
                this.rechecked += 1;
                let at = docs
                    .binary_search_by_key(&p.doc, |d| d.0)
                    .expect("postings are of documents");
                written(this.idf[t], frequency(docs[at].1, term, &avg))
            };
            if weight != p.weight {
                this.lists[t][i].weight = weight;
                let top = in_top(this.last[t], (p.doc, p.weight))
                    || in_top(this.last[t], (p.doc, weight));
                marks.changed(t, top);
            }
        };
        for term in self.moved.clone() {
            for i in 0..self.lists[term as usize].len() {
                if !self.dirty.contains(&self.lists[term as usize][i].doc) {
                    check(term, i, self);
                }
            }
        }
        for k in 0..near {
            let Near { term, doc, .. } = self.near[k];
            if moved[term as usize] || self.dirty.contains(&doc) {
                continue;
            }
            if let Ok(i) = self.lists[term as usize].binary_search_by_key(&doc, |p| p.doc) {
                check(term, i, self);
            }
        }
        // The written postings of the terms whose lists changed.
        for (t, top) in marks.terms() {
            let list = &self.lists[t];
            if !top && self.last[t].is_some() && list.len() > MAX_POSTINGS {
                continue;
            }
            let (out, cut) = encode(list.iter().map(|p| (p.doc, p.weight)), list.len());
            self.last[t] = cut;
            if self.postings.get(&names[t]) == Some(&out) {
                continue;
            }
            if out.is_empty() {
                self.postings.remove(&names[t]);
                self.sizes.remove(&names[t]);
            } else {
                self.sizes.insert(names[t].clone(), posting_size(&out));
                self.postings.insert(names[t].clone(), out);
            }
            rewritten.insert(names[t].clone());
        }
        self.rewritten = Some(rewritten);
        self.records = records.iter().map(|r| Arc::clone(r)).collect();
        true
    }
}

/// Whether posting `p` is among those written of a list whose last written
/// posting is `last` (all are, in a list that was not cut).
fn in_top(last: Option<(u32, u32)>, p: (u32, u32)) -> bool {
    last.is_none_or(|last| rank(&p, &last).is_le())
}

/// Whether two documents have the same terms in the same fields.
fn same_terms(a: &Doc, b: &Doc) -> bool {
    a.fields.len() == b.fields.len()
        && a.fields.iter().zip(&b.fields).all(|(x, y)| {
            x.0 as usize == y.0 as usize && x.1.to_bits() == y.1.to_bits() && x.2 == y.2
        })
}

/// The terms whose lists a weighing changed, and whether the change may
/// reach the postings written of a cut list.
struct Marks {
    flags: Vec<u8>,
    terms: Vec<u32>,
}

impl Marks {
    fn new(terms: usize) -> Self {
        Marks {
            flags: vec![0; terms],
            terms: Vec::new(),
        }
    }

    fn changed(&mut self, t: usize, top: bool) {
        if self.flags[t] == 0 {
            self.terms.push(t as u32);
        }
        self.flags[t] |= 1 | if top { 2 } else { 0 };
    }

    fn terms(&self) -> impl Iterator<Item = (usize, bool)> + '_ {
        self.terms
            .iter()
            .map(|&t| (t as usize, self.flags[t as usize] & 2 != 0))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::documents::{Doc, Field, Record};
    use super::super::shards::posting_sizes;
    use super::{MAX_DRIFT, Weighed, hundredths, weigh};

    #[test]
    fn hundredths_round_as_libm_does() {
        let same = |w: f64| assert_eq!(hundredths(w), (w * 100.0).round() as u32, "{w:e}");
        // Halves, and the doubles either side of them.
        for k in 0..200_000u32 {
            let half = (f64::from(k) + 0.5) / 100.0;
            for w in [half, half.next_down(), half.next_up(), f64::from(k) / 200.0] {
                same(w);
            }
        }
        same(0.0);
        same(0.49999999999999994 / 100.0);
        // Weights of every size the index gives.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            same((x >> 11) as f64 / (1u64 << 53) as f64 * 60.0);
        }
    }

    /// A seeded xorshift generator.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// A term from a vocabulary of `vocabulary` words: half the time one of
    /// ten common ones (so that some lists are longer than are written).
    fn term(rng: &mut Rng, vocabulary: u64) -> u32 {
        if rng.below(2) == 0 {
            rng.below(10) as u32
        } else {
            rng.below(vocabulary) as u32
        }
    }

    fn doc(id: u32, rng: &mut Rng, vocabulary: u64) -> Doc {
        let title = (0..1 + rng.below(4))
            .map(|_| term(rng, vocabulary))
            .collect();
        let body = (0..rng.below(60)).map(|_| term(rng, vocabulary)).collect();
        Doc {
            id,
            url: String::new(),
            title: String::new(),
            section: String::new(),
            audience: String::new(),
            kind: 0,
            text: String::new(),
            fields: vec![(Field::Title, 3.0, title), (Field::Body, 1.0, body)],
        }
    }

    fn copy(doc: &Doc) -> Doc {
        Doc {
            id: doc.id,
            url: String::new(),
            title: String::new(),
            section: String::new(),
            audience: String::new(),
            kind: doc.kind,
            text: String::new(),
            fields: doc.fields.clone(),
        }
    }

    /// The records' documents with their ids, as the index numbers them.
    fn docs_of(records: &[Arc<Record>]) -> Vec<(u32, &Doc)> {
        records
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.docs.iter().map(move |d| (i as u32 * 32 + d.id, d)))
            .collect()
    }

    fn record(docs: Vec<Doc>) -> Arc<Record> {
        Arc::new(Record {
            docs,
            words: Vec::new(),
            serial: 0,
        })
    }

    /// Weighing again after each of a run of edits gives what weighing
    /// everything gives: edits that add and remove words (new ones among
    /// them), records made again the same, and documents added, with the
    /// averages drifting past the limit now and then.
    #[test]
    fn weighing_again_after_edits_is_weighing_everything() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut vocabulary = 400u64;
        let mut records: Vec<Arc<Record>> = (0..500)
            .map(|_| {
                let count = 1 + rng.below(8) as u32;
                record((0..count).map(|d| doc(d, &mut rng, vocabulary)).collect())
            })
            .collect();
        let names =
            |vocabulary: u64| -> Vec<String> { (0..vocabulary).map(|t| format!("t{t}")).collect() };
        let mut weighed = {
            let refs: Vec<&Arc<Record>> = records.iter().collect();
            let docs = docs_of(&records);
            Weighed::new(&refs, &docs, &names(vocabulary))
        };
        let (mut again, mut anew, mut rechecked) = (0, 0, 0);
        for step in 0..120 {
            let r = rng.below(records.len() as u64) as usize;
            let mut docs: Vec<Doc> = records[r].docs.iter().map(copy).collect();
            match step % 12 {
                // The same record, made again.
                0 => {}
                // A document added: the ids change.
                1 => docs.push(doc(docs.len() as u32, &mut rng, vocabulary)),
                // A word new to the handbook.
                2 => {
                    vocabulary += 1;
                    docs[0].fields[1].2.push(vocabulary as u32 - 1);
                }
                // A long passage: the averages drift past the limit.
                3 if step % 24 == 3 => {
                    let body = &mut docs[0].fields[1].2;
                    body.extend((0..400).map(|_| term(&mut rng, vocabulary)));
                }
                // A few words added to and taken from one document.
                _ => {
                    let d = rng.below(docs.len() as u64) as usize;
                    let body = &mut docs[d].fields[1].2;
                    for _ in 0..rng.below(4) {
                        if !body.is_empty() {
                            body.remove(rng.below(body.len() as u64) as usize);
                        }
                    }
                    for _ in 0..rng.below(4) {
                        body.push(term(&mut rng, vocabulary));
                    }
                }
            }
            records[r] = record(docs);
            let refs: Vec<&Arc<Record>> = records.iter().collect();
            let docs = docs_of(&records);
            let names = names(vocabulary);
            if weighed.update(&refs, &docs, &names) {
                again += 1;
                rechecked += weighed.rechecked;
            } else {
                anew += 1;
                weighed = Weighed::new(&refs, &docs, &names);
            }
            assert!(weighed.postings == weigh(&docs, &names), "step {step}");
            assert!(
                weighed.sizes == posting_sizes(&weighed.postings),
                "step {step}"
            );
        }
        // The run covered what it is meant to: most edits weighed again, a
        // few from scratch, weights near a boundary worked out again, and
        // lists long enough to be cut.
        assert!(again >= 90 && anew >= 10, "{again} again, {anew} anew");
        assert!(rechecked > 0, "no weight was near a boundary");
        assert!(weighed.drift > 0.0 && weighed.drift <= MAX_DRIFT);
        let cut = weighed.last.iter().filter(|l| l.is_some()).count();
        assert!(cut >= 5, "{cut} lists cut");
    }
}
