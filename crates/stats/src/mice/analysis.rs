//! The analysis step of multiple imputation: fit the same model on each completed table, then pool by
//! Rubin's rules (mice's `with()` then `pool()`).

use serde::Serialize;

use super::pool::{pool, PooledRow};
use crate::design::Design;
use crate::formula::Formula;
use crate::logistic::logistic;
use crate::ols::ols;
use crate::vcov::FitOptions;
use crate::StatsError;
use calcscore_data::Table;

/// The complete-data model fitted on every imputed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// `lm`.
    Gaussian,
    /// `glm(family = binomial)`.
    Binomial,
}

/// Pooled coefficients of one model over m completed tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledFit {
    /// Rows used in each completed table.
    pub n: usize,
    /// Complete-data residual degrees of freedom (n − p of the first fit, as mice's `get.dfcom`).
    pub dfcom: f64,
    /// One row per coefficient.
    pub coefficients: Vec<PooledRow>,
}

/// Fit `formula` on each table and pool (dfcom from the first fit's residual df, as mice::pool).
pub fn pool_fits(
    tables: &[Table],
    formula: &Formula,
    model: Model,
    opts: &FitOptions,
    cluster: Option<&str>,
) -> crate::Result<PooledFit> {
    let mut names: Option<Vec<String>> = None;
    let (mut est, mut se) = (Vec::new(), Vec::new());
    let mut first = (0, 0.0);
    for (i, t) in tables.iter().enumerate() {
        let d = Design::build(t, formula, cluster)?;
        let rows = match model {
            Model::Gaussian => ols(&d, opts)?.tidy(),
            Model::Binomial => logistic(&d, opts)?.tidy(),
        };
        let these: Vec<String> = rows.iter().map(|r| r.term.clone()).collect();
        match &names {
            None => {
                first = (d.n(), (d.n() as f64 - d.p() as f64).max(1.0));
                names = Some(these);
            }
            Some(n) if *n != these => {
                return Err(StatsError::Undefined(format!(
                    "imputation {} gives the terms {} but imputation 1 gives {}: a factor level is absent from \
                     some completed table",
                    i + 1,
                    these.join(", "),
                    n.join(", ")
                ))
                .into())
            }
            Some(_) => {}
        }
        est.push(rows.iter().map(|r| r.estimate).collect());
        se.push(rows.iter().map(|r| r.std_error).collect());
    }
    let names = names.unwrap_or_default();
    let coefficients = pool(&names, &est, &se, first.1, opts.conf_level)?;
    Ok(PooledFit {
        n: first.0,
        dfcom: first.1,
        coefficients,
    })
}
