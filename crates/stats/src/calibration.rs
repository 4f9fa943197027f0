//! Calibration of predicted risks on a validation set, with `rms::val.prob`'s conventions:
//! calibration-in-the-large (`glm(y ~ offset(lp))`), calibration slope (`glm(y ~ lp)`), Brier and
//! scaled Brier, the lowess flexible curve (iter = 0) with ICI, E50, E90 and Emax, and grouped
//! observed against predicted risks (`Hmisc::cut2(p, g)` groups, `binconf` Wilson intervals).

use nalgebra::DMatrix;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::design::Design;
use super::logistic::logistic;
use super::lowess::lowess;
use super::roc::{Direction, Roc};
use super::vcov::{FitOptions, Reference};
use super::{StatsError, TidyRow};

/// One group of predictions (a `cut2` interval) with its observed event rate.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CalibrationGroup {
    /// Predictions in the group.
    pub n: usize,
    /// Events among them.
    pub events: usize,
    /// Smallest and largest prediction in the group.
    pub min_predicted: f64,
    /// Largest prediction in the group.
    pub max_predicted: f64,
    /// Mean predicted risk.
    pub mean_predicted: f64,
    /// Observed proportion with the event.
    pub observed: f64,
    /// Wilson interval of the observed proportion (`Hmisc::binconf`).
    pub conf_low: f64,
    /// Upper limit.
    pub conf_high: f64,
}

/// The `rms::val.prob` measures of predicted risks against outcomes (flexible curve by lowess, iter = 0).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ValProb {
    /// Mean squared error of the risks (val.prob's Brier).
    pub brier: f64,
    /// 1 − Brier / (ȳ(1 − ȳ)).
    pub scaled_brier: f64,
    /// Integrated calibration index, mean |p̂ − lowess(p̂)| (val.prob's Eavg).
    pub ici: f64,
    /// Median |p̂ − lowess(p̂)|.
    pub e50: f64,
    /// 90th percentile of |p̂ − lowess(p̂)| (R's quantile type 7; val.prob's E90).
    pub e90: f64,
    /// Largest (val.prob's Emax).
    pub emax: f64,
    /// Spiegelhalter's z test of calibration (val.prob's S:z).
    pub spiegelhalter_z: f64,
    /// Its two-sided p-value (S:p).
    pub spiegelhalter_p: f64,
}

/// Calibration of risks p̂ against 0/1 outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Observations.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Calibration-in-the-large: the intercept of `glm(y ~ 1, offset = lp, binomial)` (0 is ideal).
    pub citl: TidyRow,
    /// Calibration slope: the coefficient of lp in `glm(y ~ lp, binomial)` (1 is ideal).
    pub slope: TidyRow,
    /// The intercept of that recalibration model (val.prob's "Intercept").
    pub slope_intercept: f64,
    /// Area under the ROC curve of the risks, exact (`Hmisc::somers2`; val.prob's "C (ROC)" bins the risks).
    pub c_statistic: f64,
    /// Brier, ICI, E50, E90, Emax and Spiegelhalter's test (flattened in JSON).
    #[serde(flatten)]
    pub val_prob: ValProb,
    /// The lowess curve: predictions in ascending order and their smoothed observed risk.
    pub curve: Vec<(f64, f64)>,
    /// Grouped observed against predicted.
    pub groups: Vec<CalibrationGroup>,
    /// Confidence level of every interval.
    pub conf_level: f64,
}

/// Calibration of risks `p` (each strictly inside (0, 1)) against outcomes `y`, with `groups` groups.
pub fn calibration(
    p: &[f64],
    y: &[bool],
    groups: usize,
    conf_level: f64,
) -> Result<Calibration, StatsError> {
    let n = p.len();
    if n != y.len() || n < 3 {
        return Err(StatsError::TooFew {
            what: "calibration".into(),
            n,
            needed: 3,
        });
    }
    if let Some(bad) = p.iter().find(|v| !(**v > 0.0 && **v < 1.0)) {
        return Err(StatsError::Undefined(format!(
            "predicted risks must be strictly between 0 and 1 (found {bad})"
        )));
    }
    if p.iter().all(|&v| v == p[0]) {
        return Err(StatsError::Undefined(format!(
            "all {n} predicted risks equal {}: the calibration slope and the flexible curve are undefined",
            p[0]
        )));
    }
    let events = y.iter().filter(|&&v| v).count();
    if events == 0 || events == n {
        return Err(StatsError::OneClass {
            column: "outcome".into(),
            level: if events == 0 { "all 0" } else { "all 1" }.into(),
        });
    }
    let yf: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v))).collect();
    let lp: Vec<f64> = p.iter().map(|&v| (v / (1.0 - v)).ln()).collect();
    let (slope, slope_intercept) = recalibration(&lp, &yf, conf_level)?;
    let brier = p
        .iter()
        .zip(&yf)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / n as f64;
    let ybar = events as f64 / n as f64;
    let spiegelhalter_z = spiegelhalter(p, &yf);
    let (xs, fit) = lowess(p, &yf, 2.0 / 3.0);
    let mut err: Vec<f64> = xs.iter().zip(&fit).map(|(a, b)| (a - b).abs()).collect();
    err.sort_by(f64::total_cmp);
    Ok(Calibration {
        n,
        events,
        citl: citl(&lp, &yf, conf_level)?,
        slope,
        slope_intercept,
        c_statistic: Roc::new(p, y, Direction::ControlsLess)?.auc(),
        val_prob: ValProb {
            brier,
            scaled_brier: 1.0 - brier / (ybar * (1.0 - ybar)),
            ici: err.iter().sum::<f64>() / n as f64,
            e50: median_sorted(&err),
            e90: quantile7_sorted(&err, 0.9),
            emax: err[n - 1],
            spiegelhalter_z,
            spiegelhalter_p: Reference::Z.p_two_sided(spiegelhalter_z),
        },
        curve: xs.into_iter().zip(fit).collect(),
        groups: grouped(p, y, groups, conf_level),
        conf_level,
    })
}

