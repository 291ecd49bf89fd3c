//! Reading the handbook folder: which files there are, their text, their
//! front matter and YAML as raw records with positions. Nothing is validated
//! here beyond "is this readable YAML of the right shape".

pub mod frontmatter;
pub mod raw;
mod theme;
pub mod yaml;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
pub use theme::{Theme, load_theme};
pub use yaml::{Lines, Pos};

/// Everything read from a handbook folder.
#[derive(Debug, Default)]
pub struct Source {
    /// The handbook folder as the user named it (used in diagnostics).
    pub root: PathBuf,
    pub config: Option<ConfigSource>,
    /// Shared with `serve`'s cache, which keeps them between rebuilds.
    pub pages: Vec<Arc<PageSource>>,
    pub service_files: Vec<ServiceFileSource>,
    pub assets: Vec<Asset>,
}

#[derive(Debug)]
pub struct ConfigSource {
    pub path: PathBuf,
    pub text: String,
    pub raw: raw::RawConfig,
}

/// One Markdown file with its front matter split off and parsed.
#[derive(Debug, Clone)]
pub struct PageSource {
    /// Relative to the handbook folder, with `/` separators.
    pub rel: String,
    /// As the user would name it, for diagnostics.
    pub path: PathBuf,
    /// The front matter's YAML text, and the file line it starts on.
    pub front_text: Arc<str>,
    pub front_line: usize,
    pub front: raw::RawFrontMatter,
    /// The Markdown after the front matter, and the file line it starts on
    /// (shared: `serve` keeps pages between rebuilds without copying them).
    pub body: Arc<String>,
    pub body_line: usize,
    /// Where each of `front.services` is written in the file, found the
    /// first time a build asks (kept with the page between `serve`'s
    /// rebuilds, so that an unchanged page is not searched again).
    pub service_positions: OnceLock<Vec<Pos>>,
}

#[derive(Debug)]
pub struct ServiceFileSource {
    pub path: PathBuf,
    pub text: String,
    pub raw: raw::RawServiceFile,
}

/// A file copied to the output as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    pub rel: String,
    pub abs: PathBuf,
}

/// The largest file read as text; anything bigger is refused with an error
/// rather than risking memory on a runaway file.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the handbook at `root`. Problems with individual files are returned
/// as diagnostics; only an unreadable folder is an `Err`.
pub fn load(root: &Path) -> Result<(Source, Vec<Diagnostic>), Diagnostic> {
    load_with(root, None)
}

/// Files as an earlier load read them (serve keeps one between rebuilds).
/// A service file whose text has not changed is not parsed again; a page
/// whose file has the same size and modification time is not read again,
/// unless it was named to [`Cache::forget_pages`].
#[derive(Default)]
pub struct Cache {
    services: Mutex<FxHashMap<PathBuf, (String, raw::RawServiceFile)>>,
    pages: RwLock<FxHashMap<String, (Stamp, Arc<PageSource>)>>,
}

/// What tells a file from an earlier version of itself without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: std::time::SystemTime,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
        })
    }
}

impl Cache {
    /// Forgets the pages at these paths (relative to the handbook folder),
    /// so they are read again even if their size and time look the same
    /// (some file systems keep times only to the second or two).
    pub fn forget_pages<'a>(&self, rels: impl IntoIterator<Item = &'a str>) {
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        for rel in rels {
            pages.remove(rel);
        }
    }

    /// Forgets every page.
    pub fn forget_all_pages(&self) {
        self.pages
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The page at `rel` as read before, if its file still has `stamp`.
    fn page(&self, rel: &str, stamp: Stamp) -> Option<Arc<PageSource>> {
        // Read by every thread at once; written only for pages read anew.
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        pages
            .get(rel)
            .filter(|(kept, _)| *kept == stamp)
            .map(|(_, page)| Arc::clone(page))
    }

    /// Keeps `page`, read from a file that had `stamp`.
    fn keep_page(&self, stamp: Stamp, page: &Arc<PageSource>) {
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        pages.insert(page.rel.clone(), (stamp, Arc::clone(page)));
    }

    /// Forgets the pages not in `here` (their files are gone).
    fn keep_only(&self, here: &FxHashSet<&str>) {
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        pages.retain(|rel, _| here.contains(rel.as_str()));
    }
}

