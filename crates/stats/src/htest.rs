//! Classical hypothesis tests reproducing R's `stats` functions (t.test, wilcox.test,
//! chisq.test, fisher.test, cor.test, oneway.test/aov, kruskal.test); each returns a
//! [`TestResult`] whose `method` is R's method string.

use std::collections::{BTreeMap, HashMap};

use crate::dist::Checked;
use statrs::distribution::{ChiSquared, FisherSnedecor, StudentsT};
use statrs::function::factorial::{ln_binomial, ln_factorial};

use super::roc::{std_normal, z_quantile};
use super::{StatsError, TestResult};

/// Welch (`var_equal = false`) or Student two-sample t-test of x vs y, as `t.test(x, y)`;
/// estimate = mean(x) - mean(y) with its confidence interval.
pub fn t_test_two(
    x: &[f64],
    y: &[f64],
    var_equal: bool,
    level: f64,
) -> Result<TestResult, StatsError> {
    need("two-sample t-test (group 1)", x, 2)?;
    need("two-sample t-test (group 2)", y, 2)?;
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (vx, vy) = (variance(x), variance(y));
    let (df, se) = if var_equal {
        let df = nx + ny - 2.0;
        let v = ((nx - 1.0) * vx + (ny - 1.0) * vy) / df;
        (df, (v * (1.0 / nx + 1.0 / ny)).sqrt())
    } else {
        let (ax, ay) = (vx / nx, vy / ny);
        let se2 = ax + ay;
        (
            se2 * se2 / (ax * ax / (nx - 1.0) + ay * ay / (ny - 1.0)),
            se2.sqrt(),
        )
    };
    let method = if var_equal {
        " Two Sample t-test"
    } else {
        "Welch Two Sample t-test"
    };
    t_result(
        method,
        mean(x) - mean(y),
        "difference in means",
        se,
        df,
        level,
    )
}

/// Paired t-test of before - after, as `t.test(before, after, paired = TRUE)`.
pub fn t_test_paired(before: &[f64], after: &[f64], level: f64) -> Result<TestResult, StatsError> {
    let d = differences(before, after)?;
    let mut r = t_test_one(&d, 0.0, level)?;
    r.method = "Paired t-test".into();
    r.estimate_name = Some("mean difference".into());
    Ok(r)
}

/// The smallest and largest difference before - after when the differences are constant as
/// `t.test(before, after, paired = TRUE)` judges them (see [`t_test_one`]): the paired t-test is then undefined.
/// `None` for differences that vary, and for fewer than 2 pairs or unequal lengths (the tests say so themselves).
pub fn constant_difference(before: &[f64], after: &[f64]) -> Option<(f64, f64)> {
    let d = differences(before, after).ok()?;
    (d.len() >= 2 && essentially_constant(&d)).then(|| {
        d.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    })
}

/// `t.test`'s test for "data are essentially constant": a standard error of the mean below 10 machine epsilons
/// of |mean| (so differences that are 5 up to rounding count as constant), or 0.
fn essentially_constant(x: &[f64]) -> bool {
    let se = (variance(x) / x.len() as f64).sqrt();
    se == 0.0 || se < 10.0 * f64::EPSILON * mean(x).abs()
}

/// One-sample t-test of mean(x) = mu, as `t.test(x, mu = mu)`; estimate = mean(x). Refused, as R refuses it,
/// when the data are essentially constant (a standard error below 10 machine epsilons of |mean(x)|).
pub fn t_test_one(x: &[f64], mu: f64, level: f64) -> Result<TestResult, StatsError> {
    need("one-sample t-test", x, 2)?;
    let n = x.len() as f64;
    let se = (variance(x) / n).sqrt();
    if se > 0.0 && essentially_constant(x) {
        return Err(StatsError::Undefined(
            "One Sample t-test: data are essentially constant (standard error below 10 machine epsilons of the mean)"
                .into(),
        ));
    }
    let mut r = t_result(
        "One Sample t-test",
        mean(x) - mu,
        "mean of x",
        se,
        n - 1.0,
        level,
    )?;
    r.estimate = r.estimate.map(|e| e + mu);
    r.conf_low = r.conf_low.map(|e| e + mu);
    r.conf_high = r.conf_high.map(|e| e + mu);
    Ok(r)
}

/// A t statistic diff/se on df with a two-sided p-value and CI diff ± t_q se.
fn t_result(
    method: &str,
    diff: f64,
    name: &str,
    se: f64,
    df: f64,
    level: f64,
) -> Result<TestResult, StatsError> {
    if se <= 0.0 || !se.is_finite() {
        return Err(StatsError::Undefined(format!(
            "{}: data are essentially constant (standard error 0)",
            method.trim()
        )));
    }
    let t = diff / se;
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|e| StatsError::Undefined(e.to_string()))?;
    let q = crate::dist::t_quantile(df, 0.5 + level / 2.0);
    Ok(TestResult {
        method: method.into(),
        statistic: t,
        statistic_name: "t".into(),
        df: Some(df),
        p_value: 2.0 * dist.sf_checked(t.abs()),
        estimate: Some(diff),
        estimate_name: Some(name.into()),
        conf_low: Some(diff - q * se),
        conf_high: Some(diff + q * se),
        alternative: "two.sided".into(),
    })
}

