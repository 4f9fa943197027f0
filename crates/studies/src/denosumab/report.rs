//! The report of a denosumab pilot run: report.md (SYNTHETIC notice first), results.json with the
//! named quantities, the %ΔBMD vs %ΔCAC figure (SVG, PNG), per-patient and events CSVs, manifest.json.

use std::fmt::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::progression::{NamedTest, Progression};
use super::{event_counts, EventCount, Options, Run};
use crate::published::{self, fmt_p, p_equals, CheckRow, Published};
use crate::Result;
use crate::{DataNotice, Quantity};
use calcscore_report::figures::{render_png, render_svg};
use calcscore_report::scatter::Scatter;
use calcscore_report::{csv, markdown_table, num, r, OutputFile};

/// The study key.
pub(crate) const STUDY: &str = "denosumab-pilot";

/// Term of the correlation tests.
const CORR: &str = "bmd_pct_change ~ cac_pct_change";

fn test<'a>(a: &'a Progression, term: &str, method: &str) -> Option<&'a NamedTest> {
    a.tests
        .iter()
        .find(|t| t.term.starts_with(term) && t.test.method.contains(method))
}

fn described(a: &Progression, v: &str) -> (Option<f64>, Option<f64>, usize) {
    a.describe
        .iter()
        .find(|d| d.variable == v)
        .map_or((None, None, 0), |d| (d.mean, d.sd, d.n))
}

/// The named quantities `check denosumab-pilot` compares with datasets/published/denosumab_pilot.toml.
pub fn quantities(run: &Run) -> Vec<Quantity> {
    let a = &run.analysis;
    let mut q = descriptive_quantities(a);
    q.extend(test_quantities(a));
    q.extend(follow_up_quantities(run));
    q
}

/// Counts, means and SDs of the evaluable patients.
fn descriptive_quantities(a: &Progression) -> Vec<Quantity> {
    let mut q = vec![
        Quantity::value("n.treated", a.n_patients as f64, "patients in the file"),
        Quantity::value(
            "n.evaluable",
            a.n_evaluable as f64,
            "evaluable with both Agatston scores",
        ),
    ];
    for (name, var) in [
        ("age", "age_years"),
        ("bmd.before", "bmd_before"),
        ("bmd.after", "bmd_after"),
        ("cac.before", "agatston_before"),
        ("cac.after", "agatston_after"),
    ] {
        let (m, s, _) = described(a, var);
        if let (Some(m), Some(s)) = (m, s) {
            q.push(Quantity::value(
                format!("{name}.mean"),
                m,
                "mean of evaluable patients",
            ));
            q.push(Quantity::value(
                format!("{name}.sd"),
                s,
                "sample SD (n − 1) of evaluable patients",
            ));
        }
    }
    for (name, var) in [
        ("bmd.pct_change.mean", "bmd_pct_change"),
        ("cac.pct_change.mean", "cac_pct_change"),
    ] {
        if let (Some(m), _, _) = described(a, var) {
            q.push(Quantity::value(
                name,
                m,
                "mean of per-patient 100·(after − before)/before",
            ));
        }
    }
    q
}

/// The paired tests, correlations and the natural-rate test, as estimates with CI or as p-values.
fn test_quantities(a: &Progression) -> Vec<Quantity> {
    let mut q = Vec::new();
    let tq = |name: &str, t: &NamedTest| Quantity {
        name: name.into(),
        estimate: t.test.estimate.unwrap_or(f64::NAN),
        conf_low: t.test.conf_low,
        conf_high: t.test.conf_high,
        p_value: Some(t.test.p_value),
        method: format!("{} ({})", t.test.method.trim(), t.term),
    };
    let pv = |name: &str, t: &NamedTest| Quantity {
        estimate: t.test.p_value,
        conf_low: None,
        conf_high: None,
        ..tq(name, t)
    };
    let named = [
        (
            "cac.change.mean",
            "agatston_after - agatston_before",
            "Paired t",
            false,
        ),
        (
            "cac.change.paired_t_p",
            "agatston_after - agatston_before",
            "Paired t",
            true,
        ),
        (
            "cac.change.wilcoxon_p",
            "agatston_after - agatston_before",
            "Wilcoxon",
            true,
        ),
        (
            "bmd.change.mean",
            "bmd_after - bmd_before",
            "Paired t",
            false,
        ),
        (
            "bmd.change.paired_t_p",
            "bmd_after - bmd_before",
            "Paired t",
            true,
        ),
        ("corr.pearson_r", CORR, "Pearson", false),
        ("corr.pearson_p", CORR, "Pearson", true),
        ("corr.spearman_rho", CORR, "Spearman", false),
        (
            "cac.pct_per_year.vs_natural_p",
            "cac_pct_change_per_year",
            "One Sample",
            true,
        ),
        (
            "cac.pct_per_year.mean",
            "cac_pct_change_per_year",
            "One Sample",
            false,
        ),
        ("imt.change.paired_t_p", "imt_after", "Paired t", true),
        ("cavi.change.paired_t_p", "cavi_after", "Paired t", true),
    ];
    for (name, term, method, p_only) in named {
        if let Some(t) = test(a, term, method) {
            q.push(if p_only { pv(name, t) } else { tq(name, t) });
        }
    }
    q
}

