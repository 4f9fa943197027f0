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
