use std::path::Path;

use serde_json::Value;

use super::index::{self, build};
use super::shards::shard_file;
use crate::CompileOptions;
use crate::model::{Edition, Handbook};
use crate::render::Rendered;

fn handbook(files: &[(&str, &str)], edition: Edition) -> (Handbook, Vec<Rendered>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let options = CompileOptions {
        edition,
        drafts: false,
        today: crate::date::Date::parse("2026-11-23").unwrap(),
        strict: false,
    };
    let (handbook, _, rendered, diagnostics) = crate::analyse(Path::new(tmp.path()), options)
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics()));
    assert!(!diagnostics.iter().any(|d| d.is_error()), "{diagnostics:?}");
    (handbook, rendered)
}

const CONFIG: &str = "title: Test\nurgent_help:\n  services: []\nsearch:\n  synonyms:\n    - [low mood, feeling down]\n  crisis_terms: [suicide]\n";

fn small() -> (Handbook, Vec<Rendered>) {
    handbook(
        &[
            ("handbook.yaml", CONFIG),
            (
                "index.md",
                "---\ntitle: Home\n---\nWelcome to the handbook.\n",
            ),
            (
                "worry.md",
                "---\ntitle: Worry and anxiety\nsummary: When worries get big.\ntags: [anxiety]\n---\nSome text.\n\n## Self-harm {#sh}\n\nWhat to do about selfharm.\n",
            ),
            (
                "exams.md",
                "---\ntitle: Exams\n---\nRevision can bring worry and anxiety, and low mood.\n",
            ),
            (
                "rota.md",
                "---\ntitle: Secret rota\nvisibility: staff\n---\nStaff only words: zebrafish.\n",
            ),
        ],
        Edition::Public,
    )
}

fn meta(handbook: &Handbook, rendered: &[Rendered]) -> Value {
    let index = build(handbook, rendered);
    assert_eq!(index.files.len(), 1, "a small handbook is one file");
    serde_json::from_str(&index.files[0].1).expect("the index is JSON")
}

/// The postings of a term as (doc id, weight).
fn postings(meta: &Value, term: &str) -> Vec<(u64, u64)> {
    let list = meta["inline"]["shards"][""]["post"][term]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut doc = 0;
    list.chunks(2)
        .map(|p| {
            doc += p[0].as_u64().unwrap();
            (doc, p[1].as_u64().unwrap())
        })
        .collect()
}

fn doc_url(meta: &Value, id: u64) -> String {
    meta["inline"]["docs"][id.to_string()][0]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn documents_are_sections_pointing_at_their_headings() {
    let (h, r) = small();
    let meta = meta(&h, &r);
    let docs = meta["inline"]["docs"].as_object().unwrap();
    let urls: Vec<&str> = docs.values().map(|d| d[0].as_str().unwrap()).collect();
    assert!(urls.contains(&"worry.html"));
    assert!(urls.contains(&"worry.html#sh"));
    let section = docs.values().find(|d| d[0] == "worry.html#sh").unwrap();
    assert_eq!(section[2], "Self-harm");
    assert_eq!(section[1], "Worry and anxiety");
}

#[test]
fn staff_pages_stay_out_of_the_public_index() {
    let (h, r) = small();
    let text = meta(&h, &r).to_string();
    assert!(
        !text.contains("zebrafish") && !text.contains("rota"),
        "{text}"
    );
}

#[test]
fn hyphenated_and_joined_words_meet() {
    let (h, r) = small();
    let meta = meta(&h, &r);
    // "Self-harm" in the heading and "selfharm" in the text both give `selfharm`.
    let mut p = postings(&meta, "selfharm");
    p.sort_by_key(|a| std::cmp::Reverse(a.1));
    assert_eq!(doc_url(&meta, p[0].0), "worry.html#sh");
    assert_eq!(postings(&meta, "harm").len(), p.len());
    assert!(postings(&meta, "self").len() == p.len());
}

#[test]
fn title_matches_outweigh_body_matches() {
    let (h, r) = small();
    let meta = meta(&h, &r);
    let mut anxiety = postings(&meta, "anxieti");
    anxiety.sort_by_key(|a| std::cmp::Reverse(a.1));
    assert_eq!(doc_url(&meta, anxiety[0].0), "worry.html");
    let exams = anxiety
        .iter()
        .find(|(d, _)| doc_url(&meta, *d) == "exams.html")
        .unwrap();
    assert!(anxiety[0].1 > 2 * exams.1, "{anxiety:?}");
}

#[test]
fn synonym_groups_are_indexed_as_one_token() {
    let (h, r) = small();
    let meta = meta(&h, &r);
    let groups = meta["groups"].as_array().unwrap();
    let low = groups
        .iter()
        .position(|g| g.to_string().contains("\"feeling\""))
        .expect("the configured group");
    // "low mood" in exams.md is found by the group's token.
    let p = postings(&meta, &format!("~{low}"));
    assert_eq!(
        p.iter()
            .map(|(d, _)| doc_url(&meta, *d))
            .collect::<Vec<_>>(),
        ["exams.html"]
    );
    // The configured group and the built-in depression group share "low mood": merged.
    assert!(
        groups[low].to_string().contains("depression"),
        "{}",
        groups[low]
    );
    // The built-in anxiety group finds worry, worries and anxiety alike.
    let anxious = groups
        .iter()
        .position(|g| g.to_string().contains("\"anxious\""))
        .unwrap();
    let found: Vec<String> = postings(&meta, &format!("~{anxious}"))
        .iter()
        .map(|(d, _)| doc_url(&meta, *d))
        .collect();
    assert!(
        found.contains(&"exams.html".to_string()) && found.contains(&"worry.html".to_string()),
        "{found:?}"
    );
}

#[test]
fn crisis_terms_and_urgent_card_are_in_the_entry_file() {
    let (h, r) = small();
    let meta = meta(&h, &r);
    assert_eq!(meta["crisis"], serde_json::json!([[["suicide", "suicid"]]]));
    // No 999 service in this handbook: the card still offers 999.
    let first = &meta["urgent"]["services"][0];
    assert_eq!(first["contacts"][0]["href"], "tel:999");
}

#[test]
fn shard_files_have_safe_names() {
    assert_eq!(shard_file("ab"), "t/ab");
    assert_eq!(shard_file("~3"), "t/_7e_3");
    assert_eq!(shard_file("é"), "t/_e9_");
    const { assert!(index::SHARD_LIMIT < index::SINGLE_FILE_LIMIT) };
}

/// A handbook large enough for a split index: `pages` pages of varied words,
/// page `edit` (if there is one) with words no other page has.
pub(crate) fn many(pages: usize, edit: usize) -> Vec<(String, String)> {
    let words = [
        "worry",
        "sleep",
        "exam",
        "friend",
        "bully",
        "grief",
        "panic",
        "mood",
        "eating",
        "school",
        "teacher",
        "parent",
        "online",
        "safety",
        "referral",
        "nurse",
        "counsellor",
        "calm",
    ];
    let mut files = vec![("handbook.yaml".to_string(), CONFIG.to_string())];
    files.push((
        "index.md".into(),
        "---\ntitle: Home\n---\nWelcome.\n".into(),
    ));
    for p in 0..pages {
        let mut body = String::new();
        for s in 0..4 {
            body.push_str(&format!("\n## Part {s} of {p}\n\n"));
            for w in 0..120 {
                body.push_str(words[(p * 7 + s * 3 + w * w) % words.len()]);
                body.push_str(&format!("{} ", (p + w) % 50));
            }
            if p == edit {
                body.push_str(" zanzibar <b>&amp;</b> \u{2028} ");
            }
        }
        files.push((
            format!("p{p}.md"),
            format!(
                "---\ntitle: Page {p}\nsummary: About {}\n---\n{body}",
                words[p % 18]
            ),
        ));
    }
    files
}

fn as_refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect()
}

