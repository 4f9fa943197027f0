//! Issue 16 (performance and scale) through the binary: column projection keeps R's numbers, simulated Parquet
//! registries hold the same values as the CSV ones, and the size limits of `simulate`.

mod common;
use common::{calcscore, json};

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/regression");

/// `fit` reads only the formula's columns: a column it never reads (text with quoted separators) changes
/// nothing, and the logistic model still equals R's `glm` (tests/reference/regression.R, birthwt_glm_classical).
#[test]
fn fit_on_a_wider_file_matches_r_glm() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{REF}/birthwt.csv")).unwrap();
    let mut wide = String::new();
    for (i, line) in text.lines().enumerate() {
        let note = if i == 0 {
            "\"note\""
        } else {
            "\"a, \"\"quoted\"\" note\""
        };
        wide.push_str(&format!("{note},{line}\n"));
    }
    let path = d.path().join("wide.csv");
    std::fs::write(&path, wide).unwrap();
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{REF}/birthwt_glm_classical.json")).unwrap(),
    )
    .unwrap();
    let got = json(&[
        "fit",
        "--data",
        path.to_str().unwrap(),
        "--formula",
        want["formula"].as_str().unwrap(),
        "--family",
        "binomial",
        "--json",
    ]);
    let rows = got["coefficients"].as_array().unwrap();
    for (j, row) in rows.iter().enumerate() {
        for k in ["estimate", "std_error"] {
            let (g, w) = (
                row[k].as_f64().unwrap(),
                want["coefficients"][k][j].as_f64().unwrap(),
            );
            assert!((g - w).abs() <= 1e-6 * w.abs(), "{k} {j}: {g} vs R {w}");
        }
    }
    let dev = got["model"]["deviance"].as_f64().unwrap();
    let want_dev = want["deviance"].as_f64().unwrap();
    assert!(
        (dev - want_dev).abs() <= 1e-8 * want_dev,
        "{dev} vs R {want_dev}"
    );
}

/// The same simulated registry written as CSV and as Parquet gives the same rows and the same model.
#[test]
fn parquet_registry_holds_the_csv_values() {
    let d = tempfile::tempdir().unwrap();
    let (csv, parquet) = (d.path().join("r.csv"), d.path().join("r.parquet"));
    for out in [&csv, &parquet] {
        let o = calcscore(&[
            "simulate",
            "zhang2021",
            "--lesions",
            "1500",
            "--seed",
            "9",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let fit = |p: &std::path::Path| {
        json(&[
            "fit",
            "--data",
            p.to_str().unwrap(),
            "--formula",
            "calcified_nodule ~ max_calcium_angle_deg + vessel_diameter_mm + calcium_360",
            "--family",
            "binomial",
            "--cluster",
            "patient_id",
            "--json",
        ])
    };
    let (a, b) = (fit(&csv), fit(&parquet));
    assert_eq!(a["model"]["n"], 1500);
    assert_eq!(a["model"]["n_clusters"], b["model"]["n_clusters"]);
    assert_eq!(a["coefficients"], b["coefficients"]);
}

/// Parquet (binary) is never written to the terminal; sizes above 10^8 are refused with the bounds.
#[test]
fn simulate_refuses_parquet_on_stdout_and_oversized_registries() {
    let o = calcscore(&["simulate", "zhang2021", "--format", "parquet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out FILE"));
    let o = calcscore(&["simulate", "zhang2021", "--lesions", "100000001"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("from 100 to 100000000"));
}
