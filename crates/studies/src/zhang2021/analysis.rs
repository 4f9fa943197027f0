//! The statistical analysis of Zhang 2021 on the analysis set, using the shared statistics engine.
//!
//! Every regression is cluster-robust by patient (sandwich::vcovCL type HC1 conventions: CR1), because
//! patients may contribute several lesions. The ROC AUC is given with DeLong's CI and with Obuchowski's
//! clustered variance.

use polars::prelude::{col, lit};
use serde::{Deserialize, Serialize};

use super::pipeline::AnalysisSet;
use crate::Result;
use calcscore_data::cohort::Cohort;
use calcscore_data::Table;
use calcscore_score::derive::points_from_coefficients;
use calcscore_score::discrimination::{Accuracy, RocSummary};
use calcscore_score::levels::ScoreGroups;
use calcscore_score::model::{fit_model, Family, FittedModel, ModelSpec};
use calcscore_score::validate::mean_sd;
use calcscore_score::PointsTable;
use calcscore_stats::diagnostic::{binomial_ci, CiMethod};
use calcscore_stats::htest::{chisq_2x2, fisher_exact_2x2, t_test_one};
use calcscore_stats::vcov::{FitOptions, Vcov};
use calcscore_stats::{StatsError, TestResult, TidyRow};

/// The covariance every model of the study uses, in words for the report.
pub(crate) const COVARIANCE: &str =
    "cluster-robust by patient (CR1: sandwich::vcovCL type HC1, G/(G-1)·(n-1)/(n-k) adjustment); t reference with residual df for linear models, z for logistic";

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
    pub model: FittedModel,
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
    pub derivation_linear: Option<FittedModel>,
    /// Logistic model of underexpansion on the items in A (`None` when not estimable; see `notes`).
    pub derivation_logistic: Option<FittedModel>,
    /// Linear model on the continuous candidates in A (before dichotomising).
    pub derivation_continuous: Option<FittedModel>,
    /// Points derived from the linear model.
    pub points: Vec<PointsRow>,
    /// ROC of the published score in A+B (`None` when not estimable, e.g. one outcome class; see `notes`).
    pub roc: Option<RocSummary>,
    /// Accuracy at the published cutoff in A+B (`None` when A+B is empty).
    pub accuracy: Option<Accuracy>,
    /// Slopes per cohort (A, B, C, D); a cohort whose slope is not estimable is left out and noted.
    pub slopes: Vec<SlopeResult>,
    /// Score × atherectomy interaction model in B+C (`None` when not estimable; see `notes`).
    pub interaction: Option<FittedModel>,
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
    pub calibration_model: Option<FittedModel>,
    /// The score in B alone (AUC, accuracy at the cutoff, calibration of A's model): no derivation lesion in it.
    #[serde(default)]
    pub b_only: Option<super::validation_b::BOnly>,
    /// Patients with lesions in both A and B (the lesion split shares patients across them).
    #[serde(default)]
    pub split_overlap: super::validation_b::SplitOverlap,
}

