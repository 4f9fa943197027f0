//! TRIPOD+AI items (Collins et al., BMJ 2024;385:e078378) that a `derive` or `validate` run answers, as text
//! (`--tripod`), with the items only the authors can answer listed as such.

use super::derive::{Derivation, DeriveOptions, PointsRow};
use super::impute::ImputedDerivation;
use super::impute_boot::BootMi;
use super::validate::{GroupValidation, ValidateOptions, Validation};
use super::validate_impute::{ImputedValidation, PooledGroup};
use calcscore_stats::mice::Imputation;
use calcscore_stats::samplesize::adequacy::adequacy;
use calcscore_stats::samplesize::validate::{
    validate_binary, LpDistribution, LpMethod, ValidationInputs,
};

/// Items only the authors can answer (TRIPOD+AI 2024 numbers).
const AUTHORS_ONLY: &str = "Only the authors can answer: title and abstract (1, 2), background and objectives (3, 4), data \
source, dates, setting and eligibility (5, 6), data preparation and blinding (7, 8b–c, 9b–c), class imbalance and \
fairness (13, 14), model output and setting differences (15, 16), ethics, funding, conflicts, protocol, registration, data \
and code availability (17, 18), patient and public involvement (19), heterogeneity across centres (12d, 23b), model \
updating (12f, 24), interpretation, limitations and usability (25–27).\n";

fn line(item: &str, topic: &str, text: &str) -> String {
    format!("  {item:<4} {topic}: {text}\n")
}

/// Item 10 for a derivation: events, EPP and Riley's criteria at the logistic model's apparent R²_CS.
fn sample_size(d: &Derivation) -> String {
    let parameters = d.score.items.len() as u64;
    let base = format!(
        "{} rows, {} events, {} parameters: {:.1} events per parameter",
        d.n,
        d.n_events,
        parameters,
        d.n_events as f64 / parameters.max(1) as f64
    );
    let Some(r2) = d.logistic.as_ref().and_then(|m| m.r2_cox_snell) else {
        return format!("{base}; Riley's criteria need the maximum-likelihood logistic model's R² (not available)");
    };
    match adequacy(d.n_events as u64, d.n as u64, parameters, r2) {
        Ok(a) => match (a.required, a.meets) {
            (Some(req), Some(meets)) => format!(
                "{base}; apparent R²_CS {:.3}, heuristic shrinkage {:.3}; Riley's minimum n (adjusted R²_CS {:.3}, S = 0.9): \
                 {} / {} / {} (shrinkage / R² optimism / overall risk): {}",
                a.r2_cs_apparent,
                a.expected_shrinkage,
                a.r2_cs_adjusted,
                req[0],
                req[1],
                req[2],
                if meets.iter().all(|&m| m) { "all met" } else { "NOT all met" }
            ),
            _ => format!("{base}; apparent R²_CS {r2:.3}: the adjusted R²_CS is ≤ 0, Riley's criteria cannot be met"),
        },
        Err(e) => format!("{base}; Riley's criteria not evaluated: {e}"),
    }
}

/// Item 9a: each item with its points.
fn predictors(points: &[PointsRow]) -> String {
    let items: Vec<String> = points
        .iter()
        .map(|p| format!("{} ({} pt)", p.label, p.points))
        .collect();
    items.join(", ")
}

/// The covariance of the derivation's models, in words.
fn covariance(d: &Derivation) -> &str {
    d.logistic
        .as_ref()
        .or(d.linear.as_ref())
        .map_or("–", |m| m.covariance.as_str())
}

/// How the logistic model was fitted, when not by maximum likelihood.
fn firth_note(opts: &DeriveOptions) -> &'static str {
    if opts.firth {
        " (logistic by Firth's penalised likelihood)"
    } else {
        ""
    }
}