/// Wilcoxon rank-sum (Mann-Whitney) test as `wilcox.test(x, y, exact, correct)`: W = rank
/// sum of x minus nx(nx+1)/2; exact p when `exact` (default: both n < 50) and no ties,
/// else normal approximation with tie correction (and continuity correction if `correct`).
pub fn wilcoxon_rank_sum(
    x: &[f64],
    y: &[f64],
    exact: Option<bool>,
    correct: bool,
) -> Result<TestResult, StatsError> {
    need("Wilcoxon rank-sum test (group 1)", x, 1)?;
    need("Wilcoxon rank-sum test (group 2)", y, 1)?;
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (r, tie_sizes) = rank(&all);
    let (nx, ny) = (x.len(), y.len());
    let (nxf, nyf) = (nx as f64, ny as f64);
    let w = r[..nx].iter().sum::<f64>() - nxf * (nxf + 1.0) / 2.0;
    let exact = exact.unwrap_or(nx < 50 && ny < 50);
    let ties = tie_sizes.iter().any(|&t| t > 1.0);
    if exact && !ties {
        let counts = rank_sum_counts(nx, ny);
        let p = two_sided_exact(&counts, w, nxf * nyf / 2.0);
        return Ok(rank_result("Wilcoxon rank sum exact test", "W", w, p));
    }
    let n = nxf + nyf;
    let tie_term: f64 = tie_sizes.iter().map(|&t| t * t * t - t).sum();
    let sigma = (nxf * nyf / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    let (p, method) = normal_p(
        w - nxf * nyf / 2.0,
        sigma,
        correct,
        "Wilcoxon rank sum test",
    )?;
    Ok(rank_result(&method, "W", w, p))
}

/// Wilcoxon signed-rank test of before - after as `wilcox.test(before, after, paired = TRUE)`:
/// zero differences dropped, V = sum of ranks of positive differences; exact p when `exact`
/// (default n < 50) with no ties and no zeros, else normal approximation.
pub fn wilcoxon_signed_rank(
    before: &[f64],
    after: &[f64],
    exact: Option<bool>,
    correct: bool,
) -> Result<TestResult, StatsError> {
    let d = differences(before, after)?;
    let zeros = d.contains(&0.0);
    let d: Vec<f64> = d.into_iter().filter(|&v| v != 0.0).collect();
    need("Wilcoxon signed-rank test (non-zero differences)", &d, 1)?;
    let abs: Vec<f64> = d.iter().map(|v| v.abs()).collect();
    let (r, tie_sizes) = rank(&abs);
    let v: f64 = r
        .iter()
        .zip(&d)
        .filter(|(_, &x)| x > 0.0)
        .map(|(r, _)| r)
        .fold(0.0, |a, b| a + b); // fold from +0.0: an empty sum prints as 0, not -0
    let n = d.len();
    let nf = n as f64;
    let exact = exact.unwrap_or(n < 50);
    let ties = tie_sizes.iter().any(|&t| t > 1.0);
    if exact && !ties && !zeros {
        let counts = signed_rank_counts(n);
        let p = two_sided_exact(&counts, v, nf * (nf + 1.0) / 4.0);
        return Ok(rank_result("Wilcoxon signed rank exact test", "V", v, p));
    }
    let tie_term: f64 = tie_sizes.iter().map(|&t| t * t * t - t).sum();
    let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0).sqrt();
    let (p, method) = normal_p(
        v - nf * (nf + 1.0) / 4.0,
        sigma,
        correct,
        "Wilcoxon signed rank test",
    )?;
    Ok(rank_result(&method, "V", v, p))
}

