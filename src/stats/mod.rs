//! Statistics engine: models with inference, ROC, diagnostic accuracy and hypothesis tests.
//!
//! Everything here works on plain numbers (no polars), so it can be reused by any verb.

mod error;
pub mod tidy;

// Regression: formula → design → fit (OLS, logistic) with classical, HC and cluster-robust covariances.
pub mod design;
pub mod formula;
pub mod linalg;
pub mod logistic;
pub mod ols;
pub mod vcov;

pub use error::StatsError;
pub use tidy::{TestResult, TidyRow};
