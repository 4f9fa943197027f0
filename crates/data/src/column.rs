//! Typed column storage: numbers as one contiguous `Vec<f64>`, text as one byte buffer with offsets, each
//! with a validity mask (a missing value is a cleared bit). A number read as NaN from a file is a valid NaN,
//! distinct from a missing value.

use std::fmt;

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

/// A validity mask, one bit per value (set = present, cleared = missing).
#[derive(Clone, Default, PartialEq, Eq)]
struct Validity {
    words: Vec<u64>,
    len: usize,
    nulls: usize,
}

impl Validity {
    /// A mask of `len` values, all present.
    fn all_valid(len: usize) -> Self {
        let mut words = vec![u64::MAX; len.div_ceil(64)];
        if len % 64 != 0 {
            if let Some(last) = words.last_mut() {
                *last = (1u64 << (len % 64)) - 1;
            }
        }
        Validity {
            words,
            len,
            nulls: 0,
        }
    }

    fn with_capacity(n: usize) -> Self {
        Validity {
            words: Vec::with_capacity(n.div_ceil(64)),
            len: 0,
            nulls: 0,
        }
    }

    fn push(&mut self, valid: bool) {
        if self.len % 64 == 0 {
            self.words.push(0);
        }
        if valid {
            if let Some(w) = self.words.last_mut() {
                *w |= 1u64 << (self.len % 64);
            }
        } else {
            self.nulls += 1;
        }
        self.len += 1;
    }

    /// Append `count` present values: whole words at a time once the last word is full.
    fn extend_valid(&mut self, count: usize) {
        let mut left = count;
        while left > 0 && self.len % 64 != 0 {
            self.push(true);
            left -= 1;
        }
        let full = left / 64;
        self.words.extend(std::iter::repeat_n(u64::MAX, full));
        self.len += full * 64;
        for _ in 0..left % 64 {
            self.push(true);
        }
    }

    fn get(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] >> (i % 64) & 1 == 1
    }

    fn set(&mut self, i: usize, valid: bool) {
        if i >= self.len || self.get(i) == valid {
            return;
        }
        self.words[i / 64] ^= 1u64 << (i % 64);
        if valid {
            self.nulls -= 1;
        } else {
            self.nulls += 1;
        }
    }
}

/// A numeric column: contiguous values and a validity mask. A missing slot holds NaN in [`NumColumn::values`].
#[derive(Clone, Default)]
pub struct NumColumn {
    values: Vec<f64>,
    valid: Validity,
}

impl NumColumn {
    /// An empty column with room for `n` values.
    pub fn with_capacity(n: usize) -> Self {
        NumColumn {
            values: Vec::with_capacity(n),
            valid: Validity::with_capacity(n),
        }
    }

    /// A column of present values (no copy).
    pub fn from_values(values: Vec<f64>) -> Self {
        let valid = Validity::all_valid(values.len());
        NumColumn { values, valid }
    }

    /// A column whose NaN slots are missing (for a reader that never yields a NaN value; no copy).
    pub(crate) fn from_nan_missing(values: Vec<f64>) -> Self {
        let mut words = Vec::with_capacity(values.len().div_ceil(64));
        let mut nulls = 0;
        for chunk in values.chunks(64) {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, x)| w | u64::from(!x.is_nan()) << i);
            nulls += chunk.len() - word.count_ones() as usize;
            words.push(word);
        }
        let valid = Validity {
            words,
            len: values.len(),
            nulls,
        };
        NumColumn { values, valid }
    }

    /// A column from values that may be missing.
    pub fn from_options(values: &[Option<f64>]) -> Self {
        values.iter().copied().collect()
    }

    /// Append a value (`None` is missing).
    pub fn push(&mut self, x: Option<f64>) {
        self.values.push(x.unwrap_or(f64::NAN));
        self.valid.push(x.is_some());
    }

    /// Append present values in bulk (one copy).
    pub(crate) fn extend_valid(&mut self, values: &[f64]) {
        self.values.extend_from_slice(values);
        self.valid.extend_valid(values.len());
    }

    /// Append values with their validity bits (a missing slot is stored as NaN).
    pub(crate) fn extend_masked(&mut self, values: &[f64], valid: impl Iterator<Item = bool>) {
        for (&x, ok) in values.iter().zip(valid) {
            self.values.push(if ok { x } else { f64::NAN });
            self.valid.push(ok);
        }
    }

    /// Replace the value at `i` (`None` makes it missing); an index past the end is ignored.
    pub fn set(&mut self, i: usize, x: Option<f64>) {
        if let Some(v) = self.values.get_mut(i) {
            *v = x.unwrap_or(f64::NAN);
            self.valid.set(i, x.is_some());
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value at `i`; `None` when missing or past the end.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.valid.get(i).then(|| self.values[i])
    }

    /// True when the value at `i` is present.
    pub fn is_valid(&self, i: usize) -> bool {
        self.valid.get(i)
    }

    /// Number of missing values.
    pub fn null_count(&self) -> usize {
        self.valid.nulls
    }

    /// The raw values, contiguous (a missing slot holds NaN: check [`NumColumn::is_valid`]).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The values in order, `None` where missing.
    pub fn iter(&self) -> NumIter<'_> {
        NumIter { col: self, i: 0 }
    }

    /// The values as options (a copy, for callers that need an owned vector).
    pub fn to_options(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }

    /// A new column holding only `rows` (in the order given; an index past the end is missing).
    pub fn take(&self, rows: &[usize]) -> Self {
        rows.iter().map(|&i| self.get(i)).collect()
    }
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
        let mut col = NumColumn::with_capacity(iter.size_hint().0);
        for x in iter {
            col.push(x);
        }
        col
    }
}

