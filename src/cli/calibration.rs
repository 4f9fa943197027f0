//! `calcscore calibration`: calibration of predicted risks on a validation set (rms::val.prob's
//! statistics, grouped observed vs predicted) with an optional calibration plot.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::roc::input;
use super::Outcome;
use crate::data::{DataError, Table};
use crate::report::canon_charts::CalibrationPlot;
use crate::report::figures::{render_png, render_svg, Figure};
use crate::stats::calibration::{calibration, Calibration};

/// Arguments of `calcscore calibration`.
#[derive(Debug, clap::Args)]
#[command(
    group = clap::ArgGroup::new("risk").required(true).args(["predicted", "lp"]),
    after_help = "Examples:\n  calcscore calibration --data val.csv --outcome y --predicted p --groups 10 --plot calibration.svg\n  \
calcscore calibration --data val.csv --outcome y --lp linear_predictor --json"
)]
pub struct CalibrationArgs {
    /// Table (CSV or Parquet) of the validation set.
    #[arg(long)]
    pub data: PathBuf,
    /// Outcome column: 0/1, or a text column with exactly two levels (second sorted level = event).
    #[arg(long)]
    pub outcome: String,
    /// Outcome level counted as the event (default: 1 for 0/1, else the second sorted level).
    #[arg(long)]
    pub case: Option<String>,
    /// Column of predicted risks, each strictly between 0 and 1.
    #[arg(long)]
    pub predicted: Option<String>,
    /// Column of linear predictors (log-odds); the risk is 1/(1 + exp(−lp)).
    #[arg(long)]
    pub lp: Option<String>,
    /// Groups of predictions for observed vs predicted (Hmisc::cut2 quantile groups).
    #[arg(long, default_value_t = 10)]
    pub groups: usize,
    /// Write the calibration plot to this file (.svg, or .png at 300 dpi).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    pub conf_level: f64,
    /// Tidy JSON output instead of the printed summary.
    #[arg(long)]
    pub json: bool,
}

/// JSON shape of `calcscore calibration --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct CalibrationReport<'a> {
    verb: &'static str,
    data: String,
    outcome: String,
    risk_column: String,
    risk_scale: &'static str,
    case_level: String,
    n: usize,
    dropped: Vec<input::Dropped>,
    #[serde(flatten)]
    calibration: &'a Calibration,
}

/// Run `calcscore calibration`.
pub fn run(a: CalibrationArgs) -> crate::Result<Outcome> {
    input::check_level(a.conf_level)?;
    if a.groups == 0 {
        return Err(crate::Error::Usage("--groups must be at least 1".into()));
    }
    let (column, scale) = match (&a.predicted, &a.lp) {
        (Some(p), _) => (p.clone(), Scale::Probability),
        (None, Some(l)) => (l.clone(), Scale::LogOdds),
        (None, None) => unreachable!("clap requires --predicted or --lp"),
    };
    let table = input::load(&a.data)?;
    let (rows, dropped) = input::complete_rows(&table, &[&a.outcome, &column])?;
    let (y, levels) = input::binary_outcome(&table, &a.outcome, &rows, a.case.as_deref())?;
    let p = risks(&table, &column, &rows, scale)?;
    let cal = calibration(&p, &y, a.groups, a.conf_level)?;
    if let Some(path) = &a.plot {
        write_figure(path, &CalibrationPlot::new(&cal, &p, &column))?;
    }
    let report = CalibrationReport {
        verb: "calibration",
        data: table.source.clone(),
        outcome: a.outcome.clone(),
        risk_column: column.clone(),
        risk_scale: scale.name(),
        case_level: levels.case.clone(),
        n: rows.len(),
        dropped,
        calibration: &cal,
    };
    if a.json {
        input::print_json(&report)?;
    } else {
        print_summary(&report, &levels);
    }
    Ok(Outcome::Success)
}

/// Scale of a risk column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Probabilities strictly inside (0, 1).
    Probability,
    /// Probabilities in [0, 1] (decision curves: a risk of 0 or 1 is a valid decision).
    ClosedProbability,
    /// Log-odds.
    LogOdds,
}

