//! Percentile bootstrap by resampling clusters (patients) with replacement, parallel and deterministic:
//! replicate r draws from ChaCha8 seeded from (seed, r), and results are collected in replicate order,
//! so the intervals do not depend on the number of threads.

use calcscore_core::random;
use rayon::prelude::*;
use serde::Serialize;

use super::calibration::quantile7_sorted;

/// A percentile interval of one bootstrapped statistic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootInterval {
    /// Statistic name.
    pub term: String,
    /// Lower percentile limit.
    pub conf_low: f64,
    /// Upper percentile limit.
    pub conf_high: f64,
    /// Standard deviation of the replicates.
    pub std_error: f64,
}

/// What a bootstrap did, with its intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bootstrap {
    /// Replicates asked.
    pub replicates: usize,
    /// Replicates whose statistics could not be computed (left out of the intervals).
    pub failed: usize,
    /// Seed.
    pub seed: u64,
    /// Resampled unit: "cluster" or "row".
    pub unit: String,
    /// Clusters (or rows) resampled.
    pub n_units: usize,
    /// Percentile intervals (R's quantile type 7 of the replicates), one per statistic.
    pub intervals: Vec<BootInterval>,
}

/// Rows of each cluster, from a cluster index per row (0..G), or one row per unit without clusters.
pub fn units(n: usize, cluster: Option<&[usize]>) -> Vec<Vec<usize>> {
    match cluster {
        None => (0..n).map(|i| vec![i]).collect(),
        Some(ids) => {
            let g = ids.iter().max().map_or(0, |m| m + 1);
            let mut out = vec![Vec::new(); g];
            for (i, &c) in ids.iter().enumerate() {
                out[c].push(i);
            }
            out.retain(|v| !v.is_empty());
            out
        }
    }
}

/// Bootstrap `stat` (named by `names`) over resampled units; `stat` gets the resampled row indices and
/// returns one value per name, or `None` when undefined in that replicate.
pub fn percentile_bootstrap<F>(
    units: &[Vec<usize>],
    clustered: bool,
    replicates: usize,
    seed: u64,
    level: f64,
    names: &[&str],
    stat: F,
) -> Bootstrap
where
    F: Fn(&[usize]) -> Option<Vec<f64>> + Sync,
{
    let g = units.len();
    let draws: Vec<Option<Vec<f64>>> = (0..replicates as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = random::replicate(seed, r);
            let rows: Vec<usize> = (0..g)
                .flat_map(|_| units[random::index(&mut rng, g)].iter().copied())
                .collect();
            stat(&rows).filter(|v| v.len() == names.len() && v.iter().all(|x| x.is_finite()))
        })
        .collect();
    let ok: Vec<&Vec<f64>> = draws.iter().flatten().collect();
    let intervals = names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut v: Vec<f64> = ok.iter().map(|d| d[k]).collect();
            v.sort_by(f64::total_cmp);
            interval(name, &v, level)
        })
        .collect();
    Bootstrap {
        replicates,
        failed: replicates - ok.len(),
        seed,
        unit: if clustered { "cluster" } else { "row" }.into(),
        n_units: g,
        intervals,
    }
}

/// Percentile limits and SD of sorted replicates (NaN when fewer than two).
fn interval(name: &str, v: &[f64], level: f64) -> BootInterval {
    if v.len() < 2 {
        return BootInterval {
            term: name.into(),
            conf_low: f64::NAN,
            conf_high: f64::NAN,
            std_error: f64::NAN,
        };
    }
    let a = (1.0 - level) / 2.0;
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt();
    BootInterval {
        term: name.into(),
        conf_low: quantile7_sorted(v, a),
        conf_high: quantile7_sorted(v, 1.0 - a),
        std_error: sd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_group_rows_by_cluster() {
        assert_eq!(units(3, None), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(units(4, Some(&[1, 0, 1, 0])), vec![vec![1, 3], vec![0, 2]]);
    }

    #[test]
    fn mean_of_a_constant_has_a_degenerate_interval() {
        let u = units(5, None);
        let b = percentile_bootstrap(&u, false, 50, 1, 0.95, &["mean"], |rows| {
            Some(vec![rows.len() as f64])
        });
        assert_eq!(
            (b.intervals[0].conf_low, b.intervals[0].conf_high),
            (5.0, 5.0)
        );
        assert_eq!(b.failed, 0);
    }
}
