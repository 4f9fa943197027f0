//! Diagnostic accuracy of a dichotomised marker: the 2×2 table, sensitivity, specificity,
//! predictive values, accuracy (Wilson or Clopper-Pearson intervals) and likelihood ratios
//! (log-method intervals, as `epiR::epi.tests` 2.0.57).

use serde::Serialize;
use statrs::function::beta::beta_reg;

use super::roc::z_quantile;

/// How a binomial proportion's confidence interval is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CiMethod {
    /// Wilson score interval without continuity correction (R `prop.test(correct = FALSE)`).
    Wilson,
    /// Clopper-Pearson exact interval (R `binom.test`).
    Exact,
}

impl CiMethod {
    /// Name used in output ("wilson" or "exact").
    pub fn name(self) -> &'static str {
        match self {
            CiMethod::Wilson => "wilson",
            CiMethod::Exact => "exact",
        }
    }
}

/// Counts of a 2×2 diagnostic table (test result by true status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TwoByTwo {
    /// True positives: cases with a positive test.
    pub tp: usize,
    /// False positives: controls with a positive test.
    pub fp: usize,
    /// False negatives: cases with a negative test (`fn` in JSON).
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// True negatives: controls with a negative test.
    pub tn: usize,
}

/// One accuracy measure with its interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// "sensitivity", "specificity", "ppv", "npv", "accuracy", "lr_pos" or "lr_neg".
    pub name: String,
    /// Point estimate (a likelihood ratio may be +Inf when its denominator proportion is 0).
    pub estimate: f64,
    /// Proportions: the count x. Likelihood ratios: tp (lr_pos) or fn (lr_neg).
    pub numerator: usize,
    /// Proportions: the count n. Likelihood ratios: fp (lr_pos) or tn (lr_neg).
    pub denominator: usize,
    /// Lower confidence limit.
    pub conf_low: f64,
    /// Upper confidence limit (may be +Inf for a likelihood ratio with a zero cell).
    pub conf_high: f64,
    /// "wilson", "exact" or "log" (likelihood ratios).
    pub method: String,
    /// Caveat about zero cells, if any.
    pub note: Option<String>,
}

impl TwoByTwo {
    /// Cross-tabulate: a test is positive when `marker >= cutoff`; `outcome` true for a case.
    /// A NaN marker compares false and counts as negative: drop missing values first.
    pub fn from_marker(marker: &[f64], outcome: &[bool], cutoff: f64) -> TwoByTwo {
        Self::from_marker_direction(marker, outcome, cutoff, true)
    }

    /// The 2×2 table at a cutoff in either direction: with `higher_is_case` (pROC's `direction = "<"`, controls
    /// below cases) a test is positive when marker ≥ cutoff, otherwise when marker ≤ cutoff.
    pub fn from_marker_direction(
        marker: &[f64],
        outcome: &[bool],
        cutoff: f64,
        higher_is_case: bool,
    ) -> TwoByTwo {
        let mut t = TwoByTwo {
            tp: 0,
            fp: 0,
            fn_: 0,
            tn: 0,
        };
        for (&x, &case) in marker.iter().zip(outcome) {
            let positive = if higher_is_case {
                x >= cutoff
            } else {
                x <= cutoff
            };
            match (positive, case) {
                (true, true) => t.tp += 1,
                (true, false) => t.fp += 1,
                (false, true) => t.fn_ += 1,
                (false, false) => t.tn += 1,
            }
        }
        t
    }

