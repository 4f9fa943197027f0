//! An input file read in two steps: its header first (format, separator, column names), so that a missing
//! column is reported before the body is read, then its body, checked record by record (field counts, quotes)
//! before polars parses it, so that a ragged row is named instead of padded or shifted.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::dialect::ReadOptions;
use super::DataError;
use calcscore_core::clip;

/// Longest header read before giving up (a file without line breaks is not a table).
const HEADER_LIMIT: usize = 1 << 20;

/// Longest part of a row echoed in a ragged-row message, in characters.
const ROW_ECHO: usize = 120;

/// How an input file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV text, gzip-compressed or not.
    Csv {
        /// Compressed with gzip (`.csv.gz`, recognised by its first bytes).
        gzip: bool,
    },
    /// Apache Parquet.
    Parquet,
    /// An Excel or OpenDocument workbook (the sheet of the read options, else the first), read with calamine.
    Workbook,
}

/// An input file whose header has been read; [`Input::read_bytes`] reads the body.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as given.
    pub path: PathBuf,
    /// The path as shown in messages.
    pub file: String,
    /// CSV (plain or gzip) or Parquet.
    pub format: Format,
    /// The field separator of a CSV file (sniffed from the header line).
    pub separator: u8,
    /// Column names in file order.
    pub names: Vec<String>,
    /// How the file is read (sheet, CSV dialect).
    pub options: ReadOptions,
    /// The separator of a first line `sep=X` (Excel's separator hint, skipped when reading).
    pub sep_hint: Option<u8>,
}

fn unreadable(file: &str, reason: impl ToString) -> DataError {
    DataError::Unreadable {
        file: file.to_string(),
        reason: clip(&reason.to_string()),
    }
}

impl Input {
    /// Open a file and read only its header (CSV) or schema (Parquet).
    pub fn open(path: &Path) -> Result<Input, DataError> {
        Input::open_with(path, &ReadOptions::default())
    }

    /// Open a file with reading options (sheet, CSV dialect) and read only its header or schema; options
    /// that do not fit the file are refused.
    pub fn open_with(path: &Path, options: &ReadOptions) -> Result<Input, DataError> {
        let file = path.display().to_string();
        check_regular(path, &file)?;
        let parquet = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let workbook = super::xlsx::is_workbook(path);
        options.check_for(&file, workbook, parquet)?;
        let input = |format, separator, names| Input {
            path: path.to_path_buf(),
            file: file.clone(),
            format,
            separator,
            names,
            options: options.clone(),
            sep_hint: None,
        };
        if workbook {
            // Workbooks are small: the sheet is read whole to learn its header.
            let sheet = options.sheet.as_deref();
            let names = super::xlsx::read_sheet(path, &file, sheet)?.names;
            return Ok(input(Format::Workbook, b',', names));
        }
        if parquet {
            let names = super::load::parquet_names(path, &file)?;
            return Ok(input(Format::Parquet, b',', names));
        }
        let (prefix, gzip) = read_prefix(path, &file)?;
        let prefix = options.encoding.unwrap_or_default().to_utf8(prefix);
        let header = Header::parse_as(&prefix, &file, options.delimiter)?;
        options.check_separator(&file, header.separator)?;
        let sep_hint = sep_hint(skip_blank_lines(
            prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&prefix),
        ))
        .map(|(sep, _)| sep);
        Ok(Input {
            sep_hint,
            ..input(Format::Csv { gzip }, header.separator, header.names)
        })
    }

    /// The CSV file's bytes: a large plain UTF-8 file is memory-mapped (no read copy, no anonymous pages to
    /// fault in), anything else is read as [`Input::read_bytes`] reads it.
    pub(crate) fn csv_bytes(&self) -> Result<CsvBytes, DataError> {
        let plain = matches!(self.format, Format::Csv { gzip: false })
            && matches!(
                self.options.encoding.unwrap_or_default(),
                super::dialect::Encoding::Utf8
            );
        if plain {
            let f = open_file(&self.path, &self.file)?;
            if f.metadata().is_ok_and(|m| m.len() >= MAP_BYTES) {
                // SAFETY: the map is read-only and lives only while the file is parsed; a file truncated or
                // rewritten by another process meanwhile is outside what any reader can guard against (the
                // same holds for polars' own mapped reads).
                if let Ok(map) = unsafe { memmap2::Mmap::map(&f) } {
                    return Ok(CsvBytes::Mapped(map));
                }
            }
        }
        self.read_bytes().map(CsvBytes::Owned)
    }

    /// The whole CSV file as bytes (decompressed when gzip).
    pub(crate) fn read_bytes(&self) -> Result<Vec<u8>, DataError> {
        let f = open_file(&self.path, &self.file)?;
        let mut bytes = Vec::with_capacity(f.metadata().map_or(0, |m| m.len() as usize));
        let read = match self.format {
            Format::Csv { gzip: true } => {
                flate2::read::MultiGzDecoder::new(f).read_to_end(&mut bytes)
            }
            _ => std::io::BufReader::new(f).read_to_end(&mut bytes),
        };
        read.map_err(|e| {
            unreadable(
                &self.file,
                format!("{e}; fix: check the file (a damaged gzip file?)"),
            )
        })?;
        Ok(self.options.encoding.unwrap_or_default().to_utf8(bytes))
    }
}

