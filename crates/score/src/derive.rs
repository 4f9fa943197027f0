//! Derivation of a point score: candidates (dichotomised, optionally by a threshold search), univariable screen,
//! multivariable models (linear on the continuous outcome, logistic on the binary one; cluster-robust), points
//! from coefficients, and cutoffs by Youden and by a target NPV.

use serde::{Deserialize, Serialize};

use super::{Item, Op, PointsTable, RiskModel, RowsUsed};
use crate::{Error, Result};
use calcscore_core::format::significant5 as sig;
use calcscore_data::table::format_number;
use calcscore_data::{ColumnData, DataError, Table};
use calcscore_stats::design::Design;
use calcscore_stats::diagnostic::{CiMethod, TwoByTwo};
use calcscore_stats::formula::{quoted, Formula};
use calcscore_stats::logistic::{firth, logistic};
use calcscore_stats::ols::ols;
use calcscore_stats::roc::{Direction, Roc};
use calcscore_stats::vcov::FitOptions;
use calcscore_stats::{StatsError, TidyRow};

/// One candidate predictor: `column op threshold` (binary columns: `== 1`), or a threshold searched over `grid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// Label for tables and the score file.
    pub label: String,
    /// Column read.
    pub column: String,
    /// Comparison (default `==` with threshold 1 for a 0/1 column).
    #[serde(default)]
    pub op: Option<Op>,
    /// Threshold (required unless `grid` is given).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Thresholds to search (the one with the largest univariable |statistic| is kept).
    #[serde(default)]
    pub grid: Vec<f64>,
}

/// A candidates file: `[[candidate]]` tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidates {
    /// Name of the score to write.
    #[serde(default = "default_name")]
    pub name: String,
    /// The candidates.
    #[serde(rename = "candidate")]
    pub candidates: Vec<Candidate>,
}

fn default_name() -> String {
    "derived-score".into()
}

impl Candidates {
    /// Read a candidates TOML file.
    pub fn from_file(path: &std::path::Path) -> Result<Candidates> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let c: Candidates = toml::from_str(&text).map_err(|e| {
            Error::Data(DataError::Unreadable {
                file: path.display().to_string(),
                reason: e.to_string(),
            })
        })?;
        for k in &c.candidates {
            if k.threshold.is_none() && k.grid.is_empty() && k.op.is_some_and(|o| o != Op::Eq) {
                return Err(Error::Usage(format!(
                    "{}: candidate '{}' needs a threshold or a grid",
                    path.display(),
                    k.label
                )));
            }
            if k.threshold.is_some() && !k.grid.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: candidate '{}' gives both a threshold and a grid; give the threshold to use, or the grid \
                     to search",
                    path.display(),
                    k.label
                )));
            }
            if let Some(t) = k.threshold.iter().chain(&k.grid).find(|t| !t.is_finite()) {
                return Err(Error::Usage(format!(
                    "{}: candidate '{}': threshold {t} is not a finite number",
                    path.display(),
                    k.label
                )));
            }
        }
        Ok(c)
    }

    /// The paper's candidates for the IVUS calcium score (Zhang 2021).
    pub fn zhang2021() -> Candidates {
        let item = |i: &Item| Candidate {
            label: i.label.clone(),
            column: i.column.clone(),
            op: Some(i.op),
            threshold: Some(i.threshold),
            grid: Vec::new(),
        };
        let s = PointsTable::builtin("ivus-zhang2021").expect("built-in score");
        Candidates {
            name: "derived-ivus".into(),
            candidates: s.items.iter().map(item).collect(),
        }
    }
}

/// A binary outcome: a 0/1 column, `column op threshold` (e.g. `stent_expansion_pct < 70`), a text level
/// (`type == Yes`), or a two-level text column (its second sorted level is the event, as R's factors).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryOutcome {
    /// Column read.
    pub column: String,
    /// Comparison, `None` for a 0/1 (or two-level text) column.
    pub op: Option<Op>,
    /// Threshold.
    pub threshold: f64,
    /// Text level that is the event (`type == Yes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

impl BinaryOutcome {
    /// Parse `"column < 70"`, `"column == Yes"` or `"column"`.
    pub fn parse(s: &str) -> Result<BinaryOutcome> {
        if let Some(op) = ["!=", "<>", "=<", "=>"].iter().find(|op| s.contains(**op)) {
            return Err(Error::Usage(format!(
                "--binary-outcome '{s}': '{op}' is not a comparison calcscore reads; use <, <=, ==, >= or > \
                 (for \"not Yes\", name the other level: \"type == No\")"
            )));
        }
        for (sym, op) in [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if let Some((c, t)) = s.split_once(sym) {
                let t = t.trim();
                let column = c.trim().to_string();
                if let Some(threshold) = calcscore_data::table::parse_number(t) {
                    return Ok(BinaryOutcome {
                        column,
                        op: Some(op),
                        threshold,
                        level: None,
                    });
                }
                if op != Op::Eq || t.is_empty() {
                    return Err(Error::Usage(format!(
                        "--binary-outcome '{s}': '{t}' is not a number (a text level needs ==, e.g. \"type == Yes\")"
                    )));
                }
                return Ok(BinaryOutcome {
                    column,
                    op: Some(op),
                    threshold: f64::NAN,
                    level: Some(t.trim_matches(['"', '\'']).to_string()),
                });
            }
        }
        Ok(BinaryOutcome {
            column: s.trim().into(),
            op: None,
            threshold: 1.0,
            level: None,
        })
    }

    /// The outcome with the event named: a bare two-level text column becomes `column == level` with its second
    /// level in sorted order (as R codes a factor response), so every label says which level is the event;
    /// the returned note says so, for the terminal. Anything else is returned as it is, with no note.
    pub fn resolved(self, table: &Table) -> Result<(BinaryOutcome, Option<String>)> {
        if self.op.is_some() || self.level.is_some() || !table.is_categorical(&self.column)? {
            return Ok((self, None));
        }
        let levels = self.text_levels(table)?;
        let note = format!(
            "--binary-outcome {c}: a text column; the event is '{e}' (the second of its levels {a}, {e} in sorted \
             order); to choose the other, give \"{c} == {a}\"",
            c = self.column,
            a = levels[0],
            e = levels[1]
        );
        let resolved = BinaryOutcome {
            op: Some(Op::Eq),
            threshold: f64::NAN,
            level: Some(levels[1].clone()),
            column: self.column,
        };
        Ok((resolved, Some(note)))
    }

