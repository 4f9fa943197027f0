//! Scores: declarative points tables (built-in IVUS and OCT scores, or a user's TOML file) and their evaluation.

pub mod calibration;
pub mod derive;
pub mod discrimination;
pub mod impute;
pub mod impute_boot;
pub mod levels;
pub mod model;
pub mod optimism;
pub mod tripod;
pub mod validate;
pub mod validate_impute;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use calcscore_core::{Error, Result};
use calcscore_data::{DataError, Table};

/// A comparison of an item's column with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// value > threshold
    #[serde(rename = ">")]
    Gt,
    /// value >= threshold
    #[serde(rename = ">=")]
    Ge,
    /// value < threshold
    #[serde(rename = "<")]
    Lt,
    /// value <= threshold
    #[serde(rename = "<=")]
    Le,
    /// value == threshold
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    /// True when `value op threshold` holds.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Gt => value > threshold,
            Op::Ge => value >= threshold,
            Op::Lt => value < threshold,
            Op::Le => value <= threshold,
            Op::Eq => value == threshold,
        }
    }

    /// The operator as written in a score file.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
        }
    }
}

/// One item of a points table: `points` when `column op threshold` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Label as printed in the paper's points table.
    pub label: String,
    /// Registry column the item reads.
    pub column: String,
    /// Comparison operator.
    pub op: Op,
    /// Threshold compared with.
    pub threshold: f64,
    /// Points given when the comparison holds.
    pub points: i64,
    /// True when the threshold was chosen by a grid search in the derivation data (`derive` writes
    /// `searched = true`): such a threshold is optimistic there and needs validation in other data.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub searched: bool,
}

impl Item {
    /// Name of the item's 0/1 indicator column in analysis tables (`vessel_diameter_mm_lt3p5`; binary items keep their column name).
    pub fn indicator_name(&self) -> String {
        if self.is_binary() {
            return self.column.clone();
        }
        let op = match self.op {
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Eq => "eq",
        };
        let t = calcscore_data::table::format_number(self.threshold)
            .replace('.', "p")
            .replace('-', "m");
        format!("{}_{op}{t}", self.column)
    }

    /// True for a 0/1 item (`column == 1`: a tick box on the card).
    pub fn is_binary(&self) -> bool {
        self.op == Op::Eq && self.threshold == 1.0
    }

    /// For a 0/1 item, the first row (0-based) whose value is neither 0 nor 1 and the distinct values of the
    /// column (at most five, ascending): a column coded 1/2 read as `== 1` would score its non-events.
    pub fn not_binary(&self, table: &Table) -> Result<Option<(usize, Vec<f64>)>> {
        if !self.is_binary() {
            return Ok(None);
        }
        let col = table.numbers(&self.column)?;
        let Some(first) = col
            .iter()
            .position(|x| x.is_some_and(|x| x != 0.0 && x != 1.0))
        else {
            return Ok(None);
        };
        let mut values: Vec<f64> = col.iter().flatten().collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        values.truncate(5);
        Ok(Some((first, values)))
    }

    /// 1.0 where the item holds, 0.0 where not, `None` where the value is missing.
    pub fn indicator(&self, table: &Table) -> Result<Vec<Option<f64>>> {
        Ok(table
            .numbers(&self.column)?
            .iter()
            .map(|v| {
                v.map(|x| {
                    if self.op.holds(x, self.threshold) {
                        1.0
                    } else {
                        0.0
                    }
                })
            })
            .collect())
    }
}

/// A point score: items, and the cutoff at or above which the score predicts the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsTable {
    /// Short name (`ivus-zhang2021`).
    pub name: String,
    /// Title for reports.
    pub title: String,
    /// Where the table comes from.
    pub source: String,
    /// Score >= cutoff predicts the outcome.
    pub cutoff: i64,
    /// The items.
    #[serde(rename = "item")]
    pub items: Vec<Item>,
    /// Risk model of the binary outcome on the score (`[model]`), written by `derive --out`; `None` for a score
    /// published without one (then `validate` fits one and labels in-sample calibration "apparent").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<RiskModel>,
}

