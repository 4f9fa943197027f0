//! Ordinary least squares with full inference (R's `lm` + `summary.lm`, or `sandwich` covariances).

use crate::dist::Checked;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;
use statrs::distribution::FisherSnedecor;

use super::design::Design;
use super::fit::Fit;
use super::linalg::{cross_products, spd_inverse};
use super::vcov::{coef_table_text, sandwich, FitOptions, Reference, Vcov};
use super::{StatsError, TestResult};

/// Model-level summary (broom::glance), shared by linear and logistic fits; absent fields are omitted.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Default)]
#[serde(default)]
pub struct Glance {
    /// Observations used.
    pub n: usize,
    /// Coefficients estimated.
    pub n_coefficients: usize,
    /// Residual degrees of freedom.
    pub df_residual: usize,
    /// Clusters, for clustered covariances.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_clusters: Option<usize>,
    /// R².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r_squared: Option<f64>,
    /// Adjusted R².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adj_r_squared: Option<f64>,
    /// Residual standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// Overall F statistic (classical, as summary.lm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f_statistic: Option<f64>,
    /// Its numerator df.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f_df_num: Option<f64>,
    /// Its p-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f_p_value: Option<f64>,
    /// Residual deviance (logistic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deviance: Option<f64>,
    /// Null deviance (logistic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub null_deviance: Option<f64>,
    /// Null degrees of freedom (logistic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub df_null: Option<usize>,
    /// Log-likelihood.
    pub log_lik: f64,
    /// AIC.
    pub aic: f64,
    /// IRLS converged (logistic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub converged: Option<bool>,
    /// IRLS iterations (logistic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<usize>,
    /// Covariance estimator used.
    pub vcov: String,
}

/// A fitted linear model.
pub type OlsFit = Fit<LeastSquares>;

/// What a least-squares fit adds to its coefficients.
#[derive(Debug, Clone)]
pub struct LeastSquares {
    df_residual: usize,
    rss: f64,
    tss: f64,
}

/// Fit `y = Xβ + ε` by least squares (normal equations with an equilibrated Cholesky factor).
pub fn ols(design: &Design, opts: &FitOptions) -> Result<OlsFit, StatsError> {
    let (n, p) = design.x.shape();
    if n <= p {
        return Err(StatsError::TooFew {
            what: format!("linear model with {p} coefficients"),
            n,
            needed: p + 1,
        });
    }
    constant_response(design)?;
    let (xtx, xty) = cross_products(&design.x, None, &design.y);
    let bread = spd_inverse(&xtx).ok_or_else(|| StatsError::Singular {
        terms: design.names.join(", "),
    })?;
    let beta: DVector<f64> = &bread * xty;
    let fitted = &design.x * &beta;
    let resid: Vec<f64> = design
        .y
        .iter()
        .zip(fitted.iter())
        .map(|(y, f)| y - f)
        .collect();
    let rss: f64 = resid.iter().map(|e| e * e).sum();
    let df_residual = n - p;
    if !rss.is_finite() || beta.iter().any(|b| !b.is_finite()) {
        return Err(StatsError::Undefined(
            "linear model not estimable: the values are too large for double precision (sums overflow); \
             fix: rescale the variables"
                .into(),
        ));
    }
    perfect_fit(rss / df_residual as f64, fitted.as_slice())?;
    let mean = design.y.iter().sum::<f64>() / n as f64;
    let tss = if design.intercept {
        design.y.iter().map(|y| (y - mean).powi(2)).sum()
    } else {
        design.y.iter().map(|y| y * y).sum()
    };
    let vcov = match opts.vcov {
        Vcov::Classical => &bread * (rss / df_residual as f64),
        kind => sandwich(&design.x, &resid, &bread, kind, design.cluster.as_deref())?,
    };
    let reference = Reference::T(df_residual as f64);
    let model = LeastSquares {
        df_residual,
        rss,
        tss,
    };
    Ok(Fit::new(design, &beta, vcov, opts, reference, model))
}

/// A response with one value has no variance to explain: R², F and every standard error are undefined.
pub(crate) fn constant_response(design: &Design) -> Result<(), StatsError> {
    let y = design.y.as_slice();
    match y.first() {
        Some(&first) if y.iter().all(|&v| v == first) => Err(StatsError::Undefined(format!(
            "linear model not estimable: the response is constant (all {n} values are {first}), \
             so R², F and the standard errors are undefined",
            n = y.len(),
            first = calcscore_data::table::format_number(first)
        ))),
        _ => Ok(()),
    }
}

/// R's "essentially perfect fit" rule (summary.lm): a residual variance below 1e-30 × (mean(f)² + var(f))
/// leaves standard errors of zero, so t statistics and p-values are undefined.
fn perfect_fit(resvar: f64, fitted: &[f64]) -> Result<(), StatsError> {
    let n = fitted.len() as f64;
    let mean = fitted.iter().sum::<f64>() / n;
    let var = fitted.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / (n - 1.0);
    if resvar < (mean * mean + var) * 1e-30 {
        return Err(StatsError::Undefined(
            "linear model not estimable: essentially perfect fit (residuals all zero), \
             so the standard errors, t statistics and p-values are undefined"
                .into(),
        ));
    }
    Ok(())
}

