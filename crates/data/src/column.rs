//! Typed columns stored as polars arrays: numbers as one contiguous `Float64` chunk, text as one `String` chunk,
//! each with its arrow validity mask (a missing value is a cleared bit). A number read as NaN from a file is a
//! valid NaN, distinct from a missing value. A table's frame shares these buffers.

use std::fmt;

use polars::prelude::*;
use polars_arrow::array::{Array, MutableBinaryViewArray};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};

/// The trait impls a column shares with the other kind: its iterator yields `col.get(i)` in order, `&col`
/// iterates, two columns are equal as sequences of values (so a NaN number never equals itself), and `{:?}`
/// lists the values.
macro_rules! sequence_impls {
    ($col:ident, $iter:ident, $item:ty) => {
        impl<'a> Iterator for $iter<'a> {
            type Item = $item;

            fn next(&mut self) -> Option<$item> {
                (self.i < self.col.len()).then(|| {
                    self.i += 1;
                    self.col.get(self.i - 1)
                })
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                let n = self.col.len() - self.i;
                (n, Some(n))
            }
        }

        impl ExactSizeIterator for $iter<'_> {}

        impl<'a> IntoIterator for &'a $col {
            type Item = $item;
            type IntoIter = $iter<'a>;

            fn into_iter(self) -> $iter<'a> {
                self.iter()
            }
        }

        impl PartialEq for $col {
            fn eq(&self, other: &Self) -> bool {
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }

        impl fmt::Debug for $col {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }
    };
}

/// The single arrow chunk of a column (`None` for a column built empty).
fn only_chunk<T: PolarsDataType>(ca: &ChunkedArray<T>) -> Option<&T::Array> {
    ca.downcast_iter().next()
}

/// A validity mask as polars keeps it: `None` when no value is missing.
fn frozen(valid: MutableBitmap) -> Option<Bitmap> {
    (valid.unset_bits() > 0).then(|| valid.freeze())
}

/// A numeric column: a polars `Float64` array of one chunk (contiguous values, arrow validity mask). A missing
/// slot holds NaN in [`NumColumn::values`]; [`NumColumn::series`] hands polars the same buffers, no copy.
#[derive(Clone, Default)]
pub struct NumColumn {
    ca: Float64Chunked,
}

impl NumColumn {
    /// A column of present values (no copy).
    pub(crate) fn from_values(values: Vec<f64>) -> Self {
        NumColumn {
            ca: Float64Chunked::from_vec(PlSmallStr::EMPTY, values),
        }
    }

    /// A column from values and a mask (missing slots must already hold NaN; no copy).
    fn from_parts(values: Vec<f64>, valid: MutableBitmap) -> Self {
        NumColumn {
            ca: Float64Chunked::from_vec_validity(PlSmallStr::EMPTY, values, frozen(valid)),
        }
    }

    /// A column whose NaN slots are missing (for a reader that never yields a NaN value; no copy).
    pub(crate) fn from_nan_missing(values: Vec<f64>) -> Self {
        let valid = MutableBitmap::from_iter(values.iter().map(|x| !x.is_nan()));
        NumColumn::from_parts(values, valid)
    }

    /// A polars float column as a typed column: shared buffers when it is one chunk whose missing slots hold
    /// NaN, else one copy that makes it so.
    pub(crate) fn from_chunked(ca: &Float64Chunked) -> Self {
        let ca = ca.rechunk().into_owned();
        let nan_slots = only_chunk(&ca).is_none_or(|arr| {
            arr.validity().is_none_or(|valid| {
                arr.values()
                    .iter()
                    .zip(valid.iter())
                    .all(|(x, ok)| ok || x.is_nan())
            })
        });
        match nan_slots {
            true => NumColumn { ca },
            false => ca.iter().collect(),
        }
    }

    #[cfg(test)]
    /// A column from values that may be missing.
    pub(crate) fn from_options(values: &[Option<f64>]) -> Self {
        values.iter().copied().collect()
    }

