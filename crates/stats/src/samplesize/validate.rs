//! Minimum sample size for externally validating a model with a binary outcome (Riley et al., Stat Med
//! 2021), computed as pmvalsampsize 0.1.0 (`pmvalsampsize_bin`) does.
//!
//! Criteria 1 (O/E), 3 (C-statistic) and 4 with a given sensitivity and specificity repeat pmvalsampsize's
//! arithmetic and searches step for step. Criterion 2 (calibration slope) needs expectations over the
//! linear-predictor (LP) distribution, which pmvalsampsize estimates from `simobs` simulated values:
//! [`LpMethod::Simulate`] repeats its `rnorm` draws with R's generator and seed (normal LP only; R's
//! `rbeta` is not reproduced), [`LpMethod::Exact`] integrates them numerically (the limit as `simobs`
//! grows). Sensitivity and specificity from the LP distribution (threshold without them) are always
//! integrated (pmvalsampsize simulates outcomes with `rbinom`, then rounds them to 2 decimals).

use serde::Serialize;
use statrs::function::beta::ln_beta;

use super::rrng::RRng;
use super::{ceil_count, open_interval, round_r, simpson, SampleSizeError};

/// How criterion 2's expectations over the LP distribution are obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum LpMethod {
    /// pmvalsampsize's simulation: `set.seed(seed)`, `rnorm(simobs, mean, sd)`, sample means.
    Simulate {
        /// Seed (pmvalsampsize's default 123456).
        seed: u32,
        /// Simulated values (pmvalsampsize's default 10⁶).
        simobs: usize,
    },
    /// Numerical integration (Simpson's rule on the LP scale).
    Exact,
}

/// The anticipated distribution of the linear predictor in the validation sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum LpDistribution {
    /// LP ~ N(mean, sd) (pmvalsampsize `lpnormal`).
    Normal {
        /// Mean of the LP.
        mean: f64,
        /// SD of the LP.
        sd: f64,
    },
    /// Predicted risk ~ Beta(alpha, beta), LP = logit(risk) (pmvalsampsize `lpbeta`).
    Beta {
        /// First shape.
        alpha: f64,
        /// Second shape.
        beta: f64,
    },
}

impl LpDistribution {
    /// Check the parameters (sd and shapes positive and finite).
    pub fn checked(self) -> Result<LpDistribution, SampleSizeError> {
        match self {
            LpDistribution::Normal { mean, sd } => {
                open_interval(
                    "--lpnormal mean",
                    mean,
                    f64::NEG_INFINITY,
                    f64::INFINITY,
                    "finite",
                )?;
                open_interval("--lpnormal sd", sd, 0.0, f64::INFINITY, "positive")?;
            }
            LpDistribution::Beta { alpha, beta } => {
                open_interval("--lpbeta alpha", alpha, 0.0, f64::INFINITY, "positive")?;
                open_interval("--lpbeta beta", beta, 0.0, f64::INFINITY, "positive")?;
            }
        }
        Ok(self)
    }

    /// E[g(LP)] by Simpson's rule on the LP scale.
    fn expect(&self, g: impl Fn(f64) -> f64) -> f64 {
        match *self {
            LpDistribution::Normal { mean, sd } => {
                let c = 1.0 / (sd * (2.0 * std::f64::consts::PI).sqrt());
                let f = |x: f64| {
                    let z = (x - mean) / sd;
                    c * (-0.5 * z * z).exp() * g(x)
                };
                simpson(f, mean - 14.0 * sd, mean + 14.0 * sd, 40_000)
            }
            LpDistribution::Beta { alpha, beta } => {
                let lb = ln_beta(alpha, beta);
                // density of logit(P) for P ~ Beta(a, b): expit(x)^a (1 - expit(x))^b / B(a, b)
                let f = |x: f64| {
                    let (lp, lq) = (log_expit(x), log_expit(-x));
                    (alpha * lp + beta * lq - lb).exp() * g(x)
                };
                let reach = 60.0 / alpha.min(beta).min(1.0) + 40.0;
                simpson(f, -reach, reach, 400_000)
            }
        }
    }
}

/// ln(1 / (1 + e^−x)) without overflow.
fn log_expit(x: f64) -> f64 {
    if x > 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}

fn expit(x: f64) -> f64 {
    log_expit(x).exp()
}

