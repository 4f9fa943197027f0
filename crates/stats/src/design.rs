//! The model matrix of a formula on a table: complete cases, treatment-coded factors, rank check.
//!
//! Factor levels are those present in the rows used (R's `lm` uses `drop.unused.levels = TRUE`).
//! Text levels sort by byte (R's C-locale order: "B" < "a"); numbers used as factors sort numerically.
//! The first level is the reference. A text column whose values are all non-numeric is a factor; a
//! text column mixing numbers and other text is an error naming the first bad row.

use std::borrow::Cow;

use nalgebra::DMatrix;
use rayon::prelude::*;

use super::formula::{Formula, Variable};
use super::linalg::{aliased_columns, cross_products, spd_inverse};
use super::StatsError;
use calcscore_data::table::format_number;
use calcscore_data::{ColumnData, NumColumn, Table, TextColumn};

/// The model matrix and response of a formula on the complete cases of a table.
#[derive(Debug, Clone)]
pub struct Design {
    /// Response for the rows used.
    pub y: Vec<f64>,
    /// n × p model matrix, column 0 "(Intercept)" when present.
    pub x: DMatrix<f64>,
    /// Column names as R prints them.
    pub names: Vec<String>,
    /// 0-based table rows used (complete cases).
    pub rows: Vec<usize>,
    /// Per column read: how many rows were dropped for a missing value in it.
    pub missing: Vec<(String, usize)>,
    /// Cluster index (0..G) per used row, when a cluster column was given.
    pub cluster: Option<Vec<usize>>,
    /// The response column's name.
    pub response: String,
    /// For a text response: (level coded 0, level coded 1), the second sorted level being 1.
    pub response_levels: Option<(String, String)>,
    /// Each term's label and the model-matrix columns it produced.
    pub terms: Vec<(String, Vec<usize>)>,
    /// Whether column 0 is the intercept.
    pub intercept: bool,
    /// The file the data came from.
    pub source: String,
}

/// Per-column missing counts, and the rows complete in every column.
type CompleteCases = (Vec<(String, usize)>, Vec<usize>);

/// Response values on the used rows, and for a text response its (0, 1) levels.
type Response = (Vec<f64>, Option<(String, String)>);

/// How one variable is coded, with its values on all table rows.
enum Coded {
    Numeric(Vec<Option<f64>>),
    Factor(TextColumn, Vec<String>),
}

impl Design {
    /// Build the design of `formula` on `table`, keeping rows complete in every column read.
    /// A `.` in the formula stands for every other column of the table (not the cluster column).
    pub fn build(table: &Table, formula: &Formula, cluster: Option<&str>) -> crate::Result<Design> {
        Design::assemble(Source::Shared(table), formula, cluster)
    }

    /// [`Design::build`] consuming the table: each column is freed once the last term that reads it is
    /// coded, so the table and the model matrix are never both held whole (the memory peak of a large `fit`).
    pub fn build_owned(
        table: Table,
        formula: &Formula,
        cluster: Option<&str>,
    ) -> crate::Result<Design> {
        Design::assemble(Source::Owned(table), formula, cluster)
    }

