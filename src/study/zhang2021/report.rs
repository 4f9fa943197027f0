//! The report of a Zhang 2021 run: results.json, report.md, CSV tables, Figure 4, manifest.json.

use std::path::Path;

use serde_json::json;

use super::analysis::{ModelResult, COVARIANCE};
use super::{cohort_sizes, Run};
use crate::report::figures::{render_png, render_svg, Bar, ExpansionByScore, Panel};
use crate::report::{csv, markdown_table, num, r, OutputFile};
use crate::study::published::{self, fmt_p, Published};
use crate::Result;

/// calcscore's version and the git revision it was built from.
pub fn version() -> String {
    format!(
        "{} (git {})",
        env!("CARGO_PKG_VERSION"),
        option_env!("CALCSCORE_GIT_REV").unwrap_or("unknown")
    )
}

/// Missing-data policy, stated in every report.
pub const MISSING_POLICY: &str =
    "complete case: a cohort lesion without stent expansion or a score item is left out of \
     every analysis and listed in exclusions.csv with the column that was missing";

/// Every output file of a run.
pub fn report_files(run: &Run) -> Result<Vec<OutputFile>> {
    let checks = published::check(&Published::builtin("zhang2021")?, &run.quantities);
    let fig = figure4(run);
    let mut files: Vec<OutputFile> = vec![
        ("results.json".into(), results_json(run).into_bytes()),
        ("report.md".into(), report_md(run, &checks).into_bytes()),
        ("manifest.json".into(), manifest(run).into_bytes()),
        (
            "figure4_expansion_by_score.svg".into(),
            render_svg(&fig)?.into_bytes(),
        ),
        ("figure4_expansion_by_score.png".into(), render_png(&fig)?),
    ];
    files.extend(tables(run, &checks));
    Ok(files)
}

fn figure4(run: &Run) -> ExpansionByScore {
    let sizes = cohort_sizes(&run.set);
    let panels = sizes
        .iter()
        .map(|c| Panel {
            title: format!("{}. {} (n = {})", c.cohort, c.label, c.n_lesions),
            bars: run
                .analysis
                .by_score
                .iter()
                .filter(|l| l.cohort == c.cohort)
                .map(|l| Bar {
                    score: l.score,
                    n: l.n,
                    mean: l.mean,
                    sd: l.sd,
                })
                .collect(),
        })
        .collect();
    ExpansionByScore {
        panels,
        threshold: super::pipeline::UNDEREXPANSION_PCT,
        score_label: "IVUS calcium score".into(),
    }
}

