//! Score card and calculator: a points table with its cutoff, recommendation and (when the score file stores one)
//! the logistic risk model of the outcome on the total, drawn as a card (SVG/PNG) and as a self-contained
//! `calculator.html` (inline JS/CSS, no network).

mod figure;
mod html;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::{Error, Result};
use calcscore_data::DataError;
use calcscore_score::{Op, PointsTable};

pub use figure::ScoreCard;
pub use html::calculator_html;

/// logit P(event) = intercept + slope × points, as `[model]` of a score file stores it, with its covariance
/// when given (then risks carry a Wald interval on the logit scale, as R's `predict(glm, se.fit = TRUE)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskModel {
    /// Intercept, slope, outcome and where it was fitted, as the score's own `[model]` (fields flattened, so
    /// the JSON and TOML keys and their order are those of the score file).
    #[serde(flatten)]
    pub model: calcscore_score::RiskModel,
    /// Variance of the intercept.
    #[serde(default)]
    pub var_intercept: Option<f64>,
    /// Variance of the slope.
    #[serde(default)]
    pub var_slope: Option<f64>,
    /// Covariance of intercept and slope.
    #[serde(default)]
    pub cov_intercept_slope: Option<f64>,
}

/// Predicted risk at one total, with its interval when the model has a covariance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Risk {
    /// Total points.
    pub points: i64,
    /// Predicted probability of the outcome.
    pub risk: f64,
    /// Lower end of the interval.
    pub low: Option<f64>,
    /// Upper end of the interval.
    pub high: Option<f64>,
}

impl RiskModel {
    /// The risk at `points`, with a `level` Wald interval on the logit scale when the covariance is known.
    pub fn risk(&self, points: i64, level: f64) -> Risk {
        let x = points as f64;
        let eta = self.model.logit(x);
        let interval = self.se(x).map(|se| {
            let z = Normal::standard().inverse_cdf(0.5 + level / 2.0);
            (expit(eta - z * se), expit(eta + z * se))
        });
        Risk {
            points,
            risk: expit(eta),
            low: interval.map(|i| i.0),
            high: interval.map(|i| i.1),
        }
    }

    /// Standard error of the linear predictor at `x` points.
    fn se(&self, x: f64) -> Option<f64> {
        let v =
            self.var_intercept? + x * x * self.var_slope? + 2.0 * x * self.cov_intercept_slope?;
        (v >= 0.0).then(|| v.sqrt())
    }

    fn check(&self, file: &str) -> Result<()> {
        let finite = [self.model.intercept, self.model.slope]
            .iter()
            .all(|v| v.is_finite());
        let vars = [self.var_intercept, self.var_slope, self.cov_intercept_slope];
        let given = vars.iter().filter(|v| v.is_some()).count();
        if !finite || (given != 0 && given != 3) || vars.iter().flatten().any(|v| !v.is_finite()) {
            return Err(unreadable(
                file,
                "[model] needs finite intercept and slope, and var_intercept, var_slope and cov_intercept_slope all or none",
            ));
        }
        Ok(())
    }
}

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn unreadable(file: &str, reason: &str) -> Error {
    Error::Data(DataError::Unreadable {
        file: file.to_string(),
        reason: reason.to_string(),
    })
}

/// What the card says at and below the cutoff (`[card]` of a score file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Shown when the total is at or above the cutoff.
    pub recommendation: String,
    /// Shown below the cutoff.
    #[serde(default)]
    pub below: String,
}

/// Everything a card and calculator show: the points table, its advice, its risk model if any.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardSpec {
    /// The score.
    pub score: PointsTable,
    /// Advice at and below the cutoff.
    pub advice: Advice,
    /// The stored risk model, if the score has one.
    pub model: Option<RiskModel>,
    /// Confidence level of the risk intervals.
    pub level: f64,
}

/// The parts of a score file beyond the points table.
#[derive(Deserialize)]
struct Extras {
    card: Option<Advice>,
    model: Option<RiskModel>,
}

