//! Validation of a point score on a registry, per group: slope of the outcome on the score, AUC (DeLong and
//! clustered), accuracy at the cutoff, outcome by score level, calibration, the score × group interaction, and
//! Harrell's bootstrap optimism correction of a derivation.

use std::collections::BTreeMap;

use nalgebra::{DMatrix, DVector};
use polars::prelude::{
    col, lit, BooleanChunked, DataFrame, Float64Chunked, IntoColumn, IntoLazy, NewChunkedArray,
    PolarsResult, StringChunked,
};
use rayon::prelude::*;
use serde::Serialize;

use super::calibration::Calibration;
use super::derive::{orientation, BinaryOutcome, Cutoff, Interval};
use super::levels::ScoreGroups;
use super::{PointsTable, RiskModel, RowsUsed};
use crate::Result;
use calcscore_core::random;
use calcscore_data::frame::frame_error;
use calcscore_data::table::format_number;
use calcscore_data::{ColumnData, Table, TextColumn};
use calcscore_stats::decision::{decision_curve, strategy_curve, Thresholds};
use calcscore_stats::design::Design;
use calcscore_stats::formula::Formula;
use calcscore_stats::ols::ols;
use calcscore_stats::roc::{clustered_auc, Direction, Roc};
use calcscore_stats::vcov::FitOptions;
use calcscore_stats::{StatsError, TestResult, TidyRow};
use std::borrow::Cow;

mod boot;

/// What to validate against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidateOptions {
    /// Continuous outcome (slopes, mean by score); `None` to skip.
    pub outcome: Option<String>,
    /// Binary outcome (AUC, accuracy, calibration).
    pub binary: BinaryOutcome,
    /// Cluster column (CR1 covariances, clustered AUC, cluster bootstrap).
    pub cluster: Option<String>,
    /// Group column; `None` validates all rows as one group.
    pub by: Option<String>,
    /// Group whose logistic model of the outcome on the score gives the calibration's predictions (default: first).
    pub reference_group: Option<String>,
    /// Confidence level.
    pub conf_level: f64,
    /// Threshold grid of the decision curve (`None`: no decision curve).
    #[serde(skip)]
    pub thresholds: Option<Thresholds>,
    /// SHA-256 of the data file: a score `[model]` fitted in the same bytes (its `data_sha256`) on as many rows
    /// as a group has is calibrated there as apparent (in-sample), not external.
    #[serde(skip)]
    pub data_sha256: Option<String>,
}

/// Net benefit at one threshold of the risk model, of the strategy "score ≥ cutoff" and of treating all.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DecisionRow {
    /// Threshold probability pt (treat when risk ≥ pt).
    pub threshold: f64,
    /// Net benefit of the risk model: TP/n − FP/n · pt/(1 − pt).
    pub net_benefit_model: f64,
    /// Net benefit of treating the lesions with score ≥ cutoff.
    pub net_benefit_cutoff: f64,
    /// Net benefit of treating all.
    pub net_benefit_all: f64,
    /// Net interventions avoided per lesion by the model: (NB − NB all) / (pt/(1 − pt)).
    pub interventions_avoided_model: f64,
    /// Net interventions avoided per lesion by the cutoff strategy.
    pub interventions_avoided_cutoff: f64,
}

/// Decision curve of a group (dcurves' conventions; treat-none has net benefit 0).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GroupDecision {
    /// Events / n.
    pub prevalence: f64,
    /// The cutoff of the strategy "score ≥ cutoff".
    pub cutoff: i64,
    /// One row per threshold.
    pub rows: Vec<DecisionRow>,
}

/// Outcome by score level in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreLevel {
    /// Score.
    pub score: i64,
    /// Rows.
    pub n: usize,
    /// Mean continuous outcome.
    pub mean: Option<f64>,
    /// Its SD.
    pub sd: Option<f64>,
    /// Rows with the binary outcome.
    pub events: usize,
    /// Observed proportion with exact CI.
    pub observed: Option<Interval>,
    /// Predicted probability from the risk model used for calibration.
    pub predicted: Option<f64>,
}

/// Clustered AUC (Obuchowski's variance).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusteredAucRow {
    /// Standard error.
    pub std_error: f64,
    /// Lower limit.
    pub conf_low: f64,
    /// Upper limit.
    pub conf_high: f64,
    /// Clusters.
    pub n_clusters: usize,
}

/// Validation of the score in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValidation {
    /// Group value ("all" without --by).
    pub group: String,
    /// Rows with score and outcomes.
    pub n: usize,
    /// Rows with the binary outcome.
    pub n_events: usize,
    /// Clusters (with a cluster column).
    pub n_clusters: Option<usize>,
    /// Slope of the continuous outcome on the score (CR1 and t on G − 1 df with a cluster column).
    pub slope: Option<TidyRow>,
    /// AUC with DeLong CI.
    pub auc: Option<Interval>,
    /// Clustered AUC (Obuchowski).
    pub clustered_auc: Option<ClusteredAucRow>,
    /// Accuracy at the score's cutoff (Clopper–Pearson CIs).
    pub accuracy: Option<Cutoff>,
    /// Calibration of the risk model in this group, labelled external or apparent (in-sample).
    pub calibration: Option<Calibration>,
    /// Net benefit of the risk model and of the cutoff strategy over the threshold grid.
    pub decision: Option<GroupDecision>,
    /// Predicted risks of the calibration's risk model, one per row (for figures; not serialised).
    #[serde(skip)]
    pub predicted: Vec<f64>,
    /// Events, one per row (for figures; not serialised).
    #[serde(skip)]
    pub events: Vec<bool>,
    /// Outcome and calibration by score level: every level from the score's minimum to its maximum, so n sums
    /// to the group's n.
    pub levels: Vec<ScoreLevel>,
    /// Analyses not estimable here, warnings, and why.
    pub notes: Vec<String>,
}

