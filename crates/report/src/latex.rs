//! LaTeX text: the escaping [`crate::table::Table::to_latex`] applies to every cell and caption.

/// Escape text for LaTeX, mapping the report's Unicode symbols to math or text commands.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str(r"\textasciitilde{}"),
            '|' => out.push_str(r"\textbar{}"),
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