impl CardSpec {
    /// A built-in score by name, or a score file (its `[card]` advice and `[model]` risk model read when present).
    pub fn resolve(name_or_path: &str, level: f64) -> Result<CardSpec> {
        let score = PointsTable::resolve(name_or_path)?;
        let extras = if PointsTable::builtin(name_or_path).is_some() {
            Extras {
                card: builtin_advice(name_or_path),
                model: None,
            }
        } else {
            let text = std::fs::read_to_string(name_or_path)
                .map_err(|e| Error::io("read", std::path::Path::new(name_or_path), e))?;
            let extras: Extras =
                toml::from_str(&text).map_err(|e| unreadable(name_or_path, &e.to_string()))?;
            if let Some(m) = &extras.model {
                m.check(name_or_path)?;
            }
            extras
        };
        let advice = extras.card.unwrap_or_else(|| Advice {
            recommendation: format!("Score ≥ {}: the score predicts the outcome", score.cutoff),
            below: format!("Score < {}", score.cutoff),
        });
        Ok(CardSpec {
            score,
            advice,
            model: extras.model,
            level,
        })
    }

    /// Lowest and highest possible totals.
    pub fn range(&self) -> (i64, i64) {
        let low = self.score.items.iter().map(|i| i.points.min(0)).sum();
        (low, self.score.max_points())
    }

    /// Risk per possible total, when the score has a model.
    pub fn risks(&self) -> Vec<Risk> {
        let (lo, hi) = self.range();
        match &self.model {
            Some(m) => (lo..=hi).map(|p| m.risk(p, self.level)).collect(),
            None => Vec::new(),
        }
    }

    /// Points of one patient from `column = value` pairs; every item's column must be given.
    pub fn points_for(&self, values: &[(String, f64)]) -> Result<i64> {
        let mut total = 0;
        for item in &self.score.items {
            let v = values
                .iter()
                .find(|(c, _)| *c == item.column)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--values lacks '{}' (needed by the item '{}')",
                        item.column, item.label
                    ))
                })?;
            if item.op.holds(v.1, item.threshold) {
                total += item.points;
            }
        }
        Ok(total)
    }

    /// The advice for a total.
    pub fn advice_for(&self, total: i64) -> &str {
        if total >= self.score.cutoff {
            &self.advice.recommendation
        } else {
            &self.advice.below
        }
    }
}

/// True when an item is a yes/no tick box (`column == 1`) rather than a measurement.
pub(crate) fn is_tick(op: Op, threshold: f64) -> bool {
    op == Op::Eq && threshold == 1.0
}

fn builtin_advice(name: &str) -> Option<Advice> {
    let (rec, below) = match name {
        "ivus-zhang2021" => (
            "Score ≥ 2: risk of stent underexpansion (<70%); consider calcium modification (e.g. atherectomy) before stenting",
            "Score < 2: stent underexpansion unlikely (NPV 0.94 in the paper)",
        ),
        "oct-fujino2018" => (
            "Score 4: risk of stent underexpansion; consider plaque modification before stenting",
            "Score < 4: stent underexpansion less likely",
        ),
        _ => return None,
    };
    Some(Advice {
        recommendation: rec.into(),
        below: below.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_interval_by_hand() {
        // eta = -1 + 0.5 * 2 = 0 → risk 0.5; se = sqrt(0.04 + 4 * 0.01 + 2 * 2 * -0.01) = sqrt(0.04) = 0.2
        let m = RiskModel {
            model: calcscore_score::RiskModel {
                intercept: -1.0,
                slope: 0.5,
                outcome: String::new(),
                fitted_in: String::new(),
                data_sha256: None,
                data_rows: None,
            },
            var_intercept: Some(0.04),
            var_slope: Some(0.01),
            cov_intercept_slope: Some(-0.01),
        };
        let r = m.risk(2, 0.95);
        assert!((r.risk - 0.5).abs() < 1e-15);
        let want_low = 1.0 / (1.0 + (1.959963984540054f64 * 0.2).exp());
        assert!((r.low.unwrap() - want_low).abs() < 1e-12);
    }
}
