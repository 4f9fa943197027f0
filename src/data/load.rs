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
            reason: e.to_string(),
        })
    }

    /// Rename the table's columns; a mapped name that is absent is an error.
    pub fn apply(&self, table: &mut Table, map_file: &str) -> Result<(), DataError> {
        for (schema, theirs) in &self.columns {
            match table.names.iter().position(|n| n == theirs) {
                Some(j) => table.names[j] = schema.clone(),
                None => {
                    return Err(DataError::BadMap {
                        file: map_file.to_string(),
                        reason: format!(
                            "'{schema} = \"{theirs}\"': {} has no column '{theirs}'",
                            table.source
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
    let is_parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let df = if is_parquet {
        read_parquet(path, &file)?
    } else {
        read_csv(path, &file)?
    };
    let table = frame_to_table(df, &file)?;
    check_header(&table)?;
    if table.nrows() == 0 {
        return Err(DataError::Empty { file });
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
    let bytes = std::fs::read(path).map_err(|e| unreadable(file, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        unreadable(
            file,
            format!("not UTF-8 text (first bad byte on line {line}); save the file as UTF-8 CSV"),
        )
    })?;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if text[start..].trim().is_empty() {
        return Err(DataError::Empty {
            file: file.to_string(),
        });
    }
    // Normalise line endings only when the file has carriage returns (spreadsheet exports); otherwise no copy.
    let data: Vec<u8> = if bytes.contains(&b'\r') {
        text[start..]
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .into_bytes()
    } else if start > 0 {
        bytes[start..].to_vec()
    } else {
        bytes
    };
    // Fast path: infer column types from the first rows; if a later value contradicts them (a text cell in a
    // numeric column), read again inferring from every row so that the value reaches validation with its row.
    csv_frame(&data, Some(1000))
        .or_else(|_| csv_frame(&data, None))
        .map_err(|e| unreadable(file, e))
}

/// Parse CSV bytes with the missing-value tokens, inferring types from `infer_rows` rows (all when `None`).
fn csv_frame(data: &[u8], infer_rows: Option<usize>) -> PolarsResult<DataFrame> {
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
    let f = std::fs::File::open(path).map_err(|e| unreadable(file, e))?;
    ParquetReader::new(f)
        .finish()
        .map_err(|e| unreadable(file, e))
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
