//! Outcome by score level: polars groups the rows by score (each level's rows and events) and hands back each
//! level's outcome values as one contiguous slice; their mean and SD stay in Rust ([`mean_sd`]), so that every
//! digit is the same at any thread count.

use polars::prelude::*;

use crate::derive::Interval;
use crate::validate::{mean_sd, ScoreLevel};
use crate::RiskModel;
use calcscore_stats::diagnostic::{binomial_ci, CiMethod};

const SCORE: &str = "score";
const N: &str = "n";
const EVENTS: &str = "events";
const OUTCOME: &str = "outcome";

/// The observed score levels of some rows, grouped by polars: one row per level, ascending.
#[derive(Debug, Clone)]
pub struct ScoreGroups {
    /// `score` (Int64), `n` and `events` (UInt64), and with an outcome `outcome`: each level's values in row order.
    frame: DataFrame,
}

impl ScoreGroups {
    /// Group `rows` by `score` (whole numbers): a polars `group_by` with the rows (`len`) and events (sum of the
    /// boolean `event`) of each level, and the level's `outcome` values when given.
    pub fn new(
        rows: LazyFrame,
        score: Expr,
        event: Expr,
        outcome: Option<Expr>,
    ) -> PolarsResult<Self> {
        let mut aggs = vec![
            len().cast(DataType::UInt64).alias(N),
            event.sum().cast(DataType::UInt64).alias(EVENTS),
        ];
        // Within a group polars keeps the rows' order, so each level's values are summed as they always were.
        aggs.extend(outcome.map(|y| y.alias(OUTCOME)));
        let frame = rows
            .group_by([score.cast(DataType::Int64).alias(SCORE)])
            .agg(aggs)
            .sort([SCORE], SortMultipleOptions::default())
            .collect()?;
        Ok(Self { frame })
    }

    /// The observed levels, ascending.
    pub fn observed(&self) -> PolarsResult<Vec<i64>> {
        Ok(self.frame.column(SCORE)?.i64()?.iter().flatten().collect())
    }

    /// Outcome by level over `range`, in its order (a level without rows has n = 0): rows, events with the
    /// observed proportion (exact CI), mean and SD of the outcome, and the risk model's prediction.
    pub fn levels(
        &self,
        range: &[i64],
        model: Option<&RiskModel>,
        level: f64,
    ) -> PolarsResult<Vec<ScoreLevel>> {
        let keys: Vec<Option<i64>> = self.frame.column(SCORE)?.i64()?.iter().collect();
        let n = self.frame.column(N)?.u64()?;
        let events = self.frame.column(EVENTS)?.u64()?;
        let outcome = match self.frame.column(OUTCOME) {
            Ok(c) => Some(c.list()?),
            Err(_) => None,
        };
        range
            .iter()
            .map(|&k| {
                let Ok(row) = keys.binary_search(&Some(k)) else {
                    return Ok(score_level(k, (0, 0), &[], model, level));
                };
                let counts = (count(n, row), count(events, row));
                match outcome.and_then(|l| l.get_as_series(row)) {
                    Some(y) => Ok(score_level(k, counts, y.f64()?.cont_slice()?, model, level)),
                    None => Ok(score_level(k, counts, &[], model, level)),
                }
            })
            .collect()
    }
}

fn count(c: &UInt64Chunked, row: usize) -> usize {
    c.get(row).unwrap_or(0) as usize
}

/// One level: `counts` = (rows, events), `y` its outcome values (empty without an outcome).
fn score_level(
    k: i64,
    (n, events): (usize, usize),
    y: &[f64],
    model: Option<&RiskModel>,
    level: f64,
) -> ScoreLevel {
    let (mean, sd) = mean_sd(y);
    let observed = (n > 0).then(|| {
        let (lo, hi) = binomial_ci(events, n, CiMethod::Exact, level);
        Interval {
            estimate: events as f64 / n as f64,
            conf_low: lo,
            conf_high: hi,
        }
    });
    ScoreLevel {
        score: k,
        n,
        mean,
        sd,
        events,
        observed,
        predicted: model.map(|m| m.probability(k as f64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written scan this replaces: every row compared with every level.
    fn scan(range: &[i64], s: &[f64], e: &[bool], y: &[f64]) -> Vec<ScoreLevel> {
        range
            .iter()
            .map(|&k| {
                let at: Vec<usize> = (0..s.len()).filter(|&i| s[i] == k as f64).collect();
                let ev = at.iter().filter(|&&i| e[i]).count();
                let v: Vec<f64> = at.iter().map(|&i| y[i]).collect();
                score_level(k, (at.len(), ev), &v, None, 0.95)
            })
            .collect()
    }

    fn groups(s: &[f64], e: &[bool], y: &[f64]) -> ScoreGroups {
        let df = df!("s" => s, "e" => e, "y" => y).unwrap();
        ScoreGroups::new(df.lazy(), col("s"), col("e"), Some(col("y"))).unwrap()
    }

    #[test]
    fn levels_match_the_row_scan_digit_for_digit() {
        // Values whose sum depends on the order of addition: the rows' order must be kept within a level.
        let s = [2.0, 0.0, 2.0, 2.0, 5.0, 0.0, 2.0, -0.0];
        let e = [true, false, false, true, true, false, true, true];
        let y = [1e16, 3.0, 1.0, -1e16, 7.5, 0.1, 1.0, 0.2];
        let range: Vec<i64> = (-1..=6).collect();
        let got = groups(&s, &e, &y).levels(&range, None, 0.95).unwrap();
        assert_eq!(got, scan(&range, &s, &e, &y));
        assert_eq!(got[3].mean, Some((1e16 + 1.0 - 1e16 + 1.0) / 4.0));
        assert_eq!(groups(&s, &e, &y).observed().unwrap(), vec![0, 2, 5]);
    }

    #[test]
    fn large_input_matches_the_row_scan() {
        let n = 200_000;
        let s: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64).collect();
        let e: Vec<bool> = (0..n).map(|i| (i * 31) % 5 == 0).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| (i as f64 * 0.37).sin() * 1e3 + 0.1)
            .collect();
        let range: Vec<i64> = (0..=14).collect();
        let got = groups(&s, &e, &y).levels(&range, None, 0.95).unwrap();
        assert_eq!(got, scan(&range, &s, &e, &y));
    }

    #[test]
    fn no_rows_and_no_outcome_give_empty_levels() {
        let df = df!("s" => Vec::<f64>::new(), "e" => Vec::<bool>::new()).unwrap();
        let g = ScoreGroups::new(df.lazy(), col("s"), col("e"), None).unwrap();
        let got = g.levels(&[0, 1], None, 0.95).unwrap();
        assert_eq!(got, scan(&[0, 1], &[], &[], &[]));
        let df = df!("s" => [1.0, 1.0], "e" => [true, false]).unwrap();
        let g = ScoreGroups::new(df.lazy(), col("s"), col("e"), None).unwrap();
        let got = g.levels(&[1], None, 0.95).unwrap();
        assert_eq!((got[0].n, got[0].events, got[0].mean), (2, 1, None));
    }
}
