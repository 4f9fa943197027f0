//! `calcscore validate`: validate a built-in or derived point score on a registry, per group.

use std::io::IsTerminal;

use super::args::{DataArgs, ImputeArgs, LevelArgs, ScoreOutcomeArgs};
use super::Outcome;
use crate::{Error, Result};
use calcscore_core::format::{p_r, significant5};
use calcscore_core::options::Replicates;
use calcscore_report::canon_charts::{CalibrationPlot, DecisionPlot};
use calcscore_score::validate::{
    boot_data, optimism, validate, GroupValidation, Optimism, ValidateOptions, Validation,
};
use calcscore_score::PointsTable;
use calcscore_stats::calibration::calibration;
use calcscore_stats::decision::Thresholds;

/// Arguments of `calcscore validate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore validate --data datasets/zhang2021_synthetic.csv --score ivus-zhang2021 --by cohort --cluster patient_id\n  \
calcscore validate --data my_registry.csv --map my_map.toml --score my_score.toml --bootstrap 1000 --boot-seed 1"
)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Score: ivus-zhang2021, oct-fujino2018, or a points-table TOML file (e.g. written by `derive --out`).
    #[arg(long)]
    pub score: String,
    /// Group column (`cohort` is computed by the Zhang 2021 flow when the registry has none).
    #[arg(long)]
    pub by: Option<String>,
    /// Keep only these groups (comma-separated values of --by), e.g. B,C for the paper's interaction test; a value
    /// with a comma is matched whole, or in double quotes within a list ('"Stage I, II",B').
    #[arg(long)]
    pub groups: Option<String>,
    #[command(flatten)]
    pub outcomes: ScoreOutcomeArgs,
    /// Cluster column (CR1 covariances, clustered AUC, cluster bootstrap); `a,b` when ids repeat across strata.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Group of the derivation: calibration predictions and the bootstrap use it (default: the first group).
    #[arg(long)]
    pub derivation: Option<String>,
    /// Bootstrap replicates for Harrell's optimism correction of the derivation (0 = none; at most 100000).
    #[arg(long, default_value = "0", allow_negative_numbers = true)]
    pub bootstrap: Replicates,
    /// Seed of the bootstrap.
    #[arg(long = "boot-seed", default_value_t = 1)]
    pub boot_seed: u64,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Threshold grid of the decision curves (FROM:TO:BY or a comma list, each in [0, 1)).
    #[arg(long, default_value = "0.01:0.99:0.01")]
    pub thresholds: String,
    /// Write per group the calibration plot and the decision curve (SVG and PNG) into this directory.
    #[arg(long)]
    pub plots: Option<std::path::PathBuf>,
    /// Add the TRIPOD+AI (2024) items this run answers to the text output.
    #[arg(long)]
    pub tripod: bool,
    /// Tidy JSON output.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub impute: ImputeArgs,
}

/// The JSON `validate --json` prints.
#[derive(serde::Serialize)]
struct ValidateJson<'a> {
    validation: &'a Validation,
    bootstrap: Option<&'a Optimism>,
}

