//! `calcscore compare`: two-group comparison of variables. Numeric variables get Welch
//! and Student t-tests, the Wilcoxon rank-sum test and the standardized mean difference;
//! binary/categorical variables get Pearson's chi-squared test (with and without Yates'
//! correction for 2×2) and Fisher's exact test (with the odds ratio for 2×2; for 2×k, the p-value
//! of `fisher.test`, or a note when the table is too large to enumerate).

use serde::Serialize;

use super::args::{InputArgs, LevelArgs};
use super::roc::input;
use super::Outcome;
use calcscore_data::Table;
use calcscore_stats::htest::{
    chisq_2x2, chisq_test, fisher_exact, fisher_exact_2x2, standardized_mean_difference,
    t_test_two, wilcoxon_rank_sum,
};
use calcscore_stats::TestResult;

/// Arguments of `calcscore compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub data: InputArgs,
    /// Grouping column with exactly two levels (sorted; the first is group 1).
    #[arg(long)]
    pub by: String,
    /// Variables to compare, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub vars: Vec<String>,
    /// Variables to treat as categorical even if numeric (comma-separated). Text columns
    /// and numeric columns with at most 2 distinct values are categorical anyway.
    #[arg(long, value_delimiter = ',')]
    pub factors: Vec<String>,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Print tidy JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Per-group summary of one variable.
#[derive(Debug, Serialize)]
struct GroupSummary {
    group: String,
    n: usize,
    /// Numeric: mean and SD; categorical: counts per level (in `levels` order).
    mean: Option<f64>,
    sd: Option<f64>,
    counts: Option<Vec<usize>>,
}

/// Comparison of one variable.
#[derive(Debug, Serialize)]
struct VariableComparison {
    variable: String,
    kind: &'static str,
    n: usize,
    dropped: Vec<input::Dropped>,
    levels: Option<Vec<String>>,
    groups: Vec<GroupSummary>,
    smd: Option<f64>,
    tests: Vec<TestResult>,
    /// Warnings as R gives them (small expected counts) and tests that could not be computed.
    notes: Vec<String>,
}

/// JSON shape of `calcscore compare --json` (see docs/json-htest.md).
#[derive(Debug, Serialize)]
struct CompareReport {
    verb: &'static str,
    data: String,
    by: String,
    groups: Vec<String>,
    conf_level: f64,
    variables: Vec<VariableComparison>,
}

/// Run `calcscore compare`.
pub fn run(args: CompareArgs) -> crate::Result<Outcome> {
    let table = args.data.load()?;
    // NaN or an infinity is no group and no level, as in table1 and fit: refused naming its row.
    for name in std::iter::once(&args.by).chain(&args.vars) {
        calcscore_report::table1::finite_cells(&table, name)?;
    }
    let (rows, _) = input::complete_rows(&table, &[&args.by])?;
    let groups = input::levels_of(&input::texts(&table, &args.by, &rows)?);
    if groups.len() != 2 {
        return Err(crate::Error::Usage(format!(
            "--by '{}' must have exactly 2 levels, found {}: {}",
            args.by,
            groups.len(),
            groups.join(", ")
        )));
    }
    let variables = args
        .vars
        .iter()
        .map(|v| compare_one(&table, &args, &groups, v))
        .collect::<crate::Result<Vec<_>>>()?;
    let report = CompareReport {
        verb: "compare",
        data: table.source.clone(),
        by: args.by.clone(),
        groups,
        conf_level: args.level.get(),
        variables,
    };
    input::print_report(args.json, &report, print_table)?;
    Ok(Outcome::Success)
}

fn compare_one(
    table: &Table,
    args: &CompareArgs,
    groups: &[String],
    var: &str,
) -> crate::Result<VariableComparison> {
    let (rows, dropped) = input::complete_rows(table, &[&args.by, var])?;
    let by = input::texts(table, &args.by, &rows)?;
    let values = input::texts(table, var, &rows)?;
    let categorical = table.is_categorical(var)?
        || args.factors.iter().any(|f| f == var)
        || input::levels_of(&values).len() <= 2;
    let mut cmp = if categorical {
        categorical_tests(&by, &values, groups, args.level.get())?
    } else {
        let x = input::numbers(table, var, &rows)?;
        numeric_tests(&by, &x, groups, args.level.get())?
    };
    cmp.variable = var.to_string();
    cmp.n = rows.len();
    cmp.dropped = dropped;
    Ok(cmp)
}

fn split<'a, T: Copy>(by: &'a [String], x: &'a [T], g: &'a str) -> Vec<T> {
    by.iter()
        .zip(x)
        .filter(|(b, _)| b.as_str() == g)
        .map(|(_, &v)| v)
        .collect()
}

fn numeric_tests(
    by: &[String],
    x: &[f64],
    groups: &[String],
    level: f64,
) -> crate::Result<VariableComparison> {
    let a = split(by, x, &groups[0]);
    let b = split(by, x, &groups[1]);
    let summary = |g: &str, v: &[f64]| {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt();
        GroupSummary {
            group: g.to_string(),
            n: v.len(),
            mean: Some(m),
            sd: (v.len() > 1).then_some(sd),
            counts: None,
        }
    };
    Ok(VariableComparison {
        variable: String::new(),
        kind: "numeric",
        n: 0,
        dropped: vec![],
        levels: None,
        groups: vec![summary(&groups[0], &a), summary(&groups[1], &b)],
        smd: (a.len() > 1 && b.len() > 1).then(|| standardized_mean_difference(&a, &b)),
        tests: vec![],
        notes: vec![],
    }
    .with_tests([
        ("Welch t-test", t_test_two(&a, &b, false, level)),
        ("Student t-test", t_test_two(&a, &b, true, level)),
        (
            "Wilcoxon rank-sum test",
            wilcoxon_rank_sum(&a, &b, None, true),
        ),
    ]))
}