    /// 1/0 per row (missing stays missing); a 0/1 column with other values is an error naming the row.
    pub fn values(&self, table: &Table) -> Result<Vec<Option<f64>>> {
        if let Some(level) = &self.level {
            return self.text_values(table, level);
        }
        if self.op.is_none() && table.is_categorical(&self.column)? {
            let levels = self.text_levels(table)?;
            return self.text_values(table, &levels[1]);
        }
        let v = table.numbers(&self.column)?;
        match self.op {
            Some(op) => Ok(v
                .iter()
                .map(|x| x.map(|x| f64::from(u8::from(op.holds(x, self.threshold)))))
                .collect()),
            None => {
                if let Some(i) = v
                    .iter()
                    .position(|x| x.is_some_and(|x| x != 0.0 && x != 1.0))
                {
                    return Err(Error::Data(DataError::Invalid {
                        file: table.source.clone(),
                        row: table.row_number(i),
                        column: self.column.clone(),
                        value: format!("'{}'", v.get(i).unwrap_or_default()),
                        rule: "a binary outcome column must be 0/1 (or give a rule such as \"x < 70\" or \"x == Yes\")".into(),
                    }));
                }
                Ok(v.to_options())
            }
        }
    }

    fn text_values(&self, table: &Table, level: &str) -> Result<Vec<Option<f64>>> {
        let v = table.text(&self.column)?;
        if !v.iter().flatten().any(|x| x.trim() == level) {
            return Err(Error::Usage(format!(
                "--binary-outcome: no row of '{}' in {} has the value '{level}'",
                self.column, table.source
            )));
        }
        Ok(v.iter()
            .map(|x| x.map(|x| f64::from(u8::from(x.trim() == level))))
            .collect())
    }

    /// The two sorted levels of a text outcome column (the second is the event).
    fn text_levels(&self, table: &Table) -> Result<Vec<String>> {
        let mut lv: Vec<String> = table
            .text(&self.column)?
            .into_iter()
            .flatten()
            .map(|x| x.trim().to_string())
            .collect();
        lv.sort();
        lv.dedup();
        if lv.len() != 2 {
            return Err(Error::Usage(format!(
                "binary outcome '{}' in {} has {} text levels ({}): name the event, e.g. \"{} == {}\"",
                self.column,
                table.source,
                lv.len(),
                lv.join(", "),
                self.column,
                lv.last().map_or("Yes", String::as_str)
            )));
        }
        Ok(lv)
    }

    /// −1 when low values of `column` are the bad outcome (`<`, `<=`), +1 otherwise.
    pub fn direction(&self) -> f64 {
        if matches!(self.op, Some(Op::Lt | Op::Le)) {
            -1.0
        } else {
            1.0
        }
    }

    /// The rule in words.
    pub fn describe(&self) -> String {
        match (self.op, &self.level) {
            (_, Some(l)) => format!("{} == {l}", self.column),
            (Some(op), None) => format!("{} {} {}", self.column, op.symbol(), self.threshold),
            (None, None) => format!("{} = 1", self.column),
        }
    }
}

/// How points are oriented: +1 when higher values of the continuous outcome go with the event, −1 otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Orientation {
    /// Multiplier of the coefficients so that more points mean more risk of the event.
    pub sign: f64,
    /// Why, in words.
    pub reason: String,
}

/// Orientation of a continuous outcome relative to the binary event: from the rule when the event is defined on
/// the outcome itself, else from the outcome's mean in rows with and without the event.
pub fn orientation(
    y: &[f64],
    event: &[bool],
    outcome: &str,
    binary: &BinaryOutcome,
) -> Orientation {
    let rule = binary.describe();
    if binary.column == outcome && binary.op.is_some() && binary.level.is_none() {
        let sign = binary.direction();
        let way = if sign < 0.0 { "low" } else { "high" };
        return Orientation {
            sign,
            reason: format!("the event ({rule}) is defined by {way} {outcome}"),
        };
    }
    let mean = |want: bool| {
        let v: Vec<f64> = y
            .iter()
            .zip(event)
            .filter(|(_, &e)| e == want)
            .map(|(&v, _)| v)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    match (mean(true), mean(false)) {
        (Some(a), Some(b)) if a != b => {
            let sign = if a > b { 1.0 } else { -1.0 };
            let (more, fewer) = if sign > 0.0 { ("higher", "+") } else { ("lower", "−") };
            Orientation {
                sign,
                reason: format!(
                    "{outcome} is {more} with the event ({rule}: mean {} vs {} without): points = {fewer}coefficient ÷ reference, so more points mean more risk",
                    sig(a),
                    sig(b)
                ),
            }
        }
        _ => Orientation {
            sign: binary.direction(),
            reason: format!(
                "{outcome} does not differ between rows with and without the event ({rule}): orientation taken from the rule"
            ),
        },
    }
}

/// What to derive from and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeriveOptions {
    /// Continuous outcome for the linear model (points come from it when given).
    pub outcome: Option<String>,
    /// Binary outcome for the logistic model and the cutoffs.
    pub binary: BinaryOutcome,
    /// Cluster column (or `a,b` for ids nested in strata) for cluster-robust (CR1) covariances.
    pub cluster: Option<String>,
    /// Candidate label (or column) whose coefficient is one point; default the smallest.
    pub reference: Option<String>,
    /// Target NPV for the second cutoff rule.
    pub target_npv: Option<f64>,
    /// Confidence level.
    pub conf_level: f64,
    /// Fit the logistic models by Firth's penalised likelihood (brglm2 AS_mean; model-based covariance).
    pub firth: bool,
}

/// One grid value of a threshold search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridPoint {
    /// Threshold tried.
    pub threshold: f64,
    /// Univariable coefficient.
    pub estimate: f64,
    /// Its Wald statistic.
    pub statistic: f64,
    /// Its p-value.
    pub p_value: f64,
}

/// Threshold search of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdSearch {
    /// Candidate label.
    pub label: String,
    /// Each grid value tried.
    pub grid: Vec<GridPoint>,
    /// Chosen threshold.
    pub chosen: f64,
}

