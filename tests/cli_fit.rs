//! `calcscore fit` through the binary's JSON against R (tests/reference/regression.R: lm, glm, sandwich::vcovHC /
//! vcovCL, lmtest::coeftest / coefci, anova) on MASS::birthwt, datasets::ChickWeight and geepack's ohio.

mod common;
use common::{calcscore, close, Tol, TIDY_COLUMNS};

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/regression");

fn fit_json(data: &str, formula: &str, extra: &[&str]) -> Value {
    let path = format!("{REF}/{data}.csv");
    let mut args = vec!["fit", "--data", &path, "--formula", formula, "--json"];
    args.extend_from_slice(extra);
    common::json(&args)
}

fn expected(case: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{REF}/{case}.json")).unwrap()).unwrap()
}

/// Compare every coefficient column; `rel` for estimates/SEs/statistics/CIs, 1e-6 absolute for p-values.
fn compare_coefficients(got: &Value, want: &Value, rel: f64, case: &str) {
    let rows = got["coefficients"].as_array().unwrap();
    let terms = want["coefficients"]["term"].as_array().unwrap();
    assert_eq!(rows.len(), terms.len(), "{case}: number of coefficients");
    for (j, row) in rows.iter().enumerate() {
        assert_eq!(row["term"], terms[j], "{case}: term {j}");
        for k in TIDY_COLUMNS {
            let w = want["coefficients"][k][j].as_f64().unwrap();
            close(
                &format!("{case} {} {k}", terms[j]),
                row[k].as_f64().unwrap(),
                w,
                Tol::rel(rel, 1e-12),
            );
        }
        let (gp, wp) = (
            row["p_value"].as_f64().unwrap(),
            want["coefficients"]["p_value"][j].as_f64().unwrap(),
        );
        assert!(
            (gp - wp).abs() < 1e-6,
            "{case} {} p: {gp} vs {wp}",
            terms[j]
        );
    }
}

fn lm_case(case: &str, data: &str, extra: &[&str]) {
    let want = expected(case);
    let got = fit_json(data, want["formula"].as_str().unwrap(), extra);
    compare_coefficients(&got, &want, 1e-9, case);
    let m = &got["model"];
    assert_eq!(m["n"], want["n"]);
    assert_eq!(m["df_residual"], want["df_residual"]);
    for k in ["r_squared", "adj_r_squared", "sigma", "f_statistic"] {
        close(
            &format!("{case} {k}"),
            m[k].as_f64().unwrap(),
            want[k].as_f64().unwrap(),
            Tol::rel(1e-9, 1e-12),
        );
    }
}

fn glm_case(case: &str, data: &str, extra: &[&str]) {
    let want = expected(case);
    let mut args = vec!["--family", "binomial"];
    args.extend_from_slice(extra);
    let got = fit_json(data, want["formula"].as_str().unwrap(), &args);
    compare_coefficients(&got, &want, 1e-6, case);
    let m = &got["model"];
    for k in ["deviance", "null_deviance", "aic"] {
        close(
            &format!("{case} {k}"),
            m[k].as_f64().unwrap(),
            want[k].as_f64().unwrap(),
            Tol::rel(1e-8, 1e-12),
        );
    }
    let or = got["odds_ratios"].as_array().unwrap();
    for (j, r) in or.iter().enumerate() {
        close(
            &format!("{case} OR {j}"),
            r["estimate"].as_f64().unwrap(),
            want["odds_ratio"][j].as_f64().unwrap(),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            &format!("{case} OR low {j}"),
            r["conf_low"].as_f64().unwrap(),
            want["or_low"][j].as_f64().unwrap(),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            &format!("{case} OR high {j}"),
            r["conf_high"].as_f64().unwrap(),
            want["or_high"][j].as_f64().unwrap(),
            Tol::rel(1e-6, 1e-12),
        );
    }
}

#[test]
fn lm_classical_matches_summary_lm() {
    lm_case("birthwt_lm_classical", "birthwt", &[]);
}

