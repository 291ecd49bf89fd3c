//! The build benchmark: generates handbooks of 100, 1,000 and 10,000 pages,
//! builds each several times with the release binary, and prints medians of
//! wall time, pages per second, peak memory, output and index bytes, and
//! time per page. When `hugo` is on the PATH it builds the same handbook as
//! a Hugo site in the same run and prints our time divided by Hugo's.
//!
//! cargo run --release --example bench [-- --sizes 100,1000,10000 --runs 5 --dir DIR --no-hugo]
//! cargo run --release --example bench -- gen PAGES DIR [--seed N] [--hugo SITE_DIR]

mod corpus;
mod hugo;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SEED: u64 = 2026;

struct Args {
    sizes: Vec<usize>,
    runs: usize,
    /// Where corpora and sites are written (default: a temporary folder).
    dir: Option<PathBuf>,
    hugo: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("gen") {
        generate_only(&args[1..]);
        return;
    }
    let args = parse(&args);
    run(&args);
}

fn usage() -> ! {
    eprintln!(
        "usage: bench [--sizes 100,1000,10000] [--runs 5] [--dir DIR] [--no-hugo]\n       bench gen PAGES DIR [--seed N] [--hugo SITE_DIR]"
    );
    std::process::exit(2)
}

fn parse(args: &[String]) -> Args {
    let mut out = Args {
        sizes: vec![100, 1_000, 10_000],
        runs: 5,
        dir: None,
        hugo: true,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sizes" => {
                let list = it.next().unwrap_or_else(|| usage());
                out.sizes = list
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .replace('_', "")
                            .parse()
                            .unwrap_or_else(|_| usage())
                    })
                    .collect();
            }
            "--runs" => {
                out.runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage())
            }
            "--dir" => out.dir = Some(PathBuf::from(it.next().unwrap_or_else(|| usage()))),
            "--no-hugo" => out.hugo = false,
            _ => usage(),
        }
    }
    out
}

fn generate_only(args: &[String]) {
    let (Some(pages), Some(dir)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        usage()
    };
    let mut seed = SEED;
    let mut hugo_dir = None;
    let mut it = args[2..].iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" => {
                seed = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--hugo" => hugo_dir = Some(PathBuf::from(it.next().unwrap_or_else(|| usage()))),
            _ => usage(),
        }
    }
    let dir = Path::new(dir);
    let written = corpus::write(dir, pages, seed).unwrap_or_else(|e| fail(dir, e));
    println!(
        "Wrote {} pages, {} services and {} pathways ({:.1} MB) into {}",
        written.pages,
        written.services,
        written.pathways,
        written.bytes as f64 / 1e6,
        dir.display()
    );
    if let Some(site) = hugo_dir {
        hugo::write(dir, &site).unwrap_or_else(|e| fail(&site, e));
        println!(
            "Wrote the same handbook as a Hugo site into {}",
            site.display()
        );
    }
}

fn fail(path: &Path, e: std::io::Error) -> ! {
    eprintln!("{}: {e}", path.display());
    std::process::exit(2)
}

/// One measured build.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    /// Peak resident memory of the build process, in bytes.
    max_rss: u64,
    /// CPU time (user and system, all threads).
    cpu: Duration,
}

/// Medians over the runs of one size.
struct Row {
    pages: usize,
    wall: Duration,
    max_rss: u64,
    cpu: Duration,
    output_bytes: u64,
    index_bytes: u64,
    hugo: Option<Duration>,
}

fn run(args: &Args) {
    let binary = handbook_binary();
    let temp = tempfile::Builder::new()
        .prefix("handbook-bench-")
        .tempdir()
        .unwrap_or_else(|e| fail(Path::new("temporary folder"), e));
    let work = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&work).unwrap_or_else(|e| fail(&work, e));
    let hugo = args.hugo && hugo_version().is_some();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "handbook build benchmark: {cores} cores, {} runs per size (median), binary {}",
        args.runs,
        binary.display()
    );
    match (args.hugo, hugo_version()) {
        (false, _) => println!("Hugo: skipped (--no-hugo)"),
        (true, None) => println!("Hugo: not on the PATH, so no comparison (install it to compare)"),
        (true, Some(v)) => println!("Hugo: {v}"),
    }
    let mut rows = Vec::new();
    for &size in &args.sizes {
        let handbook = work.join(format!("handbook-{size}"));
        let out = work.join(format!("site-{size}"));
        let _ = std::fs::remove_dir_all(&handbook);
        let written = corpus::write(&handbook, size, SEED).unwrap_or_else(|e| fail(&handbook, e));
        eprintln!(
            "  {size}: generated {} pages, {} services ({:.1} MB)",
            written.pages,
            written.services,
            written.bytes as f64 / 1e6
        );
        let ours: Vec<Sample> = (0..=args.runs)
            .map(|_| {
                // A clean build each time: deleting the last site is not timed.
                let _ = std::fs::remove_dir_all(&out);
                let mut command = Command::new(&binary);
                command
                    .arg("build")
                    .arg(&handbook)
                    .arg("-o")
                    .arg(&out)
                    .env("HANDBOOK_TODAY", corpus::TODAY);
                measure(command)
            })
            .skip(1) // the first run warms the file cache
            .collect();
        let (output_bytes, index_bytes) = sizes_of(&out);
        let hugo_time = hugo.then(|| {
            let site = work.join(format!("hugo-{size}"));
            let public = work.join(format!("hugo-public-{size}"));
            let _ = std::fs::remove_dir_all(&site);
            hugo::write(&handbook, &site).unwrap_or_else(|e| fail(&site, e));
            let runs = if size >= 10_000 {
                args.runs.min(3)
            } else {
                args.runs
            };
            let samples: Vec<Sample> = (0..=runs)
                .map(|_| {
                    let _ = std::fs::remove_dir_all(&public);
                    let mut command = Command::new("hugo");
                    command
                        .arg("--quiet")
                        .arg("--source")
                        .arg(&site)
                        .arg("--destination")
                        .arg(&public);
                    measure(command)
                })
                .skip(1)
                .collect();
            median(samples.iter().map(|s| s.wall).collect())
        });
        rows.push(Row {
            pages: written.pages,
            wall: median(ours.iter().map(|s| s.wall).collect()),
            max_rss: median(ours.iter().map(|s| s.max_rss).collect()),
            cpu: median(ours.iter().map(|s| s.cpu).collect()),
            output_bytes,
            index_bytes,
            hugo: hugo_time,
        });
        let _ = std::fs::remove_dir_all(&out);
    }
    print_table(&rows, cores);
}

