//! `calcscore fit --impute M` through the binary: what was imputed (counts against R's
//! `colSums(is.na(MASS::Pima.tr2))`), pooled coefficients within Monte Carlo error of mice's
//! (tests/reference/mice.R: 100 seeds of `mice(Pima.tr2, m = 20, maxit = 10)`), determinism across thread
//! counts, and checked options.

mod common;
use common::{
    calcscore, imputed_columns, json, pima_derive_args, same_stdout_on_threads, stdout_on_threads,
};

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/mice");
const PIMA_GLM: &str = "type ~ npreg + glu + bp + skin + bmi + ped + age";

fn pima() -> String {
    format!("{REF}/pima_tr2.csv")
}

#[test]
fn pima_imputed_columns_and_counts_as_r() {
    let data = pima();
    let v = json(&[
        "fit",
        "--data",
        &data,
        "--formula",
        PIMA_GLM,
        "--family",
        "binomial",
        "--impute",
        "5",
        "--json",
    ]);
    let cols = v["imputation"]["columns"].as_array().unwrap();
    let got: Vec<(&str, u64, &str)> = cols
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap(),
                c["n_missing"].as_u64().unwrap(),
                c["method"].as_str().unwrap(),
            )
        })
        .collect();
    // R: colSums(is.na(MASS::Pima.tr2)) gives bp 13, skin 98, bmi 3; mice's default method for numeric is pmm.
    assert_eq!(
        got,
        [("bp", 13, "pmm"), ("skin", 98, "pmm"), ("bmi", 3, "pmm")]
    );
    assert_eq!(v["imputation"]["m"], 5);
    assert_eq!(v["imputation"]["n_imputed"], 114);
    // Complete cases: 300 − rows with any of them missing = 200 (R: sum(complete.cases(Pima.tr2))).
    assert_eq!(v["complete_case"]["n"], 200);
    assert_eq!(v["n"], 300);
    assert_eq!(v["dfcom"], 292.0);
    for row in v["coefficients"].as_array().unwrap() {
        for k in [
            "estimate",
            "std_error",
            "statistic",
            "df",
            "p_value",
            "conf_low",
            "conf_high",
            "riv",
            "fmi",
        ] {
            assert!(row[k].is_number(), "{k} in {row}");
        }
    }
    // glu has no missing value and depends little on the imputed columns: fmi near 0; skin (98 imputed) the most.
    let fmi = |t: &str| {
        v["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["term"] == t)
            .unwrap()["fmi"]
            .as_f64()
            .unwrap()
    };
    assert!(fmi("skin") > fmi("glu"));
}

#[test]
fn pima_pooled_coefficients_within_monte_carlo_error_of_mice() {
    let spread: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{REF}/pima_mc_spread.json")).unwrap(),
    )
    .unwrap();
    let data = pima();
    let v = json(&[
        "fit",
        "--data",
        &data,
        "--formula",
        PIMA_GLM,
        "--family",
        "binomial",
        "--impute",
        "20",
        "--json",
    ]);
    let rows = v["coefficients"].as_array().unwrap();
    for (j, term) in spread["term"].as_array().unwrap().iter().enumerate() {
        let (mean, sd) = (
            spread["mean"][j].as_f64().unwrap(),
            spread["sd"][j].as_f64().unwrap(),
        );
        let got = rows[j]["estimate"].as_f64().unwrap();
        assert_eq!(&rows[j]["term"], term);
        // One calcscore run vs the mean of 100 mice runs: if both draw from the same distribution the difference
        // has SD ≈ sd·√(1 + 1/100); 4 SD bounds a false alarm near 6e-5 per coefficient.
        let bound = 4.0 * sd * (1.0f64 + 1.0 / 100.0).sqrt();
        assert!(
            (got - mean).abs() <= bound,
            "{term}: calcscore {got}, mice mean {mean} (MC SD {sd})"
        );
    }
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let data = pima();
    let args = [
        "fit",
        "--data",
        &data,
        "--formula",
        PIMA_GLM,
        "--family",
        "binomial",
        "--impute",
        "6",
        "--impute-seed",
        "9",
        "--json",
    ];
    let one = same_stdout_on_threads(&args, &["1", "2", "3"]);
    let mut other = args.to_vec();
    other[10] = "10";
    assert_ne!(
        one,
        stdout_on_threads("2", &other),
        "another seed gives other imputations"
    );
}

