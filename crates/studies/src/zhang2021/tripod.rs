//! The TRIPOD+AI section of a Zhang 2021 report: the checklist items (TRIPOD+AI 2024, Collins et al., BMJ
//! 2024;385:e078378) that the run answers, filled from results.json, and the items only the authors can answer.

use super::report::Results;
use calcscore_report::r;
use calcscore_stats::samplesize::adequacy::adequacy;

/// Item 10: events, EPP and Riley's criteria at the apparent R² of A's logistic model of underexpansion.
fn sample_size(res: &Results) -> String {
    let a = &res.analysis;
    let events: usize = a
        .by_score
        .iter()
        .filter(|l| l.cohort == "A")
        .map(|l| l.n_underexpansion)
        .sum();
    let Some(m) = &a.derivation_logistic else {
        return format!("{events} underexpanded lesions in A; the logistic model was not estimable, so Riley's criteria are not evaluated.");
    };
    let p = m.coefficients.len().saturating_sub(1) as u64;
    let Some(r2) = m.r2_cox_snell() else {
        return "the logistic model has no deviance to evaluate Riley's criteria.".into();
    };
    match adequacy(events as u64, m.n as u64, p, r2) {
        Ok(ad) => {
            let crit = match (ad.required, ad.meets) {
                (Some(req), Some(meets)) => format!(
                    "minimum n by Riley's criteria (pmsampsize's, at the adjusted R²_CS {} and S = 0.9): {} (shrinkage), {} \
                     (optimism in R²_Nagelkerke ≤ 0.05), {} (overall risk ± 0.05): {}",
                    r(ad.r2_cs_adjusted, 3),
                    req[0],
                    req[1],
                    req[2],
                    if meets.iter().all(|&x| x) { "all met" } else { "not all met" }
                ),
                _ => "the adjusted R²_CS is ≤ 0 (the model is expected to be noise at this n): Riley's criteria cannot be met".into(),
            };
            format!(
                "derivation cohort A: {} lesions, {} with underexpansion (prevalence {}), {} parameters in the logistic model: \
                 {} events per parameter; apparent Cox–Snell R² {} and heuristic shrinkage {}; {crit}. Lesions are clustered in \
                 patients, so the effective size is smaller (see `calcscore samplesize --lesions-per-patient --icc`).",
                ad.n,
                ad.events,
                r(ad.prevalence, 3),
                ad.parameters,
                r(ad.epp, 1),
                r(ad.r2_cs_apparent, 3),
                r(ad.expected_shrinkage, 3)
            )
        }
        Err(e) => {
            format!("{events} underexpanded lesions in A; Riley's criteria not evaluated: {e}.")
        }
    }
}

/// Item 23a: performance with CIs (AUC, calibration, overall) in B alone.
fn performance(res: &Results) -> String {
    let Some(b) = &res.analysis.b_only else {
        return "not estimable (no validation cohort B).".into();
    };
    let auc = b.auc.as_ref().map_or("AUC not estimable".into(), |a| {
        format!(
            "AUC {} [{}, {}] (DeLong)",
            r(a.estimate, 3),
            r(a.conf_low, 3),
            r(a.conf_high, 3)
        )
    });
    let cal = b.calibration.as_ref().map_or(String::new(), |c| {
        let iv = |i: &Option<calcscore_score::derive::Interval>| {
            i.as_ref().map_or("not estimable".into(), |i| {
                format!(
                    "{} [{}, {}]",
                    r(i.estimate, 2),
                    r(i.conf_low, 2),
                    r(i.conf_high, 2)
                )
            })
        };
        let vp = c.val_prob.as_ref().map_or(String::new(), |v| {
            format!(
                "; Brier {}, scaled Brier {}, ICI {}, E90 {}",
                r(v.brier, 3),
                r(v.scaled_brier, 3),
                r(v.ici, 3),
                r(v.e90, 3)
            )
        });
        format!(
            "; calibration-in-the-large {}, slope {}{vp}",
            iv(&c.intercept),
            iv(&c.slope)
        )
    });
    format!(
        "in B alone ({} lesions, {} events): {auc}{cal} (Section 3, Figures S4–S5).",
        b.n, b.n_cases
    )
}

