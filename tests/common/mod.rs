//! Helpers shared by the integration tests: run the real `calcscore` binary and read its output.
#![allow(dead_code)] // each test binary uses its own subset

use std::process::{Command, Output};

use serde_json::Value;

/// Run the binary built by this package with `args`, from the package root (relative paths name the
/// repository's files).
pub fn calcscore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run calcscore")
}

/// Run the binary and assert success (the arguments and standard error in the failure message).
pub fn ok(args: &[&str]) -> Output {
    let o = calcscore(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Run the binary, assert success, and return standard output as text.
pub fn stdout(args: &[&str]) -> String {
    String::from_utf8(ok(args).stdout).unwrap()
}

/// Run the binary, assert success, and parse standard output as JSON.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).unwrap()
}

/// `derive` on MASS::Pima.tr2 with tests/reference/mice/pima_candidates.toml (outcome `type == Yes`, reference
/// item BMI > 30) and `--impute m`, then `extra`: the command the imputation tests share.
pub fn pima_derive_args(m: &str, extra: &[&str]) -> Vec<String> {
    let mice = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/mice");
    let data = format!("{mice}/pima_tr2.csv");
    let candidates = format!("{mice}/pima_candidates.toml");
    let fixed = [
        "derive",
        "--data",
        &data,
        "--candidates",
        &candidates,
        "--outcome",
        "none",
        "--binary-outcome",
        "type == Yes",
        "--reference",
        "BMI > 30",
        "--impute",
        m,
    ];
    fixed.iter().chain(extra).map(|s| s.to_string()).collect()
}