#[test]
fn impute_options_are_checked() {
    let data = pima();
    let base = [
        "fit",
        "--data",
        &data,
        "--formula",
        PIMA_GLM,
        "--family",
        "binomial",
    ];
    for (extra, says) in [
        (&["--impute", "1"][..], "from 2 to 1000"),
        (
            &["--impute", "5", "--impute-iterations", "0"][..],
            "from 1 to 1000",
        ),
        (&["--impute-iterations", "5"][..], "--impute"),
        (&["--impute", "x"][..], "not a whole number"),
        (&["--impute", "5", "--firth"][..], "--firth"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let o = calcscore(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(says), "{extra:?}: {err}");
    }
}

#[test]
fn a_factor_of_three_levels_with_missing_values_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("three.csv");
    let mut csv = String::from("y,x,grade\n");
    for i in 0..30 {
        let g = ["low", "mid", "high"][i % 3];
        let g = if i == 7 { "" } else { g };
        csv.push_str(&format!(
            "{},{},{}\n",
            i as f64 * 0.5 + (i % 4) as f64,
            i,
            g
        ));
    }
    std::fs::write(&path, csv).unwrap();
    let p = path.to_str().unwrap();
    let o = calcscore(&[
        "fit",
        "--data",
        p,
        "--formula",
        "y ~ x + grade",
        "--impute",
        "3",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("grade") && err.contains("three.csv") && err.contains("polyreg"),
        "{err}"
    );
}

#[test]
#[ignore = "50 calcscore runs (about a minute in debug): cargo test --test cli_impute -- --ignored --nocapture"]
fn pima_mean_over_seeds_matches_mice_mean_over_seeds() {
    let spread: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{REF}/pima_mc_spread.json")).unwrap(),
    )
    .unwrap();
    let data = pima();
    let k = 50;
    let terms = spread["term"].as_array().unwrap();
    let mut sum = vec![0.0; terms.len()];
    let mut sumsq = vec![0.0; terms.len()];
    for seed in 1..=k {
        let s = seed.to_string();
        let v = json(&[
            "fit",
            "--data",
            &data,
            "--formula",
            PIMA_GLM,
            "--family",
            "binomial",
            "--impute",
            "20",
            "--impute-seed",
            &s,
            "--json",
        ]);
        for (j, r) in v["coefficients"].as_array().unwrap().iter().enumerate() {
            let e = r["estimate"].as_f64().unwrap();
            sum[j] += e;
            sumsq[j] += e * e;
        }
    }
    println!("term: calcscore mean (SD) over {k} seeds | mice mean (SD) over 100 seeds | difference in SEs");
    for (j, term) in terms.iter().enumerate() {
        let mean = sum[j] / k as f64;
        let sd = ((sumsq[j] - k as f64 * mean * mean) / (k as f64 - 1.0)).sqrt();
        let (mm, ms) = (
            spread["mean"][j].as_f64().unwrap(),
            spread["sd"][j].as_f64().unwrap(),
        );
        let se = (sd * sd / k as f64 + ms * ms / 100.0).sqrt();
        println!(
            "{term}: {mean:.6} ({sd:.6}) | {mm:.6} ({ms:.6}) | {:+.2}",
            (mean - mm) / se
        );
        assert!(
            (mean - mm).abs() <= 4.0 * se,
            "{term}: calcscore mean {mean}, mice mean {mm}, SE {se}"
        );
    }
}

#[test]
fn derive_points_come_from_the_pooled_coefficients() {
    let args = pima_derive_args("5", &["--json"]);
    let v = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let cols: Vec<(&str, u64)> = imputed_columns(&v);
    assert_eq!(cols, [("bmi", 3), ("bp", 13)]); // R: colSums(is.na(Pima.tr2)) for the columns derive reads
    let pooled = &v["pooled"];
    let coef = |term: &str| {
        pooled["logistic"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["term"] == term)
            .unwrap()["estimate"]
            .as_f64()
            .unwrap()
    };
    let reference = coef("bmi_gt30");
    for (label, term) in [
        ("Glucose > 140", "glu_gt140"),
        ("Diastolic BP > 80", "bp_gt80"),
        ("Age > 40", "age_gt40"),
    ] {
        let p = pooled["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["label"] == label)
            .unwrap();
        let ratio = coef(term) / reference;
        assert!(
            (p["ratio"].as_f64().unwrap() - ratio).abs() < 1e-12,
            "{label}"
        );
        assert_eq!(
            p["points"].as_i64().unwrap(),
            ratio.round() as i64,
            "{label}"
        );
    }
    let auc = &pooled["auc"];
    assert!(auc["conf_low"].as_f64().unwrap() < auc["estimate"].as_f64().unwrap());
    assert_eq!(v["complete_case"]["n"], 284); // 300 minus rows missing bmi or bp (R: 16 incomplete rows)
                                              // mice::pool takes dfcom from the first completed-data fit, df.residual = 300 rows − 5 coefficients (not
                                              // the 284 complete cases' 279).
    for r in pooled["logistic"].as_array().unwrap() {
        assert_eq!(r["dfcom"], 295.0, "{r}");
    }
}

/// `derive --impute --tripod`: item 11 states the imputation (m, iterations, seed, methods, each imputed column
/// with its count: R's colSums(is.na(Pima.tr2)) for bmi and bp) and item 23a the pooled AUC of the text above.
#[test]
fn derive_tripod_states_the_multiple_imputation() {
    let args = pima_derive_args("3", &["--tripod"]);
    let o = calcscore(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let item = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix}"))
            .to_string()
    };
    let missing = item("  11   Missing data: ");
    for part in [
        "multiple imputation by chained equations",
        "m = 3, 10 iterations, seed 1",
        "pmm, 5 donors",
        "logreg",
        "bmi (pmm) 3, bp (pmm) 13",
        "16 values in each data set",
    ] {
        assert!(missing.contains(part), "{part} in {missing}");
    }
    assert!(item("  12b  ").contains("pooled coefficients"));
    let auc = item("AUC of the pooled-points score: ");
    let auc = auc
        .trim_start_matches("AUC of the pooled-points score: ")
        .split(" (")
        .next()
        .unwrap();
    assert!(item("  23a  ").contains(&format!("AUC {auc} (DeLong per completed table")));
}