/// The whole validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// The score validated.
    pub score: PointsTable,
    /// Rows read, used, and dropped per column.
    pub rows: RowsUsed,
    /// Per group.
    pub groups: Vec<GroupValidation>,
    /// Score × group interaction on the continuous outcome: joint Wald F test (CR1 with clusters).
    pub interaction: Option<TestResult>,
    /// Interaction coefficients (two groups: the one term).
    pub interaction_terms: Vec<TidyRow>,
    /// Denominator df of the interaction's F test (`interaction.df` is the numerator): the residual df, or
    /// G − 1 with a cluster column (the coefficients' t reference).
    pub interaction_df2: Option<f64>,
    /// Where the calibration's risk model comes from.
    pub calibration_model: Option<String>,
    /// Notes.
    pub notes: Vec<String>,
}

/// Rows usable for validation: score, binary outcome (and continuous outcome) present.
pub(crate) struct Data {
    pub(crate) group: Vec<String>,
    pub(crate) score: Vec<f64>,
    pub(crate) event: Vec<bool>,
    outcome: Option<Vec<f64>>,
    cluster: Vec<String>,
}

/// The score's item columns, the continuous and binary outcomes, then the `extra` columns given: each once, in
/// the order first named.
pub(crate) fn item_columns_and<const N: usize>(
    score: &PointsTable,
    opts: &ValidateOptions,
    extra: [Option<String>; N],
) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let outcomes = [opts.outcome.clone(), Some(opts.binary.column.clone())];
    for c in score
        .items
        .iter()
        .map(|i| i.column.clone())
        .chain(outcomes.into_iter().chain(extra).flatten())
    {
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    cols
}

/// Present/missing per column read by the validation, in the order named.
fn presence(
    table: &Table,
    score: &PointsTable,
    opts: &ValidateOptions,
) -> Result<(Vec<String>, Vec<Vec<bool>>)> {
    let extra = [opts.by.clone(), opts.cluster.clone()];
    let cols = item_columns_and(score, opts, extra);
    let present = cols
        .iter()
        .map(|c| {
            let col = table.column(c)?;
            Ok((0..table.nrows()).map(|i| !col.is_missing(i)).collect())
        })
        .collect::<std::result::Result<_, calcscore_data::DataError>>()?;
    Ok((cols, present))
}

pub(crate) fn usable(
    table: &Table,
    score: &PointsTable,
    opts: &ValidateOptions,
) -> Result<(Data, RowsUsed)> {
    let (cols, present) = presence(table, score, opts)?;
    let (used, rows) = RowsUsed::count(&cols, &present, table.nrows());
    // NaN/inf in an item, the outcome or the binary outcome's column: named in the user's file and column
    // here, not read as "item absent" or "no event" (nor later in the internal frame's 'outcome').
    super::refuse_non_finite(table, &item_columns_and(score, opts, []), &rows)?;
    let s = score.evaluate(table)?;
    let b = opts.binary.values(table)?;
    let y = opts
        .outcome
        .as_ref()
        .map(|c| table.numbers(c))
        .transpose()?;
    let g = match &opts.by {
        Some(c) => table.text(c)?,
        None => Cow::Owned(std::iter::repeat_n(Some("all"), table.nrows()).collect()),
    };
    let cl = match &opts.cluster {
        Some(c) => table.text(c)?,
        None => Cow::Owned(row_ids(table.nrows())),
    };
    let data = Data {
        group: rows
            .iter()
            .map(|&i| g.get(i).unwrap_or_default().to_string())
            .collect(),
        score: rows.iter().map(|&i| s[i].unwrap_or(0) as f64).collect(),
        event: rows.iter().map(|&i| b[i] == Some(1.0)).collect(),
        outcome: y.map(|y| rows.iter().map(|&i| y.get(i).unwrap_or(f64::NAN)).collect()),
        cluster: rows
            .iter()
            .map(|&i| cl.get(i).unwrap_or_default().to_string())
            .collect(),
    };
    Ok((data, used))
}

/// A small table of the usable rows (score, outcomes, group, cluster) for the regression engine.
fn frame(d: &Data, idx: &[usize]) -> Table {
    let num = |v: Vec<f64>| ColumnData::Num(v.into_iter().map(Some).collect());
    let txt = |v: Vec<String>| ColumnData::Text(v.into_iter().map(Some).collect());
    let mut cols = vec![
        (
            "score".to_string(),
            num(idx.iter().map(|&i| d.score[i]).collect()),
        ),
        (
            "group".to_string(),
            txt(idx.iter().map(|&i| d.group[i].clone()).collect()),
        ),
        (
            "cluster".to_string(),
            txt(idx.iter().map(|&i| d.cluster[i].clone()).collect()),
        ),
    ];
    if let Some(y) = &d.outcome {
        cols.push((
            "outcome".to_string(),
            num(idx.iter().map(|&i| y[i]).collect()),
        ));
    }
    Table::new("validation set", cols)
}

