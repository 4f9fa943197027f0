//! R's spellings on the command line: every option with a fixed set of values (`--vcov`, `--family`, ...)
//! accepts them in any case (`HC1`, `CR1`, `Binomial`), as users type them from sandwich or R.

use clap::{Command, CommandFactory, FromArgMatches};

use super::Cli;

/// Parse the process arguments with case-insensitive values for every enum option.
pub fn parse_args() -> Cli {
    parse_from(std::env::args_os())
}

/// Parse the given arguments (the first is the program name); exits with clap's usage error (2) on bad input.
pub fn parse_from<I, T>(args: I) -> Cli
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = ignore_case(Cli::command());
    let parsed = cmd
        .try_get_matches_from_mut(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.unwrap_or_else(|e| e.format(&mut cmd).exit())
}

/// The command with `ignore_case` on every argument that has possible values, in every subcommand.
fn ignore_case(cmd: Command) -> Command {
    cmd.mut_args(|a| {
        if a.get_possible_values().is_empty() || !a.get_action().takes_values() {
            a
        } else {
            a.ignore_case(true)
        }
    })
    .mut_subcommands(ignore_case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verb_still_builds() {
        ignore_case(Cli::command()).debug_assert();
    }

    /// `calcscore fit` with these spellings of `--vcov` and `--family`.
    fn fit_with(vcov: &str, family: &str) -> Cli {
        parse_from([
            "calcscore",
            "fit",
            "--data",
            "x.csv",
            "--formula",
            "y ~ x",
            "--vcov",
            vcov,
            "--family",
            family,
        ])
    }

    #[test]
    fn enum_values_match_in_any_case() {
        let cli = fit_with("HC1", "Binomial");
        let again = fit_with("hc1", "binomial");
        assert_eq!(format!("{cli:?}"), format!("{again:?}"));
    }
}
