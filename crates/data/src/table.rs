//! A loaded table: named polars columns, each a number or text array with missing values; its frame shares
//! the columns' buffers.

use std::borrow::Cow;

pub use super::column::{NumColumn, TextColumn};
use super::DataError;

/// One column's values, typed; a missing value is a cleared validity bit.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numeric values (integers and booleans are widened to f64).
    Num(NumColumn),
    /// Text values, kept as read.
    Text(TextColumn),
}

impl ColumnData {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Num(v) => v.len(),
            ColumnData::Text(v) => v.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the value at `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            ColumnData::Num(v) => !v.is_valid(i),
            ColumnData::Text(v) => !v.is_valid(i),
        }
    }

    /// A numeric column from optional values.
    pub fn num(values: impl IntoIterator<Item = Option<f64>>) -> Self {
        ColumnData::Num(values.into_iter().collect())
    }

    /// A text column from optional values.
    pub fn text<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> Self {
        ColumnData::Text(values.into_iter().collect())
    }
}

/// A loaded table: named columns of equal length, with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file the table was read from (used in error messages).
    pub source: String,
    /// Column names, in file order.
    pub names: Vec<String>,
    /// Column values, parallel to `names`.
    pub columns: Vec<ColumnData>,
    /// The file's row holding the header (1 for CSV; a sheet's own row when blank rows sit above it).
    pub header_row: usize,
}

impl Table {
    /// Build a table from named columns (all must have the same length).
    pub fn new(source: impl Into<String>, cols: Vec<(String, ColumnData)>) -> Self {
        let (names, columns) = cols.into_iter().unzip();
        Table {
            source: source.into(),
            names,
            columns,
            header_row: 1,
        }
    }

    /// Number of data rows.
    pub fn nrows(&self) -> usize {
        self.columns.first().map_or(0, ColumnData::len)
    }

    /// The file's (or sheet's) row number of data row `i` (0-based): the row after the header's, plus `i`.
    pub fn row_number(&self, i: usize) -> usize {
        self.header_row + 1 + i
    }

    /// True when the table has a column of this name.
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The column of this name, or an error listing the columns that exist.
    pub fn column(&self, name: &str) -> Result<&ColumnData, DataError> {
        match self.names.iter().position(|n| n == name) {
            Some(j) => Ok(&self.columns[j]),
            None => Err(DataError::MissingColumn {
                file: self.source.clone(),
                column: name.to_string(),
                hint: format!(" (columns present: {})", self.names.join(", ")),
            }),
        }
    }

    /// The column as numbers (a copy); a text value that does not parse is an error naming its row.
    pub fn numeric(&self, name: &str) -> Result<NumColumn, DataError> {
        self.numbers(name).map(Cow::into_owned)
    }

    /// The column as numbers without a copy when it is numeric (parsed when text: an error names the
    /// first value that is no number, with its row).
    pub fn numbers(&self, name: &str) -> Result<Cow<'_, NumColumn>, DataError> {
        let v = match self.column(name)? {
            ColumnData::Num(v) => return Ok(Cow::Borrowed(v)),
            ColumnData::Text(v) => v,
        };
        let parse = |(i, s): (usize, Option<&str>)| match s {
            None => Ok(None),
            Some(s) => parse_number(s)
                .map(Some)
                .ok_or_else(|| DataError::NonNumeric {
                    file: self.source.clone(),
                    row: self.row_number(i),
                    column: name.to_string(),
                    value: calcscore_core::clip(s),
                    hint: number_hint(s),
                }),
        };
        let out = v.iter().enumerate().map(parse).collect::<Result<_, _>>()?;
        Ok(Cow::Owned(out))
    }

    /// A numeric column, borrowed; `None` when the column is absent or text.
    pub(crate) fn num_values(&self, name: &str) -> Option<&NumColumn> {
        match self.column(name) {
            Ok(ColumnData::Num(v)) => Some(v),
            _ => None,
        }
    }

    /// A text column, borrowed; `None` when the column is absent or numeric.
    pub fn text_values(&self, name: &str) -> Option<&TextColumn> {
        match self.column(name) {
            Ok(ColumnData::Text(v)) => Some(v),
            _ => None,
        }
    }

    /// The column as text, borrowed when it is text (numbers are formatted the shortest way that
    /// round-trips).
    pub fn text(&self, name: &str) -> Result<Cow<'_, TextColumn>, DataError> {
        Ok(match self.column(name)? {
            ColumnData::Text(v) => Cow::Borrowed(v),
            ColumnData::Num(v) => Cow::Owned(v.iter().map(|x| x.map(format_number)).collect()),
        })
    }

    /// A new table holding only `rows` (0-based, in the order given).
    pub fn subset(&self, rows: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                ColumnData::Num(v) => ColumnData::Num(v.take(rows)),
                ColumnData::Text(v) => ColumnData::Text(v.take(rows)),
            })
            .collect();
        Table {
            source: self.source.clone(),
            names: self.names.clone(),
            columns,
            header_row: self.header_row,
        }
    }

    /// Trim surrounding white space (spaces, tabs, no-break spaces) off every text cell, as readr's
    /// `trim_ws = TRUE`: ` A` and `A ` are the id, cluster, group or level `A` in every verb. A cell of white
    /// space only is left as it is (an id of spaces only is refused by [`crate::load::check_ids`]). With
    /// `tokens` (a CSV file, whose missing-value tokens polars matched before trimming), a trimmed cell of a
    /// column not in `ids` that is a missing-value token (` NA`) is missing, as `NA` is.
    pub(crate) fn trim_text(&mut self, ids: &[String], tokens: bool) {
        use super::load::MISSING_TOKENS;
        for (name, column) in self.names.iter().zip(self.columns.iter_mut()) {
            let ColumnData::Text(v) = column else {
                continue;
            };
            let missing = |t: &str| tokens && !ids.contains(name) && MISSING_TOKENS.contains(&t);
            let trimmed = |s: &str| -> Option<String> {
                let t = s.trim();
                (!t.is_empty() && t.len() != s.len()).then(|| t.to_string())
            };
            if !v.iter().flatten().any(|s| trimmed(s).is_some()) {
                continue;
            }
            *v = v
                .iter()
                .map(|cell| {
                    let s = cell?;
                    match trimmed(s) {
                        Some(t) if missing(&t) => None,
                        Some(t) => Some(t),
                        None => Some(s.to_string()),
                    }
                })
                .collect();
        }
    }

    /// True when the column is text and at least one value is not a number.
    pub fn is_categorical(&self, name: &str) -> Result<bool, DataError> {
        Ok(match self.column(name)? {
            ColumnData::Num(_) => false,
            ColumnData::Text(v) => v.iter().flatten().any(|s| parse_number(s).is_none()),
        })
    }
}

/// Parse a number as written in a CSV cell (surrounding spaces allowed; no NaN or infinities).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    if lower.contains("nan") || lower.contains("inf") {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Format a number the shortest way that reads back to the same value.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A fix hint for a value that is not a number (decimal comma, NaN, ...).
pub fn number_hint(s: &str) -> String {
    let t = s.trim();
    let by_comma = crate::thousands::grouped(t, b',');
    let by_dot = crate::thousands::grouped(t, b'.');
    if by_comma == Some(1) && !t.contains('.') {
        // `1,000`: one thousand, or the decimal comma 1.000? Both fixes, the thousands one first.
        format!(
            " (a thousands separator or a decimal comma: for {} remove the thousands separator, \
for {} write a '.' as the decimal mark)",
            t.replace(',', ""),
            t.replace(',', ".")
        )
    } else if by_comma.is_some() || by_dot.is_some() {
        let sep = if by_dot.is_some() { '.' } else { ',' };
        let plain = t.replace(sep, "").replace(',', ".");
        format!(
            " (looks like {plain} written with a thousands separator: remove it, write {plain})"
        )
    } else if t.contains(',') && t.replace(',', ".").parse::<f64>().is_ok() {
        format!(
            " (looks like a decimal comma: write {}, or read a ';' or tab separated file with --decimal-comma)",
            t.replace(',', ".")
        )
    } else if crate::dates::parse_date(t).is_some() {
        " (a date in a column of numbers: a spreadsheet turns a cell typed as 3/4 or 1-2 into a date; \
write the number, or leave the cell empty / NA if missing)"
            .to_string()
    } else if t.eq_ignore_ascii_case("nan") {
        " (NaN is not accepted: leave the cell empty or write NA for a missing value)".to_string()
    } else {
        " (write a number, or leave the cell empty / NA if missing)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_error_names_spreadsheet_row() {
        let t = Table::new(
            "f.csv",
            vec![("x".into(), ColumnData::text([Some("1"), None, Some("3,5")]))],
        );
        let e = t.numeric("x").unwrap_err();
        match e {
            DataError::NonNumeric {
                row, column, hint, ..
            } => {
                assert_eq!(row, 4);
                assert_eq!(column, "x");
                assert!(hint.contains("decimal comma"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parse_rejects_nan_and_inf() {
        assert_eq!(parse_number(" 2.5 "), Some(2.5));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
    }
}