fn categorical_tests(
    by: &[String],
    values: &[String],
    groups: &[String],
    level: f64,
) -> crate::Result<VariableComparison> {
    let levels = input::levels_of(values);
    let counts: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            levels
                .iter()
                .map(|l| {
                    by.iter()
                        .zip(values)
                        .filter(|(b, v)| *b == g && *v == l)
                        .count()
                })
                .collect()
        })
        .collect();
    let mut tests = Vec::new();
    if levels.len() == 2 {
        let t = [[counts[0][0], counts[0][1]], [counts[1][0], counts[1][1]]];
        tests.push(("chi-squared test (Yates)", chisq_2x2(t, true)));
        tests.push(("chi-squared test", chisq_2x2(t, false)));
        tests.push(("Fisher's exact test", fisher_exact_2x2(t, level)));
    } else if levels.len() > 2 {
        tests.push(("chi-squared test", chisq_test(&counts, false)));
        tests.push(("Fisher's exact test", fisher_exact(&counts)));
    }
    let notes = small_expected_note(&counts).into_iter().collect();
    Ok(VariableComparison {
        variable: String::new(),
        kind: "categorical",
        n: 0,
        dropped: vec![],
        groups: groups
            .iter()
            .zip(&counts)
            .map(|(g, c)| GroupSummary {
                group: g.clone(),
                n: c.iter().sum(),
                mean: None,
                sd: None,
                counts: Some(c.clone()),
            })
            .collect(),
        levels: Some(levels),
        smd: None,
        tests: vec![],
        notes,
    }
    .with_tests(tests))
}

impl VariableComparison {
    /// Keep the tests that could be computed; say why the others could not.
    fn with_tests(
        mut self,
        results: impl IntoIterator<
            Item = (
                &'static str,
                Result<TestResult, calcscore_stats::StatsError>,
            ),
        >,
    ) -> Self {
        for (label, r) in results {
            match r {
                Ok(t) => self.tests.push(t),
                Err(e) => self.notes.push(format!("{label} not computed: {e}")),
            }
        }
        self
    }
}

/// R's chisq.test warning when an expected count is below 5.
fn small_expected_note(counts: &[Vec<usize>]) -> Option<String> {
    let rows: Vec<f64> = counts
        .iter()
        .map(|r| r.iter().sum::<usize>() as f64)
        .collect();
    let ncol = counts.first().map_or(0, Vec::len);
    let cols: Vec<f64> = (0..ncol)
        .map(|j| counts.iter().map(|r| r[j]).sum::<usize>() as f64)
        .collect();
    let n: f64 = rows.iter().sum();
    let expected: Vec<f64> = rows
        .iter()
        .flat_map(|r| cols.iter().map(move |c| r * c / n))
        .collect();
    let small = expected.iter().filter(|&&e| e < 5.0).count();
    let min = expected.iter().copied().fold(f64::INFINITY, f64::min);
    (small > 0).then(|| {
        format!(
            "Chi-squared approximation may be incorrect: {small} cell(s) with expected count < 5 (smallest {min:.2}); prefer Fisher's exact test"
        )
    })
}

fn print_table(r: &CompareReport) {
    println!(
        "Comparison by '{}' ({} vs {}) in {}",
        r.by, r.groups[0], r.groups[1], r.data
    );
    println!(
        "{:<14} {:<26} {:<26} {:<62} {:>12} {:>11}",
        "variable", r.groups[0], r.groups[1], "test", "statistic", "p-value"
    );
    for v in &r.variables {
        let desc = |g: &GroupSummary| match (&g.mean, &g.sd, &g.counts) {
            (Some(m), Some(s), _) => format!("{m:.3} ± {s:.3} (n={})", g.n),
            (Some(m), None, _) => format!("{m:.3} (n={})", g.n),
            (_, _, Some(c)) => format!(
                "{} (n={})",
                c.iter().map(usize::to_string).collect::<Vec<_>>().join("/"),
                g.n
            ),
            _ => String::new(),
        };
        if v.tests.is_empty() {
            println!(
                "{:<14} {:<26} {:<26} (no test computed)",
                v.variable,
                desc(&v.groups[0]),
                desc(&v.groups[1])
            );
        }
        for (i, t) in v.tests.iter().enumerate() {
            let (name, a, b) = if i == 0 {
                (v.variable.as_str(), desc(&v.groups[0]), desc(&v.groups[1]))
            } else {
                ("", String::new(), String::new())
            };
            let stat = match t.estimate {
                Some(or) if t.method.starts_with("Fisher") => format!("OR {or:.4}"),
                // fisher.test of a 2×k table has no statistic and no estimate.
                None if t.method.starts_with("Fisher") => "–".into(),
                _ => format!("{:.4}", t.statistic),
            };
            println!(
                "{:<14} {:<26} {:<26} {:<62} {:>12} {:>11.4e}",
                name,
                a,
                b,
                t.method.trim(),
                stat,
                t.p_value
            );
        }
        if let Some(levels) = &v.levels {
            println!("{:<14} levels: {}", "", levels.join("/"));
        }
        if let Some(s) = v.smd {
            println!("{:<14} standardized mean difference: {s:.4}", "");
        }
        for n in &v.notes {
            println!("{:<14} note: {n}", "");
        }
        if !v.dropped.is_empty() {
            input::print_dropped(v.n, &v.dropped);
        }
    }
}
