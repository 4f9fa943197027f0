//! Predictive mean matching as `mice.impute.pmm` (type-1 matching, 5 donors): the Bayesian linear
//! regression draw of mice's `.norm.draw`, then for each missing value one of the k observed cases whose
//! predicted means are closest, chosen at random.

use calcscore_core::random;
use nalgebra::{DMatrix, DVector};
use rand::{Rng, RngExt};
use rand_distr::{ChiSquared, Distribution, StandardNormal};

use crate::linalg::{cross_products, spd_inverse};

/// Ridge factor of mice's `estimice` fallback when X'X is singular.
const RIDGE: f64 = 1e-5;

/// The least-squares coefficients and one draw from their posterior (mice's `.norm.draw`).
pub(crate) struct NormDraw {
    /// Least-squares estimate ĉ.
    pub coef: DVector<f64>,
    /// β* = ĉ + chol(V)ᵀ z σ*, σ*² = RSS / χ²(df).
    pub beta: DVector<f64>,
}

/// `.norm.draw(y, ry, x)`: `x` has the intercept column and only the observed rows.
pub(crate) fn norm_draw<R: Rng>(x: &DMatrix<f64>, y: &[f64], rng: &mut R) -> NormDraw {
    let (n, p) = x.shape();
    let (xtx, xty) = cross_products(x, None, y);
    let v = spd_inverse(&xtx).unwrap_or_else(|| ridge_inverse(&xtx));
    let coef = &v * xty;
    let fitted = x * &coef;
    let rss: f64 = y
        .iter()
        .zip(fitted.iter())
        .map(|(a, b)| (a - b).powi(2))
        .sum();
    let df = (n as f64 - p as f64).max(1.0);
    let chi: f64 = ChiSquared::new(df).map_or(df, |d| d.sample(rng));
    let sigma = (rss / chi).sqrt();
    let z = DVector::from_iterator(p, (0..p).map(|_| rng.sample::<f64, _>(StandardNormal)));
    let l = lower_factor(&v);
    let beta = &coef + (l * z) * sigma;
    NormDraw { coef, beta }
}

/// (X'X + diag(X'X)·1e-5)⁻¹, mice's ridge fallback; the identity if even that fails.
pub(crate) fn ridge_inverse(xtx: &DMatrix<f64>) -> DMatrix<f64> {
    let mut a = xtx.clone();
    for j in 0..a.nrows() {
        a[(j, j)] += a[(j, j)].abs().max(1e-12) * RIDGE;
    }
    spd_inverse(&a).unwrap_or_else(|| DMatrix::identity(a.nrows(), a.ncols()))
}

/// A lower-triangular L with L Lᵀ = V (zero where V is not positive definite: no draw, only the estimate).
pub(crate) fn lower_factor(v: &DMatrix<f64>) -> DMatrix<f64> {
    let sym = (v + v.transpose()) * 0.5;
    nalgebra::Cholesky::new(sym).map_or_else(|| DMatrix::zeros(v.nrows(), v.ncols()), |c| c.l())
}

/// For each target, the index (into `donors`) of one of the `k` donors with the closest value, drawn at
/// random; ties among donors are broken by a random shuffle before sorting (mice's `matchindex`).
pub(crate) fn match_index<R: Rng>(
    donors: &[f64],
    targets: &[f64],
    k: usize,
    rng: &mut R,
) -> Vec<usize> {
    let n = donors.len();
    let k = k.clamp(1, n.max(1));
    let mut order: Vec<usize> = (0..n).collect();
    random::shuffle(rng, &mut order);
    order.sort_by(|&a, &b| donors[a].total_cmp(&donors[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| donors[i]).collect();
    targets
        .iter()
        .map(|&t| {
            let mut hi = sorted.partition_point(|&d| d < t);
            let mut lo = hi;
            // Grow the window [lo, hi) to the k values nearest to t.
            while hi - lo < k {
                let take_low = lo > 0 && (hi == n || t - sorted[lo - 1] <= sorted[hi] - t);
                if take_low {
                    lo -= 1;
                } else {
                    hi += 1;
                }
            }
            order[lo + random::index(rng, k)]
        })
        .collect()
}

/// Impute the missing values of `y` by predictive mean matching. `x_obs`/`x_mis` carry the intercept;
/// `y_obs` are the observed values; returns one observed value per row of `x_mis`.
pub(crate) fn pmm<R: Rng>(
    x_obs: &DMatrix<f64>,
    y_obs: &[f64],
    x_mis: &DMatrix<f64>,
    donors: usize,
    rng: &mut R,
) -> Vec<f64> {
    let draw = norm_draw(x_obs, y_obs, rng);
    let yhat_obs: Vec<f64> = (x_obs * &draw.coef).iter().copied().collect();
    let yhat_mis: Vec<f64> = (x_mis * &draw.beta).iter().copied().collect();
    match_index(&yhat_obs, &yhat_mis, donors, rng)
        .into_iter()
        .map(|i| y_obs[i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_picks_among_the_k_nearest() {
        let mut rng = random::seeded(1);
        let donors = [0.0, 10.0, 1.0, 2.0, 9.0, 3.0, 20.0];
        for _ in 0..50 {
            // Nearest three to 1.4: 1, 2, 0 (indices 2, 3, 0).
            let i = match_index(&donors, &[1.4], 3, &mut rng)[0];
            assert!([2, 3, 0].contains(&i), "{i}");
            // Beyond the largest: the three largest (20, 10, 9).
            let i = match_index(&donors, &[100.0], 3, &mut rng)[0];
            assert!([6, 1, 4].contains(&i), "{i}");
        }
    }
}
