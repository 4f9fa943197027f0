//! A fitted regression model as a report records it: formula, covariance in words, sizes, tidy coefficients,
//! glance fields and the coefficient covariance; serialisable to results files and back.

use serde::{Deserialize, Serialize};

use super::RiskModel;
use crate::Result;
use calcscore_data::Table;
use calcscore_stats::design::Design;
use calcscore_stats::formula::Formula;
use calcscore_stats::logistic::logistic;
use calcscore_stats::ols::{ols, Glance};
use calcscore_stats::vcov::FitOptions;
use calcscore_stats::{StatsError, TidyRow};

/// The response distribution of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Linear model of a continuous outcome (least squares).
    Gaussian,
    /// Logistic model of a 0/1 outcome (maximum likelihood).
    Binomial,
}

impl Family {
    /// R's family name.
    pub fn name(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Binomial => "binomial",
        }
    }
}

/// A fitted model as reported: formula, covariance, sizes, coefficients and model-level fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedModel {
    /// Which rows (cohorts, groups) the model was fitted in.
    pub data: String,
    /// R-style formula.
    pub formula: String,
    /// "gaussian" or "binomial".
    pub family: String,
    /// Covariance used for every SE, CI and p.
    pub covariance: String,
    /// Rows used.
    pub n: usize,
    /// Clusters (0 without a cluster column).
    pub n_clusters: usize,
    /// Tidy coefficient table (log-odds for binomial).
    pub coefficients: Vec<TidyRow>,
    /// Model-level fields (broom::glance).
    pub model: Glance,
    /// Coefficient covariance, rows and columns in coefficient order; for confidence bands.
    #[serde(default)]
    pub vcov: Vec<Vec<f64>>,
    /// R-like printed summary.
    #[serde(skip)]
    pub summary: String,
    /// Fit warnings (separation, non-convergence).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What to fit: rows label, formula, family, cluster column, options and the covariance in words.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec<'a> {
    /// Which rows the table holds, for the report ("A", "B+C").
    pub data: &'a str,
    /// R-style formula.
    pub formula: &'a str,
    /// Linear or logistic.
    pub family: Family,
    /// Cluster column for cluster-robust covariances.
    pub cluster: Option<&'a str>,
    /// Covariance and confidence level.
    pub options: &'a FitOptions,
    /// The covariance in words, as the report states it.
    pub covariance: &'a str,
}

/// Fit a linear or logistic model on `table` as `spec` says.
pub fn fit_model(table: &Table, spec: &ModelSpec) -> Result<FittedModel> {
    let f = Formula::parse(spec.formula)?;
    let design = Design::build(table, &f, spec.cluster)?;
    let n_clusters = design
        .cluster
        .as_ref()
        .map_or(0, |c| c.iter().max().map_or(0, |m| m + 1));
    let (coefficients, model, summary, warnings, vcov) = match spec.family {
        Family::Binomial => {
            let fit = logistic(&design, spec.options)?;
            let v = rows_of(fit.vcov_matrix());
            let w = fit.warnings().to_vec();
            (fit.tidy(), fit.glance(), fit.summary(), w, v)
        }
        Family::Gaussian => {
            let fit = ols(&design, spec.options)?;
            let v = rows_of(fit.vcov_matrix());
            (fit.tidy(), fit.glance(), fit.summary(), Vec::new(), v)
        }
    };
    Ok(FittedModel {
        data: spec.data.into(),
        formula: spec.formula.into(),
        family: spec.family.name().into(),
        covariance: spec.covariance.into(),
        n: design.y.len(),
        n_clusters,
        coefficients,
        model,
        vcov,
        summary,
        warnings,
    })
}

/// A matrix as rows, for JSON.
fn rows_of(m: &nalgebra::DMatrix<f64>) -> Vec<Vec<f64>> {
    m.row_iter().map(|r| r.iter().copied().collect()).collect()
}

impl FittedModel {
    /// The coefficient row of `term`, or an error naming the model.
    pub fn term(&self, term: &str) -> Result<TidyRow> {
        self.coefficients
            .iter()
            .find(|r| r.term == term)
            .cloned()
            .ok_or_else(|| {
                StatsError::Undefined(format!(
                    "{}: term '{term}' not estimable in {}",
                    self.formula, self.data
                ))
                .into()
            })
    }

    /// The estimate of `term`, `None` when the model has no such term.
    pub fn estimate(&self, term: &str) -> Option<f64> {
        self.coefficients
            .iter()
            .find(|r| r.term == term)
            .map(|r| r.estimate)
    }

    /// Apparent Cox–Snell R² of a logistic model: 1 − exp(−(null deviance − deviance) / n).
    pub fn r2_cox_snell(&self) -> Option<f64> {
        let dev = self.model.deviance?;
        let null = self.model.null_deviance?;
        (self.n > 0).then(|| 1.0 - (-(null - dev) / self.n as f64).exp())
    }

    /// The risk model `logit P = intercept + slope × score` of a logistic model of the outcome on `score_term`.
    pub fn risk_model(
        &self,
        score_term: &str,
        outcome: &str,
        fitted_in: &str,
    ) -> Option<RiskModel> {
        Some(RiskModel {
            intercept: self.estimate("(Intercept)")?,
            slope: self.estimate(score_term)?,
            outcome: outcome.into(),
            fitted_in: fitted_in.into(),
            data_sha256: None,
            data_rows: None,
        })
    }
}
