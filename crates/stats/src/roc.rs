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
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
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
    /// Distinct marker values, ascending, with their case and control counts (the curve's steps).
    ties: Vec<Tie>,
    /// Placement value of each case (share of controls it beats, ties half), cases in input order.
    v10: Vec<f64>,
    /// Placement value of each control (share of cases beating it, ties half), controls in input order.
    v01: Vec<f64>,
    auc: f64,
}

/// One distinct marker value and how many cases and controls have it.
#[derive(Debug, Clone, Copy)]
struct Tie {
    value: f64,
    cases: usize,
    controls: usize,
}

impl Roc {
    /// Build the curve; `outcome[i]` is true for a case. Errors if a class is empty
    /// or a marker value is not finite. One sort of the marker gives the placements and the coordinates.
    pub fn new(marker: &[f64], outcome: &[bool], direction: Direction) -> Result<Roc, StatsError> {
        check_classes(marker, outcome)?;
        let (ties, group) = tie_groups(marker, outcome);
        let direction = match direction {
            Direction::Auto if tie_median(&ties, false) <= tie_median(&ties, true) => {
                Direction::ControlsLess
            }
            Direction::Auto => Direction::ControlsGreater,
            d => d,
        };
        let (v10, v01) = placements(&ties, &group, outcome, direction);
        let auc = mean(&v10);
        Ok(Roc {
            direction,
            outcome: outcome.to_vec(),
            ties,
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
        (self.v10.len(), self.v01.len())
    }

    /// Area under the curve (Mann-Whitney, ties counted half).
    pub fn auc(&self) -> f64 {
        self.auc
    }

    /// DeLong variance of the AUC; NaN when there are fewer than 2 cases or 2 controls.
    pub(crate) fn delong_var(&self) -> f64 {
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
    /// ascending for "<", descending for ">". Read off the sorted distinct values, no sorting.
    pub fn coords(&self) -> Vec<RocPoint> {
        let values: Vec<f64> = self.ties.iter().map(|t| t.value).collect();
        let greater = self.direction == Direction::ControlsGreater;
        let thresholds = midpoint_thresholds(&values, greater);
        let (n1, n0) = (self.v10.len() as f64, self.v01.len() as f64);
        // Threshold k lies between distinct values k-1 and k: (cases, controls) below it are cumulative counts.
        // pROC: "<" calls x >= t positive; ">" calls x <= t positive.
        let (mut cases_below, mut controls_below) = (0usize, 0usize);
        let mut points: Vec<RocPoint> = Vec::with_capacity(thresholds.len());
        for (k, t) in thresholds.into_iter().enumerate() {
            if k > 0 {
                cases_below += self.ties[k - 1].cases;
                controls_below += self.ties[k - 1].controls;
            }
            let (cb, kb) = (cases_below as f64, controls_below as f64);
            let (sensitivity, specificity) = if greater {
                (cb / n1, (n0 - kb) / n0)
            } else {
                ((n1 - cb) / n1, kb / n0)
            };
            points.push(RocPoint {
                threshold: t,
                sensitivity,
                specificity,
            });
        }
        if greater {
            points.reverse();
        }
        points
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

    /// Every point with the largest sensitivity + specificity, in `coords()` order (pROC's `coords(x = "best")`
    /// returns them all); the first is [`Roc::best_youden`].
    pub fn youden_ties(&self) -> Vec<RocPoint> {
        let pts = self.coords();
        let best = pts
            .iter()
            .map(|p| p.sensitivity + p.specificity)
            .fold(f64::NEG_INFINITY, f64::max);
        pts.into_iter()
            .filter(|p| p.sensitivity + p.specificity == best)
            .collect()
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
    let (mm, nn) = (roc.v10.len() as f64, roc.v01.len() as f64);
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

/// Check the marker values (finite) and that both classes are present.
fn check_classes(marker: &[f64], outcome: &[bool]) -> Result<(), StatsError> {
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
    let cases = outcome.iter().filter(|&&o| o).count();
    for (count, level) in [
        (cases, "controls only"),
        (outcome.len() - cases, "cases only"),
    ] {
        if count == 0 {
            return Err(StatsError::OneClass {
                column: "outcome".into(),
                level: level.into(),
            });
        }
    }
    Ok(())
}

/// Rows sorted once by marker: the distinct values (ascending; equal values, -0 and 0 too, are one tie
/// group) with their case and control counts, and each row's group.
fn tie_groups(marker: &[f64], outcome: &[bool]) -> (Vec<Tie>, Vec<u32>) {
    use rayon::prelude::*;
    let mut order: Vec<(f64, u32)> = marker.iter().zip(0u32..).map(|(&x, i)| (x, i)).collect();
    // The groups do not depend on the order within ties, so an unstable parallel sort is deterministic here.
    order.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ties: Vec<Tie> = Vec::new();
    let mut group = vec![0u32; marker.len()];
    for &(x, i) in &order {
        match ties.last_mut() {
            Some(t) if t.value == x => {}
            _ => ties.push(Tie {
                value: x,
                cases: 0,
                controls: 0,
            }),
        }
        let k = ties.len() - 1;
        let t = &mut ties[k];
        if outcome[i as usize] {
            t.cases += 1;
        } else {
            t.controls += 1;
        }
        group[i as usize] = k as u32;
    }
    (ties, group)
}

/// R's `median` of the cases (or controls) from the tie groups: the middle value, or the mean of the two.
fn tie_median(ties: &[Tie], cases: bool) -> f64 {
    let count = |t: &Tie| if cases { t.cases } else { t.controls };
    let n: usize = ties.iter().map(count).sum();
    // The k-th smallest value (0-based) of the class.
    let kth = |k: usize| {
        let mut seen = 0;
        for t in ties {
            seen += count(t);
            if seen > k {
                return t.value;
            }
        }
        f64::NAN
    };
    match n {
        0 => f64::NAN,
        n if n % 2 == 1 => kth(n / 2),
        n => (kth(n / 2 - 1) + kth(n / 2)) / 2.0,
    }
}

/// Placement values (DeLong 1988) of each case and control, in input order, from cumulative tie counts.
fn placements(
    ties: &[Tie],
    group: &[u32],
    outcome: &[bool],
    dir: Direction,
) -> (Vec<f64>, Vec<f64>) {
    let n1: usize = ties.iter().map(|t| t.cases).sum();
    let n0: usize = ties.iter().map(|t| t.controls).sum();
    let (case_place, control_place) = tie_placements(ties, dir);
    let (mut v10, mut v01) = (Vec::with_capacity(n1), Vec::with_capacity(n0));
    for (&g, &is_case) in group.iter().zip(outcome) {
        if is_case {
            v10.push(case_place[g as usize]);
        } else {
            v01.push(control_place[g as usize]);
        }
    }
    (v10, v01)
}

/// Placement value of a case and of a control at each tie group, from the cumulative counts.
fn tie_placements(ties: &[Tie], dir: Direction) -> (Vec<f64>, Vec<f64>) {
    let n1: usize = ties.iter().map(|t| t.cases).sum();
    let n0: usize = ties.iter().map(|t| t.controls).sum();
    let less = dir != Direction::ControlsGreater;
    // Share of the other class a value beats in the case direction (ties half), from the counts of the other
    // class strictly below it and at most it: the same arithmetic as counting in a sorted array.
    let share = |below: usize, not_above: usize, n: usize, case_side: bool| {
        let (below, not_above, n) = (below as f64, not_above as f64, n as f64);
        let ties = not_above - below;
        let wins = if less == case_side {
            below
        } else {
            n - not_above
        };
        (wins + 0.5 * ties) / n
    };
    let (mut case_place, mut control_place) = (Vec::with_capacity(ties.len()), Vec::new());
    control_place.reserve(ties.len());
    let (mut cases_below, mut controls_below) = (0, 0);
    for t in ties {
        let (cases_le, controls_le) = (cases_below + t.cases, controls_below + t.controls);
        case_place.push(share(controls_below, controls_le, n0, true));
        control_place.push(share(cases_below, cases_le, n1, false));
        (cases_below, controls_below) = (cases_le, controls_le);
    }
    (case_place, control_place)
}

/// Placement values of a case and of a control at each distinct marker value, from the (cases, controls) counts of
/// the distinct values in ascending order: the numbers [`Roc::new`] gives each row (the AUC is the cases' mean).
pub fn level_placements(counts: &[(usize, usize)], direction: Direction) -> (Vec<f64>, Vec<f64>) {
    let ties: Vec<Tie> = counts
        .iter()
        .map(|&(cases, controls)| Tie {
            value: 0.0,
            cases,
            controls,
        })
        .collect();
    tie_placements(&ties, direction)
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

    fn zip_filter(marker: &[f64], outcome: &[bool], class: bool) -> Vec<f64> {
        let pairs = marker.iter().zip(outcome);
        pairs
            .filter(|(_, &o)| o == class)
            .map(|(&x, _)| x)
            .collect()
    }

    /// The coordinates by counting in sorted arrays at every threshold (pROC's definition), for ties,
    /// -0 and 0, adjacent doubles and both directions, equal the cumulative counts of the tie groups.
    #[test]
    fn coords_equal_counting_at_each_threshold() {
        let b = f64::from_bits(1.0f64.to_bits() + 1);
        let marker = [0.0, -0.0, 1.0, b, 2.5, 2.5, 2.5, -3.0, 1.0, 7.0, 0.0];
        let outcome = [
            true, false, false, true, true, false, true, false, true, true, false,
        ];
        for dir in [Direction::ControlsLess, Direction::ControlsGreater] {
            let roc = Roc::new(&marker, &outcome, dir).unwrap();
            let cases = sorted(&zip_filter(&marker, &outcome, true));
            let controls = sorted(&zip_filter(&marker, &outcome, false));
            let mut all = marker.to_vec();
            all.sort_by(f64::total_cmp);
            all.dedup();
            let greater = dir == Direction::ControlsGreater;
            let mut t = midpoint_thresholds(&all, greater);
            if greater {
                t.reverse();
            }
            let (n1, n0) = (cases.len() as f64, controls.len() as f64);
            let below = |v: &[f64], x: f64| v.partition_point(|&y| y < x) as f64;
            let not_above = |v: &[f64], x: f64| v.partition_point(|&y| y <= x) as f64;
            let want: Vec<(f64, f64, f64)> = t
                .into_iter()
                .map(|t| {
                    if greater {
                        (
                            t,
                            not_above(&cases, t) / n1,
                            (n0 - not_above(&controls, t)) / n0,
                        )
                    } else {
                        (t, (n1 - below(&cases, t)) / n1, below(&controls, t) / n0)
                    }
                })
                .collect();
            let got: Vec<(f64, f64, f64)> = roc
                .coords()
                .iter()
                .map(|p| (p.threshold, p.sensitivity, p.specificity))
                .collect();
            assert_eq!(got, want, "{dir:?}");
        }
        // pROC's auto direction from the medians: controls 0 (median of -3, -0, 0, 1, 2.5) < cases.
        let auto = Roc::new(&marker, &outcome, Direction::Auto).unwrap();
        assert_eq!(auto.direction(), Direction::ControlsLess);
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