    fn assemble(
        mut src: Source<'_>,
        formula: &Formula,
        cluster: Option<&str>,
    ) -> crate::Result<Design> {
        let table = src.table();
        let excluded: Vec<&str> = cluster.into_iter().collect();
        let formula = &formula.expand_dot(&table.names, &excluded);
        let mut cols = formula.columns();
        if let Some(c) = cluster {
            if !cols.iter().any(|x| x == c) {
                cols.push(c.to_string());
            }
        }
        for c in &cols {
            table.column(c)?;
        }
        let (missing, rows) = complete_cases(table, &cols)?;
        finite_values(table, &cols, &rows)?;
        let (y, response_levels) = response_values(table, &formula.response, &rows)?;
        let source = table.source.clone();
        src.release_unread(formula, 0, cluster, std::slice::from_ref(&formula.response));
        // The model matrix is filled column by column into one column-major buffer (no per-term copies,
        // no second matrix); a factor with many levels may make it grow past this estimate.
        let n = rows.len();
        let estimate = usize::from(formula.intercept) + formula.terms.len();
        let mut values = Columns::new(n, estimate);
        let mut names = Vec::new();
        let mut terms = Vec::new();
        let full = indicator_coding(src.table(), formula)?;
        if formula.intercept {
            names.push("(Intercept)".to_string());
            values
                .next()
                .par_chunks_mut(COPY_ROWS)
                .for_each(|c| c.fill(1.0));
            terms.push(("(Intercept)".to_string(), vec![0]));
        }
        for (k, term) in formula.terms.iter().enumerate() {
            let first = names.len();
            if let Some((name, col)) = stored_numbers(src.table(), &term.variables) {
                names.push(name);
                fill_gathered(values.next(), col, &rows, n);
            } else {
                for (name, col) in term_columns(src.table(), &term.variables, &full[k], &rows)? {
                    names.push(name);
                    copy_parallel(values.next(), &col);
                }
            }
            terms.push((term.label(), (first..names.len()).collect()));
            let read: Vec<String> = term
                .variables
                .iter()
                .map(|v| v.column().to_string())
                .collect();
            src.release_unread(formula, k + 1, cluster, &read);
        }
        let table = src.table();
        let x = values.into_matrix(names.len());
        let cluster = cluster
            .map(|c| cluster_index(table, c, &rows))
            .transpose()?;
        let design = Design {
            y,
            x,
            names,
            rows,
            missing,
            cluster,
            response: formula.response.clone(),
            response_levels,
            terms,
            intercept: formula.intercept,
            source,
        };
        design.check_rank()?;
        Ok(design)
    }

    /// Number of rows used.
    pub fn n(&self) -> usize {
        self.y.len()
    }

    /// Number of model-matrix columns.
    pub fn p(&self) -> usize {
        self.names.len()
    }

    /// Number of clusters (0 without a cluster column).
    pub fn n_clusters(&self) -> usize {
        self.cluster
            .as_ref()
            .map_or(0, |c| c.iter().max().map_or(0, |m| m + 1))
    }

    /// Check that `reduced` (built on this design's rows) is nested in this design, as a comparison of the two
    /// needs (R's `anova` refuses models fitted to different rows): the same response, every one of the rows,
    /// and every reduced column in the span
    /// of this design's columns (residual sum of squares on them below 1e-9 of its own).
    pub fn check_nested(&self, reduced: &Design, text: &str) -> Result<(), StatsError> {
        let refuse = |why: String| {
            Err(StatsError::Formula(format!(
                "{}: --compare '{text}': {why}",
                self.source
            )))
        };
        if reduced.response != self.response {
            return refuse(format!(
                "its response '{}' is not the full model's '{}'; nested models share the response",
                reduced.response, self.response
            ));
        }
        // `reduced` is built on this design's rows, so it kept them all when it has as many.
        if reduced.rows.len() != self.rows.len() {
            let lost = self.rows.len().saturating_sub(reduced.rows.len());
            return refuse(format!(
                "{lost} of the full model's {} rows are missing a value it reads; both models must be fitted to \
                 the same rows (as R's anova requires). Fix: add its columns to the full model, or drop those rows",
                self.rows.len()
            ));
        }
        let (xtx, _) = cross_products(&self.x, None, &self.y);
        let Some(inverse) = spd_inverse(&xtx) else {
            return Ok(());
        };
        for (j, name) in reduced.names.iter().enumerate() {
            let c = reduced.x.column(j);
            let xtc = self.x.tr_mul(&c);
            let own = c.dot(&c);
            let rss = own - xtc.dot(&(&inverse * &xtc));
            if own > 0.0 && rss > 1e-9 * own {
                return refuse(format!(
                    "its column '{name}' is not a combination of the full model's columns, so the models are not \
                     nested and the test does not apply"
                ));
            }
        }
        Ok(())
    }

