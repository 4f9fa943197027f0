//! Timing and memory spans for profiling: with `CALCSCORE_TRACE=1` in the environment, [`span`] prints the
//! seconds since the first span, the resident memory now and its peak (Linux `/proc/self/status`) to stderr.
//! Without the variable it does nothing, so outputs and tests are unaffected.

use std::sync::OnceLock;
use std::time::Instant;

/// Print one trace line for the step just finished (only when `CALCSCORE_TRACE` is set).
pub fn span(step: &str) {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let Some(start) =
        START.get_or_init(|| std::env::var_os("CALCSCORE_TRACE").map(|_| Instant::now()))
    else {
        return;
    };
    let (rss, peak) = memory_mib();
    eprintln!(
        "trace {:8.3} s  rss {rss:7.1} MiB  peak {peak:7.1} MiB  {step}",
        start.elapsed().as_secs_f64()
    );
}

/// Resident and peak resident memory in MiB (NaN where /proc is unavailable).
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
