//! Input problems, each naming file, row (1-based as a spreadsheet shows it), column, value, rule and fix.
//!
//! One variant per class of the catalogue in `docs/errors.md`; [`DataError::class`] gives the class name.

/// A problem with an input file. Rows are spreadsheet rows: the header is row 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or parsed as CSV/Parquet (missing, a directory, a workbook, broken quoting).
    #[error("{file}: cannot read: {reason}")]
    Unreadable { file: String, reason: String },
    /// A reading option that does not fit the file (an unknown sheet, `--sheet` on a CSV file, a CSV dialect
    /// that contradicts itself); a usage error.
    #[error("{file}: {reason}")]
    BadOption { file: String, reason: String },
    /// The file is not UTF-8 text (e.g. saved as Latin-1 / Windows-1252).
    #[error("{file}: line {line}: not UTF-8 text (first bad byte {byte:#04x}); fix: give its encoding (--encoding latin1, or windows-1252), or save the file as \"CSV UTF-8\"")]
    NotUtf8 { file: String, line: usize, byte: u8 },
    /// The file is empty (no header, no rows).
    #[error("{file}: no data rows (empty file); fix: export the registry with a header row and one row per lesion")]
    Empty { file: String },
    /// The file has a header but no data rows.
    #[error("{file}: header only, no data rows; fix: export the rows too (a spreadsheet filter or a query may have left none)")]
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
    #[error("{file}: row {row}, column '{column}': '{value}' has a decimal comma; fix: write '{fixed}' (use '.' as the decimal mark), or read a ';' or tab separated file with --decimal-comma")]
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
    /// An angle column whose every value is at most 2π: radians or fractions of a circle, not degrees.
    #[error("{file}: column '{column}': every value is at most 2π (largest {max}), so the angles are not in degrees (0–360); fix: {hint}; angles in other units would make every calcium arc look small")]
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
    /// A data row with fewer or more fields than the header (a missing or extra separator): never read.
    #[error("{file}: row {row}{}: {fields} field(s), the header has {expected}: {cause}; the row starts '{text}'", line_note(*row, *line))]
    RaggedRow {
        file: String,
        row: usize,
        /// The line the row starts on (differs from the row after quoted line breaks).
        line: usize,
        fields: usize,
        expected: usize,
        cause: &'static str,
        /// The row's text, clipped.
        text: String,
    },
    /// A quote opened in a row is never closed: the rest of the file would be read as one field.
    #[error("{file}: row {row}{}: a quote (\") opened in this row is never closed, so the rest of the file would read as one value; fix: close the quote or double a quote inside a quoted value (\"\"); the row starts '{text}'", line_note(*row, *line))]
    UnclosedQuote {
        file: String,
        row: usize,
        line: usize,
        text: String,
    },
    /// An identifier that cannot be one (a NUL byte or another control character).
    #[error("{file}: row {row}, column '{column}': '{value}': {rule}")]
    BadId {
        file: String,
        row: usize,
        column: String,
        /// The id with control characters escaped.
        value: String,
        rule: String,
    },
    /// A computed stent expansion outside the plausible range (e.g. a reference area recorded as 0).
    #[error("{file}: row {row}, column 'stent_expansion_pct': computed expansion {value}% is outside the plausible range {range}: {detail}; fix: {hint}")]
    ImplausibleExpansion {
        file: String,
        row: usize,
        value: String,
        range: &'static str,
        /// The areas it came from, in words.
        detail: String,
        hint: &'static str,
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
            Self::BadOption { .. } => "bad-option",
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
            Self::RaggedRow { .. } => "ragged-row",
            Self::UnclosedQuote { .. } => "unclosed-quote",
            Self::BadId { .. } => "bad-id",
            Self::ImplausibleExpansion { .. } => "implausible-expansion",
            Self::Problems { .. } => "several",
        }
    }

    /// The file the problem is in.
    pub fn file(&self) -> &str {
        match self {
            Self::Unreadable { file, .. }
            | Self::BadOption { file, .. }
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
            | Self::RaggedRow { file, .. }
            | Self::UnclosedQuote { file, .. }
            | Self::BadId { file, .. }
            | Self::ImplausibleExpansion { file, .. }
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
            | Self::Invalid { row, .. }
            | Self::RaggedRow { row, .. }
            | Self::UnclosedQuote { row, .. }
            | Self::BadId { row, .. }
            | Self::ImplausibleExpansion { row, .. } => Some(*row),
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
            | Self::Invalid { column, .. }
            | Self::BadId { column, .. } => Some(column),
            Self::ImplausibleExpansion { .. } => Some("stent_expansion_pct"),
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
            | Self::Invalid { value, .. }
            | Self::BadId { value, .. }
            | Self::ImplausibleExpansion { value, .. }
            | Self::RaggedRow { text: value, .. }
            | Self::UnclosedQuote { text: value, .. } => Some(value),
            Self::MissingValue { .. } => Some(""),
            _ => None,
        }
    }
}

/// " (line N)" when a row does not start on the line of the same number (quoted line breaks, blank lines).
fn line_note(row: usize, line: usize) -> String {
    if row == line {
        String::new()
    } else {
        format!(" (line {line})")
    }
}

/// Longest input text echoed in a message, in characters.
pub(crate) const ECHO_LIMIT: usize = 200;

/// Input text as echoed in a message: at most [`ECHO_LIMIT`] characters, then how much was left out.
pub fn clip(s: &str) -> String {
    match s.char_indices().nth(ECHO_LIMIT) {
        None => s.to_string(),
        Some((end, _)) => format!("{}… ({} more bytes)", &s[..end], s.len() - end),
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