sequence_impls!(NumColumn, NumIter, Option<f64>);

/// A text column: every value in one byte buffer, with offsets and a validity mask (no allocation per value).
#[derive(Clone)]
pub struct TextColumn {
    bytes: String,
    offsets: Vec<usize>,
    valid: Validity,
}

impl Default for TextColumn {
    fn default() -> Self {
        TextColumn::with_capacity(0, 0)
    }
}

impl TextColumn {
    /// An empty column with room for `n` values of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        TextColumn {
            bytes: String::with_capacity(bytes),
            offsets,
            valid: Validity::with_capacity(n),
        }
    }

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
        let mut valid = Validity::with_capacity(offsets.len() - 1);
        for w in offsets.windows(2) {
            valid.push(w[0] < w[1]);
        }
        Some(TextColumn {
            bytes,
            offsets,
            valid,
        })
    }

    /// A column from values that may be missing.
    pub fn from_options<S: AsRef<str>>(values: &[Option<S>]) -> Self {
        values
            .iter()
            .map(|s| s.as_ref().map(AsRef::as_ref))
            .collect()
    }

    /// Append a value (`None` is missing).
    pub fn push(&mut self, s: Option<&str>) {
        self.bytes.push_str(s.unwrap_or_default());
        self.offsets.push(self.bytes.len());
        self.valid.push(s.is_some());
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Bytes of all values together (to size a column built from this one).
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `i`; `None` when missing or past the end.
    pub fn get(&self, i: usize) -> Option<&str> {
        if !self.valid.get(i) {
            return None;
        }
        self.bytes.get(self.offsets[i]..self.offsets[i + 1])
    }

    /// True when the value at `i` is present.
    pub fn is_valid(&self, i: usize) -> bool {
        self.valid.get(i)
    }

    /// Number of missing values.
    pub fn null_count(&self) -> usize {
        self.valid.nulls
    }

    /// The values in order, `None` where missing.
    pub fn iter(&self) -> TextIter<'_> {
        TextIter { col: self, i: 0 }
    }

    /// The values as owned strings (a copy, for callers that need one).
    pub fn to_options(&self) -> Vec<Option<String>> {
        self.iter().map(|s| s.map(str::to_string)).collect()
    }

    /// A new column holding only `rows` (in the order given; an index past the end is missing).
    pub fn take(&self, rows: &[usize]) -> Self {
        rows.iter().map(|&i| self.get(i)).collect()
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
        let mut col = TextColumn::with_capacity(iter.size_hint().0, 0);
        for s in iter {
            col.push(s.as_ref().map(AsRef::as_ref));
        }
        col
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
    fn bulk_valid_values_extend_the_mask_at_any_offset() {
        for (a, b) in [(0, 200), (3, 61), (5, 130), (64, 64), (63, 1)] {
            let mut c = NumColumn::with_capacity(a + b + 1);
            c.push(None);
            c.extend_valid(&vec![1.0; a]);
            c.extend_valid(&vec![2.0; b]);
            c.push(None);
            assert_eq!((c.len(), c.null_count()), (a + b + 2, 2));
            assert!((1..=a + b).all(|i| c.is_valid(i)));
            assert!(!c.is_valid(0) && !c.is_valid(a + b + 1) && !c.is_valid(a + b + 2));
        }
    }

    #[test]
    fn numbers_set_and_take_update_the_mask() {
        let mut c = NumColumn::from_values((0..130).map(f64::from).collect());
        assert_eq!((c.null_count(), c.get(129)), (0, Some(129.0)));
        c.set(64, None);
        c.set(3, None);
        c.set(3, Some(7.0));
        assert_eq!((c.null_count(), c.get(64), c.get(3)), (1, None, Some(7.0)));
        let t = c.take(&[64, 3, 500]);
        assert_eq!(t.to_options(), [None, Some(7.0), None]);
        assert_eq!(t.null_count(), 2);
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
