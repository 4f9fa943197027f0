//! The denosumab pilot from scans: `simulate denosumab-pilot --dicom` writes phantom CT series,
//! `agatston --batch` reads them back into the CAC table, and `reproduce denosumab-pilot --dicom` runs the
//! pilot from the images. The reference is the shipped synthetic table (seed 1): the phantoms are
//! 0.1 mm² pixels, so n pixels of weight w score n·w/10 and every score must come back to its 0.1 AU.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// patient_id → (scan_date_before, scan_date_after, agatston_before, agatston_after), as text.
fn scores(csv: &str) -> BTreeMap<String, [String; 4]> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let cols = [
        col("scan_date_before"),
        col("scan_date_after"),
        col("agatston_before"),
        col("agatston_after"),
    ];
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_string(), cols.map(|c| cells[c].to_string()))
        })
        .collect()
}

fn quantities(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["quantities"].clone()
}

#[test]
fn pilot_from_phantom_scans_reproduces_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let scans = tmp.path().join("scans");
    let s = scans.display().to_string();
    run(&["simulate", "denosumab-pilot", "--dicom", &s]);
    // A note beside the scans is not DICOM: left out and said so, the 22 series still read.
    std::fs::write(scans.join("README.txt"), "phantoms of seed 1\n").unwrap();

    // 12 patients: 10 with two visits, 2 with a baseline only → 22 series.
    let cac_dir = tmp.path().join("cac");
    let c = cac_dir.display().to_string();
    let out = run(&["agatston", "--batch", &s, "--out", &c]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("22 CT studies scored"));
    let from_images = std::fs::read_to_string(cac_dir.join("cac.csv")).unwrap();
    let shipped =
        std::fs::read_to_string(root().join("datasets/denosumab_pilot_synthetic.csv")).unwrap();
    assert_eq!(scores(&from_images), scores(&shipped));

    // The batch table is what `progression` reads.
    let cac_csv = cac_dir.join("cac.csv").display().to_string();
    let p = run(&["progression", "--data", &cac_csv, "--json"]);
    let v: Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(v["n_evaluable"].as_u64(), Some(10), "{v}");

    // reproduce from images = reproduce from the typed-in table, quantity by quantity.
    let typed = tmp.path().join("typed");
    let imaged = tmp.path().join("imaged");
    let (t, i) = (typed.display().to_string(), imaged.display().to_string());
    run(&["reproduce", "denosumab-pilot", "--out", &t]);
    run(&["reproduce", "denosumab-pilot", "--dicom", &s, "--out", &i]);
    // Image scores are n·w × 0.1 in floating point (121.30000000000001 for 121.3): equal to 1e-9 relative.
    let report = std::fs::read_to_string(imaged.join("report.md")).unwrap();
    let left = format!(
        "Left out: file {} (not DICOM: no DICM marker at byte 128).",
        scans.join("README.txt").display()
    );
    assert!(report.contains(&left), "{left}");
    let (a, b) = (quantities(&typed), quantities(&imaged));
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["name"], y["name"]);
        let (ex, ey) = (
            x["estimate"].as_f64().unwrap(),
            y["estimate"].as_f64().unwrap(),
        );
        assert!(
            (ex - ey).abs() <= 1e-9 * ex.abs().max(1.0),
            "{}: typed {ex}, from images {ey}",
            x["name"]
        );
    }
}
