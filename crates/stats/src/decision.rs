//! Decision curve analysis (Vickers & Elkin 2006) with Python `dcurves`' conventions: a patient is
//! treated when the predicted risk is ≥ the threshold pt, and NB = TP/n − FP/n · pt/(1 − pt).

use serde::Serialize;

use super::StatsError;

/// Net benefit of one strategy at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DecisionPoint {
    /// Threshold probability pt.
    pub threshold: f64,
    /// True positives / n.
    pub tp_rate: f64,
    /// False positives / n.
    pub fp_rate: f64,
    /// TP/n − FP/n · pt/(1 − pt).
    pub net_benefit: f64,
    /// Net benefit ÷ prevalence.
    pub standardized_net_benefit: f64,
    /// (NB − NB of treat-all) ÷ (pt/(1 − pt)): net interventions avoided per patient (dcurves, nper = 1).
    pub net_intervention_avoided: f64,
}

/// The decision curve of a model with the treat-all and treat-none references.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionCurve {
    /// Observations.
    pub n: usize,
    /// Events / n.
    pub prevalence: f64,
    /// The model (treat when risk ≥ pt).
    pub model: Vec<DecisionPoint>,
    /// Treat everyone.
    pub all: Vec<DecisionPoint>,
    /// Treat no one.
    pub none: Vec<DecisionPoint>,
}

/// A checked grid of thresholds in [0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds(Vec<f64>);

impl Thresholds {
    /// Parse `FROM:TO:BY` (e.g. `0.01:0.99:0.01`) or a comma list; each threshold must lie in [0, 1).
    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let bad = |why: &str| format!("thresholds '{text}': {why}");
        let parts: Vec<&str> = text.split(':').collect();
        let values: Vec<f64> = if parts.len() == 3 {
            let nums: Vec<f64> = parts
                .iter()
                .map(|s| s.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| bad("FROM:TO:BY must be three numbers"))?;
            let (from, to, by) = (nums[0], nums[1], nums[2]);
            if !(by > 0.0 && to >= from && ((to - from) / by) < 1e6) {
                return Err(bad("needs BY > 0 and TO >= FROM (at most 10^6 thresholds)"));
            }
            let steps = ((to - from) / by + 1e-9).floor() as usize;
            // Rounded to 12 decimals so 0.07 is the double nearest 0.07, as 7/100 in a script.
            (0..=steps)
                .map(|k| ((from + k as f64 * by) * 1e12).round() / 1e12)
                .collect()
        } else if parts.len() == 1 {
            text.split(',')
                .map(|s| s.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| bad("expected FROM:TO:BY or a comma-separated list of numbers"))?
        } else {
            return Err(bad("expected FROM:TO:BY or a comma-separated list"));
        };
        if let Some(v) = values.iter().find(|v| !(**v >= 0.0 && **v < 1.0)) {
            return Err(bad(&format!("{v} is outside [0, 1)")));
        }
        Ok(Thresholds(values))
    }

    /// The thresholds.
    pub fn values(&self) -> &[f64] {
        &self.0
    }
}

/// Decision curve of risks `p` against outcomes `y` over the thresholds.
pub fn decision_curve(
    p: &[f64],
    y: &[bool],
    thresholds: &Thresholds,
) -> Result<DecisionCurve, StatsError> {
    let n = p.len();
    if n == 0 || n != y.len() {
        return Err(StatsError::TooFew {
            what: "decision curve".into(),
            n,
            needed: 1,
        });
    }
    if let Some(bad) = p.iter().find(|v| !(**v >= 0.0 && **v <= 1.0)) {
        return Err(StatsError::Undefined(format!(
            "predicted risks must lie in [0, 1] (found {bad})"
        )));
    }
    let events = y.iter().filter(|&&v| v).count();
    let prevalence = events as f64 / n as f64;
    // dcurves moves risks of exactly 0 and 1 just outside [0, 1]; treat-all is risk 1, treat-none 0.
    let nudge = |v: f64| {
        if v == 0.0 {
            -f64::EPSILON
        } else if v == 1.0 {
            1.0 + f64::EPSILON
        } else {
            v
        }
    };
    let curve = |risk: &dyn Fn(usize) -> f64| -> Vec<(f64, f64, f64)> {
        let treated = TreatedCounts::new((0..n).map(|i| (nudge(risk(i)), y[i])));
        thresholds
            .values()
            .iter()
            .map(|&t| {
                let (tp, fp) = treated.at(t);
                (t, tp as f64 / n as f64, fp as f64 / n as f64)
            })
            .collect()
    };
    let all = curve(&|_| 1.0);
    let finish = |raw: Vec<(f64, f64, f64)>| -> Vec<DecisionPoint> {
        raw.iter()
            .zip(&all)
            .map(|(&(t, tp, fp), &(_, tpa, fpa))| {
                let odds = t / (1.0 - t);
                let nb = tp - odds * fp;
                let nb_all = tpa - odds * fpa;
                DecisionPoint {
                    threshold: t,
                    tp_rate: tp,
                    fp_rate: fp,
                    net_benefit: nb,
                    standardized_net_benefit: nb / prevalence,
                    net_intervention_avoided: (nb - nb_all) / odds,
                }
            })
            .collect()
    };
    Ok(DecisionCurve {
        n,
        prevalence,
        model: finish(curve(&|i| p[i])),
        all: finish(all.clone()),
        none: finish(curve(&|_| 0.0)),
    })
}

