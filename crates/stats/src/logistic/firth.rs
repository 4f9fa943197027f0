//! Firth's penalised logistic regression: maximise ℓ(β) + ½ log|I(β)| (Jeffreys prior), the
//! mean-bias-reducing fit of `brglm2::brglmFit(type = "AS_mean")` and `logistf`.
//!
//! The modified score U*(β) = X'(y − μ + h(½ − μ)), h the diagonal of the weighted hat matrix, is
//! solved by Fisher scoring with step-halving on the penalised log-likelihood (as logistf). Standard
//! errors come from I(β̂)⁻¹ = (X'WX)⁻¹ at the penalised estimate, as brglm2's and logistf's summaries.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{check_response, deviance, inv_logit, Binomial, LogisticFit};
use crate::design::Design;
use crate::fit::Fit;
use crate::linalg::{cross_products, spd_inverse};
use crate::vcov::{FitOptions, Reference, Vcov};
use crate::StatsError;

/// Maximum Fisher-scoring iterations.
pub(crate) const FIRTH_MAX_ITER: usize = 200;
/// Convergence: the largest |step| of any coefficient below this.
pub(crate) const FIRTH_TOL: f64 = 1e-11;
/// Step-halvings allowed per iteration.
const MAX_HALVINGS: usize = 30;

/// What one evaluation at β gives: fitted μ, weights, X'WX, its inverse and the penalised log-likelihood.
struct Eval {
    mu: Vec<f64>,
    w: Vec<f64>,
    info: DMatrix<f64>,
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
    let (beta, cur, converged, iterations) = maximise(design, DVector::<f64>::zeros(p), None)?;
    let mut warnings = Vec::new();
    if !converged {
        warnings.push(format!(
            "Firth fitting did not converge in {iterations} iterations"
        ));
    }
    let model = Binomial {
        deviance: deviance(&design.y, &cur.mu),
        null_deviance: null_deviance(design),
        iterations,
        converged,
        warnings,
        penalised_log_lik: Some(cur.pll),
    };
    Ok(Fit::new(design, &beta, cur.inv, opts, Reference::Z, model))
}

