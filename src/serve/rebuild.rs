//! Rebuilding the site in memory after a change, keeping what did not
//! change: each page's rendered Markdown is kept, keyed by everything it is
//! made from, so an edit to one page renders only that page's Markdown again.
//! Other pages show only each other's front matter (titles, summaries, the
//! page list), so when no front matter changed, only the edited pages are
//! laid out again, with what shows the pages' Markdown (the search index,
//! the audit, a print page of the whole text); the service pages, the A–Z
//! and 404 pages show none and are taken as they were. A change to anything
//! but pages forgets what was kept and starts afresh.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::watcher::Change;
use crate::model::{Handbook, Page};
use crate::render::{self, Rendered};
use crate::{CompileOptions, Compiled, Failure};

/// Rebuilds one handbook, remembering each page's rendered Markdown.
pub struct Rebuilder {
    dir: PathBuf,
    options: CompileOptions,
    markdown: HashMap<u64, Rendered>,
    /// Each page's Markdown text, by source path, with its hash: a page
    /// read again has new text, and the others are not hashed again.
    bodies: FxHashMap<String, (Arc<String>, u64)>,
    /// How many pages' Markdown the last build rendered (the rest came from memory).
    pub last_rendered: usize,
    /// How many pages the last build laid out with the templates.
    pub last_laid_out: usize,
    /// The other files the last build took from memory (service pages, the
    /// A–Z page and the like), by path.
    pub last_kept_files: Vec<String>,
    /// The last good build's pages, and what they were made from.
    laid_out: Option<LaidOut>,
    /// Search documents of the pages built before.
    search: render::search::index::Memo,
    /// The templates and shared parts of the last good build, while valid.
    prepared: render::Prepared,
    /// Service files parsed and pages read before.
    load: crate::load::Cache,
}

/// Pages as laid out by the last good build, in page order.
struct LaidOut {
    /// Every page's source path and front matter: if any differs, every page
    /// may show something different.
    fronts: Vec<(String, Arc<str>)>,
    /// Every page's Markdown key (see `markdown_key`).
    keys: Vec<u64>,
    html: Vec<Arc<Vec<u8>>>,
    /// The other files, by path, but for the search index.
    others: FxHashMap<String, Arc<Vec<u8>>>,
}

impl Rebuilder {
    pub fn new(dir: &Path, options: CompileOptions) -> Rebuilder {
        Rebuilder {
            dir: dir.to_path_buf(),
            options,
            markdown: HashMap::new(),
            bodies: FxHashMap::default(),
            last_rendered: 0,
            last_laid_out: 0,
            last_kept_files: Vec::new(),
            laid_out: None,
            search: render::search::index::Memo::new(),
            prepared: render::Prepared::new(),
            load: crate::load::Cache::default(),
        }
    }

