//! `calcscore nri`: net reclassification improvement (categorical and continuous) and integrated
//! discrimination improvement of a new risk column over an old one (Hmisc::improveProb conventions).

use serde::Serialize;

use super::args::InputArgs;
use super::calibration::{pick, risks, RiskInput, RiskOutputArgs, Scale};
use super::roc::input;
use super::Outcome;
use calcscore_stats::bootstrap::Bootstrap;
use calcscore_stats::reclassification::{reclassification, Improvement, Reclassification};

/// Arguments of `calcscore nri`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore nri --data val.csv --outcome y --old p_published --new p_derived --cuts 0.2,0.5"
)]
pub struct NriArgs {
    #[command(flatten)]
    pub data: InputArgs,
    #[command(flatten)]
    pub event: super::args::OutcomeArgs,
    /// Column of risks of the old (reference) model, in [0, 1].
    #[arg(long)]
    pub old: String,
    /// Column of risks of the new model, in [0, 1].
    #[arg(long)]
    pub new: String,
    /// Risk cuts of the categorical NRI, increasing, e.g. 0.2,0.5 ([0, .2), [.2, .5), [.5, 1]).
    #[arg(long, value_delimiter = ',')]
    pub cuts: Vec<f64>,
    #[command(flatten)]
    pub out: RiskOutputArgs,
}

/// JSON shape of `calcscore nri --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct NriReport<'a> {
    verb: &'static str,
    data: String,
    outcome: String,
    old: String,
    new: String,
    case_level: String,
    dropped: Vec<input::Dropped>,
    #[serde(flatten)]
    result: &'a Reclassification,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<Bootstrap>,
}

/// Run `calcscore nri`.
pub fn run(a: NriArgs) -> crate::Result<Outcome> {
    if a.cuts.windows(2).any(|w| w[0] >= w[1]) || a.cuts.iter().any(|c| !(*c > 0.0 && *c < 1.0)) {
        return Err(crate::Error::Usage(
            "--cuts must be increasing numbers strictly between 0 and 1".into(),
        ));
    }
    let RiskInput {
        table,
        rows,
        dropped,
        y,
        levels,
    } = a
        .out
        .boot
        .read_binary(&a.data, &a.event, &[&a.old, &a.new])?;
    let old = risks(&table, &a.old, &rows, Scale::ClosedProbability)?;
    let new = risks(&table, &a.new, &rows, Scale::ClosedProbability)?;
    let result = reclassification(&old, &new, &y, &a.cuts, a.out.conf_level())?;
    let mut names = vec!["NRI (continuous)", "IDI"];
    if !a.cuts.is_empty() {
        names.push("NRI (categorical)");
    }
    let bootstrap = a.out.bootstrap(&table, &rows, &names, |r| {
        let x =
            reclassification(&pick(&old, r), &pick(&new, r), &pick(&y, r), &a.cuts, 0.95).ok()?;
        let mut v = vec![x.continuous.rows[0].estimate, x.idi.estimate];
        v.extend(x.categorical.map(|c| c.rows[0].estimate));
        Some(v)
    })?;
    let report = NriReport {
        verb: "nri",
        data: table.source.clone(),
        outcome: a.event.outcome.clone(),
        old: a.old.clone(),
        new: a.new.clone(),
        case_level: levels.case.clone(),
        dropped,
        result: &result,
        bootstrap,
    };
    let boot = report.bootstrap.as_ref();
    a.out
        .print(&report, boot, |r| print_summary(r, &levels, rows.len()))?;
    Ok(Outcome::Success)
}

fn print_summary<'a>(r: &'a NriReport, levels: &input::Levels, n: usize) {
    let x = r.result;
    println!(
        "Reclassification: new '{}' vs old '{}' for '{}' ({})",
        r.new, r.old, r.outcome, r.data
    );
    println!("Event level: {} ({})", levels.case, levels.how);
    input::print_dropped(n, &r.dropped);
    println!(
        "n = {}, events = {}, non-events = {}\n",
        x.n, x.events, x.nonevents
    );
    let pct = x.conf_level * 100.0;
    let indented = |m: &'a Improvement| (format!("  {}", m.term), Some(m));
    let mut rows: Vec<(String, Option<&Improvement>)> = Vec::new();
    if let Some(c) = &x.categorical {
        let cuts: Vec<String> = x.cuts.iter().map(|v| v.to_string()).collect();
        rows.push((format!("Categorical (cuts {}):", cuts.join(", ")), None));
        rows.extend(c.rows.iter().map(indented));
    }
    rows.push(("Continuous (any change in risk):".into(), None));
    rows.extend(x.continuous.rows.iter().map(indented));
    rows.push((x.idi.term.clone(), Some(&x.idi)));
    let ci_head = format!("{pct}% CI");
    print!("{}", super::text::estimates(&ci_head, &rows).to_text());
    println!(
        "\nmean change in risk: events {:+.6} (improveSens), non-events {:+.6} (−improveSpec)",
        x.improve_sens, -x.improve_spec
    );
    println!("SEs as Hmisc::improveProb (asymptotic); CI = estimate ± z·SE");
}
