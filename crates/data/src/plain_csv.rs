//! Direct reading of a plain CSV text into typed columns, in parallel, without polars: only when the result is
//! certain to equal polars' reading (no quote, no missing-value token but the empty cell, every number cell in
//! a strict grammar); `None` otherwise, and the caller reads the file with polars as before.
//!
//! Types follow polars' inference and our conversion: a column whose non-empty cells are all integers is
//! polars' Int64 cast to f64 (`-0` is +0.0), one with some decimal point or exponent is Float64 (every cell
//! read as a float, `-0` is −0.0). Floats are correctly rounded (as polars' `fast_float2`).

use rayon::prelude::*;

use super::{ColumnData, NumColumn, Table, TextColumn};

/// Bytes of body per piece parsed by one task (a piece ends at a line end; results do not depend on the
/// number of threads).
const PIECE_BYTES: usize = 1 << 18;

/// Data rows polars infers the column types from on its first attempt (`parse_csv(.., Some(1000))`): a
/// number column without a value among them would be read as text there, so such a file is left to polars.
const INFER_ROWS: usize = 1000;

/// Longest integer cell read here (longer ones may overflow i64 in polars: left to polars).
const MAX_INT_DIGITS: usize = 18;

/// Separators read here (none of them can occur inside a number of the grammar).
const SEPARATORS: &[u8] = b",;\t|";

/// Exact powers of ten as f64 (10^0 ..= 10^22), for the exact fast path of decimal parsing.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// What a selected column is read as, with its index among the number or text outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A number column: the index among the number outputs.
    Num(usize),
    /// A text column (ids, a cluster column): the index among the text outputs.
    Text(usize),
}

/// Which file columns are read and how (`None`: skipped).
#[derive(Debug)]
struct Plan {
    /// Per file column, how it is read.
    kinds: Vec<Option<Kind>>,
    /// Number columns read.
    nums: usize,
    /// Text columns read.
    texts: usize,
}

/// What one piece found in one number column.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    /// A cell with a decimal point or an exponent.
    float: bool,
    /// An integer cell of negative zero (`-0`, `-00`).
    negative_zero: bool,
    /// Empty cells.
    empty: usize,
}

impl Seen {
    /// What two pieces saw together.
    fn merge(self, other: Seen) -> Seen {
        Seen {
            float: self.float || other.float,
            negative_zero: self.negative_zero || other.negative_zero,
            empty: self.empty + other.empty,
        }
    }
}

/// A text cell: its start and end in the body (the body is below 4 GiB).
type Span = (u32, u32);

/// Read a normalised CSV text (header first, line feeds only, a final one; already checked by `quick_check`:
/// no quote, every line with the header's field count) whose body has no missing-value token but the empty
/// cell. `names` is the header, `text` the columns read as text, `select` the columns read (ascending).
/// `None` when polars' reading could differ in any way (then the caller reads it with polars).
pub(crate) fn read_plain(
    data: &[u8],
    separator: u8,
    names: &[String],
    text: &[String],
    select: Option<&[usize]>,
    file: &str,
) -> Option<Table> {
    if !SEPARATORS.contains(&separator) {
        return None;
    }
    let cut = data.iter().position(|&b| b == b'\n')? + 1;
    let (header, body) = data.split_at(cut);
    if !header_matches(header, separator, names) {
        return None;
    }
    let plan = plan(names, text, select)?;
    u32::try_from(body.len()).ok()?;
    let pieces = pieces(body);
    let starts = piece_starts(&pieces);
    let rows: Vec<usize> = pieces.par_iter().map(|p| line_count(p)).collect();
    let total: usize = rows.iter().sum();
    if total == 0 {
        return None;
    }
    calcscore_core::trace::span("csv lines counted");
    // Zeroed buffers come from the kernel untouched: each page is touched once, by the parse.
    let mut nums: Vec<Vec<f64>> = (0..plan.nums).map(|_| vec![0.0; total]).collect();
    let mut texts: Vec<Vec<Span>> = (0..plan.texts).map(|_| vec![(0, 0); total]).collect();
    let (num_parts, text_parts) = (split_rows(&mut nums, &rows), split_rows(&mut texts, &rows));
    let parts = num_parts.into_iter().zip(text_parts).collect();
    let seen = parse_pieces(&pieces, &starts, &plan, separator, parts)?;
    calcscore_core::trace::span("csv cells parsed");
    let columns = assemble(&plan, nums, seen, &texts, body)?;
    let cols = names
        .iter()
        .zip(&plan.kinds)
        .filter(|(_, k)| k.is_some())
        .map(|(n, _)| n.clone())
        .zip(columns)
        .collect();
    Some(Table::new(file, cols))
}

