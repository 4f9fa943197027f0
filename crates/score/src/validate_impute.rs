//! `validate --impute M`: a fixed score validated on each completed table and its performance pooled across
//! the imputations as Wood, Royston & White (Biom J 2015;57:614) advise: each measure by Rubin's rules on a
//! scale close to normal (AUC and the accuracy measures on the logit scale, Marshall et al. 2009; calibration
//! intercept and slope and the slope per point as estimated), observed risk per score level averaged.

use serde::Serialize;
use statrs::distribution::ContinuousCDF;

use super::validate::{item_columns_and, usable, validate, ValidateOptions, Validation};
use super::PointsTable;
use crate::{Error, Result};
use calcscore_data::Table;
use calcscore_stats::mice::{impute, pool_scalar, Imputation, MiceOptions, PooledAuc, PooledRow};
use calcscore_stats::{Direction, Roc};

/// A proportion pooled on the logit scale (sensitivity, specificity, PPV, NPV at the cutoff).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledMeasure {
    /// sensitivity, specificity, ppv or npv.
    pub measure: String,
    /// expit of the pooled logit, with the back-transformed interval and the logit-scale pooling.
    #[serde(flatten)]
    pub pooled: PooledAuc,
    /// Imputations in which a zero cell needed 0.5 added to both counts to have a logit.
    pub corrected: usize,
}

/// Observed risk at one score level, averaged over the imputations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledLevel {
    /// Score.
    pub score: i64,
    /// Mean number of rows at this score.
    pub n: f64,
    /// Mean number of events.
    pub events: f64,
    /// Mean over the imputations with rows at this score of the observed proportion (`None`: never reached).
    pub observed: Option<f64>,
}

/// One group's pooled validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledGroup {
    /// Group value.
    pub group: String,
    /// Rows (the same in every completed table).
    pub n: usize,
    /// Mean number of events over the imputations.
    pub n_events: f64,
    /// Slope of the continuous outcome per point (Rubin's rules; dfcom n − 2, or clusters − 1).
    pub slope: Option<PooledRow>,
    /// AUC with DeLong's SE per imputation, pooled on the logit scale (dfcom = ∞).
    pub auc: Option<PooledAuc>,
    /// Calibration-in-the-large (offset model) pooled as estimated (dfcom = ∞).
    pub calibration_intercept: Option<PooledRow>,
    /// Calibration slope pooled as estimated (dfcom = ∞).
    pub calibration_slope: Option<PooledRow>,
    /// Accuracy at the score's cutoff, each measure pooled on the logit scale.
    pub measures: Vec<PooledMeasure>,
    /// Observed risk per score level (mean over imputations).
    pub levels: Vec<PooledLevel>,
    /// What could not be pooled.
    pub notes: Vec<String>,
}

/// A validation pooled over m completed tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImputedValidation {
    /// Completed tables pooled.
    pub m: usize,
    /// Per group.
    pub groups: Vec<PooledGroup>,
    /// Score × group interaction terms pooled (dfcom n − 2G, or clusters − 1).
    pub interaction_terms: Vec<PooledRow>,
}

/// The columns validation reads that the imputation models use: the score's items and both outcomes.
pub(crate) fn columns_to_impute(score: &PointsTable, opts: &ValidateOptions) -> Vec<String> {
    item_columns_and(score, opts, [])
}

/// Impute the score's item columns and the outcomes, validate on each completed table and pool; returns the
/// imputation, the pooled validation and the complete-case validation.
pub fn validate_imputed(
    table: &Table,
    score: &PointsTable,
    opts: &ValidateOptions,
    mice: &MiceOptions,
) -> Result<(Imputation, ImputedValidation, Validation)> {
    let cc = validate(table, score, opts)?;
    let imp = impute(table, &columns_to_impute(score, opts), mice)?;
    let done: Vec<Table> = (0..mice.m).map(|i| imp.complete(table, i)).collect();
    Ok((imp, pool_validations(&done, score, opts)?, cc))
}

