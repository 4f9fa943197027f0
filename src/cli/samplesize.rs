//! `calcscore samplesize develop|validate`: Riley et al.'s minimum sample sizes (as pmsampsize 1.1.3 and
//! pmvalsampsize 0.1.0), with a design effect for lesions clustered in patients.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use super::roc::input;
use super::Outcome;
use crate::{Error, Result};
use calcscore_score::derive::BinaryOutcome;
use calcscore_stats::samplesize::cluster::registry_prevalence;
use calcscore_stats::samplesize::cstat::{r2_from_cstatistic, CstatMethod, CstatR2};
use calcscore_stats::samplesize::develop::{cs_from_nagelkerke, Common};
use calcscore_stats::samplesize::validate::NetBenefitInputs;
use calcscore_stats::samplesize::{
    develop_binary, develop_continuous, validate_binary, BinaryDevelopment, ClusterPlan,
    ContinuousDevelopment, LpDistribution, LpMethod, RegistryEstimate, Validation,
    ValidationInputs,
};

/// Arguments of `calcscore samplesize`.
#[derive(Debug, clap::Args)]
pub struct SampleSizeArgs {
    /// Develop a new model, or validate an existing one.
    #[command(subcommand)]
    pub command: SampleSizeCommand,
}

/// The two sample-size calculations.
#[derive(Debug, Subcommand)]
pub enum SampleSizeCommand {
    /// Minimum sample size to develop a model (Riley et al. 2019/2020; pmsampsize 1.1.3).
    Develop(DevelopArgs),
    /// Minimum sample size to validate a model with a binary outcome (Riley et al. 2021; pmvalsampsize 0.1.0).
    Validate(ValidateArgs),
}

/// Outcome type of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeType {
    /// Binary outcome (logistic model).
    Binary,
    /// Continuous outcome (linear model).
    Continuous,
}

/// Lesions clustered in patients: design effect 1 + (m − 1)ρ, given or estimated from a pilot registry.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterArgs {
    /// Mean lesions per patient m (≥ 1); with --icc, lesions and patients needed are reported.
    #[arg(long, value_name = "M")]
    pub lesions_per_patient: Option<f64>,
    /// Intraclass correlation ρ of the outcome within patients, in [0, 1].
    #[arg(long, value_name = "RHO")]
    pub icc: Option<f64>,
    /// Pilot registry (CSV or Parquet) to estimate m, the prevalence (or mean and SD) and the outcome ICC
    /// (one-way ANOVA estimator); values given as options take precedence.
    #[arg(long, value_name = "FILE")]
    pub from_registry: Option<PathBuf>,
    /// Outcome in the registry: a 0/1 column or a rule such as "stent_expansion_pct < 70" (binary), a numeric
    /// column (continuous).
    #[arg(long, requires = "from_registry")]
    pub outcome: Option<String>,
    /// Patient (cluster) column in the registry.
    #[arg(long, default_value = "patient_id", requires = "from_registry")]
    pub cluster: String,
    /// Column map of the registry (TOML `[columns] name_used_here = "name_in_file"`).
    #[arg(long, requires = "from_registry")]
    pub map: Option<PathBuf>,
    /// Sheet and CSV dialect of the registry.
    #[command(flatten)]
    pub read: super::args::ReadArgs,
}

