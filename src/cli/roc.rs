//! `calcscore roc` (to be written).

use super::Outcome;

/// Arguments of `calcscore roc`.
#[derive(Debug, clap::Args)]
pub struct RocArgs {}

/// Run `calcscore roc`.
pub fn run(_args: RocArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("roc is not written yet".into()))
}
