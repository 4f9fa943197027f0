//! Reports: one table type (text, CSV, Markdown, LaTeX, HTML), figures (SVG, PNG), JSON, written atomically to an output directory.

mod axes;
pub mod canon_charts;
pub mod card;
pub mod charts;
pub mod check;
pub mod doc;
pub mod figures;
pub mod html;
pub mod impute_charts;
pub mod json;
pub mod latex;
pub mod output;
pub mod scatter;
pub mod table;
pub mod table1;

use std::path::Path;

pub use calcscore_core::format::{fixed as r, shortest as num};
pub use calcscore_core::{Error, Result};
pub use doc::Doc;
pub use table::{Align, Table};

/// One output file: name relative to the output directory, and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// Write all files to `out` as `producer`'s whole output, replacing its previous one at once and keeping files
/// calcscore did not write and other commands' files (see [`output`]); refuses a directory that is not calcscore's.
pub fn write_atomically(
    out: &Path,
    files: &[OutputFile],
    producer: output::Producer,
) -> Result<()> {
    output::OutDir::open(out, &[], producer)?.write(files, output::Mode::Replace)
}

/// A CSV text from a header and rows of cells: shorthand for [`Table::to_csv`].
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    Table::new(header).rows(rows.to_vec()).to_csv()
}

/// CSV text of a header and rows made one at a time, written exactly as [`Table::to_csv`] writes the same
/// cells, without building a table of strings first (a ledger of 10^6 lesions would be held twice).
pub fn csv_rows<R, C>(header: &[&str], rows: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        for c in r {
            let _ = w.write_field(c.as_ref());
        }
        let _ = w.write_record(None::<&[u8]>);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A Markdown pipe table: shorthand for [`Table::to_markdown`].
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    Table::new(header).rows(rows.to_vec()).to_markdown()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row-by-row CSV is byte for byte what the table renderer writes, quoting included.
    #[test]
    fn csv_rows_writes_what_table_to_csv_writes() {
        let rows = vec![
            vec!["L1".to_string(), "a, b".into(), "say \"hi\"".into()],
            vec!["L2".into(), String::new(), "two\nlines".into()],
        ];
        let header = ["id", "text", "quote"];
        assert_eq!(csv_rows(&header, rows.clone()), csv(&header, &rows));
    }
}