/// Arguments of `calcscore samplesize develop`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples (pmsampsize's own):\n  \
calcscore samplesize develop --type binary --rsquared 0.288 --parameters 24 --prevalence 0.174\n  \
calcscore samplesize develop --type binary --cstatistic 0.89 --parameters 24 --prevalence 0.174\n  \
calcscore samplesize develop --type continuous --rsquared 0.2 --parameters 25 --intercept 1.9 --sd 0.6\n\
Lesions clustered in patients:\n  \
calcscore samplesize develop --type binary --rsquared 0.288 --parameters 24 --prevalence 0.174 --lesions-per-patient 1.5 --icc 0.4\n  \
calcscore samplesize develop --type binary --cstatistic 0.8 --parameters 8 --from-registry pilot.csv --outcome \"stent_expansion_pct < 70\" --cluster patient_id\n\n\
For a binary outcome --rsquared is the Cox-Snell R2 (adjusted, or apparent from an external validation).")]
pub struct DevelopArgs {
    /// Outcome type.
    #[arg(long = "type", value_enum)]
    pub kind: OutcomeType,
    /// Anticipated R² (binary: Cox–Snell; continuous: adjusted R²).
    #[arg(long)]
    pub rsquared: Option<f64>,
    /// Anticipated Nagelkerke R² (binary), converted to Cox–Snell at the prevalence and rounded to 3 decimals.
    #[arg(long, conflicts_with = "rsquared")]
    pub nagelkerke: Option<f64>,
    /// C-statistic of an existing model (binary), converted to Cox–Snell R² (Riley et al. 2021).
    #[arg(long, conflicts_with_all = ["rsquared", "nagelkerke"])]
    pub cstatistic: Option<f64>,
    /// C-statistic → R² conversion: pmsampsize's seeded simulation repeated draw for draw, or its exact
    /// large-sample limit.
    #[arg(long, value_enum, default_value = "simulate", requires = "cstatistic")]
    pub cstat_method: MethodArg,
    /// Seed of the simulation (pmsampsize's default).
    #[arg(long, default_value_t = 123_456, requires = "cstatistic")]
    pub seed: u32,
    /// Candidate predictor parameters (a whole number ≥ 1).
    #[arg(long, value_parser = parse_whole)]
    pub parameters: u64,
    /// Outcome prevalence (binary), in (0, 1).
    #[arg(long)]
    pub prevalence: Option<f64>,
    /// Mean outcome value (continuous).
    #[arg(long, allow_negative_numbers = true)]
    pub intercept: Option<f64>,
    /// Outcome SD (continuous).
    #[arg(long)]
    pub sd: Option<f64>,
    /// Target expected shrinkage of predictor effects.
    #[arg(long, default_value_t = 0.9)]
    pub shrinkage: f64,
    /// Multiplicative margin of error of the intercept (continuous).
    #[arg(long, default_value_t = 1.1)]
    pub mmoe: f64,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Print JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// `--cstat-method`, `--lp-method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Repeat the R package's seeded simulation draw for draw (R's generator and seed).
    Simulate,
    /// The large-sample limit, by numerical integration.
    Exact,
}

/// Arguments of `calcscore samplesize validate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples (pmvalsampsize's own):\n  \
calcscore samplesize validate --type binary --prevalence 0.018 --cstatistic 0.8 --lpnormal=-5,2.5 --oeciwidth 1\n  \
calcscore samplesize validate --type binary --prevalence 0.018 --cstatistic 0.8 --lpbeta 0.5,0.5 --oeciwidth 1\n  \
calcscore samplesize validate --type binary --prevalence 0.018 --cstatistic 0.8 --lpnormal=-5,2.5 --oeciwidth 1 --sensitivity 0.7 --specificity 0.8 --threshold 0.02\n\
Lesions clustered in patients:\n  \
calcscore samplesize validate --type binary --prevalence 0.2 --cstatistic 0.75 --lpnormal=-1.6,0.9 --lesions-per-patient 1.3 --icc 0.3\n\n\
A negative first value needs the = form (--lpnormal=-5,2.5).")]
pub struct ValidateArgs {
    /// Outcome type (binary only, as pmvalsampsize).
    #[arg(long = "type", value_enum, default_value = "binary")]
    pub kind: ValidateType,
    /// Outcome prevalence in the validation sample, in (0, 1).
    #[arg(long)]
    pub prevalence: Option<f64>,
    /// Anticipated C-statistic.
    #[arg(long)]
    pub cstatistic: f64,
    /// Anticipated O/E.
    #[arg(long, default_value_t = 1.0)]
    pub oe: f64,
    /// Target 95% CI width of O/E.
    #[arg(long, default_value_t = 0.2)]
    pub oeciwidth: f64,
    /// Anticipated calibration slope.
    #[arg(long, default_value_t = 1.0)]
    pub cslope: f64,
    /// Target 95% CI width of the calibration slope.
    #[arg(long, default_value_t = 0.2)]
    pub csciwidth: f64,
    /// Target 95% CI width of the C-statistic.
    #[arg(long, default_value_t = 0.1)]
    pub cstatciwidth: f64,
    /// LP ~ Normal(mean, sd): "MEAN,SD".
    #[arg(long, value_name = "MEAN,SD", value_parser = parse_pair, allow_hyphen_values = true)]
    pub lpnormal: Option<(f64, f64)>,
    /// Predicted risk ~ Beta(alpha, beta): "ALPHA,BETA".
    #[arg(long, value_name = "ALPHA,BETA", value_parser = parse_pair, conflicts_with = "lpnormal")]
    pub lpbeta: Option<(f64, f64)>,
    /// Calibration-slope expectations: pmvalsampsize's simulation repeated draw for draw (default with
    /// --lpnormal), or numerical integration (default, and the only way, with --lpbeta).
    #[arg(long, value_enum)]
    pub lp_method: Option<MethodArg>,
    /// Simulated LP values (pmvalsampsize's simobs).
    #[arg(long, default_value_t = 1_000_000, value_parser = parse_simobs)]
    pub simobs: u64,
    /// Seed of the simulation (pmvalsampsize's default).
    #[arg(long, default_value_t = 123_456)]
    pub seed: u32,
    /// Anticipated sensitivity at --threshold (net-benefit criterion).
    #[arg(long, requires_all = ["specificity", "threshold"])]
    pub sensitivity: Option<f64>,
    /// Anticipated specificity at --threshold.
    #[arg(long, requires_all = ["sensitivity", "threshold"])]
    pub specificity: Option<f64>,
    /// Risk threshold for net benefit (alone: sensitivity and specificity from the LP distribution).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Target 95% CI width of the standardised net benefit.
    #[arg(long, default_value_t = 0.2)]
    pub nbciwidth: f64,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Print JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// Outcome types `validate` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateType {
    /// Binary outcome.
    Binary,
}

