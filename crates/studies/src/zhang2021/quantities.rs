//! The named quantities of a run, as `datasets/published/zhang2021.toml` names them.

use super::analysis::Analysis;
use super::Run;
use crate::Quantity;

/// Every reproduced quantity with its CI and p where it has one.
pub fn quantities(run: &Run) -> Vec<Quantity> {
    let mut q = flow_quantities(run);
    q.extend(run.cohorts.iter().map(|c| {
        Quantity::value(
            format!("cohort.{}.n", c.cohort),
            c.n_lesions as f64,
            "lesions analysed in the cohort",
        )
    }));
    q.extend(analysis_quantities(run));
    q
}

fn flow_quantities(run: &Run) -> Vec<Quantity> {
    let f = &run.flow;
    let mut q = vec![
        Quantity::value(
            "flow.input_lesions",
            f.n_input as f64,
            "rows of the registry",
        ),
        Quantity::value(
            "flow.input_patients",
            run.n_input_patients as f64,
            "distinct patient_id",
        ),
    ];
    for stage in &f.stages {
        for r in &stage.rules {
            q.push(Quantity::value(
                format!("flow.meeting.{}", r.rule),
                r.n_meeting as f64,
                format!(
                    "lesions entering stage {} that meet the rule (overlapping)",
                    stage.stage
                ),
            ));
        }
    }
    if let Some(s1) = f.stages.first() {
        q.push(Quantity::value(
            "flow.stage1_overlap",
            s1.n_overlap as f64,
            "lesions meeting two or more stage-1 rules",
        ));
        q.push(Quantity::value(
            "flow.after_stage1",
            s1.n_out as f64,
            "lesions left after stage 1",
        ));
    }
    let studied = f.included.len();
    let ids = run.set.table.text("patient_id").unwrap_or_default();
    let patients = super::pipeline::count_patients(ids.iter().flatten());
    q.push(Quantity::value(
        "flow.studied_lesions",
        studied as f64,
        "lesions left after all rules",
    ));
    q.push(Quantity::value(
        "flow.studied_patients",
        patients as f64,
        "patients of the analysed lesions",
    ));
    let pct = if f.n_input == 0 {
        0.0
    } else {
        100.0 * studied as f64 / f.n_input as f64
    };
    q.push(Quantity::value(
        "flow.studied_pct",
        pct,
        "studied / input lesions × 100",
    ));
    q
}

fn analysis_quantities(run: &Run) -> Vec<Quantity> {
    let a = &run.analysis;
    let mut q = derivation_quantities(a);
    q.extend(slope_quantities(a));
    if let Some(fr) = &a.fracture {
        fracture_quantities(fr, &mut q);
    }
    if let Some(b) = &a.b_only {
        b_only_quantities(b, &mut q);
    }
    q.extend(count_quantities(a));
    q
}

/// Derived points, and the ROC and NPV of the published score in A+B. An analysis that was not estimable gives
/// no quantity: `check` then reports it ABSENT (see notes).
fn derivation_quantities(a: &Analysis) -> Vec<Quantity> {
    let mut q: Vec<Quantity> = a
        .points
        .iter()
        .map(|p| {
            Quantity::value(
                format!("points.{}", p.column),
                p.points as f64,
                format!(
                    "round(coefficient / smallest |coefficient|) = round({:.3})",
                    p.ratio
                ),
            )
        })
        .collect();
    if let Some(roc) = &a.roc {
        q.push(Quantity::value(
            "roc.youden_cutoff",
            roc.youden_cutoff as f64,
            "Youden-optimal threshold in A+B, rounded up",
        ));
        q.push(Quantity::with_ci(
            "roc.auc",
            roc.auc,
            (roc.conf_low, roc.conf_high),
            "AUC, DeLong CI",
        ));
    }
    let npv = a
        .accuracy
        .as_ref()
        .and_then(|acc| acc.measures.iter().find(|m| m.measure == "npv"));
    if let Some(m) = npv {
        q.push(Quantity::with_ci(
            "accuracy.npv",
            m.estimate,
            (m.conf_low, m.conf_high),
            "NPV at score ≥ cutoff in A+B, Clopper-Pearson CI",
        ));
    }
    q
}

/// The slope of expansion on the score per cohort (estimate and p) and the interaction term.
fn slope_quantities(a: &Analysis) -> Vec<Quantity> {
    let mut q = Vec::new();
    for s in &a.slopes {
        let name = format!("slope.{}", s.cohort);
        let method = "OLS of expansion on score, CR1 by patient";
        let ci = (s.slope.conf_low, s.slope.conf_high);
        q.push(Quantity::with_ci(&name, s.slope.estimate, ci, method).with_p(s.slope.p_value));
        q.push(
            Quantity::value(format!("{name}.p"), s.slope.p_value, method).with_p(s.slope.p_value),
        );
    }
    if let Some(t) = &a.interaction_term {
        q.push(
            Quantity::with_ci(
                "interaction.p",
                t.estimate,
                (t.conf_low, t.conf_high),
                "score × atherectomy-cohort term in B+C, CR1 by patient",
            )
            .with_p(t.p_value),
        );
    }
    q
}