/// Checked inputs of `validate_binary` (defaults as pmvalsampsize).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationInputs {
    /// Outcome prevalence in the validation sample.
    pub prevalence: f64,
    /// Anticipated C-statistic.
    pub cstatistic: f64,
    /// Anticipated O/E (default 1).
    pub oe: f64,
    /// Target 95% CI width of O/E (default 0.2).
    pub oe_ci_width: f64,
    /// Anticipated calibration slope (default 1; reported, as in pmvalsampsize it does not enter the I matrix).
    pub cslope: f64,
    /// Target 95% CI width of the calibration slope (default 0.2).
    pub cslope_ci_width: f64,
    /// Target 95% CI width of the C-statistic (default 0.1).
    pub cstat_ci_width: f64,
    /// LP distribution for criterion 2.
    pub lp: LpDistribution,
    /// How criterion 2's expectations are computed.
    pub lp_method: LpMethod,
    /// Net-benefit criterion: threshold, and sensitivity/specificity if given (else from the LP distribution).
    pub net_benefit: Option<NetBenefitInputs>,
}

/// Inputs of criterion 4 (standardised net benefit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetBenefitInputs {
    /// Risk threshold in (0, 1).
    pub threshold: f64,
    /// Sensitivity and specificity at the threshold; `None` to derive them from the LP distribution.
    pub accuracy: Option<(f64, f64)>,
    /// Target 95% CI width of the standardised net benefit (default 0.2).
    pub ci_width: f64,
}

impl ValidationInputs {
    /// Check every range (prevalence and C in (0, 1), widths and O/E positive).
    pub fn checked(self) -> Result<ValidationInputs, SampleSizeError> {
        let open01 = "strictly between 0 and 1";
        open_interval("--prevalence", self.prevalence, 0.0, 1.0, open01)?;
        open_interval("--cstatistic", self.cstatistic, 0.0, 1.0, open01)?;
        let pos = "positive and finite";
        open_interval("--oe", self.oe, 0.0, f64::INFINITY, pos)?;
        open_interval("--oeciwidth", self.oe_ci_width, 0.0, f64::INFINITY, pos)?;
        open_interval("--csciwidth", self.cslope_ci_width, 0.0, f64::INFINITY, pos)?;
        open_interval(
            "--cstatciwidth",
            self.cstat_ci_width,
            0.0,
            f64::INFINITY,
            pos,
        )?;
        open_interval(
            "--cslope",
            self.cslope,
            f64::NEG_INFINITY,
            f64::INFINITY,
            "finite",
        )?;
        self.lp.checked()?;
        if let LpMethod::Simulate { simobs, .. } = self.lp_method {
            if !(2..=10_000_000).contains(&simobs) {
                return Err(SampleSizeError::OutOfRange {
                    name: "--simobs",
                    rule: "a whole number from 2 to 10^7",
                    value: simobs as f64,
                });
            }
            if matches!(self.lp, LpDistribution::Beta { .. }) {
                return Err(SampleSizeError::OutOfRange {
                    name: "--lp-method simulate with --lpbeta",
                    rule:
                        "not available (R's rbeta draws are not reproduced); use --lp-method exact",
                    value: f64::NAN,
                });
            }
        }
        if let Some(nb) = self.net_benefit {
            open_interval("--threshold", nb.threshold, 0.0, 1.0, open01)?;
            open_interval(
                "--nbciwidth",
                nb.ci_width,
                0.0,
                10.0,
                "positive and at most 10",
            )?;
            if let Some((se, sp)) = nb.accuracy {
                open_interval("--sensitivity", se, 0.0, 1.0, open01)?;
                open_interval("--specificity", sp, 0.0, 1.0, open01)?;
            }
        }
        Ok(self)
    }
}

/// One criterion of the validation table (pmvalsampsize's `results_table` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationCriterion {
    /// Criterion number (1–4).
    pub criterion: u8,
    /// The performance measure.
    pub measure: &'static str,
    /// Sample size it requires.
    pub sample_size: u64,
    /// Anticipated performance.
    pub performance: f64,
    /// Standard error targeted (unrounded).
    pub std_error: f64,
    /// Target 95% CI width (for O/E: the width reached by the SE search).
    pub ci_width: f64,
}

/// Validation requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// The inputs used.
    pub inputs: ValidationInputs,
    /// O/E confidence limits at the targeted SE.
    pub oe_ci: (f64, f64),
    /// Fisher-information elements E[p(1−p)], E[LP p(1−p)], E[LP² p(1−p)] of the calibration model.
    pub information: [f64; 3],
    /// Sensitivity, specificity and standardised net benefit used by criterion 4 (when asked).
    pub net_benefit: Option<NetBenefit>,
    /// The criteria in order.
    pub criteria: Vec<ValidationCriterion>,
    /// Final minimum sample size (the largest criterion).
    pub sample_size: u64,
    /// Criterion that sets it (the last one among ties, as pmvalsampsize's `order`).
    pub binding_criterion: u8,
    /// Expected events at the final size (unrounded).
    pub events: f64,
}