/// Spiegelhalter's z: Σ(y − p)(1 − 2p) / sqrt(Σ(1 − 2p)² p(1 − p)).
fn spiegelhalter(p: &[f64], y: &[f64]) -> f64 {
    let num: f64 = p
        .iter()
        .zip(y)
        .map(|(&p, &y)| (y - p) * (1.0 - 2.0 * p))
        .sum();
    let den: f64 = p
        .iter()
        .map(|&p| (1.0 - 2.0 * p) * (1.0 - 2.0 * p) * p * (1.0 - p))
        .sum();
    num / den.sqrt()
}

/// The lowess curve of `p` on `y` evaluated at `grid` by linear interpolation (end values outside the range).
pub fn curve_at(p: &[f64], y: &[bool], grid: &[f64]) -> Vec<f64> {
    let yf: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v))).collect();
    let (xs, fit) = lowess(p, &yf, 2.0 / 3.0);
    grid.iter()
        .map(|&g| {
            let k = xs.partition_point(|&x| x < g);
            if k == 0 {
                fit[0]
            } else if k >= xs.len() {
                fit[xs.len() - 1]
            } else if xs[k] == g || xs[k] == xs[k - 1] {
                fit[k]
            } else {
                let t = (g - xs[k - 1]) / (xs[k] - xs[k - 1]);
                fit[k - 1] + t * (fit[k] - fit[k - 1])
            }
        })
        .collect()
}

/// Calibration-in-the-large by IRLS exactly as `glm(y ~ 1, offset = lp, family = binomial)`.
fn citl(lp: &[f64], y: &[f64], level: f64) -> Result<TidyRow, StatsError> {
    let n = y.len();
    let mut mu: Vec<f64> = y.iter().map(|&v| (v + 0.5) / 2.0).collect();
    let mut eta: Vec<f64> = mu.iter().map(|&m| (m / (1.0 - m)).ln()).collect();
    let mut dev_old = deviance(y, &mu);
    let (mut alpha, mut info) = (0.0, 0.0);
    for _ in 0..crate::logistic::MAX_ITER {
        let w: Vec<f64> = mu.iter().map(|m| m * (1.0 - m)).collect();
        let (mut swz, mut sw) = (0.0, 0.0);
        for i in 0..n {
            let z = eta[i] - lp[i] + (y[i] - mu[i]) / w[i];
            swz += w[i] * z;
            sw += w[i];
        }
        alpha = swz / sw;
        info = sw;
        eta = lp.iter().map(|&o| alpha + o).collect();
        mu = eta.iter().map(|&e| 1.0 / (1.0 + (-e).exp())).collect();
        let dev = deviance(y, &mu);
        let done = (dev - dev_old).abs() / (dev.abs() + 0.1) < crate::logistic::EPSILON;
        dev_old = dev;
        if done {
            break;
        }
    }
    let se = 1.0 / info.sqrt();
    Ok(TidyRow::wald("calibration-in-the-large", alpha, se, level))
}

/// The calibration slope row and the recalibration intercept, from the logistic engine (`glm(y ~ lp)`).
fn recalibration(lp: &[f64], y: &[f64], level: f64) -> Result<(TidyRow, f64), StatsError> {
    let n = y.len();
    let rows: Vec<f64> = lp.iter().flat_map(|&v| [1.0, v]).collect();
    let design = Design {
        y: y.to_vec(),
        x: DMatrix::from_row_slice(n, 2, &rows),
        names: vec!["(Intercept)".into(), "calibration slope".into()],
        rows: (0..n).collect(),
        missing: Vec::new(),
        cluster: None,
        response: "outcome".into(),
        response_levels: None,
        terms: Vec::new(),
        intercept: true,
        source: "calibration".into(),
    };
    let opts = FitOptions {
        conf_level: level,
        ..FitOptions::default()
    };
    let tidy = logistic(&design, &opts)?.tidy();
    Ok((tidy[1].clone(), tidy[0].estimate))
}

/// Binomial deviance.
fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    -2.0 * y
        .iter()
        .zip(mu)
        .map(|(&y, &m)| if y == 1.0 { m.ln() } else { (1.0 - m).ln() })
        .sum::<f64>()
}

