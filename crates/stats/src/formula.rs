//! R-style model formulas: `y ~ a + b`, `a:b`, `a*b`, `factor(x)`, `factor(x > 3)`, `I(x > 5)`, `I(x^2)`,
//! `log(x)`, `sqrt(x)`, `exp(x)`, `- 1` / `+ 0`, and `y ~ .` (every other column of the data).
//!
//! Terms are ordered as R's `terms()` orders them: by degree (main effects first), then by first
//! appearance; the variables inside an interaction follow their first appearance in the formula,
//! so `smoke:age` after `age` and `smoke` is labelled `age:smoke`, as R prints it.

use super::StatsError;

/// A comparison operator of an `I(x op value)` indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
}

impl CompareOp {
    /// The operator as written in R.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Eq => "==",
        }
    }

    /// True when `x op value` holds.
    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            CompareOp::Gt => x > value,
            CompareOp::Ge => x >= value,
            CompareOp::Lt => x < value,
            CompareOp::Le => x <= value,
            CompareOp::Eq => x == value,
        }
    }
}

/// A function applied to a numeric column (`log` is the natural logarithm, as in R).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// `log(x)`, defined for x > 0.
    Log,
    /// `sqrt(x)`, defined for x >= 0.
    Sqrt,
    /// `exp(x)`.
    Exp,
}

impl Transform {
    /// The function's name as written in R.
    pub fn name(self) -> &'static str {
        match self {
            Transform::Log => "log",
            Transform::Sqrt => "sqrt",
            Transform::Exp => "exp",
        }
    }

    /// The value, or None outside the function's domain (or when it overflows).
    pub fn apply(self, x: f64) -> Option<f64> {
        let y = match self {
            Transform::Log if x > 0.0 => x.ln(),
            Transform::Sqrt if x >= 0.0 => x.sqrt(),
            Transform::Exp => x.exp(),
            _ => return None,
        };
        y.is_finite().then_some(y)
    }
}

/// One variable of a formula: a column as it is or transformed, a column forced to a factor, or an indicator.
#[derive(Debug, Clone, PartialEq)]
pub enum Variable {
    /// A column used as it is (numeric, or a factor when its values are text).
    Column(String),
    /// `factor(col)`: treatment-coded factor whatever the column's type.
    Factor(String),
    /// `I(col op value)`: a logical, coded 0/1 and named `I(col op value)TRUE` as in R.
    Indicator {
        /// The column compared.
        column: String,
        /// The comparison.
        op: CompareOp,
        /// The threshold.
        value: f64,
    },
    /// `factor(col op value)`: the same comparison as a factor, named `factor(col op value)TRUE` as in R.
    FactorCompare {
        /// The column compared.
        column: String,
        /// The comparison.
        op: CompareOp,
        /// The threshold.
        value: f64,
    },
    /// `log(col)`, `sqrt(col)`, `exp(col)`.
    Apply {
        /// The function.
        function: Transform,
        /// The column it is applied to.
        column: String,
    },
    /// `I(col^power)`.
    Power {
        /// The column raised.
        column: String,
        /// The exponent.
        power: f64,
    },
}

impl Variable {
    /// The column this variable reads.
    pub fn column(&self) -> &str {
        match self {
            Variable::Column(c) | Variable::Factor(c) => c,
            Variable::Indicator { column, .. }
            | Variable::FactorCompare { column, .. }
            | Variable::Apply { column, .. }
            | Variable::Power { column, .. } => column,
        }
    }

    /// The label R prints for this variable (before any level suffix).
    pub fn label(&self) -> String {
        match self {
            Variable::Column(c) => c.clone(),
            Variable::Factor(c) => format!("factor({c})"),
            Variable::Indicator { column, op, value } => format!(
                "I({column} {} {})",
                op.symbol(),
                calcscore_data::table::format_number(*value)
            ),
            Variable::FactorCompare { column, op, value } => format!(
                "factor({column} {} {})",
                op.symbol(),
                calcscore_data::table::format_number(*value)
            ),
            Variable::Apply { function, column } => format!("{}({column})", function.name()),
            Variable::Power { column, power } => {
                format!(
                    "I({column}^{})",
                    calcscore_data::table::format_number(*power)
                )
            }
        }
    }
}

/// One model term: a main effect (one variable) or an interaction (several).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The variables multiplied together, in formula order.
    pub variables: Vec<Variable>,
}

impl Term {
    /// The term label as R prints it (`age`, `age:smoke`).
    pub fn label(&self) -> String {
        let labels: Vec<String> = self.variables.iter().map(Variable::label).collect();
        labels.join(":")
    }
}

