//! The statistical analysis of Zhang 2021 on the analysis set, using the shared statistics engine.
//!
//! Every regression is cluster-robust by patient (sandwich::vcovCL type HC1 conventions: CR1), because
//! patients may contribute several lesions. The ROC AUC is given with DeLong's CI and with Obuchowski's
//! clustered variance.

use serde::{Deserialize, Serialize};

use super::pipeline::{AnalysisSet, UNDEREXPANSION_PCT};
use crate::Result;
use calcscore_data::cohort::Cohort;
use calcscore_data::Table;
use calcscore_score::PointsTable;
use calcscore_stats::design::Design;
use calcscore_stats::diagnostic::{binomial_ci, CiMethod, TwoByTwo};
use calcscore_stats::formula::Formula;
use calcscore_stats::htest::{chisq_2x2, fisher_exact_2x2, t_test_one};
use calcscore_stats::ols::ols;
use calcscore_stats::roc::{clustered_auc, Direction, Roc};
use calcscore_stats::vcov::{FitOptions, Vcov};
use calcscore_stats::{logistic::logistic, StatsError, TestResult, TidyRow};

/// The covariance every model of the study uses, in words for the report.
pub const COVARIANCE: &str =
    "cluster-robust by patient (CR1: sandwich::vcovCL type HC1, G/(G-1)·(n-1)/(n-k) adjustment); t reference with residual df for linear models, z for logistic";

/// A fitted model as reported: formula, covariance, sizes, coefficients and model-level fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelResult {
    /// Which cohorts the model was fitted in.
    pub data: String,
    /// R-style formula.
    pub formula: String,
    /// "gaussian" or "binomial".
    pub family: String,
    /// Covariance used for every SE, CI and p.
    pub covariance: String,
    /// Lesions used.
    pub n: usize,
    /// Patients (clusters).
    pub n_clusters: usize,
    /// Tidy coefficient table (log-odds for binomial).
    pub coefficients: Vec<TidyRow>,
    /// Model-level fields (broom::glance).
    pub model: serde_json::Value,
    /// Coefficient covariance (the `covariance` above), rows and columns in coefficient order; for confidence bands.
    #[serde(default)]
    pub vcov: Vec<Vec<f64>>,
    /// R-like printed summary.
    #[serde(skip)]
    pub summary: String,
    /// Fit warnings (separation, non-convergence); also copied to the analysis notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One item of the derived points table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointsRow {
    /// Item label.
    pub item: String,
    /// Registry column.
    pub column: String,
    /// Linear-model coefficient (change in expansion %, item present vs absent).
    pub coefficient: f64,
    /// Coefficient divided by the reference (smallest absolute) coefficient.
    pub ratio: f64,
    /// Rounded ratio: the derived points.
    pub points: i64,
    /// Logistic log-odds ratio of underexpansion for the item (`None` if the logistic model was not estimable).
    pub log_odds_ratio: Option<f64>,
    /// Points of the published score.
    pub published_points: i64,
}

/// Stent expansion by score level in one cohort (Figure 4).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreLevel {
    /// Cohort letter.
    pub cohort: String,
    /// Score.
    pub score: i64,
    /// Lesions.
    pub n: usize,
    /// Mean expansion (%), `None` when n = 0.
    pub mean: Option<f64>,
    /// SD (%), `None` when n < 2.
    pub sd: Option<f64>,
    /// Lesions with expansion < 70%.
    pub n_underexpansion: usize,
}