/// Groups of `Hmisc::cut2(p, g = groups)`: group k holds predictions in (c_{k−1}, c_k], c_k the smallest
/// distinct prediction whose cumulative count reaches k·n/g (duplicate cuts merge groups).
pub(crate) fn cut2_groups(p: &[f64], groups: usize) -> Vec<usize> {
    let mut xx: Vec<f64> = p.to_vec();
    xx.sort_by(f64::total_cmp);
    xx.dedup();
    let mut cum = Vec::with_capacity(xx.len());
    let mut sorted: Vec<f64> = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut k = 0;
    for v in &xx {
        while k < sorted.len() && sorted[k] <= *v {
            k += 1;
        }
        cum.push(k as f64);
    }
    let n = p.len() as f64;
    let g = groups.max(1);
    let mut cuts: Vec<f64> = (1..=g)
        .map(|j| {
            let target = (j as f64 * n) / g as f64;
            let idx = cum
                .iter()
                .position(|&c| c >= target)
                .unwrap_or(xx.len() - 1);
            xx[idx]
        })
        .collect();
    if let (Some(last), Some(max)) = (cuts.last_mut(), xx.last()) {
        *last = *max;
    }
    cuts.dedup();
    p.iter()
        .map(|v| cuts.iter().position(|c| v <= c).unwrap_or(cuts.len() - 1))
        .collect()
}

/// Observed against predicted in `cut2` groups.
fn grouped(p: &[f64], y: &[bool], groups: usize, level: f64) -> Vec<CalibrationGroup> {
    let index = cut2_groups(p, groups);
    let k = index.iter().max().map_or(0, |m| m + 1);
    (0..k)
        .filter_map(|g| {
            let members: Vec<usize> = (0..p.len()).filter(|&i| index[i] == g).collect();
            if members.is_empty() {
                return None;
            }
            let n = members.len();
            let events = members.iter().filter(|&&i| y[i]).count();
            let preds = members.iter().map(|&i| p[i]);
            let (lo, hi) = binconf_wilson(events, n, level);
            Some(CalibrationGroup {
                n,
                events,
                min_predicted: preds.clone().fold(f64::INFINITY, f64::min),
                max_predicted: preds.clone().fold(f64::NEG_INFINITY, f64::max),
                mean_predicted: preds.sum::<f64>() / n as f64,
                observed: events as f64 / n as f64,
                conf_low: lo,
                conf_high: hi,
            })
        })
        .collect()
}

/// `Hmisc::binconf(x, n, method = "wilson")`: the Wilson interval, with its exact-tail limits at x = 1
/// and x = n − 1.
pub(crate) fn binconf_wilson(x: usize, n: usize, level: f64) -> (f64, f64) {
    let alpha = 1.0 - level;
    let z = Normal::standard().inverse_cdf(1.0 - alpha / 2.0);
    let (xf, nf) = (x as f64, n as f64);
    let p = xf / nf;
    let z2 = z * z;
    let centre = p + z2 / 2.0 / nf;
    let half = z * ((p * (1.0 - p) + z2 / 4.0 / nf) / nf).sqrt();
    let mut lo = (centre - half) / (1.0 + z2 / nf);
    let mut hi = (centre + half) / (1.0 + z2 / nf);
    if x == 1 {
        lo = -(1.0 - alpha).ln() / nf;
    }
    if x + 1 == n {
        hi = 1.0 + (1.0 - alpha).ln() / nf;
    }
    (lo, hi)
}

/// Median of sorted values (mean of the two middle ones for even n, as R's `median`).
fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// R's `quantile(type = 7)` of sorted values.
pub(crate) fn quantile7_sorted(v: &[f64], prob: f64) -> f64 {
    let index = (v.len() - 1) as f64 * prob;
    let lo = index.floor() as usize;
    let hi = index.ceil() as usize;
    let h = index - lo as f64;
    if hi == lo || v[hi] == v[lo] {
        v[lo]
    } else {
        (1.0 - h) * v[lo] + h * v[hi]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut2_puts_ties_together_and_merges_duplicate_cuts() {
        // n = 6, g = 3: targets 2, 4, 6 → cuts 1 (cum 3 ≥ 2), 2 (cum 5 ≥ 4), 3.
        let p = [1.0, 1.0, 1.0, 2.0, 2.0, 3.0];
        assert_eq!(cut2_groups(&p, 3), vec![0, 0, 0, 1, 1, 2]);
        // g = 6: cuts 1,1,1,2,2,3 → three distinct groups.
        assert_eq!(cut2_groups(&p, 6), vec![0, 0, 0, 1, 1, 2]);
    }

    #[test]
    fn binconf_wilson_hand_values() {
        // x = 5 of n = 10 at 95%: (0.5 + z²/20 ± z·sqrt((0.25 + z²/40)/10)) / (1 + z²/10) = 0.2366 … 0.7634.
        let (lo, hi) = binconf_wilson(5, 10, 0.95);
        assert!((lo - 0.236_593_090_0).abs() < 1e-8 && (hi - 0.763_406_910_0).abs() < 1e-8);
    }
}
