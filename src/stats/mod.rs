//! Statistics engine: models with inference, ROC, diagnostic accuracy and hypothesis tests.
//!
//! Everything here works on plain numbers (no polars), so it can be reused by any verb.

mod error;
pub mod tidy;

pub use error::StatsError;
pub use tidy::{TestResult, TidyRow};
