//! polars views of typed table columns: the frames on which groups, levels and selections are polars expressions.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::column::{NumColumn, TextColumn};
use crate::table::{format_number, ColumnData, Table};
use crate::DataError;

/// A numeric column as a polars `Float64` column sharing its buffers: null where missing, a NaN read from a
/// file stays a valid NaN.
pub fn num_column(name: &str, col: &NumColumn) -> Column {
    col.series(name)
}

/// A text column as a polars `String` column sharing its buffers (null where missing).
pub fn text_column(name: &str, col: &TextColumn) -> Column {
    col.series(name)
}

impl Table {
    /// The named columns as a polars frame, each typed as it was loaded (numbers `Float64`, text `String`); the
    /// frame shares the table's buffers (no copy).
    pub fn frame(&self, names: &[&str]) -> Result<DataFrame, DataError> {
        let columns = names
            .iter()
            .map(|&name| {
                Ok(match self.column(name)? {
                    ColumnData::Num(x) => num_column(name, x),
                    ColumnData::Text(t) => text_column(name, t),
                })
            })
            .collect::<Result<Vec<Column>, DataError>>()?;
        DataFrame::new(self.nrows(), columns).map_err(|e| frame_error(&self.source, e))
    }

    #[cfg(test)]
    /// The whole table as a polars frame, sharing its buffers (no copy).
    pub(crate) fn to_frame(&self) -> Result<DataFrame, DataError> {
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        self.frame(&names)
    }

    /// A polars frame as a table read from `source`: float and text columns shared (no copy), Booleans as 0/1,
    /// other numbers cast to floats, any other type as text. Each column is dropped once converted.
    pub(crate) fn from_frame(source: &str, df: DataFrame) -> Result<Table, DataError> {
        let mut cols = Vec::with_capacity(df.width());
        for c in df.into_columns() {
            let s = c.as_materialized_series();
            let data = typed_column(s).map_err(|e| frame_error(source, e))?;
            cols.push((s.name().to_string(), data));
        }
        Ok(Table::new(source, cols))
    }
}

/// A polars column as a typed column ([`Table::from_frame`]). An empty string is missing, as an empty CSV
/// cell is; an instant with a time zone is its UTC time; a type that has no text form in polars (durations,
/// lists, binary) is written value by value.
fn typed_column(s: &Series) -> PolarsResult<ColumnData> {
    Ok(match s.dtype() {
        DataType::String => ColumnData::Text(text_or_missing(s.str()?)),
        DataType::Boolean => ColumnData::num(s.bool()?.iter().map(|v| v.map(f64::from))),
        DataType::Float64 => ColumnData::Num(NumColumn::from_chunked(s.f64()?)),
        // A float32 as the decimal it prints as (0.1f32 is 0.1, not 0.10000000149011612): the value its writer
        // meant, so its groups are labelled "0.1" and its numbers equal those of the same decimals in a CSV file.
        DataType::Float32 => ColumnData::num(s.f32()?.iter().map(|v| v.map(f32_decimal))),
        dt if dt.is_primitive_numeric() => {
            ColumnData::Num(NumColumn::from_chunked(s.cast(&DataType::Float64)?.f64()?))
        }
        // Instants with a time zone as UTC times (this build of polars has no time-zone database to print them).
        DataType::Datetime(unit, Some(_)) => {
            typed_column(&s.cast(&DataType::Datetime(*unit, None))?)?
        }
        _ => match s.cast(&DataType::String) {
            Ok(t) => ColumnData::Text(text_or_missing(t.str()?)),
            Err(_) => ColumnData::text((0..s.len()).map(|i| formatted(s, i))),
        },
    })
}

/// The f64 of a float32's shortest round-trip decimal (Rust prints an `f32` as the shortest text that reads
/// back as the same f32); NaN and infinities unchanged.
fn f32_decimal(x: f32) -> f64 {
    if x.is_finite() {
        x.to_string().parse().unwrap_or(f64::from(x))
    } else {
        f64::from(x)
    }
}

/// A text column whose empty strings are missing (shared buffers when there is none).
fn text_or_missing(ca: &StringChunked) -> TextColumn {
    match ca.iter().any(|v| v == Some("")) {
        false => TextColumn::from_chunked(ca),
        true => ca.iter().map(|v| v.filter(|t| !t.is_empty())).collect(),
    }
}

/// Value `i` of a column as polars displays it (`None` when null).
fn formatted(s: &Series, i: usize) -> Option<String> {
    let v = s.get(i).ok()?;
    (!v.is_null()).then(|| v.to_string())
}

