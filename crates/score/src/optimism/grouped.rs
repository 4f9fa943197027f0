//! Fits on covariate patterns with frequency weights: rows that share every 0/1 item are one pattern carrying
//! its row count, events and sums of the outcome (sufficient statistics), so a bootstrap replicate fits on a few
//! patterns instead of every resampled row. Each fit gives the same estimates as the expanded rows would.

use nalgebra::{DMatrix, DVector};

use calcscore_stats::linalg::spd_inverse;

/// Pattern-level data: a design row (intercept first) and the weighted sums of each pattern.
pub(crate) struct Grouped<'a> {
    /// Design rows, one per pattern, intercept first.
    pub x: &'a [Vec<f64>],
    /// Rows (frequency weight) per pattern.
    pub w: &'a [f64],
    /// Events per pattern.
    pub e: &'a [f64],
    /// Sum of the continuous outcome per pattern (empty without one).
    pub sy: &'a [f64],
    /// Sum of its squares per pattern (empty when not needed).
    pub syy: &'a [f64],
}

/// Estimates with the bread of their covariance (the inverse information, or (X'X)⁻¹ for least squares).
pub(crate) struct GroupedFit {
    /// Coefficients, intercept first.
    pub beta: Vec<f64>,
    /// (X'WX)⁻¹ at the estimates.
    pub bread: DMatrix<f64>,
}

