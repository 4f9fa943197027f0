//! The synthetic denosumab pilot: 12 treated women, 10 evaluable, drawn from a seeded model and
//! accepted only when its summaries round to the published ones (age, BMD and CAC means and SDs,
//! mean %ΔBMD 2.5 and mean %ΔCAC −1.8, a negative %ΔBMD–%ΔCAC correlation with P < 0.05, no
//! significant IMT and CAVI change). Model and parameters: datasets/README.md.

use calcscore_core::random::{self, ChaCha8Rng};
use rand::RngExt;
use rand_distr::{Distribution, LogNormal, Normal};

use crate::{Error, Result};
use calcscore_data::dates::format_date;
use calcscore_stats::htest::{pearson, t_test_paired};

/// Seed of the shipped `datasets/denosumab_pilot_synthetic.csv`.
pub const DEFAULT_SEED: u64 = 1;

/// Evaluable patients (the published summaries are over these).
pub(crate) const N_EVALUABLE: usize = 10;

/// Largest number of draws tried before giving up on a seed.
pub(crate) const MAX_ATTEMPTS: usize = 2_000_000;

/// Published targets (seed 000): (mean, SD) and the decimals they are printed with.
pub mod target {
    /// Age (years): 75.7 ± 6.3.
    pub(crate) const AGE: (f64, f64) = (75.7, 6.3);
    /// BMD before (g/cm²): 0.662 ± 0.11.
    pub(crate) const BMD_BEFORE: (f64, f64) = (0.662, 0.11);
    /// BMD after: 0.679 ± 0.12.
    pub(crate) const BMD_AFTER: (f64, f64) = (0.679, 0.12);
    /// Agatston before: 366.5 ± 438.0.
    pub(crate) const CAC_BEFORE: (f64, f64) = (366.5, 438.0);
    /// Agatston after: 362.9 ± 435.1.
    pub(crate) const CAC_AFTER: (f64, f64) = (362.9, 435.1);
    /// Mean per-patient %ΔBMD ("improvement 2.5%").
    pub(crate) const BMD_PCT: f64 = 2.5;
    /// Mean per-patient %ΔCAC ("improvement 1.8%", i.e. a 1.8% decrease).
    pub(crate) const CAC_PCT: f64 = -1.8;
}

/// Model parameters besides the targets.
pub mod model {
    /// Log-normal shape of the baseline Agatston draw (before rescaling).
    pub(crate) const CAC_LOG_SD: f64 = 1.0;
    /// SD of the per-patient %ΔBMD draw around 2.5.
    pub(crate) const BMD_PCT_SD: f64 = 3.0;
    /// Slope of %ΔCAC on centred %ΔBMD (better BMD gain, more CAC decrease).
    pub(crate) const CAC_ON_BMD: f64 = -2.0;
    /// SD of %ΔCAC around that line.
    pub(crate) const CAC_PCT_SD: f64 = 5.0;
    /// Smallest baseline Agatston score allowed (percent change stays meaningful).
    pub(crate) const MIN_CAC: f64 = 10.0;
}

/// One simulated patient.
#[derive(Debug, Clone)]
struct Row {
    id: String,
    age: f64,
    evaluable: bool,
    reason: &'static str,
    day0: i64,
    day1: Option<i64>,
    cac: (f64, Option<f64>),
    bmd: (f64, Option<f64>),
    bmi: f64,
    imt: Option<(f64, f64)>,
    cavi: Option<(f64, f64)>,
}

/// Reasons of the two patients who could not be evaluated.
const REASONS: [&str; 2] = [
    "follow-up CT not performed (consent withdrawn after the first injection)",
    "follow-up CT not analysable (motion artefact)",
];

