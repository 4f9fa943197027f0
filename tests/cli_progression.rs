//! `calcscore progression` and the denosumab pilot through the real binary.
//! Hand-calculated values are written out in each test; R values come from
//! tests/reference/cac/expected.json, written by tests/reference/cac.R (t.test, wilcox.test, cor.test).
//! Tolerances: closed-form statistics 1e-9 relative, p-values 1e-6 absolute.

mod common;
use common::{calcscore, close, num, Tol};

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Closed-form values: 1e-9 relative (absolute below 1).
const CLOSED: Tol = Tol::rel(1e-9, 1.0);
const P_ABS: f64 = 1e-6;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `calcscore progression --data <file> <extra> --json`, parsed.
fn progression(file: &Path, extra: &[&str]) -> Value {
    let f = file.display().to_string();
    let mut args = vec!["progression", "--data", &f];
    args.extend_from_slice(extra);
    args.push("--json");
    common::json(&args)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The test of `term` whose method contains `method`.
fn test<'a>(v: &'a Value, term: &str, method: &str) -> &'a Value {
    v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t["term"].as_str().unwrap().starts_with(term)
                && t["method"].as_str().unwrap().contains(method)
        })
        .unwrap_or_else(|| panic!("no {method} test of {term}"))
}

const HAND: &str = "\
patient_id,age_years,sex,evaluable,not_evaluable_reason,scan_date_before,scan_date_after,agatston_before,agatston_after,bmi
P1,70,f,1,,2015-01-01,2016-01-01,100,144,25
P2,71,f,1,,2015-01-01,2015-07-02,100,156.25,25
P3,72,f,1,,2015-01-01,2016-01-01,0,9,20
P4,73,f,1,,2015-01-01,2016-01-01,400,300,30
P5,74,f,0,no follow-up CT,2015-01-01,,50,,22
";