/// True when the header line splits into exactly `names` (so polars names its columns as we do).
fn header_matches(header: &[u8], separator: u8, names: &[String]) -> bool {
    let line = header.strip_suffix(b"\n").unwrap_or(header);
    let mut fields = line.split(|&b| b == separator);
    names.iter().all(|n| fields.next() == Some(n.as_bytes())) && fields.next().is_none()
}

/// How each file column is read; `None` for a layout left to polars (one column, an empty name, a text
/// column the header lacks, a selection not strictly ascending).
fn plan(names: &[String], text: &[String], select: Option<&[usize]>) -> Option<Plan> {
    if names.len() < 2 || names.iter().any(String::is_empty) {
        return None;
    }
    if text.iter().any(|t| !names.contains(t)) {
        return None;
    }
    if let Some(s) = select {
        let ascending = s.windows(2).all(|w| w[0] < w[1]);
        if s.is_empty() || !ascending || s.iter().any(|&j| j >= names.len()) {
            return None;
        }
    }
    let mut plan = Plan {
        kinds: vec![None; names.len()],
        nums: 0,
        texts: 0,
    };
    for (j, name) in names.iter().enumerate() {
        if select.is_some_and(|s| !s.contains(&j)) {
            continue;
        }
        plan.kinds[j] = Some(if text.contains(name) {
            plan.texts += 1;
            Kind::Text(plan.texts - 1)
        } else {
            plan.nums += 1;
            Kind::Num(plan.nums - 1)
        });
    }
    Some(plan)
}

/// The body cut into pieces of about [`PIECE_BYTES`], each ending with a line feed (the body ends with one).
fn pieces(body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(body.len() / PIECE_BYTES + 1);
    let mut rest = body;
    while !rest.is_empty() {
        let from = PIECE_BYTES.min(rest.len()) - 1;
        let cut = rest
            .get(from..)
            .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
            .map_or(rest.len(), |k| from + k + 1);
        let (piece, tail) = rest.split_at(cut);
        out.push(piece);
        rest = tail;
    }
    out
}

/// Byte offset of each piece in the body.
fn piece_starts(pieces: &[&[u8]]) -> Vec<usize> {
    pieces
        .iter()
        .scan(0, |at, p| {
            let start = *at;
            *at += p.len();
            Some(start)
        })
        .collect()
}

/// Number of line feeds in a piece (its rows).
fn line_count(piece: &[u8]) -> usize {
    piece.iter().filter(|&&b| b == b'\n').count()
}

/// Each column cut into the pieces' parts (`rows` per piece), piece by piece.
fn split_rows<'a, T>(columns: &'a mut [Vec<T>], rows: &[usize]) -> Vec<Vec<&'a mut [T]>> {
    let mut parts: Vec<Vec<&mut [T]>> = rows.iter().map(|_| Vec::new()).collect();
    for column in columns.iter_mut() {
        let mut rest: &mut [T] = column;
        for (part, &n) in parts.iter_mut().zip(rows) {
            let n = n.min(rest.len());
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
            part.push(head);
            rest = tail;
        }
    }
    parts
}

/// One piece's parts of the number and text columns.
type Parts<'a> = (Vec<&'a mut [f64]>, Vec<&'a mut [Span]>);

