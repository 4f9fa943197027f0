//! Minimum sample size for developing a prediction model (Riley et al., Stat Med 2019 parts I and II;
//! BMJ 2020), computed as pmsampsize 1.1.3 (`pmsampsize_bin`, `pmsampsize_cont`) does, roundings included.

use serde::Serialize;

use super::{ceil_count, open_interval, proportion, round_r, SampleSizeError};

/// Checked inputs shared by both outcome types.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Common {
    /// Candidate predictor parameters (a whole number ≥ 1).
    pub parameters: u64,
    /// Target expected shrinkage S, in (0, 1).
    pub shrinkage: f64,
}

impl Common {
    /// Check the shrinkage; parameters are whole numbers by type and must be ≥ 1.
    pub fn new(parameters: u64, shrinkage: f64) -> Result<Common, SampleSizeError> {
        if parameters == 0 {
            return Err(SampleSizeError::OutOfRange {
                name: "--parameters",
                rule: "a whole number of at least 1",
                value: 0.0,
            });
        }
        proportion("--shrinkage", shrinkage)?;
        Ok(Common {
            parameters,
            shrinkage,
        })
    }
}

/// One criterion's row of a binary development table (pmsampsize's `results_table`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryCriterion {
    /// Criterion number (1, 2, 3) or 0 for the final requirement.
    pub criterion: u8,
    /// What the criterion asks.
    pub description: &'static str,
    /// Sample size it requires.
    pub sample_size: u64,
    /// Expected shrinkage (3 decimals, as pmsampsize prints it).
    pub shrinkage: f64,
    /// Expected events, n × prevalence (unrounded).
    pub events: f64,
    /// Events per predictor parameter (2 decimals, as pmsampsize).
    pub epp: f64,
}

/// Binary-outcome development requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryDevelopment {
    /// Candidate predictor parameters.
    pub parameters: u64,
    /// Outcome prevalence.
    pub prevalence: f64,
    /// Anticipated (adjusted) Cox–Snell R² used.
    pub r2_cs: f64,
    /// Largest possible Cox–Snell R² at this prevalence (unrounded).
    pub max_r2_cs: f64,
    /// Nagelkerke R² = R²_CS / max R²_CS (unrounded).
    pub r2_nagelkerke: f64,
    /// Target shrinkage.
    pub target_shrinkage: f64,
    /// Criteria 1–3, then the final requirement (criterion 0).
    pub criteria: Vec<BinaryCriterion>,
    /// Final minimum sample size.
    pub sample_size: u64,
    /// Expected events at the final size (unrounded; pmsampsize prints its ceiling).
    pub events: f64,
    /// EPP at the final size (2 decimals).
    pub epp: f64,
}

/// Sample size for a binary outcome, pmsampsize 1.1.3 `pmsampsize_bin` (no intermediate rounding since 1.1.1).
pub fn develop_binary(
    common: Common,
    prevalence: f64,
    r2_cs: f64,
) -> Result<BinaryDevelopment, SampleSizeError> {
    let phi = proportion("--prevalence", prevalence)?;
    proportion("--rsquared", r2_cs)?;
    let (p, s) = (common.parameters as f64, common.shrinkage);
    if s < r2_cs {
        return Err(SampleSizeError::ShrinkageBelowR2 {
            shrinkage: s,
            r2: r2_cs,
        });
    }
    let n1 = shrinkage_n(p, s, r2_cs, "criterion 1 (shrinkage)")?;
    let max_r2 = max_r2_cs(n1 as f64 * phi, n1 as f64);
    if max_r2 < r2_cs {
        return Err(SampleSizeError::R2AboveMax {
            r2: r2_cs,
            max: max_r2,
            prevalence,
        });
    }
    let s2 = r2_cs / (r2_cs + 0.05 * max_r2);
    let n2 = shrinkage_n(p, s2, r2_cs, "criterion 2 (R2 difference)")?;
    let n3 = ceil_count(
        (1.96f64 / 0.05).powi(2) * (phi * (1.0 - phi)),
        "criterion 3",
    )?;
    let s3 = if s2 > s { s2 } else { s };
    let final_n = n1.max(n2).max(n3);
    let row = |criterion, description, n: u64, shrink: f64| BinaryCriterion {
        criterion,
        description,
        sample_size: n,
        shrinkage: round_r(shrink, 3),
        events: n as f64 * phi,
        epp: round_r(n as f64 * phi / p, 2),
    };
    let criteria = vec![
        row(1, "expected shrinkage of predictor effects >= S", n1, s),
        row(2, "apparent - adjusted Nagelkerke R2 <= 0.05", n2, s2),
        row(3, "overall risk estimated within +/- 0.05", n3, s3),
        row(0, "final: the largest of criteria 1-3", final_n, s3),
    ];
    Ok(BinaryDevelopment {
        parameters: common.parameters,
        prevalence,
        r2_cs,
        max_r2_cs: max_r2,
        r2_nagelkerke: r2_cs / max_r2,
        target_shrinkage: s,
        sample_size: final_n,
        events: final_n as f64 * phi,
        epp: round_r(final_n as f64 * phi / p, 2),
        criteria,
    })
}

