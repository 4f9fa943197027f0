//! Rubin's rules exactly as `mice::pool` (mice 3.15, rule "rubin1987") and `summary.mipo`: pooled
//! estimate, within/between/total variance, Barnard–Rubin degrees of freedom, riv, lambda, fmi, and
//! t-based tests and intervals. AUCs are pooled on the logit scale.

use serde::Serialize;
use statrs::distribution::StudentsT;

use crate::dist::Checked;
use crate::vcov::{column, estimate_columns, interval_columns, print_coefficients};
use crate::{StatsError, TidyRow};
use calcscore_core::format::p_r;

/// One pooled coefficient: broom's columns plus mice's pooling diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledRow {
    /// Term name.
    pub term: String,
    /// Pooled estimate q̄ (mean of the m estimates).
    pub estimate: f64,
    /// √t.
    pub std_error: f64,
    /// q̄ / √t.
    pub statistic: f64,
    /// Barnard–Rubin degrees of freedom.
    pub df: f64,
    /// Two-sided p on t with `df` degrees of freedom.
    pub p_value: f64,
    /// Lower limit q̄ − t_{df} √t.
    pub conf_low: f64,
    /// Upper limit.
    pub conf_high: f64,
    /// Number of imputations.
    pub m: usize,
    /// Within-imputation variance ū (mean of the squared standard errors).
    pub ubar: f64,
    /// Between-imputation variance b (sample variance of the estimates).
    pub b: f64,
    /// Total variance t = ū + (1 + 1/m) b.
    pub t: f64,
    /// Complete-data degrees of freedom used by the Barnard–Rubin formula.
    pub dfcom: f64,
    /// Relative increase in variance due to nonresponse, (1 + 1/m) b / ū.
    pub riv: f64,
    /// Proportion of the total variance due to missingness, (1 + 1/m) b / t.
    pub lambda: f64,
    /// Fraction of missing information, (riv + 2/(df + 3)) / (riv + 1).
    pub fmi: f64,
}

impl PooledRow {
    /// The row in broom's columns (term, estimate, std_error, statistic, p_value, conf_low, conf_high).
    pub fn tidy(&self) -> TidyRow {
        TidyRow {
            term: self.term.clone(),
            estimate: self.estimate,
            std_error: self.std_error,
            statistic: self.statistic,
            p_value: self.p_value,
            conf_low: self.conf_low,
            conf_high: self.conf_high,
        }
    }
}

/// Pooled coefficients printed as `summary(pool(fit), conf.int = TRUE)` shows them, with df and fmi.
pub fn pooled_text(rows: &[PooledRow], level: f64) -> String {
    let tidy: Vec<TidyRow> = rows.iter().map(PooledRow::tidy).collect();
    let columns = [
        estimate_columns(&tidy),
        vec![
            column("t value", 9, rows, |r| format!("{:.3}", r.statistic)),
            column("df", 9, rows, |r| format!("{:.1}", r.df)),
            column("Pr(>|t|)", 10, rows, |r| p_r(r.p_value)),
        ],
        interval_columns(&tidy, level),
        vec![column("fmi", 6, rows, |r| format!("{:.3}", r.fmi))],
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    print_coefficients(&tidy, &columns, None)
}

/// Barnard & Rubin (1999) degrees of freedom as mice's `barnard.rubin` (λ floored at 1e-4; `dfcom = ∞`
/// gives Rubin's 1987 (m − 1)/λ²).
pub(crate) fn barnard_rubin(m: usize, b: f64, t: f64, dfcom: f64) -> f64 {
    let lambda = ((1.0 + 1.0 / m as f64) * b / t).max(1e-4);
    let dfold = (m as f64 - 1.0) / (lambda * lambda);
    if dfcom.is_infinite() {
        return dfold;
    }
    let dfobs = (dfcom + 1.0) / (dfcom + 3.0) * dfcom * (1.0 - lambda);
    dfold * dfobs / (dfold + dfobs)
}

/// Pool one scalar from its m estimates and standard errors (mice::pool, then summary with conf.int).
pub fn pool_scalar(
    term: &str,
    estimates: &[f64],
    std_errors: &[f64],
    dfcom: f64,
    level: f64,
) -> Result<PooledRow, StatsError> {
    let m = estimates.len();
    if m < 2 || std_errors.len() != m {
        return Err(StatsError::TooFew {
            what: format!("pooling '{term}' by Rubin's rules"),
            n: m,
            needed: 2,
        });
    }
    let mf = m as f64;
    let qbar = estimates.iter().sum::<f64>() / mf;
    let ubar = std_errors.iter().map(|s| s * s).sum::<f64>() / mf;
    let b = estimates.iter().map(|q| (q - qbar).powi(2)).sum::<f64>() / (mf - 1.0);
    let t = ubar + (1.0 + 1.0 / mf) * b;
    let df = barnard_rubin(m, b, t, dfcom);
    let riv = (1.0 + 1.0 / mf) * b / ubar;
    let lambda = (1.0 + 1.0 / mf) * b / t;
    let fmi = (riv + 2.0 / (df + 3.0)) / (riv + 1.0);
    let se = t.sqrt();
    let statistic = qbar / se;
    let (p_value, q) = t_tail_and_quantile(statistic, df, level);
    Ok(PooledRow {
        term: term.to_string(),
        estimate: qbar,
        std_error: se,
        statistic,
        df,
        p_value,
        conf_low: qbar - q * se,
        conf_high: qbar + q * se,
        m,
        ubar,
        b,
        t,
        dfcom,
        riv,
        lambda,
        fmi,
    })
}

/// Two-sided p of `statistic` and the (1 + level)/2 quantile under t(df) (the quantile as R's `qt`, see
/// [`crate::dist::t_quantile`]). Above 10^6 df (e.g. m identical estimates with dfcom = ∞: λ floored at 1e-4
/// gives df = (m − 1)·10^8) the p-value is the normal's: the two differ by less than 10^-6.
fn t_tail_and_quantile(statistic: f64, df: f64, level: f64) -> (f64, f64) {
    let q = crate::dist::t_quantile(df.max(0.001), (1.0 + level) / 2.0);
    if df > 1e6 {
        let n = statrs::distribution::Normal::standard();
        return (2.0 * n.sf_checked(statistic.abs()), q);
    }
    let p_value = StudentsT::new(0.0, 1.0, df.max(0.001))
        .map_or(f64::NAN, |d| 2.0 * d.sf_checked(statistic.abs()));
    (p_value, q)
}

/// Pool every term: `estimates[i][k]` and `std_errors[i][k]` are term k's values in imputation i.
pub fn pool(
    terms: &[String],
    estimates: &[Vec<f64>],
    std_errors: &[Vec<f64>],
    dfcom: f64,
    level: f64,
) -> Result<Vec<PooledRow>, StatsError> {
    terms
        .iter()
        .enumerate()
        .map(|(k, term)| {
            let q: Vec<f64> = estimates.iter().map(|e| e[k]).collect();
            let u: Vec<f64> = std_errors.iter().map(|s| s[k]).collect();
            pool_scalar(term, &q, &u, dfcom, level)
        })
        .collect()
}

/// A pooled AUC: Rubin's rules on logit(AUC) with the delta-method SE, limits transformed back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledAuc {
    /// expit of the pooled logit(AUC).
    pub estimate: f64,
    /// Lower limit, expit of the pooled logit-scale limit.
    pub conf_low: f64,
    /// Upper limit.
    pub conf_high: f64,
    /// The pooling on the logit scale (df with dfcom = ∞: the AUC's interval is normal-based).
    pub logit: PooledRow,
}