/// The TRIPOD+AI items a derivation answers.
pub fn derive_text(d: &Derivation, opts: &DeriveOptions) -> String {
    let model = d.score.model.as_ref().map_or("none".into(), |m| {
        format!("logit P = {:.4} + {:.4} × points", m.intercept, m.slope)
    });
    let cov = covariance(d);
    let mut s = String::from("\nTRIPOD+AI (2024) items this run answers:\n");
    s.push_str(&line("8a", "Outcome", &opts.binary.describe()));
    s.push_str(&line("9a", "Predictors", &predictors(&d.points)));
    s.push_str(&line("10", "Sample size", &sample_size(d)));
    s.push_str(&line(
        "11",
        "Missing data",
        &format!(
            "complete-case analysis, no imputation; {}",
            d.rows.describe()
        ),
    ));
    s.push_str(&line(
        "12b",
        "Predictor handling",
        &format!(
            "points from the {}, coefficient ÷ reference, rounded",
            d.points_from
        ),
    ));
    s.push_str(&line("12c", "Model type", &format!("linear and logistic models{}; covariance {cov}; no whole-procedure internal validation in this run", firth_note(opts))));
    s.push_str(&line(
        "21",
        "Numbers",
        &format!(
            "{} rows, {} events{}",
            d.n,
            d.n_events,
            d.n_clusters
                .map_or(String::new(), |g| format!(", {g} clusters"))
        ),
    ));
    s.push_str(&line(
        "22",
        "Model specification",
        &format!(
            "the points above, cutoff ≥{}; risk model {model}",
            d.score.cutoff
        ),
    ));
    s.push_str(&line("23a", "Performance", &format!("AUC {:.3} [{:.3}, {:.3}] (DeLong), apparent (in the derivation rows): optimistic until validated", d.auc.estimate, d.auc.conf_low, d.auc.conf_high)));
    s.push_str(AUTHORS_ONLY);
    s
}

/// The TRIPOD+AI items a derivation under multiple imputation answers (`derive --impute --tripod`): the
/// pooled-points score, how the missing values were imputed, and the complete cases for the sample size.
pub fn derive_imputed_text(
    pooled: &ImputedDerivation,
    cc: &Derivation,
    imp: &Imputation,
    boot: Option<&BootMi>,
    opts: &DeriveOptions,
) -> String {
    let validation = boot.map_or("no whole-procedure internal validation in this run".into(), |b| {
        format!(
            "whole-procedure internal validation by boot-MI (Wahl et al. 2016): {} bootstrap replicates, each imputed m = {} times",
            b.replicates, b.m
        )
    });
    let corrected = boot.map_or(": optimistic until validated".into(), |b| {
        format!("; optimism-corrected by boot-MI {:.3}", b.auc_corrected)
    });
    let clusters = cc
        .n_clusters
        .map_or(String::new(), |g| format!(", {g} clusters"));
    let mut s = String::from("\nTRIPOD+AI (2024) items this run answers:\n");
    s.push_str(&line("8a", "Outcome", &opts.binary.describe()));
    s.push_str(&line("9a", "Predictors", &predictors(&pooled.points)));
    s.push_str(&line(
        "10",
        "Sample size",
        &format!(
            "{} rows in each completed table; in the complete cases: {}",
            pooled.n,
            sample_size(cc)
        ),
    ));
    let pooled_how = "coefficients pooled by Rubin's rules, the AUC on the logit scale; the complete-case derivation \
                      is reported beside";
    s.push_str(&line(
        "11",
        "Missing data",
        &missing_data_imputed(imp, pooled_how),
    ));
    s.push_str(&line(
        "12b",
        "Predictor handling",
        &format!(
            "points from the pooled coefficients of the {}, coefficient ÷ reference, rounded",
            pooled.points_from
        ),
    ));
    s.push_str(&line("12c", "Model type", &format!("linear and logistic models{} fitted on each of the {} completed tables and pooled by Rubin's rules; covariance {}; {validation}", firth_note(opts), imp.options.m, covariance(cc))));
    s.push_str(&line(
        "21",
        "Numbers",
        &format!(
            "{} rows in each completed table; complete cases: {} rows, {} events{clusters}",
            pooled.n, cc.n, cc.n_events
        ),
    ));
    s.push_str(&line(
        "22",
        "Model specification",
        &format!(
            "the points above, cutoff ≥{} ({}); no risk model",
            pooled.score.cutoff,
            match cc.not_estimable {
                None => "of the complete-case derivation",
                Some(_) => "Youden's over the completed tables stacked: the complete cases are not estimable",
            }
        ),
    ));
    s.push_str(&line("23a", "Performance", &format!("AUC {:.3} [{:.3}, {:.3}] (DeLong per completed table, pooled on the logit scale), apparent{corrected}", pooled.auc.estimate, pooled.auc.conf_low, pooled.auc.conf_high)));
    s.push_str(AUTHORS_ONLY);
    s
}