/// Run the whole analysis. An analysis the data do not allow (too few lesions, one outcome class,
/// separation, collinearity, no fracture data ...) is `None` (or left out) with the reason in `notes`;
/// only an empty analysis set is an error.
pub fn analyse(set: &AnalysisSet, score: &PointsTable, level: f64) -> Result<Analysis> {
    use Cohort::*;
    if set.is_empty() {
        return Err(StatsError::TooFew {
            what: "zhang2021 analysis".into(),
            n: 0,
            needed: 1,
        }
        .into());
    }
    let fits = Fits {
        options: FitOptions {
            vcov: Vcov::ClusterHC1,
            conf_level: level,
        },
    };
    let mut notes = Vec::new();
    let a = set.subset(&[Derivation])?;
    let derivation = derivation(&a, score, &fits, &mut notes);
    let ab = [Derivation, Validation];
    let roc = roc(set, &ab, level, &mut notes)?;
    let accuracy = accuracy(set, &ab, score.cutoff, level, &mut notes)?;
    let slopes = Cohort::ALL
        .iter()
        .filter_map(|&c| {
            noted(slope(set, c, &fits), &mut notes, || {
                format!("slope of expansion on score in {}", c.letter())
            })
        })
        .collect();
    let (interaction, interaction_term) = interaction(set, &fits, &mut notes)?;
    let fracture = fracture(set, level, &mut notes)?;
    let by_score = by_score(set, score.max_points(), level)?;
    note_empty_levels(&by_score, &mut notes);
    let calibration_model = noted(
        fits.fit(&a, "A", "underexpansion ~ score", Family::Binomial),
        &mut notes,
        || "calibration model `underexpansion ~ score` in A".into(),
    );
    let b_only = if set.rows(&[Validation])?.is_empty() {
        None
    } else {
        Some(super::validation_b::b_only(
            set,
            score.cutoff,
            calibration_model.as_ref(),
            level,
        )?)
    };
    let d_under = set.values("underexpansion", &[NoAngioCalcium])?;
    let max = score.max_points() as f64;
    Ok(Analysis {
        derivation_linear: derivation.linear,
        derivation_logistic: derivation.logistic,
        derivation_continuous: derivation.continuous,
        points: derivation.points,
        roc,
        accuracy,
        slopes,
        interaction,
        interaction_term,
        fracture,
        by_score,
        nodule: proportion(&set.values("calcified_nodule", &Cohort::ALL)?, level),
        d_underexpansion: proportion(&d_under, level),
        d_max_score_n: set
            .values("score", &[NoAngioCalcium])?
            .iter()
            .filter(|&&s| s == max)
            .count(),
        prep: prep(set, level, &mut notes)?,
        notes,
        calibration_model,
        b_only,
        split_overlap: super::validation_b::overlap(set)?,
    })
}

/// The study's models: cluster-robust by patient, the covariance stated as [`COVARIANCE`].
struct Fits {
    options: FitOptions,
}

/// What the notes of a failed derivation say: "<what> (derived points) not estimable: <reason>".
const DERIVED_POINTS: &str = "derived points";

impl Analysis {
    /// Why there are no derived points (the reason of the derivation's note), or `None` when there are.
    pub(crate) fn points_not_estimable(&self) -> Option<&str> {
        if !self.points.is_empty() {
            return None;
        }
        let note = self
            .notes
            .iter()
            .find(|n| n.contains(DERIVED_POINTS) && n.contains(" not estimable: "));
        Some(note.map_or("no note says why (see report.md)", |n| {
            n.split_once(" not estimable: ")
                .map_or(n.as_str(), |(_, why)| why)
        }))
    }
}

impl Fits {
    /// Fit `formula` on `table` (the rows `data`) with the score engine.
    fn fit(&self, table: &Table, data: &str, formula: &str, family: Family) -> Result<FittedModel> {
        fit_model(
            table,
            &ModelSpec {
                data,
                formula,
                family,
                cluster: Some("patient_id"),
                options: &self.options,
                covariance: COVARIANCE,
            },
        )
    }
}

/// The derivation in A: the models of expansion and underexpansion on the items, and the points.
struct Derived {
    linear: Option<FittedModel>,
    logistic: Option<FittedModel>,
    continuous: Option<FittedModel>,
    points: Vec<PointsRow>,
}

/// Derive the points in A through the score engine: points = −coefficient of the linear model of expansion ÷
/// the smallest absolute item coefficient, rounded (lower expansion is the risk, so it scores positive).
fn derivation(a: &Table, score: &PointsTable, fits: &Fits, notes: &mut Vec<String>) -> Derived {
    let items: Vec<String> = score.items.iter().map(|i| i.indicator_name()).collect();
    let linear_formula = format!("stent_expansion_pct ~ {}", items.join(" + "));
    let linear = noted(
        fits.fit(a, "A", &linear_formula, Family::Gaussian),
        notes,
        || format!("linear model `{linear_formula}` in A ({DERIVED_POINTS})"),
    );
    let logistic_formula = format!("underexpansion ~ {}", items.join(" + "));
    let logistic = noted(
        fits.fit(a, "A", &logistic_formula, Family::Binomial),
        notes,
        || format!("logistic model `{logistic_formula}` in A"),
    );
    if let Some(m) = &logistic {
        for w in &m.warnings {
            notes.push(format!(
                "logistic model `{logistic_formula}` in A: {w}; its odds ratios and Wald intervals are not meaningful"
            ));
        }
    }
    let continuous = continuous_model(a, score, fits, notes);
    let points = linear.as_ref().map_or_else(Vec::new, |m| {
        noted(points_rows(score, m, logistic.as_ref()), notes, || {
            DERIVED_POINTS.into()
        })
        .unwrap_or_default()
    });
    Derived {
        linear,
        logistic,
        continuous,
        points,
    }
}

