//! Load CSV or Parquet files into a [`Table`] with polars, and apply a column map.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use super::{ColumnData, DataError, Table};

/// Cell texts read as missing values in CSV files.
pub const MISSING_TOKENS: [&str; 5] = ["", "NA", "N/A", "n/a", "na"];

/// Renames of a registry's own column names onto schema names (`schema = "theirs"`).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    /// Schema column name → the name used in the user's file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl ColumnMap {
    /// Read a map from a TOML file with a `[columns]` table.
    pub fn from_file(path: &Path) -> Result<Self, DataError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| DataError::BadMap {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| DataError::BadMap {
            file,
            reason: format!(
                "{}; fix: write a [columns] table of lines schema_name = \"your_name\"",
                e.to_string().trim_end()
            ),
        })
    }

    /// Rename the table's columns; a mapped name that is absent, or a rename onto a column the file
    /// already has, is an error.
    pub fn apply(&self, table: &mut Table, map_file: &str) -> Result<(), DataError> {
        for (schema, theirs) in &self.columns {
            if schema != theirs && table.has(schema) && table.has(theirs) {
                return Err(DataError::BadMap {
                    file: map_file.to_string(),
                    reason: format!(
                        "'{schema} = \"{theirs}\"': {} already has a column '{schema}'; fix: drop this line or rename one column",
                        table.source
                    ),
                });
            }
            match table.names.iter().position(|n| n == theirs) {
                Some(j) => table.names[j] = schema.clone(),
                None => {
                    return Err(DataError::BadMap {
                        file: map_file.to_string(),
                        reason: format!(
                            "'{schema} = \"{theirs}\"': {} has no column '{theirs}'; fix: use a name from its header ({})",
                            table.source,
                            table.names.join(", ")
                        ),
                    })
                }
            }
        }
        Ok(())
    }
}

/// Read a CSV (any extension but `.parquet`) or Parquet file into a table.
pub fn read_table(path: &Path) -> Result<Table, DataError> {
    let file = path.display().to_string();
    if super::xlsx::is_workbook(path) {
        return super::xlsx::read_first_sheet(path, &file);
    }
    let is_parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let df = if is_parquet {
        read_parquet(path, &file)?
    } else {
        read_csv(path, &file)?
    };
    finish_table(df, &file)
}

/// The name of a binary format recognised by its first bytes (spreadsheet workbooks, Parquet given as CSV).
fn binary_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some("a zip archive (an Excel .xlsx workbook?)")
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an old Excel .xls workbook")
    } else if bytes.starts_with(b"PAR1") {
        Some("a Parquet file (name it .parquet)")
    } else {
        None
    }
}

/// Parse CSV bytes (UTF-8, optional BOM, any line endings) as if read from a file named `file`.
pub fn read_csv_bytes(bytes: &[u8], file: &str) -> Result<Table, DataError> {
    finish_table(csv_frame(bytes, file)?, file)
}