/// `load`, taking unchanged service files and pages from `cache` and
/// keeping there the ones it reads.
pub fn load_with(
    root: &Path,
    cache: Option<&Cache>,
) -> Result<(Source, Vec<Diagnostic>), Diagnostic> {
    let meta = std::fs::metadata(root).map_err(|e| {
        Diagnostic::error(root, 0, 0, format!("cannot read the handbook folder: {e}"))
            .with_hint("pass the folder that holds handbook.yaml, e.g. `handbook build content`")
    })?;
    if !meta.is_dir() {
        return Err(Diagnostic::error(
            root,
            0,
            0,
            "the handbook must be a folder",
        ));
    }
    let canonical_root = root.canonicalize().map_err(|e| {
        Diagnostic::error(
            root,
            0,
            0,
            format!("cannot resolve the handbook folder: {e}"),
        )
    })?;

    let mut diagnostics = Vec::new();
    let files = crate::timings::phase("walk", || walk(root, &canonical_root, &mut diagnostics));

    let mut source = Source {
        root: root.to_path_buf(),
        ..Source::default()
    };
    let mut page_files = Vec::new();
    let mut service_paths = Vec::new();
    for rel in files {
        let abs = root.join(&rel);
        if rel == "handbook.yaml" {
            match read_text(&abs) {
                Ok(text) => match yaml::parse::<raw::RawConfig>(&text, &abs, 1) {
                    Ok(raw) => {
                        source.config = Some(ConfigSource {
                            path: abs,
                            text,
                            raw,
                        })
                    }
                    Err(d) => {
                        diagnostics.push(d);
                        // A stand-in title, so the broken file is not also reported as empty.
                        let raw = raw::RawConfig {
                            title: Some("(handbook.yaml could not be read)".into()),
                            ..Default::default()
                        };
                        source.config = Some(ConfigSource {
                            path: abs,
                            text,
                            raw,
                        });
                    }
                },
                Err(d) => diagnostics.push(d),
            }
        } else if rel == "services.yaml"
            || (rel.starts_with("services/")
                && rel.ends_with(".yaml")
                && rel.matches('/').count() == 1)
        {
            service_paths.push((rel, abs));
        } else if rel.ends_with(".md") {
            page_files.push((rel, abs));
        } else {
            source.assets.push(Asset { rel, abs });
        }
    }
    if source.config.is_none()
        && !diagnostics
            .iter()
            .any(|d| d.path.ends_with("handbook.yaml"))
    {
        diagnostics.push(
            Diagnostic::error(root.join("handbook.yaml"), 0, 0, "handbook.yaml is missing")
                .with_hint("every handbook needs handbook.yaml with at least `title:`; `handbook new` writes one"),
        );
    }

    // services.yaml first, then services/*.yaml in name order.
    service_paths
        .sort_by(|a, b| (a.0 != "services.yaml", &a.0).cmp(&(b.0 != "services.yaml", &b.0)));
    // The service map is parsed while the pages are read (a large map takes
    // as long as thousands of pages).
    let read_services = || -> Vec<Result<ServiceFileSource, Diagnostic>> {
        service_paths
            .into_iter()
            .map(|(_, abs)| {
                read_text(&abs).and_then(|text| {
                    let cached = cache.and_then(|c| {
                        let kept = c.services.lock().unwrap_or_else(|e| e.into_inner());
                        kept.get(&abs)
                            .filter(|(t, _)| *t == text)
                            .map(|(_, raw)| raw.clone())
                    });
                    let raw = match cached {
                        Some(raw) => raw,
                        None => {
                            let raw = yaml::parse::<raw::RawServiceFile>(&text, &abs, 1)?;
                            if let Some(c) = cache {
                                c.services
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .insert(abs.clone(), (text.clone(), raw.clone()));
                            }
                            raw
                        }
                    };
                    Ok(ServiceFileSource {
                        path: abs.clone(),
                        text,
                        raw,
                    })
                })
            })
            .collect()
    };
    let read_pages = || -> Vec<Result<Arc<PageSource>, Diagnostic>> {
        if let Some(c) = cache {
            c.keep_only(&page_files.iter().map(|(rel, _)| rel.as_str()).collect());
        }
        page_files
            .into_par_iter()
            .map(|(rel, abs)| {
                // Taken before reading: a file changed in between is read
                // again next time.
                let stamp = cache.and_then(|_| Stamp::of(&abs));
                if let (Some(c), Some(stamp)) = (cache, stamp)
                    && let Some(page) = c.page(&rel, stamp)
                {
                    return Ok(page);
                }
                let text = read_text(&abs)?;
                let page = Arc::new(frontmatter::split(rel, abs, text)?);
                if let (Some(c), Some(stamp)) = (cache, stamp) {
                    c.keep_page(stamp, &page);
                }
                Ok(page)
            })
            .collect()
    };
    let (services, results) = rayon::join(read_services, read_pages);
    for result in services {
        match result {
            Ok(file) => source.service_files.push(file),
            Err(d) => diagnostics.push(d),
        }
    }
    for result in results {
        match result {
            Ok(page) => source.pages.push(page),
            Err(d) => diagnostics.push(d),
        }
    }
    source.pages.sort_by(|a, b| a.rel.cmp(&b.rel));
    source.assets.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok((source, diagnostics))
}

