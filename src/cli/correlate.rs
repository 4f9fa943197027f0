//! `calcscore correlate` (to be written).

use super::Outcome;

/// Arguments of `calcscore correlate`.
#[derive(Debug, clap::Args)]
pub struct CorrelateArgs {}

/// Run `calcscore correlate`.
pub fn run(_args: CorrelateArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("correlate is not written yet".into()))
}