fn fit_opts(opts: &ValidateOptions) -> FitOptions {
    FitOptions::cluster_robust_if(opts.cluster.is_some(), opts.conf_level)
}

/// A note per 0/1 item (`column == 1`) whose column holds other values: coded 1/2, the item would score the
/// 1s, often the "no"s (the score file cannot tell a 0/1 item from a category equal to 1, so it is said, not
/// refused).
fn binary_item_notes(table: &Table, score: &PointsTable) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for item in &score.items {
        if let Some((row, values)) = item.not_binary(table)? {
            let shown: Vec<String> = values.iter().map(|&x| format_number(x)).collect();
            notes.push(format!(
                "item '{}' is {} == 1 (a 0/1 item), but column {} holds {} (first at row {}): if it is coded \
                 1/2, the item scores the 1s; recode it to 0/1",
                item.label,
                item.column,
                item.column,
                shown.join(", "),
                table.row_number(row)
            ));
        }
    }
    Ok(notes)
}

/// Validate `score` on `table`.
pub fn validate(table: &Table, score: &PointsTable, opts: &ValidateOptions) -> Result<Validation> {
    calcscore_core::options::ConfLevel::new(opts.conf_level)?;
    let (table, cluster) = super::with_cluster_column(table, opts.cluster.as_deref())?;
    let opts = &ValidateOptions {
        cluster,
        ..opts.clone()
    };
    let (d, rows) = usable(&table, score, opts)?;
    calcscore_core::trace::span("validate: usable rows");
    if rows.n_used == 0 {
        return Err(crate::Error::Usage(format!(
            "{}: none of its {} rows has every column the validation reads (missing per column: {})",
            table.source,
            rows.n_input,
            rows.missing_text()
        )));
    }
    let mut groups: Vec<String> = d.group.clone();
    groups.sort();
    groups.dedup();
    if let Some(g) = opts
        .reference_group
        .as_ref()
        .filter(|g| !groups.contains(g))
    {
        return Err(crate::Error::Usage(format!(
            "--derivation {g}: no group '{g}' among the rows used (groups of {}: {})",
            opts.by.as_deref().unwrap_or("the table"),
            groups.join(", ")
        )));
    }
    let mut notes = binary_item_notes(&table, score)?;
    for i in score.items.iter().filter(|i| i.searched) {
        notes.push(format!(
            "the threshold of item '{}' ({} {} {}) was chosen by a grid search in the derivation data (searched = \
             true in the score file): it is optimistic in those data and needs validation in other data",
            i.label,
            i.column,
            i.op.symbol(),
            calcscore_data::table::format_number(i.threshold)
        ));
    }
    let reference = opts
        .reference_group
        .clone()
        .or_else(|| groups.first().cloned())
        .unwrap_or_default();
    let risk = risk_model(&d, score, &reference, opts, &mut notes);
    calcscore_core::trace::span("validate: risk model");
    let level_rows = level_frame(&d).map_err(|e| frame_error("validation set", e))?;
    let per_group = groups
        .iter()
        .map(|g| {
            let v = group_validation(&d, &level_rows, g, score, opts, risk.as_ref());
            calcscore_core::trace::span("validate: group");
            v
        })
        .collect::<Result<_>>()?;
    let (interaction, interaction_terms, interaction_df2) =
        match interaction(&d, opts, groups.len()) {
            Ok(x) => x,
            Err(e) => {
                notes.push(format!("score × group interaction not estimable: {e}"));
                (None, Vec::new(), None)
            }
        };
    Ok(Validation {
        score: score.clone(),
        rows,
        groups: per_group,
        interaction,
        interaction_terms,
        interaction_df2,
        calibration_model: risk.as_ref().map(|r| r.source.clone()),
        notes,
    })
}

/// The risk model calibration uses: the score file's `[model]`, else one fitted in the reference group.
struct Risk {
    model: RiskModel,
    /// Group it was fitted in (`None`: from the score file).
    fitted_in: Option<String>,
    source: String,
}

/// True when a stored risk model names an outcome other than the run's binary outcome (its `outcome` read as
/// `--binary-outcome` reads a rule, `x = 1` as the 0/1 column `x`, and a 0/1 column equal to `x == 1`). A
/// model that names no outcome (hand-written) is taken as predicting the run's.
pub(crate) fn predicts_another_outcome(m: &RiskModel, run: &BinaryOutcome) -> bool {
    let text = m.outcome.trim();
    if text.is_empty() {
        return false;
    }
    let stored = match text.split_once('=') {
        // "low = 1", as `describe` writes a 0/1 column (a single '=', not part of <=, >=, ==).
        Some((c, one))
            if one.trim() == "1" && !c.ends_with(['<', '>', '=']) && !one.starts_with('=') =>
        {
            BinaryOutcome::parse(c.trim())
        }
        _ => BinaryOutcome::parse(text),
    };
    let Ok(stored) = stored else { return true };
    let key = |b: &BinaryOutcome| match (b.op, &b.level) {
        (_, Some(l)) => (b.column.clone(), "==".to_string(), l.clone()),
        (None, None) => (b.column.clone(), "==".to_string(), "1".to_string()),
        (Some(op), None) => (
            b.column.clone(),
            op.symbol().to_string(),
            format!("{}", b.threshold),
        ),
    };
    key(&stored) != key(run)
}

