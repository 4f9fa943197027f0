//! Number formatting shared by every table and report.

/// A p-value as journals print it.
pub fn fmt_p(p: f64) -> String {
    if p < 0.0001 {
        "<0.0001".into()
    } else if p < 0.001 {
        format!("{p:.4}")
    } else {
        format!("{p:.3}")
    }
}
