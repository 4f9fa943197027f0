//! What every regression fit is: its coefficients and the one covariance matrix all their inference derives from,
//! the options, the rows used, and the facts of its own model (`M`: least squares or logistic).

use nalgebra::{DMatrix, DVector};

use super::design::Design;
use super::linalg::wald_quadratic;
use super::ols::{clusters_text, indices, missing_text};
use super::vcov::{tidy_rows, FitOptions, Reference};
use super::{StatsError, TidyRow};

/// A fitted regression model: [`OlsFit`](crate::ols::OlsFit) or [`LogisticFit`](crate::logistic::LogisticFit).
#[derive(Debug, Clone)]
pub struct Fit<M> {
    pub(crate) names: Vec<String>,
    pub(crate) coef: Vec<f64>,
    pub(crate) vcov: DMatrix<f64>,
    pub(crate) opts: FitOptions,
    /// Wald statistics' reference distribution: t with the residual df (linear) or normal (logistic).
    pub(crate) reference: Reference,
    pub(crate) n: usize,
    pub(crate) n_clusters: Option<usize>,
    pub(crate) intercept: bool,
    pub(crate) formula: String,
    pub(crate) missing: Vec<(String, usize)>,
    /// What this kind of model adds (deviances and iterations, or sums of squares).
    pub(crate) model: M,
}

impl<M> Fit<M> {
    /// The fit of `design` with estimates `beta` and their covariance `vcov` (clusters counted for a clustered
    /// covariance); the formula text is empty until [`Fit::with_formula`].
    pub(crate) fn new(
        design: &Design,
        beta: &DVector<f64>,
        vcov: DMatrix<f64>,
        opts: &FitOptions,
        reference: Reference,
        model: M,
    ) -> Self {
        Fit {
            names: design.names.clone(),
            coef: beta.iter().copied().collect(),
            vcov,
            opts: *opts,
            reference,
            n: design.x.nrows(),
            n_clusters: opts.vcov.is_clustered().then(|| design.n_clusters()),
            intercept: design.intercept,
            formula: String::new(),
            missing: design.missing.clone(),
            model,
        }
    }

    /// Record the formula text for the printed summary.
    pub fn with_formula(mut self, formula: &str) -> Self {
        self.formula = formula.to_string();
        self
    }

    /// Coefficient rows with Wald CIs: z statistics for a logistic model, t with the residual df for a linear one
    /// (as lmtest::coeftest for lm, whatever the covariance).
    pub fn tidy(&self) -> Vec<TidyRow> {
        tidy_rows(
            &self.names,
            &self.coef,
            &self.vcov,
            self.reference,
            self.opts.conf_level,
        )
    }

    /// One coefficient row by name.
    pub fn term(&self, name: &str) -> Option<TidyRow> {
        self.tidy().into_iter().find(|r| r.term == name)
    }

    /// The covariance matrix every SE derives from.
    pub fn vcov_matrix(&self) -> &DMatrix<f64> {
        &self.vcov
    }

    /// Coefficient names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Wald chi-square `b' V⁻¹ b` that the named coefficients are all zero, and how many they are.
    pub(crate) fn wald_chi(&self, terms: &[&str]) -> Result<(f64, f64), StatsError> {
        let idx = indices(&self.names, terms)?;
        let b = DVector::from_iterator(idx.len(), idx.iter().map(|&j| self.coef[j]));
        let sub = DMatrix::from_fn(idx.len(), idx.len(), |a, c| self.vcov[(idx[a], idx[c])]);
        let chi = wald_quadratic(&b, &sub).ok_or_else(|| StatsError::Singular {
            terms: "covariance of the tested coefficients".into(),
        })?;
        Ok((chi, idx.len() as f64))
    }

    /// The method name of a joint Wald test.
    pub(crate) fn wald_method(&self) -> String {
        format!("Wald test ({} covariance)", self.opts.vcov.describe())
    }

    /// The printed summary's opening: the model and formula, the rows used and dropped, the covariance, and the
    /// heading of the coefficient table.
    pub(crate) fn summary_head(&self, model: &str, heading: &str) -> String {
        let mut s = format!("{model}: {}\nn = {} observations", self.formula, self.n);
        s.push_str(&missing_text(&self.missing));
        s.push_str(&format!(
            "\nCovariance: {}{}\n\n{heading}:\n",
            self.opts.vcov.describe(),
            clusters_text(self.n_clusters)
        ));
        s
    }

    /// The linear predictor `Xβ` for new rows of a model matrix.
    pub(crate) fn linear_predictor(&self, x: &DMatrix<f64>) -> DVector<f64> {
        x * DVector::from_column_slice(&self.coef)
    }
}
