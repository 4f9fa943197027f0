//! `calcscore check-data`: validate a lesion registry against the schema and list every problem at once.

use std::path::PathBuf;

use serde::Serialize;

use super::Outcome;
use crate::data::validate::normalise_lesion_table;
use crate::data::{read_table, ColumnMap, DataError, ExpansionFormula};
use crate::{Error, Result};

/// Arguments of `calcscore check-data`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore check-data --data registry.csv --map my_map.toml --json"
)]
pub struct CheckDataArgs {
    /// Lesion registry (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Column map (TOML `[columns] schema_name = "your_name"`).
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Expansion formula whose columns are required.
    #[arg(long, value_enum, default_value_t = ExpansionFormula::MeanReference)]
    pub expansion: ExpansionFormula,
    /// Print the problems as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One problem, flat, for tables and JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemRow {
    /// Problem class (catalogue name in docs/errors.md).
    pub class: &'static str,
    /// File.
    pub file: String,
    /// Spreadsheet row (header = 1), if the problem is in a cell.
    pub row: Option<usize>,
    /// Column, if any.
    pub column: Option<String>,
    /// The message with the rule and a fix hint.
    pub message: String,
}

/// Flatten a data error into a row.
pub fn problem_row(e: &DataError) -> ProblemRow {
    let (class, file, row, column) = match e {
        DataError::Unreadable { file, .. } => ("unreadable-file", file, None, None),
        DataError::Empty { file } => ("empty-file", file, None, None),
        DataError::MissingColumn { file, column, .. } => {
            ("missing-column", file, None, Some(column.clone()))
        }
        DataError::DuplicateColumn { file, column } => {
            ("duplicate-column", file, None, Some(column.clone()))
        }
        DataError::NonNumeric {
            file, row, column, ..
        } => ("non-numeric", file, Some(*row), Some(column.clone())),
        DataError::Invalid {
            file,
            row,
            column,
            rule,
            ..
        } => (invalid_class(rule), file, Some(*row), Some(column.clone())),
        DataError::BadMap { file, .. } => ("bad-column-map", file, None, None),
        DataError::Problems { file, .. } => ("several", file, None, None),
    };
    ProblemRow {
        class,
        file: file.clone(),
        row,
        column,
        message: e.to_string(),
    }
}

fn invalid_class(rule: &str) -> &'static str {
    if rule.starts_with("outside the allowed range") {
        "out-of-range"
    } else if rule.starts_with("unknown level") {
        "unknown-level"
    } else if rule.starts_with("duplicate lesion id") {
        "duplicate-id"
    } else if rule.starts_with("required value is missing") {
        "missing-required-value"
    } else if rule.starts_with("must be 0 or 1") {
        "not-binary"
    } else {
        "invalid-value"
    }
}

/// Run `calcscore check-data`.
pub fn run(a: CheckDataArgs) -> Result<Outcome> {
    let mut table = read_table(&a.data)?;
    if let Some(m) = &a.map {
        ColumnMap::from_file(m)?.apply(&mut table, &m.display().to_string())?;
    }
    let n = table.nrows();
    let rows: Vec<ProblemRow> = normalise_lesion_table(&mut table, a.expansion)
        .iter()
        .map(problem_row)
        .collect();
    if a.json {
        let v =
            serde_json::json!({"file": a.data.display().to_string(), "rows": n, "problems": rows});
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| Error::Usage(e.to_string()))?
        );
    } else if rows.is_empty() {
        println!("{}: {n} rows, no problems found.", a.data.display());
    } else {
        let mut bad_rows: Vec<usize> = rows.iter().filter_map(|r| r.row).collect();
        bad_rows.dedup();
        println!(
            "{}: {n} rows, {} problem(s) in {} row(s):",
            a.data.display(),
            rows.len(),
            bad_rows.len()
        );
        for r in &rows {
            println!("  [{}] {}", r.class, r.message);
        }
    }
    Ok(if rows.is_empty() {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}
