//! The term shards of a large index: words grouped by their first letters,
//! a group over the size limit split by one more letter, so that a query
//! loads only the few small files its words need.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::index::{Postings, SHARD_LIMIT};
use super::json::Json;

/// A shard key as a file name: `a`–`z` and digits kept, anything else as `_hex_`.
pub fn shard_file(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", c as u32));
        }
    }
    format!("t/{out}")
}

pub fn key_of(form: &str, len: usize) -> String {
    if form.starts_with('~') {
        return form.to_string();
    }
    form.chars().take(len).collect()
}

/// A term shard: forms (word → stem, where they differ) and postings by
/// stem. `items` are in order.
pub fn write_shard(
    json: &mut Json,
    items: &[(String, String)],
    postings: &FxHashMap<String, Postings>,
) {
    json.raw("{\"forms\":{");
    let mut first = true;
    for (form, stem) in items {
        if form != stem {
            if !first {
                json.raw(",");
            }
            first = false;
            json.str(form);
            json.raw(":");
            json.str(stem);
        }
    }
    json.raw("},\"post\":{");
    let mut stems: Vec<&String> = items
        .iter()
        .map(|(_, stem)| stem)
        .filter(|stem| postings.contains_key(*stem))
        .collect();
    stems.sort_unstable();
    stems.dedup();
    for (i, stem) in stems.into_iter().enumerate() {
        if i > 0 {
            json.raw(",");
        }
        json.str(stem);
        json.raw(":[");
        for (k, n) in postings[stem].iter().enumerate() {
            if k > 0 {
                json.raw(",");
            }
            json.num((*n).into());
        }
        json.raw("]");
    }
    json.raw("}}");
}

/// About how many bytes a shard of these items takes.
fn size_of(items: &[(String, String)], sizes: &FxHashMap<String, usize>) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut size = 0;
    for (form, stem) in items {
        size += form.len() + stem.len() + 6;
        if seen.insert(stem) {
            size += sizes.get(stem).copied().unwrap_or(0);
        }
    }
    size
}

/// The written size of each term's postings.
pub fn posting_sizes(postings: &FxHashMap<String, Postings>) -> FxHashMap<String, usize> {
    postings
        .iter()
        .map(|(term, p)| (term.clone(), posting_size(p)))
        .collect()
}

/// The written size of a term's postings (digits and commas, about).
pub fn posting_size(postings: &Postings) -> usize {
    postings
        .iter()
        .map(|n| n.checked_ilog10().unwrap_or(0) as usize + 2)
        .sum()
}

/// Splits `items` (all with key `key`) into shards no larger than the limit
/// where it can, by one more letter at a time.
pub fn split(
    key: String,
    items: Vec<(String, String)>,
    sizes: &FxHashMap<String, usize>,
    out: &mut Vec<(String, Vec<(String, String)>)>,
) {
    let len = key.chars().count();
    let longer = items.iter().any(|(f, _)| f.chars().count() > len);
    if key.starts_with('~') || !longer || len >= 8 || size_of(&items, sizes) <= SHARD_LIMIT {
        out.push((key, items));
        return;
    }
    let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in items {
        groups
            .entry(key_of(&item.0, len + 1))
            .or_default()
            .push(item);
    }
    for (k, group) in groups {
        if k == key {
            out.push((k, group));
        } else {
            split(k, group, sizes, out);
        }
    }
}
