//! Watching the handbook and theme folders: file events from notify, with
//! editors' temporary files left out, gathered until the folder has been
//! quiet for a moment so that a save-as-temp-then-rename or a checkout of
//! many files gives one rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};

/// How long the folders must be quiet before a batch of changes is rebuilt.
/// An editor's temp-write-and-rename, or a checkout, sends its events well
/// within this; a longer wait would be felt on every save.
pub const QUIET: Duration = Duration::from_millis(50);
/// The longest a batch waits when changes never stop coming.
const LONGEST_BATCH: Duration = Duration::from_secs(2);
/// How often `--poll` scans the folders.
const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// What a batch of file changes asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Only Markdown pages changed (relative paths): pages whose Markdown did
    /// not change are rendered again from memory.
    Pages(BTreeSet<String>),
    /// A template, a theme file, handbook.yaml, the service map or another
    /// file changed: everything is read and rendered again.
    Everything,
}

/// Sorts changed paths into a [`Change`]. `root` is the handbook folder,
/// `theme` the theme folder laid over the default, if any, and `served`
/// says whether a relative path is a file of the site being served.
///
/// A file that is gone and was not part of the site (an editor's or a
/// tool's temporary file, written then renamed over a page) is ignored.
pub fn classify(
    paths: &[PathBuf],
    root: &Path,
    theme: Option<&Path>,
    served: &dyn Fn(&str) -> bool,
) -> Option<Change> {
    let mut pages = BTreeSet::new();
    let mut everything = false;
    for path in paths {
        if let Some(rel) = theme.and_then(|t| path.strip_prefix(t).ok()) {
            everything |= !is_editor_noise(rel);
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        if is_editor_noise(rel) {
            continue;
        }
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if rel.is_empty() {
            // The handbook folder itself (renamed, deleted): read it all again.
            everything = true;
            continue;
        }
        let rel = rel.join("/");
        if rel.ends_with(".md") {
            pages.insert(rel);
        } else if path.exists() || served(&rel) {
            everything = true;
        }
    }
    if everything {
        Some(Change::Everything)
    } else if pages.is_empty() {
        None
    } else {
        Some(Change::Pages(pages))
    }
}

/// Editors' swap, backup and lock files, and anything in a hidden folder
/// (`.git/`), never change the site. `rel` is relative to a watched folder.
pub fn is_editor_noise(rel: &Path) -> bool {
    let hidden = rel.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.') && name != "." && name != ".."
    });
    let Some(name) = rel.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    hidden
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.starts_with(".#")
        || name.starts_with('#')
        // Vim checks that it can write a folder by creating this file.
        || name == "4913"
}

/// Whether a notify event says something may have changed (opening or
/// reading a file, which every rebuild does, is not a change).
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        // The polling watcher reports a new modification time this way.
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime)) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

/// A running watcher and the paths it reports.
pub struct Watcher {
    inner: Box<dyn notify::Watcher + Send>,
    events: Receiver<Vec<PathBuf>>,
    watched: Vec<PathBuf>,
}

impl Watcher {
    /// Starts watching `dirs` (recursively); `poll` scans them instead of
    /// relying on the system's file events.
    pub fn new(dirs: &[PathBuf], poll: bool) -> notify::Result<Watcher> {
        let (tx, events) = channel();
        let handler = move |result: notify::Result<notify::Event>| {
            if let Ok(event) = result
                && is_change(&event.kind)
            {
                // The receiver is gone only when serve is stopping.
                let _ = tx.send(event.paths);
            }
        };
        let inner: Box<dyn notify::Watcher + Send> = if poll {
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                // Modification times are compared in whole seconds, so
                // contents are compared too: an edit in the same second counts.
                .with_compare_contents(true);
            Box::new(PollWatcher::new(handler, config)?)
        } else {
            Box::new(RecommendedWatcher::new(handler, notify::Config::default())?)
        };
        let mut watcher = Watcher {
            inner,
            events,
            watched: Vec::new(),
        };
        watcher.watch_only(dirs)?;
        Ok(watcher)
    }