    /// Error when a column is constant or collinear with earlier ones (with fewer rows than columns the
    /// fit itself reports too few observations).
    fn check_rank(&self) -> Result<(), StatsError> {
        if self.n() < self.p() {
            return Ok(());
        }
        let (xtx, _) = cross_products(&self.x, None, &self.y);
        // Squares that overflow are not collinearity: say so, naming the column (1e308 once read as 'singular').
        if let Some(j) = (0..self.p()).find(|&j| !xtx[(j, j)].is_finite()) {
            return Err(StatsError::Undefined(format!(
                "{}: column '{}' of the model has values too large to square in double precision (|x| near \
                 1e154 or more); rescale it (e.g. divide by a power of 10)",
                self.source, self.names[j]
            )));
        }
        let aliased = aliased_columns(&xtx);
        if aliased.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = aliased.iter().map(|&j| self.names[j].as_str()).collect();
        Err(StatsError::Singular {
            terms: names.join(", "),
        })
    }
}

/// The table a design is built from: borrowed, or owned so that columns can be freed as they are coded.
enum Source<'a> {
    Shared(&'a Table),
    Owned(Table),
}

impl Source<'_> {
    fn table(&self) -> &Table {
        match self {
            Source::Shared(t) => t,
            Source::Owned(t) => t,
        }
    }

    /// Of an owned table, free the columns in `read` that no term from `next` on reads (nor the cluster).
    fn release_unread(
        &mut self,
        formula: &Formula,
        next: usize,
        cluster: Option<&str>,
        read: &[String],
    ) {
        let Source::Owned(t) = self else { return };
        for c in read {
            let later = formula.terms[next..]
                .iter()
                .flat_map(|term| &term.variables)
                .any(|v| v.column() == c);
            if later || cluster == Some(c.as_str()) {
                continue;
            }
            if let Some(j) = t.names.iter().position(|n| n == c) {
                t.columns[j] = ColumnData::Num(NumColumn::default());
            }
        }
    }
}

/// A term that is one column stored as numbers: its label and values (copied as they are, no coding).
fn stored_numbers<'a>(table: &'a Table, variables: &[Variable]) -> Option<(String, &'a NumColumn)> {
    match variables {
        [v @ Variable::Column(c)] => match table.column(c) {
            Ok(ColumnData::Num(col)) => Some((v.label(), col)),
            _ => None,
        },
        _ => None,
    }
}

/// Rows per chunk of the parallel copies into the model matrix (a copy has no sum: any size gives the same).
const COPY_ROWS: usize = 1 << 16;

/// The column-major model-matrix buffer, zeroed for the expected columns (a large zeroed allocation is not
/// touched until written, so each column's pages are first written by the parallel copy that fills it).
struct Columns {
    values: Vec<f64>,
    filled: usize,
    n: usize,
}

impl Columns {
    /// A buffer of `n` rows and room for `estimate` columns.
    fn new(n: usize, estimate: usize) -> Self {
        Columns {
            values: vec![0.0; n.saturating_mul(estimate)],
            filled: 0,
            n,
        }
    }

    /// The slot of the next column (the buffer grows past the estimate when needed).
    fn next(&mut self) -> &mut [f64] {
        let (from, to) = (self.filled, self.filled + self.n);
        if self.values.len() < to {
            self.values.resize(to, 0.0);
        }
        self.filled = to;
        &mut self.values[from..to]
    }

    /// The n × p matrix of the `p` columns filled (one [`Columns::next`] each).
    fn into_matrix(mut self, p: usize) -> DMatrix<f64> {
        self.values.resize(self.n * p, 0.0);
        DMatrix::from_vec(self.n, p, self.values)
    }
}

/// `dst.copy_from_slice(src)` by chunks of rows in parallel.
fn copy_parallel(dst: &mut [f64], src: &[f64]) {
    dst.par_chunks_mut(COPY_ROWS)
        .zip(src.par_chunks(COPY_ROWS))
        .for_each(|(d, s)| d.copy_from_slice(s));
}

