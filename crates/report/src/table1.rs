//! The baseline table of a paper ("Table 1"): per group and overall, mean ± SD or median [IQR] by a documented
//! normality rule, n (%) for categorical variables, missing counts, the p-value with its test, and SMDs.

use std::collections::BTreeMap;

use polars::prelude::PolarsResult;
use serde::{Deserialize, Serialize};

use crate::Result;
use calcscore_data::frame::{frame_error, num_column, text_column, GroupedColumn, RowGroups};
use calcscore_data::{ColumnData, Table};
use calcscore_stats::htest::{
    anova_oneway, chisq_test, fisher_exact_2x2, kruskal_wallis, t_test_two, wilcoxon_rank_sum,
};

/// The normality rule, stated in every output.
pub(crate) const NORMALITY_RULE: &str = "continuous variables are summarised as mean ± SD when the sample skewness is within ±1 in \
     every group, otherwise as median [IQR] (R's quantile type 7); override with --normal / --nonnormal. Tests: Welch t \
     (2 groups) or one-way ANOVA (>2) for mean ± SD; Wilcoxon rank-sum or Kruskal–Wallis for median [IQR]; chi-square \
     (with Yates' correction for 2×2, as R's chisq.test) for categorical variables, Fisher's exact test for a 2×2 table \
     with an expected count below 5. SMD: two groups, (m1 − m2)/√((s1² + s2²)/2) or for a proportion \
     (p1 − p2)/√((p1(1−p1) + p2(1−p2))/2); more groups, the largest pairwise SMD; multi-level variables, the largest \
     over levels.";

/// Options of a baseline table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table1Options {
    /// Group column.
    pub by: String,
    /// Variables (default: every column but the group and id columns).
    pub vars: Vec<String>,
    /// Variables forced to mean ± SD.
    pub normal: Vec<String>,
    /// Variables forced to median [IQR].
    pub nonnormal: Vec<String>,
    /// Numeric-coded variables summarised as categories: n (%) at every level.
    pub factors: Vec<String>,
    /// Display labels of variables ("Calcium angle (°)"); a variable without one shows its column name.
    pub labels: BTreeMap<String, String>,
    /// Variables shown in a separate "Outcomes" block after the baseline characteristics.
    pub outcomes: Vec<String>,
}

/// One row of the table (a variable, or a level of a categorical variable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1Row {
    /// Variable.
    pub variable: String,
    /// Its display label, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// True for a variable of the "Outcomes" block.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outcome: bool,
    /// Level, for categorical variables.
    pub level: Option<String>,
    /// "mean ± SD", "median [IQR]" or "n (%)".
    pub statistic: String,
    /// Overall summary.
    pub overall: String,
    /// Summary per group, in group order.
    pub groups: Vec<String>,
    /// Missing values overall, then per group (first row of a variable only).
    pub missing: Vec<usize>,
    /// P-value (first row of a variable only).
    pub p_value: Option<f64>,
    /// The test that gave it.
    pub test: String,
    /// Standardised mean difference (first row of a variable only).
    pub smd: Option<f64>,
    /// Raw numbers behind the summaries (for JSON users), per group: mean, sd, median, q1, q3 (continuous) or
    /// count, n (a level).
    pub values: Vec<GroupValues>,
}

/// The numbers behind one group's summary; the fields that do not apply are absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupValues {
    /// Mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Sample SD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// First quartile (R type 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q1: Option<f64>,
    /// Third quartile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q3: Option<f64>,
    /// Rows at this level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Rows with a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
}

/// A group and its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSize {
    /// Group value.
    pub group: String,
    /// Rows in it.
    pub n: usize,
}

/// A baseline table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1 {
    /// Group column.
    pub by: String,
    /// Groups with their sizes.
    pub groups: Vec<GroupSize>,
    /// Rows.
    pub rows: Vec<Table1Row>,
    /// The normality and test rules.
    pub rules: String,
    /// Rows left out because the group value is missing.
    pub missing_group: usize,
}