/// `--parameters`: a whole number ≥ 1 (25.5 or 0 are refused with the rule).
fn parse_whole(s: &str) -> std::result::Result<u64, String> {
    let rule = "--parameters must be a whole number of at least 1 (candidate predictor parameters)";
    match s.trim().parse::<f64>() {
        Ok(x) if x >= 1.0 && x.fract() == 0.0 && x < 1e15 => Ok(x as u64),
        _ => Err(format!("{rule}; got '{s}'")),
    }
}

/// `--simobs`: a whole number ≥ 2.
fn parse_simobs(s: &str) -> std::result::Result<u64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (2.0..=1e7).contains(&x) && x.fract() == 0.0 => Ok(x as u64),
        _ => Err(format!(
            "--simobs must be a whole number from 2 to 10^7; got '{s}'"
        )),
    }
}

/// "a,b" → (a, b).
fn parse_pair(s: &str) -> std::result::Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [a, b] => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() => Ok((a, b)),
            _ => Err(format!("expected two numbers 'a,b'; got '{s}'")),
        },
        _ => Err(format!("expected two numbers 'a,b'; got '{s}'")),
    }
}

/// Run `calcscore samplesize ...`.
pub fn run(args: SampleSizeArgs) -> Result<Outcome> {
    match args.command {
        SampleSizeCommand::Develop(a) => develop(a),
        SampleSizeCommand::Validate(a) => validate(a),
    }
}

/// Where an input value came from.
#[derive(Debug, Clone, Serialize)]
struct Sourced {
    value: f64,
    source: &'static str,
}

/// An option's value, else the registry's, else an error naming the option.
fn pick(given: Option<f64>, registry: Option<f64>, name: &str, why: &str) -> Result<Sourced> {
    match (given, registry) {
        (Some(value), _) => Ok(Sourced {
            value,
            source: "given",
        }),
        (None, Some(value)) => Ok(Sourced {
            value,
            source: "registry",
        }),
        (None, None) => Err(Error::Usage(format!(
            "{name} must be specified {why} (or estimated with --from-registry)"
        ))),
    }
}

/// The prevalence of a binary outcome: as given, else estimated from the pilot registry.
fn prevalence(given: Option<f64>, reg: Option<&RegistryEstimate>) -> Result<Sourced> {
    let reg_prev = reg.map(registry_prevalence).transpose()?;
    pick(given, reg_prev, "--prevalence", "for a binary outcome")
}

