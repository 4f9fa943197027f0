//! `calcscore compare` (to be written).

use super::Outcome;

/// Arguments of `calcscore compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {}

/// Run `calcscore compare`.
pub fn run(_args: CompareArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("compare is not written yet".into()))
}
