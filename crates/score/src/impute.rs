//! `derive --impute M`: the derivation repeated on each completed table, the points model's coefficients
//! pooled by Rubin's rules, points from the pooled coefficients, and the AUC of that score pooled on the
//! logit scale; the complete-case derivation is kept beside.

use serde::Serialize;

use super::derive::{
    columns_read, derive, points_from_coefficients, score_and_outcome, Candidates, Derivation,
    DeriveOptions, PointsRow,
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
    /// Which model the points come from (as the complete-case derivation).
    pub points_from: String,
    /// Pooled coefficients of the linear model, when fitted.
    pub linear: Option<Vec<PooledRow>>,
    /// Pooled coefficients of the logistic model, when fitted in every imputation.
    pub logistic: Option<Vec<PooledRow>>,
    /// Points from the pooled coefficients of the points model.
    pub points: Vec<PointsRow>,
    /// AUC of the pooled-points score, pooled over the completed tables on the logit scale.
    pub auc: PooledAuc,
    /// The score with the pooled points (cutoff of the complete-case derivation).
    pub score: PointsTable,
    /// Rows in each completed table.
    pub n: usize,
}

/// Impute the columns the derivation reads (the outcomes included; not the cluster column), derive on each
/// completed table, pool. Returns the imputation, the pooled derivation and the complete-case one.
pub fn derive_imputed(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    mice: &MiceOptions,
) -> Result<(Imputation, ImputedDerivation, Derivation)> {
    // The complete-case derivation orients the pooled points and gives the cutoff: without it nothing is pooled.
    let cc = derive(table, cands, opts).map_err(|e| match e {
        Error::Stats(e) => Error::Usage(format!(
            "--impute: the complete-case derivation, which orients the pooled points and gives their cutoff, \
             is not estimable ({e}); fix: fewer candidates, or more rows complete in every candidate"
        )),
        e => e,
    })?;
    if !cc.searches.is_empty() {
        return Err(Error::Usage(
            "--impute needs fixed thresholds: a grid search may choose another threshold in each imputation".into(),
        ));
    }
    let imp = impute(table, &imputed_columns(cands, opts), mice)?;
    let done: Vec<Table> = (0..mice.m).map(|i| imp.complete(table, i)).collect();
    let fits = done
        .iter()
        .map(|t| derive(t, cands, opts))
        .collect::<Result<Vec<_>>>()?;
    let (linear, logistic) = pool_derivations(&cc, &fits, opts)?;
    let source = if cc.linear.is_some() {
        &linear
    } else {
        &logistic
    };
    let Some(source) = source else {
        return Err(Error::Usage(
            "the points model could not be pooled (not fitted in every imputation)".into(),
        ));
    };
    let (points, score) = pooled_points(&cc, source, opts, mice.m)?;
    let auc = pooled_auc(&done, &score, opts)?;
    let imputed = ImputedDerivation {
        points_from: cc.points_from.clone(),
        linear,
        logistic,
        points,
        auc,
        score,
        n: fits[0].n,
    };
    Ok((imp, imputed, cc))
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

/// Pooled (linear, logistic) models of the derivations `fits`, each when the complete-case derivation fitted
/// it (the logistic one also only when every imputation fitted it); dfcom n − p, or clusters − 1.
type PooledModels = (Option<Vec<PooledRow>>, Option<Vec<PooledRow>>);

/// Pool the linear and the logistic model over the derivations `fits` (see [`PooledModels`]).
fn pool_derivations(
    cc: &Derivation,
    fits: &[Derivation],
    opts: &DeriveOptions,
) -> Result<PooledModels> {
    let dfcom = |m: &super::derive::Model| match m.n_clusters {
        Some(g) => (g.max(2) - 1) as f64,
        None => (m.n as f64 - m.coefficients.len() as f64).max(1.0),
    };
    let linear = match &cc.linear {
        Some(m) => Some(pool_models(
            fits.iter().map(|d| d.linear.as_ref()),
            dfcom(m),
            opts,
        )?),
        None => None,
    };
    let logistic = match &cc.logistic {
        Some(m) if fits.iter().all(|d| d.logistic.is_some()) => Some(pool_models(
            fits.iter().map(|d| d.logistic.as_ref()),
            dfcom(m),
            opts,
        )?),
        _ => None,
    };
    Ok((linear, logistic))
}

/// Points from the pooled coefficients `source`, and the complete-case score with those points (its cutoff,
/// no risk model).
fn pooled_points(
    cc: &Derivation,
    source: &[PooledRow],
    opts: &DeriveOptions,
    m: usize,
) -> Result<(Vec<PointsRow>, PointsTable)> {
    let coefficients: Vec<TidyRow> = source.iter().map(tidy).collect();
    let points = points_from_coefficients(
        &cc.score.items,
        &coefficients,
        cc.orientation.sign,
        opts.reference.as_deref(),
    )?;
    let mut score = cc.score.clone();
    for (item, p) in score.items.iter_mut().zip(&points) {
        item.points = p.points;
    }
    score.model = None;
    score.source = format!(
        "calcscore derive --impute {m}: points from the pooled {}",
        cc.points_from
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