fn risk_model(
    d: &Data,
    score: &PointsTable,
    reference: &str,
    opts: &ValidateOptions,
    notes: &mut Vec<String>,
) -> Option<Risk> {
    let stored = score.model.as_ref();
    if let Some(m) = stored.filter(|m| !predicts_another_outcome(m, &opts.binary)) {
        return Some(Risk {
            model: m.clone(),
            fitted_in: None,
            source: format!("the score file's [model] (fitted in {})", m.fitted_in),
        });
    }
    if let Some(m) = stored {
        notes.push(format!(
            "the score file's [model] predicts {}, not this run's outcome {}: its risks are not risks of {}, so \
             it is not calibrated here; calibration and the decision curves use a logistic model of {} on the \
             score fitted in group {reference} instead (apparent in that group), as for a score without [model]",
            m.outcome,
            opts.binary.describe(),
            opts.binary.describe(),
            opts.binary.describe()
        ));
    }
    let idx: Vec<usize> = (0..d.score.len())
        .filter(|&i| d.group[i] == reference)
        .collect();
    let s: Vec<f64> = idx.iter().map(|&i| d.score[i]).collect();
    let y: Vec<f64> = idx
        .iter()
        .map(|&i| f64::from(u8::from(d.event[i])))
        .collect();
    match super::calibration::logistic_fit(&[s], None, &y) {
        Some(f) => Some(Risk {
            model: RiskModel {
                intercept: f.beta[0],
                slope: f.beta[1],
                outcome: opts.binary.describe(),
                fitted_in: format!("group {reference} of this validation"),
                data_sha256: None,
                data_rows: None,
            },
            fitted_in: Some(reference.to_string()),
            source: format!(
                "logistic model of {} on the score fitted in group {reference} ({})",
                opts.binary.describe(),
                match stored {
                    Some(m) => format!(
                        "the score's [model] predicts another outcome, {}",
                        m.outcome
                    ),
                    None => "the score has no [model]".into(),
                }
            ),
        }),
        None => {
            notes.push(format!(
                "calibration not available: the logistic model of the outcome on the score in group {reference} is not estimable (one outcome class or separation)"
            ));
            None
        }
    }
}

fn group_validation(
    d: &Data,
    level_rows: &DataFrame,
    g: &str,
    score: &PointsTable,
    opts: &ValidateOptions,
    risk: Option<&Risk>,
) -> Result<GroupValidation> {
    let idx: Vec<usize> = (0..d.score.len()).filter(|&i| d.group[i] == g).collect();
    let s: Vec<f64> = idx.iter().map(|&i| d.score[i]).collect();
    let e: Vec<bool> = idx.iter().map(|&i| d.event[i]).collect();
    let mut notes = Vec::new();
    let n_clusters = group_clusters(d, &idx, g, opts, &mut notes);
    let mut note = |what: &str, err: &dyn std::fmt::Display| {
        notes.push(format!("{what} not estimable in group {g}: {err}"))
    };
    let slope = match &d.outcome {
        Some(_) => slope(d, &idx, opts).map_err(|err| note("slope", &err)).ok(),
        None => None,
    };
    let (auc, clustered) = discrimination(d, &idx, &s, &e, opts, &mut note);
    if let Some(a) = auc.as_ref().filter(|a| a.estimate < 0.5) {
        notes.push(super::derive::auc_below_half_note(
            a.estimate,
            &format!("the score in group {g}"),
        ));
    }
    let accuracy = Some(Cutoff::at(
        &format!("score ≥ {} (the score's cutoff)", score.cutoff),
        score.cutoff,
        &s,
        &e,
        opts.conf_level,
    ));
    let calibration = risk
        .filter(|_| !idx.is_empty())
        .map(|r| group_calibration(r, g, &s, &e, opts));
    let predicted: Vec<f64> = risk
        .map(|r| s.iter().map(|&x| r.model.probability(x)).collect())
        .unwrap_or_default();
    let decision = opts
        .thresholds
        .as_ref()
        .filter(|_| !predicted.is_empty())
        .and_then(|t| {
            group_decision(&predicted, &s, &e, score.cutoff, t)
                .map_err(|err| {
                    notes.push(format!("decision curve not estimable in group {g}: {err}"))
                })
                .ok()
        });
    let levels = levels(
        level_rows,
        g,
        score,
        risk.map(|r| &r.model),
        opts.conf_level,
    )?;
    Ok(GroupValidation {
        decision,
        predicted,
        events: e.clone(),
        group: g.into(),
        n: idx.len(),
        n_events: e.iter().filter(|&&x| x).count(),
        n_clusters,
        slope,
        auc,
        clustered_auc: clustered,
        accuracy,
        calibration,
        levels,
        notes,
    })
}

