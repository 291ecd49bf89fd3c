//! Rebuilding the site in memory after a change, keeping what did not
//! change: each page's rendered Markdown is kept, keyed by everything it is
//! made from, so an edit to one page renders only that page's Markdown again.
//! Other pages show only each other's front matter (titles, summaries, the
//! page list), so when no front matter changed, only the edited pages are
//! laid out again, with what is made from the whole handbook (print, search,
//! services, audit). A change to anything but pages forgets what was kept
//! and starts afresh.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::watcher::Change;
use crate::model::{Handbook, Page};
use crate::render::{self, Rendered};
use crate::{CompileOptions, Compiled, Failure};

/// Rebuilds one handbook, remembering each page's rendered Markdown.
pub struct Rebuilder {
    dir: PathBuf,
    options: CompileOptions,
    markdown: HashMap<u64, Rendered>,
    /// How many pages' Markdown the last build rendered (the rest came from memory).
    pub last_rendered: usize,
    /// How many pages the last build laid out with the templates.
    pub last_laid_out: usize,
    /// The last good build's pages, and what they were made from.
    laid_out: Option<LaidOut>,
    /// Search documents of the pages built before.
    search: render::search::index::Memo,
    /// Service files parsed before.
    load: crate::load::Cache,
}

/// Pages as laid out by the last good build, in page order.
struct LaidOut {
    /// Every page's source path and front matter: if any differs, every page
    /// may show something different.
    fronts: Vec<(String, String)>,
    /// Every page's Markdown key (see `markdown_key`).
    keys: Vec<u64>,
    html: Vec<Vec<u8>>,
}

impl Rebuilder {
    pub fn new(dir: &Path, options: CompileOptions) -> Rebuilder {
        Rebuilder {
            dir: dir.to_path_buf(),
            options,
            markdown: HashMap::new(),
            last_rendered: 0,
            last_laid_out: 0,
            laid_out: None,
            search: render::search::index::Memo::new(),
            load: crate::load::Cache::default(),
        }
    }

    /// Builds the site again after `change`; the same result as
    /// [`crate::compile`], from memory where it can be.
    pub fn rebuild(&mut self, change: &Change) -> Result<Compiled, Failure> {
        if *change == Change::Everything {
            self.markdown.clear();
            self.laid_out = None;
            self.search.clear();
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
        let fronts: Vec<(String, String)> = pages
            .iter()
            .map(|p| (p.source.clone(), p.front_text.clone()))
            .collect();
        let urls: Vec<String> = pages.iter().map(|p| p.url.clone()).collect();
        let mut previous = self.laid_out.take().filter(|l| l.fronts == fronts);
        let reusable: Vec<bool> = (0..keys.len())
            .map(|i| previous.as_ref().is_some_and(|l| l.keys[i] == keys[i]))
            .collect();
        let kept = |i: usize| {
            previous
                .as_ref()
                .filter(|_| reusable[i])
                .map(|l| l.html[i].clone())
        };
        if analysed.3.iter().any(crate::Diagnostic::is_error) {
            let (_, _, rendered, diagnostics) = analysed;
            self.put_back(&keys, rendered);
            return Err(Failure::Invalid(diagnostics));
        }
        let mut compiled = crate::finish_with(analysed, &kept, Some(&self.search))?;
        self.put_back(&keys, std::mem::take(&mut compiled.rendered));
        self.last_laid_out = reusable.iter().filter(|&&r| !r).count();
        let files: HashMap<&str, &[u8]> = compiled
            .site
            .files
            .iter()
            .filter_map(|f| match &f.content {
                render::Content::Bytes(b) => Some((f.path.as_str(), b.as_slice())),
                render::Content::Copy(_) => None,
            })
            .collect();
        // Kept pages are the same as before: their copies are moved over.
        let html = urls
            .iter()
            .enumerate()
            .map(|(i, u)| match previous.as_mut().filter(|_| reusable[i]) {
                Some(l) => std::mem::take(&mut l.html[i]),
                None => files
                    .get(u.as_str())
                    .map(|b| b.to_vec())
                    .unwrap_or_default(),
            })
            .collect();
        self.laid_out = Some(LaidOut { fronts, keys, html });
        Ok(compiled)
    }

    /// Every page's Markdown key and Markdown, rendering only pages not
    /// rendered before.
    fn markdown_all(&mut self, handbook: &Handbook) -> (Vec<u64>, Vec<Rendered>) {
        let keys: Vec<u64> = handbook.pages.iter().map(markdown_key).collect();
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

/// Everything a page's rendered Markdown depends on.
fn markdown_key(page: &Page) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (
        &page.source,
        &page.url,
        page.dir(),
        page.body_line,
        &page.body,
    )
        .hash(&mut hasher);
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
                    Content::Bytes(b) => b.clone(),
                    Content::Copy(p) => p.to_string_lossy().into_owned().into_bytes(),
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
        let html = second.site.get("parents/exam-stress.html").unwrap();
        let Content::Bytes(html) = &html.content else {
            panic!("a page is bytes")
        };
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
        assert_eq!(
            bytes(&third),
            bytes(&crate::compile(dir.path(), options()).ok().unwrap())
        );
        let index = third.site.get("parents/index.html").unwrap();
        let Content::Bytes(index) = &index.content else {
            panic!("a page is bytes")
        };
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
}
