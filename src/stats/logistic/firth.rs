//! Firth's penalised logistic regression: maximise ℓ(β) + ½ log|I(β)| (Jeffreys prior), the
//! mean-bias-reducing fit of `brglm2::brglmFit(type = "AS_mean")` and `logistf`.
//!
//! The modified score U*(β) = X'(y − μ + h(½ − μ)), h the diagonal of the weighted hat matrix, is
//! solved by Fisher scoring with step-halving on the penalised log-likelihood (as logistf). Standard
//! errors come from I(β̂)⁻¹ = (X'WX)⁻¹ at the penalised estimate, as brglm2's and logistf's summaries.

use nalgebra::{DMatrix, DVector};

use super::{check_response, deviance, inv_logit, LogisticFit};
use crate::stats::design::Design;
use crate::stats::linalg::{cross_products, spd_inverse};
use crate::stats::vcov::{FitOptions, Vcov};
use crate::stats::StatsError;

/// Maximum Fisher-scoring iterations.
pub const FIRTH_MAX_ITER: usize = 200;
/// Convergence: the largest |step| of any coefficient below this.
pub const FIRTH_TOL: f64 = 1e-11;
/// Step-halvings allowed per iteration.
const MAX_HALVINGS: usize = 30;

/// What one evaluation at β gives: fitted μ, weights, (X'WX)⁻¹ and the penalised log-likelihood.
struct Eval {
    mu: Vec<f64>,
    w: Vec<f64>,
    inv: DMatrix<f64>,
    pll: f64,
}

/// Fit a Firth-penalised logistic model of a 0/1 response (classical covariance only).
pub fn firth(design: &Design, opts: &FitOptions) -> Result<LogisticFit, StatsError> {
    let (n, p) = design.x.shape();
    check_response(design)?;
    if opts.vcov != Vcov::Classical {
        return Err(StatsError::Undefined(
            "Firth's penalised logistic regression reports the model-based covariance only; \
             sandwich or cluster-robust covariances do not apply"
                .into(),
        ));
    }
    if n < p {
        return Err(StatsError::TooFew {
            what: format!("Firth logistic model with {p} coefficients"),
            n,
            needed: p,
        });
    }
    let mut beta = DVector::<f64>::zeros(p);
    let mut cur = evaluate(design, &beta)?;
    let (mut converged, mut iterations) = (false, 0);
    for iter in 1..=FIRTH_MAX_ITER {
        iterations = iter;
        let mut step = &cur.inv * modified_score(design, &cur);
        let mut halvings = 0;
        let next = loop {
            let trial = &beta + &step;
            match evaluate(design, &trial) {
                Ok(e) if e.pll >= cur.pll - 1e-12 * cur.pll.abs().max(1.0) => {
                    break Some((trial, e))
                }
                _ if halvings < MAX_HALVINGS => {
                    step /= 2.0;
                    halvings += 1;
                }
                _ => break None,
            }
        };
        let Some((trial, e)) = next else { break };
        let size = step.amax();
        beta = trial;
        cur = e;
        if size < FIRTH_TOL {
            converged = true;
            break;
        }
    }
    let mut warnings = Vec::new();
    if !converged {
        warnings.push(format!(
            "Firth fitting did not converge in {iterations} iterations"
        ));
    }
    let pll = cur.pll;
    let mut fit = LogisticFit {
        names: design.names.clone(),
        coef: beta.iter().copied().collect(),
        vcov: cur.inv,
        opts: *opts,
        n,
        deviance: deviance(&design.y, &cur.mu),
        null_deviance: f64::NAN,
        iterations,
        converged,
        warnings,
        n_clusters: None,
        intercept: design.intercept,
        formula: String::new(),
        missing: design.missing.clone(),
        penalised_log_lik: Some(pll),
    };
    fit.null_deviance = null_deviance(design);
    Ok(fit)
}

/// Modified score X'(y − μ + h(½ − μ)) at the evaluated β.
fn modified_score(design: &Design, e: &Eval) -> DVector<f64> {
    let (n, p) = design.x.shape();
    let mut u = DVector::<f64>::zeros(p);
    let mut row = DVector::<f64>::zeros(p);
    for i in 0..n {
        for j in 0..p {
            row[j] = design.x[(i, j)];
        }
        let h = e.w[i] * (row.transpose() * &e.inv * &row)[(0, 0)];
        let r = design.y[i] - e.mu[i] + h * (0.5 - e.mu[i]);
        u.axpy(r, &row, 1.0);
    }
    u
}