#[test]
fn lm_heteroskedasticity_consistent_matches_vcovhc() {
    lm_case("birthwt_lm_hc0", "birthwt", &["--vcov", "hc0"]);
    lm_case("birthwt_lm_hc1", "birthwt", &["--vcov", "hc1"]);
}

#[test]
fn lm_star_indicator_and_text_factor_match_r_names() {
    lm_case("birthwt_lm_star", "birthwt", &[]);
    lm_case("birthwt_lm_noint", "birthwt", &[]);
}

#[test]
fn lm_cluster_robust_matches_vcovcl() {
    lm_case(
        "chick_lm_cr0",
        "chickweight",
        &["--cluster", "Chick", "--vcov", "cr0"],
    );
    lm_case("chick_lm_cr1", "chickweight", &["--cluster", "Chick"]);
}

#[test]
fn glm_matches_r_classical_hc0_and_cluster() {
    glm_case("birthwt_glm_classical", "birthwt", &[]);
    glm_case("birthwt_glm_hc0", "birthwt", &["--vcov", "hc0"]);
    glm_case(
        "ohio_glm_cr0",
        "ohio",
        &["--cluster", "id", "--vcov", "cr0"],
    );
    glm_case("ohio_glm_cr1", "ohio", &["--cluster", "id"]);
}

#[test]
fn nested_comparisons_match_anova() {
    let want = expected("birthwt_lm_anova");
    let got = fit_json(
        "birthwt",
        "bwt ~ age + lwt + factor(race) + smoke + smoke:age",
        &["--compare", want["reduced"].as_str().unwrap()],
    );
    close(
        "anova F",
        got["compare"]["statistic"].as_f64().unwrap(),
        want["f_statistic"].as_f64().unwrap(),
        Tol::rel(1e-9, 1e-12),
    );
    assert_eq!(got["compare"]["df"].as_f64(), want["df1"].as_f64());
    assert!(
        (got["compare"]["p_value"].as_f64().unwrap() - want["p_value"].as_f64().unwrap()).abs()
            < 1e-9
    );
    let want = expected("birthwt_glm_anova");
    let got = fit_json(
        "birthwt",
        "low ~ age + lwt + factor(race) + smoke + ptl + ht + ui",
        &["--family", "binomial", "--compare", "low ~ age + lwt"],
    );
    close(
        "LR statistic",
        got["compare"]["statistic"].as_f64().unwrap(),
        want["lr_statistic"].as_f64().unwrap(),
        Tol::rel(1e-8, 1e-12),
    );
    assert_eq!(got["compare"]["df"].as_f64(), want["df"].as_f64());
    assert!(
        (got["compare"]["p_value"].as_f64().unwrap() - want["p_value"].as_f64().unwrap()).abs()
            < 1e-8
    );
}

