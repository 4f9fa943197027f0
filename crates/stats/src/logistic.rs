//! Logistic regression by iteratively reweighted least squares (R's `glm(family = binomial)`), with Wald
//! inference from the Fisher information or a sandwich covariance, and separation reported, never hidden.

use crate::dist::Checked;
use nalgebra::{DMatrix, DVector};
use statrs::distribution::ChiSquared;

use super::design::Design;
use super::fit::Fit;
use super::linalg::{add_blocks, spd_inverse, Tiles, BLOCK_ROWS, TILE_ROWS};
use super::ols::Glance;
use super::vcov::{coef_table_text, sandwich, FitOptions, Reference, Vcov};
use super::{StatsError, TestResult, TidyRow};
use rayon::prelude::*;

mod firth;
pub use firth::{firth, firth_profile_ci};

/// Maximum IRLS iterations (R's glm.control default).
pub(crate) const MAX_ITER: usize = 25;
/// Convergence: |dev − dev_old| / (|dev| + 0.1) < EPSILON (R's glm.control default).
pub const EPSILON: f64 = 1e-8;

/// A fitted logistic model.
pub type LogisticFit = Fit<Binomial>;

/// What a logistic fit adds to its coefficients: deviances, and how the iterations went.
#[derive(Debug, Clone)]
pub struct Binomial {
    deviance: f64,
    null_deviance: f64,
    iterations: usize,
    converged: bool,
    warnings: Vec<String>,
    /// ℓ(β̂) + ½ log|I(β̂)| for a Firth fit; `None` for maximum likelihood.
    penalised_log_lik: Option<f64>,
}

/// Fit a logistic model of a 0/1 response.
pub fn logistic(design: &Design, opts: &FitOptions) -> Result<LogisticFit, StatsError> {
    let (n, p) = design.x.shape();
    check_response(design)?;
    if n <= p {
        return Err(StatsError::TooFew {
            what: format!("logistic model with {p} coefficients"),
            n,
            needed: p + 1,
        });
    }
    let y = &design.y;
    let irls = irls(design)?;
    let (beta, mu, converged, iterations) = (irls.beta, irls.mu, irls.converged, irls.iterations);
    let bread = irls.bread;
    let dev_old = irls.deviance;
    let mut warnings = separation_warnings(&mu, &beta, converged);
    if irls.stopped_singular {
        warnings.push("the information matrix became singular during IRLS (separation): estimates are from the last invertible step".into());
    }
    let vcov = match opts.vcov {
        Vcov::Classical => bread.clone(),
        kind => {
            // sandwich's estfun.glm: working residual × working weight × x, as glm stores them.
            let mut scores = irls.spare;
            let w = &irls.weights;
            scores.par_iter_mut().enumerate().for_each(|(i, s)| {
                *s = (y[i] - mu[i]) / (mu[i] * (1.0 - mu[i])) * w[i];
            });
            sandwich(&design.x, &scores, &bread, kind, design.cluster.as_deref())?
        }
    };
    let ybar = y.iter().sum::<f64>() / n as f64;
    let null_mu = if design.intercept { ybar } else { 0.5 };
    let model = Binomial {
        deviance: dev_old,
        null_deviance: constant_deviance(y, null_mu),
        iterations,
        converged,
        warnings,
        penalised_log_lik: None,
    };
    Ok(Fit::new(design, &beta, vcov, opts, Reference::Z, model))
}

/// The state IRLS ends in, as R's glm.fit leaves it.
struct Irls {
    beta: DVector<f64>,
    mu: Vec<f64>,
    /// Working weights of the last iteration (evaluated at the previous estimates, as glm stores them).
    weights: Vec<f64>,
    /// (X'WX)⁻¹ with those weights: R's `summary.glm` cov.unscaled.
    bread: DMatrix<f64>,
    /// The deviance at `mu`.
    deviance: f64,
    converged: bool,
    iterations: usize,
    stopped_singular: bool,
    /// The deviance-terms n-vector, free for the sandwich scores (no new n-vector to fault in).
    spare: Vec<f64>,
}