    /// Watches exactly `dirs` from now on (the theme folder can change when
    /// handbook.yaml names another theme).
    pub fn watch_only(&mut self, dirs: &[PathBuf]) -> notify::Result<()> {
        // A folder inside another watched folder is already covered.
        let mut wanted: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            if !wanted.iter().any(|w| dir.starts_with(w)) {
                wanted.retain(|w| !w.starts_with(&dir));
                wanted.push(dir);
            }
        }
        for old in self.watched.clone() {
            if !wanted.contains(&old) {
                let _ = self.inner.unwatch(&old);
                self.watched.retain(|w| *w != old);
            }
        }
        for dir in wanted {
            if !self.watched.contains(&dir) {
                self.inner.watch(&dir, RecursiveMode::Recursive)?;
                self.watched.push(dir);
            }
        }
        Ok(())
    }

    /// Waits for the next change, then gathers every path that changes
    /// until the folders have been quiet for [`QUIET`]. `None` when the
    /// watcher has stopped.
    pub fn next_batch(&self) -> Option<Vec<PathBuf>> {
        let mut paths = self.events.recv().ok()?;
        let started = Instant::now();
        loop {
            match self.events.recv_timeout(QUIET) {
                Ok(more) => paths.extend(more),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
            if started.elapsed() > LONGEST_BATCH {
                break;
            }
        }
        paths.sort();
        paths.dedup();
        Some(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn a_page_edit_is_a_page_change() {
        let change = classify(
            &paths(&["/h/content/policy/a.md", "/h/content/index.md"]),
            Path::new("/h/content"),
            None,
            &|_| true,
        );
        let expected: BTreeSet<String> = ["index.md", "policy/a.md"].map(String::from).into();
        assert_eq!(change, Some(Change::Pages(expected)));
    }

    #[test]
    fn config_services_theme_and_assets_change_everything() {
        let root = Path::new("/h/content");
        let theme = Path::new("/h/themes/mine");
        for path in [
            "/h/content/handbook.yaml",
            "/h/content/services.yaml",
            "/h/content/services/local.yaml",
            "/h/content/parents/images/a.png",
            "/h/themes/mine/templates/page.html",
            "/h/themes/mine/static/site.css",
        ] {
            let batch = paths(&["/h/content/index.md", path]);
            assert_eq!(
                classify(&batch, root, Some(theme), &|_| true),
                Some(Change::Everything),
                "{path}"
            );
        }
    }

    #[test]
    fn a_temporary_file_that_is_gone_is_ignored() {
        // `sed -i` and many editors write a temporary file, then rename it
        // over the page.
        let root = Path::new("/nonexistent/content");
        let batch = paths(&[
            "/nonexistent/content/a/sedX1y2z3",
            "/nonexistent/content/a/b.md",
        ]);
        let pages = BTreeSet::from(["a/b.md".to_string()]);
        assert_eq!(
            classify(&batch, root, None, &|_| false),
            Some(Change::Pages(pages))
        );
        // A deleted picture that the site had is a change to everything.
        let batch = paths(&["/nonexistent/content/a/picture.png"]);
        assert_eq!(
            classify(&batch, root, None, &|rel| rel == "a/picture.png"),
            Some(Change::Everything)
        );
    }

    #[test]
    fn editor_temporary_files_are_ignored() {
        let root = Path::new("/h/content");
        for path in [
            "/h/content/policy/.a.md.swp",
            "/h/content/policy/a.md~",
            "/h/content/policy/.#a.md",
            "/h/content/policy/#a.md#",
            "/h/content/policy/4913",
            "/h/content/.git/index",
            "/h/content/policy/a.md.tmp",
        ] {
            assert_eq!(
                classify(&paths(&[path]), root, None, &|_| true),
                None,
                "{path}"
            );
        }
        assert!(!is_editor_noise(Path::new("policy/a.md")));
        // Only the part inside the handbook folder counts.
        let change = classify(
            &paths(&["/tmp/.tmp1/content/a.md"]),
            Path::new("/tmp/.tmp1/content"),
            None,
            &|_| true,
        );
        assert!(change.is_some());
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::WriteTime
        ))));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
    }

    #[test]
    fn a_burst_of_writes_is_one_batch() {
        let dir = tempfile::tempdir().unwrap();
        let watcher = Watcher::new(&[dir.path().to_path_buf()], false).unwrap();
        for i in 0..50 {
            std::fs::write(dir.path().join(format!("p{i}.md")), "x").unwrap();
        }
        let batch = watcher.next_batch().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let Some(Change::Pages(pages)) = classify(&batch, &root, None, &|_| false) else {
            panic!("{batch:?}");
        };
        assert_eq!(pages.len(), 50);
    }
}
