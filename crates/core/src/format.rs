//! Every number and p-value formatter in one place, each named by what it prints. Tables, reports and the
//! verbs' printed summaries all format through these, so a p-value reads the same wherever it appears.

/// A p-value as journals print it: "0.031", "0.0004", "<0.0001".
pub fn p_journal(p: f64) -> String {
    if p < 0.0001 {
        "<0.0001".into()
    } else if p < 0.001 {
        format!("{p:.4}")
    } else {
        format!("{p:.3}")
    }
}

/// A journal p-value after its name: "= 0.031" or "< 0.0001".
pub fn p_after_name(p: f64) -> String {
    let t = p_journal(p);
    match t.strip_prefix('<') {
        Some(bound) => format!("< {bound}"),
        None => format!("= {t}"),
    }
}

/// "P = 0.031" or "P < 0.0001" (never "P = <0.0001").
pub fn p_is(p: f64) -> String {
    format!("P {}", p_after_name(p))
}

/// "P=0.031" or "P<0.0001", as a figure's legend prints it.
pub fn p_equals(p: f64) -> String {
    let t = p_journal(p);
    if t.starts_with('<') {
        format!("P{t}")
    } else {
        format!("P={t}")
    }
}

/// A p-value as R's `summary()` prints it: "0.0312", "1.23e-05", "< 2e-16" below machine precision.
pub fn p_r(p: f64) -> String {
    if p < 2e-16 {
        "< 2e-16".into()
    } else if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

/// R's significance stars: "***" below 0.001, "**", "*", "." below 0.1, else "".
pub fn stars(p: f64) -> &'static str {
    match p {
        p if p < 0.001 => "***",
        p if p < 0.01 => "**",
        p if p < 0.05 => "*",
        p if p < 0.1 => ".",
        _ => "",
    }
}

/// Five significant digits, as R prints coefficients (scientific below 1e-4 and from 1e6).
pub fn significant5(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (4 - x.abs().log10().floor() as i32).clamp(0, 10) as usize;
    if x.abs() >= 1e6 || x.abs() < 1e-4 {
        format!("{x:.4e}")
    } else {
        format!("{x:.digits$}")
    }
}

/// Infinities as R prints them ("Inf", "-Inf"; Rust's own text is "inf"); None for any other number.
fn infinity(x: f64) -> Option<String> {
    x.is_infinite()
        .then(|| if x > 0.0 { "Inf" } else { "-Inf" }.to_string())
}

/// A number with a fixed count of decimals, for reading ("-0.00" prints as "0.00"; infinities "Inf", "-Inf").
pub fn fixed(x: f64, decimals: usize) -> String {
    if let Some(inf) = infinity(x) {
        return inf;
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A number in full precision for CSV (the shortest form that reads back the same; infinities "Inf", "-Inf" as
/// R writes them); empty for `None`.
pub fn shortest(x: Option<f64>) -> String {
    x.map(|v| infinity(v).unwrap_or_else(|| format!("{v}")))
        .unwrap_or_default()
}

/// A number with up to 4 decimals, trailing zeros trimmed ("0.05", "3"), as published numbers are written.
pub fn trimmed4(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 {
        return format!("{}", x as i64);
    }
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_journal_and_r() {
        assert_eq!(p_journal(0.03123), "0.031");
        assert_eq!(p_journal(0.00042), "0.0004");
        assert_eq!(p_journal(0.00001), "<0.0001");
        assert_eq!(p_after_name(0.00001), "< 0.0001");
        assert_eq!(p_is(0.2), "P = 0.200");
        assert_eq!(p_equals(0.00001), "P<0.0001");
        assert_eq!(p_r(1e-20), "< 2e-16");
        assert_eq!(p_r(1.234e-5), "1.23e-5");
        assert_eq!(stars(0.04), "*");
    }

    #[test]
    fn numbers() {
        assert_eq!(significant5(0.0123456), "0.012346");
        assert_eq!(fixed(-0.001, 2), "0.00");
        assert_eq!(shortest(Some(0.1)), "0.1");
        // R: format(c(Inf, -Inf, NaN), nsmall = 3) and write.csv print Inf, -Inf, NaN.
        assert_eq!(fixed(f64::INFINITY, 3), "Inf");
        assert_eq!(fixed(f64::NEG_INFINITY, 3), "-Inf");
        assert_eq!(fixed(f64::NAN, 3), "NaN");
        assert_eq!(shortest(Some(f64::INFINITY)), "Inf");
        assert_eq!(shortest(Some(f64::NEG_INFINITY)), "-Inf");
        assert_eq!(trimmed4(0.0500), "0.05");
        assert_eq!(trimmed4(3.0), "3");
    }
}
