//! How a score separates events from non-events on a set of rows: the ROC summary (AUC with DeLong's and the
//! clustered interval, Youden's point, coordinates) and the accuracy of "score ≥ cutoff" with exact intervals.

use serde::{Deserialize, Serialize};

use crate::Result;
use calcscore_stats::diagnostic::{CiMethod, Measure, TwoByTwo};
use calcscore_stats::roc::{clustered_auc, Direction, Roc, RocPoint};

/// ROC of a score for a binary outcome on one set of rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RocSummary {
    /// Rows used (cohorts, groups).
    pub data: String,
    /// Rows.
    pub n: usize,
    /// Rows with the event (cases).
    pub n_cases: usize,
    /// AUC.
    pub auc: f64,
    /// DeLong CI.
    pub conf_low: f64,
    /// DeLong CI.
    pub conf_high: f64,
    /// Clustered AUC SE (Obuchowski 1997); `None` when not estimable (see the notes).
    pub clustered_std_error: Option<f64>,
    /// Clustered CI.
    pub clustered_conf_low: Option<f64>,
    /// Clustered CI.
    pub clustered_conf_high: Option<f64>,
    /// Clusters.
    pub n_clusters: usize,
    /// Youden-optimal threshold (midpoint, as pROC).
    pub youden_threshold: f64,
    /// The integer cutoff it implies (score ≥ cutoff is positive).
    pub youden_cutoff: i64,
    /// Sensitivity at the Youden threshold.
    pub youden_sensitivity: f64,
    /// Specificity at the Youden threshold.
    pub youden_specificity: f64,
    /// Full coordinates; the infinite end thresholds are `null` in JSON and read back as −Inf and +Inf.
    #[serde(deserialize_with = "coords_from_json")]
    pub coords: Vec<RocPoint>,
}

impl RocSummary {
    /// ROC of `score` for `event` on the rows `data`, with patients `clusters` (0..G); a clustered AUC that is not
    /// estimable is `None` with a note.
    pub fn of(
        data: &str,
        score: &[f64],
        event: &[bool],
        clusters: &[usize],
        level: f64,
    ) -> Result<(RocSummary, Vec<String>)> {
        let roc = Roc::new(score, event, Direction::ControlsLess)?;
        let (lo, hi) = roc.delong_ci(level);
        let mut notes = Vec::new();
        let cl = clustered_auc(score, event, clusters, Direction::ControlsLess, level)
            .map_err(|e| {
                notes.push(format!(
                    "clustered AUC (Obuchowski) in {data} not estimable: {e}"
                ))
            })
            .ok();
        let best = roc.best_youden();
        let summary = RocSummary {
            data: data.into(),
            n: score.len(),
            n_cases: event.iter().filter(|&&u| u).count(),
            auc: roc.auc(),
            conf_low: lo,
            conf_high: hi,
            clustered_std_error: cl.as_ref().map(|c| c.std_error),
            clustered_conf_low: cl.as_ref().map(|c| c.conf_low),
            clustered_conf_high: cl.as_ref().map(|c| c.conf_high),
            n_clusters: clusters.iter().max().map_or(0, |m| m + 1),
            youden_threshold: best.threshold,
            youden_cutoff: best.threshold.ceil() as i64,
            youden_sensitivity: best.sensitivity,
            youden_specificity: best.specificity,
            coords: roc.coords(),
        };
        Ok((summary, notes))
    }
}

/// ROC coordinates from JSON, where the infinite end thresholds were written as `null` (read as NaN or missing).
fn coords_from_json<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<RocPoint>, D::Error> {
    #[derive(Deserialize)]
    struct Raw {
        threshold: Option<f64>,
        sensitivity: f64,
        specificity: f64,
    }
    let raw: Vec<Raw> = Deserialize::deserialize(d)?;
    Ok(raw
        .into_iter()
        .enumerate()
        .map(|(k, p)| RocPoint {
            threshold: p.threshold.filter(|t| !t.is_nan()).unwrap_or(if k == 0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }),
            sensitivity: p.sensitivity,
            specificity: p.specificity,
        })
        .collect())
}

/// One diagnostic measure at a cutoff, with its counts and interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl From<Measure> for MeasureRow {
    fn from(m: Measure) -> MeasureRow {
        MeasureRow {
            measure: m.name,
            estimate: m.estimate,
            numerator: m.numerator,
            denominator: m.denominator,
            conf_low: m.conf_low,
            conf_high: m.conf_high,
            method: m.method,
        }
    }
}

/// The named measures of a 2×2 table with Clopper–Pearson intervals (a measure with a zero denominator is left out).
pub fn exact_measures(t: &TwoByTwo, names: &[&str], level: f64) -> Vec<MeasureRow> {
    names
        .iter()
        .filter_map(|m| t.measure(m, CiMethod::Exact, level))
        .map(MeasureRow::from)
        .collect()
}

/// Diagnostic accuracy of "score ≥ cutoff" on one set of rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accuracy {
    /// Rows used (cohorts, groups).
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
    /// Every measure (sensitivity … lr_neg) with its interval (Clopper–Pearson for proportions).
    pub measures: Vec<MeasureRow>,
}

impl Accuracy {
    /// Accuracy of `score ≥ cutoff` for `event` on the rows `data`, with a note for each measure whose
    /// denominator is 0 and each caveat of a measure.
    pub fn at(
        data: &str,
        score: &[f64],
        event: &[bool],
        cutoff: i64,
        level: f64,
    ) -> (Accuracy, Vec<String>) {
        let t = TwoByTwo::from_marker(score, event, cutoff as f64);
        let all = t.measures(CiMethod::Exact, level);
        let mut notes = Vec::new();
        for (name, n) in [
            ("sensitivity", t.tp + t.fn_),
            ("specificity", t.tn + t.fp),
            ("ppv", t.tp + t.fp),
            ("npv", t.tn + t.fn_),
        ] {
            if n == 0 {
                notes.push(format!(
                    "accuracy at score ≥ {cutoff} in {data}: {name} not estimable (its denominator is 0: tp={}, fp={}, fn={}, tn={})",
                    t.tp, t.fp, t.fn_, t.tn
                ));
            }
        }
        for m in &all {
            if let Some(n) = &m.note {
                notes.push(format!(
                    "accuracy at score ≥ {cutoff} in {data}, {}: {n}",
                    m.name
                ));
            }
        }
        let accuracy = Accuracy {
            data: data.into(),
            cutoff,
            tp: t.tp,
            fp: t.fp,
            fn_: t.fn_,
            tn: t.tn,
            measures: all.into_iter().map(MeasureRow::from).collect(),
        };
        (accuracy, notes)
    }
}