    /// The column with some values replaced (`None` makes one missing; an index past the end is ignored):
    /// one copy of the values, whatever the number of replacements.
    pub fn with_replaced(&self, replace: impl IntoIterator<Item = (usize, Option<f64>)>) -> Self {
        let mut values = self.values().to_vec();
        let mut valid = MutableBitmap::from_iter((0..self.len()).map(|i| self.is_valid(i)));
        for (i, x) in replace {
            if let Some(v) = values.get_mut(i) {
                *v = x.unwrap_or(f64::NAN);
                valid.set(i, x.is_some());
            }
        }
        NumColumn::from_parts(values, valid)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ca.len()
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `i`; `None` when missing or past the end.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.is_valid(i).then(|| self.values()[i])
    }

    /// True when the value at `i` is present.
    pub fn is_valid(&self, i: usize) -> bool {
        only_chunk(&self.ca).is_some_and(|arr| i < arr.len() && arr.is_valid(i))
    }

    /// Number of missing values.
    pub fn null_count(&self) -> usize {
        self.ca.null_count()
    }

    /// The raw values, contiguous (a missing slot holds NaN: check [`NumColumn::is_valid`]).
    pub fn values(&self) -> &[f64] {
        only_chunk(&self.ca).map_or(&[], |arr| arr.values().as_slice())
    }

    /// The values in order, `None` where missing.
    pub fn iter(&self) -> NumIter<'_> {
        NumIter { col: self, i: 0 }
    }

    /// The values as options (a copy, for callers that need an owned vector).
    pub fn to_options(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }

    /// A new column holding only `rows` (in the order given; an index past the end is missing): a polars
    /// gather.
    pub fn take(&self, rows: &[usize]) -> Self {
        match gathered(&self.ca, rows) {
            // polars zeroes a missing row's slot: made NaN again.
            Some(ca) => NumColumn::from_chunked(&ca),
            None => rows.iter().map(|&i| self.get(i)).collect(),
        }
    }

    /// The column as a named polars column sharing this column's buffers (no copy).
    pub fn series(&self, name: &str) -> Column {
        self.ca.clone().with_name(name.into()).into_column()
    }
}

/// The rows of a one-chunk column gathered by polars into one chunk;
/// `None` when a row is past the end or the row count does not fit polars' index type.
fn gathered<T: PolarsDataType>(ca: &ChunkedArray<T>, rows: &[usize]) -> Option<ChunkedArray<T>>
where
    ChunkedArray<T>: ChunkTake<IdxCa>,
{
    let idx = rows
        .iter()
        .map(|&i| IdxSize::try_from(i).ok().filter(|_| i < ca.len()))
        .collect::<Option<Vec<IdxSize>>>()?;
    let out = ca.take(&IdxCa::from_vec(PlSmallStr::EMPTY, idx)).ok()?;
    Some(out.rechunk().into_owned())
}

/// Iterator over a [`NumColumn`]'s values.
#[derive(Clone)]
pub struct NumIter<'a> {
    col: &'a NumColumn,
    i: usize,
}

impl FromIterator<Option<f64>> for NumColumn {
    fn from_iter<I: IntoIterator<Item = Option<f64>>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut values = Vec::with_capacity(iter.size_hint().0);
        let mut valid = MutableBitmap::with_capacity(iter.size_hint().0);
        for x in iter {
            values.push(x.unwrap_or(f64::NAN));
            valid.push(x.is_some());
        }
        NumColumn::from_parts(values, valid)
    }
}

sequence_impls!(NumColumn, NumIter, Option<f64>);

/// A text column: a polars `String` (UTF-8 view) array of one chunk, with its validity mask;
/// [`TextColumn::series`] hands polars the same buffers, no copy.
#[derive(Clone, Default)]
pub struct TextColumn {
    ca: StringChunked,
}

