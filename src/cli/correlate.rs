//! `calcscore correlate`: Pearson correlation (t test, Fisher-z CI) and Spearman's rho.

use std::path::PathBuf;

use super::paired::{print_tests, TwoColumnReport};
use super::roc::input;
use super::Outcome;
use crate::stats::htest::{pearson, spearman, spearman_p_method};

/// Arguments of `calcscore correlate`.
#[derive(Debug, clap::Args)]
pub struct CorrelateArgs {
    /// Data file (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// First column.
    #[arg(long)]
    pub x: String,
    /// Second column.
    #[arg(long)]
    pub y: String,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Print tidy JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// Run `calcscore correlate`.
pub fn run(args: CorrelateArgs) -> crate::Result<Outcome> {
    input::check_level(args.conf_level)?;
    let table = input::load(&args.data)?;
    let (rows, dropped) = input::complete_rows(&table, &[&args.x, &args.y])?;
    let x = input::numbers(&table, &args.x, &rows)?;
    let y = input::numbers(&table, &args.y, &rows)?;
    let report = TwoColumnReport {
        verb: "correlate",
        data: table.source.clone(),
        x: args.x.clone(),
        y: args.y.clone(),
        conf_level: args.conf_level,
        n: rows.len(),
        dropped,
        tests: vec![pearson(&x, &y, args.conf_level)?, spearman(&x, &y)?],
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
