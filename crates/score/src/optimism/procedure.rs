//! The derivation as `derive` does it, on covariate-pattern data with frequency weights: threshold search,
//! weight model, points, Youden cutoff and risk model; and the performance of a derived score on a data set.

use nalgebra::DMatrix;

use super::grouped::{offset_intercept, Grouped};
use super::{Agg, Patterns, PointsRule};
use crate::{MAX_ITEM_POINTS, MAX_SCORE_RANGE};

/// The indices, in the order of the table (rms::validate's names where it has the index).
pub(crate) const INDEX_NAMES: [&str; 8] = [
    "Dxy",
    "C (AUC)",
    "Intercept",
    "Slope",
    "CITL",
    "B (Brier)",
    "Sensitivity",
    "Specificity",
];

/// A score derived in one data set: chosen thresholds, points, cutoff and risk model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Derived {
    /// Index into each candidate's thresholds.
    pub chosen: Vec<usize>,
    /// Points per item (whole numbers unless unrounded).
    pub points: Vec<f64>,
    /// Score ≥ cutoff is positive.
    pub cutoff: f64,
    /// logit P(event) = intercept + slope × score.
    pub model: (f64, f64),
}

impl Patterns {
    /// Run the whole derivation on `agg`; `counts` are the clusters' bootstrap weights (None: each once).
    /// `None` when `derive` would fail on these data (the replicate is left out and counted).
    pub(crate) fn derive(&self, agg: &Agg, counts: Option<&[u32]>) -> Option<Derived> {
        let chosen = self.choose_thresholds(agg, counts)?;
        if self.duplicated(&chosen) {
            return None;
        }
        let x = self.design(&chosen);
        let g = agg.grouped(&x);
        let coefs = self.weight_model(&g)?;
        let sign = self.sign(agg);
        let points = self.points(&coefs, sign)?;
        let score = self.score(&chosen, &points);
        let n1: f64 = agg.e.iter().sum();
        if n1 <= 0.0 || n1 >= agg.w.iter().sum::<f64>() {
            return None;
        }
        let cutoff = youden_cutoff(&score, agg);
        let sx: Vec<Vec<f64>> = score.iter().map(|&s| vec![1.0, s]).collect();
        let risk = agg.grouped(&sx).logistic(50, 30.0)?;
        Some(Derived {
            chosen,
            points,
            cutoff,
            model: (risk.beta[0], risk.beta[1]),
        })
    }

    /// Each searched candidate's threshold: the grid value whose univariable model has the largest |statistic|
    /// (the last of equal ones, as `derive`); fixed candidates keep theirs.
    fn choose_thresholds(&self, agg: &Agg, counts: Option<&[u32]>) -> Option<Vec<usize>> {
        let mut chosen = Vec::with_capacity(self.items.len());
        for (c, item) in self.items.iter().enumerate() {
            if !item.searched {
                chosen.push(0);
                continue;
            }
            let stats: Vec<(usize, f64)> = (0..item.thresholds.len())
                .filter_map(|j| self.search_statistic(agg, counts, c, j).map(|s| (j, s)))
                .collect();
            let best = stats
                .iter()
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
            chosen.push(best.0);
        }
        Some(chosen)
    }

    /// Wald statistic of the univariable model of candidate `c` at grid value `j` (classical, or CR1 by cluster;
    /// Firth: model-based), as `derive`'s search computes it.
    fn search_statistic(
        &self,
        agg: &Agg,
        counts: Option<&[u32]>,
        c: usize,
        j: usize,
    ) -> Option<f64> {
        let x: Vec<Vec<f64>> = self
            .codes
            .iter()
            .map(|code| vec![1.0, self.items[c].ind[usize::from(code[c])][j]])
            .collect();
        let g = agg.grouped(&x);
        let (beta, var) = if self.outcome {
            let f = g.ols()?;
            let var = if self.clustered {
                let fit = g.eta(&f.beta);
                let r = |k: usize| {
                    self.entries.sy[k] - self.entries.n[k] * fit[self.entries.p[k] as usize]
                };
                self.cr1(&f.bread, &x, r, counts, g.n())[(1, 1)]
            } else {
                let df = g.n() - 2.0;
                f.bread[(1, 1)] * g.rss(&f.beta) / df
            };
            (f.beta, var)
        } else if self.firth {
            let f = g.firth()?;
            let v = f.bread[(1, 1)];
            (f.beta, v)
        } else {
            let f = g.logistic(25, f64::INFINITY)?;
            let var = if self.clustered {
                let mu = g.mu(&f.beta);
                let r = |k: usize| {
                    self.entries.e[k] - self.entries.n[k] * mu[self.entries.p[k] as usize]
                };
                self.cr1(&f.bread, &x, r, counts, g.n())[(1, 1)]
            } else {
                f.bread[(1, 1)]
            };
            (f.beta, var)
        };
        let stat = beta[1] / var.sqrt();
        stat.is_finite().then_some(stat)
    }