/// Refuse an option that does not apply (as pmsampsize: "intercept not required for binary sample size").
fn not_for(name: &str, given: bool, kind: &str) -> Result<()> {
    if given {
        return Err(Error::Usage(format!(
            "{name} is not used for {kind} sample size; remove it"
        )));
    }
    Ok(())
}

/// The registry summary when asked for.
fn registry(c: &ClusterArgs, kind: OutcomeType) -> Result<Option<RegistryEstimate>> {
    let Some(path) = &c.from_registry else {
        if c.read.options()? != calcscore_data::ReadOptions::default() {
            return Err(Error::Usage(
                "--sheet, --delimiter, --decimal-comma and --encoding describe the --from-registry file; \
fix: give --from-registry FILE, or drop them"
                    .into(),
            ));
        }
        return Ok(None);
    };
    let outcome = c.outcome.as_deref().ok_or_else(|| {
        Error::Usage(
            "--from-registry needs --outcome (a 0/1 column or a rule such as \"stent_expansion_pct < 70\")"
                .into(),
        )
    })?;
    let input = super::args::InputArgs {
        data: path.clone(),
        map: c.map.clone(),
        read: c.read.clone(),
    };
    let table = input.load_ids(&[c.cluster.as_str()])?;
    let values = match kind {
        OutcomeType::Binary => BinaryOutcome::parse(outcome)?.values(&table)?,
        OutcomeType::Continuous => table.numeric(outcome)?.to_options(),
    };
    let clusters = table.column(&c.cluster)?;
    let rows: Vec<usize> = (0..table.nrows())
        .filter(|&i| values[i].is_some() && !clusters.is_missing(i))
        .collect();
    let y: Vec<f64> = rows.iter().filter_map(|&i| values[i]).collect();
    let ids = input::cluster_ids(&table, &c.cluster, &rows)?;
    let dropped = table.nrows() - rows.len();
    if rows.len() < 2 {
        return Err(calcscore_stats::StatsError::TooFew {
            what: format!(
                "--from-registry {}: rows with outcome '{outcome}' and cluster '{}' both present",
                table.source, c.cluster
            ),
            n: rows.len(),
            needed: 2,
        }
        .into());
    }
    let est = RegistryEstimate::new(
        table.source.clone(),
        outcome.to_string(),
        c.cluster.clone(),
        &y,
        &ids,
        dropped,
    )?;
    Ok(Some(est))
}

/// The cluster plan when m and ρ are known (given or from the registry).
fn cluster_plan(
    c: &ClusterArgs,
    reg: Option<&RegistryEstimate>,
    n: u64,
    prevalence: Option<f64>,
) -> Result<Option<(ClusterPlan, &'static str, &'static str)>> {
    let m = pick(
        c.lesions_per_patient,
        reg.map(|r| r.lesions_per_patient),
        "",
        "",
    );
    let rho = pick(c.icc, reg.map(RegistryEstimate::icc_for_planning), "", "");
    match (m, rho) {
        (Ok(m), Ok(rho)) => {
            let plan = ClusterPlan::new(n, m.value, rho.value, prevalence)?;
            Ok(Some((plan, m.source, rho.source)))
        }
        (Err(_), Err(_)) => Ok(None),
        (Ok(_), Err(_)) => Err(Error::Usage(
            "--lesions-per-patient needs --icc (or --from-registry to estimate it)".into(),
        )),
        (Err(_), Ok(_)) => Err(Error::Usage(
            "--icc needs --lesions-per-patient (or --from-registry to estimate it)".into(),
        )),
    }
}

/// Clustering section of the JSON.
#[derive(Debug, Serialize)]
struct Clustering {
    #[serde(flatten)]
    plan: ClusterPlan,
    lesions_per_patient_source: &'static str,
    icc_source: &'static str,
    formula: &'static str,
}

impl Clustering {
    fn from(t: Option<(ClusterPlan, &'static str, &'static str)>) -> Option<Clustering> {
        t.map(|(plan, m, rho)| Clustering {
            plan,
            lesions_per_patient_source: m,
            icc_source: rho,
            formula: "design effect = 1 + (m - 1) * icc; lesions = ceiling(n * design effect); patients = ceiling(lesions / m)",
        })
    }
}