/// Validate `score` on each completed table and pool the performance measures.
pub fn pool_validations(
    done: &[Table],
    score: &PointsTable,
    opts: &ValidateOptions,
) -> Result<ImputedValidation> {
    if done.len() < 2 {
        return Err(Error::Usage(
            "pooling needs at least 2 completed tables".into(),
        ));
    }
    let mut runs = Vec::with_capacity(done.len());
    for t in done {
        runs.push(one_table(t, score, opts)?);
    }
    let first = &runs[0].0;
    let groups = first
        .groups
        .iter()
        .enumerate()
        .map(|(g, gv)| pool_group(&runs, g, &gv.group, opts))
        .collect();
    let n = first.rows.n_used;
    let k = 2 * first.groups.len();
    let dfcom = dfcom_of(first.groups.iter().map(|g| g.n_clusters).sum(), n, k);
    let interaction_terms = pool_rows(
        runs.iter()
            .map(|(v, _)| v.interaction_terms.clone())
            .collect(),
        dfcom,
        opts.conf_level,
    );
    Ok(ImputedValidation {
        m: done.len(),
        groups,
        interaction_terms,
    })
}

/// Complete-data df: clusters − 1 with clusters, else n − k.
fn dfcom_of(clusters: Option<usize>, n: usize, k: usize) -> f64 {
    match clusters {
        Some(g) => (g.max(2) - 1) as f64,
        None => (n as f64 - k as f64).max(1.0),
    }
}

/// One completed table: its validation, and per group (in the validation's order) the AUC and DeLong SE.
type Run = (Validation, Vec<Option<(f64, f64)>>);

fn one_table(t: &Table, score: &PointsTable, opts: &ValidateOptions) -> Result<Run> {
    let v = validate(t, score, opts)?;
    let mut t = t.clone();
    let o = ValidateOptions {
        cluster: super::cluster_column(&mut t, opts.cluster.as_deref())?,
        ..opts.clone()
    };
    let (d, _) = usable(&t, score, &o)?;
    let aucs = v
        .groups
        .iter()
        .map(|g| {
            let idx: Vec<usize> = (0..d.score.len())
                .filter(|&i| d.group[i] == g.group)
                .collect();
            let s: Vec<f64> = idx.iter().map(|&i| d.score[i]).collect();
            let e: Vec<bool> = idx.iter().map(|&i| d.event[i]).collect();
            Roc::new(&s, &e, Direction::ControlsLess)
                .ok()
                .map(|r| (r.auc(), r.delong_se()))
        })
        .collect();
    Ok((v, aucs))
}

fn pool_group(runs: &[Run], g: usize, name: &str, opts: &ValidateOptions) -> PooledGroup {
    let level = opts.conf_level;
    let mut notes = Vec::new();
    let gs: Vec<_> = runs.iter().filter_map(|(v, _)| v.groups.get(g)).collect();
    let m = runs.len() as f64;
    let first = gs[0];
    let slope = all(gs
        .iter()
        .map(|x| x.slope.as_ref().map(|t| (t.estimate, t.std_error))))
    .and_then(|(q, u)| {
        let dfcom = dfcom_of(first.n_clusters, first.n, 2);
        pool_scalar("slope per point", &q, &u, dfcom, level).ok()
    });
    let auc = all(runs.iter().map(|(_, a)| a.get(g).copied().flatten())).and_then(|(q, u)| {
        calcscore_stats::mice::pool_auc(&q, &u, level)
            .map_err(|e| notes.push(format!("AUC not pooled: {e}")))
            .ok()
    });
    let z = statrs::distribution::Normal::standard().inverse_cdf((1.0 + level) / 2.0);
    let cal = |pick: fn(&super::calibration::Calibration) -> Option<super::derive::Interval>,
               term: &str| {
        all(gs.iter().map(|x| {
            x.calibration
                .as_ref()
                .and_then(pick)
                .map(|i| (i.estimate, (i.conf_high - i.conf_low) / (2.0 * z)))
        }))
        .and_then(|(q, u)| pool_scalar(term, &q, &u, f64::INFINITY, level).ok())
    };
    let calibration_intercept = cal(|c| c.intercept, "calibration intercept");
    let calibration_slope = cal(|c| c.slope, "calibration slope");
    let measures = ["sensitivity", "specificity", "ppv", "npv"]
        .iter()
        .filter_map(|name| {
            let counts: Option<Vec<(usize, usize)>> = gs
                .iter()
                .map(|x| x.accuracy.as_ref().map(|c| counts(&c.table, name)))
                .collect();
            pool_proportion(name, &counts?, level)
                .map_err(|e| notes.push(format!("{name} not pooled: {e}")))
                .ok()
                .flatten()
        })
        .collect();
    PooledGroup {
        group: name.to_string(),
        n: first.n,
        n_events: gs.iter().map(|x| x.n_events as f64).sum::<f64>() / m,
        slope,
        auc,
        calibration_intercept,
        calibration_slope,
        measures,
        levels: pooled_levels(&gs, m),
        notes,
    }
}