/// A parsed model formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The response column.
    pub response: String,
    /// Model terms in R's order.
    pub terms: Vec<Term>,
    /// Whether the model has an intercept (dropped by `- 1` or `+ 0`).
    pub intercept: bool,
    /// The formula as given.
    pub text: String,
}

fn err(msg: impl Into<String>) -> StatsError {
    StatsError::Formula(msg.into())
}

impl Formula {
    /// Parse `response ~ rhs`, expanding `a*b` into `a + b + a:b`.
    pub fn parse(s: &str) -> Result<Formula, StatsError> {
        let (lhs, rhs) = s
            .split_once('~')
            .ok_or_else(|| err(format!("'{s}' has no '~' (write e.g. y ~ x1 + x2)")))?;
        let Some(response) = column_name(lhs) else {
            return Err(err(format!(
                "'{s}': the response must be one column name, found '{}'",
                lhs.trim()
            )));
        };
        let mut intercept = true;
        let mut order: Vec<Variable> = Vec::new();
        let mut raw: Vec<Vec<Variable>> = Vec::new();
        for (sign, piece) in split_top(rhs, &['+', '-'])? {
            let piece = piece.trim();
            if piece.is_empty() {
                return Err(err(format!("'{s}': empty term")));
            }
            match (sign, piece) {
                ('+', "1") => intercept = true,
                ('-', "1") | ('+', "0") => intercept = false,
                ('-', _) => {
                    return Err(err(format!(
                        "'{s}': removing a term ('- {piece}') is not supported; only '- 1' is"
                    )))
                }
                _ => raw.extend(expand_product(piece, &mut order)?),
            }
        }
        let terms = order_terms(raw, &order);
        Ok(Formula {
            response: response.to_string(),
            terms,
            intercept,
            text: s.trim().to_string(),
        })
    }

    /// Whether the formula has `.` (every other column), to be expanded by [`Formula::expand_dot`].
    pub(crate) fn has_dot(&self) -> bool {
        self.terms
            .iter()
            .any(|t| t.variables.iter().any(|v| v == &dot()))
    }

    /// Replace `.` by every column of `names` except the response and the `excluded` ones (a cluster
    /// column), in the data's order, as R's `terms(y ~ ., data)` does (a term given twice counts once).
    pub fn expand_dot(&self, names: &[String], excluded: &[&str]) -> Formula {
        if !self.has_dot() {
            return self.clone();
        }
        let others: Vec<Variable> = names
            .iter()
            .filter(|n| **n != self.response && !excluded.contains(&n.as_str()))
            .map(|n| Variable::Column(n.clone()))
            .collect();
        let mut raw: Vec<Vec<Variable>> = Vec::new();
        let mut order: Vec<Variable> = Vec::new();
        for t in &self.terms {
            if t.variables == [dot()] {
                raw.extend(others.iter().map(|v| vec![v.clone()]));
                order.extend(others.iter().cloned());
            } else {
                raw.push(t.variables.clone());
                order.extend(t.variables.iter().filter(|v| **v != dot()).cloned());
            }
        }
        Formula {
            terms: order_terms(raw, &order),
            ..self.clone()
        }
    }

    /// Every column the formula reads, response first, each once (`.` not expanded, not listed).
    pub fn columns(&self) -> Vec<String> {
        let mut cols = vec![self.response.clone()];
        for t in &self.terms {
            for v in t.variables.iter().filter(|v| **v != dot()) {
                if !cols.iter().any(|c| c == v.column()) {
                    cols.push(v.column().to_string());
                }
            }
        }
        cols
    }
}

/// Split at top-level (outside parentheses) separators, returning (sign, piece); the first piece gets '+'.
fn split_top(s: &str, seps: &[char]) -> Result<Vec<(char, String)>, StatsError> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut sign = '+';
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            '`' => quoted = !quoted,
            _ if quoted => {
                cur.push(ch);
                continue;
            }
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Err(err(format!("'{s}': unbalanced parentheses")));
        }
        if depth == 0 && seps.contains(&ch) {
            if !cur.trim().is_empty() {
                out.push((sign, std::mem::take(&mut cur)));
            } else if !out.is_empty() || ch != '-' {
                // "a + + b" or a leading '+'/'*'/':' with nothing before it
                if !cur.trim().is_empty() || !out.is_empty() {
                    return Err(err(format!("'{s}': empty term before '{ch}'")));
                }
            }
            cur.clear();
            sign = ch;
        } else {
            cur.push(ch);
        }
    }
    if depth != 0 {
        return Err(err(format!("'{s}': unbalanced parentheses")));
    }
    if quoted {
        return Err(err(format!("'{s}': a `quoted name` is not closed")));
    }
    out.push((sign, cur));
    Ok(out)
}

