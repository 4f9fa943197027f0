//! One table type for every report, verb and study (statsmodels' `Summary` as the model): a header, rows of
//! cells, an alignment, a caption and notes, rendered to aligned text, CSV, Markdown, LaTeX (booktabs) and HTML.
//! Cells are text that may hold Markdown code spans (`` `x` ``) and emphasis; each format renders them its way.

use crate::{html, latex};

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Flush right (numbers).
    Right,
}

/// A table: header, rows of cells, optional alignment per column, caption, label and notes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column heads.
    pub header: Vec<String>,
    /// Cells, row by row.
    pub rows: Vec<Vec<String>>,
    /// Alignment per column; empty means "by content" (a column of numbers is right-aligned in LaTeX and HTML).
    pub align: Vec<Align>,
    /// Caption (LaTeX `\caption`, HTML `<caption>`); not printed in text, CSV or Markdown.
    pub caption: String,
    /// Label (LaTeX `\label`, HTML `class`).
    pub label: String,
    /// Lines printed below the table (in CSV: not printed).
    pub notes: Vec<String>,
    /// Widest column in aligned text (default 60); a longer cell overflows its column rather than widening it.
    pub text_width_cap: Option<usize>,
}

/// Widest column in aligned text unless set.
const TEXT_WIDTH_CAP: usize = 60;