/// Fisher scoring from `beta` on the modified score with step-halving; with `fixed = Some(j)` the
/// coefficient j stays at its value and the others are maximised (the profile). Returns the estimates,
/// their evaluation, whether the largest step fell below [`FIRTH_TOL`] and the iterations used.
fn maximise(
    design: &Design,
    mut beta: DVector<f64>,
    fixed: Option<usize>,
) -> Result<(DVector<f64>, Eval, bool, usize), StatsError> {
    let mut cur = evaluate(design, &beta)?;
    let (mut converged, mut iterations) = (false, 0);
    for iter in 1..=FIRTH_MAX_ITER {
        iterations = iter;
        let Some(mut step) = scoring_step(design, &cur, fixed) else {
            break;
        };
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
    Ok((beta, cur, converged, iterations))
}

/// I⁻¹U* on all coefficients, or on all but the fixed one (its step 0); `None` if that block is singular.
fn scoring_step(design: &Design, e: &Eval, fixed: Option<usize>) -> Option<DVector<f64>> {
    let u = modified_score(design, e);
    let Some(j) = fixed else {
        return Some(&e.inv * u);
    };
    let p = u.len();
    let free: Vec<usize> = (0..p).filter(|&k| k != j).collect();
    let block = DMatrix::from_fn(free.len(), free.len(), |a, b| e.info[(free[a], free[b])]);
    let inv = spd_inverse(&block)?;
    let sub = &inv * DVector::from_iterator(free.len(), free.iter().map(|&k| u[k]));
    let mut step = DVector::<f64>::zeros(p);
    for (a, &k) in free.iter().enumerate() {
        step[k] = sub[a];
    }
    Some(step)
}

/// Profile penalised-likelihood intervals of every coefficient, as logistf's default: the values b of
/// β_j where 2[pl(β̂) − max over the others of pl(β | β_j = b)] equals the χ²₁ quantile at `level`.
/// Each constrained maximum is reached by scoring from β̂ (as logistf starts); pl need not be concave, and
/// under separation a profile can have several local maxima, so there the limits are local ones. A limit
/// that cannot be bracketed or whose profile fit fails is NaN.
pub fn firth_profile_ci(
    design: &Design,
    fit: &LogisticFit,
    level: f64,
) -> Result<Vec<(f64, f64)>, StatsError> {
    let pll = fit.model.penalised_log_lik.ok_or_else(|| {
        StatsError::Undefined("profile penalised-likelihood intervals need a Firth fit".into())
    })?;
    let q = ChiSquared::new(1.0)
        .map_err(|e| StatsError::Undefined(e.to_string()))?
        .inverse_cdf(level);
    let beta = DVector::from_column_slice(&fit.coef);
    Ok((0..beta.len())
        .map(|j| {
            let se = fit.vcov[(j, j)].sqrt();
            let deficit = |b: f64| {
                let mut start = beta.clone();
                start[j] = b;
                maximise(design, start, Some(j))
                    .map_or(f64::NAN, |(_, e, _, _)| 2.0 * (pll - e.pll) - q)
            };
            (
                profile_limit(&deficit, beta[j], -se),
                profile_limit(&deficit, beta[j], se),
            )
        })
        .collect())
}

/// The root of `deficit` beyond `estimate` in the direction of `step`: doubling the distance until the
/// deficit turns positive, then the Illinois variant of regula falsi until it is within 1e-11 of zero.
fn profile_limit(deficit: &dyn Fn(f64) -> f64, estimate: f64, step: f64) -> f64 {
    if !(step.is_finite() && step != 0.0) {
        return f64::NAN;
    }
    let (mut a, mut fa) = (estimate, deficit(estimate));
    let mut b = estimate + step;
    let mut fb = deficit(b);
    let mut tries = 0;
    while fb <= 0.0 {
        if fb.is_nan() || tries > 60 {
            return f64::NAN;
        }
        (a, fa) = (b, fb);
        b = estimate + (b - estimate) * 2.0;
        fb = deficit(b);
        tries += 1;
    }
    let mut side = 0;
    for _ in 0..200 {
        let c = (a * fb - b * fa) / (fb - fa);
        let fc = deficit(c);
        if fc.is_nan() {
            return f64::NAN;
        }
        if fc.abs() < 1e-11 || (b - a).abs() <= 1e-13 * c.abs().max(1.0) {
            return c;
        }
        if fc > 0.0 {
            (b, fb) = (c, fc);
            if side == -1 {
                fa /= 2.0;
            }
            side = -1;
        } else {
            (a, fa) = (c, fc);
            if side == 1 {
                fb /= 2.0;
            }
            side = 1;
        }
    }
    f64::NAN
}

/// Modified score X'(y − μ + h(½ − μ)) at the evaluated β (plain loops: it runs for every profile step).
fn modified_score(design: &Design, e: &Eval) -> DVector<f64> {
    let (n, p) = design.x.shape();
    let x = design.x.as_slice();
    let inv = e.inv.as_slice();
    let mut u = vec![0.0; p];
    let mut row = vec![0.0; p];
    for i in 0..n {
        for (j, r) in row.iter_mut().enumerate() {
            *r = x[j * n + i];
        }
        let mut quad = 0.0;
        for j in 0..p {
            let col = &inv[j * p..(j + 1) * p];
            let dot: f64 = col.iter().zip(&row).map(|(a, b)| a * b).sum();
            quad += row[j] * dot;
        }
        let h = e.w[i] * quad;
        let r = design.y[i] - e.mu[i] + h * (0.5 - e.mu[i]);
        for (uj, xj) in u.iter_mut().zip(&row) {
            *uj += r * xj;
        }
    }
    DVector::from_vec(u)
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
    Ok(Eval {
        mu,
        w,
        info,
        inv,
        pll,
    })
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
        assert!(f.model.converged && f.coef.iter().all(|b| b.is_finite() && b.abs() < 20.0));
    }
}
