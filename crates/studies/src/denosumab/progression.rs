//! CAC progression of paired scans: per-patient change (absolute, percent, annualised), the standard
//! progression definitions (square-root method, log(CAC+1), Sevrukov 2005 and MESA 2008 repeatability
//! limits), paired tests, the %ΔBMD–%ΔCAC correlation and a test against a natural progression rate.

use serde::Serialize;

use super::schema::{CacTable, Patient, SECONDARY};
use crate::Result;
use calcscore_stats::htest::{pearson, spearman, t_test_one, t_test_paired, wilcoxon_signed_rank};
use calcscore_stats::TestResult;

/// The natural CAC progression rate quoted by the pilot, in percent per year.
pub const NATURAL_RATE_PCT: f64 = 33.0;

/// Where [`NATURAL_RATE_PCT`] comes from.
pub const NATURAL_RATE_SOURCE: &str =
    "denosumab pilot report (seed 000), Discussion: \"the natural course of the CAC \
     score is an increase of about 33% per year\" (earlier reports, not referenced in the seed)";

/// Sevrukov 2005 repeatability coefficient: a change beyond ±4.930·√baseline is real.
pub(crate) const SEVRUKOV_COEF: f64 = 4.930;

/// How the square-root difference is compared with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// √CAC₁ − √CAC₀ ≥ threshold (Hokanson 2004).
    Ge,
    /// √CAC₁ − √CAC₀ > threshold.
    Gt,
}

impl calcscore_core::Choice for Compare {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            Compare::Ge,
            "ge",
            "√CAC₁ − √CAC₀ ≥ threshold (Hokanson 2004)",
        ),
        (Compare::Gt, "gt", "√CAC₁ − √CAC₀ > threshold"),
    ];
}

impl Compare {
    /// True when `x` passes the comparison with `t`.
    pub fn holds(self, x: f64, t: f64) -> bool {
        match self {
            Compare::Ge => x >= t,
            Compare::Gt => x > t,
        }
    }

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Compare::Ge => "≥",
            Compare::Gt => ">",
        }
    }
}

/// Options of a progression analysis.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Options {
    /// Natural progression rate (% per year) the annualised %ΔCAC is tested against.
    pub natural_rate: f64,
    /// Source of the natural rate, shown with it.
    pub natural_rate_source: String,
    /// Square-root method threshold (default 2.5).
    pub sqrt_threshold: f64,
    /// ≥ or >.
    pub sqrt_compare: Compare,
    /// Confidence level.
    pub conf_level: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            natural_rate: NATURAL_RATE_PCT,
            natural_rate_source: NATURAL_RATE_SOURCE.into(),
            sqrt_threshold: 2.5,
            sqrt_compare: Compare::Ge,
            conf_level: 0.95,
        }
    }
}

/// Change beyond a repeatability limit: up, down or within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Increase beyond the limit.
    Progression,
    /// Decrease beyond the limit.
    Regression,
    /// Within ± the limit.
    Within,
}

/// Classify a change `delta` against a limit `limit` (> limit up, < −limit down).
pub fn verdict(delta: f64, limit: f64) -> Verdict {
    if delta > limit {
        Verdict::Progression
    } else if delta < -limit {
        Verdict::Regression
    } else {
        Verdict::Within
    }
}

/// Sevrukov 2005 repeatability limit 4.930·√baseline.
pub fn sevrukov_limit(baseline: f64) -> f64 {
    SEVRUKOV_COEF * baseline.sqrt()
}

/// MESA 2008 repeatability limit 0.17·AS + 4.89·√AS + 0.44·BMI − 10.84 (AS = baseline Agatston).
pub fn mesa_limit(baseline: f64, bmi: f64) -> f64 {
    0.17 * baseline + 4.89 * baseline.sqrt() + 0.44 * bmi - 10.84
}

