//! `calcscore reproduce zhang2021 --impute M` through the binary on the shipped registry: which lesions are kept
//! by imputation (counted independently from datasets/zhang2021_synthetic.csv, see below), what is imputed, the
//! complete-case column equal to the published reproduction, and nothing added without --impute.

mod common;
use common::calcscore;

use serde_json::Value;

/// Counted with Python's csv module from the shipped file: lesions with post_ivus = 0 that meet none of the
/// study's rules when post_ivus is read as 1 (cto = 0, isr = 0, max_calcium_angle_deg > 270, pre_ivus = 1,
/// cutting_scoring_balloon = 0, not atherectomy without angio_calcium): 161 of the 313 without post-PCI IVUS;
/// by angio_calcium/atherectomy: 111 in the A/B pool, 8 atherectomy (C), 42 without angiographic calcium (D).
const KEPT: u64 = 161;

fn run(out: &std::path::Path, extra: &[&str]) {
    let mut a = vec!["reproduce", "zhang2021", "--out", out.to_str().unwrap()];
    a.extend_from_slice(extra);
    let o = calcscore(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn kept_lesions_imputed_and_pooled_beside_complete_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, &["--impute", "3"]);
    let j: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("imputation.json")).unwrap())
            .unwrap();
    let s = &j["sensitivity"];
    assert_eq!(s["n_kept"], KEPT);
    assert_eq!(s["n_still_excluded"], 313 - KEPT);
    let by: Vec<(String, u64)> = s["kept_by_cohort"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap()))
        .collect();
    assert_eq!(by[0].1 + by[1].1, 111, "A/B pool");
    assert_eq!((by[2].1, by[3].1), (8, 42), "C, D");
    // Each post-PCI value of the kept lesions is imputed, nothing else.
    let cols = j["imputation"]["columns"].as_array().unwrap();
    let names: Vec<&str> = cols.iter().map(|c| c["column"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "stent_area_mm2",
            "ref_lumen_area_proximal_mm2",
            "ref_lumen_area_distal_mm2",
            "calcium_fracture"
        ]
    );
    assert!(cols.iter().all(|c| c["n_missing"] == KEPT));
    // The complete-case column is the published reproduction's (results.json of the same run).
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let auc_cc = s["auc"]["complete_case"][0].as_f64().unwrap();
    let text = r.to_string();
    assert!(
        text.contains(&format!("{auc_cc}")),
        "complete-case AUC {auc_cc} is the one in results.json"
    );
    let pooled = s["auc"]["pooled"]["estimate"].as_f64().unwrap();
    assert!(pooled > 0.5 && pooled < 1.0);
    assert_eq!(s["slopes"].as_array().unwrap().len(), 4);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Sensitivity analysis: multiple imputation (--impute 3)"));
    assert!(md.contains("161 lesions that would pass every rule"));
    for f in [
        "imputation_trace.svg",
        "imputed_values.svg",
        "imputation_trace.png",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
}

#[test]
fn nothing_added_without_impute() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, &[]);
    assert!(!out.join("imputation.json").exists());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("multiple imputation (--impute"));
}

#[test]
fn impute_is_zhang2021_only_and_figures_go_to_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = calcscore(&[
        "reproduce",
        "denosumab-pilot",
        "--impute",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = calcscore(&[
        "reproduce",
        "zhang2021",
        "--impute",
        "3",
        "--impute-plots",
        dir.path().join("p").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}