/// Whether a file or folder name is ignored (`.hidden`, `_private`, but not `_index.md`).
fn ignored(name: &str) -> bool {
    (name.starts_with('.') || name.starts_with('_')) && name != "_index.md"
}

/// The handbook's files, relative to `root` with `/` separators, in the
/// order of a walk visiting each folder's entries by name.
/// Symbolic links are followed only while they stay inside the handbook;
/// a link loop or a link out of the folder is a warning and is skipped.
fn walk(root: &Path, canonical_root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut files = Vec::new();
    // Sorted once at the end rather than folder by folder during the walk
    // (walkdir's sort takes each name apart from its path per comparison).
    let walker = WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(ignored(&e.file_name().to_string_lossy())
                    // A theme inside the handbook folder is not content.
                    || (e.depth() == 1 && e.file_name() == "themes" && e.file_type().is_dir()))
        });
    let mut walker = walker;
    // A large build's memory settings are made as soon as the walk has
    // found enough pages: before any page is read, and before the walk's
    // own memory grows.
    let mut pages = 0;
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop; skipped".to_string()
                } else {
                    format!(
                        "cannot read: {}; skipped",
                        err.io_error().map_or(err.to_string(), |e| e.to_string())
                    )
                };
                diagnostics.push(Diagnostic::warning(path, 0, 0, message));
                continue;
            }
        };
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|target| target.starts_with(canonical_root));
            if !inside {
                diagnostics.push(
                    Diagnostic::warning(entry.path(), 0, 0, "symbolic link to outside the handbook folder; skipped")
                        .with_hint("links are followed only inside the handbook folder; copy the file in instead"),
                );
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if entry.file_name().as_encoded_bytes().ends_with(b".md") {
            pages += 1;
            if pages == crate::memory::LARGE {
                crate::memory::fit_to(pages);
            }
        }
        if let Some(rel) = plain_rel(entry.path(), root) {
            files.push(rel.to_string());
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.push(rel.join("/"));
    }
    // A folder's entries by name, each folder's files where the folder
    // comes among its siblings: name by name along the path, which is byte
    // order with `/` below every byte a name can hold.
    files.sort_by(|a, b| {
        let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let key = |s: &str| {
            s.as_bytes()
                .get(common)
                .map(|&c| if c == b'/' { 0 } else { c })
        };
        key(a).cmp(&key(b))
    });
    files
}