/// IRLS exactly as R's glm.fit: start μ = (y + 0.5)/2, stop when the relative deviance change < 1e-8.
/// Each step's pass over the rows updates μ, the deviance terms and the next weights and, unless the step is
/// expected to converge, also forms the next step's X'WX and X'Wz from the same tiles of X ([`pass`]); the
/// n-vectors are allocated once, and every sum keeps the order of [`cross_products`] and [`deviance`].
///
/// [`cross_products`]: super::linalg::cross_products
fn irls(design: &Design) -> Result<Irls, StatsError> {
    let (n, p) = design.x.shape();
    let y = &design.y;
    let (mut mu, mut w) = (vec![0.0; n], vec![0.0; n]);
    let (mut last_w, mut terms) = (vec![0.0; n], vec![0.0; n]);
    // The last accepted step: β, its bread, converged, iteration.
    let mut step: Option<(DVector<f64>, DMatrix<f64>, bool, usize)> = None;
    let mut stopped_singular = false;
    // The starting μ, the weights and cross products of the first step (each pass then gives the next), and
    // beside them the starting deviance (a sum in row order, on one thread).
    let x = &design.x;
    let (mut dev_old, first) = rayon::join(
        || start_deviance(y),
        || pass(x, y, None, (&mut mu, &mut terms, &mut w), true),
    );
    let mut next = Some(add_blocks(p, first));
    let mut change = f64::INFINITY;
    for iter in 1..=MAX_ITER {
        let (xtwx, xtwz) = match next.take() {
            Some(products) => products,
            // The last pass skipped them: the same pass again gives the same μ and weights, and the products.
            None => {
                let beta = step.as_ref().map(|s| s.0.as_slice());
                add_blocks(p, pass(x, y, beta, (&mut mu, &mut terms, &mut w), true))
            }
        };
        let Some(bread) = spd_inverse(&xtwx) else {
            // μ is still that of the last accepted step, and `last_w` its weights.
            if step.is_none() {
                return Err(StatsError::Singular {
                    terms: design.names.join(", "),
                });
            }
            stopped_singular = true;
            break;
        };
        let beta: DVector<f64> = &bread * xtwz;
        // `last_w` keeps this step's weights; `w` receives the next step's.
        std::mem::swap(&mut w, &mut last_w);
        // Newton's relative change about squares each step: below 1e-4 the next one is likely below 1e-8.
        let products = change.is_nan() || change >= EPSILON.sqrt();
        let blocks = pass(
            x,
            y,
            Some(beta.as_slice()),
            (&mut mu, &mut terms, &mut w),
            products,
        );
        next = products.then(|| add_blocks(p, blocks));
        let dev = -2.0 * terms.iter().sum::<f64>();
        change = (dev - dev_old).abs() / (dev.abs() + 0.1);
        let converged = change < EPSILON;
        dev_old = dev;
        step = Some((beta, bread, converged, iter));
        if converged {
            break;
        }
    }
    let (beta, bread, converged, iterations) = step.ok_or_else(|| StatsError::NotConverged {
        what: "IRLS".into(),
        iterations: 0,
    })?;
    debug_assert_eq!(beta.len(), p);
    Ok(Irls {
        beta,
        mu,
        weights: last_w,
        bread,
        deviance: dev_old,
        converged,
        iterations,
        stopped_singular,
        spare: terms,
    })
}

/// The per-row vectors a pass writes (μ, deviance terms, weights), whole or for one block of rows.
type BlockRows<'a> = (&'a mut [f64], &'a mut [f64], &'a mut [f64]);