/// Run `calcscore validate`.
/// `--bootstrap N`: Harrell's optimism of re-deriving the points in the derivation group (the first group
/// without --derivation); a group too small to re-derive in is a note on `v`, and the validation still stands.
fn bootstrap(
    a: &ValidateArgs,
    table: &calcscore_data::Table,
    score: &PointsTable,
    opts: &ValidateOptions,
    v: &mut Validation,
) -> Result<Option<Optimism>> {
    if a.bootstrap.get() == 0 {
        return Ok(None);
    }
    let group = a
        .derivation
        .clone()
        .or_else(|| v.groups.first().map(|g| g.group.clone()))
        .unwrap_or_default();
    let d = boot_data(table, score, opts, opts.by.as_ref().map(|_| group.as_str()))?;
    calcscore_core::trace::span("bootstrap data");
    let progress = std::io::stderr().is_terminal();
    match optimism(&d, &group, a.bootstrap.get(), a.boot_seed, progress) {
        Ok(b) => Ok(Some(b)),
        Err(calcscore_score::Error::Stats(e)) => {
            v.notes.push(format!(
                "bootstrap optimism not estimable in group {group}: {e}"
            ));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

pub fn run(a: ValidateArgs) -> Result<Outcome> {
    let thresholds = Thresholds::parse(&a.thresholds).map_err(Error::Usage)?;
    let score = PointsTable::resolve(&a.score)?;
    if let (None, Some(groups)) = (&a.by, &a.groups) {
        return Err(Error::Usage(format!(
            "--groups {groups} needs --by COLUMN: it keeps the rows whose --by column has one of these values"
        )));
    }
    let by_cohort = (a.by.as_deref() == Some("cohort")).then_some("--by cohort");
    calcscore_core::trace::span("start");
    let mut table = a.data.load(by_cohort, a.cluster.as_deref())?;
    if let (Some(by), Some(groups)) = (&a.by, &a.groups) {
        table = super::derive::filter_groups(&table, by, groups, "--groups")?;
    }
    calcscore_core::trace::span("load registry");
    let missing = score.missing_columns(&table);
    if !missing.is_empty() {
        return Err(Error::Data(calcscore_data::DataError::MissingColumn {
            file: table.source.clone(),
            column: missing.join("', '"),
            hint: format!(
                " (the score '{}' needs them; map your names with --map)",
                score.name
            ),
        }));
    }
    let opts = ValidateOptions {
        outcome: a.outcomes.continuous(),
        binary: super::args::resolved_binary(&a.outcomes, &table)?,
        cluster: a.cluster.clone(),
        by: a.by.clone(),
        reference_group: a.derivation.clone(),
        conf_level: a.level.get(),
        thresholds: Some(thresholds),
        // Only a score [model] that records its data's SHA-256 needs the hash of this file.
        data_sha256: match score.model.as_ref().and_then(|m| m.data_sha256.as_ref()) {
            Some(_) => Some(calcscore_studies::sha256_file(&a.data.input.data)?),
            None => None,
        },
    };
    if let Some(mice) = a.impute.options() {
        return super::impute::run_validate(&a, &table, &score, &opts, &mice);
    }
    let mut v = validate(&table, &score, &opts)?;
    calcscore_core::trace::span("validate");
    let boot = bootstrap(&a, &table, &score, &opts, &mut v)?;
    calcscore_core::trace::span("bootstrap");
    if let Some(dir) = &a.plots {
        write_plots(dir, &v, a.level.get(), &a.data.input.paths())?;
    }
    if a.json {
        let j = ValidateJson {
            validation: &v,
            bootstrap: boot.as_ref(),
        };
        println!("{}", super::notice::json(&j)?);
    } else {
        print!("{}", summary(&v, boot.as_ref(), &opts));
        if a.tripod {
            print!("{}", calcscore_score::tripod::validate_text(&v, &opts));
        }
    }
    calcscore_core::trace::span("output");
    Ok(Outcome::Success)
}

pub(crate) fn summary(v: &Validation, boot: Option<&Optimism>, opts: &ValidateOptions) -> String {
    let mut s = format!(
        "Validation of {} ({}), cutoff ≥{}; outcome {}.\n{}.\n",
        v.score.title,
        v.score.name,
        v.score.cutoff,
        opts.binary.describe(),
        v.rows.describe()
    );
    for g in &v.groups {
        s.push_str(&group_text(g, opts));
    }
    if let Some(t) = &v.interaction {
        s.push_str(&format!(
            "\nScore × group interaction on {}: {} = {:.3} on {} and {} df{}, P {}\n",
            opts.outcome.as_deref().unwrap_or(""),
            t.statistic_name,
            t.statistic,
            t.df.unwrap_or(f64::NAN),
            v.interaction_df2.unwrap_or(f64::NAN),
            if opts.cluster.is_some() {
                " (CR1; G − 1 denominator df, as the coefficients' t)"
            } else {
                ""
            },
            p_r(t.p_value)
        ));
        for r in &v.interaction_terms {
            s.push_str(&format!(
                "  {}: {} [{}, {}]\n",
                r.term,
                significant5(r.estimate),
                significant5(r.conf_low),
                significant5(r.conf_high)
            ));
        }
    }
    if let Some(m) = &v.calibration_model {
        s.push_str(&format!("Calibration predictions: {m}.\n"));
    }
    if let Some(b) = boot {
        s.push_str(&format!(
            "\nBootstrap optimism of the derivation (Harrell; {} replicates by {}, seed {}, {} not estimable; each \
             replicate re-derives the points from the {}, so these AUCs are of the re-derived score, not of the \
             score's own points) in group {}:\n  AUC apparent {:.3}, optimism {:.4}, corrected {:.3}\n",
            b.replicates, b.unit, b.seed, b.failed, b.points_from, b.group, b.auc_apparent, b.auc_optimism, b.auc_corrected
        ));
        if let (Some(a), Some(o), Some(c)) = (b.slope_apparent, b.slope_optimism, b.slope_corrected)
        {
            s.push_str(&format!(
                "  slope apparent {a:.3}, optimism {o:.4}, corrected {c:.3}\n"
            ));
        }
    }
    for n in &v.notes {
        s.push_str(&format!("NOTE: {n}\n"));
    }
    s
}

/// The text of one group: counts, slope, AUC, accuracy at the cutoff, calibration, decision curve, levels.
fn group_text(g: &GroupValidation, opts: &ValidateOptions) -> String {
    let mut s = format!("\n[{}] n = {}, events = {}", g.group, g.n, g.n_events);
    if let Some(k) = g.n_clusters {
        s.push_str(&format!(", clusters = {k}"));
    }
    s.push('\n');
    if let Some(t) = &g.slope {
        s.push_str(&format!(
            "  slope {} per point: {} [{}, {}], P {}\n",
            opts.outcome.as_deref().unwrap_or(""),
            significant5(t.estimate),
            significant5(t.conf_low),
            significant5(t.conf_high),
            p_r(t.p_value)
        ));
    }
    s.push_str(&auc_text(g));
    if let Some(c) = &g.accuracy {
        s.push_str(&format!(
            "  at ≥{}: TP {} FP {} FN {} TN {}; {}\n",
            c.cutoff,
            c.table.tp,
            c.table.fp,
            c.table.fn_,
            c.table.tn,
            super::derive::measures_text(&c.measures)
        ));
    }
    s.push_str(&val_prob_text(g));
    s.push_str(&calibration_text(g));
    s.push_str(&decision_text(g));
    s.push_str(&levels_text(g, opts.conf_level));
    for n in &g.notes {
        s.push_str(&format!("  NOTE: {n}\n"));
    }
    s
}

/// The DeLong AUC of a group, with the clustered interval when there is one.
fn auc_text(g: &GroupValidation) -> String {
    let Some(a) = &g.auc else {
        return String::new();
    };
    let mut s = format!(
        "  AUC {:.3} [{:.3}, {:.3}] (DeLong)",
        a.estimate, a.conf_low, a.conf_high
    );
    if let Some(c) = &g.clustered_auc {
        s.push_str(&format!(
            "; clustered {:.3}–{:.3} ({} clusters)",
            c.conf_low, c.conf_high, c.n_clusters
        ));
    }
    s.push('\n');
    s
}

/// Calibration-in-the-large and slope of a group's risk model, with observed and expected events.
fn calibration_text(g: &GroupValidation) -> String {
    let Some(c) = &g.calibration else {
        return String::new();
    };
    let f = |i: &Option<calcscore_score::derive::Interval>| {
        i.as_ref().map_or("not estimable".into(), |i| {
            format!("{:.3} [{:.3}, {:.3}]", i.estimate, i.conf_low, i.conf_high)
        })
    };
    format!(
        "  calibration ({}; model {}): in-the-large {}, slope {}; events observed {}, expected {:.1}\n",
        c.kind,
        c.model_source,
        f(&c.intercept),
        f(&c.slope),
        c.observed_events,
        c.expected_events
    )
}

/// The table of score levels: n, mean and SD of the outcome, events, observed risk with its CI, predicted risk.
fn levels_text(g: &GroupValidation, conf_level: f64) -> String {
    let ci = format!("[{}% CI]", calcscore_report::r(conf_level * 100.0, 0));
    let mut s = format!("  score    n   mean    SD  events  observed {ci:<14}predicted\n");
    for l in &g.levels {
        let f = |x: Option<f64>, d: usize| x.map_or("–".into(), |v| format!("{v:.d$}"));
        let obs = l.observed.as_ref().map_or("–".into(), |o| {
            format!("{:.3} [{:.3}, {:.3}]", o.estimate, o.conf_low, o.conf_high)
        });
        s.push_str(&format!(
            "  {:>5} {:>4} {:>6} {:>5} {:>7}  {:<22} {}\n",
            l.score,
            l.n,
            f(l.mean, 1),
            f(l.sd, 1),
            l.events,
            obs,
            f(l.predicted, 3)
        ));
    }
    s
}

/// The val.prob measures of a group's risk model.
fn val_prob_text(g: &GroupValidation) -> String {
    let Some(v) = g.calibration.as_ref().and_then(|c| c.val_prob.as_ref()) else {
        return String::new();
    };
    format!(
        "  val.prob: Brier {:.4}, scaled Brier {:.3}; flexible (lowess) curve: ICI {:.4}, E50 {:.4}, E90 {:.4}, Emax {:.4}; Spiegelhalter z {:.3}, P {}\n",
        v.brier, v.scaled_brier, v.ici, v.e50, v.e90, v.emax, v.spiegelhalter_z, p_r(v.spiegelhalter_p)
    )
}

/// Net benefit of the risk model, of "score ≥ cutoff" and of treat-all; at most ~20 thresholds printed.
fn decision_text(g: &GroupValidation) -> String {
    let Some(d) = &g.decision else {
        return String::new();
    };
    let step = d.rows.len().div_ceil(20).max(1);
    let mut s = format!(
        "  decision curve (treat when risk ≥ pt; NB = TP/n − FP/n·pt/(1 − pt); every {} threshold(s) of {} shown, all in --json):\n  {:>6} {:>10} {:>11} {:>10}\n",
        step,
        d.rows.len(),
        "pt",
        "NB model",
        format!("NB ≥{}", d.cutoff),
        "NB all"
    );
    for r in d.rows.iter().step_by(step) {
        s.push_str(&format!(
            "  {:>6.3} {:>10.5} {:>11.5} {:>10.5}\n",
            r.threshold, r.net_benefit_model, r.net_benefit_cutoff, r.net_benefit_all
        ));
    }
    s
}

/// Per group, `calibration_GROUP` and `decision_GROUP` as SVG and PNG in `dir`.
fn write_plots(
    dir: &std::path::Path,
    v: &Validation,
    level: f64,
    inputs: &[&std::path::Path],
) -> Result<()> {
    use calcscore_report::figures::{render_png, render_svg, Figure};
    fn both<F: Figure>(
        files: &mut Vec<calcscore_report::OutputFile>,
        name: &str,
        fig: &F,
    ) -> Result<()> {
        files.push((format!("{name}.svg"), render_svg(fig)?.into_bytes()));
        files.push((format!("{name}.png"), render_png(fig)?));
        Ok(())
    }
    let mut files = Vec::new();
    let names: Vec<&str> = v.groups.iter().map(|g| g.group.as_str()).collect();
    for (g, stem) in v.groups.iter().zip(file_stems(&names)) {
        if let Ok(cal) = calibration(&g.predicted, &g.events, 10, level) {
            let fig = CalibrationPlot::new(&cal, &g.predicted, &format!("risk model, {}", g.group));
            both(&mut files, &format!("calibration_{stem}"), &fig)?;
        }
        if let Some(d) = &g.decision {
            let fig =
                DecisionPlot::of_group(d, &format!("Risk model of the score, in {}", g.group));
            both(&mut files, &format!("decision_{stem}"), &fig)?;
        }
    }
    let out = calcscore_report::output::OutDir::open_as(
        dir,
        inputs,
        "--plots",
        calcscore_report::output::Producer::ValidatePlots,
    )?;
    out.write(&files, calcscore_report::output::Mode::Replace)
}

/// Group names as distinct file-name parts: [`file_stem`] of each, and `_2`, `_3`, … after a part an earlier
/// group already has (`<55` and `>55` are `_55` and `_55_2`, so no group's plots replace another's).
fn file_stems(groups: &[&str]) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    groups
        .iter()
        .map(|g| {
            let base = file_stem(g);
            let stem = (1..)
                .map(|k| {
                    if k == 1 {
                        base.clone()
                    } else {
                        format!("{base}_{k}")
                    }
                })
                .find(|s| !taken.contains(s))
                .unwrap_or(base);
            taken.insert(stem.clone());
            stem
        })
        .collect()
}

/// A group name as a file-name part (letters, digits, '-' and '_' kept).
fn file_stem(group: &str) -> String {
    group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