/// Refuse a pipe, socket or device (`<(zcat …)`, /dev/stdin): the input is read more than once (header, body,
/// the report's checksum), which a stream cannot give. A missing path or a directory gets its own message later.
fn check_regular(path: &Path, file: &str) -> Result<(), DataError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(unreadable(
            file,
            "a pipe or a device, not a file: calcscore reads its input more than once (header, body, \
             checksum); fix: save it to a file first (a .csv.gz file is read as it is)",
        )),
        _ => Ok(()),
    }
}

fn open_file(path: &Path, file: &str) -> Result<std::fs::File, DataError> {
    let f = std::fs::File::open(path).map_err(|e| {
        unreadable(
            file,
            format!("{e}; fix: check the path (a CSV or Parquet file)"),
        )
    })?;
    if f.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(unreadable(
            file,
            "this is a directory; fix: name a CSV or Parquet file",
        ));
    }
    Ok(f)
}

/// The first bytes of a (possibly gzip) CSV file, up to the end of its header record, and whether it is gzip.
fn read_prefix(path: &Path, file: &str) -> Result<(Vec<u8>, bool), DataError> {
    let mut f = open_file(path, file)?;
    let mut magic = [0u8; 2];
    let n = read_fully(&mut f, &mut magic).map_err(|e| unreadable(file, e))?;
    let gzip = n == 2 && magic == [0x1f, 0x8b];
    let f = open_file(path, file)?;
    let mut reader: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut prefix = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).map_err(|e| {
            unreadable(
                file,
                format!("{e}; fix: check the file (a damaged gzip file?)"),
            )
        })?;
        prefix.extend_from_slice(&chunk[..n]);
        let head = skip_sep_hint(skip_blank_lines(
            prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&prefix),
        ));
        if n == 0 || record_end(head, 0).is_some() {
            return Ok((prefix, gzip));
        }
        if prefix.len() > HEADER_LIMIT {
            return Err(unreadable(
                file,
                format!(
                    "no line break in the first {} MB: not a CSV table with a header line (or a quote in the header is never closed); the file starts '{}'",
                    HEADER_LIMIT >> 20,
                    clip(&String::from_utf8_lossy(&prefix[..ROW_ECHO.min(prefix.len())]))
                ),
            ));
        }
    }
}

fn read_fully(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The end of the record starting at `start`: the first line feed outside quotes, or a carriage return not
/// followed by one (old Mac line endings, which the reader accepts like CRLF).
pub(crate) fn record_end(data: &[u8], start: usize) -> Option<usize> {
    let mut quoted = false;
    for (k, &b) in data[start..].iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(start + k),
            b'\r' if !quoted && data.get(start + k + 1) != Some(&b'\n') => return Some(start + k),
            _ => {}
        }
    }
    None
}