impl Scale {
    fn name(self) -> &'static str {
        match self {
            Scale::Probability | Scale::ClosedProbability => "probability",
            Scale::LogOdds => "log-odds",
        }
    }
}

/// Risks of a column at `rows`; a value outside (0, 1) (or a non-finite log-odds) is an error naming
/// file, row and column.
pub(crate) fn risks(
    table: &Table,
    col: &str,
    rows: &[usize],
    scale: Scale,
) -> crate::Result<Vec<f64>> {
    let v = table.numeric(col)?;
    let mut out = Vec::with_capacity(rows.len());
    for &i in rows {
        let x = v[i].unwrap_or(f64::NAN);
        let (p, ok, rule) = match scale {
            Scale::Probability => (
                x,
                x > 0.0 && x < 1.0,
                "a predicted risk must be strictly between 0 and 1 (its log-odds must be finite)",
            ),
            Scale::ClosedProbability => (
                x,
                (0.0..=1.0).contains(&x),
                "a predicted risk must lie between 0 and 1",
            ),
            Scale::LogOdds => {
                let p = 1.0 / (1.0 + (-x).exp());
                (
                    p,
                    x.is_finite() && p > 0.0 && p < 1.0,
                    "a linear predictor must be finite and give a risk strictly inside (0, 1)",
                )
            }
        };
        if !ok {
            return Err(DataError::Invalid {
                file: table.source.clone(),
                row: Table::row_number(i),
                column: col.to_string(),
                value: crate::data::table::format_number(x),
                rule: rule.into(),
            }
            .into());
        }
        out.push(p);
    }
    Ok(out)
}

/// Write a figure as SVG, or PNG when the name ends in `.png`.
pub(crate) fn write_figure<F: Figure>(path: &Path, fig: &F) -> crate::Result<()> {
    let png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let bytes = if png {
        render_png(fig)?
    } else {
        render_svg(fig)?.into_bytes()
    };
    std::fs::write(path, bytes).map_err(|e| crate::Error::io("write", path, e))
}

fn print_summary(r: &CalibrationReport, levels: &input::Levels) {
    let c = r.calibration;
    println!(
        "Calibration of '{}' ({}) for '{}' ({})",
        r.risk_column, r.risk_scale, r.outcome, r.data
    );
    println!("Event level: {} ({})", levels.case, levels.how);
    input::print_dropped(r.n, &r.dropped);
    println!("n = {}, events = {}\n", c.n, c.events);
    let pct = c.conf_level * 100.0;
    println!(
        "{:<26} {:>10} {:>10} {:>8} {:>10}  {pct}% CI (Wald)",
        "", "estimate", "std.error", "z", "p"
    );
    for t in [&c.citl, &c.slope] {
        println!(
            "{:<26} {:>10.6} {:>10.6} {:>8.3} {:>10}  {:.6} - {:.6}",
            t.term,
            t.estimate,
            t.std_error,
            t.statistic,
            crate::stats::vcov::p_text(t.p_value),
            t.conf_low,
            t.conf_high
        );
    }
    println!("  (calibration-in-the-large: glm(y ~ offset(lp)); slope: glm(y ~ lp), whose intercept is {:.6})", c.slope_intercept);
    println!(
        "\nBrier {:.6}   scaled Brier {:.6}   C (ROC) {:.6}",
        c.brier, c.scaled_brier, c.c_statistic
    );
    println!(
        "Flexible calibration (lowess, iter = 0, as rms::val.prob): ICI {:.6}  E50 {:.6}  E90 {:.6}  Emax {:.6}",
        c.ici, c.e50, c.e90, c.emax
    );
    println!(
        "\nGrouped ({} groups of predictions, Hmisc::cut2; observed with Wilson {pct}% CI):",
        c.groups.len()
    );
    println!(
        "{:>6} {:>7} {:>21} {:>10} {:>10}  CI",
        "n", "events", "predicted range", "predicted", "observed"
    );
    for g in &c.groups {
        println!(
            "{:>6} {:>7} {:>10.4} - {:>8.4} {:>10.4} {:>10.4}  {:.4} - {:.4}",
            g.n,
            g.events,
            g.min_predicted,
            g.max_predicted,
            g.mean_predicted,
            g.observed,
            g.conf_low,
            g.conf_high
        );
    }
}