    /// Total count.
    pub fn total(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// All measures in a fixed order; a proportion with an empty denominator is left out.
    pub fn measures(&self, method: CiMethod, level: f64) -> Vec<Measure> {
        let t = self;
        let mut out: Vec<Measure> = [
            ("sensitivity", t.tp, t.tp + t.fn_),
            ("specificity", t.tn, t.tn + t.fp),
            ("ppv", t.tp, t.tp + t.fp),
            ("npv", t.tn, t.tn + t.fn_),
            ("accuracy", t.tp + t.tn, t.total()),
        ]
        .into_iter()
        .filter(|&(_, _, n)| n > 0)
        .map(|(name, x, n)| proportion(name, x, n, method, level))
        .collect();
        if t.tp + t.fn_ > 0 && t.tn + t.fp > 0 {
            out.push(self.likelihood_ratio(true, level));
            out.push(self.likelihood_ratio(false, level));
        }
        out
    }

    /// One measure by name (see [`Measure::name`]); None if unknown or undefined.
    pub fn measure(&self, name: &str, method: CiMethod, level: f64) -> Option<Measure> {
        self.measures(method, level)
            .into_iter()
            .find(|m| m.name == name)
    }

    /// LR+ = sens / (1 - spec) or LR- = (1 - sens) / spec with epiR's log-method interval:
    /// exp(log LR ± z sqrt((1-se)/(M1 se) + sp/(M0 (1-sp)))) for LR+, mirrored for LR-.
    fn likelihood_ratio(&self, positive: bool, level: f64) -> Measure {
        let (m1, m0) = ((self.tp + self.fn_) as f64, (self.tn + self.fp) as f64);
        let (se, sp) = (self.tp as f64 / m1, self.tn as f64 / m0);
        let (name, est, var, num, den) = if positive {
            let var = (1.0 - se) / (m1 * se) + sp / (m0 * (1.0 - sp));
            ("lr_pos", se / (1.0 - sp), var, self.tp, self.fp)
        } else {
            let var = se / (m1 * (1.0 - se)) + (1.0 - sp) / (m0 * sp);
            ("lr_neg", (1.0 - se) / sp, var, self.fn_, self.tn)
        };
        let z = z_quantile(level);
        let ok = est.is_finite() && est > 0.0 && var.is_finite();
        let (lo, hi, note) = if ok {
            let h = z * var.sqrt();
            ((est.ln() - h).exp(), (est.ln() + h).exp(), None)
        } else {
            let cells = format!(
                "tp={}, fp={}, fn={}, tn={}",
                self.tp, self.fp, self.fn_, self.tn
            );
            let note = format!(
                "zero cell ({cells}): {name} is {}, its log-method interval is undefined and reported as [0, Inf]; the proportion intervals still apply",
                calcscore_core::format::shortest(Some(est))
            );
            (0.0, f64::INFINITY, Some(note))
        };
        Measure {
            name: name.into(),
            estimate: est,
            numerator: num,
            denominator: den,
            conf_low: lo,
            conf_high: hi,
            method: "log".into(),
            note,
        }
    }
}

/// A proportion x/n with its interval; notes when x is 0 or n (one-sided limit at 0 or 1).
fn proportion(name: &str, x: usize, n: usize, method: CiMethod, level: f64) -> Measure {
    let (lo, hi) = binomial_ci(x, n, method, level);
    let note = if x == 0 || x == n {
        Some(format!(
            "{x}/{n}: estimate on the boundary; the {} interval still applies (limit fixed at {})",
            method.name(),
            if x == 0 { 0 } else { 1 }
        ))
    } else {
        None
    };
    Measure {
        name: name.into(),
        estimate: x as f64 / n as f64,
        numerator: x,
        denominator: n,
        conf_low: lo,
        conf_high: hi,
        method: method.name().into(),
        note,
    }
}

/// Two-sided confidence interval of the binomial proportion x/n: Wilson as R
/// `prop.test(x, n, correct = FALSE)$conf.int`, Exact as `binom.test(x, n)$conf.int`.
/// Returns (0, 1) when n = 0.
pub fn binomial_ci(x: usize, n: usize, method: CiMethod, level: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    match method {
        CiMethod::Wilson => wilson(x, n, level),
        CiMethod::Exact => clopper_pearson(x, n, level),
    }
}

/// Wilson score interval exactly as `prop.test` computes it (no continuity correction).
fn wilson(x: usize, n: usize, level: f64) -> (f64, f64) {
    let nf = n as f64;
    let p = x as f64 / nf;
    let z = z_quantile(level);
    let z22n = z * z / (2.0 * nf);
    let half = z * (p * (1.0 - p) / nf + z22n / (2.0 * nf)).sqrt();
    let lo = if p <= 0.0 {
        0.0
    } else {
        (p + z22n - half) / (1.0 + 2.0 * z22n)
    };
    let hi = if p >= 1.0 {
        1.0
    } else {
        (p + z22n + half) / (1.0 + 2.0 * z22n)
    };
    (lo.max(0.0), hi.min(1.0))
}

/// Clopper-Pearson limits: Beta quantiles as in `binom.test`.
fn clopper_pearson(x: usize, n: usize, level: f64) -> (f64, f64) {
    let alpha = 1.0 - level;
    let (xf, nf) = (x as f64, n as f64);
    let lo = if x == 0 {
        0.0
    } else {
        beta_quantile(alpha / 2.0, xf, nf - xf + 1.0)
    };
    let hi = if x == n {
        1.0
    } else {
        beta_quantile(1.0 - alpha / 2.0, xf + 1.0, nf - xf)
    };
    (lo, hi)
}

/// Quantile of Beta(a, b) by bisection on the regularized incomplete beta, to full precision.
pub(crate) fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..1100 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if beta_reg(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_by_hand() {
        // x = 3, n = 10, z = 1.959963984540054: Wilson formula written out.
        let z: f64 = 1.959963984540054;
        let (p, n) = (0.3f64, 10.0f64);
        let c = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
        let h = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
        let (lo, hi) = binomial_ci(3, 10, CiMethod::Wilson, 0.95);
        assert!((lo - (c - h)).abs() < 1e-12 && (hi - (c + h)).abs() < 1e-12);
    }

    #[test]
    fn exact_limit_for_zero_successes() {
        // x = 0: upper = 1 - (alpha/2)^(1/n).
        let (lo, hi) = binomial_ci(0, 20, CiMethod::Exact, 0.95);
        assert_eq!(lo, 0.0);
        assert!((hi - (1.0 - 0.025f64.powf(1.0 / 20.0))).abs() < 1e-12);
    }
}
