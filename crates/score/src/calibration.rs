//! Calibration of a score's risk model on data: calibration-in-the-large (`glm(y ~ offset(lp), binomial)`) and
//! the calibration slope (`glm(y ~ lp, binomial)`), with a small Newton–Raphson logistic fit shared with the
//! bootstrap.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::derive::Interval;
use super::RiskModel;
pub use calcscore_stats::calibration::ValProb;

/// A logistic fit: coefficients (intercept first) and their model-based covariance.
pub(crate) struct SmallFit {
    /// Intercept, then one coefficient per column.
    pub beta: Vec<f64>,
    /// Inverse Fisher information.
    pub cov: DMatrix<f64>,
}

/// Maximum-likelihood logistic regression of `y` (0/1) on an intercept and `cols` (each one value per row), with
/// an optional offset; `None` when it does not converge (separation, a constant column).
pub(crate) fn logistic_fit(
    cols: &[Vec<f64>],
    offset: Option<&[f64]>,
    y: &[f64],
) -> Option<SmallFit> {
    let n = y.len();
    let p = cols.len() + 1;
    let x = |i: usize, j: usize| if j == 0 { 1.0 } else { cols[j - 1][i] };
    let mut beta = DVector::<f64>::zeros(p);
    for _ in 0..50 {
        let mut info = DMatrix::<f64>::zeros(p, p);
        let mut score = DVector::<f64>::zeros(p);
        for i in 0..n {
            let eta: f64 =
                (0..p).map(|j| x(i, j) * beta[j]).sum::<f64>() + offset.map_or(0.0, |o| o[i]);
            let mu = 1.0 / (1.0 + (-eta).exp());
            let w = mu * (1.0 - mu);
            for a in 0..p {
                score[a] += x(i, a) * (y[i] - mu);
                for b in 0..p {
                    info[(a, b)] += w * x(i, a) * x(i, b);
                }
            }
        }
        let cov = calcscore_stats::linalg::spd_inverse(&info)?;
        let step = &cov * &score;
        beta += &step;
        if step.amax() < 1e-10 {
            return beta
                .iter()
                .all(|b| b.is_finite() && b.abs() < 30.0)
                .then(|| SmallFit {
                    beta: beta.iter().copied().collect(),
                    cov,
                });
        }
    }
    None
}

/// How a group's calibration was assessed, and its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// "external" (the model was fitted elsewhere) or "apparent (in-sample)" (fitted in this very group).
    pub kind: String,
    /// Where the risk model comes from.
    pub model_source: String,
    /// The risk model: logit P(event) = intercept + slope × points.
    pub model: RiskModel,
    /// Calibration-in-the-large: the intercept of `glm(y ~ offset(lp), binomial)` (0 = predictions right on average).
    pub intercept: Option<Interval>,
    /// Calibration slope: the coefficient of lp in `glm(y ~ lp, binomial)` (1 = spread right; < 1 = too extreme).
    pub slope: Option<Interval>,
    /// Events observed.
    pub observed_events: usize,
    /// Events the model predicts (sum of predicted risks).
    pub expected_events: f64,
    /// `rms::val.prob` measures of the predicted risks (`None` when undefined, e.g. one outcome class).
    pub val_prob: Option<ValProb>,
}

/// Calibration of `model` on scores `s` and events `e` (model-based Wald intervals, as `confint.default`).
pub fn calibrate(
    model: &RiskModel,
    kind: &str,
    source: &str,
    s: &[f64],
    e: &[bool],
    level: f64,
) -> Calibration {
    let lp: Vec<f64> = s.iter().map(|&x| model.logit(x)).collect();
    let y: Vec<f64> = e.iter().map(|&v| f64::from(u8::from(v))).collect();
    let z = Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0);
    let interval = |f: &SmallFit, j: usize| {
        let se = f.cov[(j, j)].max(0.0).sqrt();
        Interval {
            estimate: f.beta[j],
            conf_low: f.beta[j] - z * se,
            conf_high: f.beta[j] + z * se,
        }
    };
    let intercept = logistic_fit(&[], Some(&lp), &y).map(|f| interval(&f, 0));
    let slope = logistic_fit(std::slice::from_ref(&lp), None, &y).map(|f| interval(&f, 1));
    let p: Vec<f64> = s.iter().map(|&x| model.probability(x)).collect();
    let full = calcscore_stats::calibration::calibration(&p, e, 10, level).ok();
    Calibration {
        val_prob: full.map(|c| c.val_prob),
        kind: kind.into(),
        model_source: source.into(),
        model: model.clone(),
        intercept,
        slope,
        observed_events: e.iter().filter(|&&v| v).count(),
        expected_events: p.iter().sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_intercept_by_hand() {
        // With lp = 0 for every row, the offset model's intercept is logit(mean y): 3 events of 4 → log(3).
        let y = [1.0, 1.0, 1.0, 0.0];
        let f = logistic_fit(&[], Some(&[0.0; 4]), &y).unwrap();
        assert!((f.beta[0] - 3f64.ln()).abs() < 1e-9);
        // Var = 1 / (n p (1 − p)) = 1 / (4 · 3/4 · 1/4) = 4/3.
        assert!((f.cov[(0, 0)] - 4.0 / 3.0).abs() < 1e-9);
    }
}
