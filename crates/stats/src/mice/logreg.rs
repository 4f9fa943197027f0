//! Binary imputation as `mice.impute.logreg`: augment the data against perfect prediction (White, Daniel &
//! Royston 2010, mice's `augment`), fit the weighted logistic model by IRLS, draw β* from N(β̂, (X'WX)⁻¹),
//! and impute 1 where a uniform draw is at most expit(x β*).

use nalgebra::{DMatrix, DVector};
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use super::pmm::{lower_factor, ridge_inverse};
use crate::linalg::{cross_products, spd_inverse};

/// IRLS iterations and convergence as R's glm.control.
const MAX_ITER: usize = 25;
const EPSILON: f64 = 1e-8;

/// Observed predictor rows (no intercept), their 0/1 outcome, and case weights.
struct Augmented {
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    w: Vec<f64>,
}

/// mice's `augment`: for each predictor and each observed class, two rows at the predictor's mean ± sd/2
/// (clamped to its range), every other predictor at its mean, with total weight p + 1. `x_all` are all
/// rows' predictors (means and SDs over them, as mice); skipped with one missing value or no predictors.
fn augment(x_all: &[Vec<f64>], obs: &[usize], y_obs: &[f64], n_missing: usize) -> Augmented {
    let mut a = Augmented {
        x: obs.iter().map(|&i| x_all[i].clone()).collect(),
        y: y_obs.to_vec(),
        w: vec![1.0; obs.len()],
    };
    let p = x_all.first().map_or(0, Vec::len);
    if p == 0 || n_missing == 1 {
        return a;
    }
    let mut classes: Vec<f64> = y_obs.to_vec();
    classes.sort_by(f64::total_cmp);
    classes.dedup();
    let k = classes.len();
    let nr = 2 * p * k;
    let n = x_all.len() as f64;
    let means: Vec<f64> = (0..p).map(|l| mean_of(x_all, l)).collect();
    for j in 0..p {
        let col = x_all.iter().map(|r| r[j]);
        let mean = means[j];
        let sd = (col.clone().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let (min, max) = col.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        for &c in &classes {
            for sign in [0.5, -0.5] {
                let mut row = means.clone();
                row[j] = (mean + sign * sd).clamp(min, max);
                a.x.push(row);
                a.y.push(c);
                a.w.push((p as f64 + 1.0) / nr as f64);
            }
        }
    }
    a
}

fn mean_of(x: &[Vec<f64>], j: usize) -> f64 {
    x.iter().map(|r| r[j]).sum::<f64>() / x.len() as f64
}

/// Weighted logistic IRLS as glm.fit (start μ = (w y + ½)/(w + 1)); returns β̂ and (X'WX)⁻¹ of the last step.
fn weighted_logistic(x: &DMatrix<f64>, y: &[f64], w: &[f64]) -> (DVector<f64>, DMatrix<f64>) {
    let n = y.len();
    let mut mu: Vec<f64> = (0..n).map(|i| (w[i] * y[i] + 0.5) / (w[i] + 1.0)).collect();
    let mut eta: Vec<f64> = mu.iter().map(|&m| (m / (1.0 - m)).ln()).collect();
    let dev = |mu: &[f64]| -> f64 {
        -2.0 * (0..n)
            .map(|i| {
                w[i] * if y[i] == 1.0 {
                    mu[i].ln()
                } else {
                    (1.0 - mu[i]).ln()
                }
            })
            .sum::<f64>()
    };
    let mut dev_old = dev(&mu);
    let p = x.ncols();
    let mut out = (DVector::zeros(p), DMatrix::identity(p, p));
    for _ in 0..MAX_ITER {
        let var: Vec<f64> = mu
            .iter()
            .map(|m| (m * (1.0 - m)).max(f64::EPSILON))
            .collect();
        let z: Vec<f64> = (0..n).map(|i| eta[i] + (y[i] - mu[i]) / var[i]).collect();
        let ww: Vec<f64> = (0..n).map(|i| w[i] * var[i]).collect();
        let (xtwx, xtwz) = cross_products(x, Some(&ww), &z);
        let bread = spd_inverse(&xtwx).unwrap_or_else(|| ridge_inverse(&xtwx));
        let beta = &bread * xtwz;
        eta = (x * &beta).iter().copied().collect();
        let t = -f64::EPSILON.ln();
        mu = eta
            .iter()
            .map(|&e| 1.0 / (1.0 + (-e.clamp(-t, t)).exp()))
            .collect();
        let d = dev(&mu);
        out = (beta, bread);
        if (d - dev_old).abs() / (d.abs() + 0.1) < EPSILON {
            break;
        }
        dev_old = d;
    }
    out
}

/// Impute 0/1 values for the rows `mis` of a binary variable observed (`y_obs`) on rows `obs`; `x_all` holds
/// every row's predictors without the intercept.
pub(crate) fn logreg<R: Rng>(
    x_all: &[Vec<f64>],
    obs: &[usize],
    y_obs: &[f64],
    mis: &[usize],
    rng: &mut R,
) -> Vec<f64> {
    let a = augment(x_all, obs, y_obs, mis.len());
    let p = x_all.first().map_or(0, Vec::len) + 1;
    let design = |rows: &[Vec<f64>]| {
        DMatrix::from_fn(
            rows.len(),
            p,
            |i, j| if j == 0 { 1.0 } else { rows[i][j - 1] },
        )
    };
    let (beta, v) = weighted_logistic(&design(&a.x), &a.y, &a.w);
    let z = DVector::from_iterator(p, (0..p).map(|_| rng.sample::<f64, _>(StandardNormal)));
    let beta_star = &beta + lower_factor(&v) * z;
    let x_mis: Vec<Vec<f64>> = mis.iter().map(|&i| x_all[i].clone()).collect();
    let lp = design(&x_mis) * beta_star;
    lp.iter()
        .map(|&e| {
            let prob = 1.0 / (1.0 + (-e).exp());
            f64::from(rng.random::<f64>() <= prob)
        })
        .collect()
}
