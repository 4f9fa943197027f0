//! `--impute M` shared by the verbs: impute the model's columns, pool by Rubin's rules, and say what was
//! imputed (columns, methods, counts, observed vs imputed distributions, m, iterations, seed).

use std::collections::BTreeMap;

use serde::Serialize;

use super::fit::{Family, FitArgs};
use super::Outcome;
use crate::{Error, Result};
use calcscore_core::format::{p_r, significant5};
use calcscore_data::Table;
use calcscore_stats::design::Design;
use calcscore_stats::formula::Formula;
use calcscore_stats::logistic::logistic;
use calcscore_stats::mice::pool::pooled_text;
use calcscore_stats::mice::{
    impute, pool_fits, Imputation, ImputedColumn, MiceOptions, Model, PooledFit, PooledRow,
    TracePoint,
};
use calcscore_stats::ols::ols;
use calcscore_stats::vcov::{FitOptions, Vcov};
use calcscore_stats::TidyRow;

/// The columns of `table` named in `cols` (in that order), so completed copies stay small.
pub fn select(table: &Table, cols: &[String]) -> Result<Table> {
    let mut out = Vec::with_capacity(cols.len());
    for c in cols {
        out.push((c.clone(), table.column(c)?.clone()));
    }
    Ok(Table::new(table.source.clone(), out))
}

/// Impute the columns a formula reads (the outcome included), and return the m completed tables.
pub fn impute_for(
    table: &Table,
    formula: &Formula,
    cluster: Option<&str>,
    opts: &MiceOptions,
) -> Result<(Imputation, Vec<Table>)> {
    let excluded: Vec<&str> = cluster.into_iter().collect();
    let model_cols = formula.expand_dot(&table.names, &excluded).columns();
    let mut keep = model_cols.clone();
    keep.extend(cluster.map(str::to_string));
    let small = select(table, &keep)?;
    let imp = impute(&small, &model_cols, opts)?;
    let done = (0..opts.m).map(|i| imp.complete(&small, i)).collect();
    Ok((imp, done))
}

/// What was imputed, as text.
pub fn imputation_text(imp: &Imputation) -> String {
    let o = imp.options;
    let mut s = format!(
        "Multiple imputation by chained equations (mice's defaults: pmm with {} donors, logreg): m = {}, {} iterations, \
seed {}\nImputation models: each column predicts from the others ({}); the outcome is among them\n",
        calcscore_stats::mice::DONORS,
        o.m,
        o.iterations,
        o.seed,
        imp.model_columns.join(", ")
    );
    if imp.columns.is_empty() {
        s.push_str("No missing values in these columns: the m data sets equal the data.\n");
        return s;
    }
    let w = imp
        .columns
        .iter()
        .map(|c| c.column.chars().count())
        .max()
        .unwrap_or(0)
        .max(14);
    s.push_str(&format!(
        "  {:<w$} {:>7} {:>8} {:>22} {:>22}\n",
        "imputed column", "method", "missing", "observed mean (SD)", "imputed mean (SD)"
    ));
    for c in &imp.columns {
        s.push_str(&format!(
            "  {:<w$} {:>7} {:>8} {:>22} {:>22}\n",
            c.column,
            c.method.name(),
            c.n_missing,
            format!(
                "{} ({})",
                significant5(c.observed_mean),
                significant5(c.observed_sd)
            ),
            format!(
                "{} ({})",
                significant5(c.imputed_mean),
                significant5(c.imputed_sd)
            ),
        ));
    }
    s.push_str(&format!(
        "  {} values imputed in each data set\n",
        imp.n_imputed()
    ));
    s
}

/// What was imputed: the `imputation` object of every `--impute` JSON (docs/imputation.md), the trace of the
/// chains included.
#[derive(Debug, Serialize)]
struct ImputationJson<'a> {
    method: &'static str,
    m: usize,
    iterations: usize,
    seed: u64,
    donors: usize,
    model_columns: &'a [String],
    n_imputed: usize,
    columns: &'a [ImputedColumn],
    trace: &'a [TracePoint],
}

