//! `calcscore fit`: linear or logistic models from an R-style formula on any CSV/Parquet table.

use calcscore_stats::dist::Checked;
use std::collections::BTreeMap;

use serde::Serialize;
use statrs::distribution::{ChiSquared, FisherSnedecor};

use super::args::{ImputeArgs, InputArgs, LevelArgs};
use super::Outcome;
use crate::{Error, Result};
use calcscore_stats::design::Design;
use calcscore_stats::formula::Formula;
use calcscore_stats::gee::{gee, CorStr, GeeFamily};
use calcscore_stats::logistic::{firth, firth_profile_ci, logistic, LogisticFit};
use calcscore_stats::ols::{ols, Glance, OlsFit};
use calcscore_stats::vcov::{FitOptions, Vcov};
use calcscore_stats::{TestResult, TidyRow};

/// Model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Family {
    /// Linear model, least squares.
    Gaussian,
    /// Logistic regression of a 0/1 (or two-level text) outcome.
    Binomial,
}

/// Arguments of `calcscore fit`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore fit --data birthwt.csv --formula \"bwt ~ age + lwt + factor(race) + smoke\"\n  \
calcscore fit --data reg.csv --formula \"underexpansion ~ calcium_360 + calcified_nodule\" --family binomial --cluster patient_id --json\n  \
calcscore fit --data birthwt.csv --formula \"low ~ age + lwt + factor(race)\" --family binomial --compare \"low ~ age + lwt\""
)]
pub struct FitArgs {
    #[command(flatten)]
    pub data: InputArgs,
    /// R-style formula: `y ~ a + b*c + factor(d) + I(x > 5)`, `- 1` drops the intercept.
    #[arg(long)]
    pub formula: String,
    /// Model family.
    #[arg(long, value_enum, default_value_t = Family::Gaussian)]
    pub family: Family,
    /// Cluster column (e.g. patient_id): default covariance becomes cluster-robust CR1.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Covariance: classical, hc0, hc1, cr0, cr1 (default: classical, or cr1 with --cluster).
    #[arg(long, value_parser = super::choice::choice::<Vcov>())]
    pub vcov: Option<Vcov>,
    /// Generalised estimating equations with this working correlation (needs --cluster; robust SEs as geepack).
    #[arg(long, value_parser = super::choice::choice::<CorStr>())]
    pub gee: Option<CorStr>,
    /// Nested reduced model to compare with (F test for gaussian, likelihood-ratio test for binomial).
    #[arg(long)]
    pub compare: Option<String>,
    /// Firth's penalised likelihood (brglm2 AS_mean): finite estimates under separation; needs --family binomial.
    #[arg(long)]
    pub firth: bool,
    /// With --firth: also profile penalised-likelihood CIs (logistf's default) besides the Wald ones.
    #[arg(long, requires = "firth")]
    pub profile_ci: bool,
    #[command(flatten)]
    pub level: LevelArgs,
    #[command(flatten)]
    pub impute: ImputeArgs,
    /// Tidy JSON output (broom vocabulary) instead of the printed summary.
    #[arg(long)]
    pub json: bool,
}

/// Either fitted model.
enum Fitted {
    Linear(OlsFit),
    Logistic(LogisticFit),
}

/// Run `calcscore fit`.
pub fn run(a: FitArgs) -> Result<Outcome> {
    if let Some(opts) = a.impute.options() {
        return super::impute::run_fit(&a, opts);
    }
    let vcov = covariance(&a)?;
    check_firth(&a, vcov)?;
    let formula = Formula::parse(&a.formula)?;
    let reduced = a.compare.as_deref().map(Formula::parse).transpose()?;
    let cluster = a.cluster.as_deref();
    let table = load_model_columns(&a.data, &formula, reduced.as_ref(), cluster)?;
    calcscore_core::trace::span("table read");
    // The table is kept only for a nested comparison; otherwise its columns are freed while the model
    // matrix is filled, so the two are never held whole together.
    let (design, table) = if a.compare.is_some() {
        (Design::build(&table, &formula, cluster)?, Some(table))
    } else {
        (Design::build_owned(table, &formula, cluster)?, None)
    };
    calcscore_core::trace::span("design built");
    let opts = FitOptions {
        vcov,
        conf_level: a.level.get(),
    };
    if let Some(corstr) = a.gee {
        return run_gee(&a, &design, corstr);
    }
    let fitted = if a.firth {
        Fitted::Logistic(firth(&design, &opts)?.with_formula(&a.formula))
    } else {
        fit_design(&design, &opts, a.family, &a.formula)?
    };
    calcscore_core::trace::span("fitted");
    let compare = match &a.compare {
        Some(r) => match &table {
            Some(t) => Some(compare(t, &design, &fitted, r, a.family, &opts)?),
            None => None,
        },
        None => None,
    };
    let profile = match &fitted {
        Fitted::Logistic(m) if a.profile_ci => Some(profile_rows(&design, m, a.level.get())?),
        _ => None,
    };
    if a.json {
        let out = fit_json(&a, &design, &fitted, compare.as_ref(), profile.as_deref());
        println!("{}", super::pretty_sorted(&out)?);
    } else {
        print!(
            "{}",
            fit_text(&a, &fitted, compare.as_ref(), profile.as_deref())
        );
        print!("{}", response_levels_text(&design));
    }
    Ok(Outcome::Success)
}