fn round(x: f64, d: i32) -> f64 {
    let k = 10f64.powi(d);
    (x * k).round() / k
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (
        m,
        (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt(),
    )
}

/// Rescale `x` to exactly the mean and SD `(m, s)`, then round to `d` decimals.
fn rescale(x: &[f64], (m, s): (f64, f64), d: i32) -> Vec<f64> {
    let (xm, xs) = mean_sd(x);
    x.iter().map(|v| round(m + s * (v - xm) / xs, d)).collect()
}

fn normals(rng: &mut ChaCha8Rng, n: usize, m: f64, s: f64) -> Vec<f64> {
    let d = Normal::new(m, s).expect("valid normal");
    (0..n).map(|_| d.sample(rng)).collect()
}

/// True when `got` prints as `want` with `d` decimals.
fn rounds_to(got: f64, want: f64, d: i32) -> bool {
    (round(got, d) - want).abs() < 0.5 * 10f64.powi(-d)
}

/// One draw of the 10 evaluable patients' main variables; `None` when it breaks a hard limit.
#[allow(clippy::type_complexity)]
fn draw(rng: &mut ChaCha8Rng) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)> {
    let n = N_EVALUABLE;
    let age = rescale(&normals(rng, n, 0.0, 1.0), target::AGE, 0);
    let bmd0 = rescale(&normals(rng, n, 0.0, 1.0), target::BMD_BEFORE, 3);
    let bmd_pct = normals(rng, n, target::BMD_PCT, model::BMD_PCT_SD);
    let raw1: Vec<f64> = bmd0
        .iter()
        .zip(&bmd_pct)
        .map(|(b, p)| b * (1.0 + p / 100.0))
        .collect();
    let bmd1 = rescale(&raw1, target::BMD_AFTER, 3);
    let ln = LogNormal::new(0.0, model::CAC_LOG_SD).expect("valid log-normal");
    let raw0: Vec<f64> = (0..n).map(|_| ln.sample(rng)).collect();
    let cac0 = rescale(&raw0, target::CAC_BEFORE, 1);
    let (pm, _) = mean_sd(&bmd_pct);
    let noise = normals(rng, n, 0.0, model::CAC_PCT_SD);
    let raw1: Vec<f64> = (0..n)
        .map(|i| {
            let pct = target::CAC_PCT + model::CAC_ON_BMD * (bmd_pct[i] - pm) + noise[i];
            cac0[i] * (1.0 + pct / 100.0)
        })
        .collect();
    let cac1 = rescale(&raw1, target::CAC_AFTER, 1);
    let ok = cac0.iter().all(|&v| v >= model::MIN_CAC) && cac1.iter().all(|&v| v >= 0.0);
    ok.then_some((age, bmd0, bmd1, cac0, cac1))
}

fn pct(before: &[f64], after: &[f64]) -> Vec<f64> {
    before
        .iter()
        .zip(after)
        .map(|(b, a)| 100.0 * (a - b) / b)
        .collect()
}

/// True when a draw's summaries print as the published ones.
fn accept(age: &[f64], bmd0: &[f64], bmd1: &[f64], cac0: &[f64], cac1: &[f64]) -> bool {
    let ms = |x: &[f64], t: (f64, f64), dm: i32, ds: i32| {
        let (m, s) = mean_sd(x);
        rounds_to(m, t.0, dm) && rounds_to(s, t.1, ds)
    };
    let (pb, pc) = (pct(bmd0, bmd1), pct(cac0, cac1));
    let r = pearson(&pb, &pc, 0.95).ok();
    ms(age, target::AGE, 1, 1)
        && ms(bmd0, target::BMD_BEFORE, 3, 2)
        && ms(bmd1, target::BMD_AFTER, 3, 2)
        && ms(cac0, target::CAC_BEFORE, 1, 1)
        && ms(cac1, target::CAC_AFTER, 1, 1)
        && rounds_to(mean_sd(&pb).0, target::BMD_PCT, 1)
        && rounds_to(mean_sd(&pc).0, target::CAC_PCT, 1)
        && r.is_some_and(|r| r.estimate.is_some_and(|e| e < 0.0) && r.p_value < 0.05)
}

/// Paired secondary measure for `n` patients, redrawn until its paired t-test is not significant.
fn secondary(
    rng: &mut ChaCha8Rng,
    n: usize,
    mean: f64,
    sd: f64,
    change_sd: f64,
    d: i32,
) -> Vec<(f64, f64)> {
    loop {
        let b = normals(rng, n, mean, sd);
        let c = normals(rng, n, 0.0, change_sd);
        let pairs: Vec<(f64, f64)> = b
            .iter()
            .zip(&c)
            .map(|(b, c)| (round(*b, d), round(b + c, d)))
            .collect();
        let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        if t_test_paired(&y, &x, 0.95).is_ok_and(|t| t.p_value >= 0.05) {
            return pairs;
        }
    }
}

