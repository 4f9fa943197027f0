//! Published numbers (`datasets/published/*.toml`) and the check of a run's quantities against them.

use serde::{Deserialize, Serialize};

use super::Quantity;
use crate::{Error, Result};
pub use calcscore_core::format::{p_equals, p_is, p_journal as fmt_p, trimmed4 as fmt};
pub use calcscore_report::check::{all_pass, CheckRow, Status};

/// How a reproduced quantity is compared with its published value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckRule {
    /// Reproduced equals published (counts).
    Exact,
    /// |reproduced − published| ≤ tolerance.
    Abs,
    /// Reproduced estimate inside the published 95% CI [low, high].
    InRange,
    /// Published value inside the reproduced CI (at the run's --conf-level).
    CiContains,
    /// Reproduced p-value below `threshold` (default: the published bound).
    PBelow,
    /// Not checkable from these data; listed, never passed.
    NotChecked,
}

/// One published number with its rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedQuantity {
    /// Quantity name, as in results.json.
    pub name: String,
    /// What it is, in words.
    #[serde(default)]
    pub description: String,
    /// The published value.
    pub published: Option<f64>,
    /// Published 95% CI lower limit.
    pub low: Option<f64>,
    /// Published 95% CI upper limit.
    pub high: Option<f64>,
    /// Tolerance for `abs`.
    pub tolerance: Option<f64>,
    /// Threshold for `p_below`.
    pub threshold: Option<f64>,
    /// Where in the paper.
    #[serde(default)]
    pub source: String,
    /// The comparison.
    pub rule: CheckRule,
    /// Why this rule and tolerance.
    #[serde(default)]
    pub why: String,
}

/// A study's published numbers file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// Study key.
    pub study: String,
    /// Full citation.
    pub citation: String,
    /// The numbers.
    pub quantity: Vec<PublishedQuantity>,
}

/// The Zhang 2021 numbers, built into the binary (the file is `datasets/published/zhang2021.toml`).
pub(crate) const ZHANG2021_TOML: &str = include_str!("../../../datasets/published/zhang2021.toml");

/// The denosumab CAC pilot numbers (`datasets/published/denosumab_pilot.toml`).
pub(crate) const DENOSUMAB_PILOT_TOML: &str =
    include_str!("../../../datasets/published/denosumab_pilot.toml");

impl Published {
    /// Parse a published-numbers TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Published> {
        toml::from_str(text)
            .map_err(|e| Error::Usage(format!("{origin}: not a published-numbers file: {e}")))
    }

    /// The built-in file of a study.
    pub fn builtin(study: &str) -> Result<Published> {
        match study {
            "zhang2021" => Self::parse(ZHANG2021_TOML, "datasets/published/zhang2021.toml"),
            "denosumab-pilot" => Self::parse(
                DENOSUMAB_PILOT_TOML,
                "datasets/published/denosumab_pilot.toml",
            ),
            other => Err(Error::Usage(format!(
                "no published numbers for study '{other}' (known: zhang2021, denosumab-pilot)"
            ))),
        }
    }
}

/// Compare reproduced quantities with the published ones, in the published file's order.
pub fn check(published: &Published, results: &[Quantity]) -> Vec<CheckRow> {
    published
        .quantity
        .iter()
        .map(|p| check_one(p, results.iter().find(|q| q.name == p.name)))
        .collect()
}

fn check_one(p: &PublishedQuantity, q: Option<&Quantity>) -> CheckRow {
    let published = published_text(p);
    let row = |reproduced: String, tolerance: String, status| CheckRow {
        name: p.name.clone(),
        description: p.description.clone(),
        published: published.clone(),
        reproduced,
        tolerance,
        status,
    };
    if p.rule == CheckRule::NotChecked {
        return row(
            "—".into(),
            format!("not checked: {}", p.why),
            Status::NotChecked,
        );
    }
    let Some(q) = q else {
        return row(
            "(absent from results)".into(),
            rule_text(p),
            Status::Missing,
        );
    };
    let pass = passes(p, q);
    let status = if pass { Status::Pass } else { Status::Fail };
    let mut reproduced = reproduced_text(p, q);
    // A failure must show its difference: "3862 | 3862 | FAIL" is written in full (3862.0000001).
    if !pass && reproduced == published {
        reproduced = format!("{}", q.estimate);
    }
    row(reproduced, rule_text(p), status)
}

