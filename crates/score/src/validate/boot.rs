//! The replicates of `validate --bootstrap` without sorting: each row is coded by its item pattern and event, so
//! a replicate's X'X, tie groups and placement values come from integer counts per code, and only the sums the
//! row-by-row code adds in row order (X'y, Σ placements, Σ score, Σ y, Sxx, Sxy) are still added row by row, in the
//! same order. The numbers are therefore the same, bit for bit, as [`super::replicate`]'s.

use std::collections::HashMap;
use std::sync::Mutex;

use calcscore_core::random;
use nalgebra::{DMatrix, DVector};

use super::{derive_points, linear_solve, round_points, BootData};
use calcscore_stats::roc::{level_placements, Direction};

/// Most distinct item patterns coded (beyond, the row-by-row replicates are used).
const MAX_PATTERNS: usize = 1 << 12;

/// A replicate's AUC and slope (`None`: undefined), as `performance` returns them.
type Perf = Option<(f64, Option<f64>)>;

/// The bootstrap rows coded by pattern and event, in row order and cluster by cluster.
pub(super) struct Coded {
    /// Columns of the design: the intercept and the items.
    p: usize,
    /// `[1, items…]` of each pattern, one after the other (the values of its rows bit for bit).
    patterns: Vec<f64>,
    /// pattern × 2 + event of each row, in row order.
    code: Vec<u16>,
    /// The continuous outcome in row order (zeros without one).
    y: Vec<f64>,
    /// (y, code) of the rows cluster by cluster (cluster c at `offsets[c]..offsets[c + 1]`, its rows in their
    /// order): a drawn cluster's rows are one cache line or two.
    cl_rows: Vec<(f64, u16)>,
    /// Start of each cluster in `cl_rows`, and the end.
    offsets: Vec<usize>,
    /// Rows of each code over all rows.
    all_counts: Vec<usize>,
    /// Σ y over all rows, in row order.
    all_sum_y: f64,
    /// Performance on all rows of the points seen so far (a pure function of the points).
    memo: Mutex<HashMap<Vec<u64>, Perf>>,
}

/// A replicate's drawn clusters and their rows' codes and outcomes in order, kept from replicate to replicate.
#[derive(Default)]
pub(super) struct Buffers {
    draws: Vec<usize>,
    code: Vec<u16>,
    y: Vec<f64>,
}

/// What a replicate's rows sum to: rows per code, X'y and Σ y (added in row order).
struct Moments {
    counts: Vec<usize>,
    xty: Vec<f64>,
    sum_y: f64,
}

/// The value `Iterator::sum` starts from for f64 (so that sums folded here equal the row-by-row `sum()`s).
fn sum_start() -> f64 {
    std::iter::empty::<f64>().sum()
}

impl Coded {
    /// Code the rows of `d`; `None` when an item value is not exactly 0 or 1 or there are too many patterns.
    pub(super) fn new(d: &BootData) -> Option<Coded> {
        let n = d.event.len();
        let k = d.items.first()?.len();
        if k > 63 {
            return None;
        }
        let mut index: HashMap<u64, u16> = HashMap::new();
        let mut patterns: Vec<f64> = Vec::new();
        let mut code = Vec::with_capacity(n);
        for (items, &event) in d.items.iter().zip(&d.event) {
            if items.len() != k {
                return None;
            }
            let mut mask = 0u64;
            for (j, &x) in items.iter().enumerate() {
                match x.to_bits() {
                    b if b == 1f64.to_bits() => mask |= 1 << j,
                    b if b == 0f64.to_bits() => {}
                    _ => return None,
                }
            }
            let next = u16::try_from(index.len()).ok()?;
            let p = *index.entry(mask).or_insert_with(|| {
                patterns.push(1.0);
                patterns.extend_from_slice(items);
                next
            });
            if index.len() > MAX_PATTERNS {
                return None;
            }
            code.push(p * 2 + u16::from(event));
        }
        let mut all_counts = vec![0usize; index.len() * 2];
        code.iter().for_each(|&c| all_counts[c as usize] += 1);
        let y = d.y.clone().unwrap_or_else(|| vec![0.0; n]);
        let (cl_rows, offsets) = cluster_layout(d, &code, &y);
        let all_sum_y =
            d.y.as_ref()
                .map_or(0.0, |y| (0..n).map(|i| y[i]).sum::<f64>());
        Some(Coded {
            p: k + 1,
            patterns,
            code,
            y,
            cl_rows,
            offsets,
            all_counts,
            all_sum_y,
            memo: Mutex::new(HashMap::new()),
        })
    }