/// Criterion 4's quantities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetBenefit {
    /// Threshold.
    pub threshold: f64,
    /// Sensitivity used (given, or from the LP distribution rounded to 2 decimals as pmvalsampsize).
    pub sensitivity: f64,
    /// Specificity used.
    pub specificity: f64,
    /// Net benefit.
    pub net_benefit: f64,
    /// Standardised net benefit (net benefit / prevalence).
    pub standardised: f64,
    /// Where sensitivity and specificity came from.
    pub source: &'static str,
}

/// Sample size for validating a binary-outcome model (pmvalsampsize 0.1.0).
pub fn validate_binary(inputs: ValidationInputs) -> Result<Validation, SampleSizeError> {
    let inputs = inputs.checked()?;
    let phi = inputs.prevalence;
    let (se_oe, oe_ci) = oe_search(inputs.oe, inputs.oe_ci_width);
    let n1 = ceil_count((1.0 - phi) / (phi * se_oe * se_oe), "criterion 1 (O/E)")?;
    let lp = inputs.lp;
    let [i00, i01, i11] = information(&lp, inputs.lp_method);
    let se_cs = inputs.cslope_ci_width / (2.0 * 1.96);
    let n2 = ceil_count(
        i00 / (se_cs * se_cs * (i00 * i11 - i01 * i01)),
        "criterion 2 (calibration slope; is the LP distribution degenerate?)",
    )?;
    let n3 = cstat_search(inputs.cstatistic, phi, inputs.cstat_ci_width)?;
    let se_c = cstat_se(inputs.cstatistic, phi, n3 as f64);
    let mut criteria = vec![
        criterion(1, "O/E", n1, inputs.oe, se_oe, oe_ci.1 - oe_ci.0),
        criterion(
            2,
            "calibration slope",
            n2,
            inputs.cslope,
            se_cs,
            inputs.cslope_ci_width,
        ),
        criterion(
            3,
            "C-statistic",
            n3,
            inputs.cstatistic,
            se_c,
            inputs.cstat_ci_width,
        ),
    ];
    let nb = inputs.net_benefit.map(|nb| net_benefit(nb, phi, &lp));
    if let (Some(nb_in), Some(nb)) = (inputs.net_benefit, nb) {
        let (n4, se_nb) = net_benefit_n(&nb, nb_in.ci_width, phi)?;
        criteria.push(criterion(
            4,
            "standardised net benefit",
            n4,
            nb.standardised,
            se_nb,
            nb_in.ci_width,
        ));
    }
    let sample_size = criteria.iter().map(|c| c.sample_size).max().unwrap_or(0);
    let binding = criteria
        .iter()
        .rev()
        .find(|c| c.sample_size == sample_size)
        .map_or(0, |c| c.criterion);
    Ok(Validation {
        oe_ci,
        information: [i00, i01, i11],
        net_benefit: nb,
        sample_size,
        binding_criterion: binding,
        events: sample_size as f64 * phi,
        criteria,
        inputs,
    })
}

fn criterion(
    criterion: u8,
    measure: &'static str,
    sample_size: u64,
    performance: f64,
    std_error: f64,
    ci_width: f64,
) -> ValidationCriterion {
    ValidationCriterion {
        criterion,
        measure,
        sample_size,
        performance,
        std_error,
        ci_width,
    }
}

/// E[p(1−p)], E[LP p(1−p)], E[LP² p(1−p)] at p = expit(LP).
fn information(lp: &LpDistribution, method: LpMethod) -> [f64; 3] {
    match (method, *lp) {
        (LpMethod::Simulate { seed, simobs }, LpDistribution::Normal { mean, sd }) => {
            let draws = RRng::new(seed).rnorm(simobs, mean, sd);
            let w: Vec<f64> = draws.iter().map(|&x| borenstein(x)).collect();
            [
                r_mean(&w),
                r_mean(&draws.iter().zip(&w).map(|(x, w)| x * w).collect::<Vec<_>>()),
                r_mean(
                    &draws
                        .iter()
                        .zip(&w)
                        .map(|(x, w)| x * x * w)
                        .collect::<Vec<_>>(),
                ),
            ]
        }
        _ => [
            lp.expect(dexpit),
            lp.expect(|x| x * dexpit(x)),
            lp.expect(|x| x * x * dexpit(x)),
        ],
    }
}

/// exp(LP) / (1 + exp(LP))², pmvalsampsize's expression (0 where exp overflows).
fn borenstein(x: f64) -> f64 {
    let e = x.exp();
    if e.is_finite() {
        e / ((1.0 + e) * (1.0 + e))
    } else {
        0.0
    }
}