fn print_table(rows: &[Row], cores: usize) {
    println!();
    println!(
        "| pages | wall (ms) | CPU (ms) | pages/s | peak memory (MB) | output (MB) | index (MB) | µs per page | Hugo (ms) | ours / Hugo |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let secs = row.wall.as_secs_f64();
        let (hugo_ms, ratio) = match row.hugo {
            Some(h) => (
                format!("{:.0}", h.as_secs_f64() * 1e3),
                format!("{:.3}", secs / h.as_secs_f64()),
            ),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.2} | {:.0} | {hugo_ms} | {ratio} |",
            row.pages,
            secs * 1e3,
            row.cpu.as_secs_f64() * 1e3,
            row.pages as f64 / secs,
            row.max_rss as f64 / 1_048_576.0,
            row.output_bytes as f64 / 1e6,
            row.index_bytes as f64 / 1e6,
            secs * 1e6 / row.pages as f64,
        );
    }
    let per_page = |n: usize| {
        rows.iter()
            .find(|r| r.pages == n)
            .map(|r| r.wall.as_secs_f64() / r.pages as f64)
    };
    println!();
    match (per_page(1_000), per_page(10_000)) {
        (Some(small), Some(large)) => println!(
            "Scaling: time per page at 10,000 pages is {:.2}x that at 1,000 (target: at most 1.5x).",
            large / small
        ),
        _ => println!("Scaling: needs the 1,000 and 10,000 page sizes."),
    }
    if rows.iter().all(|r| r.hugo.is_none()) {
        println!("No Hugo comparison: `hugo` was not found on the PATH (or --no-hugo).");
    }
    println!("Machine: {cores} cores available to this process.");
}

/// Runs `command` to the end and measures its wall time and peak memory.
fn measure(mut command: Command) -> Sample {
    let log = tempfile::tempfile().unwrap_or_else(|e| fail(Path::new("log file"), e));
    let mut log_reader = log
        .try_clone()
        .unwrap_or_else(|e| fail(Path::new("log file"), e));
    command.stdout(Stdio::null()).stderr(Stdio::from(log));
    let started = Instant::now();
    // Reaped by wait4 below, which also gives its resource use.
    #[allow(clippy::zombie_processes)]
    let child = command
        .spawn()
        .unwrap_or_else(|e| fail(Path::new(command.get_program()), e));
    let (status, max_rss, cpu) = wait_with_rusage(child.id());
    let wall = started.elapsed();
    if status != 0 {
        use std::io::{Read, Seek};
        let mut text = String::new();
        let _ = log_reader.rewind();
        let _ = log_reader.read_to_string(&mut text);
        eprintln!("{:?} failed (status {status}):\n{text}", command);
        std::process::exit(1);
    }
    Sample { wall, max_rss, cpu }
}

/// Waits for the child and reads its own resource use (not all children's),
/// so each run's peak memory is its own.
fn wait_with_rusage(pid: u32) -> (i32, u64, Duration) {
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers are valid.
    let waited = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if waited < 0 {
        fail(Path::new("wait4"), std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    // Linux reports ru_maxrss in kilobytes.
    (
        code,
        usage.ru_maxrss as u64 * 1024,
        time(usage.ru_utime) + time(usage.ru_stime),
    )
}

/// Bytes of the whole site, and of its search index (files under search/ or
/// with `index` in a name that is not an HTML page).
fn sizes_of(site: &Path) -> (u64, u64) {
    let mut total = 0;
    let mut index = 0;
    for entry in walkdir::WalkDir::new(site).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let len = entry.metadata().map_or(0, |m| m.len());
        total += len;
        let rel = entry.path().strip_prefix(site).unwrap_or(entry.path());
        let name = entry.file_name().to_string_lossy();
        if rel.starts_with("search") || (name.contains("index") && !name.ends_with(".html")) {
            index += len;
        }
    }
    (total, index)
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort();
    values[values.len() / 2]
}

fn hugo_version() -> Option<String> {
    let out = Command::new("hugo").arg("version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The release `handbook` binary beside this example (built first if needed).
fn handbook_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| fail(Path::new("bench"), e));
    // target/<profile>/examples/bench → target/<profile>/handbook
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let release = dir.ends_with("release");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(["build", "--bin", "handbook"]);
    if release {
        build.arg("--release");
    }
    build.current_dir(env!("CARGO_MANIFEST_DIR"));
    match build.status() {
        Ok(s) if s.success() => {}
        _ => eprintln!("warning: could not build the handbook binary; using what is there"),
    }
    if !release {
        eprintln!(
            "warning: this is not a release build; run with `cargo run --release --example bench`"
        );
    }
    dir.join(format!("handbook{}", std::env::consts::EXE_SUFFIX))
}
