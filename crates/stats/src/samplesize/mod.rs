//! Sample size for developing and validating a prediction model or score (Riley et al.), as the R
//! packages pmsampsize 1.1.3 and pmvalsampsize 0.1.0 compute it, with a design effect for lesions
//! clustered in patients.
//!
//! [`develop`]: the criteria of Riley et al. (Stat Med 2019; BMJ 2020) for binary and continuous outcomes.
//! [`validate`]: the criteria of Riley et al. (Stat Med 2021) for a binary outcome.
//! [`cstat`]: the C-statistic → Cox–Snell R² conversion (Riley, Van Calster, Collins, Stat Med 2021).
//! [`cluster`]: design effect 1 + (m − 1)ρ and the one-way ANOVA ICC estimator.
//! [`adequacy`]: the criteria evaluated on data at hand (events, n, apparent R²).

pub mod adequacy;
pub mod cluster;
pub mod cstat;
pub mod develop;
mod rrng;
pub mod validate;

pub use adequacy::{adequacy, Adequacy};
pub use cluster::{design_effect, ClusterPlan, RegistryEstimate};
pub use develop::{develop_binary, develop_continuous, BinaryDevelopment, ContinuousDevelopment};
pub use validate::{validate_binary, LpDistribution, LpMethod, Validation, ValidationInputs};

/// A sample-size input that cannot be used, or a requirement that cannot be met.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SampleSizeError {
    /// An input outside its allowed range.
    #[error("{name} must be {rule} (got {value})")]
    OutOfRange {
        /// Option name as the user wrote it (e.g. `--prevalence`).
        name: &'static str,
        /// The allowed range in words.
        rule: &'static str,
        /// The value given.
        value: f64,
    },
    /// The anticipated Cox–Snell R² exceeds what the prevalence allows.
    #[error("Cox-Snell R-squared {r2} is larger than its maximum {max:.4} for an outcome prevalence of {prevalence} (max R2_CS = 1 - exp(2 lnL_null / n), Riley et al. 2019 eq. 23)")]
    R2AboveMax {
        /// Anticipated R².
        r2: f64,
        /// Largest possible Cox–Snell R².
        max: f64,
        /// Outcome prevalence.
        prevalence: f64,
    },
    /// The target shrinkage is smaller than the anticipated R² (log of a negative number).
    #[error("--shrinkage {shrinkage} is lower than the anticipated R-squared {r2}: the shrinkage criterion is undefined (ln(1 - R2/S) of a negative number)")]
    ShrinkageBelowR2 {
        /// Target shrinkage.
        shrinkage: f64,
        /// Anticipated R².
        r2: f64,
    },
    /// A criterion's sample size is not a finite number of a sensible size.
    #[error("{what}: the required sample size is not finite or beyond 10^15 (got {value}); the inputs are at the edge of their range")]
    Unreachable {
        /// The criterion.
        what: &'static str,
        /// The computed value.
        value: f64,
    },
    /// A search for the smallest sample size ran past its limit.
    #[error("{what}: no sample size up to {limit} meets the target")]
    NoSolution {
        /// The criterion searched.
        what: &'static str,
        /// The largest size tried.
        limit: u64,
    },
}

impl From<SampleSizeError> for crate::Error {
    fn from(e: SampleSizeError) -> Self {
        match e {
            SampleSizeError::NoSolution { .. } | SampleSizeError::Unreachable { .. } => {
                crate::Error::Stats(crate::StatsError::Undefined(e.to_string()))
            }
            _ => crate::Error::Usage(e.to_string()),
        }
    }
}

/// Check `lo < value < hi`.
pub(crate) fn open_interval(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    rule: &'static str,
) -> Result<f64, SampleSizeError> {
    if value > lo && value < hi {
        Ok(value)
    } else {
        Err(SampleSizeError::OutOfRange { name, rule, value })
    }
}

/// `value` when strictly between 0 and 1 (a prevalence, an R²), else the error naming `name`.
pub(crate) fn proportion(name: &'static str, value: f64) -> Result<f64, SampleSizeError> {
    open_interval(name, value, 0.0, 1.0, "strictly between 0 and 1")
}

/// Round as R's `round(x, digits)` (R ≥ 4.0: the decimal nearest to the double's exact value).
pub(crate) fn round_r(x: f64, digits: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// `ceiling(x)` as a sample size; an infinite, negative or astronomically large `x` (inputs at the edge
/// of their ranges) is an error naming the criterion, never a silent wrap.
pub(crate) fn ceil_count(x: f64, what: &'static str) -> Result<u64, SampleSizeError> {
    if (0.0..1e15).contains(&x) {
        Ok(x.ceil() as u64)
    } else {
        Err(SampleSizeError::Unreachable { what, value: x })
    }
}

/// Composite Simpson integral of `f` over `[a, b]` with `intervals` (even) panels.
pub(crate) fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, intervals: usize) -> f64 {
    let n = intervals + intervals % 2;
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|i| {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            w * f(a + h * i as f64)
        })
        .sum();
    (f(a) + f(b) + inner) * h / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_r_matches_r_4() {
        // R 4.2: round(0.15, 1) = 0.1, round(2.675, 2) = 2.67, round(4.525, 2) = 4.53, round(-1.005, 2) = -1
        assert_eq!(round_r(0.15, 1), 0.1);
        assert_eq!(round_r(2.675, 2), 2.67);
        assert_eq!(round_r(4.525, 2), 4.53);
        assert_eq!(round_r(-1.005, 2), -1.0);
        assert_eq!(round_r(0.5, 0), 0.0);
        // exact ties go to even, as R: round(0.125, 2) = 0.12, round(0.375, 2) = 0.38
        assert_eq!(round_r(0.125, 2), 0.12);
        assert_eq!(round_r(0.375, 2), 0.38);
    }

    #[test]
    fn simpson_integrates_a_cubic_exactly() {
        let v = simpson(|x| x * x * x - x, 0.0, 2.0, 10);
        assert!((v - 2.0).abs() < 1e-12);
    }
}