/// IMT/CAVI counts, the scan interval range and the events during follow-up.
fn follow_up_quantities(run: &Run) -> Vec<Quantity> {
    let a = &run.analysis;
    let mut q = Vec::new();
    for (stem, label) in [("imt", "imt_after"), ("cavi", "cavi_after")] {
        let n = test(a, label, "Paired t").map_or(0, |t| t.n);
        q.push(Quantity::value(
            format!("{stem}.n"),
            n as f64,
            "evaluable patients with both measurements",
        ));
    }
    let (lo, hi) = interval_range(a);
    if let (Some(lo), Some(hi)) = (lo, hi) {
        q.push(Quantity::value(
            "interval_years.min",
            lo,
            "shortest scan interval (days / 365.25)",
        ));
        q.push(Quantity::value(
            "interval_years.max",
            hi,
            "longest scan interval (days / 365.25)",
        ));
    }
    for e in event_counts(&run.table) {
        let key = match e.event.as_str() {
            "Cardiac death" => "events.cardiac_death",
            "Non-fatal myocardial infarction" => "events.mi",
            "Revascularisation" => "events.revascularisation",
            "Stroke" => "events.stroke",
            _ => "events.any",
        };
        q.push(Quantity::value(
            key,
            e.patients as f64,
            "patients with the event during follow-up",
        ));
    }
    q
}

fn interval_range(a: &Progression) -> (Option<f64>, Option<f64>) {
    let y: Vec<f64> = a.patients.iter().filter_map(|c| c.interval_years).collect();
    (
        y.iter().copied().reduce(f64::min),
        y.iter().copied().reduce(f64::max),
    )
}

/// Every output file of a run.
pub fn report_files(run: &Run) -> Result<Vec<OutputFile>> {
    let checks = published::check(&Published::builtin(STUDY)?, &run.quantities);
    let fig = figure(run);
    Ok(vec![
        (
            "results.json".into(),
            crate::to_json(&Results::of(run)).into_bytes(),
        ),
        ("report.md".into(), report_md(run, &checks).into_bytes()),
        ("manifest.json".into(), manifest(run).into_bytes()),
        (
            "figure1_bmd_vs_cac.svg".into(),
            render_svg(&fig)?.into_bytes(),
        ),
        ("figure1_bmd_vs_cac.png".into(), render_png(&fig)?),
        (
            "patients.csv".into(),
            patients_csv(&run.analysis).into_bytes(),
        ),
        ("events.csv".into(), events_csv(run).into_bytes()),
        ("check.csv".into(), check_csv(&checks).into_bytes()),
    ])
}