#[test]
fn wald_tests_match_r() {
    use calcscore_stats::{
        design::Design, formula::Formula, logistic::logistic, ols::ols, vcov::*,
    };
    let t = calcscore_data::read_table(format!("{REF}/birthwt.csv").as_ref()).unwrap();
    let want = expected("birthwt_lm_anova");
    let d = Design::build(
        &t,
        &Formula::parse("bwt ~ age + lwt + factor(race) + smoke + smoke:age").unwrap(),
        None,
    )
    .unwrap();
    let w = ols(&d, &FitOptions::default())
        .unwrap()
        .wald(&["factor(race)2", "factor(race)3"])
        .unwrap();
    close(
        "Wald F",
        w.statistic,
        want["f_wald"].as_f64().unwrap(),
        Tol::rel(1e-9, 1e-12),
    );
    let want = expected("birthwt_glm_anova");
    let d = Design::build(
        &t,
        &Formula::parse("low ~ age + lwt + factor(race) + smoke + ptl + ht + ui").unwrap(),
        None,
    )
    .unwrap();
    let w = logistic(&d, &FitOptions::default())
        .unwrap()
        .wald(&["factor(race)2", "factor(race)3"])
        .unwrap();
    close(
        "Wald chi-square",
        w.statistic,
        want["race_wald_chisq"].as_f64().unwrap(),
        Tol::rel(1e-6, 1e-12),
    );
    assert!((w.p_value - want["race_wald_p_value"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn separation_is_reported() {
    let got = fit_json("separated", "y ~ x + z", &["--family", "binomial"]);
    let w = got["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|s| s.as_str().unwrap().contains("separation")),
        "{w:?}"
    );
    let o = calcscore(&[
        "fit",
        "--data",
        &format!("{REF}/separated.csv"),
        "--formula",
        "y ~ x + z",
        "--family",
        "binomial",
    ]);
    assert!(String::from_utf8_lossy(&o.stdout)
        .contains("WARNING: fitted probabilities numerically 0 or 1"));
}

#[test]
fn irls_agrees_with_linfa_logistic_unpenalised() {
    use calcscore_stats::{design::Design, formula::Formula, logistic::logistic, vcov::FitOptions};
    use linfa::prelude::*;
    let t = calcscore_data::read_table(format!("{REF}/birthwt.csv").as_ref()).unwrap();
    let d = Design::build(
        &t,
        &Formula::parse("low ~ age + lwt + smoke + ht").unwrap(),
        None,
    )
    .unwrap();
    let ours = logistic(&d, &FitOptions::default()).unwrap().tidy();
    let n = d.y.len();
    let x = ndarray::Array2::from_shape_fn((n, 4), |(i, j)| d.x[(i, j + 1)]);
    let y = ndarray::Array1::from_iter(d.y.iter().map(|&v| v == 1.0));
    let model = linfa_logistic::LogisticRegression::default()
        .alpha(0.0)
        .gradient_tolerance(1e-10)
        .max_iterations(2000)
        .fit(&linfa::Dataset::new(x, y))
        .unwrap();
    // linfa-logistic models the probability of the first class it sees as the "negative" label: its
    // coefficients are ours with the sign flipped (a logit of P(false) instead of P(true)).
    let sign = if (model.intercept() + ours[0].estimate).abs()
        < (model.intercept() - ours[0].estimate).abs()
    {
        -1.0
    } else {
        1.0
    };
    close(
        "intercept vs linfa",
        sign * model.intercept(),
        ours[0].estimate,
        Tol::rel(1e-4, 1e-12),
    );
    for j in 0..4 {
        close(
            &format!("{} vs linfa", ours[j + 1].term),
            sign * model.params()[j],
            ours[j + 1].estimate,
            Tol::rel(1e-4, 1e-12),
        );
    }
}

fn fails(args: &[&str], code: i32, needles: &[&str]) {
    let o = calcscore(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: message lacks '{n}': {err}");
    }
}

#[test]
fn bad_input_names_file_row_column_or_term() {
    let bad = format!("{REF}/bad.csv");
    fails(
        &["fit", "--data", &bad, "--formula", "y ~ x"],
        1,
        &["bad.csv", "row 4", "'x'", "3,5", "decimal comma"],
    );
    fails(
        &[
            "fit",
            "--data",
            &bad,
            "--formula",
            "one ~ w",
            "--family",
            "binomial",
        ],
        1,
        &["one", "only one class"],
    );
    fails(
        &["fit", "--data", &bad, "--formula", "y ~ w + nope"],
        1,
        &["bad.csv", "nope"],
    );
    fails(
        &["fit", "--data", &bad, "--formula", "y ~ w + k"],
        1,
        &["singular", "k"],
    );
    fails(
        &["fit", "--data", &bad, "--formula", "y ~ w", "--vcov", "cr1"],
        2,
        &["--cluster"],
    );
}

fn gee_case(case: &str, data: &str, cluster: &str, corstr: &str, family: &str) {
    let want = expected(case);
    let got = fit_json(
        data,
        want["formula"].as_str().unwrap(),
        &["--cluster", cluster, "--gee", corstr, "--family", family],
    );
    compare_coefficients(&got, &want, 1e-6, case);
    close(
        &format!("{case} scale"),
        got["model"]["scale"].as_f64().unwrap(),
        want["scale"].as_f64().unwrap(),
        Tol::rel(1e-6, 1e-12),
    );
    if let Some(a) = want["alpha"].as_f64() {
        close(
            &format!("{case} alpha"),
            got["model"]["alpha"].as_f64().unwrap(),
            a,
            Tol::rel(1e-6, 1e-12),
        );
    }
    assert_eq!(got["model"]["n_clusters"], want["clusters"]);
}

/// geepack::geeglm(corstr = "independence" / "exchangeable"): robust SEs, alpha and scale.
#[test]
fn gee_matches_geepack() {
    gee_case("ohio_gee_ind", "ohio", "id", "independence", "binomial");
    gee_case("ohio_gee_exch", "ohio", "id", "exchangeable", "binomial");
    gee_case(
        "chick_gee_ind",
        "chickweight",
        "Chick",
        "independence",
        "gaussian",
    );
    gee_case(
        "chick_gee_exch",
        "chickweight",
        "Chick",
        "exchangeable",
        "gaussian",
    );
}

#[test]
fn an_empty_response_column_is_named_not_called_a_text_factor() {
    // A simulated registry leaves stent_expansion_pct blank (derive/validate compute it from the areas).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.csv");
    std::fs::write(&path, "y,x\n,1\n,2\n,3\n").unwrap();
    fails(
        &[
            "fit",
            "--data",
            path.to_str().unwrap(),
            "--formula",
            "y ~ x",
        ],
        1,
        &["blank.csv", "response 'y' is empty in all 3 rows"],
    );
}

/// A binomial GEE on a text response (Ohio's `resp` written as "no"/"yes") names the level coded 1, as every
/// other fit does, and gives geepack's exchangeable estimates for the 0/1 response (`ohio_gee_exch`).
#[test]
fn gee_on_a_text_response_names_its_levels() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{REF}/ohio.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let (resp, rest) = line.split_once(',').unwrap();
        let word = if resp == "1" { "yes" } else { "no" };
        out.push_str(&format!("{word},{rest}\n"));
    }
    let path = dir.path().join("ohio_text.csv");
    std::fs::write(&path, out).unwrap();
    let want = expected("ohio_gee_exch");
    let got = common::json(&[
        "fit",
        "--data",
        path.to_str().unwrap(),
        "--formula",
        want["formula"].as_str().unwrap(),
        "--cluster",
        "id",
        "--gee",
        "exchangeable",
        "--family",
        "binomial",
        "--json",
    ]);
    assert_eq!(got["response_levels"]["0"], "no");
    assert_eq!(got["response_levels"]["1"], "yes");
    compare_coefficients(&got, &want, 1e-6, "ohio_gee_exch, text response");
    // The printed summaries (GEE and glm) say it too.
    let formula = want["formula"].as_str().unwrap();
    let data = path.to_str().unwrap();
    let base = [
        "fit",
        "--data",
        data,
        "--formula",
        formula,
        "--family",
        "binomial",
    ];
    let line = "Response resp: \"yes\" is coded 1 and \"no\" 0";
    for extra in [&["--cluster", "id", "--gee", "exchangeable"][..], &[][..]] {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let text = common::stdout(&args);
        assert!(text.contains(line), "{args:?}: {text}");
    }
    // A 0/1 response has no such line.
    let numeric = format!("{REF}/ohio.csv");
    let text = common::stdout(&["fit", "--data", &numeric, "--formula", formula]);
    assert!(!text.contains("is coded 1"), "{text}");
}

/// Factor coding as R's model.matrix (tests/reference/factor_coding.R, lm/glm on birthwt): without an intercept
/// the first factor gets every level, and a factor whose margin is in no earlier term (`race:lwt` without `lwt`,
/// `race:smoke` beside `smoke` only) gets every level too. Names, estimates and SEs of all 10 cases.
#[test]
fn factor_coding_matches_r_model_matrix() {
    let want = expected("factor_coding");
    for case in want["cases"].as_array().unwrap() {
        let formula = case["formula"].as_str().unwrap();
        let family = case["family"].as_str().unwrap();
        let got = fit_json("birthwt", formula, &["--family", family]);
        let rows = got["coefficients"].as_array().unwrap();
        let terms: Vec<&str> = rows.iter().map(|r| r["term"].as_str().unwrap()).collect();
        let want_terms: Vec<&str> = case["term"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(terms, want_terms, "{formula}");
        for (key, want_key) in [("estimate", "estimate"), ("std_error", "std_error")] {
            for (r, w) in rows.iter().zip(case[want_key].as_array().unwrap()) {
                close(
                    &format!("{formula} {} {key}", r["term"]),
                    r[key].as_f64().unwrap(),
                    w.as_f64().unwrap(),
                    Tol::rel(1e-7, 1e-10),
                );
            }
        }
    }
}

/// A factor with one level on the rows used is an error naming it (R: "contrasts can be applied only to factors
/// with 2 or more levels"), not a term left out without a word.
#[test]
fn a_one_level_factor_is_named_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.csv");
    std::fs::write(&path, "y,a,x\n1,p,1\n2,p,2\n3,p,3\n4,p,4\n").unwrap();
    let out = calcscore(&[
        "fit",
        "--data",
        path.to_str().unwrap(),
        "--formula",
        "y ~ a + x",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("one.csv")
            && err.contains("factor a has only the level 'p'")
            && err.contains("4 rows"),
        "{err}"
    );
}

/// `--compare` tests only nested models on the same rows with the same response: a model nested by span alone
/// (the intercept against every level of race) gives R's anova F; a reduced model that loses rows to missing
/// values, has another response, or is not nested is refused (they once gave F = −3.43 and LR = 25.5, p = 4e-7).
#[test]
fn compare_refuses_models_that_are_not_nested_on_the_same_rows() {
    let want = &expected("factor_coding")["nested_anova"];
    let got = fit_json(
        "birthwt",
        want["full"].as_str().unwrap(),
        &["--compare", want["reduced"].as_str().unwrap()],
    );
    let stat = got["compare"]["statistic"].as_f64().unwrap();
    close(
        "span-nested F",
        stat,
        want["f"].as_f64().unwrap(),
        Tol::rel(1e-9, 1e-12),
    );
    assert_eq!(got["compare"]["df"].as_f64(), want["df"].as_f64());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cmp.csv");
    std::fs::write(
        &data,
        "y,x,z,w\n1,1,2,\n2,2,1,3\n3,4,5,1\n4,1,2,2\n5,3,3,5\n6,5,1,4\n7,2,4,\n8,6,6,7\n",
    )
    .unwrap();
    let d = data.to_str().unwrap();
    let bw = format!("{REF}/birthwt.csv");
    let cases: [(&str, &str, &str, &str); 4] = [
        (d, "y ~ x + z", "y ~ w", "2 of the full model's 8 rows"),
        (
            d,
            "y ~ x + z",
            "x ~ z",
            "response 'x' is not the full model's 'y'",
        ),
        (
            &bw,
            "bwt ~ lwt + age",
            "bwt ~ smoke",
            "column 'smoke' is not a combination",
        ),
        (&bw, "low ~ lwt + age", "smoke ~ lwt", "response 'smoke'"),
    ];
    for (data, full, reduced, needle) in cases {
        fails(
            &[
                "fit",
                "--data",
                data,
                "--formula",
                full,
                "--compare",
                reduced,
            ],
            1,
            &[needle],
        );
    }
}

/// One cluster is refused wherever clusters carry the inference (GEE once gave SEs of 1e-15 and p < 2e-16; a
/// cluster bootstrap gave intervals of width 0): every row of birthwt in one site.
#[test]
fn one_cluster_is_refused_by_gee_cr1_and_the_cluster_bootstrap() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{REF}/birthwt.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{},site,p\n", lines.next().unwrap());
    for line in lines {
        // A risk that varies (lwt / 300, lwt being the third column) so that calibration is defined.
        let lwt: f64 = line.split(',').nth(2).unwrap().parse().unwrap();
        out.push_str(&format!("{line},A,{}\n", lwt / 300.0));
    }
    let path = dir.path().join("one_site.csv");
    std::fs::write(&path, out).unwrap();
    let d = path.to_str().unwrap();
    let model = [
        "fit",
        "--data",
        d,
        "--formula",
        "low ~ lwt + smoke",
        "--cluster",
        "site",
    ];
    let gee: Vec<&str> = model
        .iter()
        .copied()
        .chain(["--family", "binomial", "--gee", "independence"])
        .collect();
    let needle = "1 cluster(s) in the rows used, at least 2 needed";
    fails(&gee, 1, &["GEE", needle]);
    fails(&model, 1, &["cluster-robust", needle]);
    let boot = [
        "calibration",
        "--data",
        d,
        "--outcome",
        "low",
        "--predicted",
        "p",
        "--bootstrap",
        "20",
        "--cluster",
        "site",
    ];
    fails(&boot, 1, &["cluster bootstrap", needle]);
}

/// Values whose squares overflow (1e308) are named as too large, not called collinear.
#[test]
fn overflowing_values_are_named_not_called_singular() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, "y,x\n1,1e308\n2,-1e308\n3,5\n4,1e308\n5,2\n").unwrap();
    fails(
        &[
            "fit",
            "--data",
            path.to_str().unwrap(),
            "--formula",
            "y ~ x",
        ],
        1,
        &["big.csv", "column 'x'", "too large to square"],
    );
}