/// One evaluable patient's change.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PatientChange {
    /// Identifier.
    pub patient_id: String,
    /// Spreadsheet row.
    pub row: usize,
    /// Scan interval (years = days / 365.25).
    pub interval_years: Option<f64>,
    /// Agatston before.
    pub cac_before: f64,
    /// Agatston after.
    pub cac_after: f64,
    /// after − before.
    pub cac_change: f64,
    /// 100·(after − before)/before; `None` when the baseline is 0 (undefined).
    pub cac_pct_change: Option<f64>,
    /// cac_change / interval.
    pub cac_change_per_year: Option<f64>,
    /// cac_pct_change / interval (linear annualisation).
    pub cac_pct_change_per_year: Option<f64>,
    /// √after − √before.
    pub sqrt_change: f64,
    /// Square-root progression (threshold and comparison of the options).
    pub sqrt_progression: bool,
    /// ln(after + 1) − ln(before + 1).
    pub log_change: f64,
    /// Sevrukov 2005 limit.
    pub sevrukov_limit: f64,
    /// Change against the Sevrukov limit.
    pub sevrukov: Verdict,
    /// MESA 2008 limit (needs BMI).
    pub mesa_limit: Option<f64>,
    /// Change against the MESA limit.
    pub mesa: Option<Verdict>,
    /// BMD before (g/cm²).
    pub bmd_before: Option<f64>,
    /// BMD after.
    pub bmd_after: Option<f64>,
    /// 100·(after − before)/before of BMD.
    pub bmd_pct_change: Option<f64>,
}

/// Compute one patient's change; `None` when a score is missing.
pub(crate) fn patient_change(p: &Patient, opts: &Options) -> Option<PatientChange> {
    let (b, a) = (p.value("agatston_before")?, p.value("agatston_after")?);
    let years = p.interval_years().filter(|y| *y > 0.0);
    let pct = (b > 0.0).then(|| 100.0 * (a - b) / b);
    let sqrt_change = a.sqrt() - b.sqrt();
    let (bmd_b, bmd_a) = (p.value("bmd_before"), p.value("bmd_after"));
    let mesa_limit = p.value("bmi").map(|bmi| mesa_limit(b, bmi));
    Some(PatientChange {
        patient_id: p.patient_id.clone(),
        row: p.row,
        interval_years: years,
        cac_before: b,
        cac_after: a,
        cac_change: a - b,
        cac_pct_change: pct,
        cac_change_per_year: years.map(|y| (a - b) / y),
        cac_pct_change_per_year: pct.zip(years).map(|(x, y)| x / y),
        sqrt_change,
        sqrt_progression: opts.sqrt_compare.holds(sqrt_change, opts.sqrt_threshold),
        log_change: (a + 1.0).ln() - (b + 1.0).ln(),
        sevrukov_limit: sevrukov_limit(b),
        sevrukov: verdict(a - b, sevrukov_limit(b)),
        mesa_limit,
        mesa: mesa_limit.map(|l| verdict(a - b, l)),
        bmd_before: bmd_b,
        bmd_after: bmd_a,
        bmd_pct_change: bmd_b
            .zip(bmd_a)
            .filter(|(b, _)| *b > 0.0)
            .map(|(b, a)| 100.0 * (a - b) / b),
    })
}

/// A test with the name of what it tests (broom's `term`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NamedTest {
    /// What is tested, e.g. "agatston_after - agatston_before".
    pub term: String,
    /// Patients in the test.
    pub n: usize,
    /// The test.
    #[serde(flatten)]
    pub test: TestResult,
}

/// Mean and SD (n − 1) of a variable.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Describe {
    /// Variable.
    pub variable: String,
    /// Non-missing values.
    pub n: usize,
    /// Mean.
    pub mean: Option<f64>,
    /// Sample SD.
    pub sd: Option<f64>,
}

/// Mean and sample SD of `x` under `name`.
pub fn describe(name: &str, x: &[f64]) -> Describe {
    let (mean, sd) = calcscore_score::validate::mean_sd(x);
    Describe {
        variable: name.into(),
        n: x.len(),
        mean,
        sd,
    }
}

/// A patient left out of the analysis, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Left {
    /// Identifier.
    pub patient_id: String,
    /// Spreadsheet row.
    pub row: usize,
    /// Why.
    pub reason: String,
}

/// How many patients meet each progression definition.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DefinitionCounts {
    /// The definition in words.
    pub definition: String,
    /// Patients the definition could be applied to.
    pub n: usize,
    /// Progression.
    pub progression: usize,
    /// Regression (repeatability limits only).
    pub regression: Option<usize>,
}

/// A whole progression analysis.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Progression {
    /// Options used.
    pub options: Options,
    /// Patients in the file.
    pub n_patients: usize,
    /// Patients analysed (evaluable with both scores).
    pub n_evaluable: usize,
    /// Patients left out, each with a reason.
    pub not_evaluable: Vec<Left>,
    /// Per-patient changes.
    pub patients: Vec<PatientChange>,
    /// Means and SDs.
    pub describe: Vec<Describe>,
    /// Counts under each definition.
    pub definitions: Vec<DefinitionCounts>,
    /// Paired tests, correlations and the natural-rate test.
    pub tests: Vec<NamedTest>,
    /// Facts the reader must know (zero baselines, missing BMI, skipped tests).
    pub notes: Vec<String>,
}