/// Pima.tr2 with bp kept in its first 8 rows that have one (both with bmi too) and blanked in the rest: the
/// complete cases are 8 rows with 2 events, too few for 4 candidates. The imputed tables are fitted all the
/// same: `derive --impute` pools them, and the complete-case derivation says why it has no points.
#[test]
fn derive_impute_pools_when_the_complete_cases_cannot_be_fitted() {
    let text = std::fs::read_to_string(pima()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == format!("\"{name}\""))
            .unwrap()
    };
    let (bp, bmi, ty) = (col("bp"), col("bmi"), col("type"));
    let (mut kept, mut events) = (0, 0);
    let mut csv = format!("{}\n", header.join(","));
    for line in lines {
        let mut f: Vec<&str> = line.split(',').collect();
        if !f[bp].is_empty() {
            if kept < 8 {
                kept += 1;
                assert!(!f[bmi].is_empty());
                events += usize::from(f[ty] == "\"Yes\"");
            } else {
                f[bp] = "";
            }
        }
        csv.push_str(&format!("{}\n", f.join(",")));
    }
    assert_eq!(events, 2);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("pima_bp8.csv");
    std::fs::write(&data, csv).unwrap();
    let mut args = pima_derive_args("5", &["--json"]);
    args[2] = data.to_str().unwrap().to_string();
    let v = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let cc = &v["complete_case"];
    assert_eq!(
        (cc["n"].as_u64(), cc["n_events"].as_u64()),
        (Some(8), Some(2))
    );
    // Why: 8 rows, 4 items and an intercept separate the 2 events; the reason is the logistic model's, not the
    // events-per-parameter warning noted beside it.
    let why = cc["not_estimable"].as_str().unwrap();
    assert!(
        why.starts_with(
            "no multivariable model could be fitted (multivariable logistic model not estimable: "
        ) && why.contains("separation"),
        "{why}"
    );
    assert_eq!(cc["points"], serde_json::json!([]));
    let pooled = &v["pooled"];
    assert_eq!(pooled["n"], 300);
    // mice::pool (Rubin's rules, Barnard–Rubin df) by hand on each pooled row, with dfcom = 300 rows − 5
    // coefficients of the completed tables' model (the complete cases give no model).
    let rows = pooled["logistic"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    for r in rows {
        let f = |k: &str| r[k].as_f64().unwrap();
        let (m, ubar, b) = (5.0, f("ubar"), f("b"));
        let t = ubar + (1.0 + 1.0 / m) * b;
        let lambda = (1.0 + 1.0 / m) * b / t;
        let dfcom = 295.0;
        let dfold = (m - 1.0) / (lambda * lambda);
        let dfobs = (dfcom + 1.0) / (dfcom + 3.0) * dfcom * (1.0 - lambda);
        assert_eq!(f("dfcom"), dfcom);
        assert!((f("std_error") - t.sqrt()).abs() < 1e-12, "{r}");
        assert!(
            (f("df") - dfold * dfobs / (dfold + dfobs)).abs() < 1e-9,
            "{r}"
        );
    }
    let coef = |term: &str| {
        let r = rows.iter().find(|r| r["term"] == term).unwrap();
        r["estimate"].as_f64().unwrap()
    };
    for (k, term) in ["glu_gt140", "bmi_gt30", "bp_gt80", "age_gt40"]
        .iter()
        .enumerate()
    {
        let ratio = coef(term) / coef("bmi_gt30");
        assert_eq!(pooled["points"][k]["points"], (ratio.round() as i64));
    }
    // The text says why the complete cases give no points instead of an empty points list.
    args.pop();
    let out = common::stdout(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let cc_text = out
        .split("--- Complete-case derivation ---")
        .nth(1)
        .unwrap();
    assert!(cc_text.contains(
        "Points not estimable in these rows (so no AUC, cutoff or risk model): no multivariable model"
    ));
    assert!(!cc_text.contains("Points (from"));
}
