//! Derivation of a point score: candidates (dichotomised, optionally by a threshold search), univariable screen,
//! multivariable models (linear on the continuous outcome, logistic on the binary one; cluster-robust), points
//! from coefficients, and cutoffs by Youden and by a target NPV.

use serde::{Deserialize, Serialize};

use super::{Item, Op, PointsTable};
use crate::data::{ColumnData, DataError, Table};
use crate::stats::design::Design;
use crate::stats::diagnostic::{CiMethod, TwoByTwo};
use crate::stats::formula::Formula;
use crate::stats::logistic::logistic;
use crate::stats::ols::ols;
use crate::stats::roc::{Direction, Roc};
use crate::stats::vcov::FitOptions;
use crate::stats::{StatsError, TidyRow};
use crate::{Error, Result};

/// One candidate predictor: `column op threshold` (binary columns: `== 1`), or a threshold searched over `grid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// A binary outcome: a 0/1 column, or `column op threshold` (e.g. `stent_expansion_pct < 70`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryOutcome {
    /// Column read.
    pub column: String,
    /// Comparison, `None` for a 0/1 column.
    pub op: Option<Op>,
    /// Threshold.
    pub threshold: f64,
}

impl BinaryOutcome {
    /// Parse `"column < 70"` or `"column"`.
    pub fn parse(s: &str) -> Result<BinaryOutcome> {
        for (sym, op) in [
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("==", Op::Eq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if let Some((c, t)) = s.split_once(sym) {
                let threshold = t.trim().parse::<f64>().map_err(|_| {
                    Error::Usage(format!(
                        "--binary-outcome '{s}': '{}' is not a number",
                        t.trim()
                    ))
                })?;
                return Ok(BinaryOutcome {
                    column: c.trim().into(),
                    op: Some(op),
                    threshold,
                });
            }
        }
        Ok(BinaryOutcome {
            column: s.trim().into(),
            op: None,
            threshold: 1.0,
        })
    }

    /// 1/0 per row (missing stays missing); a 0/1 column with other values is an error naming the row.
    pub fn values(&self, table: &Table) -> Result<Vec<Option<f64>>> {
        let v = table.numeric(&self.column)?;
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
                        row: Table::row_number(i),
                        column: self.column.clone(),
                        value: format!("'{}'", v[i].unwrap_or_default()),
                        rule: "a binary outcome column must be 0/1 (or give a rule such as \"x < 70\")".into(),
                    }));
                }
                Ok(v)
            }
        }
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
        match self.op {
            Some(op) => format!("{} {} {}", self.column, op.symbol(), self.threshold),
            None => format!("{} = 1", self.column),
        }
    }
}

/// What to derive from and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeriveOptions {
    /// Continuous outcome for the linear model (points come from it when given).
    pub outcome: Option<String>,
    /// Binary outcome for the logistic model and the cutoffs.
    pub binary: BinaryOutcome,
    /// Cluster column for cluster-robust (CR1) covariances.
    pub cluster: Option<String>,
    /// Candidate label (or column) whose coefficient is one point; default the smallest.
    pub reference: Option<String>,
    /// Target NPV for the second cutoff rule.
    pub target_npv: Option<f64>,
    /// Confidence level.
    pub conf_level: f64,
}

/// Threshold search of one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdSearch {
    /// Candidate label.
    pub label: String,
    /// (threshold, estimate, statistic, p) per grid value.
    pub grid: Vec<(f64, f64, f64, f64)>,
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
    /// Covariance used.
    pub covariance: String,
    /// Rows used.
    pub n: usize,
    /// Coefficients.
    pub coefficients: Vec<TidyRow>,
}

/// One derived item: coefficient, ratio to the reference, points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsRow {
    /// Candidate label.
    pub label: String,
    /// Coefficient in the model the points come from.
    pub coefficient: f64,
    /// Risk-oriented ratio to the reference coefficient (unrounded points).
    pub ratio: f64,
    /// Points (rounded ratio).
    pub points: i64,
}

/// A cutoff rule and its accuracy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cutoff {
    /// How it was chosen.
    pub rule: String,
    /// Score ≥ cutoff is positive.
    pub cutoff: i64,
    /// 2×2 counts.
    pub table: TwoByTwo,
    /// sensitivity, specificity, ppv, npv with Clopper–Pearson CIs: (name, estimate, low, high).
    pub measures: Vec<(String, f64, f64, f64)>,
}

/// The result of a derivation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derivation {
    /// Rows used (complete cases for candidates and outcomes).
    pub n: usize,
    /// Rows with the binary outcome.
    pub n_events: usize,
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
    /// Points per item.
    pub points: Vec<PointsRow>,
    /// AUC of the derived score for the binary outcome, with DeLong CI.
    pub auc: (f64, f64, f64),
    /// Cutoff by Youden's index, and by the target NPV when asked.
    pub cutoffs: Vec<Cutoff>,
    /// The derived score, in the points-table format `validate` reads.
    pub score: PointsTable,
    /// Problems reported, not hidden.
    pub notes: Vec<String>,
}