/// The name of a binary format recognised by its first bytes (spreadsheet workbooks, Parquet given as CSV).
pub(crate) fn binary_format(bytes: &[u8]) -> Option<&'static str> {
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

/// The header record of a CSV text: the separator and the column names.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Field separator: given, or sniffed among `,`, `;`, tab and `|` (see [`sniff_separator`]).
    pub separator: u8,
    /// Column names, unquoted.
    pub names: Vec<String>,
}

impl Header {
    /// Parse the header from the start of a CSV text (a prefix is enough). Refuses binary formats, non-UTF-8
    /// and empty files.
    pub fn parse(bytes: &[u8], file: &str) -> Result<Header, DataError> {
        Header::parse_as(bytes, file, None)
    }

    /// Parse the header with a given separator (`None`: sniffed).
    pub(crate) fn parse_as(
        bytes: &[u8],
        file: &str,
        separator: Option<u8>,
    ) -> Result<Header, DataError> {
        if let Some(kind) = binary_format(bytes) {
            return Err(unreadable(
                file,
                format!("this is {kind}, not CSV text; fix: export the sheet as \"CSV UTF-8\" (or Parquet)"),
            ));
        }
        let bytes = skip_blank_lines(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
        // Excel's separator hint: the separator unless one is given, and the header is the next line.
        let separator = separator.or(sep_hint(bytes).map(|(sep, _)| sep));
        let bytes = skip_sep_hint(bytes);
        let end = record_end(bytes, 0).unwrap_or(bytes.len());
        let line = &bytes[..end];
        let text = std::str::from_utf8(line).map_err(|e| DataError::NotUtf8 {
            file: file.to_string(),
            line: line[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
            byte: line[e.valid_up_to()],
        })?;
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            return Err(DataError::Empty {
                file: file.to_string(),
            });
        }
        let records = records_after(bytes, end);
        let sniffed = separator.is_none();
        let separator = separator.unwrap_or_else(|| sniff_separator(text, &records));
        let names: Vec<String> = split_fields(text, separator)
            .into_iter()
            .map(|f| nfc(&unquote(f)))
            .collect();
        if let (true, 1, Some(sep)) = (sniffed, names.len(), unusual_separator(text, &records)) {
            return Err(DataError::BadOption {
                file: file.to_string(),
                reason: format!(
                    "the header reads as one column with ',', ';', tab or '|' as the separator, but '{}' \
splits it and the rows below into the same number of fields; fix: --delimiter '{}'",
                    char::from(sep),
                    char::from(sep)
                ),
            });
        }
        Ok(Header { separator, names })
    }
}

/// A column name in Unicode normalisation form C: `âge` written decomposed (`a` + U+0302, as macOS tools write
/// names) is the `âge` typed on the command line. Names only: cells (ids) stay byte for byte.
pub(crate) fn nfc(name: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match is_nfc_quick(name.chars()) {
        IsNormalized::Yes => name.to_string(),
        _ => name.nfc().collect(),
    }
}

/// The header line of a CSV text (after a BOM, blank lines and a `sep=` hint) with its names in NFC ([`nfc`]),
/// so that polars names the columns as [`Header`] does; `None` when it already is.
pub(crate) fn nfc_header(bytes: &[u8]) -> Option<Vec<u8>> {
    use unicode_normalization::{is_nfc, UnicodeNormalization};
    let body = skip_sep_hint(skip_blank_lines(
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
    ));
    let start = bytes.len() - body.len();
    let end = start + record_end(body, 0).unwrap_or(body.len());
    let line = std::str::from_utf8(&bytes[start..end]).ok()?;
    if is_nfc(line) {
        return None;
    }
    let mut out = bytes[..start].to_vec();
    out.extend(line.nfc().collect::<String>().into_bytes());
    out.extend_from_slice(&bytes[end..]);
    Some(out)
}

/// Excel's separator hint, a first line `sep=X` (Excel writes and reads it; some exporters add it for `;`): the
/// separator X and the length of the line with its line end; `None` when the text does not start so.
pub(crate) fn sep_hint(bytes: &[u8]) -> Option<(u8, usize)> {
    let rest = bytes.strip_prefix(b"sep=")?;
    let (&sep, after) = rest.split_first()?;
    let end = match after {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => return None,
    };
    (sep != b'"' && !sep.is_ascii_alphanumeric()).then_some((sep, 5 + end))
}

/// The text after Excel's separator hint line, if it starts with one.
pub(crate) fn skip_sep_hint(bytes: &[u8]) -> &[u8] {
    match sep_hint(bytes) {
        Some((_, len)) => &bytes[len..],
        None => bytes,
    }
}

/// The text after any blank lines before the header (polars skips them too; the header is row 1).
pub(crate) fn skip_blank_lines(bytes: &[u8]) -> &[u8] {
    let mut start = 0;
    while let Some(k) = bytes[start..].iter().position(|&b| b == b'\n') {
        if !bytes[start..start + k].iter().all(u8::is_ascii_whitespace) {
            break;
        }
        start += k + 1;
    }
    &bytes[start..]
}

/// The separators sniffed, in order of preference on a tie.
const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Other characters a header might be split by (all accepted by `--delimiter`); never chosen, only suggested.
const UNUSUAL_SEPARATORS: [u8; 4] = [b':', b'^', b'~', b'!'];

/// How many records after the header the sniffer compares field counts over.
const SNIFF_RECORDS: usize = 20;

/// The separator of a CSV text given its header line and the records after it (as many as the prefix holds):
/// among `,`, `;`, tab and `|`, the one giving the most header fields (more than one) that every following
/// record repeats; when none is consistent, the one giving the most header fields (`,` on a tie).
pub(crate) fn sniff_separator(header: &str, records: &[&str]) -> u8 {
    let count = |line: &str, sep: u8| split_fields(line, sep).len();
    let consistent = |sep: u8| {
        let n = count(header, sep);
        n > 1 && records.iter().all(|r| count(r, sep) == n)
    };
    let most = |seps: &mut dyn Iterator<Item = u8>| {
        // max_by_key keeps the last maximum: reverse so the earlier separator wins a tie.
        seps.collect::<Vec<_>>()
            .into_iter()
            .rev()
            .max_by_key(|&sep| count(header, sep))
    };
    most(&mut SEPARATORS.into_iter().filter(|&s| consistent(s)))
        .or_else(|| most(&mut SEPARATORS.into_iter()))
        .unwrap_or(b',')
}

/// An unusual separator (`:`, `^`, ...) that splits the header and every record into the same number of
/// fields (three or more), for a hint when the sniffed separator leaves the header one column.
fn unusual_separator(header: &str, records: &[&str]) -> Option<u8> {
    UNUSUAL_SEPARATORS.into_iter().find(|&sep| {
        let n = split_fields(header, sep).len();
        n >= 3 && records.iter().all(|r| split_fields(r, sep).len() == n)
    })
}

/// Up to [`SNIFF_RECORDS`] complete, non-blank records after the header (a record cut by the prefix is left out).
fn records_after(bytes: &[u8], header_end: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = header_end + 1;
    while out.len() < SNIFF_RECORDS && start < bytes.len() {
        let Some(end) = record_end(bytes, start) else {
            break;
        };
        if let Ok(text) = std::str::from_utf8(&bytes[start..end]) {
            let text = text.trim_end_matches('\r');
            if !text.trim().is_empty() {
                out.push(text);
            }
        }
        start = end + 1;
    }
    out
}

/// The fields of one record (quotes kept), split at separators outside quotes.
pub(crate) fn split_fields(record: &str, sep: u8) -> Vec<&str> {
    let mut fields = Vec::new();
    let (mut quoted, mut start) = (false, 0);
    for (k, &b) in record.as_bytes().iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            fields.push(&record[start..k]);
            start = k + 1;
        }
    }
    fields.push(&record[start..]);
    fields
}

