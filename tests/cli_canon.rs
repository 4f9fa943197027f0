//! The validation canon through the binary against committed fixtures (tests/reference/canon.R with
//! brglm2 0.9, rms 6.5 `val.prob`, Hmisc 4.8 `improveProb`; tests/reference/canon_dca.py with Python
//! dcurves 1.1.7) on MASS::birthwt, MASS::Pima.tr/Pima.te and a separated toy set.

mod common;
use common::{calcscore, close_json, Tol};

use std::process::{Command, Output};

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/canon");

/// Relative agreement asked of every value (absolute below 1e-3 in magnitude).
const TOL: Tol = Tol::rel(1e-9, 1e-3);

fn json_of(args: &[&str]) -> Value {
    common::json(args)
}

fn expected(case: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{REF}/{case}.json")).unwrap()).unwrap()
}

fn data(name: &str) -> String {
    format!("{REF}/{name}.csv")
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
            close_json(
                &format!("{case} {} {k}", terms[j]),
                &row[k],
                &want["coefficients"][k][j],
                TOL,
            );
        }
    }
    assert_eq!(got["method"], "firth");
    close_json(
        "deviance",
        &got["model"]["deviance"],
        &want["deviance"],
        TOL,
    );
    close_json(
        "null deviance",
        &got["model"]["null_deviance"],
        &want["null_deviance"],
        TOL,
    );
    close_json("AIC", &got["model"]["aic"], &want["aic"], TOL);
    close_json(
        "penalised log-likelihood",
        &got["penalised_log_lik"],
        &want["penalised_log_lik"],
        TOL,
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
fn firth_profile_intervals_match_the_penalised_likelihood_written_out_in_r() {
    // canon.R: pl(b) = loglik + log|X'WX|/2 maximised by optim over the other coefficients, limits by uniroot.
    let got = json_of(&[
        "fit",
        "--data",
        &data("birthwt"),
        "--formula",
        "low ~ age + lwt + factor(race) + smoke + ptl + ht + ui",
        "--family",
        "binomial",
        "--firth",
        "--profile-ci",
        "--json",
    ]);
    let want = expected("firth_birthwt");
    let rows = got["profile_ci"].as_array().unwrap();
    assert_eq!(rows.len(), 9);
    for (j, row) in rows.iter().enumerate() {
        close_json(
            &format!("profile {j} low"),
            &row["conf_low"],
            &want["profile_conf_low"][j],
            TOL,
        );
        close_json(
            &format!("profile {j} high"),
            &row["conf_high"],
            &want["profile_conf_high"][j],
            TOL,
        );
    }
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

#[test]
fn separation_in_a_maximum_likelihood_fit_points_to_firth() {
    let o = calcscore(&[
        "fit",
        "--data",
        &data("separation"),
        "--formula",
        "y ~ x + z",
        "--family",
        "binomial",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && text.contains("separation") && text.contains("--firth"),
        "{text}"
    );
}

// ------------------------------------------------------------------------------------ calibration

/// rms::val.prob (Brier, Eavg, E90, Emax), Hmisc::somers2 (C), glm(y ~ offset(lp)), glm(y ~ lp), lowess(p, y, iter = 0),
/// cut2 groups with binconf Wilson intervals.
fn calibration_case(case: &str, column: &str, flag: &str, groups: &str) {
    let got = json_of(&[
        "calibration",
        "--data",
        &data("pima_validation"),
        "--outcome",
        "y",
        flag,
        column,
        "--groups",
        groups,
        "--json",
    ]);
    let want = expected(case);
    assert_eq!(got["n"], want["n"]);
    assert_eq!(got["events"], want["events"]);
    for part in ["citl", "slope"] {
        for k in [
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "conf_low",
            "conf_high",
        ] {
            close_json(
                &format!("{case} {part} {k}"),
                &got[part][k],
                &want[part][k],
                TOL,
            );
        }
    }
    close_json(
        "recalibration intercept",
        &got["slope_intercept"],
        &want["slope_intercept"],
        TOL,
    );
    for k in ["brier", "scaled_brier", "ici", "e50", "e90", "emax"] {
        close_json(&format!("{case} {k}"), &got[k], &want[k], TOL);
    }
    let vp = &want["val_prob"];
    close_json("val.prob Brier", &got["brier"], &vp["Brier"], TOL);
    close_json("val.prob Eavg", &got["ici"], &vp["Eavg"], TOL);
    close_json("val.prob E90", &got["e90"], &vp["E90"], TOL);
    close_json("val.prob Emax", &got["emax"], &vp["Emax"], TOL);
    close_json("val.prob S:z", &got["spiegelhalter_z"], &vp["S:z"], TOL);
    close_json("val.prob S:p", &got["spiegelhalter_p"], &vp["S:p"], TOL);
    close_json(
        "Hmisc::somers2 C",
        &got["c_statistic"],
        &want["c_statistic"],
        TOL,
    );
    let curve = got["curve"].as_array().unwrap();
    let (wx, wy) = (
        want["lowess_x"].as_array().unwrap(),
        want["lowess_y"].as_array().unwrap(),
    );
    assert_eq!(curve.len(), wx.len());
    for (k, pt) in curve.iter().enumerate() {
        close_json(&format!("lowess x[{k}]"), &pt[0], &wx[k], TOL);
        close_json(&format!("lowess y[{k}]"), &pt[1], &wy[k], TOL);
    }
    let (gg, wg) = (
        got["groups"].as_array().unwrap(),
        want["groups"].as_array().unwrap(),
    );
    assert_eq!(gg.len(), wg.len(), "{case}: groups");
    for (k, (g, w)) in gg.iter().zip(wg).enumerate() {
        assert_eq!(g["n"], w["n"], "group {k} n");
        assert_eq!(g["events"], w["events"], "group {k} events");
        for f in [
            "mean_predicted",
            "max_predicted",
            "observed",
            "conf_low",
            "conf_high",
        ] {
            close_json(&format!("{case} group {k} {f}"), &g[f], &w[f], TOL);
        }
    }
}

#[test]
fn calibration_matches_val_prob_and_glm_on_pima() {
    calibration_case("calibration_full", "p_full", "--predicted", "10");
    calibration_case("calibration_small", "p_small", "--predicted", "5");
}

#[test]
fn calibration_from_the_linear_predictor_gives_the_same_numbers() {
    calibration_case("calibration_full", "lp_full", "--lp", "10");
}

/// `calibration --outcome y --predicted p` on a file `name` holding `csv` exits with 1 and a message holding
/// every `needles`.
fn calibration_refused(name: &str, csv: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(name);
    std::fs::write(&f, csv).unwrap();
    let args = [
        "calibration",
        "--data",
        f.to_str().unwrap(),
        "--outcome",
        "y",
        "--predicted",
        "p",
    ];
    fails(&args, 1, needles);
}

#[test]
fn calibration_plot_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("cal.svg");
    let o = calcscore(&[
        "calibration",
        "--data",
        &data("pima_validation"),
        "--outcome",
        "y",
        "--predicted",
        "p_full",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("Observed proportion"));
}

#[test]
fn calibration_names_the_row_of_a_risk_outside_0_1() {
    calibration_refused(
        "bad.csv",
        "y,p\n0,0.2\n1,0.7\n1,1\n0,0.1\n",
        &["bad.csv", "row 4", "'p'", "strictly between 0 and 1"],
    );
}

#[test]
fn calibration_of_constant_risks_is_refused_with_a_reason() {
    calibration_refused(
        "const.csv",
        "y,p\n0,0.3\n1,0.3\n1,0.3\n0,0.3\n",
        &["all 4 predicted risks equal 0.3", "undefined"],
    );
}

// ------------------------------------------------------------------------------- decision curves

#[test]
fn decision_curve_matches_dcurves() {
    let got = json_of(&[
        "decision",
        "--data",
        &data("pima_validation"),
        "--outcome",
        "y",
        "--predicted",
        "p_full",
        "--json",
    ]);
    let want = expected("dca_full");
    close_json("prevalence", &got["prevalence"], &want["prevalence"], TOL);
    let thresholds = want["thresholds"].as_array().unwrap();
    for (mine, theirs) in [("model", "model"), ("all", "all"), ("none", "none")] {
        let rows = got[mine].as_array().unwrap();
        assert_eq!(rows.len(), thresholds.len(), "{mine}: thresholds");
        for (k, row) in rows.iter().enumerate() {
            close_json("threshold", &row["threshold"], &thresholds[k], TOL);
            for f in [
                "net_benefit",
                "net_intervention_avoided",
                "tp_rate",
                "fp_rate",
                "standardized_net_benefit",
            ] {
                close_json(
                    &format!("{mine} {f} at {}", thresholds[k]),
                    &row[f],
                    &want[theirs][f][k],
                    TOL,
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------- NRI/IDI

#[test]
fn nri_and_idi_match_improve_prob() {
    let got = json_of(&[
        "nri",
        "--data",
        &data("pima_validation"),
        "--outcome",
        "y",
        "--old",
        "p_small",
        "--new",
        "p_full",
        "--cuts",
        "0.2,0.5",
        "--json",
    ]);
    let want = expected("nri");
    for (mine, theirs) in [("continuous", "continuous"), ("categorical", "categorical")] {
        let w = &want[theirs];
        let rows = got[mine]["rows"].as_array().unwrap();
        let pairs = [
            ("nri", "se_nri"),
            ("nri_ev", "se_nri_ev"),
            ("nri_ne", "se_nri_ne"),
        ];
        for (row, (est, se)) in rows.iter().zip(pairs) {
            close_json(&format!("{mine} {est}"), &row["estimate"], &w[est], TOL);
            close_json(&format!("{mine} {se}"), &row["std_error"], &w[se], TOL);
        }
        close_json(
            &format!("{mine} z"),
            &rows[0]["statistic"],
            &w["z_nri"],
            TOL,
        );
        let m = &got[mine]["movement"];
        close_json("pup.ev", &m["up_events"], &w["pup_ev"], TOL);
        close_json("pdown.ev", &m["down_events"], &w["pdown_ev"], TOL);
        close_json("pup.ne", &m["up_nonevents"], &w["pup_ne"], TOL);
        close_json("pdown.ne", &m["down_nonevents"], &w["pdown_ne"], TOL);
    }
    let c = &want["continuous"];
    close_json("IDI", &got["idi"]["estimate"], &c["idi"], TOL);
    close_json("SE IDI", &got["idi"]["std_error"], &c["se_idi"], TOL);
    close_json("z IDI", &got["idi"]["statistic"], &c["z_idi"], TOL);
    close_json("improveSens", &got["improve_sens"], &c["improve_sens"], TOL);
    close_json("improveSpec", &got["improve_spec"], &c["improve_spec"], TOL);
    assert_eq!(got["events"], c["na"]);
    assert_eq!(got["nonevents"], c["nb"]);
}

// ------------------------------------------------------------------------------ cluster bootstrap

fn nri_boot(data_path: &str, extra: &[&str], threads: &str) -> Output {
    let mut args = vec![
        "nri",
        "--data",
        data_path,
        "--outcome",
        "y",
        "--old",
        "p_small",
        "--new",
        "p_full",
        "--cuts",
        "0.2,0.5",
        "--json",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .env("RAYON_NUM_THREADS", threads)
        .args(&args)
        .output()
        .expect("run calcscore")
}

fn boot_sd(v: &Value, term: &str) -> f64 {
    v["bootstrap"]["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["term"] == term)
        .unwrap()["std_error"]
        .as_f64()
        .unwrap()
}

/// One replicate gives no interval: `--bootstrap 1` is refused by calibration, decision and nri as `--impute 1`
/// is (it once printed `NaN NaN (SD NaN)` as every interval, exit 0); 2 replicates print numbers.
#[test]
fn one_bootstrap_replicate_is_refused() {
    let pima = data("pima_validation");
    let risk = ["--data", &pima, "--outcome", "y", "--predicted", "p_full"];
    for verb in ["calibration", "decision"] {
        let args: Vec<&str> = [verb]
            .into_iter()
            .chain(risk)
            .chain(["--bootstrap", "1"])
            .collect();
        fails(
            &args,
            2,
            &[
                "--bootstrap 1: one replicate gives no interval",
                "Fix: --bootstrap 1000",
            ],
        );
    }
    let o = nri_boot(&pima, &["--bootstrap", "1"], "1");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--bootstrap 1: one replicate"));
    let o = nri_boot(&pima, &["--bootstrap", "2"], "1");
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(boot_sd(&v, "IDI").is_finite());
}

#[test]
fn bootstrap_is_identical_on_one_and_two_threads() {
    let d = data("pima_validation");
    let extra = ["--bootstrap", "300", "--boot-seed", "7"];
    let (one, two) = (nri_boot(&d, &extra, "1"), nri_boot(&d, &extra, "2"));
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn bootstrap_sd_agrees_with_improve_prob_se_within_monte_carlo_error() {
    // 2000 replicates: the SD of the replicates has a Monte Carlo error of about 1/sqrt(2·2000) ≈ 1.6%;
    // bootstrap and asymptotic SEs differ by a few % more at n = 332, so 10% is the bound asserted.
    let o = nri_boot(&data("pima_validation"), &["--bootstrap", "2000"], "2");
    let got: Value = serde_json::from_slice(&o.stdout).unwrap();
    let want = expected("nri");
    for (term, se) in [
        ("NRI (continuous)", &want["continuous"]["se_nri"]),
        ("IDI", &want["continuous"]["se_idi"]),
        ("NRI (categorical)", &want["categorical"]["se_nri"]),
    ] {
        let ratio = boot_sd(&got, term) / se.as_f64().unwrap();
        assert!(
            (0.9..1.1).contains(&ratio),
            "{term}: bootstrap SD / improveProb SE = {ratio}"
        );
    }
}

#[test]
fn cluster_bootstrap_resamples_whole_clusters() {
    // Every validation row twice, the copies sharing a cluster: resampling clusters gives the SE of the
    // original data (improveProb's), resampling rows wrongly shrinks it by about 1/sqrt(2).
    let text = std::fs::read_to_string(data("pima_validation")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{},patient\n", lines.next().unwrap());
    for (k, l) in lines.enumerate() {
        out.push_str(&format!("{l},{k}\n{l},{k}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("twice.csv");
    std::fs::write(&f, out).unwrap();
    let path = f.to_str().unwrap();
    let se = expected("nri")["continuous"]["se_idi"].as_f64().unwrap();
    let clustered: Value = serde_json::from_slice(
        &nri_boot(path, &["--bootstrap", "1000", "--cluster", "patient"], "2").stdout,
    )
    .unwrap();
    let rows: Value =
        serde_json::from_slice(&nri_boot(path, &["--bootstrap", "1000"], "2").stdout).unwrap();
    assert_eq!(clustered["bootstrap"]["unit"], "cluster");
    assert_eq!(clustered["bootstrap"]["n_units"], 332);
    let (c, r) = (boot_sd(&clustered, "IDI") / se, boot_sd(&rows, "IDI") / se);
    assert!((0.88..1.12).contains(&c), "clustered SD / SE = {c}");
    assert!(
        (0.62..0.80).contains(&r),
        "row SD / SE = {r} (expected about 0.71)"
    );
    fails(
        &[
            "nri",
            "--data",
            path,
            "--outcome",
            "y",
            "--old",
            "p_small",
            "--new",
            "p_full",
            "--cluster",
            "patient",
        ],
        2,
        &["--bootstrap"],
    );
}

#[test]
fn calibration_bootstrap_gives_intervals_and_a_curve_band() {
    let got = json_of(&[
        "calibration",
        "--data",
        &data("pima_validation"),
        "--outcome",
        "y",
        "--predicted",
        "p_full",
        "--bootstrap",
        "200",
        "--json",
    ]);
    let ivs = got["bootstrap"]["intervals"].as_array().unwrap();
    assert_eq!(ivs.len(), 9);
    let slope = ivs
        .iter()
        .find(|i| i["term"] == "calibration slope")
        .unwrap();
    let est = got["slope"]["estimate"].as_f64().unwrap();
    assert!(
        slope["conf_low"].as_f64().unwrap() < est && est < slope["conf_high"].as_f64().unwrap()
    );
    let band = got["curve_band"].as_array().unwrap();
    assert_eq!(band.len(), 101);
    assert!(band
        .iter()
        .all(|b| b[1].as_f64().unwrap() <= b[2].as_f64().unwrap()));
}

#[test]
fn score_cutoff_strategies_match_dcurves_on_a_0_1_column() {
    // canon_dca.py gives dcurves the columns glu >= 120 and glu >= 150 as 0/1 "models".
    let got = json_of(&[
        "decision",
        "--data",
        &data("pima_validation"),
        "--outcome",
        "y",
        "--predicted",
        "p_full",
        "--marker",
        "glu",
        "--cutoffs",
        "120,150",
        "--json",
    ]);
    let want = expected("dca_full");
    let strategies = got["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), 2);
    for (s, key) in strategies.iter().zip(["glu_ge_120", "glu_ge_150"]) {
        let points = s["points"].as_array().unwrap();
        assert_eq!(points.len(), 99);
        for (k, p) in points.iter().enumerate() {
            for f in [
                "net_benefit",
                "net_intervention_avoided",
                "tp_rate",
                "fp_rate",
            ] {
                close_json(&format!("{key} {f} at {k}"), &p[f], &want[key][f][k], TOL);
            }
        }
    }
    assert_eq!(strategies[0]["name"], "glu >= 120");
}
