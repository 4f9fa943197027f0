//! `derive --impute M`: the derivation repeated on each completed table, the points model's coefficients
//! pooled by Rubin's rules, points from the pooled coefficients, and the AUC of that score pooled on the
//! logit scale; the complete-case derivation is kept beside.

use serde::Serialize;

use super::derive::{
    columns_read, derive, not_estimable, points_from_coefficients, score_and_outcome,
    youden_cutoff, Candidates, Derivation, DeriveOptions, PointsRow,
};
use super::PointsTable;
use crate::{Error, Result};
use calcscore_data::Table;
use calcscore_stats::mice::{
    impute, pool, pool_auc, Imputation, MiceOptions, PooledAuc, PooledRow,
};
use calcscore_stats::{Direction, Roc, TidyRow};

/// A derivation under multiple imputation.
#[derive(Debug, Clone, Serialize)]
pub struct ImputedDerivation {
    /// Which model the points come from (as the complete-case derivation, or the first completed table's).
    pub points_from: String,
    /// Pooled coefficients of the linear model, when fitted.
    pub linear: Option<Vec<PooledRow>>,
    /// Pooled coefficients of the logistic model, when fitted in every imputation.
    pub logistic: Option<Vec<PooledRow>>,
    /// Points from the pooled coefficients of the points model.
    pub points: Vec<PointsRow>,
    /// AUC of the pooled-points score, pooled over the completed tables on the logit scale.
    pub auc: PooledAuc,
    /// The score with the pooled points (cutoff of the complete-case derivation; when that is not estimable,
    /// Youden's over the completed tables stacked).
    pub score: PointsTable,
    /// Rows in each completed table.
    pub n: usize,
}

/// Impute the columns the derivation reads (the outcomes included; not the cluster column), derive on each
/// completed table, pool. Returns the imputation, the pooled derivation and the complete-case one.
///
/// The complete-case derivation, when estimable, orients the pooled points and gives their cutoff. When the
/// complete cases cannot be fitted (too few rows, an item with no event among them, separation), the first
/// completed table's derivation orients the points, the cutoff is Youden's on the pooled-points score over the
/// completed tables stacked, and the complete-case derivation is returned with the reason it is not estimable.
pub fn derive_imputed(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    mice: &MiceOptions,
) -> Result<(Imputation, ImputedDerivation, Derivation)> {
    if cands.candidates.iter().any(|c| !c.grid.is_empty()) {
        return Err(Error::Usage(
            "--impute needs fixed thresholds: a grid search may choose another threshold in each imputation".into(),
        ));
    }
    let cc = match derive(table, cands, opts) {
        Ok(d) => Ok(d),
        Err(Error::Stats(e)) => Err(e),
        Err(e) => return Err(e),
    };
    let imp = impute(table, &imputed_columns(cands, opts), mice)?;
    let done: Vec<Table> = (0..mice.m).map(|i| imp.complete(table, i)).collect();
    let fits = done
        .iter()
        .map(|t| derive(t, cands, opts))
        .collect::<Result<Vec<_>>>()?;
    let template = cc.as_ref().unwrap_or(&fits[0]);
    let (linear, logistic) = pool_derivations(template, &fits, opts)?;
    let source = if template.linear.is_some() {
        &linear
    } else {
        &logistic
    };
    let Some(source) = source else {
        return Err(Error::Usage(
            "the points model could not be pooled (not fitted in every imputation)".into(),
        ));
    };
    let (points, mut score) = pooled_points(template, source, opts, mice.m)?;
    let points_from = template.points_from.clone();
    let cc = match cc {
        Ok(d) => d,
        Err(e) => {
            score.cutoff = stacked_youden(&done, &score, opts)?;
            let mut d = not_estimable(table, cands, opts, e.to_string())?;
            d.notes.push(format!(
                "the complete cases cannot be fitted, so the pooled points are oriented by the first completed \
                 table's derivation and their cutoff (≥{}) is Youden's on the pooled-points score over the {} \
                 completed tables stacked, not the complete cases'",
                score.cutoff, mice.m
            ));
            d
        }
    };
    let auc = pooled_auc(&done, &score, opts)?;
    let imputed = ImputedDerivation {
        points_from,
        linear,
        logistic,
        points,
        auc,
        score,
        n: fits[0].n,
    };
    Ok((imp, imputed, cc))
}

/// Youden's cutoff of `score` over the completed tables `done` stacked (each row once per table).
fn stacked_youden(done: &[Table], score: &PointsTable, opts: &DeriveOptions) -> Result<i64> {
    let (mut s, mut y) = (Vec::new(), Vec::new());
    for t in done {
        let (a, b) = score_and_outcome(t, score, &opts.binary)?;
        s.extend(a);
        y.extend(b);
    }
    let roc = Roc::new(&s, &y, Direction::ControlsLess)?;
    Ok(youden_cutoff(&roc, &s))
}

