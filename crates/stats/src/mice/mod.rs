//! Multiple imputation by chained equations with mice's defaults (van Buuren & Groothuis-Oudshoorn 2011):
//! predictive mean matching for numeric columns, Bayesian logistic regression for binary ones, every
//! other column (the outcome included) as predictor, columns visited left to right, missing values started
//! from random draws of the observed ones. Imputation i draws from ChaCha8 seeded from (seed, i), so the
//! m completed tables do not depend on the number of threads. Pool the analyses with [`pool`].

pub mod analysis;
mod logreg;
mod pmm;
pub mod pool;

use calcscore_core::random::{self, ChaCha8Rng};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

use crate::StatsError;
pub use analysis::{pool_fits, Model, PooledFit};
use calcscore_data::{ColumnData, Table};
pub use pool::{pool, pool_auc, pool_scalar, PooledAuc, PooledRow};

/// Donors of predictive mean matching (mice's default).
pub const DONORS: usize = 5;

/// How many imputations, iterations, and the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MiceOptions {
    /// Number of imputed data sets m.
    pub m: usize,
    /// Iterations of the chained equations (mice's `maxit`).
    pub iterations: usize,
    /// Seed of imputation 0; imputation i uses stream i of the same seed.
    pub seed: u64,
}

/// The univariate imputation model of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Predictive mean matching (`pmm`, 5 donors, type-1 matching).
    Pmm,
    /// Bayesian logistic regression (`logreg`).
    Logreg,
}

impl Method {
    /// mice's name of the method (`pmm`, `logreg`), as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Method::Pmm => "pmm",
            Method::Logreg => "logreg",
        }
    }
}

/// A column that had missing values, and how they were imputed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImputedColumn {
    /// Column name.
    pub column: String,
    /// Imputation model.
    pub method: Method,
    /// Missing values imputed (per imputation).
    pub n_missing: usize,
    /// Rows observed.
    pub n_observed: usize,
    /// Mean of the observed values (0/1 coded for a binary column).
    pub observed_mean: f64,
    /// SD of the observed values.
    pub observed_sd: f64,
    /// Mean of the imputed values over all m imputations.
    pub imputed_mean: f64,
    /// SD of the imputed values over all m imputations.
    pub imputed_sd: f64,
}

/// Mean and SD of one column's imputed values after one iteration of one chain (mice's chainMean/chainVar).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TracePoint {
    /// Column name.
    pub column: String,
    /// Imputation (chain), from 1.
    pub imputation: usize,
    /// Iteration, from 1.
    pub iteration: usize,
    /// Mean of the imputed values.
    pub mean: f64,
    /// Their SD.
    pub sd: f64,
}

/// How a column enters the imputation models.
#[derive(Debug, Clone)]
enum Kind {
    Numeric,
    /// 0/1 coded; for text, the (0, 1) levels.
    Binary(Option<(String, String)>),
    /// A complete text factor: level index coded, dummies as predictor.
    Factor(Vec<String>),
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    kind: Kind,
    /// Coded values, NaN where missing.
    values: Vec<f64>,
    observed: Vec<usize>,
    missing: Vec<usize>,
}

/// The m imputations of a table's columns, with the trace of the chains.
#[derive(Debug, Clone)]
pub struct Imputation {
    /// Options used.
    pub options: MiceOptions,
    /// Columns that had missing values, in visit order.
    pub columns: Vec<ImputedColumn>,
    /// Chain means and SDs per iteration.
    pub trace: Vec<TracePoint>,
    /// Columns in the imputation models (predictors of each other).
    pub model_columns: Vec<String>,
    vars: Vec<Var>,
    /// draws[i][v]: imputation i's values for the missing rows of vars[v].
    draws: Vec<Vec<Vec<f64>>>,
}