    /// Replicate r, equal to [`super::replicate`]: the same clusters drawn, the same points derived, the same AUC
    /// and slope on the resample and on all rows.
    pub(super) fn replicate(&self, d: &BootData, seed: u64, r: u64, buf: &mut Buffers) -> Perf {
        let mut rng = random::replicate(seed, r);
        let g = d.clusters.len();
        buf.draws.clear();
        buf.draws.extend((0..g).map(|_| random::index(&mut rng, g)));
        self.gather(buf);
        let with_y = d.y.is_some();
        let m = self.moments(&buf.code, &buf.y, with_y);
        let points = if with_y {
            let xtx = self.cross_products(&m.counts);
            round_points(&linear_solve(xtx, DVector::from_vec(m.xty))?, d.sign)?
        } else {
            let sample: Vec<usize> = (buf.draws.iter())
                .flat_map(|&c| d.clusters[c].iter().copied())
                .collect();
            derive_points(d, &sample)?
        };
        let (ab, sb) = self.performance(&buf.code, &buf.y, &m.counts, m.sum_y, &points, with_y)?;
        let (ao, so) = self.on_all_rows(&points, with_y)?;
        Some((ab - ao, sb.zip(so).map(|(b, o)| b - o)))
    }

    /// The codes and outcomes of the drawn clusters' rows, in the order the row-by-row replicate lists them.
    fn gather(&self, buf: &mut Buffers) {
        buf.code.clear();
        buf.y.clear();
        for &c in &buf.draws {
            let range = self.offsets[c]..self.offsets[c + 1];
            for &(y, code) in &self.cl_rows[range] {
                buf.code.push(code);
                buf.y.push(y);
            }
        }
    }

    /// Rows per code, and with a continuous outcome X'y and Σ y, added in row order.
    fn moments(&self, code: &[u16], y: &[f64], with_y: bool) -> Moments {
        let p = self.p;
        let mut counts = vec![0usize; self.all_counts.len()];
        let mut xty = vec![0.0; p];
        let mut sum_y = sum_start();
        if with_y {
            for (&c, &y) in code.iter().zip(y) {
                counts[c as usize] += 1;
                let row = &self.patterns[(c >> 1) as usize * p..][..p];
                for (s, x) in xty.iter_mut().zip(row) {
                    *s += x * y;
                }
                sum_y += y;
            }
        } else {
            code.iter().for_each(|&c| counts[c as usize] += 1);
        }
        Moments { counts, xty, sum_y }
    }

    /// X'X (upper triangle) of rows with these counts per code: sums of 0/1 products, so integer counts.
    fn cross_products(&self, counts: &[usize]) -> DMatrix<f64> {
        let p = self.p;
        let mut xtx = DMatrix::<f64>::zeros(p, p);
        for (pat, row) in self.patterns.chunks_exact(p).enumerate() {
            let n = counts[2 * pat] + counts[2 * pat + 1];
            for a in 0..p {
                for b in a..p {
                    if row[a] == 1.0 && row[b] == 1.0 {
                        xtx[(a, b)] += n as f64;
                    }
                }
            }
        }
        xtx
    }

    /// Performance of `points` on all rows, computed once per distinct points.
    fn on_all_rows(&self, points: &[f64], with_y: bool) -> Perf {
        let key: Vec<u64> = points.iter().map(|p| p.to_bits()).collect();
        if let Some(v) = self.memo.lock().ok().and_then(|m| m.get(&key).copied()) {
            return v;
        }
        let (code, y) = (&self.code, &self.y);
        let v = self.performance(code, y, &self.all_counts, self.all_sum_y, points, with_y);
        if let Ok(mut m) = self.memo.lock() {
            m.insert(key, v);
        }
        v
    }

    /// AUC (and with a continuous outcome the slope of y on the score) of `points` over rows with these codes and
    /// outcomes, as `performance` computes them: ties and placements from the counts, sums in row order (Σ score
    /// from the counts when that sum is exact in any order). A control adds 0 to the sum of case placements.
    fn performance(
        &self,
        code: &[u16],
        y: &[f64],
        counts: &[usize],
        sum_y: f64,
        points: &[f64],
        with_y: bool,
    ) -> Perf {
        let score: Vec<f64> = (self.patterns.chunks_exact(self.p))
            .map(|row| row[1..].iter().zip(points).map(|(a, b)| a * b).sum())
            .collect();
        let place = case_placements(&score, counts)?;
        let by_code = |f: &dyn Fn(usize, bool) -> f64| -> Vec<f64> {
            (0..counts.len()).map(|c| f(c >> 1, c & 1 == 1)).collect()
        };
        let place = by_code(&|p, case| if case { place[p] } else { 0.0 });
        let n1: usize = counts.iter().skip(1).step_by(2).sum();
        if !with_y {
            let sum_place = (code.iter()).fold(sum_start(), |a, &c| a + place[c as usize]);
            return Some((sum_place / n1 as f64, None));
        }
        let s = by_code(&|p, _| score[p]);
        let sum_s = exact_sum(&score, counts)
            .unwrap_or_else(|| code.iter().fold(sum_start(), |a, &c| a + s[c as usize]));
        let n = code.len() as f64;
        let (ms, my) = (sum_s / n, sum_y / n);
        let (mut sum_place, mut sxx, mut sxy) = (sum_start(), sum_start(), sum_start());
        for (&c, &y) in code.iter().zip(y) {
            let (c, v) = (c as usize, s[c as usize]);
            sum_place += place[c];
            sxx += (v - ms).powi(2);
            sxy += (v - ms) * (y - my);
        }
        let auc = sum_place / n1 as f64;
        (sxx > 0.0).then_some((auc, Some(sxy / sxx)))
    }
}