/// Univariable screen row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screen {
    /// Candidate label.
    pub label: String,
    /// Item present in this many rows.
    pub n_present: usize,
    /// Linear model coefficient (when a continuous outcome is given).
    pub linear: Option<TidyRow>,
    /// Logistic log-odds ratio.
    pub logistic: Option<TidyRow>,
}

/// A fitted multivariable model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// Formula.
    pub formula: String,
    /// Covariance used, and the reference distribution of its tests.
    pub covariance: String,
    /// Rows used.
    pub n: usize,
    /// Clusters (with a cluster column).
    pub n_clusters: Option<usize>,
    /// Coefficients.
    pub coefficients: Vec<TidyRow>,
    /// Apparent Cox–Snell R² = 1 − exp(−(null deviance − deviance)/n) (maximum-likelihood logistic models only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r2_cox_snell: Option<f64>,
}

/// One derived item: coefficient with its interval, ratio to the reference, points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsRow {
    /// Candidate label.
    pub label: String,
    /// Coefficient in the model the points come from.
    pub coefficient: f64,
    /// Its confidence interval.
    pub conf_low: f64,
    /// Its confidence interval.
    pub conf_high: f64,
    /// Its p-value.
    pub p_value: f64,
    /// Risk-oriented ratio to the reference coefficient (unrounded points).
    pub ratio: f64,
    /// Points (rounded ratio).
    pub points: i64,
    /// True when the interval includes no effect (in the points model or the logistic model): the point rests on
    /// an effect the data do not distinguish from none (a note says so).
    pub null_effect: bool,
}

/// An estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Estimate.
    pub estimate: f64,
    /// Lower limit.
    pub conf_low: f64,
    /// Upper limit.
    pub conf_high: f64,
}

/// A diagnostic measure at a cutoff with its exact (Clopper–Pearson) interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// sensitivity, specificity, ppv or npv.
    pub measure: String,
    /// Estimate.
    pub estimate: f64,
    /// Lower limit.
    pub conf_low: f64,
    /// Upper limit.
    pub conf_high: f64,
}

/// A cutoff rule and its accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cutoff {
    /// How it was chosen.
    pub rule: String,
    /// Score ≥ cutoff is positive (always a score value in the score's range).
    pub cutoff: i64,
    /// 2×2 counts.
    pub table: TwoByTwo,
    /// Sensitivity, specificity, PPV, NPV with Clopper–Pearson CIs (a measure with a zero denominator is left out).
    pub measures: Vec<Measure>,
}

impl Cutoff {
    /// The accuracy of `score ≥ cutoff`.
    pub fn at(rule: &str, cutoff: i64, s: &[f64], y: &[bool], level: f64) -> Cutoff {
        let t = TwoByTwo::from_marker(s, y, cutoff as f64);
        let measures = ["sensitivity", "specificity", "ppv", "npv"]
            .iter()
            .filter_map(|m| t.measure(m, CiMethod::Exact, level))
            .map(|m| Measure {
                measure: m.name,
                estimate: m.estimate,
                conf_low: m.conf_low,
                conf_high: m.conf_high,
            })
            .collect();
        Cutoff {
            rule: rule.into(),
            cutoff,
            table: t,
            measures,
        }
    }
}

/// The result of a derivation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derivation {
    /// Rows read, used, and dropped per column (complete cases for candidates, outcomes and cluster).
    pub rows: RowsUsed,
    /// Rows used.
    pub n: usize,
    /// Rows with the binary outcome.
    pub n_events: usize,
    /// Clusters among the rows used (with a cluster column).
    pub n_clusters: Option<usize>,
    /// Threshold searches (need validation elsewhere).
    pub searches: Vec<ThresholdSearch>,
    /// Univariable screen.
    pub screen: Vec<Screen>,
    /// Multivariable linear model.
    pub linear: Option<Model>,
    /// Multivariable logistic model.
    pub logistic: Option<Model>,
    /// Which model the points come from, and the reference item.
    pub points_from: String,
    /// How the points are oriented (more points = more risk of the event).
    pub orientation: Orientation,
    /// Points per item.
    pub points: Vec<PointsRow>,
    /// AUC of the derived score for the binary outcome, with DeLong CI.
    pub auc: Interval,
    /// Cutoff by Youden's index, and by the target NPV when asked.
    pub cutoffs: Vec<Cutoff>,
    /// The derived score, in the points-table format `validate` reads (with its `[model]`).
    pub score: PointsTable,
    /// Problems and warnings reported, not hidden.
    pub notes: Vec<String>,
    /// Why no points could be derived from these rows (only `derive --impute` reports such a derivation, the
    /// complete cases beside the pooled score); the models, points, AUC and cutoffs are then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_estimable: Option<String>,
}

/// Candidates with thresholds fixed (grid searches resolved) as score items with one point each.
pub(crate) fn resolve_items(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
) -> Result<(Vec<Item>, Vec<ThresholdSearch>)> {
    let mut items = Vec::new();
    let mut searches = Vec::new();
    for c in &cands.candidates {
        let op = c.op.unwrap_or(Op::Eq);
        let threshold = match (c.threshold, c.grid.is_empty()) {
            (Some(t), true) => t,
            (None, true) => 1.0,
            (_, false) => {
                let s = search(table, c, op, opts)?;
                let t = s.chosen;
                searches.push(s);
                t
            }
        };
        let item = Item {
            label: c.label.clone(),
            column: c.column.clone(),
            op,
            threshold,
            points: 1,
            searched: !c.grid.is_empty(),
        };
        if c.op.is_none() && c.threshold.is_none() {
            refuse_not_binary(table, &item)?;
        }
        items.push(item);
    }
    refuse_duplicates(&items)?;
    Ok((items, searches))
}

