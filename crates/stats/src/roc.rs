//! ROC curves as pROC computes them: AUC, DeLong variance (sort-based, O(n log n)),
//! coordinates at midpoint thresholds, Youden-best point, paired DeLong test, and
//! Obuchowski's (1997) variance of the AUC for clustered data.

use crate::dist::Checked;
use serde::Serialize;
use statrs::distribution::Normal;

use super::{StatsError, TestResult};

/// Which way the marker points, in pROC's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// Decide from the data as pROC does: `"<"` when median(controls) <= median(cases), else `">"`.
    Auto,
    /// controls < cases (higher marker = more likely case), pROC's "<".
    ControlsLess,
    /// controls > cases (lower marker = more likely case), pROC's ">".
    ControlsGreater,
}

impl Direction {
    /// pROC's symbol for the direction ("auto", "<" or ">").
    pub fn symbol(self) -> &'static str {
        match self {
            Direction::Auto => "auto",
            Direction::ControlsLess => "<",
            Direction::ControlsGreater => ">",
        }
    }

    /// Resolve `Auto` with pROC's rule; other directions are returned unchanged.
    pub fn resolve(self, controls: &[f64], cases: &[f64]) -> Direction {
        match self {
            Direction::Auto if median(controls) <= median(cases) => Direction::ControlsLess,
            Direction::Auto => Direction::ControlsGreater,
            d => d,
        }
    }
}

/// One point of the ROC curve (pROC `coords`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RocPoint {
    /// Threshold (midpoint between consecutive distinct marker values; -Inf/Inf at the ends).
    pub threshold: f64,
    /// Proportion of cases called positive at this threshold.
    pub sensitivity: f64,
    /// Proportion of controls called negative at this threshold.
    pub specificity: f64,
}

/// An empirical ROC curve of one marker for a binary outcome.
#[derive(Debug, Clone)]
pub struct Roc {
    direction: Direction,
    outcome: Vec<bool>,
    /// Case marker values in input order.
    cases: Vec<f64>,
    /// Control marker values in input order.
    controls: Vec<f64>,
    /// Placement value of each case (share of controls it beats, ties half).
    v10: Vec<f64>,
    /// Placement value of each control (share of cases beating it, ties half).
    v01: Vec<f64>,
    auc: f64,
}

impl Roc {
    /// Build the curve; `outcome[i]` is true for a case. Errors if a class is empty
    /// or a marker value is not finite.
    pub fn new(marker: &[f64], outcome: &[bool], direction: Direction) -> Result<Roc, StatsError> {
        let (cases, controls) = split_classes(marker, outcome)?;
        let direction = direction.resolve(&controls, &cases);
        let (v10, v01) = placements(&cases, &controls, direction);
        let auc = mean(&v10);
        Ok(Roc {
            direction,
            outcome: outcome.to_vec(),
            cases,
            controls,
            v10,
            v01,
            auc,
        })
    }

    /// The direction used (`Auto` resolved as pROC does).
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Number of cases and of controls.
    pub fn counts(&self) -> (usize, usize) {
        (self.cases.len(), self.controls.len())
    }

    /// Area under the curve (Mann-Whitney, ties counted half).
    pub fn auc(&self) -> f64 {
        self.auc
    }

    /// DeLong variance of the AUC; NaN when there are fewer than 2 cases or 2 controls.
    pub fn delong_var(&self) -> f64 {
        let (m, n) = (self.v10.len() as f64, self.v01.len() as f64);
        let s10 = sum_sq_dev(&self.v10, self.auc) / (m - 1.0);
        let s01 = sum_sq_dev(&self.v01, self.auc) / (n - 1.0);
        s10 / m + s01 / n
    }

    /// DeLong standard error of the AUC; NaN when there are fewer than 2 cases or 2 controls.
    pub fn delong_se(&self) -> f64 {
        self.delong_var().sqrt()
    }

    /// DeLong confidence interval, clipped to [0, 1] (pROC `ci.auc(method = "delong")`).
    pub fn delong_ci(&self, level: f64) -> (f64, f64) {
        let z = z_quantile(level);
        let se = self.delong_se();
        (
            (self.auc - z * se).clamp(0.0, 1.0),
            (self.auc + z * se).clamp(0.0, 1.0),
        )
    }

