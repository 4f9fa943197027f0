//! Thousands separators in number columns: `1.000` in a `;` file exported with Excel's `#.##0` format (German,
//! French locales) reads as the decimal 1.0, and `1,000` as the decimal comma 1.0, although the writer meant
//! one thousand. Such a cell is refused, naming its row and column, when the column shows that the separator
//! cannot be a decimal mark (see [`check`]); a column of small decimals (`2.500`, `0,125`) is left alone.

use super::input::{record_end, split_fields, unquote};
use super::load::MISSING_TOKENS;
use super::DataError;

/// A cell written as a whole number grouped by `sep` in threes (`1.000`, `-12.500.000`, `1.000,5` with a
/// decimal part after the other mark): how many groups follow the first (`None` when not so written). The
/// first group has 1–3 digits and no leading zero, so `0.125` and `0,125` are never grouped numbers.
pub(crate) fn grouped(cell: &str, sep: u8) -> Option<usize> {
    grouped_bytes(cell.as_bytes(), sep)
}

/// [`grouped`] on the bytes of a cell.
fn grouped_bytes(cell: &[u8], sep: u8) -> Option<usize> {
    let b = cell.trim_ascii();
    let b = b.strip_prefix(b"-").unwrap_or(b);
    let decimal = if sep == b'.' { b',' } else { b'.' };
    let (int, frac) = match b.iter().position(|&c| c == decimal) {
        Some(k) => (&b[..k], Some(&b[k + 1..])),
        None => (b, None),
    };
    if frac.is_some_and(|f| f.is_empty() || !f.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    let mut parts = int.split(|&c| c == sep);
    let first = parts.next()?;
    let lead =
        (1..=3).contains(&first.len()) && first[0] != b'0' && first.iter().all(u8::is_ascii_digit);
    let mut groups = 0;
    for g in parts {
        if g.len() != 3 || !g.iter().all(u8::is_ascii_digit) {
            return None;
        }
        groups += 1;
    }
    (lead && groups > 0).then_some(groups)
}

/// The value a grouped cell means with `sep` as the thousands separator (`1.000` → 1000).
fn as_thousands(cell: &str, sep: u8) -> String {
    let t = cell.trim().replace(char::from(sep), "");
    t.replace(',', ".")
}

/// What the scan of one column found.
#[derive(Default)]
struct Seen {
    /// Rows (0-based) and cells grouped by the file's own decimal mark (`1.000` in a `.` file).
    by_mark: Vec<(usize, String)>,
    /// Rows and cells grouped by the other mark (`1.000` in a decimal-comma file), or in two or more groups.
    certain: Vec<(usize, String)>,
    /// A plain integer cell of 100 or more (no mark): the column holds numbers of that scale.
    large: Option<String>,
    /// A cell that is no number: a text column (its cells are levels, not numbers).
    words: bool,
}

impl Seen {
    /// Take one cell of the column (row 0-based) into account; `mark` is the file's decimal mark.
    fn note(&mut self, row: usize, field: &[u8], mark: u8, other: u8) {
        let t = field.trim_ascii();
        if MISSING_TOKENS.iter().any(|m| m.as_bytes() == t) {
            return;
        }
        let text = || String::from_utf8_lossy(field).into_owned();
        let marked = t.iter().any(|&c| c == b'.' || c == b',');
        let groups = |sep| if marked { grouped_bytes(t, sep) } else { None };
        match (groups(mark), groups(other)) {
            (Some(1), _) if !t.contains(&other) => self.by_mark.push((row, text())),
            (Some(_), _) | (None, Some(_)) => self.certain.push((row, text())),
            (None, None) => match number_class(t, mark) {
                Some(true) => {
                    if self.large.is_none() {
                        self.large = Some(String::from_utf8_lossy(t).into_owned());
                    }
                }
                Some(false) => {}
                None => self.words = true,
            },
        }
    }
}

/// True when some `.` or `,` of the text has a digit before it and exactly three digits after it: without one,
/// no cell is grouped in threes and the column scan is skipped.
fn may_group(data: &[u8]) -> bool {
    let digit = |k: usize| data.get(k).is_some_and(u8::is_ascii_digit);
    data.iter().enumerate().any(|(k, &b)| {
        (b == b'.' || b == b',')
            && k > 0
            && digit(k - 1)
            && digit(k + 1)
            && digit(k + 2)
            && digit(k + 3)
            && !digit(k + 4)
    })
}

/// A cell as a number with `mark` as its decimal mark: `Some(true)` for a plain integer of 100 or more (no
/// mark, no exponent), `Some(false)` for another number (NaN and infinities too: polars reads them as
/// numbers), `None` for a word.
fn number_class(t: &[u8], mark: u8) -> Option<bool> {
    let unsigned = t
        .strip_prefix(b"-")
        .or_else(|| t.strip_prefix(b"+"))
        .unwrap_or(t);
    if ["nan", "inf", "infinity"]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w.as_bytes()))
    {
        return Some(false);
    }
    let (mantissa, exponent) = match unsigned.iter().position(|&c| c == b'e' || c == b'E') {
        Some(k) => (&unsigned[..k], Some(&unsigned[k + 1..])),
        None => (unsigned, None),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e
            .strip_prefix(b"-")
            .or_else(|| e.strip_prefix(b"+"))
            .unwrap_or(e);
        !e.is_empty() && e.iter().all(u8::is_ascii_digit)
    });
    let (int, frac) = match mantissa.iter().position(|&c| c == mark) {
        Some(k) => (&mantissa[..k], Some(&mantissa[k + 1..])),
        None => (mantissa, None),
    };
    let digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    let ok = exponent_ok
        && digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    if !ok {
        return None;
    }
    let significant = int.iter().skip_while(|&&c| c == b'0').count();
    Some(frac.is_none() && exponent.is_none() && significant >= 3)
}