fn results_json(run: &Run) -> String {
    let v = json!({
        "study": "zhang2021",
        "calcscore_version": version(),
        "data_notice": run.notice,
        "options": run.options,
        "covariance": COVARIANCE,
        "missing_data_policy": MISSING_POLICY,
        "missing_values": run.set.missing,
        "flow": {
            "n_input": run.flow.n_input,
            "n_input_patients": run.n_input_patients,
            "stages": run.flow.stages,
            "n_excluded_by_rules": run.flow.exclusions.len(),
            "n_excluded_missing_data": run.set.exclusions.len(),
            "n_analysed": run.set.cohorts.len(),
            "reconciles": reconciles(run),
        },
        "cohorts": cohort_sizes(&run.set),
        "score": run.score,
        "analysis": run.analysis,
        "quantities": run.quantities,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// analysed + excluded (rules and missing data) = input, with no lesion counted twice.
pub fn reconciles(run: &Run) -> bool {
    let excluded = run.flow.exclusions.len() + run.set.exclusions.len();
    run.flow.reconciles() && run.set.cohorts.len() + excluded == run.flow.n_input
}

fn manifest(run: &Run) -> String {
    let v = json!({
        "calcscore_version": env!("CARGO_PKG_VERSION"),
        "git_revision": option_env!("CALCSCORE_GIT_REV").unwrap_or("unknown"),
        "study": "zhang2021",
        "input": run.notice.input,
        "input_sha256": run.notice.sha256,
        "synthetic_data": run.notice.synthetic,
        "seed": run.options.seed,
        "options": run.options,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

fn tables(run: &Run, checks: &[published::CheckRow]) -> Vec<OutputFile> {
    let t = |name: &str, header: &[&str], rows: Vec<Vec<String>>| {
        (name.to_string(), csv(header, &rows).into_bytes())
    };
    let a = &run.analysis;
    vec![
        t(
            "flow.csv",
            &[
                "stage",
                "rule",
                "reason",
                "n_in",
                "n_meeting",
                "n_excluded",
                "n_out",
            ],
            flow_rows(run),
        ),
        t(
            "exclusions.csv",
            &["lesion_id", "patient_id", "row", "rule", "reason"],
            exclusion_rows(run),
        ),
        t(
            "cohorts.csv",
            &["cohort", "label", "n_lesions", "n_patients"],
            cohort_sizes(&run.set)
                .iter()
                .map(|c| {
                    vec![
                        c.cohort.clone(),
                        c.label.clone(),
                        c.n_lesions.to_string(),
                        c.n_patients.to_string(),
                    ]
                })
                .collect(),
        ),
        t(
            "coefficients.csv",
            &[
                "model",
                "data",
                "family",
                "term",
                "estimate",
                "std_error",
                "statistic",
                "p_value",
                "conf_low",
                "conf_high",
            ],
            coefficient_rows(run),
        ),
        t(
            "points.csv",
            &[
                "item",
                "column",
                "coefficient",
                "ratio",
                "points",
                "published_points",
                "log_odds_ratio",
            ],
            a.points
                .iter()
                .map(|p| {
                    vec![
                        p.item.clone(),
                        p.column.clone(),
                        num(Some(p.coefficient)),
                        num(Some(p.ratio)),
                        p.points.to_string(),
                        p.published_points.to_string(),
                        num(p.log_odds_ratio),
                    ]
                })
                .collect(),
        ),
        t(
            "accuracy.csv",
            &[
                "measure",
                "estimate",
                "numerator",
                "denominator",
                "conf_low",
                "conf_high",
                "method",
            ],
            a.accuracy
                .iter()
                .flat_map(|acc| &acc.measures)
                .map(|m| {
                    vec![
                        m.measure.clone(),
                        num(Some(m.estimate)),
                        m.numerator.to_string(),
                        m.denominator.to_string(),
                        num(Some(m.conf_low)),
                        num(Some(m.conf_high)),
                        m.method.clone(),
                    ]
                })
                .collect(),
        ),
        t(
            "roc_coords.csv",
            &["threshold", "sensitivity", "specificity"],
            a.roc
                .iter()
                .flat_map(|roc| &roc.coords)
                .map(|c| vec![num(Some(c.0)), num(Some(c.1)), num(Some(c.2))])
                .collect(),
        ),
        t(
            "expansion_by_score.csv",
            &["cohort", "score", "n", "mean", "sd", "n_underexpansion"],
            a.by_score
                .iter()
                .map(|l| {
                    vec![
                        l.cohort.clone(),
                        l.score.to_string(),
                        l.n.to_string(),
                        num(l.mean),
                        num(l.sd),
                        l.n_underexpansion.to_string(),
                    ]
                })
                .collect(),
        ),
        t(
            "analysis_set.csv",
            &[
                "lesion_id",
                "patient_id",
                "cohort",
                "score",
                "stent_expansion_pct",
                "underexpansion",
            ],
            analysis_rows(run),
        ),
        t(
            "check.csv",
            &["quantity", "published", "reproduced", "tolerance", "result"],
            checks
                .iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.published.clone(),
                        c.reproduced.clone(),
                        c.tolerance.clone(),
                        crate::report::status_word(c.status).into(),
                    ]
                })
                .collect(),
        ),
    ]
}

fn analysis_rows(run: &Run) -> Vec<Vec<String>> {
    let t = &run.set.table;
    let text = |c: &str| t.text(c).unwrap_or_default();
    let (lesion, patient, cohort) = (text("lesion_id"), text("patient_id"), text("cohort"));
    let numbers = |c: &str| t.numeric(c).unwrap_or_default();
    let (score, expansion, under) = (
        numbers("score"),
        numbers("stent_expansion_pct"),
        numbers("underexpansion"),
    );
    (0..t.nrows())
        .map(|i| {
            let s = |v: &[Option<String>]| v[i].clone().unwrap_or_default();
            vec![
                s(&lesion),
                s(&patient),
                s(&cohort),
                num(score[i]),
                num(expansion[i]),
                num(under[i]),
            ]
        })
        .collect()
}

fn flow_rows(run: &Run) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &run.flow.stages {
        for rc in &s.rules {
            rows.push(vec![
                s.stage.to_string(),
                rc.rule.clone(),
                rc.reason.clone(),
                s.n_in.to_string(),
                rc.n_meeting.to_string(),
                rc.n_excluded.to_string(),
                s.n_out.to_string(),
            ]);
        }
    }
    rows
}

fn exclusion_rows(run: &Run) -> Vec<Vec<String>> {
    run.flow
        .exclusions
        .iter()
        .chain(&run.set.exclusions)
        .map(|e| {
            vec![
                e.lesion_id.clone(),
                e.patient_id.clone(),
                e.row.to_string(),
                e.rule.clone(),
                e.reason.clone(),
            ]
        })
        .collect()
}

fn models(run: &Run) -> Vec<(&'static str, &ModelResult)> {
    let a = &run.analysis;
    let mut m = Vec::new();
    if let Some(l) = &a.derivation_linear {
        m.push(("derivation_linear", l));
    }
    if let Some(l) = &a.derivation_logistic {
        m.push(("derivation_logistic", l));
    }
    if let Some(c) = &a.derivation_continuous {
        m.push(("derivation_continuous", c));
    }
    m.extend(a.slopes.iter().map(|s| ("slope", &s.model)));
    if let Some(i) = &a.interaction {
        m.push(("interaction", i));
    }
    m
}

fn coefficient_rows(run: &Run) -> Vec<Vec<String>> {
    models(run)
        .into_iter()
        .flat_map(|(name, m)| {
            m.coefficients.iter().map(move |c| {
                vec![
                    name.into(),
                    m.data.clone(),
                    m.family.clone(),
                    c.term.clone(),
                    num(Some(c.estimate)),
                    num(Some(c.std_error)),
                    num(Some(c.statistic)),
                    num(Some(c.p_value)),
                    num(Some(c.conf_low)),
                    num(Some(c.conf_high)),
                ]
            })
        })
        .collect()
}

fn ci(est: f64, lo: f64, hi: f64, d: usize) -> String {
    format!("{} [{}, {}]", r(est, d), r(lo, d), r(hi, d))
}

fn coef_table(m: &ModelResult, exp: bool) -> String {
    let head = if exp {
        ["term", "odds ratio [95% CI]", "log OR (SE)", "z", "P"]
    } else {
        ["term", "estimate [95% CI]", "SE", "t", "P"]
    };
    let rows: Vec<Vec<String>> = m
        .coefficients
        .iter()
        .map(|c| {
            let est = if exp {
                ci(c.estimate.exp(), c.conf_low.exp(), c.conf_high.exp(), 2)
            } else {
                ci(c.estimate, c.conf_low, c.conf_high, 2)
            };
            let se = if exp {
                format!("{} ({})", r(c.estimate, 3), r(c.std_error, 3))
            } else {
                r(c.std_error, 3)
            };
            vec![
                format!("`{}`", c.term),
                est,
                se,
                r(c.statistic, 2),
                fmt_p(c.p_value),
            ]
        })
        .collect();
    format!(
        "`{}` in {} (n = {} lesions, {} patients)\n\n{}",
        m.formula,
        m.data,
        m.n,
        m.n_clusters,
        markdown_table(&head, &rows)
    )
}

fn report_md(run: &Run, checks: &[published::CheckRow]) -> String {
    let mut md = String::from("# Reproduction of Zhang et al. 2021: IVUS calcium score\n\n");
    md.push_str(&notice_md(run));
    md.push_str(&flow_md(run));
    md.push_str(&super::pipeline::missing_md(&run.set.missing));
    md.push_str(&derivation_md(run));
    md.push_str(&validation_md(run));
    md.push_str(&check_md(checks));
    md.push_str(&footer_md(run));
    md
}

fn notice_md(run: &Run) -> String {
    let n = &run.notice;
    let head = if n.synthetic {
        "> **SYNTHETIC DATA.**"
    } else {
        "> **Data:**"
    };
    format!(
        "{head} {}\n>\n> Input: `{}` (SHA-256 `{}`).\n\nZhang M, Matsumura M, Usui E, et al. Intravascular ultrasound-derived calcium score to predict stent expansion in severely calcified lesions. *Circ Cardiovasc Interv* 2021;14:e010296.\n\n",
        n.text.trim_start_matches("SYNTHETIC DATA. "),
        n.input,
        n.sha256
    )
}

fn flow_md(run: &Run) -> String {
    let f = &run.flow;
    let mut rows = Vec::new();
    for s in &f.stages {
        for (k, rc) in s.rules.iter().enumerate() {
            let entering = if k == 0 {
                s.n_in.to_string()
            } else {
                String::new()
            };
            let last = k + 1 == s.rules.len();
            let remaining = if last {
                s.n_out.to_string()
            } else {
                String::new()
            };
            rows.push(vec![
                s.stage.to_string(),
                rc.reason.clone(),
                entering,
                rc.n_meeting.to_string(),
                rc.n_excluded.to_string(),
                remaining,
            ]);
        }
    }
    let overlap = f.stages.first().map_or(0, |s| s.n_overlap);
    let excluded = f.exclusions.len() + run.set.exclusions.len();
    let sizes = cohort_sizes(&run.set);
    let cohort_rows: Vec<Vec<String>> = sizes
        .iter()
        .map(|c| {
            vec![
                c.cohort.clone(),
                c.label.clone(),
                c.n_lesions.to_string(),
                c.n_patients.to_string(),
            ]
        })
        .collect();
    format!(
        "## 1. Study flow\n\n{} lesions of {} patients. \"Meeting\" counts every lesion entering the stage that meets the rule \
         (overlapping, as the paper's Figure 1 reports; {overlap} lesions met two stage-1 rules); \"excluded\" counts each lesion once, \
         under its first rule.\n\n{}\nReconciliation: analysed {} + excluded {} (rules {}, missing data {}) = {} = input {}: **{}**. \
         Every excluded lesion is listed in `exclusions.csv` with its rule.\n\n### Cohorts\n\nA/B: seeded random 1:1 split (seed {}, by {}) \
         of lesions with angiographic calcium and no atherectomy.\n\n{}\n",
        f.n_input,
        run.n_input_patients,
        markdown_table(&["stage", "rule", "entering", "meeting", "excluded", "remaining"], &rows),
        run.set.cohorts.len(),
        excluded,
        f.exclusions.len(),
        run.set.exclusions.len(),
        run.set.cohorts.len() + excluded,
        f.n_input,
        if reconciles(run) { "reconciles" } else { "DOES NOT RECONCILE" },
        run.options.seed,
        serde_json::to_value(run.options.split).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
        markdown_table(&["cohort", "", "lesions", "patients"], &cohort_rows)
    )
}

fn derivation_md(run: &Run) -> String {
    let a = &run.analysis;
    let pts: Vec<Vec<String>> = a
        .points
        .iter()
        .map(|p| {
            vec![
                p.item.clone(),
                r(p.coefficient, 2),
                r(p.ratio, 2),
                p.points.to_string(),
                p.published_points.to_string(),
            ]
        })
        .collect();
    let logistic = match &a.derivation_logistic {
        Some(m) => coef_table(m, true),
        None => "not estimable (see the notes below).\n".into(),
    };
    let mut md = format!(
        "## 2. Derivation (cohort A)\n\nStent expansion (%) on the four dichotomised items, linear model; covariance: {COVARIANCE}.\n\n{}\n\
         Underexpansion (<70%) on the same items, logistic model:\n\n{logistic}\n",
        a.derivation_linear
            .as_ref()
            .map_or("not estimable (see the notes below).\n".into(), |m| coef_table(m, false)),
    );
    if let Some(c) = &a.derivation_continuous {
        md.push_str(&format!(
            "The candidates before dichotomising:\n\n{}\n",
            coef_table(c, false)
        ));
    }
    md.push_str(&format!(
        "### Points\n\nPoints = coefficient ÷ the smallest absolute item coefficient, rounded.\n\n{}\n",
        markdown_table(&["item", "coefficient (% expansion)", "ratio", "derived points", "published points"], &pts)
    ));
    md
}

fn validation_md(run: &Run) -> String {
    let a = &run.analysis;
    let slopes: Vec<Vec<String>> = a
        .slopes
        .iter()
        .map(|s| {
            vec![
                s.cohort.clone(),
                s.model.n.to_string(),
                ci(s.slope.estimate, s.slope.conf_low, s.slope.conf_high, 2),
                fmt_p(s.slope.p_value),
            ]
        })
        .collect();
    let by: Vec<Vec<String>> = a
        .by_score
        .iter()
        .map(|l| {
            vec![
                l.cohort.clone(),
                l.score.to_string(),
                l.n.to_string(),
                l.mean.map_or("–".into(), |m| r(m, 1)),
                l.sd.map_or("–".into(), |s| r(s, 1)),
                l.n_underexpansion.to_string(),
            ]
        })
        .collect();
    let interaction = a
        .interaction_term
        .as_ref()
        .map_or(NOT_ESTIMABLE.into(), |t| {
            format!(
                "{} %/point [{}, {}], P = {}",
                r(t.estimate, 2),
                r(t.conf_low, 2),
                r(t.conf_high, 2),
                fmt_p(t.p_value)
            )
        });
    format!(
        "## 3. Score performance and validation\n\n### ROC of the score for underexpansion (A+B)\n\n{}\n\n### Accuracy (A+B), Clopper-Pearson CIs\n\n{}\n\
         ### Stent expansion on score, per cohort\n\n{}\nInteraction score × atherectomy (B vs C): {interaction}.\n\n\
         ![Figure 4: stent expansion by score in each cohort](figure4_expansion_by_score.svg)\n\n*Figure 4.* Stent expansion (mean ± SD) by IVUS calcium score in each cohort; n under each bar; dashed line: 70%.\n\n{}\n\
         ### Calcium fracture after PCI\n\n{}\n\n\
         ### Other published quantities\n\n- D: underexpansion {}/{} ({}%); lesions with score {}: {}.\n- Calcified nodule among analysed lesions: {}/{} ({}%).\n\
         - Pre-stent IVUS after preparation: {} lesions, {} with calcium fracture; their final expansion {}.\n\n{}",
        roc_md(run),
        accuracy_md(run),
        markdown_table(&["cohort", "lesions", "slope, % per point [95% CI]", "P"], &slopes),
        markdown_table(&["cohort", "score", "n", "mean %", "SD", "<70%"], &by),
        fracture_md(run),
        a.d_underexpansion.x, a.d_underexpansion.n, r(100.0 * a.d_underexpansion.estimate, 1), run.score.max_points(), a.d_max_score_n,
        a.nodule.x, a.nodule.n, r(100.0 * a.nodule.estimate, 1),
        a.prep.n, a.prep.n_fracture,
        a.prep.expansion_mean.as_ref().and_then(|m| m.estimate).map_or("–".into(), |m| format!("{} ± {}%", r(m, 1), r(a.prep.expansion_sd.unwrap_or(f64::NAN), 1))),
        not_estimable_md(run),
    )
}

/// What the report says for an analysis the data did not allow.
const NOT_ESTIMABLE: &str = "not estimable (see \"Not estimable\" below)";

/// Every analysis that could not be done, and why (the notes), as the last part of section 3.
fn not_estimable_md(run: &Run) -> String {
    if run.analysis.notes.is_empty() {
        return String::new();
    }
    let items: String = run
        .analysis
        .notes
        .iter()
        .map(|n| format!("- {n}\n"))
        .collect();
    format!("### Not estimable, or estimable with a caveat\n\n{items}\n")
}

fn roc_md(run: &Run) -> String {
    let Some(roc) = &run.analysis.roc else {
        return format!("The ROC analysis is {NOT_ESTIMABLE}.");
    };
    format!(
        "{} lesions, {} with underexpansion. AUC {} (DeLong {}% CI {}–{}; clustered by patient, Obuchowski: {}, {} patients). \
         Youden-optimal threshold {} → score ≥{} (sensitivity {}, specificity {}).",
        roc.n, roc.n_cases, r(roc.auc, 3), pct_level(run), r(roc.conf_low, 3), r(roc.conf_high, 3),
        match (roc.clustered_conf_low, roc.clustered_conf_high) {
            (Some(l), Some(h)) => format!("{}–{}", r(l, 3), r(h, 3)),
            _ => "not estimable".into(),
        },
        roc.n_clusters, r(roc.youden_threshold, 2), roc.youden_cutoff, r(roc.youden_sensitivity, 3), r(roc.youden_specificity, 3),
    )
}

fn accuracy_md(run: &Run) -> String {
    let Some(acc) = &run.analysis.accuracy else {
        return format!("Accuracy is {NOT_ESTIMABLE}.\n");
    };
    let rows: Vec<Vec<String>> = acc
        .measures
        .iter()
        .map(|m| {
            vec![
                m.measure.clone(),
                ci(m.estimate, m.conf_low, m.conf_high, 3),
                format!("{}/{}", m.numerator, m.denominator),
            ]
        })
        .collect();
    format!(
        "Score ≥{}: TP {}, FP {}, FN {}, TN {}.\n\n{}",
        acc.cutoff,
        acc.tp,
        acc.fp,
        acc.fn_,
        acc.tn,
        markdown_table(&["measure", "estimate [95% CI]", "n"], &rows)
    )
}

fn fracture_md(run: &Run) -> String {
    let Some(fr) = &run.analysis.fracture else {
        return format!("The fracture comparison is {NOT_ESTIMABLE}.");
    };
    format!(
        "C: {}/{} ({}%, {}); B: {}/{} ({}%, {}). Chi-square with Yates' correction P = {}; without P = {}; Fisher's exact P = {}.",
        fr.atherectomy.x, fr.atherectomy.n, r(100.0 * fr.atherectomy.estimate, 1), ci_pct(fr.atherectomy.conf_low, fr.atherectomy.conf_high),
        fr.validation.x, fr.validation.n, r(100.0 * fr.validation.estimate, 1), ci_pct(fr.validation.conf_low, fr.validation.conf_high),
        fmt_p(fr.chisq_yates.p_value), fmt_p(fr.chisq.p_value), fmt_p(fr.fisher.p_value),
    )
}

fn pct_level(run: &Run) -> String {
    r(100.0 * run.options.conf_level, 0)
}

fn ci_pct(lo: f64, hi: f64) -> String {
    format!("95% CI {}–{}%", r(100.0 * lo, 1), r(100.0 * hi, 1))
}

fn check_md(checks: &[published::CheckRow]) -> String {
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.published.clone(),
                c.reproduced.clone(),
                c.tolerance.clone(),
                crate::report::status_word(c.status).into(),
            ]
        })
        .collect();
    let verdict = if published::all_pass(checks) {
        "all checked quantities pass"
    } else {
        "SOME QUANTITIES FAIL"
    };
    format!(
        "## 4. Published numbers\n\nEach number of the paper (`datasets/published/zhang2021.toml`, with its source and why its tolerance) \
         against this run: {verdict}. Quantities the paper does not give are listed as not checked.\n\n{}\n",
        markdown_table(&["quantity", "published", "reproduced", "tolerance", "result"], &rows)
    )
}

