//! `calcscore paired`: paired t-test (mean difference before - after with CI) and
//! Wilcoxon signed-rank test of two columns measured on the same rows. Constant differences have no
//! t-test (a note says why), and differences all 0 no test at all (refused, naming file and columns).

use serde::Serialize;

use super::args::{InputArgs, LevelArgs};
use super::roc::input;
use super::Outcome;
use calcscore_stats::htest::{constant_difference, t_test_paired, wilcoxon_signed_rank};
use calcscore_stats::{StatsError, TestResult};

/// Arguments of `calcscore paired`.
#[derive(Debug, clap::Args)]
pub struct PairedArgs {
    #[command(flatten)]
    pub data: InputArgs,
    /// First measurement column (differences are before - after).
    #[arg(long)]
    pub before: String,
    /// Second measurement column.
    #[arg(long)]
    pub after: String,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Print tidy JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// JSON shape of `calcscore paired --json` (see docs/json-htest.md).
#[derive(Debug, Serialize)]
pub(crate) struct TwoColumnReport {
    pub verb: &'static str,
    pub data: String,
    pub x: String,
    pub y: String,
    pub conf_level: f64,
    pub n: usize,
    pub dropped: Vec<input::Dropped>,
    pub tests: Vec<TestResult>,
    pub notes: Vec<String>,
}

/// Run `calcscore paired`.
pub fn run(args: PairedArgs) -> crate::Result<Outcome> {
    let ColumnPair {
        source,
        n,
        dropped,
        x: before,
        y: after,
    } = read_pair(&args.data, &args.before, &args.after)?;
    let mut tests = Vec::new();
    let mut notes = Vec::new();
    let differences = format!("'{}' - '{}'", args.before, args.after);
    match constant_difference(&before, &after) {
        Some((lo, hi)) if lo == 0.0 && hi == 0.0 => {
            return Err(StatsError::Undefined(format!(
                "{source}: every difference {differences} is 0 on the {n} rows used (the two columns are \
                 equal on every row), so no paired test is defined: the paired t-test has no spread to scale \
                 by (R's t.test gives t = NaN, p = NA) and the Wilcoxon signed-rank test drops zero \
                 differences, which leaves none (R's wilcox.test gives V = 0, p = NA)"
            ))
            .into());
        }
        Some((lo, hi)) => notes.push(constant_note(&source, &differences, n, lo, hi)),
        None => tests.push(t_test_paired(&before, &after, args.level.get())?),
    }
    let zeros = before.iter().zip(&after).filter(|(a, b)| a == b).count();
    if zeros > 0 {
        notes.push(format!(
            "{zeros} zero difference(s) dropped from the signed-rank test (normal approximation used, as R)"
        ));
    }
    tests.push(wilcoxon_signed_rank(&before, &after, None, true)?);
    let report = TwoColumnReport {
        verb: "paired",
        data: source,
        x: args.before.clone(),
        y: args.after.clone(),
        conf_level: args.level.get(),
        n,
        dropped,
        tests,
        notes,
    };
    let title = format!(
        "Paired comparison of '{}' - '{}' ({})",
        report.x, report.y, report.data
    );
    report.print(args.json, &title)?;
    Ok(Outcome::Success)
}

/// Why the paired t-test is missing when every difference is the same non-zero value (or the same up to
/// rounding, as `t.test` judges it), and what the signed-rank test then is.
fn constant_note(source: &str, differences: &str, n: usize, lo: f64, hi: f64) -> String {
    let value = if lo == hi {
        format!("is {lo}")
    } else {
        // The common value at 12 significant digits, then the two ends exactly.
        let rounded: f64 = format!("{:.11e}", 0.5 * (lo + hi)).parse().unwrap_or(lo);
        format!("is {rounded} up to rounding (from {lo} to {hi})")
    };
    let ranks = if lo == hi {
        "every |difference| ties, so its p-value is the normal approximation with continuity correction, as \
         R's (which warns that it cannot compute an exact p-value with ties)"
    } else {
        "differences that tie make its p-value the normal approximation with continuity correction, as R's"
    };
    format!(
        "{source}: every difference {differences} {value} on the {n} rows used: the paired t-test is not \
         given, the differences having no spread to scale by (R's t.test stops: 'data are essentially \
         constant'); the Wilcoxon signed-rank test is still defined: {ranks}"
    )
}

/// Two numeric columns on the rows where both have a value.
pub(crate) struct ColumnPair {
    /// The file read.
    pub(crate) source: String,
    /// Rows used.
    pub(crate) n: usize,
    /// Per column, the rows its missing values removed.
    pub(crate) dropped: Vec<input::Dropped>,
    /// The first column's values.
    pub(crate) x: Vec<f64>,
    /// The second column's values.
    pub(crate) y: Vec<f64>,
}

/// Read the input and keep the rows complete in columns `x` and `y`.
pub(crate) fn read_pair(data: &InputArgs, x: &str, y: &str) -> crate::Result<ColumnPair> {
    let table = data.load()?;
    let (rows, dropped) = input::complete_rows(&table, &[x, y])?;
    Ok(ColumnPair {
        x: input::numbers(&table, x, &rows)?,
        y: input::numbers(&table, y, &rows)?,
        source: table.source,
        n: rows.len(),
        dropped,
    })
}

impl TwoColumnReport {
    /// Print the report: JSON with --json, else `title` and the tests.
    pub(crate) fn print(&self, json: bool, title: &str) -> crate::Result<()> {
        input::print_report(json, self, |r| {
            println!("{title}");
            print_tests(r);
        })
    }
}

/// Print the tests of a two-column report in an R-like way.
fn print_tests(r: &TwoColumnReport) {
    input::print_dropped(r.n, &r.dropped);
    let pct = r.conf_level * 100.0;
    for t in &r.tests {
        println!();
        println!("  {}", t.method.trim());
        let df = t.df.map_or(String::new(), |d| format!(", df = {d:.4}"));
        println!(
            "  {} = {:.6}{df}, p-value = {:.4e}",
            t.statistic_name, t.statistic, t.p_value
        );
        if let (Some(e), Some(name)) = (t.estimate, &t.estimate_name) {
            match (t.conf_low, t.conf_high) {
                (Some(lo), Some(hi)) => {
                    println!("  {name}: {e:.6}, {pct}% CI {lo:.6} to {hi:.6}")
                }
                _ => println!("  {name}: {e:.6}"),
            }
        }
    }
    for n in &r.notes {
        println!("note: {n}");
    }
}