/// Σ score over rows with these counts per code when every partial sum, in any order, is an integer below 2^53 (so
/// the row-order float sum is exactly this total); `None` otherwise, or when the total is 0 (sign of zero).
fn exact_sum(score: &[f64], counts: &[usize]) -> Option<f64> {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    let (mut total, mut bound) = (0i128, 0.0f64);
    for (p, &s) in score.iter().enumerate() {
        let n = counts[2 * p] + counts[2 * p + 1];
        if n == 0 {
            continue;
        }
        if s.fract() != 0.0 || s.abs() > LIMIT {
            return None;
        }
        total += s as i128 * n as i128;
        bound += s.abs() * n as f64;
    }
    (bound < LIMIT / 2.0 && total != 0).then_some(total as f64)
}

/// The codes and outcomes of the rows cluster by cluster, and where each cluster starts.
fn cluster_layout(d: &BootData, code: &[u16], y: &[f64]) -> (Vec<(f64, u16)>, Vec<usize>) {
    let mut rows_out = Vec::with_capacity(code.len());
    let mut offsets = Vec::with_capacity(d.clusters.len() + 1);
    offsets.push(0);
    for rows in &d.clusters {
        for &i in rows {
            rows_out.push((y[i], code[i]));
        }
        offsets.push(rows_out.len());
    }
    (rows_out, offsets)
}

/// Each pattern's case placement value (share of controls its score beats, ties half) for rows with these counts
/// per code, as `Roc::new` gives it; `None` when a class is empty or a present score is not finite.
fn case_placements(score: &[f64], counts: &[usize]) -> Option<Vec<f64>> {
    let present: Vec<usize> = (0..score.len())
        .filter(|&p| counts[2 * p] + counts[2 * p + 1] > 0)
        .collect();
    let cases: usize = present.iter().map(|&p| counts[2 * p + 1]).sum();
    let controls: usize = present.iter().map(|&p| counts[2 * p]).sum();
    if cases == 0 || controls == 0 || present.iter().any(|&p| !score[p].is_finite()) {
        return None;
    }
    let mut order = present;
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    // Tie groups: equal scores (-0 and 0 too) are one group, as in `Roc::new`.
    let mut ties: Vec<(usize, usize)> = Vec::new();
    let mut group = vec![0usize; score.len()];
    let mut last = f64::NAN;
    for &p in &order {
        if ties.is_empty() || score[p] != last {
            ties.push((0, 0));
            last = score[p];
        }
        let k = ties.len() - 1;
        ties[k].0 += counts[2 * p + 1];
        ties[k].1 += counts[2 * p];
        group[p] = k;
    }
    let (case_place, _) = level_placements(&ties, Direction::ControlsLess);
    Some(group.iter().map(|&k| case_place[k]).collect())
}

#[cfg(test)]
mod tests {
    use super::super::{performance, replicate};
    use super::*;
    use rand::RngExt;

    /// Six rows in four clusters (one with three rows), two items, scores tied across patterns.
    fn example(y: bool) -> BootData {
        BootData {
            items: vec![
                vec![1.0, 0.0],
                vec![0.0, 1.0],
                vec![1.0, 1.0],
                vec![0.0, 0.0],
                vec![1.0, 0.0],
                vec![0.0, 1.0],
            ],
            y: y.then(|| vec![1.5, 2.0, 4.25, 0.5, 3.0, 1.0]),
            event: vec![true, false, true, false, false, true],
            clusters: vec![vec![0, 1], vec![2], vec![3, 4, 5]],
            clustered: true,
            sign: 1.0,
        }
    }