fn footer_md(run: &Run) -> String {
    format!(
        "---\n\ncalcscore {} · input SHA-256 `{}` · split seed {} · stent expansion: {} · {}% intervals · missing data: {MISSING_POLICY}.\n",
        version(),
        run.notice.sha256,
        run.options.seed,
        run.options.expansion.describe(),
        pct_level(run)
    )
}

/// The short summary printed by `reproduce`.
pub fn summary(run: &Run, out: &Path) -> String {
    let a = &run.analysis;
    let slope = |c: &str| {
        a.slopes
            .iter()
            .find(|s| s.cohort == c)
            .map_or("–".into(), |s| {
                format!(
                    "{} [{}, {}] %/point",
                    r(s.slope.estimate, 2),
                    r(s.slope.conf_low, 2),
                    r(s.slope.conf_high, 2)
                )
            })
    };
    let npv = a
        .accuracy
        .iter()
        .flat_map(|acc| &acc.measures)
        .find(|m| m.measure == "npv")
        .map_or("–".into(), |m| ci(m.estimate, m.conf_low, m.conf_high, 3));
    let sizes: Vec<String> = cohort_sizes(&run.set)
        .iter()
        .map(|c| format!("{} {}", c.cohort, c.n_lesions))
        .collect();
    let points: Vec<String> = a.points.iter().map(|p| p.points.to_string()).collect();
    let mut s = String::new();
    if run.notice.synthetic {
        s.push_str("SYNTHETIC DATA: results from a simulated registry, not from patients.\n");
    }
    s.push_str(&format!(
        "Zhang 2021 IVUS calcium score: {} lesions → {} studied ({}); reconciles: {}\n\
         derived points {} (published 1/1/1/1); Youden cutoff ≥{}; NPV at ≥{}: {}\n\
         slope B {}; C {}; interaction P = {}\nfracture C {}% vs B {}% (P = {})\n{}wrote {}\n",
        run.flow.n_input,
        run.set.cohorts.len(),
        sizes.join(", "),
        if reconciles(run) { "yes" } else { "NO" },
        points.join("/"),
        a.roc.as_ref().map_or("–".into(), |x| x.youden_cutoff.to_string()),
        run.score.cutoff,
        npv,
        slope("B"),
        slope("C"),
        a.interaction_term.as_ref().map_or("–".into(), |t| fmt_p(t.p_value)),
        a.fracture.as_ref().map_or("–".into(), |f| r(100.0 * f.atherectomy.estimate, 1)),
        a.fracture.as_ref().map_or("–".into(), |f| r(100.0 * f.validation.estimate, 1)),
        a.fracture.as_ref().map_or("–".into(), |f| fmt_p(f.chisq_yates.p_value)),
        match a.notes.len() {
            0 => String::new(),
            n => format!("{n} note(s) on analyses not estimable or with a caveat: see report.md, section 3\n"),
        },
        out.display()
    ));
    s
}
