//! The only stage that touches the output folder. A build is written to a
//! temporary folder beside it and swapped in only when complete, so a failed
//! build leaves the last good site as it was. A folder is replaced only if
//! handbook made it (it holds the marker file) or it is empty.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::render::{Content, OutputFile, Sink, Site};

/// Marks a folder as written by handbook, and so safe to replace.
pub const MARKER: &str = ".handbook-site";
const MARKER_TEXT: &str = "This folder was written by handbook and is replaced by every build.\n\
Do not keep your own files here: write them in the handbook folder instead.\n";

/// Writes `site` to `out`, replacing the previous build.
pub fn write(site: &Site, out: &Path, handbook_root: &Path) -> Result<(), Diagnostic> {
    let staging = Staging::new(out, handbook_root)?;
    site.files
        .par_iter()
        .try_for_each(|file| staging.write(file))?;
    staging.finish()
}

/// A build being written: each file goes into a temporary folder beside the
/// output as soon as it is made, and the folder replaces the output only
/// when the whole build succeeded. Dropped unfinished, it is deleted and the
/// last good site stays as it was.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    files: AtomicUsize,
    pages: AtomicUsize,
}

impl Staging {
    /// Checks `out` may be replaced, then makes the temporary folder.
    pub fn new(out: &Path, handbook_root: &Path) -> Result<Staging, Diagnostic> {
        check_target(out, handbook_root)?;
        let parent = parent_of(out);
        fs::create_dir_all(&parent).map_err(|e| {
            Diagnostic::error(
                &parent,
                0,
                0,
                format!("cannot create the output's parent folder: {e}"),
            )
        })?;
        let dir = tempfile::Builder::new()
            .prefix(".handbook-build-")
            .tempdir_in(&parent)
            .map_err(|e| {
                Diagnostic::error(
                    &parent,
                    0,
                    0,
                    format!("cannot create a temporary folder: {e}"),
                )
            })?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            files: AtomicUsize::new(0),
            pages: AtomicUsize::new(0),
        })
    }

    /// Writes one file (its folders are made on the first file in them).
    pub fn write(&self, file: &OutputFile) -> Result<(), Diagnostic> {
        let target = self.dir.path().join(&file.path);
        let write = |target: &Path| match &file.content {
            Content::Bytes(bytes) => fs::write(target, bytes),
            Content::Shared(bytes) => fs::write(target, bytes.as_slice()),
            Content::Copy(from) => fs::copy(from, target).map(|_| ()),
        };
        let result = write(&target);
        let result = match result {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(folder) = target.parent() {
                    fs::create_dir_all(folder).map_err(|e| io(folder, e))?;
                }
                write(&target)
            }
            other => other,
        };
        result.map_err(|e| match &file.content {
            Content::Copy(from) => {
                Diagnostic::error(from, 0, 0, format!("cannot copy to the site: {e}"))
            }
            Content::Bytes(_) | Content::Shared(_) => io(&target, e),
        })?;
        self.files.fetch_add(1, Ordering::Relaxed);
        if file.path.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Files and HTML pages written so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.files.load(Ordering::Relaxed),
            self.pages.load(Ordering::Relaxed),
        )
    }

    /// Marks the folder as handbook's and moves it into place.
    pub fn finish(self) -> Result<(), Diagnostic> {
        let marker = self.dir.path().join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| io(&marker, e))?;
        swap(self.dir, &self.out)
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<Option<OutputFile>, Diagnostic> {
        self.write(&file)?;
        Ok(None)
    }
}

