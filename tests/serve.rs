//! End-to-end tests of `handbook serve`: the real binary on a free loopback
//! port, against a copy of tests/fixtures/serve.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Long enough never to be hit on a slow machine; only stops a broken test
/// from hanging.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `handbook serve`, killed when the test ends (even by a panic).
struct Serve {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `handbook serve content --port 0 ARGS…` in `cwd` and waits
    /// until it serves and watches.
    fn start(cwd: &Path, args: &[&str]) -> Serve {
        Serve::start_with(cwd, args, |_| {})
    }

    /// The same, with the command changed by `configure` first.
    fn start_with(cwd: &Path, args: &[&str], configure: impl FnOnce(&mut Command)) -> Serve {
        let mut command = common::bin();
        configure(&mut command);
        let mut child = command
            .current_dir(cwd)
            .args(["serve", "content", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the handbook binary runs");
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = stderr.clone();
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = err.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut serve = Serve {
            child,
            port: 0,
            stderr,
        };
        loop {
            let line = rx.recv_timeout(PATIENCE).unwrap_or_else(|_| {
                panic!("serve did not start: {}", serve.stderr.lock().unwrap())
            });
            if let Some(url) = line.split(" at http://127.0.0.1:").nth(1) {
                serve.port = url.trim_end_matches('/').parse().expect("a port");
            }
            if line.starts_with("Watching") {
                break;
            }
        }
        assert_ne!(serve.port, 0);
        serve
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for the terminal output to contain `text`: it is printed by
    /// another thread than the one that sends events, so it may come later.
    fn stderr_shows(&self, text: &str) -> bool {
        let deadline = std::time::Instant::now() + PATIENCE;
        while std::time::Instant::now() < deadline {
            if self.stderr().contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Sends a raw request line (so the path reaches the server unchanged).
    fn request(&self, method: &str, path: &str) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("a response");
        Response::parse(&raw)
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "GET /__handbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let mut events = Events { reader };
        // The headers end with an empty line.
        while !events.line().is_empty() {}
        events
    }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw).into_owned();
        let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = headers
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {headers:?}"));
        Response {
            status,
            headers: headers.to_ascii_lowercase(),
            body: body.to_string(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
    }
}

/// An open event stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("the stream stays open");
        line.trim_end_matches(['\r', '\n']).to_string()
    }

    /// The data of the next event called `name` (others are skipped).
    fn next(&mut self, name: &str) -> serde_json::Value {
        let started = Instant::now();
        let mut event = String::new();
        loop {
            assert!(started.elapsed() < PATIENCE, "no `{name}` event");
            let line = self.line();
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(data) = line.strip_prefix("data: ")
                && event == name
            {
                return serde_json::from_str(data).expect("JSON data");
            }
        }
    }
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

fn write(path: impl AsRef<Path>, text: &str) {
    std::fs::write(path, text).expect("writable");
}

#[test]
fn an_edit_reloads_an_error_shows_and_a_fix_clears_it() {
    let tmp = common::fixture("serve");
    let content = tmp.path().join("content");
    let serve = Serve::start(tmp.path(), &[]);
    let page = serve.get("/guide/first.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The original first page text."));
    assert!(page.body.contains("data-handbook-serve"));

    let mut events = serve.events();
    let hello = events.next("hello");
    assert_eq!(hello["errors"], serde_json::json!([]));
    let version = hello["version"].as_u64().unwrap();

    // An edit: one reload event naming the page, then the new HTML.
    let first = content.join("guide/first.md");
    let text = common::read(&first);
    write(&first, &text.replace("The original", "The edited"));
    let reload = events.next("reload");
    assert!(reload["version"].as_u64().unwrap() > version);
    assert!(strings(&reload["changed"]).contains(&"guide/first.html".to_string()));
    assert!(strings(&reload["pages"]).contains(&"guide/second.html".to_string()));
    assert_eq!(reload["css_only"], false);
    let page = serve.get("/guide/first.html");
    assert!(
        page.body.contains("The edited first page text."),
        "{}",
        page.body
    );

    // Broken front matter: the last good page is still served, and the
    // error reaches the terminal and the stream in the build's format.
    write(&first, "---\ntitle: [broken\n---\nBroken.\n");
    let errors = events.next("errors");
    let expected = "content/guide/first.md:2:8: error:";
    let texts: Vec<String> = errors["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert!(texts.iter().any(|t| t.starts_with(expected)), "{texts:?}");
    let page = serve.get("/guide/first.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The edited first page text."));
    assert!(serve.stderr_shows(expected), "{}", serve.stderr());
    // A page opened now hears about the errors straight away.
    let mut late = serve.events();
    let hello = late.next("hello");
    let late_texts: Vec<&str> = hello["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(late_texts, texts);

    // The fix: a reload with no errors, and the fixed page.
    write(&first, &text.replace("The original", "The fixed"));
    let reload = events.next("reload");
    assert_eq!(reload["errors"], serde_json::json!([]));
    assert!(
        serve
            .get("/guide/first.html")
            .body
            .contains("The fixed first page text.")
    );
    assert_eq!(late.next("reload")["version"], reload["version"]);

    // A deleted page is missing from the page list the browser is sent.
    std::fs::remove_file(content.join("guide/second.md")).unwrap();
    let reload = events.next("reload");
    let pages = strings(&reload["pages"]);
    assert!(
        !pages.contains(&"guide/second.html".to_string()),
        "{pages:?}"
    );
    assert!(pages.contains(&"guide/index.html".to_string()));
    assert_eq!(serve.get("/guide/second.html").status, 404);
}

#[test]
fn polling_sees_an_edit() {
    let tmp = common::fixture("serve");
    let serve = Serve::start(tmp.path(), &["--poll"]);
    let mut events = serve.events();
    events.next("hello");
    let index = tmp.path().join("content/index.md");
    write(
        &index,
        &common::read(&index).replace("Welcome.", "Hello again."),
    );
    let reload = events.next("reload");
    assert!(strings(&reload["changed"]).contains(&"index.html".to_string()));
    assert!(serve.get("/").body.contains("Hello again."));
}

#[test]
fn a_stylesheet_change_is_sent_as_css_only() {
    let tmp = common::fixture("serve");
    let static_dir = tmp.path().join("content/themes/default/static");
    std::fs::create_dir_all(&static_dir).unwrap();
    write(
        static_dir.join("handbook.css"),
        "body { color: #1a1a1a; }\n",
    );
    let serve = Serve::start(tmp.path(), &[]);
    let mut events = serve.events();
    events.next("hello");
    write(static_dir.join("handbook.css"), "body { color: #000; }\n");
    let reload = events.next("reload");
    assert_eq!(reload["css_only"], true, "{reload}");
    assert_eq!(strings(&reload["changed"]), ["static/handbook.css"]);
    assert_eq!(
        serve.get("/static/handbook.css").body,
        "body { color: #000; }\n"
    );
}

#[test]
fn only_files_of_the_site_are_served() {
    let tmp = common::fixture("serve");
    write(tmp.path().join("secret.txt"), "TOP SECRET");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        tmp.path().join("secret.txt"),
        tmp.path().join("content/guide/images/leak.svg"),
    )
    .unwrap();
    let serve = Serve::start(tmp.path(), &[]);
    for (path, status) in [
        ("/../secret.txt", 400),
        ("/../../../../etc/passwd", 400),
        ("/%2e%2e/secret.txt", 400),
        ("/guide/..%2f..%2fsecret.txt", 400),
        ("/guide/%2e%2e/%2e%2e/secret.txt", 400),
        ("/..%5csecret.txt", 400),
        ("/guide\\..\\..\\secret.txt", 400),
        ("/%00", 400),
        ("//etc/passwd", 400),
        ("/%2fetc/passwd", 400),
        ("/handbook.yaml", 404),
        ("/guide/first.md", 404),
        ("/guide/images/", 404),
        ("/guide/images/leak.svg", 404),
        ("/secret.txt", 404),
    ] {
        let response = serve.get(path);
        assert_eq!(response.status, status, "{path}");
        assert!(!response.body.contains("TOP SECRET"), "{path}");
        assert!(!response.body.contains("urgent_help"), "{path}");
    }
    // The picture that is part of the site is served, with its type.
    let picture = serve.get("/guide/images/dot.svg");
    assert_eq!(picture.status, 200);
    assert_eq!(picture.header("content-type"), Some("image/svg+xml"));
    assert!(
        serve
            .stderr()
            .contains("symbolic link to outside the handbook folder")
    );
}

#[test]
fn idle_connections_do_not_stop_others() {
    let tmp = common::fixture("serve");
    let serve = Serve::start(tmp.path(), &[]);
    let idle: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(("127.0.0.1", serve.port)).expect("connects"))
        .collect();
    let streams: Vec<Events> = (0..10).map(|_| serve.events()).collect();
    let home = serve.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome."));
    // A request half sent and left waiting does not block either.
    let mut half = TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    half.write_all(b"GET /index.html HTTP/1.1\r\nHo").unwrap();
    assert_eq!(serve.get("/guide/").status, 200);
    drop((idle, streams, half));
}

/// Lets the command's process have at most `limit` files and sockets open.
#[cfg(unix)]
fn limit_open_files(command: &mut Command, limit: u64) {
    use std::os::unix::process::CommandExt;
    let limit = libc::rlimit {
        rlim_cur: limit as libc::rlim_t,
        rlim_max: limit as libc::rlim_t,
    };
    // SAFETY: runs in the child between fork and exec, and only makes one
    // system call, which is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

#[cfg(unix)]
#[test]
fn running_out_of_file_descriptors_costs_only_the_connections_over_the_limit() {
    let tmp = common::fixture("serve");
    let serve = Serve::start_with(tmp.path(), &[], |command| limit_open_files(command, 64));
    // Connections kept open, each answered, until one is not: serve has no
    // file descriptor left for it (each open connection takes two).
    let mut open = Vec::new();
    for _ in 0..64 {
        let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        write!(stream, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut status = [0u8; 12];
        let answered = stream.read_exact(&mut status).is_ok();
        open.push(stream);
        if !answered {
            break;
        }
    }
    // Once they close, serve answers again.
    drop(open);
    let home = serve.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome."));
}

#[test]
fn head_404_and_content_types() {
    let tmp = common::fixture("serve");
    let serve = Serve::start(tmp.path(), &[]);
    let get = serve.get("/guide/first.html");
    let head = serve.request("HEAD", "/guide/first.html");
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(head.header("content-length"), get.header("content-length"));
    assert_eq!(
        head.header("content-type"),
        Some("text/html; charset=utf-8")
    );

    let missing = serve.get("/guide/no-such-page.html");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // The theme's 404 page, with the reload script.
    let built = common::run(tmp.path(), &["build", "content", "-o", "out"]);
    assert!(built.status.success(), "{}", common::stderr(&built));
    let not_found = common::read(tmp.path().join("out/404.html"));
    let title = not_found
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap();
    assert!(missing.body.contains(title), "{}", missing.body);
    assert!(missing.body.contains("data-handbook-serve"));

    assert_eq!(serve.get("/guide").status, 301);
    assert_eq!(serve.get("/guide").header("location"), Some("guide/"));
    assert_eq!(serve.request("POST", "/").status, 405);
    assert_eq!(
        serve.get("/static/handbook.css").header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        serve.get("/robots.txt").header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[test]
fn the_build_never_has_the_reload_script() {
    let tmp = common::fixture("serve");
    let built = common::run(tmp.path(), &["build", "content", "-o", "out"]);
    assert!(built.status.success(), "{}", common::stderr(&built));
    let files = common::all_files(&tmp.path().join("out"));
    assert!(files.iter().any(|(p, _)| p.ends_with(".html")));
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("data-handbook-serve"), "{path}");
        assert!(!text.contains("/__handbook/"), "{path}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let tmp = common::fixture("serve");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = common::bin()
        .current_dir(tmp.path())
        .args(["serve", "content", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr(&output);
    assert!(
        stderr.contains(&format!(
            "error: port {port} on 127.0.0.1 is already in use; choose another with `--port`"
        )),
        "{stderr}"
    );
}

#[test]
fn a_missing_folder_is_unreadable() {
    let tmp = tempfile::tempdir().unwrap();
    let output = common::run(tmp.path(), &["serve", "nowhere", "--port", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).starts_with("nowhere: error: cannot read the handbook folder"));
}

#[test]
fn a_handbook_that_never_built_shows_its_errors_until_fixed() {
    let tmp = common::fixture("serve");
    let first = tmp.path().join("content/guide/first.md");
    let good = common::read(&first);
    write(&first, "---\ntitle: [broken\n---\nBroken.\n");
    let serve = Serve::start(tmp.path(), &[]);
    let page = serve.get("/guide/first.html");
    assert_eq!(page.status, 503);
    assert!(
        page.body.contains("content/guide/first.md:2:8: error:"),
        "{}",
        page.body
    );
    assert!(
        serve
            .stderr()
            .contains("content/guide/first.md:2:8: error:")
    );
    let mut events = serve.events();
    let hello = events.next("hello");
    // The broken page, and the home page's link to it.
    let texts: Vec<&str> = hello["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[1].starts_with("content/index.md:5:19: error: link to missing page guide/first.md")
    );
    write(&first, &good);
    let reload = events.next("reload");
    assert!(strings(&reload["changed"]).contains(&"guide/first.html".to_string()));
    let page = serve.get("/guide/first.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The original first page text."));
}

#[test]
fn a_theme_beside_the_handbook_is_watched() {
    let tmp = common::fixture("serve");
    let config = tmp.path().join("content/handbook.yaml");
    write(&config, &format!("{}theme: mine\n", common::read(&config)));
    let templates = tmp.path().join("themes/mine/templates");
    std::fs::create_dir_all(&templates).unwrap();
    let page = common::read(common::repo().join("themes/default/templates/page.html"));
    write(templates.join("page.html"), &page);
    let serve = Serve::start(tmp.path(), &[]);
    let mut events = serve.events();
    events.next("hello");
    write(
        templates.join("page.html"),
        &page.replacen(
            "{% block main %}",
            "{% block main %}<p>Theme edited.</p>",
            1,
        ),
    );
    let reload = events.next("reload");
    let changed = strings(&reload["changed"]);
    assert!(
        changed.contains(&"guide/first.html".to_string()),
        "{changed:?}"
    );
    assert!(
        serve
            .get("/guide/second.html")
            .body
            .contains("<p>Theme edited.</p>")
    );
}