/// The derived points of the score's items from the linear model, beside the logistic log-odds ratios and the
/// published points.
fn points_rows(
    score: &PointsTable,
    linear: &FittedModel,
    logistic: Option<&FittedModel>,
) -> Result<Vec<PointsRow>> {
    let derived = points_from_coefficients(&score.items, &linear.coefficients, -1.0, None)?;
    Ok(score
        .items
        .iter()
        .zip(derived)
        .map(|(item, p)| PointsRow {
            item: item.label.clone(),
            column: item.column.clone(),
            coefficient: p.coefficient,
            ratio: p.ratio,
            points: p.points,
            log_odds_ratio: logistic
                .map(|m| m.estimate(&item.indicator_name()).unwrap_or(f64::NAN)),
            published_points: item.points,
        })
        .collect())
}

/// The score × atherectomy interaction model in B+C and its term.
fn interaction(
    set: &AnalysisSet,
    fits: &Fits,
    notes: &mut Vec<String>,
) -> Result<(Option<FittedModel>, Option<TidyRow>)> {
    let bc = set.subset(&[Cohort::Validation, Cohort::Atherectomy])?;
    let formula = "stent_expansion_pct ~ score * atherectomy_cohort";
    let model = noted(
        fits.fit(&bc, "B+C", formula, Family::Gaussian),
        notes,
        || format!("interaction model `{formula}` in B+C"),
    );
    let term = model.as_ref().and_then(|m| {
        noted(m.term("score:atherectomy_cohort"), notes, || {
            "score × atherectomy interaction".into()
        })
    });
    Ok((model, term))
}

/// ROC of the score for underexpansion in `cohorts` (the engine's summary), `None` with a note.
fn roc(
    set: &AnalysisSet,
    cohorts: &[Cohort],
    level: f64,
    notes: &mut Vec<String>,
) -> Result<Option<RocSummary>> {
    let (score, under) = set.score_and_underexpansion(cohorts)?;
    let clusters = clusters(set, cohorts)?;
    let Some((summary, more)) = noted(
        RocSummary::of("A+B", &score, &under, &clusters, level),
        notes,
        || "ROC of the score for underexpansion in A+B".into(),
    ) else {
        return Ok(None);
    };
    notes.extend(more);
    Ok(Some(summary))
}

/// Accuracy at the published cutoff in `cohorts` (the engine's), `None` when they have no lesions.
fn accuracy(
    set: &AnalysisSet,
    cohorts: &[Cohort],
    cutoff: i64,
    level: f64,
    notes: &mut Vec<String>,
) -> Result<Option<Accuracy>> {
    let (score, under) = set.score_and_underexpansion(cohorts)?;
    if score.is_empty() {
        notes.push("diagnostic accuracy in A+B not estimable: no lesions in A+B".into());
        return Ok(None);
    }
    let (accuracy, more) = Accuracy::at("A+B", &score, &under, cutoff, level);
    notes.extend(more);
    Ok(Some(accuracy))
}

