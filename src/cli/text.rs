//! Aligned text tables the verbs print, built on `calcscore_report::Table` (one text renderer).

use calcscore_report::{Align, Table};
use calcscore_stats::TidyRow;

/// Wald-tested estimates: label, estimate, std.error, z, p and the interval headed `ci_head`.
/// A label with no row (`None`) prints as a heading line inside the table.
pub(crate) fn estimates(ci_head: &str, rows: &[(String, Option<&TidyRow>)]) -> Table {
    let head = ["", "estimate", "std.error", "z", "p", ci_head];
    let mut table = Table::new(&head).align(&[
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Left,
    ]);
    for (label, row) in rows {
        table = table.row(match row {
            Some(r) => vec![
                label.clone(),
                format!("{:.6}", r.estimate),
                format!("{:.6}", r.std_error),
                format!("{:.3}", r.statistic),
                calcscore_core::format::p_r(r.p_value),
                format!("{:.6} - {:.6}", r.conf_low, r.conf_high),
            ],
            None => vec![label.clone()],
        });
    }
    table
}

/// A table of numbers with a text header: every column right-aligned, each value with `decimals[k]` decimals.
pub(crate) fn numbers(head: &[&str], decimals: &[usize], rows: &[Vec<f64>]) -> Table {
    let align = vec![Align::Right; head.len()];
    let cells = rows.iter().map(|r| {
        r.iter()
            .zip(decimals)
            .map(|(v, &d)| format!("{v:.d$}"))
            .collect()
    });
    Table::new(head).align(&align).rows(cells)
}

/// Rows under a header with the given alignment, as aligned text.
pub(crate) fn aligned(
    head: &[&str],
    align: &[Align],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> String {
    Table::new(head).align(align).rows(rows).to_text()
}
