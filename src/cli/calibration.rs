//! `calcscore calibration`: calibration of predicted risks on a validation set (rms::val.prob's
//! statistics, grouped observed vs predicted) with an optional calibration plot.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::args::{InputArgs, LevelArgs, OutcomeArgs};
use super::roc::input;
use super::Outcome;
use calcscore_data::{DataError, Table};
use calcscore_report::canon_charts::CalibrationPlot;
use calcscore_report::figures::{render_png, render_svg, Figure};
use calcscore_report::output::Producer;
use calcscore_stats::bootstrap::{percentile_bootstrap, units, Bootstrap};
use calcscore_stats::calibration::{calibration, curve_at, Calibration};

/// Arguments of `calcscore calibration`.
#[derive(Debug, clap::Args)]
#[command(
    group = clap::ArgGroup::new("risk").required(true).args(["predicted", "lp"]),
    after_help = "Examples:\n  calcscore calibration --data val.csv --outcome y --predicted p --groups 10 --plot calibration.svg\n  \
calcscore calibration --data val.csv --outcome y --lp linear_predictor --json"
)]
pub struct CalibrationArgs {
    #[command(flatten)]
    pub data: InputArgs,
    #[command(flatten)]
    pub event: super::args::OutcomeArgs,
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
    #[command(flatten)]
    pub out: RiskOutputArgs,
}

/// Statistics the calibration bootstrap gives intervals for.
const BOOT_NAMES: [&str; 9] = [
    "calibration-in-the-large",
    "calibration slope",
    "brier",
    "scaled_brier",
    "c_statistic",
    "ici",
    "e50",
    "e90",
    "emax",
];

/// JSON shape of `calcscore calibration --json` (docs/json.md).
#[derive(Debug, Serialize)]
struct CalibrationReport<'a> {
    verb: &'static str,
    data: String,
    outcome: String,
    risk_column: String,
    risk_scale: &'static str,
    case_level: String,
    dropped: Vec<input::Dropped>,
    /// Its `n` (rows used) is the report's: the report once wrote `n` a second time, a duplicate key.
    #[serde(flatten)]
    calibration: &'a Calibration,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<Bootstrap>,
    /// Percentile band of the lowess curve on a grid of 101 predictions (with --bootstrap).
    #[serde(skip_serializing_if = "Option::is_none")]
    curve_band: Option<Vec<(f64, f64, f64)>>,
}

/// Run `calcscore calibration`.
pub fn run(a: CalibrationArgs) -> crate::Result<Outcome> {
    if a.groups == 0 {
        return Err(crate::Error::Usage("--groups must be at least 1".into()));
    }
    if let Some(path) = &a.plot {
        check_figure(path, &a.data.paths(), Producer::CalibrationPlot)?;
    }
    let (column, scale) = match (&a.predicted, &a.lp) {
        (Some(p), _) => (p.clone(), Scale::Probability),
        (None, Some(l)) => (l.clone(), Scale::LogOdds),
        (None, None) => unreachable!("clap requires --predicted or --lp"),
    };
    let RiskInput {
        table,
        rows,
        dropped,
        y,
        levels,
    } = a.out.boot.read_binary(&a.data, &a.event, &[&column])?;
    let p = risks(&table, &column, &rows, scale)?;
    let cal = calibration(&p, &y, a.groups, a.out.conf_level())?;
    let bootstrap = a.out.bootstrap(&table, &rows, &BOOT_NAMES, |r| {
        let c = calibration(&pick(&p, r), &pick(&y, r), 1, a.out.conf_level()).ok()?;
        Some(vec![
            c.citl.estimate,
            c.slope.estimate,
            c.val_prob.brier,
            c.val_prob.scaled_brier,
            c.c_statistic,
            c.val_prob.ici,
            c.val_prob.e50,
            c.val_prob.e90,
            c.val_prob.emax,
        ])
    })?;
    let curve_band = band(&a, &table, &rows, &p, &y)?;
    if let Some(path) = &a.plot {
        let mut fig = CalibrationPlot::new(&cal, &p, &column);
        fig.band = curve_band.clone();
        write_figure(path, &fig, &a.data.paths(), Producer::CalibrationPlot)?;
    }
    let report = CalibrationReport {
        verb: "calibration",
        data: table.source.clone(),
        outcome: a.event.outcome.clone(),
        risk_column: column.clone(),
        risk_scale: scale.name(),
        case_level: levels.case.clone(),
        dropped,
        calibration: &cal,
        bootstrap,
        curve_band,
    };
    let boot = report.bootstrap.as_ref();
    a.out.print(&report, boot, |r| print_summary(r, &levels))?;
    Ok(Outcome::Success)
}