/// The TRIPOD+AI section in Markdown.
pub(crate) fn tripod_doc(res: &Results, imputed: Option<&str>) -> calcscore_report::Doc {
    let a = &res.analysis;
    let missing: Vec<String> = res
        .missing_values
        .iter()
        .filter(|m| m.n_missing_cohorts > 0 && m.policy != super::pipeline::NOT_USED)
        .map(|m| format!("{} {}", m.column, m.n_missing_cohorts))
        .collect();
    let missing = if missing.is_empty() {
        "none".to_string()
    } else {
        missing.join(", ")
    };
    let items: Vec<(&str, &str, String)> = vec![
        ("8a", "Outcome", "underexpansion = stent expansion < 70% (final minimum stent area ÷ reference lumen area, formula in Section 1); the continuous expansion (%) gives the points.".into()),
        ("9a", "Predictors", format!("the {} dichotomised IVUS items of the score (points table, Section 2).", res.score.items.len())),
        ("10", "Sample size", sample_size(res)),
        ("11", "Missing data", format!("complete-case analysis{}: a lesion missing the outcome or a score item is excluded (counted in the flow); missing values among the lesions entering the cohorts, in the columns the analysis reads: {missing} (per column in Section 1).", imputed.map_or(", no imputation".to_string(), |i| format!("; {i}")))),
        ("12a", "Data use", "development in cohort A, evaluation in cohort B (random A/B split of the same registry, see the overlap note), C and D as further groups; no whole-procedure internal validation in this report.".into()),
        ("12b", "Predictor handling", "items dichotomised at the published thresholds; points = linear-model coefficient ÷ smallest absolute coefficient, rounded.".into()),
        ("12c", "Model type", format!("linear model of expansion (points) and logistic model of underexpansion on the items and on the score (risk model), covariance {}.", a.derivation_logistic.as_ref().map_or("–", |m| m.covariance.as_str()))),
        ("12e", "Performance measures", "discrimination (AUC with DeLong CI), calibration (in-the-large, slope, Brier, flexible lowess curve with ICI/E50/E90/Emax as rms::val.prob), accuracy at the cutoff (Clopper-Pearson CIs), clinical utility (decision curve, dcurves' conventions).".into()),
        ("12g", "Predictions in evaluation", "risk = expit(intercept + slope × points) from the logistic model of underexpansion on the score fitted in A, applied unchanged in B.".into()),
        ("20a", "Flow", "Figure 1 and the flow table (Section 1).".into()),
        ("20b", "Characteristics", "Table 1 (Section 1), by cohort.".into()),
        ("21", "Numbers per analysis", format!("{}; every model states its n and clusters.", res.cohorts.iter().map(|c| format!("{} {} lesions in {} patients", c.cohort, c.n_lesions, c.n_patients)).collect::<Vec<_>>().join(", "))),
        ("22", "Model specification", format!("the full score (points table, cutoff ≥{}) and its risk model (calibration paragraph, Section 3).", res.score.cutoff)),
        ("23a", "Performance with CIs", performance(res)),
        ("23a", "Clinical utility", res.analysis.b_only.as_ref().and_then(|b| b.decision.as_ref()).map_or("decision curve not estimable.".into(), |d| format!("decision curve in B (Figure S5): net benefit of the risk model and of score ≥{} against treat-all and treat-none, prevalence {}.", d.cutoff, r(d.prevalence, 3)))),
    ];
    let table = calcscore_report::Table::new(&["item", "topic", "from this run"]).rows(
        items
            .into_iter()
            .map(|(no, topic, text)| vec![no.to_string(), topic.to_string(), text]),
    );
    calcscore_report::Doc::of(
        "## TRIPOD+AI\n\nItems of the TRIPOD+AI 2024 checklist (Collins et al., BMJ 2024;385:e078378) this run answers, filled from its \
         results:\n\n",
    )
    .table(table)
    .prose(
        "\nOnly the authors can answer: title and abstract (1, 2), background and objectives (3, 4), data source, dates, setting and \
         eligibility (5, 6), data preparation and outcome assessment blinding (7, 8b–c, 9b–c), class imbalance and fairness (13, 14), \
         model output and differences between development and evaluation settings (15, 16), ethics, funding, conflicts, protocol and \
         registration, data and code availability (17, 18), patient and public involvement (19), heterogeneity across centres and \
         subgroups (12d, 23b), model updating (12f, 24), interpretation, limitations and usability (25–27).\n\n",
    )
}