/// Impute the missing values of `columns` of `table` (each column a predictor of the others).
pub fn impute(
    table: &Table,
    columns: &[String],
    opts: &MiceOptions,
) -> Result<Imputation, StatsError> {
    let vars = columns
        .iter()
        .map(|c| code(table, c))
        .collect::<Result<Vec<_>, _>>()?;
    let runs: Vec<(Vec<Vec<f64>>, Vec<TracePoint>)> = (0..opts.m)
        .into_par_iter()
        .map(|i| chain(&vars, opts, i))
        .collect();
    let (draws, traces): (Vec<_>, Vec<_>) = runs.into_iter().unzip();
    let columns = vars
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.missing.is_empty())
        .map(|(k, v)| describe(v, draws.iter().flat_map(|d| d[k].iter().copied())))
        .collect();
    Ok(Imputation {
        options: *opts,
        columns,
        trace: traces.into_iter().flatten().collect(),
        model_columns: vars.iter().map(|v| v.name.clone()).collect(),
        vars,
        draws,
    })
}

impl Imputation {
    /// Imputed values in all: missing values per imputation, summed over the columns.
    pub fn n_imputed(&self) -> usize {
        self.columns.iter().map(|c| c.n_missing).sum()
    }

    /// A column's observed values and, per imputation, its imputed values (coded: 0/1 for binary columns);
    /// `None` for a column not in the models.
    pub fn values(&self, column: &str) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
        let k = self.vars.iter().position(|v| v.name == column)?;
        let v = &self.vars[k];
        let observed = v.observed.iter().map(|&i| v.values[i]).collect();
        Some((observed, self.draws.iter().map(|d| d[k].clone()).collect()))
    }

    /// Completed table i (0-based): `table` with imputation i's values in its missing cells.
    pub fn complete(&self, table: &Table, i: usize) -> Table {
        let mut out = table.clone();
        for (v, values) in self.vars.iter().zip(&self.draws[i]) {
            let Some(j) = out.names.iter().position(|n| *n == v.name) else {
                continue;
            };
            match (&mut out.columns[j], &v.kind) {
                (ColumnData::Num(col), _) => {
                    let imputed = v.missing.iter().zip(values).map(|(&r, &x)| (r, Some(x)));
                    *col = col.with_replaced(imputed);
                }
                (ColumnData::Text(col), kind) => {
                    // Text is one buffer: rebuilt with the imputed cells (a small table's columns).
                    let mut cells = col.to_options();
                    for (&r, &x) in v.missing.iter().zip(values) {
                        let value = match kind {
                            Kind::Binary(Some((lo, hi))) => {
                                if x == 1.0 {
                                    hi.clone()
                                } else {
                                    lo.clone()
                                }
                            }
                            _ => calcscore_data::table::format_number(x),
                        };
                        if let Some(cell) = cells.get_mut(r) {
                            *cell = Some(value);
                        }
                    }
                    *col = cells.into_iter().collect();
                }
            }
        }
        out
    }
}

/// Code one column for the imputation models; a text factor of more than two levels with missing values
/// (mice's polyreg) and a column with no observed value are refused.
fn code(table: &Table, name: &str) -> Result<Var, StatsError> {
    let refuse =
        |rule: String| StatsError::Undefined(format!("{}: column '{name}': {rule}", table.source));
    let col = table
        .column(name)
        .map_err(|e| StatsError::Undefined(e.to_string()))?;
    let categorical = table
        .is_categorical(name)
        .map_err(|e| StatsError::Undefined(e.to_string()))?;
    let (kind, values) = if categorical {
        let text = match col {
            ColumnData::Text(t) => t.clone(),
            ColumnData::Num(_) => unreachable!("categorical columns are text"),
        };
        let mut levels: Vec<String> = text.iter().flatten().map(str::to_string).collect();
        levels.sort();
        levels.dedup();
        let values: Vec<f64> = text
            .iter()
            .map(|s| {
                s.map_or(f64::NAN, |s| {
                    levels.iter().position(|l| l == s).unwrap_or(0) as f64
                })
            })
            .collect();
        let has_missing = values.iter().any(|v| v.is_nan());
        if levels.len() == 2 {
            (
                Kind::Binary(Some((levels[0].clone(), levels[1].clone()))),
                values,
            )
        } else if has_missing {
            return Err(refuse(format!(
                "{} levels with missing values: imputing a factor of more than two levels (mice's polyreg) is not \
                 implemented; recode it to two levels or leave it out of the model",
                levels.len()
            )));
        } else {
            (Kind::Factor(levels), values)
        }
    } else {
        let v = table
            .numeric(name)
            .map_err(|e| StatsError::Undefined(e.to_string()))?;
        let values: Vec<f64> = v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
        let binary = values
            .iter()
            .filter(|x| !x.is_nan())
            .all(|&x| x == 0.0 || x == 1.0);
        (
            if binary {
                Kind::Binary(None)
            } else {
                Kind::Numeric
            },
            values,
        )
    };
    let observed: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
    let missing: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_nan()).collect();
    if observed.is_empty() && !missing.is_empty() {
        return Err(refuse("no observed value to impute from".into()));
    }
    if let Some(&i) = observed.iter().find(|&&i| !values[i].is_finite()) {
        return Err(refuse(format!(
            "row {}: {} is not a finite number",
            table.row_number(i),
            values[i]
        )));
    }
    Ok(Var {
        name: name.to_string(),
        kind,
        values,
        observed,
        missing,
    })
}