/// ROC of the score for underexpansion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RocResult {
    /// Cohorts used.
    pub data: String,
    /// Lesions, cases (underexpansion), controls.
    pub n: usize,
    /// Underexpanded lesions.
    pub n_cases: usize,
    /// AUC.
    pub auc: f64,
    /// DeLong CI.
    pub conf_low: f64,
    /// DeLong CI.
    pub conf_high: f64,
    /// Clustered AUC SE (Obuchowski 1997, patients as clusters); `None` when not estimable (see notes).
    pub clustered_std_error: Option<f64>,
    /// Clustered CI.
    pub clustered_conf_low: Option<f64>,
    /// Clustered CI.
    pub clustered_conf_high: Option<f64>,
    /// Patients.
    pub n_clusters: usize,
    /// Youden-optimal threshold (midpoint, as pROC).
    pub youden_threshold: f64,
    /// The integer cutoff it implies (score ≥ cutoff is positive).
    pub youden_cutoff: i64,
    /// Sensitivity at the Youden threshold.
    pub youden_sensitivity: f64,
    /// Specificity at the Youden threshold.
    pub youden_specificity: f64,
    /// Full coordinates (threshold, sensitivity, specificity); the infinite end thresholds are `null` in JSON.
    #[serde(deserialize_with = "coords_from_json")]
    pub coords: Vec<(f64, f64, f64)>,
}

/// Diagnostic accuracy at the score's cutoff.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccuracyResult {
    /// Cohorts used.
    pub data: String,
    /// Score ≥ cutoff is a positive test.
    pub cutoff: i64,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// True negatives.
    pub tn: usize,
    /// Measures with Clopper-Pearson CIs.
    pub measures: Vec<MeasureRow>,
}

/// One diagnostic measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasureRow {
    /// sensitivity, specificity, ppv, npv, accuracy, lr_pos, lr_neg.
    pub measure: String,
    /// Estimate.
    pub estimate: f64,
    /// Numerator.
    pub numerator: usize,
    /// Denominator.
    pub denominator: usize,
    /// CI.
    pub conf_low: f64,
    /// CI.
    pub conf_high: f64,
    /// Interval method.
    pub method: String,
}

/// A proportion with its exact CI.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proportion {
    /// Events.
    pub x: usize,
    /// Denominator.
    pub n: usize,
    /// x / n.
    pub estimate: f64,
    /// Clopper-Pearson CI.
    pub conf_low: f64,
    /// Clopper-Pearson CI.
    pub conf_high: f64,
}

/// Slope of expansion on score in one cohort.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlopeResult {
    /// Cohort letter.
    pub cohort: String,
    /// The fitted model.
    pub model: ModelResult,
    /// The score coefficient.
    pub slope: TidyRow,
}

/// Fracture rates C vs B.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FractureResult {
    /// Validation cohort B.
    pub validation: Proportion,
    /// Atherectomy cohort C.
    pub atherectomy: Proportion,
    /// Pearson's chi-square with Yates' correction (R's chisq.test default).
    pub chisq_yates: TestResult,
    /// Without correction.
    pub chisq: TestResult,
    /// Fisher's exact test.
    pub fisher: TestResult,
}

/// Lesions imaged after preparation, before stenting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrepResult {
    /// With analysable pre-stent IVUS.
    pub n: usize,
    /// Of those, with calcium fracture.
    pub n_fracture: usize,
    /// Final expansion in those with fracture: one-sample t summary (mean, CI).
    pub expansion_mean: Option<TestResult>,
    /// SD of that expansion.
    pub expansion_sd: Option<f64>,
}

