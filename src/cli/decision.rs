//! `calcscore decision`: decision curve analysis of predicted risks (net benefit, treat-all,
//! treat-none, net interventions avoided, standardised net benefit; Python dcurves' conventions).

use std::path::PathBuf;

use serde::Serialize;

use super::args::InputArgs;
use super::calibration::{pick, risks, write_figure, RiskInput, RiskOutputArgs, Scale};
use super::roc::input;
use super::text::numbers;
use super::Outcome;
use calcscore_report::canon_charts::DecisionPlot;
use calcscore_report::output::Producer;
use calcscore_stats::bootstrap::Bootstrap;
use calcscore_stats::decision::{
    decision_curve, strategy_curve, DecisionCurve, DecisionPoint, Thresholds,
};

/// Arguments of `calcscore decision`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore decision --data val.csv --outcome y --predicted p --plot decision.svg\n  \
calcscore decision --data val.csv --outcome y --predicted p --thresholds 0.05:0.5:0.05 --json"
)]
pub struct DecisionArgs {
    #[command(flatten)]
    pub data: InputArgs,
    #[command(flatten)]
    pub event: super::args::OutcomeArgs,
    /// Column of predicted risks in [0, 1]; a patient is treated when risk >= threshold.
    #[arg(long)]
    pub predicted: String,
    /// Threshold probabilities: FROM:TO:BY or a comma list, each in [0, 1).
    #[arg(long, default_value = "0.01:0.99:0.01")]
    pub thresholds: String,
    /// Marker (e.g. a point score) whose cutoffs are strategies: treat when marker >= cutoff.
    #[arg(long, requires = "cutoffs")]
    pub marker: Option<String>,
    /// Cutoffs of --marker, each a strategy with its own net-benefit curve (e.g. 2,3,4).
    #[arg(
        long,
        value_delimiter = ',',
        requires = "marker",
        allow_negative_numbers = true
    )]
    pub cutoffs: Vec<f64>,
    /// Write the decision curve to this file (.svg, or .png at 300 dpi).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub out: RiskOutputArgs,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    strategies: Vec<Strategy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<Bootstrap>,
}

/// A fixed strategy "marker >= cutoff" with its net benefit at each threshold.
#[derive(Debug, Serialize)]
struct Strategy {
    name: String,
    cutoff: f64,
    points: Vec<DecisionPoint>,
}

/// Run `calcscore decision`.
pub fn run(a: DecisionArgs) -> crate::Result<Outcome> {
    let thresholds = Thresholds::parse(&a.thresholds).map_err(crate::Error::Usage)?;
    if let Some(path) = &a.plot {
        super::calibration::check_figure(path, &a.data.paths(), Producer::DecisionPlot)?;
    }
    let mut cols = vec![a.predicted.as_str()];
    cols.extend(a.marker.as_deref());
    let RiskInput {
        table,
        rows,
        dropped,
        y,
        levels,
    } = a.out.boot.read_binary(&a.data, &a.event, &cols)?;
    let p = risks(&table, &a.predicted, &rows, Scale::ClosedProbability)?;
    let curve = decision_curve(&p, &y, &thresholds)?;
    let strategies = strategies(&a, &table, &rows, &y, &thresholds)?;
    let names: Vec<String> = thresholds
        .values()
        .iter()
        .map(|t| format!("net_benefit at {t}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let bootstrap = a.out.bootstrap(&table, &rows, &names, |r| {
        let d = decision_curve(&pick(&p, r), &pick(&y, r), &thresholds).ok()?;
        Some(d.model.iter().map(|m| m.net_benefit).collect())
    })?;
    if let Some(path) = &a.plot {
        let mut fig = DecisionPlot::new(&curve, &a.predicted);
        fig.strategies = strategies
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.points
                        .iter()
                        .map(|p| (p.threshold, p.net_benefit))
                        .collect(),
                )
            })
            .collect();
        write_figure(path, &fig, &a.data.paths(), Producer::DecisionPlot)?;
    }
    let report = DecisionReport {
        verb: "decision",
        data: table.source.clone(),
        outcome: a.event.outcome.clone(),
        predicted: a.predicted.clone(),
        case_level: levels.case.clone(),
        dropped,
        curve: &curve,
        strategies,
        bootstrap,
    };
    let boot = report.bootstrap.as_ref();
    a.out
        .print(&report, boot, |r| print_table(r, &levels, rows.len()))?;
    Ok(Outcome::Success)
}

/// The net-benefit curve of "marker >= cutoff" for each cutoff.
fn strategies(
    a: &DecisionArgs,
    table: &calcscore_data::Table,
    rows: &[usize],
    y: &[bool],
    thresholds: &Thresholds,
) -> crate::Result<Vec<Strategy>> {
    let Some(marker) = &a.marker else {
        return Ok(Vec::new());
    };
    if a.cutoffs.iter().any(|c| !c.is_finite()) {
        return Err(crate::Error::Usage(
            "--cutoffs must be finite numbers".into(),
        ));
    }
    let values = input::numbers(table, marker, rows)?;
    a.cutoffs
        .iter()
        .map(|&c| {
            let positive: Vec<bool> = values.iter().map(|&v| v >= c).collect();
            Ok(Strategy {
                name: format!("{marker} >= {c}"),
                cutoff: c,
                points: strategy_curve(&positive, y, thresholds)?,
            })
        })
        .collect()
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
    let head = [
        "threshold",
        "NB model",
        "NB all",
        "NB none",
        "interv.avoided",
        "sNB model",
    ];
    let rows: Vec<Vec<f64>> = c
        .model
        .iter()
        .zip(&c.all)
        .zip(&c.none)
        .map(|((m, a), z)| {
            vec![
                m.threshold,
                m.net_benefit,
                a.net_benefit,
                z.net_benefit,
                m.net_intervention_avoided,
                m.standardized_net_benefit,
            ]
        })
        .collect();
    print!("{}", numbers(&head, &[4, 6, 6, 6, 6, 6], &rows).to_text());
    for st in &r.strategies {
        println!("\nStrategy '{}' (treat when true):", st.name);
        let rows: Vec<Vec<f64>> = st
            .points
            .iter()
            .map(|p| vec![p.threshold, p.net_benefit, p.net_intervention_avoided])
            .collect();
        let head = ["threshold", "NB", "interv.avoided"];
        print!("{}", numbers(&head, &[4, 6, 6], &rows).to_text());
    }
    println!("\nNB = TP/n − FP/n · pt/(1 − pt); interventions avoided per patient = (NB − NB all)/(pt/(1 − pt)); sNB = NB / prevalence");
}
