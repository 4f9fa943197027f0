//! The report of a Zhang 2021 run: results.json, report.md, CSV tables, Figure 4, manifest.json.

use std::borrow::Cow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::analysis::{Analysis, COVARIANCE};
use super::pipeline::Options;
use super::{CohortSize, Run};
use crate::published::{self, fmt_p, Published};
use crate::{DataNotice, Quantity};
use crate::{Error, Result};
use calcscore_core::Choice;
use calcscore_data::cohort::{FlowStage, SplitUnit};
use calcscore_report::{csv, csv_rows, num, r, Doc, OutputFile, Table};
use calcscore_score::model::FittedModel;
use calcscore_score::PointsTable;

#[path = "report_figures.rs"]
pub mod figures;

/// Missing-data policy, stated in every report.
pub(crate) const MISSING_POLICY: &str =
    "complete case: a cohort lesion without stent expansion or a score item is left out of \
     every analysis and listed in exclusions.csv with the column that was missing";

/// Every output file of a run: the results and lesion-level files from the run, and the report rebuilt
/// from results.json exactly as `calcscore report --results` rebuilds it (so both give the same bytes).
pub fn report_files(run: &Run) -> Result<Vec<OutputFile>> {
    report_files_with(run, Appendix::default())
}

/// Prose, tables and figures appended to report.md and report.html after the footer (the imputation
/// sensitivity analysis); results.json, manifest.json and the other files do not change.
#[derive(Debug, Clone, Default)]
pub struct Appendix {
    /// The section, rendered by the same [`Doc`] path as the report.
    pub doc: Doc,
    /// The figures it names (SVG files are inlined in report.html), written beside the report.
    pub figures: Vec<OutputFile>,
    /// What the TRIPOD+AI item on missing data says of it (the imputation sensitivity analysis), if anything.
    pub tripod_missing: Option<String>,
}

/// Every output file of a run, as [`report_files`], with `appendix` at the end of the report.
pub fn report_files_with(run: &Run, appendix: Appendix) -> Result<Vec<OutputFile>> {
    let json = Results::of(run).to_json();
    let results = Results::from_json(&json, "results.json")?;
    let mut files: Vec<OutputFile> = vec![
        ("results.json".into(), json.into_bytes()),
        ("manifest.json".into(), manifest(run).into_bytes()),
        (
            "exclusions.csv".into(),
            csv_rows(
                &["lesion_id", "patient_id", "row", "rule", "reason"],
                exclusion_rows(run),
            )
            .into_bytes(),
        ),
        (
            "analysis_set.csv".into(),
            csv_rows(
                &[
                    "lesion_id",
                    "patient_id",
                    "cohort",
                    "score",
                    "stent_expansion_pct",
                    "underexpansion",
                ],
                analysis_rows(run),
            )
            .into_bytes(),
        ),
    ];
    files.extend(render_with(&results, appendix)?);
    Ok(files)
}

/// The report files (report.md, report.html, tables as CSV and LaTeX, figures as SVG and PNG), a function of
/// results.json alone: no refitting, no lesion-level data.
pub fn render(res: &Results) -> Result<Vec<OutputFile>> {
    render_with(res, Appendix::default())
}

/// The report files of [`render`] with `appendix` after the footer and its figures among the figures.
fn render_with(res: &Results, appendix: Appendix) -> Result<Vec<OutputFile>> {
    let checks = published::check(&Published::builtin("zhang2021")?, &res.quantities);
    let mut figures = figures::all(res)?;
    figures.extend(appendix.figures);
    let doc = report_doc(res, &checks, appendix.tripod_missing.as_deref()).append(appendix.doc);
    let svgs: Vec<(String, String)> = figures
        .iter()
        .filter(|(name, _)| name.ends_with(".svg"))
        .map(|(name, bytes)| (name.clone(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    let html = calcscore_report::html::page(
        "Reproduction of Zhang et al. 2021: IVUS calcium score",
        &doc.to_html(&svgs),
    );
    let mut files: Vec<OutputFile> = vec![
        ("report.md".into(), doc.to_markdown().into_bytes()),
        ("report.html".into(), html.into_bytes()),
    ];
    files.extend(figures);
    files.extend(tables(res, &checks));
    files.push((
        "tables.tex".into(),
        calcscore_report::table::latex_document(&latex_tables(res, &checks)).into_bytes(),
    ));
    Ok(files)
}

/// results.json: everything a run computed that the report, the figures and `check` read. The one type is
/// written by `reproduce` and read back by `report --results` and `check`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    /// Always "zhang2021".
    #[serde(default)]
    pub study: String,
    /// calcscore version that computed the results.
    pub calcscore_version: String,
    /// Where the data come from.
    pub data_notice: DataNotice,
    /// Options of the run.
    pub options: Options,
    /// The covariance every model uses, in words.
    #[serde(default)]
    pub covariance: String,
    /// Missing-data policy in words.
    #[serde(default)]
    pub missing_data_policy: String,
    /// Missing values per registry column, with the policy.
    #[serde(default)]
    pub missing_values: Vec<super::pipeline::MissingCount>,
    /// Flow counts.
    pub flow: ResultsFlow,
    /// Cohort sizes.
    pub cohorts: Vec<CohortSize>,
    /// The published score.
    pub score: PointsTable,
    /// The analysis.
    pub analysis: Analysis,
    /// Stent expansion formula in words.
    #[serde(default)]
    pub expansion_definition: String,
    /// Named quantities.
    pub quantities: Vec<Quantity>,
    /// Table 1: baseline characteristics of the analysed lesions by cohort (the score items).
    #[serde(default)]
    pub table1: Option<calcscore_report::table1::Table1>,
    /// Outcomes by cohort (score, expansion, underexpansion, fracture), apart from the baseline table.
    #[serde(default)]
    pub table1_outcomes: Option<calcscore_report::table1::Table1>,
}

/// The flow as results.json stores it: the stages and the reconciliation of the counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResultsFlow {
    /// Lesions in the input.
    pub n_input: usize,
    /// Patients in the input.
    pub n_input_patients: usize,
    /// Stages in order.
    pub stages: Vec<FlowStage>,
    /// Lesions excluded by the rules.
    pub n_excluded_by_rules: usize,
    /// Lesions excluded for missing data.
    pub n_excluded_missing_data: usize,
    /// Lesions analysed.
    pub n_analysed: usize,
    /// Analysed + excluded = input.
    pub reconciles: bool,
}

impl Results {
    /// The results of a run.
    pub fn of(run: &Run) -> Results {
        Results {
            study: "zhang2021".into(),
            calcscore_version: crate::version(),
            data_notice: run.notice.clone(),
            options: run.options.clone(),
            covariance: COVARIANCE.into(),
            missing_data_policy: MISSING_POLICY.into(),
            missing_values: run.set.missing.clone(),
            flow: ResultsFlow {
                n_input: run.flow.n_input,
                n_input_patients: run.n_input_patients,
                stages: run.flow.stages.clone(),
                n_excluded_by_rules: run.flow.exclusions.len(),
                n_excluded_missing_data: run.set.exclusions.len(),
                n_analysed: run.set.len(),
                reconciles: reconciles(run),
            },
            cohorts: run.cohorts.clone(),
            score: run.score.clone(),
            analysis: run.analysis.clone(),
            expansion_definition: run.options.expansion.describe().into(),
            quantities: run.quantities.clone(),
            table1: cohort_table(run, &BASELINE_VARS),
            table1_outcomes: cohort_table(run, &OUTCOME_VARS),
        }
    }

    /// The results as results.json text (pretty, newline-terminated).
    pub fn to_json(&self) -> String {
        crate::to_json(self)
    }

    /// Parse a results.json text; `origin` names the file in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Results> {
        let res: Results = crate::parse_results(text, origin, "zhang2021")?;
        // Another study's results, or a file emptied by hand, would fail deep in a figure (ZeroHeight).
        let problem = if !res.study.is_empty() && res.study != "zhang2021" {
            Some(format!(
                "it holds the results of study '{}', not zhang2021",
                res.study
            ))
        } else if res.cohorts.is_empty() {
            Some(
                "its 'cohorts' list is empty (a zhang2021 run has cohorts A to D): edited by hand?"
                    .into(),
            )
        } else {
            None
        };
        match problem {
            Some(p) => Err(Error::Usage(format!("{origin}: {p}"))),
            None => Ok(res),
        }
    }

    /// The data notice by the recorded SHA-256 of the input (synthetic when it is the shipped registry's), not by
    /// the flag or words of a results.json, which can be edited.
    pub fn notice(&self) -> crate::DataNotice {
        crate::DataNotice::for_input(
            Path::new(&self.data_notice.input),
            self.data_notice.sha256.clone(),
            "zhang2021",
            super::SYNTHETIC_MODEL,
        )
    }

    /// Read DIR/results.json.
    pub fn read(path: &Path) -> Result<Results> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Results::from_json(&text, &path.display().to_string())
    }
}

