//! Input problems, each naming file, row (1-based as a spreadsheet shows it), column, value, rule and fix.
//!
//! One variant per class of the catalogue in `docs/errors.md`; [`DataError::class`] gives the class name.

/// A problem with an input file. Rows are spreadsheet rows: the header is row 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or parsed as CSV/Parquet (missing, a directory, a workbook, broken quoting).
    #[error("{file}: cannot read: {reason}")]
    Unreadable { file: String, reason: String },
    /// The file is not UTF-8 text (e.g. saved as Latin-1 / Windows-1252).
    #[error("{file}: line {line}: not UTF-8 text (first bad byte {byte:#04x}); fix: save the file as \"CSV UTF-8\"")]
    NotUtf8 { file: String, line: usize, byte: u8 },
    /// The file is empty (no header, no rows).
    #[error("{file}: no data rows (empty file); fix: export the registry with a header row and one row per lesion")]
    Empty { file: String },
    /// The file has a header but no data rows.
    #[error("{file}: header only, no data rows; fix: export the rows too (check the spreadsheet filter)")]
    HeaderOnly { file: String },
    /// A column the analysis needs is absent.
    #[error("{file}: missing column '{column}'{hint}")]
    MissingColumn {
        file: String,
        column: String,
        hint: String,
    },
    /// A column name appears twice in the header.
    #[error(
        "{file}: duplicate column '{column}' in the header; fix: rename or delete one of them"
    )]
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
    /// A number written with a decimal comma (`3,5`).
    #[error("{file}: row {row}, column '{column}': '{value}' has a decimal comma; fix: write '{fixed}' (use '.' as the decimal mark)")]
    DecimalComma {
        file: String,
        row: usize,
        column: String,
        value: String,
        fixed: String,
    },
    /// A number outside the schema's range for the column.
    #[error(
        "{file}: row {row}, column '{column}': '{value}': outside the allowed range {range}{hint}"
    )]
    OutOfRange {
        file: String,
        row: usize,
        column: String,
        value: String,
        /// The range in words, e.g. `0–360 degrees`.
        range: String,
        hint: &'static str,
    },
    /// A value of a categorical column that is not one of its levels.
    #[error("{file}: row {row}, column '{column}': '{value}': unknown level; allowed: {allowed}; fix: recode the value")]
    UnknownLevel {
        file: String,
        row: usize,
        column: String,
        value: String,
        allowed: String,
    },
    /// A value of a 0/1 column that is not 0/1 (or true/false, yes/no).
    #[error("{file}: row {row}, column '{column}': '{value}': must be 0 or 1 (also accepted: true/false, yes/no)")]
    NotBinary {
        file: String,
        row: usize,
        column: String,
        value: String,
    },
    /// An empty (or NA) cell in a column that every row must fill.
    #[error("{file}: row {row}, column '{column}': '': required value is missing; fix: fill it in, or remove the lesion from the file and record why")]
    MissingValue {
        file: String,
        row: usize,
        column: String,
    },
    /// A lesion id seen before.
    #[error("{file}: row {row}, column '{column}': '{value}': duplicate lesion id (first at row {first}); fix: lesion ids must be unique")]
    DuplicateId {
        file: String,
        row: usize,
        column: String,
        value: String,
        first: usize,
    },
    /// Fields of one row that contradict each other.
    #[error("{file}: row {row}, column '{column}': '{value}': {rule}; fix: {hint}")]
    Inconsistent {
        file: String,
        row: usize,
        column: String,
        value: String,
        rule: &'static str,
        hint: &'static str,
    },
    /// An angle column whose largest value is ≤ 2π: radians or fractions of a circle, not degrees.
    #[error("{file}: column '{column}': largest value {max} ≤ 2π: angles must be in degrees (0–360); fix: {hint}")]
    AngleUnit {
        file: String,
        column: String,
        max: f64,
        hint: &'static str,
    },
    /// A value that breaks some other rule (used outside the registry schema, e.g. a 0/1 outcome).
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

