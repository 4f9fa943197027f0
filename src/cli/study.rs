//! `calcscore reproduce`, `check` and `simulate` (to be written).

use super::Outcome;

/// Arguments of `calcscore reproduce`.
#[derive(Debug, clap::Args)]
pub struct ReproduceArgs {}
/// Arguments of `calcscore check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {}
/// Arguments of `calcscore simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {}

/// Run `calcscore reproduce`.
pub fn reproduce(_a: ReproduceArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("not written yet".into()))
}
/// Run `calcscore check`.
pub fn check(_a: CheckArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("not written yet".into()))
}
/// Run `calcscore simulate`.
pub fn simulate(_a: SimulateArgs) -> crate::Result<Outcome> {
    Err(crate::Error::Usage("not written yet".into()))
}