/// Parse every piece in parallel, each writing its rows into its own parts; what each number column saw.
fn parse_pieces(
    pieces: &[&[u8]],
    starts: &[usize],
    plan: &Plan,
    separator: u8,
    parts: Vec<Parts<'_>>,
) -> Option<Vec<Seen>> {
    let seen: Vec<Vec<Seen>> = pieces
        .par_iter()
        .zip(starts.par_iter())
        .zip(parts.into_par_iter())
        .map(|((piece, &start), mut part)| parse_piece(piece, start, plan, separator, &mut part))
        .collect::<Option<_>>()?;
    Some(
        seen.iter()
            .fold(vec![Seen::default(); plan.nums], |acc, s| {
                acc.into_iter().zip(s).map(|(a, b)| a.merge(*b)).collect()
            }),
    )
}

/// Parse one piece row by row: numbers into its parts (a missing cell is NaN there), text cells as spans
/// (offset by `start`); `None` at the first cell outside the grammar or a row of the wrong length.
fn parse_piece(
    piece: &[u8],
    start: usize,
    plan: &Plan,
    separator: u8,
    (nums, texts): &mut Parts<'_>,
) -> Option<Vec<Seen>> {
    let mut seen = vec![Seen::default(); plan.nums];
    let last = plan.kinds.len() - 1;
    let (mut at, mut row) = (0usize, 0usize);
    while at < piece.len() {
        for (j, kind) in plan.kinds.iter().enumerate() {
            let end = match kind {
                Some(Kind::Num(k)) => {
                    let (cell, end) = scan_number(piece, at, separator)?;
                    let slot = nums.get_mut(*k)?.get_mut(row)?;
                    *slot = seen.get_mut(*k)?.note(cell);
                    end
                }
                Some(Kind::Text(k)) => {
                    let end = field_end(piece, at, separator);
                    let span = (
                        u32::try_from(start + at).ok()?,
                        u32::try_from(start + end).ok()?,
                    );
                    *texts.get_mut(*k)?.get_mut(row)? = span;
                    end
                }
                None => field_end(piece, at, separator),
            };
            let stop = if j == last { b'\n' } else { separator };
            if piece.get(end) != Some(&stop) {
                return None;
            }
            at = end + 1;
        }
        row += 1;
    }
    Some(seen)
}

/// Index of the first separator or line feed at or after `at` (the length when none).
fn field_end(piece: &[u8], at: usize, separator: u8) -> usize {
    let tail = piece.get(at..).unwrap_or_default();
    tail.iter()
        .position(|&b| b == separator || b == b'\n')
        .map_or(piece.len(), |k| at + k)
}

/// A number cell as read by the grammar `-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?`, or an empty one.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    /// Nothing between the separators: a missing value.
    Empty,
    /// No decimal point nor exponent (at most [`MAX_INT_DIGITS`] digits); `-0` is −0.0 here.
    Integer(f64),
    /// A decimal point or an exponent, correctly rounded.
    Float(f64),
}

impl Seen {
    /// Count the cell and give its slot's value (NaN when empty).
    fn note(&mut self, cell: Cell) -> f64 {
        match cell {
            Cell::Empty => {
                self.empty += 1;
                f64::NAN
            }
            Cell::Integer(x) => {
                self.negative_zero |= x == 0.0 && x.is_sign_negative();
                x
            }
            Cell::Float(x) => {
                self.float = true;
                x
            }
        }
    }
}