/// Baseline characteristics of Table 1: the score items before stenting.
const BASELINE_VARS: [&str; 4] = [
    "calcium_270_length_mm",
    "calcium_360",
    "calcified_nodule",
    "vessel_diameter_mm",
];

/// Outcomes, kept apart from the baseline characteristics: the score and what follows stenting.
const OUTCOME_VARS: [&str; 4] = [
    "score",
    "stent_expansion_pct",
    "underexpansion",
    "calcium_fracture",
];

/// A Table 1 of the analysed lesions by cohort over `vars` (those present); `None` if not computable.
fn cohort_table(run: &Run, vars: &[&str]) -> Option<calcscore_report::table1::Table1> {
    let vars: Vec<String> = vars
        .iter()
        .filter(|v| run.set.table.has(v))
        .map(|v| v.to_string())
        .collect();
    let opts = calcscore_report::table1::Table1Options {
        by: "cohort".into(),
        vars,
        ..Default::default()
    };
    calcscore_report::table1::table1(&run.set.table, &opts).ok()
}

/// analysed + excluded (rules and missing data) = input, with no lesion counted twice.
pub fn reconciles(run: &Run) -> bool {
    let excluded = run.flow.exclusions.len() + run.set.exclusions.len();
    run.flow.reconciles() && run.set.len() + excluded == run.flow.n_input
}

fn manifest(run: &Run) -> String {
    crate::Manifest {
        seed: Some(run.options.seed),
        ..crate::Manifest::new("zhang2021", &run.notice, &run.options)
    }
    .to_json()
}

/// Columns of flow.csv.
const FLOW_COLUMNS: [&str; 7] = [
    "stage",
    "rule",
    "reason",
    "n_in",
    "n_meeting",
    "n_excluded",
    "n_out",
];

/// Columns of coefficients.csv (broom's tidy vocabulary after the model's name, rows and family).
const COEFFICIENT_COLUMNS: [&str; 10] = [
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
];

/// The CSV tables of the report.
fn tables(res: &Results, checks: &[published::CheckRow]) -> Vec<OutputFile> {
    let t = |name: &str, header: &[&str], rows: Vec<Vec<String>>| {
        (name.to_string(), csv(header, &rows).into_bytes())
    };
    let a = &res.analysis;
    vec![
        t("flow.csv", &FLOW_COLUMNS, flow_rows(res)),
        t(
            "cohorts.csv",
            &["cohort", "label", "n_lesions", "n_patients"],
            cohort_tab(res).rows,
        ),
        t(
            "coefficients.csv",
            &COEFFICIENT_COLUMNS,
            coefficient_rows(res),
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
            points_csv_rows(a),
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
            accuracy_csv_rows(a),
        ),
        t(
            "roc_coords.csv",
            &["threshold", "sensitivity", "specificity"],
            a.roc
                .iter()
                .flat_map(|roc| roc.coords.iter())
                .map(|c| {
                    vec![
                        num(Some(c.threshold)),
                        num(Some(c.sensitivity)),
                        num(Some(c.specificity)),
                    ]
                })
                .collect(),
        ),
        t(
            "expansion_by_score.csv",
            &["cohort", "score", "n", "mean", "sd", "n_underexpansion"],
            by_score_rows(a, num),
        ),
        ("check.csv".into(), check_tab(checks).to_csv().into_bytes()),
    ]
}