/// The bootstrap band of the lowess curve at 101 points from the smallest to the largest prediction.
fn band(
    a: &CalibrationArgs,
    table: &Table,
    rows: &[usize],
    p: &[f64],
    y: &[bool],
) -> crate::Result<Option<Vec<(f64, f64, f64)>>> {
    let lo = p.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let grid: Vec<f64> = (0..=100)
        .map(|k| lo + (hi - lo) * k as f64 / 100.0)
        .collect();
    let names: Vec<String> = grid.iter().map(|g| format!("curve at {g}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let boot = a.out.bootstrap(table, rows, &names, |r| {
        Some(curve_at(&pick(p, r), &pick(y, r), &grid))
    })?;
    Ok(boot.map(|b| {
        grid.iter()
            .zip(&b.intervals)
            .map(|(&g, i)| (g, i.conf_low, i.conf_high))
            .collect()
    }))
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
    let v = table.numbers(col)?;
    let mut out = Vec::with_capacity(rows.len());
    for &i in rows {
        let x = v.get(i).unwrap_or(f64::NAN);
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
                row: table.row_number(i),
                column: col.to_string(),
                value: calcscore_data::table::format_number(x),
                rule: rule.into(),
            }
            .into());
        }
        out.push(p);
    }
    Ok(out)
}

/// Refuse a figure path before any work: one of the run's `inputs`, a directory, or a name that ends in neither
/// `.svg` nor `.png` (the two formats written).
pub(crate) fn check_figure(path: &Path, inputs: &[&Path], producer: Producer) -> crate::Result<()> {
    let known = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg") || e.eq_ignore_ascii_case("png"));
    if !known {
        return Err(crate::Error::Usage(format!(
            "--plot {}: figures are written as SVG or PNG; name the file .svg or .png",
            path.display()
        )));
    }
    calcscore_report::output::check_file(path, inputs, producer)
}

/// Write a figure as SVG, or PNG when the name ends in `.png`; refused if `path` is one of the run's `inputs`.
pub(crate) fn write_figure<F: Figure>(
    path: &Path,
    fig: &F,
    inputs: &[&Path],
    producer: Producer,
) -> crate::Result<()> {
    let png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let bytes = if png {
        render_png(fig)?
    } else {
        render_svg(fig)?.into_bytes()
    };
    calcscore_report::output::write_file(path, &bytes, inputs, producer)
}

fn print_summary(r: &CalibrationReport, levels: &input::Levels) {
    let c = r.calibration;
    println!(
        "Calibration of '{}' ({}) for '{}' ({})",
        r.risk_column, r.risk_scale, r.outcome, r.data
    );
    println!("Event level: {} ({})", levels.case, levels.how);
    input::print_dropped(r.calibration.n, &r.dropped);
    println!("n = {}, events = {}\n", c.n, c.events);
    let pct = c.conf_level * 100.0;
    let rows: Vec<_> = [&c.citl, &c.slope]
        .into_iter()
        .map(|t| (t.term.clone(), Some(t)))
        .collect();
    print!(
        "{}",
        super::text::estimates(&format!("{pct}% CI (Wald)"), &rows).to_text()
    );
    println!("  (calibration-in-the-large: glm(y ~ offset(lp)); slope: glm(y ~ lp), whose intercept is {:.6})", c.slope_intercept);
    println!(
        "\nBrier {:.6}   scaled Brier {:.6}   C (ROC) {:.6}",
        c.val_prob.brier, c.val_prob.scaled_brier, c.c_statistic
    );
    println!(
        "Flexible calibration (lowess, iter = 0, as rms::val.prob): ICI {:.6}  E50 {:.6}  E90 {:.6}  Emax {:.6}",
        c.val_prob.ici, c.val_prob.e50, c.val_prob.e90, c.val_prob.emax
    );
    println!(
        "Spiegelhalter z test: z = {:.4}, p = {}",
        c.val_prob.spiegelhalter_z,
        calcscore_core::format::p_r(c.val_prob.spiegelhalter_p)
    );
    println!(
        "\nGrouped ({} groups of predictions, Hmisc::cut2; observed with Wilson {pct}% CI):",
        c.groups.len()
    );
    print!("{}", groups_table(&c.groups).to_text());
}