/// Run the analysis on a validated table.
pub fn analyse(table: &CacTable, opts: &Options) -> Result<Progression> {
    calcscore_core::options::ConfLevel::new(opts.conf_level)?;
    calcscore_core::options::Threshold::new(opts.natural_rate)?;
    calcscore_core::options::Threshold::new(opts.sqrt_threshold)?;
    let mut not_evaluable = Vec::new();
    let mut patients = Vec::new();
    for p in &table.patients {
        match (p.evaluable, patient_change(p, opts)) {
            (true, Some(c)) => patients.push(c),
            (true, None) => not_evaluable.push(left(p, "an Agatston score is missing".into())),
            (false, _) => {
                let why = p.not_evaluable_reason.clone().unwrap_or_default();
                not_evaluable.push(left(p, format!("not evaluable: {why}")));
            }
        }
    }
    let mut notes = Vec::new();
    let zero: Vec<&str> = patients
        .iter()
        .filter(|c| c.cac_pct_change.is_none())
        .map(|c| c.patient_id.as_str())
        .collect();
    if !zero.is_empty() {
        notes.push(format!(
            "{} patient(s) with a baseline Agatston score of 0 ({}): percent change is undefined (division by zero) \
             and they are left out of every percent-change statistic; absolute, square-root and log changes include them",
            zero.len(),
            zero.join(", ")
        ));
    }
    let tests = tests(table, &patients, opts, &mut notes);
    Ok(Progression {
        options: opts.clone(),
        n_patients: table.patients.len(),
        n_evaluable: patients.len(),
        not_evaluable,
        describe: describe_all(table, &patients),
        definitions: definitions(&patients, opts, &mut notes),
        patients,
        tests,
        notes,
    })
}

fn left(p: &Patient, reason: String) -> Left {
    Left {
        patient_id: p.patient_id.clone(),
        row: p.row,
        reason,
    }
}

/// Column of values picked from the changes (missing values dropped).
fn pick(patients: &[PatientChange], f: impl Fn(&PatientChange) -> Option<f64>) -> Vec<f64> {
    patients.iter().filter_map(f).collect()
}

fn describe_all(table: &CacTable, patients: &[PatientChange]) -> Vec<Describe> {
    let ids: rustc_hash::FxHashSet<&str> = patients.iter().map(|c| c.patient_id.as_str()).collect();
    let age: Vec<f64> = table
        .patients
        .iter()
        .filter(|p| ids.contains(&p.patient_id.as_str()))
        .filter_map(|p| p.age_years)
        .collect();
    vec![
        describe("age_years", &age),
        describe("agatston_before", &pick(patients, |c| Some(c.cac_before))),
        describe("agatston_after", &pick(patients, |c| Some(c.cac_after))),
        describe("cac_change", &pick(patients, |c| Some(c.cac_change))),
        describe("cac_pct_change", &pick(patients, |c| c.cac_pct_change)),
        describe(
            "cac_pct_change_per_year",
            &pick(patients, |c| c.cac_pct_change_per_year),
        ),
        describe("interval_years", &pick(patients, |c| c.interval_years)),
        describe("bmd_before", &pick(patients, |c| c.bmd_before)),
        describe("bmd_after", &pick(patients, |c| c.bmd_after)),
        describe("bmd_pct_change", &pick(patients, |c| c.bmd_pct_change)),
        describe("log_change", &pick(patients, |c| Some(c.log_change))),
    ]
}

