//! Load CSV (plain or gzip) or Parquet files into a [`Table`] with polars, and apply a column map.
//!
//! A file is read in two steps ([`open`], then [`Opened::read`]): the header first, so that a bad map or a
//! missing column is reported before the body is read; then the body, with identifier columns read as text
//! byte for byte (`00042` and `042` stay two patients).

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use super::dialect::ReadOptions;
use super::input::{
    detailed_check, has_any, quick_check, uses_decimal_comma, CsvBytes, Format, Header, Input,
};
use super::plain_csv;
use super::{ColumnData, DataError, Table};
use calcscore_core::clip;

/// Cell texts read as missing values: in CSV files, and in the text (string) columns of Parquet files and
/// workbooks.
pub const MISSING_TOKENS: [&str; 5] = ["", "NA", "N/A", "n/a", "na"];

/// Columns always read as text: the identifiers of the lesion and CAC schemas.
pub const ID_COLUMNS: [&str; 2] = ["patient_id", "lesion_id"];

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
                clip(e.to_string().trim_end())
            ),
        })
    }

    /// Refuse keys that are no column of the schema (`known`), with the closest schema name as a suggestion.
    pub(crate) fn check_keys(&self, known: &[&str], map_file: &str) -> Result<(), DataError> {
        let unknown: Vec<String> = self
            .columns
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| match did_you_mean(k, known.iter().copied()) {
                Some(s) => format!("'{k}' (did you mean '{s}'?)"),
                None => format!("'{k}'"),
            })
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(DataError::BadMap {
            file: map_file.to_string(),
            reason: format!(
                "{} {} no schema column, so the map would rename onto a name nothing reads; fix: use a schema name on the left ({})",
                unknown.join(", "),
                if unknown.len() == 1 { "is" } else { "are" },
                known.join(", ")
            ),
        })
    }

    /// The header after the renames; a mapped name the header lacks, or a rename onto a column the file
    /// already has, is an error naming the map file and the column.
    pub fn rename(
        &self,
        names: &[String],
        source: &str,
        map_file: &str,
    ) -> Result<Vec<String>, DataError> {
        let mut out = names.to_vec();
        let bad = |reason: String| DataError::BadMap {
            file: map_file.to_string(),
            reason,
        };
        for (schema, theirs) in &self.columns {
            if schema != theirs && names.contains(schema) && names.contains(theirs) {
                return Err(bad(format!(
                    "'{schema} = \"{theirs}\"': {source} already has a column '{schema}'; fix: drop this line or rename one column"
                )));
            }
            match names.iter().position(|n| n == theirs) {
                Some(j) => out[j] = schema.clone(),
                None => {
                    let near = did_you_mean(theirs, names.iter().map(String::as_str))
                        .map(|n| format!("did you mean '{n}'? "))
                        .unwrap_or_default();
                    return Err(bad(format!(
                        "'{schema} = \"{theirs}\"': {source} has no column '{theirs}'; fix: {near}use a name from its header ({})",
                        clip(&names.join(", "))
                    )));
                }
            }
        }
        Ok(out)
    }

    /// Rename the table's columns as [`ColumnMap::rename`] does for a header.
    pub fn apply(&self, table: &mut Table, map_file: &str) -> Result<(), DataError> {
        table.names = self.rename(&table.names, &table.source, map_file)?;
        Ok(())
    }
}