/// One pass over the rows by blocks of [`BLOCK_ROWS`] in parallel. With `beta`: η = Xβ, μ and the deviance
/// terms (each row's η summed over the columns in order from 0); without: the starting μ and η ([`start_row`];
/// terms untouched). Then the weights `w` and, when `products`, each block's X'WX and X'Wz of those weights and
/// working responses, tile by tile as [`cross_products`] sums them (the same digits once [`add_blocks`] adds
/// them in order).
///
/// [`cross_products`]: super::linalg::cross_products
fn pass(
    x: &DMatrix<f64>,
    y: &[f64],
    beta: Option<&[f64]>,
    (mu, terms, w): BlockRows<'_>,
    products: bool,
) -> Vec<(Vec<f64>, Vec<f64>)> {
    mu.par_chunks_mut(BLOCK_ROWS)
        .zip(terms.par_chunks_mut(BLOCK_ROWS))
        .zip(w.par_chunks_mut(BLOCK_ROWS))
        .enumerate()
        .map(|(b, ((mu, terms), w))| {
            block_pass(x, y, beta, b * BLOCK_ROWS, (mu, terms, w), products)
        })
        .collect()
}

/// [`pass`] on the block of rows starting at `from`, tile by tile ([`TILE_ROWS`]); its products (empty
/// when not asked for).
fn block_pass(
    x: &DMatrix<f64>,
    y: &[f64],
    beta: Option<&[f64]>,
    from: usize,
    (mu, terms, w): BlockRows<'_>,
    products: bool,
) -> (Vec<f64>, Vec<f64>) {
    let (n, data) = (x.nrows(), x.as_slice());
    let mut sums = Tiles::new(x);
    let (mut eta, mut z) = ([0.0; TILE_ROWS], [0.0; TILE_ROWS]);
    let mut s = 0;
    while s < mu.len() {
        let e = (s + TILE_ROWS).min(mu.len());
        let (eta, z) = (&mut eta[..e - s], &mut z[..e - s]);
        let (start, end) = (from + s, from + e);
        let (mu, w, y) = (&mut mu[s..e], &mut w[s..e], &y[start..end]);
        match beta {
            Some(beta) => {
                eta.fill(0.0);
                for (j, &bj) in beta.iter().enumerate() {
                    for (v, &xv) in eta.iter_mut().zip(&data[j * n + start..j * n + end]) {
                        *v += xv * bj;
                    }
                }
                for (((m, t), &eta), &y) in mu.iter_mut().zip(&mut terms[s..e]).zip(&*eta).zip(y) {
                    *m = inv_logit(eta);
                    *t = deviance_term(y, *m);
                }
            }
            None => {
                let (s0, s1) = (start_row(0.0), start_row(1.0));
                for ((m, v), &y) in mu.iter_mut().zip(eta.iter_mut()).zip(y) {
                    (*m, *v) = if y == 0.0 {
                        s0
                    } else if y == 1.0 {
                        s1
                    } else {
                        start_row(y)
                    };
                }
            }
        }
        for ((((w, z), &m), &eta), &y) in w.iter_mut().zip(z.iter_mut()).zip(&*mu).zip(&*eta).zip(y)
        {
            *w = (m * (1.0 - m)).max(f64::EPSILON);
            *z = eta + (y - m) / *w;
        }
        if products {
            sums.add(start, end, Some(w), z);
        }
        s = e;
    }
    sums.into_sums()
}

/// The response must be 0/1 with both classes present.
fn check_response(design: &Design) -> Result<(), StatsError> {
    // One parallel pass counts the 1s and notices any other value; the first such value is then found in order.
    let (ones, other) = design
        .y
        .par_chunks(1 << 16)
        .map(|c| {
            c.iter().fold((0, false), |(k, o), &v| {
                (k + usize::from(v == 1.0), o | (v != 0.0 && v != 1.0))
            })
        })
        .reduce(|| (0, false), |a, b| (a.0 + b.0, a.1 | b.1));
    let first_other = || design.y.iter().find(|&&v| v != 0.0 && v != 1.0);
    if let Some(bad) = other.then(first_other).flatten() {
        return Err(StatsError::Undefined(format!(
            "{}: response '{}' must be 0/1 (or a two-level text column) for a binomial model; found {bad}",
            design.source, design.response
        )));
    }
    if ones == 0 || ones == design.y.len() {
        let level = if ones == 0 { "all 0" } else { "all 1" };
        return Err(StatsError::OneClass {
            column: design.response.clone(),
            level: level.into(),
        });
    }
    Ok(())
}

