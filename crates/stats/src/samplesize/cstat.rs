//! Cox–Snell R² implied by a C-statistic and a prevalence (Riley, Van Calster, Collins, Stat Med 2021).
//!
//! The method assumes the linear predictor is N(0, 1) in non-events and N(μ, 1) in events, with
//! μ = √2 Φ⁻¹(C). pmsampsize's `cstat2rsq` simulates 10⁶ such values with `set.seed(123456)`, fits
//! `glm(y ~ LP, binomial)` and returns 1 − exp(−(null deviance − deviance)/n), rounded to 4 decimals.
//!
//! Two ways are offered. [`CstatMethod::Simulate`] (the default) repeats that simulation draw for draw
//! with R's generator ([`super::rrng`]) and fits the logistic model by Newton's method, so it returns
//! pmsampsize's number. [`CstatMethod::Exact`] computes the quantity the simulation estimates: the
//! logistic model is exactly right for two normals of equal variance, so (null deviance − deviance)/n
//! tends to 2·I(Y; LP), twice the mutual information in nats, and R²_CS = 1 − exp(−2 I), a
//! one-dimensional integral evaluated by Simpson's rule to ~1e-12. The two differ by the simulation's
//! Monte Carlo error (measured against pmsampsize on 35 (C, prevalence) pairs: up to 8.1e-4 in R²,
//! up to 1.8% in n).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::rrng::RRng;
use super::{open_interval, proportion, round_r, simpson, SampleSizeError};

/// How the C-statistic is turned into a Cox–Snell R².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CstatMethod {
    /// pmsampsize's seeded simulation of 10⁶ values, repeated draw for draw.
    Simulate {
        /// `set.seed` value (pmsampsize's default 123456).
        seed: u32,
    },
    /// The large-sample limit, by numerical integration.
    Exact,
}

/// The conversion's result: both values and the one used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CstatR2 {
    /// C-statistic given.
    pub cstatistic: f64,
    /// Outcome prevalence.
    pub prevalence: f64,
    /// Separation μ = √2 Φ⁻¹(C) of the two normal linear-predictor distributions.
    pub mu: f64,
    /// Method used for `r2_cs`.
    pub method: CstatMethod,
    /// Cox–Snell R² of pmsampsize's seeded simulation (unrounded); `None` with the exact method.
    pub r2_cs_simulated: Option<f64>,
    /// Cox–Snell R², large-sample limit (unrounded).
    pub r2_cs_exact: f64,
    /// The value of the chosen method rounded to 4 decimals (used by the criteria, as in pmsampsize).
    pub r2_cs: f64,
}

/// Cox–Snell R² from a C-statistic in (0.5, 1) and a prevalence in (0, 1).
pub fn r2_from_cstatistic(
    cstatistic: f64,
    prevalence: f64,
    method: CstatMethod,
) -> Result<CstatR2, SampleSizeError> {
    open_interval(
        "--cstatistic",
        cstatistic,
        0.5,
        1.0,
        "strictly between 0.5 and 1",
    )?;
    let phi = proportion("--prevalence", prevalence)?;
    let mu = std::f64::consts::SQRT_2 * std_normal().inverse_cdf(cstatistic);
    let exact = 1.0 - (-2.0 * mutual_information(mu, phi)).exp();
    let simulated = match method {
        CstatMethod::Simulate { seed } => Some(simulated_r2(mu, phi, seed)),
        CstatMethod::Exact => None,
    };
    Ok(CstatR2 {
        cstatistic,
        prevalence,
        mu,
        method,
        r2_cs_simulated: simulated,
        r2_cs_exact: exact,
        r2_cs: round_r(simulated.unwrap_or(exact), 4),
    })
}

/// pmsampsize's `cstat2rsq`: `set.seed(seed)`; LP = c(rnorm(φn), rnorm((1 − φ)n, μ)), y = c(0s, 1s),
/// n = 10⁶; `glm(y ~ LP, binomial)`; 1 − exp(−(null deviance − deviance)/n).
fn simulated_r2(mu: f64, phi: f64, seed: u32) -> f64 {
    const N: f64 = 1_000_000.0;
    let mut rng = RRng::new(seed);
    let first = rng.rnorm((phi * N) as usize, 0.0, 1.0);
    let second = rng.rnorm(((1.0 - phi) * N) as usize, mu, 1.0);
    let lr = logistic_lr(&first, &second);
    1.0 - (-lr / N).exp()
}