/// Method of a column with missing values.
fn method(v: &Var) -> Method {
    match v.kind {
        Kind::Binary(_) => Method::Logreg,
        _ => Method::Pmm,
    }
}

/// One chain: start from random observed values, then `iterations` passes over the incomplete columns.
fn chain(vars: &[Var], opts: &MiceOptions, i: usize) -> (Vec<Vec<f64>>, Vec<TracePoint>) {
    let mut rng = random::seeded(opts.seed);
    rng.set_stream(i as u64);
    let mut cur: Vec<Vec<f64>> = vars.iter().map(|v| v.values.clone()).collect();
    for (v, c) in vars.iter().zip(cur.iter_mut()) {
        for &r in &v.missing {
            c[r] = v.values[v.observed[random::index(&mut rng, v.observed.len())]];
        }
    }
    let mut trace = Vec::new();
    for iteration in 1..=opts.iterations {
        for (j, v) in vars
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.missing.is_empty())
        {
            let x = predictors(vars, &cur, j);
            let imputed = impute_one(v, &x, &mut rng);
            for (&r, &val) in v.missing.iter().zip(&imputed) {
                cur[j][r] = val;
            }
            let (mean, sd) = mean_sd(imputed.iter().copied());
            trace.push(TracePoint {
                column: v.name.clone(),
                imputation: i + 1,
                iteration,
                mean,
                sd,
            });
        }
    }
    let draws = vars
        .iter()
        .zip(&cur)
        .map(|(v, c)| v.missing.iter().map(|&r| c[r]).collect())
        .collect();
    (draws, trace)
}

/// n × q predictors of column j (no intercept): every other column, factors as treatment dummies.
fn predictors(vars: &[Var], cur: &[Vec<f64>], j: usize) -> DMatrix<f64> {
    let n = cur[j].len();
    let mut cols: Vec<Vec<f64>> = Vec::new();
    for (k, v) in vars.iter().enumerate().filter(|(k, _)| *k != j) {
        match &v.kind {
            Kind::Factor(levels) => {
                for l in 1..levels.len() {
                    cols.push(cur[k].iter().map(|&x| f64::from(x == l as f64)).collect());
                }
            }
            _ => cols.push(cur[k].clone()),
        }
    }
    DMatrix::from_fn(n, cols.len(), |i, c| cols[c][i])
}

/// Draw the missing values of one column given the current predictors.
fn impute_one(v: &Var, x: &DMatrix<f64>, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let y_obs: Vec<f64> = v.observed.iter().map(|&i| v.values[i]).collect();
    let keep = keep_predictors(x, &v.observed, &y_obs);
    let q = keep.len();
    match method(v) {
        Method::Pmm => {
            let with_intercept = |rows: &[usize]| {
                DMatrix::from_fn(rows.len(), q + 1, |i, c| {
                    if c == 0 {
                        1.0
                    } else {
                        x[(rows[i], keep[c - 1])]
                    }
                })
            };
            pmm::pmm(
                &with_intercept(&v.observed),
                &y_obs,
                &with_intercept(&v.missing),
                DONORS,
                rng,
            )
        }
        Method::Logreg => {
            let rows: Vec<Vec<f64>> = (0..x.nrows())
                .map(|i| keep.iter().map(|&c| x[(i, c)]).collect())
                .collect();
            logreg::logreg(&rows, &v.observed, &y_obs, &v.missing, rng)
        }
    }
}