/// `path` relative to `root`, when it is `root` followed by plain UTF-8
/// names joined by single `/` (as the walk makes them); `None` asks for the
/// component-by-component way.
fn plain_rel<'a>(path: &'a Path, root: &Path) -> Option<&'a str> {
    let rest = path
        .as_os_str()
        .as_encoded_bytes()
        .strip_prefix(root.as_os_str().as_encoded_bytes())?;
    let rest = std::str::from_utf8(rest).ok()?;
    let rel = match rest.strip_prefix('/') {
        Some(rel) => rel,
        None if root.as_os_str().as_encoded_bytes().ends_with(b"/") => rest,
        None => return None,
    };
    let plain = !rel.is_empty()
        && rel
            .split('/')
            .all(|name| !name.is_empty() && name != "." && name != "..");
    plain.then_some(rel)
}

/// Reads a text file, refusing what is not UTF-8 or is absurdly large.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    use std::io::Read;
    let io_error =
        |e: std::io::Error| Diagnostic::error(path, 0, 0, format!("cannot read file: {e}"));
    // The size from the open file: one call fewer than asking the path.
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > MAX_TEXT_BYTES {
        return Err(Diagnostic::error(
            path,
            0,
            0,
            format!(
                "file is {} MB; the most a handbook file may be is {} MB",
                size >> 20,
                MAX_TEXT_BYTES >> 20
            ),
        ));
    }
    // A file that grew since is read only to one byte past the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(Diagnostic::error(
            path,
            0,
            0,
            format!(
                "file is over {} MB, the most a handbook file may be",
                MAX_TEXT_BYTES >> 20
            ),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(Diagnostic::error(path, line, col, "file is not UTF-8 text")
                .with_hint("save the file as UTF-8 (most editors offer this under \"Save as\" or \"Encoding\")"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk's order is that of walkdir visiting each folder by name, and
    /// its relative paths those of taking the path apart by components.
    #[test]
    fn walk_matches_walkdir_sorted_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "a.md",
            "a/b.md",
            "a-b/c.md",
            "a b/d.md",
            "A/e.md",
            "a0/f.md",
            "é/g.md",
            "z.md",
            "a/a/a.md",
            "a/a.md",
            "a/a-a.md",
            "ab.md",
            "a.md.txt",
            "b/_index.md",
            "c/.x/h.md",
            "_y/i.md",
            "services/one.yaml",
        ];
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let base = dir.path().to_str().unwrap().to_string();
        for root in [
            base.clone(),
            format!("{base}/"),
            format!("{base}/."),
            format!("{base}//"),
        ] {
            let root = Path::new(&root);
            let canonical = root.canonicalize().unwrap();
            let mut diagnostics = Vec::new();
            let files = walk(root, &canonical, &mut diagnostics);
            let expected: Vec<String> = WalkDir::new(root)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.depth() == 0 || !ignored(&e.file_name().to_string_lossy()))
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    let rel = e.path().strip_prefix(root).unwrap();
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    parts.join("/")
                })
                .collect();
            assert_eq!(files, expected, "{}", root.display());
            assert!(diagnostics.is_empty());
        }
    }

    #[test]
    fn plain_relative_paths() {
        let cases = [
            ("content/a/b.md", "content", Some("a/b.md")),
            ("content/a/b.md", "content/", Some("a/b.md")),
            ("content/./a.md", "content/.", Some("a.md")),
            ("./a.md", ".", Some("a.md")),
            ("content", "content", None),
            ("content2/a.md", "content", None),
            ("content/a//b.md", "content", None),
            ("content/a/../b.md", "content", None),
        ];
        for (path, root, rel) in cases {
            assert_eq!(
                plain_rel(Path::new(path), Path::new(root)),
                rel,
                "{path} in {root}"
            );
            if let Some(rel) = rel {
                let parts: Vec<String> = Path::new(path)
                    .strip_prefix(root)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                assert_eq!(parts.join("/"), rel);
            }
        }
    }

    #[test]
    fn the_cache_reads_a_page_again_when_its_file_changes_or_it_is_forgotten() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("handbook.yaml"), "title: T\n").unwrap();
        let page = tmp.path().join("a.md");
        std::fs::write(&page, "---\ntitle: First\n---\n\nOne.\n").unwrap();
        let cache = Cache::default();
        let body = |cache: &Cache| {
            let (source, _) = load_with(tmp.path(), Some(cache)).unwrap();
            source
                .pages
                .iter()
                .map(|p| p.body.trim().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(body(&cache), ["One."]);
        assert_eq!(body(&cache), ["One."]);
        // Another size: read again.
        std::fs::write(&page, "---\ntitle: First\n---\n\nOne more.\n").unwrap();
        assert_eq!(body(&cache), ["One more."]);
        // The same size and modification time, as on a file system that
        // keeps times to the second: only forgetting the page reads it again.
        let modified = std::fs::metadata(&page).unwrap().modified().unwrap();
        std::fs::write(&page, "---\ntitle: First\n---\n\nOne mare.\n").unwrap();
        let file = std::fs::File::options().write(true).open(&page).unwrap();
        file.set_modified(modified).unwrap();
        drop(file);
        assert_eq!(body(&cache), ["One more."]);
        cache.forget_pages(["a.md"]);
        assert_eq!(body(&cache), ["One mare."]);
        // A page that is gone is gone, and forgotten.
        std::fs::write(tmp.path().join("b.md"), "---\ntitle: B\n---\n\nB.\n").unwrap();
        assert_eq!(body(&cache).len(), 2);
        std::fs::remove_file(&page).unwrap();
        assert_eq!(body(&cache), ["B."]);
        let kept: Vec<String> = cache.pages.read().unwrap().keys().cloned().collect();
        assert_eq!(kept, ["b.md"]);
        // What the cache gives is what a fresh load reads.
        let (fresh, _) = load(tmp.path()).unwrap();
        let (cached, _) = load_with(tmp.path(), Some(&cache)).unwrap();
        assert_eq!(format!("{:?}", fresh.pages), format!("{:?}", cached.pages));
    }

    #[test]
    fn the_cache_gives_what_parsing_gives_and_sees_edits() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("handbook.yaml"), "title: T\n").unwrap();
        let services = tmp.path().join("services.yaml");
        let entry = "services:\n  - id: a\n    name: First\n";
        std::fs::write(&services, entry).unwrap();
        let cache = Cache::default();
        let names = |source: &Source| -> Vec<String> {
            source.service_files[0]
                .raw
                .services
                .iter()
                .map(|s| format!("{:?}", s.name))
                .collect()
        };
        let (fresh, _) = load(tmp.path()).unwrap();
        let (first, _) = load_with(tmp.path(), Some(&cache)).unwrap();
        let (again, _) = load_with(tmp.path(), Some(&cache)).unwrap();
        assert_eq!(names(&first), names(&fresh));
        assert_eq!(names(&again), names(&fresh));
        std::fs::write(&services, entry.replace("First", "Second")).unwrap();
        let (edited, _) = load_with(tmp.path(), Some(&cache)).unwrap();
        assert_eq!(names(&edited), [format!("{:?}", Some("Second"))]);
        // A broken file is reported, not taken from the cache.
        std::fs::write(&services, "services: [").unwrap();
        let (_, diagnostics) = load_with(tmp.path(), Some(&cache)).unwrap();
        assert!(diagnostics.iter().any(|d| d.is_error()), "{diagnostics:?}");
    }
}