/// Smallest n with expected shrinkage ≥ S: ceiling(p / ((S − 1) ln(1 − R²/S))) (Riley 2019 eq. 11).
fn shrinkage_n(p: f64, s: f64, r2: f64, what: &'static str) -> Result<u64, SampleSizeError> {
    ceil_count(p / ((s - 1.0) * (1.0 - r2 / s).ln()), what)
}

/// Largest Cox–Snell R² for `events` in `n` (pmsampsize's literal expression of eq. 23).
pub(crate) fn max_r2_cs(events: f64, n: f64) -> f64 {
    let ln_null = events * (events / n).ln() + (n - events) * (1.0 - events / n).ln();
    1.0 - (2.0 * ln_null / n).exp()
}

/// Cox–Snell R² from a Nagelkerke R² at `prevalence`, rounded to 3 decimals (pmsampsize's `nagrsquared`).
pub fn cs_from_nagelkerke(nagelkerke: f64, prevalence: f64) -> Result<f64, SampleSizeError> {
    proportion("--nagelkerke", nagelkerke)?;
    let phi = proportion("--prevalence", prevalence)?;
    Ok(round_r(nagelkerke * max_r2_cs(phi, 1.0), 3))
}

/// One criterion's row of a continuous development table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousCriterion {
    /// Criterion number (1–4) or 0 for the final requirement.
    pub criterion: u8,
    /// What the criterion asks.
    pub description: &'static str,
    /// Sample size it requires.
    pub sample_size: u64,
    /// Expected shrinkage at this size (3 decimals).
    pub shrinkage: f64,
    /// Subjects per predictor parameter (2 decimals).
    pub spp: f64,
}

/// Continuous-outcome development requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContinuousDevelopment {
    /// Candidate predictor parameters.
    pub parameters: u64,
    /// Anticipated adjusted R².
    pub r2: f64,
    /// Anticipated mean outcome (intercept).
    pub intercept: f64,
    /// Outcome SD.
    pub sd: f64,
    /// Target shrinkage.
    pub target_shrinkage: f64,
    /// Acceptable multiplicative margin of error of the intercept.
    pub mmoe: f64,
    /// Criteria 1–4, then the final requirement (criterion 0).
    pub criteria: Vec<ContinuousCriterion>,
    /// Final minimum sample size.
    pub sample_size: u64,
    /// 95% CI of the intercept at the final size (2 decimals).
    pub intercept_ci: (f64, f64),
    /// SPP at the final size (2 decimals).
    pub spp: f64,
}