/// The grouped calibration: size, events, range and mean of the predictions, observed with its interval.
fn groups_table(
    groups: &[calcscore_stats::calibration::CalibrationGroup],
) -> calcscore_report::Table {
    use calcscore_report::{Align, Table};
    let head = [
        "n",
        "events",
        "predicted range",
        "predicted",
        "observed",
        "CI",
    ];
    let mut align = vec![Align::Right; 5];
    align.push(Align::Left);
    let rows = groups.iter().map(|g| {
        vec![
            g.n.to_string(),
            g.events.to_string(),
            format!("{:.4} - {:.4}", g.min_predicted, g.max_predicted),
            format!("{:.4}", g.mean_predicted),
            format!("{:.4}", g.observed),
            format!("{:.4} - {:.4}", g.conf_low, g.conf_high),
        ]
    });
    Table::new(&head).align(&align).rows(rows)
}

/// Options of the cluster (patient) bootstrap shared by calibration, decision and nri.
#[derive(Debug, Clone, clap::Args)]
pub struct BootOptions {
    /// Bootstrap replicates for percentile CIs (0 = none; otherwise 2 to 100000).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Cluster column (e.g. patient_id): the bootstrap resamples whole clusters.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Seed of the bootstrap (replicate r is seeded from (seed, r): same result on any thread count).
    #[arg(long, default_value_t = 1)]
    pub boot_seed: u64,
}

impl BootOptions {
    /// Reject a cluster without a bootstrap and absurd replicate counts.
    pub(crate) fn check(&self) -> crate::Result<()> {
        if self.cluster.is_some() && self.bootstrap == 0 {
            return Err(crate::Error::Usage(
                "--cluster is used by the bootstrap: add --bootstrap N".into(),
            ));
        }
        if self.bootstrap == 1 {
            return Err(crate::Error::Usage(
                "--bootstrap 1: one replicate gives no interval (a percentile CI needs the spread of at least 2 \
                 replicates, and 1000 or more for stable 95% limits); nothing was computed. Fix: --bootstrap 1000, \
                 or --bootstrap 0 for none"
                    .into(),
            ));
        }
        if self.bootstrap > 100_000 {
            return Err(crate::Error::Usage(format!(
                "--bootstrap {} is more than 100000 replicates",
                self.bootstrap
            )));
        }
        Ok(())
    }

    /// Columns to read besides the verb's own (the cluster column).
    pub(crate) fn columns(&self) -> Vec<&str> {
        self.cluster.iter().map(String::as_str).collect()
    }

    /// Run the percentile bootstrap of `stat` on the used rows, or `None` without --bootstrap.
    pub(crate) fn run<F>(
        &self,
        table: &Table,
        rows: &[usize],
        level: f64,
        names: &[&str],
        stat: F,
    ) -> crate::Result<Option<Bootstrap>>
    where
        F: Fn(&[usize]) -> Option<Vec<f64>> + Sync,
    {
        if self.bootstrap == 0 {
            return Ok(None);
        }
        let ids = match &self.cluster {
            Some(c) => Some(input::cluster_ids(table, c, rows)?),
            None => None,
        };
        let u = units(rows.len(), ids.as_deref());
        if ids.is_some() && u.len() < 2 {
            // Resampling one cluster redraws the same rows every time: intervals of width 0, not uncertainty.
            return Err(calcscore_stats::StatsError::TooFewClusters {
                what: "a cluster bootstrap".into(),
                n: u.len(),
                needed: 2,
            }
            .into());
        }
        Ok(Some(percentile_bootstrap(
            &u,
            ids.is_some(),
            self.bootstrap,
            self.boot_seed,
            level,
            names,
            stat,
        )))
    }
}

