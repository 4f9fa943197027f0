//! A closed standard output (`calcscore ... | head -1`) ends the process quietly, as it does other Unix tools.

/// Restore the default action of SIGPIPE, which Rust's runtime sets to "ignore": a write to a closed pipe then
/// ends the process silently (status 141 in a shell) instead of panicking with "failed printing to stdout"
/// (exit 101). Called once, first thing in `main`; nothing to do where there is no SIGPIPE.
pub fn quiet_on_closed_stdout() {
    #[cfg(unix)]
    // SAFETY: called at start-up before any other thread exists; SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