/// mice's `remove.lindep` screen: no predictors when the observed outcome is (nearly) constant; otherwise
/// predictors with variance above 1e-4 and correlation with the outcome below 0.99 on the observed rows.
/// (Collinearity among the kept predictors is handled by the ridge fallback of the draw.)
fn keep_predictors(x: &DMatrix<f64>, obs: &[usize], y: &[f64]) -> Vec<usize> {
    const EPS: f64 = 1e-4;
    let (ym, ysd) = mean_sd(y.iter().copied());
    if ysd.is_nan() || ysd * ysd < EPS {
        return Vec::new();
    }
    (0..x.ncols())
        .filter(|&c| {
            let col: Vec<f64> = obs.iter().map(|&i| x[(i, c)]).collect();
            let (xm, xsd) = mean_sd(col.iter().copied());
            if xsd.is_nan() || xsd * xsd <= EPS {
                return false;
            }
            let cov = col
                .iter()
                .zip(y)
                .map(|(a, b)| (a - xm) * (b - ym))
                .sum::<f64>()
                / (y.len() as f64 - 1.0);
            cov / (xsd * ysd) < 0.99
        })
        .collect()
}

/// Mean and SD (n − 1) of values; NaN SD for fewer than two.
fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn describe(v: &Var, imputed: impl Iterator<Item = f64> + Clone) -> ImputedColumn {
    let (observed_mean, observed_sd) = mean_sd(v.observed.iter().map(|&i| v.values[i]));
    let (imputed_mean, imputed_sd) = mean_sd(imputed);
    ImputedColumn {
        column: v.name.clone(),
        method: method(v),
        n_missing: v.missing.len(),
        n_observed: v.observed.len(),
        observed_mean,
        observed_sd,
        imputed_mean,
        imputed_sd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let num = |v: Vec<Option<f64>>| ColumnData::num(v);
        let n = 60;
        let x: Vec<Option<f64>> = (0..n).map(|i| Some(i as f64)).collect();
        let y: Vec<Option<f64>> = (0..n)
            .map(|i| {
                if i % 7 == 3 {
                    None
                } else {
                    Some(2.0 * i as f64 + (i % 5) as f64)
                }
            })
            .collect();
        let b: Vec<Option<f64>> = (0..n)
            .map(|i| {
                if i % 9 == 4 {
                    None
                } else {
                    Some(f64::from(i > 30))
                }
            })
            .collect();
        Table::new(
            "t.csv",
            vec![
                ("x".into(), num(x)),
                ("y".into(), num(y)),
                ("b".into(), num(b)),
            ],
        )
    }

    #[test]
    fn imputes_observed_values_and_is_deterministic() {
        let t = table();
        let cols: Vec<String> = ["x", "y", "b"].iter().map(|s| s.to_string()).collect();
        let opts = MiceOptions {
            m: 3,
            iterations: 5,
            seed: 7,
        };
        let a = impute(&t, &cols, &opts).unwrap();
        let b = impute(&t, &cols, &opts).unwrap();
        assert_eq!(a.draws, b.draws);
        assert_eq!(a.columns.len(), 2);
        assert_eq!(a.columns[0].method, Method::Pmm);
        assert_eq!(a.columns[1].method, Method::Logreg);
        let done = a.complete(&t, 2);
        let y = done.numeric("y").unwrap();
        let observed: Vec<f64> = t.numeric("y").unwrap().into_iter().flatten().collect();
        assert!(y.iter().all(|v| v.is_some_and(|v| observed.contains(&v))));
        assert!(done
            .numeric("b")
            .unwrap()
            .iter()
            .all(|v| matches!(v, Some(x) if x == 0.0 || x == 1.0)));
        assert_eq!(a.trace.len(), 3 * 5 * 2);
    }
}
