//! `calcscore correlate`: Pearson correlation (t test, Fisher-z CI) and Spearman's rho.

use super::args::{InputArgs, LevelArgs};
use super::paired::{print_tests, TwoColumnReport};
use super::roc::input;
use super::Outcome;
use calcscore_stats::htest::{pearson, spearman, spearman_p_method};

/// Arguments of `calcscore correlate`.
#[derive(Debug, clap::Args)]
pub struct CorrelateArgs {
    #[command(flatten)]
    pub data: InputArgs,
    /// First column.
    #[arg(long)]
    pub x: String,
    /// Second column.
    #[arg(long)]
    pub y: String,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Print tidy JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// Run `calcscore correlate`.
pub fn run(args: CorrelateArgs) -> crate::Result<Outcome> {
    let table = args.data.load()?;
    let (rows, dropped) = input::complete_rows(&table, &[&args.x, &args.y])?;
    let x = input::numbers(&table, &args.x, &rows)?;
    let y = input::numbers(&table, &args.y, &rows)?;
    let report = TwoColumnReport {
        verb: "correlate",
        data: table.source.clone(),
        x: args.x.clone(),
        y: args.y.clone(),
        conf_level: args.level.get(),
        n: rows.len(),
        dropped,
        tests: vec![pearson(&x, &y, args.level.get())?, spearman(&x, &y)?],
        notes: vec![format!("Spearman p-value: {}", spearman_p_method(&x, &y))],
    };
    if args.json {
        input::print_json(&report)?;
    } else {
        println!(
            "Correlation of '{}' and '{}' ({})",
            report.x, report.y, report.data
        );
        print_tests(&report);
    }
    Ok(Outcome::Success)
}
