//! The printed summary of a progression analysis (per-patient table, definitions, tests).

use std::fmt::Write;

use super::progression::{Progression, Verdict};
use calcscore_core::format::p_after_name;
use calcscore_report::{r, Align, Table};

fn opt(x: Option<f64>, d: usize) -> String {
    x.map_or("NA".into(), |v| r(v, d))
}

fn verdict(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Progression) => "up",
        Some(Verdict::Regression) => "down",
        Some(Verdict::Within) => "within",
        None => "NA",
    }
}

/// The summary `calcscore progression` prints.
pub fn summary_text(a: &Progression, source: &str) -> String {
    let mut s = String::new();
    patients_text(&mut s, a, source);
    describe_text(&mut s, a);
    tests_text(&mut s, a);
    for n in &a.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// The counts, the patients left out, and one row per analysed patient.
fn patients_text(s: &mut String, a: &Progression, source: &str) {
    let _ = writeln!(s, "CAC progression ({source})");
    let _ = writeln!(
        s,
        "patients: {} in file, {} analysed",
        a.n_patients, a.n_evaluable
    );
    for l in &a.not_evaluable {
        let _ = writeln!(
            s,
            "  left out: {} (row {}): {}",
            l.patient_id, l.row, l.reason
        );
    }
    s.push('\n');
    let head = [
        "patient", "years", "CAC0", "CAC1", "dCAC", "%dCAC", "%dCAC/yr", "dsqrt", "Sevrukov",
        "MESA", "%dBMD",
    ];
    let rows = a.patients.iter().map(|c| {
        vec![
            c.patient_id.clone(),
            opt(c.interval_years, 2),
            r(c.cac_before, 1),
            r(c.cac_after, 1),
            r(c.cac_change, 1),
            opt(c.cac_pct_change, 1),
            opt(c.cac_pct_change_per_year, 1),
            r(c.sqrt_change, 2),
            verdict(Some(c.sevrukov)).to_string(),
            verdict(c.mesa).to_string(),
            opt(c.bmd_pct_change, 2),
        ]
    });
    let mut align = vec![Align::Right; head.len()];
    align[0] = Align::Left;
    s.push_str(&Table::new(&head).align(&align).rows(rows).to_text());
}

/// Mean ± SD per variable and the counts per progression definition.
fn describe_text(s: &mut String, a: &Progression) {
    s.push_str("\nmean ± SD\n");
    for d in a.describe.iter().filter(|d| d.n > 0) {
        let _ = writeln!(
            s,
            "  {:<26} n = {:>3}  {} ± {}",
            d.variable,
            d.n,
            opt(d.mean, 3),
            opt(d.sd, 3)
        );
    }
    s.push_str("\nprogression definitions\n");
    for d in &a.definitions {
        let down = d
            .regression
            .map_or(String::new(), |r| format!(", regression {r}"));
        let _ = writeln!(
            s,
            "  {}: progression {}/{}{down}",
            d.definition, d.progression, d.n
        );
    }
}

/// The natural progression rate and each test with its estimate and interval.
fn tests_text(s: &mut String, a: &Progression) {
    let _ = writeln!(
        s,
        "\nnatural progression rate: {}%/year ({})",
        a.options.natural_rate, a.options.natural_rate_source
    );
    let pct = a.options.conf_level * 100.0;
    for t in &a.tests {
        let r = &t.test;
        let df = r.df.map_or(String::new(), |d| format!(", df = {d:.4}"));
        let _ = writeln!(s, "\n  {} — {} (n = {})", r.method.trim(), t.term, t.n);
        let _ = writeln!(
            s,
            "  {} = {:.6}{df}, p-value {}",
            r.statistic_name,
            r.statistic,
            p_after_name(r.p_value)
        );
        if let (Some(e), Some(name)) = (r.estimate, &r.estimate_name) {
            match (r.conf_low, r.conf_high) {
                (Some(lo), Some(hi)) => {
                    let _ = writeln!(s, "  {name}: {e:.6}, {pct}% CI {lo:.6} to {hi:.6}");
                }
                _ => {
                    let _ = writeln!(s, "  {name}: {e:.6}");
                }
            }
        }
    }
}