/// The cells of file column `column` in the data rows `rows` (0-based, ascending) of a normalised CSV text
/// (header first, line feeds only), unquoted: the cells as written, for id cells polars read as missing.
pub(crate) fn raw_cells(data: &[u8], separator: u8, column: usize, rows: &[usize]) -> Vec<String> {
    let mut out = Vec::with_capacity(rows.len());
    let mut wanted = rows.iter().copied().peekable();
    let mut start = record_end(data, 0).map_or(data.len(), |e| e + 1);
    let mut row = 0;
    while let Some(&next) = wanted.peek() {
        if start >= data.len() {
            break;
        }
        let end = record_end(data, start).unwrap_or(data.len());
        if row == next {
            let record = std::str::from_utf8(&data[start..end]).unwrap_or_default();
            let field = split_fields(record, separator)
                .get(column)
                .map(|f| unquote(f))
                .unwrap_or_default();
            out.push(field);
            wanted.next();
        }
        row += 1;
        start = end + 1;
    }
    out
}

/// A field without its surrounding quotes, doubled quotes undone.
pub(crate) fn unquote(field: &str) -> String {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

#[cfg(test)]
/// Check every record of a CSV text (header first, line feeds only) against the header's field count: each
/// ragged row is a problem naming its row, line and field counts; a quote never closed is one problem.
pub(crate) fn check_records(
    data: &[u8],
    separator: u8,
    expected: usize,
    file: &str,
) -> Vec<DataError> {
    if quick_check(data, separator, expected).is_some() {
        return Vec::new();
    }
    detailed_check(data, separator, expected, file)
}

/// One bit (the high bit of its byte) per byte of `word` equal to `c`, exactly (no carries across bytes).
fn byte_matches(word: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let t = word ^ (u64::from(c) * 0x0101_0101_0101_0101);
    !(((t & LOW7) + LOW7) | t) & !LOW7
}

/// The text as little-endian words of eight bytes, the last one padded with zero bytes.
fn words(data: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let chunks = data.chunks_exact(8);
    let rest = chunks.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    let tail = (!rest.is_empty()).then_some(u64::from_le_bytes(last));
    chunks
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            u64::from_le_bytes(b)
        })
        .chain(tail)
}