impl<'a> ImputationJson<'a> {
    fn of(imp: &'a Imputation) -> Self {
        ImputationJson {
            method: "mice (chained equations): pmm (5 donors, type-1 matching) for numeric, logreg for binary columns",
            m: imp.options.m,
            iterations: imp.options.iterations,
            seed: imp.options.seed,
            donors: calcscore_stats::mice::DONORS,
            model_columns: &imp.model_columns,
            n_imputed: imp.n_imputed(),
            columns: &imp.columns,
            trace: &imp.trace,
        }
    }
}

/// `fit --impute M --json`.
#[derive(Debug, Serialize)]
struct FitImputedJson<'a> {
    formula: &'a str,
    family: Model,
    data: String,
    vcov: Vcov,
    imputation: ImputationJson<'a>,
    n: usize,
    dfcom: f64,
    coefficients: &'a [PooledRow],
    complete_case: CompleteCaseJson<'a>,
}

/// The complete-case fit beside the pooled one: rows used, rows left out per column, and its coefficients or why
/// it could not be estimated.
#[derive(Debug, Serialize)]
struct CompleteCaseJson<'a> {
    n: usize,
    missing: BTreeMap<&'a str, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coefficients: Option<&'a [TidyRow]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// `derive --impute M --json` and `validate --impute M --json` (`internal_validation` null when not asked for;
/// absent from validate's).
#[derive(Debug, Serialize)]
struct PooledJson<'a, P: Serialize, C: Serialize, B: Serialize> {
    imputation: ImputationJson<'a>,
    pooled: &'a P,
    complete_case: &'a C,
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_validation: Option<Option<&'a B>>,
}

/// `imputation.json` of `reproduce zhang2021 --impute M`.
#[derive(Debug, Serialize)]
struct SensitivityJson<'a, S: Serialize> {
    imputation: ImputationJson<'a>,
    sensitivity: &'a S,
}

/// `fit --impute M`: pooled estimates, with the complete-case fit beside them.
pub fn run_fit(a: &FitArgs, opts: MiceOptions) -> Result<Outcome> {
    let clash = [
        (a.gee.is_some(), "--gee"),
        (a.firth, "--firth"),
        (a.compare.is_some(), "--compare"),
    ];
    if let Some((_, flag)) = clash.iter().find(|(on, _)| *on) {
        return Err(Error::Usage(format!(
            "--impute does not combine with {flag} (not implemented)"
        )));
    }
    let vcov = a.vcov.unwrap_or(if a.cluster.is_some() {
        Vcov::ClusterHC1
    } else {
        Vcov::Classical
    });
    if vcov.is_clustered() && a.cluster.is_none() {
        return Err(Error::Usage("--vcov cr0/cr1 needs --cluster COLUMN".into()));
    }
    let fit_opts = FitOptions {
        vcov,
        conf_level: a.level.get(),
    };
    let table = a.data.load_ids(a.cluster.as_deref().as_slice())?;
    let formula = Formula::parse(&a.formula)?;
    let model = match a.family {
        Family::Gaussian => Model::Gaussian,
        Family::Binomial => Model::Binomial,
    };
    let complete_case = complete_case(&table, &formula, model, &fit_opts, a.cluster.as_deref());
    let (imp, done) = impute_for(&table, &formula, a.cluster.as_deref(), &opts)?;
    let pooled = pool_fits(&done, &formula, model, &fit_opts, a.cluster.as_deref())?;
    if let Some(dir) = &a.impute.impute_plots {
        write_plots(dir, &imp, &a.data.paths())?;
    }
    if a.json {
        let out = FitImputedJson {
            formula: &a.formula,
            family: model,
            data: a.data.data.display().to_string(),
            vcov,
            imputation: ImputationJson::of(&imp),
            n: pooled.n,
            dfcom: pooled.dfcom,
            coefficients: &pooled.coefficients,
            complete_case: CompleteCaseJson::of(&complete_case),
        };
        println!("{}", super::pretty_sorted(&out)?);
        return Ok(Outcome::Success);
    }
    print!("{}", fit_text(a, &imp, &pooled, &complete_case, vcov));
    Ok(Outcome::Success)
}