    #[test]
    fn coded_auc_equals_the_row_by_row_auc_with_ties_and_repeated_clusters() {
        let d = example(false);
        let c = Coded::new(&d).unwrap();
        // Clusters 2, 0, 2: rows 3, 4, 5, 0, 1, 3, 4, 5. Points (1, 1): scores 0, 1, 1, 1, 1, 0, 1, 1.
        let draws = [2, 0, 2];
        let rows: Vec<usize> = draws
            .iter()
            .flat_map(|&k| d.clusters[k].iter().copied())
            .collect();
        let points = [1.0, 1.0];
        let mut buf = Buffers {
            draws: draws.to_vec(),
            ..Buffers::default()
        };
        c.gather(&mut buf);
        assert_eq!(buf.code.len(), rows.len());
        let m = c.moments(&buf.code, &buf.y, false);
        let coded = c.performance(&buf.code, &buf.y, &m.counts, m.sum_y, &points, false);
        // Cases: rows 5, 0, 5 (score 1); controls: rows 3, 4, 1, 3, 4 (scores 0, 1, 1, 0, 1).
        // Each case beats 2 controls and ties 3: (2 + 1.5) / 5 = 0.7.
        assert!(coded.is_some_and(|(auc, slope)| (auc - 0.7).abs() < 1e-15 && slope.is_none()));
        assert_eq!(coded, performance(&d, &rows, &points));
        // Scores 2, 1, 3, 0, 2, 1 on all rows: cases 2, 3, 1; controls 1, 0, 2.
        let all: Vec<usize> = (0..6).collect();
        let points = [2.0, 1.0];
        let rows_all = c.on_all_rows(&points, false);
        assert_eq!(rows_all, performance(&d, &all, &points));
        // Case placements 2.5/3, 3/3, 1.5/3.
        assert!(rows_all.is_some_and(|(auc, _)| (auc - 7.0 / 9.0).abs() < 1e-15));
    }

    /// 120 rows in 50 clusters of 1 to 4 rows, three items, y and events drawn from a fixed stream.
    fn generated(with_y: bool) -> BootData {
        let mut rng = random::replicate(3, 0);
        let (mut items, mut y, mut event, mut clusters) = (vec![], vec![], vec![], vec![]);
        while items.len() < 120 {
            let size = rng.random_range(1..=4usize);
            clusters.push((items.len()..items.len() + size).collect::<Vec<usize>>());
            for _ in 0..size {
                let x: Vec<f64> = (0..3)
                    .map(|_| f64::from(rng.random_range(0..2u8)))
                    .collect();
                let v = 2.0 * x[0] + x[1] - 1.5 * x[2] + rng.random_range(-2.0..2.0);
                event.push(v + rng.random_range(-1.0..1.0) > 0.5);
                y.push(v);
                items.push(x);
            }
        }
        BootData {
            items,
            y: with_y.then_some(y),
            event,
            clusters,
            clustered: true,
            sign: 1.0,
        }
    }

    #[test]
    fn coded_replicates_equal_the_row_by_row_replicates_bit_for_bit() {
        for with_y in [true, false] {
            let d = generated(with_y);
            let c = Coded::new(&d).unwrap();
            let all: Vec<usize> = (0..d.event.len()).collect();
            let (mut defined, mut buf) = (0, Buffers::default());
            for r in 0..200 {
                let a = c.replicate(&d, 7, r, &mut buf);
                let b = replicate(&d, 7, r, &all);
                let bits = |x: Perf| x.map(|(a, s)| (a.to_bits(), s.map(f64::to_bits)));
                assert_eq!(bits(a), bits(b), "replicate {r}, outcome {with_y}");
                defined += usize::from(a.is_some_and(|(a, _)| a != 0.0));
            }
            assert!(defined > 150, "{defined} replicates defined");
        }
    }

    #[test]
    fn score_sums_from_counts_only_when_exact() {
        // Codes 0..6 (three patterns × control/case): 2 + 1 rows of score 3, 4 of score -1, 1 of score 0.
        let counts = [2, 1, 3, 1, 0, 1];
        assert_eq!(exact_sum(&[3.0, -1.0, 0.0], &counts), Some(5.0));
        assert_eq!(exact_sum(&[0.5, -1.0, 0.0], &counts), None);
        assert_eq!(exact_sum(&[4.0, -3.0, 0.0], &counts), None, "total 0");
        assert_eq!(exact_sum(&[1e300, 0.0, 0.0], &counts), None);
    }

    #[test]
    fn items_other_than_zero_or_one_are_not_coded() {
        let mut d = example(true);
        d.items[0][0] = 2.0;
        assert!(Coded::new(&d).is_none());
        d.items[0][0] = -0.0;
        assert!(Coded::new(&d).is_none());
    }
}