    /// All points of the curve in pROC's order (specificity increasing): thresholds
    /// ascending for "<", descending for ">".
    pub fn coords(&self) -> Vec<RocPoint> {
        let mut all: Vec<f64> = self.cases.iter().chain(&self.controls).copied().collect();
        all.sort_by(f64::total_cmp);
        all.dedup();
        let greater = self.direction == Direction::ControlsGreater;
        let mut thresholds = midpoint_thresholds(&all, greater);
        if greater {
            thresholds.reverse();
        }
        let cases = sorted(&self.cases);
        let controls = sorted(&self.controls);
        let (n1, n0) = (cases.len() as f64, controls.len() as f64);
        // pROC: "<" calls x >= t positive; ">" calls x <= t positive.
        thresholds
            .into_iter()
            .map(|t| {
                let (sens, spec) = if greater {
                    let cases_pos = count_not_above(&cases, t) as f64;
                    let controls_pos = count_not_above(&controls, t) as f64;
                    (cases_pos / n1, (n0 - controls_pos) / n0)
                } else {
                    let cases_neg = count_below(&cases, t) as f64;
                    let controls_neg = count_below(&controls, t) as f64;
                    ((n1 - cases_neg) / n1, controls_neg / n0)
                };
                RocPoint {
                    threshold: t,
                    sensitivity: sens,
                    specificity: spec,
                }
            })
            .collect()
    }

    /// The point maximising sensitivity + specificity (pROC `coords(x = "best",
    /// best.method = "youden")`); on ties, the first in `coords()` order.
    pub fn best_youden(&self) -> RocPoint {
        let pts = self.coords();
        let mut best = pts[0];
        for p in &pts[1..] {
            if p.sensitivity + p.specificity > best.sensitivity + best.specificity {
                best = *p;
            }
        }
        best
    }

    /// Paired DeLong test of two curves on the same cases and controls
    /// (pROC `roc.test(method = "delong", paired = TRUE)`); estimate = AUC(self) - AUC(other).
    pub fn delong_test(&self, other: &Roc) -> Result<TestResult, StatsError> {
        if self.outcome != other.outcome {
            return Err(StatsError::Undefined(
                "paired DeLong test needs both markers on the same cases and controls".into(),
            ));
        }
        let (m, n) = (self.v10.len(), self.v01.len());
        if m < 2 || n < 2 {
            return Err(StatsError::TooFew {
                what: "paired DeLong test (cases or controls)".into(),
                n: m.min(n),
                needed: 2,
            });
        }
        let (m, n) = (m as f64, n as f64);
        let cov10 = covariance(&self.v10, self.auc, &other.v10, other.auc) / (m - 1.0);
        let cov01 = covariance(&self.v01, self.auc, &other.v01, other.auc) / (n - 1.0);
        let var = self.delong_var() + other.delong_var() - 2.0 * (cov10 / m + cov01 / n);
        let diff = self.auc - other.auc;
        if var <= 0.0 || !var.is_finite() {
            return Err(StatsError::Undefined(
                "paired DeLong test: variance of the AUC difference is zero (identical curves?)"
                    .into(),
            ));
        }
        let z = diff / var.sqrt();
        Ok(TestResult {
            method: "DeLong's test for two correlated ROC curves".into(),
            statistic: z,
            statistic_name: "Z".into(),
            df: None,
            p_value: 2.0 * std_normal().sf_checked(z.abs()),
            estimate: Some(diff),
            estimate_name: Some("difference in AUC".into()),
            conf_low: None,
            conf_high: None,
            alternative: "two.sided".into(),
        })
    }

    /// Paired DeLong test with a confidence interval of the AUC difference at `level`
    /// (pROC >= 1.16 reports it as `conf.int`).
    pub fn delong_test_ci(&self, other: &Roc, level: f64) -> Result<TestResult, StatsError> {
        let mut t = self.delong_test(other)?;
        let diff = t.estimate.unwrap_or(f64::NAN);
        let se = diff / t.statistic;
        let z = z_quantile(level);
        t.conf_low = Some(diff - z * se);
        t.conf_high = Some(diff + z * se);
        Ok(t)
    }
}

