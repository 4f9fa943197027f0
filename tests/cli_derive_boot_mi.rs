//! `calcscore derive --impute M --validate-bootstrap B` (boot-MI, Wahl et al. 2016) through the binary on
//! MASS::Pima.tr2 with tests/reference/mice/pima_candidates.toml: the apparent AUC is the pooled AUC `derive
//! --impute` reports, corrected = apparent − optimism (arithmetic), and the output is byte-identical for 1 and 3
//! threads (replicate r seeded from (seed, r)).

mod common;

fn run(threads: &str, boot: bool) -> Vec<u8> {
    let extra: &[&str] = if boot {
        &["--json", "--validate-bootstrap", "6", "--boot-seed", "7"]
    } else {
        &["--json"]
    };
    let args = common::pima_derive_args("3", extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::stdout_on_threads(threads, &args)
}

#[test]
fn boot_mi_optimism_of_the_pooled_auc() {
    let one = run("1", true);
    assert_eq!(one, run("3", true), "thread count changes the output");
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
    let plain: serde_json::Value = serde_json::from_slice(&run("2", false)).unwrap();
    assert_eq!(plain["pooled"], v["pooled"]);
    assert!(plain["internal_validation"].is_null());
}
