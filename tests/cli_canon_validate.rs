//! Issue 15 wired into `validate`, through the binary: a stored score with its `[model]` validated on the even rows
//! of MASS::birthwt against tests/reference/canon_validate.R (rms::val.prob, lowess, glm; net benefit by its
//! definition) and canon_validate_dca.py (Python dcurves 1.1.7).

mod common;
use common::{calcscore, close, num, Tol};

use std::process::Output;

use serde_json::Value;

const REF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/canon_validate"
);

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{REF}/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `validate` of the stored score on the validation half, then `extra` (the run is returned as it is).
fn validate_stored(extra: &[&str]) -> Output {
    let data = format!("{REF}/birthwt_val.csv");
    let score = format!("{REF}/birthwt_stored.toml");
    let mut args = vec![
        "validate",
        "--data",
        &data,
        "--score",
        &score,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
    ];
    args.extend_from_slice(extra);
    calcscore(&args)
}

/// `validate --json` of the stored score on the validation half (one group, "all").
fn validated(extra: &[&str]) -> Value {
    let o = validate_stored(&[["--json"].as_slice(), extra].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["validation"]["groups"][0].clone()
}

/// val.prob(p, y): Brier, Eavg (ICI), E90, Emax, S:z, S:p; E50 = median |p − approx(lowess(p, y, iter = 0))|;
/// scaled Brier by hand; calibration-in-the-large and slope from glm.
#[test]
fn validate_val_prob_measures_equal_rms() {
    let want = reference("expected.json");
    let g = validated(&[]);
    assert_eq!(g["n"], want["n"]);
    assert_eq!(g["n_events"], want["events"]);
    let c = &g["calibration"];
    assert_eq!(c["kind"], "external");
    let v = &c["val_prob"];
    let vp = &want["val_prob"];
    for (field, key) in [
        ("brier", "Brier"),
        ("ici", "Eavg"),
        ("e90", "E90"),
        ("emax", "Emax"),
        ("spiegelhalter_z", "S:z"),
        ("spiegelhalter_p", "S:p"),
    ] {
        close(field, num(&v[field]), num(&vp[key]), Tol::abs(1e-9));
    }
    for field in ["scaled_brier", "e50", "ici", "e90", "emax"] {
        close(field, num(&v[field]), num(&want[field]), Tol::abs(1e-9));
    }
    close(
        "calibration-in-the-large",
        num(&c["intercept"]["estimate"]),
        num(&want["citl"]),
        Tol::abs(1e-7),
    );
    close(
        "calibration slope",
        num(&c["slope"]["estimate"]),
        num(&want["slope"]),
        Tol::abs(1e-7),
    );
    // val.prob's own recalibration slope is the same glm(y ~ lp).
    close(
        "val.prob Slope",
        num(&c["slope"]["estimate"]),
        num(&vp["Slope"]),
        Tol::abs(1e-6),
    );
}

/// Net benefit of the risk model, of "score ≥ 2" and of treat-all at 0.01 … 0.99 equal R (definition) and dcurves.
#[test]
fn validate_decision_curve_equals_r_and_dcurves() {
    let want = reference("expected.json");
    let dca = reference("dca.json");
    let g = validated(&[]);
    let d = &g["decision"];
    assert_eq!(num(&d["cutoff"]), num(&want["cutoff"]));
    close(
        "prevalence",
        num(&d["prevalence"]),
        num(&want["prevalence"]),
        Tol::abs(1e-15),
    );
    let rows = d["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 99);
    for (k, r) in rows.iter().enumerate() {
        close(
            "threshold",
            num(&r["threshold"]),
            num(&want["thresholds"][k]),
            Tol::abs(1e-15),
        );
        for (field, key) in [
            ("net_benefit_model", "net_benefit_model"),
            ("net_benefit_cutoff", "net_benefit_cutoff"),
            ("net_benefit_all", "net_benefit_all"),
            ("interventions_avoided_model", "interventions_avoided_model"),
            (
                "interventions_avoided_cutoff",
                "interventions_avoided_cutoff",
            ),
        ] {
            close(
                &format!("{field} at {k}"),
                num(&r[field]),
                num(&want[key][k]),
                Tol::abs(1e-10),
            );
        }
        for (field, model, key) in [
            ("net_benefit_model", "model", "net_benefit"),
            ("net_benefit_cutoff", "cutoff", "net_benefit"),
            ("net_benefit_all", "all", "net_benefit"),
            (
                "interventions_avoided_model",
                "model",
                "net_intervention_avoided",
            ),
            (
                "interventions_avoided_cutoff",
                "cutoff",
                "net_intervention_avoided",
            ),
        ] {
            close(
                &format!("dcurves {field} at {k}"),
                num(&r[field]),
                num(&dca[model][key][k]),
                Tol::abs(1e-10),
            );
        }
    }
}

/// `--thresholds` sets the grid; a bad grid is a usage error (exit 2) naming the option's value.
#[test]
fn validate_thresholds_grid_and_bad_grid() {
    let g = validated(&["--thresholds", "0.1,0.2,0.3"]);
    assert_eq!(g["decision"]["rows"].as_array().unwrap().len(), 3);
    let o = validate_stored(&["--thresholds", "0.5:1.5:0.5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("0.5:1.5:0.5"));
}

/// Text output names the val.prob measures and the decision curve; `--plots DIR` writes both figures as SVG and PNG.
#[test]
fn validate_text_and_plots() {
    let dir = std::env::temp_dir().join(format!("calcscore_cv_plots_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = validate_stored(&["--plots", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("val.prob: Brier 0.1858"), "{text}");
    assert!(text.contains("decision curve"), "{text}");
    for name in ["calibration_all", "decision_all"] {
        let png = std::fs::read(dir.join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}.png");
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{name}.svg");
    }
    let svg = std::fs::read_to_string(dir.join("decision_all.svg")).unwrap();
    assert!(
        svg.contains("Score ≥ 2") && svg.contains("Treat all"),
        "decision legend"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn derive_separation(extra: &[&str]) -> Output {
    let data = format!("{REF}/birthwt.csv");
    let cands = format!("{REF}/candidates_separation.toml");
    let mut args = vec![
        "derive",
        "--data",
        &data,
        "--candidates",
        &cands,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
    ];
    args.extend_from_slice(extra);
    calcscore(&args)
}

/// `derive --firth`: coefficients, SEs and points from Firth's model equal brglm2 (brglmFit, AS_mean) on birthwt,
/// where "age >= 35" separates (glm's estimate diverges).
#[test]
fn derive_firth_points_equal_brglm2() {
    let want = &reference("expected.json")["firth"];
    let o = derive_separation(&["--firth", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let coefs = d["logistic"]["coefficients"].as_array().unwrap();
    for k in 0..4 {
        close(
            "Firth coefficient",
            num(&coefs[k + 1]["estimate"]),
            num(&want["coefficients"][k]),
            Tol::abs(1e-7),
        );
        close(
            "Firth SE",
            num(&coefs[k + 1]["std_error"]),
            num(&want["std_errors"][k]),
            Tol::abs(1e-7),
        );
    }
    let points: Vec<f64> = d["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p["points"]))
        .collect();
    let want_points: Vec<f64> = want["points"].as_array().unwrap().iter().map(num).collect();
    assert_eq!(points, want_points);
    let notes = d["notes"].to_string();
    assert!(
        notes.contains("separation") && notes.contains("Firth"),
        "{notes}"
    );
}

/// Without --firth, separation in the derivation set is noted and --firth offered; the fit is not switched.
#[test]
fn derive_separation_offers_firth_never_switches() {
    let o = derive_separation(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("NOTE: separation: none of the 5 row(s) with 'Age >= 35' has the event"),
        "{text}"
    );
    assert!(text.contains("rerun with --firth"), "{text}");
    assert!(!text.contains("(Firth)"), "switched silently: {text}");
    // glm's diverging estimate (R: -15.41) is what the maximum-likelihood fit reports.
    let want = num(&reference("expected.json")["firth"]["ml_age_coefficient"]);
    assert!(text.contains(&format!("{:.3}", want)), "{text}");
}

/// `derive --tripod`: the apparent Cox–Snell R² behind item 10 equals R's glm (1 − exp(−(null − residual deviance)/n)),
/// and the section lists the sample size, missing data and the items only authors can answer.
#[test]
fn derive_tripod_section_uses_the_apparent_r2() {
    let want = reference("expected.json");
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/score_trust/birthwt_dev.csv"
    );
    let cands = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/score_trust/candidates.toml"
    );
    let base = [
        "derive",
        "--data",
        data,
        "--candidates",
        cands,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
    ];
    let o = calcscore(&[&base[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    close(
        "apparent R2_CS",
        num(&d["logistic"]["r2_cox_snell"]),
        num(&want["r2cs_dev"]),
        Tol::abs(1e-9),
    );
    let o = calcscore(&[&base[..], &["--tripod"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let r2 = format!("apparent R²_CS {:.3}", num(&want["r2cs_dev"]));
    let events = format!(
        "{} rows, {} events, 5 parameters",
        want["n_dev"], want["events_dev"]
    );
    for part in [
        "TRIPOD+AI (2024)",
        "10   Sample size",
        &events,
        &r2,
        "Riley's minimum n",
        "11   Missing data",
        "Only the authors can answer",
    ] {
        assert!(text.contains(part), "lacks '{part}': {text}");
    }
}

/// `validate --tripod`: per group the performance with CIs, calibration and clinical utility, keyed to item numbers.
#[test]
fn validate_tripod_section() {
    let o = validate_stored(&["--tripod"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    for part in [
        "TRIPOD+AI (2024)",
        // n 94 is far below Riley's calibration-slope criterion (thousands for a slope CI width of 0.2).
        "10   Sample size: all: n 94, events 29, minimum ",
        "(criterion 2; LP mean",
        "): not met; Riley et al. 2021 criteria (pmvalsampsize defaults",
        "12g  Predictions: the score file's [model]",
        "23a  Performance [all]: n 94, events 29",
        "23a  Clinical utility [all]",
        "Only the authors can answer",
    ] {
        assert!(text.contains(part), "lacks '{part}': {text}");
    }
}

/// Groups whose names make the same file-name part (`<25` and `>25` are both `_25`) get distinct plot files;
/// the second group's plots once replaced the first's without a word.
#[test]
fn plots_of_groups_with_alike_names_do_not_replace_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{REF}/birthwt_val.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let age = header
        .split(',')
        .position(|c| c.trim_matches('"') == "age")
        .unwrap();
    let mut out = format!("{header},grp\n");
    for line in lines {
        let a: f64 = line.split(',').nth(age).unwrap().parse().unwrap();
        out.push_str(&format!(
            "{line},{}\n",
            if a < 23.0 { "<25" } else { ">25" }
        ));
    }
    let data = tmp.path().join("grouped.csv");
    std::fs::write(&data, out).unwrap();
    let plots = tmp.path().join("plots");
    let score = format!("{REF}/birthwt_stored.toml");
    let o = calcscore(&[
        "validate",
        "--data",
        data.to_str().unwrap(),
        "--score",
        &score,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--by",
        "grp",
        "--plots",
        plots.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = std::fs::read_to_string(plots.join("calibration__25.svg")).unwrap();
    let b = std::fs::read_to_string(plots.join("calibration__25_2.svg")).unwrap();
    assert!(
        a.contains("&lt;25") && b.contains("&gt;25"),
        "each file shows its own group"
    );
    assert!(plots.join("decision__25_2.png").exists());
}

/// No usable row, or a derivation group that does not exist, is refused naming why (validate once printed
/// "0 of 60 rows used", a note about an unnamed group, and exited 0; `--derivation 7` fitted in no group).
#[test]
fn no_usable_row_and_an_unknown_derivation_group_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{REF}/birthwt_val.csv")).unwrap();
    let blank: String = text
        .lines()
        .enumerate()
        .map(|(k, l)| {
            // Every smoke value (the 5th column) left empty.
            let mut f: Vec<&str> = l.split(',').collect();
            if k > 0 {
                f[4] = "";
            }
            f.join(",") + "\n"
        })
        .collect();
    let data = tmp.path().join("blank.csv");
    std::fs::write(&data, blank).unwrap();
    let score = format!("{REF}/birthwt_stored.toml");
    let base = [
        "validate",
        "--score",
        &score,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
    ];
    let d = data.to_str().unwrap();
    let o = calcscore(&[&base[..], &["--data", d]].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("none of its") && err.contains("smoke"),
        "{err}"
    );
    let val = format!("{REF}/birthwt_val.csv");
    let o = calcscore(
        &[
            &base[..],
            &["--data", &val, "--by", "smoke", "--derivation", "7"],
        ]
        .concat(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no group '7'") && err.contains("groups of smoke: 0, 1"),
        "{err}"
    );
}

/// Messages name the user's file, column and rule: a non-finite continuous outcome by its file row and column
/// (not the internal frame's 'outcome'), a one-class outcome by its rule, and `!=` as an operator calcscore does
/// not read (it was looked up as a column named 'low != 1').
#[test]
fn messages_name_the_users_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{REF}/birthwt_val.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // bwt (10th column) of the first data row (file row 2) is inf; a second file has low = 0 everywhere.
    let mut f: Vec<&str> = lines[1].split(',').collect();
    f[9] = "inf";
    let row2 = f.join(",");
    let zeros: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            if k == 0 {
                l.clone()
            } else {
                format!("0{}", &l[l.find(',').unwrap()..])
            }
        })
        .collect();
    lines[1] = row2;
    let inf = tmp.path().join("inf.csv");
    std::fs::write(&inf, lines.join("\n") + "\n").unwrap();
    let one = tmp.path().join("one.csv");
    std::fs::write(&one, zeros.join("\n") + "\n").unwrap();
    let score = format!("{REF}/birthwt_stored.toml");
    let run = |data: &std::path::Path, outcome: &str, binary: &str| {
        calcscore(&[
            "validate",
            "--data",
            data.to_str().unwrap(),
            "--score",
            &score,
            "--outcome",
            outcome,
            "--binary-outcome",
            binary,
        ])
    };
    let o = run(&inf, "bwt", "low");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("inf.csv: row 2, column 'bwt': inf"), "{err}");
    let o = run(&one, "none", "low");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("outcome 'low = 1' has only one class") && !out.contains("'outcome'"),
        "{out}"
    );
    let o = run(&inf, "none", "low != 1");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("'!=' is not a comparison calcscore reads"),
        "{err}"
    );
}

/// A `--plots` directory that holds the user's files is refused with a fix that names `--plots` (it said
/// "--out", which validate does not have).
#[test]
fn a_foreign_plots_directory_is_refused_naming_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let plots = tmp.path().join("mine");
    std::fs::create_dir(&plots).unwrap();
    std::fs::write(plots.join("notes.txt"), "mine").unwrap();
    let o = validate_stored(&["--plots", plots.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("e.g. --plots ") && !err.contains("--out"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(plots.join("notes.txt")).unwrap(),
        "mine"
    );
}
