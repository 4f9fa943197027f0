//! `calcscore diagnose` (to be written).

use super::Outcome;

/// Arguments of `calcscore diagnose`.
#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {}

/// Run `calcscore diagnose`.
pub fn run(_args: DiagnoseArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("diagnose is not written yet".into()))
}