/// Write a column's values on the used rows into `dst` (one per used row); when every row is used this is
/// one contiguous copy. Used rows are complete cases, so their slots hold the values themselves (a missing
/// slot's NaN is never read).
fn fill_gathered(dst: &mut [f64], col: &NumColumn, rows: &[usize], nrows: usize) {
    let v = col.values();
    if rows.len() == v.len() && nrows == v.len() {
        copy_parallel(dst, v);
    } else {
        dst.par_chunks_mut(COPY_ROWS)
            .zip(rows.par_chunks(COPY_ROWS))
            .for_each(|(d, r)| {
                for (d, &i) in d.iter_mut().zip(r) {
                    *d = v.get(i).copied().unwrap_or(f64::NAN);
                }
            });
    }
}

/// True when every value is finite: chunks in parallel, each scanned whole (no early exit, so it vectorizes):
/// `x − x` is +0 for a finite `x` and NaN otherwise, so the OR of its bits is 0 only when all are finite.
#[allow(clippy::eq_op)] // x − x is the point: NaN for an infinity or a NaN
fn all_finite(values: &[f64]) -> bool {
    values
        .par_chunks(COPY_ROWS)
        .all(|c| c.iter().fold(0u64, |acc, &x| acc | (x - x).to_bits()) == 0)
}