/// The complete-case fit: rows used, dropped, coefficients, or why it cannot be estimated.
pub struct CompleteCase {
    n: usize,
    missing: Vec<(String, usize)>,
    result: std::result::Result<Vec<TidyRow>, String>,
}

fn complete_case(
    table: &Table,
    formula: &Formula,
    model: Model,
    opts: &FitOptions,
    cluster: Option<&str>,
) -> CompleteCase {
    let design = match Design::build(table, formula, cluster) {
        Ok(d) => d,
        Err(e) => {
            return CompleteCase {
                n: 0,
                missing: Vec::new(),
                result: Err(e.to_string()),
            }
        }
    };
    let result = match model {
        Model::Gaussian => ols(&design, opts).map(|f| f.tidy()),
        Model::Binomial => logistic(&design, opts).map(|f| f.tidy()),
    };
    CompleteCase {
        n: design.n(),
        missing: design.missing.clone(),
        result: result.map_err(|e| e.to_string()),
    }
}

impl<'a> CompleteCaseJson<'a> {
    fn of(cc: &'a CompleteCase) -> Self {
        CompleteCaseJson {
            n: cc.n,
            missing: cc.missing.iter().map(|(c, k)| (c.as_str(), *k)).collect(),
            coefficients: cc.result.as_deref().ok(),
            error: cc.result.as_ref().err().map(String::as_str),
        }
    }
}

fn fit_text(
    a: &FitArgs,
    imp: &Imputation,
    pooled: &PooledFit,
    cc: &CompleteCase,
    vcov: Vcov,
) -> String {
    let level = a.level.get();
    let family = if a.family == Family::Binomial {
        "binomial"
    } else {
        "gaussian"
    };
    let mut s = format!(
        "Formula: {}   family: {family}   covariance: {}\n\n",
        a.formula,
        vcov.describe()
    );
    s.push_str(&imputation_text(imp));
    s.push_str(&format!(
        "\nPooled by Rubin's rules (mice::pool): n = {} per data set, Barnard-Rubin df with complete-data df {}\n",
        pooled.n, pooled.dfcom
    ));
    s.push_str(&pooled_text(&pooled.coefficients, level));
    s.push_str(&format!("\nComplete-case analysis (n = {}", cc.n));
    let dropped: Vec<String> = cc
        .missing
        .iter()
        .filter(|(_, k)| *k > 0)
        .map(|(c, k)| format!("{c}: {k}"))
        .collect();
    if !dropped.is_empty() {
        s.push_str(&format!(
            "; rows missing per column: {}",
            dropped.join(", ")
        ));
    }
    s.push_str("):\n");
    match &cc.result {
        Ok(rows) => s.push_str(&calcscore_stats::vcov::coef_table_text(
            rows,
            if a.family == Family::Binomial {
                "z"
            } else {
                "t"
            },
            level,
        )),
        Err(e) => s.push_str(&format!("  not estimable: {e}\n")),
    }
    s
}