fn passes(p: &PublishedQuantity, q: &Quantity) -> bool {
    let v = p.published.unwrap_or(f64::NAN);
    match p.rule {
        CheckRule::Exact => (q.estimate - v).abs() < 1e-9,
        CheckRule::Abs => (q.estimate - v).abs() <= p.tolerance.unwrap_or(0.0) + 1e-12,
        CheckRule::InRange => {
            p.low.is_some_and(|l| q.estimate >= l) && p.high.is_some_and(|h| q.estimate <= h)
        }
        CheckRule::CiContains => {
            q.conf_low.is_some_and(|l| l <= v) && q.conf_high.is_some_and(|h| v <= h)
        }
        CheckRule::PBelow => q.p_value.unwrap_or(q.estimate) < p.threshold.unwrap_or(v),
        CheckRule::NotChecked => false,
    }
}

fn published_text(p: &PublishedQuantity) -> String {
    match (p.published, p.low, p.high, p.rule) {
        (None, Some(l), Some(h), CheckRule::InRange) => {
            format!("not given; [{}, {}]", fmt(l), fmt(h))
        }
        (None, ..) => "not given".into(),
        (Some(v), _, _, CheckRule::PBelow) if p.threshold.is_none() || v <= 0.0001 => {
            format!("P<{}", fmt(v))
        }
        (Some(v), _, _, CheckRule::PBelow) => format!("P={}", fmt(v)),
        (Some(v), Some(l), Some(h), _) => format!("{} [{}, {}]", fmt(v), fmt(l), fmt(h)),
        (Some(v), ..) => fmt(v),
    }
}

fn reproduced_text(p: &PublishedQuantity, q: &Quantity) -> String {
    match (p.rule, q.conf_low, q.conf_high) {
        (CheckRule::PBelow, ..) => p_equals(q.p_value.unwrap_or(q.estimate)),
        (_, Some(l), Some(h)) => format!("{} [{}, {}]", fmt(q.estimate), fmt(l), fmt(h)),
        _ => fmt(q.estimate),
    }
}

fn rule_text(p: &PublishedQuantity) -> String {
    match p.rule {
        CheckRule::Exact => "exact".into(),
        CheckRule::Abs => format!("± {}", fmt(p.tolerance.unwrap_or(0.0))),
        CheckRule::InRange if p.published.is_none() => match (p.low, p.high) {
            (Some(l), Some(h)) => format!("inside [{}, {}]", fmt(l), fmt(h)),
            _ => "inside the published 95% CI".into(),
        },
        CheckRule::InRange => "inside the published 95% CI".into(),
        CheckRule::CiContains => "published value inside the reproduced CI (--conf-level)".into(),
        CheckRule::PBelow => match (p.threshold, p.published) {
            (Some(t), Some(v)) if t > v => format!(
                "P < {} — looser than the paper ({}): {}",
                fmt(t),
                published_text(p),
                p.why
            ),
            (t, v) => format!("P < {}", fmt(t.or(v).unwrap_or(0.0))),
        },
        CheckRule::NotChecked => "not checked".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_file_parses_and_lists_not_checked() {
        let p = Published::builtin("zhang2021").unwrap();
        assert_eq!(
            p.quantity
                .iter()
                .find(|q| q.name == "flow.input_lesions")
                .unwrap()
                .published,
            Some(3862.0)
        );
        assert!(p.quantity.iter().any(|q| q.rule == CheckRule::NotChecked));
    }

    #[test]
    fn rules_pass_and_fail_as_written() {
        let p = Published::builtin("zhang2021").unwrap();
        let slope_b = |est| Quantity::with_ci("slope.B", est, (est - 2.0, est + 2.0), "ols");
        // Published CI of the B slope is [-10.5, -5.7]: -8.0 is inside, -5.0 is not.
        let rows = check(&p, &[slope_b(-8.0)]);
        assert_eq!(
            rows.iter().find(|r| r.name == "slope.B").unwrap().status,
            Status::Pass
        );
        let rows = check(&p, &[slope_b(-5.0)]);
        assert_eq!(
            rows.iter().find(|r| r.name == "slope.B").unwrap().status,
            Status::Fail
        );
        // An absent quantity is Missing and fails the whole check.
        assert_eq!(
            rows.iter().find(|r| r.name == "cohort.A.n").unwrap().status,
            Status::Missing
        );
        assert!(!all_pass(&rows));
    }

    /// A failing value that rounds to the published one is shown in full, so the row shows why it fails.
    #[test]
    fn a_failure_that_rounds_to_the_published_value_is_shown_in_full() {
        let p = Published::builtin("zhang2021").unwrap();
        let lesions = |n: f64| {
            let rows = check(&p, &[Quantity::value("flow.input_lesions", n, "count")]);
            let row = rows.into_iter().find(|r| r.name == "flow.input_lesions");
            row.map(|r| (r.status, r.reproduced)).unwrap()
        };
        assert_eq!(lesions(3862.0000001), (Status::Fail, "3862.0000001".into()));
        assert_eq!(lesions(3862.0), (Status::Pass, "3862".into()));
    }
}
