//! The published-numbers check table: one row per quantity, with its status.

use serde::Serialize;

use crate::table::Table;

/// Outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Within tolerance.
    Pass,
    /// Outside tolerance.
    Fail,
    /// Listed as not checkable.
    NotChecked,
    /// The results lack this quantity (counts as a failure).
    Missing,
}

impl Status {
    /// The word for the status in tables ("pass", "FAIL", "not checked", "ABSENT").
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::NotChecked => "not checked",
            Status::Missing => "ABSENT",
        }
    }
}

/// One row of the check table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckRow {
    /// Quantity name.
    pub name: String,
    /// In words.
    pub description: String,
    /// Published value as printed.
    pub published: String,
    /// Reproduced value as printed.
    pub reproduced: String,
    /// The rule and tolerance in words.
    pub tolerance: String,
    /// Result.
    pub status: Status,
}

/// True when every row passed or is listed as not checked.
pub fn all_pass(rows: &[CheckRow]) -> bool {
    rows.iter()
        .all(|r| matches!(r.status, Status::Pass | Status::NotChecked))
}

/// The check table (quantity, published, reproduced, tolerance, result): the one renderer every study uses for
/// its check.csv, report and LaTeX, and `check` prints as text with [`text`].
pub fn table(rows: &[CheckRow]) -> Table {
    Table::new(&["quantity", "published", "reproduced", "tolerance", "result"]).rows(
        rows.iter().map(|r| {
            vec![
                r.name.clone(),
                r.published.clone(),
                r.reproduced.clone(),
                r.tolerance.clone(),
                r.status.word().into(),
            ]
        }),
    )
}

/// The check as aligned text, with the counts and the verdict below.
pub fn text(rows: &[CheckRow]) -> String {
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    table(rows)
        .note(format!(
            "{} passed, {} failed, {} absent, {} not checked (listed, never passed).",
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Missing),
            count(Status::NotChecked),
        ))
        .note(if all_pass(rows) {
            "CHECK PASSED"
        } else {
            "CHECK FAILED"
        })
        .to_text()
}