/// Refuse cells written with a thousands separator in the number columns of a CSV text separated by
/// `separator` (not ',': see below) and normalised (header first, line feeds only). Columns in `text` and columns not in `select`
/// are not looked at. A cell is refused when
/// - its groups use the mark that is not the file's decimal mark (`1.000` in a decimal-comma file), or it has
///   two or more groups (`1.000.000`), or a decimal part after the other mark (`1.000,5`): no decimal reads so;
/// - it has one group of the file's decimal mark (`1.000` in a `;` file without decimal commas) and the
///   column also holds a plain integer of 100 or more (`300`): a decimal 1.0 among hundreds is far likelier one
///   thousand.
///
/// A column that also holds a word is text and left alone.
pub(crate) fn check(
    data: &[u8],
    separator: u8,
    names: &[String],
    text: &[String],
    select: Option<&[usize]>,
    decimal_comma: bool,
    file: &str,
) -> Result<(), DataError> {
    // In a ',' file a grouped number is quoted (`"1,000"`), so it is text, never silently a number: its
    // message comes where the column is read as numbers (`Table::numbers`, the registry check), which lets
    // check-data list it among every other problem.
    if separator == b',' || !super::input::has_any(data, b".,") {
        return Ok(());
    }
    if !may_group(data) {
        return Ok(());
    }
    let columns: Vec<usize> = (0..names.len())
        .filter(|&j| !text.contains(&names[j]) && select.is_none_or(|s| s.contains(&j)))
        .collect();
    if columns.is_empty() {
        return Ok(());
    }
    let (mark, other) = if decimal_comma {
        (b',', b'.')
    } else {
        (b'.', b',')
    };
    let mut seen: Vec<Seen> = columns.iter().map(|_| Seen::default()).collect();
    // File column → its slot among the columns looked at.
    let mut slot = vec![None; names.len()];
    for (k, &j) in columns.iter().enumerate() {
        slot[j] = Some(k);
    }
    let mut note = |row: usize, j: usize, field: &[u8]| {
        let Some(s) = slot.get(j).copied().flatten().and_then(|k| seen.get_mut(k)) else {
            return;
        };
        if !s.words {
            s.note(row, field, mark, other);
        }
    };
    let body_start = record_end(data, 0).map_or(data.len(), |e| e + 1);
    let body = &data[body_start..];
    if !super::input::has_any(body, b"\"") {
        // No quote: a record is a line and a field what lies between separators (no allocation per cell).
        // (The empty piece after the final line feed is one empty cell: missing, so nothing.)
        for (row, line) in body.split(|&b| b == b'\n').enumerate() {
            for (j, field) in line.split(|&b| b == separator).enumerate() {
                note(row, j, field);
            }
        }
    } else {
        let (mut start, mut row) = (body_start, 0);
        while start < data.len() {
            let end = record_end(data, start).unwrap_or(data.len());
            let record = std::str::from_utf8(&data[start..end]).unwrap_or_default();
            for (j, field) in split_fields(record, separator).into_iter().enumerate() {
                if field.starts_with('"') {
                    note(row, j, unquote(field).as_bytes());
                } else {
                    note(row, j, field.as_bytes());
                }
            }
            row += 1;
            start = end + 1;
        }
    }
    report(&seen, &columns, names, mark, file)
}

