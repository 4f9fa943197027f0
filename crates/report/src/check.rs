//! The published-numbers check table: one row per quantity, with its status.

use serde::Serialize;

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