/// What one word-at-a-time scan of whole lines found (see [`scan_lines`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Scan {
    /// A quote somewhere.
    quotes: bool,
    /// An 'n' or 'N' somewhere (every missing-value token but the empty one has one).
    letters: bool,
}

impl Scan {
    fn or(self, other: Scan) -> Scan {
        Scan {
            quotes: self.quotes || other.quotes,
            letters: self.letters || other.letters,
        }
    }
}

/// Scan lines eight bytes at a time as bit masks (no per-byte branches): `None` as soon as a line has not
/// `expected − 1` separators, else whether a quote or an 'n'/'N' occurs.
fn scan_lines(data: &[u8], separator: u8, expected: usize) -> Option<Scan> {
    if expected == 0 || separator == 0 {
        return None;
    }
    let want = (expected - 1) as u32;
    let (mut count, mut quotes, mut letters) = (0u32, 0u64, 0u64);
    for word in words(data) {
        quotes |= byte_matches(word, b'"');
        letters |= byte_matches(word | 0x2020_2020_2020_2020, b'n');
        let mut seps = byte_matches(word, separator);
        let mut lines = byte_matches(word, b'\n');
        while lines != 0 {
            let below = (lines & lines.wrapping_neg()) - 1;
            if count + (seps & below).count_ones() != want {
                return None;
            }
            (count, seps, lines) = (0, seps & !below, lines & (lines - 1));
        }
        count += seps.count_ones();
    }
    Some(Scan {
        quotes: quotes != 0,
        letters: letters != 0,
    })
}

/// Below this many bytes the body is scanned on one thread.
const PARALLEL_SCAN: usize = 1 << 20;