/// Likelihood-ratio statistic (null deviance − deviance) of `y ~ x` with y = 0 for `zeros`, 1 for `ones`.
fn logistic_lr(zeros: &[f64], ones: &[f64]) -> f64 {
    let (n0, n1) = (zeros.len() as f64, ones.len() as f64);
    let pbar = n1 / (n0 + n1);
    let null = -2.0 * (n1 * pbar.ln() + n0 * (1.0 - pbar).ln());
    let (mut a, mut b) = ((pbar / (1.0 - pbar)).ln(), 0.0);
    for _ in 0..50 {
        let (mut g, mut h) = ([0.0f64; 2], [0.0f64; 3]);
        let mut add = |x: f64, y: f64| {
            let p = 1.0 / (1.0 + (-(a + b * x)).exp());
            let (r, w) = (y - p, p * (1.0 - p));
            g[0] += r;
            g[1] += r * x;
            h[0] += w;
            h[1] += w * x;
            h[2] += w * x * x;
        };
        zeros.iter().for_each(|&x| add(x, 0.0));
        ones.iter().for_each(|&x| add(x, 1.0));
        let det = h[0] * h[2] - h[1] * h[1];
        let da = (h[2] * g[0] - h[1] * g[1]) / det;
        let db = (h[0] * g[1] - h[1] * g[0]) / det;
        a += da;
        b += db;
        if da.abs() < 1e-13 * (1.0 + a.abs()) && db.abs() < 1e-13 * (1.0 + b.abs()) {
            break;
        }
    }
    let ll = |x: f64, sign: f64| log_expit(sign * (a + b * x));
    let loglik: f64 = zeros.iter().map(|&x| ll(x, -1.0)).sum::<f64>()
        + ones.iter().map(|&x| ll(x, 1.0)).sum::<f64>();
    null + 2.0 * loglik
}

/// ln(1 / (1 + e^−x)) without overflow.
fn log_expit(x: f64) -> f64 {
    if x > 0.0 {
        -(-x).exp().ln_1p()
    } else {
        x - x.exp().ln_1p()
    }
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("N(0, 1) is a valid distribution")
}

/// I(Y; X) in nats for X | Y=1 ~ N(μ, 1), X | Y=0 ~ N(0, 1), P(Y=1) = φ.
fn mutual_information(mu: f64, phi: f64) -> f64 {
    let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let integrand = |x: f64| {
        let f1 = phi * density(x - mu);
        let f0 = (1.0 - phi) * density(x);
        let f = f1 + f0;
        if f <= 0.0 {
            return 0.0;
        }
        // f × H(P(Y=1 | x)), the conditional entropy weighted by the density.
        -(xlogx(f1 / f) + xlogx(f0 / f)) * f
    };
    let (lo, hi) = (mu.min(0.0) - 12.0, mu.max(0.0) + 12.0);
    let conditional = simpson(integrand, lo, hi, 40_000);
    let marginal = -(xlogx(phi) + xlogx(1.0 - phi));
    (marginal - conditional).max(0.0)
}

fn xlogx(p: f64) -> f64 {
    if p > 0.0 {
        p * p.ln()
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_discrimination_means_no_information() {
        let r = r2_from_cstatistic(0.5 + 1e-12, 0.3, CstatMethod::Exact).unwrap();
        assert!(r.r2_cs_exact.abs() < 1e-9);
    }

    #[test]
    fn symmetric_in_the_outcome_label() {
        let a = r2_from_cstatistic(0.8, 0.2, CstatMethod::Exact)
            .unwrap()
            .r2_cs_exact;
        let b = r2_from_cstatistic(0.8, 0.8, CstatMethod::Exact)
            .unwrap()
            .r2_cs_exact;
        assert!((a - b).abs() < 1e-10);
    }

    #[test]
    fn refuses_c_below_one_half() {
        assert!(r2_from_cstatistic(0.4, 0.2, CstatMethod::Exact).is_err());
        assert!(r2_from_cstatistic(0.8, 1.0, CstatMethod::Exact).is_err());
    }
}