/// The cells of `seen` (one per looked-at column `columns`) that read as grouped thousands, each a non-numeric
/// problem naming row, column and the fix; `Ok` when there is none.
fn report(
    seen: &[Seen],
    columns: &[usize],
    names: &[String],
    mark: u8,
    file: &str,
) -> Result<(), DataError> {
    let mut problems = Vec::new();
    for (s, &j) in seen.iter().zip(columns) {
        if s.words {
            continue;
        }
        let mut cells: Vec<(usize, &String, bool)> =
            s.certain.iter().map(|(i, c)| (*i, c, false)).collect();
        // A '.' group among hundreds is a thousands separator in a ';', tab or '|' file (European exports),
        // but in a ',' file '.' is the decimal mark and ',' the thousands one.
        if s.large.is_some() {
            cells.extend(s.by_mark.iter().map(|(i, c)| (*i, c, true)));
        }
        cells.sort_by_key(|c| c.0);
        for (i, cell, by_mark) in cells {
            let sep = if grouped(cell, b'.').is_some() {
                b'.'
            } else {
                b','
            };
            let why = match (&s.large, by_mark) {
                (Some(large), true) => format!(
                    "read with '{}' as the decimal mark it would be {} next to {large} in this column",
                    char::from(sep),
                    cell.trim().replace(',', ".")
                ),
                _ if sep != mark => format!(
                    "this file's decimal mark is '{}', so '{}' separates thousands",
                    char::from(mark),
                    char::from(sep)
                ),
                _ => "no decimal number has two marks".to_string(),
            };
            let hint = format!(
                    " (looks like {} written with a thousands separator: {why}; fix: remove the thousands \
separator (write {}), or write a decimal with the file's decimal mark)",
                    as_thousands(cell, sep),
                    as_thousands(cell, sep)
                );
            problems.push(DataError::NonNumeric {
                file: file.to_string(),
                row: i + 2,
                column: names[j].clone(),
                value: calcscore_core::clip(cell),
                hint,
            });
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(DataError::Problems {
        file: file.to_string(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_numbers() {
        assert_eq!(grouped("1.000", b'.'), Some(1));
        assert_eq!(grouped("-12.500.000", b'.'), Some(2));
        assert_eq!(grouped("1.000,5", b'.'), Some(1));
        assert_eq!(grouped("1,000", b','), Some(1));
        assert_eq!(grouped("0.125", b'.'), None);
        assert_eq!(grouped("1.25", b'.'), None);
        assert_eq!(grouped("1000.000", b'.'), None);
        assert_eq!(grouped("1.000,", b'.'), None);
        assert_eq!(grouped("300", b'.'), None);
        assert_eq!(as_thousands("1.000", b'.'), "1000");
        assert_eq!(as_thousands("1.000,5", b'.'), "1000.5");
        assert_eq!(as_thousands("2,500", b','), "2500");
    }

    #[test]
    fn only_texts_with_a_group_of_three_are_scanned() {
        assert!(may_group(b"y;x\n1;1.000\n"));
        assert!(may_group(b"y;x\n1;2,500;3\n"));
        assert!(!may_group(b"y;x\n1;1.25\n0;1.2500\n1;.500\n"));
    }

    #[test]
    fn number_classes() {
        assert_eq!(number_class(b"300", b'.'), Some(true));
        assert_eq!(number_class(b"-0100", b'.'), Some(true));
        assert_eq!(number_class(b"099", b'.'), Some(false));
        assert_eq!(number_class(b"300.5", b'.'), Some(false));
        assert_eq!(number_class(b"3,5", b','), Some(false));
        assert_eq!(number_class(b"1E5", b'.'), Some(false));
        assert_eq!(number_class(b"NaN", b'.'), Some(false));
        assert_eq!(number_class(b"none", b'.'), None);
        assert_eq!(number_class(b"3,5", b'.'), None);
        assert_eq!(number_class(b"-", b'.'), None);
        assert_eq!(number_class(b"1e", b'.'), None);
    }

    fn rows(csv: &str, decimal_comma: bool) -> Vec<(usize, String)> {
        let names: Vec<String> = csv
            .lines()
            .next()
            .unwrap()
            .split(';')
            .map(String::from)
            .collect();
        match check(
            csv.as_bytes(),
            b';',
            &names,
            &[],
            None,
            decimal_comma,
            "t.csv",
        ) {
            Ok(()) => Vec::new(),
            Err(DataError::Problems { problems, .. }) => problems
                .iter()
                .map(|p| match p {
                    DataError::NonNumeric { row, value, .. } => (*row, value.clone()),
                    other => panic!("{other:?}"),
                })
                .collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn grouped_cells_refused_only_where_no_decimal_reads_so() {
        // Thousands next to hundreds ('.' file): refused.
        let got = rows("y;x\n1;1.000\n0;2.500\n1;300\n0;400\n", false);
        assert_eq!(got, [(2, "1.000".into()), (3, "2.500".into())]);
        // A column of small decimals written with three places: left alone.
        assert!(rows("y;x\n1;2.500\n0;1.250\n1;0.125\n0;12\n", false).is_empty());
        // Two groups cannot be a decimal.
        assert_eq!(
            rows("y;x\n1;1.000.000\n0;2.5\n", false),
            [(2, "1.000.000".into())]
        );
        // In a decimal-comma file a '.' group is no decimal; '2,500' and '0,125' are decimals.
        let got = rows("y;x\n1;1.000\n0;2,500\n1;0,125\n", true);
        assert_eq!(got, [(2, "1.000".into())]);
        assert!(rows("y;x\n1;2,500\n0;0,125\n1;3\n", true).is_empty());
        // Decimal-comma groups next to hundreds.
        assert_eq!(rows("y;x\n1;1,000\n0;300\n", true), [(2, "1,000".into())]);
        // A ',' file is left to the number readers ("1,000" is quoted there, so text).
        let names = ["y".to_string(), "x".to_string()];
        let csv = "y,x\n1,\"1,000\"\n0,300\n";
        assert!(check(csv.as_bytes(), b',', &names, &[], None, false, "t.csv").is_ok());
        // A text column (a word in it) is left alone.
        assert!(rows("y;x\n1;1.000\n0;300\n1;none\n", false).is_empty());
    }
}
