//! polars views of typed table columns: the frames on which groups, levels and selections are polars expressions.

use polars::prelude::*;

use crate::column::{NumColumn, TextColumn};
use crate::table::{ColumnData, Table};
use crate::DataError;

/// A numeric column as a polars `Float64` column: null where missing, a NaN read from a file stays a valid NaN.
pub fn num_column(name: &str, col: &NumColumn) -> Column {
    let ca = if col.null_count() == 0 {
        Float64Chunked::from_slice(name.into(), col.values())
    } else {
        Float64Chunked::from_iter_options(name.into(), col.iter())
    };
    ca.into_column()
}

/// A text column as a polars `String` column (null where missing).
pub fn text_column(name: &str, col: &TextColumn) -> Column {
    StringChunked::from_iter_options(name.into(), col.iter()).into_column()
}

impl Table {
    /// The named columns as a polars frame, each typed as it was loaded (numbers `Float64`, text `String`).
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
}