impl Table {
    /// A table with these column heads and no rows.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Table {
        Table {
            header: header.iter().map(|h| h.as_ref().to_string()).collect(),
            ..Table::default()
        }
    }

    /// Add one row.
    pub fn row<S: Into<String>>(mut self, cells: impl IntoIterator<Item = S>) -> Table {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Add rows.
    pub fn rows(mut self, rows: impl IntoIterator<Item = Vec<String>>) -> Table {
        self.rows.extend(rows);
        self
    }

    /// Set the caption.
    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = caption.into();
        self
    }

    /// Set the label.
    pub fn label(mut self, label: impl Into<String>) -> Table {
        self.label = label.into();
        self
    }

    /// Add a note below the table.
    pub fn note(mut self, note: impl Into<String>) -> Table {
        self.notes.push(note.into());
        self
    }

    /// Set the alignment of every column.
    pub fn align(mut self, align: &[Align]) -> Table {
        self.align = align.to_vec();
        self
    }

    /// Set the widest column of aligned text.
    pub fn text_width_cap(mut self, cap: usize) -> Table {
        self.text_width_cap = Some(cap);
        self
    }

    /// Column `k`'s alignment: as set, else right when every non-empty cell starts like a number.
    fn column_align(&self, k: usize) -> Align {
        if let Some(a) = self.align.get(k) {
            return *a;
        }
        let numeric = self
            .rows
            .iter()
            .filter_map(|r| r.get(k))
            .filter(|c| !c.is_empty())
            .all(|c| {
                c.starts_with(|ch: char| ch.is_ascii_digit() || ch == '-' || ch == '<' || ch == '–')
            });
        if numeric {
            Align::Right
        } else {
            Align::Left
        }
    }

    /// The notes as lines after a blank line (empty without notes).
    fn notes_block(&self) -> String {
        if self.notes.is_empty() {
            String::new()
        } else {
            format!("\n{}\n", self.notes.join("\n"))
        }
    }

    /// Aligned text: columns two spaces apart, left-aligned unless set, then the notes.
    pub fn to_text(&self) -> String {
        let width = |k: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(k))
                .chain([&self.header[k]])
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
                .min(self.text_width_cap.unwrap_or(TEXT_WIDTH_CAP))
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        let line = |cells: &[String]| {
            let s: String = cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(k, (c, &w))| match self.align.get(k) {
                    Some(Align::Right) => format!("{c:>w$}  "),
                    _ => format!("{c:<w$}  "),
                })
                .collect();
            s.trim_end().to_string() + "\n"
        };
        let mut out = line(&self.header);
        for r in &self.rows {
            out.push_str(&line(r));
        }
        out + &self.notes_block()
    }

    /// CSV (RFC 4180 quoting by the `csv` crate: a cell with a comma, quote or line break is quoted).
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .flexible(true)
            .from_writer(Vec::new());
        let mut write = |cells: &[String]| {
            // Writing to a Vec cannot fail; a cell is text, so no serialisation error either.
            let _ = w.write_record(cells);
        };
        write(&self.header);
        for r in &self.rows {
            write(r);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// A Markdown pipe table (`|` in cells escaped), then the notes.
    pub fn to_markdown(&self) -> String {
        // A '|' in any cell, header included, is escaped: it would start a new column.
        let line = |cells: &[String]| {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        let mut out = line(&self.header) + &format!("|{}\n", "---|".repeat(self.header.len()));
        for r in &self.rows {
            out.push_str(&line(r));
        }
        out + &self.notes_block()
    }

    /// A floating `table` environment with a booktabs `tabular` (code spans stripped, symbols as LaTeX).
    pub(crate) fn to_latex(&self) -> String {
        let spec: String = (0..self.header.len())
            .map(|k| match self.column_align(k) {
                Align::Right => 'r',
                Align::Left => 'l',
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .map(|c| latex::escape(c))
                .collect::<Vec<_>>()
                .join(" & ")
                + " \\\\\n"
        };
        let mut s = String::from("\\begin{table}[htbp]\n\\centering\n");
        if !self.caption.is_empty() {
            s.push_str(&format!("\\caption{{{}}}\n", latex::escape(&self.caption)));
        }
        if !self.label.is_empty() {
            s.push_str(&format!("\\label{{{}}}\n", self.label));
        }
        s.push_str(&format!("\\begin{{tabular}}{{{spec}}}\n\\toprule\n"));
        s.push_str(&line(&self.header));
        s.push_str("\\midrule\n");
        for r in &self.rows {
            s.push_str(&line(r));
        }
        s.push_str("\\bottomrule\n\\end{tabular}\n");
        for n in &self.notes {
            s.push_str(&format!(
                "\\par\\smallskip{{\\footnotesize {}}}\n",
                latex::escape(n)
            ));
        }
        s.push_str("\\end{table}\n");
        s
    }

    /// An HTML `<table>` (a cell that reads as a number gets `class="num"`), then the notes as paragraphs.
    pub fn to_html(&self) -> String {
        let mut s = if self.label.is_empty() {
            String::from("<table>\n")
        } else {
            format!("<table class=\"{}\">\n", html::escape(&self.label))
        };
        if !self.caption.is_empty() {
            s.push_str(&format!(
                "<caption>{}</caption>\n",
                html::inline(&self.caption)
            ));
        }
        s.push_str("<thead><tr>");
        for h in &self.header {
            s.push_str(&format!("<th>{}</th>", html::inline(h)));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for c in r {
                let class = if reads_as_number(c) {
                    " class=\"num\""
                } else {
                    ""
                };
                s.push_str(&format!("<td{class}>{}</td>", html::inline(c)));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table>\n");
        for n in &self.notes {
            s.push_str(&format!("<p class=\"note\">{}</p>\n", html::inline(n)));
        }
        s
    }
}

/// A cell that reads as a number (right-aligned): "3862", "-8.20 [-13.35, -3.05]", "<0.0001", "46/47".
fn reads_as_number(cell: &str) -> bool {
    let t = cell.trim_start_matches(['-', '<', '–']);
    t.starts_with(|c: char| c.is_ascii_digit())
        && !t.chars().any(|c| c.is_ascii_alphabetic() && c != 'e')
}

/// Several tables in one LaTeX file, with a comment saying which package they need.
pub fn latex_document(tables: &[Table]) -> String {
    let mut s = String::from(
        "% Tables of the calcscore report. Needs \\usepackage{booktabs} in the preamble.\n\n",
    );
    for t in tables {
        s.push_str(&t.to_latex());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Table {
        Table::new(&["term", "estimate"])
            .row(["`calcium_360`", "-10.30"])
            .row(["a, \"b\"", "<0.0001"])
            .caption("Score ≥2 & 95% CI")
            .label("tab:x")
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(
            example().to_csv(),
            "term,estimate\n`calcium_360`,-10.30\n\"a, \"\"b\"\"\",<0.0001\n"
        );
    }

    #[test]
    fn markdown_escapes_pipes_and_appends_notes() {
        let t = Table::new(&["a"]).row(["x|y"]).note("n1").note("n2");
        assert_eq!(t.to_markdown(), "| a |\n|---|\n| x\\|y |\n\nn1\nn2\n");
        // A group named p|q in the header stays one column; LaTeX prints the bar as \textbar{}.
        let t = Table::new(&["g = p|q"]).row(["1"]);
        assert_eq!(t.to_markdown(), "| g = p\\|q |\n|---|\n| 1 |\n");
        assert!(t.to_latex().contains("g = p\\textbar{}q \\\\"));
    }

    #[test]
    fn latex_and_html_render_the_same_table() {
        let (tex, h) = (example().to_latex(), example().to_html());
        for needle in [
            "\\begin{tabular}{lr}\n\\toprule\nterm & estimate \\\\\n\\midrule\n",
            "calcium\\_360 & -10.30 \\\\\n",
            "\\caption{Score $\\geq$2 \\& 95\\% CI}\n\\label{tab:x}",
        ] {
            assert!(tex.contains(needle), "{needle}");
        }
        assert!(h.starts_with("<table class=\"tab:x\">\n<caption>Score ≥2 &amp; 95% CI</caption>"));
        assert!(h.contains("<td><code>calcium_360</code></td><td class=\"num\">-10.30</td>"));
        assert!(h.contains("<td class=\"num\">&lt;0.0001</td>"));
    }

    #[test]
    fn text_aligns() {
        let t = Table::new(&["q", "v"])
            .row(["long name", "1"])
            .align(&[Align::Left, Align::Right])
            .note("done");
        assert_eq!(t.to_text(), "q          v\nlong name  1\n\ndone\n");
    }
}