/// A score's risk model: logit P(event) = intercept + slope × points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskModel {
    /// Log-odds of the event at 0 points.
    pub intercept: f64,
    /// Change in log-odds per point.
    pub slope: f64,
    /// The binary outcome the model predicts (e.g. `low = 1`).
    #[serde(default)]
    pub outcome: String,
    /// Where the model was fitted (file, rows), so a reader can tell external from in-sample calibration.
    #[serde(default)]
    pub fitted_in: String,
    /// SHA-256 of the data file the model was fitted in (`derive` writes it): `validate` on the same bytes
    /// and as many rows calls its calibration apparent (in-sample), not external.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sha256: Option<String>,
    /// Rows the model was fitted on (with `data_sha256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_rows: Option<usize>,
}

impl RiskModel {
    /// Linear predictor (log-odds) at a score.
    pub fn logit(&self, points: f64) -> f64 {
        self.intercept + self.slope * points
    }

    /// Predicted probability at a score.
    pub fn probability(&self, points: f64) -> f64 {
        1.0 / (1.0 + (-self.logit(points)).exp())
    }
}

/// Rows a verb used, and how many rows each column it reads left out (a row may miss several).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowsUsed {
    /// Rows in the input (after any cohort or group filter).
    pub n_input: usize,
    /// Rows complete in every column read.
    pub n_used: usize,
    /// Rows left out.
    pub n_dropped: usize,
    /// Per column read: rows missing a value in it.
    pub missing: Vec<ColumnMissing>,
}

/// Missing values of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMissing {
    /// Column.
    pub column: String,
    /// Rows with no value in it.
    pub n_missing: usize,
}

impl RowsUsed {
    /// Count missing values per column (`columns[k]` holds whether each row has a value) and the complete rows.
    pub(crate) fn count(
        names: &[String],
        present: &[Vec<bool>],
        n_input: usize,
    ) -> (RowsUsed, Vec<usize>) {
        let rows: Vec<usize> = (0..n_input)
            .filter(|&i| present.iter().all(|c| c[i]))
            .collect();
        let missing = names
            .iter()
            .zip(present)
            .map(|(n, c)| ColumnMissing {
                column: n.clone(),
                n_missing: c.iter().filter(|&&p| !p).count(),
            })
            .collect();
        let used = RowsUsed {
            n_input,
            n_used: rows.len(),
            n_dropped: n_input - rows.len(),
            missing,
        };
        (used, rows)
    }

    /// "312 of 418 rows used; dropped for a missing value: center 106" (columns with none missing omitted).
    pub fn describe(&self) -> String {
        let mut s = format!("{} of {} rows used", self.n_used, self.n_input);
        if self.missing.iter().any(|m| m.n_missing > 0) {
            s.push_str(&format!(
                "; {} dropped, missing values per column: {}",
                self.n_dropped,
                self.missing_text()
            ));
        }
        s
    }

    /// "center 106, bmi 3": the columns with missing values and how many (empty when none).
    pub fn missing_text(&self) -> String {
        let miss: Vec<String> = self
            .missing
            .iter()
            .filter(|m| m.n_missing > 0)
            .map(|m| format!("{} {}", m.column, m.n_missing))
            .collect();
        miss.join(", ")
    }
}

/// Clusters below which cluster-robust standard errors are known to be too small.
pub(crate) const FEW_CLUSTERS: usize = 30;

/// [`cluster_column`] on a borrowed table: the table is copied only when a composite spec adds its joined
/// column (a copy of a 10^6-row registry is about 180 MiB).
pub(crate) fn with_cluster_column<'a>(
    table: &'a Table,
    spec: Option<&str>,
) -> Result<(std::borrow::Cow<'a, Table>, Option<String>)> {
    match spec {
        Some(s) if s.contains(',') => {
            let mut owned = table.clone();
            let name = cluster_column(&mut owned, spec)?;
            Ok((std::borrow::Cow::Owned(owned), name))
        }
        _ => {
            let name = spec.map(str::trim);
            if let Some(n) = name {
                table.column(n)?;
            }
            Ok((std::borrow::Cow::Borrowed(table), name.map(str::to_string)))
        }
    }
}