    /// CR1 (sandwich::vcovCL type HC1) from per-cluster score sums; a cluster drawn k times counts k times.
    fn cr1(
        &self,
        bread: &DMatrix<f64>,
        x: &[Vec<f64>],
        resid: impl Fn(usize) -> f64,
        counts: Option<&[u32]>,
        n: f64,
    ) -> DMatrix<f64> {
        let p = bread.nrows();
        let mut meat = DMatrix::<f64>::zeros(p, p);
        let mut u = vec![0.0; p];
        let mut clusters = 0.0;
        for g in 0..self.entries.offsets.len() - 1 {
            let c = counts.map_or(1.0, |c| f64::from(c[g]));
            if c == 0.0 {
                continue;
            }
            clusters += c;
            u.iter_mut().for_each(|v| *v = 0.0);
            for k in self.entries.offsets[g]..self.entries.offsets[g + 1] {
                let r = resid(k);
                for (ua, xa) in u.iter_mut().zip(&x[self.entries.p[k] as usize]) {
                    *ua += xa * r;
                }
            }
            for a in 0..p {
                for b in 0..p {
                    meat[(a, b)] += c * u[a] * u[b];
                }
            }
        }
        let adjust = clusters / (clusters - 1.0) * (n - 1.0) / (n - p as f64);
        bread * meat * bread * adjust
    }

    /// Two candidates resolved to the same item (`derive` refuses them).
    fn duplicated(&self, chosen: &[usize]) -> bool {
        let key = |c: usize| {
            let i = &self.items[c];
            (
                i.column.as_str(),
                i.op.symbol(),
                i.thresholds[chosen[c]].to_bits(),
            )
        };
        (0..chosen.len()).any(|a| (0..a).any(|b| key(a) == key(b)))
    }

    /// Design rows per pattern: intercept, then each item's indicator at its chosen threshold.
    fn design(&self, chosen: &[usize]) -> Vec<Vec<f64>> {
        self.codes
            .iter()
            .map(|code| {
                std::iter::once(1.0)
                    .chain(
                        self.items
                            .iter()
                            .zip(chosen)
                            .enumerate()
                            .map(|(c, (i, &j))| i.ind[usize::from(code[c])][j]),
                    )
                    .collect()
            })
            .collect()
    }

    /// The items' coefficients in the model the points come from (linear with an outcome, else logistic/Firth).
    fn weight_model(&self, g: &Grouped) -> Option<Vec<f64>> {
        let f = if self.outcome {
            g.ols()?
        } else if self.firth {
            g.firth()?
        } else {
            g.logistic(25, f64::INFINITY)?
        };
        Some(f.beta[1..].to_vec())
    }

    /// +1 / −1: the orientation `derive` gives the points (rule, or outcome means with and without the event).
    fn sign(&self, agg: &Agg) -> f64 {
        if !self.outcome {
            return 1.0;
        }
        if let Some(s) = self.sign_rule {
            return s;
        }
        let (n1, n) = (agg.e.iter().sum::<f64>(), agg.w.iter().sum::<f64>());
        let (s1, s) = (agg.sye.iter().sum::<f64>(), agg.sy.iter().sum::<f64>());
        let (a, b) = (s1 / n1, (s - s1) / (n - n1));
        if n1 > 0.0 && n > n1 && a != b {
            if a > b {
                1.0
            } else {
                -1.0
            }
        } else {
            self.rule_direction
        }
    }

    /// Points = sign × coefficient ÷ |reference coefficient|, rounded (unless unrounded); `None` where `derive`
    /// refuses (reference zero or not estimable, an item beyond ±100 points, a score range beyond 1000).
    fn points(&self, coefs: &[f64], sign: f64) -> Option<Vec<f64>> {
        let reference = match self.reference {
            Some(k) => coefs[k].abs(),
            None => coefs.iter().map(|c| c.abs()).fold(f64::INFINITY, f64::min),
        };
        if !(reference.is_finite() && reference > 0.0)
            || coefs
                .iter()
                .any(|c| !c.is_finite() || (c / reference).abs() > MAX_ITEM_POINTS as f64)
        {
            return None;
        }
        let points: Vec<f64> = coefs
            .iter()
            .map(|c| {
                let r = sign * c / reference;
                match self.rule {
                    PointsRule::Rounded => r.round(),
                    PointsRule::Unrounded => r,
                }
            })
            .collect();
        (points.iter().map(|p| p.abs()).sum::<f64>() <= MAX_SCORE_RANGE as f64).then_some(points)
    }

