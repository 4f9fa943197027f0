//! `calcscore card`: the risk per total and one patient's risk against R's `predict(glm(low ~ points), se.fit = TRUE)`
//! on MASS::birthwt (tests/reference/card.R), the files written, and a card without a model saying so.

mod common;
use common::{calcscore, close_json, derive_birthwt_score, Tol};

use std::process::Output;

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/card");

fn json_of(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn r_risk() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{REF}/birthwt_risk.json")).unwrap())
        .unwrap()
}

#[test]
fn risk_per_total_matches_r_predict() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("card");
    let score = format!("{REF}/birthwt_score.toml");
    let o = calcscore(&[
        "card",
        "--score",
        &score,
        "--out",
        dir.to_str().unwrap(),
        "--json",
    ]);
    let v = json_of(&o);
    let want = r_risk();
    let risks = v["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 6, "totals 0..5");
    for (k, r) in risks.iter().enumerate() {
        assert_eq!(r["points"], want["points"][k]);
        for f in ["risk", "low", "high"] {
            close_json(
                &format!("{f} at {k} points"),
                &r[f],
                &want[f][k],
                Tol::abs(1e-9),
            );
        }
    }
    for f in ["card.svg", "card.png", "calculator.html"] {
        assert!(dir.join(f).is_file(), "{f} written");
    }
    let svg = std::fs::read_to_string(dir.join("card.svg")).unwrap();
    assert!(
        svg.contains("by total, with 95% CI"),
        "this score stores its covariance"
    );
    let png = std::fs::read(dir.join("card.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let html = std::fs::read_to_string(dir.join("calculator.html")).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains(" src="),
        "no network"
    );
}

#[test]
fn one_patient_matches_r_predict() {
    // smoke 1 + ht 2 + lwt < 110 → 1, ui 0: 4 points; R: plogis(predict(fit, data.frame(points = 4)))
    let score = format!("{REF}/birthwt_score.toml");
    let o = calcscore(&[
        "card",
        "--score",
        &score,
        "--values",
        "smoke=1,ht=1,lwt=100,ui=0",
        "--json",
    ]);
    let v = json_of(&o);
    assert_eq!(v["points"], 4);
    let want = r_risk();
    for f in ["risk", "low", "high"] {
        close_json(f, &v[f], &want[f][4], Tol::abs(1e-9));
    }
    assert_eq!(v["advice"], "Score >= 2: closer antenatal follow-up");
    // The text names what the risk is of (a text outcome's event level is not always the one a reader assumes).
    let o = calcscore(&[
        "card",
        "--score",
        &score,
        "--values",
        "smoke=1,ht=1,lwt=100,ui=0",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let risk = format!("{:.1}%", 100.0 * want["risk"][4].as_f64().unwrap());
    assert!(
        text.contains(&format!("predicted risk {risk}")) && text.contains(" of low = 1"),
        "{text}"
    );
}

#[test]
fn builtin_score_without_model_says_so() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("ivus");
    let o = calcscore(&[
        "card",
        "--score",
        "ivus-zhang2021",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(dir.join("card.svg")).unwrap();
    assert!(svg.contains("No risk model is stored with this score"));
    assert!(
        svg.contains("Vessel diameter &lt; 3.5 mm") || svg.contains("Vessel diameter < 3.5 mm")
    );
    let v = json_of(&calcscore(&[
        "card",
        "--score",
        "ivus-zhang2021",
        "--json",
        "--values",
        "calcium_270_length_mm=6,calcium_360=1,calcified_nodule=0,vessel_diameter_mm=3.8",
    ]));
    assert_eq!(v["points"], 2);
    assert!(v["risk"].is_null());
}

#[test]
fn bad_card_input_is_a_usage_error() {
    let score = format!("{REF}/birthwt_score.toml");
    for args in [
        vec!["card", "--score", "ivus-zhang2021"],
        vec!["card", "--score", "nope.toml", "--values", "a=1"],
        vec!["card", "--score", &score, "--values", "smoke=yes"],
        vec!["card", "--score", &score, "--values", "smoke=1"],
    ] {
        assert_eq!(calcscore(&args).status.code(), Some(2), "{args:?}");
    }
}

/// Graded items on one column (`lwt < 110` +1, `lwt < 100` +2, as derive can write) share one number box in the
/// calculator, so the page's code reads the same value for both; two boxes with one id once made it read only
/// the first (61 in the second box gave 0 points).
#[test]
fn graded_items_on_one_column_share_one_input() {
    let dir = tempfile::tempdir().unwrap();
    let score = dir.path().join("graded.toml");
    std::fs::write(
        &score,
        "name = \"graded\"\ntitle = \"Graded\"\nsource = \"test\"\ncutoff = 2\n\
         [[item]]\nlabel = \"Weight < 110 lb\"\ncolumn = \"lwt\"\nop = \"<\"\nthreshold = 110.0\npoints = 1\n\
         [[item]]\nlabel = \"Weight < 100 lb\"\ncolumn = \"lwt\"\nop = \"<\"\nthreshold = 100.0\npoints = 2\n\
         [[item]]\nlabel = \"Smoking\"\ncolumn = \"smoke\"\nop = \"==\"\nthreshold = 1.0\npoints = 1\n",
    )
    .unwrap();
    let out = dir.path().join("card");
    let o = calcscore(&[
        "card",
        "--score",
        score.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("calculator.html")).unwrap();
    assert_eq!(html.matches("id=\"lwt\"").count(), 1, "one box for lwt");
    assert_eq!(html.matches("id=\"smoke\"").count(), 1);
    assert!(
        html.contains("+1 if &lt; 110; +2 if &lt; 100"),
        "both rules by the box"
    );
    // The page's own total for lwt = 95 and no smoking is 1 + 2 = 3, as `card --values` gives it.
    let v = json_of(&calcscore(&[
        "card",
        "--score",
        score.to_str().unwrap(),
        "--values",
        "lwt=95,smoke=0",
        "--json",
    ]));
    assert_eq!(v["points"], 3);
}

/// `--values` with a column the score does not read, or a column twice, is refused (they were ignored, and the
/// first of two values silently won).
#[test]
fn values_name_each_column_of_the_score_once() {
    let score = format!("{REF}/birthwt_score.toml");
    for (values, needle) in [
        ("smoke=1,ht=0,lwt=100,ui=0,c=3", "reads no column 'c'"),
        (
            "smoke=1,smoke=0,ht=0,lwt=100,ui=0",
            "'smoke' is given twice",
        ),
    ] {
        let o = calcscore(&["card", "--score", &score, "--values", values]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{err}");
    }
}

/// A score derive wrote has a risk model but no covariance: its card promises no interval it cannot draw.
#[test]
fn a_card_without_the_model_covariance_promises_no_interval() {
    let out = tempfile::tempdir().unwrap();
    let score = out.path().join("s.toml");
    derive_birthwt_score(&score);
    let dir = out.path().join("card");
    let o = calcscore(&[
        "card",
        "--score",
        score.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(dir.join("card.svg")).unwrap();
    assert!(svg.contains("Predicted risk of"), "a risk model is stored");
    assert!(
        !svg.contains("% CI") && svg.contains("no interval"),
        "no interval promised"
    );
}

/// Finding F12: a `[model]` whose variances and covariance form no covariance matrix (a negative variance, or
/// cov² > var_intercept · var_slope) was accepted and `card` silently left some totals without an interval;
/// it is refused when the score file is loaded (by `card` and `validate` alike), naming the key and the rule.
/// birthwt_score.toml: var_intercept 0.064352336029741872, var_slope 0.032815390599047416, so by hand
/// |cov| ≤ √(0.064352336 × 0.032815391) = √0.0021117484 = 0.045954 and cov = −0.5 is a correlation of −10.881.
#[test]
fn impossible_model_covariance_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(format!("{REF}/birthwt_score.toml")).unwrap();
    let edit = |key: &str, value: &str| {
        let text: Vec<String> = shipped
            .lines()
            .map(|l| match l.starts_with(&format!("{key} =")) {
                true => format!("{key} = {value}"),
                false => l.to_string(),
            })
            .collect();
        let path = dir.path().join(format!("{key}.toml"));
        std::fs::write(&path, text.join("\n")).unwrap();
        path.to_str().unwrap().to_string()
    };
    let neg = edit("var_intercept", "-0.06");
    let cov = edit("cov_intercept_slope", "-0.5");
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/score/birthwt.csv"
    );
    for (file, want) in [
        (&neg, "[model] var_intercept = -0.06 is negative: a variance is ≥ 0"),
        (
            &cov,
            "cov_intercept_slope² must be ≤ var_intercept · var_slope, i.e. |cov_intercept_slope| ≤ 0.045954 \
             (here the correlation would be -10.881)",
        ),
    ] {
        for args in [
            vec!["card", "--score", file, "--values", "smoke=0,ht=0,lwt=120,ui=0", "--json"],
            vec![
                "validate", "--data", data, "--score", file, "--binary-outcome", "low", "--outcome",
                "none",
            ],
        ] {
            let o = calcscore(&args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.code() == Some(1) && err.contains(want), "{args:?}: {err}");
        }
    }
}