fn definitions(
    patients: &[PatientChange],
    opts: &Options,
    notes: &mut Vec<String>,
) -> Vec<DefinitionCounts> {
    let count = |f: &dyn Fn(&PatientChange) -> bool| patients.iter().filter(|c| f(c)).count();
    let with_bmi: Vec<&PatientChange> = patients.iter().filter(|c| c.mesa.is_some()).collect();
    if with_bmi.len() < patients.len() {
        notes.push(format!(
            "MESA 2008 limit needs BMI: applied to {} of {} patients",
            with_bmi.len(),
            patients.len()
        ));
    }
    if with_bmi
        .iter()
        .any(|c| c.mesa_limit.is_some_and(|l| l <= 0.0))
    {
        notes.push(
            "a MESA 2008 limit is ≤ 0 at a low baseline score: any increase counts as progression"
                .into(),
        );
    }
    vec![
        DefinitionCounts {
            definition: format!(
                "square-root method: √CAC₁ − √CAC₀ {} {}",
                opts.sqrt_compare.symbol(),
                opts.sqrt_threshold
            ),
            n: patients.len(),
            progression: count(&|c| c.sqrt_progression),
            regression: None,
        },
        DefinitionCounts {
            definition: "log(CAC+1) increased: ln(CAC₁+1) − ln(CAC₀+1) > 0".into(),
            n: patients.len(),
            progression: count(&|c| c.log_change > 0.0),
            regression: Some(count(&|c| c.log_change < 0.0)),
        },
        DefinitionCounts {
            definition: "Sevrukov 2005 repeatability: |ΔCAC| > 4.930·√CAC₀".into(),
            n: patients.len(),
            progression: count(&|c| c.sevrukov == Verdict::Progression),
            regression: Some(count(&|c| c.sevrukov == Verdict::Regression)),
        },
        DefinitionCounts {
            definition:
                "MESA 2008 repeatability: |ΔCAC| > 0.17·CAC₀ + 4.89·√CAC₀ + 0.44·BMI − 10.84".into(),
            n: with_bmi.len(),
            progression: count(&|c| c.mesa == Some(Verdict::Progression)),
            regression: Some(count(&|c| c.mesa == Some(Verdict::Regression))),
        },
    ]
}

/// The tests, each skipped with a note when its data are too few.
fn tests(
    table: &CacTable,
    patients: &[PatientChange],
    opts: &Options,
    notes: &mut Vec<String>,
) -> Vec<NamedTest> {
    let level = opts.conf_level;
    let mut out = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut push =
        |term: &str, n: usize, r: Result<TestResult, calcscore_stats::StatsError>| match r {
            Ok(test) => out.push(NamedTest {
                term: term.into(),
                n,
                test,
            }),
            Err(e) => notes.push(format!("{term}: not tested ({e})")),
        };
    let before = pick(patients, |c| Some(c.cac_before));
    let after = pick(patients, |c| Some(c.cac_after));
    let cac = "agatston_after - agatston_before";
    push(cac, before.len(), t_test_paired(&after, &before, level));
    push(
        cac,
        before.len(),
        wilcoxon_signed_rank(&after, &before, None, true),
    );
    let bmd: Vec<(f64, f64)> = pick2(patients, |c| c.bmd_after.zip(c.bmd_before));
    if bmd.is_empty() {
        skipped.push(
            "no patient has BMD before and after: the BMD tests and the %ΔBMD–%ΔCAC correlation are not computed"
                .into(),
        );
    } else {
        let (ba, bb): (Vec<f64>, Vec<f64>) = bmd.iter().copied().unzip();
        let term = "bmd_after - bmd_before";
        push(term, ba.len(), t_test_paired(&ba, &bb, level));
        push(term, ba.len(), wilcoxon_signed_rank(&ba, &bb, None, true));
        let pairs = pick2(patients, |c| c.bmd_pct_change.zip(c.cac_pct_change));
        let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        let term = "bmd_pct_change ~ cac_pct_change";
        push(term, x.len(), pearson(&x, &y, level));
        push(term, x.len(), spearman(&x, &y));
    }
    let annual = pick(patients, |c| c.cac_pct_change_per_year);
    let term = format!("cac_pct_change_per_year = {}", opts.natural_rate);
    push(
        &term,
        annual.len(),
        t_test_one(&annual, opts.natural_rate, level),
    );
    let stems = ["volume", "mass"]
        .into_iter()
        .chain(SECONDARY.iter().map(|(stem, _, _)| *stem));
    for stem in stems {
        let (b, a) = (format!("{stem}_before"), format!("{stem}_after"));
        let pairs: Vec<(f64, f64)> = table
            .patients
            .iter()
            .filter(|p| p.evaluable)
            .filter_map(|p| p.value(&a).zip(p.value(&b)))
            .collect();
        if pairs.is_empty() {
            continue;
        }
        let (xa, xb): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        push(
            &format!("{a} - {b}"),
            xa.len(),
            t_test_paired(&xa, &xb, level),
        );
    }
    notes.extend(skipped);
    out
}

fn pick2(
    patients: &[PatientChange],
    f: impl Fn(&PatientChange) -> Option<(f64, f64)>,
) -> Vec<(f64, f64)> {
    patients.iter().filter_map(f).collect()
}