/// Read only the columns the models use (a `.` expands to the header's other columns), and the cluster column.
fn load_model_columns(
    data: &InputArgs,
    formula: &Formula,
    reduced: Option<&Formula>,
    cluster: Option<&str>,
) -> Result<calcscore_data::Table> {
    data.load_select(cluster.as_slice(), |names| {
        let excluded: Vec<&str> = cluster.into_iter().collect();
        let mut cols = formula.expand_dot(names, &excluded).columns();
        if let Some(r) = reduced {
            cols.extend(r.expand_dot(names, &excluded).columns());
        }
        cols.extend(cluster.map(str::to_string));
        cols
    })
}

/// For a text response, which level the model codes 1 (the printed summaries do not say); empty otherwise.
fn response_levels_text(design: &Design) -> String {
    match &design.response_levels {
        Some((zero, one)) => format!(
            "Response {}: \"{one}\" is coded 1 and \"{zero}\" 0 (the second level in sorted order is the event)\n",
            design.response
        ),
        None => String::new(),
    }
}

/// The printed output: profile CIs, the model summary, a hint at Firth under separation, the nested comparison.
fn fit_text(
    a: &FitArgs,
    fitted: &Fitted,
    compare: Option<&TestResult>,
    profile: Option<&[ProfileRow]>,
) -> String {
    let mut s = String::new();
    if let Some(rows) = profile {
        s.push_str(&profile_text(rows, a.level.get()));
    }
    s.push_str(&summary(fitted));
    if let Fitted::Logistic(m) = fitted {
        if !a.firth && m.warnings().iter().any(|w| w.contains("separation")) {
            s.push_str("note: Firth's penalised likelihood (--firth) gives finite estimates and SEs under separation\n");
        }
    }
    if let Some(c) = compare {
        s.push_str(&format!(
            "\n{}: {} = {:.4} on {} df, p = {}\n",
            c.method,
            c.statistic_name,
            c.statistic,
            c.df.unwrap_or(f64::NAN),
            calcscore_core::format::p_r(c.p_value)
        ));
    }
    s
}

/// The covariance asked for, else cluster-robust (CR1) with a cluster column outside GEE and classical otherwise.
fn covariance(a: &FitArgs) -> Result<Vcov> {
    let vcov = a.vcov.unwrap_or(if a.cluster.is_some() && a.gee.is_none() {
        Vcov::ClusterHC1
    } else {
        Vcov::Classical
    });
    if vcov.is_clustered() && a.cluster.is_none() {
        return Err(Error::Usage("--vcov cr0/cr1 needs --cluster COLUMN".into()));
    }
    Ok(vcov)
}

/// One coefficient's profile penalised-likelihood interval.
#[derive(Debug, serde::Serialize)]
struct ProfileRow {
    term: String,
    conf_low: f64,
    conf_high: f64,
}

fn profile_rows(design: &Design, m: &LogisticFit, level: f64) -> Result<Vec<ProfileRow>> {
    let limits = firth_profile_ci(design, m, level)?;
    Ok(design
        .names
        .iter()
        .zip(limits)
        .map(|(t, (lo, hi))| ProfileRow {
            term: t.clone(),
            conf_low: lo,
            conf_high: hi,
        })
        .collect())
}

fn profile_text(rows: &[ProfileRow], level: f64) -> String {
    let mut s = format!(
        "Profile penalised-likelihood {}% CIs (as logistf; log-odds):\n",
        level * 100.0
    );
    for r in rows {
        s.push_str(&format!(
            "  {:<20} {:>12.6} {:>12.6}\n",
            r.term, r.conf_low, r.conf_high
        ));
    }
    s.push('\n');
    s
}