impl Grouped<'_> {
    fn p(&self) -> usize {
        self.x.first().map_or(0, Vec::len)
    }

    /// Total rows.
    pub fn n(&self) -> f64 {
        self.w.iter().sum()
    }

    /// X'WX with pattern weights `v` (rows for least squares, rows × μ(1 − μ) for logistic models).
    fn cross(&self, v: &[f64]) -> DMatrix<f64> {
        let p = self.p();
        let mut m = DMatrix::<f64>::zeros(p, p);
        for (row, &vi) in self.x.iter().zip(v) {
            if vi == 0.0 {
                continue;
            }
            for a in 0..p {
                for b in a..p {
                    m[(a, b)] += vi * row[a] * row[b];
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                m[(a, b)] = m[(b, a)];
            }
        }
        m
    }

    /// X' r for per-pattern totals `r`.
    fn xt(&self, r: impl Iterator<Item = f64>) -> DVector<f64> {
        let mut u = DVector::<f64>::zeros(self.p());
        for (row, ri) in self.x.iter().zip(r) {
            for (a, xa) in row.iter().enumerate() {
                u[a] += xa * ri;
            }
        }
        u
    }

    /// Least squares of y on the design; `None` when X'X is singular.
    pub fn ols(&self) -> Option<GroupedFit> {
        let bread = spd_inverse(&self.cross(self.w))?;
        let beta = &bread * self.xt(self.sy.iter().copied());
        Some(GroupedFit {
            beta: beta.iter().copied().collect(),
            bread,
        })
    }

    /// Residual sum of squares of a least-squares fit (needs `syy`).
    pub fn rss(&self, beta: &[f64]) -> f64 {
        let mut rss = 0.0;
        for (k, row) in self.x.iter().enumerate() {
            let fit: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
            rss += self.syy[k] - 2.0 * fit * self.sy[k] + self.w[k] * fit * fit;
        }
        rss.max(0.0)
    }

    /// Linear predictor of each pattern.
    pub fn eta(&self, beta: &[f64]) -> Vec<f64> {
        self.x
            .iter()
            .map(|row| row.iter().zip(beta).map(|(a, b)| a * b).sum())
            .collect()
    }

    /// Maximum-likelihood logistic model of the events, with the checks `derive` applies: `None` when Newton's
    /// method does not converge in `max_iter` steps or a pattern's fitted risk is numerically 0 or 1
    /// (separation, as glm's warning), or a coefficient reaches `max_abs`.
    pub fn logistic(&self, max_iter: usize, max_abs: f64) -> Option<GroupedFit> {
        let mut beta = DVector::<f64>::zeros(self.p());
        for _ in 0..max_iter {
            let mu = self.mu(beta.as_slice());
            let v: Vec<f64> = mu
                .iter()
                .zip(self.w)
                .map(|(m, w)| w * m * (1.0 - m))
                .collect();
            let bread = spd_inverse(&self.cross(&v))?;
            let score = self.xt(self
                .e
                .iter()
                .zip(self.w)
                .zip(&mu)
                .map(|((e, w), m)| e - w * m));
            let step = &bread * score;
            beta += &step;
            if step.amax() < 1e-10 {
                return self.accept(beta, max_abs);
            }
        }
        None
    }

    fn accept(&self, beta: DVector<f64>, max_abs: f64) -> Option<GroupedFit> {
        let mu = self.mu(beta.as_slice());
        let extreme = mu
            .iter()
            .zip(self.w)
            .any(|(&m, &w)| w > 0.0 && !(1e-10..=1.0 - 1e-10).contains(&m));
        if extreme || beta.iter().any(|b| !b.is_finite() || b.abs() >= max_abs) {
            return None;
        }
        let v: Vec<f64> = mu
            .iter()
            .zip(self.w)
            .map(|(m, w)| w * m * (1.0 - m))
            .collect();
        Some(GroupedFit {
            bread: spd_inverse(&self.cross(&v))?,
            beta: beta.iter().copied().collect(),
        })
    }

    /// Fitted risk of each pattern.
    pub fn mu(&self, beta: &[f64]) -> Vec<f64> {
        self.eta(beta)
            .into_iter()
            .map(|e| 1.0 / (1.0 + (-e).exp()))
            .collect()
    }

    /// Firth's penalised logistic model (brglm2 AS_mean) by Fisher scoring on the modified score with
    /// step-halving, as `stats::logistic::firth`; `None` when it does not converge.
    pub fn firth(&self) -> Option<GroupedFit> {
        let mut beta = DVector::<f64>::zeros(self.p());
        let (mut pll, mut bread) = self.penalised(beta.as_slice())?;
        for _ in 0..200 {
            let mut step = &bread * self.modified_score(beta.as_slice(), &bread);
            let mut next = None;
            for _ in 0..=30 {
                let trial = &beta + &step;
                match self.penalised(trial.as_slice()) {
                    Some((l, b)) if l >= pll - 1e-12 * pll.abs().max(1.0) => {
                        next = Some((trial, l, b));
                        break;
                    }
                    _ => step /= 2.0,
                }
            }
            let (trial, l, b) = next?;
            let size = step.amax();
            (beta, pll, bread) = (trial, l, b);
            if size < 1e-11 {
                return Some(GroupedFit {
                    beta: beta.iter().copied().collect(),
                    bread,
                });
            }
        }
        None
    }

    /// ℓ(β) + ½ log|I(β)| and I(β)⁻¹; `None` when I is singular.
    fn penalised(&self, beta: &[f64]) -> Option<(f64, DMatrix<f64>)> {
        let mu = self.mu(beta);
        let v: Vec<f64> = mu
            .iter()
            .zip(self.w)
            .map(|(m, w)| w * m * (1.0 - m))
            .collect();
        let info = self.cross(&v);
        let bread = spd_inverse(&info)?;
        let log_det = info
            .clone()
            .cholesky()?
            .l()
            .diagonal()
            .iter()
            .map(|d| 2.0 * d.ln())
            .sum::<f64>();
        let ll: f64 = mu
            .iter()
            .zip(self.w.iter().zip(self.e))
            .map(|(&m, (&w, &e))| e * m.max(1e-300).ln() + (w - e) * (1.0 - m).max(1e-300).ln())
            .sum();
        Some((ll + log_det / 2.0, bread))
    }

    /// X'(e − wμ + h(½ − μ)) with h the pattern's total hat value w μ(1 − μ) x'I⁻¹x.
    fn modified_score(&self, beta: &[f64], inv: &DMatrix<f64>) -> DVector<f64> {
        let mu = self.mu(beta);
        let r = self.x.iter().enumerate().map(|(k, row)| {
            let xv = DVector::from_column_slice(row);
            let h = self.w[k] * mu[k] * (1.0 - mu[k]) * (xv.transpose() * inv * &xv)[(0, 0)];
            self.e[k] - self.w[k] * mu[k] + h * (0.5 - mu[k])
        });
        self.xt(r)
    }
}

/// Calibration-in-the-large: the intercept a of logit P = a + offset(lp), by Newton's method on pattern data
/// (`glm(y ~ offset(lp), binomial)`); `None` when it does not converge.
pub(crate) fn offset_intercept(lp: &[f64], w: &[f64], e: &[f64]) -> Option<f64> {
    let mut a = 0.0;
    for _ in 0..100 {
        let (mut score, mut info) = (0.0, 0.0);
        for ((&l, &wi), &ei) in lp.iter().zip(w).zip(e) {
            let m = 1.0 / (1.0 + (-(a + l)).exp());
            score += ei - wi * m;
            info += wi * m * (1.0 - m);
        }
        if info <= 0.0 {
            return None;
        }
        let step = score / info;
        a += step.clamp(-5.0, 5.0);
        if step.abs() < 1e-12 {
            return a.is_finite().then_some(a);
        }
    }
    None
}