/// Sample size for a continuous outcome, pmsampsize 1.1.3 `pmsampsize_cont`.
///
/// Criterion 4 is the smallest n ≥ max(n1, n2, n3) whose 95% CI for the intercept lies within a
/// multiplicative margin `mmoe` of |intercept|. pmsampsize's loop for this criterion stops after one step
/// (its CI sign flips inside the loop), so where the first candidate fails the two differ: this is documented.
pub fn develop_continuous(
    common: Common,
    r2: f64,
    intercept: f64,
    sd: f64,
    mmoe: f64,
) -> Result<ContinuousDevelopment, SampleSizeError> {
    proportion("--rsquared", r2)?;
    open_interval("--sd", sd, 0.0, f64::INFINITY, "positive")?;
    open_interval("--mmoe", mmoe, 1.0, f64::INFINITY, "greater than 1")?;
    if !intercept.is_finite() || intercept == 0.0 {
        return Err(SampleSizeError::OutOfRange {
            name: "--intercept",
            rule: "a finite non-zero mean outcome (the margin of error is relative to it)",
            value: intercept,
        });
    }
    let p = common.parameters;
    let es = |n: u64| expected_shrinkage_linear(n, p, r2);
    let n1 = shrinkage_search(p, common.shrinkage, r2)?;
    let n2 = ceil_count(
        1.0 + (p as f64 * (1.0 - r2)) / 0.05,
        "criterion 2 (R2 difference)",
    )?;
    let n3 = 234 + p;
    let se = |n: u64| (sd * sd * (1.0 - r2) / n as f64).sqrt();
    let n4 = intercept_search(n1.max(n2).max(n3), p, se, intercept, mmoe)?;
    let final_n = n1.max(n2).max(n3).max(n4);
    let row = |criterion, description, n: u64| ContinuousCriterion {
        criterion,
        description,
        sample_size: n,
        shrinkage: round_r(es(n), 3),
        spp: round_r(n as f64 / p as f64, 2),
    };
    let half = t_quantile(final_n - p - 1) * se(final_n);
    Ok(ContinuousDevelopment {
        parameters: p,
        r2,
        intercept,
        sd,
        target_shrinkage: common.shrinkage,
        mmoe,
        criteria: vec![
            row(1, "expected shrinkage of predictor effects >= S", n1),
            row(2, "apparent - adjusted R2 <= 0.05", n2),
            row(3, "residual SD within MMOE 1.1 (n = 234 + p)", n3),
            row(4, "intercept within the MMOE", n4),
            row(0, "final: the largest of criteria 1-4", final_n),
        ],
        sample_size: final_n,
        intercept_ci: (round_r(intercept - half, 2), round_r(intercept + half, 2)),
        spp: round_r(final_n as f64 / p as f64, 2),
    })
}

/// Expected shrinkage of a linear model with n rows, p parameters and adjusted R² (Riley 2019 part I eq. 7).
fn expected_shrinkage_linear(n: u64, p: u64, r2: f64) -> f64 {
    let (n, p) = (n as f64, p as f64);
    1.0 + (p - 2.0) / (n * (1.0 - (r2 * (n - p - 1.0) + p) / (n - 1.0)).ln())
}

/// Smallest n ≥ p + 2 with expected shrinkage ≥ S (pmsampsize steps n by 1; the shrinkage rises with n,
/// so a doubling-then-bisection search returns the same n).
fn shrinkage_search(p: u64, s: f64, r2: f64) -> Result<u64, SampleSizeError> {
    let ok = |n: u64| expected_shrinkage_linear(n, p, r2) >= s;
    first_true(p + 2, ok, "criterion 1 (shrinkage)")
}

/// Smallest n ≥ `start` whose intercept CI upper bound over |intercept| is ≤ `mmoe`.
fn intercept_search(
    start: u64,
    p: u64,
    se: impl Fn(u64) -> f64,
    intercept: f64,
    mmoe: f64,
) -> Result<u64, SampleSizeError> {
    let a = intercept.abs();
    let ok = |n: u64| (a + t_quantile(n - p - 1) * se(n)) / a <= mmoe;
    first_true(start, ok, "criterion 4 (intercept)")
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
fn t_quantile(df: u64) -> f64 {
    crate::dist::t_quantile(df as f64, 0.975)
}

/// Smallest n ≥ `start` where the monotone predicate `ok` holds (doubling, then bisection).
fn first_true(
    start: u64,
    ok: impl Fn(u64) -> bool,
    what: &'static str,
) -> Result<u64, SampleSizeError> {
    const LIMIT: u64 = 1 << 40;
    if ok(start) {
        return Ok(start);
    }
    let (mut lo, mut hi) = (start, start.max(1) * 2);
    while !ok(hi) {
        if hi > LIMIT {
            return Err(SampleSizeError::NoSolution { what, limit: LIMIT });
        }
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_parameters_are_refused() {
        assert!(Common::new(0, 0.9).is_err());
        assert!(Common::new(5, 1.0).is_err());
    }

    #[test]
    fn first_true_finds_the_boundary() {
        assert_eq!(first_true(3, |n| n >= 1000, "x").unwrap(), 1000);
        assert_eq!(first_true(3, |n| n >= 3, "x").unwrap(), 3);
    }
}