/// Item 11 under multiple imputation: method, m, iterations, seed, the imputation models, each imputed
/// column with its method and number of missing values, and how the results were pooled (`pooled_how`).
fn missing_data_imputed(imp: &Imputation, pooled_how: &str) -> String {
    let o = imp.options;
    let how = format!(
        "multiple imputation by chained equations (mice's defaults), m = {}, {} iterations, seed {}: predictive mean \
         matching (pmm, {} donors) for numeric columns, logistic regression (logreg) for binary ones; imputation \
         models: each of {} predicts from the others, the outcome among them",
        o.m,
        o.iterations,
        o.seed,
        calcscore_stats::mice::DONORS,
        imp.model_columns.join(", ")
    );
    if imp.columns.is_empty() {
        return format!(
            "{how}; no missing values in these columns (the m data sets equal the data)"
        );
    }
    let cols: Vec<String> = imp
        .columns
        .iter()
        .map(|c| format!("{} ({}) {}", c.column, c.method.name(), c.n_missing))
        .collect();
    format!(
        "{how}; imputed (column (method) missing values): {}; {} values in each data set; {pooled_how}",
        cols.join(", "),
        imp.n_imputed()
    )
}

/// The TRIPOD+AI items a validation pooled over multiply imputed tables answers (`validate --impute --tripod`).
pub fn validate_imputed_text(
    pooled: &ImputedValidation,
    cc: &Validation,
    imp: &Imputation,
    opts: &ValidateOptions,
) -> String {
    let mut s = String::from("\nTRIPOD+AI (2024) items this run answers:\n");
    s.push_str(&line("8a", "Outcome", &opts.binary.describe()));
    let sizes: Vec<String> = pooled
        .groups
        .iter()
        .map(|g| {
            format!(
                "{}: n {}, events {:.1} (mean over imputations)",
                g.group, g.n, g.n_events
            )
        })
        .collect();
    let cc_sizes: Vec<String> = cc.groups.iter().map(validation_size).collect();
    s.push_str(&line(
        "10",
        "Sample size",
        &format!(
            "{}; in the complete cases: {}",
            sizes.join("; "),
            cc_sizes.join("; ")
        ),
    ));
    let pooled_how = "performance pooled (Wood, Royston & White 2015): AUC and accuracy at the cutoff on the \
                      logit scale, calibration by Rubin's rules; the complete-case validation is reported beside";
    s.push_str(&line(
        "11",
        "Missing data",
        &missing_data_imputed(imp, pooled_how),
    ));
    s.push_str(&line("12e", "Performance measures", "per completed table: AUC (DeLong), sensitivity, specificity, PPV and NPV at the cutoff, calibration-in-the-large and slope (glm); pooled over the m tables"));
    s.push_str(&line(
        "12g",
        "Predictions",
        cc.calibration_model.as_deref().unwrap_or("no risk model"),
    ));
    for g in &pooled.groups {
        s.push_str(&pooled_group_line(g));
    }
    s.push_str(AUTHORS_ONLY);
    s
}

/// Item 23a for one pooled group: the pooled AUC and calibration.
fn pooled_group_line(g: &PooledGroup) -> String {
    let auc = g.auc.as_ref().map_or("AUC not estimable".into(), |a| {
        format!(
            "AUC {:.3} [{:.3}, {:.3}] (pooled)",
            a.estimate, a.conf_low, a.conf_high
        )
    });
    let f = |r: &Option<calcscore_stats::mice::PooledRow>| {
        r.as_ref().map_or("–".into(), |r| {
            format!("{:.2} [{:.2}, {:.2}]", r.estimate, r.conf_low, r.conf_high)
        })
    };
    line(
        "23a",
        &format!("Performance [{}]", g.group),
        &format!(
            "{auc}; calibration in-the-large {}, slope {} (pooled)",
            f(&g.calibration_intercept),
            f(&g.calibration_slope)
        ),
    )
}

/// The TRIPOD+AI items a validation answers.
pub fn validate_text(v: &Validation, opts: &ValidateOptions) -> String {
    let mut s = String::from("\nTRIPOD+AI (2024) items this run answers:\n");
    s.push_str(&line("8a", "Outcome", &opts.binary.describe()));
    let sizes: Vec<String> = v.groups.iter().map(validation_size).collect();
    s.push_str(&line(
        "10",
        "Sample size",
        &format!(
            "{}; Riley et al. 2021 criteria (pmvalsampsize defaults: O/E, slope and C CI widths 0.2, 0.2, 0.1; \
             LP ~ normal with the group's mean and SD of the risk model's log-odds; `calcscore samplesize validate`)",
            sizes.join("; ")
        ),
    ));
    s.push_str(&line(
        "11",
        "Missing data",
        &format!(
            "complete-case analysis, no imputation; {}",
            v.rows.describe()
        ),
    ));
    s.push_str(&line("12e", "Performance measures", "AUC (DeLong; clustered by Obuchowski), accuracy at the cutoff (Clopper-Pearson), calibration-in-the-large and slope (glm), Brier, scaled Brier, ICI/E50/E90/Emax (rms::val.prob, lowess iter = 0), decision curve (dcurves)"));
    s.push_str(&line(
        "12g",
        "Predictions",
        v.calibration_model.as_deref().unwrap_or("no risk model"),
    ));
    for g in &v.groups {
        s.push_str(&group_lines(g));
    }
    s.push_str(AUTHORS_ONLY);
    s
}