/// Inverse logit with R's clamp of η to ±(−log ε), so μ stays inside (ε, 1 − ε).
fn inv_logit(e: f64) -> f64 {
    let t = -f64::EPSILON.ln();
    1.0 / (1.0 + (-e.clamp(-t, t)).exp())
}

/// A row's starting μ = (y + 0.5)/2 (R's mustart) and η = log(μ/(1−μ)).
fn start_row(y: f64) -> (f64, f64) {
    let m = (y + 0.5) / 2.0;
    (m, (m / (1.0 - m)).ln())
}

/// [`deviance`] at the starting μ, its terms summed in row order; each row's term depends on y alone, so the
/// logarithms of a 0 and a 1 row are taken once.
fn start_deviance(y: &[f64]) -> f64 {
    let term = |v: f64| deviance_term(v, start_row(v).0);
    let (t0, t1) = (term(0.0), term(1.0));
    let t = |&v: &f64| match v {
        _ if v == 0.0 => t0,
        _ if v == 1.0 => t1,
        _ => term(v),
    };
    -2.0 * y.iter().map(t).sum::<f64>()
}

/// Binomial deviance −2 Σ [y log μ + (1−y) log(1−μ)].
fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    -2.0 * y
        .iter()
        .zip(mu)
        .map(|(&y, &m)| deviance_term(y, m))
        .sum::<f64>()
}

/// One row's log-likelihood term of [`deviance`] (−745 for log 0).
fn deviance_term(y: f64, m: f64) -> f64 {
    let v = if y == 1.0 { m.ln() } else { (1.0 - m).ln() };
    if v.is_finite() {
        v
    } else {
        -745.0
    }
}

/// [`deviance`] with the same μ on every row (the null model), without an n-vector of μ.
fn constant_deviance(y: &[f64], m: f64) -> f64 {
    let (one, zero) = (deviance_term(1.0, m), deviance_term(0.0, m));
    -2.0 * y
        .iter()
        .map(|&y| if y == 1.0 { one } else { zero })
        .sum::<f64>()
}

/// Separation and non-convergence, in words (R warns "fitted probabilities numerically 0 or 1 occurred").
fn separation_warnings(mu: &[f64], beta: &DVector<f64>, converged: bool) -> Vec<String> {
    let mut w = Vec::new();
    let extreme = mu
        .iter()
        .filter(|&&m| !(1e-10..=1.0 - 1e-10).contains(&m))
        .count();
    if extreme > 0 {
        w.push(format!(
            "fitted probabilities numerically 0 or 1 for {extreme} observation(s): perfect or quasi-complete separation; \
             coefficients and their SEs are not reliable (largest |coefficient| {:.1})",
            beta.iter().fold(0.0f64, |a, b| a.max(b.abs()))
        ));
    }
    if !converged {
        w.push(format!("IRLS did not converge in {MAX_ITER} iterations"));
    }
    w
}

impl LogisticFit {
    /// Odds ratios: exp of estimate and Wald CI (SE, statistic and p of the log-odds).
    pub fn odds_ratios(&self) -> Vec<TidyRow> {
        self.tidy()
            .into_iter()
            .map(|r| TidyRow {
                estimate: r.estimate.exp(),
                conf_low: r.conf_low.exp(),
                conf_high: r.conf_high.exp(),
                ..r
            })
            .collect()
    }

