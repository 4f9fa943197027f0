//! `calcscore fit` (to be written).

use super::Outcome;

/// Arguments of `calcscore fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {}

/// Run `calcscore fit`.
pub fn run(_args: FitArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("fit is not written yet".into()))
}