/// Build the table. The rows are grouped by the text form of the group column (numbers as
/// [`calcscore_data::table::format_number`]), groups in byte order, rows without a group left out.
pub fn table1(table: &Table, opts: &Table1Options) -> Result<Table1> {
    let by = text_column(&opts.by, &*table.text(&opts.by)?);
    let groups = RowGroups::of(&by).map_err(|e| frame_error(&table.source, e))?;
    let vars = if opts.vars.is_empty() {
        default_vars(table, &opts.by)
    } else {
        opts.vars.clone()
    };
    let is_outcome = |v: &String| opts.outcomes.contains(v);
    let (outcomes, baseline): (Vec<&String>, Vec<&String>) =
        vars.iter().partition(|v| is_outcome(v));
    for v in vars.iter().chain(std::iter::once(&opts.by)) {
        finite_cells(table, v)?;
    }
    let mut rows = Vec::new();
    for v in baseline.into_iter().chain(outcomes) {
        for mut row in variable_rows(table, v, &groups, opts)? {
            row.label = opts.labels.get(v).cloned();
            row.outcome = is_outcome(v);
            rows.push(row);
        }
    }
    Ok(Table1 {
        by: opts.by.clone(),
        groups: groups
            .keys()
            .iter()
            .zip(groups.sizes())
            .map(|(group, &n)| GroupSize {
                group: group.clone(),
                n,
            })
            .collect(),
        rows,
        rules: NORMALITY_RULE.into(),
        missing_group: groups.null_keys(),
    })
}

fn default_vars(table: &Table, by: &str) -> Vec<String> {
    table
        .names
        .iter()
        .filter(|n| *n != by && !n.ends_with("_id") && *n != "id")
        .cloned()
        .collect()
}

/// True when a column is categorical: text that is not numeric, or numbers that are all 0/1.
fn categorical(table: &Table, v: &str) -> Result<bool> {
    if table.is_categorical(v)? {
        return Ok(true);
    }
    Ok(table
        .numbers(v)?
        .iter()
        .flatten()
        .all(|x| x == 0.0 || x == 1.0))
}

fn variable_rows(
    table: &Table,
    v: &str,
    groups: &RowGroups,
    opts: &Table1Options,
) -> Result<Vec<Table1Row>> {
    let factor = opts.factors.iter().any(|f| f == v);
    let rows = if factor || categorical(table, v)? {
        let (column, numeric) = match table.column(v)? {
            ColumnData::Num(x) => (num_column(v, x), true),
            ColumnData::Text(t) => (text_column(v, t), false),
        };
        groups
            .column(&column)
            .and_then(|c| categorical_rows(v, &c, numeric, factor))
    } else {
        let column = num_column(v, &*table.numbers(v)?);
        groups
            .column(&column)
            .and_then(|c| continuous_row(v, &c, opts))
            .map(|row| vec![row])
    };
    Ok(rows.map_err(|e| frame_error(&table.source, e))?)
}

fn skewness(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let m2 = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - m).powi(3)).sum::<f64>() / n;
    if m2 > 0.0 {
        m3 / m2.powf(1.5)
    } else {
        0.0
    }
}