/// R's `mean`: the sum over n, then the mean of the residuals added back.
fn r_mean(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    m + x.iter().map(|v| v - m).sum::<f64>() / n
}

/// p(1 − p) at p = expit(x).
fn dexpit(x: f64) -> f64 {
    let p = expit(x);
    p * (1.0 - p)
}

/// pmvalsampsize's search: raise SE(ln O/E) by 0.0001 until the CI width reaches the target.
fn oe_search(oe: f64, width: f64) -> (f64, (f64, f64)) {
    let (mut se, mut lo, mut hi) = (0.0f64, oe, oe);
    while hi - lo < width {
        se += 0.0001;
        hi = (oe.ln() + 1.96 * se).exp();
        lo = (oe.ln() - 1.96 * se).exp();
    }
    (se, (lo, hi))
}

/// SE of the C-statistic at size n (Newcombe's formula as pmvalsampsize writes it).
fn cstat_se(c: f64, phi: f64, n: f64) -> f64 {
    let m = n / 2.0 - 1.0;
    (c * (1.0 - c) * (1.0 + m * ((1.0 - c) / (2.0 - c)) + (m * c) / (1.0 + c))
        / (n * n * phi * (1.0 - phi)))
        .sqrt()
}

/// Smallest n ≥ 1 with 2 × 1.96 × SE(C) ≤ the target width (pmvalsampsize scans 1..10⁶).
fn cstat_search(c: f64, phi: f64, width: f64) -> Result<u64, SampleSizeError> {
    const LIMIT: u64 = 1_000_000;
    (1..=LIMIT)
        .find(|&n| 2.0 * 1.96 * cstat_se(c, phi, n as f64) <= width)
        .ok_or(SampleSizeError::NoSolution {
            what: "criterion 3 (C-statistic; pmvalsampsize also searches up to 10^6)",
            limit: LIMIT,
        })
}

/// Sensitivity and specificity (given, or the LP distribution's, rounded to 2 decimals) and net benefit.
fn net_benefit(nb: NetBenefitInputs, phi: f64, lp: &LpDistribution) -> NetBenefit {
    let t = nb.threshold;
    let (sens, spec, source) = match nb.accuracy {
        Some((se, sp)) => (se, sp, "given"),
        None => {
            let cut = (t / (1.0 - t)).ln();
            let events = lp.expect(expit);
            let tp = lp.expect(|x| if x >= cut { expit(x) } else { 0.0 });
            let tn = lp.expect(|x| if x < cut { 1.0 - expit(x) } else { 0.0 });
            let se = round_r(tp / events, 2);
            let sp = round_r(tn / (1.0 - events), 2);
            (
                se,
                sp,
                "LP distribution at the threshold (rounded to 2 decimals)",
            )
        }
    };
    let value = sens * phi - (1.0 - spec) * (1.0 - phi) * (t / (1.0 - t));
    NetBenefit {
        threshold: t,
        sensitivity: sens,
        specificity: spec,
        net_benefit: value,
        standardised: value / phi,
        source,
    }
}

/// Criterion 4: pmvalsampsize's SE search (steps of 0.0001, then rounded to 3 decimals) and its n.
fn net_benefit_n(nb: &NetBenefit, width: f64, phi: f64) -> Result<(u64, f64), SampleSizeError> {
    let (mut se, mut w) = (0.0f64, 0.0f64);
    while w < width {
        se += 0.0001;
        w = (nb.standardised + 1.96 * se) - (nb.standardised - 1.96 * se);
    }
    let se = round_r(se, 3);
    let t = nb.threshold;
    let wt = ((1.0 - phi) / phi) * (t / (1.0 - t));
    let (sens, spec) = (nb.sensitivity, nb.specificity);
    let var = sens * (1.0 - sens) / phi
        + wt * wt * spec * (1.0 - spec) / (1.0 - phi)
        + wt * wt * (1.0 - spec) * (1.0 - spec) / (phi * (1.0 - phi));
    Ok((
        ceil_count(var / (se * se), "criterion 4 (net benefit)")?,
        se,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_expectation_of_one_is_one() {
        let lp = LpDistribution::Normal {
            mean: -5.0,
            sd: 2.5,
        };
        assert!((lp.expect(|_| 1.0) - 1.0).abs() < 1e-10);
    }

    #[test]
    fn beta_expectation_of_risk_is_its_mean() {
        let lp = LpDistribution::Beta {
            alpha: 0.5,
            beta: 0.5,
        };
        assert!((lp.expect(|_| 1.0) - 1.0).abs() < 1e-7);
        let lp = LpDistribution::Beta {
            alpha: 2.0,
            beta: 6.0,
        };
        assert!((lp.expect(expit) - 0.25).abs() < 1e-9);
    }
}