/// μ, weights, (X'WX)⁻¹ and ℓ(β) + ½ log|X'WX| at β; an error when X'WX is singular.
fn evaluate(design: &Design, beta: &DVector<f64>) -> Result<Eval, StatsError> {
    let eta = &design.x * beta;
    let mu: Vec<f64> = eta.iter().map(|&e| inv_logit(e)).collect();
    let w: Vec<f64> = mu.iter().map(|m| m * (1.0 - m)).collect();
    let zeros = vec![0.0; mu.len()];
    let (info, _) = cross_products(&design.x, Some(&w), &zeros);
    let singular = || StatsError::Singular {
        terms: design.names.join(", "),
    };
    let inv = spd_inverse(&info).ok_or_else(singular)?;
    let log_det = log_det_spd(&info).ok_or_else(singular)?;
    let pll = -deviance(&design.y, &mu) / 2.0 + log_det / 2.0;
    Ok(Eval { mu, w, inv, pll })
}

/// log|A| of a symmetric positive definite matrix by Cholesky (scaled to unit diagonal first).
fn log_det_spd(a: &DMatrix<f64>) -> Option<f64> {
    let p = a.nrows();
    let d: Vec<f64> = (0..p).map(|j| a[(j, j)]).collect();
    if d.iter().any(|&v| !(v > 0.0 && v.is_finite())) {
        return None;
    }
    let s: Vec<f64> = d.iter().map(|v| 1.0 / v.sqrt()).collect();
    let scaled = DMatrix::from_fn(p, p, |i, j| a[(i, j)] * s[i] * s[j]);
    let l = scaled.cholesky()?;
    let diag: f64 = (0..p).map(|j| l.l_dirty()[(j, j)].ln()).sum::<f64>() * 2.0;
    Some(diag + d.iter().map(|v| v.ln()).sum::<f64>())
}

/// Deviance of the Firth fit with the intercept only (brglm2's null deviance), or of μ = ½ without one.
fn null_deviance(design: &Design) -> f64 {
    let n = design.y.len();
    if !design.intercept {
        return deviance(&design.y, &vec![0.5; n]);
    }
    // Intercept-only Firth: the estimate is logit((Σy + ½)/(n + 1)).
    let m = (design.y.iter().sum::<f64>() + 0.5) / (n as f64 + 1.0);
    deviance(&design.y, &vec![m; n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(x: &[f64], y: &[f64]) -> Design {
        let n = x.len();
        let rows: Vec<f64> = x.iter().flat_map(|&v| [1.0, v]).collect();
        Design {
            y: y.to_vec(),
            x: DMatrix::from_row_slice(n, 2, &rows),
            names: vec!["(Intercept)".into(), "x".into()],
            rows: (0..n).collect(),
            missing: vec![],
            cluster: None,
            response: "y".into(),
            response_levels: None,
            terms: vec![],
            intercept: true,
            source: "test".into(),
        }
    }

    #[test]
    fn intercept_only_has_closed_form() {
        // Firth's intercept-only estimate is logit((k + ½)/(n + 1)): k = 2 of n = 5 → logit(2.5/6).
        let d = Design {
            x: DMatrix::from_element(5, 1, 1.0),
            names: vec!["(Intercept)".into()],
            ..design(&[0.0; 5], &[1.0, 1.0, 0.0, 0.0, 0.0])
        };
        let f = firth(&d, &FitOptions::default()).unwrap();
        let want = (2.5f64 / 3.5).ln();
        assert!((f.coef[0] - want).abs() < 1e-10, "{} vs {want}", f.coef[0]);
    }

    #[test]
    fn separated_data_give_finite_estimates() {
        let f = firth(
            &design(
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
            ),
            &FitOptions::default(),
        )
        .unwrap();
        assert!(f.converged && f.coef.iter().all(|b| b.is_finite() && b.abs() < 20.0));
    }
}