/// The columns the derivation reads, less the cluster columns (cluster ids are not imputed or used).
fn imputed_columns(cands: &Candidates, opts: &DeriveOptions) -> Vec<String> {
    columns_read(cands, opts)
        .into_iter()
        .filter(|c| {
            opts.cluster
                .as_deref()
                .is_none_or(|k| !k.split(',').any(|p| p == c))
        })
        .collect()
}

/// Pooled (linear, logistic) models of the derivations `fits`, each when the template derivation (the
/// complete-case one, else the first completed table's) fitted it (the logistic one also only when every
/// imputation fitted it); dfcom n − p of the first completed table's model, or its clusters − 1 (as `mice::pool`,
/// which takes `df.residual` of the first fit).
type PooledModels = (Option<Vec<PooledRow>>, Option<Vec<PooledRow>>);

/// Pool the linear and the logistic model over the derivations `fits` (see [`PooledModels`]).
fn pool_derivations(
    template: &Derivation,
    fits: &[Derivation],
    opts: &DeriveOptions,
) -> Result<PooledModels> {
    let dfcom = |m: &super::derive::Model| match m.n_clusters {
        Some(g) => (g.max(2) - 1) as f64,
        None => (m.n as f64 - m.coefficients.len() as f64).max(1.0),
    };
    let linear = match &template.linear {
        Some(m) => Some(pool_models(
            fits.iter().map(|d| d.linear.as_ref()),
            dfcom(fits[0].linear.as_ref().unwrap_or(m)),
            opts,
        )?),
        None => None,
    };
    let logistic = match &template.logistic {
        Some(m) if fits.iter().all(|d| d.logistic.is_some()) => Some(pool_models(
            fits.iter().map(|d| d.logistic.as_ref()),
            dfcom(fits[0].logistic.as_ref().unwrap_or(m)),
            opts,
        )?),
        _ => None,
    };
    Ok((linear, logistic))
}

/// Points from the pooled coefficients `source`, and the template derivation's score with those points (its
/// cutoff, no risk model).
fn pooled_points(
    template: &Derivation,
    source: &[PooledRow],
    opts: &DeriveOptions,
    m: usize,
) -> Result<(Vec<PointsRow>, PointsTable)> {
    let coefficients: Vec<TidyRow> = source.iter().map(tidy).collect();
    let points = points_from_coefficients(
        &template.score.items,
        &coefficients,
        template.orientation.sign,
        opts.reference.as_deref(),
    )?;
    let mut score = template.score.clone();
    for (item, p) in score.items.iter_mut().zip(&points) {
        item.points = p.points;
    }
    score.model = None;
    score.source = format!(
        "calcscore derive --impute {m}: points from the pooled {}",
        template.points_from
    );
    Ok((points, score))
}

fn tidy(r: &PooledRow) -> TidyRow {
    TidyRow {
        term: r.term.clone(),
        estimate: r.estimate,
        std_error: r.std_error,
        statistic: r.statistic,
        p_value: r.p_value,
        conf_low: r.conf_low,
        conf_high: r.conf_high,
    }
}

/// Pool one model over the imputations (every imputation must have fitted it with the same terms).
fn pool_models<'a>(
    models: impl Iterator<Item = Option<&'a super::derive::Model>>,
    dfcom: f64,
    opts: &DeriveOptions,
) -> Result<Vec<PooledRow>> {
    let models: Vec<&super::derive::Model> = models.flatten().collect();
    let terms: Vec<String> = models[0]
        .coefficients
        .iter()
        .map(|r| r.term.clone())
        .collect();
    let est: Vec<Vec<f64>> = models
        .iter()
        .map(|m| m.coefficients.iter().map(|r| r.estimate).collect())
        .collect();
    let se: Vec<Vec<f64>> = models
        .iter()
        .map(|m| m.coefficients.iter().map(|r| r.std_error).collect())
        .collect();
    Ok(pool(&terms, &est, &se, dfcom, opts.conf_level)?)
}

/// The AUC (DeLong SE) of `score` in each completed table, pooled on the logit scale.
pub(crate) fn pooled_auc(
    done: &[Table],
    score: &PointsTable,
    opts: &DeriveOptions,
) -> Result<PooledAuc> {
    let mut aucs = Vec::new();
    let mut ses = Vec::new();
    for t in done {
        let (s, y) = score_and_outcome(t, score, &opts.binary)?;
        let roc = Roc::new(&s, &y, Direction::ControlsLess)?;
        aucs.push(roc.auc());
        ses.push(roc.delong_se());
    }
    Ok(pool_auc(&aucs, &ses, opts.conf_level)?)
}
