//! `handbook serve`: build the handbook in memory, serve it, watch the
//! handbook and theme folders, rebuild on change and tell every open page.
//! Nothing is written to disk.
//!
//! watch (watcher.rs) → rebuild from memory (rebuild.rs) → swap the served
//! site (server.rs) → tell the pages (reload.rs)

mod http;
mod rebuild;
mod reload;
mod server;
mod watcher;

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::diagnostic::Diagnostic;
use crate::{CompileOptions, Failure};
pub use http::{content_type, site_path};
pub use rebuild::Rebuilder;
pub use watcher::{Change, classify};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub dir: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port (the address is printed).
    pub port: u16,
    pub compile: CompileOptions,
    /// Open the site in the browser once it is served.
    pub open: bool,
    /// Scan the folders instead of relying on the system's file events.
    pub poll: bool,
}

/// Why serve stopped.
#[derive(Debug)]
pub enum ServeError {
    /// The handbook folder could not be read at all.
    Unreadable(Vec<Diagnostic>),
    /// Could not listen, or could not watch: a message for the terminal.
    Setup(String),
}

/// Serves the handbook until the process is stopped (Ctrl-C). Progress and
/// diagnostics are printed to the terminal as they happen.
pub fn serve(options: &ServeOptions) -> Result<(), ServeError> {
    let started = Instant::now();
    let mut rebuilder = Rebuilder::new(&options.dir, options.compile);
    let first = rebuilder.rebuild(&Change::Everything);
    let mut theme_dir = None;
    let (site, errors) = match first {
        Ok(compiled) => {
            print_all(&compiled.warnings);
            println!(
                "Built the {} edition: {} pages in {} ms.",
                options.compile.edition.name(),
                compiled.site.page_count(),
                started.elapsed().as_millis()
            );
            theme_dir = compiled.theme.dir.clone();
            (compiled.site, Vec::new())
        }
        Err(Failure::Unreadable(d)) => return Err(ServeError::Unreadable(d)),
        Err(Failure::Invalid(d)) => {
            print_failure(&d);
            (crate::render::Site::default(), d)
        }
    };
    let state = Arc::new(server::State::new(
        server::Served::new(site, &options.dir, 1),
        error_lines(&errors),
    ));

    let listener = listen(options.bind, options.port)?;
    let address = listener
        .local_addr()
        .map_err(|e| ServeError::Setup(format!("cannot read the listening address: {e}")))?;
    let url = url_for(address);
    server::start(listener, state.clone())
        .map_err(|e| ServeError::Setup(format!("cannot start the server: {e}")))?;

    let mut watcher = watcher::Watcher::new(&watch_list(&options.dir, &theme_dir), options.poll)
        .map_err(|e| {
            ServeError::Setup(format!(
                "cannot watch {}: {e} (try `--poll`)",
                options.dir.display()
            ))
        })?;

    println!(
        "Serving the {} edition at {url}",
        options.compile.edition.name()
    );
    if !options.bind.is_loopback() {
        println!(
            "Note: bound to {}, so other computers on the network can read this edition.",
            options.bind
        );
    }
    println!(
        "Watching {}{} for changes. Press Ctrl-C to stop.",
        options.dir.display(),
        if options.poll { " (polling)" } else { "" }
    );
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }

    let mut version = 1;
    let mut pending_errors = !errors.is_empty();
    // notify names changed files under the canonical folders.
    let root = options
        .dir
        .canonicalize()
        .unwrap_or_else(|_| options.dir.clone());
    while let Some(paths) = watcher.next_batch() {
        let theme = theme_dir.as_ref().and_then(|t| t.canonicalize().ok());
        // After a failed build the next one reads everything again.
        let current = state.current();
        let served = |rel: &str| current.contains(rel);
        let change = match classify(&paths, &root, theme.as_deref(), &served) {
            None => continue,
            Some(_) if pending_errors => Change::Everything,
            Some(change) => change,
        };
        let started = Instant::now();
        match rebuilder.rebuild(&change) {
            Ok(compiled) => {
                version += 1;
                print_all(&compiled.warnings);
                let old = state.current();
                let touched = |p: &Path| {
                    p.canonicalize()
                        .is_ok_and(|c| paths.binary_search(&c).is_ok())
                };
                let reload = reload::diff(&old.site, &compiled.site, version, &touched);
                let new = server::Served::new(compiled.site, &options.dir, version);
                *state
                    .served
                    .write()
                    .expect("no thread panics holding the lock") = Arc::new(new);
                state
                    .errors
                    .write()
                    .expect("no thread panics holding the lock")
                    .clear();
                state.hub.broadcast(&reload::message("reload", &reload));
                println!(
                    "Rebuilt in {} ms: {} file{} changed{}.",
                    started.elapsed().as_millis(),
                    reload.changed.len(),
                    if reload.changed.len() == 1 { "" } else { "s" },
                    if pending_errors {
                        "; the errors are fixed"
                    } else {
                        ""
                    }
                );
                pending_errors = false;
                if compiled.theme.dir != theme_dir {
                    theme_dir = compiled.theme.dir;
                    if let Err(e) = watcher.watch_only(&watch_list(&options.dir, &theme_dir)) {
                        eprintln!("Note: cannot watch the theme folder: {e}");
                    }
                }
            }
            Err(failure) => {
                print_failure(failure.diagnostics());
                let lines = error_lines(failure.diagnostics());
                *state
                    .errors
                    .write()
                    .expect("no thread panics holding the lock") = lines.clone();
                state.hub.broadcast(&reload::message(
                    "errors",
                    &reload::Errors {
                        version,
                        errors: lines,
                    },
                ));
                pending_errors = true;
            }
        }
        let _ = std::io::stdout().flush();
    }
    Err(ServeError::Setup("the file watcher stopped".into()))
}

/// The errors (not the warnings) for the pages' overlay.
fn error_lines(diagnostics: &[Diagnostic]) -> Vec<reload::ErrorLine> {
    let errors: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    reload::error_lines(&errors)
}

fn watch_list(dir: &Path, theme: &Option<PathBuf>) -> Vec<PathBuf> {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(theme.iter().cloned());
    dirs
}

fn listen(bind: IpAddr, port: u16) -> Result<TcpListener, ServeError> {
    let address = SocketAddr::new(bind, port);
    TcpListener::bind(address).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            ServeError::Setup(format!(
                "port {port} on {bind} is already in use; choose another with `--port`, e.g. `--port {}`",
                port.wrapping_add(1).max(1024)
            ))
        } else {
            ServeError::Setup(format!("cannot listen on {address}: {e}"))
        }
    })
}

fn url_for(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V4(ip) => format!("http://{ip}:{}/", address.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", address.port()),
    }
}

fn print_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
}

fn print_failure(diagnostics: &[Diagnostic]) {
    print_all(diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    eprintln!(
        "Build failed: {errors} error{}; still serving the last good version.",
        if errors == 1 { "" } else { "s" }
    );
}

/// Opens `url` in the default browser; failing is only a note.
fn open_browser(url: &str) {
    use std::process::{Command, Stdio};
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let url = url.to_string();
    // Wait in the background: some openers return only when the browser closes.
    std::thread::spawn(move || {
        let opened = command.status().is_ok_and(|s| s.success());
        if !opened {
            eprintln!("Note: could not open a browser; open {url} yourself.");
        }
    });
}
