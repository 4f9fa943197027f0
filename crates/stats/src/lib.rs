//! Statistics engine: models with inference, ROC, diagnostic accuracy and hypothesis tests.
//!
//! Everything here works on plain numbers (no polars), so it can be reused by any verb.

pub mod samplesize;
pub mod tidy;

// Regression: formula → design → fit (OLS, logistic) with classical, HC and cluster-robust covariances.
pub mod design;
pub mod fit;
pub mod formula;
pub mod gee;
pub mod linalg;
pub mod logistic;
pub mod ols;
pub mod vcov;

// ROC, diagnostic accuracy and hypothesis tests (htest branch).
pub mod diagnostic;
pub mod dist;
pub mod htest;
pub mod roc;
pub use diagnostic::{binomial_ci, CiMethod, Measure, TwoByTwo};
pub use roc::{clustered_auc, ClusteredAuc, Direction, Roc, RocPoint};

// Validation canon (issue 15): calibration, decision curves, reclassification.
pub mod bootstrap;
pub mod calibration;
pub mod decision;
pub mod lowess;
pub mod reclassification;

// Multiple imputation by chained equations and Rubin's rules (issue 20).
pub mod mice;

pub use calcscore_core::{Error, Result, StatsError};
pub use tidy::{TestResult, TidyRow};