/// (estimates, SEs) when every imputation has one.
fn all(it: impl Iterator<Item = Option<(f64, f64)>>) -> Option<(Vec<f64>, Vec<f64>)> {
    let v: Option<Vec<(f64, f64)>> = it.collect();
    v.filter(|v| !v.is_empty()).map(|v| v.into_iter().unzip())
}

/// (successes, denominator) of a measure from a 2×2 table.
fn counts(t: &calcscore_stats::diagnostic::TwoByTwo, measure: &str) -> (usize, usize) {
    match measure {
        "sensitivity" => (t.tp, t.tp + t.fn_),
        "specificity" => (t.tn, t.tn + t.fp),
        "ppv" => (t.tp, t.tp + t.fp),
        _ => (t.tn, t.tn + t.fn_),
    }
}

/// Pool a proportion x/n over the imputations on the logit scale: logit(p̂) with variance 1/x + 1/(n − x) (0.5 added to x and
/// n − x when either is 0); `None` when some imputation has n = 0.
pub fn pool_proportion(
    name: &str,
    counts: &[(usize, usize)],
    level: f64,
) -> std::result::Result<Option<PooledMeasure>, calcscore_stats::StatsError> {
    if counts.iter().any(|&(_, n)| n == 0) {
        return Ok(None);
    }
    let mut corrected = 0;
    let (q, u): (Vec<f64>, Vec<f64>) = counts
        .iter()
        .map(|&(x, n)| {
            let (mut a, mut b) = (x as f64, (n - x) as f64);
            if x == 0 || x == n {
                corrected += 1;
                a += 0.5;
                b += 0.5;
            }
            ((a / b).ln(), (1.0 / a + 1.0 / b).sqrt())
        })
        .unzip();
    let logit = pool_scalar(name, &q, &u, f64::INFINITY, level)?;
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    Ok(Some(PooledMeasure {
        measure: name.to_string(),
        pooled: PooledAuc {
            estimate: expit(logit.estimate),
            conf_low: expit(logit.conf_low),
            conf_high: expit(logit.conf_high),
            logit,
        },
        corrected,
    }))
}

/// Per score level: mean rows and events over the imputations, and the mean observed proportion.
fn pooled_levels(gs: &[&super::validate::GroupValidation], m: f64) -> Vec<PooledLevel> {
    let mut scores: Vec<i64> = gs
        .iter()
        .flat_map(|g| g.levels.iter().map(|l| l.score))
        .collect();
    scores.sort_unstable();
    scores.dedup();
    scores
        .into_iter()
        .map(|k| {
            let at: Vec<_> = gs
                .iter()
                .filter_map(|g| g.levels.iter().find(|l| l.score == k))
                .collect();
            let obs: Vec<f64> = at
                .iter()
                .filter(|l| l.n > 0)
                .map(|l| l.events as f64 / l.n as f64)
                .collect();
            PooledLevel {
                score: k,
                n: at.iter().map(|l| l.n as f64).sum::<f64>() / m,
                events: at.iter().map(|l| l.events as f64).sum::<f64>() / m,
                observed: (!obs.is_empty()).then(|| obs.iter().sum::<f64>() / obs.len() as f64),
            }
        })
        .collect()
}

/// Pool rows term by term when every imputation has the same terms (else none).
fn pool_rows(rows: Vec<Vec<calcscore_stats::TidyRow>>, dfcom: f64, level: f64) -> Vec<PooledRow> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let same = rows
        .iter()
        .all(|r| r.len() == first.len() && r.iter().zip(first).all(|(a, b)| a.term == b.term));
    if !same || first.is_empty() {
        return Vec::new();
    }
    (0..first.len())
        .filter_map(|k| {
            let q: Vec<f64> = rows.iter().map(|r| r[k].estimate).collect();
            let u: Vec<f64> = rows.iter().map(|r| r[k].std_error).collect();
            pool_scalar(&first[k].term, &q, &u, dfcom, level).ok()
        })
        .collect()
}