/// The rows of a column grouped by the values of a text key column of the same length: groups in the byte order
/// of their keys, each group's rows in their original order, rows with a null key in no group.
#[derive(Debug, Clone)]
pub struct RowGroups {
    keys: Vec<String>,
    sizes: Vec<usize>,
    null_keys: usize,
    /// Row indices in group order: the keyed rows sorted by key (a stable sort), then the null-key rows.
    order: IdxCa,
    /// The group index of each row of `order` (null for the null-key rows at the end).
    index: Column,
}

/// Internal column names of the small frames the aggregations run on.
const KEY: &str = "key";
const VALUE: &str = "value";

impl RowGroups {
    /// Group the rows by `key` (a `String` column): sizes and the null-key count are a polars `group_by` / `len`.
    pub fn of(key: &Column) -> PolarsResult<Self> {
        let key = key.clone().with_name(KEY.into());
        let sizes = DataFrame::new(key.len(), vec![key.clone()])?
            .lazy()
            .group_by([col(KEY)])
            .agg([len().alias(VALUE)])
            .sort([KEY], SortMultipleOptions::default().with_nulls_last(true))
            .collect()?;
        let (names, counts) = (sizes.column(KEY)?.str()?, sizes.column(VALUE)?.idx()?);
        let keys: Vec<String> = names.iter().flatten().map(str::to_string).collect();
        let counts: Vec<usize> = counts.iter().flatten().map(|n| n as usize).collect();
        let null_keys = counts.get(keys.len()).copied().unwrap_or(0);
        let sizes = counts[..keys.len()].to_vec();
        let order = key.arg_sort(SortOptions {
            nulls_last: true,
            maintain_order: true,
            ..Default::default()
        });
        let index = (0..sizes.len() as IdxSize)
            .zip(&sizes)
            .flat_map(|(g, &n)| std::iter::repeat_n(Some(g), n))
            .chain(std::iter::repeat_n(None, null_keys));
        let index = IdxCa::from_iter_options(KEY.into(), index).into_column();
        Ok(RowGroups {
            keys,
            sizes,
            null_keys,
            order,
            index,
        })
    }

    /// The distinct non-null keys, in byte order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Rows in each group.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Rows whose key is null (in no group).
    pub fn null_keys(&self) -> usize {
        self.null_keys
    }

    /// A column of the same rows, reordered into its groups.
    pub fn column(&self, column: &Column) -> PolarsResult<GroupedColumn<'_>> {
        polars_ensure!(
            column.len() == self.order.len(),
            ShapeMismatch: "column {} has {} rows, the key {}", column.name(), column.len(), self.order.len()
        );
        let values = column.take(&self.order)?.with_name(VALUE.into());
        Ok(GroupedColumn {
            groups: self,
            values,
        })
    }
}

/// One column's values in group order (see [`RowGroups::column`]).
#[derive(Debug, Clone)]
pub struct GroupedColumn<'a> {
    groups: &'a RowGroups,
    values: Column,
}

/// Per group, the rows with a value and the rows without.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// Non-null values in each group.
    pub present: Vec<usize>,
    /// Null values in each group.
    pub missing: Vec<usize>,
}

/// How many rows hold each value of a column, per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueCounts {
    /// The distinct non-null values as text (numbers by [`format_number`], as [`Table::text`]), in byte order;
    /// values seen only on rows with a null key are included.
    pub levels: Vec<String>,
    /// Rows per level (outer, parallel to `levels`) and group (inner).
    pub counts: Vec<Vec<usize>>,
}