/// Two-sided normal-approximation p of a centred statistic, with R's continuity correction.
fn normal_p(
    centred: f64,
    sigma: f64,
    correct: bool,
    method: &str,
) -> Result<(f64, String), StatsError> {
    if sigma <= 0.0 || !sigma.is_finite() {
        return Err(StatsError::Undefined(format!(
            "{method}: all values tied, the normal approximation is undefined"
        )));
    }
    let (cc, method) = if correct {
        (
            0.5 * sign(centred),
            format!("{method} with continuity correction"),
        )
    } else {
        (0.0, method.to_string())
    };
    let z = (centred - cc) / sigma;
    Ok((2.0 * std_normal().sf_checked(z.abs()).min(0.5), method))
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

fn rank_result(method: &str, name: &str, stat: f64, p: f64) -> TestResult {
    TestResult::two_sided(method, name, stat, None, p)
}

/// Two-sided exact p from counts of an integer statistic as R does: the tail on the
/// statistic's side of the centre, doubled, capped at 1.
fn two_sided_exact(counts: &[f64], stat: f64, centre: f64) -> f64 {
    let total: f64 = counts.iter().sum();
    let s = stat.round() as usize;
    let tail: f64 = if stat > centre {
        counts[s.min(counts.len())..].iter().sum()
    } else {
        counts[..=s.min(counts.len() - 1)].iter().sum()
    };
    (2.0 * tail / total).min(1.0)
}

/// Counts of the Mann-Whitney statistic U = 0..nx*ny over all C(nx+ny, nx) arrangements.
fn rank_sum_counts(nx: usize, ny: usize) -> Vec<f64> {
    // c[j][u]: ways to pick j of the items seen so far with U contribution u; U of a
    // subset = (sum of its ranks) - j(j+1)/2, built item by item.
    let max_u = nx * ny;
    let mut c = vec![vec![0.0f64; max_u + 1]; nx + 1];
    c[0][0] = 1.0;
    for item in 0..(nx + ny) {
        for j in (1..=nx.min(item + 1)).rev() {
            // Picking this item as the j-th x adds (item - (j - 1)) y's below it.
            let add = item + 1 - j;
            if add > ny {
                continue;
            }
            for u in (add..=max_u).rev() {
                let v = c[j - 1][u - add];
                if v != 0.0 {
                    c[j][u] += v;
                }
            }
        }
    }
    c.swap_remove(nx)
}

/// Counts of the signed-rank statistic V = 0..n(n+1)/2 over all 2^n sign patterns.
fn signed_rank_counts(n: usize) -> Vec<f64> {
    let max_v = n * (n + 1) / 2;
    let mut c = vec![0.0f64; max_v + 1];
    c[0] = 1.0;
    for k in 1..=n {
        for v in (k..=max_v).rev() {
            c[v] += c[v - k];
        }
    }
    c
}

/// Pearson's chi-squared test of a 2×2 table, as `chisq.test(table, correct)`.
pub fn chisq_2x2(table: [[usize; 2]; 2], correct: bool) -> Result<TestResult, StatsError> {
    chisq_test(&[table[0].to_vec(), table[1].to_vec()], correct)
}

/// Pearson's chi-squared test of independence of an r×c table (rows = groups); Yates'
/// correction min(0.5, |O - E|) applies only to 2×2 tables when `correct`, as R.
pub fn chisq_test(table: &[Vec<usize>], correct: bool) -> Result<TestResult, StatsError> {
    let r = table.len();
    let c = table.first().map_or(0, Vec::len);
    if r < 2 || c < 2 || table.iter().any(|row| row.len() != c) {
        return Err(StatsError::Undefined(format!(
            "chi-squared test needs a rectangular table with at least 2 rows and 2 columns (got {r}×{c})"
        )));
    }
    let rows: Vec<f64> = table
        .iter()
        .map(|v| v.iter().sum::<usize>() as f64)
        .collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|v| v[j]).sum::<usize>() as f64)
        .collect();
    let n: f64 = rows.iter().sum();
    if rows.iter().chain(&cols).any(|&m| m == 0.0) {
        return Err(StatsError::Undefined(
            "chi-squared test: a row or column total is 0 (expected count 0)".into(),
        ));
    }
    let cells = || (0..r).flat_map(|i| (0..c).map(move |j| (i, j)));
    let expected = |i: usize, j: usize| rows[i] * cols[j] / n;
    let yates = correct && r == 2 && c == 2;
    let half = if yates {
        cells()
            .map(|(i, j)| (table[i][j] as f64 - expected(i, j)).abs())
            .fold(0.5, f64::min)
    } else {
        0.0
    };
    let stat: f64 = cells()
        .map(|(i, j)| {
            let e = expected(i, j);
            let d = (table[i][j] as f64 - e).abs() - half;
            d * d / e
        })
        .sum();
    let df = ((r - 1) * (c - 1)) as f64;
    let chi = ChiSquared::new(df).map_err(|e| StatsError::Undefined(e.to_string()))?;
    let method = if yates {
        "Pearson's Chi-squared test with Yates' continuity correction"
    } else {
        "Pearson's Chi-squared test"
    };
    Ok(TestResult::two_sided(
        method,
        "X-squared",
        stat,
        Some(df),
        chi.sf_checked(stat),
    ))
}

/// Fisher's exact test of a 2×2 table as `fisher.test`: two-sided p-value (tables no more
/// likely than the observed, relative tolerance 1e-7), conditional MLE of the odds ratio and
/// its conditional CI. Roots are solved to full precision, so they may differ from R's
/// (uniroot tolerance ~1e-4) in the 4th-5th significant digit. An OR of 0 or +Inf is
/// returned as such (+Inf is written as null in JSON).
pub fn fisher_exact_2x2(table: [[usize; 2]; 2], level: f64) -> Result<TestResult, StatsError> {
    let h = NoncentralHyper::new(table);
    if h.support.len() < 2 {
        return Err(StatsError::Undefined(
            "Fisher's exact test: a margin is 0, the odds ratio is undefined".into(),
        ));
    }
    let d = h.density(0.0);
    let obs = d[h.x - h.lo] * (1.0 + 1e-7);
    let p: f64 = d.iter().filter(|&&v| v <= obs).sum();
    let alpha = (1.0 - level) / 2.0;
    Ok(TestResult {
        method: "Fisher's Exact Test for Count Data".into(),
        statistic: h.x as f64,
        statistic_name: "cell [1,1] count (fisher.test has no statistic)".into(),
        df: None,
        p_value: p.min(1.0),
        estimate: Some(h.mle()),
        estimate_name: Some("odds ratio".into()),
        conf_low: Some(h.ncp_lower(alpha)),
        conf_high: Some(h.ncp_upper(alpha)),
        alternative: "two.sided".into(),
    })
}

/// The conditional (Fisher's noncentral hypergeometric) distribution of the [1,1] cell.
struct NoncentralHyper {
    x: usize,
    lo: usize,
    hi: usize,
    support: Vec<usize>,
    log_dc: Vec<f64>,
}

impl NoncentralHyper {
    fn new(t: [[usize; 2]; 2]) -> Self {
        let m = t[0][0] + t[1][0];
        let n = t[0][1] + t[1][1];
        let k = t[0][0] + t[0][1];
        let lo = k.saturating_sub(n);
        let hi = k.min(m);
        let support: Vec<usize> = (lo..=hi).collect();
        let log_dc = support
            .iter()
            .map(|&s| ln_binomial(m as u64, s as u64) + ln_binomial(n as u64, (k - s) as u64))
            .collect();
        NoncentralHyper {
            x: t[0][0],
            lo,
            hi,
            support,
            log_dc,
        }
    }

