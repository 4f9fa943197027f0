//! Covariance estimators for fitted models, following R's `sandwich` conventions, and the shared
//! inference (SE, statistic, p, CI) that derives from one covariance matrix.

use crate::dist::Checked;
use calcscore_core::format::{p_r, significant5, stars};
use nalgebra::DMatrix;
use serde::Serialize;
use statrs::distribution::{Normal, StudentsT};

use super::linalg::cross_products;
use super::{StatsError, TidyRow};

/// Which covariance matrix every SE, CI and p-value of a fit derives from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Vcov {
    /// Model-based (R's `vcov(fit)`).
    #[default]
    Classical,
    /// Heteroskedasticity-consistent, `sandwich::vcovHC(type = "HC0")`.
    HC0,
    /// `sandwich::vcovHC(type = "HC1")`: HC0 × n/(n−k).
    HC1,
    /// Cluster-robust, `sandwich::vcovCL(type = "HC0")`: G/(G−1) adjustment.
    ClusterHC0,
    /// Cluster-robust, `sandwich::vcovCL(type = "HC1")` (its default): also (n−1)/(n−k).
    ClusterHC1,
}

impl calcscore_core::Choice for Vcov {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (Vcov::Classical, "classical", "model-based (R's vcov(fit))"),
        (
            Vcov::HC0,
            "hc0",
            "heteroskedasticity-consistent, sandwich::vcovHC(type = \"HC0\")",
        ),
        (
            Vcov::HC1,
            "hc1",
            "sandwich::vcovHC(type = \"HC1\"): HC0 × n/(n−k)",
        ),
        (
            Vcov::ClusterHC0,
            "cr0",
            "cluster-robust, sandwich::vcovCL(type = \"HC0\"): G/(G−1) adjustment",
        ),
        (
            Vcov::ClusterHC1,
            "cr1",
            "cluster-robust, sandwich::vcovCL(type = \"HC1\") (its default): also (n−1)/(n−k)",
        ),
    ];
}

impl Vcov {
    /// The estimator in words, as reports state it.
    pub fn describe(self) -> &'static str {
        match self {
            Vcov::Classical => "classical (model-based)",
            Vcov::HC0 => "heteroskedasticity-consistent HC0 (sandwich::vcovHC type HC0)",
            Vcov::HC1 => "heteroskedasticity-consistent HC1 (sandwich::vcovHC type HC1, n/(n-k))",
            Vcov::ClusterHC0 => "cluster-robust CR0 (sandwich::vcovCL type HC0, G/(G-1))",
            Vcov::ClusterHC1 => {
                "cluster-robust CR1 (sandwich::vcovCL type HC1, G/(G-1)·(n-1)/(n-k))"
            }
        }
    }

    /// True for the cluster-robust estimators.
    pub fn is_clustered(self) -> bool {
        matches!(self, Vcov::ClusterHC0 | Vcov::ClusterHC1)
    }
}

/// Options shared by every fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Covariance estimator.
    pub vcov: Vcov,
    /// Confidence level of every interval.
    pub conf_level: f64,
}

impl FitOptions {
    /// CR1 (sandwich::vcovCL's default) when the data have a cluster column, else classical.
    pub fn cluster_robust_if(clustered: bool, conf_level: f64) -> FitOptions {
        let vcov = if clustered {
            Vcov::ClusterHC1
        } else {
            Vcov::Classical
        };
        FitOptions { vcov, conf_level }
    }
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            vcov: Vcov::Classical,
            conf_level: 0.95,
        }
    }
}

/// Sandwich covariance `B M B` with bread `B = (X'WX)⁻¹` and meat from per-row scores `s_i x_i`
/// (`s_i` = residual for OLS, y − μ for logistic), as sandwich::vcovHC / vcovCL compute it.
pub fn sandwich(
    x: &DMatrix<f64>,
    scores: &[f64],
    bread: &DMatrix<f64>,
    kind: Vcov,
    cluster: Option<&[usize]>,
) -> Result<DMatrix<f64>, StatsError> {
    let (n, k) = x.shape();
    let (meat, g) = match (kind.is_clustered(), cluster) {
        (true, Some(c)) => cluster_meat(x, scores, c),
        (true, None) => {
            return Err(StatsError::Undefined(
                "a cluster-robust covariance needs a cluster column (--cluster)".into(),
            ))
        }
        // One row per cluster: Σ s_i² x_i x_i', the weighted cross product, without an n × k copy.
        (false, _) => {
            let s2: Vec<f64> = scores.iter().map(|s| s * s).collect();
            (cross_products(x, Some(&s2), &vec![0.0; n]).0, n)
        }
    };
    let (nf, kf, gf) = (n as f64, k as f64, g as f64);
    let adjust = match kind {
        Vcov::Classical => 1.0,
        Vcov::HC0 => 1.0,
        Vcov::HC1 => nf / (nf - kf),
        Vcov::ClusterHC0 => cluster_adjust(gf)?,
        Vcov::ClusterHC1 => cluster_adjust(gf)? * (nf - 1.0) / (nf - kf),
    };
    Ok(bread * meat * bread * adjust)
}