impl GroupedColumn<'_> {
    /// The small frame of group index and value that aggregations run on.
    fn frame(&self) -> PolarsResult<LazyFrame> {
        let columns = vec![self.groups.index.clone(), self.values.clone()];
        Ok(DataFrame::new(self.values.len(), columns)?.lazy())
    }

    /// Non-null and null values per group: a polars `group_by` with `count` and `null_count`.
    pub fn presence(&self) -> PolarsResult<Presence> {
        let counts = self
            .frame()?
            .group_by([col(KEY)])
            .agg([
                col(VALUE).count().alias("present"),
                col(VALUE).null_count().alias("missing"),
            ])
            .collect()?;
        let per_group = |name: &str| -> PolarsResult<Vec<usize>> {
            let mut out = vec![0; self.groups.sizes.len()];
            let (g, n) = (counts.column(KEY)?.idx()?, counts.column(name)?.idx()?);
            for (g, n) in g.iter().zip(n.iter()) {
                if let (Some(g), Some(n)) = (g, n) {
                    out[g as usize] = n as usize;
                }
            }
            Ok(out)
        };
        Ok(Presence {
            present: per_group("present")?,
            missing: per_group("missing")?,
        })
    }

    /// Each group's non-null values of a `Float64` column, in their original row order.
    pub fn values(&self) -> PolarsResult<Vec<Vec<f64>>> {
        let values = self.values.f64()?;
        let mut offset = 0;
        self.groups
            .sizes
            .iter()
            .map(|&n| {
                let group = values.slice(offset as i64, n).drop_nulls();
                offset += n;
                if group.is_empty() {
                    return Ok(Vec::new());
                }
                Ok(group.rechunk().cont_slice()?.to_vec())
            })
            .collect()
    }

    /// Rows at each value per group: a polars `group_by` on (group, value) with `len`.
    pub fn value_counts(&self) -> PolarsResult<ValueCounts> {
        let counts = self
            .frame()?
            .group_by([col(KEY), col(VALUE)])
            .agg([len().alias("n")])
            .collect()?;
        let (g, v, n) = (
            counts.column(KEY)?.idx()?,
            counts.column(VALUE)?.as_materialized_series(),
            counts.column("n")?.idx()?,
        );
        let mut by_level: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in 0..counts.height() {
            let Some(level) = value_text(v.get(i)?)? else {
                continue;
            };
            let row = by_level
                .entry(level)
                .or_insert_with(|| vec![0; self.groups.sizes.len()]);
            if let (Some(g), Some(n)) = (g.get(i), n.get(i)) {
                row[g as usize] += n as usize;
            }
        }
        let (levels, counts) = by_level.into_iter().unzip();
        Ok(ValueCounts { levels, counts })
    }
}

impl ValueCounts {
    /// The counts per group of one level, if it occurs.
    pub fn get(&self, level: &str) -> Option<&[usize]> {
        let k = self
            .levels
            .binary_search_by(|l| l.as_str().cmp(level))
            .ok()?;
        Some(&self.counts[k])
    }
}

/// A value as text: text as is, numbers by [`format_number`]; `None` when null.
fn value_text(v: AnyValue<'_>) -> PolarsResult<Option<String>> {
    Ok(match v {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.to_string()),
        AnyValue::StringOwned(s) => Some(s.to_string()),
        other => Some(format_number(other.extract::<f64>().ok_or_else(
            || polars_err!(InvalidOperation: "no text form of {}", other.dtype()),
        )?)),
    })
}