impl OlsFit {
    /// Joint Wald F test that the named coefficients are all zero (F with (q, residual df), as lmtest::waldtest).
    pub fn wald(&self, terms: &[&str]) -> Result<TestResult, StatsError> {
        self.wald_on(terms, self.model.df_residual as f64)
    }

    /// Joint Wald F test on (q, `df2`) degrees of freedom: with cluster-robust covariance, `df2` = G − 1 is the
    /// small-sample reference that makes a one-term test's P equal its coefficient's t on G − 1 df (F = t²).
    pub fn wald_on(&self, terms: &[&str], df2: f64) -> Result<TestResult, StatsError> {
        let (chi, q) = self.wald_chi(terms)?;
        let f = chi / q;
        let p = FisherSnedecor::new(q, df2).map_or(f64::NAN, |d| d.sf_checked(f));
        Ok(TestResult::two_sided(
            self.wald_method(),
            "F",
            f,
            Some(q),
            p,
        ))
    }

    /// Model-level fields.
    pub fn glance(&self) -> Glance {
        let (n, p) = (self.n as f64, self.coef.len() as f64);
        let r2 = 1.0 - self.model.rss / self.model.tss;
        let df_int = if self.intercept { 1.0 } else { 0.0 };
        let adj = 1.0 - (1.0 - r2) * (n - df_int) / self.model.df_residual as f64;
        let sigma = (self.model.rss / self.model.df_residual as f64).sqrt();
        let df_num = p - df_int;
        let (f, fp) = if df_num > 0.0 {
            let f = ((self.model.tss - self.model.rss) / df_num)
                / (self.model.rss / self.model.df_residual as f64);
            (
                Some(f),
                FisherSnedecor::new(df_num, self.model.df_residual as f64)
                    .ok()
                    .map(|d| d.sf_checked(f)),
            )
        } else {
            (None, None)
        };
        let log_lik = -n / 2.0 * ((2.0 * std::f64::consts::PI * self.model.rss / n).ln() + 1.0);
        Glance {
            n: self.n,
            n_coefficients: self.coef.len(),
            df_residual: self.model.df_residual,
            n_clusters: self.n_clusters,
            r_squared: Some(r2),
            adj_r_squared: Some(adj),
            sigma: Some(sigma),
            f_statistic: f,
            f_df_num: (df_num > 0.0).then_some(df_num),
            f_p_value: fp,
            log_lik,
            aic: -2.0 * log_lik + 2.0 * (p + 1.0),
            vcov: self.opts.vcov.describe().into(),
            ..Glance::default()
        }
    }

    /// Residual sum of squares.
    pub fn rss(&self) -> f64 {
        self.model.rss
    }

    /// R-like printed summary, stating the covariance used.
    pub fn summary(&self) -> String {
        let g = self.glance();
        let mut s = self.summary_head("Linear model (least squares)", "Coefficients");
        s.push_str(&coef_table_text(&self.tidy(), "t", self.opts.conf_level));
        s.push_str(&format!(
            "\nResidual standard error: {} on {} degrees of freedom\nMultiple R-squared: {:.4},\tAdjusted R-squared: {:.4}\n",
            calcscore_core::format::significant5(g.sigma.unwrap_or(f64::NAN)),
            self.model.df_residual,
            g.r_squared.unwrap_or(f64::NAN),
            g.adj_r_squared.unwrap_or(f64::NAN)
        ));
        if let (Some(f), Some(p), Some(d)) = (g.f_statistic, g.f_p_value, g.f_df_num) {
            s.push_str(&format!(
                "F-statistic: {} on {} and {} DF,  p-value: {}\n",
                calcscore_core::format::significant5(f),
                d,
                self.model.df_residual,
                calcscore_core::format::p_r(p)
            ));
        }
        s
    }

    /// Fitted values for new rows of a model matrix.
    pub fn predict(&self, x: &DMatrix<f64>) -> Vec<f64> {
        self.linear_predictor(x).iter().copied().collect()
    }

    /// Residual degrees of freedom.
    pub fn df_residual(&self) -> usize {
        self.model.df_residual
    }
}

/// Positions of named coefficients; an unknown name is a formula error listing the names.
pub fn indices(names: &[String], terms: &[&str]) -> Result<Vec<usize>, StatsError> {
    terms
        .iter()
        .map(|t| {
            names.iter().position(|n| n == t).ok_or_else(|| {
                StatsError::Formula(format!(
                    "no coefficient '{t}' (coefficients: {})",
                    names.join(", ")
                ))
            })
        })
        .collect()
}

/// "(k rows dropped: a 3, b 1)" for the summary, or "".
pub fn missing_text(missing: &[(String, usize)]) -> String {
    let parts: Vec<String> = missing
        .iter()
        .filter(|(_, k)| *k > 0)
        .map(|(c, k)| format!("{c}: {k}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(
            " (rows dropped for missing values, per column: {})",
            parts.join(", ")
        )
    }
}

/// ", G clusters" or "".
pub(crate) fn clusters_text(g: Option<usize>) -> String {
    g.map_or(String::new(), |g| format!(", {g} clusters"))
}
