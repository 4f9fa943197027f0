//! `calcscore correlate`: Pearson correlation (t test, Fisher-z CI) and Spearman's rho.

use super::args::{InputArgs, LevelArgs};
use super::paired::{read_pair, ColumnPair, TwoColumnReport};
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
    let ColumnPair {
        source,
        n,
        dropped,
        x,
        y,
    } = read_pair(&args.data, &args.x, &args.y)?;
    let report = TwoColumnReport {
        verb: "correlate",
        data: source,
        x: args.x.clone(),
        y: args.y.clone(),
        conf_level: args.level.get(),
        n,
        dropped,
        tests: vec![pearson(&x, &y, args.level.get())?, spearman(&x, &y)?],
        notes: vec![format!("Spearman p-value: {}", spearman_p_method(&x, &y))],
    };
    let title = format!(
        "Correlation of '{}' and '{}' ({})",
        report.x, report.y, report.data
    );
    report.print(args.json, &title)?;
    Ok(Outcome::Success)
}