/// A polars error on a frame built from `source`, as a data error.
pub fn frame_error(source: &str, e: PolarsError) -> DataError {
    DataError::Unreadable {
        file: source.into(),
        reason: crate::clip(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table and its frame are the same buffers both ways; a frame's Booleans and integers read as numbers.
    #[test]
    fn table_and_frame_share_buffers() {
        let t = Table::new(
            "t.csv",
            vec![
                ("x".into(), ColumnData::num([Some(2.5), None, Some(-1.0)])),
                (
                    "id".into(),
                    ColumnData::text([Some("P0001"), Some("P0002"), None]),
                ),
            ],
        );
        let df = t.to_frame().unwrap();
        let x = df.column("x").unwrap().f64().unwrap();
        let values = x.downcast_iter().next().unwrap().values().as_slice();
        let ColumnData::Num(own) = &t.columns[0] else {
            panic!("x is numeric")
        };
        assert_eq!(values.as_ptr(), own.values().as_ptr());
        let back = Table::from_frame("t.csv", df).unwrap();
        assert_eq!(back, t);
        let other = df!(
            "flag" => [Some(true), None, Some(false)],
            "n" => [3i32, -4, 5],
        )
        .unwrap();
        let read = Table::from_frame("o.parquet", other).unwrap();
        assert_eq!(
            read.columns,
            [
                ColumnData::num([Some(1.0), None, Some(0.0)]),
                ColumnData::num([Some(3.0), Some(-4.0), Some(5.0)]),
            ]
        );
    }

    /// An empty string is missing as in a CSV file, and a list column (no text cast in polars) is written value
    /// by value.
    #[test]
    fn frame_columns_keep_what_a_cast_would_lose() {
        let df = df!(
            "small" => [Some(3i64), Some(-4), None],
            "t" => [Some("a"), Some(""), None],
        )
        .unwrap();
        let lists = Series::new(
            "l".into(),
            [
                Series::new("".into(), [1i32, 2]),
                Series::new("".into(), [3i32]),
                Series::new("".into(), [4i32]),
            ],
        );
        let df = df.hstack(&[lists.into_column()]).unwrap();
        let t = Table::from_frame("f.parquet", df).unwrap();
        assert_eq!(t.columns[0], ColumnData::num([Some(3.0), Some(-4.0), None]));
        assert_eq!(t.columns[1], ColumnData::text([Some("a"), None, None]));
        let ColumnData::Text(l) = &t.columns[2] else {
            panic!("a list column is text")
        };
        assert_eq!((l.len(), l.null_count()), (3, 0));
        assert!(l.get(0).is_some_and(|v| v.contains('1') && v.contains('2')));
    }

    #[test]
    fn frame_keeps_nulls_and_nan_apart() {
        let t = Table::new(
            "t.csv",
            vec![
                (
                    "x".into(),
                    ColumnData::num([Some(1.5), None, Some(f64::NAN)]),
                ),
                ("g".into(), ColumnData::text([Some("a"), None, Some("b")])),
            ],
        );
        let f = t.frame(&["x", "g"]).unwrap();
        let x = f.column("x").unwrap().f64().unwrap();
        assert_eq!(x.get(0), Some(1.5));
        assert_eq!(x.get(1), None);
        assert!(x.get(2).unwrap().is_nan());
        assert_eq!(x.null_count(), 1);
        let g = f.column("g").unwrap().str().unwrap();
        assert_eq!((g.get(0), g.get(1), g.get(2)), (Some("a"), None, Some("b")));
        assert!(t.frame(&["nope"]).is_err());
    }

    fn key(values: &[Option<&str>]) -> Column {
        StringChunked::from_iter_options("g".into(), values.iter().copied()).into_column()
    }

    #[test]
    fn groups_sorted_as_bytes_rows_in_order_null_keys_apart() {
        let g = key(&[
            Some("b"),
            Some("B"),
            Some("a"),
            None,
            Some("é"),
            Some("a"),
            Some("b"),
        ]);
        let groups = RowGroups::of(&g).unwrap();
        assert_eq!(groups.keys(), ["B", "a", "b", "é"]);
        assert_eq!(groups.sizes(), [1, 2, 2, 1]);
        assert_eq!(groups.null_keys(), 1);
        let x = [
            Some(1.0),
            Some(2.0),
            None,
            Some(4.0),
            Some(f64::NAN),
            Some(6.0),
            Some(7.0),
        ];
        let x = Float64Chunked::from_iter_options("x".into(), x.into_iter()).into_column();
        let x = groups.column(&x).unwrap();
        let values = x.values().unwrap();
        assert_eq!(values[..3], [vec![2.0], vec![6.0], vec![1.0, 7.0]]);
        assert!(values[3][0].is_nan());
        let p = x.presence().unwrap();
        assert_eq!((p.present, p.missing), (vec![1, 1, 2, 1], vec![0, 1, 0, 0]));
        let short = Float64Chunked::from_slice("s".into(), &[1.0]).into_column();
        assert!(groups.column(&short).is_err());
    }

    #[test]
    fn value_counts_as_text_with_levels_of_ungrouped_rows() {
        let g = key(&[Some("a"), Some("b"), Some("a"), None, Some("b")]);
        let groups = RowGroups::of(&g).unwrap();
        let x = [Some(1.0), Some(-0.0), Some(0.0), Some(2.5), None];
        let x = Float64Chunked::from_iter_options("x".into(), x.into_iter()).into_column();
        let counts = groups.column(&x).unwrap().value_counts().unwrap();
        assert_eq!(counts.levels, ["0", "1", "2.5"]);
        assert_eq!(counts.counts, [vec![1, 1], vec![1, 0], vec![0, 0]]);
        assert_eq!(
            (counts.get("1"), counts.get("3")),
            (Some(&[1, 0][..]), None)
        );
        let t = key(&[Some("x"), None, Some("y"), Some("x"), Some("x")]);
        let counts = groups.column(&t).unwrap().value_counts().unwrap();
        assert_eq!(counts.levels, ["x", "y"]);
        assert_eq!(counts.counts, [vec![1, 1], vec![1, 0]]);
    }

    #[test]
    fn no_rows_no_groups() {
        let groups = RowGroups::of(&key(&[])).unwrap();
        assert!(groups.keys().is_empty() && groups.null_keys() == 0);
        let all_null = RowGroups::of(&key(&[None, None])).unwrap();
        assert_eq!((all_null.keys().len(), all_null.null_keys()), (0, 2));
    }
}