/// `derive --impute M`: pooled models, points from the pooled coefficients, pooled AUC, and the complete-case
/// derivation beside; `--out` writes the pooled-points score.
pub fn run_derive(
    a: &super::derive::DeriveArgs,
    table: &Table,
    cands: &calcscore_score::derive::Candidates,
    opts: &calcscore_score::derive::DeriveOptions,
    (mice, boot): (&MiceOptions, Option<(usize, u64)>),
    inputs: &[&std::path::Path],
) -> Result<Outcome> {
    let (imp, mut pooled, cc) = calcscore_score::impute::derive_imputed(table, cands, opts, mice)?;
    super::notice::mark_score(&mut pooled.score);
    if let Some(dir) = &a.impute.impute_plots {
        write_plots(dir, &imp, inputs)?;
    }
    let boot = match boot {
        Some(b) => Some(boot_mi(table, cands, opts, &imp, &pooled, b)?),
        None => None,
    };
    if let Some(p) = &a.out {
        calcscore_report::output::write_file(
            p,
            pooled.score.to_toml().as_bytes(),
            inputs,
            calcscore_report::output::Producer::Derive,
        )?;
    }
    if a.json {
        let out = PooledJson {
            imputation: ImputationJson::of(&imp),
            pooled: &pooled,
            complete_case: &cc,
            internal_validation: Some(boot.as_ref()),
        };
        println!("{}", super::pretty_sorted(&out)?);
        return Ok(Outcome::Success);
    }
    let mut s = imputation_text(&imp);
    s.push_str(&pooled_derivation_text(&pooled, mice.m, opts.conf_level));
    if let Some(b) = &boot {
        s.push_str(&format!(
            "Bootstrap optimism with imputation inside each replicate (boot-MI, Wahl et al. 2016; {} replicates, m = {} each, seed {}, {} failed):\n  pooled AUC apparent {:.3}, optimism {:.4}, corrected {:.3}\n",
            b.replicates, b.m, b.seed, b.failed, b.auc_apparent, b.auc_optimism, b.auc_corrected
        ));
    }
    if let Some(p) = &a.out {
        let cutoff = match cc.not_estimable {
            None => "cutoff of the complete-case derivation",
            Some(_) => "cutoff by Youden's index over the completed tables stacked",
        };
        s.push_str(&format!(
            "wrote {} (pooled points; {cutoff}; no [model])\n",
            p.display()
        ));
    }
    s.push_str("\n--- Complete-case derivation ---\n");
    s.push_str(&super::derive::summary(&cc, opts, None));
    if a.tripod {
        s.push_str(&calcscore_score::tripod::derive_imputed_text(
            &pooled,
            &cc,
            &imp,
            boot.as_ref(),
            opts,
        ));
    }
    print!("{s}");
    Ok(Outcome::Success)
}

/// Boot-MI: the whole derivation with imputation in each of `replicates` bootstrap samples, tested on the m
/// completed original tables against the pooled AUC.
fn boot_mi(
    table: &Table,
    cands: &calcscore_score::derive::Candidates,
    opts: &calcscore_score::derive::DeriveOptions,
    imp: &Imputation,
    pooled: &calcscore_score::impute::ImputedDerivation,
    replicates: (usize, u64),
) -> Result<calcscore_score::impute_boot::BootMi> {
    let original: Vec<Table> = (0..imp.options.m).map(|i| imp.complete(table, i)).collect();
    calcscore_score::impute_boot::boot_mi(
        table,
        cands,
        opts,
        &imp.options,
        (&original, pooled.auc.estimate),
        replicates,
    )
}

/// The pooled models, the points from the pooled coefficients and the pooled AUC, as text.
fn pooled_derivation_text(
    pooled: &calcscore_score::impute::ImputedDerivation,
    m: usize,
    level: f64,
) -> String {
    let mut s = format!(
        "\nPooled by Rubin's rules over m = {} completed tables ({} rows each):\n",
        m, pooled.n
    );
    for (name, rows) in [
        ("Linear model", &pooled.linear),
        ("Logistic model", &pooled.logistic),
    ] {
        if let Some(rows) = rows {
            s.push_str(&format!("\n{name} (pooled):\n{}", pooled_text(rows, level)));
        }
    }
    s.push_str(&format!(
        "\nPoints from the pooled coefficients of the {}:\n",
        pooled.points_from
    ));
    for p in &pooled.points {
        s.push_str(&format!(
            "  {:<40} coefficient {:>9} [{}, {}]  ratio {:>6.2}  points {}\n",
            p.label,
            significant5(p.coefficient),
            significant5(p.conf_low),
            significant5(p.conf_high),
            p.ratio,
            p.points
        ));
    }
    s.push_str(&format!(
        "AUC of the pooled-points score: {:.3} [{:.3}, {:.3}] (DeLong per imputation, pooled on the logit scale)\n",
        pooled.auc.estimate, pooled.auc.conf_low, pooled.auc.conf_high
    ));
    s
}

