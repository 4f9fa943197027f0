//! Issue 14 through the binary, on real data (MASS::birthwt, MASS::Pima.tr, geepack::respiratory) against
//! tests/reference/score_trust.R (lm, glm, pROC, sandwich::vcovCL + lmtest::coeftest with df = G − 1).

mod common;
use common::{
    calcscore, close, derive_birthwt, derive_birthwt_score, json, num, Tol, BIRTHWT,
    BIRTHWT_CANDIDATES,
};

use serde_json::Value;
use std::path::Path;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/score_trust");

fn expected(key: &str) -> Value {
    let text = std::fs::read_to_string(format!("{REF}/expected.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()[key].clone()
}

fn file(name: &str) -> String {
    format!("{REF}/{name}")
}

fn points(d: &Value) -> Vec<f64> {
    d["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p["points"]))
        .collect()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

/// Points from lm(bwt ~ items) are oriented so more points = more risk of low birth weight, whichever form of
/// the binary outcome is given: round(−b / min|b|) as R; the AUC equals pROC's on that score; the cutoff is a score
/// value in range (pROC's Youden threshold rounded up).
#[test]
fn orientation_same_points_both_outcome_forms() {
    let want = expected("orientation");
    for binary in ["low", "bwt < 2500"] {
        let d = json(&[
            "derive",
            "--data",
            &file("birthwt.csv"),
            "--candidates",
            &file("candidates.toml"),
            "--outcome",
            "bwt",
            "--binary-outcome",
            binary,
            "--json",
        ]);
        assert_eq!(points(&d), nums(&want["points"]), "{binary}");
        assert!(points(&d).iter().all(|&p| p > 0.0));
        for (k, p) in d["points"].as_array().unwrap().iter().enumerate() {
            close(
                "ratio",
                num(&p["ratio"]),
                num(&want["ratio"][k]),
                Tol::rel(1e-9, 1e-12),
            );
        }
        for name in ["estimate", "conf_low", "conf_high"] {
            close(
                &format!("AUC {name} ({binary})"),
                num(&d["auc"][name]),
                num(&want[name]),
                Tol::rel(1e-9, 1e-12),
            );
        }
        assert!(num(&d["auc"]["estimate"]) > 0.5);
        let cutoff = num(&d["cutoffs"][0]["cutoff"]);
        assert_eq!(cutoff, num(&want["youden_cutoff"]), "{binary}");
        assert!(num(&want["score_min"]) <= cutoff && cutoff <= num(&want["score_max"]));
        assert_eq!(d["orientation"]["sign"].as_f64(), Some(-1.0));
    }
}

/// The protective-outcome case is said in the text output.
#[test]
fn orientation_is_said() {
    let o = calcscore(&[
        "derive",
        "--data",
        &file("birthwt.csv"),
        "--candidates",
        &file("candidates.toml"),
        "--outcome",
        "bwt",
        "--binary-outcome",
        "low",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("bwt is lower with the event"), "{text}");
    assert!(!text.contains("-9223372036854775808"), "{text}");
}

/// A score with a negative item (lwt > 130 protective): every level from −1 to 5 is reported, with R's counts, and
/// n per level sums to the 189 rows analysed.
#[test]
fn negative_item_keeps_every_level() {
    let want = expected("negative");
    let dir = tempfile::tempdir().unwrap();
    let score = dir.path().join("neg.toml");
    let d = json(&[
        "derive",
        "--data",
        &file("birthwt.csv"),
        "--candidates",
        &file("candidates_negative.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--out",
        score.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(points(&d), nums(&want["points"]));
    close(
        "AUC",
        num(&d["auc"]["estimate"]),
        num(&want["estimate"]),
        Tol::rel(1e-9, 1e-12),
    );
    let v = json(&[
        "validate",
        "--data",
        &file("birthwt.csv"),
        "--score",
        score.to_str().unwrap(),
        "--outcome",
        "bwt",
        "--binary-outcome",
        "low",
        "--json",
    ]);
    let g = &v["validation"]["groups"][0];
    let levels = g["levels"].as_array().unwrap();
    let got: Vec<f64> = levels.iter().map(|l| num(&l["score"])).collect();
    // Every possible level from the minimum (−1) to the maximum (7) is listed; R's observed levels carry R's counts,
    // the others none.
    assert_eq!(got.first(), Some(&-1.0));
    let (want_levels, want_n, want_events) = (
        nums(&want["levels"]),
        nums(&want["n"]),
        nums(&want["events"]),
    );
    for l in levels {
        let k = want_levels.iter().position(|&s| s == num(&l["score"]));
        let (n, e) = k.map_or((0.0, 0.0), |k| (want_n[k], want_events[k]));
        assert_eq!(
            (num(&l["n"]), num(&l["events"])),
            (n, e),
            "level {}",
            l["score"]
        );
    }
    let n: Vec<f64> = levels.iter().map(|l| num(&l["n"])).collect();
    assert_eq!(n.iter().sum::<f64>(), num(&g["n"]));
    assert_eq!(num(&g["n"]), 189.0);
}

/// A score derived on the odd rows of birthwt carries its [model]; on the even rows `validate` uses it (external)
/// and gives R's calibration-in-the-large (glm(y ~ offset(lp))) and slope (glm(y ~ lp)) with Wald CIs.
#[test]
fn stored_model_gives_r_calibration_on_new_data() {
    let want = expected("external");
    let dir = tempfile::tempdir().unwrap();
    let score = dir.path().join("dev.toml");
    let d = json(&[
        "derive",
        "--data",
        &file("birthwt_dev.csv"),
        "--candidates",
        &file("candidates.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--out",
        score.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(points(&d), nums(&want["points"]));
    let toml = std::fs::read_to_string(&score).unwrap();
    assert!(toml.contains("[model]"), "{toml}");
    close(
        "model intercept",
        num(&d["score"]["model"]["intercept"]),
        num(&want["model_intercept"]),
        Tol::rel(1e-7, 1e-12),
    );
    close(
        "model slope",
        num(&d["score"]["model"]["slope"]),
        num(&want["model_slope"]),
        Tol::rel(1e-7, 1e-12),
    );
    let v = json(&[
        "validate",
        "--data",
        &file("birthwt_val.csv"),
        "--score",
        score.to_str().unwrap(),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--json",
    ]);
    let g = &v["validation"]["groups"][0];
    let c = &g["calibration"];
    assert_eq!(c["kind"], "external");
    for (key, field) in [
        ("calibration_intercept", "intercept"),
        ("calibration_slope", "slope"),
    ] {
        for name in ["estimate", "conf_low", "conf_high"] {
            close(
                &format!("{field} {name}"),
                num(&c[field][name]),
                num(&want[key][name]),
                Tol::rel(1e-6, 1e-12),
            );
        }
    }
    close(
        "expected events",
        num(&c["expected_events"]),
        num(&want["expected_events"]),
        Tol::rel(1e-7, 1e-12),
    );
    assert_eq!(num(&c["observed_events"]), num(&want["observed_events"]));
    close(
        "AUC in the validation half",
        num(&g["auc"]["estimate"]),
        num(&want["auc"]["estimate"]),
        Tol::rel(1e-9, 1e-12),
    );
}

/// Without a [model] and without --by, calibration is labelled apparent (in-sample).
#[test]
fn builtin_score_calibration_is_apparent_in_sample() {
    let v = json(&[
        "validate",
        "--data",
        &file("birthwt.csv"),
        "--score",
        &file("no_model.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--json",
    ]);
    assert_eq!(
        v["validation"]["groups"][0]["calibration"]["kind"],
        "apparent (in-sample)"
    );
}

/// Yes/No text outcome (Pima.tr, type == Yes): logistic points and AUC as glm + pROC.
#[test]
fn text_outcome_yes_no() {
    let want = expected("pima");
    for binary in ["type == Yes", "type"] {
        let d = json(&[
            "derive",
            "--data",
            &file("pima.csv"),
            "--candidates",
            &file("candidates_pima.toml"),
            "--outcome",
            "none",
            "--binary-outcome",
            binary,
            "--json",
        ]);
        assert_eq!(points(&d), nums(&want["points"]), "{binary}");
        assert_eq!(num(&d["n_events"]), num(&want["n_events"]));
        for name in ["estimate", "conf_low", "conf_high"] {
            close(
                name,
                num(&d["auc"][name]),
                num(&want[name]),
                Tol::rel(1e-9, 1e-12),
            );
        }
    }
}

/// respiratory: `id` repeats in both centres, so `--cluster center,id` gives 111 clusters (56 by id alone); the
/// logistic SEs equal sandwich::vcovCL(HC1) on interaction(center, id) and p-values coeftest(df = G − 1).
#[test]
fn composite_cluster() {
    let want = expected("composite");
    let d = json(&[
        "derive",
        "--data",
        &file("respiratory.csv"),
        "--candidates",
        &file("candidates_resp.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "outcome",
        "--cluster",
        "center,id",
        "--json",
    ]);
    assert_eq!(num(&d["n_clusters"]), num(&want["n_clusters"]));
    let coefs = d["logistic"]["coefficients"].as_array().unwrap();
    for k in 0..2 {
        close(
            "SE",
            num(&coefs[k + 1]["std_error"]),
            num(&want["std_errors"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            "p",
            num(&coefs[k + 1]["p_value"]),
            num(&want["p_values"][k]),
            Tol::rel(1e-6, 1e-12),
        );
    }
    let id_only = json(&[
        "derive",
        "--data",
        &file("respiratory.csv"),
        "--candidates",
        &file("candidates_resp.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "outcome",
        "--cluster",
        "id",
        "--json",
    ]);
    assert_eq!(
        num(&id_only["n_clusters"]),
        num(&want["n_clusters_id_only"])
    );
}

/// 6 clusters (birthwt by ftv): a warning, and CR1 with t on 5 df as coeftest/coefci(df = G − 1).
#[test]
fn few_clusters_warned_and_corrected() {
    let want = expected("few");
    let d = json(&[
        "derive",
        "--data",
        &file("birthwt.csv"),
        "--candidates",
        &file("candidates.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--cluster",
        "ftv",
        "--json",
    ]);
    assert_eq!(num(&d["n_clusters"]), 6.0);
    let notes = d["notes"].to_string();
    assert!(notes.contains("only 6 clusters"), "{notes}");
    let coefs = d["logistic"]["coefficients"].as_array().unwrap();
    for k in 0..5 {
        let c = &coefs[k + 1];
        close(
            "SE",
            num(&c["std_error"]),
            num(&want["std_errors"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            "p",
            num(&c["p_value"]),
            num(&want["p_values"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            "CI low",
            num(&c["conf_low"]),
            num(&want["conf_low"][k]),
            Tol::rel(1e-6, 1e-12),
        );
        close(
            "CI high",
            num(&c["conf_high"]),
            num(&want["conf_high"][k]),
            Tol::rel(1e-6, 1e-12),
        );
    }
}

/// Rows missing the cluster column are dropped and counted per column; the models use the same rows.
#[test]
fn rows_used_and_dropped_per_column() {
    let want = expected("missing");
    let d = json(&[
        "derive",
        "--data",
        &file("birthwt_missing_cluster.csv"),
        "--candidates",
        &file("candidates.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--cluster",
        "site",
        "--json",
    ]);
    assert_eq!(num(&d["rows"]["n_input"]), num(&want["n_input"]));
    assert_eq!(num(&d["rows"]["n_used"]), num(&want["n_used"]));
    assert_eq!(num(&d["n"]), num(&want["n_used"]));
    let site = d["rows"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["column"] == "site")
        .unwrap()
        .clone();
    assert_eq!(num(&site["n_missing"]), num(&want["n_missing_site"]));
    assert_eq!(num(&d["logistic"]["n"]), num(&want["n_used"]));
    for (k, p) in d["points"].as_array().unwrap().iter().enumerate() {
        close(
            "coefficient",
            num(&p["coefficient"]),
            num(&want["coefficients"][k]),
            Tol::rel(1e-6, 1e-12),
        );
    }
}

/// Two candidates that are the same item are refused (exit 2, both named).
#[test]
fn duplicated_candidates_refused() {
    let o = calcscore(&[
        "derive",
        "--data",
        &file("birthwt.csv"),
        "--candidates",
        &file("candidates_duplicate.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Smoking") && err.contains("Smoker"), "{err}");
}

/// An item whose interval includes no effect gets its point only with a visible note.
#[test]
fn null_effect_item_flagged() {
    let d = json(&[
        "derive",
        "--data",
        &file("birthwt.csv"),
        "--candidates",
        &file("candidates_negative.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--json",
    ]);
    let flagged: Vec<&str> = d["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["null_effect"] == true)
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert!(!flagged.is_empty());
    let notes = d["notes"].to_string();
    for l in flagged {
        assert!(notes.contains(l), "{l}: {notes}");
    }
}

/// `--bootstrap` works with `--outcome none` (points from the logistic model in each replicate).
#[test]
fn bootstrap_without_continuous_outcome() {
    let v = json(&[
        "validate",
        "--data",
        &file("birthwt.csv"),
        "--score",
        &file("no_model.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
        "--bootstrap",
        "30",
        "--boot-seed",
        "3",
        "--json",
    ]);
    let b = &v["bootstrap"];
    assert!(num(&b["auc_apparent"]) > 0.5);
    assert!(b["slope_apparent"].is_null());
    assert!(num(&b["auc_optimism"]).abs() < 0.2);
}

/// The validate help's example uses --boot-seed.
#[test]
fn help_example_uses_boot_seed() {
    let o = calcscore(&["validate", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("--boot-seed 1") && !text.contains(" --seed 1"),
        "{text}"
    );
}

/// `reproduce zhang2021` on the shipped registry: results.json holds the B-only AUC and NPV and the calibration of
/// A's model in B as named quantities, equal to pROC / binom.test / glm(offset) / glm in
/// tests/reference/zhang2021.R; report.md states the A/B patient overlap, labels the pooled measures, and never
/// prints "P = <".
#[test]
fn zhang_results_hold_b_only_measures_and_report_says_them() {
    let root = env!("CARGO_MANIFEST_DIR");
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{root}/tests/reference/zhang2021/b_only_expected.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z");
    let o = calcscore(&[
        "reproduce",
        "zhang2021",
        "--data",
        &format!("{root}/datasets/zhang2021_synthetic.csv"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let q = |name: &str| {
        r["quantities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["name"] == name)
            .unwrap_or_else(|| panic!("quantity {name} missing"))
            .clone()
    };
    for (name, key, tol) in [
        ("roc.B.auc", "auc", 1e-9),
        ("accuracy.B.npv", "npv", 1e-9),
        ("calibration.B.intercept", "calibration_intercept", 1e-6),
        ("calibration.B.slope", "calibration_slope", 1e-6),
    ] {
        let got = q(name);
        close(
            name,
            num(&got["estimate"]),
            num(&want[key]["estimate"]),
            Tol::rel(tol, 1e-12),
        );
        close(
            name,
            num(&got["conf_low"]),
            num(&want[key]["conf_low"]),
            Tol::rel(tol, 1e-12),
        );
        close(
            name,
            num(&got["conf_high"]),
            num(&want[key]["conf_high"]),
            Tol::rel(tol, 1e-12),
        );
    }
    assert_eq!(
        num(&q("split.patients_in_A_and_B")["estimate"]),
        num(&want["patients_in_A_and_B"])
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("Patients with lesions in both A and B: **3**"),
        "overlap"
    );
    assert!(md.contains("A+B pooled") && md.contains("### Validation cohort B alone"));
    assert!(md.contains("### Outcomes by cohort"));
    assert!(md.contains("looser than the paper"));
    // The seed choice and the published values' percentiles (bench/zhang2021_seed_percentiles.json).
    assert!(
        md.contains("### How the synthetic seed was chosen")
            && md.contains("percentile of published")
    );
    assert!(!md.contains("P = <") && !md.contains("P =<"));
}

/// A score validated against the reverse of its outcome (bwt > 2500: normal weight) gives AUC < 0.5 with a warning
/// naming the likely cause; the cutoff stays a score value.
#[test]
fn auc_below_half_is_warned() {
    let v = json(&[
        "validate",
        "--data",
        &file("birthwt.csv"),
        "--score",
        &file("no_model.toml"),
        "--outcome",
        "none",
        "--binary-outcome",
        "bwt > 2500",
        "--json",
    ]);
    let g = &v["validation"]["groups"][0];
    assert!(num(&g["auc"]["estimate"]) < 0.5);
    let notes = g["notes"].to_string();
    assert!(
        notes.contains("below 0.5") && notes.contains("likely cause"),
        "{notes}"
    );
}

/// A score file with an absurd number of points is refused with the file named (no overflow, no panic).
#[test]
fn absurd_points_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.toml");
    let text = std::fs::read_to_string(file("no_model.toml"))
        .unwrap()
        .replace("points = 2", "points = 9223372036854775807");
    std::fs::write(&p, text).unwrap();
    let o = calcscore(&[
        "validate",
        "--data",
        &file("birthwt.csv"),
        "--score",
        p.to_str().unwrap(),
        "--outcome",
        "none",
        "--binary-outcome",
        "low",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("big.toml"));
}

/// A yes/no column coded 1/2 is never scored as `== 1` in silence (that made "Smoking" the non-smokers: −1
/// point, and validate's AUC fell from 0.729 to 0.657): derive refuses a bare candidate naming the first row
/// holding 2, validate notes the 0/1 item, and card --values refuses 2 for a tick box.
#[test]
fn yes_no_columns_coded_1_2_are_not_scored_as_eq_1_silently() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let mut lines = shipped.lines();
    let header = lines.next().unwrap();
    let smoke = header.split(',').position(|h| h == "\"smoke\"").unwrap();
    let mut body = format!("{header}\n");
    let mut first_smoker = None;
    for (i, line) in lines.enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if cells[smoke] == "1" && first_smoker.is_none() {
            first_smoker = Some(i + 2); // the header is row 1
        }
        cells[smoke] = (cells[smoke].parse::<u8>().unwrap() + 1).to_string();
        body.push_str(&(cells.join(",") + "\n"));
    }
    let data = dir.path().join("bw12.csv");
    std::fs::write(&data, body).unwrap();
    let cands = dir.path().join("c.toml");
    std::fs::write(
        &cands,
        "[[candidate]]\nlabel = \"Smoking\"\ncolumn = \"smoke\"\n[[candidate]]\nlabel = \"Light\"\n\
         column = \"lwt\"\nop = \"<\"\nthreshold = 110.0\n",
    )
    .unwrap();
    let score = dir.path().join("s.toml");
    std::fs::write(
        &score,
        "name = \"s\"\ntitle = \"s\"\nsource = \"test\"\ncutoff = 1\n[[item]]\nlabel = \"Smoking\"\n\
         column = \"smoke\"\nop = \"==\"\nthreshold = 1.0\npoints = 1\n",
    )
    .unwrap();
    let (d, c, s) = (
        data.to_str().unwrap(),
        cands.to_str().unwrap(),
        score.to_str().unwrap(),
    );
    let o = calcscore(&[
        "derive",
        "--data",
        d,
        "--candidates",
        c,
        "--binary-outcome",
        "low",
        "--outcome",
        "none",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    let row = format!("row {}", first_smoker.unwrap());
    assert!(
        !o.status.success() && err.contains(&row) && err.contains("holds 1, 2"),
        "{err}"
    );
    let o = calcscore(&[
        "validate",
        "--data",
        d,
        "--score",
        s,
        "--binary-outcome",
        "low",
        "--outcome",
        "none",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("item 'Smoking' is smoke == 1 (a 0/1 item), but column smoke holds 1, 2"),
        "{out}"
    );
    let o = calcscore(&["card", "--score", s, "--values", "smoke=2"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("give 1 (ticked) or 0, not 2"),
        "{err}"
    );
}

/// A column map renames any table's columns for derive and validate, not only a lesion registry's (a map of
/// birthwt's names was refused as 'no schema column', while the missing-column message pointed to --map): the
/// renamed file with its map gives the points and AUC of the original.
#[test]
fn a_map_renames_the_columns_of_any_table_for_derive_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let renamed = shipped
        .replacen("\"low\"", "\"LBW\"", 1)
        .replacen("\"smoke\"", "\"Smoker\"", 1);
    let data = dir.path().join("renamed.csv");
    std::fs::write(&data, renamed).unwrap();
    let map = dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\nlow = \"LBW\"\nsmoke = \"Smoker\"\n").unwrap();
    let (d, m) = (data.to_str().unwrap(), map.to_str().unwrap());
    let score = dir.path().join("s.toml");
    let s = score.to_str().unwrap();
    derive_birthwt_score(&score);
    // One verb on the original file, or on the renamed one with its map.
    let run = |verb: [&str; 3], data: &str, map: Option<&str>| {
        let mut args = vec![verb[0], "--data", data, verb[1], verb[2]];
        args.extend(["--binary-outcome", "low", "--outcome", "none", "--json"]);
        args.extend(map.map(|m| ["--map", m]).into_iter().flatten());
        json(&args)
    };
    let derive = |data, map| run(["derive", "--candidates", BIRTHWT_CANDIDATES], data, map);
    let (original, mapped) = (derive(BIRTHWT, None), derive(d, Some(m)));
    assert_eq!(points(&mapped), points(&original));
    assert!(original["auc"]["estimate"].is_number(), "{original}");
    assert_eq!(mapped["auc"], original["auc"]);
    let validate = |data, map| run(["validate", "--score", s], data, map);
    let (mut original, mut mapped) = (validate(BIRTHWT, None), validate(d, Some(m)));
    // The score was derived in BIRTHWT's own bytes, so there its calibration is in-sample; the renamed copy is
    // other bytes (the SHA-256 rule of `[model] data_sha256`): only that label and its source differ.
    for (v, kind) in [
        (&mut original, "apparent (in-sample)"),
        (&mut mapped, "external"),
    ] {
        let c = v["validation"]["groups"][0]["calibration"]
            .as_object_mut()
            .unwrap();
        assert_eq!(c.remove("kind").unwrap(), kind);
        c.remove("model_source");
    }
    let groups = &original["validation"]["groups"];
    assert!(groups[0]["auc"]["estimate"].is_number(), "{original}");
    assert_eq!(mapped["validation"]["groups"], *groups);
}

/// A candidate column whose name is no plain identifier (`smoke now`, `a+b`) is quoted in the model formula, as R
/// quotes it with backticks: derive gives the points of the same data with plain names (it once failed with
/// "'smoke now' is not a column name", or split `smoke+ht` into two terms).
#[test]
fn derive_reads_candidate_columns_of_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let renamed =
        shipped
            .replacen("\"smoke\"", "\"smoke now\"", 1)
            .replacen("\"ui\"", "\"ui+ht\"", 1);
    let data = dir.path().join("names.csv");
    std::fs::write(&data, renamed).unwrap();
    let cands = |smoke: &str, ui: &str| {
        format!(
            "[[candidate]]\nlabel = \"Smoking\"\ncolumn = \"{smoke}\"\n[[candidate]]\nlabel = \"UI\"\n\
             column = \"{ui}\"\n[[candidate]]\nlabel = \"Light\"\ncolumn = \"lwt\"\nop = \"<\"\n\
             threshold = 110.0\n"
        )
    };
    let (plain, odd) = (dir.path().join("plain.toml"), dir.path().join("odd.toml"));
    std::fs::write(&plain, cands("smoke", "ui")).unwrap();
    std::fs::write(&odd, cands("smoke now", "ui+ht")).unwrap();
    let derive = |data: &str, c: &Path| {
        json(&[
            "derive",
            "--data",
            data,
            "--candidates",
            c.to_str().unwrap(),
            "--binary-outcome",
            "low",
            "--outcome",
            "none",
            "--json",
        ])
    };
    let (a, b) = (
        derive(BIRTHWT, &plain),
        derive(data.to_str().unwrap(), &odd),
    );
    assert_eq!(points(&b), points(&a));
    assert!(a["auc"]["estimate"].is_number(), "{a}");
    assert_eq!(b["auc"], a["auc"]);
}

/// validate --bootstrap: a derivation group too small to re-derive the points in is a note, not the end of the
/// validation; the resampling unit is 'row' without --cluster; --groups naming a group with no rows is refused.
#[test]
fn validate_bootstrap_and_groups_say_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let mut body = String::new();
    for (i, line) in shipped.lines().enumerate() {
        let site = match i {
            0 => "site",
            1 | 2 => "T",
            _ => "U",
        };
        body.push_str(&format!("{line},{site}\n"));
    }
    let data = dir.path().join("sites.csv");
    std::fs::write(&data, body).unwrap();
    let score = dir.path().join("s.toml");
    let (d, s) = (data.to_str().unwrap(), score.to_str().unwrap());
    derive_birthwt_score(&score);
    let base = [
        "validate",
        "--data",
        d,
        "--score",
        s,
        "--binary-outcome",
        "low",
        "--outcome",
        "none",
        "--by",
        "site",
    ];
    let small = json(
        &[
            &base[..],
            &["--derivation", "T", "--bootstrap", "10", "--json"],
        ]
        .concat(),
    );
    assert!(small["bootstrap"].is_null(), "{small}");
    let notes = small["validation"]["notes"].to_string();
    assert!(
        notes.contains("bootstrap optimism not estimable in group T"),
        "{notes}"
    );
    assert_eq!(small["validation"]["groups"].as_array().unwrap().len(), 2);
    let rows = json(
        &[
            &base[..],
            &["--derivation", "U", "--bootstrap", "5", "--json"],
        ]
        .concat(),
    );
    assert_eq!(rows["bootstrap"]["unit"], "row", "{rows}");
    let o = calcscore(&[&base[..], &["--groups", "U,Z"]].concat());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("site = 'Z'") && err.contains("its values: 'T', 'U'"),
        "{err}"
    );
}

/// `BIRTHWT` with `cell(column index, fields)` replacing one field of each data row (`None` keeps it); written
/// as `name` in `dir`. Returns the path and the 1-based spreadsheet rows changed (the header is row 1).
fn birthwt_with(
    dir: &Path,
    name: &str,
    cell: impl Fn(&[&str]) -> Option<(usize, &'static str)>,
) -> (String, Vec<usize>) {
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let mut body = String::new();
    let mut changed = Vec::new();
    for (i, line) in shipped.lines().enumerate() {
        let mut f: Vec<&str> = line.split(',').collect();
        if i > 0 {
            if let Some((j, v)) = cell(&f) {
                f[j] = v;
                changed.push(i + 1);
            }
        }
        body.push_str(&f.join(","));
        body.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    (path.to_str().unwrap().to_string(), changed)
}

/// Finding F3: a NaN or infinite cell in a column a score or derivation reads is refused with the file, row and
/// column (the `fit` rule of docs/errors.md, "Degenerate data"), not read as "item absent" (NaN < 110 is
/// false) or "no event" with every row counted as used; the same cells written NA are dropped and counted.
/// Columns of birthwt.csv: low 0, lwt 2, bwt 9. Before: `189 of 189 rows used`, AUC 0.657.
#[test]
fn non_finite_cells_of_score_columns_are_refused_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let score = dir.path().join("s.toml");
    derive_birthwt_score(&score); // items include lwt < (searched threshold)
    let s = score.to_str().unwrap();
    let light = |f: &[&str]| f[2].parse::<f64>().unwrap() < 110.0;
    let (nan, rows) = birthwt_with(dir.path(), "bwnan.csv", |f| light(f).then_some((2, "NaN")));
    let (na, _) = birthwt_with(dir.path(), "bwna.csv", |f| light(f).then_some((2, "NA")));
    // By hand: the mothers under 110 lb in MASS::birthwt (R: sum(birthwt$lwt < 110) = 42).
    assert_eq!(rows.len(), 42);
    let lwt_msg = format!(
        "bwnan.csv: row {}, column 'lwt': NaN: must be a finite number",
        rows[0]
    );
    let validate = |data: &str, binary: &str| {
        calcscore(&[
            "validate",
            "--data",
            data,
            "--score",
            s,
            "--binary-outcome",
            binary,
            "--outcome",
            "none",
            "--json",
        ])
    };
    let o = validate(&nan, "low");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(1) && err.contains(&lwt_msg),
        "{err}"
    );
    let derive = |data: &str, binary: &str| {
        calcscore(&[
            "derive",
            "--data",
            data,
            "--candidates",
            BIRTHWT_CANDIDATES,
            "--binary-outcome",
            binary,
            "--outcome",
            "none",
        ])
    };
    let o = derive(&nan, "low");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(1) && err.contains(&lwt_msg),
        "{err}"
    );
    // The same cells empty: 189 − 42 = 147 rows used, 42 dropped for lwt.
    let v = json(&[
        "validate",
        "--data",
        &na,
        "--score",
        s,
        "--binary-outcome",
        "low",
        "--outcome",
        "none",
        "--json",
    ]);
    assert_eq!(num(&v["validation"]["rows"]["n_used"]), 147.0, "{v}");
    // A rule on a column with infinities (the low-weight births' bwt): refused, not 59 non-events.
    let (inf, rows) = birthwt_with(dir.path(), "bwinf.csv", |f| {
        (f[0] == "1").then_some((9, "inf"))
    });
    let bwt_msg = format!(
        "bwinf.csv: row {}, column 'bwt': inf: must be a finite number",
        rows[0]
    );
    for o in [validate(&inf, "bwt < 2500"), derive(&inf, "bwt < 2500")] {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.code() == Some(1) && err.contains(&bwt_msg),
            "{err}"
        );
    }
    // A 0/1 outcome cell NaN: the finite-number rule, not "must be 0/1 … 'NaN'".
    let (low, rows) = birthwt_with(dir.path(), "bwlow.csv", |f| {
        (f[1] == "33").then_some((0, "NaN"))
    });
    let o = validate(&low, "low");
    let err = String::from_utf8_lossy(&o.stderr);
    let msg = format!(
        "bwlow.csv: row {}, column 'low': NaN: must be a finite number",
        rows[0]
    );
    assert!(o.status.code() == Some(1) && err.contains(&msg), "{err}");
}

/// Finding F10: `validate --groups` without `--by` was ignored (all 189 rows validated as "all", exit 0): now a
/// usage error; `derive --cohort A` on a table with no `cohort` column listed 13 missing lesion-schema columns:
/// now one message saying that the option reads a column named `cohort`.
#[test]
fn groups_without_by_and_cohort_without_column_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let score = dir.path().join("s.toml");
    derive_birthwt_score(&score);
    let o = calcscore(&[
        "validate",
        "--data",
        BIRTHWT,
        "--score",
        score.to_str().unwrap(),
        "--binary-outcome",
        "low",
        "--outcome",
        "none",
        "--groups",
        "A",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(2) && err.contains("--groups A needs --by COLUMN"),
        "{err}"
    );
    let o = derive_birthwt(&["--cohort", "A"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(1)
            && err.contains("missing column 'cohort': --cohort A reads a column named 'cohort'")
            && !err.contains("lesion_id' (required"),
        "{err}"
    );
}

/// Finding F17: with `--cluster`, the score × group interaction's joint Wald F test is referred to F(q, G − 1),
/// the reference of its own coefficients' t (README: "CR1 with tests and intervals on t with G − 1 df"). Before,
/// F(q, residual df): P 0.1006 next to the coefficient's P 0.1429 for the same one-term hypothesis.
/// Reference (R 4, sandwich + lmtest) on birthwt with grp = A/B/C by row (i %% 3), site = S(i %% 8), and
/// pts = smoke + 2·ht + (lwt < 110) + ui (tests/reference/card/birthwt_score.toml):
///   m <- lm(bwt ~ pts * grp, d); V <- vcovCL(m, cluster = ~site, type = "HC1")
///   waldtest(m, "pts:grp", vcov = V, test = "F")   # F = 1.838917571755 on 2 (and 183) df, P 0.1619
///   pf(1.838917571755, 2, 7, lower.tail = FALSE)   # 0.228113979001, the G − 1 = 7 reference
///   coeftest(m, V, df = 7)["pts:grpC", ]            # P 0.169285067264
///   and on the rows of A and B: coeftest(m2, V2, df = 7)["pts:grpB", "Pr(>|t|)"]   # 0.329258030561
#[test]
fn clustered_interaction_f_test_uses_g_minus_1_df() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let mut body = String::new();
    for (i, line) in shipped.lines().enumerate() {
        let (grp, site) = match i {
            0 => ("grp".to_string(), "site".to_string()),
            _ => (
                ["A", "B", "C"][(i - 1) % 3].to_string(),
                format!("S{}", (i - 1) % 8),
            ),
        };
        body.push_str(&format!("{line},{grp},{site}\n"));
    }
    let data = dir.path().join("bw8.csv");
    std::fs::write(&data, body).unwrap();
    let score = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/card/birthwt_score.toml"
    );
    let base = [
        "validate",
        "--data",
        data.to_str().unwrap(),
        "--score",
        score,
        "--binary-outcome",
        "low",
        "--outcome",
        "bwt",
        "--by",
        "grp",
        "--cluster",
        "site",
    ];
    let v = json(&[&base[..], &["--json"]].concat());
    let v = &v["validation"];
    close(
        "F",
        num(&v["interaction"]["statistic"]),
        1.838917571755,
        Tol::rel(1e-8, 1e-12),
    );
    assert_eq!(num(&v["interaction"]["df"]), 2.0);
    assert_eq!(num(&v["interaction_df2"]), 7.0);
    close(
        "P on F(2, 7)",
        num(&v["interaction"]["p_value"]),
        0.228113979001,
        Tol::abs(1e-9),
    );
    close(
        "P of pts:grpC",
        num(&v["interaction_terms"][1]["p_value"]),
        0.169285067264,
        Tol::abs(1e-9),
    );
    // One term: the test's P is the coefficient's P.
    let two = json(&[&base[..], &["--groups", "A,B", "--json"]].concat());
    let two = &two["validation"];
    let p_term = num(&two["interaction_terms"][0]["p_value"]);
    close("P of pts:grpB", p_term, 0.329258030561, Tol::abs(1e-9));
    close(
        "P of the F test",
        num(&two["interaction"]["p_value"]),
        p_term,
        Tol::abs(1e-12),
    );
    let text =
        String::from_utf8(calcscore(&[&base[..], &["--groups", "A,B"]].concat()).stdout).unwrap();
    assert!(
        text.contains("on 1 and 7 df (CR1; G − 1 denominator df"),
        "{text}"
    );
    assert!(text.contains("P 0.3293"), "{text}");
}

/// Finding F13: a score file's `[model]` predicts one outcome (`low = 1`); validated against another
/// (`bwt < 3000`) its calibration was printed as "external" without a word. Now the stored model is calibrated
/// only against the outcome it names (`low`, `low == 1` and `low = 1` are one outcome); otherwise a note says
/// so and calibration falls back, as for a score without `[model]`, to the logistic model of the run's outcome
/// fitted in the derivation group: apparent there, so (maximum likelihood with an intercept, by hand) its
/// calibration-in-the-large is 0, its slope 1 and its expected events equal the observed count of bwt < 3000.
#[test]
fn stored_model_of_another_outcome_is_not_calibrated_silently() {
    let score = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/card/birthwt_score.toml"
    );
    let run = |binary: &str| {
        json(&[
            "validate",
            "--data",
            BIRTHWT,
            "--score",
            score,
            "--binary-outcome",
            binary,
            "--outcome",
            "none",
            "--json",
        ])
    };
    let v = run("bwt < 3000");
    let v = &v["validation"];
    let notes = v["notes"].to_string();
    assert!(
        notes.contains(
            "the score file's [model] predicts low = 1, not this run's outcome bwt < 3000: its risks are not \
             risks of bwt < 3000, so it is not calibrated here"
        ),
        "{notes}"
    );
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let under_3000 = shipped
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(9).unwrap().parse::<f64>().unwrap() < 3000.0)
        .count();
    let cal = &v["groups"][0]["calibration"];
    assert_eq!(cal["kind"], "apparent (in-sample)", "{cal}");
    assert_eq!(num(&cal["observed_events"]), under_3000 as f64);
    close(
        "expected",
        num(&cal["expected_events"]),
        under_3000 as f64,
        Tol::abs(1e-6),
    );
    close(
        "in the large",
        num(&cal["intercept"]["estimate"]),
        0.0,
        Tol::abs(1e-6),
    );
    close("slope", num(&cal["slope"]["estimate"]), 1.0, Tol::abs(1e-6));
    for same in ["low", "low == 1"] {
        let v = run(same);
        let cal = &v["validation"]["groups"][0]["calibration"];
        assert_eq!(cal["kind"], "external", "{same}: {cal}");
        assert!(
            !v["validation"]["notes"]
                .to_string()
                .contains("predicts low = 1"),
            "{same}"
        );
    }
}

/// Finding F18: `derive` records in `[model]` the SHA-256 of its data file and the rows the model was fitted
/// on, and marks a grid-searched threshold `searched = true`; `validate` on the same bytes and as many rows
/// calls the calibration "apparent (in-sample)" (before: "external", with in-the-large 0 and slope 1 by
/// construction). Other rows (the same file with some cells NA) stay external. The hash is coreutils'
/// `sha256sum tests/reference/optimism/birthwt.csv`.
#[test]
fn calibration_in_the_derivation_data_is_apparent_not_external() {
    let dir = tempfile::tempdir().unwrap();
    let score = dir.path().join("s.toml");
    derive_birthwt_score(&score);
    let toml = std::fs::read_to_string(&score).unwrap();
    assert!(
        toml.contains(
            "data_sha256 = \"50102db24a1fc05d351f83b341d71fa6b5847493bbb1a709811f9910a38f62ca\"\ndata_rows = 189"
        ),
        "{toml}"
    );
    assert!(toml.contains("column = \"lwt\"\nop = \"<\"\n"), "{toml}");
    assert_eq!(toml.matches("searched = true").count(), 1, "{toml}");
    let s = score.to_str().unwrap();
    let run = |data: &str| {
        json(&[
            "validate",
            "--data",
            data,
            "--score",
            s,
            "--binary-outcome",
            "low",
            "--outcome",
            "none",
            "--json",
        ])
    };
    let v = run(BIRTHWT);
    let cal = &v["validation"]["groups"][0]["calibration"];
    assert_eq!(cal["kind"], "apparent (in-sample)", "{cal}");
    assert!(
        cal["model_source"]
            .to_string()
            .contains("fitted in these very rows"),
        "{cal}"
    );
    let notes = v["validation"]["notes"].to_string();
    assert!(
        notes.contains("was chosen by a grid search in the derivation data (searched"),
        "{notes}"
    );
    // A copy with the first row's age NA (age is not read): other bytes, so external.
    let (other, _) = birthwt_with(dir.path(), "other.csv", |f| {
        (f[1] == "19").then_some((1, "NA"))
    });
    let v = run(&other);
    assert_eq!(
        v["validation"]["groups"][0]["calibration"]["kind"],
        "external"
    );
}

/// Finding F15: `derive` on an outcome with one class named the internal column (`outcome 'outcome'`, or
/// `'binary_outcome'` with `--outcome none`); it now names the user's rule and the counts (by hand: every low
/// set to 0 leaves 0 events in 189 rows; bwt < 10000 holds for all 189 births, max bwt 4990).
#[test]
fn one_class_outcome_names_the_rule_and_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (none, _) = birthwt_with(dir.path(), "bw0.csv", |_| Some((0, "0")));
    let derive = |binary: &str, outcome: &str| {
        calcscore(&[
            "derive",
            "--data",
            &none,
            "--candidates",
            BIRTHWT_CANDIDATES,
            "--binary-outcome",
            binary,
            "--outcome",
            outcome,
        ])
    };
    for (binary, outcome, want) in [
        (
            "low",
            "bwt",
            "outcome 'low = 1' has only one class (controls only: 0 of the 189 derivation rows have low = 1)",
        ),
        (
            "low",
            "none",
            "outcome 'low = 1' has only one class (controls only: 0 of the 189 derivation rows have low = 1)",
        ),
        (
            "bwt < 10000",
            "none",
            "outcome 'bwt < 10000' has only one class (events only: 189 of the 189 derivation rows have bwt < 10000)",
        ),
    ] {
        let o = derive(binary, outcome);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{binary}: {err}");
    }
}

/// Finding F16: a group value with a comma (`Stage I, II`) could not be selected (`--groups` was split into
/// `Stage I` and `II`) and the error listed that very value among "its values". Now the whole string is
/// matched first, a comma inside double quotes does not split, and a piece not found is named, quoted, with
/// the list as split. Groups by hand: even data rows (0-based) are `Stage I, II` (95 of 189), odd ones B (94).
#[test]
fn group_values_with_commas_can_be_selected_and_misses_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(BIRTHWT).unwrap();
    let mut body = String::new();
    for (i, line) in shipped.lines().enumerate() {
        let grp = match i {
            0 => "grp",
            _ if (i - 1) % 2 == 0 => "\"Stage I, II\"",
            _ => "B",
        };
        body.push_str(&format!("{line},{grp}\n"));
    }
    let data = dir.path().join("comma.csv");
    std::fs::write(&data, body).unwrap();
    let score = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/card/birthwt_score.toml"
    );
    let run = |groups: &str| {
        calcscore(&[
            "validate",
            "--data",
            data.to_str().unwrap(),
            "--score",
            score,
            "--binary-outcome",
            "low",
            "--outcome",
            "none",
            "--by",
            "grp",
            "--groups",
            groups,
            "--json",
        ])
    };
    let groups = |groups: &str| -> Vec<(String, f64)> {
        let o = run(groups);
        assert!(
            o.status.success(),
            "{groups}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["validation"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["group"].as_str().unwrap().to_string(), num(&g["n"])))
            .collect()
    };
    let stage = ("Stage I, II".to_string(), 95.0);
    assert_eq!(groups("Stage I, II"), std::slice::from_ref(&stage));
    assert_eq!(groups("\"Stage I, II\""), std::slice::from_ref(&stage));
    assert_eq!(
        groups("\"Stage I, II\",B"),
        [("B".to_string(), 94.0), stage]
    );
    let o = run("Stage I,B");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(2)
            && err.contains(
                "no rows with grp = 'Stage I' (--groups is split at commas into 'Stage I', 'B'"
            )
            && err.contains("(its values: 'B', 'Stage I, II')"),
        "{err}"
    );
}