/// The rows a bootstrapped risk verb works on, and its binary outcome on them.
pub(crate) struct RiskInput {
    /// The table, cluster ids read as text.
    pub(crate) table: Table,
    /// Rows with no missing value in the outcome, the verb's columns and the cluster column.
    pub(crate) rows: Vec<usize>,
    /// Per column, the rows its missing values removed.
    pub(crate) dropped: Vec<input::Dropped>,
    /// The outcome at `rows` (true = event).
    pub(crate) y: Vec<bool>,
    /// The outcome's levels and how the event level was chosen.
    pub(crate) levels: input::Levels,
}

impl BootOptions {
    /// Check the options, read the table, and keep the rows complete in the outcome, `cols` and the cluster.
    pub(crate) fn read_binary(
        &self,
        data: &InputArgs,
        event: &OutcomeArgs,
        cols: &[&str],
    ) -> crate::Result<RiskInput> {
        self.check()?;
        let table = data.load_ids(self.cluster.as_deref().as_slice())?;
        let mut all = vec![event.outcome.as_str()];
        all.extend_from_slice(cols);
        all.extend(self.columns());
        let input::BinaryRows {
            rows,
            dropped,
            outcome: y,
            levels,
        } = input::binary_rows(&table, &all, event)?;
        Ok(RiskInput {
            table,
            rows,
            dropped,
            y,
            levels,
        })
    }
}

/// How the risk verbs (calibration, decision, nri) report: confidence level, cluster bootstrap, JSON.
#[derive(Debug, Clone, clap::Args)]
pub struct RiskOutputArgs {
    #[command(flatten)]
    pub level: LevelArgs,
    #[command(flatten)]
    pub boot: BootOptions,
    /// Tidy JSON output instead of the printed text.
    #[arg(long)]
    pub json: bool,
}

impl RiskOutputArgs {
    /// The confidence level of every interval.
    pub(crate) fn conf_level(&self) -> f64 {
        self.level.get()
    }

    /// The percentile bootstrap of `stat` at the confidence level, or `None` without --bootstrap.
    pub(crate) fn bootstrap<F>(
        &self,
        table: &Table,
        rows: &[usize],
        names: &[&str],
        stat: F,
    ) -> crate::Result<Option<Bootstrap>>
    where
        F: Fn(&[usize]) -> Option<Vec<f64>> + Sync,
    {
        self.boot.run(table, rows, self.conf_level(), names, stat)
    }

    /// Print a verb's report: JSON with --json, else its summary followed by the bootstrap's intervals.
    pub(crate) fn print<R: Serialize>(
        &self,
        report: &R,
        bootstrap: Option<&Bootstrap>,
        summary: impl FnOnce(&R),
    ) -> crate::Result<()> {
        input::print_report(self.json, report, |r| {
            summary(r);
            if let Some(b) = bootstrap {
                print_bootstrap(b, self.conf_level());
            }
        })
    }
}

/// Print a bootstrap's intervals.
fn print_bootstrap(b: &Bootstrap, level: f64) {
    println!(
        "\nBootstrap: {} replicates ({} failed), {} {}s resampled, seed {}; percentile {}% CIs",
        b.replicates,
        b.failed,
        b.n_units,
        b.unit,
        b.seed,
        level * 100.0
    );
    for i in &b.intervals {
        if [i.conf_low, i.conf_high, i.std_error]
            .iter()
            .all(|v| v.is_finite())
        {
            println!(
                "  {:<32} {:>12.6} {:>12.6}   (SD {:.6})",
                i.term, i.conf_low, i.conf_high, i.std_error
            );
        } else {
            // Never a NaN printed as a number: fewer than 2 usable replicates of this statistic.
            println!(
                "  {:<32} not estimable: {} of {} replicates usable, an interval needs at least 2",
                i.term,
                b.replicates - b.failed.min(b.replicates),
                b.replicates
            );
        }
    }
}

/// Select `rows` of a slice.
pub(crate) fn pick<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&i| v[i]).collect()
}