    /// Joint Wald chi-square test that the named coefficients are all zero.
    pub fn wald(&self, terms: &[&str]) -> Result<TestResult, StatsError> {
        let (chi, df) = self.wald_chi(terms)?;
        let p = ChiSquared::new(df).map_or(f64::NAN, |d| d.sf_checked(chi));
        Ok(TestResult::two_sided(
            self.wald_method(),
            "X-squared",
            chi,
            Some(df),
            p,
        ))
    }

    /// Residual deviance.
    pub fn deviance(&self) -> f64 {
        self.model.deviance
    }

    /// Model-level fields.
    pub fn glance(&self) -> Glance {
        let p = self.coef.len();
        Glance {
            n: self.n,
            n_coefficients: p,
            df_residual: self.n - p,
            n_clusters: self.n_clusters,
            deviance: Some(self.model.deviance),
            null_deviance: Some(self.model.null_deviance),
            df_null: Some(self.n - usize::from(self.intercept)),
            log_lik: -self.model.deviance / 2.0,
            aic: self.model.deviance + 2.0 * p as f64,
            converged: Some(self.model.converged),
            iterations: Some(self.model.iterations),
            vcov: self.opts.vcov.describe().into(),
            ..Glance::default()
        }
    }

    /// Separation / convergence warnings (empty when the fit is clean).
    pub fn warnings(&self) -> &[String] {
        &self.model.warnings
    }

    /// R-like printed summary, stating the covariance used and any warning.
    pub fn summary(&self) -> String {
        let method = if self.model.penalised_log_lik.is_some() {
            "Firth's penalised likelihood (brglm2 AS_mean); Wald CIs from the inverse Fisher information at the estimates"
        } else {
            "IRLS"
        };
        let mut s = self.summary_head(
            &format!("Logistic regression (binomial, logit link; {method})"),
            "Coefficients (log-odds)",
        );
        s.push_str(&coef_table_text(&self.tidy(), "z", self.opts.conf_level));
        s.push_str("\nOdds ratios:\n");
        s.push_str(&coef_table_text(
            &self.odds_ratios(),
            "z",
            self.opts.conf_level,
        ));
        s.push_str(&format!(
            "\n    Null deviance: {:.3}  on {} degrees of freedom\nResidual deviance: {:.3}  on {} degrees of freedom\nAIC: {:.3}\n\nNumber of Fisher Scoring iterations: {}{}\n",
            self.model.null_deviance,
            self.n - usize::from(self.intercept),
            self.model.deviance,
            self.n - self.coef.len(),
            self.model.deviance + 2.0 * self.coef.len() as f64,
            self.model.iterations,
            if self.model.converged { "" } else { " (NOT CONVERGED)" }
        ));
        if let Some(pll) = self.model.penalised_log_lik {
            s.push_str(&format!("Penalised log-likelihood: {pll:.6}\n"));
        }
        for w in &self.model.warnings {
            s.push_str(&format!("WARNING: {w}\n"));
        }
        s
    }

    /// Fitted probabilities for new rows of a model matrix.
    pub fn predict(&self, x: &DMatrix<f64>) -> Vec<f64> {
        self.linear_predictor(x)
            .iter()
            .map(|&e| inv_logit(e))
            .collect()
    }

