//! `calcscore validate --impute M` through the binary, on MASS::Pima.tr2 with the fixed score
//! tests/reference/mice_validate/pima_score.toml (tests/reference/mice_validate.R gives R's values): the imputed
//! columns and counts, the complete-case validation equal to pROC's, the pooled AUC near mice's pooled AUC,
//! byte-identical output for any thread count, the diagnostic figures, and refused combinations.

mod common;
use common::{calcscore, imputed_columns, json, same_stdout_on_threads};

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn args(m: &'static str) -> Vec<String> {
    [
        "validate",
        "--data",
        &format!("{ROOT}/tests/reference/mice/pima_tr2.csv"),
        "--score",
        &format!("{ROOT}/tests/reference/mice_validate/pima_score.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "type == Yes",
        "--impute",
        m,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn want() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{ROOT}/tests/reference/mice_validate/pima_pooled.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

#[test]
fn pooled_beside_complete_case_as_r() {
    let mut a = args("20");
    a.push("--json".into());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let v = json(&a);
    let w = want();
    // colSums(is.na(Pima.tr2)): bmi 3, skin 98 (glu, age and type complete).
    let cols: Vec<(&str, u64)> = imputed_columns(&v);
    assert_eq!(cols, [("bmi", 3), ("skin", 98)]);
    assert_eq!(v["imputation"]["m"], 20);
    // Complete case: 201 rows, pROC::roc + ci.auc(method = "delong").
    let cc = &v["complete_case"]["groups"][0];
    assert_eq!(cc["n"], 201);
    let cw = &w["complete_case"];
    for (g, k) in [
        ("estimate", "auc"),
        ("conf_low", "conf_low"),
        ("conf_high", "conf_high"),
    ] {
        let (got, r) = (cc["auc"][g].as_f64().unwrap(), cw[k].as_f64().unwrap());
        assert!(
            (got - r).abs() < 1e-9,
            "complete-case AUC {g}: {got} vs pROC {r}"
        );
    }
    // Pooled over all 300 rows. The draws differ from mice's, so the check is against mice's pooled AUC
    // (m = 5, seed 2020) within 0.01: the between-imputation SD of the AUC here is about 0.005 (fmi ≈ 0.03).
    let p = &v["pooled"]["groups"][0];
    assert_eq!(p["n"], 300);
    let auc = p["auc"]["estimate"].as_f64().unwrap();
    let r = w["auc"]["estimate"].as_f64().unwrap();
    assert!(
        (auc - r).abs() < 0.01,
        "pooled AUC {auc} vs mice + pROC {r}"
    );
    let measures: Vec<&str> = p["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["measure"].as_str().unwrap())
        .collect();
    assert_eq!(measures, ["sensitivity", "specificity", "ppv", "npv"]);
    // Events are complete (type has no missing value): every imputation has sum(Pima.tr2$type == "Yes") = 106.
    assert_eq!(p["n_events"].as_f64().unwrap(), 106.0);
    let levels = p["levels"].as_array().unwrap();
    let n: f64 = levels.iter().map(|l| l["n"].as_f64().unwrap()).sum();
    assert!((n - 300.0).abs() < 1e-9, "levels hold every row: {n}");
}

#[test]
fn same_bytes_whatever_the_thread_count() {
    let mut a = args("4");
    a.push("--json".into());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    same_stdout_on_threads(&a, &["1", "3"]);
}

#[test]
fn diagnostics_written_as_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mi");
    let mut a = args("3");
    a.extend(["--impute-plots".into(), out.display().to_string()]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = calcscore(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["imputation_trace", "imputed_values"] {
        let svg = std::fs::read_to_string(out.join(format!("{f}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{f}.svg");
        // One panel title per imputed column (and per statistic for the trace).
        assert!(
            svg.contains("skin") && svg.contains("bmi"),
            "{f}.svg names the columns"
        );
        let png = std::fs::read(out.join(format!("{f}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }
    let svg = std::fs::read_to_string(out.join("imputation_trace.svg")).unwrap();
    assert!(svg.contains("skin: mean") && svg.contains("skin: SD"));
}

#[test]
fn combinations_not_implemented_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let plots = tmp.path().join("plots");
    for extra in [["--bootstrap", "10"], ["--plots", plots.to_str().unwrap()]] {
        let mut a = args("3");
        a.extend(extra.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = calcscore(&a);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--impute does not combine"));
    }
    assert!(!plots.exists(), "a refused run wrote its plots");
}

/// `validate --impute --tripod`: item 11 states the imputation with R's missing counts of Pima.tr2 for the
/// score's columns (bmi 3, skin 98), item 23a the pooled AUC that `--json` prints.
#[test]
fn tripod_states_the_multiple_imputation() {
    let mut a = args("20");
    a.push("--tripod".into());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = calcscore(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let item = |n: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(n))
            .unwrap_or_else(|| panic!("no item {n} in:\n{text}"))
            .to_string()
    };
    let missing = item("11 ");
    for want in [
        "multiple imputation",
        "m = 20, 10 iterations, seed 1",
        "bmi (pmm) 3, skin (pmm) 98",
    ] {
        assert!(missing.contains(want), "{want} not in {missing}");
    }
    let mut j = args("20");
    j.push("--json".into());
    let j: Vec<&str> = j.iter().map(String::as_str).collect();
    let auc = &json(&j)["pooled"]["groups"][0]["auc"];
    let shown = format!(
        "AUC {:.3} [{:.3}, {:.3}] (pooled)",
        auc["estimate"].as_f64().unwrap(),
        auc["conf_low"].as_f64().unwrap(),
        auc["conf_high"].as_f64().unwrap()
    );
    assert!(
        item("23a").contains(&shown),
        "{shown} not in {}",
        item("23a")
    );
}
