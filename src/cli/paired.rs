//! `calcscore paired` (to be written).

use super::Outcome;

/// Arguments of `calcscore paired`.
#[derive(Debug, clap::Args)]
pub struct PairedArgs {}

/// Run `calcscore paired`.
pub fn run(_args: PairedArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("paired is not written yet".into()))
}
