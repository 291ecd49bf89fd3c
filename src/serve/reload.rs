//! The reload channel: Server-Sent Events that tell every open page what
//! changed, and the small script that `serve` (never `build`) puts into the
//! HTML it sends so the page can listen.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::render::{Content, Site, json_for_script};

/// The path the event stream is served on; reserved, never a site file.
pub const EVENTS_PATH: &str = "__handbook/events";

/// The open event streams.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Sender<String>>>,
}

impl Hub {
    /// A new listener; it hears every message sent after this call.
    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        self.clients
            .lock()
            .expect("no thread panics holding the lock")
            .push(tx);
        rx
    }

    /// Sends one SSE message to every listener, forgetting those that left.
    pub fn broadcast(&self, message: &str) {
        self.clients
            .lock()
            .expect("no thread panics holding the lock")
            .retain(|tx| tx.send(message.to_string()).is_ok());
    }
}

/// What a successful rebuild changed, as sent to the pages.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Reload {
    /// Counts successful builds; a page built from an older version reloads.
    pub version: u64,
    /// Site paths whose content changed, appeared or went.
    pub changed: Vec<String>,
    /// Every HTML page the site now has.
    pub pages: Vec<String>,
    /// Only stylesheets changed: swap them without reloading.
    pub css_only: bool,
    /// Always empty: a good build clears any error overlay.
    pub errors: Vec<ErrorLine>,
}

/// One diagnostic for the overlay.
#[derive(Debug, Serialize, PartialEq, Eq, Clone)]
pub struct ErrorLine {
    /// As the terminal shows it: `path:line:col: error: message` and the hint.
    pub text: String,
}

/// A failed rebuild: the errors to show over every open page.
#[derive(Debug, Serialize)]
pub struct Errors {
    pub version: u64,
    pub errors: Vec<ErrorLine>,
}

/// Sent to each new listener: which version it should be showing, and any
/// errors now.
#[derive(Debug, Serialize)]
pub struct Hello {
    pub version: u64,
    pub errors: Vec<ErrorLine>,
}

pub fn error_lines(diagnostics: &[Diagnostic]) -> Vec<ErrorLine> {
    diagnostics
        .iter()
        .map(|d| ErrorLine {
            text: d.to_string(),
        })
        .collect()
}

/// One SSE message: `event: NAME` and the JSON on one `data:` line.
pub fn message(event: &str, data: &impl Serialize) -> String {
    let json = serde_json::to_string(data).expect("serialising plain data cannot fail");
    format!("event: {event}\ndata: {json}\n\n")
}

/// Compares two builds. `touched` says whether a file copied as it is
/// changed on disk (their bytes are not in memory to compare).
pub fn diff(old: &Site, new: &Site, version: u64, touched: &dyn Fn(&Path) -> bool) -> Reload {
    let mut changed = BTreeSet::new();
    let old_files: HashMap<&str, &Content> = old
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.content))
        .collect();
    let new_paths: HashSet<&str> = new.files.iter().map(|f| f.path.as_str()).collect();
    for file in &new.files {
        let same = old_files
            .get(file.path.as_str())
            .is_some_and(|o| match (o, &file.content) {
                (Content::Copy(a), Content::Copy(b)) => a == b && !touched(b),
                // A page kept from the last build is the same bytes.
                (Content::Shared(a), Content::Shared(b)) if Arc::ptr_eq(a, b) => true,
                (a, b) => a.bytes().is_some_and(|a| Some(a) == b.bytes()),
            });
        if !same {
            changed.insert(file.path.clone());
        }
    }
    for file in &old.files {
        if !new_paths.contains(file.path.as_str()) {
            changed.insert(file.path.clone());
        }
    }
    let css_only = !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css"));
    Reload {
        version,
        changed: changed.into_iter().collect(),
        pages: new
            .files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .map(|f| f.path.clone())
            .collect(),
        css_only,
        errors: Vec::new(),
    }
}

/// The listening script (see live.js).
const SCRIPT: &str = include_str!("live.js");