/// Figure 1: %ΔBMD vs %ΔCAC with the least-squares line and Pearson/Spearman in the panel.
fn figure(run: &Run) -> Scatter {
    let a = &run.analysis;
    let points = a
        .patients
        .iter()
        .filter_map(|c| c.bmd_pct_change.zip(c.cac_pct_change))
        .collect();
    let mut annotation = Vec::new();
    if let Some(t) = test(a, CORR, "Pearson") {
        let ci = match (t.test.conf_low, t.test.conf_high) {
            (Some(l), Some(h)) => format!(
                " ({}% CI {} to {})",
                a.options.conf_level * 100.0,
                r(l, 2),
                r(h, 2)
            ),
            _ => String::new(),
        };
        annotation.push(format!(
            "Pearson r = {}{ci}",
            r(t.test.estimate.unwrap_or(f64::NAN), 2)
        ));
        annotation.push(format!("{}, n = {}", p_equals(t.test.p_value), t.n));
    }
    if let Some(t) = test(a, CORR, "Spearman") {
        let rho = r(t.test.estimate.unwrap_or(f64::NAN), 2);
        annotation.push(format!("Spearman ρ = {rho}, {}", p_equals(t.test.p_value)));
    }
    let annotation = annotation
        .into_iter()
        .map(|l| l.replace('-', "\u{2212}"))
        .collect();
    Scatter {
        points,
        x_label: "%ΔBMD (change in bone mineral density, %)".into(),
        y_label: "%ΔCAC (change in Agatston score, %)".into(),
        annotation,
        note: run.notice.synthetic.then(|| "SYNTHETIC DATA".to_string()),
    }
}

/// results.json of a pilot run: the one type `reproduce` writes and `check` reads back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    /// Always "denosumab-pilot".
    pub study: String,
    /// calcscore version that computed the results.
    pub calcscore_version: String,
    /// Where the data come from.
    pub data_notice: DataNotice,
    /// Options of the run.
    pub options: Options,
    /// The progression analysis.
    pub analysis: Progression,
    /// Patients with each cardiovascular event.
    pub events: Vec<EventCount>,
    /// Named quantities for `check`.
    pub quantities: Vec<Quantity>,
}

impl Results {
    /// The results of a run.
    pub fn of(run: &Run) -> Results {
        Results {
            study: STUDY.into(),
            calcscore_version: crate::version(),
            data_notice: run.notice.clone(),
            options: run.options.clone(),
            analysis: run.analysis.clone(),
            events: event_counts(&run.table),
            quantities: run.quantities.clone(),
        }
    }
}

/// Files the run writes, listed in its manifest.
const FILES: [&str; 8] = [
    "report.md",
    "results.json",
    "figure1_bmd_vs_cac.svg",
    "figure1_bmd_vs_cac.png",
    "patients.csv",
    "events.csv",
    "check.csv",
    "manifest.json",
];

fn manifest(run: &Run) -> String {
    crate::Manifest {
        files: FILES.iter().map(|f| f.to_string()).collect(),
        ..crate::Manifest::new(STUDY, &run.notice, &run.options)
    }
    .to_json()
}