/// JSON of `samplesize develop`.
#[derive(Debug, Serialize)]
struct DevelopReport {
    analysis: &'static str,
    #[serde(rename = "type")]
    kind: OutcomeType,
    method: &'static str,
    r2_source: &'static str,
    prevalence_source: Option<&'static str>,
    cstatistic_conversion: Option<CstatR2>,
    binary: Option<BinaryDevelopment>,
    continuous: Option<ContinuousDevelopment>,
    clustering: Option<Clustering>,
    registry: Option<RegistryEstimate>,
}

fn develop(a: DevelopArgs) -> Result<Outcome> {
    let common = Common::new(a.parameters, a.shrinkage)?;
    let reg = registry(&a.cluster, a.kind)?;
    let report = match a.kind {
        OutcomeType::Binary => develop_binary_report(&a, common, reg)?,
        OutcomeType::Continuous => develop_continuous_report(&a, common, reg)?,
    };
    input::print_report(a.json, &report, print_develop)?;
    Ok(Outcome::Success)
}

fn develop_binary_report(
    a: &DevelopArgs,
    common: Common,
    reg: Option<RegistryEstimate>,
) -> Result<DevelopReport> {
    not_for("--intercept", a.intercept.is_some(), "binary")?;
    not_for("--sd", a.sd.is_some(), "binary")?;
    let phi = prevalence(a.prevalence, reg.as_ref())?;
    let (r2, r2_source, conversion) = match (a.rsquared, a.nagelkerke, a.cstatistic) {
        (Some(r2), _, _) => (r2, "rsquared (Cox-Snell)", None),
        (_, Some(nag), _) => (cs_from_nagelkerke(nag, phi.value)?, "nagelkerke", None),
        (_, _, Some(c)) => {
            let method = match a.cstat_method {
                MethodArg::Simulate => CstatMethod::Simulate { seed: a.seed },
                MethodArg::Exact => CstatMethod::Exact,
            };
            let conv = r2_from_cstatistic(c, phi.value, method)?;
            (conv.r2_cs, "cstatistic", Some(conv))
        }
        _ => {
            return Err(Error::Usage(
                "one of --rsquared (Cox-Snell), --nagelkerke or --cstatistic must be specified for a binary outcome"
                    .into(),
            ))
        }
    };
    let dev = develop_binary(common, phi.value, r2)?;
    let plan = cluster_plan(&a.cluster, reg.as_ref(), dev.sample_size, Some(phi.value))?;
    Ok(DevelopReport {
        analysis: "develop",
        kind: OutcomeType::Binary,
        method:
            "Riley et al. 2019 (Stat Med, part II) and 2020 (BMJ) criteria, as pmsampsize 1.1.3",
        r2_source,
        prevalence_source: Some(phi.source),
        cstatistic_conversion: conversion,
        binary: Some(dev),
        continuous: None,
        clustering: Clustering::from(plan),
        registry: reg,
    })
}

fn develop_continuous_report(
    a: &DevelopArgs,
    common: Common,
    reg: Option<RegistryEstimate>,
) -> Result<DevelopReport> {
    not_for("--prevalence", a.prevalence.is_some(), "continuous")?;
    not_for("--cstatistic", a.cstatistic.is_some(), "continuous")?;
    not_for("--nagelkerke", a.nagelkerke.is_some(), "continuous")?;
    let r2 = a.rsquared.ok_or_else(|| {
        Error::Usage("--rsquared must be specified for continuous outcome models".into())
    })?;
    let why = "for a continuous outcome";
    let mean = pick(
        a.intercept,
        reg.as_ref().map(|r| r.outcome_mean),
        "--intercept",
        why,
    )?;
    let sd = pick(a.sd, reg.as_ref().map(|r| r.outcome_sd), "--sd", why)?;
    let dev = develop_continuous(common, r2, mean.value, sd.value, a.mmoe)?;
    let plan = cluster_plan(&a.cluster, reg.as_ref(), dev.sample_size, None)?;
    Ok(DevelopReport {
        analysis: "develop",
        kind: OutcomeType::Continuous,
        method: "Riley et al. 2019 (Stat Med, part I) criteria, as pmsampsize 1.1.3",
        r2_source: "rsquared (adjusted R2)",
        prevalence_source: None,
        cstatistic_conversion: None,
        binary: None,
        continuous: Some(dev),
        clustering: Clustering::from(plan),
        registry: reg,
    })
}

