//! `calcscore decision`: decision curve analysis of predicted risks (net benefit, treat-all,
//! treat-none, net interventions avoided, standardised net benefit; Python dcurves' conventions).

use std::path::PathBuf;

use serde::Serialize;

use super::calibration::{pick, print_bootstrap, risks, write_figure, BootOptions, Scale};
use super::roc::input;
use super::Outcome;
use crate::report::canon_charts::DecisionPlot;
use crate::stats::bootstrap::Bootstrap;
use crate::stats::decision::{decision_curve, DecisionCurve, Thresholds};

/// Arguments of `calcscore decision`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore decision --data val.csv --outcome y --predicted p --plot decision.svg\n  \
calcscore decision --data val.csv --outcome y --predicted p --thresholds 0.05:0.5:0.05 --json"
)]
pub struct DecisionArgs {
    /// Table (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Outcome column: 0/1, or a text column with exactly two levels (second sorted level = event).
    #[arg(long)]
    pub outcome: String,
    /// Outcome level counted as the event (default: 1 for 0/1, else the second sorted level).
    #[arg(long)]
    pub case: Option<String>,
    /// Column of predicted risks in [0, 1]; a patient is treated when risk >= threshold.
    #[arg(long)]
    pub predicted: String,
    /// Threshold probabilities: FROM:TO:BY or a comma list, each in [0, 1).
    #[arg(long, default_value = "0.01:0.99:0.01")]
    pub thresholds: String,
    /// Write the decision curve to this file (.svg, or .png at 300 dpi).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Confidence level of the bootstrap intervals.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Cluster bootstrap of the model's net benefit at each threshold.
    #[command(flatten)]
    pub boot: BootOptions,
    /// Tidy JSON output instead of the printed table.
    #[arg(long)]
    pub json: bool,
}

/// JSON shape of `calcscore decision --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct DecisionReport<'a> {
    verb: &'static str,
    data: String,
    outcome: String,
    predicted: String,
    case_level: String,
    dropped: Vec<input::Dropped>,
    #[serde(flatten)]
    curve: &'a DecisionCurve,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<Bootstrap>,
}

/// Run `calcscore decision`.
pub fn run(a: DecisionArgs) -> crate::Result<Outcome> {
    let thresholds = Thresholds::parse(&a.thresholds).map_err(crate::Error::Usage)?;
    input::check_level(a.conf_level)?;
    a.boot.check()?;
    let table = input::load(&a.data)?;
    let mut cols = vec![a.outcome.as_str(), a.predicted.as_str()];
    cols.extend(a.boot.columns());
    let (rows, dropped) = input::complete_rows(&table, &cols)?;
    let (y, levels) = input::binary_outcome(&table, &a.outcome, &rows, a.case.as_deref())?;
    let p = risks(&table, &a.predicted, &rows, Scale::ClosedProbability)?;
    let curve = decision_curve(&p, &y, &thresholds)?;
    let names: Vec<String> = thresholds
        .values()
        .iter()
        .map(|t| format!("net_benefit at {t}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let bootstrap = a.boot.run(&table, &rows, a.conf_level, &names, |r| {
        let d = decision_curve(&pick(&p, r), &pick(&y, r), &thresholds).ok()?;
        Some(d.model.iter().map(|m| m.net_benefit).collect())
    })?;
    if let Some(path) = &a.plot {
        write_figure(path, &DecisionPlot::new(&curve, &a.predicted))?;
    }
    let report = DecisionReport {
        verb: "decision",
        data: table.source.clone(),
        outcome: a.outcome.clone(),
        predicted: a.predicted.clone(),
        case_level: levels.case.clone(),
        dropped,
        curve: &curve,
        bootstrap,
    };
    if a.json {
        input::print_json(&report)?;
    } else {
        print_table(&report, &levels, rows.len());
        if let Some(b) = &report.bootstrap {
            print_bootstrap(b, a.conf_level);
        }
    }
    Ok(Outcome::Success)
}

fn print_table(r: &DecisionReport, levels: &input::Levels, n: usize) {
    let c = r.curve;
    println!(
        "Decision curve of '{}' for '{}' ({}): treat when risk >= threshold",
        r.predicted, r.outcome, r.data
    );
    println!("Event level: {} ({})", levels.case, levels.how);
    input::print_dropped(n, &r.dropped);
    println!("prevalence = {:.6}\n", c.prevalence);
    println!(
        "{:>9} {:>12} {:>12} {:>12} {:>14} {:>12}",
        "threshold", "NB model", "NB all", "NB none", "interv.avoided", "sNB model"
    );
    for ((m, a), z) in c.model.iter().zip(&c.all).zip(&c.none) {
        println!(
            "{:>9.4} {:>12.6} {:>12.6} {:>12.6} {:>14.6} {:>12.6}",
            m.threshold,
            m.net_benefit,
            a.net_benefit,
            z.net_benefit,
            m.net_intervention_avoided,
            m.standardized_net_benefit
        );
    }
    println!("\nNB = TP/n − FP/n · pt/(1 − pt); interventions avoided per patient = (NB − NB all)/(pt/(1 − pt)); sNB = NB / prevalence");
}
