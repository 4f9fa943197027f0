//! `calcscore derive --impute M --validate-bootstrap B` (boot-MI, Wahl et al. 2016) through the binary on
//! MASS::Pima.tr2 with tests/reference/mice/pima_candidates.toml: the apparent AUC is the pooled AUC `derive
//! --impute` reports, corrected = apparent − optimism (arithmetic), and the output is byte-identical for 1 and 3
//! threads (replicate r seeded from (seed, r)).

mod common;

/// `derive --impute 3` on Pima.tr2 (tests/common `pima_derive_args`), then `extra`.
fn args(extra: &[&str]) -> Vec<String> {
    common::pima_derive_args("3", extra)
}

#[test]
fn boot_mi_optimism_of_the_pooled_auc() {
    let boot = args(&["--json", "--validate-bootstrap", "6", "--boot-seed", "7"]);
    let boot: Vec<&str> = boot.iter().map(String::as_str).collect();
    let one = common::same_stdout_on_threads(&boot, &["1", "3"]);
    let v: serde_json::Value = serde_json::from_slice(&one).unwrap();
    let b = &v["internal_validation"];
    assert_eq!(b["replicates"], 6);
    assert_eq!(b["m"], 3);
    assert_eq!(b["seed"], 7);
    let (app, opt, cor) = (
        b["auc_apparent"].as_f64().unwrap(),
        b["auc_optimism"].as_f64().unwrap(),
        b["auc_corrected"].as_f64().unwrap(),
    );
    assert_eq!(app, v["pooled"]["auc"]["estimate"].as_f64().unwrap());
    assert!((cor - (app - opt)).abs() < 1e-15);
    assert!(b["failed"].as_u64().unwrap() < 6);
    // Without the bootstrap the same imputation gives the same pooled derivation.
    let plain = args(&["--json"]);
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    let plain: serde_json::Value =
        serde_json::from_slice(&common::stdout_on_threads("2", &plain)).unwrap();
    assert_eq!(plain["pooled"], v["pooled"]);
    assert!(plain["internal_validation"].is_null());
}