/// A candidate named by its column alone is a 0/1 column (the item is `column == 1`): a column coded 1/2 would
/// make its 1s (often the "no"s) the item, so any value other than 0 and 1 is an error naming its row.
fn refuse_not_binary(table: &Table, item: &Item) -> Result<()> {
    let Some((row, values)) = item.not_binary(table)? else {
        return Ok(());
    };
    let shown: Vec<String> = values.iter().map(|&x| format_number(x)).collect();
    let value = table.numbers(&item.column)?.get(row).unwrap_or(f64::NAN);
    Err(Error::Data(DataError::Invalid {
        file: table.source.clone(),
        row: table.row_number(row),
        column: item.column.clone(),
        value: format_number(value),
        rule: format!(
            "candidate '{}' names its column only, so it is a 0/1 column (the item is {} == 1), but the column \
             holds {}; fix: recode it to 0/1 (1 = present), or give op and threshold (op = \"==\", threshold = 2)",
            item.label,
            item.column,
            shown.join(", ")
        ),
    }))
}

/// Two candidates with the same column, comparison and threshold make one model term but would get two points.
fn refuse_duplicates(items: &[Item]) -> Result<()> {
    for (k, a) in items.iter().enumerate() {
        if let Some(b) = items[..k]
            .iter()
            .find(|b| b.indicator_name() == a.indicator_name())
        {
            return Err(Error::Usage(format!(
                "candidates '{}' and '{}' are the same item ({} {} {}): one model term cannot give two points; remove one",
                b.label,
                a.label,
                a.column,
                a.op.symbol(),
                a.threshold
            )));
        }
        if let Some(b) = items[..k].iter().find(|b| b.label == a.label) {
            return Err(Error::Usage(format!(
                "two candidates are labelled '{}' ({} and {}): labels name the items and must differ",
                a.label,
                b.indicator_name(),
                a.indicator_name()
            )));
        }
    }
    Ok(())
}

/// Univariable threshold search: keep the grid value with the largest |statistic|.
fn search(table: &Table, c: &Candidate, op: Op, opts: &DeriveOptions) -> Result<ThresholdSearch> {
    let mut grid = Vec::new();
    for &t in &c.grid {
        let item = Item {
            label: c.label.clone(),
            column: c.column.clone(),
            op,
            threshold: t,
            points: 1,
            searched: true,
        };
        let work = working_table(table, std::slice::from_ref(&item), opts)?;
        let row = match &opts.outcome {
            Some(y) => fit_linear(&work, y, &[item.indicator_name()], opts)
                .ok()
                .and_then(|m| m.coefficients.get(1).cloned()),
            None => fit_logistic(&work, &[item.indicator_name()], opts)
                .ok()
                .and_then(|m| m.coefficients.get(1).cloned()),
        };
        if let Some(r) = row {
            grid.push(GridPoint {
                threshold: t,
                estimate: r.estimate,
                statistic: r.statistic,
                p_value: r.p_value,
            });
        }
    }
    let best = grid
        .iter()
        .max_by(|a, b| a.statistic.abs().total_cmp(&b.statistic.abs()))
        .ok_or_else(|| {
            Error::Stats(StatsError::Undefined(format!(
                "threshold search for '{}': no grid value gives an estimable model",
                c.label
            )))
        })?;
    Ok(ThresholdSearch {
        label: c.label.clone(),
        chosen: best.threshold,
        grid: grid.clone(),
    })
}

/// The table with each item's 0/1 indicator and the binary outcome (`binary_outcome`) added.
pub(crate) fn working_table(table: &Table, items: &[Item], opts: &DeriveOptions) -> Result<Table> {
    let mut t = table.clone();
    for item in items {
        push(&mut t, &item.indicator_name(), item.indicator(table)?);
    }
    push(&mut t, "binary_outcome", opts.binary.values(table)?);
    Ok(t)
}

fn push(t: &mut Table, name: &str, v: Vec<Option<f64>>) {
    match t.names.iter().position(|n| n == name) {
        Some(j) => t.columns[j] = ColumnData::num(v),
        None => {
            t.names.push(name.into());
            t.columns.push(ColumnData::num(v));
        }
    }
}

fn fit_options(opts: &DeriveOptions) -> FitOptions {
    FitOptions::cluster_robust_if(opts.cluster.is_some(), opts.conf_level)
}

/// The covariance in words; with clusters, the small-sample reference (t on G − 1 df).
fn covariance_text(opts: &DeriveOptions, g: usize) -> String {
    let v = fit_options(opts).vcov.describe();
    if opts.cluster.is_some() {
        format!(
            "{v}; tests and intervals on t with G − 1 = {} df (small-sample correction)",
            g.max(2) - 1
        )
    } else {
        v.into()
    }
}

fn model_from(
    formula: String,
    d: &Design,
    mut coefficients: Vec<TidyRow>,
    opts: &DeriveOptions,
) -> Model {
    let g = d.n_clusters();
    if opts.cluster.is_some() {
        super::t_g_minus_1(&mut coefficients, g, opts.conf_level);
    }
    Model {
        formula,
        covariance: covariance_text(opts, g),
        n: d.y.len(),
        n_clusters: opts.cluster.as_ref().map(|_| g),
        coefficients,
        r2_cox_snell: None,
    }
}

fn fit_linear(t: &Table, y: &str, terms: &[String], opts: &DeriveOptions) -> Result<Model> {
    let formula = format!("{} ~ {}", quoted(y), quoted_terms(terms));
    let d = Design::build(t, &Formula::parse(&formula)?, opts.cluster.as_deref())?;
    let f = ols(&d, &fit_options(opts))?;
    Ok(model_from(formula, &d, f.tidy(), opts))
}

/// Item columns as the terms of a formula, any name that is not a plain one in backticks (`smoke now`).
fn quoted_terms(terms: &[String]) -> String {
    let terms: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
    terms.join(" + ")
}

fn fit_logistic(t: &Table, terms: &[String], opts: &DeriveOptions) -> Result<Model> {
    let formula = format!("binary_outcome ~ {}", quoted_terms(terms));
    let d = Design::build(t, &Formula::parse(&formula)?, opts.cluster.as_deref())?;
    if opts.firth {
        return fit_firth(formula, &d, opts);
    }
    let f = logistic(&d, &fit_options(opts))?;
    if let Some(w) = f.warnings().first() {
        return Err(Error::Stats(StatsError::Undefined(format!(
            "{formula}: {w}"
        ))));
    }
    let g = f.glance();
    let mut m = model_from(formula, &d, f.tidy(), opts);
    m.r2_cox_snell = g
        .deviance
        .zip(g.null_deviance)
        .map(|(dev, null)| 1.0 - (-(null - dev) / d.y.len() as f64).exp());
    Ok(m)
}