/// `validate --impute M`: the score validated on each completed table, performance pooled (Wood, Royston &
/// White 2015), the complete-case validation beside.
pub fn run_validate(
    a: &super::validate::ValidateArgs,
    table: &Table,
    score: &calcscore_score::PointsTable,
    opts: &calcscore_score::validate::ValidateOptions,
    mice: &MiceOptions,
) -> Result<Outcome> {
    let clash = [
        (a.bootstrap.get() > 0, "--bootstrap"),
        (a.plots.is_some(), "--plots"),
    ];
    if let Some((_, flag)) = clash.iter().find(|(on, _)| *on) {
        return Err(Error::Usage(format!(
            "--impute does not combine with {flag} (not implemented)"
        )));
    }
    let (imp, pooled, cc) =
        calcscore_score::validate_impute::validate_imputed(table, score, opts, mice)?;
    if let Some(dir) = &a.impute.impute_plots {
        write_plots(dir, &imp, &a.data.input.paths())?;
    }
    if a.json {
        let out = PooledJson::<_, _, ()> {
            imputation: ImputationJson::of(&imp),
            pooled: &pooled,
            complete_case: &cc,
            internal_validation: None,
        };
        println!("{}", super::pretty_sorted(&out)?);
        return Ok(Outcome::Success);
    }
    let mut s = imputation_text(&imp);
    s.push_str(&pooled_validation_text(&pooled, score, opts));
    s.push_str("\n--- Complete-case validation ---\n");
    s.push_str(&super::validate::summary(&cc, None, opts));
    if a.tripod {
        s.push_str(&calcscore_score::tripod::validate_imputed_text(
            &pooled, &cc, &imp, opts,
        ));
    }
    print!("{s}");
    Ok(Outcome::Success)
}

/// The pooled validation, per group.
fn pooled_validation_text(
    p: &calcscore_score::validate_impute::ImputedValidation,
    score: &calcscore_score::PointsTable,
    opts: &calcscore_score::validate::ValidateOptions,
) -> String {
    let mut s = format!(
        "\nValidation of {} ({}), cutoff ≥{}, pooled over m = {} completed tables (Wood, Royston & White 2015):\n\
AUC (DeLong SE) and sensitivity/specificity/PPV/NPV pooled on the logit scale, calibration and slopes by Rubin's rules as estimated; \
observed risk per score level = mean over the imputations.\n",
        score.title, score.name, score.cutoff, p.m
    );
    for g in &p.groups {
        s.push_str(&pooled_group_text(g, score, opts));
    }
    if !p.interaction_terms.is_empty() {
        s.push_str("\nScore × group interaction (pooled):\n");
        for r in &p.interaction_terms {
            s.push_str(&format!(
                "  {}: {}, P {}\n",
                r.term,
                estimate_ci(r),
                p_r(r.p_value)
            ));
        }
    }
    s
}

/// "estimate [low, high]" of a pooled row, five significant digits.
fn estimate_ci(r: &PooledRow) -> String {
    format!(
        "{} [{}, {}]",
        significant5(r.estimate),
        significant5(r.conf_low),
        significant5(r.conf_high)
    )
}