/// Puts the listening script into an HTML page, before `</body>` (or at the
/// end). `path` is the site path the page is served as.
pub fn inject(html: &[u8], path: &str, version: u64) -> Vec<u8> {
    #[derive(Serialize)]
    struct Config<'a> {
        path: &'a str,
        version: u64,
        events: String,
    }
    let config = json_for_script(&Config {
        path,
        version,
        events: format!("/{EVENTS_PATH}"),
    });
    let tag = format!("<script data-handbook-serve>\n{SCRIPT}({config});\n</script>\n");
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::OutputFile;
    use std::path::PathBuf;

    fn site(files: &[(&str, &str)]) -> Site {
        Site {
            files: files
                .iter()
                .map(|(p, c)| OutputFile {
                    path: p.to_string(),
                    content: Content::Bytes(c.as_bytes().to_vec()),
                })
                .collect(),
        }
    }

    #[test]
    fn diff_names_changed_added_and_removed_files() {
        let old = site(&[("index.html", "a"), ("a.html", "a"), ("static/x.css", "x")]);
        let new = site(&[("index.html", "b"), ("b.html", "b"), ("static/x.css", "x")]);
        let reload = diff(&old, &new, 2, &|_| false);
        assert_eq!(reload.changed, ["a.html", "b.html", "index.html"]);
        assert_eq!(reload.pages, ["index.html", "b.html"]);
        assert!(!reload.css_only);
    }

    #[test]
    fn a_copied_file_changed_when_it_was_touched() {
        let copy = |p: &str| Site {
            files: vec![OutputFile {
                path: p.into(),
                content: Content::Copy(PathBuf::from("content").join(p)),
            }],
        };
        let old = copy("a.png");
        assert!(diff(&old, &old, 2, &|_| false).changed.is_empty());
        let touched = |p: &Path| p == Path::new("content/a.png");
        assert_eq!(diff(&old, &old, 2, &touched).changed, ["a.png"]);
    }

    #[test]
    fn shared_bytes_compare_by_their_contents() {
        let file = |content: Content| Site {
            files: vec![OutputFile {
                path: "a.html".into(),
                content,
            }],
        };
        let kept = Arc::new(b"page".to_vec());
        let old = file(Content::Shared(kept.clone()));
        for same in [
            Content::Shared(kept),
            Content::Shared(Arc::new(b"page".to_vec())),
            Content::Bytes(b"page".to_vec()),
        ] {
            assert!(diff(&old, &file(same), 2, &|_| false).changed.is_empty());
        }
        let other = file(Content::Bytes(b"other".to_vec()));
        assert_eq!(diff(&old, &other, 2, &|_| false).changed, ["a.html"]);
        assert_eq!(diff(&other, &old, 2, &|_| false).changed, ["a.html"]);
    }

    #[test]
    fn a_stylesheet_change_alone_is_css_only() {
        let old = site(&[("index.html", "a"), ("static/x.css", "x")]);
        let new = site(&[("index.html", "a"), ("static/x.css", "y")]);
        let reload = diff(&old, &new, 2, &|_| false);
        assert_eq!(reload.changed, ["static/x.css"]);
        assert!(reload.css_only);
        assert!(!diff(&new, &new, 3, &|_| false).css_only);
    }

    #[test]
    fn the_script_goes_before_the_body_ends_and_cannot_break_out() {
        let html = b"<html><body><p>Hi</p></body></html>";
        let out = String::from_utf8(inject(html, "a/</script>.html", 7)).unwrap();
        let script = out.find("<script data-handbook-serve>").unwrap();
        assert!(script > out.find("<p>Hi</p>").unwrap());
        assert!(out.ends_with("</script>\n</body></html>"), "{out}");
        assert!(out.contains("\"version\":7"));
        assert!(!out.contains("a/</script>"));
        // A page without </body> gets the script at the end.
        assert!(
            String::from_utf8(inject(b"<p>x", "x.html", 1))
                .unwrap()
                .starts_with("<p>x<script")
        );
    }

    #[test]
    fn messages_are_one_event_with_one_data_line() {
        let m = message(
            "errors",
            &Errors {
                version: 1,
                errors: vec![ErrorLine {
                    text: "a.md:1:1: error: bad\n  hint: fix".into(),
                }],
            },
        );
        assert!(m.starts_with("event: errors\ndata: {"));
        assert_eq!(m.matches('\n').count(), 3, "{m}");
    }
}