/// Σ_g u_g u_g' with u_g = Σ_{i in g} s_i x_i: per-cluster score sums (G × k), four columns of X per task
/// and the tasks in parallel ([`group_sums`]); each sum adds its rows in order, so the digits do not depend on
/// the threads.
fn cluster_meat(x: &DMatrix<f64>, scores: &[f64], cluster: &[usize]) -> (DMatrix<f64>, usize) {
    use rayon::prelude::*;
    let (n, k) = x.shape();
    let g = cluster.iter().max().map_or(0, |m| m + 1);
    let data = x.as_slice();
    let groups: Vec<Vec<[f64; 4]>> = (0..k.div_ceil(4))
        .into_par_iter()
        .map(|q| {
            let cols = |l: usize| {
                let j = (4 * q + l).min(k - 1);
                &data[j * n..(j + 1) * n]
            };
            group_sums([cols(0), cols(1), cols(2), cols(3)], scores, cluster, g)
        })
        .collect();
    let sums = DMatrix::from_fn(g, k, |c, j| groups[j / 4][c][j % 4]);
    (sums.transpose() * &sums, g)
}

/// Per cluster, Σ s_i x_i over its rows in order for four columns side by side (one cache line per row's
/// cluster; a group of fewer than four columns repeats its last one, whose sums are not read).
fn group_sums(cols: [&[f64]; 4], scores: &[f64], cluster: &[usize], g: usize) -> Vec<[f64; 4]> {
    let mut sums = vec![[0.0; 4]; g];
    let rows = cluster.iter().zip(scores).zip(cols[0]).zip(cols[1]);
    for ((((&c, &s), &v0), &v1), (&v2, &v3)) in rows.zip(cols[2].iter().zip(cols[3])) {
        let d = &mut sums[c];
        d[0] += s * v0;
        d[1] += s * v1;
        d[2] += s * v2;
        d[3] += s * v3;
    }
    sums
}

fn cluster_adjust(g: f64) -> Result<f64, StatsError> {
    if g < 2.0 {
        return Err(StatsError::TooFewClusters {
            what: "a cluster-robust covariance".into(),
            n: g as usize,
            needed: 2,
        });
    }
    Ok(g / (g - 1.0))
}

/// Reference distribution of Wald statistics: t with `df` (linear models) or standard normal (GLMs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reference {
    /// Student t with these degrees of freedom.
    T(f64),
    /// Standard normal.
    Z,
}

impl Reference {
    /// Two-sided p-value of a statistic, from the upper tail so it does not underflow.
    pub fn p_two_sided(self, stat: f64) -> f64 {
        let a = stat.abs();
        match self {
            Reference::T(df) => {
                2.0 * StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.sf_checked(a))
            }
            Reference::Z => 2.0 * Normal::standard().sf_checked(a),
        }
    }

    /// The two-sided critical value for a confidence level.
    pub fn critical(self, level: f64) -> f64 {
        let q = 1.0 - (1.0 - level) / 2.0;
        match self {
            Reference::T(df) => crate::dist::t_quantile(df, q),
            Reference::Z => Normal::standard().quantile(q),
        }
    }
}

/// Tidy coefficient rows from estimates and their covariance.
pub(crate) fn tidy_rows(
    names: &[String],
    coef: &[f64],
    v: &DMatrix<f64>,
    reference: Reference,
    level: f64,
) -> Vec<TidyRow> {
    let crit = reference.critical(level);
    names
        .iter()
        .zip(coef)
        .enumerate()
        .map(|(j, (name, &b))| {
            let se = v[(j, j)].max(0.0).sqrt();
            let stat = b / se;
            TidyRow {
                term: name.clone(),
                estimate: b,
                std_error: se,
                statistic: stat,
                p_value: reference.p_two_sided(stat),
                conf_low: b - crit * se,
                conf_high: b + crit * se,
            }
        })
        .collect()
}

