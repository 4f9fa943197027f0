//! The vocabulary every calcscore layer shares: its error types, the checked option types and the number formatters.
//!
//! Layers (each a crate; a back edge is a compile error): core → data → stats → score → imaging → report →
//! studies → the `calcscore` binary. See `docs/architecture.md`.

pub mod choice;
mod data_error;
mod error;
pub mod format;
mod imaging_error;
pub mod options;
pub mod random;
mod stats_error;
pub mod trace;

pub use choice::Choice;
pub use data_error::{clip, DataError};
pub use error::{Error, Result};
pub use imaging_error::ImagingError;
pub use stats_error::StatsError;