/// Clusters among the rows `idx` of group `g` (with a cluster column), with a note when they are too few.
fn group_clusters(
    d: &Data,
    idx: &[usize],
    g: &str,
    opts: &ValidateOptions,
    notes: &mut Vec<String>,
) -> Option<usize> {
    opts.cluster.as_ref()?;
    let k = cluster_index(d, idx).into_iter().max().map_or(0, |m| m + 1);
    if k < super::FEW_CLUSTERS {
        notes.push(format!(
            "group {g}: {}",
            super::derive::few_clusters_note(k)
        ));
    }
    Some(k)
}

/// Calibration of the risk model in group `g`: apparent when it was fitted there (in this run, or, for the
/// score file's `[model]`, in the same data file's bytes on as many rows), else external.
fn group_calibration(
    r: &Risk,
    g: &str,
    s: &[f64],
    e: &[bool],
    opts: &ValidateOptions,
) -> Calibration {
    let (kind, source) = match &r.fitted_in {
        Some(f) if f == g => (
            "apparent (in-sample)",
            format!("fitted in this group ({g})"),
        ),
        Some(f) => ("external", format!("fitted in group {f}")),
        None if fitted_in_these_rows(&r.model, opts, s.len()) => (
            "apparent (in-sample)",
            format!(
                "{}; fitted in these very rows: the data file's SHA-256 and the row count ({}) are the [model]'s",
                r.source,
                s.len()
            ),
        ),
        None => ("external", r.source.clone()),
    };
    super::calibration::calibrate(&r.model, kind, &source, s, e, opts.conf_level)
}

/// True when a stored `[model]` was fitted in the data file being validated (same SHA-256) on `n` rows.
fn fitted_in_these_rows(m: &RiskModel, opts: &ValidateOptions, n: usize) -> bool {
    m.data_sha256.is_some() && m.data_sha256 == opts.data_sha256 && m.data_rows == Some(n)
}

/// AUC with DeLong's CI and, with clusters, Obuchowski's clustered AUC of one group; what is not estimable is noted.
fn discrimination(
    d: &Data,
    idx: &[usize],
    s: &[f64],
    e: &[bool],
    opts: &ValidateOptions,
    note: &mut dyn FnMut(&str, &dyn std::fmt::Display),
) -> (Option<Interval>, Option<ClusteredAucRow>) {
    let roc = Roc::new(s, e, Direction::ControlsLess)
        .map_err(|err| match err {
            // The ROC engine knows only a vector of events; the user knows the outcome by its rule.
            StatsError::OneClass { level, .. } => StatsError::OneClass {
                column: opts.binary.describe(),
                level,
            },
            other => other,
        })
        .map_err(|err| note("AUC", &err))
        .ok();
    let auc = roc.as_ref().and_then(|r| {
        let (lo, hi) = r.delong_ci(opts.conf_level);
        if lo.is_finite() && hi.is_finite() {
            Some(Interval { estimate: r.auc(), conf_low: lo, conf_high: hi })
        } else {
            let (cases, controls) = r.counts();
            note("DeLong CI", &format!("AUC {:.3} with {cases} case(s) and {controls} control(s): the variance needs at least 2 of each", r.auc()));
            None
        }
    });
    let clustered = if opts.cluster.is_some() && roc.is_some() {
        let ids = cluster_index(d, idx);
        clustered_auc(s, e, &ids, Direction::ControlsLess, opts.conf_level)
            .map(|c| ClusteredAucRow {
                std_error: c.std_error,
                conf_low: c.conf_low,
                conf_high: c.conf_high,
                n_clusters: c.n_clusters,
            })
            .map_err(|err| note("clustered AUC", &err))
            .ok()
    } else {
        None
    };
    (auc, clustered)
}

/// Decision curve of the risks `p` and of the strategy "score `s` ≥ cutoff" against events `e`.
pub fn group_decision(
    p: &[f64],
    s: &[f64],
    e: &[bool],
    cutoff: i64,
    t: &Thresholds,
) -> std::result::Result<GroupDecision, StatsError> {
    let curve = decision_curve(p, e, t)?;
    let positive: Vec<bool> = s.iter().map(|&x| x >= cutoff as f64).collect();
    let strategy = strategy_curve(&positive, e, t)?;
    let rows = curve
        .model
        .iter()
        .zip(&strategy)
        .zip(&curve.all)
        .map(|((m, c), a)| DecisionRow {
            threshold: m.threshold,
            net_benefit_model: m.net_benefit,
            net_benefit_cutoff: c.net_benefit,
            net_benefit_all: a.net_benefit,
            interventions_avoided_model: m.net_intervention_avoided,
            interventions_avoided_cutoff: c.net_intervention_avoided,
        })
        .collect();
    Ok(GroupDecision {
        prevalence: curve.prevalence,
        cutoff,
        rows,
    })
}

fn cluster_index(d: &Data, idx: &[usize]) -> Vec<usize> {
    calcscore_stats::design::cluster_numbers(idx.iter().map(|&i| d.cluster[i].as_str()))
}