/// NaN or an infinity in a numeric column the model reads is an input problem naming its row, not a value
/// to fit (it would turn every estimate into NaN).
fn finite_values(table: &Table, cols: &[String], rows: &[usize]) -> crate::Result<()> {
    for c in cols {
        if let Ok(calcscore_data::ColumnData::Num(v)) = table.column(c) {
            let vals = v.values();
            if v.null_count() == 0 && all_finite(vals) {
                continue;
            }
            if let Some(&i) = rows
                .iter()
                .find(|&&i| v.get(i).is_some_and(|x| !x.is_finite()))
            {
                return Err(calcscore_data::DataError::Invalid {
                    file: table.source.clone(),
                    row: table.row_number(i),
                    column: c.clone(),
                    value: format!("{}", v.get(i).unwrap_or(f64::NAN)),
                    rule:
                        "must be a finite number (leave the cell empty or NA for a missing value)"
                            .into(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Per-column missing counts and the rows complete in every column.
fn complete_cases(table: &Table, cols: &[String]) -> crate::Result<CompleteCases> {
    let n = table.nrows();
    let mut keep = vec![true; n];
    let mut missing = Vec::new();
    for c in cols {
        let col = table.column(c)?;
        let mut count = 0;
        if let ColumnData::Num(v) = col {
            if v.null_count() == 0 {
                missing.push((c.clone(), 0));
                continue;
            }
        }
        for (i, k) in keep.iter_mut().enumerate() {
            if col.is_missing(i) {
                *k = false;
                count += 1;
            }
        }
        missing.push((c.clone(), count));
    }
    // Every row complete (the usual case): the indices are written in parallel.
    let rows: Vec<usize> = if keep.iter().all(|&k| k) {
        (0..n).into_par_iter().collect()
    } else {
        (0..n).filter(|&i| keep[i]).collect()
    };
    Ok((missing, rows))
}

/// True when a text column has no value that reads as a number (so it is a factor).
fn is_text_factor(table: &Table, name: &str) -> crate::Result<bool> {
    Ok(match table.column(name)? {
        ColumnData::Num(_) => false,
        ColumnData::Text(v) => {
            let numeric = v
                .iter()
                .flatten()
                .any(|s| calcscore_data::table::parse_number(s).is_some());
            if numeric {
                table.numeric(name)?; // errors with the first non-numeric row
                false
            } else {
                true
            }
        }
    })
}

/// The response on the used rows; a two-level text response is coded 0/1 (second sorted level = 1).
fn response_values(table: &Table, name: &str, rows: &[usize]) -> crate::Result<Response> {
    if !is_text_factor(table, name)? {
        let v = numbers(table, name)?;
        let mut y = vec![0.0; rows.len()];
        fill_gathered(&mut y, &v, rows, table.nrows());
        return Ok((y, None));
    }
    let v = texts(table, name)?;
    let levels = sorted_levels(rows.iter().filter_map(|&i| v.get(i).map(str::to_string)));
    if v.null_count() == v.len() {
        return Err(StatsError::Formula(format!(
            "{}: response '{name}' is empty in all {} rows: nothing to model (is it a column the file leaves blank?)",
            table.source,
            v.len()
        ))
        .into());
    }
    if levels.len() != 2 {
        return Err(StatsError::Formula(format!(
            "{}: text response '{name}' must have exactly two levels (found {}: {})",
            table.source,
            levels.len(),
            levels.join(", ")
        ))
        .into());
    }
    let y = rows
        .iter()
        .map(|&i| f64::from(v.get(i) == Some(levels[1].as_str())))
        .collect();
    Ok((y, Some((levels[0].clone(), levels[1].clone()))))
}

fn sorted_levels(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut l: Vec<String> = values.collect();
    l.sort();
    l.dedup();
    l
}

/// Whether a variable is coded as a factor: a text column, `factor()`, or a comparison (R's logicals).
fn is_factor(table: &Table, var: &Variable) -> crate::Result<bool> {
    Ok(match var {
        Variable::Column(c) => is_text_factor(table, c)?,
        Variable::Factor(_) | Variable::Indicator { .. } | Variable::FactorCompare { .. } => true,
        Variable::Apply { .. } | Variable::Power { .. } => false,
    })
}

/// Per term and variable, whether a factor is coded by an indicator of every level instead of treatment
/// contrasts, by R's rule (model.c, `TermCode`): a factor whose margin (the term without it) is contained in no
/// earlier term, so `y ~ g + g:x` has a slope for every level of g; without an intercept, also the first factor
/// of the first term that has one, so `y ~ g - 1` has a mean for every level.
fn indicator_coding(table: &Table, formula: &Formula) -> crate::Result<Vec<Vec<bool>>> {
    let mut full = Vec::with_capacity(formula.terms.len());
    let mut first_factor = !formula.intercept;
    for (k, term) in formula.terms.iter().enumerate() {
        let mut flags = Vec::with_capacity(term.variables.len());
        for v in &term.variables {
            if !is_factor(table, v)? {
                flags.push(false);
                continue;
            }
            let margin: Vec<&Variable> = term.variables.iter().filter(|w| *w != v).collect();
            let contained = margin.is_empty()
                || formula.terms[..k]
                    .iter()
                    .any(|t| margin.iter().all(|m| t.variables.contains(m)));
            // R flags the first factor without an intercept even when its margin already made it full.
            let first = std::mem::take(&mut first_factor);
            flags.push(!contained || first);
        }
        full.push(flags);
    }
    Ok(full)
}

/// The model-matrix columns of one term: its variables coded and multiplied (earlier varies fastest); a factor
/// flagged in `full` gets a column for every level, any other one drops its first level.
fn term_columns(
    table: &Table,
    variables: &[Variable],
    full: &[bool],
    rows: &[usize],
) -> crate::Result<Vec<(String, Vec<f64>)>> {
    let mut parts: Option<Vec<(String, Vec<f64>)>> = None;
    for (v, &full) in variables.iter().zip(full) {
        let coded = code_variable(table, v, full, rows)?;
        parts = Some(match parts {
            None => coded,
            Some(left) => interact(&left, &coded),
        });
    }
    Ok(parts.unwrap_or_default())
}

/// A numeric column without a copy when it is stored as numbers.
fn numbers<'a>(table: &'a Table, name: &str) -> crate::Result<Cow<'a, NumColumn>> {
    Ok(match table.column(name)? {
        ColumnData::Num(v) => Cow::Borrowed(v),
        ColumnData::Text(_) => Cow::Owned(table.numeric(name)?),
    })
}

/// A text column without a copy when it is stored as text.
fn texts<'a>(table: &'a Table, name: &str) -> crate::Result<Cow<'a, TextColumn>> {
    Ok(match table.column(name)? {
        ColumnData::Text(v) => Cow::Borrowed(v),
        ColumnData::Num(_) => table.text(name)?,
    })
}

/// Code one variable on the used rows: (column-name suffix, values) per model-matrix column; a factor by
/// indicators of its levels after the first, or of every level when `full`.
fn code_variable(
    table: &Table,
    var: &Variable,
    full: bool,
    rows: &[usize],
) -> crate::Result<Vec<(String, Vec<f64>)>> {
    let label = var.label();
    let coded = match var {
        Variable::Column(c) if is_text_factor(table, c)? => {
            let t = texts(table, c)?.into_owned();
            let levels = sorted_levels(rows.iter().filter_map(|&i| t.get(i).map(str::to_string)));
            Coded::Factor(t, levels)
        }
        Variable::Column(c) => {
            let v = numbers(table, c)?;
            return Ok(vec![(
                label,
                rows.iter().map(|&i| v.get(i).unwrap_or(f64::NAN)).collect(),
            )]);
        }
        Variable::Factor(c) => factor_of(table, c, rows)?,
        Variable::Apply { function, column } => {
            let v = table.numeric(column)?;
            Coded::Numeric(transformed(table, var, &v, rows, |x| function.apply(x))?)
        }
        Variable::Power { column, power } => {
            let v = table.numeric(column)?;
            let f = |x: f64| Some(x.powf(*power)).filter(|y| y.is_finite());
            Coded::Numeric(transformed(table, var, &v, rows, f)?)
        }
        Variable::Indicator { column, op, value }
        | Variable::FactorCompare { column, op, value } => {
            let v = table.numeric(column)?;
            let t = v
                .iter()
                .map(|x| x.map(|x| if op.holds(x, *value) { "TRUE" } else { "FALSE" }.to_string()))
                .collect();
            Coded::Factor(t, vec!["FALSE".into(), "TRUE".into()])
        }
    };
    Ok(match coded {
        Coded::Numeric(v) => vec![(
            label,
            rows.iter().map(|&i| v[i].unwrap_or(f64::NAN)).collect(),
        )],
        Coded::Factor(t, levels) => {
            one_level(table, var, &levels, rows.len())?;
            levels
                .iter()
                .skip(usize::from(!full))
                .map(|lev| {
                    let col = rows
                        .iter()
                        .map(|&i| f64::from(t.get(i) == Some(lev.as_str())))
                        .collect();
                    (format!("{label}{lev}"), col)
                })
                .collect()
        }
    })
}

/// A factor needs two levels on the rows used (R: "contrasts can be applied only to factors with 2 or more
/// levels"); one level is an error naming it, not a term silently left out.
fn one_level(table: &Table, var: &Variable, levels: &[String], n: usize) -> crate::Result<()> {
    if levels.len() >= 2 {
        return Ok(());
    }
    let found = levels
        .first()
        .map_or("no value".to_string(), |l| format!("only the level '{l}'"));
    Err(StatsError::Formula(format!(
        "{}: factor {} has {found} in the {n} rows used; a factor needs 2 or more levels (as R: contrasts apply \
         only to factors with 2 or more levels). Fix: drop the term, or check the rows lost to missing values",
        table.source,
        var.label()
    ))
    .into())
}

/// A function of a numeric column on every row; a used row outside its domain is an error naming it.
fn transformed(
    table: &Table,
    var: &Variable,
    v: &NumColumn,
    rows: &[usize],
    f: impl Fn(f64) -> Option<f64>,
) -> crate::Result<Vec<Option<f64>>> {
    let out: Vec<Option<f64>> = v.iter().map(|x| x.and_then(&f)).collect();
    if let Some(&i) = rows.iter().find(|&&i| out[i].is_none()) {
        return Err(StatsError::Formula(format!(
            "{}: row {}, column '{}': {} is undefined for {} (R would give NaN or Inf)",
            table.source,
            table.row_number(i),
            var.column(),
            var.label(),
            v.get(i)
                .map_or("a missing value".to_string(), format_number)
        ))
        .into());
    }
    Ok(out)
}

/// `factor(col)`: numbers sort numerically and print as R does (2, 2.5), text sorts by byte.
fn factor_of(table: &Table, c: &str, rows: &[usize]) -> crate::Result<Coded> {
    if is_text_factor(table, c)? {
        let t = table.text(c)?.into_owned();
        let levels = sorted_levels(rows.iter().filter_map(|&i| t.get(i).map(str::to_string)));
        return Ok(Coded::Factor(t, levels));
    }
    let v = table.numeric(c)?;
    let mut nums: Vec<f64> = rows.iter().filter_map(|&i| v.get(i)).collect();
    nums.sort_by(f64::total_cmp);
    nums.dedup();
    let levels = nums.into_iter().map(format_number).collect();
    let t = v.iter().map(|x| x.map(format_number)).collect();
    Ok(Coded::Factor(t, levels))
}

/// Products of every column so far with every column of the next variable (earlier varies fastest).
fn interact(left: &[(String, Vec<f64>)], right: &[(String, Vec<f64>)]) -> Vec<(String, Vec<f64>)> {
    let mut out = Vec::with_capacity(left.len() * right.len());
    for (rn, rv) in right {
        for (ln, lv) in left {
            let name = if ln.is_empty() {
                rn.clone()
            } else {
                format!("{ln}:{rn}")
            };
            out.push((name, lv.iter().zip(rv).map(|(a, b)| a * b).collect()));
        }
    }
    out
}

/// Cluster index per used row, numbered by first appearance. Ids that are all plain integers are read in
/// parallel and numbered through their values; otherwise as text: the same numbering.
fn cluster_index(table: &Table, c: &str, rows: &[usize]) -> crate::Result<Vec<usize>> {
    let t = texts(table, c)?;
    let id = |i: usize| t.get(i).unwrap_or("");
    // u64::MAX marks an id that is not a plain integer (those have at most 18 digits, so never this value).
    let mut values = vec![0u64; rows.len()];
    values
        .par_chunks_mut(COPY_ROWS)
        .zip(rows.par_chunks(COPY_ROWS))
        .for_each(|(v, r)| {
            for (v, &i) in v.iter_mut().zip(r) {
                *v = plain_integer(id(i)).unwrap_or(u64::MAX);
            }
        });
    Ok(if values.par_iter().any(|&v| v == u64::MAX) {
        // Some id is not a plain integer: all are numbered as text (the same numbering).
        first_appearance(rows.iter().map(|&i| Some(id(i)))).unwrap_or_default()
    } else {
        first_appearance(values.into_iter().map(Some)).unwrap_or_default()
    })
}

/// Cluster numbers 0..G for a sequence of cluster ids, numbered by first appearance.
pub fn cluster_numbers<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let ids: Vec<&'a str> = ids.collect();
    numbers_of(ids.iter().copied())
}

/// [`cluster_numbers`] of ids that can be read twice. Ids written as plain integers (no sign, no leading zero:
/// one text per number) are numbered through their values, which hash and compare faster than text; at the
/// first other id the ids are numbered again as text: the numbering is the same.
fn numbers_of<'a>(ids: impl Iterator<Item = &'a str> + Clone) -> Vec<usize> {
    first_appearance(ids.clone().map(plain_integer))
        .unwrap_or_else(|| first_appearance(ids.map(Some)).unwrap_or_default())
}

/// Numbers 0..G for a sequence of keys, by first appearance; `None` at the first missing key.
fn first_appearance<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = Option<K>>,
) -> Option<Vec<usize>> {
    // rustc-hash's Fx hash: fast on short ids; the numbering is by first appearance, whatever the hash. The
    // map starts small and grows with the clusters (a map sized for every row scatters them out of cache).
    let capacity = keys.size_hint().0.min(1 << 12);
    let mut seen: rustc_hash::FxHashMap<K, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(capacity, Default::default());
    keys.map(|id| {
        let next = seen.len();
        Some(*seen.entry(id?).or_insert(next))
    })
    .collect()
}

