//! The HTTP side of `serve`: answers requests from the site in memory, and
//! keeps the event streams open. tiny_http reads requests with a thread per
//! connection, so idle or half-sent ones hold up no one (the copy in
//! vendor/tiny_http is patched so that this holds for every connection, and
//! so that running out of file descriptors does not stop it: see
//! PATCHES.md there); each request is then answered on a thread of its own,
//! so a slow client or a long-lived event stream never holds up the next
//! request either.

use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::http::{Reply, content_type, percent_encode, site_path};
use super::reload::{self, EVENTS_PATH, Hub};
use crate::render::{Content, Site};

/// How often an idle event stream gets a comment, to notice closed pages.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The site being served, with an index by path.
pub struct Served {
    pub site: Site,
    index: HashMap<String, usize>,
    /// The handbook folder, canonical: copied files must be inside it.
    root: PathBuf,
    pub version: u64,
}

impl Served {
    pub fn new(site: Site, root: &Path, version: u64) -> Served {
        let index = site
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        Served {
            site,
            index,
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            version,
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.index.contains_key(path)
    }

    fn get(&self, path: &str) -> Option<&Content> {
        self.index.get(path).map(|&i| &self.site.files[i].content)
    }

    /// The bytes of a site file; copied files are read now, and only from
    /// inside the handbook folder (a symlink swapped in since the build
    /// cannot lead elsewhere).
    fn bytes(&self, content: &Content) -> Option<Vec<u8>> {
        match content {
            Content::Bytes(bytes) => Some(bytes.clone()),
            Content::Shared(bytes) => Some(bytes.to_vec()),
            Content::Copy(path) => {
                let real = path.canonicalize().ok()?;
                if !real.starts_with(&self.root) {
                    return None;
                }
                std::fs::read(real).ok()
            }
        }
    }
}

/// What every connection thread shares.
pub struct State {
    pub served: RwLock<Arc<Served>>,
    /// The errors of the last rebuild, when it failed (shown to pages that
    /// open while they last).
    pub errors: RwLock<Vec<reload::ErrorLine>>,
    pub hub: Hub,
}

impl State {
    pub fn new(served: Served, errors: Vec<reload::ErrorLine>) -> State {
        State {
            served: RwLock::new(Arc::new(served)),
            errors: RwLock::new(errors),
            hub: Hub::default(),
        }
    }

    pub fn current(&self) -> Arc<Served> {
        self.served
            .read()
            .expect("no thread panics holding the lock")
            .clone()
    }
}

/// Starts answering requests on `listener` in the background.
pub fn start(listener: TcpListener, state: Arc<State>) -> std::io::Result<()> {
    let server = tiny_http::Server::from_listener(listener, None).map_err(std::io::Error::other)?;
    std::thread::Builder::new()
        .name("serve-requests".into())
        .spawn(move || {
            for request in server.incoming_requests() {
                let state = state.clone();
                // A thread that cannot start drops the request, which
                // tiny_http answers with a 500; serve carries on.
                let _ = std::thread::Builder::new()
                    .name("serve-request".into())
                    .spawn(move || respond(request, &state));
            }
        })?;
    Ok(())
}

/// Answers one request.
fn respond(request: Request, state: &State) {
    if *request.http_version() < (1, 0) {
        send(request, Reply::text(400, "Only HTTP/1 is spoken here.\n"));
        return;
    }
    let head_only = *request.method() == Method::Head;
    if *request.method() != Method::Get && !head_only {
        let mut reply = Reply::text(405, "Only GET and HEAD are supported.\n");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        send(request, reply);
        return;
    }
    let path = match site_path(request.url()) {
        Ok(path) => path,
        Err(reason) => {
            send(request, Reply::text(400, reason));
            return;
        }
    };
    if path == EVENTS_PATH {
        events(request, state, head_only);
        return;
    }
    let served = state.current();
    let reply = if served.site.files.is_empty() {
        let errors = state
            .errors
            .read()
            .expect("no thread panics holding the lock")
            .clone();
        not_built(&errors, served.version)
    } else {
        answer(&served, &path)
    };
    send(request, reply);
}

/// Sends `reply` with its length (tiny_http leaves out the body for HEAD).
fn send(request: Request, reply: Reply) {
    let headers = reply
        .headers
        .iter()
        .map(|(name, value)| header(name, value))
        .chain([header("X-Content-Type-Options", "nosniff")])
        .collect();
    let length = reply.body.len();
    let response = Response::new(
        StatusCode(reply.status),
        headers,
        Cursor::new(reply.body),
        Some(length),
        None,
    )
    // Never chunked: every answer has its Content-Length, HEAD too.
    .with_chunked_threshold(usize::MAX);
    // A client that left is no concern of serve's.
    let _ = request.respond(response);
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .expect("header names and values made here are ASCII")
}

/// What every path gives while there has never been a good build: the
/// errors, in the page itself, and the script that reloads once they are
/// fixed.
fn not_built(errors: &[reload::ErrorLine], version: u64) -> Reply {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>The handbook did not build</title>\n</head>\n<body>\n<main>\n\
         <h1>The handbook did not build</h1>\n\
         <p>Fix the problems below and save; this page reloads when the handbook builds.</p>\n<pre>",
    );
    for error in errors {
        html.push_str(&crate::render::escape_html(&error.text));
        html.push('\n');
    }
    html.push_str("</pre>\n</main>\n</body>\n</html>\n");
    let mut reply = file_reply(503, "index.html", html.into_bytes(), version);
    reply.headers.push(("Retry-After", "1".into()));
    reply
}