    /// Probabilities over the support for log odds ratio `lor`.
    fn density(&self, lor: f64) -> Vec<f64> {
        let d: Vec<f64> = self
            .log_dc
            .iter()
            .zip(&self.support)
            .map(|(l, &s)| l + lor * s as f64)
            .collect();
        let mx = d.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = d.iter().map(|v| (v - mx).exp()).collect();
        let tot: f64 = e.iter().sum();
        e.into_iter().map(|v| v / tot).collect()
    }

    fn mean(&self, lor: f64) -> f64 {
        self.density(lor)
            .iter()
            .zip(&self.support)
            .map(|(p, &s)| p * s as f64)
            .sum()
    }

    /// P(X <= x) (or P(X >= x) when `upper`) at log odds ratio `lor`.
    fn cdf(&self, lor: f64, upper: bool) -> f64 {
        self.density(lor)
            .iter()
            .zip(&self.support)
            .filter(|(_, &s)| if upper { s >= self.x } else { s <= self.x })
            .map(|(p, _)| p)
            .sum()
    }

    fn mle(&self) -> f64 {
        if self.x == self.lo {
            return 0.0;
        }
        if self.x == self.hi {
            return f64::INFINITY;
        }
        solve_increasing(|l| self.mean(l) - self.x as f64).exp()
    }

    fn ncp_upper(&self, alpha: f64) -> f64 {
        if self.x == self.hi {
            return f64::INFINITY;
        }
        solve_increasing(|l| alpha - self.cdf(l, false)).exp()
    }

    fn ncp_lower(&self, alpha: f64) -> f64 {
        if self.x == self.lo {
            return 0.0;
        }
        solve_increasing(|l| self.cdf(l, true) - alpha).exp()
    }
}

/// Root of an increasing function of the log odds ratio by bisection on [-100, 100].
fn solve_increasing(f: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (-100.0f64, 100.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Pearson correlation test as `cor.test(x, y)`: t on n-2 df; Fisher-z CI (needs n >= 4).
pub fn pearson(x: &[f64], y: &[f64], level: f64) -> Result<TestResult, StatsError> {
    let n = paired_len("Pearson correlation", x, y, 3)?;
    let r = correlation(x, y)?;
    let df = n as f64 - 2.0;
    let t = df.sqrt() * r / (1.0 - r * r).sqrt();
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|e| StatsError::Undefined(e.to_string()))?;
    let (lo, hi) = if n > 3 {
        let z = r.atanh();
        let h = z_quantile(level) / (n as f64 - 3.0).sqrt();
        (Some((z - h).tanh()), Some((z + h).tanh()))
    } else {
        (None, None)
    };
    Ok(TestResult {
        method: "Pearson's product-moment correlation".into(),
        statistic: t,
        statistic_name: "t".into(),
        df: Some(df),
        p_value: 2.0 * dist.sf_checked(t.abs()),
        estimate: Some(r),
        estimate_name: Some("cor".into()),
        conf_low: lo,
        conf_high: hi,
        alternative: "two.sided".into(),
    })
}

/// How `spearman` computes its p-value, as R's cor.test does for these data.
pub fn spearman_p_method(x: &[f64], y: &[f64]) -> &'static str {
    let ties = rank(x).1.iter().chain(&rank(y).1).any(|&t| t > 1.0);
    match (ties, x.len()) {
        (true, _) | (_, 1291..) => "t approximation (ties or n > 1290)",
        (false, ..=9) => "exact (all permutations, n <= 9)",
        (false, _) => "AS 89 Edgeworth series (no ties, 10 <= n <= 1290)",
    }
}

/// Spearman rank correlation test as `cor.test(x, y, method = "spearman")`: S statistic,
/// p exact for n <= 9 and AS 89 Edgeworth for n <= 1290 without ties, else the t
/// approximation (see [`spearman_p_method`]).
pub fn spearman(x: &[f64], y: &[f64]) -> Result<TestResult, StatsError> {
    let n = paired_len("Spearman correlation", x, y, 2)?;
    let (rx, tx) = rank(x);
    let (ry, ty) = rank(y);
    let rho = correlation(&rx, &ry)?;
    let nf = n as f64;
    let den = (nf * nf * nf - nf) / 6.0;
    let q = den * (1.0 - rho);
    let ties = tx.iter().chain(&ty).any(|&t| t > 1.0);
    let p = if !ties && n <= 1290 {
        let upper = q > den;
        let is = q.round() + if upper { 0.0 } else { 2.0 };
        2.0 * prho(n, is, !upper)
    } else {
        let lower = q > den;
        let r = 1.0 - q / den;
        let t = r / ((1.0 - r * r) / (nf - 2.0)).sqrt();
        let dist =
            StudentsT::new(0.0, 1.0, nf - 2.0).map_err(|e| StatsError::Undefined(e.to_string()))?;
        2.0 * if lower {
            dist.cdf_checked(t)
        } else {
            dist.sf_checked(t)
        }
    };
    Ok(TestResult {
        method: "Spearman's rank correlation rho".into(),
        statistic: q,
        statistic_name: "S".into(),
        df: None,
        p_value: p.min(1.0),
        estimate: Some(rho),
        estimate_name: Some("rho".into()),
        conf_low: None,
        conf_high: None,
        alternative: "two.sided".into(),
    })
}

