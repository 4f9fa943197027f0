//! `calcscore diagnose`: diagnostic accuracy of a marker dichotomised at a cutoff
//! (positive test = marker >= cutoff, or marker <= cutoff with `--direction gt`).

use serde::Serialize;

use super::args::{LevelArgs, MarkerArgs};
use super::roc::input;
use super::Outcome;
use calcscore_core::options::Threshold;
use calcscore_stats::{CiMethod, Measure, TwoByTwo};

/// Arguments of `calcscore diagnose`.
#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub input: MarkerArgs,
    /// Cutoff: marker >= cutoff is a positive test.
    #[arg(long, allow_negative_numbers = true)]
    pub cutoff: Threshold,
    /// Direction as pROC spells it: lt (`<`, controls below cases: positive when marker >= cutoff) or gt (`>`,
    /// controls above cases, e.g. stent expansion for underexpansion: positive when marker <= cutoff).
    #[arg(long, default_value = "lt", value_parser = ["lt", "gt", "<", ">"])]
    pub direction: String,
    /// Interval for proportions: wilson (prop.test, no correction) or exact (Clopper-Pearson).
    #[arg(long, default_value = "wilson", value_parser = ["wilson", "exact"])]
    pub ci: String,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Print tidy JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// JSON shape of `calcscore diagnose --json` (see docs/json-htest.md).
#[derive(Debug, Serialize)]
struct DiagnoseReport {
    verb: &'static str,
    data: String,
    marker: String,
    outcome: String,
    cutoff: f64,
    /// The positive test in words ("marker >= cutoff" or "marker <= cutoff").
    positive_test: String,
    case_level: String,
    control_level: String,
    ci_method: String,
    conf_level: f64,
    n: usize,
    dropped: Vec<input::Dropped>,
    table: TwoByTwo,
    rows: Vec<Measure>,
}

/// Run `calcscore diagnose`.
pub fn run(args: DiagnoseArgs) -> crate::Result<Outcome> {
    let table = args.input.data.load()?;
    let input::BinaryRows {
        rows,
        dropped,
        outcome,
        levels,
    } = input::binary_rows(
        &table,
        &[&args.input.marker, &args.input.event.outcome],
        &args.input.event,
    )?;
    let marker = input::numbers(&table, &args.input.marker, &rows)?;
    let method = if args.ci == "exact" {
        CiMethod::Exact
    } else {
        CiMethod::Wilson
    };
    let higher_is_case = matches!(args.direction.as_str(), "lt" | "<");
    let t = TwoByTwo::from_marker_direction(&marker, &outcome, args.cutoff.get(), higher_is_case);
    let sign = if higher_is_case { ">=" } else { "<=" };
    let report = DiagnoseReport {
        verb: "diagnose",
        data: table.source.clone(),
        marker: args.input.marker.clone(),
        outcome: args.input.event.outcome.clone(),
        cutoff: args.cutoff.get(),
        positive_test: format!("{} {sign} {}", args.input.marker, args.cutoff.get()),
        case_level: levels.case.clone(),
        control_level: levels.control.clone(),
        ci_method: method.name().into(),
        conf_level: args.level.get(),
        n: rows.len(),
        dropped,
        table: t,
        rows: t.measures(method, args.level.get()),
    };
    input::print_report(args.json, &report, |r| print_summary(r, &levels))?;
    Ok(Outcome::Success)
}

fn print_summary(r: &DiagnoseReport, levels: &input::Levels) {
    println!(
        "Diagnostic accuracy of '{}' for '{}' ({})",
        r.positive_test, r.outcome, r.data
    );
    levels.print();
    input::print_dropped(r.n, &r.dropped);
    let t = r.table;
    use calcscore_report::Align::{Left, Right};
    let two_by_two = calcscore_report::Table::new(&["", "case", "control"])
        .align(&[Left, Right, Right])
        .row(["test +".to_string(), t.tp.to_string(), t.fp.to_string()])
        .row(["test -".to_string(), t.fn_.to_string(), t.tn.to_string()]);
    print!("{}", two_by_two.to_text());
    let pct = r.conf_level * 100.0;
    let ci_head = format!("{pct}% CI ({})", r.ci_method);
    let mut table = calcscore_report::Table::new(&["measure", "estimate", "x/n", &ci_head])
        .align(&[Left, Right, Right, Left]);
    for m in &r.rows {
        table = table.row([
            m.name.clone(),
            format!("{:.4}", m.estimate),
            format!("{}/{}", m.numerator, m.denominator),
            format!("{:.4} - {:.4} [{}]", m.conf_low, m.conf_high, m.method),
        ]);
        if let Some(n) = &m.note {
            table = table.note(format!("note ({}): {n}", m.name));
        }
    }
    print!("{}", table.to_text());
}