/// Counts and proportions: the A/B overlap, cohort D, nodules, and the lesions imaged after preparation.
fn count_quantities(a: &Analysis) -> Vec<Quantity> {
    let count = |name: &str, n: usize, method: &str| Quantity::value(name, n as f64, method);
    let mut q = vec![
        count(
            "split.patients_in_A_and_B",
            a.split_overlap.patients_both,
            "patients with lesions in both the derivation (A) and the validation (B) cohort",
        ),
        count(
            "D.underexpansion_n",
            a.d_underexpansion.x,
            "lesions of D with expansion < 70%",
        ),
        count(
            "D.score4_n",
            a.d_max_score_n,
            "lesions of D with the maximum score",
        ),
        Quantity::with_ci(
            "nodule.prevalence",
            a.nodule.estimate,
            (a.nodule.conf_low, a.nodule.conf_high),
            "calcified nodules among analysed lesions, Clopper-Pearson CI",
        ),
        count(
            "prep.n",
            a.prep.n,
            "analysed lesions with analysable pre-stent IVUS",
        ),
        count(
            "prep.fracture_n",
            a.prep.n_fracture,
            "of those, with calcium fracture",
        ),
    ];
    if let Some(m) = &a.prep.expansion_mean {
        let ci = (
            m.conf_low.unwrap_or(f64::NAN),
            m.conf_high.unwrap_or(f64::NAN),
        );
        q.push(Quantity::with_ci(
            "prep.fracture_expansion_mean",
            m.estimate.unwrap_or(f64::NAN),
            ci,
            "mean, t CI",
        ));
    }
    if let Some(sd) = a.prep.expansion_sd {
        q.push(Quantity::value(
            "prep.fracture_expansion_sd",
            sd,
            "sample SD",
        ));
    }
    q
}

/// The fracture rates C and B and the test p-value.
fn fracture_quantities(fr: &super::analysis::FractureResult, q: &mut Vec<Quantity>) {
    q.push(Quantity::with_ci(
        "fracture.C",
        fr.atherectomy.estimate,
        (fr.atherectomy.conf_low, fr.atherectomy.conf_high),
        "proportion, Clopper-Pearson CI",
    ));
    q.push(Quantity::with_ci(
        "fracture.B",
        fr.validation.estimate,
        (fr.validation.conf_low, fr.validation.conf_high),
        "proportion, Clopper-Pearson CI",
    ));
    q.push(
        Quantity::value(
            "fracture.p",
            fr.chisq_yates.p_value,
            "Pearson chi-square with Yates' correction (R chisq.test default)",
        )
        .with_p(fr.chisq_yates.p_value),
    );
}

/// The score in B alone (no derivation lesion): AUC, NPV at the cutoff, calibration of A's model in B.
fn b_only_quantities(b: &super::validation_b::BOnly, q: &mut Vec<Quantity>) {
    if let Some(auc) = &b.auc {
        q.push(Quantity::with_ci(
            "roc.B.auc",
            auc.estimate,
            (auc.conf_low, auc.conf_high),
            "AUC in B alone, DeLong CI",
        ));
    }
    if let Some(m) = b.measures.iter().find(|m| m.measure == "npv") {
        q.push(Quantity::with_ci(
            "accuracy.B.npv",
            m.estimate,
            (m.conf_low, m.conf_high),
            format!("NPV at score ≥ {} in B alone, Clopper-Pearson CI", b.cutoff),
        ));
    }
    if let Some(v) = b.calibration.as_ref().and_then(|c| c.val_prob.as_ref()) {
        for (name, x, what) in [
            (
                "calibration.B.brier",
                v.brier,
                "Brier score in B of A's risk model (rms::val.prob Brier)",
            ),
            (
                "calibration.B.scaled_brier",
                v.scaled_brier,
                "scaled Brier in B: 1 - Brier / (mean(y) (1 - mean(y)))",
            ),
            (
                "calibration.B.ici",
                v.ici,
                "ICI in B: mean |p - lowess(p)| (rms::val.prob Eavg, iter = 0)",
            ),
            (
                "calibration.B.e50",
                v.e50,
                "E50 in B: median |p - lowess(p)|",
            ),
            (
                "calibration.B.e90",
                v.e90,
                "E90 in B: 90th percentile |p - lowess(p)| (rms::val.prob E90)",
            ),
            (
                "calibration.B.emax",
                v.emax,
                "Emax in B: largest |p - lowess(p)| (rms::val.prob Emax)",
            ),
        ] {
            q.push(Quantity::value(name, x, what));
        }
    }
    if let Some(d) = &b.decision {
        decision_quantities(d, q);
    }
    let Some(c) = &b.calibration else { return };
    for (name, v, what) in [
        ("calibration.B.intercept", &c.intercept, "calibration-in-the-large in B of A's logistic model: intercept of glm(y ~ offset(lp)), Wald CI"),
        ("calibration.B.slope", &c.slope, "calibration slope in B of A's logistic model: coefficient of lp in glm(y ~ lp), Wald CI"),
    ] {
        if let Some(v) = v {
            q.push(Quantity::with_ci(name, v.estimate, (v.conf_low, v.conf_high), what));
        }
    }
}

/// Net benefit in B of A's risk model and of "score ≥ cutoff" at the thresholds 0.1, 0.2 and 0.3.
fn decision_quantities(d: &calcscore_score::validate::GroupDecision, q: &mut Vec<Quantity>) {
    for x in d.rows.iter().filter(|x| {
        [0.1, 0.2, 0.3]
            .iter()
            .any(|t| (x.threshold - t).abs() < 1e-9)
    }) {
        let t = format!("{:.1}", x.threshold);
        q.push(Quantity::value(
            format!("decision.B.net_benefit_model.pt{t}"),
            x.net_benefit_model,
            format!("net benefit in B of A's risk model at threshold {t} (dcurves: TP/n - FP/n pt/(1 - pt))"),
        ));
        q.push(Quantity::value(
            format!("decision.B.net_benefit_cutoff.pt{t}"),
            x.net_benefit_cutoff,
            format!(
                "net benefit in B of treating score >= {} at threshold {t}",
                d.cutoff
            ),
        ));
    }
}