/// AS 89 (Best & Roberts 1975) as R's prho: P(S >= is), or P(S < is) when `lower`.
fn prho(n: usize, is: f64, lower: bool) -> f64 {
    let base = if lower { 0.0 } else { 1.0 };
    if n <= 1 || is <= 0.0 {
        return base;
    }
    let nf = n as f64;
    let n3 = nf * (nf * nf - 1.0) / 3.0;
    if is > n3 {
        return 1.0 - base;
    }
    if n <= 9 {
        let (ge, total) = permutation_tail(n, is);
        return if lower { total - ge } else { ge } / total;
    }
    let b = 1.0 / nf;
    let x = (6.0 * (is - 1.0) * b / (nf * nf - 1.0) - 1.0) * (nf - 1.0).sqrt();
    let y = x * x;
    let u = x
        * b
        * (0.2274
            + b * (0.2531 + 0.1745 * b)
            + y * (-0.0758 + b * (0.1033 + 0.3932 * b)
                - y * b
                    * (0.0879 + 0.0151 * b
                        - y * (0.0072 - 0.0831 * b + y * b * (0.0131 - 4.6e-4 * y)))));
    let y = u / (y / 2.0).exp();
    let tail = if lower {
        std_normal().cdf_checked(x) - y
    } else {
        std_normal().sf_checked(x) + y
    };
    tail.clamp(0.0, 1.0)
}

/// Number of permutations of 1..n with sum (i - p_i)^2 >= is, and n!.
fn permutation_tail(n: usize, is: f64) -> (f64, f64) {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut count = 0usize;
    let mut total = 0usize;
    let mut c = vec![0usize; n];
    let mut visit = |p: &[usize]| {
        let s: usize = p
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as isize - v as isize).pow(2) as usize)
            .sum();
        total += 1;
        if s as f64 >= is {
            count += 1;
        }
    };
    visit(&perm);
    // Heap's algorithm, iterative.
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                perm.swap(0, i);
            } else {
                perm.swap(c[i], i);
            }
            visit(&perm);
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    (count as f64, total as f64)
}

/// Standardized mean difference (mean(x) - mean(y)) / sqrt((s_x^2 + s_y^2) / 2), with
/// sample variances (n - 1); the usual "Table 1" SMD for continuous variables. Infinite when both groups are
/// constant at different values, NaN when constant at the same value; values whose sums or squares overflow are
/// divided by the largest magnitude first (the SMD does not change with the scale).
pub fn standardized_mean_difference(x: &[f64], y: &[f64]) -> f64 {
    let parts = [mean(x), mean(y), variance(x), variance(y)];
    if parts.iter().all(|v| v.is_finite()) || x.iter().chain(y).any(|v| !v.is_finite()) {
        return (parts[0] - parts[1]) / ((parts[2] + parts[3]) / 2.0).sqrt();
    }
    let scale = x.iter().chain(y).fold(0.0f64, |m, v| m.max(v.abs()));
    let x: Vec<f64> = x.iter().map(|v| v / scale).collect();
    let y: Vec<f64> = y.iter().map(|v| v / scale).collect();
    (mean(&x) - mean(&y)) / ((variance(&x) + variance(&y)) / 2.0).sqrt()
}

/// One-way ANOVA F test assuming equal variances, as `oneway.test(..., var.equal = TRUE)`.
pub fn anova_oneway(groups: &[Vec<f64>]) -> Result<TestResult, StatsError> {
    let k = groups.len();
    let n: usize = groups.iter().map(Vec::len).sum();
    if k < 2 || n <= k || groups.iter().any(Vec::is_empty) {
        return Err(StatsError::TooFew {
            what: "one-way ANOVA (non-empty groups, observations beyond groups)".into(),
            n,
            needed: k + 1,
        });
    }
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let grand = mean(&all);
    let between: f64 = groups
        .iter()
        .map(|g| g.len() as f64 * (mean(g) - grand).powi(2))
        .sum();
    let within: f64 = groups.iter().map(|g| sum_sq(g, mean(g))).sum();
    if within <= 0.0 || !within.is_finite() {
        return Err(StatsError::Undefined(
            "one-way ANOVA: no variation within the groups (every group constant), the F statistic is undefined"
                .into(),
        ));
    }
    let (df1, df2) = ((k - 1) as f64, (n - k) as f64);
    let f = (between / df1) / (within / df2);
    let dist = FisherSnedecor::new(df1, df2).map_err(|e| StatsError::Undefined(e.to_string()))?;
    Ok(TestResult::two_sided(
        "One-way analysis of means",
        "F",
        f,
        Some(df1),
        dist.sf_checked(f),
    ))
}

/// Kruskal-Wallis rank-sum test with tie correction, as `kruskal.test`.
pub fn kruskal_wallis(groups: &[Vec<f64>]) -> Result<TestResult, StatsError> {
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let n = all.len() as f64;
    if groups.len() < 2 || groups.iter().any(Vec::is_empty) {
        return Err(StatsError::TooFew {
            what: "Kruskal-Wallis test (non-empty groups)".into(),
            n: groups.len(),
            needed: 2,
        });
    }
    let (r, ties) = rank(&all);
    let mut start = 0;
    let mut h = 0.0;
    for g in groups {
        let s: f64 = r[start..start + g.len()].iter().sum();
        h += s * s / g.len() as f64;
        start += g.len();
    }
    let tie: f64 = ties.iter().map(|&t| t * t * t - t).sum();
    if tie >= n * n * n - n {
        return Err(StatsError::Undefined(
            "Kruskal-Wallis test: all values tied, the statistic is undefined".into(),
        ));
    }
    let h = (12.0 * h / (n * (n + 1.0)) - 3.0 * (n + 1.0)) / (1.0 - tie / (n * n * n - n));
    let df = (groups.len() - 1) as f64;
    let chi = ChiSquared::new(df).map_err(|e| StatsError::Undefined(e.to_string()))?;
    Ok(TestResult::two_sided(
        "Kruskal-Wallis rank sum test",
        "Kruskal-Wallis chi-squared",
        h,
        Some(df),
        chi.sf_checked(h),
    ))
}

