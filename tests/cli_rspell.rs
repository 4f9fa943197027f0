//! R's spellings through the binary: `y ~ .`, `log()`, `sqrt()`, `exp()`, `I(x^2)`, `factor(x > 1)`, `- 1`, and
//! enum options in any case, against lm/glm/sandwich on MASS::birthwt (tests/reference/rspell.R).

mod common;
use common::calcscore;

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/rspell");

fn fit(data: &str, formula: &str, extra: &[&str]) -> Value {
    let path = format!("{REF}/{data}.csv");
    let mut args = vec!["fit", "--data", &path, "--formula", formula, "--json"];
    args.extend_from_slice(extra);
    let o = calcscore(&args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "fit {formula} failed: {err}");
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Terms in R's order and names; estimates and SEs to 1e-6 relative.
fn matches_r(got: &Value, case: &str) {
    let text = std::fs::read_to_string(format!("{REF}/{case}.json")).unwrap();
    let want: Value = serde_json::from_str(&text).unwrap();
    let rows = got["coefficients"].as_array().unwrap();
    let terms = want["term"].as_array().unwrap();
    assert_eq!(rows.len(), terms.len(), "{case}: number of terms");
    for (j, row) in rows.iter().enumerate() {
        assert_eq!(row["term"], terms[j], "{case}: term {j}");
        for k in ["estimate", "std_error"] {
            let (g, w) = (row[k].as_f64().unwrap(), want[k][j].as_f64().unwrap());
            let ok = (g - w).abs() <= 1e-6 * w.abs();
            assert!(ok, "{case} {} {k}: calcscore {g}, R {w}", terms[j]);
        }
    }
}

#[test]
fn dot_is_every_other_column_as_r() {
    // R: lm(bwt ~ ., birthwt); glm(low ~ ., binomial, birthwt without bwt)
    matches_r(&fit("birthwt", "bwt ~ .", &[]), "lm_dot");
    let binomial = ["--family", "binomial"];
    matches_r(&fit("birthwt_nobwt", "low ~ .", &binomial), "glm_dot");
}

#[test]
fn dot_equals_the_spelled_out_formula() {
    let dot = fit("birthwt", "bwt ~ .", &[]);
    let spelled = "bwt ~ low + age + lwt + race + smoke + ptl + ht + ui + ftv";
    assert_eq!(
        dot["coefficients"],
        fit("birthwt", spelled, &[])["coefficients"]
    );
}

#[test]
fn transforms_and_factor_of_a_comparison_as_r() {
    // R: lm(bwt ~ log(lwt) + sqrt(age) + I(age^2) + exp(ht) + factor(ftv > 1) + smoke, birthwt)
    let f = "bwt ~ log(lwt) + sqrt(age) + I(age^2) + exp(ht) + factor(ftv > 1) + smoke";
    matches_r(&fit("birthwt", f, &[]), "lm_transforms");
    // sandwich::vcovHC(type = "HC1"), typed as in sandwich
    matches_r(&fit("birthwt", f, &["--vcov", "HC1"]), "lm_transforms_hc1");
}

#[test]
fn minus_one_drops_the_intercept_as_r() {
    // R: glm(low ~ age + lwt + smoke - 1, binomial, birthwt)
    let binomial = ["--family", "Binomial"];
    let minus = fit("birthwt", "low ~ age + lwt + smoke - 1", &binomial);
    matches_r(&minus, "glm_no_intercept");
    let zero = fit("birthwt", "low ~ age + lwt + smoke + 0", &binomial);
    assert_eq!(minus["coefficients"], zero["coefficients"]);
}

#[test]
fn enum_options_ignore_case() {
    let f = "bwt ~ age + lwt + smoke";
    let upper = fit("birthwt", f, &["--vcov", "HC1", "--family", "GAUSSIAN"]);
    let lower = fit("birthwt", f, &["--vcov", "hc1", "--family", "gaussian"]);
    assert_eq!(upper, lower);
    let data = format!("{REF}/birthwt.csv");
    let args = ["fit", "--data", &data, "--formula", f, "--vcov", "HC9"];
    let bad = calcscore(&args);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown value stays a usage error"
    );
}

