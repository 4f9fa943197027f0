//! Excel and OpenDocument workbooks (`.xlsx`, `.xlsm`, `.xls`, `.ods`) read with calamine (pure Rust): the first
//! sheet becomes a [`Table`] as a CSV would, its first row the header. A column whose cells are all numbers (or
//! empty, or a missing token such as `NA`) is numeric; any other column is text, numbers written the shortest way.
//! A date or time cell is text as the sheet shows it (`2020-01-02`, `2020-01-02 12:30:00`, `12:30:00`), never its
//! day serial number: in a column of numbers it is the non-numeric value a CSV cell `2020-01-02` is.

use std::path::Path;

use calamine::{open_workbook_auto, Data, ExcelDateTime, Reader};

use super::load::MISSING_TOKENS;
use super::{ColumnData, DataError, Table};

/// True when the file name says it is a workbook calamine reads.
pub(crate) fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str()))
}

fn unreadable(file: &str, reason: impl ToString) -> DataError {
    DataError::Unreadable {
        file: file.to_string(),
        reason: reason.to_string(),
    }
}

/// Read the named sheet of a workbook (the first when `None`); an unknown name is refused listing the
/// workbook's sheets. Rows in errors are the sheet's, blank rows above the header counted.
pub(crate) fn read_sheet(path: &Path, file: &str, sheet: Option<&str>) -> Result<Table, DataError> {
    read_sheet_ids(path, file, sheet, &[])
}

/// [`read_sheet`] with the id columns named: in those only an empty cell is missing (an id `NA` is text).
pub(crate) fn read_sheet_ids(
    path: &Path,
    file: &str,
    sheet: Option<&str>,
    ids: &[String],
) -> Result<Table, DataError> {
    let mut book = open_workbook_auto(path).map_err(|e| {
        unreadable(
            file,
            format!("not a readable Excel/OpenDocument workbook ({e}); fix: save it again from the spreadsheet program, or export the sheet as CSV UTF-8"),
        )
    })?;
    let name = pick_sheet(&book.sheet_names(), file, sheet)?;
    let range = book
        .worksheet_range(&name)
        .map_err(|e| unreadable(file, format!("sheet '{name}': {e}")))?;
    // calamine's range starts at the first non-empty cell: blank rows above the header and blank columns
    // left of it are not in it, so rows and letters in errors add that offset back.
    let (top, left) = range.start().unwrap_or((0, 0));
    let at = Origin {
        header_row: top as usize + 1,
        first_column: left as usize,
    };
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| unreadable(file, format!("sheet '{name}' is empty")))?
        .iter()
        .map(|c| super::input::nfc(c.to_string().trim()))
        .collect();
    check_names(&header, file, &name, at)?;
    let body: Vec<&[Data]> = rows.collect();
    if body.is_empty() {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    let mut cols = Vec::with_capacity(header.len());
    for (j, col) in header.iter().enumerate() {
        let cells: Vec<&Data> = body
            .iter()
            .map(|r| r.get(j).unwrap_or(&Data::Empty))
            .collect();
        let id = ids.contains(col);
        cols.push((col.clone(), column(&cells, file, col, at, id)?));
    }
    let mut table = Table::new(file, cols);
    table.header_row = at.header_row;
    Ok(table)
}

/// Where a sheet's table sits: the sheet row of its header (1-based) and its first column (0-based).
#[derive(Debug, Clone, Copy)]
struct Origin {
    header_row: usize,
    first_column: usize,
}

