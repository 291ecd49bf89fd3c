//! Rebuilding the site in memory after a change, keeping what did not
//! change: each page's rendered Markdown is kept, keyed by everything it is
//! made from, so an edit to one page renders only that page's Markdown again
//! before the templates lay out the whole site (every page shows the page
//! list, so all of them are laid out again). A change to anything but pages
//! forgets what was kept and starts afresh.

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
}

impl Rebuilder {
    pub fn new(dir: &Path, options: CompileOptions) -> Rebuilder {
        Rebuilder {
            dir: dir.to_path_buf(),
            options,
            markdown: HashMap::new(),
            last_rendered: 0,
        }
    }

    /// Builds the site again after `change`; the same result as
    /// [`crate::compile`], from memory where it can be.
    pub fn rebuild(&mut self, change: &Change) -> Result<Compiled, Failure> {
        if *change == Change::Everything {
            self.markdown.clear();
        }
        // The same steps as `crate::compile`, with the Markdown step taken
        // from memory where it can be (a test checks they agree).
        let dir = self.dir.clone();
        let analysed =
            crate::analyse_with(&dir, self.options, |handbook| self.markdown_all(handbook))?;
        crate::finish(analysed)
    }

    /// Every page's Markdown, rendering only pages not rendered before.
    fn markdown_all(&mut self, handbook: &Handbook) -> Vec<Rendered> {
        let keys: Vec<u64> = handbook.pages.iter().map(markdown_key).collect();
        let missing: Vec<usize> = (0..keys.len())
            .filter(|&i| !self.markdown.contains_key(&keys[i]))
            .collect();
        let fresh: Vec<(u64, Rendered)> = missing
            .par_iter()
            .map(|&i| (keys[i], render::markdown_page(&handbook.pages[i])))
            .collect();
        self.last_rendered = fresh.len();
        self.markdown.extend(fresh);
        let rendered: Vec<Rendered> = keys.iter().map(|k| self.markdown[k].clone()).collect();
        // Forget pages that are gone, so memory follows the handbook's size.
        let current: std::collections::HashSet<u64> = keys.into_iter().collect();
        self.markdown.retain(|k, _| current.contains(k));
        rendered
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
        // Only the edited page's Markdown was rendered again...
        assert_eq!(rebuilder.last_rendered, 1);
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
}
