//! Phase timings for profiling a build: set `HANDBOOK_TIMINGS=1` and each
//! phase's wall time is printed to standard error. Off by default.

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
    let value = f();
    eprintln!(
        "timing: {name:<16} {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    value
}