    /// ℓ(β̂) + ½ log|I(β̂)| of a Firth fit; `None` for maximum likelihood.
    pub fn penalised_log_lik(&self) -> Option<f64> {
        self.model.penalised_log_lik
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::cross_products;

    /// β, bread, μ then weights, deviance, iterations, converged.
    type Expected = (Vec<f64>, Vec<f64>, Vec<f64>, f64, usize, bool);

    /// IRLS as it was written before the fused passes (separate update and cross-product passes over all
    /// rows): the reference whose digits [`irls`] must keep.
    fn reference(x: &DMatrix<f64>, y: &[f64]) -> Option<Expected> {
        let (n, p) = x.shape();
        let mut mu: Vec<f64> = y.iter().map(|&v| (v + 0.5) / 2.0).collect();
        let mut eta: Vec<f64> = mu.iter().map(|&m| (m / (1.0 - m)).ln()).collect();
        let weights = |mu: &[f64], eta: &[f64]| -> (Vec<f64>, Vec<f64>) {
            let w: Vec<f64> = mu
                .iter()
                .map(|&m| (m * (1.0 - m)).max(f64::EPSILON))
                .collect();
            let z = (0..n).map(|i| eta[i] + (y[i] - mu[i]) / w[i]).collect();
            (w, z)
        };
        let (mut w, mut z) = weights(&mu, &eta);
        let (mut last_w, mut dev_old, mut step) = (vec![0.0; n], deviance(y, &mu), None);
        for iter in 1..=MAX_ITER {
            let (a, b) = cross_products(x, Some(&w), &z);
            let Some(bread) = spd_inverse(&a) else { break };
            let beta = &bread * b;
            last_w = w.clone();
            for (i, e) in eta.iter_mut().enumerate() {
                *e = (0..p).fold(0.0, |s, j| s + x[(i, j)] * beta[j]);
            }
            mu = eta.iter().map(|&e| inv_logit(e)).collect();
            (w, z) = weights(&mu, &eta);
            let dev = -2.0
                * y.iter()
                    .zip(&mu)
                    .map(|(&y, &m)| deviance_term(y, m))
                    .sum::<f64>();
            let converged = (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON;
            dev_old = dev;
            step = Some((beta, bread, converged, iter));
            if converged {
                break;
            }
        }
        let (beta, bread, converged, iter) = step?;
        let bread = bread.iter().copied().collect();
        Some((
            beta.iter().copied().collect(),
            bread,
            [mu, last_w].concat(),
            dev_old,
            iter,
            converged,
        ))
    }

    /// A design of `n` rows: intercept, three pseudo-random columns, and a 0/1 response from `slope`.
    fn design(n: usize, slope: f64) -> Design {
        let v = |i: usize| ((i as u64 * 2_654_435_761 % 10_007) as f64) / 5003.5 - 1.0;
        let x = DMatrix::from_fn(n, 4, |i, j| if j == 0 { 1.0 } else { v(i * 4 + j) });
        let y = (0..n)
            .map(|i| f64::from(slope * (x[(i, 1)] - 0.5 * x[(i, 2)]) + 0.3 * v(i + 11) > 0.1))
            .collect();
        let names = ["(Intercept)", "a", "b", "c"].map(String::from).to_vec();
        Design {
            y,
            x,
            names,
            rows: (0..n).collect(),
            missing: Vec::new(),
            cluster: None,
            response: "y".into(),
            response_levels: None,
            terms: Vec::new(),
            intercept: true,
            source: "test".into(),
        }
    }

    /// Fused passes, skipped products and the redone pass all give the reference's digits: a clean fit over
    /// several blocks, a quasi-separated one (many iterations, not converged or singular) and a tiny one.
    #[test]
    fn fused_irls_keeps_the_digits() {
        for (n, slope) in [
            (2 * BLOCK_ROWS + 1000, 2.0),
            (BLOCK_ROWS + 77, 1e4),
            (40, 1.0),
        ] {
            let d = design(n, slope);
            let got = irls(&d).expect("fit");
            let (beta, bread, rows, dev, iter, converged) =
                reference(&d.x, &d.y).expect("reference");
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(got.beta.as_slice()), bits(&beta), "beta n={n}");
            assert_eq!(bits(got.bread.as_slice()), bits(&bread), "bread n={n}");
            assert_eq!(
                bits(&[got.mu, got.weights].concat()),
                bits(&rows),
                "mu, w n={n}"
            );
            assert_eq!(dev.to_bits(), got.deviance.to_bits(), "deviance n={n}");
            assert_eq!((got.iterations, got.converged), (iter, converged), "n={n}");
        }
    }
}
