//! Measures `handbook serve`: the time from writing a page to the reload
//! event reaching a listening page (median of 20 edits), on the example
//! handbook and on the benchmark's generated 1,000-page handbook (the same
//! corpus as `examples/bench`); and, without the watcher, how long a
//! rebuild after a one-page edit takes.
//!
//! Run with `cargo run --release --example serve_bench`; set `TMPDIR` to a
//! RAM disk (`TMPDIR=/dev/shm`) to leave the disk out of the figures. Give
//! page counts to measure generated handbooks of other sizes instead of
//! 1,000 pages (`cargo run --release --example serve_bench -- 1000 10000`).

#[allow(dead_code)]
#[path = "bench/corpus.rs"]
mod corpus;

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use handbook::CompileOptions;
use handbook::serve::{Change, Rebuilder, ServeOptions};

const EDITS: usize = 20;

// The allocator the `handbook` binary uses, so the figures are its figures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let example = tempfile::tempdir().expect("a temp folder");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        example.path(),
    );
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("page counts, e.g. 1000 10000"))
        .collect();
    if sizes.is_empty() {
        sizes.push(1000);
    }
    let mut folders = vec![example];
    let mut handbooks = vec![(
        "example handbook (44 pages)".to_string(),
        folders[0].path().to_path_buf(),
        "parents/exam-stress.md".to_string(),
    )];
    for pages in sizes {
        let generated = tempfile::tempdir().expect("a temp folder");
        corpus::write(generated.path(), pages, 2026).expect("the corpus is written");
        let edited = first_page(&generated.path().join("policy"));
        handbooks.push((
            format!("generated handbook ({pages} pages, services and pathways)"),
            generated.path().to_path_buf(),
            edited,
        ));
        folders.push(generated);
    }
    for (name, dir, page) in &handbooks {
        println!("{name}");
        rebuild_times(dir, page);
        write_to_event(dir, page);
    }
    // The serve threads are still watching: remove the folders and stop
    // before they wake up to report them gone.
    for folder in &folders {
        let _ = std::fs::remove_dir_all(folder.path());
    }
    std::process::exit(0);
}

/// A rebuild from memory after a one-page edit, and a full one, timed directly.
fn rebuild_times(dir: &Path, page: &str) {
    let options = CompileOptions::default();
    let mut rebuilder = Rebuilder::new(dir, options);
    let mut full = Vec::new();
    let cpu_before = cpu_seconds();
    for _ in 0..5 {
        let started = Instant::now();
        rebuilder.rebuild(&Change::Everything).expect("it builds");
        full.push(started.elapsed());
    }
    let cpu_full = cpu_seconds().zip(cpu_before).map(|(a, b)| (a - b) / 5.0);
    let path = dir.join(page);
    let original = std::fs::read_to_string(&path).expect("the page");
    let mut one = Vec::new();
    let cpu_before = cpu_seconds();
    for i in 0..EDITS {
        std::fs::write(&path, format!("{original}\nEdit {i}.\n")).expect("writable");
        let started = Instant::now();
        rebuilder
            .rebuild(&Change::Pages([page.to_string()].into()))
            .expect("it builds");
        one.push(started.elapsed());
    }
    let cpu_one = cpu_seconds()
        .zip(cpu_before)
        .map(|(a, b)| (a - b) / EDITS as f64);
    std::fs::write(&path, original).expect("writable");
    println!(
        "  rebuild in memory: everything {}, one page edited {}",
        summary(&mut full),
        summary(&mut one)
    );
    // Wall-clock times depend on what else the machine is doing; the CPU
    // time used (all threads) does much less.
    if let (Some(full), Some(one)) = (cpu_full, cpu_one) {
        println!(
            "  CPU time per rebuild (all threads, mean): everything {:.1} ms, one page edited {:.1} ms",
            full * 1000.0,
            one * 1000.0
        );
    }
}

/// CPU time used by this process so far (user + system, all threads), on
/// Linux; clock ticks are taken to be 1/100 s, the usual value.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line.
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Serves `dir`, edits `page` 20 times, and times each write to the
/// reload event on the event stream.
fn write_to_event(dir: &Path, page: &str) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let options = ServeOptions {
        dir: dir.to_path_buf(),
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port,
        compile: CompileOptions::default(),
        open: false,
        poll: false,
    };
    std::thread::spawn(move || handbook::serve::serve(&options));
    let mut events = loop {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            break Events::open(stream);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    events.next("hello");
    // The watcher starts just after the server; give it a moment.
    std::thread::sleep(Duration::from_millis(300));
    let path = dir.join(page);
    let original = std::fs::read_to_string(&path).expect("the page");
    let mut times = Vec::new();
    for i in 0..EDITS {
        let text = format!("{original}\nServe benchmark edit {i}.\n");
        let started = Instant::now();
        std::fs::write(&path, text).expect("writable");
        events.next("reload");
        times.push(started.elapsed());
        std::thread::sleep(Duration::from_millis(150));
    }
    std::fs::write(&path, original).expect("writable");
    println!("  file write to reload event: {}", summary(&mut times));
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms (min {:.1}, max {:.1}, n={})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    )
}

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(mut stream: TcpStream) -> Events {
        stream
            .write_all(b"GET /__handbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .expect("the request is sent");
        Events {
            reader: BufReader::new(stream),
        }
    }

    fn next(&mut self, name: &str) {
        let wanted = format!("event: {name}");
        let mut line = String::new();
        loop {
            line.clear();
            if self
                .reader
                .read_line(&mut line)
                .expect("the stream stays open")
                == 0
            {
                panic!("the event stream closed");
            }
            if line.trim_end() == wanted {
                return;
            }
        }
    }
}

/// The first page (not a section index) under `section`, in name order,
/// relative to the handbook's folder.
fn first_page(section: &Path) -> String {
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(section)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    pages.sort();
    let page = pages.first().expect("the section has pages");
    let root = section.parent().expect("inside the handbook");
    page.strip_prefix(root)
        .expect("inside")
        .to_string_lossy()
        .replace('\\', "/")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("readable");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("writable");
        } else {
            std::fs::copy(entry.path(), &target).expect("writable");
        }
    }
}