/// The fast check of a normalised CSV text (header first, ending with a line feed), the body on two threads:
/// `None` when some line has not the header's separator count or the text has a quote (then
/// [`check_records`] decides); else whether the body (after the header line) has an 'n' or 'N'.
pub(crate) fn quick_check(data: &[u8], separator: u8, expected: usize) -> Option<bool> {
    if !data.ends_with(b"\n") {
        return None;
    }
    let cut = data
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |k| k + 1);
    let (header, body) = data.split_at(cut);
    let head = scan_lines(header, separator, expected)?;
    let mid = body.len() / 2;
    let split = body[mid..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|k| mid + k + 1);
    let scan = match split {
        Some(split) if body.len() >= PARALLEL_SCAN => {
            let (a, b) = body.split_at(split);
            let (a, b) = std::thread::scope(|s| {
                let t = s.spawn(|| scan_lines(b, separator, expected));
                let a = scan_lines(a, separator, expected);
                (a, t.join().ok().flatten())
            });
            a?.or(b?)
        }
        _ => scan_lines(body, separator, expected)?,
    };
    (!head.quotes && !scan.quotes).then_some(scan.letters)
}

/// True when some byte of the text is one of `bytes` (a word-at-a-time scan).
pub(crate) fn has_any(data: &[u8], bytes: &[u8]) -> bool {
    words(data).any(|w| bytes.iter().any(|&c| byte_matches(w, c) != 0))
}

/// [`check_records`] record by record, quotes and blank lines understood, every problem named.
pub(crate) fn detailed_check(
    data: &[u8],
    separator: u8,
    expected: usize,
    file: &str,
) -> Vec<DataError> {
    let mut problems = Vec::new();
    let (mut start, mut row, mut line) = (0usize, 0usize, 1usize);
    while start < data.len() {
        let end = record_end(data, start);
        let stop = end.unwrap_or(data.len());
        let record = &data[start..stop];
        let lines = record.iter().filter(|&&b| b == b'\n').count();
        // A blank line is a row of missing values (as polars reads it), not a ragged row.
        row += 1;
        if !record.is_empty() {
            if end.is_none() && quotes_open(record) {
                problems.push(DataError::UnclosedQuote {
                    file: file.to_string(),
                    row,
                    line,
                    text: row_text(record),
                });
                return problems;
            }
            let fields = count_fields(record, separator);
            if row > 1 && fields != expected {
                problems.push(ragged(file, row, line, fields, expected, record));
            }
        }
        line += lines + 1;
        start = stop + 1;
    }
    problems
}

fn quotes_open(record: &[u8]) -> bool {
    record.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

fn count_fields(record: &[u8], sep: u8) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for &b in record {
        if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            n += 1;
        }
    }
    n
}

