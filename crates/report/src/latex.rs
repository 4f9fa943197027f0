//! LaTeX tables in the `booktabs` style (`\toprule`, `\midrule`, `\bottomrule`), for pasting into a manuscript.

/// One table: label, caption, column heads and cells (Markdown code spans are stripped).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `\label{...}`.
    pub label: String,
    /// Caption.
    pub caption: String,
    /// Column heads.
    pub head: Vec<String>,
    /// Cells, row by row.
    pub rows: Vec<Vec<String>>,
}

/// Escape text for LaTeX, mapping the report's Unicode symbols to math or text commands.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str(r"\textasciitilde{}"),
            '^' => out.push_str(r"\textasciicircum{}"),
            '`' => {}
            '<' => out.push_str(r"$<$"),
            '>' => out.push_str(r"$>$"),
            '≤' => out.push_str(r"$\leq$"),
            '≥' => out.push_str(r"$\geq$"),
            '°' => out.push_str(r"$^\circ$"),
            '–' => out.push_str("--"),
            '—' => out.push_str("---"),
            '−' => out.push_str("$-$"),
            '×' => out.push_str(r"$\times$"),
            '÷' => out.push_str(r"$\div$"),
            '±' => out.push_str(r"$\pm$"),
            '→' => out.push_str(r"$\rightarrow$"),
            '·' => out.push_str(r"$\cdot$"),
            _ => out.push(c),
        }
    }
    out
}

/// A column is right-aligned when every non-empty cell starts like a number.
fn numeric_column(rows: &[Vec<String>], k: usize) -> bool {
    rows.iter()
        .filter_map(|r| r.get(k))
        .filter(|c| !c.is_empty())
        .all(|c| {
            c.starts_with(|ch: char| ch.is_ascii_digit() || ch == '-' || ch == '<' || ch == '–')
        })
}

impl Table {
    /// The table as a floating `table` environment with a `tabular` in booktabs rules.
    pub fn render(&self) -> String {
        let spec: String = (0..self.head.len())
            .map(|k| {
                if numeric_column(&self.rows, k) {
                    'r'
                } else {
                    'l'
                }
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .map(|c| escape(c))
                .collect::<Vec<_>>()
                .join(" & ")
                + " \\\\\n"
        };
        let mut s = format!(
            "\\begin{{table}}[htbp]\n\\centering\n\\caption{{{}}}\n\\label{{{}}}\n\\begin{{tabular}}{{{spec}}}\n\\toprule\n",
            escape(&self.caption),
            self.label
        );
        s.push_str(&line(&self.head));
        s.push_str("\\midrule\n");
        for r in &self.rows {
            s.push_str(&line(r));
        }
        s.push_str("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
        s
    }
}

/// Several tables in one file, with a comment saying which packages they need.
pub fn document(tables: &[Table]) -> String {
    let mut s = String::from(
        "% Tables of the calcscore report. Needs \\usepackage{booktabs} in the preamble.\n\n",
    );
    for t in tables {
        s.push_str(&t.render());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booktabs_table_escapes_and_aligns() {
        let t = Table {
            label: "tab:x".into(),
            caption: "Score ≥2 & 95% CI".into(),
            head: vec!["term".into(), "estimate".into()],
            rows: vec![vec!["`calcium_360`".into(), "-10.30".into()]],
        };
        let tex = t.render();
        assert!(tex.contains("\\begin{tabular}{lr}\n\\toprule\nterm & estimate \\\\\n\\midrule\n"));
        assert!(tex.contains("calcium\\_360 & -10.30 \\\\\n\\bottomrule"));
        assert!(tex.contains("\\caption{Score $\\geq$2 \\& 95\\% CI}"));
    }
}