#[test]
fn a_rebuild_from_the_memo_is_the_same_index_as_a_fresh_build() {
    let memo = index::Memo::new();
    for (pages, edit) in [(3, 0), (160, 5), (160, 6), (150, 200), (160, 6)] {
        let files = many(pages, edit);
        let (h, r) = handbook(&as_refs(&files), Edition::Public);
        let fresh = build(&h, &r);
        let kept = index::build_with(&h, &r, Some(&memo));
        assert_eq!(kept.files, fresh.files, "{pages} pages, page {edit} edited");
        if pages > 100 {
            assert!(fresh.files.len() > 10, "the index is split");
        }
        // A word only the edited page had is gone with the edit.
        let all: String = fresh.files.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(all.contains("zanzibar"), edit < pages, "{pages} {edit}");
    }
}

#[test]
fn a_rebuild_takes_the_shards_whose_postings_did_not_change_as_they_were() {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    let memo = index::Memo::new();
    let mut last: HashMap<String, Arc<Vec<u8>>> = HashMap::new();
    // Page 5 edited, then page 6 instead, then nothing more.
    for (step, edit) in [5, 6, 6].into_iter().enumerate() {
        let files = many(160, edit);
        let (h, r) = handbook(&as_refs(&files), Edition::Public);
        let made = Mutex::new(Vec::new());
        index::build_into(&h, &r, Some(&memo), &|name, file| match file {
            index::File::Script(script) => made.lock().unwrap().push((name, script)),
            index::File::Json(_) => panic!("files a memo keeps are finished scripts"),
        });
        let mut made = made.into_inner().unwrap();
        made.sort_by(|a, b| a.0.cmp(&b.0));
        let as_json: Vec<(String, String)> = made
            .iter()
            .map(|(name, script)| (name.clone(), index::json_of(name, script)))
            .collect();
        assert_eq!(as_json, build(&h, &r).files, "step {step}");
        let shards = made.iter().filter(|(name, _)| name.starts_with("t/"));
        let (taken, anew): (Vec<_>, Vec<_>) = shards
            .partition(|(name, script)| last.get(name).is_some_and(|l| Arc::ptr_eq(l, script)));
        match step {
            0 => assert!(taken.is_empty()),
            // The edits change the postings of the words of two pages.
            1 => assert!(
                !taken.is_empty() && !anew.is_empty(),
                "{} taken, {} anew",
                taken.len(),
                anew.len()
            ),
            _ => assert!(anew.is_empty(), "{} made anew", anew.len()),
        }
        last = made.into_iter().collect();
    }
}