/// Read the number cell starting at `at` in one pass, up to the separator or line feed that must follow it:
/// the cell and the index of that byte; `None` outside the grammar (or an integer of too many digits).
fn scan_number(piece: &[u8], at: usize, separator: u8) -> Option<(Cell, usize)> {
    let byte = |k: usize| piece.get(k).copied().unwrap_or(0);
    let ends = |b: u8| b == separator || b == b'\n';
    let negative = byte(at) == b'-';
    let first = at + usize::from(negative);
    let (mut mantissa, mut k) = digits(piece, first, 0);
    let int_digits = k - first;
    if int_digits == 0 {
        return ends(byte(at)).then_some((Cell::Empty, at));
    }
    let mut frac_digits = 0;
    if byte(k) == b'.' {
        let (m, end) = digits(piece, k + 1, mantissa);
        frac_digits = end - k - 1;
        if frac_digits == 0 {
            return None;
        }
        (mantissa, k) = (m, end);
    }
    let exponent = matches!(byte(k), b'e' | b'E');
    if exponent {
        k = exponent_end(piece, k + 1)?;
    }
    if !ends(byte(k)) {
        return None;
    }
    let cell = if !exponent && frac_digits == 0 {
        if int_digits > MAX_INT_DIGITS {
            return None;
        }
        Cell::Integer(signed(mantissa as f64, negative))
    } else {
        let exact = !exponent && int_digits + frac_digits <= 19 && mantissa <= 1 << 53;
        let value = match (exact, POW10.get(frac_digits)) {
            (true, Some(scale)) => mantissa as f64 / scale,
            _ => fast_float2::parse::<f64, _>(piece.get(first..k)?).ok()?,
        };
        Cell::Float(signed(value, negative))
    };
    Some((cell, k))
}

/// Read ASCII digits from `k` onto `n` (wrapping past 19 digits: callers check the count): the number and
/// the index after the last digit.
fn digits(piece: &[u8], mut k: usize, mut n: u64) -> (u64, usize) {
    while let Some(d) = piece
        .get(k)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|&d| d < 10)
    {
        n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        k += 1;
    }
    (n, k)
}

/// The index after an exponent's `[-+]?[0-9]+` starting at `k`; `None` without a digit.
fn exponent_end(piece: &[u8], k: usize) -> Option<usize> {
    let k = k + usize::from(matches!(piece.get(k), Some(b'-' | b'+')));
    let (_, end) = digits(piece, k, 0);
    (end > k).then_some(end)
}

/// `x` negated when `negative` (rounding is symmetric, so this is the rounding of the negative number).
fn signed(x: f64, negative: bool) -> f64 {
    if negative {
        -x
    } else {
        x
    }
}

/// The tables' columns from the parsed pieces: numbers typed as polars would, text from the spans.
fn assemble(
    plan: &Plan,
    nums: Vec<Vec<f64>>,
    seen: Vec<Seen>,
    texts: &[Vec<Span>],
    body: &[u8],
) -> Option<Vec<ColumnData>> {
    let mut nums: Vec<Option<NumColumn>> = nums
        .into_par_iter()
        .zip(seen.into_par_iter())
        .map(|(values, seen)| num_column(values, seen))
        .collect();
    let mut texts: Vec<Option<TextColumn>> = texts
        .par_iter()
        .map(|spans| text_column(spans, body))
        .collect();
    plan.kinds
        .iter()
        .flatten()
        .map(|kind| match *kind {
            Kind::Num(k) => nums.get_mut(k)?.take().map(ColumnData::Num),
            Kind::Text(k) => texts.get_mut(k)?.take().map(ColumnData::Text),
        })
        .collect()
}

/// A number column typed as polars reads it; `None` when no value lies in the first [`INFER_ROWS`] rows.
fn num_column(mut values: Vec<f64>, seen: Seen) -> Option<NumColumn> {
    let head = values.get(..INFER_ROWS.min(values.len()))?;
    if head.iter().all(|x| x.is_nan()) {
        return None;
    }
    if !seen.float && seen.negative_zero {
        // Int64 in polars: −0 is the integer 0, cast to +0.0.
        for x in values.iter_mut().filter(|x| **x == 0.0) {
            *x = 0.0;
        }
    }
    Some(match seen.empty {
        0 => NumColumn::from_values(values),
        _ => NumColumn::from_nan_missing(values),
    })
}