/// With a composite cluster spec (`center,id`), add a text column of that name joining the parts (missing when
/// any part is); a single column name is returned as is. Ids that repeat across strata stay distinct.
pub(crate) fn cluster_column(table: &mut Table, spec: Option<&str>) -> Result<Option<String>> {
    let Some(spec) = spec else { return Ok(None) };
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    if parts.len() == 1 {
        table.column(parts[0])?;
        return Ok(Some(parts[0].to_string()));
    }
    let cols: Vec<std::borrow::Cow<'_, calcscore_data::TextColumn>> = parts
        .iter()
        .map(|p| table.text(p))
        .collect::<std::result::Result<_, _>>()?;
    let joined: Vec<Option<String>> = (0..table.nrows())
        .map(|i| {
            cols.iter()
                .map(|c| c.get(i))
                .collect::<Option<Vec<&str>>>()
                .map(|v| v.join("\u{1f}"))
        })
        .collect();
    let name = parts.join(",");
    if !table.has(&name) {
        table.names.push(name.clone());
        table.columns.push(calcscore_data::ColumnData::text(joined));
    }
    Ok(Some(name))
}

/// NaN or an infinity in a numeric column a score or a derivation reads (its items, the continuous outcome, the
/// binary outcome's column) is an input problem naming the file, the first such row and the column, as in
/// `fit` (docs/errors.md, "Degenerate data"): compared with a threshold it would otherwise read silently as
/// "item absent" or "no event". Only `rows` (the complete rows) are searched; text columns are skipped.
pub(crate) fn refuse_non_finite(table: &Table, cols: &[String], rows: &[usize]) -> Result<()> {
    let numeric: Vec<(&String, &calcscore_data::NumColumn)> = cols
        .iter()
        .filter_map(|c| match table.column(c) {
            Ok(calcscore_data::ColumnData::Num(v)) => Some((c, v)),
            _ => None,
        })
        .collect();
    for &i in rows {
        for (c, v) in &numeric {
            if let Some(x) = v.get(i).filter(|x| !x.is_finite()) {
                return Err(Error::Data(DataError::Invalid {
                    file: table.source.clone(),
                    row: table.row_number(i),
                    column: (*c).clone(),
                    value: format!("{x}"),
                    rule:
                        "must be a finite number (leave the cell empty or NA for a missing value)"
                            .into(),
                }));
            }
        }
    }
    Ok(())
}

/// Recompute p-values and intervals of cluster-robust coefficients with t on G − 1 degrees of freedom
/// (a small-sample correction: CR1 standard errors, Student t reference as Stata's `vce(cluster)`).
pub(crate) fn t_g_minus_1(rows: &mut [calcscore_stats::TidyRow], n_clusters: usize, level: f64) {
    use calcscore_stats::vcov::Reference;
    let r = Reference::T((n_clusters.max(2) - 1) as f64);
    let crit = r.critical(level);
    for row in rows {
        row.p_value = r.p_two_sided(row.statistic);
        row.conf_low = row.estimate - crit * row.std_error;
        row.conf_high = row.estimate + crit * row.std_error;
    }
}

/// Largest number of points one item may give (or take away).
pub(crate) const MAX_ITEM_POINTS: i64 = 100;

/// Largest span of a score (sum of the items' absolute points): every level is tabulated.
pub(crate) const MAX_SCORE_RANGE: i64 = 1000;

const BUILTIN: [(&str, &str); 2] = [
    (
        "ivus-zhang2021",
        include_str!("builtin/ivus-zhang2021.toml"),
    ),
    (
        "oct-fujino2018",
        include_str!("builtin/oct-fujino2018.toml"),
    ),
];

