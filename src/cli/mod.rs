//! Command-line interface: clap definitions, each verb in its own module, and dispatch.

use clap::{Parser, Subcommand};

pub mod agatston;
pub mod args;
pub mod calibration;
pub mod card;
pub mod check_data;
mod choice;
pub mod compare;
pub mod completions;
pub mod correlate;
pub mod decision;
pub mod derive;
pub mod diagnose;
pub mod fit;
pub mod impute;
mod notice;
pub mod nri;
pub mod optimism;
pub mod paired;
pub mod pipe;
pub mod progression;
pub mod report;
pub mod roc;
pub mod samplesize;
pub mod spelling;
pub mod study;
pub mod table1;
mod text;
pub mod validate;

/// Reproduce and re-derive coronary calcium scores from lesion-level data.
#[derive(Debug, Parser)]
#[command(name = "calcscore", version, about, long_about = None)]
pub struct Cli {
    /// The verb to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs of calcscore.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a built-in study end to end and write its report.
    Reproduce(study::ReproduceArgs),
    /// Compare a run's results.json with the published numbers.
    Check(study::CheckArgs),
    /// Generate a synthetic dataset calibrated to a study's published summaries.
    Simulate(study::SimulateArgs),
    /// Validate a lesion registry against the schema and list every problem (exit 1 if any).
    CheckData(check_data::CheckDataArgs),
    /// Derive a point score from candidate predictors (univariable screen, models, points, cutoffs).
    Derive(derive::DeriveArgs),
    /// Validate a point score per group: slopes, AUC, accuracy, calibration, interaction, bootstrap optimism.
    Validate(validate::ValidateArgs),
    /// Baseline table by group (mean ± SD or median [IQR], n (%), tests, SMD) as text, Markdown, CSV, HTML or LaTeX.
    Table1(table1::Table1Args),
    /// Fit a linear or logistic model from an R-style formula.
    Fit(fit::FitArgs),
    /// ROC curve of a marker for a binary outcome, with DeLong inference.
    Roc(roc::RocArgs),
    /// Diagnostic accuracy (2x2 table) of a marker at a cutoff.
    Diagnose(diagnose::DiagnoseArgs),
    /// Two-group comparison of variables with the right test for each.
    Compare(compare::CompareArgs),
    /// Paired comparison of two columns (paired t, Wilcoxon signed-rank).
    Paired(paired::PairedArgs),
    /// Correlation of two columns (Pearson, Spearman).
    Correlate(correlate::CorrelateArgs),
    /// Rebuild a study's report (Markdown, HTML, tables, figures) from its results.json without refitting.
    Report(report::ReportArgs),
    /// CAC progression of paired scans (change, progression definitions, paired tests, %ΔBMD vs %ΔCAC).
    Progression(progression::ProgressionArgs),
    /// Calibration of predicted risks: in-the-large, slope, Brier, lowess ICI/E90/Emax, grouped, plot.
    Calibration(calibration::CalibrationArgs),
    /// Decision curve analysis: net benefit of predicted risks against treat-all and treat-none.
    Decision(decision::DecisionArgs),
    /// Net reclassification and integrated discrimination improvement of a new risk over an old one.
    Nri(nri::NriArgs),
    /// Minimum sample size to develop or validate a model (Riley et al.; pmsampsize/pmvalsampsize), with a clustering design effect.
    Samplesize(samplesize::SampleSizeArgs),
    /// Agatston, volume and mass scores from an axial CT series (DICOM), or from every study under a root.
    Agatston(agatston::AgatstonArgs),
    /// A score card (SVG/PNG) and a self-contained calculator page, or one patient's points and risk.
    Card(card::CardArgs),
    /// Print a shell completion script (bash, zsh, fish) to standard output.
    Completions(completions::CompletionsArgs),
}

/// How a verb ended when it did not fail: success, or a check that did not pass (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything asked was done and passed.
    Success,
    /// The verb ran but a check failed.
    CheckFailed,
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> crate::Result<Outcome> {
    match cli.command {
        Command::Reproduce(a) => study::reproduce(a),
        Command::Check(a) => study::check(a),
        Command::Simulate(a) => study::simulate(a),
        Command::CheckData(a) => check_data::run(a),
        Command::Derive(a) => derive::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Table1(a) => table1::run(a),
        Command::Fit(a) => fit::run(a),
        Command::Roc(a) => roc::run(a),
        Command::Diagnose(a) => diagnose::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Paired(a) => paired::run(a),
        Command::Correlate(a) => correlate::run(a),
        Command::Report(a) => report::run(a),
        Command::Progression(a) => progression::run(a),
        Command::Calibration(a) => calibration::run(a),
        Command::Decision(a) => decision::run(a),
        Command::Nri(a) => nri::run(a),
        Command::Samplesize(a) => samplesize::run(a),
        Command::Agatston(a) => agatston::run(a),
        Command::Card(a) => card::run(a),
        Command::Completions(a) => completions::run(a),
    }
}

/// Pretty JSON with the keys of every object in alphabetical order: the order of the JSON `fit` and the `--impute`
/// verbs have always printed (serde_json's map sorts them).
pub(crate) fn pretty_sorted(value: &impl serde::Serialize) -> crate::Result<String> {
    let sorted = serde_json::to_value(value)
        .map_err(|e| crate::Error::Usage(format!("cannot write JSON: {e}")))?;
    notice::json(&sorted)
}