#[test]
fn progression_definitions_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let v = progression(&write(dir.path(), "hand.csv", HAND), &[]);
    assert_eq!(v["n_patients"], 5);
    assert_eq!(v["n_evaluable"], 4);
    assert_eq!(v["not_evaluable"][0]["patient_id"], "P5");
    assert_eq!(v["not_evaluable"][0]["row"], 6);
    let p = |k: usize| &v["patients"][k];
    // P1: 100 → 144 over 365 days. Δ = 44, %Δ = 44, per year 44·365.25/365; √144 − √100 = 2 < 2.5;
    // ln(145/101); Sevrukov 4.930·10 = 49.3 > 44 (within); MESA 0.17·100 + 4.89·10 + 0.44·25 − 10.84 = 66.06 (within).
    close("P1 Δ", num(&p(0)["cac_change"]), 44.0, CLOSED);
    close("P1 %Δ", num(&p(0)["cac_pct_change"]), 44.0, CLOSED);
    close(
        "P1 %Δ/yr",
        num(&p(0)["cac_pct_change_per_year"]),
        44.0 * 365.25 / 365.0,
        CLOSED,
    );
    close("P1 √Δ", num(&p(0)["sqrt_change"]), 2.0, CLOSED);
    assert_eq!(p(0)["sqrt_progression"], false);
    close(
        "P1 log",
        num(&p(0)["log_change"]),
        (145.0f64 / 101.0).ln(),
        CLOSED,
    );
    close("P1 Sevrukov", num(&p(0)["sevrukov_limit"]), 49.3, CLOSED);
    assert_eq!(p(0)["sevrukov"], "within");
    close("P1 MESA", num(&p(0)["mesa_limit"]), 66.06, CLOSED);
    assert_eq!(p(0)["mesa"], "within");
    // P2: 100 → 156.25 over 182 days. √156.25 − 10 = 2.5 (≥ 2.5: progression); Δ 56.25 > 49.3 (Sevrukov up),
    // < 66.06 (MESA within); %Δ/yr = 56.25·365.25/182.
    close("P2 √Δ", num(&p(1)["sqrt_change"]), 2.5, CLOSED);
    assert_eq!(p(1)["sqrt_progression"], true);
    close(
        "P2 %Δ/yr",
        num(&p(1)["cac_pct_change_per_year"]),
        56.25 * 365.25 / 182.0,
        CLOSED,
    );
    close(
        "P2 Δ/yr",
        num(&p(1)["cac_change_per_year"]),
        56.25 * 365.25 / 182.0,
        CLOSED,
    );
    assert_eq!(p(1)["sevrukov"], "progression");
    assert_eq!(p(1)["mesa"], "within");
    // P3: 0 → 9. %Δ undefined (null, not a division by zero); √9 − 0 = 3; ln(10/1); Sevrukov limit 0 → up;
    // MESA 0 + 0 + 0.44·20 − 10.84 = −2.04 → up.
    assert!(p(2)["cac_pct_change"].is_null() && p(2)["cac_pct_change_per_year"].is_null());
    close("P3 log", num(&p(2)["log_change"]), 10f64.ln(), CLOSED);
    close("P3 MESA", num(&p(2)["mesa_limit"]), -2.04, CLOSED);
    assert_eq!(p(2)["sevrukov"], "progression");
    assert_eq!(p(2)["mesa"], "progression");
    // P4: 400 → 300. %Δ = −25; √300 − 20; Sevrukov 98.6 < 100 (down); MESA 68 + 97.8 + 13.2 − 10.84 = 168.16 (within).
    close("P4 %Δ", num(&p(3)["cac_pct_change"]), -25.0, CLOSED);
    close(
        "P4 √Δ",
        num(&p(3)["sqrt_change"]),
        300f64.sqrt() - 20.0,
        CLOSED,
    );
    assert_eq!(p(3)["sevrukov"], "regression");
    close("P4 MESA", num(&p(3)["mesa_limit"]), 168.16, CLOSED);
    assert_eq!(p(3)["mesa"], "within");
    // Counts: √ (≥ 2.5) P2, P3; log up P1-P3, down P4; Sevrukov up P2, P3, down P4; MESA up P3.
    let d = |k: usize, key: &str| v["definitions"][k][key].clone();
    assert_eq!((d(0, "progression"), d(0, "n")), (2.into(), 4.into()));
    assert_eq!(
        (d(1, "progression"), d(1, "regression")),
        (3.into(), 1.into())
    );
    assert_eq!(
        (d(2, "progression"), d(2, "regression")),
        (2.into(), 1.into())
    );
    assert_eq!(
        (d(3, "progression"), d(3, "regression")),
        (1.into(), 0.into())
    );
    // Mean %Δ over the 3 defined baselines: (44 + 56.25 − 25)/3; the zero baseline is named in a note.
    let pct = v["describe"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["variable"] == "cac_pct_change")
        .unwrap();
    assert_eq!(pct["n"], 3);
    close("mean %Δ", num(&pct["mean"]), 75.25 / 3.0, CLOSED);
    assert!(v["notes"]
        .to_string()
        .contains("baseline Agatston score of 0 (P3)"));
    // Threshold and comparison are options: > 2.5 drops P2; ≥ 3 keeps only P3.
    let gt = progression(&dir.path().join("hand.csv"), &["--sqrt-compare", "gt"]);
    assert_eq!(gt["definitions"][0]["progression"], 1);
    assert_eq!(gt["patients"][1]["sqrt_progression"], false);
    let t3 = progression(&dir.path().join("hand.csv"), &["--sqrt-threshold", "3"]);
    assert_eq!(t3["definitions"][0]["progression"], 1);
}

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join("tests/reference/cac/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Compare a calcscore test with R's htest (statistic, p, estimate and CI where R gives them).
fn same_test(what: &str, got: &Value, r: &Value) {
    assert_eq!(
        got["method"].as_str().unwrap().trim(),
        r["method"].as_str().unwrap(),
        "{what}"
    );
    close(
        &format!("{what} statistic"),
        num(&got["statistic"]),
        num(&r["statistic"]),
        CLOSED,
    );
    let (gp, rp) = (num(&got["p_value"]), num(&r["p_value"]));
    assert!((gp - rp).abs() <= P_ABS, "{what} p: got {gp}, R {rp}");
    for k in ["estimate", "conf_low", "conf_high"] {
        if !r[k].is_null() {
            close(&format!("{what} {k}"), num(&got[k]), num(&r[k]), CLOSED);
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/reference/cac").join(name)
}

#[test]
fn shoes_and_sleep_match_r() {
    let r = &expected()["shoes_sleep"];
    let v = progression(&fixture("shoes_sleep.csv"), &[]);
    let cac = "agatston_after - agatston_before";
    let bmd = "bmd_after - bmd_before";
    let corr = "bmd_pct_change ~ cac_pct_change";
    same_test(
        "t.test(after, before, paired)",
        test(&v, cac, "Paired t"),
        &r["cac_paired_t"],
    );
    same_test(
        "wilcox.test(after, before, paired)",
        test(&v, cac, "Wilcoxon"),
        &r["cac_wilcoxon"],
    );
    same_test(
        "BMD paired t",
        test(&v, bmd, "Paired t"),
        &r["bmd_paired_t"],
    );
    same_test(
        "BMD Wilcoxon",
        test(&v, bmd, "Wilcoxon"),
        &r["bmd_wilcoxon"],
    );
    same_test("cor.test pearson", test(&v, corr, "Pearson"), &r["pearson"]);
    same_test(
        "cor.test spearman",
        test(&v, corr, "Spearman"),
        &r["spearman"],
    );
    same_test(
        "t.test(pct/years, mu = 33)",
        test(&v, "cac_pct_change_per_year = 33", "One Sample"),
        &r["natural_rate_t"],
    );
    let mean = |var: &str| {
        let d = v["describe"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["variable"] == var)
            .unwrap();
        num(&d["mean"])
    };
    close(
        "mean %ΔCAC",
        mean("cac_pct_change"),
        num(&r["cac_pct_change_mean"]),
        CLOSED,
    );
    close(
        "mean %ΔCAC/yr",
        mean("cac_pct_change_per_year"),
        num(&r["cac_pct_change_per_year_mean"]),
        CLOSED,
    );
    // The natural rate is an option, shown with its source.
    let v20 = progression(
        &fixture("shoes_sleep.csv"),
        &["--natural-rate", "20", "--natural-rate-source", "my cohort"],
    );
    same_test(
        "t.test(mu = 20)",
        test(&v20, "cac_pct_change_per_year = 20", "One Sample"),
        &expected()["shoes_sleep_rate20"]["natural_rate_t"],
    );
    assert_eq!(v20["options"]["natural_rate_source"], "my cohort");
    assert!(v["options"]["natural_rate_source"]
        .as_str()
        .unwrap()
        .contains("33%"));
}

#[test]
fn anorexia_with_tied_differences_matches_r() {
    let r = &expected()["anorexia"];
    let v = progression(&fixture("anorexia.csv"), &[]);
    let cac = "agatston_after - agatston_before";
    assert_eq!(v["n_evaluable"], 72);
    same_test("paired t", test(&v, cac, "Paired t"), &r["cac_paired_t"]);
    same_test(
        "signed rank (normal, correction)",
        test(&v, cac, "Wilcoxon"),
        &r["cac_wilcoxon"],
    );
    same_test(
        "t.test(mu = 33)",
        test(&v, "cac_pct_change_per_year", "One Sample"),
        &r["natural_rate_t"],
    );
    assert!(v["notes"]
        .to_string()
        .contains("no patient has BMD before and after"));
}

#[test]
fn bad_rows_are_all_reported_with_row_column_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let text = "patient_id,age_years,sex,evaluable,not_evaluable_reason,scan_date_before,scan_date_after,agatston_before,agatston_after\n\
                P1,70,f,1,,2015-01-01,2014-06-01,100,abc\n\
                P2,71,x,0,,2015-13-01,,-5,\n";
    let file = write(dir.path(), "bad.csv", text);
    let out = calcscore(&["progression", "--data", &file.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "row 2, column 'agatston_after': 'abc' is not a number",
        "row 2, column 'scan_date_after'",
        "follow-up scan must be after the baseline scan",
        "row 3, column 'sex'",
        "row 3, column 'scan_date_before': '2015-13-01': not a date",
        "row 3, column 'agatston_before': '-5': outside the allowed range 0–20000 AU",
        "row 3, column 'not_evaluable_reason'",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn reproduce_then_check_passes_and_says_synthetic() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("dp");
    let o = out_dir.display().to_string();
    let rep = calcscore(&["reproduce", "denosumab-pilot", "--out", &o]);
    assert!(
        rep.status.success(),
        "{}",
        String::from_utf8_lossy(&rep.stderr)
    );
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.starts_with("> **SYNTHETIC DATA."), "{}", &md[..80]);
    for file in [
        "results.json",
        "manifest.json",
        "figure1_bmd_vs_cac.svg",
        "figure1_bmd_vs_cac.png",
        "events.csv",
        "patients.csv",
    ] {
        assert!(out_dir.join(file).exists(), "{file} missing");
    }
    let svg = std::fs::read_to_string(out_dir.join("figure1_bmd_vs_cac.svg")).unwrap();
    assert!(svg.contains("SYNTHETIC DATA") && svg.contains("Pearson r"));
    let results = out_dir.join("results.json").display().to_string();
    let check = calcscore(&["check", "denosumab-pilot", "--results", &results]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("CHECK PASSED"));
    // Checked as another study, the results are refused by name (a usage error, exit 2), not counted absent.
    let wrong = calcscore(&["check", "zhang2021", "--results", &results]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr)
        .contains("holds the results of study 'denosumab-pilot', not zhang2021"));
    // Deterministic: a second run writes byte-identical files.
    let o2 = dir.path().join("dp2");
    assert!(calcscore(&[
        "reproduce",
        "denosumab-pilot",
        "--out",
        &o2.display().to_string()
    ])
    .status
    .success());
    for file in [
        "results.json",
        "report.md",
        "figure1_bmd_vs_cac.svg",
        "figure1_bmd_vs_cac.png",
    ] {
        assert_eq!(
            std::fs::read(out_dir.join(file)).unwrap(),
            std::fs::read(o2.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn shipped_synthetic_file_is_seed_1_and_matches_the_published_summaries() {
    let out = calcscore(&["simulate", "denosumab-pilot", "--seed", "1"]);
    assert!(out.status.success());
    let shipped = std::fs::read(root().join("datasets/denosumab_pilot_synthetic.csv")).unwrap();
    assert_eq!(
        out.stdout, shipped,
        "datasets/denosumab_pilot_synthetic.csv is not `simulate --seed 1`"
    );
    // Means and SDs by hand from the shipped file: 10 evaluable rows.
    let text = String::from_utf8(shipped).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let col = |k: usize| -> Vec<f64> {
        rows.iter()
            .filter(|r| r[3] == "1")
            .map(|r| r[k].parse().unwrap())
            .collect()
    };
    let ms = |x: Vec<f64>| {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        (
            m,
            (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt(),
        )
    };
    let (m, s) = ms(col(1));
    assert!(
        (m - 75.7).abs() <= 0.05 && (s - 6.3).abs() <= 0.05,
        "age {m} ± {s}"
    );
    let (m, s) = ms(col(7));
    assert!(
        (m - 366.5).abs() <= 0.05 && (s - 438.0).abs() <= 0.05,
        "CAC before {m} ± {s}"
    );
    let (m, s) = ms(col(8));
    assert!(
        (m - 362.9).abs() <= 0.05 && (s - 435.1).abs() <= 0.05,
        "CAC after {m} ± {s}"
    );
    let (m, s) = ms(col(9));
    assert!(
        (m - 0.662).abs() <= 0.0005 && (s - 0.11).abs() <= 0.005,
        "BMD before {m} ± {s}"
    );
    let (m, s) = ms(col(10));
    assert!(
        (m - 0.679).abs() <= 0.0005 && (s - 0.12).abs() <= 0.005,
        "BMD after {m} ± {s}"
    );
    assert_eq!(rows.len(), 12);
    assert!(
        rows.iter()
            .filter(|r| r[3] == "0")
            .all(|r| !r[4].is_empty()),
        "a reason for each non-evaluable patient"
    );
}

#[test]
fn minimal_file_needs_only_id_dates_and_scores() {
    // No evaluable, age, sex or BMD columns: every patient is evaluable; the BMD tests are skipped with a note.
    // 4 patients, %Δ = 10, 20, −10, 0 over one year (365 days): mean 5, per year 5·365.25/365.
    let dir = tempfile::tempdir().unwrap();
    let text = "patient_id,scan_date_before,scan_date_after,agatston_before,agatston_after\n\
                a,2016-03-01,2017-03-01,100,110\nb,2016-03-01,2017-03-01,50,60\n\
                c,2016-03-01,2017-03-01,200,180\nd,2016-03-01,2017-03-01,30,30\n";
    let v = progression(&write(dir.path(), "min.csv", text), &[]);
    assert_eq!(v["n_evaluable"], 4);
    let pct = v["describe"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["variable"] == "cac_pct_change_per_year")
        .unwrap();
    close(
        "mean %Δ/yr",
        num(&pct["mean"]),
        5.0 * 365.25 / 365.0,
        CLOSED,
    );
    assert!(v["notes"]
        .to_string()
        .contains("no patient has BMD before and after"));
    assert!(v["notes"]
        .to_string()
        .contains("MESA 2008 limit needs BMI: applied to 0 of 4"));
    // The same file with its own column names, mapped with --map, gives the same numbers.
    let renamed = text.replacen("agatston_before,agatston_after", "CAC0,CAC1", 1);
    let file = write(dir.path(), "renamed.csv", &renamed);
    let map = write(
        dir.path(),
        "map.toml",
        "[columns]\nagatston_before = \"CAC0\"\nagatston_after = \"CAC1\"\n",
    );
    let m = progression(&file, &["--map", &map.display().to_string()]);
    assert_eq!(m["describe"], v["describe"]);
}

#[test]
fn shipped_pilot_results_match_r() {
    // tests/reference/cac.R analyses datasets/denosumab_pilot_synthetic.csv on its own (evaluable rows).
    let r = &expected()["pilot"];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dp");
    assert!(calcscore(&[
        "reproduce",
        "denosumab-pilot",
        "--out",
        &out.display().to_string()
    ])
    .status
    .success());
    let res: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let q = |name: &str| {
        let all = res["quantities"].as_array().unwrap();
        let found = all.iter().find(|q| q["name"] == name);
        num(&found.unwrap_or_else(|| panic!("no quantity {name}"))["estimate"])
    };
    for (name, want) in [
        ("age.mean", &r["age"]["mean"]),
        ("age.sd", &r["age"]["sd"]),
        ("cac.before.mean", &r["cac_before"]["mean"]),
        ("cac.before.sd", &r["cac_before"]["sd"]),
        ("cac.after.mean", &r["cac_after"]["mean"]),
        ("cac.after.sd", &r["cac_after"]["sd"]),
        ("bmd.before.mean", &r["bmd_before"]["mean"]),
        ("bmd.before.sd", &r["bmd_before"]["sd"]),
        ("bmd.after.mean", &r["bmd_after"]["mean"]),
        ("bmd.after.sd", &r["bmd_after"]["sd"]),
        ("bmd.pct_change.mean", &r["bmd_pct_change_mean"]),
        ("cac.pct_change.mean", &r["cac_pct_change_mean"]),
        ("cac.pct_per_year.mean", &r["cac_pct_change_per_year_mean"]),
        ("cac.change.mean", &r["cac_paired_t"]["estimate"]),
        ("corr.pearson_r", &r["pearson"]["estimate"]),
        ("corr.spearman_rho", &r["spearman"]["estimate"]),
    ] {
        close(name, q(name), num(want), CLOSED);
    }
    for (name, want) in [
        ("cac.change.paired_t_p", &r["cac_paired_t"]),
        ("cac.change.wilcoxon_p", &r["cac_wilcoxon"]),
        ("corr.pearson_p", &r["pearson"]),
        ("imt.change.paired_t_p", &r["imt_paired_t"]),
        ("cavi.change.paired_t_p", &r["cavi_paired_t"]),
        ("cac.pct_per_year.vs_natural_p", &r["natural_rate_t"]),
    ] {
        let (got, want) = (q(name), num(&want["p_value"]));
        assert!((got - want).abs() <= P_ABS, "{name}: got {got}, R {want}");
    }
    let a = &res["analysis"];
    same_test(
        "pilot BMD paired t",
        test(a, "bmd_after - bmd_before", "Paired t"),
        &r["bmd_paired_t"],
    );
    same_test(
        "pilot BMD Wilcoxon",
        test(a, "bmd_after - bmd_before", "Wilcoxon"),
        &r["bmd_wilcoxon"],
    );
    same_test(
        "pilot natural rate",
        test(a, "cac_pct_change_per_year = 33", "One Sample"),
        &r["natural_rate_t"],
    );
    let d = &a["definitions"];
    assert_eq!(d[0]["progression"], r["sqrt_progression"]);
    assert_eq!((&d[1]["progression"], &d[1]["n"]), (&r["log_up"], &r["n"]));
    assert_eq!(
        (&d[2]["progression"], &d[2]["regression"]),
        (&r["sevrukov_up"], &r["sevrukov_down"])
    );
    assert_eq!(
        (&d[3]["progression"], &d[3]["regression"]),
        (&r["mesa_up"], &r["mesa_down"])
    );
}