#[test]
fn transform_outside_its_domain_names_row_and_column() {
    let data = format!("{REF}/birthwt.csv");
    let o = calcscore(&["fit", "--data", &data, "--formula", "bwt ~ log(ptl)"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("row 2") && err.contains("'ptl'") && err.contains("log(ptl)"),
        "{err}"
    );
}

/// `diagnose --direction gt`: a marker lower in cases (stent expansion for underexpansion) is positive at or below the
/// cutoff. Hand count on 8 rows: expansion [55, 62, 68, 70, 75, 81, 90, 66], underexpanded (case) [1,1,1,0,0,0,0,0];
/// positive = expansion <= 68: rows 1,2,3,8 → TP 3 (rows 1–3), FP 1 (row 8 = 66), FN 0, TN 4;
/// sensitivity 3/3, specificity 4/5, PPV 3/4, NPV 4/4.
#[test]
fn diagnose_direction_gt_counts_low_values_as_positive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exp.csv");
    std::fs::write(
        &path,
        "expansion,under\n55,1\n62,1\n68,1\n70,0\n75,0\n81,0\n90,0\n66,0\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let base = [
        "diagnose",
        "--data",
        p,
        "--marker",
        "expansion",
        "--outcome",
        "under",
        "--cutoff",
        "68",
        "--json",
    ];
    let mut args = base.to_vec();
    args.extend(["--direction", "gt"]);
    let v = common::json(&args);
    assert_eq!(v["table"]["tp"], 3);
    assert_eq!(v["table"]["fp"], 1);
    assert_eq!(v["table"]["fn"], 0);
    assert_eq!(v["table"]["tn"], 4);
    assert_eq!(v["positive_test"], "expansion <= 68");
    let by = |name: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["estimate"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(by("sensitivity"), 1.0);
    assert!((by("specificity") - 0.8).abs() < 1e-12);
    assert!((by("ppv") - 0.75).abs() < 1e-12);
    // R's spelling ">" gives the same table; the default (lt) counts values >= 68 as positive: the case 68 and the
    // four controls 70, 75, 81, 90 → TP 1, FP 4.
    let mut args = base.to_vec();
    args.extend(["--direction", ">"]);
    assert_eq!(common::json(&args)["table"]["tp"], 3);
    let v = common::json(&base);
    assert_eq!(
        (v["table"]["tp"].as_u64(), v["table"]["fp"].as_u64()),
        (Some(1), Some(4))
    );
}

/// `--map` on a generic verb: a map renames the file's columns to the names the formula uses, and the fit equals
/// the fit of the same file with the columns renamed by hand (same coefficients, byte for byte in JSON).
#[test]
fn map_renames_columns_for_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mapped = dir.path().join("theirs.csv");
    let plain = dir.path().join("ours.csv");
    let rows = "1,2.0\n2,2.9\n3,4.2\n4,4.8\n5,6.1\n";
    std::fs::write(&mapped, format!("X_RAW,Y_RAW\n{rows}")).unwrap();
    std::fs::write(&plain, format!("x,y\n{rows}")).unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\nx = \"X_RAW\"\ny = \"Y_RAW\"\n").unwrap();
    let fit = |data: &std::path::Path, map: Option<&std::path::Path>| {
        let mut args = vec![
            "fit",
            "--data",
            data.to_str().unwrap(),
            "--formula",
            "y ~ x",
            "--json",
        ];
        if let Some(m) = map {
            args.extend(["--map", m.to_str().unwrap()]);
        }
        common::json(&args)["coefficients"].clone()
    };
    let got = fit(&mapped, Some(&map));
    assert_eq!(got, fit(&plain, None));
    // lm(y ~ x): x̄ = 3, ȳ = 4.0, Sxx = 10, Sxy = 4 + 1.1 + 0 + 0.8 + 4.2 = 10.1 → slope 1.01
    assert!((got[1]["estimate"].as_f64().unwrap() - 1.01).abs() < 1e-12);
}