/// Midranks (R's `rank`, ties averaged) and the sizes of the tie groups.
pub(crate) fn rank(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut sizes = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = mid;
        }
        sizes.push((j - i + 1) as f64);
        i = j + 1;
    }
    (r, sizes)
}

fn correlation(x: &[f64], y: &[f64]) -> Result<f64, StatsError> {
    let (mx, my) = (mean(x), mean(y));
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let (sxx, syy) = (sum_sq(x, mx), sum_sq(y, my));
    if sxx == 0.0 || syy == 0.0 {
        return Err(StatsError::Undefined(
            "correlation: one of the variables is constant (standard deviation 0)".into(),
        ));
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    if !r.is_finite() {
        return Err(StatsError::Undefined(
            "correlation: the values are too large for double precision (sums overflow); fix: rescale them"
                .into(),
        ));
    }
    Ok(r.clamp(-1.0, 1.0))
}

fn paired_len(what: &str, x: &[f64], y: &[f64], needed: usize) -> Result<usize, StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::Undefined(format!(
            "{what}: {} values against {}",
            x.len(),
            y.len()
        )));
    }
    need(what, x, needed)?;
    Ok(x.len())
}

fn differences(before: &[f64], after: &[f64]) -> Result<Vec<f64>, StatsError> {
    paired_len("paired test", before, after, 1)?;
    Ok(before.iter().zip(after).map(|(a, b)| a - b).collect())
}

fn need(what: &str, x: &[f64], needed: usize) -> Result<(), StatsError> {
    if x.len() < needed {
        return Err(StatsError::TooFew {
            what: what.into(),
            n: x.len(),
            needed,
        });
    }
    if let Some(v) = x.iter().find(|v| !v.is_finite()) {
        return Err(StatsError::Undefined(format!(
            "{what}: value {v} is not finite"
        )));
    }
    Ok(())
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn sum_sq(x: &[f64], m: f64) -> f64 {
    x.iter().map(|v| (v - m) * (v - m)).sum()
}

/// Sample variance (n - 1 denominator).
fn variance(x: &[f64]) -> f64 {
    sum_sq(x, mean(x)) / (x.len() as f64 - 1.0)
}

/// Most steps [`fisher_exact`] takes (one split of a column's total among the rows, or one partial table extended
/// by one) before it gives up: about a second of work, and a bounded amount of memory.
pub(crate) const FISHER_MAX_STEPS: u64 = 4_000_000;

/// Fisher's exact test of an r×c table as `fisher.test` (two-sided): the sum of the probabilities of all tables
/// with the observed margins whose probability is no more than the observed table's, with `fisher.test`'s
/// relative tolerance 1e-7. Computed as Mehta and Patel's network algorithm that `fisher.test` uses: the tables
/// are built column by column; partial tables that leave the same row totals (a node) share their completions,
/// and a partial table whose completions are all counted, or none is, is settled at once from the most and the
/// least probable completion of its node. A table that needs more than [`FISHER_MAX_STEPS`] steps is refused
/// (read the chi-squared test). `fisher.test` has no statistic and, beyond 2×2, no estimate: `statistic` holds
/// the probability of the observed table. For a 2×2 table the p-value equals [`fisher_exact_2x2`]'s, which also
/// gives the odds ratio.
pub fn fisher_exact(table: &[Vec<usize>]) -> Result<TestResult, StatsError> {
    let r = table.len();
    let c = table.first().map_or(0, Vec::len);
    if r < 2 || c < 2 || table.iter().any(|row| row.len() != c) {
        return Err(StatsError::Undefined(format!(
            "Fisher's exact test needs a rectangular table with at least 2 rows and 2 columns (got {r}×{c})"
        )));
    }
    let mut rows: Vec<usize> = table.iter().map(|v| v.iter().sum()).collect();
    let mut cols: Vec<usize> = (0..c).map(|j| table.iter().map(|v| v[j]).sum()).collect();
    let n: usize = rows.iter().sum();
    let lf: Vec<f64> = (0..=n as u64).map(ln_factorial).collect();
    // log P(table) = sum ln r_i! + sum ln c_j! - ln n! - sum ln n_ij!; below, a table's value is -sum ln n_ij!.
    let constant = rows.iter().chain(&cols).map(|&m| lf[m]).sum::<f64>() - lf[n];
    let observed = -table.iter().flatten().map(|&x| lf[x]).sum::<f64>();
    // The p-value depends on neither the order of the columns nor that of the rows: rows in order make equal
    // row totals one node.
    cols.sort_unstable_by(|a, b| b.cmp(a));
    rows.sort_unstable();
    let mut net = Network {
        lf: &lf,
        cols: &cols,
        threshold: observed + (1e-7f64).ln_1p(),
        constant,
        steps: 0,
        bounds: HashMap::new(),
    };
    match net.p_value(rows) {
        Some(p) => Ok(TestResult::two_sided(
            "Fisher's Exact Test for Count Data",
            "probability of the observed table (fisher.test has no statistic)",
            (observed + constant).exp(),
            None,
            p.min(1.0),
        )),
        None => Err(StatsError::Undefined(format!(
            "Fisher's exact test: the tables with the margins of this {r}×{c} table (n = {n}) are too many to \
             enumerate in {FISHER_MAX_STEPS} steps; read the chi-squared test instead"
        ))),
    }
}

/// The tables with fixed margins as paths through nodes: a node is a column index and the row totals still to
/// fill (sorted); a path's value is -sum ln n_ij! over its cells.
struct Network<'a> {
    /// ln k! for k = 0..=n.
    lf: &'a [f64],
    /// Column totals.
    cols: &'a [usize],
    /// Largest table value counted (the observed table's, with the tolerance).
    threshold: f64,
    /// log P(table) - value (margins only).
    constant: f64,
    steps: u64,
    /// Per node, the values of its most and of its least probable completion.
    bounds: HashMap<(usize, Vec<usize>), (f64, f64)>,
}