/// What a GET of `path` (a site path, checked by [`site_path`]) gives.
fn answer(served: &Served, path: &str) -> Reply {
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    if let Some(bytes) = served.get(&file).and_then(|c| served.bytes(c)) {
        return file_reply(200, &file, bytes, served.version);
    }
    // A folder named without its final slash: send the browser to the
    // slashed URL so the page's relative links work.
    if served.get(&format!("{file}/index.html")).is_some() {
        let last = file.rsplit('/').next().unwrap_or_default();
        let mut reply = Reply::text(301, "Moved.\n");
        reply
            .headers
            .push(("Location", format!("{}/", percent_encode(last))));
        return reply;
    }
    match served.get("404.html").and_then(|c| served.bytes(c)) {
        Some(bytes) => file_reply(404, &file, bytes, served.version),
        None => Reply::text(404, "Not found.\n"),
    }
}

fn file_reply(status: u16, path: &str, bytes: Vec<u8>, version: u64) -> Reply {
    let kind = content_type(path);
    let body = if kind.starts_with("text/html") {
        reload::inject(&bytes, path, version)
    } else {
        bytes
    };
    Reply {
        status,
        headers: vec![
            ("Content-Type", kind.into()),
            ("Cache-Control", "no-store".into()),
        ],
        body,
    }
}

/// Keeps an event stream open: a `hello` first, then every broadcast
/// message, with a comment now and then to notice a closed page.
fn events(request: Request, state: &State, head_only: bool) {
    let messages = state.hub.subscribe();
    let hello = reload::message(
        "hello",
        &reload::Hello {
            version: state.current().version,
            errors: state
                .errors
                .read()
                .expect("no thread panics holding the lock")
                .clone(),
        },
    );
    let response = Response::empty(200)
        .with_header(header("Content-Type", "text/event-stream"))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    // tiny_http writes the head with no length and no chunking (the stream
    // ends when the connection closes), flushes it and hands over the
    // connection: each event is written and flushed here as it comes. (A
    // response body would go through a chunk buffer that io::copy never
    // flushes, holding small events back.) It also sends `Connection:
    // upgrade` and `Upgrade: handbook-events`, which on a 200 only name a
    // protocol the client may ask for; browsers ignore them.
    let mut stream = request.upgrade("handbook-events", response);
    if head_only {
        return;
    }
    let mut next = hello;
    loop {
        if stream.write_all(next.as_bytes()).is_err() || stream.flush().is_err() {
            return;
        }
        next = match messages.recv_timeout(KEEP_ALIVE) {
            Ok(message) => message,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": still here\n\n".into(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::OutputFile;

    fn served() -> Served {
        let file = |p: &str, c: &str| OutputFile {
            path: p.into(),
            content: Content::Bytes(c.as_bytes().to_vec()),
        };
        let site = Site {
            files: vec![
                file("index.html", "<body>home</body>"),
                file("policy/index.html", "<body>policy</body>"),
                file("policy/a.html", "<body>a</body>"),
                file("404.html", "<body>missing</body>"),
                file("static/x.css", "p{}"),
            ],
        };
        Served::new(site, Path::new("."), 1)
    }

    fn body(reply: Reply) -> (u16, String) {
        (reply.status, String::from_utf8(reply.body).unwrap())
    }

    #[test]
    fn folders_serve_their_index_and_nothing_else_is_listed() {
        let served = served();
        let (status, html) = body(answer(&served, ""));
        assert_eq!(status, 200);
        assert!(html.contains("home") && html.contains("data-handbook-serve"));
        assert!(body(answer(&served, "policy/")).1.contains("policy"));
        let moved = answer(&served, "policy");
        assert_eq!(
            (moved.status, moved.header("location")),
            (301, Some("policy/"))
        );
        let (status, html) = body(answer(&served, "static/"));
        assert_eq!(status, 404);
        assert!(html.contains("missing"));
        let css = answer(&served, "static/x.css");
        assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
        let (status, css) = body(css);
        assert_eq!((status, css.as_str()), (200, "p{}"));
    }

    #[test]
    fn before_any_good_build_every_page_shows_the_errors_escaped() {
        let errors = vec![reload::ErrorLine {
            text: "content/a.md:1:1: error: <script>bad</script>".into(),
        }];
        let reply = not_built(&errors, 1);
        assert_eq!(reply.status, 503);
        let html = String::from_utf8(reply.body).unwrap();
        assert!(html.contains("content/a.md:1:1: error: &lt;script&gt;bad&lt;/script&gt;"));
        assert!(!html.contains("<script>bad"));
        assert!(html.contains("data-handbook-serve"));
    }
}