impl Origin {
    /// The sheet's column letters of table column `j` (0-based): A, ..., Z, AA, ...
    fn letters(self, j: usize) -> String {
        let mut n = self.first_column + j + 1;
        let mut out = Vec::new();
        while n > 0 {
            out.push(b'A' + ((n - 1) % 26) as u8);
            n = (n - 1) / 26;
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The sheet to read: the named one (exactly, else the only one matching case-insensitively), or the first.
fn pick_sheet(names: &[String], file: &str, sheet: Option<&str>) -> Result<String, DataError> {
    let Some(wanted) = sheet else {
        return names
            .first()
            .cloned()
            .ok_or_else(|| unreadable(file, "the workbook has no sheet"));
    };
    if let Some(n) = names.iter().find(|n| *n == wanted) {
        return Ok(n.clone());
    }
    let folded: Vec<&String> = names
        .iter()
        .filter(|n| n.to_lowercase() == wanted.to_lowercase())
        .collect();
    if let [only] = folded[..] {
        return Ok(only.clone());
    }
    let listed: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    Err(DataError::BadOption {
        file: file.to_string(),
        reason: format!(
            "no sheet '{wanted}' in this workbook; its sheets: {}; fix: --sheet with one of these names",
            listed.join(", ")
        ),
    })
}

fn check_names(header: &[String], file: &str, sheet: &str, at: Origin) -> Result<(), DataError> {
    let row = at.header_row;
    for (j, h) in header.iter().enumerate() {
        let cell = format!("{}{row}", at.letters(j));
        if h.is_empty() {
            return Err(unreadable(
                file,
                format!("sheet '{sheet}', row {row}: the header cell {cell} is empty (every column needs a name)"),
            ));
        }
        if header[..j].contains(h) {
            return Err(unreadable(
                file,
                format!(
                    "sheet '{sheet}', row {row}: column name '{h}' (cell {cell}) appears twice"
                ),
            ));
        }
    }
    Ok(())
}

/// One column: numeric when every non-missing cell is a number, else text. In an `id` column only an empty
/// cell (or one of spaces) is missing; elsewhere the missing-value tokens (`NA`, ...) are too.
fn column(
    cells: &[&Data],
    file: &str,
    name: &str,
    at: Origin,
    id: bool,
) -> Result<ColumnData, DataError> {
    let tokens: &[&str] = if id {
        &MISSING_TOKENS[..1]
    } else {
        &MISSING_TOKENS
    };
    let missing = |c: &Data| match c {
        Data::Empty => true,
        Data::String(s) => tokens.contains(&s.trim()),
        _ => false,
    };
    if let Some(i) = cells.iter().position(|c| matches!(c, Data::Error(_))) {
        return Err(unreadable(
            file,
            format!(
                "row {}, column '{name}': the cell holds an error ({})",
                at.header_row + 1 + i,
                cells[i]
            ),
        ));
    }
    let numeric = cells
        .iter()
        .all(|c| missing(c) || matches!(c, Data::Int(_) | Data::Float(_)));
    Ok(if numeric {
        ColumnData::Num(
            cells
                .iter()
                .map(|c| match c {
                    Data::Int(i) => Some(*i as f64),
                    Data::Float(f) => Some(*f),
                    _ => None,
                })
                .collect(),
        )
    } else {
        ColumnData::Text(
            cells
                .iter()
                .map(|c| match c {
                    _ if missing(c) => None,
                    Data::Int(i) => Some(crate::table::format_number(*i as f64)),
                    Data::Float(f) => Some(crate::table::format_number(*f)),
                    Data::DateTime(d) => Some(date_text(d)),
                    other => Some(other.to_string().trim().to_string()),
                })
                .collect(),
        )
    })
}

/// A date or time cell as the sheet shows it, not its serial number (calamine's `Display` gives the serial):
/// `YYYY-MM-DD` for a whole day, `YYYY-MM-DD HH:MM:SS` with a time of day, `HH:MM:SS` for a time alone (serial
/// below 1), and a duration (`[h]:mm:ss` format) as hours, minutes and seconds.
fn date_text(d: &ExcelDateTime) -> String {
    let serial = d.as_f64();
    if d.is_duration() {
        let seconds = (serial * 86_400.0).round();
        let sign = if seconds < 0.0 { "-" } else { "" };
        let s = seconds.abs() as u64;
        return format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    }
    let (year, month, day, hour, min, sec, milli) = d.to_ymd_hms_milli();
    let time = if milli > 0 {
        format!("{hour:02}:{min:02}:{sec:02}.{milli:03}")
    } else {
        format!("{hour:02}:{min:02}:{sec:02}")
    };
    match (
        serial.trunc() == 0.0,
        (hour, min, sec, milli) == (0, 0, 0, 0),
    ) {
        (true, _) => time,
        (false, true) => format!("{year:04}-{month:02}-{day:02}"),
        (false, false) => format!("{year:04}-{month:02}-{day:02} {time}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spreadsheet letters counted by hand: column 26 is Z, 27 AA, 52 AZ, 53 BA, 703 AAA.
    #[test]
    fn column_letters_add_the_sheet_offset() {
        let at = |first_column| Origin {
            header_row: 1,
            first_column,
        };
        assert_eq!(at(0).letters(0), "A");
        assert_eq!(at(1).letters(2), "D");
        assert_eq!(at(0).letters(25), "Z");
        assert_eq!(at(0).letters(26), "AA");
        assert_eq!(at(1).letters(50), "AZ");
        assert_eq!(at(0).letters(52), "BA");
        assert_eq!(at(0).letters(702), "AAA");
    }

    /// In an id column only an empty cell is missing: `NA` is an id; elsewhere it is a missing value.
    #[test]
    fn na_is_an_id_in_id_columns_only() {
        let at = Origin {
            header_row: 1,
            first_column: 0,
        };
        let na = Data::String("NA".into());
        let cells = [&na, &Data::Float(7.0), &Data::Empty];
        assert_eq!(
            column(&cells, "b.xlsx", "patient_id", at, true).unwrap(),
            ColumnData::text([Some("NA"), Some("7"), None])
        );
        assert_eq!(
            column(&cells, "b.xlsx", "x", at, false).unwrap(),
            ColumnData::num([None, Some(7.0), None])
        );
    }

    /// Serials counted by hand from Excel's 1900 epoch (serial 1 = 1900-01-01, with the phantom 1900-02-29 at
    /// 60): 2020-01-02 is 43 832 (Python: `date(2020,1,2) - date(1899,12,30)` = 43 832 days), noon adds 0.5.
    #[test]
    fn dates_are_shown_as_the_sheet_shows_them() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let text = |v, kind, is_1904| date_text(&ExcelDateTime::new(v, kind, is_1904));
        assert_eq!(text(43_832.0, DateTime, false), "2020-01-02");
        assert_eq!(text(43_832.5, DateTime, false), "2020-01-02 12:00:00");
        // The 1904 epoch (old Mac workbooks) counts 1462 days fewer.
        assert_eq!(text(43_832.0 - 1462.0, DateTime, true), "2020-01-02");
        assert_eq!(text(0.75, DateTime, false), "18:00:00");
        assert_eq!(text(1.5, TimeDelta, false), "36:00:00");
    }
}