/// AUC with Obuchowski's (1997) variance for clustered data (e.g. lesions within patients).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClusteredAuc {
    /// Area under the curve over all units.
    pub auc: f64,
    /// Obuchowski standard error.
    pub std_error: f64,
    /// Lower Wald limit, clipped to [0, 1].
    pub conf_low: f64,
    /// Upper Wald limit, clipped to [0, 1].
    pub conf_high: f64,
    /// Number of clusters.
    pub n_clusters: usize,
}

/// AUC of clustered units with Obuchowski's (1997, Biometrics 53:567) variance:
/// var = S10/M + S01/N + 2 S11/(M N), where V10/V01 are per-cluster sums of placement values.
/// With one unit per cluster it equals DeLong's variance.
pub fn clustered_auc(
    marker: &[f64],
    outcome: &[bool],
    cluster: &[usize],
    direction: Direction,
    level: f64,
) -> Result<ClusteredAuc, StatsError> {
    if cluster.len() != marker.len() {
        return Err(StatsError::Undefined(format!(
            "clustered AUC: {} cluster ids for {} markers",
            cluster.len(),
            marker.len()
        )));
    }
    let roc = Roc::new(marker, outcome, direction)?;
    let ids = dense_ids(cluster);
    let k = ids.iter().copied().max().map_or(0, |x| x + 1);
    // Per-cluster sums of placement values and unit counts.
    let (mut v10, mut v01) = (vec![0.0; k], vec![0.0; k]);
    let (mut m_i, mut n_i) = (vec![0usize; k], vec![0usize; k]);
    let (mut ic, mut ik) = (0, 0);
    for (i, &is_case) in outcome.iter().enumerate() {
        let c = ids[i];
        if is_case {
            v10[c] += roc.v10[ic];
            m_i[c] += 1;
            ic += 1;
        } else {
            v01[c] += roc.v01[ik];
            n_i[c] += 1;
            ik += 1;
        }
    }
    let a = roc.auc;
    let (mm, nn) = (roc.cases.len() as f64, roc.controls.len() as f64);
    let i10 = m_i.iter().filter(|&&m| m > 0).count() as f64;
    let i01 = n_i.iter().filter(|&&n| n > 0).count() as f64;
    if i10 < 2.0 || i01 < 2.0 {
        return Err(StatsError::TooFew {
            what: "clustered AUC (clusters with cases or with controls)".into(),
            n: i10.min(i01) as usize,
            needed: 2,
        });
    }
    let (mut s10, mut s01, mut s11) = (0.0, 0.0, 0.0);
    for c in 0..k {
        let d10 = v10[c] - m_i[c] as f64 * a;
        let d01 = v01[c] - n_i[c] as f64 * a;
        s10 += d10 * d10;
        s01 += d01 * d01;
        s11 += d10 * d01;
    }
    let kf = k as f64;
    let s10 = i10 / ((i10 - 1.0) * mm) * s10;
    let s01 = i01 / ((i01 - 1.0) * nn) * s01;
    let s11 = kf / (kf - 1.0) * s11;
    let var = s10 / mm + s01 / nn + 2.0 * s11 / (mm * nn);
    let se = var.max(0.0).sqrt();
    let z = z_quantile(level);
    Ok(ClusteredAuc {
        auc: a,
        std_error: se,
        conf_low: (a - z * se).clamp(0.0, 1.0),
        conf_high: (a + z * se).clamp(0.0, 1.0),
        n_clusters: k,
    })
}

/// Map arbitrary cluster ids onto 0..k in order of first appearance.
fn dense_ids(cluster: &[usize]) -> Vec<usize> {
    let mut map = std::collections::HashMap::new();
    cluster
        .iter()
        .map(|&c| {
            let next = map.len();
            *map.entry(c).or_insert(next)
        })
        .collect()
}