/// points.csv: one row per item.
fn points_csv_rows(a: &Analysis) -> Vec<Vec<String>> {
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
        .collect()
}

/// accuracy.csv: one row per measure at the cutoff in A+B.
fn accuracy_csv_rows(a: &Analysis) -> Vec<Vec<String>> {
    a.accuracy
        .iter()
        .flat_map(|acc| acc.measures.iter())
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
        .collect()
}

/// One row per cohort and score level (expansion_by_score.csv, the by_score table): cohort, score, n, mean
/// and SD as `f` writes them, lesions below 70%.
fn by_score_rows(a: &Analysis, f: impl Fn(Option<f64>) -> String) -> Vec<Vec<String>> {
    a.by_score
        .iter()
        .map(|l| {
            vec![
                l.cohort.clone(),
                l.score.to_string(),
                l.n.to_string(),
                f(l.mean),
                f(l.sd),
                l.n_underexpansion.to_string(),
            ]
        })
        .collect()
}

/// The analysis set's rows for analysis_set.csv, made one at a time.
fn analysis_rows(run: &Run) -> impl Iterator<Item = [Cow<'_, str>; 6]> + '_ {
    let t = &run.set.table;
    let text = |c: &str| t.text(c).unwrap_or_default();
    let (lesion, patient, cohort) = (text("lesion_id"), text("patient_id"), text("cohort"));
    let numbers = |c: &str| t.numbers(c).unwrap_or_default();
    let (score, expansion, under) = (
        numbers("score"),
        numbers("stent_expansion_pct"),
        numbers("underexpansion"),
    );
    (0..t.nrows()).map(move |i| {
        let s =
            |v: &calcscore_data::TextColumn| Cow::Owned(v.get(i).unwrap_or_default().to_string());
        [
            s(&lesion),
            s(&patient),
            s(&cohort),
            Cow::Owned(num(score.get(i))),
            Cow::Owned(num(expansion.get(i))),
            Cow::Owned(num(under.get(i))),
        ]
    })
}

fn flow_rows(res: &Results) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &res.flow.stages {
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

/// The exclusions ledger's rows for exclusions.csv, made one at a time (the row number formatted on the
/// stack: a string per entry was 10^7 allocations at 10^7 lesions).
fn exclusion_rows(run: &Run) -> impl Iterator<Item = [Cell<'_>; 5]> + '_ {
    run.flow
        .exclusions
        .iter()
        .chain(&run.set.exclusions)
        .map(|e| {
            [
                Cell::Text(run.ids.lesion_id(e.index)),
                Cell::Text(run.ids.patient_id(e.index)),
                Cell::Row(RowNumber::new(e.row)),
                Cell::Text(&e.rule),
                Cell::Text(&e.reason),
            ]
        })
}

/// One cell of a ledger row: borrowed text or a row number.
enum Cell<'a> {
    Text(&'a str),
    Row(RowNumber),
}

impl AsRef<str> for Cell<'_> {
    fn as_ref(&self) -> &str {
        match self {
            Cell::Text(s) => s,
            Cell::Row(r) => r.as_str(),
        }
    }
}

/// A row number in decimal, in a fixed buffer (20 digits hold any `usize`).
struct RowNumber {
    buf: [u8; 20],
    start: usize,
}

impl RowNumber {
    fn new(mut n: usize) -> Self {
        let (mut buf, mut start) = ([b'0'; 20], 20);
        loop {
            start -= 1;
            buf[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        RowNumber { buf, start }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or_default()
    }
}

fn models(res: &Results) -> Vec<(&'static str, &FittedModel)> {
    let a = &res.analysis;
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

fn coefficient_rows(res: &Results) -> Vec<Vec<String>> {
    models(res)
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

/// A report table (Markdown in report.md/report.html, booktabs in tables.tex) labelled `tab:<label>`.
fn tab(label: &str, caption: String, head: &[&str], rows: Vec<Vec<String>>) -> Table {
    Table::new(head)
        .rows(rows)
        .caption(caption)
        .label(format!("tab:{label}"))
}

fn coef_tab(label: &'static str, m: &FittedModel, exp: bool, lvl: &str) -> Table {
    let odds = format!("odds ratio [{lvl}% CI]");
    let est = format!("estimate [{lvl}% CI]");
    let head = if exp {
        ["term", odds.as_str(), "log OR (SE)", "z", "P"]
    } else {
        ["term", est.as_str(), "SE", "t", "P"]
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
    let caption = format!(
        "`{}` in {} (n = {} lesions, {} patients)",
        m.formula, m.data, m.n, m.n_clusters
    );
    tab(label, caption, &head, rows)
}

/// A model's coefficient table with its caption as the paragraph above it (so the HTML table has no caption of its own).
fn coef_table(label: &'static str, m: &FittedModel, exp: bool, lvl: &str) -> Doc {
    let t = coef_tab(label, m, exp, lvl);
    Doc::of(format!("{}\n\n", t.caption)).table(t.caption(""))
}

fn flow_tab(res: &Results) -> Table {
    let mut rows = Vec::new();
    for s in &res.flow.stages {
        for (k, rc) in s.rules.iter().enumerate() {
            let entering = if k == 0 {
                s.n_in.to_string()
            } else {
                String::new()
            };
            let remaining = if k + 1 == s.rules.len() {
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
    tab(
        "flow",
        "Study flow: lesions entering each stage, meeting each exclusion rule, excluded (first rule only) and remaining".into(),
        &["stage", "rule", "entering", "meeting", "excluded", "remaining"],
        rows,
    )
}

fn cohort_tab(res: &Results) -> Table {
    let rows = res
        .cohorts
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
    tab(
        "cohorts",
        "Cohorts analysed".into(),
        &["cohort", "", "lesions", "patients"],
        rows,
    )
}

fn points_tab(res: &Results) -> Table {
    let rows = res
        .analysis
        .points
        .iter()
        .zip(&res.score.items)
        .map(|(p, item)| {
            vec![
                p.item.clone(),
                r(p.coefficient, 2),
                r(p.ratio, 2),
                p.points.to_string(),
                p.published_points.to_string(),
                null_effect_note(res, &item.indicator_name()),
            ]
        })
        .collect();
    tab(
        "points",
        "Points table: linear-model coefficient of each item in cohort A divided by the smallest absolute coefficient, rounded; \
         an item whose interval includes no effect (linear or logistic model) keeps its point only with the note"
            .into(),
        &["item", "coefficient (% expansion)", "ratio", "derived points", "published points", "note"],
        rows,
    )
}

/// "effect not distinguishable from none: ..." when the item's interval includes no effect in A's linear or
/// logistic model; empty otherwise.
fn null_effect_note(res: &Results, term: &str) -> String {
    let lvl = pct_level(res);
    let find = |m: &Option<FittedModel>| {
        m.as_ref()
            .and_then(|m| m.coefficients.iter().find(|c| c.term == term).cloned())
    };
    let mut why = Vec::new();
    if let Some(c) =
        find(&res.analysis.derivation_linear).filter(|c| c.conf_low <= 0.0 && c.conf_high >= 0.0)
    {
        why.push(format!(
            "linear {} [{}, {}] %",
            r(c.estimate, 2),
            r(c.conf_low, 2),
            r(c.conf_high, 2)
        ));
    }
    if let Some(c) =
        find(&res.analysis.derivation_logistic).filter(|c| c.conf_low <= 0.0 && c.conf_high >= 0.0)
    {
        why.push(format!(
            "logistic OR {} [{}, {}]",
            r(c.estimate.exp(), 2),
            r(c.conf_low.exp(), 2),
            r(c.conf_high.exp(), 2)
        ));
    }
    if why.is_empty() {
        return String::new();
    }
    format!(
        "effect not distinguishable from none ({lvl}% CI: {})",
        why.join("; ")
    )
}

fn accuracy_tab(res: &Results) -> Option<Table> {
    let a = res.analysis.accuracy.as_ref()?;
    let rows = a
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
    Some(tab(
        "accuracy",
        format!(
            "Accuracy of score ≥{} for underexpansion in A+B pooled (includes the derivation cohort A), Clopper-Pearson {}% CIs",
            a.cutoff,
            pct_level(res)
        ),
        &[
            "measure",
            &format!("estimate [{}% CI]", pct_level(res)),
            "n",
        ],
        rows,
    ))
}

fn slopes_tab(res: &Results) -> Table {
    let rows = res
        .analysis
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
    tab(
        "slopes",
        "Stent expansion on score per cohort: slope (% expansion per score point), cluster-robust by patient".into(),
        &["cohort", "lesions", &format!("slope, % per point [{}% CI]", pct_level(res)), "P"],
        rows,
    )
}

fn by_score_tab(res: &Results) -> Table {
    let rows = by_score_rows(&res.analysis, |v| v.map_or("–".into(), |x| r(x, 1)));
    tab(
        "by_score",
        "Stent expansion by score in each cohort (the data of Figure 4)".into(),
        &["cohort", "score", "n", "mean %", "SD", "<70%"],
        rows,
    )
}

fn check_tab(checks: &[published::CheckRow]) -> Table {
    calcscore_report::check::table(checks)
        .caption("Published numbers of Zhang et al. 2021 against this run")
        .label("tab:check")
}

/// Every report table, in report order, for tables.tex.
fn latex_tables(res: &Results, checks: &[published::CheckRow]) -> Vec<Table> {
    let a = &res.analysis;
    let mut t = vec![flow_tab(res), cohort_tab(res)];
    if let Some(m) = &a.derivation_linear {
        t.push(coef_tab("derivation_linear", m, false, &pct_level(res)));
    }
    if let Some(m) = &a.derivation_logistic {
        t.push(coef_tab("derivation_logistic", m, true, &pct_level(res)));
    }
    if let Some(m) = &a.derivation_continuous {
        t.push(coef_tab("derivation_continuous", m, false, &pct_level(res)));
    }
    t.push(points_tab(res));
    t.extend(accuracy_tab(res));
    t.extend([slopes_tab(res), by_score_tab(res), check_tab(checks)]);
    t
}

/// A figure in Markdown: the image and its numbered caption (Figures 1, 4 and 5 keep the paper's numbers;
/// figures the paper does not have are numbered S1, S2, ... in order of appearance).
pub(super) fn figure_md(file: &str, title: &str, caption: &str) -> String {
    format!("![{title}]({file})\n\n*{title}.* {caption}\n\n")
}

/// The report: prose and tables in order, rendered to report.md and report.html.
/// report.md's sections; `imputed` is the TRIPOD+AI missing-data item's words for an appended imputation analysis.
fn report_doc(res: &Results, checks: &[published::CheckRow], imputed: Option<&str>) -> Doc {
    Doc::of("# Reproduction of Zhang et al. 2021: IVUS calcium score\n\n")
        .prose(notice_md(res))
        .append(flow_doc(res))
        .append(super::pipeline::missing_doc(&res.missing_values))
        .append(table1_doc(res))
        .append(derivation_doc(res))
        .append(validation_doc(res))
        .append(super::tripod::tripod_doc(res, imputed))
        .append(check_doc(checks))
        .append(seed_doc(res))
        .prose(footer_md(res))
}

/// Table 1: baseline characteristics of the analysed lesions by cohort, then the outcomes in a table of their own.
fn table1_doc(res: &Results) -> Doc {
    use calcscore_report::table1::{render, Format, Table1};
    let table = |t: &Table1| {
        Doc::new()
            .rendered(render(t, Format::Md), render(t, Format::Html))
            .prose("\n")
    };
    let doc = match &res.table1 {
        Some(t) => {
            Doc::of("## Table 1. Baseline characteristics of the analysed lesions by cohort\n\n")
                .append(table(t))
        }
        None => {
            Doc::of("## Table 1. Baseline characteristics\n\nNot computable on these data.\n\n")
        }
    };
    match &res.table1_outcomes {
        Some(t) => doc
            .prose(
                "### Outcomes by cohort\n\nThe score and what follows stenting (stent expansion, underexpansion, calcium fracture) \
                 are outcomes, not baseline characteristics; their differences between cohorts are results of the study.\n\n",
            )
            .append(table(t)),
        None => doc,
    }
}

fn notice_md(res: &Results) -> String {
    let n = &res.notice();
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

fn flow_doc(res: &Results) -> Doc {
    let f = &res.flow;
    let overlap = f.stages.first().map_or(0, |s| s.n_overlap);
    let excluded = f.n_excluded_by_rules + f.n_excluded_missing_data;
    let intro = format!(
        "## 1. Study flow\n\n{} lesions of {} patients. \"Meeting\" counts every lesion entering the stage that meets the rule \
         (overlapping, as the paper's Figure 1 reports; {overlap} lesions met two stage-1 rules); \"excluded\" counts each lesion once, \
         under its first rule.\n\n",
        f.n_input, f.n_input_patients,
    );
    let reconciliation = format!(
        "\nReconciliation: analysed {} + excluded {} (rules {}, missing data {}) = {} = input {}: **{}**. \
         Every excluded lesion is listed in `exclusions.csv` with its rule.\n\n{}### Cohorts\n\nA/B: seeded random 1:1 split (seed {}, by {}) \
         of lesions with angiographic calcium and no atherectomy.\n\n",
        f.n_analysed,
        excluded,
        f.n_excluded_by_rules,
        f.n_excluded_missing_data,
        f.n_analysed + excluded,
        f.n_input,
        if f.reconciles { "reconciles" } else { "DOES NOT RECONCILE" },
        figure_md(
            "figure1_flow.svg",
            "Figure 1",
            "Study flow. Side boxes: lesions meeting each exclusion rule (a lesion may meet several rules of one step); \
             bottom: the four cohorts analysed.",
        ),
        res.options.seed,
        res.options.split.name(),
    );
    Doc::of(intro)
        .table(flow_tab(res))
        .prose(reconciliation)
        .table(cohort_tab(res))
        .prose("\n")
        .prose(overlap_md(res))
}

/// How many patients have lesions on both sides of the A/B split.
fn overlap_md(res: &Results) -> String {
    let o = &res.analysis.split_overlap;
    let fix = if res.options.split == SplitUnit::Patient {
        "the split is by patient, so no patient contributes to both".to_string()
    } else {
        format!(
            "their lesions are correlated across the derivation and the validation cohort, so B is not fully independent of A; \
             `--split patient` removes that (this run split by {})",
            res.options.split.name()
        )
    };
    format!(
        "Patients with lesions in both A and B: **{}** (of {} patients in A and {} in B): {fix}.\n\n",
        o.patients_both, o.patients_a, o.patients_b
    )
}

fn derivation_doc(res: &Results) -> Doc {
    let a = &res.analysis;
    let lvl = pct_level(res);
    let model = |label, m: &Option<FittedModel>, exp| match m {
        Some(m) => coef_table(label, m, exp, &lvl),
        None => Doc::of("not estimable (see the notes below).\n"),
    };
    let mut doc = Doc::of(format!(
        "## 2. Derivation (cohort A)\n\nStent expansion (%) on the four dichotomised items, linear model; covariance: {COVARIANCE}.\n\n"
    ))
    .append(model("derivation_linear", &a.derivation_linear, false))
    .prose("\nUnderexpansion (<70%) on the same items, logistic model:\n\n")
    .append(model("derivation_logistic", &a.derivation_logistic, true))
    .prose("\n");
    if let Some(c) = &a.derivation_continuous {
        doc = doc
            .prose("The candidates before dichotomising:\n\n")
            .append(coef_table("derivation_continuous", c, false, &lvl))
            .prose("\n");
    }
    // Only a figure that is drawn is linked (a derivation without an estimable model has no forest plot).
    let forest = match figures::forest(res) {
        Some(_) => figure_md(
            "figure_forest.svg",
            "Figure S1",
            &format!(
                "Derivation models in cohort A: the four score items' effect on stent expansion (linear model, % points) and, \
                 when estimable, on the odds of underexpansion (<70%, logistic model, log scale); squares: estimates, lines: {}% CIs \
                 (cluster-robust by patient).",
                lvl
            ),
        ),
        None => String::new(),
    };
    doc.prose(forest)
    .prose("### Points\n\nPoints = coefficient ÷ the smallest absolute item coefficient, rounded.\n\n")
    .table(points_tab(res))
    .prose("\n")
}

/// The figures of section 3: ROC, calibration, Figure 4 and Figure 5 (empty when not estimable).
fn validation_figures(res: &Results) -> [String; 4] {
    let a = &res.analysis;
    let lvl = pct_level(res);
    let roc_fig = match (&a.roc, &a.accuracy) {
        (Some(roc), Some(acc)) => figure_md(
        "figure_roc.svg",
        "Figure S2",
        &format!(
            "ROC curve of the IVUS calcium score for underexpansion (<70%) in cohorts A+B ({} lesions, {} underexpanded); \
             dashed: chance. The point marks the cutoff score ≥{} with its sensitivity and specificity; AUC with DeLong's {lvl}% CI.",
            roc.n, roc.n_cases, acc.cutoff
        ),
    ),
        _ => String::new(),
    };
    let calibration_fig = if a.calibration_model.is_some() {
        figure_md(
            "figure_calibration.svg",
            "Figure S3",
            &format!(
                "Calibration in the validation cohort B. Predicted: probability of underexpansion (<70%) from the logistic model \
                 of underexpansion on the score fitted in the derivation cohort A (line, with its {lvl}% CI, cluster-robust by patient). \
                 Observed: proportion underexpanded in B at each score, with Clopper-Pearson {lvl}% CIs; n under each score."
            ),
        )
    } else {
        String::new()
    };
    let fig4 = figure_md(
        "figure4_expansion_by_score.svg",
        "Figure 4",
        "Stent expansion (mean ± SD) by IVUS calcium score in each cohort; n under each bar; dashed line: 70% (underexpansion).",
    );
    let fig5 = match figures::figure5(res) {
        Ok(Some(_)) => figure_md(
            "figure5_score_vs_expansion.svg",
            "Figure 5",
            &format!(
                "Stent expansion on the IVUS calcium score without (B) and with (C) atherectomy: fitted lines of the per-cohort linear \
                 models with their {lvl}% confidence bands (cluster-robust by patient); markers: mean ± SD per score (dodged); dashed line: 70%; \
                 P of the score × atherectomy interaction in B+C."
            ),
        ),
        _ => String::new(),
    };
    [roc_fig, calibration_fig, fig4, fig5]
}

/// Section 3: the score's ROC, accuracy, validation in B, expansion on score, fracture and other quantities.
fn validation_doc(res: &Results) -> Doc {
    let [roc_fig, calibration_fig, fig4, fig5] = validation_figures(res);
    let b_figures = res
        .analysis
        .b_only
        .as_ref()
        .map_or(String::new(), |b| b_figures_md(b, &pct_level(res)));
    Doc::of(format!(
        "## 3. Score performance and validation\n\n### ROC of the score for underexpansion (A+B pooled, as the paper)\n\n\
         A+B pools the derivation cohort A with the validation cohort B, so the ROC, the Youden cutoff and the 2×2 table below include the \
         data the points were derived on (partly in-sample); the same measures in B alone follow them.\n\n{}\n\n{roc_fig}",
        roc_text(res)
    ))
    .append(accuracy_doc(res))
    .prose(b_only_md(res))
    .prose(calibration_fig)
    .prose(b_figures)
    .prose("### Stent expansion on score, per cohort\n\n")
    .table(slopes_tab(res))
    .prose(format!(
        "\nInteraction score × atherectomy (B vs C): {}.\n\n{fig4}{fig5}",
        interaction_text(res)
    ))
    .table(by_score_tab(res))
    .prose(other_quantities_md(res))
}

/// The interaction score × atherectomy in words.
fn interaction_text(res: &Results) -> String {
    res.analysis
        .interaction_term
        .as_ref()
        .map_or(NOT_ESTIMABLE.to_string(), |t| {
            format!(
                "{} %/point [{}, {}], {}",
                r(t.estimate, 2),
                r(t.conf_low, 2),
                r(t.conf_high, 2),
                published::p_is(t.p_value)
            )
        })
}

/// The end of section 3: fracture, the other published quantities, and what was not estimable.
fn other_quantities_md(res: &Results) -> String {
    let a = &res.analysis;
    format!(
        "\n### Calcium fracture after PCI\n\n{}\n\n\
         ### Other published quantities\n\n- D: underexpansion {}/{} ({}%); lesions with score {}: {}.\n- Calcified nodule among analysed lesions: {}/{} ({}%).\n\
         - Pre-stent IVUS after preparation: {} lesions, {} with calcium fracture; their final expansion {}.\n\n{}",
        fracture_text(res),
        a.d_underexpansion.x, a.d_underexpansion.n, r(100.0 * a.d_underexpansion.estimate, 1), res.score.max_points(), a.d_max_score_n,
        a.nodule.x, a.nodule.n, r(100.0 * a.nodule.estimate, 1),
        a.prep.n, a.prep.n_fracture,
        a.prep.expansion_mean.as_ref().and_then(|m| m.estimate).map_or("–".into(), |m| format!("{} ± {}%", r(m, 1), r(a.prep.expansion_sd.unwrap_or(f64::NAN), 1))),
        not_estimable_md(res),
    )
}

/// What the report says for an analysis the data did not allow.
const NOT_ESTIMABLE: &str = "not estimable (see \"Not estimable\" below)";

/// Every analysis that could not be done, and why (the notes), as the last part of section 3.
fn not_estimable_md(res: &Results) -> String {
    if res.analysis.notes.is_empty() {
        return String::new();
    }
    let items: String = res
        .analysis
        .notes
        .iter()
        .map(|n| format!("- {n}\n"))
        .collect();
    format!("### Not estimable, or estimable with a caveat\n\n{items}\n")
}

fn roc_text(res: &Results) -> String {
    let Some(roc) = &res.analysis.roc else {
        return format!("The ROC analysis is {NOT_ESTIMABLE}.");
    };
    let clustered = match (roc.clustered_conf_low, roc.clustered_conf_high) {
        (Some(l), Some(h)) => format!("{}–{}", r(l, 3), r(h, 3)),
        _ => "not estimable".into(),
    };
    // DeLong's variance needs two cases and two controls; with fewer it is not a number.
    let delong = if roc.conf_low.is_finite() && roc.conf_high.is_finite() {
        format!("{}–{}", r(roc.conf_low, 3), r(roc.conf_high, 3))
    } else {
        format!(
            "not estimable with {} case(s) and {} control(s)",
            roc.n_cases,
            roc.n - roc.n_cases
        )
    };
    format!(
        "{} lesions, {} with underexpansion. AUC {} (DeLong {}% CI {delong}; clustered by patient, Obuchowski: {clustered}, {} patients). \
         Youden-optimal threshold {} → score ≥{} (sensitivity {}, specificity {}).",
        roc.n, roc.n_cases, r(roc.auc, 3), pct_level(res), roc.n_clusters,
        r(roc.youden_threshold, 2), roc.youden_cutoff, r(roc.youden_sensitivity, 3), r(roc.youden_specificity, 3),
    )
}

/// The score in B alone: AUC, accuracy at the cutoff, calibration of A's model.
fn b_only_md(res: &Results) -> String {
    let lvl = pct_level(res);
    let Some(b) = &res.analysis.b_only else {
        return "### Validation cohort B alone\n\nNot estimable: B has no lesions.\n\n".into();
    };
    let auc = b.auc.as_ref().map_or(
        "AUC not estimable (fewer than 2 lesions with or without underexpansion)".into(),
        |a| {
            format!(
                "AUC {} (DeLong {lvl}% CI {}–{})",
                r(a.estimate, 3),
                r(a.conf_low, 3),
                r(a.conf_high, 3)
            )
        },
    );
    let measures: Vec<String> = b
        .measures
        .iter()
        .map(|m| {
            let name = match m.measure.as_str() {
                "ppv" => "PPV",
                "npv" => "NPV",
                other => other,
            };
            format!(
                "{name} {} ({}/{})",
                ci(m.estimate, m.conf_low, m.conf_high, 3),
                m.numerator,
                m.denominator
            )
        })
        .collect();
    let iv = |i: &Option<calcscore_score::derive::Interval>| {
        i.as_ref().map_or("not estimable".into(), |i| {
            ci(i.estimate, i.conf_low, i.conf_high, 2)
        })
    };
    let cal = b.calibration.as_ref().map_or(
        "Calibration of A's model in B: not estimable (no logistic model of underexpansion on the score in A).".to_string(),
        |c| format!(
            "Calibration in B of A's logistic model of underexpansion on the score (external): calibration-in-the-large {} \
             (0 = predictions right on average), calibration slope {} (1 = right spread); underexpansion observed {} vs expected {} lesions.",
            iv(&c.intercept), iv(&c.slope), c.observed_events, r(c.expected_events, 1)
        ),
    );
    format!(
        "### Validation cohort B alone\n\n{} lesions, {} with underexpansion. {auc}. At score ≥{} (Clopper-Pearson {lvl}% CIs): {}.\n\n{cal}{}\n\n",
        b.n, b.n_cases, b.cutoff, measures.join("; "), val_prob_md(b)
    )
}

/// The val.prob measures of A's model in B, as a sentence.
fn val_prob_md(b: &super::validation_b::BOnly) -> String {
    let Some(v) = b.calibration.as_ref().and_then(|c| c.val_prob.as_ref()) else {
        return String::new();
    };
    format!(
        " Overall performance of A's predictions in B (`rms::val.prob`): Brier score {}, scaled Brier {}; \
         flexible (lowess) calibration curve: ICI {}, E50 {}, E90 {}, Emax {} (mean, median, 90th percentile and largest \
         |predicted − smoothed observed|); Spiegelhalter's z {} ({}).",
        r(v.brier, 3),
        r(v.scaled_brier, 3),
        r(v.ici, 3),
        r(v.e50, 3),
        r(v.e90, 3),
        r(v.emax, 3),
        r(v.spiegelhalter_z, 2),
        published::p_is(v.spiegelhalter_p)
    )
}

/// The flexible calibration plot and the decision curve in B, with captions (when estimable).
fn b_figures_md(b: &super::validation_b::BOnly, lvl: &str) -> String {
    let mut md = String::new();
    if b.calibration.as_ref().is_some_and(|c| c.flexible.is_some()) {
        md.push_str(&figure_md(
            "figure_calibration_flexible.svg",
            "Figure S4",
            &format!(
                "Flexible calibration in the validation cohort B of the risk model fitted in A (logistic model of underexpansion \
                 <70% on the score). x: predicted risk; y: observed proportion. Grey: ideal (45° line); blue: lowess curve \
                 (`rms::val.prob`, iter = 0); dots: observed proportion in groups of the predictions (`Hmisc::cut2`, 10 groups; \
                 the score's few levels merge them) with Wilson {lvl}% CIs; spikes at the bottom: distribution of the predictions."
            ),
        ));
    }
    if let Some(d) = &b.decision {
        md.push_str(&figure_md(
            "figure_decision.svg",
            "Figure S5",
            &format!(
                "Decision curve in the validation cohort B (prevalence of underexpansion {}): net benefit = TP/n − FP/n · pt/(1 − pt) \
                 over threshold probabilities pt = 0.01 … 0.99 (dcurves' conventions, treat when risk ≥ pt) for A's risk model, \
                 the strategy score ≥{} (treat every lesion at or above the cutoff), treating all and treating none.",
                r(d.prevalence, 3),
                d.cutoff
            ),
        ));
        let at = |t: f64| d.rows.iter().find(|r| (r.threshold - t).abs() < 1e-9);
        let rows: Vec<String> = [0.1, 0.2, 0.3]
            .iter()
            .filter_map(|&t| at(t))
            .map(|x| {
                format!(
                    "pt {}: model {}, score ≥{} {}, treat all {}",
                    r(x.threshold, 2),
                    r(x.net_benefit_model, 3),
                    d.cutoff,
                    r(x.net_benefit_cutoff, 3),
                    r(x.net_benefit_all, 3)
                )
            })
            .collect();
        if !rows.is_empty() {
            md.push_str(&format!("Net benefit in B: {}.\n\n", rows.join("; ")));
        }
    }
    md
}

fn accuracy_doc(res: &Results) -> Doc {
    match (&res.analysis.accuracy, accuracy_tab(res)) {
        (Some(acc), Some(tab)) => Doc::of(format!(
            "### Accuracy of score ≥{} (A+B pooled), Clopper-Pearson CIs\n\nTP {}, FP {}, FN {}, TN {}.\n\n",
            acc.cutoff, acc.tp, acc.fp, acc.fn_, acc.tn
        ))
        .table(tab)
        .prose("\n"),
        _ => Doc::of(format!("### Accuracy (A+B)\n\nAccuracy is {NOT_ESTIMABLE}.\n\n")),
    }
}

fn fracture_text(res: &Results) -> String {
    let Some(fr) = &res.analysis.fracture else {
        return format!("The fracture comparison is {NOT_ESTIMABLE}.");
    };
    format!(
        "C: {}/{} ({}%, {}); B: {}/{} ({}%, {}). Chi-square with Yates' correction {}; without {}; Fisher's exact {}.",
        fr.atherectomy.x, fr.atherectomy.n, r(100.0 * fr.atherectomy.estimate, 1), ci_pct(fr.atherectomy.conf_low, fr.atherectomy.conf_high, &pct_level(res)),
        fr.validation.x, fr.validation.n, r(100.0 * fr.validation.estimate, 1), ci_pct(fr.validation.conf_low, fr.validation.conf_high, &pct_level(res)),
        published::p_is(fr.chisq_yates.p_value), published::p_is(fr.chisq.p_value), published::p_is(fr.fisher.p_value),
    )
}

fn pct_level(res: &Results) -> String {
    r(100.0 * res.options.conf_level, 0)
}

fn ci_pct(lo: f64, hi: f64, lvl: &str) -> String {
    format!("{lvl}% CI {}–{}%", r(100.0 * lo, 1), r(100.0 * hi, 1))
}

fn check_doc(checks: &[published::CheckRow]) -> Doc {
    let verdict = if published::all_pass(checks) {
        "all checked quantities pass"
    } else {
        "SOME QUANTITIES FAIL"
    };
    Doc::of(format!(
        "## 4. Published numbers\n\nEach number of the paper (`datasets/published/zhang2021.toml`, with its source and why its tolerance) \
         against this run: {verdict}. Quantities the paper does not give are listed as not checked.\n\n"
    ))
    .table(check_tab(checks))
    .prose("\n")
}

/// `bench/seed_percentiles.sh` output: where each published value falls among values simulated over many seeds.
const SEED_PERCENTILES: &str = include_str!("../../../../bench/zhang2021_seed_percentiles.json");

/// The seed study as `bench/seed_percentiles.sh` writes it.
#[derive(Debug, Deserialize)]
struct SeedStudy {
    seeds: String,
    n_seeds: usize,
    shipped_seed: u64,
    seeds_passing_every_check: Vec<u64>,
    #[serde(default)]
    fixed_by_construction: Vec<String>,
    quantities: Vec<SeedQuantity>,
}

/// One published value among the simulated ones.
#[derive(Debug, Deserialize)]
struct SeedQuantity {
    name: String,
    rule: String,
    published: f64,
    percentile: f64,
    simulated_median: f64,
    pass_rate: f64,
}

/// How the shipped synthetic registry's seed was chosen, and what a passing check means (synthetic data only).
fn seed_doc(res: &Results) -> Doc {
    if !res.data_notice.synthetic {
        return Doc::new();
    }
    let Ok(study) = serde_json::from_str::<SeedStudy>(SEED_PERCENTILES) else {
        return Doc::new();
    };
    let rows: Vec<Vec<String>> = study
        .quantities
        .iter()
        .map(|q| {
            vec![
                q.name.clone(),
                if q.rule == "p_below" {
                    let rel = if q.published <= 0.0001 { "<" } else { "=" };
                    format!("P{rel}{}", published::fmt(q.published))
                } else {
                    published::fmt(q.published)
                },
                if q.rule == "p_below" {
                    published::p_equals(q.simulated_median)
                } else {
                    published::fmt(q.simulated_median)
                },
                r(q.percentile, 1),
                format!("{}%", r(100.0 * q.pass_rate, 0)),
            ]
        })
        .collect();
    let passing: Vec<String> = study
        .seeds_passing_every_check
        .iter()
        .map(u64::to_string)
        .collect();
    Doc::of(format!(
        "### How the synthetic seed was chosen\n\nThe shipped registry is seed {} of `calcscore simulate zhang2021`, the first seed \
         whose reproduction passes every check; it was chosen so that `calcscore check zhang2021` demonstrates the pipeline on a fresh \
         clone. Over seeds {} ({} registries simulated from the same model), {} pass every check ({}%: seeds {}). The table gives, for \
         each published number, the median of the simulated values and the percentile of the published value among them (near 50: the \
         model is centred on the paper; near 0 or 100: the paper's value lies in the tail of what the model produces), and the share of \
         seeds whose check passes. A passing check therefore says that the pipeline reproduces the paper's analysis on data like the \
         paper's, and no more: the data are simulated, not the paper's (`bench/seed_percentiles.sh` computed these numbers once). \
         {} further published numbers are the same in every simulated registry, because the model is built to give them: {}.\n\n",
        study.shipped_seed,
        study.seeds,
        study.n_seeds,
        passing.len(),
        r(100.0 * passing.len() as f64 / study.n_seeds.max(1) as f64, 1),
        passing.join(", "),
        study.fixed_by_construction.len(),
        study.fixed_by_construction.join(", "),
    ))
    .table(Table::new(&["quantity", "published", "simulated median", "percentile of published", "seeds passing"]).rows(rows))
    .prose("\n")
}

fn footer_md(res: &Results) -> String {
    format!(
        "---\n\ncalcscore {} · input SHA-256 `{}` · split seed {} · stent expansion: {} · {}% intervals · missing data: {MISSING_POLICY}.\n",
        res.calcscore_version,
        res.data_notice.sha256,
        res.options.seed,
        res.expansion_definition,
        pct_level(res)
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
        .flat_map(|acc| acc.measures.iter())
        .find(|m| m.measure == "npv")
        .map_or("–".into(), |m| ci(m.estimate, m.conf_low, m.conf_high, 3));
    let sizes: Vec<String> = run
        .cohorts
        .iter()
        .map(|c| format!("{} {}", c.cohort, c.n_lesions))
        .collect();
    let points = match a.points_not_estimable() {
        Some(why) => format!("not estimable ({why})"),
        None => {
            let p: Vec<String> = a.points.iter().map(|p| p.points.to_string()).collect();
            p.join("/")
        }
    };
    let mut s = String::new();
    if run.notice.synthetic {
        s.push_str("SYNTHETIC DATA: results from a simulated registry, not from patients.\n");
    }
    s.push_str(&format!(
        "Zhang 2021 IVUS calcium score: {} lesions → {} studied ({}); reconciles: {}\n\
         derived points {} (published 1/1/1/1); Youden cutoff {}; NPV at ≥{}: {}\n\
         slope B {}; C {}; interaction {}\nfracture {}\n{}wrote {}\n",
        run.flow.n_input,
        run.set.len(),
        sizes.join(", "),
        if reconciles(run) { "yes" } else { "NO" },
        points,
        a.roc
            .as_ref()
            .map_or("not estimable".into(), |r| format!("≥{}", r.youden_cutoff)),
        run.score.cutoff,
        npv,
        slope("B"),
        slope("C"),
        a.interaction_term
            .as_ref()
            .map_or("P not estimable".into(), |t| published::p_is(t.p_value)),
        a.fracture
            .as_ref()
            .map_or("C vs B not estimable".into(), |f| format!(
                "C {}% vs B {}% ({})",
                r(100.0 * f.atherectomy.estimate, 1),
                r(100.0 * f.validation.estimate, 1),
                published::p_is(f.chisq_yates.p_value)
            )),
        if a.notes.is_empty() {
            String::new()
        } else {
            format!(
                "{} analyses not estimable or with a caveat: see report.md\n",
                a.notes.len()
            )
        },
        out.display()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::RowNumber;

    /// The stack-formatted row number is what `to_string` writes.
    #[test]
    fn row_numbers_format_as_to_string() {
        for n in [0, 7, 10, 99, 1_234_567_890, usize::MAX] {
            assert_eq!(RowNumber::new(n).as_str(), n.to_string());
        }
    }
}
