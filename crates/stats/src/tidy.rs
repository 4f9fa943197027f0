//! Tidy result shapes in broom's vocabulary.

use serde::{Deserialize, Serialize};

/// One row of a coefficient table (broom::tidy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TidyRow {
    /// Term name as R prints it (`(Intercept)`, `x`, `factor(g)b`, `a:b`).
    pub term: String,
    /// Point estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// Test statistic (t or z).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Lower confidence limit.
    pub conf_low: f64,
    /// Upper confidence limit.
    pub conf_high: f64,
}

/// The one result shape of every hypothesis test (as R's htest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// Method name as R prints it, e.g. "Welch Two Sample t-test".
    pub method: String,
    /// Test statistic.
    pub statistic: f64,
    /// Name of the statistic ("t", "W", "X-squared", "z" ...).
    pub statistic_name: String,
    /// Degrees of freedom when the reference distribution has them.
    pub df: Option<f64>,
    /// Two-sided p-value unless `alternative` says otherwise.
    pub p_value: f64,
    /// Estimate (difference in means, odds ratio, correlation ...), if any.
    pub estimate: Option<f64>,
    /// What the estimate is.
    pub estimate_name: Option<String>,
    /// Lower confidence limit of the estimate.
    pub conf_low: Option<f64>,
    /// Upper confidence limit of the estimate.
    pub conf_high: Option<f64>,
    /// "two.sided", "less" or "greater".
    pub alternative: String,
}

impl TestResult {
    /// A two-sided test that reports only its statistic (no estimate, no interval).
    pub(crate) fn two_sided(
        method: impl Into<String>,
        statistic_name: &str,
        statistic: f64,
        df: Option<f64>,
        p_value: f64,
    ) -> TestResult {
        TestResult {
            method: method.into(),
            statistic,
            statistic_name: statistic_name.into(),
            df,
            p_value,
            estimate: None,
            estimate_name: None,
            conf_low: None,
            conf_high: None,
            alternative: "two.sided".into(),
        }
    }
}

impl TidyRow {
    /// A Wald row on the normal reference: z = estimate / SE, two-sided p, estimate ± z₁₋α/₂ · SE.
    pub(crate) fn wald(term: &str, estimate: f64, se: f64, level: f64) -> TidyRow {
        let z = estimate / se;
        let q = crate::vcov::Reference::Z.critical(level);
        TidyRow {
            term: term.into(),
            estimate,
            std_error: se,
            statistic: z,
            p_value: crate::vcov::Reference::Z.p_two_sided(z),
            conf_low: estimate - q * se,
            conf_high: estimate + q * se,
        }
    }
}