/// JSON of `samplesize validate`.
#[derive(Debug, Serialize)]
struct ValidateReport {
    analysis: &'static str,
    #[serde(rename = "type")]
    kind: OutcomeType,
    method: &'static str,
    prevalence_source: &'static str,
    #[serde(flatten)]
    result: Validation,
    clustering: Option<Clustering>,
    registry: Option<RegistryEstimate>,
}

fn validate(a: ValidateArgs) -> Result<Outcome> {
    let reg = registry(&a.cluster, OutcomeType::Binary)?;
    let phi = prevalence(a.prevalence, reg.as_ref())?;
    let lp =
        match (a.lpnormal, a.lpbeta) {
            (Some((mean, sd)), None) => LpDistribution::Normal { mean, sd },
            (None, Some((alpha, beta))) => LpDistribution::Beta { alpha, beta },
            _ => return Err(Error::Usage(
                "an LP distribution must be specified: --lpnormal MEAN,SD or --lpbeta ALPHA,BETA"
                    .into(),
            )),
        };
    let lp_method = match (a.lp_method, lp) {
        (Some(MethodArg::Exact), _) | (None, LpDistribution::Beta { .. }) => LpMethod::Exact,
        _ => LpMethod::Simulate {
            seed: a.seed,
            simobs: a.simobs as usize,
        },
    };
    let net_benefit = a.threshold.map(|threshold| NetBenefitInputs {
        threshold,
        accuracy: a.sensitivity.zip(a.specificity),
        ci_width: a.nbciwidth,
    });
    let result = validate_binary(ValidationInputs {
        prevalence: phi.value,
        cstatistic: a.cstatistic,
        oe: a.oe,
        oe_ci_width: a.oeciwidth,
        cslope: a.cslope,
        cslope_ci_width: a.csciwidth,
        cstat_ci_width: a.cstatciwidth,
        lp,
        lp_method,
        net_benefit,
    })?;
    let plan = cluster_plan(
        &a.cluster,
        reg.as_ref(),
        result.sample_size,
        Some(phi.value),
    )?;
    let report = ValidateReport {
        analysis: "validate",
        kind: OutcomeType::Binary,
        method: "Riley et al. 2021 (Stat Med) criteria, as pmvalsampsize 0.1.0",
        prevalence_source: phi.source,
        result,
        clustering: Clustering::from(plan),
        registry: reg,
    };
    input::print_report(a.json, &report, print_validate)?;
    Ok(Outcome::Success)
}