fn slope(d: &Data, idx: &[usize], opts: &ValidateOptions) -> Result<TidyRow> {
    let t = frame(d, idx);
    let cluster = opts.cluster.as_ref().map(|_| "cluster");
    let design = Design::build(&t, &Formula::parse("outcome ~ score")?, cluster)?;
    let fit = ols(&design, &fit_opts(opts))?;
    let mut row = fit
        .term("score")
        .ok_or_else(|| crate::Error::from(StatsError::Undefined("no score coefficient".into())))?;
    if opts.cluster.is_some() {
        super::t_g_minus_1(
            std::slice::from_mut(&mut row),
            design.n_clusters(),
            opts.conf_level,
        );
    }
    Ok(row)
}

/// Outcome by score level in group `g`: its rows selected from `level_rows` ([`level_frame`]) by a polars filter,
/// grouped by score in polars.
fn levels(
    level_rows: &DataFrame,
    g: &str,
    score: &PointsTable,
    model: Option<&RiskModel>,
    level: f64,
) -> Result<Vec<ScoreLevel>> {
    let rows = level_rows.clone().lazy().filter(col("group").eq(lit(g)));
    let outcome = level_rows.column("outcome").is_ok().then(|| col("outcome"));
    let levels = ScoreGroups::new(rows, col("score"), col("event"), outcome).and_then(|groups| {
        let range = score_range(score, &groups)?;
        groups.levels(&range, model, level)
    });
    Ok(levels.map_err(|e| frame_error("validation set", e))?)
}

/// The usable rows as a polars frame: group, score, event and (when validated) the continuous outcome.
fn level_frame(d: &Data) -> PolarsResult<DataFrame> {
    let mut cols = vec![
        StringChunked::from_iter_values("group".into(), d.group.iter().map(String::as_str))
            .into_column(),
        Float64Chunked::from_slice("score".into(), &d.score).into_column(),
        BooleanChunked::from_slice("event".into(), &d.event).into_column(),
    ];
    if let Some(y) = &d.outcome {
        cols.push(Float64Chunked::from_slice("outcome".into(), y).into_column());
    }
    DataFrame::new(d.score.len(), cols)
}

/// Mean (`None` for no values) and sample SD (n − 1; `None` for fewer than two values).
pub fn mean_sd(y: &[f64]) -> (Option<f64>, Option<f64>) {
    let mean = (!y.is_empty()).then(|| y.iter().sum::<f64>() / y.len() as f64);
    let sd = mean
        .filter(|_| y.len() > 1)
        .map(|m| (y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (y.len() - 1) as f64).sqrt());
    (mean, sd)
}

/// Every score from the minimum to the maximum possible (at most 1000 levels; beyond that the observed ones).
fn score_range(score: &PointsTable, groups: &ScoreGroups) -> PolarsResult<Vec<i64>> {
    let (lo, hi) = (score.min_points(), score.max_points());
    if hi - lo <= 1000 {
        return Ok((lo..=hi).collect());
    }
    groups.observed()
}

/// outcome ~ score * group; joint Wald F test of the score:group terms on (q, residual df), or with a cluster
/// column CR1 and F on (q, G − 1) df, the reference of the coefficients' t (so a one-term test's P is its
/// coefficient's). Returns the test, the terms and the test's denominator df.
fn interaction(
    d: &Data,
    opts: &ValidateOptions,
    n_groups: usize,
) -> Result<(Option<TestResult>, Vec<TidyRow>, Option<f64>)> {
    if n_groups < 2 || d.outcome.is_none() {
        return Ok((None, Vec::new(), None));
    }
    let all: Vec<usize> = (0..d.score.len()).collect();
    let t = frame(d, &all);
    let cluster = opts.cluster.as_ref().map(|_| "cluster");
    let design = Design::build(&t, &Formula::parse("outcome ~ score * group")?, cluster)?;
    let fit = ols(&design, &fit_opts(opts))?;
    let mut terms: Vec<TidyRow> = fit
        .tidy()
        .into_iter()
        .filter(|r| r.term.starts_with("score:"))
        .collect();
    let names: Vec<String> = terms.iter().map(|r| r.term.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    if opts.cluster.is_none() {
        let df2 = fit.glance().df_residual as f64;
        return Ok((Some(fit.wald(&names)?), terms, Some(df2)));
    }
    let g = design.n_clusters();
    super::t_g_minus_1(&mut terms, g, opts.conf_level);
    let df2 = (g.max(2) - 1) as f64;
    let mut test = fit.wald_on(&names, df2)?;
    test.method = format!(
        "{}; F on G − 1 = {df2} denominator df (small-sample correction, as the coefficients' t)",
        test.method
    );
    Ok((Some(test), terms, Some(df2)))
}

/// Harrell's bootstrap optimism of a derivation whose items are the score's items (points re-derived in each
/// replicate by round(coefficient / smallest |coefficient|) from the linear model of the continuous outcome, or
/// from the logistic model of the binary outcome with `--outcome none`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Optimism {
    /// Group derived in.
    pub group: String,
    /// Replicates asked.
    pub replicates: usize,
    /// Replicates whose derivation was not estimable (excluded from the means).
    pub failed: usize,
    /// Seed.
    pub seed: u64,
    /// Resampling unit.
    pub unit: String,
    /// The model each replicate derives its points from.
    pub points_from: String,
    /// Apparent AUC of the score derived on all rows.
    pub auc_apparent: f64,
    /// Mean optimism of the AUC.
    pub auc_optimism: f64,
    /// Optimism-corrected AUC.
    pub auc_corrected: f64,
    /// Apparent slope of the outcome on the derived score (no continuous outcome: `None`).
    pub slope_apparent: Option<f64>,
    /// Mean optimism of the slope.
    pub slope_optimism: Option<f64>,
    /// Optimism-corrected slope.
    pub slope_corrected: Option<f64>,
}

