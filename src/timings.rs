//! Phase timings for profiling a build: set `HANDBOOK_TIMINGS=1` and each
//! phase's wall time is printed to standard error, with the CPU time the
//! process used meanwhile (all threads, so phases that run side by side
//! each count the other's) and its memory after. Off by default.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("HANDBOOK_TIMINGS").is_some_and(|v| v != "0"))
}

/// Runs `f`, printing how long it took under `name` when timings are on.
pub fn phase<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let started = Instant::now();
    let cpu_before = cpu_ms();
    let value = f();
    let wall = started.elapsed().as_secs_f64() * 1e3;
    let cpu = match (cpu_before, cpu_ms()) {
        (Some(before), Some(after)) => format!(", cpu {:>7.1} ms", after - before),
        _ => String::new(),
    };
    eprintln!("timing: {name:<16} {wall:>8.1} ms{cpu}{}", memory());
    value
}

/// The process's resident memory now and at its peak, where the system
/// tells (Linux's `/proc`); empty elsewhere.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().strip_suffix(" kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    format!(
        "  (rss {} MB, peak {} MB)",
        field("VmRSS:"),
        field("VmHWM:")
    )
}

/// The CPU time (user and system) of the whole process so far, on Linux.
fn cpu_ms() -> Option<f64> {
    #[cfg(target_os = "linux")]
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) == 0 {
            let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
            return Some(ms(usage.ru_utime) + ms(usage.ru_stime));
        }
    }
    None
}
