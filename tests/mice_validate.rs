//! `validate --impute` pooling against R: the fixed score tests/reference/mice_validate/pima_score.toml on the
//! m = 5 completed MASS::Pima.tr2 tables that mice exported (tests/reference/mice.R), each measure computed per
//! table in R (pROC DeLong AUC, 2×2 counts, glm calibration) and pooled with mice::pool.scalar
//! (tests/reference/mice_validate.R). calcscore pools the same tables: every value must agree to 1e-8.

mod common;
use common::{close, num, Tol};

use calcscore_data::read_table;
use calcscore_score::derive::BinaryOutcome;
use calcscore_score::validate::ValidateOptions;
use calcscore_score::validate_impute::pool_validations;
use calcscore_score::PointsTable;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Relative to R, absolute below 1.
const TOL: Tol = Tol::rel(1e-8, 1.0);

#[test]
fn pima_fixed_score_pooled_as_r() {
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{ROOT}/tests/reference/mice_validate/pima_pooled.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let tables: Vec<_> = (1..=5)
        .map(|i| {
            read_table(std::path::Path::new(&format!(
                "{ROOT}/tests/reference/mice/pima_imp{i}.csv"
            )))
            .unwrap()
        })
        .collect();
    let score = PointsTable::resolve(&format!(
        "{ROOT}/tests/reference/mice_validate/pima_score.toml"
    ))
    .unwrap();
    let opts = ValidateOptions {
        outcome: None,
        binary: BinaryOutcome::parse("type == Yes").unwrap(),
        cluster: None,
        by: None,
        reference_group: None,
        conf_level: 0.95,
        thresholds: None,
        data_sha256: None,
    };
    let p = pool_validations(&tables, &score, &opts).unwrap();
    assert_eq!(p.m, 5);
    let g = &p.groups[0];
    assert_eq!(g.n, 300);
    let auc = g.auc.as_ref().unwrap();
    let a = &want["auc"];
    close("AUC", auc.estimate, num(&a["estimate"]), TOL);
    close("AUC low", auc.conf_low, num(&a["conf_low"]), TOL);
    close("AUC high", auc.conf_high, num(&a["conf_high"]), TOL);
    close(
        "logit AUC",
        auc.logit.estimate,
        num(&a["logit_estimate"]),
        TOL,
    );
    close(
        "logit AUC total variance",
        auc.logit.t,
        num(&a["logit_t"]),
        TOL,
    );
    close("AUC df", auc.logit.df, num(&a["df"]), TOL);
    close("AUC fmi", auc.logit.fmi, num(&a["fmi"]), TOL);
    for m in &g.measures {
        let w = &want[m.measure.as_str()];
        let pooled = [
            ("estimate", m.pooled.estimate),
            ("conf_low", m.pooled.conf_low),
            ("conf_high", m.pooled.conf_high),
            ("df", m.pooled.logit.df),
        ];
        for (field, got) in pooled {
            close(&format!("{} {field}", m.measure), got, num(&w[field]), TOL);
        }
        assert_eq!(m.corrected, 0);
    }
    assert_eq!(g.measures.len(), 4);
    for (got, key) in [
        (
            g.calibration_intercept.as_ref().unwrap(),
            "calibration_intercept",
        ),
        (g.calibration_slope.as_ref().unwrap(), "calibration_slope"),
    ] {
        let w = &want[key];
        for (v, k) in [
            (got.estimate, "estimate"),
            (got.std_error, "std_error"),
            (got.df, "df"),
            (got.conf_low, "conf_low"),
            (got.conf_high, "conf_high"),
        ] {
            // The df, (m − 1)/λ², amplifies the last digits at which the two logistic fits converged.
            let tol = if k == "df" { 1e-6 } else { 1e-8 };
            close(&format!("{key} {k}"), v, num(&w[k]), Tol::rel(tol, 1.0));
        }
    }
    let l = &want["levels"];
    assert_eq!(g.levels.len(), 6);
    for (k, lv) in g.levels.iter().enumerate() {
        assert_eq!(lv.score, k as i64);
        close("level n", lv.n, num(&l["n"][k]), TOL);
        close("level events", lv.events, num(&l["events"][k]), TOL);
        close(
            "level observed",
            lv.observed.unwrap(),
            num(&l["observed"][k]),
            TOL,
        );
    }
}