/// Item indicators, outcome, event and cluster of the rows of one group (complete cases).
pub struct BootData {
    items: Vec<Vec<f64>>,
    y: Option<Vec<f64>>,
    event: Vec<bool>,
    clusters: Vec<Vec<usize>>,
    /// True with a cluster column (else each row is its own resampling unit).
    clustered: bool,
    /// +1 / −1: orientation of the continuous outcome relative to the event.
    sign: f64,
}

/// Each row's 0-based index as its own cluster id.
fn row_ids(n: usize) -> TextColumn {
    (0..n).map(|i| Some(i.to_string())).collect()
}

/// Collect the bootstrap data of `group` (all rows when `by` is None).
pub fn boot_data(
    table: &Table,
    score: &PointsTable,
    opts: &ValidateOptions,
    group: Option<&str>,
) -> Result<BootData> {
    let (table, cluster) = super::with_cluster_column(table, opts.cluster.as_deref())?;
    let table = &*table;
    let ind: Vec<Vec<Option<f64>>> = score
        .items
        .iter()
        .map(|i| i.indicator(table))
        .collect::<Result<_>>()?;
    let y = opts
        .outcome
        .as_ref()
        .map(|c| table.numbers(c))
        .transpose()?;
    let b = opts.binary.values(table)?;
    let g = match (&opts.by, group) {
        (Some(c), Some(_)) => table.text(c)?,
        _ => Cow::Owned(std::iter::repeat_n(None::<&str>, table.nrows()).collect()),
    };
    let cl = match &cluster {
        Some(c) => table.text(c)?,
        None => Cow::Owned(row_ids(table.nrows())),
    };
    let rows: Vec<usize> = (0..table.nrows())
        .filter(|&i| {
            ind.iter().all(|c| c[i].is_some())
                && y.as_ref().is_none_or(|y| y.is_valid(i))
                && b[i].is_some()
                && cl.is_valid(i)
        })
        .filter(|&i| group.is_none() || g.get(i) == group)
        .collect();
    let mut by_cluster: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, &i) in rows.iter().enumerate() {
        by_cluster
            .entry(cl.get(i).unwrap_or_default().to_string())
            .or_default()
            .push(k);
    }
    let event: Vec<bool> = rows.iter().map(|&i| b[i] == Some(1.0)).collect();
    let y: Option<Vec<f64>> = y.map(|y| rows.iter().map(|&i| y.get(i).unwrap_or(0.0)).collect());
    let sign = match (&y, &opts.outcome) {
        (Some(v), Some(name)) => orientation(v, &event, name, &opts.binary).sign,
        _ => 1.0,
    };
    Ok(BootData {
        items: rows
            .iter()
            .map(|&i| ind.iter().map(|c| c[i].unwrap_or(0.0)).collect())
            .collect(),
        y,
        event,
        clusters: by_cluster.into_values().collect(),
        clustered: cluster.is_some(),
        sign,
    })
}

/// Points from the linear model of y on the items over `idx` (or the logistic model of the event without y);
/// `None` if singular or not estimable.
fn derive_points(d: &BootData, idx: &[usize]) -> Option<Vec<f64>> {
    let coefs = match &d.y {
        Some(y) => linear_coefs(d, y, idx)?,
        None => {
            let k = d.items.first()?.len();
            let cols: Vec<Vec<f64>> = (0..k)
                .map(|j| idx.iter().map(|&i| d.items[i][j]).collect())
                .collect();
            let e: Vec<f64> = idx
                .iter()
                .map(|&i| f64::from(u8::from(d.event[i])))
                .collect();
            super::calibration::logistic_fit(&cols, None, &e)?.beta[1..].to_vec()
        }
    };
    round_points(&coefs, d.sign)
}

/// Points from coefficients: round(sign × coefficient / smallest |coefficient|); `None` when that is 0 or not finite.
fn round_points(coefs: &[f64], sign: f64) -> Option<Vec<f64>> {
    let reference = coefs.iter().map(|c| c.abs()).fold(f64::INFINITY, f64::min);
    (reference > 0.0 && reference.is_finite()).then(|| {
        coefs
            .iter()
            .map(|c| (sign * c / reference).round())
            .collect()
    })
}

fn linear_coefs(d: &BootData, y: &[f64], idx: &[usize]) -> Option<Vec<f64>> {
    let k = d.items.first()?.len();
    let p = k + 1;
    let mut xtx = DMatrix::<f64>::zeros(p, p);
    let mut xty = DVector::<f64>::zeros(p);
    let mut row = vec![1.0; p];
    for &i in idx {
        row[1..].copy_from_slice(&d.items[i]);
        for a in 0..p {
            xty[a] += row[a] * y[i];
            for b in a..p {
                xtx[(a, b)] += row[a] * row[b];
            }
        }
    }
    linear_solve(xtx, xty)
}