/// Firth's penalised logistic model (`--firth`): model-based covariance and Wald intervals on z, as brglm2.
fn fit_firth(formula: String, d: &Design, opts: &DeriveOptions) -> Result<Model> {
    let f = firth(d, &FitOptions::cluster_robust_if(false, opts.conf_level))?;
    if let Some(w) = f.warnings().first() {
        return Err(Error::Stats(StatsError::Undefined(format!(
            "{formula} (Firth): {w}"
        ))));
    }
    Ok(Model {
        formula: format!("{formula} (Firth)"),
        covariance: "model-based, Firth's penalised likelihood (brglm2 brglmFit AS_mean); Wald intervals on z".into(),
        n: d.y.len(),
        n_clusters: opts.cluster.as_ref().map(|_| d.n_clusters()),
        coefficients: f.tidy(),
        r2_cox_snell: None,
    })
}

/// How the note on a failed multivariable logistic model opens.
const LOGISTIC_FAILED: &str = "multivariable logistic model not estimable";

/// The note on a logistic model that failed: under separation, `--firth` is offered (never switched to silently).
fn logistic_failure_note(e: &Error, opts: &DeriveOptions) -> String {
    let text = e.to_string();
    let offer = if !opts.firth && text.contains("separation") {
        " — separation in the derivation set: rerun with --firth for Firth's penalised logistic model, which gives \
         finite estimates and standard errors (calcscore does not switch to it by itself)"
    } else {
        ""
    };
    format!("{LOGISTIC_FAILED}: {e}{offer}")
}

/// Items whose 2×2 table with the event has an empty cell (quasi-complete separation: maximum likelihood drives
/// their coefficient to ±∞), each with a note; without `--firth` the note offers it.
fn separation_notes(work: &Table, items: &[Item], opts: &DeriveOptions) -> Result<Vec<String>> {
    let event = work.numbers("binary_outcome")?;
    let mut notes = Vec::new();
    for item in items {
        let x = work.numbers(&item.indicator_name())?;
        let mut cell = [[0usize; 2]; 2];
        for (xi, ei) in x.iter().zip(event.iter()) {
            if let (Some(a), Some(b)) = (xi, ei) {
                cell[usize::from(a == 1.0)][usize::from(b == 1.0)] += 1;
            }
        }
        let empty = (0..2)
            .flat_map(|a| (0..2).map(move |b| (a, b)))
            .find(|&(a, b)| cell[a][b] == 0 && cell[a][1 - b] > 0);
        let Some((a, b)) = empty else { continue };
        let with = if a == 1 { "with" } else { "without" };
        let quant = if b == 1 { "none" } else { "each" };
        let remedy = if opts.firth {
            "the logistic models are fitted by Firth's penalised likelihood (--firth), whose estimates stay finite"
        } else {
            "maximum-likelihood logistic estimates for it diverge (a huge coefficient and SE); rerun with --firth for \
             Firth's penalised logistic model (calcscore does not switch to it by itself)"
        };
        notes.push(format!(
            "separation: {quant} of the {} row(s) {with} '{}' has the event ({}); {remedy}",
            cell[a][1 - b],
            item.label,
            opts.binary.describe(),
        ));
    }
    Ok(notes)
}

/// Columns a derivation reads: candidates, outcomes, cluster (each once, in that order).
pub(crate) fn columns_read(cands: &Candidates, opts: &DeriveOptions) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let extra = [
        opts.outcome.clone(),
        Some(opts.binary.column.clone()),
        opts.cluster.clone(),
    ];
    for c in cands
        .candidates
        .iter()
        .map(|c| c.column.clone())
        .chain(extra.into_iter().flatten())
    {
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    cols
}

/// Rows complete in every column read, with the missing count per column.
pub(crate) fn complete(table: &Table, cols: &[String]) -> Result<(RowsUsed, Vec<usize>)> {
    let present: Vec<Vec<bool>> = cols
        .iter()
        .map(|c| {
            let col = table.column(c)?;
            Ok((0..table.nrows()).map(|i| !col.is_missing(i)).collect())
        })
        .collect::<std::result::Result<_, DataError>>()?;
    Ok(RowsUsed::count(cols, &present, table.nrows()))
}

/// The rows a derivation uses: the cluster column resolved (`a,b` combined), then the rows complete in every
/// column read, an error when there is none. Returns the rows' accounting, their table and the options naming
/// the resolved cluster column.
pub(crate) fn derivation_rows(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
) -> Result<(RowsUsed, Table, DeriveOptions)> {
    let mut table = table.clone();
    let opts = DeriveOptions {
        cluster: super::cluster_column(&mut table, opts.cluster.as_deref())?,
        ..opts.clone()
    };
    let cols = columns_read(cands, &opts);
    let (rows, used) = complete(&table, &cols)?;
    // The cluster column is read as text (ids); NaN/inf in any other column read is refused, naming its row.
    let numeric: Vec<String> = cols
        .into_iter()
        .filter(|c| Some(c) != opts.cluster.as_ref())
        .collect();
    super::refuse_non_finite(&table, &numeric, &used)?;
    if used.is_empty() {
        return Err(Error::Stats(StatsError::TooFew {
            what: format!("complete rows for the derivation ({})", rows.describe()),
            n: 0,
            needed: 1,
        }));
    }
    Ok((rows, table.subset(&used), opts))
}

/// A binary outcome with one class in the derivation rows cannot weight a score: the error names the rule
/// (`low = 1`, not the internal `outcome` or `binary_outcome`) and the counts.
fn one_class(table: &Table, opts: &DeriveOptions) -> Result<()> {
    let event = opts.binary.values(table)?;
    let n = event.iter().flatten().count();
    let events = event.iter().flatten().filter(|&&e| e == 1.0).count();
    let level = match (events, n - events) {
        (0, _) => "controls only",
        (_, 0) => "events only",
        _ => return Ok(()),
    };
    Err(Error::Stats(StatsError::OneClass {
        column: opts.binary.describe(),
        level: format!(
            "{level}: {events} of the {n} derivation rows have {}",
            opts.binary.describe()
        ),
    }))
}