    /// Builds the site again after `change`; the same result as
    /// [`crate::compile`], from memory where it can be.
    pub fn rebuild(&mut self, change: &Change) -> Result<Compiled, Failure> {
        match change {
            Change::Everything => {
                self.markdown.clear();
                self.bodies.clear();
                self.laid_out = None;
                self.search.clear();
                self.prepared.clear();
                self.load.forget_all_pages();
            }
            Change::Pages(pages) => self.load.forget_pages(pages.iter().map(String::as_str)),
        }
        // The same steps as `crate::compile`, with the Markdown step and
        // unchanged pages taken from memory (a test checks they agree).
        let dir = self.dir.clone();
        let load = std::mem::take(&mut self.load);
        // Every page's Markdown key, worked out once by `markdown_all`.
        let mut keys = Vec::new();
        let analysed = crate::analyse_with(&dir, self.options, Some(&load), |handbook| {
            let (k, rendered) = self.markdown_all(handbook);
            keys = k;
            rendered
        });
        self.load = load;
        let analysed = analysed?;
        let pages = &analysed.0.pages;
        let fronts: Vec<(String, Arc<str>)> = pages
            .iter()
            .map(|p| (p.source.clone(), Arc::clone(&p.front_text)))
            .collect();
        let previous = self.laid_out.take().filter(|l| l.fronts == fronts);
        if previous.is_none() {
            // Made from front matter too: kept only with the pages.
            self.prepared.clear();
        }
        let reusable: Vec<bool> = (0..keys.len())
            .map(|i| previous.as_ref().is_some_and(|l| l.keys[i] == keys[i]))
            .collect();
        if analysed.3.iter().any(crate::Diagnostic::is_error) {
            let (_, _, rendered, diagnostics) = analysed;
            self.put_back(&keys, rendered);
            return Err(Failure::Invalid(diagnostics));
        }
        // Kept pages are shared with the last build, not copied.
        let kept_page = |i: usize| {
            previous
                .as_ref()
                .filter(|_| reusable[i])
                .map(|l| render::Content::Shared(l.html[i].clone()))
        };
        let kept_files = std::sync::Mutex::new(Vec::new());
        let kept_file = |path: &str| {
            let bytes = previous.as_ref()?.others.get(path)?.clone();
            let mut kept = kept_files.lock().unwrap_or_else(|e| e.into_inner());
            kept.push(path.to_string());
            Some(render::Content::Shared(bytes))
        };
        let reuse = render::Reuse {
            page: Some(&kept_page),
            front_only: Some(&kept_file),
            search: Some(&self.search),
            prepared: Some(&self.prepared),
        };
        let mut compiled = crate::finish_with(analysed, &reuse)?;
        let mut kept_files = kept_files.into_inner().unwrap_or_else(|e| e.into_inner());
        kept_files.sort();
        self.last_kept_files = kept_files;
        self.put_back(&keys, std::mem::take(&mut compiled.rendered));
        self.last_laid_out = reusable.iter().filter(|&&r| !r).count();
        drop(previous);
        // The site's files become shared bytes, kept for the next rebuild
        // (all but the search index, which is always made again).
        let page_of: FxHashMap<&str, usize> = compiled
            .handbook
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.url.as_str(), i))
            .collect();
        let mut html = vec![Arc::default(); compiled.handbook.pages.len()];
        let mut others = FxHashMap::default();
        for f in &mut compiled.site.files {
            let page = page_of.get(f.path.as_str()).copied();
            if page.is_none() && f.path.starts_with("search/") {
                continue;
            }
            if let render::Content::Bytes(bytes) = &mut f.content {
                let bytes = std::mem::take(bytes);
                f.content = render::Content::Shared(Arc::new(bytes));
            }
            let render::Content::Shared(shared) = &f.content else {
                continue;
            };
            match page {
                Some(i) => html[i] = shared.clone(),
                None => {
                    others.insert(f.path.clone(), shared.clone());
                }
            }
        }
        self.laid_out = Some(LaidOut {
            fronts,
            keys,
            html,
            others,
        });
        Ok(compiled)
    }

    /// Every page's Markdown key and Markdown, rendering only pages not
    /// rendered before.
    fn markdown_all(&mut self, handbook: &Handbook) -> (Vec<u64>, Vec<Rendered>) {
        let mut bodies = std::mem::take(&mut self.bodies);
        let keys: Vec<u64> = handbook
            .pages
            .iter()
            .map(|page| {
                let body = match bodies.remove(&page.source) {
                    Some((text, hash)) if Arc::ptr_eq(&text, &page.body) => hash,
                    _ => {
                        let mut hasher = rustc_hash::FxHasher::default();
                        page.body.hash(&mut hasher);
                        hasher.finish()
                    }
                };
                self.bodies
                    .insert(page.source.clone(), (Arc::clone(&page.body), body));
                markdown_key(page, body)
            })
            .collect();
        // Taken out of memory (not copied) and put back after the build;
        // what is left belongs to pages that are gone.
        let mut rendered: Vec<Option<Rendered>> =
            keys.iter().map(|k| self.markdown.remove(k)).collect();
        self.markdown.clear();
        let missing: Vec<usize> = (0..keys.len()).filter(|&i| rendered[i].is_none()).collect();
        let fresh: Vec<Rendered> = missing
            .par_iter()
            .map(|&i| render::markdown_page(&handbook.pages[i]))
            .collect();
        self.last_rendered = fresh.len();
        for (i, r) in missing.into_iter().zip(fresh) {
            rendered[i] = Some(r);
        }
        let rendered = rendered
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        (keys, rendered)
    }

    /// Puts the pages' Markdown, taken by `markdown_all`, back in memory.
    fn put_back(&mut self, keys: &[u64], rendered: Vec<Rendered>) {
        self.markdown.extend(keys.iter().copied().zip(rendered));
    }
}