/// Everything the analysis computes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analysis {
    /// Linear model of expansion on the score items in A (`None` when not estimable; see `notes`).
    pub derivation_linear: Option<ModelResult>,
    /// Logistic model of underexpansion on the items in A (`None` when not estimable; see `notes`).
    pub derivation_logistic: Option<ModelResult>,
    /// Linear model on the continuous candidates in A (before dichotomising).
    pub derivation_continuous: Option<ModelResult>,
    /// Points derived from the linear model.
    pub points: Vec<PointsRow>,
    /// ROC of the published score in A+B (`None` when not estimable, e.g. one outcome class; see `notes`).
    pub roc: Option<RocResult>,
    /// Accuracy at the published cutoff in A+B (`None` when A+B is empty).
    pub accuracy: Option<AccuracyResult>,
    /// Slopes per cohort (A, B, C, D); a cohort whose slope is not estimable is left out and noted.
    pub slopes: Vec<SlopeResult>,
    /// Score × atherectomy interaction model in B+C (`None` when not estimable; see `notes`).
    pub interaction: Option<ModelResult>,
    /// The interaction term (`None` when not estimable).
    pub interaction_term: Option<TidyRow>,
    /// Fracture C vs B (`None` without fracture data in B or C; see `notes`).
    pub fracture: Option<FractureResult>,
    /// Expansion by score level per cohort.
    pub by_score: Vec<ScoreLevel>,
    /// Calcified nodule prevalence among analysed lesions.
    pub nodule: Proportion,
    /// Underexpansion in D.
    pub d_underexpansion: Proportion,
    /// Lesions of D with the maximum score.
    pub d_max_score_n: usize,
    /// Imaged after preparation.
    pub prep: PrepResult,
    /// Analyses that could not be done, and why (reported, never hidden).
    pub notes: Vec<String>,
    /// Logistic model of underexpansion on the score in A: the predictions of the calibration figure.
    #[serde(default)]
    pub calibration_model: Option<ModelResult>,
    /// The score in B alone (AUC, accuracy at the cutoff, calibration of A's model): no derivation lesion in it.
    #[serde(default)]
    pub b_only: Option<super::validation_b::BOnly>,
    /// Patients with lesions in both A and B (the lesion split shares patients across them).
    #[serde(default)]
    pub split_overlap: super::validation_b::SplitOverlap,
}

/// ROC coordinates from JSON, where serde_json wrote the infinite end thresholds as `null`.
fn coords_from_json<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<(f64, f64, f64)>, D::Error> {
    let raw: Vec<(Option<f64>, f64, f64)> = Deserialize::deserialize(d)?;
    Ok(raw
        .into_iter()
        .enumerate()
        .map(|(k, (t, se, sp))| {
            (
                t.unwrap_or(if k == 0 {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }),
                se,
                sp,
            )
        })
        .collect())
}

