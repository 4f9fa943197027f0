//! Input problems, each naming file, row (1-based as a spreadsheet shows it), column and rule.

/// A problem with an input file. Rows are spreadsheet rows: the header is row 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or parsed as CSV/Parquet.
    #[error("{file}: cannot read: {reason}")]
    Unreadable { file: String, reason: String },
    /// The file has no data rows.
    #[error("{file}: no data rows (empty file or header only)")]
    Empty { file: String },
    /// A column the analysis needs is absent.
    #[error("{file}: missing column '{column}'{hint}")]
    MissingColumn {
        file: String,
        column: String,
        hint: String,
    },
    /// A column name appears twice in the header.
    #[error("{file}: duplicate column '{column}' in the header")]
    DuplicateColumn { file: String, column: String },
    /// A value in a numeric column does not parse as a number.
    #[error("{file}: row {row}, column '{column}': '{value}' is not a number{hint}")]
    NonNumeric {
        file: String,
        row: usize,
        column: String,
        value: String,
        hint: String,
    },
    /// A value breaks a rule of the schema (range, allowed levels, consistency).
    #[error("{file}: row {row}, column '{column}': {value}: {rule}")]
    Invalid {
        file: String,
        row: usize,
        column: String,
        value: String,
        rule: String,
    },
    /// A column map file is malformed.
    #[error("{file}: bad column map: {reason}")]
    BadMap { file: String, reason: String },
    /// Several problems found at once by validation (every one is listed).
    #[error("{file}: {} problem(s) found:\n{}", problems.len(), summarise(problems))]
    Problems {
        file: String,
        problems: Vec<DataError>,
    },
}

/// The first 25 problems, one per line, and how many more there are.
fn summarise(problems: &[DataError]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(25)
        .map(|p| format!("  - {p}"))
        .collect();
    if problems.len() > 25 {
        lines.push(format!(
            "  ... and {} more (run `calcscore check-data` for the full list)",
            problems.len() - 25
        ));
    }
    lines.join("\n")
}