/// Everything a page's rendered Markdown depends on; `body` is the hash of
/// its Markdown text.
fn markdown_key(page: &Page, body: u64) -> u64 {
    // FxHash: SipHash's resistance to chosen collisions buys nothing
    // against one's own pages.
    let mut hasher = rustc_hash::FxHasher::default();
    (&page.source, &page.url, page.dir(), page.body_line, body).hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::render::Content;
    use std::collections::BTreeSet;

    fn options() -> CompileOptions {
        CompileOptions {
            today: Date::parse("2026-11-23").expect("a date"),
            ..CompileOptions::default()
        }
    }

    fn bytes(compiled: &Compiled) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = compiled
            .site
            .files
            .iter()
            .map(|f| {
                let bytes = match &f.content {
                    Content::Copy(p) => p.to_string_lossy().into_owned().into_bytes(),
                    other => other.bytes().expect("bytes").to_vec(),
                };
                (f.path.clone(), bytes)
            })
            .collect();
        files.sort();
        files
    }

    fn example() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = tmp.path().join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        tmp
    }

    #[test]
    fn rebuilding_from_memory_gives_the_same_site_as_compile() {
        let dir = example();
        let mut rebuilder = Rebuilder::new(dir.path(), options());
        let first = rebuilder.rebuild(&Change::Everything).ok().unwrap();
        assert_eq!(rebuilder.last_rendered, first.handbook.pages.len());
        assert_eq!(
            bytes(&first),
            bytes(&crate::compile(dir.path(), options()).ok().unwrap())
        );

        let page = dir.path().join("parents/exam-stress.md");
        let text = std::fs::read_to_string(&page).unwrap();
        std::fs::write(
            &page,
            text.replace("Feeling a bit nervous", "Feeling rather nervous"),
        )
        .unwrap();
        let change = Change::Pages(BTreeSet::from(["parents/exam-stress.md".to_string()]));
        let second = rebuilder.rebuild(&change).ok().unwrap();
        // Only the edited page's Markdown was rendered again, and only it
        // was laid out again...
        assert_eq!(rebuilder.last_rendered, 1);
        assert_eq!(rebuilder.last_laid_out, 1);
        // ...and the site is exactly what a fresh compile gives.
        assert_eq!(
            bytes(&second),
            bytes(&crate::compile(dir.path(), options()).ok().unwrap())
        );
        // The service pages, the directory and the A–Z and 404 pages show
        // no page's Markdown: they were taken as they were. The example is
        // short enough to print whole, so its print page was made again.
        // The templates and shared parts were taken as they were.
        assert_eq!(rebuilder.prepared.times_taken(), 1);
        let kept = &rebuilder.last_kept_files;
        for path in [
            "404.html",
            "search.html",
            "services/index.html",
            "services.json",
        ] {
            assert!(kept.iter().any(|k| k == path), "{path} in {kept:?}");
        }
        assert_eq!(
            kept.iter().filter(|k| k.starts_with("services/")).count(),
            second.handbook.services.len() + 1
        );
        assert!(!kept.iter().any(|k| k == "print.html"), "{kept:?}");
        let html = second.site.get("parents/exam-stress.html").unwrap();
        let html = html.content.bytes().expect("a page is bytes");
        assert!(String::from_utf8_lossy(html).contains("Feeling rather nervous"));

        // A title change shows on other pages (lists, previous/next), so
        // every page is laid out again, and still matches a fresh compile.
        std::fs::write(
            &page,
            std::fs::read_to_string(&page)
                .unwrap()
                .replacen("title: ", "title: Revised ", 1),
        )
        .unwrap();
        let third = rebuilder.rebuild(&change).ok().unwrap();
        assert_eq!(rebuilder.last_laid_out, third.handbook.pages.len());
        assert_eq!(rebuilder.last_kept_files, Vec::<String>::new());
        assert_eq!(rebuilder.prepared.times_taken(), 1);
        assert_eq!(
            bytes(&third),
            bytes(&crate::compile(dir.path(), options()).ok().unwrap())
        );
        let index = third.site.get("parents/index.html").unwrap();
        let index = index.content.bytes().expect("a page is bytes");
        assert!(String::from_utf8_lossy(index).contains("Revised "));
    }

    #[test]
    fn anything_but_a_page_renders_everything_again() {
        let dir = example();
        let mut rebuilder = Rebuilder::new(dir.path(), options());
        let first = rebuilder.rebuild(&Change::Everything).ok().unwrap();
        rebuilder.rebuild(&Change::Everything).ok().unwrap();
        assert_eq!(rebuilder.last_rendered, first.handbook.pages.len());
        rebuilder
            .rebuild(&Change::Pages(BTreeSet::new()))
            .ok()
            .unwrap();
        assert_eq!(rebuilder.last_rendered, 0);
    }

    #[test]
    fn a_failed_rebuild_keeps_the_markdown_in_memory() {
        let dir = example();
        let mut rebuilder = Rebuilder::new(dir.path(), options());
        rebuilder.rebuild(&Change::Everything).ok().unwrap();
        let page = dir.path().join("parents/exam-stress.md");
        let good = std::fs::read_to_string(&page).unwrap();
        std::fs::write(&page, good.replacen("title: ", "title: [unclosed ", 1)).unwrap();
        let change = Change::Pages(BTreeSet::from(["parents/exam-stress.md".to_string()]));
        assert!(rebuilder.rebuild(&change).is_err());
        // Fixing it renders only that page again, and the site is a fresh compile's.
        std::fs::write(&page, good.replace("Feeling a bit nervous", "Feeling calm")).unwrap();
        let fixed = rebuilder.rebuild(&change).ok().unwrap();
        assert_eq!(rebuilder.last_rendered, 1);
        assert_eq!(
            bytes(&fixed),
            bytes(&crate::compile(dir.path(), options()).ok().unwrap())
        );
    }

    #[test]
    fn a_print_page_of_contents_only_is_kept_and_a_service_edit_makes_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(
            root.join("handbook.yaml"),
            "title: Long handbook\nurgent_help:\n  services: []\n",
        )
        .unwrap();
        std::fs::write(
            root.join("services.yaml"),
            "services:\n  - id: listening\n    name: A listening service\n    category: charity\n    audiences: [pupils]\n    area: national\n    contact:\n      website: https://example.org/\n    visibility: public\n    last_verified: 2026-10-01\n",
        )
        .unwrap();
        std::fs::write(root.join("index.md"), "---\ntitle: Home\n---\n\nHome.\n").unwrap();
        let pages = crate::render::print::WHOLE_PRINT_LIMIT + 5;
        for i in 0..pages {
            let section = root.join(format!("s{}", i / 50));
            std::fs::create_dir_all(&section).unwrap();
            std::fs::write(
                section.join("_index.md"),
                format!("---\ntitle: Section {}\n---\n\nSection.\n", i / 50),
            )
            .unwrap();
            std::fs::write(
                section.join(format!("p{i:03}.md")),
                format!("---\ntitle: Page {i}\nservices: [listening]\n---\n\nText of page {i}.\n"),
            )
            .unwrap();
        }
        let mut rebuilder = Rebuilder::new(root, options());
        let first = match rebuilder.rebuild(&Change::Everything) {
            Ok(first) => first,
            Err(Failure::Invalid(d)) => panic!("{d:#?}"),
            Err(_) => panic!("unreadable"),
        };
        assert!(first.handbook.pages.len() > crate::render::print::WHOLE_PRINT_LIMIT);
        std::fs::write(
            root.join("s0/p007.md"),
            "---\ntitle: Page 7\nservices: [listening]\n---\n\nNew text.\n",
        )
        .unwrap();
        let change = Change::Pages(BTreeSet::from(["s0/p007.md".to_string()]));
        let second = rebuilder.rebuild(&change).ok().unwrap();
        assert!(rebuilder.last_kept_files.iter().any(|k| k == "print.html"));
        assert!(
            rebuilder
                .last_kept_files
                .iter()
                .any(|k| k == "services/listening.html")
        );
        assert_eq!(
            bytes(&second),
            bytes(&crate::compile(root, options()).ok().unwrap())
        );
        // The service map changed: nothing is kept, and the service page shows it.
        std::fs::write(
            root.join("services.yaml"),
            "services:\n  - id: listening\n    name: A renamed service\n    category: charity\n    audiences: [pupils]\n    area: national\n    contact:\n      website: https://example.org/\n    visibility: public\n    last_verified: 2026-10-01\n",
        )
        .unwrap();
        let third = rebuilder.rebuild(&Change::Everything).ok().unwrap();
        assert!(rebuilder.last_kept_files.is_empty());
        assert_eq!(
            bytes(&third),
            bytes(&crate::compile(root, options()).ok().unwrap())
        );
        let page = third.site.get("services/listening.html").unwrap();
        let page = page.content.bytes().expect("a page is bytes");
        assert!(String::from_utf8_lossy(page).contains("A renamed service"));
    }

    #[test]
    fn a_sharded_search_index_after_edits_is_a_fresh_compiles() {
        use crate::render::search::tests::many;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |files: &[(String, String)]| {
            for (rel, text) in files {
                std::fs::write(root.join(rel), text).unwrap();
            }
        };
        // 180 pages, none with the edited page's own words.
        let mut files = many(180, usize::MAX);
        write(&files);
        let mut rebuilder = Rebuilder::new(root, options());
        let first = rebuilder.rebuild(&Change::Everything).ok().unwrap();
        let shards = |site: &render::Site| {
            site.files
                .iter()
                .filter(|f| f.path.starts_with("search/t/"))
                .count()
        };
        assert!(shards(&first.site) > 5, "the index is split into shards");
        // A word new to the handbook on one page, then on another instead,
        // the same again, and gone.
        for edit in [5, 7, 7, usize::MAX] {
            let next = many(180, edit);
            let changed: Vec<(String, String)> = next
                .iter()
                .filter(|f| !files.contains(f))
                .cloned()
                .collect();
            write(&changed);
            let change = Change::Pages(changed.into_iter().map(|(rel, _)| rel).collect());
            let rebuilt = rebuilder.rebuild(&change).ok().unwrap();
            assert_eq!(
                bytes(&rebuilt),
                bytes(&crate::compile(root, options()).ok().unwrap()),
                "page {edit} edited"
            );
            files = next;
        }
    }
}
