//! `derive`, `validate` and `table1` through the binary: on MASS::birthwt against tests/reference/score.R
//! (glm, pROC, binom.test, t.test, wilcox.test, oneway.test, kruskal.test, chisq.test, fisher.test), and on the
//! shipped synthetic registry against the published numbers.

mod common;
use common::{calcscore, close, json, num, stdout_on_threads, Tol};

use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/score");
const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/zhang2021_synthetic.csv"
);

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{REF}/expected.json")).unwrap()).unwrap()
}

/// derive on birthwt (low birth weight, five binary candidates) = glm + round(coef / min |coef|) + pROC + binom.test.
#[test]
fn derive_matches_r_on_birthwt() {
    let data = format!("{REF}/birthwt.csv");
    let cands = format!("{REF}/candidates.toml");
    let d = json(&[
        "derive",
        "--data",
        &data,
        "--candidates",
        &cands,
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--json",
    ]);
    let want = &expected()["derive"];
    let coefs = d["logistic"]["coefficients"].as_array().unwrap();
    for (k, p) in d["points"].as_array().unwrap().iter().enumerate() {
        close(
            "coefficient",
            num(&p["coefficient"]),
            num(&want["coefficients"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            "SE",
            num(&coefs[k + 1]["std_error"]),
            num(&want["std_errors"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            "ratio",
            num(&p["ratio"]),
            num(&want["ratio"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        assert_eq!(
            p["points"].as_f64(),
            want["points"][k].as_f64(),
            "points of item {k}"
        );
    }
    for (k, name) in ["estimate", "conf_low", "conf_high"].iter().enumerate() {
        close(
            "AUC",
            num(&d["auc"][name]),
            num(&want["auc"][k]),
            Tol::rel(1e-9, 1e-12),
        );
    }
    let c = &d["cutoffs"][0];
    assert_eq!(c["cutoff"].as_f64(), want["cutoff"].as_f64());
    let t = &c["table"];
    let counts = [num(&t["tp"]), num(&t["fp"]), num(&t["fn"]), num(&t["tn"])];
    assert_eq!(
        counts.to_vec(),
        want["table"]
            .as_array()
            .unwrap()
            .iter()
            .map(num)
            .collect::<Vec<_>>()
    );
    for m in c["measures"].as_array().unwrap() {
        let name = m["measure"].as_str().unwrap();
        for (k, field) in ["estimate", "conf_low", "conf_high"].iter().enumerate() {
            close(
                name,
                num(&m[field]),
                num(&want[name][k]),
                Tol::rel(1e-9, 1e-12),
            );
        }
    }
}

fn table1_case(by: &str, key: &str) {
    let data = format!("{REF}/birthwt.csv");
    let vars = "age,lwt,bwt,ptl,low,ht,ui,race_txt,smoke";
    let vars: Vec<&str> = vars.split(',').filter(|v| *v != by).collect();
    let t = json(&[
        "table1",
        "--data",
        &data,
        "--by",
        by,
        "--vars",
        &vars.join(","),
        "--json",
    ]);
    let want = &expected()[key];
    let rows = t["rows"].as_array().unwrap();
    for c in want["continuous"].as_array().unwrap() {
        let v = c["variable"].as_str().unwrap();
        let row = rows.iter().find(|r| r["variable"] == v).unwrap();
        let normal = c["normal"].as_bool().unwrap();
        assert_eq!(
            row["statistic"],
            if normal { "mean ± SD" } else { "median [IQR]" },
            "{key} {v}"
        );
        close(
            &format!("{key} {v} p"),
            num(&row["p_value"]),
            num(&c["p_value"]),
            Tol::rel(1e-9, 1e-12),
        );
        for (g, vals) in row["values"].as_array().unwrap().iter().enumerate() {
            for name in ["mean", "sd", "median", "q1", "q3"] {
                close(
                    &format!("{key} {v} {name} group {g}"),
                    num(&vals[name]),
                    num(&c[name][g]),
                    Tol::rel(1e-12, 1e-12),
                );
            }
        }
    }
    for c in want["categorical"].as_array().unwrap() {
        let v = c["variable"].as_str().unwrap();
        let row = rows.iter().find(|r| r["variable"] == v).unwrap();
        close(
            &format!("{key} {v} p"),
            num(&row["p_value"]),
            num(&c["p_value"]),
            Tol::rel(1e-9, 1e-12),
        );
    }
}

#[test]
fn table1_matches_r_two_groups() {
    table1_case("smoke", "table1_smoke");
}

#[test]
fn table1_matches_r_three_groups() {
    table1_case("race_txt", "table1_race");
}

#[test]
fn table1_formats_render() {
    let data = format!("{REF}/birthwt.csv");
    for (format, needle) in [
        ("latex", "\\toprule"),
        ("html", "<table class=\"table1\">"),
        ("md", "| Variable |"),
        ("csv", "Variable,Overall"),
    ] {
        let o = calcscore(&[
            "table1", "--data", &data, "--by", "smoke", "--vars", "age,low", "--format", format,
        ]);
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(needle),
            "{format}"
        );
    }
}

/// derive on cohort A of the shipped registry recovers the published points (1/1/1/1) and the cutoff ≥2.
#[test]
fn derive_recovers_published_points_on_shipped_cohort_a() {
    let d = json(&[
        "derive",
        "--data",
        SHIPPED,
        "--cohort",
        "A",
        "--cluster",
        "patient_id",
        "--json",
    ]);
    let points: Vec<f64> = d["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p["points"]))
        .collect();
    assert_eq!(points, [1.0, 1.0, 1.0, 1.0]);
    assert_eq!(d["score"]["cutoff"].as_f64(), Some(2.0));
    assert_eq!(d["n"].as_f64(), Some(97.0));
}

/// validate the built-in score by cohort (B, C): slopes within the published CIs, interaction P < 0.05, NPV CI holds 0.94.
#[test]
fn validate_reproduces_published_slopes_and_interaction() {
    let v = json(&[
        "validate",
        "--data",
        SHIPPED,
        "--score",
        "ivus-zhang2021",
        "--by",
        "cohort",
        "--groups",
        "B,C",
        "--cluster",
        "patient_id",
        "--json",
    ]);
    let groups = v["validation"]["groups"].as_array().unwrap();
    let slope =
        |g: &str| num(&groups.iter().find(|x| x["group"] == g).unwrap()["slope"]["estimate"]);
    assert!(
        (-10.5..=-5.7).contains(&slope("B")),
        "B slope {}",
        slope("B")
    );
    assert!(
        (-7.2..=-2.5).contains(&slope("C")),
        "C slope {}",
        slope("C")
    );
    assert!(num(&v["validation"]["interaction"]["p_value"]) < 0.05);
    let b = groups.iter().find(|x| x["group"] == "B").unwrap();
    let npv = b["accuracy"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "npv")
        .unwrap()
        .clone();
    assert!(
        num(&npv["conf_low"]) <= 0.94 && 0.94 <= num(&npv["conf_high"]),
        "NPV CI {npv:?}"
    );
}

/// The bootstrap is seeded: the same seed gives the same numbers (whatever the thread count).
#[test]
fn bootstrap_is_deterministic_across_thread_counts() {
    let run = |threads: &str| {
        let out = stdout_on_threads(
            threads,
            &[
                "validate",
                "--data",
                SHIPPED,
                "--score",
                "ivus-zhang2021",
                "--by",
                "cohort",
                "--groups",
                "A",
                "--cluster",
                "patient_id",
                "--bootstrap",
                "50",
                "--boot-seed",
                "7",
                "--json",
            ],
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        v["bootstrap"].clone()
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one, two);
    assert!(
        num(&one["auc_optimism"]).abs() < 0.2
            && num(&one["auc_corrected"]) < num(&one["auc_apparent"]) + 0.2
    );
}

#[test]
fn validate_names_missing_score_columns() {
    let o = calcscore(&[
        "validate",
        "--data",
        &format!("{REF}/birthwt.csv"),
        "--score",
        "oct-fujino2018",
        "--binary-outcome",
        "low",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("max_calcium_angle_deg") && err.contains("birthwt.csv"),
        "{err}"
    );
}

/// A misspelt key in a candidates or score file is an error naming the key, never a default taken in its place
/// (`opp` once left the comparison at `==`, so the score was derived on lwt == 110; `[modle]` dropped the risk
/// model); a candidate with both a threshold and a grid is refused instead of silently searching the grid.
#[test]
fn misspelt_keys_in_score_and_candidate_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/optimism/birthwt.csv"
    );
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cand = "name = \"t\"\n[[candidate]]\nlabel = \"X\"\ncolumn = \"lwt\"\n";
    let typo = write(
        "typo.toml",
        &format!("{cand}opp = \">\"\nthreshold = 110\n"),
    );
    let both = write(
        "both.toml",
        &format!("{cand}op = \">\"\nthreshold = 110\ngrid = [100.0]\n"),
    );
    let score_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/card/birthwt_score.toml"
    ))
    .unwrap();
    let modle = write("modle.toml", &score_text.replace("[model]", "[modle]"));
    let pionts = write(
        "pionts.toml",
        &score_text.replacen("points = 1", "pionts = 1", 1),
    );
    let derive = |c: &str| {
        calcscore(&[
            "derive",
            "--data",
            data,
            "--candidates",
            c,
            "--outcome",
            "bwt",
            "--binary-outcome",
            "low",
        ])
    };
    let validate = |s: &str| {
        calcscore(&[
            "validate",
            "--data",
            data,
            "--score",
            s,
            "--outcome",
            "bwt",
            "--binary-outcome",
            "low",
        ])
    };
    let cases = [
        (derive(&typo), "unknown field `opp`"),
        (derive(&both), "both a threshold and a grid"),
        (validate(&modle), "unknown key 'modle' in the top level"),
        (validate(&pionts), "unknown key 'pionts' in [item]"),
    ];
    for (o, needle) in cases {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(needle),
            "{needle}: {err}"
        );
    }
}

/// A bare two-level text outcome is `column == its second level` (as R codes a factor response), and every label
/// says so: derive with `type` (levels case, control) is byte for byte derive with "type == control", with a note
/// on stderr naming the event and how to choose the other; it was once labelled "type = 1" everywhere.
#[test]
fn a_bare_text_outcome_names_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let text =
        std::fs::read_to_string(format!("{root}/tests/reference/mice/pima_tr2.csv")).unwrap();
    let data = dir.path().join("pima_cc.csv");
    std::fs::write(
        &data,
        text.replace(",\"Yes\"", ",case")
            .replace(",\"No\"", ",control"),
    )
    .unwrap();
    let cands = format!("{root}/tests/reference/mice/pima_candidates.toml");
    let run = |outcome: &str| {
        calcscore(&[
            "derive",
            "--data",
            data.to_str().unwrap(),
            "--candidates",
            &cands,
            "--outcome",
            "none",
            "--binary-outcome",
            outcome,
            "--reference",
            "BMI > 30",
            "--json",
        ])
    };
    let (bare, named) = (run("type"), run("type == control"));
    assert!(bare.status.success() && named.status.success());
    assert_eq!(bare.stdout, named.stdout);
    let out = String::from_utf8(bare.stdout).unwrap();
    assert!(out.contains("\"outcome\": \"type == control\"") && !out.contains("type = 1"));
    let note = String::from_utf8_lossy(&bare.stderr);
    assert!(
        note.contains("the event is 'control'") && note.contains("\"type == case\""),
        "{note}"
    );
}