fn patients_csv(a: &Progression) -> String {
    let header = [
        "patient_id",
        "row",
        "interval_years",
        "cac_before",
        "cac_after",
        "cac_change",
        "cac_pct_change",
        "cac_change_per_year",
        "cac_pct_change_per_year",
        "sqrt_change",
        "sqrt_progression",
        "log_change",
        "sevrukov_limit",
        "sevrukov",
        "mesa_limit",
        "mesa",
        "bmd_before",
        "bmd_after",
        "bmd_pct_change",
    ];
    let word = |v: Option<super::Verdict>| {
        v.and_then(|v| serde_json::to_value(v).ok())
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = a
        .patients
        .iter()
        .map(|c| {
            vec![
                c.patient_id.clone(),
                c.row.to_string(),
                num(c.interval_years),
                num(Some(c.cac_before)),
                num(Some(c.cac_after)),
                num(Some(c.cac_change)),
                num(c.cac_pct_change),
                num(c.cac_change_per_year),
                num(c.cac_pct_change_per_year),
                num(Some(c.sqrt_change)),
                u8::from(c.sqrt_progression).to_string(),
                num(Some(c.log_change)),
                num(Some(c.sevrukov_limit)),
                word(Some(c.sevrukov)),
                num(c.mesa_limit),
                word(c.mesa),
                num(c.bmd_before),
                num(c.bmd_after),
                num(c.bmd_pct_change),
            ]
        })
        .collect();
    csv(&header, &rows)
}

fn events_csv(run: &Run) -> String {
    let rows: Vec<Vec<String>> = event_counts(&run.table)
        .into_iter()
        .map(|e| vec![e.event, e.patients.to_string(), e.known.to_string()])
        .collect();
    csv(
        &["event", "patients_with_event", "patients_followed"],
        &rows,
    )
}

fn check_csv(rows: &[CheckRow]) -> String {
    calcscore_report::check::table(rows).to_csv()
}

fn ms(a: &Progression, v: &str, d: usize) -> String {
    match described(a, v) {
        (Some(m), Some(s), n) => format!("{} ± {} (n = {n})", r(m, d), r(s, d)),
        (Some(m), None, n) => format!("{} (n = {n})", r(m, d)),
        _ => "–".into(),
    }
}

fn test_row(t: &NamedTest, level: f64) -> Vec<String> {
    let ci = match (t.test.conf_low, t.test.conf_high) {
        (Some(l), Some(h)) => format!("{} to {}", r(l, 3), r(h, 3)),
        _ => "–".into(),
    };
    let _ = level;
    vec![
        t.term.clone(),
        t.test.method.trim().to_string(),
        t.n.to_string(),
        t.test.estimate.map_or("–".into(), |e| r(e, 3)),
        ci,
        format!("{} = {}", t.test.statistic_name, r(t.test.statistic, 3)),
        fmt_p(t.test.p_value),
    ]
}

fn report_md(run: &Run, checks: &[CheckRow]) -> String {
    let a = &run.analysis;
    let mut s = String::new();
    if run.notice.synthetic {
        let _ = writeln!(s, "> **{}**\n", run.notice.text);
    } else {
        let _ = writeln!(s, "> {}\n", run.notice.text);
    }
    let _ = writeln!(s, "# Denosumab CAC pilot: reproduction\n");
    let _ = writeln!(
        s,
        "Study: denosumab 60 mg every 6 months in women with ischaemic heart disease and osteoporosis; coronary CT \
         (Agatston score) and BMD at baseline and 6–12 months later (seed 000, digest §3). Input `{}` (SHA-256 `{}`).\n",
        run.notice.input, run.notice.sha256
    );
    patients_md(&mut s, run);
    tests_md(&mut s, a);
    definitions_md(&mut s, run, checks);
    for n in &a.notes {
        let _ = writeln!(s, "\nNote: {n}");
    }
    s
}

/// The characteristics and changes the paper reports: label, variable, decimals, published value.
const CHARACTERISTICS: [(&str, &str, usize, &str); 9] = [
    ("Age (years)", "age_years", 1, "75.7 ± 6.3"),
    ("BMD before (g/cm²)", "bmd_before", 3, "0.662 ± 0.11"),
    ("BMD after (g/cm²)", "bmd_after", 3, "0.679 ± 0.12"),
    (
        "%ΔBMD (mean of per-patient %)",
        "bmd_pct_change",
        2,
        "+2.5 (\"improvement 2.5%\")",
    ),
    ("Agatston before", "agatston_before", 1, "366.5 ± 438.0"),
    ("Agatston after", "agatston_after", 1, "362.9 ± 435.1"),
    (
        "%ΔCAC (mean of per-patient %)",
        "cac_pct_change",
        2,
        "−1.8 (\"improvement 1.8%\")",
    ),
    (
        "%ΔCAC per year (linear)",
        "cac_pct_change_per_year",
        2,
        "not given",
    ),
    ("Scan interval (years)", "interval_years", 2, "6–12 months"),
];

/// The Patients section and the characteristics and change table.
fn patients_md(s: &mut String, run: &Run) {
    let a = &run.analysis;
    let _ = writeln!(s, "## Patients\n");
    let _ = writeln!(
        s,
        "{} treated, {} evaluable.\n",
        a.n_patients, a.n_evaluable
    );
    if !a.not_evaluable.is_empty() {
        let rows: Vec<Vec<String>> = a
            .not_evaluable
            .iter()
            .map(|l| vec![l.patient_id.clone(), l.row.to_string(), l.reason.clone()])
            .collect();
        s.push_str(&markdown_table(&["patient", "file row", "reason"], &rows));
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "## Characteristics and change (evaluable patients, mean ± SD)\n"
    );
    let rows: Vec<Vec<String>> = CHARACTERISTICS
        .iter()
        .map(|&(label, variable, digits, published)| {
            vec![label.into(), ms(a, variable, digits), published.into()]
        })
        .collect();
    s.push_str(&markdown_table(&["", "reproduced", "published"], &rows));
    let _ = writeln!(
        s,
        "\nPercent change is 100·(after − before)/before per patient, averaged over patients; the paper's \
         \"improvement\" is a decrease, so its 1.8% CAC improvement is a mean %ΔCAC of −1.8%. Annualised change \
         divides by the real scan interval (days / 365.25).\n"
    );
    if run.notice.synthetic {
        let _ = writeln!(
            s,
            "The synthetic draw was kept only because these means and SDs print as the published ones, the \
             %ΔBMD–%ΔCAC correlation is negative with P < 0.05 and the IMT and CAVI changes are not significant; \
             those agreements are by construction. Everything is nevertheless computed from the data file, as it \
             would be for real patients.\n"
        );
    }
}

/// The Tests section and Figure 1.
fn tests_md(s: &mut String, a: &Progression) {
    let _ = writeln!(s, "## Tests\n");
    let rows: Vec<Vec<String>> = a
        .tests
        .iter()
        .map(|t| test_row(t, a.options.conf_level))
        .collect();
    s.push_str(&markdown_table(
        &[
            "term",
            "method",
            "n",
            "estimate",
            &format!("{}% CI", a.options.conf_level * 100.0),
            "statistic",
            "P",
        ],
        &rows,
    ));
    let _ = writeln!(
        s,
        "\nNatural progression rate tested against: {}%/year ({}).\n",
        a.options.natural_rate, a.options.natural_rate_source
    );
    let _ = writeln!(
        s,
        "## Figure 1\n\n![%ΔBMD vs %ΔCAC](figure1_bmd_vs_cac.png)\n"
    );
    let _ = writeln!(
        s,
        "Figure 1. Change in bone mineral density against change in Agatston score per evaluable patient, with \
         the least-squares line. Negative %ΔCAC is a decrease (the paper's \"improvement\").\n"
    );
}

/// Progression definitions, cardiovascular events and the check against the published numbers.
fn definitions_md(s: &mut String, run: &Run, checks: &[CheckRow]) {
    let a = &run.analysis;
    let _ = writeln!(s, "## Progression definitions\n");
    let rows: Vec<Vec<String>> = a
        .definitions
        .iter()
        .map(|d| {
            vec![
                d.definition.replace('|', "\\|"),
                d.n.to_string(),
                d.progression.to_string(),
                d.regression.map_or("–".into(), |v| v.to_string()),
            ]
        })
        .collect();
    s.push_str(&markdown_table(
        &["definition", "n", "progression", "regression"],
        &rows,
    ));
    let _ = writeln!(s, "\n## Cardiovascular events\n");
    let rows: Vec<Vec<String>> = event_counts(&run.table)
        .into_iter()
        .map(|e| vec![e.event, e.patients.to_string(), e.known.to_string()])
        .collect();
    s.push_str(&markdown_table(
        &["event", "patients with event", "patients followed"],
        &rows,
    ));
    let _ = writeln!(s, "\n## Check against the published numbers\n");
    s.push_str(&calcscore_report::check::table(checks).to_markdown());
}

/// What `reproduce denosumab-pilot` prints.
pub fn run_summary(run: &Run, out: &Path) -> String {
    let checks = Published::builtin(STUDY)
        .map(|p| published::check(&p, &run.quantities))
        .unwrap_or_default();
    let mut s = String::new();
    if run.notice.synthetic {
        let _ = writeln!(s, "SYNTHETIC DATA ({}): not patients.", run.notice.input);
    }
    let a = &run.analysis;
    let _ = writeln!(
        s,
        "denosumab pilot: {} treated, {} evaluable; Agatston {} → {}; BMD {} → {}",
        a.n_patients,
        a.n_evaluable,
        ms(a, "agatston_before", 1),
        ms(a, "agatston_after", 1),
        ms(a, "bmd_before", 3),
        ms(a, "bmd_after", 3)
    );
    s.push_str(&calcscore_report::check::text(&checks));
    let _ = writeln!(s, "report written to {}", out.display());
    s
}