/// `--firth` is a logistic fit with the model-based covariance and no nested comparison.
fn check_firth(a: &FitArgs, vcov: Vcov) -> Result<()> {
    if !a.firth {
        return Ok(());
    }
    let conflict = if a.family != Family::Binomial {
        Some("is a logistic model: add --family binomial")
    } else if vcov != Vcov::Classical || a.cluster.is_some() {
        Some("reports the model-based covariance only: drop --cluster/--vcov")
    } else if a.gee.is_some() {
        Some("does not combine with --gee")
    } else if a.compare.is_some() {
        Some("does not combine with --compare (the likelihood-ratio test assumes maximum likelihood)")
    } else {
        None
    };
    match conflict {
        Some(why) => Err(Error::Usage(format!("--firth {why}"))),
        None => Ok(()),
    }
}

/// `--gee`: fit, then print or write JSON.
fn run_gee(a: &FitArgs, design: &Design, corstr: CorStr) -> Result<Outcome> {
    if a.cluster.is_none() {
        return Err(Error::Usage("--gee needs --cluster COLUMN".into()));
    }
    if a.compare.is_some() || a.vcov.is_some() {
        return Err(Error::Usage(
            "--gee reports geepack's robust covariance; --vcov and --compare do not apply".into(),
        ));
    }
    let family = match a.family {
        Family::Gaussian => GeeFamily::Gaussian,
        Family::Binomial => GeeFamily::Binomial,
    };
    let fit = gee(design, family, corstr, a.level.get())?;
    if a.json {
        let out = FitJson::new((a, design), family, &fit.model, fit.coefficients.clone());
        println!("{}", super::pretty_sorted(&out)?);
    } else {
        print!("{}", fit.summary(&a.formula, a.level.get()));
        print!("{}", response_levels_text(design));
    }
    Ok(Outcome::Success)
}

/// JSON of `calcscore fit --json` (docs/json.md, "fit"); `F` the family's name, `M` the model's description.
#[derive(Debug, Serialize)]
struct FitJson<'a, F: Serialize, M: Serialize> {
    formula: &'a str,
    family: F,
    data: String,
    model: M,
    coefficients: Vec<TidyRow>,
    warnings: Vec<String>,
    /// Rows left out per column, by column.
    missing: BTreeMap<&'a str, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    penalised_log_lik: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conf_int_method: Option<&'static str>,
    /// The response's text levels coded 0 and 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    response_levels: Option<ResponseLevels<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    odds_ratios: Option<Vec<TidyRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compare: Option<&'a TestResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile_ci: Option<&'a [ProfileRow]>,
}

impl<'a, F: Serialize, M: Serialize> FitJson<'a, F, M> {
    /// A fit's JSON without warnings or any of the optional fields but the response's levels.
    fn new(
        (a, design): (&'a FitArgs, &'a Design),
        family: F,
        model: M,
        coefficients: Vec<TidyRow>,
    ) -> Self {
        FitJson {
            formula: &a.formula,
            family,
            data: a.data.data.display().to_string(),
            model,
            coefficients,
            warnings: Vec::new(),
            missing: design
                .missing
                .iter()
                .map(|(c, k)| (c.as_str(), *k))
                .collect(),
            method: None,
            penalised_log_lik: None,
            conf_int_method: None,
            response_levels: design
                .response_levels
                .as_ref()
                .map(|(lo, hi)| ResponseLevels { zero: lo, one: hi }),
            odds_ratios: None,
            compare: None,
            profile_ci: None,
        }
    }
}

/// The text levels of a two-level response: which one is coded 0 and which 1.
#[derive(Debug, Clone, Copy, Serialize)]
struct ResponseLevels<'a> {
    #[serde(rename = "0")]
    zero: &'a str,
    #[serde(rename = "1")]
    one: &'a str,
}

fn fit_design(design: &Design, opts: &FitOptions, family: Family, text: &str) -> Result<Fitted> {
    Ok(match family {
        Family::Gaussian => Fitted::Linear(ols(design, opts)?.with_formula(text)),
        Family::Binomial => Fitted::Logistic(logistic(design, opts)?.with_formula(text)),
    })
}

fn summary(f: &Fitted) -> String {
    match f {
        Fitted::Linear(m) => m.summary(),
        Fitted::Logistic(m) => m.summary(),
    }
}

