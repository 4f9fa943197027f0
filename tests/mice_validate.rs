//! `validate --impute` pooling against R: the fixed score tests/reference/mice_validate/pima_score.toml on the
//! m = 5 completed MASS::Pima.tr2 tables that mice exported (tests/reference/mice.R), each measure computed per
//! table in R (pROC DeLong AUC, 2×2 counts, glm calibration) and pooled with mice::pool.scalar
//! (tests/reference/mice_validate.R). calcscore pools the same tables: every value must agree to 1e-8.

use calcscore_data::read_table;
use calcscore_score::derive::BinaryOutcome;
use calcscore_score::validate::ValidateOptions;
use calcscore_score::validate_impute::pool_validations;
use calcscore_score::PointsTable;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn close(got: f64, want: &Value, what: &str) {
    near(got, want, what, 1e-8);
}

fn near(got: f64, want: &Value, what: &str, tol: f64) {
    let w = want.as_f64().unwrap();
    assert!(
        (got - w).abs() <= tol * w.abs().max(1.0),
        "{what}: calcscore {got}, R {w}"
    );
}

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
    };
    let p = pool_validations(&tables, &score, &opts).unwrap();
    assert_eq!(p.m, 5);
    let g = &p.groups[0];
    assert_eq!(g.n, 300);
    let auc = g.auc.as_ref().unwrap();
    let a = &want["auc"];
    close(auc.estimate, &a["estimate"], "AUC");
    close(auc.conf_low, &a["conf_low"], "AUC low");
    close(auc.conf_high, &a["conf_high"], "AUC high");
    close(auc.logit.estimate, &a["logit_estimate"], "logit AUC");
    close(auc.logit.t, &a["logit_t"], "logit AUC total variance");
    close(auc.logit.df, &a["df"], "AUC df");
    close(auc.logit.fmi, &a["fmi"], "AUC fmi");
    for m in &g.measures {
        let w = &want[m.measure.as_str()];
        close(m.pooled.estimate, &w["estimate"], &m.measure);
        close(m.pooled.conf_low, &w["conf_low"], &m.measure);
        close(m.pooled.conf_high, &w["conf_high"], &m.measure);
        close(m.pooled.logit.df, &w["df"], &m.measure);
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
            near(v, &w[k], &format!("{key} {k}"), tol);
        }
    }
    let l = &want["levels"];
    assert_eq!(g.levels.len(), 6);
    for (k, lv) in g.levels.iter().enumerate() {
        assert_eq!(lv.score, k as i64);
        close(lv.n, &l["n"][k], "level n");
        close(lv.events, &l["events"][k], "level events");
        close(lv.observed.unwrap(), &l["observed"][k], "level observed");
    }
}