impl TextColumn {
    /// A column from one buffer and its value offsets (from 0, ascending, on character boundaries), an
    /// empty value missing; `None` when the offsets do not fit the buffer.
    pub(crate) fn from_nonempty(bytes: String, offsets: Vec<usize>) -> Option<Self> {
        let fits = offsets.first() == Some(&0)
            && offsets.last() == Some(&bytes.len())
            && offsets
                .windows(2)
                .all(|w| w[0] <= w[1] && bytes.is_char_boundary(w[1]));
        if !fits {
            return None;
        }
        let cells = offsets
            .windows(2)
            .map(|w| (w[0] < w[1]).then(|| &bytes[w[0]..w[1]]));
        Some(cells.collect())
    }

    /// A polars string column as a typed column, sharing its buffers (one chunk; no copy when it is one).
    pub(crate) fn from_chunked(ca: &StringChunked) -> Self {
        TextColumn {
            ca: ca.rechunk().into_owned(),
        }
    }

    #[cfg(test)]
    /// A column from values that may be missing.
    pub(crate) fn from_options<S: AsRef<str>>(values: &[Option<S>]) -> Self {
        values
            .iter()
            .map(|s| s.as_ref().map(AsRef::as_ref))
            .collect()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ca.len()
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `i`; `None` when missing or past the end.
    pub fn get(&self, i: usize) -> Option<&str> {
        let arr = only_chunk(&self.ca)?;
        (i < arr.len() && arr.is_valid(i)).then(|| arr.value(i))
    }

    /// True when the value at `i` is present.
    pub fn is_valid(&self, i: usize) -> bool {
        only_chunk(&self.ca).is_some_and(|arr| i < arr.len() && arr.is_valid(i))
    }

    /// Number of missing values.
    pub fn null_count(&self) -> usize {
        self.ca.null_count()
    }

    /// The values in order, `None` where missing.
    pub fn iter(&self) -> TextIter<'_> {
        TextIter { col: self, i: 0 }
    }

    /// The values as owned strings (a copy, for callers that need one).
    pub fn to_options(&self) -> Vec<Option<String>> {
        self.iter().map(|s| s.map(str::to_string)).collect()
    }

    /// A new column holding only `rows` (in the order given; an index past the end is missing): a polars
    /// gather.
    pub fn take(&self, rows: &[usize]) -> Self {
        match gathered(&self.ca, rows) {
            Some(ca) => TextColumn { ca },
            None => rows.iter().map(|&i| self.get(i)).collect(),
        }
    }

    /// The column as a named polars column sharing this column's buffers (no copy).
    pub fn series(&self, name: &str) -> Column {
        self.ca.clone().with_name(name.into()).into_column()
    }
}

/// Iterator over a [`TextColumn`]'s values.
#[derive(Clone)]
pub struct TextIter<'a> {
    col: &'a TextColumn,
    i: usize,
}

/// From `Option<&str>`, `Option<String>` or any other `Option` of a string.
impl<S: AsRef<str>> FromIterator<Option<S>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut arr = MutableBinaryViewArray::<str>::with_capacity(iter.size_hint().0);
        for s in iter {
            arr.push(s.as_ref().map(AsRef::as_ref));
        }
        TextColumn {
            ca: StringChunked::with_chunk(PlSmallStr::EMPTY, arr.freeze()),
        }
    }
}

