//! `calcscore progression`: CAC progression of paired scans from a patient-level CAC table.

use serde::Serialize;

use super::args::{InputArgs, LevelArgs};
use super::roc::input;
use super::Outcome;
use calcscore_core::options::Threshold;
use calcscore_studies::denosumab::progression::{self, Compare, Options, Progression};
use calcscore_studies::denosumab::schema::load_cac_with;

/// Arguments of `calcscore progression`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore progression --data datasets/denosumab_pilot_synthetic.csv\n  calcscore progression --data my_cac.csv --map my_map.toml --natural-rate 20 --sqrt-compare gt --json"
)]
pub struct ProgressionArgs {
    /// The patient-level CAC table (schema in datasets/README.md) and its column map.
    #[command(flatten)]
    pub input: InputArgs,
    /// Natural CAC progression (% per year) the annualised %ΔCAC is tested against (default: the pilot's ~33%).
    #[arg(long, default_value_t = Threshold::new(progression::NATURAL_RATE_PCT).expect("finite"), allow_negative_numbers = true)]
    pub natural_rate: Threshold,
    /// Where your --natural-rate comes from (shown with it).
    #[arg(long)]
    pub natural_rate_source: Option<String>,
    /// Square-root method threshold on √CAC₁ − √CAC₀.
    #[arg(long, default_value_t = Threshold::new(2.5).expect("finite"), allow_negative_numbers = true)]
    pub sqrt_threshold: Threshold,
    /// Square-root comparison: ge (≥, Hokanson 2004) or gt (>).
    #[arg(long, value_parser = super::choice::choice::<Compare>(), default_value = "ge")]
    pub sqrt_compare: Compare,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Print tidy JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// JSON shape of `calcscore progression --json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    verb: &'static str,
    data: String,
    #[serde(flatten)]
    analysis: &'a Progression,
}

/// Run `calcscore progression`.
pub fn run(a: ProgressionArgs) -> crate::Result<Outcome> {
    let read = a.input.read.options()?;
    super::notice::input(&a.input.data);
    let table = load_cac_with(&a.input.data, a.input.map.as_deref(), &read)?;
    let source = match (
        &a.natural_rate_source,
        a.natural_rate.get() == progression::NATURAL_RATE_PCT,
    ) {
        (Some(s), _) => s.clone(),
        (None, true) => progression::NATURAL_RATE_SOURCE.into(),
        (None, false) => "given with --natural-rate (source not stated)".into(),
    };
    let opts = Options {
        natural_rate: a.natural_rate.get(),
        natural_rate_source: source,
        sqrt_threshold: a.sqrt_threshold.get(),
        sqrt_compare: a.sqrt_compare,
        conf_level: a.level.get(),
    };
    let analysis = progression::analyse(&table, &opts)?;
    let report = Report {
        verb: "progression",
        data: table.source.clone(),
        analysis: &analysis,
    };
    input::print_report(a.json, &report, |r| {
        print!(
            "{}",
            calcscore_studies::denosumab::summary_text(r.analysis, &r.data)
        )
    })?;
    Ok(Outcome::Success)
}