/// A cluster id of spaces only is refused naming its rows: it was a cluster of its own, so blank ids of several
/// patients would have been one patient.
#[test]
fn a_cluster_id_of_spaces_only_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank_ids.csv");
    std::fs::write(
        &path,
        "y,x,pid\n1,1,a\n0,2, \n1,3,b\n0,4,  \n1,5,c\n0,1,d\n",
    )
    .unwrap();
    fails(
        &[
            "fit",
            "--data",
            path.to_str().unwrap(),
            "--formula",
            "y ~ x",
            "--cluster",
            "pid",
        ],
        1,
        &[
            "row 3, column 'pid'",
            "row 5, column 'pid'",
            "an id of spaces only",
        ],
    );
}

/// With a robust or clustered covariance, `--compare` is the Wald test of the dropped coefficients on the full
/// model's covariance (lmtest::waldtest with vcovCL/vcovHC; tests/reference/robust_compare.R), not anova's F or the
/// LR test, which assume independent rows.
#[test]
fn nested_comparisons_follow_a_robust_covariance() {
    let want = expected("robust_compare");
    let cases = [
        (
            "chick_lm_cr1",
            "chickweight",
            "weight ~ Time + factor(Diet)",
            "weight ~ Time",
            &["--cluster", "Chick"][..],
        ),
        (
            "birthwt_lm_hc1",
            "birthwt",
            "bwt ~ age + lwt + factor(race) + smoke",
            "bwt ~ age + lwt",
            &["--vcov", "hc1"],
        ),
        (
            "ohio_glm_cr1",
            "ohio",
            "resp ~ age + smoke",
            "resp ~ age",
            &["--family", "binomial", "--cluster", "id"],
        ),
    ];
    for (case, data, full, reduced, extra) in cases {
        let mut args = vec!["--compare", reduced];
        args.extend_from_slice(extra);
        let got = &fit_json(data, full, &args)["compare"];
        let want = &want[case];
        close(
            case,
            got["statistic"].as_f64().unwrap(),
            want["statistic"].as_f64().unwrap(),
            Tol::rel(1e-9, 1e-12),
        );
        assert_eq!(got["df"].as_f64(), want["df"].as_f64(), "{case}");
        close(
            case,
            got["p_value"].as_f64().unwrap(),
            want["p_value"].as_f64().unwrap(),
            Tol::rel(1e-7, 1e-12),
        );
        assert!(
            got["method"].as_str().unwrap().starts_with("Wald test"),
            "{got}"
        );
    }
}
