//! `derive --validate-bootstrap`: the whole-procedure bootstrap against R on MASS::birthwt
//! (`tests/reference/optimism.R`: rms::validate(lrm(...)) where the procedures coincide, and the same procedure
//! written out in R with rounding, threshold search and linear weights), within stated Monte Carlo error.

mod common;

use common::{calcscore, json, same_stdout_on_threads, Tol};
use serde_json::Value;

const DIR: &str = "tests/reference/optimism";
/// Our replicates: with R's ~1960, the Monte Carlo SE of a difference of means is about sd × 0.0276.
const B: &str = "4000";

fn expected() -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn run(candidates: &str, outcome: &str, points: &str) -> Value {
    let data = format!("{DIR}/birthwt.csv");
    let cands = format!("{DIR}/{candidates}");
    let out = json(&[
        "derive",
        "--data",
        &data,
        "--candidates",
        &cands,
        "--binary-outcome",
        "low",
        "--outcome",
        outcome,
        "--validate-bootstrap",
        B,
        "--boot-seed",
        "3",
        "--validate-points",
        points,
        "--json",
    ]);
    out["internal_validation"].clone()
}

fn column(v: &Value, key: &str) -> Vec<f64> {
    v["table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_f64().unwrap())
        .collect()
}

/// Apparent indices to 1e-6 and each optimism within 4 Monte Carlo SEs of R's (SE from R's per-replicate SD).
fn compare(got: &Value, want: &Value) {
    let orig = column(got, "index_orig");
    for (k, (g, w)) in orig
        .iter()
        .zip(nums(&want["apparent"]["index_orig"]))
        .enumerate()
    {
        assert!((g - w).abs() < 1e-6, "index {k}: apparent {g} vs R {w}");
    }
    let n_ours = got["table"][0]["n"].as_f64().unwrap();
    let n_r = want["replicates_used"].as_f64().unwrap();
    let opt = column(got, "optimism");
    for (k, ((g, w), sd)) in opt
        .iter()
        .zip(nums(&want["optimism_mean"]))
        .zip(nums(&want["optimism_sd"]))
        .enumerate()
    {
        let se = sd * (1.0 / n_ours + 1.0 / n_r).sqrt();
        assert!(
            (g - w).abs() <= 4.0 * se,
            "index {k}: optimism {g} vs R {w} (MC SE {se})"
        );
    }
}

#[test]
fn fixed_items_unrounded_is_rms_validate() {
    let e = expected();
    let got = run("fixed.toml", "none", "unrounded");
    compare(&got, &e["fixed_unrounded"]);
    // rms::validate(lrm(low ~ items, x = TRUE, y = TRUE), B = 1500) over 4 seeds: Dxy, Intercept, Slope, B.
    let rv = &e["rms_validate"];
    let opt = column(&got, "optimism");
    let orig = column(&got, "index_orig");
    let sd = nums(&e["fixed_unrounded"]["optimism_sd"]);
    let n_rms = rv["n"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum::<f64>();
    let n_ours = got["table"][0]["n"].as_f64().unwrap();
    for (j, k) in [0usize, 2, 3, 5].into_iter().enumerate() {
        assert!(
            (orig[k] - nums(&rv["index_orig"])[j]).abs() < 1e-6,
            "rms index.orig {k}"
        );
        let se = sd[k] * (1.0 / n_ours + 1.0 / n_rms).sqrt();
        let w = nums(&rv["optimism_mean"])[j];
        assert!(
            (opt[k] - w).abs() <= 4.0 * se,
            "rms optimism {k}: {} vs {w} (MC SE {se})",
            opt[k]
        );
    }
    let shrink = got["shrinkage"].as_f64().unwrap();
    assert!(
        (shrink - (1.0 - nums(&rv["optimism_mean"])[2])).abs()
            <= 4.0 * sd[3] * (2.0 / n_rms).sqrt() + 4.0 * sd[3] / n_ours.sqrt()
    );
}

#[test]
fn fixed_items_rounded_points_match_the_procedure_in_r() {
    let e = expected();
    let got = run("fixed.toml", "none", "rounded");
    assert_eq!(
        nums(&got["apparent_points"]),
        nums(&e["fixed_rounded"]["apparent"]["points"])
    );
    compare(&got, &e["fixed_rounded"]);
}

#[test]
fn searched_threshold_and_linear_weights_match_the_procedure_in_r() {
    let e = expected();
    let got = run("search.toml", "bwt", "rounded");
    assert_eq!(
        nums(&got["apparent_points"]),
        nums(&e["search_linear"]["apparent"]["points"])
    );
    compare(&got, &e["search_linear"]);
    let steps = got["steps"].to_string();
    assert!(
        steps.contains("threshold search") && steps.contains("round("),
        "{steps}"
    );
}

#[test]
fn bad_replicate_counts_are_refused_with_the_rule() {
    for bad in ["0", "-3", "many", "100001"] {
        let o = calcscore(&[
            "derive",
            "--data",
            &format!("{DIR}/birthwt.csv"),
            "--candidates",
            &format!("{DIR}/fixed.toml"),
            "--binary-outcome",
            "low",
            "--outcome",
            "none",
            "--validate-bootstrap",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("--validate-bootstrap") && err.contains("1 to 100000"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn same_bytes_whatever_the_thread_count() {
    let args = [
        "derive",
        "--data",
        "tests/reference/optimism/birthwt.csv",
        "--candidates",
        "tests/reference/optimism/search.toml",
        "--binary-outcome",
        "low",
        "--outcome",
        "bwt",
        "--validate-bootstrap",
        "300",
        "--json",
    ];
    same_stdout_on_threads(&args, &["1", "2"]);
}

/// One replicate with a known resample (each row drawn 2, 0 or 1 times) against the procedure run in R on those
/// rows (`tests/reference/optimism_resample.R`): thresholds, points, cutoff and risk model, and every index, to 1e-6.
#[test]
fn a_known_resample_gives_rs_numbers() {
    use calcscore_score::derive::{BinaryOutcome, Candidates, DeriveOptions};
    use calcscore_score::optimism::{known_replicate, PointsRule};
    let text = std::fs::read_to_string(format!("{DIR}/resample.json")).unwrap();
    let e: Value = serde_json::from_str(&text).unwrap();
    let table =
        calcscore_data::load::read_table(std::path::Path::new(&format!("{DIR}/birthwt.csv")))
            .unwrap();
    let counts: Vec<u32> = nums(&e["counts"]).iter().map(|&c| c as u32).collect();
    for (name, file, outcome, rule) in [
        ("fixed_unrounded", "fixed.toml", None, PointsRule::Unrounded),
        ("fixed_rounded", "fixed.toml", None, PointsRule::Rounded),
        (
            "search_linear",
            "search.toml",
            Some("bwt".to_string()),
            PointsRule::Rounded,
        ),
    ] {
        let cands = Candidates::from_file(std::path::Path::new(&format!("{DIR}/{file}"))).unwrap();
        let opts = DeriveOptions {
            outcome,
            binary: BinaryOutcome::parse("low").unwrap(),
            cluster: None,
            reference: None,
            target_npv: None,
            conf_level: 0.95,
            firth: false,
        };
        let k = known_replicate(&table, &cands, &opts, rule, &counts)
            .unwrap()
            .unwrap();
        let w = &e[name];
        let close_each = |g: &[f64], w: &[f64], what: &str| {
            assert_eq!(g.len(), w.len(), "{name} {what}: {g:?} vs R {w:?}");
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                common::close(&format!("{name} {what}[{i}]"), *a, *b, Tol::abs(1e-6));
            }
        };
        assert_eq!(
            *k.thresholds.last().unwrap(),
            w["threshold"].as_f64().unwrap(),
            "{name}"
        );
        close_each(&k.points, &nums(&w["points"]), "points");
        close_each(
            &[k.cutoff, k.model.0, k.model.1],
            &[
                w["cutoff"].as_f64().unwrap(),
                nums(&w["model"])[0],
                nums(&w["model"])[1],
            ],
            "cutoff, model",
        );
        close_each(&k.training, &nums(&w["training"]), "training");
        close_each(&k.test, &nums(&w["test"]), "test");
    }
}

/// One replicate has no spread: its Monte Carlo SE is null (the text says it is not estimable), not 0.
#[test]
fn one_replicate_has_no_monte_carlo_se() {
    let data = format!("{DIR}/birthwt.csv");
    let cands = format!("{DIR}/search.toml");
    let args = |b: &'static str| {
        vec![
            "derive".to_string(),
            "--data".into(),
            data.clone(),
            "--candidates".into(),
            cands.clone(),
            "--binary-outcome".into(),
            "low".into(),
            "--outcome".into(),
            "bwt".into(),
            "--validate-bootstrap".into(),
            b.into(),
        ]
    };
    for (b, null) in [("1", true), ("2", false)] {
        let mut a = args(b);
        a.push("--json".into());
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let v = json(&a);
        let rows = v["internal_validation"]["table"].as_array().unwrap();
        assert!(
            rows.iter().all(|r| r["optimism_se"].is_null() == null),
            "B = {b}"
        );
    }
    let a = args("1");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let text = common::stdout(&a);
    assert!(
        text.contains("not estimable from fewer than 2 replicates"),
        "{text}"
    );
}