/// A text column from its cells' spans (an empty cell is missing, as polars reads it): the cells copied into
/// one buffer, checked as UTF-8 once.
fn text_column(spans: &[Span], body: &[u8]) -> Option<TextColumn> {
    let size = spans
        .iter()
        .map(|&(a, b)| b.saturating_sub(a) as usize)
        .sum();
    let mut bytes = Vec::with_capacity(size);
    let mut offsets = Vec::with_capacity(spans.len() + 1);
    offsets.push(0);
    for &(a, b) in spans {
        bytes.extend_from_slice(body.get(a as usize..b as usize)?);
        offsets.push(bytes.len());
    }
    let bytes = String::from_utf8(bytes).ok()?;
    TextColumn::from_nonempty(bytes, offsets)
}

#[cfg(test)]
mod tests {
    use calcscore_core::random::{seeded, ChaCha8Rng};
    use rand::RngExt;

    use super::*;
    use crate::input::{quick_check, uses_decimal_comma, CsvBytes, Header};
    use crate::load::{polars_table, read_csv_bytes, Dialect};
    use crate::DataError;

    /// The direct reading (as `csv_table` would try it) and polars' reading of a normalised text.
    fn both(
        csv: &str,
        text: &[&str],
        select: Option<&[usize]>,
    ) -> (Option<Table>, Result<Table, DataError>) {
        let data = csv.as_bytes();
        let header = Header::parse(data, "t.csv").unwrap();
        let text: Vec<String> = text.iter().map(|s| s.to_string()).collect();
        let n = header.names.len();
        let quick = quick_check(data, header.separator, n);
        let plain = match quick {
            Some(false) if !uses_decimal_comma(data, header.separator) => read_plain(
                data,
                header.separator,
                &header.names,
                &text,
                select,
                "t.csv",
            ),
            _ => None,
        };
        // The polars reading as csv_table runs it on this text.
        let dialect = Dialect {
            separator: header.separator,
            decimal_comma: uses_decimal_comma(data, header.separator),
            tokens: quick.unwrap_or(true),
        };
        let bytes = CsvBytes::Owned(data.to_vec());
        let polars = polars_table(bytes, header, "t.csv", dialect, &text, select);
        (plain, polars)
    }

    /// Panics unless the tables are equal bit for bit (names, types, validity, value bits, text bytes).
    fn assert_same(a: &Table, b: &Table, csv: &str) {
        assert_eq!(
            (&a.source, &a.names, a.header_row),
            (&b.source, &b.names, b.header_row),
            "{csv}"
        );
        assert_eq!(a.columns.len(), b.columns.len(), "{csv}");
        for (x, y) in a.columns.iter().zip(&b.columns) {
            match (x, y) {
                (ColumnData::Num(x), ColumnData::Num(y)) => {
                    let bits =
                        |c: &NumColumn| c.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    let valid =
                        |c: &NumColumn| (0..c.len()).map(|i| c.is_valid(i)).collect::<Vec<_>>();
                    assert_eq!(bits(x), bits(y), "{csv}");
                    assert_eq!(valid(x), valid(y), "{csv}");
                    assert_eq!(x.null_count(), y.null_count(), "{csv}");
                }
                (ColumnData::Text(x), ColumnData::Text(y)) => {
                    assert_eq!(x.to_options(), y.to_options(), "{csv}");
                    assert_eq!(x.null_count(), y.null_count(), "{csv}");
                }
                _ => panic!("column types differ: {x:?} / {y:?} in {csv}"),
            }
        }
    }

    /// The direct reading is taken and equals polars'.
    fn same(csv: &str, text: &[&str], select: Option<&[usize]>) -> Table {
        let (plain, polars) = both(csv, text, select);
        let Some(plain) = plain else {
            panic!("fast path not taken for {csv:?}")
        };
        assert_same(&plain, &polars.unwrap(), csv);
        plain
    }

    /// The direct reading declines (polars decides).
    fn declined(csv: &str, text: &[&str], select: Option<&[usize]>) {
        let (plain, _) = both(csv, text, select);
        assert!(plain.is_none(), "fast path taken for {csv:?}");
    }

    fn bits(t: &Table, name: &str) -> Vec<Option<u64>> {
        t.num_values(name)
            .unwrap()
            .iter()
            .map(|x| x.map(f64::to_bits))
            .collect()
    }