/// The keys a score file may hold, per table: a misspelt key (`[modle]`, `pionts`) is an error naming it, not a
/// value silently left at its default. `[card]` and the `var_`/`cov_` model keys are read by `card`.
const SCORE_KEYS: [(&str, &[&str]); 4] = [
    (
        "",
        &["name", "title", "source", "cutoff", "item", "model", "card"],
    ),
    (
        "item",
        &["label", "column", "op", "threshold", "points", "searched"],
    ),
    (
        "model",
        &[
            "intercept",
            "slope",
            "outcome",
            "fitted_in",
            "data_sha256",
            "data_rows",
            "var_intercept",
            "var_slope",
            "cov_intercept_slope",
        ],
    ),
    ("card", &["recommendation", "below"]),
];

/// Check every key of a score file against [`SCORE_KEYS`] (a file that is no TOML is left to the parser).
fn known_keys(text: &str, file: &str) -> Result<()> {
    let Ok(root) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let tables = |name: &str| -> Vec<&toml::Table> {
        match (name, root.get(name)) {
            ("", _) => vec![&root],
            (_, Some(toml::Value::Table(t))) => vec![t],
            (_, Some(toml::Value::Array(a))) => {
                a.iter().filter_map(toml::Value::as_table).collect()
            }
            _ => Vec::new(),
        }
    };
    for (name, allowed) in SCORE_KEYS {
        for key in tables(name).iter().flat_map(|t| t.keys()) {
            if !allowed.contains(&key.as_str()) {
                let place = if name.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("[{name}]")
                };
                let hint = calcscore_data::load::did_you_mean(key, allowed.iter().copied())
                    .map_or(String::new(), |m| format!(" (did you mean '{m}'?)"));
                return Err(Error::Data(DataError::Unreadable {
                    file: file.to_string(),
                    reason: format!(
                        "unknown key '{key}' in {place}{hint}; a score file knows {}",
                        allowed.join(", ")
                    ),
                }));
            }
        }
    }
    Ok(())
}

/// The `[model]` variances and covariance of a score file (read by `card` for the risk intervals) must form a
/// covariance matrix: each variance ≥ 0 and cov² ≤ var_intercept · var_slope (|correlation| ≤ 1, with a relative
/// slack of 1e-9 for rounding). Anything else is a typo (an SE entered as a variance, a sign slip) that would
/// leave some totals without an interval, so it is refused naming the keys and the rule.
fn model_covariance(text: &str, file: &str) -> Result<()> {
    let Ok(root) = text.parse::<toml::Table>() else {
        return Ok(());
    };
    let Some(toml::Value::Table(model)) = root.get("model") else {
        return Ok(());
    };
    let get = |k: &str| match model.get(k) {
        Some(toml::Value::Float(x)) => Some(*x),
        Some(toml::Value::Integer(x)) => Some(*x as f64),
        _ => None,
    };
    let bad = |reason: String| {
        Err(Error::Data(DataError::Unreadable {
            file: file.to_string(),
            reason,
        }))
    };
    let (vi, vs, c) = (
        get("var_intercept"),
        get("var_slope"),
        get("cov_intercept_slope"),
    );
    for (key, v) in [("var_intercept", vi), ("var_slope", vs)] {
        if let Some(v) = v.filter(|v| *v < 0.0) {
            return bad(format!(
                "[model] {key} = {v} is negative: a variance is ≥ 0 (the square of the standard error); \
                 fix: give the variance (SE²) from the fitted model's covariance matrix (R: vcov(fit))"
            ));
        }
    }
    if let (Some(vi), Some(vs), Some(c)) = (vi, vs, c) {
        let bound = vi * vs;
        if c * c > bound * (1.0 + 1e-9) {
            return bad(format!(
                "[model] cov_intercept_slope = {c} is impossible with var_intercept = {vi} and var_slope = {vs}: \
                 cov_intercept_slope² must be ≤ var_intercept · var_slope, i.e. |cov_intercept_slope| ≤ {} \
                 (here the correlation would be {:.3}); fix: copy the three entries of the model's covariance \
                 matrix (R: vcov(fit))",
                calcscore_core::format::significant5(bound.sqrt()),
                c / bound.sqrt()
            ));
        }
    }
    Ok(())
}

