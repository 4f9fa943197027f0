//! The figures of a Zhang 2021 report, built from results.json alone (no lesion-level data, no identifiers).

use calcscore_stats::dist::Checked;
use statrs::distribution::Normal;

use super::Results;
use crate::Result;
use calcscore_core::format::p_after_name;
use calcscore_report::canon_charts::{CalibrationPlot, DecisionPlot};
use calcscore_report::charts::{
    Calibration, CalibrationPoint, FittedGroup, FittedLines, FlowDiagram, FlowGroup, FlowStep,
    Forest, ForestPanel, ForestRow, RocCurve,
};
use calcscore_report::figures::{render_png, render_svg, Bar, ExpansionByScore, Figure, Panel};
use calcscore_report::{r, OutputFile};
use calcscore_score::model::FittedModel;
use calcscore_stats::diagnostic::{binomial_ci, CiMethod};

/// Every figure as SVG and PNG, in report order. Each figure is drawn on its own thread (the PNGs are most of
/// a warm `reproduce`); the files are collected in the fixed order, so the output does not depend on timing.
pub fn all(res: &Results) -> Result<Vec<OutputFile>> {
    let mut jobs: Vec<Job> = vec![
        job("figure1_flow", flow(res)),
        job("figure4_expansion_by_score", figure4(res)),
    ];
    if let Some(f) = figure5(res)? {
        jobs.push(job("figure5_score_vs_expansion", f));
    }
    if let Some(f) = roc(res) {
        jobs.push(job("figure_roc", f));
    }
    if let Some(c) = calibration(res)? {
        jobs.push(job("figure_calibration", c));
    }
    if let Some(f) = forest(res) {
        jobs.push(job("figure_forest", f));
    }
    if let Some(f) = flexible_calibration(res) {
        jobs.push(job("figure_calibration_flexible", f));
    }
    if let Some(f) = decision(res) {
        jobs.push(job("figure_decision", f));
    }
    let rendered = std::thread::scope(|s| {
        let handles: Vec<_> = jobs.into_iter().map(|j| s.spawn(j)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Vec<_>>()
    });
    let mut files = Vec::new();
    for pair in rendered {
        files.extend(pair?);
    }
    Ok(files)
}

/// Drawing one figure: its SVG and PNG files.
type Job = Box<dyn FnOnce() -> Result<[OutputFile; 2]> + Send>;

fn job<F: Figure + Send + 'static>(stem: &'static str, fig: F) -> Job {
    Box::new(move || {
        Ok([
            (format!("{stem}.svg"), render_svg(&fig)?.into_bytes()),
            (format!("{stem}.png"), render_png(&fig)?),
        ])
    })
}