    #[test]
    fn integers_and_floats_as_polars() {
        same("a,b\n1,2\n3,4\n", &[], None);
        same("a,b\n1.5,2\n-0.25,3e2\n", &[], None);
        same("a,b\n007,007.50\n-12,0.000001\n", &[], None);
        same("a;b\n1;2.5\n3;4\n", &[], None);
        same("a\tb\n1\t2.5\n3\t4\n", &[], None);
        same("a|b\n1|2.5\n3|4\n", &[], None);
        same(
            "a,b\n0.1234567890123456789,123456789012345.678\n1,2\n",
            &[],
            None,
        );
        same(
            "a,b\n9007199254740993.5,0.30000000000000004\n1,2\n",
            &[],
            None,
        );
    }

    #[test]
    fn negative_zero_follows_the_column_type() {
        let t = same("a,b\n-0,1\n0,2\n", &[], None);
        assert_eq!(bits(&t, "a"), [Some(0), Some(0)]);
        let t = same("a,b\n-0,1\n0.5,2\n-00,3\n", &[], None);
        let neg = (-0.0f64).to_bits();
        assert_eq!(
            bits(&t, "a"),
            [Some(neg), Some(0.5f64.to_bits()), Some(neg)]
        );
        same("a,b\n-0.0,1\n0,2\n", &[], None);
        same("a,b\n-0e0,1\n-0,2\n", &[], None);
    }

    #[test]
    fn exponents_overflow_and_underflow_as_polars() {
        let t = same("a,b\n1e5,1E-300\n1e400,-1e400\n1e-400,2.5E+10\n", &[], None);
        assert_eq!(t.num_values("a").unwrap().get(1), Some(f64::INFINITY));
        same("a,b\n1e99999999999999999999,1\n2,3\n", &[], None);
        same(
            "a,b\n4.9e-324,2.2250738585072014e-308\n1.7976931348623157e308,1\n",
            &[],
            None,
        );
    }

    #[test]
    fn empty_cells_are_missing() {
        let t = same("a,b,c\n1,,x1\n,2.5,\n3,4,z\n", &["c"], None);
        assert_eq!(t.num_values("a").unwrap().null_count(), 1);
        assert_eq!(t.text_values("c").unwrap().null_count(), 1);
        same("a,b\n,1\n2,\n", &[], None);
    }

    #[test]
    fn a_late_float_or_a_late_first_value() {
        let mut csv = String::from("a,b\n");
        for i in 0..1500 {
            let a = if i == 1200 {
                "1.5".into()
            } else {
                i.to_string()
            };
            csv.push_str(&format!("{a},{}\n", i % 7));
        }
        same(&csv, &[], None);
        // A column empty in its first 1000 rows is text in polars' first reading: left to polars.
        for first in [999, 1000, 1001, 1200] {
            let mut csv = String::from("a,b\n");
            for i in 0..1500 {
                let a = if i >= first {
                    i.to_string()
                } else {
                    String::new()
                };
                csv.push_str(&format!("{a},{i}\n"));
            }
            let (plain, polars) = both(&csv, &[], None);
            match plain {
                Some(p) => assert_same(&p, &polars.unwrap(), &csv),
                None => assert!(first >= 999),
            }
        }
        // A column without any value: polars reads it as text, all missing (left to polars here).
        declined("a,b\n,1\n,2\n", &[], None);
        let (_, polars) = both("a,b\n,1\n,2\n", &[], None);
        let polars = polars.unwrap();
        assert_eq!(polars.text_values("a").map(TextColumn::null_count), Some(2));
    }

    /// An empty unquoted text cell is missing in polars with and without the missing-value tokens.
    #[test]
    fn empty_text_cells_are_missing_with_or_without_tokens() {
        let csv = "id,x\n,1\nb,2\n";
        let plain = same(csv, &["id"], None);
        for tokens in [false, true] {
            let header = Header::parse(csv.as_bytes(), "t.csv").unwrap();
            let dialect = Dialect {
                separator: b',',
                decimal_comma: false,
                tokens,
            };
            let bytes = CsvBytes::Owned(csv.as_bytes().to_vec());
            let text = ["id".to_string()];
            let polars = polars_table(bytes, header, "t.csv", dialect, &text, None).unwrap();
            assert_same(&plain, &polars, csv);
        }
    }