sequence_impls!(TextColumn, TextIter, Option<&'a str>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_nan_apart_from_missing() {
        let c: NumColumn = [Some(1.5), None, Some(f64::NAN), Some(-0.0)]
            .into_iter()
            .collect();
        assert_eq!(c.len(), 4);
        assert_eq!(c.null_count(), 1);
        assert_eq!(c.get(0), Some(1.5));
        assert_eq!(c.get(1), None);
        assert!(c.get(2).is_some_and(f64::is_nan));
        assert!(c.is_valid(2) && !c.is_valid(1));
        assert_eq!(c.get(9), None);
        assert_eq!(c.values()[0], 1.5);
        let v: Vec<Option<f64>> = c.iter().collect();
        assert_eq!(v[..2], [Some(1.5), None]);
        assert_eq!(v[3], Some(-0.0));
    }

    #[test]
    fn nan_missing_masks_the_nan_slots_at_any_offset() {
        for (a, b) in [(0, 200), (3, 61), (5, 130), (64, 64), (63, 1)] {
            let mut v = vec![f64::NAN];
            v.extend(std::iter::repeat_n(1.0, a));
            v.extend(std::iter::repeat_n(2.0, b));
            v.push(f64::NAN);
            let c = NumColumn::from_nan_missing(v);
            assert_eq!((c.len(), c.null_count()), (a + b + 2, 2));
            assert!((1..=a + b).all(|i| c.is_valid(i)));
            assert!(!c.is_valid(0) && !c.is_valid(a + b + 1) && !c.is_valid(a + b + 2));
        }
    }

    #[test]
    fn numbers_replaced_and_taken_update_the_mask() {
        let c = NumColumn::from_values((0..130).map(f64::from).collect());
        assert_eq!((c.null_count(), c.get(129)), (0, Some(129.0)));
        let c = c.with_replaced([(64, None), (3, None), (3, Some(7.0)), (500, None)]);
        assert_eq!((c.null_count(), c.get(64), c.get(3)), (1, None, Some(7.0)));
        assert!(c.values()[64].is_nan());
        let t = c.take(&[64, 3, 500]);
        assert_eq!(t.to_options(), [None, Some(7.0), None]);
        assert_eq!(t.null_count(), 2);
        let gathered = c.take(&[129, 64, 3, 64]);
        assert_eq!(gathered.to_options(), [Some(129.0), None, Some(7.0), None]);
        assert!(gathered.values()[1].is_nan() && gathered.values()[3].is_nan());
    }

    /// A polars column and its typed column share one buffer both ways; a missing slot that polars filled
    /// with 0 is copied once so that it holds NaN.
    #[test]
    fn polars_columns_share_buffers() {
        let c = NumColumn::from_values(vec![1.0, 2.5, -3.0]);
        let s = c.series("x");
        let back = NumColumn::from_chunked(s.f64().unwrap());
        assert_eq!(back.values().as_ptr(), c.values().as_ptr());
        let zero_filled = Float64Chunked::from_vec_validity(
            "y".into(),
            vec![1.0, 0.0],
            Some(Bitmap::from_iter([true, false])),
        );
        let y = NumColumn::from_chunked(&zero_filled);
        assert_eq!(y.to_options(), [Some(1.0), None]);
        assert!(y.values()[1].is_nan());
        let t = TextColumn::from_options(&[Some("a long identifier value"), None]);
        let back = TextColumn::from_chunked(t.series("id").str().unwrap());
        assert_eq!(back.get(0).map(str::as_ptr), t.get(0).map(str::as_ptr));
        assert_eq!(back.null_count(), 1);
    }

    #[test]
    fn text_from_one_buffer_has_empty_values_missing() {
        let c = TextColumn::from_nonempty("abé".into(), vec![0, 1, 1, 4]).unwrap();
        assert_eq!(c.to_options(), [Some("a".into()), None, Some("bé".into())]);
        assert_eq!(c.null_count(), 1);
        assert!(TextColumn::from_nonempty("abé".into(), vec![0, 3, 4]).is_none());
        assert!(TextColumn::from_nonempty("ab".into(), vec![0, 1]).is_none());
        assert!(TextColumn::from_nonempty("ab".into(), vec![0, 2, 1, 2]).is_none());
        assert_eq!(
            TextColumn::from_nonempty(String::new(), vec![0]).map(|c| c.len()),
            Some(0)
        );
    }

    #[test]
    fn text_is_one_buffer_with_missing_values() {
        let c = TextColumn::from_options(&[Some("00042"), None, Some(""), Some("é")]);
        assert_eq!(c.len(), 4);
        assert_eq!(c.null_count(), 1);
        assert_eq!(c.get(0), Some("00042"));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some(""));
        assert_eq!(c.get(3), Some("é"));
        assert_eq!(c.get(4), None);
        assert!(!c.is_valid(1) && c.is_valid(2));
        let v: Vec<Option<&str>> = c.iter().collect();
        assert_eq!(v, [Some("00042"), None, Some(""), Some("é")]);
        assert_eq!(c.take(&[3, 1]).to_options(), [Some("é".into()), None]);
    }
}