impl Network<'_> {
    /// Sum of the probabilities of the tables counted, or `None` past [`FISHER_MAX_STEPS`]. Every partial table is
    /// carried as (value, weight): partial tables at one node whose values agree within 1e-9 are one. Nodes and
    /// values are visited in order, so the sum is the same to the last bit on every run.
    fn p_value(&mut self, rows: Vec<usize>) -> Option<f64> {
        let lf = self.lf;
        let mut p = 0.0;
        let mut nodes: BTreeMap<Vec<usize>, Pasts> = BTreeMap::from([(rows, Pasts::start())]);
        for j in 0..self.cols.len() {
            let rest = &self.cols[j..];
            let mut next: BTreeMap<Vec<usize>, Pasts> = BTreeMap::new();
            for (rows_left, pasts) in nodes {
                // All completions from here weigh N! / (prod R_i! prod C_j!) (their probabilities sum to 1).
                let all = lf[rest.iter().sum::<usize>()]
                    - rows_left.iter().map(|&x| lf[x]).sum::<f64>()
                    - rest.iter().map(|&x| lf[x]).sum::<f64>();
                let (most, least) = self.bounds(j, &rows_left)?;
                let mut open = Vec::new();
                for &(past, weight) in pasts.0.values() {
                    if past + least > self.threshold {
                        continue;
                    }
                    if past + most <= self.threshold {
                        p += weight * (past + all + self.constant).exp();
                        continue;
                    }
                    open.push((past, weight));
                }
                if open.is_empty() {
                    continue;
                }
                for (value, left) in self.fills(j, &rows_left)? {
                    self.step(open.len())?;
                    let to = next.entry(left).or_default();
                    for &(past, weight) in &open {
                        to.add(past + value, weight);
                    }
                }
            }
            nodes = next;
        }
        Some(p)
    }

    /// Count `k` steps; `None` past the limit.
    fn step(&mut self, k: usize) -> Option<()> {
        self.steps += k as u64;
        (self.steps <= FISHER_MAX_STEPS).then_some(())
    }

    /// The values of the most and of the least probable completion from node (j, rows_left), memoised. At the
    /// last column the one completion is what the rows leave, so both are its value and every past is settled.
    fn bounds(&mut self, j: usize, rows_left: &[usize]) -> Option<(f64, f64)> {
        if j + 1 == self.cols.len() {
            let v = -rows_left.iter().map(|&x| self.lf[x]).sum::<f64>();
            return Some((v, v));
        }
        if let Some(&b) = self.bounds.get(&(j, rows_left.to_vec())) {
            return Some(b);
        }
        let mut b = (f64::NEG_INFINITY, f64::INFINITY);
        for (value, left) in self.fills(j, rows_left)? {
            let (most, least) = self.bounds(j + 1, &left)?;
            b = (b.0.max(value + most), b.1.min(value + least));
        }
        self.bounds.insert((j, rows_left.to_vec()), b);
        Some(b)
    }

    /// Every split of column j's total among the rows (cell i at most `caps[i]`): its value and the row totals it
    /// leaves (sorted). Each split is a step.
    fn fills(&mut self, j: usize, caps: &[usize]) -> Option<Vec<(f64, Vec<usize>)>> {
        fn split(
            total: usize,
            caps: &[usize],
            fill: &mut Vec<usize>,
            out: &mut Vec<Vec<usize>>,
            budget: u64,
        ) -> Option<()> {
            let i = fill.len();
            if i + 1 == caps.len() {
                if out.len() as u64 >= budget {
                    return None;
                }
                fill.push(total);
                out.push(fill.clone());
                fill.pop();
                return Some(());
            }
            let room_below: usize = caps[i + 1..].iter().sum();
            for x in total.saturating_sub(room_below)..=total.min(caps[i]) {
                fill.push(x);
                let done = split(total - x, caps, fill, out, budget);
                fill.pop();
                done?;
            }
            Some(())
        }
        let mut out = Vec::new();
        let budget = FISHER_MAX_STEPS.saturating_sub(self.steps);
        split(self.cols[j], caps, &mut Vec::new(), &mut out, budget)?;
        self.step(out.len())?;
        Some(
            out.into_iter()
                .map(|x| {
                    let value = -x.iter().map(|&k| self.lf[k]).sum::<f64>();
                    let mut left: Vec<usize> = caps.iter().zip(&x).map(|(c, k)| c - k).collect();
                    left.sort_unstable();
                    (value, left)
                })
                .collect(),
        )
    }
}