    #[test]
    fn large_integers() {
        same(
            "a,b\n123456789012345,-123456789012345678\n999999999999999999,1\n",
            &[],
            None,
        );
        same("a,b\n9007199254740993,1\n-9007199254740995,2\n", &[], None);
        same(
            "a,b\n12345678901234567.5,1\n123456789012345678,2\n",
            &[],
            None,
        );
        declined("a,b\n1234567890123456789,1\n", &[], None);
        declined("a,b\n12345678901234567890,1\n", &[], None);
    }

    #[test]
    fn text_columns_and_projections() {
        let csv = "patient_id,x,lesion_id,y\n00042,1,7,2.5\n042,2,07,\n,3,0.5,4\n";
        let t = same(csv, &["patient_id", "lesion_id"], None);
        assert_eq!(t.text("patient_id").unwrap().get(1), Some("042"));
        same(csv, &["patient_id", "lesion_id"], Some(&[0, 3]));
        same(csv, &["patient_id", "lesion_id"], Some(&[1]));
        same(csv, &["patient_id", "lesion_id"], Some(&[1, 2, 3]));
        same(csv, &["lesion_id"], Some(&[1, 2]));
        // Skipped columns may hold anything.
        same("a,b,c\n1,abc def,2\n3,-,4\n", &[], Some(&[0, 2]));
        same("id,x\nP 1 é,1\nP-2,2\n", &["id"], None);
    }

    #[test]
    fn one_row_files() {
        same("a,b\n1,2\n", &[], None);
        same("a,b\n-0,1e3\n", &[], None);
        same("id,b\n,1\n", &["id"], None);
        declined("id,b\n7,\n", &["id"], None);
    }

    #[test]
    fn anything_else_is_left_to_polars() {
        for cell in [
            "+5", ".5", "5.", " 5", "5 ", "1e", "1e+", "1.5.2", "abc", "-", "--1", "1-", "0x10",
            "1_000", "true", "1,5", "1e5.5", "e5",
        ] {
            let csv = format!("a,b\n1,2\n{cell},3\n");
            if cell.contains(',') {
                continue;
            }
            declined(&csv, &[], None);
        }
        declined("a\n1\n2\n", &[], None);
        declined("a,\n1,2\n", &[], None);
        declined("a,b\n1,2\n", &["c"], None);
        declined("a,b\n1,2\n", &[], Some(&[1, 0]));
        let names = ["a", "b"].map(String::from);
        assert!(plan(&names, &[], Some(&[])).is_none());
        same("a b,c\n1,2\n", &[], None);
    }

    #[test]
    fn pieces_cover_the_body_at_line_ends() {
        let mut csv = String::from("id,x,y\n");
        let mut rng = seeded(7);
        for i in 0..60_000 {
            let y: f64 = rng.random_range(-1e3..1e3);
            let x = if i % 97 == 0 {
                String::new()
            } else {
                (i % 1000).to_string()
            };
            csv.push_str(&format!("P{},{x},{y:.4}\n", i % 5000));
        }
        assert!(csv.len() > 3 * PIECE_BYTES);
        let t = same(&csv, &["id"], None);
        assert_eq!(t.nrows(), 60_000);
        let body = csv.as_bytes().split_at(7).1;
        let parts = pieces(body);
        assert!(parts.len() > 3 && parts.iter().all(|p| p.ends_with(b"\n")));
        assert_eq!(parts.concat(), body);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let names = ["id", "x", "y"].map(String::from);
        let text = ["id".to_string()];
        let one = pool.install(|| read_plain(csv.as_bytes(), b',', &names, &text, None, "t.csv"));
        assert_same(&one.unwrap(), &t, "one thread");
        // Through the loader too (patient_id is read as text there).
        let csv = csv.replacen("id,", "patient_id,", 1);
        let t = same(&csv, &["patient_id"], None);
        assert_same(
            &read_csv_bytes(csv.as_bytes(), "t.csv").unwrap(),
            &t,
            "loader",
        );
    }

