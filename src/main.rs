//! The `calcscore` binary: parse the command line, run the verb, map the outcome to an exit code.
//! Exit codes: 0 ok, 1 a check failed or the data have problems, 2 usage, I/O or internal error.

use std::process::ExitCode;

fn main() -> ExitCode {
    calcscore::cli::pipe::quiet_on_closed_stdout();
    let cli = calcscore::cli::spelling::parse_args();
    match calcscore::cli::run(cli) {
        Ok(calcscore::cli::Outcome::Success) => ExitCode::SUCCESS,
        Ok(calcscore::cli::Outcome::CheckFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