/// Run the whole analysis. An analysis the data do not allow (too few lesions, one outcome class,
/// separation, collinearity, no fracture data ...) is `None` (or left out) with the reason in `notes`;
/// only an empty analysis set is an error.
pub fn analyse(set: &AnalysisSet, score: &PointsTable, level: f64) -> Result<Analysis> {
    use Cohort::*;
    if set.cohorts.is_empty() {
        return Err(StatsError::TooFew {
            what: "zhang2021 analysis".into(),
            n: 0,
            needed: 1,
        }
        .into());
    }
    let opts = FitOptions {
        vcov: Vcov::ClusterHC1,
        conf_level: level,
    };
    let mut notes = Vec::new();
    let items: Vec<String> = score.items.iter().map(|i| i.indicator_name()).collect();
    let a = set.subset(&[Derivation]);
    let linear_formula = format!("stent_expansion_pct ~ {}", items.join(" + "));
    let derivation_linear = noted(
        fit(&a, "A", &linear_formula, false, &opts),
        &mut notes,
        || format!("linear model `{linear_formula}` in A (derived points)"),
    );
    let logistic_formula = format!("underexpansion ~ {}", items.join(" + "));
    let derivation_logistic = noted(
        fit(&a, "A", &logistic_formula, true, &opts),
        &mut notes,
        || format!("logistic model `{logistic_formula}` in A"),
    );
    if let Some(m) = &derivation_logistic {
        for w in &m.warnings {
            notes.push(format!(
                "logistic model `{logistic_formula}` in A: {w}; its odds ratios and Wald intervals are not meaningful"
            ));
        }
    }
    let derivation_continuous = continuous_model(&a, score, &opts, &mut notes);
    let points = derivation_linear.as_ref().map_or_else(Vec::new, |m| {
        derive_points(score, m, derivation_logistic.as_ref())
    });
    let ab = [Derivation, Validation];
    let roc = noted(roc_result(set, &ab, level, &mut notes), &mut notes, || {
        "ROC of the score for underexpansion in A+B".into()
    });
    let accuracy = accuracy_at(set, &ab, score.cutoff, level, &mut notes);
    let slopes = Cohort::ALL
        .iter()
        .filter_map(|&c| {
            noted(slope(set, c, &opts), &mut notes, || {
                format!("slope of expansion on score in {}", c.letter())
            })
        })
        .collect();
    let bc = set.subset(&[Validation, Atherectomy]);
    let formula = "stent_expansion_pct ~ score * atherectomy_cohort";
    let interaction = noted(fit(&bc, "B+C", formula, false, &opts), &mut notes, || {
        format!("interaction model `{formula}` in B+C")
    });
    let interaction_term = interaction.as_ref().and_then(|m| {
        noted(find_term(m, "score:atherectomy_cohort"), &mut notes, || {
            "score × atherectomy interaction".into()
        })
    });
    let fracture = fracture(set, level, &mut notes);
    let by_score = by_score(set, score.max_points());
    note_empty_levels(&by_score, &mut notes);
    let calibration_model = fit(&a, "A", "underexpansion ~ score", true, &opts)
        .map_err(|e| {
            notes.push(format!(
                "calibration model `underexpansion ~ score` in A not estimable: {e}"
            ))
        })
        .ok();
    let b_only = (!set.rows(&[Validation]).is_empty())
        .then(|| super::validation_b::b_only(set, score.cutoff, calibration_model.as_ref(), level));
    let d_under = set.values("underexpansion", &[NoAngioCalcium]);
    let max = score.max_points() as f64;
    Ok(Analysis {
        derivation_linear,
        derivation_logistic,
        derivation_continuous,
        points,
        roc,
        accuracy,
        slopes,
        interaction,
        interaction_term,
        fracture,
        by_score,
        nodule: proportion(&set.values("calcified_nodule", &Cohort::ALL), level),
        d_underexpansion: proportion(&d_under, level),
        d_max_score_n: set
            .values("score", &[NoAngioCalcium])
            .iter()
            .filter(|&&s| s == max)
            .count(),
        prep: prep(set, level, &mut notes),
        notes,
        calibration_model,
        b_only,
        split_overlap: super::validation_b::overlap(set),
    })
}

/// The value, or `None` with "<what> not estimable: <reason>" added to the notes.
fn noted<T>(r: Result<T>, notes: &mut Vec<String>, what: impl FnOnce() -> String) -> Option<T> {
    r.map_err(|e| notes.push(format!("{} not estimable: {e}", what())))
        .ok()
}

/// A note for each score level without lesions in a cohort that has lesions (its mean is not estimable).
fn note_empty_levels(levels: &[ScoreLevel], notes: &mut Vec<String>) {
    for c in Cohort::ALL {
        let of: Vec<&ScoreLevel> = levels.iter().filter(|l| l.cohort == c.letter()).collect();
        if of.iter().all(|l| l.n == 0) {
            notes.push(format!(
                "cohort {} has no lesions: its expansion by score level is not estimable",
                c.letter()
            ));
            continue;
        }
        let empty: Vec<String> = of
            .iter()
            .filter(|l| l.n == 0)
            .map(|l| l.score.to_string())
            .collect();
        if !empty.is_empty() {
            notes.push(format!(
                "cohort {}: no lesion with score {}: mean expansion at that level not estimable (shown empty in Figure 4)",
                c.letter(),
                empty.join(", ")
            ));
        }
    }
}