/// Candidates with thresholds fixed (grid searches resolved) as score items with one point each.
pub fn resolve_items(
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
        items.push(Item {
            label: c.label.clone(),
            column: c.column.clone(),
            op,
            threshold,
            points: 1,
        });
    }
    Ok((items, searches))
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
            grid.push((t, r.estimate, r.statistic, r.p_value));
        }
    }
    let best = grid
        .iter()
        .max_by(|a, b| a.2.abs().total_cmp(&b.2.abs()))
        .ok_or_else(|| {
            Error::Stats(StatsError::Undefined(format!(
                "threshold search for '{}': no grid value gives an estimable model",
                c.label
            )))
        })?;
    Ok(ThresholdSearch {
        label: c.label.clone(),
        chosen: best.0,
        grid: grid.clone(),
    })
}

/// The table with each item's 0/1 indicator and the binary outcome (`binary_outcome`) added.
pub fn working_table(table: &Table, items: &[Item], opts: &DeriveOptions) -> Result<Table> {
    let mut t = table.clone();
    for item in items {
        push(&mut t, &item.indicator_name(), item.indicator(table)?);
    }
    push(&mut t, "binary_outcome", opts.binary.values(table)?);
    Ok(t)
}

fn push(t: &mut Table, name: &str, v: Vec<Option<f64>>) {
    match t.names.iter().position(|n| n == name) {
        Some(j) => t.columns[j] = ColumnData::Num(v),
        None => {
            t.names.push(name.into());
            t.columns.push(ColumnData::Num(v));
        }
    }
}

fn fit_options(opts: &DeriveOptions) -> FitOptions {
    FitOptions::cluster_robust_if(opts.cluster.is_some(), opts.conf_level)
}

fn fit_linear(t: &Table, y: &str, terms: &[String], opts: &DeriveOptions) -> Result<Model> {
    let formula = format!("{y} ~ {}", terms.join(" + "));
    let d = Design::build(t, &Formula::parse(&formula)?, opts.cluster.as_deref())?;
    let f = ols(&d, &fit_options(opts))?;
    Ok(Model {
        formula,
        covariance: fit_options(opts).vcov.describe().into(),
        n: d.y.len(),
        coefficients: f.tidy(),
    })
}

fn fit_logistic(t: &Table, terms: &[String], opts: &DeriveOptions) -> Result<Model> {
    let formula = format!("binary_outcome ~ {}", terms.join(" + "));
    let d = Design::build(t, &Formula::parse(&formula)?, opts.cluster.as_deref())?;
    let f = logistic(&d, &fit_options(opts))?;
    if let Some(w) = f.warnings().first() {
        return Err(Error::Stats(StatsError::Undefined(format!(
            "{formula}: {w}"
        ))));
    }
    Ok(Model {
        formula,
        covariance: fit_options(opts).vcov.describe().into(),
        n: d.y.len(),
        coefficients: f.tidy(),
    })
}

/// Derive a point score from candidates on `table`.
pub fn derive(table: &Table, cands: &Candidates, opts: &DeriveOptions) -> Result<Derivation> {
    crate::options::ConfLevel::new(opts.conf_level)?;
    let (items, searches) = resolve_items(table, cands, opts)?;
    let work = working_table(table, &items, opts)?;
    let terms: Vec<String> = items.iter().map(Item::indicator_name).collect();
    let mut notes = Vec::new();
    let screen = screen(&work, &items, opts);
    let linear = match &opts.outcome {
        Some(y) => Some(fit_linear(&work, y, &terms, opts)?),
        None => None,
    };
    let logistic = fit_logistic(&work, &terms, opts)
        .map_err(|e| notes.push(format!("multivariable logistic model not estimable: {e}")))
        .ok();
    let (points_from, source, sign) = match (&linear, &logistic) {
        (Some(m), _) => (
            "linear model of ".to_string() + opts.outcome.as_deref().unwrap_or(""),
            m,
            opts.binary.direction(),
        ),
        (None, Some(m)) => (
            "logistic model of ".to_string() + &opts.binary.describe(),
            m,
            1.0,
        ),
        (None, None) => {
            return Err(Error::Stats(StatsError::Undefined(
                "no multivariable model could be fitted".into(),
            )))
        }
    };
    let points = points_rows(&items, source, sign, opts.reference.as_deref())?;
    let mut score = PointsTable {
        name: cands.name.clone(),
        title: format!("Score derived by calcscore from {} candidates", items.len()),
        source: format!(
            "calcscore derive: points from the {points_from}, reference = {}",
            reference_label(&points)
        ),
        cutoff: 1,
        items: items
            .iter()
            .zip(&points)
            .map(|(i, p)| Item {
                points: p.points,
                ..i.clone()
            })
            .collect(),
    };
    let (auc, cutoffs) = cutoffs(&work, &score, opts, &mut notes)?;
    score.cutoff = cutoffs[0].cutoff;
    let y = work.numeric("binary_outcome")?;
    let n = complete_rows(&work, &terms, opts)?;
    Ok(Derivation {
        n: n.len(),
        n_events: n.iter().filter(|&&i| y[i] == Some(1.0)).count(),
        searches,
        screen,
        linear,
        logistic,
        points_from,
        points,
        auc,
        cutoffs,
        score,
        notes,
    })
}