/// Convert a frame to a table and check its header and that it has data rows.
fn finish_table(df: DataFrame, file: &str) -> Result<Table, DataError> {
    let table = frame_to_table(df, file)?;
    check_header(&table)?;
    if table.nrows() == 0 {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    Ok(table)
}

fn unreadable(file: &str, reason: impl ToString) -> DataError {
    DataError::Unreadable {
        file: file.to_string(),
        reason: reason.to_string(),
    }
}

fn read_csv(path: &Path, file: &str) -> Result<DataFrame, DataError> {
    let bytes = std::fs::read(path).map_err(|e| {
        unreadable(
            file,
            format!("{e}; fix: check the path (a CSV or Parquet file)"),
        )
    })?;
    csv_frame(&bytes, file)
}

fn csv_frame(bytes: &[u8], file: &str) -> Result<DataFrame, DataError> {
    if let Some(kind) = binary_format(bytes) {
        return Err(unreadable(
            file,
            format!(
                "this is {kind}, not CSV text; fix: export the sheet as \"CSV UTF-8\" (or Parquet)"
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DataError::NotUtf8 {
        file: file.to_string(),
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        byte: bytes[e.valid_up_to()],
    })?;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if text[start..].trim().is_empty() {
        return Err(DataError::Empty {
            file: file.to_string(),
        });
    }
    // Normalise line endings only when needed (spreadsheet exports), otherwise no copy. End with a newline:
    // polars 0.55's CSV parser can read past the buffer on some inputs whose last line has no newline (found by
    // the registry_csv fuzz target; regression test below).
    let owned;
    let data: &[u8] = if bytes.contains(&b'\r') || !text.ends_with('\n') {
        let mut t = text[start..].replace("\r\n", "\n").replace('\r', "\n");
        if !t.ends_with('\n') {
            t.push('\n');
        }
        owned = t.into_bytes();
        &owned
    } else {
        &bytes[start..]
    };
    // Fast path: infer column types from the first 1000 rows; if a later value contradicts them (a text cell in
    // a numeric column), read again inferring from every row so that the value reaches validation with its row.
    parse_csv(data, Some(1000)).or_else(|_| parse_csv(data, None)).map_err(|e| {
        unreadable(
            file,
            format!("not a valid CSV table: {e}; fix: check the quoting and that every row has as many fields as the header"),
        )
    })
}

/// Parse CSV bytes with the missing-value tokens, inferring types from `infer_rows` rows (all when `None`).
fn parse_csv(data: &[u8], infer_rows: Option<usize>) -> PolarsResult<DataFrame> {
    let nulls: Vec<PlSmallStr> = MISSING_TOKENS
        .iter()
        .map(|s| PlSmallStr::from(*s))
        .collect();
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer_rows)
        .map_parse_options(|p| p.with_null_values(Some(NullValues::AllColumns(nulls.clone()))))
        .into_reader_with_file_handle(Cursor::new(data))
        .finish()
}

fn read_parquet(path: &Path, file: &str) -> Result<DataFrame, DataError> {
    let f = std::fs::File::open(path)
        .map_err(|e| unreadable(file, format!("{e}; fix: check the path")))?;
    ParquetReader::new(f).finish().map_err(|e| {
        unreadable(
            file,
            format!("not a valid Parquet file: {e}; fix: re-export it, or name a CSV file .csv"),
        )
    })
}

fn frame_to_table(df: DataFrame, file: &str) -> Result<Table, DataError> {
    let mut cols = Vec::with_capacity(df.width());
    for c in df.columns() {
        let s = c.as_materialized_series();
        let data = series_to_column(s).map_err(|e| unreadable(file, e))?;
        cols.push((s.name().to_string(), data));
    }
    Ok(Table::new(file, cols))
}

fn series_to_column(s: &Series) -> PolarsResult<ColumnData> {
    Ok(match s.dtype() {
        DataType::String => {
            let ca = s.str()?;
            ColumnData::Text(ca.iter().map(|v| v.map(str::to_string)).collect())
        }
        DataType::Boolean => {
            let ca = s.bool()?;
            ColumnData::Num(
                ca.iter()
                    .map(|v| v.map(|b| if b { 1.0 } else { 0.0 }))
                    .collect(),
            )
        }
        dt if dt.is_primitive_numeric() => {
            let f = s.cast(&DataType::Float64)?;
            ColumnData::Num(f.f64()?.iter().collect())
        }
        _ => {
            let t = s.cast(&DataType::String)?;
            ColumnData::Text(t.str()?.iter().map(|v| v.map(str::to_string)).collect())
        }
    })
}

fn check_header(table: &Table) -> Result<(), DataError> {
    let mut seen = std::collections::HashSet::new();
    for n in &table.names {
        // polars renames a repeated header name to name_duplicated_0 ...
        let base = n.split("_duplicated_").next().unwrap_or(n);
        if n.contains("_duplicated_") || !seen.insert(n.clone()) {
            return Err(DataError::DuplicateColumn {
                file: table.source.clone(),
                column: base.to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz crash (fuzz/corpus/registry_csv/regression-no-final-newline): a header-only file without
    /// a final newline made polars index past its buffer; now it is read safely.
    #[test]
    fn last_line_without_newline_is_read_safely() {
        let bytes = include_bytes!("../../fuzz/corpus/registry_csv/regression-no-final-newline");
        assert!(!bytes.ends_with(b"\n"));
        // Read without panicking; its mangled header then fails validation as missing columns.
        let t = read_csv_bytes(bytes, "crash.csv").unwrap();
        assert_eq!(t.nrows(), 1);
        let t = read_csv_bytes(b"a,b\n1,2", "t.csv").unwrap();
        assert_eq!((t.nrows(), t.names.len()), (1, 2));
    }
}