/// Derive a point score from candidates on `table`.
pub fn derive(table: &Table, cands: &Candidates, opts: &DeriveOptions) -> Result<Derivation> {
    calcscore_core::options::ConfLevel::new(opts.conf_level)?;
    let (rows, table, opts) = derivation_rows(table, cands, opts)?;
    let opts = &opts;
    one_class(&table, opts)?;
    let (items, searches) = resolve_items(&table, cands, opts)?;
    let work = working_table(&table, &items, opts)?;
    let terms: Vec<String> = items.iter().map(Item::indicator_name).collect();
    let mut notes = Vec::new();
    let n_clusters = cluster_count(&work, opts, &mut notes)?;
    let screen = screen(&work, &items, opts);
    let linear = match &opts.outcome {
        Some(y) => Some(fit_linear(&work, y, &terms, opts)?),
        None => None,
    };
    notes.extend(separation_notes(&work, &items, opts)?);
    if opts.firth && opts.cluster.is_some() {
        notes.push("--firth: the logistic models' covariance is model-based (Firth's penalised likelihood), not cluster-robust; the linear model stays CR1".into());
    }
    let logistic = fit_logistic(&work, &terms, opts)
        .map_err(|e| notes.push(logistic_failure_note(&e, opts)))
        .ok();
    let event: Vec<bool> = work
        .numbers("binary_outcome")?
        .iter()
        .map(|v| v == Some(1.0))
        .collect();
    notes.extend(few_events_note(&event, items.len()));
    let (points_from, source, orient) = points_model(
        &work,
        &event,
        linear.as_ref(),
        logistic.as_ref(),
        opts,
        &mut notes,
    )?;
    let mut points = points_from_coefficients(
        &items,
        &source.coefficients,
        orient.sign,
        opts.reference.as_deref(),
    )?;
    note_null_effects(&mut points, logistic.as_ref(), &items, &mut notes);
    let mut score = derived_score(cands, &items, &points, &points_from);
    let (auc, cutoffs) = cutoffs(&work, &score, opts, &mut notes)?;
    score.cutoff = cutoffs[0].cutoff;
    score.model = risk_model(&work, &score, opts, table.source.as_str(), &mut notes);
    Ok(Derivation {
        n: rows.n_used,
        n_events: event.iter().filter(|&&e| e).count(),
        rows,
        n_clusters,
        searches,
        screen,
        linear,
        logistic,
        points_from,
        orientation: orient,
        points,
        auc,
        cutoffs,
        score,
        notes,
        not_estimable: None,
    })
}

/// The derivation on `table` whose points cannot be estimated (`why`): the rows' accounting, the events and
/// the univariable screen where the rows allow it; no models, points, AUC or cutoffs.
pub(crate) fn not_estimable(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    why: String,
) -> Result<Derivation> {
    let mut table = table.clone();
    let opts = DeriveOptions {
        cluster: super::cluster_column(&mut table, opts.cluster.as_deref())?,
        ..opts.clone()
    };
    let (rows, used) = complete(&table, &columns_read(cands, &opts))?;
    let table = table.subset(&used);
    let (items, searches) = resolve_items(&table, cands, &opts)?;
    let work = working_table(&table, &items, &opts)?;
    let n_events = work
        .numbers("binary_outcome")?
        .iter()
        .filter(|&v| v == Some(1.0))
        .count();
    let mut notes = Vec::new();
    let n_clusters = cluster_count(&work, &opts, &mut notes)?;
    let screen = match used.is_empty() {
        true => Vec::new(),
        false => screen(&work, &items, &opts),
    };
    let nan = f64::NAN;
    Ok(Derivation {
        n: rows.n_used,
        n_events,
        rows,
        n_clusters,
        searches,
        screen,
        linear: None,
        logistic: None,
        points_from: "no model (not estimable)".into(),
        orientation: Orientation {
            sign: opts.binary.direction(),
            reason: "not estimable".into(),
        },
        points: Vec::new(),
        auc: Interval {
            estimate: nan,
            conf_low: nan,
            conf_high: nan,
        },
        cutoffs: Vec::new(),
        score: PointsTable {
            name: cands.name.clone(),
            title: format!("No score derived from {} candidates", items.len()),
            source: format!("calcscore derive: points not estimable: {why}"),
            cutoff: 0,
            items: items.into_iter().map(|i| Item { points: 0, ..i }).collect(),
            model: None,
        },
        notes,
        not_estimable: Some(why),
    })
}

/// The model the points come from (the linear model of the continuous outcome when given, else the logistic
/// model), in words, and how the points are oriented.
fn points_model<'m>(
    work: &Table,
    event: &[bool],
    linear: Option<&'m Model>,
    logistic: Option<&'m Model>,
    opts: &DeriveOptions,
    notes: &mut Vec<String>,
) -> Result<(String, &'m Model, Orientation)> {
    match (linear, logistic, &opts.outcome) {
        (Some(m), _, Some(y)) => {
            let yv: Vec<f64> = work
                .numbers(y)?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect();
            let o = orientation(&yv, event, y, &opts.binary);
            if o.sign < 0.0 && !(opts.binary.column == *y && opts.binary.op.is_some()) {
                notes.push(format!("orientation: {}", o.reason));
            }
            Ok((format!("linear model of {y}"), m, o))
        }
        (_, Some(m), _) => Ok((
            format!("logistic model of {}", opts.binary.describe()),
            m,
            Orientation {
                sign: 1.0,
                reason: format!("log-odds of the event ({})", opts.binary.describe()),
            },
        )),
        _ => Err(Error::Stats(StatsError::Undefined(format!(
            "no multivariable model could be fitted ({})",
            notes
                .iter()
                .rev()
                .find(|n| n.starts_with(LOGISTIC_FAILED))
                .or(notes.last())
                .map_or("", String::as_str)
        )))),
    }
}

/// The derived score file: the items with their points (cutoff and risk model are set after).
fn derived_score(
    cands: &Candidates,
    items: &[Item],
    points: &[PointsRow],
    points_from: &str,
) -> PointsTable {
    PointsTable {
        name: cands.name.clone(),
        title: format!("Score derived by calcscore from {} candidates", items.len()),
        source: format!(
            "calcscore derive: points from the {points_from}, reference = {}",
            reference_label(points)
        ),
        cutoff: 1,
        items: items
            .iter()
            .zip(points)
            .map(|(i, p)| Item {
                points: p.points,
                ..i.clone()
            })
            .collect(),
        model: None,
    }
}