    #[test]
    fn numbers_parse_as_the_standard_library() {
        let mut rng = seeded(11);
        for _ in 0..200_000 {
            let token = random_number(&mut rng);
            let parsed: f64 = token.parse().unwrap();
            let cell = format!("{token},");
            let ours = match scan_number(cell.as_bytes(), 0, b',') {
                Some((Cell::Integer(x) | Cell::Float(x), end)) if end == token.len() => Some(x),
                Some(other) => panic!("{token}: {other:?}"),
                None => None,
            };
            if let Some(x) = ours {
                assert_eq!(x.to_bits(), parsed.to_bits(), "{token}");
            } else {
                assert!(
                    token.trim_start_matches('-').len() > MAX_INT_DIGITS,
                    "{token}"
                );
            }
        }
    }

    /// A random number token of the grammar (integers up to 20 digits, decimals, exponents).
    fn random_number(rng: &mut ChaCha8Rng) -> String {
        let digits = |rng: &mut ChaCha8Rng, n: usize| -> String {
            (0..n)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect()
        };
        let mut s = String::new();
        if rng.random_bool(0.4) {
            s.push('-');
        }
        let int = rng.random_range(1..=20);
        s.push_str(&digits(rng, int));
        if rng.random_bool(0.6) {
            s.push('.');
            let frac = rng.random_range(1..=20);
            s.push_str(&digits(rng, frac));
        }
        if rng.random_bool(0.2) {
            s.push(if rng.random_bool(0.5) { 'e' } else { 'E' });
            s.push_str(["", "-", "+"][rng.random_range(0..3)]);
            let e = rng.random_range(0..=330);
            s.push_str(&e.to_string());
        }
        s
    }

    /// A random cell: mostly numbers of the grammar, sometimes empty or outside it.
    fn random_cell(rng: &mut ChaCha8Rng, kind: u8) -> String {
        match rng.random_range(0..20) {
            0 => String::new(),
            1 if rng.random_bool(0.2) => {
                ["+1", ".5", "x", "1.", "-", " 2"][rng.random_range(0..6)].into()
            }
            2 => ["-0", "0", "-0.0", "00", "-00"][rng.random_range(0..5)].into(),
            _ if kind == 0 => {
                let n: i64 = rng.random_range(-1_000_000..1_000_000);
                n.to_string()
            }
            _ => random_number(rng),
        }
    }

    #[test]
    fn random_tables_equal_polars() {
        let mut rng = seeded(2026);
        let mut taken = 0;
        for _ in 0..1500 {
            let cols = rng.random_range(2..6);
            let rows = rng.random_range(1..40);
            let names: Vec<String> = (0..cols).map(|j| format!("c{j}")).collect();
            let kinds: Vec<u8> = (0..cols).map(|_| rng.random_range(0..3)).collect();
            let sep = [",", ";", "\t", "|"][rng.random_range(0..4)];
            let mut csv = names.join(sep) + "\n";
            for _ in 0..rows {
                let cells: Vec<String> = kinds.iter().map(|&k| random_cell(&mut rng, k)).collect();
                csv.push_str(&(cells.join(sep) + "\n"));
            }
            let text: Vec<&str> = (0..cols)
                .filter(|_| rng.random_bool(0.2))
                .map(|j| names[j].as_str())
                .collect();
            let select: Vec<usize> = (0..cols).filter(|_| rng.random_bool(0.7)).collect();
            let select = (rng.random_bool(0.5) && !select.is_empty()).then_some(&select[..]);
            let (plain, polars) = both(&csv, &text, select);
            if let Some(plain) = plain {
                assert_same(&plain, &polars.unwrap(), &csv);
                taken += 1;
            }
        }
        assert!(taken > 300, "fast path taken {taken} times");
    }
}