/// The value of an id written as a plain integer: 1 to 18 digits, no leading zero unless it is "0" (so two
/// different texts never give the same value).
fn plain_integer(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 18 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    b.iter().try_fold(0u64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let num = |v: &[f64]| ColumnData::Num(v.iter().map(|&x| Some(x)).collect());
        let txt = |v: &[&str]| ColumnData::Text(v.iter().map(|s| Some(s.to_string())).collect());
        let y = ColumnData::num(
            [1.0, 2.0, 3.5, 4.0, 6.0]
                .map(Some)
                .into_iter()
                .chain([None]),
        );
        Table::new(
            "t.csv",
            vec![
                ("y".into(), y),
                ("x".into(), num(&[1.0, 3.0, 2.0, 5.0, 4.0, 6.0])),
                ("g".into(), txt(&["b", "a", "c", "a", "b", "c"])),
                ("k".into(), num(&[2.0; 6])),
            ],
        )
    }

    /// The vectorized finite check: any NaN or infinity anywhere (beyond the first chunk too) is seen.
    #[test]
    fn all_finite_sees_every_non_finite_value() {
        let mut v = vec![-0.0, 1e308, -2.5, f64::MIN_POSITIVE];
        v.resize(3 * COPY_ROWS + 5, 7.0);
        assert!(all_finite(&v));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for at in [0, COPY_ROWS + 1, v.len() - 1] {
                let mut w = v.clone();
                w[at] = bad;
                assert!(!all_finite(&w), "{bad} at {at}");
            }
        }
    }

    /// Integer ids and text ids are numbered alike by first appearance; "042" and "42" stay two clusters.
    #[test]
    fn cluster_numbers_by_first_appearance() {
        assert_eq!(
            cluster_numbers(["7", "3", "7", "0", "3"].into_iter()),
            [0, 1, 0, 2, 1]
        );
        assert_eq!(
            cluster_numbers(["42", "042", "42", "b"].into_iter()),
            [0, 1, 0, 2]
        );
        assert_eq!(plain_integer("1234567890"), Some(1_234_567_890));
        assert_eq!(plain_integer("-1"), None);
        assert_eq!(plain_integer("9999999999999999999"), None);
    }

    #[test]
    fn names_levels_and_missing_like_r() {
        let f = Formula::parse("y ~ x * g + I(x > 2)").unwrap();
        let d = Design::build(&table(), &f, None).unwrap();
        assert_eq!(
            d.names,
            [
                "(Intercept)",
                "x",
                "gb",
                "gc",
                "I(x > 2)TRUE",
                "x:gb",
                "x:gc"
            ]
        );
        assert_eq!(d.rows, [0, 1, 2, 3, 4]);
        assert_eq!(d.missing[0], ("y".to_string(), 1));
        assert_eq!(d.x[(2, 3)], 1.0); // row 2 has g = "c"
        assert_eq!(d.x[(0, 5)], 1.0); // x:gb on row 0 (x = 1, g = "b")
    }

    #[test]
    fn constant_column_is_singular_and_named() {
        let f = Formula::parse("y ~ x + k").unwrap();
        let e = Design::build(&table(), &f, None).unwrap_err();
        assert!(e.to_string().contains('k'), "{e}");
        let f = Formula::parse("y ~ x + nope").unwrap();
        let e = Design::build(&table(), &f, None).unwrap_err();
        assert!(e.to_string().contains("nope") && e.to_string().contains("t.csv"));
    }

    /// The owned build frees columns as it goes but codes the same matrix: a column read by two terms, the
    /// response, a transformed column and the cluster column all stay readable until their last use.
    #[test]
    fn owned_build_equals_borrowed_build() {
        for (formula, cluster) in [
            ("y ~ x * g + I(x > 2)", None),
            ("y ~ g + x + log(x) + x:g", Some("g")),
            ("y ~ .", None),
        ] {
            let f = Formula::parse(formula).unwrap();
            let t = table();
            let t = Table::new(
                "t.csv",
                t.names
                    .into_iter()
                    .zip(t.columns)
                    .filter(|(n, _)| n != "k")
                    .collect(),
            );
            let shared = Design::build(&t, &f, cluster).unwrap();
            let owned = Design::build_owned(t, &f, cluster).unwrap();
            assert_eq!(owned.x, shared.x, "{formula}");
            assert_eq!(
                (owned.y, owned.names, owned.rows, owned.cluster),
                (shared.y, shared.names, shared.rows, shared.cluster),
                "{formula}"
            );
        }
    }
}