/// Clusters among the rows used; a note below `FEW_CLUSTERS`.
fn cluster_count(
    work: &Table,
    opts: &DeriveOptions,
    notes: &mut Vec<String>,
) -> Result<Option<usize>> {
    let Some(c) = &opts.cluster else {
        return Ok(None);
    };
    let mut ids: Vec<String> = work.text(c)?.iter().flatten().map(str::to_string).collect();
    ids.sort();
    ids.dedup();
    let g = ids.len();
    if g < super::FEW_CLUSTERS {
        notes.push(few_clusters_note(g));
    }
    Ok(Some(g))
}

/// The warning for fewer than 10 events per candidate parameter (the smaller outcome class counts), said
/// whether or not --tripod is asked for: with 5 events and 5 candidates, items got up to 11 points in silence.
fn few_events_note(event: &[bool], parameters: usize) -> Option<String> {
    let events = event.iter().filter(|&&e| e).count();
    let fewer = events.min(event.len() - events);
    let epp = fewer as f64 / parameters.max(1) as f64;
    (epp < 10.0).then(|| {
        format!(
            "{fewer} {} for {parameters} candidate parameters: {epp:.1} events per parameter, under 10; the points \
             are unstable and the apparent AUC optimistic (check the sample size with --tripod, Riley et al. 2020, \
             and the optimism with --validate-bootstrap)",
            if fewer == events { "events" } else { "non-events" }
        )
    })
}

/// The warning for fewer than 30 clusters.
pub(crate) fn few_clusters_note(g: usize) -> String {
    if g < 2 {
        return format!(
            "only {g} cluster: cluster-robust (CR1) standard errors are not defined with one cluster (G − 1 = 0); \
             tests and intervals use t with 1 df, the smallest defined, and are not to be read as inference"
        );
    }
    format!(
        "only {g} clusters: cluster-robust (CR1) standard errors are too small with fewer than {} clusters; tests and intervals use t with G − 1 = {} df (small-sample correction; CR2 with Satterthwaite df, as R's clubSandwich, is not implemented), and should still be read with caution",
        super::FEW_CLUSTERS,
        g.max(2) - 1
    )
}

/// A visible note for each item whose effect the data do not distinguish from none.
fn note_null_effects(
    points: &mut [PointsRow],
    logistic: Option<&Model>,
    items: &[Item],
    notes: &mut Vec<String>,
) {
    for (p, item) in points.iter_mut().zip(items) {
        let lr = logistic.and_then(|m| {
            m.coefficients
                .iter()
                .find(|r| r.term == item.indicator_name())
        });
        let in_points = p.conf_low <= 0.0 && p.conf_high >= 0.0;
        let in_logistic = lr.is_some_and(|r| r.conf_low <= 0.0 && r.conf_high >= 0.0);
        p.null_effect = in_points || in_logistic;
        if p.null_effect {
            let mut why = vec![format!(
                "coefficient {} [{}, {}]",
                sig(p.coefficient),
                sig(p.conf_low),
                sig(p.conf_high)
            )];
            if let Some(r) = lr {
                why.push(format!(
                    "logistic OR {:.2} [{:.2}, {:.2}]",
                    r.estimate.exp(),
                    r.conf_low.exp(),
                    r.conf_high.exp()
                ));
            }
            let which = if in_points {
                "its effect is not distinguishable from none"
            } else {
                "its effect on the event (logistic model) is not distinguishable from none"
            };
            notes.push(format!(
                "'{}' gets {} point(s) but {which} ({}): keep it only with a reason",
                p.label,
                p.points,
                why.join("; ")
            ));
        }
    }
}

/// logit P(event) = a + b × score on the derivation rows, for the score file's `[model]`.
fn risk_model(
    work: &Table,
    score: &PointsTable,
    opts: &DeriveOptions,
    source: &str,
    notes: &mut Vec<String>,
) -> Option<RiskModel> {
    let (s, y) = score_and_outcome(work, score, &opts.binary).ok()?;
    let yv: Vec<f64> = y.iter().map(|&e| f64::from(u8::from(e))).collect();
    match super::calibration::logistic_fit(std::slice::from_ref(&s), None, &yv) {
        Some(f) => Some(RiskModel {
            intercept: f.beta[0],
            slope: f.beta[1],
            outcome: opts.binary.describe(),
            fitted_in: format!("{source} ({} rows, calcscore derive)", s.len()),
            data_sha256: None,
            data_rows: Some(s.len()),
        }),
        None => {
            notes.push(
                "risk model (logit of the event on the score) not estimable on these rows (the score separates \
                 the events, or one outcome class): the score file is written without [model]"
                    .into(),
            );
            None
        }
    }
}

fn reference_label(points: &[PointsRow]) -> String {
    points
        .iter()
        .find(|p| (p.ratio.abs() - 1.0).abs() < 1e-12)
        .map_or_else(|| "chosen".into(), |p| p.label.clone())
}

fn screen(work: &Table, items: &[Item], opts: &DeriveOptions) -> Vec<Screen> {
    items
        .iter()
        .map(|item| {
            let term = [item.indicator_name()];
            let present = work
                .numbers(&term[0])
                .unwrap_or_default()
                .iter()
                .filter(|&v| v == Some(1.0))
                .count();
            let lin = opts
                .outcome
                .as_ref()
                .and_then(|y| fit_linear(work, y, &term, opts).ok())
                .and_then(|m| m.coefficients.get(1).cloned());
            let logi = fit_logistic(work, &term, opts)
                .ok()
                .and_then(|m| m.coefficients.get(1).cloned());
            Screen {
                label: item.label.clone(),
                n_present: present,
                linear: lin,
                logistic: logi,
            }
        })
        .collect()
}

