//! `calcscore derive`: derive a point score from candidate predictors on a registry (or any table).

use std::path::PathBuf;

pub use super::args::DataArgs;
use super::args::{ImputeArgs, LevelArgs, ScoreOutcomeArgs};
use super::Outcome;
use crate::{Error, Result};
use calcscore_core::format::{p_r, significant5};
use calcscore_core::options::Proportion;
use calcscore_data::Table;
use calcscore_report::output;
use calcscore_score::derive::{derive, Candidates, Derivation, DeriveOptions};
use calcscore_score::optimism::{BootOptions, PointsRule};

/// Rows of `table` whose `cohort` is one of `letters` (comma-separated).
pub fn filter_cohorts(table: &Table, letters: &str) -> Result<Table> {
    filter_groups(table, "cohort", letters, "--cohort")
}

/// `a,"b, c",d` → `a`, `"b, c"`, `d`: split at the commas outside double quotes.
fn split_list(s: &str) -> Vec<&str> {
    let (mut parts, mut start, mut quoted) = (Vec::new(), 0, false);
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Rows of `table` whose `column` is one of `values`: the whole string when it is a value of the column (so
/// `Stage I, II` selects that group), else its comma-separated pieces (`B,C`; a comma inside double quotes does
/// not split: `"Stage I, II",B`); surrounding quotes are dropped.
/// A piece that matches no row is an error naming it, the list as split, and the column's values, each quoted.
pub fn filter_groups(table: &Table, column: &str, values: &str, option: &str) -> Result<Table> {
    let unquote = |s: &str| s.trim().trim_matches(['"', '\'']).trim().to_string();
    let col = table.text(column)?;
    let whole = unquote(values);
    let wanted: Vec<String> = if col.iter().any(|c| c == Some(whole.as_str())) {
        vec![whole]
    } else {
        split_list(values).iter().map(|v| unquote(v)).collect()
    };
    let rows: Vec<usize> = (0..table.nrows())
        .filter(|&i| col.get(i).is_some_and(|c| wanted.iter().any(|w| w == c)))
        .collect();
    // A group that matches no row is a typo, never dropped in silence (A,Z once reported A alone).
    let absent: Vec<&String> = wanted
        .iter()
        .filter(|w| !col.iter().any(|c| c == Some(w.as_str())))
        .collect();
    if rows.is_empty() || !absent.is_empty() {
        let quote = |v: &str| format!("'{v}'");
        let mut levels: Vec<&str> = col.iter().flatten().collect();
        levels.sort_unstable();
        levels.dedup();
        let split = match wanted.len() {
            1 => String::new(),
            _ => format!(
                " ({option} is split at commas into {}; a value that holds a comma is matched when given whole, \
                 or in double quotes within the list: '\"Stage I, II\",B')",
                wanted.iter().map(|w| quote(w)).collect::<Vec<_>>().join(", ")
            ),
        };
        return Err(Error::Usage(format!(
            "{option} {values}: no rows with {column} = {}{split} in {} (its values: {})",
            absent
                .iter()
                .map(|w| quote(w))
                .collect::<Vec<_>>()
                .join(", "),
            table.source,
            levels
                .iter()
                .map(|l| quote(l))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(table.subset(&rows))
}

/// Arguments of `calcscore derive`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore derive --data datasets/zhang2021_synthetic.csv --cohort A --cluster patient_id --out my_score.toml\n  \
calcscore derive --data birthwt.csv --candidates cands.toml --binary-outcome low --target-npv 0.9\n\n\
Candidates file:\n  name = \"my-score\"\n  [[candidate]]\n  label = \"Vessel diameter < 3.5 mm\"\n  column = \"vessel_diameter_mm\"\n  op = \"<\"\n  threshold = 3.5      # or grid = [3.0, 3.25, 3.5, 3.75] to search (needs validation elsewhere)"
)]
pub struct DeriveArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Candidates TOML (default: the four candidates of Zhang 2021).
    #[arg(long)]
    pub candidates: Option<PathBuf>,
    #[command(flatten)]
    pub outcomes: ScoreOutcomeArgs,
    /// Cluster column for cluster-robust (CR1) covariances; `a,b` when ids repeat across strata (e.g. center,id).
    #[arg(long)]
    pub cluster: Option<String>,
    /// Derive in these cohorts only (e.g. A): values of the column `cohort`, computed by the Zhang 2021 flow when a
    /// lesion registry has none.
    #[arg(long)]
    pub cohort: Option<String>,
    /// Candidate whose coefficient is one point (default: the smallest).
    #[arg(long)]
    pub reference: Option<String>,
    /// Also choose the highest cutoff whose NPV reaches this value (a proportion above 0, at most 1).
    #[arg(long, allow_negative_numbers = true)]
    pub target_npv: Option<Proportion>,
    /// Write the derived score (points-table TOML, readable by `validate --score`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Fit the logistic models by Firth's penalised likelihood (brglm2 AS_mean), e.g. under separation.
    #[arg(long)]
    pub firth: bool,
    /// Add the TRIPOD+AI (2024) items this run answers to the text output.
    #[arg(long)]
    pub tripod: bool,
    #[command(flatten)]
    pub impute: ImputeArgs,
    /// Tidy JSON output.
    #[arg(long)]
    pub json: bool,
    /// Validate the whole derivation by this many bootstrap replicates (threshold search, weights, points,
    /// cutoff and risk model repeated in each; rms::validate's table).
    #[arg(long, value_name = "B", allow_negative_numbers = true)]
    pub validate_bootstrap: Option<BootReplicates>,
    /// Seed of the whole-procedure bootstrap (replicate r draws from a stream seeded from (seed, r)).
    #[arg(long = "boot-seed", default_value_t = 1)]
    pub boot_seed: u64,
    /// What the bootstrap validates: the rounded points (derive's score) or the unrounded weight model.
    #[arg(long, value_enum, default_value = "rounded")]
    pub validate_points: ValidatePoints,
}

/// Replicates of the whole-procedure bootstrap: 1 to 100,000.
pub type BootReplicates = calcscore_core::options::Count<1, 100_000>;

/// `--validate-points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidatePoints {
    /// Whole points, as the score file has them.
    Rounded,
    /// coefficient ÷ reference not rounded: the weight model itself (rms::validate's procedure for fixed items).
    Unrounded,
}

/// Run `calcscore derive`.
/// `derive --json`: the derivation, with the bootstrap's optimism-corrected measures when asked for.
#[derive(Debug, serde::Serialize)]
struct DeriveJson<'a, B: serde::Serialize> {
    #[serde(flatten)]
    derivation: &'a Derivation,
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_validation: Option<&'a B>,
}

pub fn run(a: DeriveArgs) -> Result<Outcome> {
    let asked = a.cohort.as_ref().map(|c| format!("--cohort {c}"));
    let mut table = a.data.load(asked.as_deref(), a.cluster.as_deref())?;
    if let Some(c) = &a.cohort {
        table = filter_cohorts(&table, c)?;
    }
    let cands = match &a.candidates {
        Some(p) => Candidates::from_file(p)?,
        None => Candidates::zhang2021(),
    };
    let opts = DeriveOptions {
        outcome: a.outcomes.continuous(),
        binary: super::args::resolved_binary(&a.outcomes, &table)?,
        cluster: a.cluster.clone(),
        reference: a.reference.clone(),
        target_npv: a.target_npv.map(Proportion::get),
        conf_level: a.level.get(),
        firth: a.firth,
    };
    let mut inputs = a.data.input.paths();
    inputs.extend(a.candidates.as_deref());
    if let Some(p) = &a.out {
        output::check_file(p, &inputs, output::Producer::Derive)?;
    }
    if let Some(mice) = a.impute.options() {
        let boot = a.validate_bootstrap.map(|b| (b.get(), a.boot_seed));
        return super::impute::run_derive(&a, &table, &cands, &opts, (&mice, boot), &inputs);
    }
    let mut d = derive(&table, &cands, &opts)?;
    // The data's SHA-256 in [model], so that `validate` on the same bytes calls its calibration in-sample.
    if let Some(m) = d.score.model.as_mut() {
        m.data_sha256 = Some(calcscore_studies::sha256_file(&a.data.input.data)?);
    }
    super::notice::mark_score(&mut d.score);
    let boot = match a.validate_bootstrap {
        Some(b) => Some(super::optimism::run(
            &table,
            &cands,
            &opts,
            &boot_options(&a, b),
        )?),
        None => None,
    };
    if let Some(p) = &a.out {
        output::write_file(
            p,
            d.score.to_toml().as_bytes(),
            &inputs,
            output::Producer::Derive,
        )?;
    }
    if a.json {
        let out = DeriveJson {
            derivation: &d,
            internal_validation: boot.as_ref(),
        };
        println!("{}", super::pretty_sorted(&out)?);
    } else {
        print!("{}", summary(&d, &opts, a.out.as_deref()));
        if let Some(b) = &boot {
            print!("{}", super::optimism::text(b, &d));
        }
        if a.tripod {
            print!("{}", calcscore_score::tripod::derive_text(&d, &opts));
        }
    }
    Ok(Outcome::Success)
}

fn boot_options(a: &DeriveArgs, b: BootReplicates) -> BootOptions {
    BootOptions {
        replicates: b.get(),
        seed: a.boot_seed,
        points: match a.validate_points {
            ValidatePoints::Rounded => PointsRule::Rounded,
            ValidatePoints::Unrounded => PointsRule::Unrounded,
        },
    }
}

pub(crate) fn summary(
    d: &Derivation,
    opts: &DeriveOptions,
    out: Option<&std::path::Path>,
) -> String {
    let mut s = format!(
        "Derivation: {} ({} with {}).\n",
        d.rows.describe(),
        d.n_events,
        opts.binary.describe()
    );
    if let Some(g) = d.n_clusters {
        s.push_str(&format!(
            "Clusters: {g} ({}).\n",
            opts.cluster.as_deref().unwrap_or("")
        ));
    }
    for t in &d.searches {
        s.push_str(&format!("Threshold of '{}' chosen by a grid search ({} values): {} — a searched threshold needs validation in other data.\n", t.label, t.grid.len(), t.chosen));
    }
    s.push_str(&screen_text(d));
    s.push_str(&models_text(d));
    if let Some(why) = &d.not_estimable {
        s.push_str(&format!(
            "\nPoints not estimable in these rows (so no AUC, cutoff or risk model): {why}\n"
        ));
        for n in &d.notes {
            s.push_str(&format!("NOTE: {n}\n"));
        }
        return s;
    }
    s.push_str(&points_text(d));
    // An interval DeLong cannot give (one event) is a dash, as in JSON it is null.
    let bound = |x: f64| match x.is_finite() {
        true => format!("{x:.3}"),
        false => "–".into(),
    };
    s.push_str(&format!(
        "\nAUC of the derived score: {:.3} [{}, {}] (DeLong; apparent, in the derivation rows)\n",
        d.auc.estimate,
        bound(d.auc.conf_low),
        bound(d.auc.conf_high)
    ));
    for c in &d.cutoffs {
        s.push_str(&format!(
            "Cutoff ≥{} by {}: {}\n",
            c.cutoff,
            c.rule,
            measures_text(&c.measures)
        ));
    }
    if let Some(m) = &d.score.model {
        s.push_str(&format!(
            "Risk model (score file [model]): logit P({}) = {} + {} × points\n",
            m.outcome,
            significant5(m.intercept),
            significant5(m.slope)
        ));
    }
    for n in &d.notes {
        s.push_str(&format!("NOTE: {n}\n"));
    }
    if let Some(p) = out {
        s.push_str(&format!("wrote {}\n", p.display()));
    }
    s
}

/// The univariable screen: each candidate's linear and logistic estimate with its P.
fn screen_text(d: &Derivation) -> String {
    let mut s = String::new();
    s.push_str("\nUnivariable screen:\n");
    for r in &d.screen {
        let f = |t: &Option<calcscore_stats::TidyRow>| {
            t.as_ref().map_or("–".into(), |t| {
                format!("{} (P {})", significant5(t.estimate), p_r(t.p_value))
            })
        };
        s.push_str(&format!(
            "  {:<40} n={:<5} linear {:<22} log-OR {}\n",
            r.label,
            r.n_present,
            f(&r.linear),
            f(&r.logistic)
        ));
    }
    s
}

/// The multivariable models, one coefficient per line.
fn models_text(d: &Derivation) -> String {
    let mut s = String::new();
    for m in [&d.linear, &d.logistic].into_iter().flatten() {
        s.push_str(&format!(
            "\n{} ({}; n = {}):\n",
            m.formula, m.covariance, m.n
        ));
        for c in &m.coefficients {
            s.push_str(&format!(
                "  {:<36} {:>10} [{}, {}]  P {}\n",
                c.term,
                significant5(c.estimate),
                significant5(c.conf_low),
                significant5(c.conf_high),
                p_r(c.p_value)
            ));
        }
    }
    s
}

/// The points of each item with the coefficient, its interval and the unrounded ratio.
fn points_text(d: &Derivation) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "\nPoints (from the {}; coefficient ÷ reference, rounded; {}):\n",
        d.points_from, d.orientation.reason
    ));
    for p in &d.points {
        s.push_str(&format!(
            "  {:<40} coefficient {:>9} [{}, {}]  ratio {:>6.2}  points {}{}\n",
            p.label,
            significant5(p.coefficient),
            significant5(p.conf_low),
            significant5(p.conf_high),
            p.ratio,
            p.points,
            if p.null_effect && p.conf_low <= 0.0 && p.conf_high >= 0.0 {
                "  (!) effect not distinguishable from none"
            } else if p.null_effect {
                "  (!) effect on the event not distinguishable from none (logistic)"
            } else {
                ""
            }
        ));
    }
    s
}

/// Accuracy measures on one line: "sensitivity 0.812 [0.700, 0.900]; specificity ...".
pub(crate) fn measures_text(measures: &[calcscore_score::derive::Measure]) -> String {
    let m: Vec<String> = measures
        .iter()
        .map(|m| {
            format!(
                "{} {:.3} [{:.3}, {:.3}]",
                m.measure, m.estimate, m.conf_low, m.conf_high
            )
        })
        .collect();
    m.join("; ")
}