impl PointsTable {
    /// The names of the built-in scores.
    pub(crate) fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in score by name.
    pub fn builtin(name: &str) -> Option<PointsTable> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| toml::from_str(t).expect("built-in score parses"))
    }

    /// A built-in score by name, or else a TOML file at that path.
    pub fn resolve(name_or_path: &str) -> Result<PointsTable> {
        if let Some(t) = Self::builtin(name_or_path) {
            return Ok(t);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            return Err(Error::Usage(format!(
                "'{name_or_path}' is neither a built-in score ({}) nor a score file",
                Self::builtin_names().join(", ")
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        known_keys(&text, &path.display().to_string())?;
        model_covariance(&text, &path.display().to_string())?;
        let table: PointsTable = toml::from_str(&text).map_err(|e| {
            Error::Data(DataError::Unreadable {
                file: path.display().to_string(),
                reason: e.to_string(),
            })
        })?;
        table.check(&path.display().to_string())?;
        Ok(table)
    }

    /// Reject a table with no items, an item whose points or threshold are out of bounds, or a
    /// score range wider than [`MAX_SCORE_RANGE`] (every level from 0 to the maximum is tabulated).
    pub fn check(&self, file: &str) -> Result<()> {
        let bad = |reason: String| {
            Err(Error::Data(DataError::Unreadable {
                file: file.to_string(),
                reason,
            }))
        };
        if self.items.is_empty() {
            return bad("a score needs at least one [[item]]".into());
        }
        for (k, i) in self.items.iter().enumerate() {
            if i.points.unsigned_abs() > MAX_ITEM_POINTS as u64 {
                return bad(format!(
                    "item {} ('{}'): points = {} is outside -{MAX_ITEM_POINTS}..{MAX_ITEM_POINTS}; fix: a point score gives small whole numbers per item",
                    k + 1,
                    i.label,
                    i.points
                ));
            }
            if !i.threshold.is_finite() {
                return bad(format!(
                    "item {} ('{}'): threshold = {} is not a finite number",
                    k + 1,
                    i.label,
                    i.threshold
                ));
            }
        }
        let range: i64 = self.items.iter().map(|i| i.points.abs()).sum();
        if range > MAX_SCORE_RANGE {
            return bad(format!(
                "the items' points span {range} score levels, more than {MAX_SCORE_RANGE}; fix: fewer items or smaller points"
            ));
        }
        Ok(())
    }

    /// The table as TOML, in the format `resolve` reads.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("points table serialises")
    }

    /// Highest possible score.
    pub fn max_points(&self) -> i64 {
        self.items.iter().map(|i| i.points.max(0)).sum()
    }

    /// Lowest possible score (below 0 when an item has negative points).
    pub(crate) fn min_points(&self) -> i64 {
        self.items.iter().map(|i| i.points.min(0)).sum()
    }

    /// Columns the score reads that the table lacks (all are named in one error by `evaluate`).
    pub fn missing_columns(&self, table: &Table) -> Vec<String> {
        let mut cols: Vec<String> = self
            .items
            .iter()
            .map(|i| i.column.clone())
            .filter(|c| !table.has(c))
            .collect();
        cols.dedup();
        cols
    }

    /// The score of every row; `None` where an item's value is missing. A table that fails
    /// [`PointsTable::check`] is refused (so the sum cannot overflow).
    pub fn evaluate(&self, table: &Table) -> Result<Vec<Option<i64>>> {
        self.check(&format!("score '{}'", self.name))?;
        let missing = self.missing_columns(table);
        if !missing.is_empty() {
            return Err(Error::Data(DataError::MissingColumn {
                file: table.source.clone(),
                column: missing.join("', '"),
                hint: format!(" (needed by the score '{}')", self.name),
            }));
        }
        let columns: Vec<std::borrow::Cow<'_, calcscore_data::NumColumn>> = self
            .items
            .iter()
            .map(|i| table.numbers(&i.column))
            .collect::<Result<_, _>>()?;
        Ok((0..table.nrows())
            .map(|r| {
                self.items
                    .iter()
                    .zip(&columns)
                    .try_fold(0, |acc, (item, col)| {
                        col.get(r).map(|v| {
                            acc + if item.op.holds(v, item.threshold) {
                                item.points
                            } else {
                                0
                            }
                        })
                    })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calcscore_data::ColumnData;

    fn num(v: &[f64]) -> ColumnData {
        ColumnData::Num(v.iter().map(|&x| Some(x)).collect())
    }

    /// A single cluster column borrows the table; a composite one copies it and joins the parts.
    #[test]
    fn cluster_column_copies_only_for_a_composite_spec() {
        let t = Table::new(
            "t.csv",
            vec![
                ("c".into(), ColumnData::text([Some("x"), Some("y"), None])),
                (
                    "id".into(),
                    ColumnData::text([Some("1"), Some("1"), Some("2")]),
                ),
            ],
        );
        let (same, name) = with_cluster_column(&t, Some(" id ")).unwrap();
        assert!(matches!(same, std::borrow::Cow::Borrowed(_)));
        assert_eq!(name.as_deref(), Some("id"));
        let (joined, name) = with_cluster_column(&t, Some("c,id")).unwrap();
        assert_eq!(name.as_deref(), Some("c,id"));
        let ids: Vec<Option<&str>> = joined.text_values("c,id").unwrap().iter().collect();
        assert_eq!(ids, [Some("x\u{1f}1"), Some("y\u{1f}1"), None]);
        assert!(with_cluster_column(&t, Some("nope")).is_err());
        assert!(matches!(with_cluster_column(&t, None), Ok((_, None))));
    }

    #[test]
    fn ivus_score_by_hand() {
        // Seed 004's example: 4.1 mm of >270° calcium scores 0, 8.9 mm scores 1.
        let t = Table::new(
            "t.csv",
            vec![
                ("calcium_270_length_mm".into(), num(&[4.1, 8.9, 5.0, 6.0])),
                ("calcium_360".into(), num(&[0.0, 1.0, 0.0, 1.0])),
                ("calcified_nodule".into(), num(&[0.0, 0.0, 1.0, 1.0])),
                ("vessel_diameter_mm".into(), num(&[3.6, 3.4, 3.5, 3.0])),
            ],
        );
        let s = PointsTable::builtin("ivus-zhang2021")
            .unwrap()
            .evaluate(&t)
            .unwrap();
        // row 1: 0; row 2: 1+1+0+1 = 3; row 3: 0+0+1+0 = 1 (5.0 is not > 5, 3.5 is not < 3.5); row 4: 4
        assert_eq!(s, vec![Some(0), Some(3), Some(1), Some(4)]);
    }

    #[test]
    fn oct_score_by_hand_and_missing_columns_named() {
        let t = Table::new(
            "t.csv",
            vec![
                ("max_calcium_angle_deg".into(), num(&[181.0, 90.0])),
                (
                    "calcium_thickness_mm".into(),
                    ColumnData::num([Some(0.6), None]),
                ),
                ("calcium_length_mm".into(), num(&[5.5, 2.0])),
            ],
        );
        let oct = PointsTable::builtin("oct-fujino2018").unwrap();
        assert_eq!(oct.evaluate(&t).unwrap(), vec![Some(4), None]);
        let ivus = PointsTable::builtin("ivus-zhang2021").unwrap();
        let e = ivus.evaluate(&t).unwrap_err().to_string();
        assert!(
            e.contains("calcium_270_length_mm") && e.contains("vessel_diameter_mm"),
            "{e}"
        );
    }

    #[test]
    fn toml_round_trips() {
        let ivus = PointsTable::builtin("ivus-zhang2021").unwrap();
        let back: PointsTable = toml::from_str(&ivus.to_toml()).unwrap();
        assert_eq!(back, ivus);
        assert_eq!(ivus.max_points(), 4);
    }
}