/// Refuses an output folder that would lose the user's files: the handbook
/// folder itself, a folder that holds it or lies inside it, or any existing
/// non-empty folder handbook did not create.
pub fn check_target(out: &Path, handbook_root: &Path) -> Result<(), Diagnostic> {
    let refuse = |message: String| {
        Diagnostic::error(out, 0, 0, message)
            .with_hint("choose a new folder for the site, e.g. `-o public`; nothing was written")
    };
    let root = handbook_root
        .canonicalize()
        .unwrap_or_else(|_| handbook_root.to_path_buf());
    let resolved = resolve(out);
    if resolved == root || root.starts_with(&resolved) {
        return Err(refuse(format!(
            "refusing to write the site over {}: it holds the handbook",
            out.display()
        )));
    }
    if resolved.starts_with(&root) {
        return Err(refuse(format!(
            "refusing to write the site inside the handbook folder {}: it would be read back as content",
            handbook_root.display()
        )));
    }
    match fs::symlink_metadata(out) {
        Err(_) => Ok(()),
        Ok(meta) if !meta.is_dir() => Err(refuse(format!(
            "refusing to replace {}: it is a file, not a folder handbook made",
            out.display()
        ))),
        Ok(_) => {
            let marked = out.join(MARKER).is_file();
            let empty = fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if marked || empty {
                Ok(())
            } else {
                Err(refuse(format!(
                    "refusing to replace {}: the folder already exists and was not made by handbook",
                    out.display()
                )))
            }
        }
    }
}

/// An absolute, symlink-free form of `path`, even when it does not exist yet.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => resolve(parent).join(name),
        _ => absolute,
    }
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn io(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(path, 0, 0, format!("cannot write: {e}"))
}

/// Moves the finished build into place, keeping the old one until the new
/// one is there.
fn swap(staging: tempfile::TempDir, out: &Path) -> Result<(), Diagnostic> {
    let parent = parent_of(out);
    let old = if out.exists() {
        let holding = tempfile::Builder::new()
            .prefix(".handbook-old-")
            .tempdir_in(&parent)
            .map_err(|e| {
                Diagnostic::error(
                    &parent,
                    0,
                    0,
                    format!("cannot create a temporary folder: {e}"),
                )
            })?;
        let old = holding.path().join("site");
        fs::rename(out, &old).map_err(|e| {
            Diagnostic::error(out, 0, 0, format!("cannot move the old site aside: {e}"))
        })?;
        Some((holding, old))
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(e) = fs::rename(&staged, out) {
        if let Some((_, old)) = &old {
            let _ = fs::rename(old, out);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(Diagnostic::error(
            out,
            0,
            0,
            format!("cannot move the new site into place: {e}"),
        ));
    }
    // Dropping the holding folder deletes the old site; its folders are
    // emptied first, several at a time (a large site is thousands of files).
    if let Some((holding, old)) = old {
        remove_in_parallel(&old);
        drop(holding);
    }
    Ok(())
}

/// Removes what `dir` holds, each top-level folder on a thread of its own;
/// anything left is removed with the folder that holds it.
fn remove_in_parallel(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let folders: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    folders.par_iter().for_each(|folder| {
        let _ = fs::remove_dir_all(folder);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Site {
        Site {
            files: vec![OutputFile {
                path: "a/index.html".into(),
                content: Content::Bytes(text.as_bytes().to_vec()),
            }],
        }
    }

    #[test]
    fn writes_then_replaces_its_own_output() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("content");
        fs::create_dir(&root).unwrap();
        let out = tmp.path().join("public");
        write(&site("one"), &out, &root).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "one");
        write(&site("two"), &out, &root).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        let leftovers: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn refuses_folders_it_did_not_make() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("content");
        fs::create_dir(&root).unwrap();
        let mine = tmp.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("notes.txt"), "keep me").unwrap();
        assert!(write(&site("x"), &mine, &root).is_err());
        assert_eq!(
            fs::read_to_string(mine.join("notes.txt")).unwrap(),
            "keep me"
        );
        assert!(
            write(&site("x"), &root, &root)
                .unwrap_err()
                .message
                .contains("holds the handbook")
        );
        assert!(write(&site("x"), tmp.path(), &root).is_err());
        assert!(
            write(&site("x"), &root.join("public"), &root)
                .unwrap_err()
                .message
                .contains("inside the handbook")
        );
    }
}