/// Expansion by score level 0 … max in each cohort (the engine's score levels, grouped by polars; an event is
/// expansion < 70%).
fn by_score(set: &AnalysisSet, max: i64, level: f64) -> Result<Vec<ScoreLevel>> {
    let range: Vec<i64> = (0..=max).collect();
    let mut out = Vec::new();
    for c in Cohort::ALL {
        let rows = set.frame(&["score", "underexpansion", "stent_expansion_pct"], &[c])?;
        let under = col("underexpansion").eq(lit(1.0));
        let levels = ScoreGroups::new(rows, col("score"), under, Some(col("stent_expansion_pct")))
            .and_then(|g| g.levels(&range, None, level))
            .map_err(|e| set.error(e))?;
        out.extend(levels.into_iter().map(|l| ScoreLevel {
            cohort: c.letter().into(),
            score: l.score,
            n: l.n,
            mean: l.mean,
            sd: l.sd,
            n_underexpansion: l.events,
        }));
    }
    Ok(out)
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

/// The linear model on the items' continuous columns (binary items as they are); `None` if not estimable.
fn continuous_model(
    a: &Table,
    score: &PointsTable,
    fits: &Fits,
    notes: &mut Vec<String>,
) -> Option<FittedModel> {
    let mut cols: Vec<String> = score.items.iter().map(|i| i.column.clone()).collect();
    cols.dedup();
    let formula = format!("stent_expansion_pct ~ {}", cols.join(" + "));
    noted(fits.fit(a, "A", &formula, Family::Gaussian), notes, || {
        format!("model `{formula}` in A")
    })
}

/// Patient index (0..G) of each row of the given cohorts.
fn clusters(set: &AnalysisSet, cohorts: &[Cohort]) -> Result<Vec<usize>> {
    let ids = set.table.text("patient_id").unwrap_or_default();
    let rows = set.rows(cohorts)?;
    Ok(calcscore_stats::design::cluster_numbers(
        rows.iter().map(|&i| ids.get(i).unwrap_or("")),
    ))
}

fn slope(set: &AnalysisSet, cohort: Cohort, fits: &Fits) -> Result<SlopeResult> {
    let t = set.subset(&[cohort])?;
    let formula = "stent_expansion_pct ~ score";
    let model = fits.fit(&t, cohort.letter(), formula, Family::Gaussian)?;
    let slope = model.term("score")?;
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

fn fracture(
    set: &AnalysisSet,
    level: f64,
    notes: &mut Vec<String>,
) -> Result<Option<FractureResult>> {
    let what = "fracture rate C vs B";
    let b = proportion(
        &set.values("calcium_fracture", &[Cohort::Validation])?,
        level,
    );
    let c = proportion(
        &set.values("calcium_fracture", &[Cohort::Atherectomy])?,
        level,
    );
    if b.n == 0 || c.n == 0 {
        notes.push(format!(
            "{what} not estimable: no fracture data (calcium_fracture given for {} lesions of B, {} of C)",
            b.n, c.n
        ));
        return Ok(None);
    }
    let table = [[c.x, c.n - c.x], [b.x, b.n - b.x]];
    let tests = (|| -> Result<_> {
        Ok((
            chisq_2x2(table, true)?,
            chisq_2x2(table, false)?,
            fisher_exact_2x2(table, level)?,
        ))
    })();
    let Some((chisq_yates, chisq, fisher)) = noted(tests, notes, || format!("{what} tests")) else {
        return Ok(None);
    };
    if table.iter().flatten().any(|&k| k == 0) {
        notes.push(format!(
            "{what}: a 2×2 cell is zero ({table:?}): the chi-square tests are unreliable, Fisher's exact test and the Clopper-Pearson intervals still apply; the odds ratio is 0 or Inf"
        ));
    }
    Ok(Some(FractureResult {
        chisq_yates,
        chisq,
        fisher,
        validation: b,
        atherectomy: c,
    }))
}

fn prep(set: &AnalysisSet, level: f64, notes: &mut Vec<String>) -> Result<PrepResult> {
    let (imaged, fractured) = prep_rows(set)?;
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
    Ok(PrepResult {
        n: imaged,
        n_fracture: fractured.len(),
        expansion_mean,
        expansion_sd: mean_sd(&fractured).1,
    })
}

/// Lesions imaged by IVUS before stenting (`prep_ivus` = 1), and the stent expansion of those among them with a
/// fracture seen (`prep_fracture` = 1 and an expansion), in table order: polars filters of the analysis set.
fn prep_rows(set: &AnalysisSet) -> Result<(usize, Vec<f64>)> {
    let columns = ["prep_ivus", "prep_fracture", "stent_expansion_pct"];
    let imaged = set
        .frame(&columns, &Cohort::ALL)?
        .filter(col("prep_ivus").eq(lit(1.0)));
    let n = set.collect_values(imaged.clone(), "prep_ivus")?.len();
    let fractured = imaged.filter(col("prep_fracture").eq(lit(1.0)));
    Ok((n, set.collect_values(fractured, "stent_expansion_pct")?))
}