/// The start of a record as text for a message: its first line, control characters escaped, clipped.
fn row_text(record: &[u8]) -> String {
    let first = record.split(|&b| b == b'\n').next().unwrap_or(record);
    let mut out = String::new();
    for (k, c) in String::from_utf8_lossy(first).chars().enumerate() {
        if k == ROW_ECHO {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn ragged(
    file: &str,
    row: usize,
    line: usize,
    fields: usize,
    expected: usize,
    record: &[u8],
) -> DataError {
    let cause = if fields < expected {
        if fields == 1 {
            "a blank or truncated row, or a different separator; fix: one value per column, separated by the header's separator"
        } else {
            "a missing separator or missing cells; fix: give every column a value (leave a cell empty for a missing value)"
        }
    } else {
        "an extra separator (a decimal comma, or a value containing the separator that is not quoted?); fix: quote such values or remove the extra separator"
    };
    DataError::RaggedRow {
        file: file.to_string(),
        row,
        line,
        fields,
        expected,
        cause,
        text: row_text(record),
    }
}

/// True when a CSV text separated by `separator` (not a comma) writes numbers with a decimal comma: some
/// field of its first 10 000 lines, quoted or not, is digits, a comma, digits (spreadsheets and R's
/// `write.csv2` quote every text cell, and some exporters every cell: `"2,83"` is a decimal comma too).
pub(crate) fn uses_decimal_comma(data: &[u8], separator: u8) -> bool {
    if separator == b',' {
        return false;
    }
    data.split(|&b| b == b'\n')
        .skip(1)
        .take(10_000)
        .any(|line| line.split(|&b| b == separator).any(is_comma_number))
}

fn is_comma_number(field: &[u8]) -> bool {
    let f = field.trim_ascii();
    let f = f
        .strip_prefix(b"\"")
        .and_then(|q| q.strip_suffix(b"\""))
        .map_or(f, <[u8]>::trim_ascii);
    let f = f.strip_prefix(b"-").unwrap_or(f);
    let Some(k) = f.iter().position(|&b| b == b',') else {
        return false;
    };
    let (int, frac) = (&f[..k], &f[k + 1..]);
    !frac.is_empty() && int.iter().chain(frac).all(u8::is_ascii_digit)
}

/// Files at least this large are memory-mapped rather than read (smaller ones gain nothing from it).
const MAP_BYTES: u64 = 1 << 20;

/// A CSV file's bytes, read into memory or memory-mapped.
pub(crate) enum CsvBytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl CsvBytes {
    /// The bytes as an owned buffer (a copy of a mapped file).
    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self {
            CsvBytes::Owned(v) => v,
            CsvBytes::Mapped(m) => m.to_vec(),
        }
    }
}

impl std::ops::Deref for CsvBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            CsvBytes::Owned(v) => v,
            CsvBytes::Mapped(m) => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipe or a device is refused by name before anything is read from it (a pipe read for its header
    /// used to leave the body short, reported as ragged rows or an empty file).
    #[test]
    fn pipes_and_devices_are_refused() {
        let dir = std::env::temp_dir().join(format!("calcscore-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("data.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let mut paths = vec![PathBuf::from("/dev/null")];
        if made.is_ok_and(|s| s.success()) {
            paths.push(fifo.clone());
        }
        for path in &paths {
            let e = Input::open(path).unwrap_err().to_string();
            assert!(e.contains("a pipe or a device, not a file"), "{e}");
            assert!(e.contains(&path.display().to_string()), "{e}");
        }
        assert_eq!(paths.len(), 2, "mkfifo did not make a FIFO");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn header_separator_and_quoted_names() {
        let h = Header::parse(b"\xEF\xBB\xBFa;\"b;c\";d\r\n1;2;3\n", "f.csv").unwrap();
        assert_eq!(h.separator, b';');
        assert_eq!(h.names, ["a", "b;c", "d"]);
        let h = Header::parse(b"a,b;c\n", "f.csv").unwrap();
        assert_eq!((h.separator, h.names.len()), (b',', 2));
        let h = Header::parse(b"a\tb\tc", "f.csv").unwrap();
        assert_eq!((h.separator, h.names.len()), (b'\t', 3));
        let h = Header::parse(b"a|b|c\r\n1|2,5|3\r\n", "f.csv").unwrap();
        assert_eq!((h.separator, h.names.len()), (b'|', 3));
        // Two commas in the header, but the rows do not repeat them: the '|' split is the consistent one.
        let h = Header::parse(b"a,x|b,y|c\n1|2|3\n4|5|6\n", "f.csv").unwrap();
        assert_eq!((h.separator, h.names.len()), (b'|', 3));
        let e = Header::parse(b"a:b:c\n1:2:3\n", "f.csv").unwrap_err();
        assert!(e.to_string().contains("fix: --delimiter ':'"), "{e}");
        assert!(matches!(
            Header::parse(b" \n\n", "f.csv"),
            Err(DataError::Empty { .. })
        ));
        // Excel's separator hint line is skipped and gives the separator (the header alone would sniff ',').
        let h = Header::parse(b"\xEF\xBB\xBFsep=;\r\na,b;c\r\n1;2\r\n", "f.csv").unwrap();
        assert_eq!(
            (h.separator, h.names.clone()),
            (b';', vec!["a,b".to_string(), "c".into()])
        );
        let h = Header::parse(b"sep=,\nx,y\n", "f.csv").unwrap();
        assert_eq!(h.names, ["x", "y"]);
        assert_eq!(sep_hint(b"sep=\t\nx"), Some((b'\t', 6)));
        assert_eq!(sep_hint(b"sep=;x\n"), None);
        assert_eq!(sep_hint(b"sepal;width\n"), None);
    }

    #[test]
    fn ragged_rows_are_named_with_row_line_and_counts() {
        // Row 3 has a quoted line break, so row 4 starts on line 5.
        let data = b"a,b,c\n1,2,3\n\"x\ny\",2,3\n1,2\n1,2,3,4\n";
        let p = check_records(data, b',', 3, "f.csv");
        let got: Vec<(usize, usize, usize)> = p
            .iter()
            .map(|e| match e {
                DataError::RaggedRow {
                    row, line, fields, ..
                } => (*row, *line, *fields),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, [(4, 5, 2), (5, 6, 4)]);
        assert!(p[0]
            .to_string()
            .contains("row 4 (line 5): 2 field(s), the header has 3"));
        assert!(p[1].to_string().contains("extra separator"));
    }

    /// The fast scan accepts exactly the texts the detailed check finds nothing in (blank lines, quotes and
    /// ragged rows go to the detailed check), across block boundaries.
    #[test]
    fn fast_scan_agrees_with_the_detailed_check() {
        let mut long = b"a,b,c\n".to_vec();
        for i in 0..500 {
            long.extend_from_slice(format!("{i},{},{}\n", i * 7, "x".repeat(i % 70)).as_bytes());
        }
        let mut ragged = long.clone();
        ragged.extend_from_slice(b"1,2\n");
        let mut blank = long.clone();
        blank.extend_from_slice(b"\n1,2,3\n");
        let cases: [(&[u8], bool); 8] = [
            (&long, true),
            (&ragged, false),
            (&blank, false),
            (b"a,b\n1,2", false),
            (b"a,b\n\"1\",2\n", false),
            (b"a\n1\n\n2\n", true),
            (b"a;b\n1;2\n", true),
            (b"a,b\n1,2,3\n", false),
        ];
        for (data, fast) in cases {
            let sep = if data.contains(&b';') { b';' } else { b',' };
            let n = split_fields(
                std::str::from_utf8(data).unwrap().lines().next().unwrap(),
                sep,
            )
            .len();
            assert_eq!(
                quick_check(data, sep, n).is_some(),
                fast,
                "{}",
                String::from_utf8_lossy(data)
            );
            if fast {
                assert!(detailed_check(data, sep, n, "f.csv").is_empty());
            }
            assert_eq!(
                check_records(data, sep, n, "f.csv").len(),
                detailed_check(data, sep, n, "f.csv").len()
            );
        }
    }

    #[test]
    fn unclosed_quote_is_one_problem_with_a_clipped_row() {
        let mut data = b"a,b\n1,2\n\"never closed,2\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100_000));
        let p = check_records(&data, b',', 2, "f.csv");
        assert_eq!(p.len(), 1);
        let msg = p[0].to_string();
        assert!(msg.contains("row 3: a quote"), "{msg}");
        assert!(msg.len() < 600, "{}", msg.len());
    }

    #[test]
    fn decimal_comma_is_sniffed_only_without_comma_separator() {
        assert!(uses_decimal_comma(b"a;b\n1;3,5\n", b';'));
        assert!(!uses_decimal_comma(b"a;b\n1;3.5\n", b';'));
        assert!(!uses_decimal_comma(b"a;b\nx,y;3\n", b';'));
        assert!(!uses_decimal_comma(b"a,b\n1,3\n", b','));
        // Quoted cells (write.csv2, "quote all text cells" exports, csv.QUOTE_ALL).
        assert!(uses_decimal_comma(b"\"a\";\"b\"\n\"1\";\"3,5\"\n", b';'));
        assert!(!uses_decimal_comma(b"a;b\n1;\"x,5\"\n", b';'));
        assert!(!uses_decimal_comma(b"a;b\n1;\"3,5\n", b';'));
    }
}