/// The slopes of the least-squares fit from X'X (upper triangle filled) and X'y; `None` when X'X is singular.
fn linear_solve(mut xtx: DMatrix<f64>, xty: DVector<f64>) -> Option<Vec<f64>> {
    let p = xtx.nrows();
    for a in 0..p {
        for b in 0..a {
            xtx[(a, b)] = xtx[(b, a)];
        }
    }
    let beta = calcscore_stats::linalg::spd_inverse(&xtx)? * xty;
    Some(beta.iter().skip(1).copied().collect())
}

/// AUC and (with a continuous outcome) slope of y on the score with these points over `idx`; `None` when undefined.
fn performance(d: &BootData, idx: &[usize], points: &[f64]) -> Option<(f64, Option<f64>)> {
    let s: Vec<f64> = idx
        .iter()
        .map(|&i| d.items[i].iter().zip(points).map(|(a, b)| a * b).sum())
        .collect();
    let e: Vec<bool> = idx.iter().map(|&i| d.event[i]).collect();
    let auc = Roc::new(&s, &e, Direction::ControlsLess).ok()?.auc();
    let Some(y) = &d.y else {
        return Some((auc, None));
    };
    let n = s.len() as f64;
    let (ms, my) = (
        s.iter().sum::<f64>() / n,
        idx.iter().map(|&i| y[i]).sum::<f64>() / n,
    );
    let sxx: f64 = s.iter().map(|v| (v - ms).powi(2)).sum();
    let sxy: f64 = s
        .iter()
        .zip(idx)
        .map(|(v, &i)| (v - ms) * (y[i] - my))
        .sum();
    (sxx > 0.0).then_some((auc, Some(sxy / sxx)))
}

/// Harrell's optimism: resample clusters with replacement, re-derive, test on the sample and on the original rows.
/// Replicate r uses its own ChaCha8 stream seeded from (seed, r): the numbers do not depend on the thread count.
pub fn optimism(
    d: &BootData,
    group: &str,
    replicates: usize,
    seed: u64,
    progress: bool,
) -> Result<Optimism> {
    calcscore_core::options::Replicates::new(replicates)?;
    let all: Vec<usize> = (0..d.event.len()).collect();
    let points = derive_points(d, &all).ok_or_else(|| {
        StatsError::Undefined(format!(
            "re-deriving the points on the {} rows used is singular or not estimable",
            all.len()
        ))
    })?;
    let (auc_app, slope_app) = performance(d, &all, &points).ok_or_else(|| {
        StatsError::Undefined("apparent performance undefined (one outcome class?)".into())
    })?;
    let coded = boot::Coded::new(d);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Option<(f64, Option<f64>)>> = (0..replicates)
        .into_par_iter()
        .map_init(boot::Buffers::default, |buf, r| {
            let out = match &coded {
                Some(c) => c.replicate(d, seed, r as u64, buf),
                None => replicate(d, seed, r as u64, &all),
            };
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if progress && (k % (replicates / 20).max(1) == 0 || k == replicates) {
                eprint!("\rbootstrap {k}/{replicates}");
            }
            out
        })
        .collect();
    if progress {
        eprintln!();
    }
    let ok: Vec<(f64, Option<f64>)> = results.iter().flatten().copied().collect();
    if ok.is_empty() {
        return Err(StatsError::Undefined("no bootstrap replicate could be derived".into()).into());
    }
    let m = ok.len() as f64;
    let oa = ok.iter().map(|o| o.0).sum::<f64>() / m;
    let os = slope_app.map(|_| ok.iter().map(|o| o.1.unwrap_or(0.0)).sum::<f64>() / m);
    Ok(Optimism {
        group: group.into(),
        replicates,
        failed: replicates - ok.len(),
        seed,
        unit: if d.clustered { "cluster" } else { "row" }.into(),
        points_from: if d.y.is_some() {
            "linear model of the continuous outcome"
        } else {
            "logistic model of the binary outcome"
        }
        .into(),
        auc_apparent: auc_app,
        auc_optimism: oa,
        auc_corrected: auc_app - oa,
        slope_apparent: slope_app,
        slope_optimism: os,
        slope_corrected: slope_app.zip(os).map(|(a, o)| a - o),
    })
}

/// One replicate's (AUC optimism, slope optimism), row by row (rows whose items are not coded as 0/1 patterns).
fn replicate(d: &BootData, seed: u64, r: u64, all: &[usize]) -> Option<(f64, Option<f64>)> {
    let mut rng = random::replicate(seed, r);
    let g = d.clusters.len();
    let sample: Vec<usize> = (0..g)
        .flat_map(|_| d.clusters[random::index(&mut rng, g)].iter().copied())
        .collect();
    let points = derive_points(d, &sample)?;
    let (ab, sb) = performance(d, &sample, &points)?;
    let (ao, so) = performance(d, all, &points)?;
    Some((ab - ao, sb.zip(so).map(|(b, o)| b - o)))
}