/// Expand `a*b:c` into its terms (each a list of variables); records first appearances in `order`.
fn expand_product(
    piece: &str,
    order: &mut Vec<Variable>,
) -> Result<Vec<Vec<Variable>>, StatsError> {
    let mut factors: Vec<Vec<Variable>> = Vec::new();
    for (_, f) in split_top(piece, &['*'])? {
        let mut vars = Vec::new();
        for (_, v) in split_top(&f, &[':'])? {
            let var = parse_variable(v.trim())?;
            if !order.contains(&var) {
                order.push(var.clone());
            }
            if !vars.contains(&var) {
                vars.push(var);
            }
        }
        factors.push(vars);
    }
    let k = factors.len();
    if k > 8 {
        return Err(err(format!("'{piece}': too many factors in one product")));
    }
    let mut terms = Vec::new();
    for mask in 1u32..(1 << k) {
        let mut vars: Vec<Variable> = Vec::new();
        for (i, f) in factors.iter().enumerate() {
            if mask & (1 << i) != 0 {
                for v in f {
                    if !vars.contains(v) {
                        vars.push(v.clone());
                    }
                }
            }
        }
        terms.push(vars);
    }
    Ok(terms)
}

/// Deduplicate terms, sort each term's variables by first appearance, then sort by degree (stable).
fn order_terms(raw: Vec<Vec<Variable>>, order: &[Variable]) -> Vec<Term> {
    let pos = |v: &Variable| order.iter().position(|o| o == v).unwrap_or(usize::MAX);
    let mut terms: Vec<Term> = Vec::new();
    for mut vars in raw {
        vars.sort_by_key(|v| pos(v));
        let t = Term { variables: vars };
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    terms.sort_by_key(|t| t.variables.len());
    terms
}

/// The `.` placeholder of `y ~ .`, expanded against the data by [`Formula::expand_dot`].
fn dot() -> Variable {
    Variable::Column(".".to_string())
}

fn parse_variable(s: &str) -> Result<Variable, StatsError> {
    if s == "." {
        return Ok(dot());
    }
    if let Some(inner) = call_argument(s, "factor") {
        if let Some(c) = column_name(inner) {
            return Ok(Variable::Factor(c.to_string()));
        }
        return match parse_indicator(s, inner) {
            Ok(Variable::Indicator { column, op, value }) => {
                Ok(Variable::FactorCompare { column, op, value })
            }
            _ => Err(err(format!(
                "'{s}': factor() takes one column name or a comparison, e.g. factor(x > 3)"
            ))),
        };
    }
    for function in [Transform::Log, Transform::Sqrt, Transform::Exp] {
        if let Some(inner) = call_argument(s, function.name()) {
            return if let Some(column) = column_name(inner) {
                Ok(Variable::Apply {
                    function,
                    column: column.to_string(),
                })
            } else {
                Err(err(format!(
                    "'{s}': {}() takes one column name",
                    function.name()
                )))
            };
        }
    }
    if let Some(inner) = call_argument(s, "I") {
        if let Some((col, pow)) = inner.split_once('^') {
            return parse_power(s, col, pow);
        }
        return parse_indicator(s, inner);
    }
    if let Some(c) = column_name(s) {
        return Ok(Variable::Column(c.to_string()));
    }
    Err(err(format!(
        "'{s}' is not a column name, ., factor(col), factor(col > value), log/sqrt/exp(col), I(col > value) or I(col^k)"
    )))
}

/// `I(col^k)` with a numeric exponent.
fn parse_power(s: &str, col: &str, pow: &str) -> Result<Variable, StatsError> {
    match (
        column_name(col),
        calcscore_data::table::parse_number(pow.trim()),
    ) {
        (Some(column), Some(power)) if power.is_finite() => Ok(Variable::Power {
            column: column.to_string(),
            power,
        }),
        _ => Err(err(format!("'{s}': write I(column^number), e.g. I(age^2)"))),
    }
}

/// The argument of `name(...)` when `s` is exactly such a call.
fn call_argument<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(name)?.trim_start();
    rest.strip_prefix('(')?.strip_suffix(')')
}

fn parse_indicator(s: &str, inner: &str) -> Result<Variable, StatsError> {
    const OPS: [(&str, CompareOp); 5] = [
        (">=", CompareOp::Ge),
        ("<=", CompareOp::Le),
        ("==", CompareOp::Eq),
        (">", CompareOp::Gt),
        ("<", CompareOp::Lt),
    ];
    for (sym, op) in OPS {
        if let Some((col, val)) = inner.split_once(sym) {
            let value = calcscore_data::table::parse_number(val.trim());
            return match (column_name(col), value) {
                (Some(column), Some(value)) => Ok(Variable::Indicator {
                    column: column.to_string(),
                    op,
                    value,
                }),
                _ => Err(err(format!(
                    "'{s}': write I(column {sym} number), e.g. I(length > 5)"
                ))),
            };
        }
    }
    Err(err(format!(
        "'{s}': I() needs a comparison (>, >=, <, <=, ==) of a column with a number"
    )))
}

