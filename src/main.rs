//! The `calcscore` binary: parse the command line, run the verb, map the outcome to an exit code.
//! Exit codes: 0 ok, 1 a check failed or the data have problems, 2 usage, I/O or internal error.
//!
//! Only this crate knows clap; every analysis lives in the library crates under `crates/`.

use std::process::ExitCode;

mod cli;

pub(crate) use calcscore_core::{Error, Result};

fn main() -> ExitCode {
    cli::pipe::quiet_on_closed_stdout();
    let cli = cli::spelling::parse_args();
    match cli::run(cli) {
        Ok(cli::Outcome::Success) => ExitCode::SUCCESS,
        Ok(cli::Outcome::CheckFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