/// Points of each item from the coefficients of a fitted model: round(sign × coefficient / |reference|), the
/// reference being the named item (label or column) or else the smallest absolute item coefficient. An item's
/// coefficient is the row whose term is its indicator name.
pub fn points_from_coefficients(
    items: &[Item],
    coefficients: &[TidyRow],
    sign: f64,
    reference: Option<&str>,
) -> Result<Vec<PointsRow>> {
    let row = |i: &Item| coefficients.iter().find(|r| r.term == i.indicator_name());
    let coefs: Vec<f64> = items
        .iter()
        .map(|i| row(i).map_or(f64::NAN, |r| r.estimate))
        .collect();
    let reference = match reference {
        Some(r) => {
            let k = items
                .iter()
                .position(|i| i.label == r || i.column == r)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--reference '{r}' is not a candidate label or column"
                    ))
                })?;
            coefs[k].abs()
        }
        None => coefs.iter().map(|c| c.abs()).fold(f64::INFINITY, f64::min),
    };
    if !(reference.is_finite() && reference > 0.0) {
        return Err(Error::Stats(StatsError::Undefined(
            "reference coefficient is zero or not estimable: points undefined".into(),
        )));
    }
    if let Some((i, c)) = items
        .iter()
        .zip(&coefs)
        .find(|(_, c)| !c.is_finite() || (**c / reference).abs() > super::MAX_ITEM_POINTS as f64)
    {
        return Err(Error::Stats(StatsError::Undefined(format!(
            "'{}' would get {:.3e} points (coefficient {c} ÷ reference {reference}): the reference effect is near zero or not estimable; choose another --reference",
            i.label,
            c / reference
        ))));
    }
    Ok(items
        .iter()
        .zip(&coefs)
        .map(|(i, &c)| {
            let ratio = sign * c / reference;
            let r = row(i);
            PointsRow {
                label: i.label.clone(),
                coefficient: c,
                conf_low: r.map_or(f64::NAN, |r| r.conf_low),
                conf_high: r.map_or(f64::NAN, |r| r.conf_high),
                p_value: r.map_or(f64::NAN, |r| r.p_value),
                ratio,
                points: ratio.round() as i64,
                null_effect: false,
            }
        })
        .collect())
}

/// Score and binary outcome on complete rows.
pub(crate) fn score_and_outcome(
    table: &Table,
    score: &PointsTable,
    binary: &BinaryOutcome,
) -> Result<(Vec<f64>, Vec<bool>)> {
    let s = score.evaluate(table)?;
    let y = binary.values(table)?;
    Ok(s.iter()
        .zip(&y)
        .filter_map(|(s, y)| Some(((*s)? as f64, (*y)? == 1.0)))
        .unzip())
}

/// The observed score levels, ascending.
fn observed_levels(s: &[f64]) -> Vec<i64> {
    let mut v: Vec<i64> = s.iter().map(|&x| x as i64).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The Youden cutoff as a score value: the lowest observed level at or above pROC's threshold, kept in range.
pub fn youden_cutoff(roc: &Roc, s: &[f64]) -> i64 {
    let levels = observed_levels(s);
    let (lo, hi) = (levels[0], levels[levels.len() - 1]);
    let t = roc.best_youden().threshold;
    if t.is_nan() || t == f64::INFINITY {
        return hi;
    }
    levels
        .iter()
        .copied()
        .find(|&l| l as f64 >= t)
        .unwrap_or(hi)
        .max(lo)
}

/// The warning for an AUC below 0.5 with its likely cause.
pub(crate) fn auc_below_half_note(auc: f64, what: &str) -> String {
    format!(
        "AUC {auc:.3} of {what} is below 0.5: the score ranks events lower than non-events; likely cause: the score or the outcome is oriented the other way (check the --binary-outcome rule, e.g. \"x < 70\" vs \"x > 70\", or which level is the event)"
    )
}

/// AUC (DeLong CI) of the score, and cutoffs by Youden and by target NPV.
fn cutoffs(
    work: &Table,
    score: &PointsTable,
    opts: &DeriveOptions,
    notes: &mut Vec<String>,
) -> Result<(Interval, Vec<Cutoff>)> {
    let (s, y) = score_and_outcome(work, score, &opts.binary)?;
    let roc = Roc::new(&s, &y, Direction::ControlsLess)?;
    let (lo, hi) = roc.delong_ci(opts.conf_level);
    if roc.auc() < 0.5 {
        notes.push(auc_below_half_note(roc.auc(), "the derived score"));
    }
    let youden = youden_cutoff(&roc, &s);
    let mut out = vec![Cutoff::at(
        "Youden's index (ROC)",
        youden,
        &s,
        &y,
        opts.conf_level,
    )];
    if let Some(target) = opts.target_npv {
        let best = observed_levels(&s).into_iter().rev().find(|&c| {
            let t = TwoByTwo::from_marker(&s, &y, c as f64);
            t.tn + t.fn_ > 0 && t.tn as f64 / (t.tn + t.fn_) as f64 >= target
        });
        match best {
            Some(c) => out.push(Cutoff::at(
                &format!("highest cutoff with NPV ≥ {target}"),
                c,
                &s,
                &y,
                opts.conf_level,
            )),
            None => notes.push(format!("no cutoff reaches NPV ≥ {target}")),
        }
    }
    let auc = Interval {
        estimate: roc.auc(),
        conf_low: lo,
        conf_high: hi,
    };
    Ok((auc, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cluster leaves G − 1 = 0 df: the note says so instead of "t with G − 1 = 1 df".
    #[test]
    fn one_cluster_note_does_not_claim_g_minus_1_df() {
        let one = few_clusters_note(1);
        assert!(one.contains("only 1 cluster:") && one.contains("G − 1 = 0"));
        assert!(!one.contains("G − 1 = 1"));
        assert!(few_clusters_note(12).contains("t with G − 1 = 11 df"));
    }

    /// Events per parameter by the smaller class: 5 events for 5 candidates is 1.0 (noted); 50 events and 150
    /// non-events for 4 candidates is 12.5 (not noted); 180 events and 20 non-events for 4 is 5.0 by the non-events.
    #[test]
    fn few_events_per_parameter_are_noted_by_the_smaller_class() {
        let classes = |events: usize, others: usize| {
            let mut v = vec![true; events];
            v.extend(vec![false; others]);
            v
        };
        let note = few_events_note(&classes(5, 184), 5).unwrap();
        assert!(note.starts_with("5 events for 5 candidate parameters: 1.0 events per parameter"));
        assert_eq!(few_events_note(&classes(50, 150), 4), None);
        let note = few_events_note(&classes(180, 20), 4).unwrap();
        assert!(note.starts_with("20 non-events for 4 candidate parameters: 5.0"));
    }
}
