//! `calcscore completions bash|zsh|fish`: a completion script generated from the clap definition itself.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Outcome};
use crate::Result;

/// The shells a completion script can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellName {
    /// bash: `calcscore completions bash > ~/.local/share/bash-completion/completions/calcscore`
    Bash,
    /// zsh: `calcscore completions zsh > "${fpath[1]}/_calcscore"`
    Zsh,
    /// fish: `calcscore completions fish > ~/.config/fish/completions/calcscore.fish`
    Fish,
}

/// Arguments of `calcscore completions`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore completions bash > ~/.local/share/bash-completion/completions/calcscore\n  calcscore completions zsh > \"${fpath[1]}/_calcscore\"\n  calcscore completions fish > ~/.config/fish/completions/calcscore.fish"
)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: ShellName,
}

/// Run `calcscore completions`: write the script to standard output.
pub fn run(a: CompletionsArgs) -> Result<Outcome> {
    let shell = match a.shell {
        ShellName::Bash => Shell::Bash,
        ShellName::Zsh => Shell::Zsh,
        ShellName::Fish => Shell::Fish,
    };
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "calcscore", &mut std::io::stdout());
    Ok(Outcome::Success)
}