/// Simulate the 12 patients; also returns the number of draws it took.
fn simulate_rows(seed: u64) -> Result<(Vec<Row>, usize)> {
    let mut rng = random::seeded(seed);
    let mut found = None;
    for attempt in 1..=MAX_ATTEMPTS {
        if let Some((age, b0, b1, c0, c1)) = draw(&mut rng) {
            if accept(&age, &b0, &b1, &c0, &c1) {
                found = Some((attempt, age, b0, b1, c0, c1));
                break;
            }
        }
    }
    let Some((attempts, age, b0, b1, c0, c1)) = found else {
        return Err(Error::Usage(format!(
            "seed {seed}: no draw matched the published summaries in {MAX_ATTEMPTS} attempts; try another --seed"
        )));
    };
    let imt = secondary(&mut rng, 5, 1.0, 0.2, 0.05, 2);
    let cavi = secondary(&mut rng, 4, 9.5, 1.0, 0.4, 1);
    let start = calcscore_data::dates::parse_date("2014-04-01").unwrap_or(16_161);
    let mut rows = Vec::new();
    for i in 0..N_EVALUABLE + 2 {
        let day0 = start + random::between_i64(&mut rng, 0, 539);
        let evaluable = i < N_EVALUABLE;
        let bmi = round(
            rng.sample::<f64, _>(Normal::new(22.5, 3.0).expect("valid"))
                .clamp(16.0, 35.0),
            1,
        );
        let row = if evaluable {
            Row {
                id: format!("DP{:02}", i + 1),
                age: age[i],
                evaluable,
                reason: "",
                day0,
                day1: Some(day0 + random::between_i64(&mut rng, 183, 365)),
                cac: (c0[i], Some(c1[i])),
                bmd: (b0[i], Some(b1[i])),
                bmi,
                imt: imt.get(i).copied(),
                cavi: cavi.get(i).copied(),
            }
        } else {
            let ln = LogNormal::new(5.0, model::CAC_LOG_SD).expect("valid");
            Row {
                id: format!("DP{:02}", i + 1),
                age: round(
                    rng.sample::<f64, _>(Normal::new(75.7, 6.3).expect("valid")),
                    0,
                ),
                evaluable,
                reason: REASONS[i - N_EVALUABLE],
                day0,
                day1: None,
                cac: (round(ln.sample(&mut rng), 1), None),
                bmd: (
                    round(
                        rng.sample::<f64, _>(Normal::new(0.662, 0.11).expect("valid")),
                        3,
                    ),
                    None,
                ),
                bmi,
                imt: None,
                cavi: None,
            }
        };
        rows.push(row);
    }
    Ok((rows, attempts))
}

/// The CSV header of the synthetic file (a subset of the CAC schema, in schema order).
pub const HEADER: &[&str] = &[
    "patient_id",
    "age_years",
    "sex",
    "evaluable",
    "not_evaluable_reason",
    "scan_date_before",
    "scan_date_after",
    "agatston_before",
    "agatston_after",
    "bmd_before",
    "bmd_after",
    "bmi",
    "cardiac_death",
    "mi",
    "revascularisation",
    "stroke",
    "cavi_before",
    "cavi_after",
    "imt_before",
    "imt_after",
];

/// The synthetic pilot as CSV text, and the number of draws the seed needed.
pub fn simulate_csv(seed: u64) -> Result<(String, usize)> {
    let (rows, attempts) = simulate_rows(seed)?;
    let f = |x: Option<f64>, d: usize| x.map_or(String::new(), |v| format!("{v:.d$}"));
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                f(Some(r.age), 0),
                "f".into(),
                u8::from(r.evaluable).to_string(),
                r.reason.into(),
                format_date(r.day0),
                r.day1.map(format_date).unwrap_or_default(),
                f(Some(r.cac.0), 1),
                f(r.cac.1, 1),
                f(Some(r.bmd.0), 3),
                f(r.bmd.1, 3),
                f(Some(r.bmi), 1),
                "0".into(),
                "0".into(),
                "0".into(),
                "0".into(),
                f(r.cavi.map(|c| c.0), 1),
                f(r.cavi.map(|c| c.1), 1),
                f(r.imt.map(|c| c.0), 2),
                f(r.imt.map(|c| c.1), 2),
            ]
        })
        .collect();
    Ok((calcscore_report::csv(HEADER, &cells), attempts))
}