/// A number as R prints it with 7 significant digits (trailing zeros dropped).
fn g(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (6 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn print_develop(r: &DevelopReport) {
    if let Some(reg) = &r.registry {
        print_registry(reg);
    }
    if let Some(d) = &r.binary {
        print_binary(d, r.cstatistic_conversion.as_ref());
    }
    if let Some(d) = &r.continuous {
        print_continuous(d);
    }
    if let Some(c) = &r.clustering {
        print_clustering(c);
    }
}

fn print_binary(d: &BinaryDevelopment, conv: Option<&CstatR2>) {
    println!("Sample size to develop a model with a binary outcome (Riley et al.; as pmsampsize 1.1.3)\n");
    if let Some(c) = conv {
        println!(
            "Given input C-statistic = {} & prevalence = {}",
            g(c.cstatistic),
            g(c.prevalence)
        );
        match (c.method, c.r2_cs_simulated) {
            (CstatMethod::Simulate { seed }, Some(sim)) => println!(
                "Cox-Snell R-sq = {} (pmsampsize's simulation, seed {seed}: {:.6}; exact large-sample value {:.6})\n",
                g(c.r2_cs),
                sim,
                c.r2_cs_exact
            ),
            _ => println!(
                "Cox-Snell R-sq = {} (exact large-sample value {:.6}, --cstat-method exact)\n",
                g(c.r2_cs),
                c.r2_cs_exact
            ),
        }
    }
    println!("NB: Assuming 0.05 acceptable difference in apparent & adjusted R-squared");
    println!("NB: Assuming 0.05 margin of error in estimation of intercept");
    println!(
        "NB: Events per Predictor Parameter (EPP) assumes prevalence = {}\n",
        g(d.prevalence)
    );
    let mut rows = vec![header(&["CS_Rsq", "Max_Rsq", "Nag_Rsq", "Events", "EPP"])];
    for c in &d.criteria {
        rows.push(vec![
            criterion_label(c.criterion, None),
            c.sample_size.to_string(),
            format!("{:.3}", c.shrinkage),
            d.parameters.to_string(),
            g(d.r2_cs),
            format!("{:.3}", d.max_r2_cs),
            format!("{:.3}", d.r2_nagelkerke),
            format!("{:.1}", c.events),
            g(c.epp),
        ]);
    }
    print!("{}", aligned(&rows, &[11, 10, 10, 10, 8, 8, 8, 9, 8]));
    println!(
        "\nMinimum sample size required for new model development based on user inputs = {},",
        d.sample_size
    );
    println!(
        "with {} events (assuming an outcome prevalence = {}) and an EPP = {}",
        d.events.ceil(),
        g(d.prevalence),
        g(d.epp)
    );
}

/// pmsampsize's header row: an empty corner, the three columns every table has, then `rest`.
fn header(rest: &[&str]) -> Vec<String> {
    ["", "Samp_size", "Shrinkage", "Parameter"]
        .iter()
        .chain(rest)
        .map(|h| h.to_string())
        .collect()
}

/// pmsampsize's row label: "Final" for criterion 0, else "Criteria k", starred for the `starred` one.
fn criterion_label(criterion: u8, starred: Option<u8>) -> String {
    match criterion {
        0 => "Final".to_string(),
        k if Some(k) == starred => format!("Criteria {k}*"),
        k => format!("Criteria {k}"),
    }
}

/// pmsampsize's layout: the first column left-aligned, the others right-aligned, each at least as wide as
/// `widths`; a column widens where a value would otherwise touch its neighbour (an Events of 1349250.0 once ran
/// into Nag_Rsq).
fn aligned(rows: &[Vec<String>], widths: &[usize]) -> String {
    let widths: Vec<usize> = widths
        .iter()
        .enumerate()
        .map(|(j, &w)| {
            w.max(
                rows.iter()
                    .map(|r| r[j].chars().count() + 1)
                    .max()
                    .unwrap_or(0),
            )
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        for (j, (cell, &w)) in r.iter().zip(&widths).enumerate() {
            if j == 0 {
                out.push_str(&format!("{cell:<w$}"));
            } else {
                out.push_str(&format!("{cell:>w$}"));
            }
        }
        out.push('\n');
    }
    out
}

fn print_continuous(d: &ContinuousDevelopment) {
    println!("Sample size to develop a model with a continuous outcome (Riley et al.; as pmsampsize 1.1.3)\n");
    println!("NB: Assuming 0.05 acceptable difference in apparent & adjusted R-squared");
    println!(
        "NB: Assuming MMOE <= {} in estimation of intercept & residual standard deviation",
        g(d.mmoe)
    );
    println!("SPP - Subjects per Predictor Parameter\n");
    let mut rows = vec![header(&["Rsq", "SPP"])];
    for c in &d.criteria {
        rows.push(vec![
            criterion_label(c.criterion, Some(4)),
            c.sample_size.to_string(),
            format!("{:.3}", c.shrinkage),
            d.parameters.to_string(),
            g(d.r2),
            g(c.spp),
        ]);
    }
    print!("{}", aligned(&rows, &[13, 10, 10, 10, 8, 8]));
    println!(
        "\nMinimum sample size required for new model development based on user inputs = {}",
        d.sample_size
    );
    println!(
        "* 95% CI for intercept = ({}, {}), for sample size n = {}",
        g(d.intercept_ci.0),
        g(d.intercept_ci.1),
        d.sample_size
    );
}

fn print_validate(r: &ValidateReport) {
    if let Some(reg) = &r.registry {
        print_registry(reg);
    }
    let v = &r.result;
    println!("Sample size to validate a model with a binary outcome (Riley et al. 2021; as pmvalsampsize 0.1.0)\n");
    match v.inputs.lp {
        LpDistribution::Normal { mean, sd } => {
            println!(
                "LP distribution: Normal(mean = {}, sd = {})",
                g(mean),
                g(sd)
            )
        }
        LpDistribution::Beta { alpha, beta } => println!(
            "Predicted risk distribution: Beta(alpha = {}, beta = {}); LP = logit(risk)",
            g(alpha),
            g(beta)
        ),
    }
    match v.inputs.lp_method {
        LpMethod::Simulate { seed, simobs } => println!(
            "Calibration-slope information from {simobs} simulated LP values (seed {seed}), as pmvalsampsize\n"
        ),
        LpMethod::Exact => {
            println!("Calibration-slope information integrated numerically (pmvalsampsize simulates)\n")
        }
    }
    println!(
        "{:<39}{:>10}{:>8}{:>8}{:>10}",
        "", "Samp_size", "Perf", "SE", "CI width"
    );
    for c in &v.criteria {
        println!(
            "{:<39}{:>10}{:>8.3}{:>8.3}{:>10.3}",
            format!("Criteria {} - {}", c.criterion, c.measure),
            c.sample_size,
            c.performance,
            c.std_error,
            c.ci_width
        );
    }
    if let Some(nb) = &v.net_benefit {
        println!(
            "\nNet benefit at threshold {}: sensitivity {}, specificity {} ({}), standardised net benefit {:.3}",
            g(nb.threshold),
            g(nb.sensitivity),
            g(nb.specificity),
            nb.source,
            nb.standardised
        );
    }
    println!(
        "\nMinimum sample size required for model validation based on user inputs = {},",
        v.sample_size
    );
    println!(
        "with {} events (assuming an outcome prevalence = {}); set by criterion {}",
        v.events.ceil(),
        g(v.inputs.prevalence),
        v.binding_criterion
    );
    if let Some(c) = &r.clustering {
        print_clustering(c);
    }
}

fn print_registry(r: &RegistryEstimate) {
    println!(
        "Pilot registry {} (outcome '{}', patients '{}')",
        r.file, r.outcome, r.cluster
    );
    println!(
        "  {} lesions in {} patients ({} rows dropped for a missing outcome or patient)",
        r.lesions, r.patients, r.dropped
    );
    println!(
        "  lesions per patient m = {} (CV of cluster size {}); outcome mean = {}, SD = {}",
        g(r.lesions_per_patient),
        g(r.cluster_size_cv),
        g(r.outcome_mean),
        g(r.outcome_sd)
    );
    match &r.anova {
        Some(a) => {
            println!(
            "  outcome ICC (one-way ANOVA, unequal cluster sizes) = {} (MSB {}, MSW {}, n0 {}){}\n",
            g(a.icc),
            g(a.msb),
            g(a.msw),
            g(a.n0),
            if a.icc < 0.0 { "; negative, 0 used" } else { "" }
        )
        }
        None => println!("  outcome ICC not estimable (one lesion per patient): 0 used\n"),
    }
}

fn print_clustering(c: &Clustering) {
    let p = &c.plan;
    println!("\nLesions clustered in patients:");
    println!(
        "  m = {} lesions per patient ({}), ICC = {} ({})",
        g(p.lesions_per_patient),
        c.lesions_per_patient_source,
        g(p.icc),
        c.icc_source
    );
    println!(
        "  design effect = 1 + (m - 1) * ICC = {}",
        g(p.design_effect)
    );
    println!(
        "  lesions needed = ceiling({} * {}) = {}; patients needed = ceiling({} / {}) = {}",
        p.independent_n,
        g(p.design_effect),
        p.lesions,
        p.lesions,
        g(p.lesions_per_patient),
        p.patients
    );
    if let Some(e) = p.events {
        println!("  expected events among them = {}", e.ceil());
    }
}