    /// The score of each pattern.
    pub(crate) fn score(&self, chosen: &[usize], points: &[f64]) -> Vec<f64> {
        self.codes
            .iter()
            .map(|code| {
                self.items
                    .iter()
                    .enumerate()
                    .map(|(c, i)| points[c] * i.ind[usize::from(code[c])][chosen[c]])
                    .sum()
            })
            .collect()
    }

    /// The indices of a derived score on data `agg` (`in_sample`: the data it was derived in, where the
    /// recalibration intercept, slope and CITL are 0, 1 and 0 by construction, as rms::validate sets them).
    pub(crate) fn indices(&self, d: &Derived, agg: &Agg, in_sample: bool) -> Option<[f64; 8]> {
        let score = self.score(&d.chosen, &d.points);
        let lp: Vec<f64> = score.iter().map(|s| d.model.0 + d.model.1 * s).collect();
        let auc = auc(&score, agg)?;
        let (intercept, slope, citl) = if in_sample {
            (0.0, 1.0, 0.0)
        } else {
            let x: Vec<Vec<f64>> = lp.iter().map(|&l| vec![1.0, l]).collect();
            let f = agg.grouped(&x).logistic(50, f64::INFINITY)?;
            (f.beta[0], f.beta[1], offset_intercept(&lp, &agg.w, &agg.e)?)
        };
        let (brier, sens, spec) = accuracy(&score, &lp, d.cutoff, agg);
        let out = [
            2.0 * auc - 1.0,
            auc,
            intercept,
            slope,
            citl,
            brier,
            sens,
            spec,
        ];
        out.iter().all(|v| v.is_finite()).then_some(out)
    }
}

/// Score levels with their events and non-events, ascending (patterns without rows left out).
fn levels(score: &[f64], agg: &Agg) -> Vec<(f64, f64, f64)> {
    let mut v: Vec<(f64, f64, f64)> = score
        .iter()
        .zip(agg.w.iter().zip(&agg.e))
        .filter(|(_, (&w, _))| w > 0.0)
        .map(|(&s, (&w, &e))| (s, e, w - e))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64, f64)> = Vec::new();
    for (s, e, c) in v {
        match out.last_mut() {
            Some(l) if l.0 == s => {
                l.1 += e;
                l.2 += c;
            }
            _ => out.push((s, e, c)),
        }
    }
    out
}

/// P(score of an event > score of a non-event) + ½ P(equal) (pROC's AUC, direction "<").
fn auc(score: &[f64], agg: &Agg) -> Option<f64> {
    let lv = levels(score, agg);
    let (n1, n0) = lv.iter().fold((0.0, 0.0), |a, l| (a.0 + l.1, a.1 + l.2));
    if n1 <= 0.0 || n0 <= 0.0 {
        return None;
    }
    let mut below = 0.0;
    let mut sum = 0.0;
    for &(_, e, c) in &lv {
        sum += e * (below + 0.5 * c);
        below += c;
    }
    Some(sum / (n1 * n0))
}

/// The Youden cutoff as `derive` chooses it: over pROC's thresholds (−∞, midpoints, +∞) in ascending order the
/// first maximum of sensitivity + specificity, as the lowest observed level at or above it.
pub(crate) fn youden_cutoff(score: &[f64], agg: &Agg) -> f64 {
    let lv = levels(score, agg);
    let (n1, n0) = lv.iter().fold((0.0, 0.0), |a, l| (a.0 + l.1, a.1 + l.2));
    let (mut cases_neg, mut controls_neg) = (0.0, 0.0);
    let mut best = (f64::NEG_INFINITY, lv[0].0);
    for &(s, e, c) in &lv {
        let j = (n1 - cases_neg) / n1 + controls_neg / n0;
        if j > best.0 {
            best = (j, s);
        }
        cases_neg += e;
        controls_neg += c;
    }
    // +∞: sensitivity 0, specificity 1.
    let top = 1.0;
    if top > best.0 {
        best.1 = lv[lv.len() - 1].0;
    }
    best.1
}

/// Brier score of the risks, and sensitivity and specificity of score ≥ cutoff.
fn accuracy(score: &[f64], lp: &[f64], cutoff: f64, agg: &Agg) -> (f64, f64, f64) {
    let (mut sq, mut n, mut n1, mut tp, mut tn) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for k in 0..score.len() {
        let (w, e) = (agg.w[k], agg.e[k]);
        let p = 1.0 / (1.0 + (-lp[k]).exp());
        sq += e * (1.0 - p).powi(2) + (w - e) * p * p;
        n += w;
        n1 += e;
        if score[k] >= cutoff {
            tp += e;
        } else {
            tn += w - e;
        }
    }
    (sq / n, tp / n1, tn / (n - n1))
}
