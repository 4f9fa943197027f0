//! Reports: tables (CSV, Markdown), figures (SVG, PNG), JSON, written atomically to an output directory.

pub mod canon_charts;
pub mod card;
pub mod charts;
pub mod check;
pub mod figures;
pub mod format;
pub mod html;
pub mod json;
pub mod latex;
pub mod output;
pub mod scatter;
pub mod table1;

use std::path::Path;

pub use calcscore_core::{Error, Result};
use check::{CheckRow, Status};

/// One output file: name relative to the output directory, and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// Write all files to `out` as a whole report, replacing a previous one at once and keeping files calcscore did
/// not write (see [`output`]); refuses a directory that is not calcscore's.
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> Result<()> {
    output::OutDir::open(out, &[])?.write(files, output::Mode::Replace)
}

/// A CSV text from a header and rows of cells (cells with commas, quotes or newlines are quoted).
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

/// A Markdown pipe table.
pub fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A full-precision number for CSV (shortest round-trip form); empty for `None`.
pub fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// A number rounded for reading.
pub fn r(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// The published-numbers check as an aligned text table with a verdict line.
pub fn check_table_text(rows: &[CheckRow]) -> String {
    let head = ["quantity", "published", "reproduced", "tolerance", "result"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.published.clone(),
                r.reproduced.clone(),
                r.tolerance.clone(),
                status_word(r.status).into(),
            ]
        })
        .collect();
    let width = |k: usize| {
        cells
            .iter()
            .map(|c| c[k].chars().count())
            .chain([head[k].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(|k| width(k).min(60)).collect();
    let fmt_row = |c: [&str; 5]| {
        let mut s: String = c
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{:<w$}  ", v, w = *w))
            .collect();
        s.truncate(s.trim_end().len());
        s + "\n"
    };
    let mut out = fmt_row(head);
    for c in &cells {
        out.push_str(&fmt_row([&c[0], &c[1], &c[2], &c[3], &c[4]]));
    }
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    out.push_str(&format!(
        "\n{} passed, {} failed, {} absent, {} not checked (listed, never passed).\n{}\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Missing),
        count(Status::NotChecked),
        if check::all_pass(rows) {
            "CHECK PASSED"
        } else {
            "CHECK FAILED"
        }
    ));
    out
}

/// The word for a status in tables.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::NotChecked => "not checked",
        Status::Missing => "ABSENT",
    }
}
