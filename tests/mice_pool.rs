//! Rubin's rules against `mice::pool` (mice 3.15) on the same m completed data sets, exported from R by
//! tests/reference/mice.R: MASS::Pima.tr2 (m = 5; glm binomial and lm) and mice's nhanes2 (m = 4; lm with
//! factor terms). Every pooled quantity must agree to 1e-8 (relative).

use calcscore_data::read_table;
use calcscore_stats::formula::Formula;
use calcscore_stats::mice::{pool_fits, Model};
use calcscore_stats::vcov::FitOptions;
use serde_json::Value;

const REF: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/mice");

fn check(prefix: &str, m: usize, case: &str, model: Model) {
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{REF}/{case}.json")).unwrap())
            .unwrap();
    let tables: Vec<_> = (1..=m)
        .map(|i| read_table(std::path::Path::new(&format!("{REF}/{prefix}{i}.csv"))).unwrap())
        .collect();
    let formula = Formula::parse(want["formula"].as_str().unwrap()).unwrap();
    let got = pool_fits(&tables, &formula, model, &FitOptions::default(), None).unwrap();
    let p = &want["pooled"];
    let terms = p["term"].as_array().unwrap();
    assert_eq!(got.coefficients.len(), terms.len(), "{case}: terms");
    for (j, row) in got.coefficients.iter().enumerate() {
        assert_eq!(row.term, terms[j].as_str().unwrap(), "{case}: term {j}");
        assert_eq!(row.m, m);
        let v = serde_json::to_value(row).unwrap();
        for k in [
            "estimate",
            "std_error",
            "statistic",
            "df",
            "p_value",
            "conf_low",
            "conf_high",
            "ubar",
            "b",
            "t",
            "dfcom",
            "riv",
            "lambda",
            "fmi",
        ] {
            let (g, w) = (v[k].as_f64().unwrap(), p[k][j].as_f64().unwrap());
            assert!(
                (g - w).abs() <= 1e-8 * w.abs().max(1e-300),
                "{case} {} {k}: calcscore {g}, mice::pool {w}",
                row.term
            );
        }
    }
}

#[test]
fn pima_logistic_pooled_as_mice_pool() {
    check("pima_imp", 5, "pima_pool_glm", Model::Binomial);
}

#[test]
fn pima_linear_pooled_as_mice_pool() {
    check("pima_imp", 5, "pima_pool_lm", Model::Gaussian);
}

#[test]
fn nhanes2_linear_with_factors_pooled_as_mice_pool() {
    check("nhanes2_imp", 4, "nhanes2_pool_lm", Model::Gaussian);
}