/// Compare with a nested model fitted on the same rows: F test (R's anova(reduced, full)) or LR test.
fn compare(
    table: &calcscore_data::Table,
    full: &Design,
    fitted: &Fitted,
    reduced: &str,
    family: Family,
    opts: &FitOptions,
) -> Result<TestResult> {
    let sub = table.subset(&full.rows);
    let rd = Design::build(&sub, &Formula::parse(reduced)?, None)?;
    full.check_nested(&rd, reduced)?;
    let df = full.x.ncols() as f64 - rd.x.ncols() as f64;
    if df <= 0.0 {
        return Err(Error::Usage(format!(
            "--compare '{reduced}' must have fewer coefficients than the full model"
        )));
    }
    if !matches!(opts.vcov, Vcov::Classical) {
        return robust_compare(full, fitted, &rd, reduced);
    }
    let (stat, name, p, method) = match (fitted, fit_design(&rd, opts, family, reduced)?) {
        (Fitted::Linear(f), Fitted::Linear(r)) => {
            let df2 = f.df_residual() as f64;
            let stat = ((r.rss() - f.rss()) / df) / (f.rss() / df2);
            (
                stat,
                "F",
                FisherSnedecor::new(df, df2).map_or(f64::NAN, |d| d.sf_checked(stat)),
                "F test of nested linear models (anova)",
            )
        }
        (Fitted::Logistic(f), Fitted::Logistic(r)) => {
            let stat = r.deviance() - f.deviance();
            (
                stat,
                "LR chi-squared",
                ChiSquared::new(df).map_or(f64::NAN, |d| d.sf_checked(stat)),
                "Likelihood-ratio test of nested logistic models (anova, test = \"LRT\")",
            )
        }
        _ => unreachable!("both models have the same family"),
    };
    Ok(TestResult {
        method: format!("{method}: '{reduced}' vs the full model"),
        statistic: stat,
        statistic_name: name.into(),
        df: Some(df),
        p_value: p,
        estimate: None,
        estimate_name: None,
        conf_low: None,
        conf_high: None,
        alternative: "two.sided".into(),
    })
}

/// With a robust or clustered covariance, the nested comparison is the Wald test of the coefficients the reduced
/// model drops, on the full model's covariance (`lmtest::waldtest(full, reduced, vcov = ...)`): anova's F and the
/// LR test assume independent rows with the model's variance.
fn robust_compare(
    full: &Design,
    fitted: &Fitted,
    rd: &Design,
    reduced: &str,
) -> Result<TestResult> {
    let names = |f: &Fitted| match f {
        Fitted::Linear(m) => m.names().to_vec(),
        Fitted::Logistic(m) => m.names().to_vec(),
    };
    let kept = names(fitted);
    if let Some(extra) = rd.names.iter().find(|n| !kept.contains(n)) {
        return Err(Error::Usage(format!(
            "{}: --compare '{reduced}' with a robust covariance tests the coefficients it drops (a Wald test), so \
             its terms must be terms of the full model; '{extra}' is not",
            full.source
        )));
    }
    let dropped: Vec<&str> = kept
        .iter()
        .filter(|n| !rd.names.contains(n))
        .map(String::as_str)
        .collect();
    let mut t = match fitted {
        Fitted::Linear(m) => m.wald(&dropped)?,
        Fitted::Logistic(m) => m.wald(&dropped)?,
    };
    t.method = format!(
        "Wald test of the {} coefficient(s) that '{reduced}' drops, on the full model's covariance \
         (lmtest::waldtest): '{reduced}' vs the full model",
        dropped.len()
    );
    Ok(t)
}

/// The JSON of a linear or logistic fit, with the comparison and profile intervals when asked for.
fn fit_json<'a>(
    a: &'a FitArgs,
    design: &'a Design,
    f: &'a Fitted,
    compare: Option<&'a TestResult>,
    profile_ci: Option<&'a [ProfileRow]>,
) -> FitJson<'a, &'static str, Glance> {
    let mut out = match f {
        Fitted::Linear(m) => FitJson::new((a, design), "gaussian", m.glance(), m.tidy()),
        Fitted::Logistic(m) => FitJson::new((a, design), "binomial", m.glance(), m.tidy()),
    };
    out.compare = compare;
    out.profile_ci = profile_ci;
    if let Fitted::Logistic(m) = f {
        out.warnings = m.warnings().to_vec();
        out.odds_ratios = Some(m.odds_ratios());
        if let Some(pll) = m.penalised_log_lik() {
            out.method = Some("firth");
            out.penalised_log_lik = Some(pll);
            out.conf_int_method =
                Some("wald (inverse Fisher information at the penalised estimates)");
        }
    }
    out
}
