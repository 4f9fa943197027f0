//! What a careful reader needs beyond the paper's pooled A+B measures (issue 14): the same measures in the
//! validation cohort B alone, the calibration of A's risk model in B, and the A/B patient overlap of the split.

use serde::{Deserialize, Serialize};

use super::pipeline::AnalysisSet;
use crate::Result;
use calcscore_data::cohort::Cohort;
use calcscore_report::canon_charts::CalibrationPlot;
use calcscore_score::calibration::{calibrate, ValProb};
use calcscore_score::derive::Interval;
use calcscore_score::discrimination::{exact_measures, MeasureRow};
use calcscore_score::model::FittedModel;
use calcscore_score::validate::{group_decision, GroupDecision};
use calcscore_stats::calibration::{calibration, CalibrationGroup};
use calcscore_stats::decision::Thresholds;
use calcscore_stats::diagnostic::TwoByTwo;
use calcscore_stats::roc::{Direction, Roc};

/// The score in the validation cohort B alone (no derivation lesion in it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BOnly {
    /// Lesions in B.
    pub n: usize,
    /// Underexpanded lesions in B.
    pub n_cases: usize,
    /// AUC in B with DeLong's CI (`None` with fewer than 2 cases or controls).
    pub auc: Option<Interval>,
    /// Score ≥ cutoff is positive.
    pub cutoff: i64,
    /// Sensitivity, specificity, PPV and NPV in B at the cutoff (Clopper–Pearson CIs).
    pub measures: Vec<MeasureRow>,
    /// Calibration in B of A's logistic model of underexpansion on the score (`None` without that model).
    pub calibration: Option<BCalibration>,
    /// Decision curve in B of A's risk model and of "score ≥ cutoff" (thresholds 0.01 … 0.99).
    #[serde(default)]
    pub decision: Option<GroupDecision>,
}

/// The flexible calibration curve of A's model in B, as drawn: lowess curve, grouped observations, histogram.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlexibleCurve {
    /// Lowess curve (iter = 0), repeated points dropped.
    pub curve: Vec<CurvePoint>,
    /// Observed against predicted in `cut2` groups of the predictions, Wilson CIs.
    pub groups: Vec<CalibrationGroup>,
    /// Predictions per bin of width 1/100.
    pub histogram: Vec<usize>,
}

/// One point of the lowess calibration curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Predicted risk.
    pub predicted: f64,
    /// Smoothed observed proportion at that prediction.
    pub observed: f64,
}

/// Calibration of A's risk model in B.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BCalibration {
    /// Calibration-in-the-large: intercept of `glm(y ~ offset(lp), binomial)` in B (0 = right on average).
    pub intercept: Option<Interval>,
    /// Calibration slope: coefficient of lp in `glm(y ~ lp, binomial)` in B (1 = right spread).
    pub slope: Option<Interval>,
    /// Underexpanded lesions in B.
    pub observed_events: usize,
    /// Underexpansions A's model predicts in B.
    pub expected_events: f64,
    /// `rms::val.prob` measures of A's predictions in B (Brier, scaled Brier, ICI, E50, E90, Emax).
    #[serde(default)]
    pub val_prob: Option<ValProb>,
    /// The flexible calibration curve for the figure.
    #[serde(default)]
    pub flexible: Option<FlexibleCurve>,
}

/// Patients of the A/B split with lesions on both sides.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SplitOverlap {
    /// Patients with lesions in A.
    pub patients_a: usize,
    /// Patients with lesions in B.
    pub patients_b: usize,
    /// Patients with lesions in both A and B.
    pub patients_both: usize,
}

/// B-only AUC, accuracy at `cutoff`, and calibration of A's model (`calibration_model`, fitted in A).
pub fn b_only(
    set: &AnalysisSet,
    cutoff: i64,
    calibration_model: Option<&FittedModel>,
    level: f64,
) -> Result<BOnly> {
    let (s, e) = set.score_and_underexpansion(&[Cohort::Validation])?;
    let auc = Roc::new(&s, &e, Direction::ControlsLess)
        .ok()
        .and_then(|r| {
            let (lo, hi) = r.delong_ci(level);
            (lo.is_finite() && hi.is_finite()).then(|| Interval {
                estimate: r.auc(),
                conf_low: lo,
                conf_high: hi,
            })
        });
    let t = TwoByTwo::from_marker(&s, &e, cutoff as f64);
    let measures = exact_measures(&t, &["sensitivity", "specificity", "ppv", "npv"], level);
    let model = calibration_model
        .and_then(|m| m.risk_model("score", "stent expansion < 70%", "cohort A"))
        .filter(|_| !s.is_empty());
    let p: Vec<f64> = model
        .as_ref()
        .map(|m| s.iter().map(|&x| m.probability(x)).collect())
        .unwrap_or_default();
    let calibration = model.as_ref().map(|m| {
        let c = calibrate(m, "external", "fitted in A", &s, &e, level);
        BCalibration {
            intercept: c.intercept,
            slope: c.slope,
            observed_events: c.observed_events,
            expected_events: c.expected_events,
            val_prob: c.val_prob,
            flexible: flexible(&p, &e, level),
        }
    });
    let decision = Thresholds::parse(DECISION_GRID)
        .ok()
        .filter(|_| !p.is_empty())
        .and_then(|t| group_decision(&p, &s, &e, cutoff, &t).ok());
    Ok(BOnly {
        n: s.len(),
        n_cases: e.iter().filter(|&&x| x).count(),
        auc,
        cutoff,
        measures,
        calibration,
        decision,
    })
}

/// Threshold grid of the decision curve in B (dcurves' default range).
pub(crate) const DECISION_GRID: &str = "0.01:0.99:0.01";

/// The flexible calibration curve of risks `p` against events `e` (10 `cut2` groups); `None` when undefined.
fn flexible(p: &[f64], e: &[bool], level: f64) -> Option<FlexibleCurve> {
    let c = calibration(p, e, 10, level).ok()?;
    let plot = CalibrationPlot::new(&c, p, "");
    let mut curve = plot.curve;
    curve.dedup();
    Some(FlexibleCurve {
        curve: curve
            .into_iter()
            .map(|(predicted, observed)| CurvePoint {
                predicted,
                observed,
            })
            .collect(),
        groups: plot.groups,
        histogram: plot.histogram,
    })
}

/// Patients with lesions in A, in B, and in both.
pub fn overlap(set: &AnalysisSet) -> Result<SplitOverlap> {
    let ids = set.table.text("patient_id").unwrap_or_default();
    // Borrowed ids in hash sets (not a B-tree of copied strings): only sizes are used, never an order.
    let of = |c: Cohort| -> Result<rustc_hash::FxHashSet<&str>> {
        let rows = set.rows(&[c])?;
        let mut s = rustc_hash::FxHashSet::with_capacity_and_hasher(rows.len(), Default::default());
        s.extend(rows.into_iter().filter_map(|i| ids.get(i)));
        Ok(s)
    };
    let (a, b) = (of(Cohort::Derivation)?, of(Cohort::Validation)?);
    Ok(SplitOverlap {
        patients_a: a.len(),
        patients_b: b.len(),
        patients_both: a.iter().filter(|id| b.contains(*id)).count(),
    })
}