/// Split the marker into cases and controls (input order), checking values and classes.
fn split_classes(marker: &[f64], outcome: &[bool]) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    if marker.len() != outcome.len() {
        return Err(StatsError::Undefined(format!(
            "ROC: {} marker values for {} outcomes",
            marker.len(),
            outcome.len()
        )));
    }
    if let Some(i) = marker.iter().position(|x| !x.is_finite()) {
        return Err(StatsError::Undefined(format!(
            "ROC: marker value {} at position {} is not finite",
            marker[i],
            i + 1
        )));
    }
    let cases: Vec<f64> = zip_filter(marker, outcome, true);
    let controls: Vec<f64> = zip_filter(marker, outcome, false);
    for (v, level) in [(&cases, "controls only"), (&controls, "cases only")] {
        if v.is_empty() {
            return Err(StatsError::OneClass {
                column: "outcome".into(),
                level: level.into(),
            });
        }
    }
    Ok((cases, controls))
}

fn zip_filter(marker: &[f64], outcome: &[bool], class: bool) -> Vec<f64> {
    marker
        .iter()
        .zip(outcome)
        .filter(|(_, &o)| o == class)
        .map(|(&x, _)| x)
        .collect()
}

/// Placement values (DeLong 1988) by sorting and binary search: O(n log n).
fn placements(cases: &[f64], controls: &[f64], dir: Direction) -> (Vec<f64>, Vec<f64>) {
    let sc = sorted(controls);
    let sx = sorted(cases);
    let less = dir != Direction::ControlsGreater;
    // Share of `others` that `x` beats in the case direction (ties half).
    let share = |others: &[f64], x: f64, case_side: bool| {
        let below = count_below(others, x) as f64;
        let not_above = count_not_above(others, x) as f64;
        let ties = not_above - below;
        let n = others.len() as f64;
        let wins = if less == case_side {
            below
        } else {
            n - not_above
        };
        (wins + 0.5 * ties) / n
    };
    let v10 = cases.iter().map(|&x| share(&sc, x, true)).collect();
    let v01 = controls.iter().map(|&y| share(&sx, y, false)).collect();
    (v10, v01)
}

/// pROC's thresholds (ascending): -Inf, midpoints of consecutive distinct values, +Inf.
/// When a midpoint rounds onto a data value (adjacent doubles) it is moved as pROC does,
/// so that the two values stay on different sides of the threshold.
fn midpoint_thresholds(unique: &[f64], greater: bool) -> Vec<f64> {
    let mut t = Vec::with_capacity(unique.len() + 1);
    t.push(f64::NEG_INFINITY);
    for w in unique.windows(2) {
        let mid = (w[0] + w[1]) / 2.0;
        let mid = if mid.abs() > 1e100 || !mid.is_finite() {
            w[0] / 2.0 + w[1] / 2.0
        } else {
            mid
        };
        t.push(match (mid == w[0], mid == w[1], greater) {
            (true, _, false) => w[1],
            (_, true, true) => w[0],
            _ => mid,
        });
    }
    t.push(f64::INFINITY);
    t
}

/// Number of values strictly below `x` in a sorted slice.
fn count_below(sorted: &[f64], x: f64) -> usize {
    sorted.partition_point(|&v| v < x)
}

/// Number of values at most `x` in a sorted slice.
fn count_not_above(sorted: &[f64], x: f64) -> usize {
    sorted.partition_point(|&v| v <= x)
}

fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Median as R's `median` (mean of the two middle values for even n).
pub(crate) fn median(x: &[f64]) -> f64 {
    let v = sorted(x);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn sum_sq_dev(x: &[f64], centre: f64) -> f64 {
    x.iter().map(|v| (v - centre) * (v - centre)).sum()
}

fn covariance(x: &[f64], mx: f64, y: &[f64], my: f64) -> f64 {
    x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum()
}

/// The standard normal distribution.
pub(crate) fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("standard normal parameters are valid")
}

