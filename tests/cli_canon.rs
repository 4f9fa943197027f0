//! The validation canon through the binary against committed fixtures (tests/reference/canon.R with
//! brglm2 0.9, rms 6.5 `val.prob`, Hmisc 4.8 `improveProb`; tests/reference/canon_dca.py with Python
//! dcurves 1.1.7) on MASS::birthwt, MASS::Pima.tr/Pima.te and a separated toy set.

use std::process::{Command, Output};

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/canon");

/// Relative agreement asked of every value (absolute below 1e-3 in magnitude).
const TOL: f64 = 1e-7;

fn calcscore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .output()
        .expect("run calcscore")
}

fn json_of(args: &[&str]) -> Value {
    let o = calcscore(args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn expected(case: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{REF}/{case}.json")).unwrap()).unwrap()
}

fn data(name: &str) -> String {
    format!("{REF}/{name}.csv")
}

fn close(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_f64().unwrap_or(f64::NAN), want.as_f64().unwrap());
    assert!(
        (g - w).abs() <= TOL * w.abs().max(1e-3),
        "{what}: calcscore {g}, reference {w}"
    );
}

fn fails(args: &[&str], code: i32, needles: &[&str]) {
    let o = calcscore(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: message lacks '{n}': {err}");
    }
}

// ------------------------------------------------------------------------------------------ Firth

/// `glm(formula, binomial, method = "brglmFit", type = "AS_mean")` with `confint.default` (Wald).
fn firth_case(case: &str, csv: &str, formula: &str) {
    let got = json_of(&[
        "fit",
        "--data",
        &data(csv),
        "--formula",
        formula,
        "--family",
        "binomial",
        "--firth",
        "--json",
    ]);
    let want = expected(case);
    let terms = want["coefficients"]["term"].as_array().unwrap();
    let rows = got["coefficients"].as_array().unwrap();
    assert_eq!(rows.len(), terms.len(), "{case}: coefficients");
    for (j, row) in rows.iter().enumerate() {
        assert_eq!(row["term"], terms[j]);
        for k in [
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
        ] {
            close(
                &row[k],
                &want["coefficients"][k][j],
                &format!("{case} {} {k}", terms[j]),
            );
        }
    }
    assert_eq!(got["method"], "firth");
    close(&got["model"]["deviance"], &want["deviance"], "deviance");
    close(
        &got["model"]["null_deviance"],
        &want["null_deviance"],
        "null deviance",
    );
    close(&got["model"]["aic"], &want["aic"], "AIC");
    close(
        &got["penalised_log_lik"],
        &want["penalised_log_lik"],
        "penalised log-likelihood",
    );
}

#[test]
fn firth_matches_brglm2_on_birthwt() {
    firth_case(
        "firth_birthwt",
        "birthwt",
        "low ~ age + lwt + factor(race) + smoke + ptl + ht + ui",
    );
}

#[test]
fn firth_gives_brglm2_finite_estimates_under_separation() {
    firth_case("firth_separation", "separation", "y ~ x + z");
}

#[test]
fn firth_refuses_what_does_not_apply() {
    let d = data("birthwt");
    fails(
        &["fit", "--data", &d, "--formula", "low ~ age", "--firth"],
        2,
        &["--family binomial"],
    );
    fails(
        &[
            "fit",
            "--data",
            &d,
            "--formula",
            "low ~ age",
            "--family",
            "binomial",
            "--firth",
            "--vcov",
            "hc0",
        ],
        2,
        &["model-based covariance"],
    );
}