/// Print a coefficient table as R's `summary()` does (estimate, SE, statistic, p, CI).
pub fn coef_table_text(rows: &[TidyRow], stat_name: &str, level: f64) -> String {
    let columns = [
        estimate_columns(rows),
        vec![
            column(&format!("{stat_name} value"), 9, rows, |r| {
                format!("{:.3}", r.statistic)
            }),
            column(&format!("Pr(>|{stat_name}|)"), 10, rows, |r| p_r(r.p_value)),
        ],
        interval_columns(rows, level),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let stars: Vec<&str> = rows.iter().map(|r| stars(r.p_value)).collect();
    let mut s = print_coefficients(rows, &columns, Some(&stars));
    s.push_str("---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n");
    s
}

/// One printed column of a coefficient table: header, width and one cell per term.
pub(crate) struct PrintColumn {
    header: String,
    width: usize,
    cells: Vec<String>,
}

/// A column of `width` with one cell per row.
pub(crate) fn column<R>(
    header: &str,
    width: usize,
    rows: &[R],
    cell: impl Fn(&R) -> String,
) -> PrintColumn {
    PrintColumn {
        header: header.to_string(),
        width,
        cells: rows.iter().map(cell).collect(),
    }
}

/// The estimate and standard-error columns (5 significant digits, as R).
pub(crate) fn estimate_columns(rows: &[TidyRow]) -> Vec<PrintColumn> {
    vec![
        column("Estimate", 12, rows, |r| significant5(r.estimate)),
        column("Std. Error", 12, rows, |r| significant5(r.std_error)),
    ]
}

/// The interval columns headed by their percentiles, as `confint()` labels them.
pub(crate) fn interval_columns(rows: &[TidyRow], level: f64) -> Vec<PrintColumn> {
    let tail = 100.0 * (1.0 - level) / 2.0;
    vec![
        column(&format!("{tail:.1}%"), 12, rows, |r| {
            significant5(r.conf_low)
        }),
        column(&format!("{:.1}%", 100.0 - tail), 12, rows, |r| {
            significant5(r.conf_high)
        }),
    ]
}

/// Terms left-aligned, then the columns right-aligned; `tail` (significance stars) ends each row.
pub(crate) fn print_coefficients(
    rows: &[TidyRow],
    columns: &[PrintColumn],
    tail: Option<&[&str]>,
) -> String {
    let w = rows
        .iter()
        .map(|r| r.term.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut s = format!("{:<w$}", "");
    for c in columns {
        s.push_str(&format!(" {:>1$}", c.header, c.width));
    }
    s.push('\n');
    for (i, r) in rows.iter().enumerate() {
        s.push_str(&format!("{:<w$}", r.term));
        for c in columns {
            s.push_str(&format!(" {:>1$}", c.cells[i], c.width));
        }
        if let Some(tail) = tail {
            s.push_str(&format!(" {}", tail[i]));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_from_upper_tail() {
        // 2 * pnorm(-40) in R is 0 only below ~1e-300; the upper tail keeps it representable.
        assert!(Reference::Z.p_two_sided(30.0) > 0.0);
        // R: 2 * pt(-2.5, 10) = 0.031446844236608776
        assert!((Reference::T(10.0).p_two_sided(2.5) - 0.031_446_844_236_608_776).abs() < 1e-12);
        // R: qt(0.975, 10) = 2.228139
        assert!((Reference::T(10.0).critical(0.95) - 2.228_138_851_986_274).abs() < 1e-9);
    }

    /// The grouped, parallel per-cluster sums keep the digits of one pass over the rows in order.
    #[test]
    fn cluster_meat_keeps_the_digits() {
        let v = |i: usize| ((i as u64 * 2_654_435_761 % 10_007) as f64) / 977.0 - 5.0;
        for k in [1, 4, 6] {
            let n = 5000;
            let x = DMatrix::from_fn(n, k, |i, j| v(i * k + j));
            let scores: Vec<f64> = (0..n).map(|i| v(i + 13) / 3.0).collect();
            let cluster: Vec<usize> = (0..n).map(|i| (i * 7919) % 311).collect();
            let (meat, g) = cluster_meat(&x, &scores, &cluster);
            let mut rows = vec![0.0; g * k];
            for i in 0..n {
                for j in 0..k {
                    rows[cluster[i] * k + j] += scores[i] * x[(i, j)];
                }
            }
            let sums = DMatrix::from_row_slice(g, k, &rows);
            let want = sums.transpose() * &sums;
            let bits = |m: &DMatrix<f64>| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!((bits(&meat), g), (bits(&want), 311), "k = {k}");
        }
    }

    #[test]
    fn cluster_sandwich_by_hand() {
        // Intercept-only model, x = 1: bread = 1/n; clusters {0,1},{2}: scores 1,-2 | 3.
        // meat = (1-2)^2 + 3^2 = 10; CR0: (1/3)^2 * 10 * G/(G-1) = 10/9 * 2 = 20/9.
        let x = DMatrix::from_element(3, 1, 1.0);
        let bread = DMatrix::from_element(1, 1, 1.0 / 3.0);
        let v = sandwich(
            &x,
            &[1.0, -2.0, 3.0],
            &bread,
            Vcov::ClusterHC0,
            Some(&[0, 0, 1]),
        )
        .unwrap();
        assert!((v[(0, 0)] - 20.0 / 9.0).abs() < 1e-12);
        // CR1 adds (n-1)/(n-k) = 2/2 = 1 here; HC0 without clusters: (1 + 4 + 9)/9.
        let v = sandwich(&x, &[1.0, -2.0, 3.0], &bread, Vcov::HC0, None).unwrap();
        assert!((v[(0, 0)] - 14.0 / 9.0).abs() < 1e-12);
    }
}
