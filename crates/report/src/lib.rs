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

/// Write all files to `out` as a whole report, replacing a previous one at once and keeping files calcscore did
/// not write (see [`output`]); refuses a directory that is not calcscore's.
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> Result<()> {
    output::OutDir::open(out, &[])?.write(files, output::Mode::Replace)
}

/// A CSV text from a header and rows of cells: shorthand for [`Table::to_csv`].
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    Table::new(header).rows(rows.to_vec()).to_csv()
}

/// A Markdown pipe table: shorthand for [`Table::to_markdown`].
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    Table::new(header).rows(rows.to_vec()).to_markdown()
}