/// Fit a linear or logistic model on `table`, cluster-robust by patient.
fn fit(
    table: &Table,
    data: &str,
    formula: &str,
    binomial: bool,
    opts: &FitOptions,
) -> Result<ModelResult> {
    let f = Formula::parse(formula)?;
    let design = Design::build(table, &f, Some("patient_id"))?;
    let n_clusters = design
        .cluster
        .as_ref()
        .map_or(0, |c| c.iter().max().map_or(0, |m| m + 1));
    let (coefficients, model, summary, warnings, vcov) = if binomial {
        let fit = logistic(&design, opts)?;
        let w = fit.warnings().to_vec();
        let v = rows_of(fit.vcov_matrix());
        (fit.tidy(), to_json(&fit.glance()), fit.summary(), w, v)
    } else {
        let fit = ols(&design, opts)?;
        let v = rows_of(fit.vcov_matrix());
        (
            fit.tidy(),
            to_json(&fit.glance()),
            fit.summary(),
            Vec::new(),
            v,
        )
    };
    Ok(ModelResult {
        data: data.into(),
        formula: formula.into(),
        family: if binomial { "binomial" } else { "gaussian" }.into(),
        covariance: COVARIANCE.into(),
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

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn find_term(m: &ModelResult, term: &str) -> Result<TidyRow> {
    m.coefficients
        .iter()
        .find(|r| r.term == term)
        .cloned()
        .ok_or_else(|| {
            StatsError::Undefined(format!(
                "{}: term '{term}' not estimable in {}",
                m.formula, m.data
            ))
            .into()
        })
}

/// The linear model on the items' continuous columns (binary items as they are); `None` if not estimable.
fn continuous_model(
    a: &Table,
    score: &PointsTable,
    opts: &FitOptions,
    notes: &mut Vec<String>,
) -> Option<ModelResult> {
    let mut cols: Vec<String> = score.items.iter().map(|i| i.column.clone()).collect();
    cols.dedup();
    let formula = format!("stent_expansion_pct ~ {}", cols.join(" + "));
    fit(a, "A", &formula, false, opts)
        .map_err(|e| notes.push(format!("model `{formula}` in A not estimable: {e}")))
        .ok()
}

/// Points = coefficient / smallest absolute item coefficient, rounded (sign: lower expansion scores positive).
fn derive_points(
    score: &PointsTable,
    linear: &ModelResult,
    logistic: Option<&ModelResult>,
) -> Vec<PointsRow> {
    let coef = |m: &ModelResult, t: &str| {
        m.coefficients
            .iter()
            .find(|r| r.term == t)
            .map_or(f64::NAN, |r| r.estimate)
    };
    let coefs: Vec<f64> = score
        .items
        .iter()
        .map(|i| coef(linear, &i.indicator_name()))
        .collect();
    let reference = coefs.iter().map(|c| c.abs()).fold(f64::INFINITY, f64::min);
    score
        .items
        .iter()
        .zip(&coefs)
        .map(|(item, &c)| {
            let ratio = -c / reference;
            PointsRow {
                item: item.label.clone(),
                column: item.column.clone(),
                coefficient: c,
                ratio,
                points: ratio.round() as i64,
                log_odds_ratio: logistic.map(|m| coef(m, &item.indicator_name())),
                published_points: item.points,
            }
        })
        .collect()
}

fn outcome_and_score(set: &AnalysisSet, cohorts: &[Cohort]) -> (Vec<f64>, Vec<bool>) {
    let score = set.values("score", cohorts);
    let under = set
        .values("underexpansion", cohorts)
        .iter()
        .map(|&u| u == 1.0)
        .collect();
    (score, under)
}

/// Patient index (0..G) of each row of the given cohorts.
fn clusters(set: &AnalysisSet, cohorts: &[Cohort]) -> Vec<usize> {
    let ids = set.table.text("patient_id").unwrap_or_default();
    let rows = set.rows(cohorts);
    calcscore_stats::design::cluster_numbers(rows.iter().map(|&i| ids[i].as_deref().unwrap_or("")))
}

fn roc_result(
    set: &AnalysisSet,
    cohorts: &[Cohort],
    level: f64,
    notes: &mut Vec<String>,
) -> Result<RocResult> {
    let (score, under) = outcome_and_score(set, cohorts);
    let roc = Roc::new(&score, &under, Direction::ControlsLess)?;
    let (lo, hi) = roc.delong_ci(level);
    let cl = clustered_auc(
        &score,
        &under,
        &clusters(set, cohorts),
        Direction::ControlsLess,
        level,
    )
    .map_err(|e| {
        notes.push(format!(
            "clustered AUC (Obuchowski) in A+B not estimable: {e}"
        ))
    })
    .ok();
    let best = roc.best_youden();
    Ok(RocResult {
        data: "A+B".into(),
        n: score.len(),
        n_cases: under.iter().filter(|&&u| u).count(),
        auc: roc.auc(),
        conf_low: lo,
        conf_high: hi,
        clustered_std_error: cl.as_ref().map(|c| c.std_error),
        clustered_conf_low: cl.as_ref().map(|c| c.conf_low),
        clustered_conf_high: cl.as_ref().map(|c| c.conf_high),
        n_clusters: clusters(set, cohorts)
            .into_iter()
            .max()
            .map_or(0, |m| m + 1),
        youden_threshold: best.threshold,
        youden_cutoff: best.threshold.ceil() as i64,
        youden_sensitivity: best.sensitivity,
        youden_specificity: best.specificity,
        coords: roc
            .coords()
            .iter()
            .map(|p| (p.threshold, p.sensitivity, p.specificity))
            .collect(),
    })
}

fn accuracy_at(
    set: &AnalysisSet,
    cohorts: &[Cohort],
    cutoff: i64,
    level: f64,
    notes: &mut Vec<String>,
) -> Option<AccuracyResult> {
    let (score, under) = outcome_and_score(set, cohorts);
    if score.is_empty() {
        notes.push("diagnostic accuracy in A+B not estimable: no lesions in A+B".into());
        return None;
    }
    let t = TwoByTwo::from_marker(&score, &under, cutoff as f64);
    let all = t.measures(CiMethod::Exact, level);
    for (name, n) in [
        ("sensitivity", t.tp + t.fn_),
        ("specificity", t.tn + t.fp),
        ("ppv", t.tp + t.fp),
        ("npv", t.tn + t.fn_),
    ] {
        if n == 0 {
            notes.push(format!(
                "accuracy at score ≥ {cutoff} in A+B: {name} not estimable (its denominator is 0: tp={}, fp={}, fn={}, tn={})",
                t.tp, t.fp, t.fn_, t.tn
            ));
        }
    }
    for m in &all {
        if let Some(n) = &m.note {
            notes.push(format!(
                "accuracy at score ≥ {cutoff} in A+B, {}: {n}",
                m.name
            ));
        }
    }
    let measures = all
        .into_iter()
        .map(|m| MeasureRow {
            measure: m.name,
            estimate: m.estimate,
            numerator: m.numerator,
            denominator: m.denominator,
            conf_low: m.conf_low,
            conf_high: m.conf_high,
            method: m.method,
        })
        .collect();
    Some(AccuracyResult {
        data: "A+B".into(),
        cutoff,
        tp: t.tp,
        fp: t.fp,
        fn_: t.fn_,
        tn: t.tn,
        measures,
    })
}

fn slope(set: &AnalysisSet, cohort: Cohort, opts: &FitOptions) -> Result<SlopeResult> {
    let t = set.subset(&[cohort]);
    let model = fit(
        &t,
        cohort.letter(),
        "stent_expansion_pct ~ score",
        false,
        opts,
    )?;
    let slope = find_term(&model, "score")?;
    Ok(SlopeResult {
        cohort: cohort.letter().into(),
        model,
        slope,
    })
}

/// Proportion of 1s in a 0/1 vector with its exact CI.
fn proportion(v: &[f64], level: f64) -> Proportion {
    let x = v.iter().filter(|&&u| u == 1.0).count();
    let n = v.len();
    let (conf_low, conf_high) = binomial_ci(x, n, CiMethod::Exact, level);
    let estimate = if n == 0 { 0.0 } else { x as f64 / n as f64 };
    Proportion {
        x,
        n,
        estimate,
        conf_low,
        conf_high,
    }
}

fn fracture(set: &AnalysisSet, level: f64, notes: &mut Vec<String>) -> Option<FractureResult> {
    let what = "fracture rate C vs B";
    let b = proportion(
        &set.values("calcium_fracture", &[Cohort::Validation]),
        level,
    );
    let c = proportion(
        &set.values("calcium_fracture", &[Cohort::Atherectomy]),
        level,
    );
    if b.n == 0 || c.n == 0 {
        notes.push(format!(
            "{what} not estimable: no fracture data (calcium_fracture given for {} lesions of B, {} of C)",
            b.n, c.n
        ));
        return None;
    }
    let table = [[c.x, c.n - c.x], [b.x, b.n - b.x]];
    let tests = (|| -> Result<_> {
        Ok((
            chisq_2x2(table, true)?,
            chisq_2x2(table, false)?,
            fisher_exact_2x2(table, level)?,
        ))
    })();
    let (chisq_yates, chisq, fisher) = noted(tests, notes, || format!("{what} tests"))?;
    if table.iter().flatten().any(|&k| k == 0) {
        notes.push(format!(
            "{what}: a 2×2 cell is zero ({table:?}): the chi-square tests are unreliable, Fisher's exact test and the Clopper-Pearson intervals still apply; the odds ratio is 0 or Inf"
        ));
    }
    Some(FractureResult {
        chisq_yates,
        chisq,
        fisher,
        validation: b,
        atherectomy: c,
    })
}

fn by_score(set: &AnalysisSet, max: i64) -> Vec<ScoreLevel> {
    let mut out = Vec::new();
    for c in Cohort::ALL {
        let score = set.values("score", &[c]);
        let expansion = set.values("stent_expansion_pct", &[c]);
        for s in 0..=max {
            let e: Vec<f64> = score
                .iter()
                .zip(&expansion)
                .filter(|(&k, _)| k == s as f64)
                .map(|(_, &x)| x)
                .collect();
            out.push(ScoreLevel {
                cohort: c.letter().into(),
                score: s,
                n: e.len(),
                mean: mean(&e),
                sd: sd(&e),
                n_underexpansion: e.iter().filter(|&&x| x < UNDEREXPANSION_PCT).count(),
            });
        }
    }
    out
}

/// Arithmetic mean, `None` for no values.
pub fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Sample SD (n − 1), `None` for fewer than two values.
pub fn sd(v: &[f64]) -> Option<f64> {
    let m = mean(v)?;
    (v.len() > 1)
        .then(|| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt())
}

fn prep(set: &AnalysisSet, level: f64, notes: &mut Vec<String>) -> PrepResult {
    let all = Cohort::ALL;
    let col = |name: &str| set.table.numeric(name).unwrap_or_default();
    let (prep, frac, exp) = (
        col("prep_ivus"),
        col("prep_fracture"),
        col("stent_expansion_pct"),
    );
    let rows = set.rows(&all);
    let imaged: Vec<usize> = rows.into_iter().filter(|&i| prep[i] == Some(1.0)).collect();
    let fractured: Vec<f64> = imaged
        .iter()
        .filter(|&&i| frac[i] == Some(1.0))
        .filter_map(|&i| exp[i])
        .collect();
    let expansion_mean = if fractured.len() > 1 {
        noted(
            t_test_one(&fractured, 0.0, level).map_err(Into::into),
            notes,
            || "mean expansion after fracture on pre-stent IVUS".into(),
        )
    } else {
        notes.push(format!(
            "mean expansion after fracture on pre-stent IVUS not estimable: {} lesion(s) imaged with fracture, at least 2 needed",
            fractured.len()
        ));
        None
    };
    PrepResult {
        n: imaged.len(),
        n_fracture: fractured.len(),
        expansion_mean,
        expansion_sd: sd(&fractured),
    }
}