fn reference_label(points: &[PointsRow]) -> String {
    points
        .iter()
        .find(|p| (p.ratio - 1.0).abs() < 1e-12)
        .map_or_else(|| "chosen".into(), |p| p.label.clone())
}

fn screen(work: &Table, items: &[Item], opts: &DeriveOptions) -> Vec<Screen> {
    items
        .iter()
        .map(|item| {
            let term = [item.indicator_name()];
            let present = work
                .numeric(&term[0])
                .unwrap_or_default()
                .iter()
                .filter(|&&v| v == Some(1.0))
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

/// Points = round(sign × coefficient / |reference coefficient|).
fn points_rows(
    items: &[Item],
    model: &Model,
    sign: f64,
    reference: Option<&str>,
) -> Result<Vec<PointsRow>> {
    let coef = |i: &Item| {
        model
            .coefficients
            .iter()
            .find(|r| r.term == i.indicator_name())
            .map(|r| r.estimate)
    };
    let coefs: Vec<f64> = items.iter().map(|i| coef(i).unwrap_or(f64::NAN)).collect();
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
    for (i, &c) in items.iter().zip(&coefs) {
        let ratio = sign * c / reference;
        if ratio.abs() > super::MAX_ITEM_POINTS as f64 {
            return Err(Error::Stats(StatsError::Undefined(format!(
                "points of '{}' would be {} (coefficient {} ÷ reference {}), beyond ±{}: \
                 choose a larger --reference or drop the item",
                i.label,
                crate::stats::vcov::sig(ratio),
                crate::stats::vcov::sig(c),
                crate::stats::vcov::sig(reference),
                super::MAX_ITEM_POINTS
            ))));
        }
    }
    Ok(items
        .iter()
        .zip(&coefs)
        .map(|(i, &c)| {
            let ratio = sign * c / reference;
            PointsRow {
                label: i.label.clone(),
                coefficient: c,
                ratio,
                points: ratio.round() as i64,
            }
        })
        .collect())
}

/// Rows complete for every item and the outcomes.
fn complete_rows(work: &Table, terms: &[String], opts: &DeriveOptions) -> Result<Vec<usize>> {
    let mut cols: Vec<Vec<Option<f64>>> = terms
        .iter()
        .map(|t| work.numeric(t))
        .collect::<Result<_, _>>()?;
    cols.push(work.numeric("binary_outcome")?);
    if let Some(y) = &opts.outcome {
        cols.push(work.numeric(y)?);
    }
    Ok((0..work.nrows())
        .filter(|&i| cols.iter().all(|c| c[i].is_some()))
        .collect())
}

/// Score and binary outcome on complete rows.
pub fn score_and_outcome(
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

/// AUC (DeLong CI) of the score, and cutoffs by Youden and by target NPV.
fn cutoffs(
    work: &Table,
    score: &PointsTable,
    opts: &DeriveOptions,
    notes: &mut Vec<String>,
) -> Result<((f64, f64, f64), Vec<Cutoff>)> {
    let (s, y) = score_and_outcome(work, score, &opts.binary)?;
    let roc = Roc::new(&s, &y, Direction::ControlsLess)?;
    let (lo, hi) = roc.delong_ci(opts.conf_level);
    let youden = roc.best_youden().threshold.ceil() as i64;
    let mut out = vec![cutoff_row(
        "Youden's index (ROC)",
        youden,
        &s,
        &y,
        opts.conf_level,
    )];
    if let Some(target) = opts.target_npv {
        let max = score.max_points();
        let best = (0..=max + 1).rev().find(|&c| {
            let t = TwoByTwo::from_marker(&s, &y, c as f64);
            t.tn + t.fn_ > 0 && t.tn as f64 / (t.tn + t.fn_) as f64 >= target
        });
        match best {
            Some(c) => out.push(cutoff_row(
                &format!("highest cutoff with NPV ≥ {target}"),
                c,
                &s,
                &y,
                opts.conf_level,
            )),
            None => notes.push(format!("no cutoff reaches NPV ≥ {target}")),
        }
    }
    Ok(((roc.auc(), lo, hi), out))
}

fn cutoff_row(rule: &str, cutoff: i64, s: &[f64], y: &[bool], level: f64) -> Cutoff {
    let t = TwoByTwo::from_marker(s, y, cutoff as f64);
    let measures = ["sensitivity", "specificity", "ppv", "npv"]
        .iter()
        .filter_map(|m| t.measure(m, CiMethod::Exact, level))
        .map(|m| (m.name, m.estimate, m.conf_low, m.conf_high))
        .collect();
    Cutoff {
        rule: rule.into(),
        cutoff,
        table: t,
        measures,
    }
}