/// Figure 1: the flow from the input to the four cohorts.
pub fn flow(res: &Results) -> FlowDiagram {
    let f = &res.flow;
    let mut steps = Vec::new();
    for (k, s) in f.stages.iter().enumerate() {
        let text = if k == 0 {
            format!("{} lesions in {} patients", s.n_in, f.n_input_patients)
        } else {
            format!("{} lesions", s.n_in)
        };
        let excluded = s
            .rules
            .iter()
            .map(|rc| format!("{} (n = {})", capitalise(&rc.reason), rc.n_meeting))
            .collect();
        steps.push(FlowStep { text, excluded });
    }
    let last_out = f.stages.last().map_or(f.n_input, |s| s.n_out);
    if f.n_excluded_missing_data > 0 {
        steps.push(FlowStep {
            text: format!("{last_out} lesions"),
            excluded: vec![format!(
                "Missing stent expansion or a score item (n = {})",
                f.n_excluded_missing_data
            )],
        });
    }
    steps.push(FlowStep {
        text: format!("{} lesions analysed", f.n_analysed),
        excluded: Vec::new(),
    });
    let groups = res
        .cohorts
        .iter()
        .map(|c| FlowGroup {
            title: format!("{}. {}", c.cohort, c.label),
            count: format!("n = {}", c.n_lesions),
        })
        .collect();
    FlowDiagram { steps, groups }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Figure 4: expansion by score per cohort.
pub fn figure4(res: &Results) -> ExpansionByScore {
    let panels = res
        .cohorts
        .iter()
        .map(|c| Panel {
            title: format!("{}. {} (n = {})", c.cohort, c.label, c.n_lesions),
            bars: res
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
        threshold: super::super::pipeline::UNDEREXPANSION_PCT,
        score_label: "IVUS calcium score (points)".into(),
    }
}

/// Linear predictor b0 + b1·s and its standard error from the 2×2 covariance of (Intercept, score).
fn line_at(m: &FittedModel, s: f64) -> Option<(f64, f64)> {
    let b: Vec<f64> = m.coefficients.iter().map(|c| c.estimate).collect();
    let v = &m.vcov;
    if b.len() != 2 || v.len() != 2 || v.iter().any(|row| row.len() != 2) {
        return None;
    }
    let var = v[0][0] + 2.0 * s * v[0][1] + s * s * v[1][1];
    Some((b[0] + b[1] * s, var.max(0.0).sqrt()))
}

fn df_residual(m: &FittedModel) -> f64 {
    m.model.df_residual as f64
}

/// Figure 5: expansion on score in B and C with fitted lines, confidence bands and the interaction P.
pub fn figure5(res: &Results) -> Result<Option<FittedLines>> {
    let a = &res.analysis;
    let level = res.options.conf_level;
    let max = res.score.max_points();
    let mut groups = Vec::new();
    for (letter, name) in [("B", "without atherectomy"), ("C", "with atherectomy")] {
        let Some(s) = a.slopes.iter().find(|s| s.cohort == letter) else {
            continue;
        };
        let df = df_residual(&s.model);
        let q = if df.is_finite() {
            calcscore_stats::dist::t_quantile(df, 0.5 + level / 2.0)
        } else {
            z(level)
        };
        let fitted = (0..=(max * 10))
            .filter_map(|k| {
                let x = k as f64 / 10.0;
                line_at(&s.model, x).map(|(f, se)| (x, f, f - q * se, f + q * se))
            })
            .collect();
        let observed = a
            .by_score
            .iter()
            .filter(|l| l.cohort == letter)
            .map(|l| (l.score, l.n, l.mean, l.sd))
            .collect();
        groups.push(FittedGroup {
            label: format!(
                "{letter}, {name}: {} %/point",
                r(s.slope.estimate, 1).replace('-', "−")
            ),
            observed,
            fitted,
        });
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for g in &groups {
        for &(_, _, m, sd) in &g.observed {
            if let Some(m) = m {
                let sd = sd.unwrap_or(0.0);
                lo = lo.min(m - sd);
                hi = hi.max(m + sd);
            }
        }
        for p in &g.fitted {
            lo = lo.min(p.2);
            hi = hi.max(p.3);
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (40.0, 120.0);
    }
    // Room below the data for the legend.
    let y_range = (
        ((lo - 25.0) / 10.0).floor() * 10.0,
        ((hi + 2.0) / 10.0).ceil() * 10.0,
    );
    if groups.is_empty() {
        return Ok(None);
    }
    let interaction = a
        .interaction_term
        .as_ref()
        .map_or("not estimable".to_string(), |t| p_after_name(t.p_value));
    Ok(Some(FittedLines {
        groups,
        max_score: max,
        x_label: "IVUS calcium score (points)".into(),
        y_label: "Stent expansion (%)".into(),
        y_range,
        note: format!("Score × atherectomy interaction P {interaction}"),
        reference: Some(super::super::pipeline::UNDEREXPANSION_PCT),
    }))
}

fn z(level: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .map(|n| n.quantile(0.5 + level / 2.0))
        .unwrap_or(1.959_963_984_540_054)
}

/// ROC of the score in A+B with the cutoff marked.
pub fn roc(res: &Results) -> Option<RocCurve> {
    let a = &res.analysis;
    let roc = a.roc.as_ref()?;
    let accuracy = a.accuracy.as_ref()?;
    let points = roc
        .coords
        .iter()
        .map(|c| (1.0 - c.specificity, c.sensitivity))
        .collect();
    let measure = |name: &str| {
        accuracy
            .measures
            .iter()
            .find(|m| m.measure == name)
            .map_or(f64::NAN, |m| m.estimate)
    };
    let (se, sp) = (measure("sensitivity"), measure("specificity"));
    Some(RocCurve {
        points,
        auc_text: if roc.conf_low.is_finite() && roc.conf_high.is_finite() {
            format!(
                "AUC {} ({}% CI {}–{}, DeLong)",
                r(roc.auc, 2),
                r(100.0 * res.options.conf_level, 0),
                r(roc.conf_low, 2),
                r(roc.conf_high, 2)
            )
        } else {
            format!("AUC {} (DeLong CI not estimable)", r(roc.auc, 2))
        },
        cutoff: (1.0 - sp, se),
        cutoff_text: vec![
            format!("Score ≥{}", accuracy.cutoff),
            format!("sensitivity {}", r(se, 2)),
            format!("specificity {}", r(sp, 2)),
        ],
    })
}

/// Calibration in B of the derivation model's predictions; `None` when the model was not estimable.
pub fn calibration(res: &Results) -> Result<Option<Calibration>> {
    let a = &res.analysis;
    let Some(m) = &a.calibration_model else {
        return Ok(None);
    };
    let level = res.options.conf_level;
    let q = z(level);
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    let mut points = Vec::new();
    for l in a.by_score.iter().filter(|l| l.cohort == "B") {
        let Some((eta, se)) = line_at(m, l.score as f64) else {
            return Ok(None);
        };
        let observed = (l.n > 0).then(|| {
            let (lo, hi) = binomial_ci(l.n_underexpansion, l.n, CiMethod::Exact, level);
            (l.n_underexpansion as f64 / l.n as f64, lo, hi)
        });
        points.push(CalibrationPoint {
            score: l.score,
            n: l.n,
            observed,
            predicted: (expit(eta), expit(eta - q * se), expit(eta + q * se)),
        });
    }
    Ok(Some(Calibration {
        points,
        predicted_label: "Predicted (logistic model fitted in A)".into(),
        observed_label: "Observed in B (exact CI)".into(),
        x_label: "IVUS calcium score (points)".into(),
        y_label: "Underexpansion, stent expansion <70% (%)".into(),
    }))
}

/// Forest plot of the derivation models' item coefficients.
pub fn forest(res: &Results) -> Option<Forest> {
    let a = &res.analysis;
    let rows = |m: &FittedModel, exp: bool| -> Vec<ForestRow> {
        m.coefficients
            .iter()
            .filter(|c| c.term != "(Intercept)")
            .zip(&a.points)
            .map(|(c, p)| {
                let f = |v: f64| if exp { v.exp() } else { v };
                ForestRow {
                    // Keep "> 5 mm" and "< 3.5 mm" on one line.
                    label: p
                        .item
                        .replace("> ", ">\u{a0}")
                        .replace("< ", "<\u{a0}")
                        .replace(" mm", "\u{a0}mm"),
                    estimate: (f(c.estimate), f(c.conf_low), f(c.conf_high)),
                }
            })
            .collect()
    };
    let mut panels = vec![ForestPanel {
        title: "Linear model: stent expansion".into(),
        x_label: "Difference in stent expansion (% points)".into(),
        rows: rows(a.derivation_linear.as_ref()?, false),
        null_value: 0.0,
        log_scale: false,
    }];
    if let Some(m) = &a.derivation_logistic {
        panels.push(ForestPanel {
            title: "Logistic model: underexpansion (<70%)".into(),
            x_label: "Odds ratio (log scale)".into(),
            rows: rows(m, true),
            null_value: 1.0,
            log_scale: true,
        });
    }
    Some(Forest { panels })
}

/// Flexible calibration in B of A's risk model: lowess curve, grouped observations (Wilson CIs), predictions underneath.
pub(crate) fn flexible_calibration(res: &Results) -> Option<CalibrationPlot> {
    let b = res.analysis.b_only.as_ref()?;
    let f = b.calibration.as_ref()?.flexible.as_ref()?;
    Some(CalibrationPlot {
        curve: f.curve.iter().map(|c| (c.predicted, c.observed)).collect(),
        groups: f.groups.clone(),
        histogram: f.histogram.clone(),
        x_label: "Predicted risk in B (model fitted in A)".into(),
        conf_level: res.options.conf_level,
        band: None,
    })
}

/// Decision curve in B: A's risk model, "score ≥ cutoff", treat all, treat none.
pub fn decision(res: &Results) -> Option<DecisionPlot> {
    let d = res.analysis.b_only.as_ref()?.decision.as_ref()?;
    Some(DecisionPlot::of_group(d, "Risk model fitted in A"))
}