/// Pool m AUCs with their (DeLong) standard errors on the logit scale: logit(AUC_i), SE_i / (AUC_i (1 − AUC_i))
/// (Marshall et al. 2009; Wood, White & Royston 2015's advice to pool on a scale closer to normal).
pub fn pool_auc(aucs: &[f64], std_errors: &[f64], level: f64) -> Result<PooledAuc, StatsError> {
    if aucs.iter().any(|&a| !(a > 0.0 && a < 1.0)) {
        return Err(StatsError::Undefined(
            "an AUC of 0 or 1 in some imputation has no logit: cannot pool on the logit scale"
                .into(),
        ));
    }
    let q: Vec<f64> = aucs.iter().map(|&a| (a / (1.0 - a)).ln()).collect();
    let u: Vec<f64> = aucs
        .iter()
        .zip(std_errors)
        .map(|(&a, &s)| s / (a * (1.0 - a)))
        .collect();
    let logit = pool_scalar("logit(AUC)", &q, &u, f64::INFINITY, level)?;
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    Ok(PooledAuc {
        estimate: expit(logit.estimate),
        conf_low: expit(logit.conf_low),
        conf_high: expit(logit.conf_high),
        logit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_calculation_of_rubins_rules() {
        // q = 1, 2, 3; se = 1 each: ū = 1, b = 1, t = 1 + 4/3 = 7/3, riv = 4/3, λ = 4/7.
        // dfold = 2 / (4/7)² = 6.125; dfcom = 10: dfobs = 11/13·10·3/7 = 3.626373..., df = dfold·dfobs/(dfold+dfobs).
        let r = pool_scalar("x", &[1.0, 2.0, 3.0], &[1.0; 3], 10.0, 0.95).unwrap();
        assert!((r.estimate - 2.0).abs() < 1e-15);
        assert!((r.t - 7.0 / 3.0).abs() < 1e-15);
        assert!((r.riv - 4.0 / 3.0).abs() < 1e-15);
        assert!((r.lambda - 4.0 / 7.0).abs() < 1e-15);
        let dfold = 6.125;
        let dfobs = 11.0 / 13.0 * 10.0 * 3.0 / 7.0;
        assert!((r.df - dfold * dfobs / (dfold + dfobs)).abs() < 1e-12);
        assert!((r.fmi - (4.0 / 3.0 + 2.0 / (r.df + 3.0)) / (7.0 / 3.0)).abs() < 1e-15);
        assert!(pool_scalar("x", &[1.0], &[1.0], 10.0, 0.95).is_err());
    }
}