/// One group of the pooled validation: slope, AUC, accuracy at the cutoff, calibration, risk per level, notes.
fn pooled_group_text(
    g: &calcscore_score::validate_impute::PooledGroup,
    score: &calcscore_score::PointsTable,
    opts: &calcscore_score::validate::ValidateOptions,
) -> String {
    let mut s = format!(
        "\n[{}] n = {}, events = {:.1} (mean over imputations)\n",
        g.group, g.n, g.n_events
    );
    if let Some(t) = &g.slope {
        s.push_str(&format!(
            "  slope {} per point: {}, P {}, fmi {:.3}\n",
            opts.outcome.as_deref().unwrap_or(""),
            estimate_ci(t),
            p_r(t.p_value),
            t.fmi
        ));
    }
    if let Some(a) = &g.auc {
        s.push_str(&format!(
            "  AUC {:.3} [{:.3}, {:.3}] (fmi {:.3})\n",
            a.estimate, a.conf_low, a.conf_high, a.logit.fmi
        ));
    }
    let ms: Vec<String> = g
        .measures
        .iter()
        .map(|m| {
            format!(
                "{} {:.3} [{:.3}, {:.3}]",
                m.measure, m.pooled.estimate, m.pooled.conf_low, m.pooled.conf_high
            )
        })
        .collect();
    if !ms.is_empty() {
        s.push_str(&format!("  at ≥{}: {}\n", score.cutoff, ms.join("; ")));
    }
    if let (Some(i), Some(k)) = (&g.calibration_intercept, &g.calibration_slope) {
        s.push_str(&format!(
            "  calibration: in-the-large {:.3} [{:.3}, {:.3}], slope {:.3} [{:.3}, {:.3}]\n",
            i.estimate, i.conf_low, i.conf_high, k.estimate, k.conf_low, k.conf_high
        ));
    }
    s.push_str("  score   mean n  mean events  observed risk\n");
    for l in &g.levels {
        s.push_str(&format!(
            "  {:>5} {:>8.1} {:>12.1}  {}\n",
            l.score,
            l.n,
            l.events,
            l.observed.map_or("–".into(), |o| format!("{o:.3}"))
        ));
    }
    for n in &g.notes {
        s.push_str(&format!("  NOTE: {n}\n"));
    }
    s
}

/// The imputation diagnostics as figures (`trace` and `imputed_values`, SVG and PNG) in `dir`.
pub fn write_plots(
    dir: &std::path::Path,
    imp: &Imputation,
    inputs: &[&std::path::Path],
) -> Result<()> {
    let files = calcscore_report::impute_charts::files(imp)?;
    let out = calcscore_report::output::OutDir::open_as(
        dir,
        inputs,
        "--impute-plots",
        calcscore_report::output::Producer::ImputePlots,
    )?;
    out.write(&files, calcscore_report::output::Mode::Replace)
}

/// `reproduce zhang2021 --impute M`: the report files with the sensitivity analysis appended to report.md and
/// report.html (its figures beside them), and `imputation.json`; returns the files and the section as text for
/// the terminal. `opts` are the options the run read its data with (`run.options` may name the data by its label).
pub fn sensitivity_files(
    run: &calcscore_studies::zhang2021::Run,
    opts: &calcscore_studies::zhang2021::pipeline::Options,
    mice: &MiceOptions,
) -> Result<(Vec<calcscore_report::OutputFile>, String)> {
    use calcscore_studies::zhang2021::{imputed, report_files_with};
    let s = imputed::sensitivity(opts, &run.score, &run.analysis, mice)?;
    let appendix = imputed::appendix(&s)?;
    let text = appendix.doc.to_markdown();
    let mut files = report_files_with(run, appendix)?;
    if let Some(imp) = &s.imputation {
        let out = SensitivityJson {
            imputation: ImputationJson::of(imp),
            sensitivity: &s,
        };
        files.push((
            "imputation.json".into(),
            super::pretty_sorted(&out)?.into_bytes(),
        ));
    }
    Ok((files, text))
}