/// Two-sided normal quantile for a confidence level: qnorm(1 - (1 - level) / 2).
pub(crate) fn z_quantile(level: f64) -> f64 {
    std_normal().quantile(0.5 + level / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_example_with_ties() {
        // Cases 2, 3, 3; controls 1, 3: pairs won 2+1+1 with 2 ties counted half = (1+0.5)+... by hand:
        // case 2 beats 1 (1), loses to 3 (0) -> 0.5 ; case 3 beats 1, ties 3 -> 0.75 (x2).
        let roc = Roc::new(
            &[2.0, 3.0, 3.0, 1.0, 3.0],
            &[true, true, true, false, false],
            Direction::ControlsLess,
        )
        .unwrap();
        assert!((roc.auc() - 2.0 / 3.0).abs() < 1e-15);
        // var(V10) = var(0.5, .75, .75)/3 ; V01: control 1 -> 1, control 3 -> 0.5/3*... by hand:
        // V01(1) = 1, V01(3) = (0 + 0.5 + 0.5)/3 = 1/3.
        let s10 = ((0.5f64 - 2.0 / 3.0).powi(2) + 2.0 * (0.75f64 - 2.0 / 3.0).powi(2)) / 2.0;
        let s01 = ((1.0f64 - 2.0 / 3.0).powi(2) + (1.0f64 / 3.0 - 2.0 / 3.0).powi(2)) / 1.0;
        assert!((roc.delong_var() - (s10 / 3.0 + s01 / 2.0)).abs() < 1e-15);
    }

    #[test]
    fn adjacent_doubles_keep_thresholds_between_values() {
        // 1 and the next double up: the midpoint rounds onto one of them.
        let a = 1.0f64;
        let b = f64::from_bits(a.to_bits() + 1);
        for dir in [Direction::ControlsLess, Direction::ControlsGreater] {
            let (cases, controls) = if dir == Direction::ControlsLess {
                (b, a)
            } else {
                (a, b)
            };
            let roc = Roc::new(&[cases, controls], &[true, false], dir).unwrap();
            let best = roc.best_youden();
            assert_eq!((best.sensitivity, best.specificity), (1.0, 1.0), "{dir:?}");
        }
    }

    #[test]
    fn sorted_placements_equal_brute_force_delong() {
        // DeLong (1988) written out over all case-control pairs, O(m n), on tied data.
        let marker: Vec<f64> = (0..300).map(|i| ((i * 37) % 23) as f64 / 4.0).collect();
        let outcome: Vec<bool> = (0..300).map(|i| (i * 11) % 7 < 3).collect();
        let x: Vec<f64> = zip_filter(&marker, &outcome, true);
        let y: Vec<f64> = zip_filter(&marker, &outcome, false);
        let psi = |a: f64, b: f64| f64::from(u8::from(a > b)) + 0.5 * f64::from(u8::from(a == b));
        let (m, n) = (x.len() as f64, y.len() as f64);
        let v10: Vec<f64> = x
            .iter()
            .map(|&a| y.iter().map(|&b| psi(a, b)).sum::<f64>() / n)
            .collect();
        let v01: Vec<f64> = y
            .iter()
            .map(|&b| x.iter().map(|&a| psi(a, b)).sum::<f64>() / m)
            .collect();
        let auc = v10.iter().sum::<f64>() / m;
        let var = sum_sq_dev(&v10, auc) / (m - 1.0) / m + sum_sq_dev(&v01, auc) / (n - 1.0) / n;
        let roc = Roc::new(&marker, &outcome, Direction::ControlsLess).unwrap();
        assert!((roc.auc() - auc).abs() < 1e-14);
        assert!((roc.delong_var() - var).abs() < 1e-16);
    }

    #[test]
    fn one_unit_per_cluster_reduces_to_delong() {
        let marker = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.5];
        let outcome = [false, false, true, true, false, true, true, false];
        let ids: Vec<usize> = (0..8).collect();
        let roc = Roc::new(&marker, &outcome, Direction::Auto).unwrap();
        let c = clustered_auc(&marker, &outcome, &ids, Direction::Auto, 0.95).unwrap();
        assert!((c.auc - roc.auc()).abs() < 1e-15);
        assert!((c.std_error - roc.delong_se()).abs() < 1e-14);
    }
}