/// Item 23a for one group: discrimination and calibration, then net benefit at 0.1, 0.2 and 0.3.
fn group_lines(g: &GroupValidation) -> String {
    let mut s = String::new();
    let auc = g.auc.as_ref().map_or("AUC not estimable".into(), |a| {
        format!(
            "AUC {:.3} [{:.3}, {:.3}]",
            a.estimate, a.conf_low, a.conf_high
        )
    });
    let cal = g.calibration.as_ref().map_or(String::new(), |c| {
        let f = |i: &Option<super::derive::Interval>| {
            i.as_ref().map_or("–".into(), |i| {
                format!("{:.2} [{:.2}, {:.2}]", i.estimate, i.conf_low, i.conf_high)
            })
        };
        let vp = c.val_prob.as_ref().map_or(String::new(), |v| {
            format!(", Brier {:.3}, ICI {:.3}", v.brier, v.ici)
        });
        format!(
            "; calibration ({}) in-the-large {}, slope {}{vp}",
            c.kind,
            f(&c.intercept),
            f(&c.slope)
        )
    });
    s.push_str(&line(
        "23a",
        &format!("Performance [{}]", g.group),
        &format!("n {}, events {}: {auc}{cal}", g.n, g.n_events),
    ));
    if let Some(d) = &g.decision {
        let at: Vec<String> = d
            .rows
            .iter()
            .filter(|r| {
                [0.1, 0.2, 0.3]
                    .iter()
                    .any(|t| (r.threshold - t).abs() < 1e-9)
            })
            .map(|r| {
                format!(
                    "pt {:.1}: model {:.3}, score ≥{} {:.3}, all {:.3}",
                    r.threshold,
                    r.net_benefit_model,
                    d.cutoff,
                    r.net_benefit_cutoff,
                    r.net_benefit_all
                )
            })
            .collect();
        s.push_str(&line(
            "23a",
            &format!("Clinical utility [{}]", g.group),
            &format!(
                "net benefit {}",
                if at.is_empty() {
                    "over --thresholds (see above)".into()
                } else {
                    at.join("; ")
                }
            ),
        ));
    }
    s
}

/// A group's events and Riley et al.'s (2021) minimum validation size from its own prevalence, AUC and predictions.
fn validation_size(g: &GroupValidation) -> String {
    let head = format!("{}: n {}, events {}", g.group, g.n, g.n_events);
    let Some(auc) = g
        .auc
        .as_ref()
        .filter(|_| g.n_events > 0 && g.n_events < g.n)
    else {
        return format!("{head}, minimum not computable (no AUC)");
    };
    let lp: Vec<f64> = g
        .predicted
        .iter()
        .filter(|p| **p > 0.0 && **p < 1.0)
        .map(|p| (p / (1.0 - p)).ln())
        .collect();
    if lp.len() < 2 {
        return format!("{head}, minimum not computable (no risk predictions)");
    }
    let mean = lp.iter().sum::<f64>() / lp.len() as f64;
    let sd = (lp.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (lp.len() - 1) as f64).sqrt();
    let inputs = ValidationInputs {
        prevalence: g.n_events as f64 / g.n as f64,
        cstatistic: auc.estimate,
        oe: 1.0,
        oe_ci_width: 0.2,
        cslope: 1.0,
        cslope_ci_width: 0.2,
        cstat_ci_width: 0.1,
        lp: LpDistribution::Normal { mean, sd },
        lp_method: LpMethod::Exact,
        net_benefit: None,
    };
    match inputs.checked().and_then(validate_binary) {
        Ok(r) => format!(
            "{head}, minimum {} (criterion {}; LP mean {mean:.3}, SD {sd:.3}): {}",
            r.sample_size,
            r.binding_criterion,
            if g.n as u64 >= r.sample_size {
                "met"
            } else {
                "not met"
            }
        ),
        Err(e) => format!("{head}, minimum not computable ({e})"),
    }
}
