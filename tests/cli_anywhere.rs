//! Runs anywhere: the shipped datasets and published numbers are built into the binary, so `reproduce` and
//! `check` work from a directory with no repository files; `completions` writes a script per shell.

mod common;
use common::calcscore_in;

use std::path::Path;

/// SHA-256 of datasets/zhang2021_synthetic.csv as `sha256sum` prints it (also in the golden report).
const ZHANG_SHA: &str = "c08ccbfdc2a8658ab039b8acca40c17a8fbe89083a064b25a547b1317a4fbdf7";

#[test]
fn reproduce_and_check_zhang2021_from_an_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let o = calcscore_in(tmp.path(), &["reproduce", "zhang2021", "--out", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = std::fs::read_to_string(tmp.path().join("out/report.md")).unwrap();
    let input = format!("Input: `datasets/zhang2021_synthetic.csv` (SHA-256 `{ZHANG_SHA}`)");
    assert!(report.contains(&input), "report names the built-in file");
    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/zhang2021_report.md"
    );
    let golden = std::fs::read_to_string(golden).unwrap();
    let body = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("calcscore "))
            .map(String::from)
            .collect()
    };
    assert!(
        body(&report) == body(&golden),
        "the golden report but its version footer"
    );
    let c = calcscore_in(tmp.path(), &["check", "zhang2021", "--results", "out"]);
    assert_eq!(
        c.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&c.stdout)
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the output directory is written here");
}

/// `--impute` re-reads the registry for its sensitivity analysis: from an empty directory it must read the
/// built-in file (it once re-read the label `datasets/zhang2021_synthetic.csv` and failed), and give the
/// imputation.json of the same run from the repository.
#[test]
fn reproduce_zhang2021_with_impute_from_an_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["reproduce", "zhang2021", "--impute", "2", "--out", "out"];
    let o = calcscore_in(tmp.path(), &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let repo = tempfile::tempdir().unwrap();
    let out = repo.path().join("out");
    let r = calcscore_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "reproduce",
            "zhang2021",
            "--impute",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let read = |d: &Path| std::fs::read(d.join("imputation.json")).unwrap();
    assert!(
        read(&tmp.path().join("out")) == read(&out),
        "imputation.json differs"
    );
}

#[test]
fn reproduce_denosumab_pilot_from_an_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let o = calcscore_in(tmp.path(), &["reproduce", "denosumab-pilot", "--out", "d"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let c = calcscore_in(tmp.path(), &["check", "denosumab-pilot", "--results", "d"]);
    assert_eq!(
        c.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&c.stdout)
    );
}

#[test]
fn completions_for_each_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F _calcscore"),
        ("zsh", "#compdef calcscore"),
        ("fish", "complete -c calcscore"),
    ] {
        let o = calcscore_in(tmp.path(), &["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains(marker), "{shell} script has {marker}");
        assert!(
            script.contains("reproduce") && script.contains("samplesize"),
            "{shell}"
        );
    }
    let o = calcscore_in(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}