/// A column as a formula names it: a plain name, or any name in backticks as R writes it (`` `smoke now` ``).
fn column_name(s: &str) -> Option<&str> {
    let s = s.trim();
    if is_name(s) {
        return Some(s);
    }
    let inner = s.strip_prefix('`')?.strip_suffix('`')?;
    (!inner.is_empty() && !inner.contains('`')).then_some(inner)
}

/// A column name as a term of a formula: as it is when it is a plain name, else in backticks (R's quoting).
pub fn quoted(name: &str) -> String {
    match is_name(name) {
        true => name.to_string(),
        false => format!("`{name}`"),
    }
}

/// A column name: letters, digits, '_' and '.', not starting with a digit.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_' || c == '.')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(f: &str) -> Vec<String> {
        Formula::parse(f)
            .unwrap()
            .terms
            .iter()
            .map(Term::label)
            .collect()
    }

    #[test]
    fn star_expands_and_orders_like_r_terms() {
        // R: attr(terms(y ~ age * smoke + I(lwt > 120) + race), "term.labels")
        assert_eq!(
            labels("bwt ~ age * smoke + I(lwt > 120) + race"),
            ["age", "smoke", "I(lwt > 120)", "race", "age:smoke"]
        );
        assert_eq!(labels("y ~ a + b + smoke:a"), ["a", "b", "a:smoke"]);
        assert_eq!(
            labels("y ~ a*b*c"),
            ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]
        );
    }

    /// Any column name in backticks, as R quotes it: separators, parentheses and operators inside are part of
    /// the name (R: attr(terms(y ~ `smoke now` + `a+b` * `x(1)`), "term.labels") gives the same columns).
    #[test]
    fn backticks_quote_any_column_name() {
        let f = Formula::parse("`low birth` ~ `smoke now` + `a+b` * `x(1)` + factor(`race-eth`)")
            .unwrap();
        assert_eq!(f.response, "low birth");
        assert_eq!(
            f.columns(),
            ["low birth", "smoke now", "a+b", "x(1)", "race-eth"].map(String::from)
        );
        assert_eq!(quoted("smoke"), "smoke");
        assert_eq!(quoted("smoke now"), "`smoke now`");
        assert_eq!(quoted("1smoke"), "`1smoke`");
        assert!(Formula::parse("y ~ `open").is_err());
        assert!(Formula::parse("y ~ ``").is_err());
    }

    #[test]
    fn intercept_removal_and_errors() {
        assert!(!Formula::parse("y ~ x - 1").unwrap().intercept);
        assert!(!Formula::parse("y ~ 0 + x").unwrap().intercept);
        assert!(Formula::parse("y ~ x").unwrap().intercept);
        assert!(Formula::parse("y x").is_err());
        assert!(Formula::parse("y ~ x + ").is_err());
        assert!(Formula::parse("y ~ I(x ? 3)").is_err());
        assert!(Formula::parse("y ~ (x").is_err());
    }

    #[test]
    fn r_spellings_parse_with_r_labels() {
        // R: attr(terms(y ~ log(x) + sqrt(x) + exp(x) + I(x ^ 2) + factor(x>3)), "term.labels")
        assert_eq!(
            labels("y ~ log(x) + sqrt(x) + exp(x) + I(x ^ 2) + factor(x>3)"),
            ["log(x)", "sqrt(x)", "exp(x)", "I(x^2)", "factor(x > 3)"]
        );
        let names: Vec<String> = ["y", "a", "g", "b"].map(String::from).to_vec();
        // R: attr(terms(y ~ . + b:a, data = d[, c("y", "a", "b")]), "term.labels")
        let f = Formula::parse("y ~ . + b:a")
            .unwrap()
            .expand_dot(&names, &["g"]);
        let terms: Vec<String> = f.terms.iter().map(Term::label).collect();
        assert_eq!(terms, ["a", "b", "a:b"]);
        let dot = Formula::parse("y ~ .").unwrap().expand_dot(&names, &["g"]);
        assert_eq!(dot.columns(), ["y", "a", "b"]);
        assert!(Formula::parse("y ~ log(x + 1)").is_err());
        assert!(Formula::parse("y ~ I(x^k)").is_err());
    }

    #[test]
    fn indicator_label_is_r_deparse() {
        assert_eq!(labels("y ~ I(x>=5.0)"), ["I(x >= 5)"]);
        assert_eq!(labels("y ~ factor( g )"), ["factor(g)"]);
    }
}