/// Risks sorted once, with the events among the risks from each position up: the true and false positives at a
/// threshold are then read off by binary search instead of a pass over the rows.
struct TreatedCounts {
    /// Risks, ascending.
    risk: Vec<f64>,
    /// `events_from[k]`: events among `risk[k..]` (one more entry, 0, at the end).
    events_from: Vec<usize>,
}

impl TreatedCounts {
    fn new(rows: impl Iterator<Item = (f64, bool)>) -> TreatedCounts {
        let mut rows: Vec<(f64, bool)> = rows.collect();
        rows.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut events_from = vec![0usize; rows.len() + 1];
        for k in (0..rows.len()).rev() {
            events_from[k] = events_from[k + 1] + usize::from(rows[k].1);
        }
        TreatedCounts {
            risk: rows.into_iter().map(|r| r.0).collect(),
            events_from,
        }
    }

    /// (events, non-events) with risk ≥ `t`.
    fn at(&self, t: f64) -> (usize, usize) {
        let k = self.risk.partition_point(|&r| r < t);
        let tp = self.events_from[k];
        (tp, self.risk.len() - k - tp)
    }
}

/// Net benefit of a fixed strategy (treat the `positive` patients, e.g. score ≥ a cutoff) at each
/// threshold: a 0/1 risk column to dcurves.
pub fn strategy_curve(
    positive: &[bool],
    y: &[bool],
    thresholds: &Thresholds,
) -> Result<Vec<DecisionPoint>, StatsError> {
    let risk: Vec<f64> = positive.iter().map(|&t| f64::from(u8::from(t))).collect();
    Ok(decision_curve(&risk, y, thresholds)?.model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_rounded_and_checked() {
        let t = Thresholds::parse("0.01:0.05:0.01").unwrap();
        assert_eq!(t.values(), &[0.01, 0.02, 0.03, 0.04, 0.05]);
        assert!(Thresholds::parse("0.5:1:0.5").is_err());
        assert!(Thresholds::parse("0.1,0.2").is_ok());
    }

    #[test]
    fn counts_equal_a_pass_over_the_rows_at_each_threshold() {
        let p = [0.0, 0.3, 0.3, 0.5, 0.7, 1.0, 0.3, 0.05];
        let y = [false, true, false, true, false, true, true, false];
        let t = Thresholds::parse("0:0.95:0.05").unwrap();
        let d = decision_curve(&p, &y, &t).unwrap();
        for (k, &th) in t.values().iter().enumerate() {
            // Risk 0 counts as -EPSILON and 1 as 1 + EPSILON (dcurves): only the risk-0 row is never treated.
            let treated = |event: bool| {
                (0..p.len())
                    .filter(|&i| y[i] == event && p[i] > 0.0 && (p[i] >= th || p[i] == 1.0))
                    .count() as f64
                    / 8.0
            };
            assert_eq!(d.model[k].tp_rate, treated(true), "threshold {th}");
            assert_eq!(d.model[k].fp_rate, treated(false), "threshold {th}");
            assert_eq!((d.all[k].tp_rate, d.all[k].fp_rate), (0.5, 0.5));
            assert_eq!((d.none[k].tp_rate, d.none[k].fp_rate), (0.0, 0.0));
        }
        // At 0.3 the three rows at 0.3 (two events) and those above (0.5, 0.7, 1.0: two events) are treated.
        let k = t.values().iter().position(|&v| v == 0.3).unwrap();
        assert_eq!(
            (d.model[k].tp_rate, d.model[k].fp_rate),
            (4.0 / 8.0, 2.0 / 8.0)
        );
    }

    #[test]
    fn hand_computed_net_benefit() {
        // 4 patients, risks .1 .4 .6 .9, events at .4 and .9; pt = 0.5: TP = 1, FP = 1 → NB = 1/4 − 1/4 = 0.
        let t = Thresholds::parse("0.5").unwrap();
        let d = decision_curve(&[0.1, 0.4, 0.6, 0.9], &[false, true, false, true], &t).unwrap();
        assert!((d.model[0].net_benefit - 0.0).abs() < 1e-15);
        // treat all: 2/4 − 2/4 · 1 = 0; interventions avoided (0 − 0)/1 = 0.
        assert!(d.all[0].net_benefit.abs() < 1e-15);
    }
}