/// The closest of `candidates` to `word` (case-insensitive edit distance at most a third of its length, ≥ 1).
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    let limit = (w.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(&w, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two strings, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A file whose header has been read and mapped; the body is read by [`Opened::read`].
#[derive(Debug, Clone)]
pub struct Opened {
    input: Input,
    /// Column names after the map, in file order.
    pub names: Vec<String>,
}

/// Open a file and read its header only; apply the column map (its keys must be in `keys`, when not empty).
pub fn open(path: &Path, map: Option<&Path>, keys: &[&str]) -> Result<Opened, DataError> {
    open_with(path, map, keys, &ReadOptions::default())
}

/// [`open`] with reading options: the sheet of a workbook, the dialect of a CSV file.
pub fn open_with(
    path: &Path,
    map: Option<&Path>,
    keys: &[&str],
    options: &ReadOptions,
) -> Result<Opened, DataError> {
    let input = Input::open_with(path, options)?;
    check_header(&input.names, &input.file)?;
    let names = match map {
        None => input.names.clone(),
        Some(m) => {
            let map_file = m.display().to_string();
            let map = ColumnMap::from_file(m)?;
            if !keys.is_empty() {
                map.check_keys(keys, &map_file)?;
            }
            map.rename(&input.names, &input.file, &map_file)?
        }
    };
    Ok(Opened { input, names })
}

impl Opened {
    /// The file as shown in messages.
    pub fn source(&self) -> &str {
        &self.input.file
    }

    /// What the reading inferred that a user should be told: a first line `sep=X` (Excel's separator hint)
    /// skipped and used as the separator.
    pub fn notes(&self) -> Vec<String> {
        let hint = self.input.sep_hint.map(|sep| {
            let shown = if sep == b'\t' {
                "\\t".to_string()
            } else {
                char::from(sep).to_string()
            };
            format!(
                "{}: line 1 'sep={shown}' is Excel's separator hint: skipped, fields split by '{}'",
                self.input.file,
                if self.input.separator == b'\t' {
                    "\\t".to_string()
                } else {
                    char::from(self.input.separator).to_string()
                }
            )
        });
        hint.into_iter().collect()
    }

    /// True when the (mapped) header has this column.
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Read the body. Columns named in `ids` (after the map) and [`ID_COLUMNS`] are read as text.
    pub fn read(self, ids: &[&str]) -> Result<Table, DataError> {
        self.read_select(ids, &[])
    }

    /// Read only the columns named in `wanted` (after the map; every row is still checked), or every column
    /// when `wanted` is empty or names a column the header lacks (so that error is the usual one).
    pub fn read_select(self, ids: &[&str], wanted: &[String]) -> Result<Table, DataError> {
        let all = wanted.is_empty() || wanted.iter().any(|w| !self.names.contains(w));
        let select: Option<Vec<usize>> = (!all).then(|| {
            (0..self.names.len())
                .filter(|&j| wanted.contains(&self.names[j]))
                .collect()
        });
        let text: Vec<String> = self
            .names
            .iter()
            .zip(&self.input.names)
            .filter(|(mapped, _)| {
                ID_COLUMNS.contains(&mapped.as_str()) || ids.contains(&mapped.as_str())
            })
            .map(|(_, theirs)| theirs.clone())
            .collect();
        let select = select.as_deref();
        let mut table = match self.input.format {
            Format::Parquet => parquet_table(&self.input.path, &self.input.file, &text, select)?,
            Format::Workbook => {
                let sheet = self.input.options.sheet.as_deref();
                workbook_table(&self.input.path, &self.input.file, &text, sheet)?
            }
            Format::Csv { .. } => {
                let bytes = self.input.csv_bytes()?;
                csv_table(bytes, &self.input.file, &text, select, &self.input.options)?
            }
        };
        table.trim_text(&text, matches!(self.input.format, Format::Csv { .. }));
        match select {
            Some(cols)
                if table.names.len() == cols.len() && self.input.format != Format::Workbook =>
            {
                table.names = cols.iter().map(|&j| self.names[j].clone()).collect();
            }
            _ if table.names.len() == self.names.len() => table.names = self.names,
            _ => {}
        }
        Ok(table)
    }
}

/// Read a CSV (any extension but `.parquet`, gzip recognised) or Parquet file; id columns read as text.
pub fn read_table(path: &Path) -> Result<Table, DataError> {
    read_table_ids(path, &[])
}

/// Read a file as [`read_table`] with more columns read as text (e.g. a `--cluster` column); an id with a
/// control character (a NUL byte ...) in those columns is refused.
pub(crate) fn read_table_ids(path: &Path, ids: &[&str]) -> Result<Table, DataError> {
    let table = open(path, None, &[])?.read(ids)?;
    check_ids(&table, ids)?;
    Ok(table)
}

/// A note naming the id columns (`ids` and [`ID_COLUMNS`]) that hold a missing-value token (`NA`, `na`, `N/A`,
/// `n/a`), which ids read as text (only an empty cell is a missing id), with the rows: `None` when there is none.
pub fn id_token_note(table: &Table, ids: &[&str]) -> Option<String> {
    let mut found = Vec::new();
    for name in ID_COLUMNS.iter().chain(ids).copied() {
        let Some(values) = table.text_values(name) else {
            continue;
        };
        if found.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let rows: Vec<usize> = (0..values.len())
            .filter(|&i| {
                values
                    .get(i)
                    .is_some_and(|v| MISSING_TOKENS[1..].contains(&v))
            })
            .map(|i| table.row_number(i))
            .collect();
        if let Some(&first) = rows.first() {
            let cell = values.get(first - table.header_row - 1).unwrap_or_default();
            found.push((name, rows.len(), format!("'{cell}' in row {first}")));
        }
    }
    if found.is_empty() {
        return None;
    }
    let listed: Vec<String> = found
        .iter()
        .map(|(n, k, first)| format!("'{n}' {k} cell(s), first {first}"))
        .collect();
    Some(format!(
        "{}: id column(s) holding NA, na, N/A or n/a, read as the id written (ids are text; only an empty cell is \
a missing id): {}; leave the cell empty if the id is unknown",
        table.source,
        listed.join("; ")
    ))
}

/// Refuse ids with control characters, or of spaces only, in the given columns (those the table has), every
/// one listed.
pub fn check_ids(table: &Table, ids: &[&str]) -> Result<(), DataError> {
    let mut problems = Vec::new();
    for &name in ids {
        let Ok(ColumnData::Text(values)) = table.column(name) else {
            continue;
        };
        for (i, v) in values.iter().enumerate() {
            let found = v.and_then(|id| {
                super::validate::bad_id(&table.source, table.row_number(i), name, id)
            });
            problems.extend(found);
            // Spaces only: neither an id (blank ids of several patients would make one cluster) nor missing.
            if v.is_some_and(|id| !id.is_empty() && id.trim().is_empty()) {
                problems.push(DataError::Invalid {
                    file: table.source.clone(),
                    row: table.row_number(i),
                    column: name.to_string(),
                    value: format!("'{}'", v.unwrap_or_default()),
                    rule:
                        "an id of spaces only; leave the cell empty for a missing id, or fill it in"
                            .into(),
                });
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(DataError::Problems {
        file: table.source.clone(),
        problems,
    })
}

/// Parse CSV bytes (UTF-8, optional BOM, any line endings) as if read from a file named `file`.
pub(crate) fn read_csv_bytes(bytes: &[u8], file: &str) -> Result<Table, DataError> {
    let header = Header::parse(bytes, file)?;
    check_header(&header.names, file)?;
    let text: Vec<String> = header
        .names
        .iter()
        .filter(|n| ID_COLUMNS.contains(&n.as_str()))
        .cloned()
        .collect();
    let bytes = CsvBytes::Owned(bytes.to_vec());
    let mut table = csv_table(bytes, file, &text, None, &ReadOptions::default())?;
    table.trim_text(&text, true);
    Ok(table)
}

/// A repeated column name in a header is an error.
fn check_header(names: &[String], file: &str) -> Result<(), DataError> {
    for (j, n) in names.iter().enumerate() {
        if names[..j].contains(n) {
            return Err(DataError::DuplicateColumn {
                file: file.to_string(),
                column: n.clone(),
            });
        }
    }
    Ok(())
}

fn unreadable(file: &str, reason: impl ToString) -> DataError {
    DataError::Unreadable {
        file: file.to_string(),
        reason: clip(&reason.to_string()),
    }
}

/// Check and parse a whole CSV text (already UTF-8): `text` columns (file names) are read as text; with
/// `select`, only those columns (0-based, ascending) are parsed, though every record is checked. The options'
/// separator and decimal comma override the sniffed ones.
fn csv_table(
    bytes: CsvBytes,
    file: &str,
    text: &[String],
    select: Option<&[usize]>,
    options: &ReadOptions,
) -> Result<Table, DataError> {
    let header = Header::parse_as(&bytes, file, options.delimiter)?;
    options.check_separator(file, header.separator)?;
    let data = normalised(bytes, file)?;
    // The fast scan (two threads) proves most files sound; any doubt and every record is checked in detail.
    // Without a quote, an 'n' or an 'N' after the header no cell can be a missing-value token other than the
    // empty one, which polars reads as missing anyway: then the per-cell token comparison is skipped.
    let quick = quick_check(&data, header.separator, header.names.len());
    let (problems, tokens) = match quick {
        Some(letters) => (Vec::new(), letters),
        None => {
            let problems = detailed_check(&data, header.separator, header.names.len(), file);
            let body = data.splitn(2, |&b| b == b'\n').nth(1).unwrap_or_default();
            (problems, has_any(body, b"\"nN"))
        }
    };
    if !problems.is_empty() {
        return Err(DataError::Problems {
            file: file.to_string(),
            problems,
        });
    }
    calcscore_core::trace::span("csv records checked");
    let decimal_comma = options.decimal_comma || uses_decimal_comma(&data, header.separator);
    let names = &header.names;
    super::thousands::check(
        &data,
        header.separator,
        names,
        text,
        select,
        decimal_comma,
        file,
    )?;
    // A plain numeric text (no quote, no token, no decimal comma) is read directly when that is sure to give
    // polars' table; anything else takes the polars path below.
    if quick.is_some() && !tokens && !decimal_comma {
        let plain =
            plain_csv::read_plain(&data, header.separator, &header.names, text, select, file);
        if let Some(table) = plain {
            calcscore_core::trace::span("csv parsed directly");
            return Ok(table);
        }
    }
    let dialect = Dialect {
        separator: header.separator,
        decimal_comma,
        tokens,
    };
    polars_table(data, header, file, dialect, text, select)
}

/// Read a checked CSV text with polars (the header already parsed), names as in the header.
pub(crate) fn polars_table(
    data: CsvBytes,
    header: Header,
    file: &str,
    dialect: Dialect,
    text: &[String],
    select: Option<&[usize]>,
) -> Result<Table, DataError> {
    // Fast path: infer column types from the first 1000 rows; if a later value contradicts them (a text cell in
    // a numeric column), read again inferring from every row so that the value reaches validation with its row.
    let parse = |rows| parse_csv(&data, rows, dialect, text, select);
    let df = parse(Some(1000)).or_else(|_| parse(None)).map_err(|e| {
        unreadable(
            file,
            format!("not a valid CSV table: {e}; fix: check the quoting and that every row has as many fields as the header"),
        )
    })?;
    // The file's bytes are kept past the conversion only when an id column has a cell polars read as missing
    // (to put back an id `NA` as written); otherwise they go first, so the peak is not both at once.
    let nulled_ids = dialect.tokens
        && text
            .iter()
            .any(|t| df.column(t).is_ok_and(|c| c.null_count() > 0));
    let data = nulled_ids.then_some(data);
    let mut table = Table::from_frame(file, df)?;
    if let Some(data) = &data {
        restore_id_tokens(&mut table, data, &header, dialect.separator, text);
    }
    drop(data);
    calcscore_core::trace::span("csv parsed by polars");
    if let Some(cols) = select.filter(|c| c.len() == table.names.len()) {
        table.names = cols.iter().map(|&j| header.names[j].clone()).collect();
    } else if table.names.len() == header.names.len() {
        table.names = header.names;
    }
    if table.nrows() == 0 {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    Ok(table)
}

/// Ids are text: in the `text` (id) columns only an empty cell is missing, so an id `NA`, `na`, `N/A` or `n/a`
/// (initials, a lesion code) that polars read as missing with the other columns' tokens is put back as written.
fn restore_id_tokens(
    table: &mut Table,
    data: &[u8],
    header: &Header,
    separator: u8,
    text: &[String],
) {
    for (name, column) in table.names.iter().zip(table.columns.iter_mut()) {
        let ColumnData::Text(v) = column else {
            continue;
        };
        let Some(j) = header.names.iter().position(|n| n == name) else {
            continue;
        };
        if !text.contains(name) || v.null_count() == 0 {
            continue;
        }
        let rows: Vec<usize> = (0..v.len()).filter(|&i| !v.is_valid(i)).collect();
        let cells = super::input::raw_cells(data, separator, j, &rows);
        let mut restored = v.to_options();
        for (&i, cell) in rows.iter().zip(cells) {
            if MISSING_TOKENS[1..].contains(&cell.trim()) {
                restored[i] = Some(cell);
            }
        }
        *v = restored.into_iter().collect();
    }
}

/// [`normalised_vec`] of the bytes; a mapped file already in that form is kept mapped (not copied).
fn normalised(bytes: CsvBytes, file: &str) -> Result<CsvBytes, DataError> {
    if let CsvBytes::Mapped(m) = &bytes {
        let clean = std::str::from_utf8(m).is_ok()
            && !m.starts_with(b"\xEF\xBB\xBF")
            && super::input::skip_blank_lines(m).len() == m.len()
            && super::input::sep_hint(m).is_none()
            && super::input::nfc_header(m).is_none()
            && !m.iter().all(u8::is_ascii_whitespace)
            && m.ends_with(b"\n")
            && !m.ends_with(b"\n\n")
            && !m.contains(&b'\r');
        if clean {
            return Ok(bytes);
        }
    }
    normalised_vec(bytes.into_vec(), file).map(CsvBytes::Owned)
}

/// The text without a byte-order mark, with line feeds only and a final one; refuses non-UTF-8 text.
fn normalised_vec(mut bytes: Vec<u8>, file: &str) -> Result<Vec<u8>, DataError> {
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(DataError::NotUtf8 {
            file: file.to_string(),
            line: bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
            byte: bytes[e.valid_up_to()],
        });
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // Column names in NFC, as the header read gives them (cells are left byte for byte).
    if let Some(nfc) = super::input::nfc_header(&bytes) {
        bytes = nfc;
    }
    let blank = bytes.len() - super::input::skip_blank_lines(&bytes).len();
    bytes.drain(..blank);
    // Excel's separator hint line (`sep=;`), used by the header: not a row.
    if let Some((_, len)) = super::input::sep_hint(&bytes) {
        bytes.drain(..len);
        let blank = bytes.len() - super::input::skip_blank_lines(&bytes).len();
        bytes.drain(..blank);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::Empty {
            file: file.to_string(),
        });
    }
    // Normalise line endings only when needed (spreadsheet exports). End with a newline: polars 0.55's CSV
    // parser can read past the buffer on some inputs whose last line has no newline (found by the
    // registry_csv fuzz target; regression test below).
    if bytes.contains(&b'\r') {
        let mut out = Vec::with_capacity(bytes.len());
        let mut k = 0;
        while k < bytes.len() {
            match bytes[k] {
                b'\r' if bytes.get(k + 1) == Some(&b'\n') => {}
                b'\r' => out.push(b'\n'),
                b => out.push(b),
            }
            k += 1;
        }
        bytes = out;
    }
    // Blank lines at the end are no rows (a spreadsheet's trailing empty lines): they once made a file with only a
    // header read as rows of missing values.
    while bytes.ends_with(b"\n\n") {
        bytes.pop();
    }
    if !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// How polars is to split and read the cells of a CSV text.
#[derive(Clone, Copy)]
pub(crate) struct Dialect {
    pub(crate) separator: u8,
    pub(crate) decimal_comma: bool,
    /// Whether cells are compared with the missing-value tokens (false only when none can occur).
    pub(crate) tokens: bool,
}

/// Parse CSV bytes with the missing-value tokens, inferring types from `infer_rows` rows (all when `None`);
/// the `text` columns are read as strings whatever they hold.
fn parse_csv(
    data: &[u8],
    infer_rows: Option<usize>,
    dialect: Dialect,
    text: &[String],
    select: Option<&[usize]>,
) -> PolarsResult<DataFrame> {
    let nulls: Vec<PlSmallStr> = MISSING_TOKENS
        .iter()
        .map(|s| PlSmallStr::from(*s))
        .collect();
    let overwrite: Schema = text
        .iter()
        .map(|n| Field::new(PlSmallStr::from(n.as_str()), DataType::String))
        .collect();
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(infer_rows)
        .with_schema_overwrite((!text.is_empty()).then(|| Arc::new(overwrite)))
        .with_projection(select.map(|s| Arc::new(s.to_vec())))
        .map_parse_options(|p| {
            p.with_separator(dialect.separator)
                .with_decimal_comma(dialect.decimal_comma)
                .with_null_values(
                    dialect
                        .tokens
                        .then(|| NullValues::AllColumns(nulls.clone())),
                )
        })
        .into_reader_with_file_handle(Cursor::new(data))
        .finish()
}

fn read_parquet(path: &Path, file: &str, select: Option<&[usize]>) -> Result<DataFrame, DataError> {
    let f = std::fs::File::open(path)
        .map_err(|e| unreadable(file, format!("{e}; fix: check the path")))?;
    let invalid = |e: PolarsError| invalid_parquet(file, e);
    let mut reader = ParquetReader::new(f);
    let schema = reader.schema().map_err(invalid)?;
    if let Some((name, field)) = schema.iter().find(|(_, f)| unsupported_type(&f.dtype)) {
        return Err(unreadable(
            file,
            format!(
                "column '{name}' has the Parquet type {:?}, which calcscore cannot read; \
                 fix: store it as float64 (pyarrow: table.cast(...)) or export the table as CSV",
                field.dtype
            ),
        ));
    }
    reader
        .with_projection(select.map(<[usize]>::to_vec))
        .finish()
        .map_err(invalid)
}

/// Arrow types this build of polars aborts on instead of reading (decimals, half floats), also inside
/// lists and structs.
fn unsupported_type(dt: &ArrowDataType) -> bool {
    use ArrowDataType as A;
    match dt {
        A::Decimal(..) | A::Decimal32(..) | A::Decimal64(..) | A::Decimal256(..) | A::Float16 => {
            true
        }
        A::List(f) | A::LargeList(f) | A::FixedSizeList(f, _) | A::Map(f, _) => {
            unsupported_type(&f.dtype)
        }
        A::Struct(fields) => fields.iter().any(|f| unsupported_type(&f.dtype)),
        A::Dictionary(_, inner, _) => unsupported_type(inner),
        _ => false,
    }
}

/// The column names of a Parquet file, from its metadata only.
pub(crate) fn parquet_names(path: &Path, file: &str) -> Result<Vec<String>, DataError> {
    let f = std::fs::File::open(path)
        .map_err(|e| unreadable(file, format!("{e}; fix: check the path")))?;
    let schema = ParquetReader::new(f)
        .schema()
        .map_err(|e| invalid_parquet(file, e))?;
    Ok(schema
        .iter_names()
        .map(|n| super::input::nfc(n.as_str()))
        .collect())
}

/// A Parquet file polars cannot open: two columns of one name (polars' message names it), or no Parquet.
fn invalid_parquet(file: &str, e: PolarsError) -> DataError {
    let reason = match e {
        PolarsError::Duplicate(what) => {
            format!("two columns share a name ({what}); fix: rename one of them where the file is written")
        }
        e => format!("not a valid Parquet file: {e}; fix: re-export it, or name a CSV file .csv"),
    };
    unreadable(file, reason)
}

/// A Parquet file as a table, the `text` columns (ids) as text; only the `select` columns when given.
fn parquet_table(
    path: &Path,
    file: &str,
    text: &[String],
    select: Option<&[usize]>,
) -> Result<Table, DataError> {
    let mut df = read_parquet(path, file, select)?;
    // Integer ids, and integer columns holding a value a float cannot hold exactly (beyond ±2^53: two such
    // groups would merge), as their digits (no detour through f64).
    let names: Vec<PlSmallStr> = df.get_column_names_owned();
    for name in names {
        let c = df.column(&name).map_err(|e| unreadable(file, e))?;
        let exact = exact_in_f64(c.as_materialized_series()).map_err(|e| unreadable(file, e))?;
        if c.dtype().is_integer() && (text.iter().any(|t| *t == name) || !exact) {
            let t = c.cast(&DataType::String).map_err(|e| unreadable(file, e))?;
            df.with_column(t).map_err(|e| unreadable(file, e))?;
        }
    }
    let mut table = Table::from_frame(file, df)?;
    // A Parquet file has no header line: row n of a message is its n-th record.
    table.header_row = 0;
    for (name, column) in table.names.iter().zip(table.columns.iter_mut()) {
        match &*column {
            ColumnData::Num(v) if text.contains(name) => {
                *column = ColumnData::Text(v.iter().map(|x| x.and_then(id_text)).collect());
            }
            // The CSV missing-value tokens are missing in a text column too ("NA" is no level); in an id column,
            // as in CSV, only the empty cell is (ids are text: "NA" is an id).
            ColumnData::Text(v) => {
                let id = text.contains(name);
                let missing = |t: &str| {
                    if id {
                        t.is_empty()
                    } else {
                        is_missing_token(t)
                    }
                };
                if v.iter().any(|t| t.is_some_and(missing)) {
                    *column = ColumnData::text(v.iter().map(|t| t.filter(|t| !missing(t))));
                }
            }
            _ => {}
        }
    }
    if table.nrows() == 0 {
        return Err(DataError::HeaderOnly {
            file: file.to_string(),
        });
    }
    Ok(table)
}

/// A sheet of a workbook (the first when `None`) as a table, the `text` columns (ids) as text (`42` → "42", as
/// Parquet ids).
fn workbook_table(
    path: &Path,
    file: &str,
    text: &[String],
    sheet: Option<&str>,
) -> Result<Table, DataError> {
    let mut table = super::xlsx::read_sheet_ids(path, file, sheet, text)?;
    for (name, column) in table.names.iter().zip(table.columns.iter_mut()) {
        if let (true, ColumnData::Num(v)) = (text.contains(name), &*column) {
            *column = ColumnData::Text(v.iter().map(|x| x.and_then(id_text)).collect());
        }
    }
    Ok(table)
}

/// True for a cell text that means a missing value ([`MISSING_TOKENS`], compared exactly as in CSV).
fn is_missing_token(t: &str) -> bool {
    MISSING_TOKENS.contains(&t)
}

/// True unless an integer column holds a value beyond ±2^53, where floats skip integers.
fn exact_in_f64(s: &Series) -> PolarsResult<bool> {
    const EXACT: u64 = 1 << 53;
    Ok(match s.dtype() {
        DataType::Int64 => s.i64()?.iter().flatten().all(|v| v.unsigned_abs() <= EXACT),
        DataType::UInt64 => s.u64()?.iter().flatten().all(|v| v <= EXACT),
        _ => true,
    })
}

/// An identifier stored as a float, as text: the shortest number (`42.0` → `42`); NaN and infinities are no
/// identifier (missing).
fn id_text(x: f64) -> Option<String> {
    Some(match x {
        _ if !x.is_finite() => return None,
        _ if x.fract() == 0.0 && x.abs() < 9.007_199_254_740_992e15 => format!("{}", x as i64),
        _ => format!("{x}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `df` written to a temporary Parquet file (named after `tag`) and read back as a table.
    fn parquet_round_trip(df: &mut DataFrame, tag: &str) -> Table {
        let path =
            std::env::temp_dir().join(format!("calcscore-{tag}-{}.parquet", std::process::id()));
        let f = std::fs::File::create(&path).unwrap();
        ParquetWriter::new(f).finish(df).unwrap();
        let t = read_table(&path);
        let _ = std::fs::remove_file(&path);
        t.unwrap()
    }

    /// A Parquet integer column holding a value beyond 2^53 is read as its digits (2^53 and 2^53 + 1 are one
    /// float: as numbers two groups would merge); an integer column within ±2^53 stays numeric.
    #[test]
    fn parquet_integers_beyond_2_53_stay_exact() {
        let big = (1i64 << 53) + 1;
        let mut df = df!(
            "site" => [Some(big), Some(big - 1), None],
            "n" => [Some(1i64 << 53), Some(-(1i64 << 53)), Some(7)],
        )
        .unwrap();
        let t = parquet_round_trip(&mut df, "int53");
        assert_eq!(
            t.columns[0],
            ColumnData::text([Some("9007199254740993"), Some("9007199254740992"), None])
        );
        let n = 9_007_199_254_740_992.0;
        assert_eq!(
            t.columns[1],
            ColumnData::num([Some(n), Some(-n), Some(7.0)])
        );
    }

    /// The CSV missing-value tokens are missing in a Parquet text column too (ids: only the empty cell): "NA" is no level
    /// (it was: table1 by such a column showed a group "NA"). Other texts, "NaN" or " NA" among them, stay.
    #[test]
    fn parquet_text_missing_tokens_are_missing_as_in_csv() {
        let cells = [
            Some("a"),
            Some("NA"),
            Some("N/A"),
            Some("n/a"),
            Some("na"),
            Some(""),
            None,
            Some("NaN"),
            Some("Na"),
        ];
        let mut df = df!(
            "grp" => cells,
            "patient_id" => cells,
            "y" => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        )
        .unwrap();
        let t = parquet_round_trip(&mut df, "na-text");
        // Row by row as the CSV reader reads the same cells (MISSING_TOKENS: "", NA, N/A, n/a, na).
        let want = [
            Some("a"),
            None,
            None,
            None,
            None,
            None,
            None,
            Some("NaN"),
            Some("Na"),
        ];
        assert_eq!(t.column("grp").unwrap(), &ColumnData::text(want));
        // Ids are text: in an id column only the empty cell is missing (as the CSV reader reads ids).
        let ids = [
            Some("a"),
            Some("NA"),
            Some("N/A"),
            Some("n/a"),
            Some("na"),
            None,
            None,
            Some("NaN"),
            Some("Na"),
        ];
        assert_eq!(t.column("patient_id").unwrap(), &ColumnData::text(ids));
        let csv = "grp,y\na,1\nNA,2\nN/A,3\nn/a,4\nna,5\n\"\",6\n,7\nNaN,8\nNa,9\n";
        let c = read_csv_bytes(csv.as_bytes(), "t.csv").unwrap();
        assert_eq!(
            c.text("grp").unwrap().to_options(),
            t.text("grp").unwrap().to_options()
        );
    }

    /// A Parquet float32 column reads as the decimals it prints as: 0.1f32 is the group "0.1" and the number 0.1,
    /// as the same decimals in a CSV file (it was 0.10000000149011612, the f32's exact binary value, as a label).
    #[test]
    fn parquet_float32_values_are_their_shortest_decimals() {
        let mut df = df!(
            "g32" => [Some(0.1f32), Some(0.2), Some(1e-7), Some(16_777_217.0), Some(f32::INFINITY), None],
        )
        .unwrap();
        let t = parquet_round_trip(&mut df, "f32");
        // 16777217 is no f32: it is stored as 16777216 (2^24), the nearest.
        assert_eq!(
            t.column("g32").unwrap(),
            &ColumnData::num([
                Some(0.1),
                Some(0.2),
                Some(1e-7),
                Some(16_777_216.0),
                Some(f64::INFINITY),
                None
            ])
        );
        let labels = t.text("g32").unwrap().to_options();
        assert_eq!(
            labels[..4],
            [
                Some("0.1".to_string()),
                Some("0.2".to_string()),
                Some("0.0000001".to_string()),
                Some("16777216".to_string())
            ]
        );
    }

    /// A float id is its shortest digits; NaN or an infinity is no id (missing), never the id "NaN".
    #[test]
    fn float_ids_are_digits_and_nan_is_missing() {
        assert_eq!(id_text(42.0).as_deref(), Some("42"));
        assert_eq!(id_text(-3.5).as_deref(), Some("-3.5"));
        assert_eq!(id_text(1e17).as_deref(), Some("100000000000000000"));
        assert_eq!(id_text(f64::NAN), None);
        assert_eq!(id_text(f64::NEG_INFINITY), None);
    }

    /// The fuzz crash (fuzz/corpus/registry_csv/regression-no-final-newline): a mangled file without a
    /// final newline made polars index past its buffer; now it is read safely: its unclosed quote is a typed
    /// problem naming the row (control characters escaped), and a file without a final newline still reads.
    #[test]
    fn last_line_without_newline_is_read_safely() {
        let bytes = include_bytes!("../../../fuzz/corpus/registry_csv/regression-no-final-newline");
        assert!(!bytes.ends_with(b"\n"));
        let e = read_csv_bytes(bytes, "crash.csv").unwrap_err();
        let DataError::Problems { problems, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(matches!(
            &problems[..],
            [DataError::UnclosedQuote { row: 2, .. }]
        ));
        assert!(
            !e.to_string().contains('\0') && e.to_string().contains("\\u{0}"),
            "{e}"
        );
        let t = read_csv_bytes(b"a,b\n1,2", "t.csv").unwrap();
        assert_eq!((t.nrows(), t.names.len()), (1, 2));
    }

    #[test]
    fn ids_are_text_and_other_columns_numbers() {
        let t =
            read_csv_bytes(b"patient_id,lesion_id,x\n00042,7,1.5\n042,07,2\n", "t.csv").unwrap();
        assert_eq!(
            t.column("patient_id").unwrap(),
            &ColumnData::text([Some("00042"), Some("042")])
        );
        assert_eq!(
            t.column("lesion_id").unwrap(),
            &ColumnData::text([Some("7"), Some("07")])
        );
        assert_eq!(
            t.column("x").unwrap(),
            &ColumnData::num([Some(1.5), Some(2.0)])
        );
    }

    /// A "NaN" cell is read as a present NaN, an "NA" or empty cell as missing: validation refuses the first
    /// and counts the others as missing values.
    #[test]
    fn nan_cell_is_a_value_and_na_is_missing() {
        let t = read_csv_bytes(b"x,y\n1.5,a\nNaN,b\nNA,c\n,d\n", "t.csv").unwrap();
        let Some(x) = t.num_values("x") else {
            panic!("{:?}", t.column("x"))
        };
        assert_eq!((x.len(), x.null_count()), (4, 2));
        assert_eq!(x.get(0), Some(1.5));
        assert!(x.is_valid(1) && x.get(1).is_some_and(f64::is_nan));
        assert!(!x.is_valid(2) && !x.is_valid(3));
        let y = t.text_values("y").unwrap();
        assert_eq!(
            y.iter().collect::<Vec<_>>(),
            [Some("a"), Some("b"), Some("c"), Some("d")]
        );
    }

    /// Ids are text: `NA`, `N/A` (quoted or not, after a quoted line break) and `na` stay ids, the empty cell is
    /// missing; the other columns keep the tokens.
    #[test]
    fn na_like_ids_are_ids_and_other_tokens_missing() {
        let t = read_csv_bytes(
            b"patient_id,x,note\nNA,1,a\n\"N/A\",2,\"two\nlines\"\n,3,c\nna,NA,d\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(
            t.column("patient_id").unwrap(),
            &ColumnData::text([Some("NA"), Some("N/A"), None, Some("na")])
        );
        assert_eq!(
            t.column("x").unwrap(),
            &ColumnData::num([Some(1.0), Some(2.0), Some(3.0), None])
        );
    }

    #[test]
    fn semicolon_file_with_decimal_comma_reads_numbers() {
        let t = read_csv_bytes(b"patient_id;x;y\n001;2,5;3\n002;-0,25;4\n", "t.csv").unwrap();
        assert_eq!(t.names, ["patient_id", "x", "y"]);
        assert_eq!(
            t.column("x").unwrap(),
            &ColumnData::num([Some(2.5), Some(-0.25)])
        );
        assert_eq!(
            t.text("patient_id").unwrap().to_options(),
            [Some("001".into()), Some("002".into())]
        );
    }

    #[test]
    fn map_keys_and_names_get_suggestions() {
        assert_eq!(edit_distance("calcium_fractur", "calcium_fracture"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let known = ["cto", "isr", "calcium_fracture"];
        assert_eq!(
            did_you_mean("Calcium_Fractur", known.into_iter()),
            Some("calcium_fracture")
        );
        assert_eq!(did_you_mean("xyz", known.into_iter()), None);
        let mut map = ColumnMap::default();
        map.columns.insert("calcium_fractur".into(), "F".into());
        let e = map.check_keys(&known, "m.toml").unwrap_err().to_string();
        assert!(
            e.starts_with(
                "m.toml: bad column map: 'calcium_fractur' (did you mean 'calcium_fracture'?)"
            ),
            "{e}"
        );
    }
}