/// The partial tables that reach one node, by value: values within 1e-9 are one entry, holding its first value
/// and the weight of all of them in units of exp(that value).
#[derive(Default)]
struct Pasts(BTreeMap<i64, (f64, f64)>);

impl Pasts {
    fn start() -> Self {
        let mut p = Pasts::default();
        p.add(0.0, 1.0);
        p
    }

    fn add(&mut self, value: f64, weight: f64) {
        let (first, w) = self
            .0
            .entry((value * 1e9).round() as i64)
            .or_insert((value, 0.0));
        *w += weight * (value - *first).exp();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smd_of_constant_and_of_overflowing_groups() {
        // Constant groups: (7 − 5)/0 is infinite, (5 − 5)/0 undefined.
        assert_eq!(
            standardized_mean_difference(&[7.0, 7.0], &[5.0, 5.0]),
            f64::INFINITY
        );
        assert!(standardized_mean_difference(&[5.0, 5.0], &[5.0, 5.0]).is_nan());
        // x = (1e308, 1e308, −1e308), y = (0, 0): by hand on the scale of 1e308, mean(x) = 1/3, var(x) = 4/3,
        // var(y) = 0, so SMD = (1/3)/sqrt(2/3) = 0.408248…; sums of 1e308 overflow without the rescaling.
        let got = standardized_mean_difference(&[1e308, 1e308, -1e308], &[0.0, 0.0]);
        assert!(
            (got - (1.0f64 / 3.0) / (2.0f64 / 3.0).sqrt()).abs() < 1e-12,
            "{got}"
        );
    }

    #[test]
    fn rank_sum_counts_small_by_hand() {
        // nx = 2, ny = 2: U in 0..=4 with counts 1,1,2,1,1 (C(4,2) = 6).
        assert_eq!(rank_sum_counts(2, 2), vec![1.0, 1.0, 2.0, 1.0, 1.0]);
        // n = 3 signed ranks: V 0..6 counts 1,1,1,2,1,1,1.
        assert_eq!(
            signed_rank_counts(3),
            vec![1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]
        );
    }

    /// Every table with the margins of `t`, by brute force (no bounds): the p-value as defined.
    fn fisher_by_brute_force(t: &[Vec<usize>]) -> f64 {
        fn tables(rows: &[usize], cols: &[usize]) -> Vec<Vec<Vec<usize>>> {
            let Some((&first, rest)) = rows.split_first() else {
                return vec![vec![]];
            };
            if rest.is_empty() {
                return vec![vec![cols.to_vec()]];
            }
            // Every first row with sum `first` within the column totals, then the rest below it.
            let mut firsts = vec![vec![]];
            for &cj in cols {
                firsts = firsts
                    .into_iter()
                    .flat_map(|f: Vec<usize>| (0..=cj).map(move |x| [f.clone(), vec![x]].concat()))
                    .filter(|f| f.iter().sum::<usize>() <= first)
                    .collect();
            }
            firsts
                .into_iter()
                .filter(|f| f.iter().sum::<usize>() == first)
                .flat_map(|f| {
                    let left: Vec<usize> = cols.iter().zip(&f).map(|(c, x)| c - x).collect();
                    tables(rest, &left).into_iter().map(move |mut below| {
                        below.insert(0, f.clone());
                        below
                    })
                })
                .collect()
        }
        let lf = |k: usize| ln_factorial(k as u64);
        let rows: Vec<usize> = t.iter().map(|v| v.iter().sum()).collect();
        let cols: Vec<usize> = (0..t[0].len())
            .map(|j| t.iter().map(|v| v[j]).sum())
            .collect();
        let n: usize = rows.iter().sum();
        let log_p = |u: &[Vec<usize>]| {
            rows.iter().chain(&cols).map(|&m| lf(m)).sum::<f64>()
                - lf(n)
                - u.iter().flatten().map(|&x| lf(x)).sum::<f64>()
        };
        let observed = log_p(t);
        tables(&rows, &cols)
            .iter()
            .map(|u| log_p(u))
            .filter(|&l| l <= observed + 1e-7)
            .map(f64::exp)
            .sum()
    }

    #[test]
    fn fisher_bounds_settle_the_same_tables_as_brute_force() {
        let cases: [Vec<Vec<usize>>; 5] = [
            vec![vec![3, 2, 0], vec![1, 4, 5]],
            vec![vec![2, 1, 0], vec![0, 3, 1], vec![1, 0, 4]],
            vec![vec![3, 1, 1], vec![1, 3, 1], vec![1, 1, 3]],
            vec![vec![9, 4, 0, 2], vec![1, 6, 7, 3], vec![0, 2, 2, 8]],
            vec![vec![12, 3, 5, 0, 7], vec![4, 9, 6, 8, 2]],
        ];
        for t in cases {
            let got = fisher_exact(&t).unwrap().p_value;
            let want = fisher_by_brute_force(&t);
            assert!(
                (got - want).abs() <= 1e-12 * want.max(1e-300),
                "{t:?}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn midranks() {
        let (r, t) = rank(&[3.0, 1.0, 3.0, 2.0]);
        assert_eq!(r, vec![3.5, 1.0, 3.5, 2.0]);
        assert_eq!(t, vec![1.0, 1.0, 2.0]);
    }
}