/// R's quantile type 7.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn describe(x: &[f64]) -> Vec<f64> {
    if x.is_empty() {
        return vec![f64::NAN; 5];
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let sd = if x.len() > 1 {
        (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    vec![
        m,
        sd,
        quantile(&s, 0.5),
        quantile(&s, 0.25),
        quantile(&s, 0.75),
    ]
}

fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let d = if x.abs() >= 10.0 { 1 } else { 2 };
    format!("{x:.d$}")
}

/// The row of a continuous variable: its groups' values come from polars, the statistics are computed here.
fn continuous_row(
    v: &str,
    column: &GroupedColumn<'_>,
    opts: &Table1Options,
) -> PolarsResult<Table1Row> {
    let groups = column.values()?;
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let normal = if opts.normal.iter().any(|n| n == v) {
        true
    } else if opts.nonnormal.iter().any(|n| n == v) {
        false
    } else {
        groups
            .iter()
            .all(|g| g.len() < 3 || skewness(g).abs() <= 1.0)
    };
    let show = |d: &[f64]| {
        if normal {
            format!("{} ± {}", fmt(d[0]), fmt(d[1]))
        } else {
            format!("{} [{}, {}]", fmt(d[2]), fmt(d[3]), fmt(d[4]))
        }
    };
    let values: Vec<Vec<f64>> = groups.iter().map(|g| describe(g)).collect();
    let (p, test) = continuous_test(&groups, normal);
    let missing = missing_counts(&column.presence()?.missing);
    Ok(Table1Row {
        variable: v.into(),
        label: None,
        outcome: false,
        level: None,
        statistic: if normal { "mean ± SD" } else { "median [IQR]" }.into(),
        overall: show(&describe(&all)),
        groups: values.iter().map(|d| show(d)).collect(),
        missing,
        p_value: p,
        test,
        smd: max_pairwise(&groups, |a, b| {
            calcscore_stats::htest::standardized_mean_difference(a, b).abs()
        }),
        values: values
            .iter()
            .map(|d| GroupValues {
                mean: Some(d[0]),
                sd: Some(d[1]),
                median: Some(d[2]),
                q1: Some(d[3]),
                q3: Some(d[4]),
                ..Default::default()
            })
            .collect(),
    })
}

fn continuous_test(groups: &[Vec<f64>], normal: bool) -> (Option<f64>, String) {
    let usable: Vec<Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).cloned().collect();
    let r = match (usable.len(), normal) {
        (0 | 1, _) => return (None, "–".into()),
        (2, true) => t_test_two(&usable[0], &usable[1], false, 0.95),
        (2, false) => wilcoxon_rank_sum(&usable[0], &usable[1], None, true),
        (_, true) => anova_oneway(&usable),
        (_, false) => kruskal_wallis(&usable),
    };
    match r {
        Ok(t) => (Some(t.p_value), t.method.trim().to_string()),
        Err(e) => (None, format!("not computable: {e}")),
    }
}

fn max_pairwise(groups: &[Vec<f64>], f: impl Fn(&[f64], &[f64]) -> f64) -> Option<f64> {
    let mut best: Option<f64> = None;
    for a in 0..groups.len() {
        for b in a + 1..groups.len() {
            if groups[a].len() > 1 && groups[b].len() > 1 {
                let v = f(&groups[a], &groups[b]);
                // An infinite SMD (groups separated without spread) is the largest; NaN is no SMD.
                if !v.is_nan() {
                    best = Some(best.map_or(v, |m: f64| m.max(v)));
                }
            }
        }
    }
    best
}

/// A NaN or an infinity read from the file in a column the table summarises is an error naming its row, as in
/// every other verb (table1 once printed '– ± –' for it, or made 'NaN' a level of a 0/1 variable). So is a cell
/// read as text that is no level: NaN spelled any way ('nan', '-nan', ' NaN'), and in a column of numbers an
/// infinity or a missing-value marker that calcscore does not read as missing ('NULL', 'None', '#N/A', '.', '?').
/// In a column of words these are words ('none' and 'inf' are levels of atherectomy or infarct site).
pub fn finite_cells(table: &Table, v: &str) -> Result<()> {
    if let Some(text) = table.text_values(v) {
        return text_cells(table, v, text);
    }
    // An absent column is reported where the table reads it.
    let Ok(col) = table.numbers(v) else {
        return Ok(());
    };
    match col.iter().position(|x| x.is_some_and(|x| !x.is_finite())) {
        Some(i) => Err(invalid(
            table,
            v,
            i,
            format!("{}", col.get(i).unwrap_or_default()),
            NON_FINITE,
        )),
        None => Ok(()),
    }
}

const NON_FINITE: &str =
    "NaN and infinities are not accepted (leave the cell empty or NA for a missing value)";