impl DataError {
    /// The catalogue name of the problem class (`docs/errors.md`).
    pub fn class(&self) -> &'static str {
        match self {
            Self::Unreadable { .. } => "unreadable-file",
            Self::NotUtf8 { .. } => "not-utf8",
            Self::Empty { .. } => "empty-file",
            Self::HeaderOnly { .. } => "header-only",
            Self::MissingColumn { .. } => "missing-column",
            Self::DuplicateColumn { .. } => "duplicate-column",
            Self::NonNumeric { .. } => "non-numeric",
            Self::DecimalComma { .. } => "decimal-comma",
            Self::OutOfRange { .. } => "out-of-range",
            Self::UnknownLevel { .. } => "unknown-level",
            Self::NotBinary { .. } => "not-binary",
            Self::MissingValue { .. } => "missing-required-value",
            Self::DuplicateId { .. } => "duplicate-id",
            Self::Inconsistent { .. } => "inconsistent-row",
            Self::AngleUnit { .. } => "angle-unit",
            Self::Invalid { .. } => "invalid-value",
            Self::BadMap { .. } => "bad-column-map",
            Self::Problems { .. } => "several",
        }
    }

    /// The file the problem is in.
    pub fn file(&self) -> &str {
        match self {
            Self::Unreadable { file, .. }
            | Self::NotUtf8 { file, .. }
            | Self::Empty { file }
            | Self::HeaderOnly { file }
            | Self::MissingColumn { file, .. }
            | Self::DuplicateColumn { file, .. }
            | Self::NonNumeric { file, .. }
            | Self::DecimalComma { file, .. }
            | Self::OutOfRange { file, .. }
            | Self::UnknownLevel { file, .. }
            | Self::NotBinary { file, .. }
            | Self::MissingValue { file, .. }
            | Self::DuplicateId { file, .. }
            | Self::Inconsistent { file, .. }
            | Self::AngleUnit { file, .. }
            | Self::Invalid { file, .. }
            | Self::BadMap { file, .. }
            | Self::Problems { file, .. } => file,
        }
    }

    /// The spreadsheet row (header = 1), when the problem is in one row.
    pub fn row(&self) -> Option<usize> {
        match self {
            Self::NonNumeric { row, .. }
            | Self::DecimalComma { row, .. }
            | Self::OutOfRange { row, .. }
            | Self::UnknownLevel { row, .. }
            | Self::NotBinary { row, .. }
            | Self::MissingValue { row, .. }
            | Self::DuplicateId { row, .. }
            | Self::Inconsistent { row, .. }
            | Self::Invalid { row, .. } => Some(*row),
            Self::NotUtf8 { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The column concerned, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            Self::MissingColumn { column, .. }
            | Self::DuplicateColumn { column, .. }
            | Self::NonNumeric { column, .. }
            | Self::DecimalComma { column, .. }
            | Self::OutOfRange { column, .. }
            | Self::UnknownLevel { column, .. }
            | Self::NotBinary { column, .. }
            | Self::MissingValue { column, .. }
            | Self::DuplicateId { column, .. }
            | Self::Inconsistent { column, .. }
            | Self::AngleUnit { column, .. }
            | Self::Invalid { column, .. } => Some(column),
            _ => None,
        }
    }

    /// The offending cell value, if the problem is in a cell.
    pub fn value(&self) -> Option<&str> {
        match self {
            Self::NonNumeric { value, .. }
            | Self::DecimalComma { value, .. }
            | Self::OutOfRange { value, .. }
            | Self::UnknownLevel { value, .. }
            | Self::NotBinary { value, .. }
            | Self::DuplicateId { value, .. }
            | Self::Inconsistent { value, .. }
            | Self::Invalid { value, .. } => Some(value),
            Self::MissingValue { .. } => Some(""),
            _ => None,
        }
    }
}

/// The first 25 problems, one per line, and how many more there are.
fn summarise(problems: &[DataError]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(25)
        .map(|p| format!("  - [{}] {p}", p.class()))
        .collect();
    if problems.len() > 25 {
        lines.push(format!(
            "  ... and {} more (run `calcscore check-data` for the full list)",
            problems.len() - 25
        ));
    }
    lines.join("\n")
}