/// The cells of a text column that must not become levels (see [`finite_cells`]): the first one is an error.
fn text_cells(table: &Table, v: &str, col: &calcscore_data::TextColumn) -> Result<()> {
    // A column of numbers but for such cells: there 'inf' is an infinity and 'None' a missing value, not levels.
    let numbers = col
        .iter()
        .flatten()
        .all(|s| s.trim().parse::<f64>().is_ok() || missing_marker(s));
    for (i, cell) in col.iter().enumerate() {
        let Some(s) = cell else { continue };
        let rule = match s.trim().parse::<f64>() {
            Ok(x) if x.is_nan() || (x.is_infinite() && numbers) => NON_FINITE.to_string(),
            _ if numbers && missing_marker(s) => format!(
                "not a level but a missing-value marker calcscore does not read as missing (it reads {}, and an \
                 empty cell): write NA or leave the cell empty",
                calcscore_data::load::MISSING_TOKENS
                    .iter()
                    .filter(|t| !t.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => continue,
        };
        return Err(invalid(table, v, i, format!("'{s}'"), &rule));
    }
    Ok(())
}

/// A common spelling of a missing value other than calcscore's own (SQL, Python, Excel, SAS/Stata).
fn missing_marker(s: &str) -> bool {
    let t = s.trim();
    ["null", "none", "#n/a", ".", "?"]
        .iter()
        .any(|m| t.eq_ignore_ascii_case(m))
}

fn invalid(table: &Table, v: &str, i: usize, value: String, rule: &str) -> crate::Error {
    calcscore_data::DataError::Invalid {
        file: table.source.clone(),
        row: table.row_number(i),
        column: v.to_string(),
        value,
        rule: rule.into(),
    }
    .into()
}

/// Rows of a categorical variable: the 1s of a 0/1 variable, else every level (a `factor` shows every level,
/// numeric levels in numeric order). Counts per level and group, totals and missing values come from polars.
fn categorical_rows(
    v: &str,
    column: &GroupedColumn<'_>,
    numeric: bool,
    factor: bool,
) -> PolarsResult<Vec<Table1Row>> {
    let found = column.value_counts()?;
    let presence = column.presence()?;
    let mut levels = found.levels.clone();
    if numeric {
        numeric_order(&mut levels);
    }
    let binary01 = !factor && levels.iter().all(|l| l == "0" || l == "1");
    if binary01 && !levels.iter().any(|l| l == "1") {
        // A 0/1 variable with no 1 (or no value at all): still one row, counting the 1s (zero).
        levels.push("1".into());
    }
    // Indices of the levels shown as rows: the 1s of a 0/1 variable, else every level.
    let shown: Vec<usize> = if binary01 {
        levels.iter().position(|l| l == "1").into_iter().collect()
    } else {
        (0..levels.len()).collect()
    };
    let counts: Vec<Vec<usize>> = levels
        .iter()
        .map(|l| {
            found
                .get(l)
                .map_or_else(|| vec![0; presence.present.len()], <[usize]>::to_vec)
        })
        .collect();
    let totals = presence.present;
    let (p, test) = categorical_test(&counts);
    let first = FirstRowFacts {
        missing: missing_counts(&presence.missing),
        p_value: p,
        test,
        smd: categorical_smd(&shown, &counts, &totals),
    };
    Ok(shown
        .iter()
        .enumerate()
        .map(|(r, &k)| {
            let level = (!binary01).then(|| levels[k].clone());
            level_row(v, level, &counts[k], &totals, (r == 0).then_some(&first))
        })
        .collect())
}

/// Levels in byte order re-sorted in numeric order (levels of a numeric column, shown by `format_number`).
fn numeric_order(levels: &mut [String]) {
    levels.sort_by(|a, b| {
        let (x, y) = (a.parse::<f64>(), b.parse::<f64>());
        x.ok()
            .zip(y.ok())
            .map_or(a.cmp(b), |(x, y)| x.total_cmp(&y))
    });
}

/// Missing values overall, then per group.
fn missing_counts(per_group: &[usize]) -> Vec<usize> {
    std::iter::once(per_group.iter().sum())
        .chain(per_group.iter().copied())
        .collect()
}

/// The largest pairwise SMD of the shown levels' proportions.
fn categorical_smd(shown: &[usize], counts: &[Vec<usize>], totals: &[usize]) -> Option<f64> {
    shown
        .iter()
        .filter_map(|&k| {
            let props: Vec<Vec<f64>> = counts[k]
                .iter()
                .zip(totals)
                .map(|(&c, &n)| vec![c as f64, n as f64])
                .collect();
            max_pairwise(&props, |a, b| prop_smd(a[0] / a[1], b[0] / b[1]))
        })
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
}

/// What only the first row of a categorical variable shows: missing counts, the test and the SMD.
struct FirstRowFacts {
    missing: Vec<usize>,
    p_value: Option<f64>,
    test: String,
    smd: Option<f64>,
}

/// "c (p%)", or a dash when the group has no value.
fn count_pct(c: usize, n: usize) -> String {
    if n == 0 {
        "–".into()
    } else {
        format!("{c} ({:.1}%)", 100.0 * c as f64 / n as f64)
    }
}

/// The row of one level: its counts per group against the groups' totals.
fn level_row(
    v: &str,
    level: Option<String>,
    counts: &[usize],
    totals: &[usize],
    first: Option<&FirstRowFacts>,
) -> Table1Row {
    Table1Row {
        variable: v.into(),
        label: None,
        outcome: false,
        level,
        statistic: "n (%)".into(),
        overall: count_pct(counts.iter().sum(), totals.iter().sum()),
        groups: counts
            .iter()
            .zip(totals)
            .map(|(&c, &n)| count_pct(c, n))
            .collect(),
        missing: first.map_or_else(Vec::new, |f| f.missing.clone()),
        p_value: first.and_then(|f| f.p_value),
        test: first.map_or_else(String::new, |f| f.test.clone()),
        smd: first.and_then(|f| f.smd),
        values: counts
            .iter()
            .zip(totals)
            .map(|(&c, &n)| GroupValues {
                count: Some(c),
                n: Some(n),
                ..Default::default()
            })
            .collect(),
    }
}

/// SMD of two proportions; with two groups the table shows the one pair. Two proportions of 0 or 1 have no
/// spread: equal, they differ by 0; unequal (0% against 100%), the SMD is infinite (R: 1/0 = Inf). A group
/// without a value (0/0) has no proportion: no SMD (NaN), not an infinite one.
fn prop_smd(p1: f64, p2: f64) -> f64 {
    let d = ((p1 * (1.0 - p1) + p2 * (1.0 - p2)) / 2.0).sqrt();
    if p1.is_nan() || p2.is_nan() {
        f64::NAN
    } else if d > 0.0 {
        (p1 - p2).abs() / d
    } else if p1 == p2 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Chi-square (Yates for 2×2), or Fisher for a 2×2 with an expected count below 5. Rows: levels; columns: groups.
fn categorical_test(counts: &[Vec<usize>]) -> (Option<f64>, String) {
    let rows: Vec<Vec<usize>> = counts
        .iter()
        .filter(|r| r.iter().sum::<usize>() > 0)
        .cloned()
        .collect();
    let cols: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .filter(|&j| rows.iter().map(|r| r[j]).sum::<usize>() > 0)
        .collect();
    if rows.len() < 2 || cols.len() < 2 {
        return (None, "–".into());
    }
    let t: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| cols.iter().map(|&j| r[j]).collect())
        .collect();
    let n: usize = t.iter().flatten().sum();
    let min_expected = t
        .iter()
        .map(|r| r.iter().sum::<usize>())
        .flat_map(|rs| cols.iter().enumerate().map(move |(j, _)| (rs, j)))
        .map(|(rs, j)| rs as f64 * t.iter().map(|r| r[j]).sum::<usize>() as f64 / n as f64)
        .fold(f64::INFINITY, f64::min);
    let r = if t.len() == 2 && cols.len() == 2 && min_expected < 5.0 {
        fisher_exact_2x2([[t[0][0], t[0][1]], [t[1][0], t[1][1]]], 0.95)
    } else {
        chisq_test(&t, true)
    };
    match r {
        Ok(x) => (Some(x.p_value), x.method.trim().to_string()),
        Err(e) => (None, format!("not computable: {e}")),
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text.
    Text,
    /// Markdown pipe table.
    Md,
    /// CSV.
    Csv,
    /// HTML table.
    Html,
    /// LaTeX (booktabs).
    Latex,
}

impl calcscore_core::Choice for Format {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (Format::Text, "text", "aligned text"),
        (Format::Md, "md", "Markdown pipe table"),
        (Format::Csv, "csv", "CSV"),
        (Format::Html, "html", "HTML table"),
        (Format::Latex, "latex", "LaTeX (booktabs)"),
    ];
}

fn cells(t: &Table1) -> (Vec<String>, Vec<Vec<String>>) {
    let mut head = vec![
        "Variable".to_string(),
        format!(
            "Overall (n = {})",
            t.groups.iter().map(|g| g.n).sum::<usize>()
        ),
    ];
    head.extend(
        t.groups
            .iter()
            .map(|g| format!("{} = {} (n = {})", t.by, g.group, g.n)),
    );
    head.extend(["P".into(), "Test".into(), "SMD".into(), "Missing".into()]);
    let blocks = t.rows.iter().any(|r| r.outcome);
    let section = |title: &str| {
        let mut row = vec![title.to_string()];
        row.resize(head.len(), String::new());
        row
    };
    let mut body = Vec::new();
    for (k, r) in t.rows.iter().enumerate() {
        let first = k == 0 || t.rows[k - 1].outcome != r.outcome;
        if blocks && first {
            body.push(section(if r.outcome {
                "Outcomes"
            } else {
                "Baseline characteristics"
            }));
        }
        body.push(row_cells(r));
    }
    (head, body)
}

/// An SMD to 3 decimals; an infinite one as R prints it.
fn smd_text(smd: f64) -> String {
    if smd.is_infinite() {
        "Inf".into()
    } else {
        format!("{smd:.3}")
    }
}

/// One row's cells: the variable (its label when it has one), level and statistic, then the summaries.
fn row_cells(r: &Table1Row) -> Vec<String> {
    let variable = r.label.as_deref().unwrap_or(&r.variable);
    let name = match &r.level {
        Some(l) => format!("{variable}: {l}, {}", r.statistic),
        None => format!("{variable}, {}", r.statistic),
    };
    let mut row = vec![name, r.overall.clone()];
    row.extend(r.groups.iter().cloned());
    row.push(
        r.p_value
            .map_or(String::new(), calcscore_core::format::p_journal),
    );
    row.push(r.test.clone());
    row.push(r.smd.map_or(String::new(), smd_text));
    row.push(r.missing.first().map_or(String::new(), |m| m.to_string()));
    row
}

/// Render the table in `format`; the rules of the summaries are its note.
pub fn render(t: &Table1, format: Format) -> String {
    let (head, body) = cells(t);
    let mut table = crate::table::Table::new(&head)
        .rows(body)
        .label("table1")
        .note(t.rules.clone());
    if t.missing_group > 0 {
        // Said in every format, not only in the JSON's `missing_group`: these rows are in no column.
        table = table.note(format!(
            "{} row(s) with no value of '{}' are in no group and left out of every column, Overall included.",
            t.missing_group, t.by
        ));
    }
    match format {
        Format::Csv => table.to_csv(),
        Format::Md => table.to_markdown(),
        Format::Text => table.to_text(),
        Format::Html => table.to_html(),
        Format::Latex => table.to_latex(),
    }
}
