//! Load → flow → cohorts → analysis set: every input lesion ends in a cohort or in the exclusions ledger.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

use crate::Result;
use calcscore_data::cohort::{exclusion, zhang2021_flow, Cohort, Exclusion, Flow, SplitUnit};
use calcscore_data::frame::frame_error;
use calcscore_data::{field, load_registry_with, ColumnData, ExpansionFormula, Registry, Table};
use calcscore_score::PointsTable;
use polars::prelude::{
    col, lit, Column, DataFrame, Expr, IntoColumn, IntoLazy, LazyFrame, NewChunkedArray,
    PolarsError, UInt8Chunked,
};

/// Underexpansion threshold: stent expansion below this (%) is underexpansion.
pub(crate) const UNDEREXPANSION_PCT: f64 = 70.0;

/// Options of a Zhang 2021 reproduction.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Options {
    /// Registry file (CSV or Parquet).
    pub data: PathBuf,
    /// Optional column map (TOML).
    pub map: Option<PathBuf>,
    /// How stent expansion is computed.
    pub expansion: ExpansionFormula,
    /// Seed of the random A/B split.
    pub seed: u64,
    /// Randomise lesions (as the paper) or patients.
    pub split: SplitUnit,
    /// Confidence level of every interval.
    pub conf_level: f64,
    /// How the registry file is read (sheet, CSV dialect); not part of the results.
    #[serde(skip)]
    pub read: calcscore_data::ReadOptions,
}

/// The lesions analysed, as a table with one row per lesion and derived columns, with their cohorts.
#[derive(Debug, Clone)]
pub struct AnalysisSet {
    /// Columns: patient_id, lesion_id, cohort, score, each item's indicator, the continuous candidates,
    /// stent_expansion_pct, underexpansion (0/1), atherectomy_cohort (1 = C), calcium_fracture, prep_ivus, prep_fracture.
    pub table: Table,
    /// Cohort of each row as a polars `UInt8` column (the code of [`cohort_code`]), beside the table.
    cohort: Column,
    /// Lesions of a cohort left out because a value the analysis needs is missing (complete-case policy).
    pub exclusions: Vec<Exclusion>,
    /// Missing values per registry column, in the input and among the lesions entering the cohorts.
    pub missing: Vec<MissingCount>,
}

/// The policy of the registry's own expansion column when expansion is computed from the areas.
pub(crate) const NOT_USED: &str =
    "not used: stent expansion is computed from the areas (--expansion)";

/// Missing values of one registry column (a report section of its own).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MissingCount {
    /// Registry column (schema name).
    pub column: String,
    /// Empty or NA cells among all input lesions.
    pub n_missing_input: usize,
    /// Empty or NA cells among the lesions entering the cohorts (after the study's rules).
    pub n_missing_cohorts: usize,
    /// What a missing value does under the complete-case policy.
    pub policy: String,
}

/// The missing-values section of report.md: policy and a table of counts per column.
pub(crate) fn missing_doc(missing: &[MissingCount]) -> calcscore_report::Doc {
    let rows: Vec<Vec<String>> = missing
        .iter()
        .filter(|m| m.n_missing_input > 0)
        .map(|m| {
            vec![
                format!("`{}`", m.column),
                m.n_missing_input.to_string(),
                m.n_missing_cohorts.to_string(),
                m.policy.to_string(),
            ]
        })
        .collect();
    let doc = calcscore_report::Doc::of(
        "### Missing values\n\nPolicy: complete case by default. Counts of empty or NA cells per column \
         (columns without any are not listed; all counts in `results.json`, `missing_values`).\n\n",
    );
    let doc = if rows.is_empty() {
        doc.prose("No column has a missing value.\n")
    } else {
        let head = [
            "column",
            "missing (input)",
            "missing (cohorts A–D)",
            "policy",
        ];
        doc.table(calcscore_report::Table::new(&head).rows(rows))
    };
    doc.prose("\n")
}

/// Rows with an empty or NA cell, per schema column the registry has: taken before the columns the analysis
/// does not read are dropped ([`prepare`]), so that the missing-values section still counts every column.
#[derive(Debug, Clone)]
pub struct MissingRows {
    /// Each schema column present, with its missing rows in ascending order.
    columns: Vec<(&'static calcscore_data::schema::ColumnSpec, Vec<usize>)>,
}

/// The missing rows of every schema column of the registry's table.
pub(crate) fn missing_rows(registry: &Registry) -> MissingRows {
    let t = &registry.table;
    let columns = calcscore_data::schema::LESION_SCHEMA
        .iter()
        .filter_map(|spec| {
            let col = t.column(spec.name).ok()?;
            Some((
                spec,
                (0..t.nrows()).filter(|&i| col.is_missing(i)).collect(),
            ))
        })
        .collect();
    MissingRows { columns }
}

/// Per-column missing counts of every schema column the registry has (and of the computed stent expansion).
pub fn missing_counts(
    registry: &Registry,
    missing: &MissingRows,
    assigned: &[(usize, Cohort)],
    score: &PointsTable,
) -> Result<Vec<MissingCount>> {
    let needed = required_values(score);
    let for_expansion = calcscore_data::validate::expansion_columns(registry.expansion);
    let mut out: Vec<MissingCount> = missing
        .columns
        .iter()
        .map(|(spec, rows)| {
            let policy = if spec.required {
                "required: a missing value is a data error (check-data)"
            } else if for_expansion.contains(&spec.name) {
                "complete case: without it stent expansion cannot be computed, the lesion is left out (missing-stent_expansion_pct)"
            } else if spec.name == "stent_expansion_pct" {
                NOT_USED
            } else if needed.iter().any(|n| n == spec.name) {
                "complete case: the lesion is left out of every analysis (exclusions.csv, missing-<column>)"
            } else {
                "left out only of the analyses that use this column (n given per analysis)"
            };
            MissingCount {
                column: spec.name.into(),
                n_missing_input: rows.len(),
                n_missing_cohorts: assigned
                    .iter()
                    .filter(|&&(i, _)| rows.binary_search(&i).is_ok())
                    .count(),
                policy: policy.to_string(),
            }
        })
        .collect();
    let pct = registry.lesions.stent_expansion_pct()?;
    out.push(MissingCount {
        column: "stent expansion (computed)".into(),
        n_missing_input: pct.null_count(),
        n_missing_cohorts: assigned.iter().filter(|&&(i, _)| pct.get(i).is_none()).count(),
        policy: "complete case: the lesion is left out of every analysis (exclusions.csv, missing-stent_expansion_pct)".to_string(),
    });
    Ok(out)
}

impl AnalysisSet {
    /// Lesions analysed.
    pub fn len(&self) -> usize {
        self.cohort.len()
    }

    /// No lesion analysed.
    pub fn is_empty(&self) -> bool {
        self.cohort.is_empty()
    }

    /// Row indices of the given cohorts, in table order.
    pub fn rows(&self, cohorts: &[Cohort]) -> Result<Vec<usize>> {
        let rows = self
            .cohort_frame()?
            .lazy()
            .with_row_index("row", None)
            .filter(in_cohorts(cohorts))
            .select([col("row")])
            .collect()
            .map_err(|e| self.error(e))?;
        let rows = rows
            .column("row")
            .and_then(|c| c.idx())
            .map_err(|e| self.error(e))?;
        Ok(rows.into_no_null_iter().map(|i| i as usize).collect())
    }

    /// The sub-table of the given cohorts.
    pub fn subset(&self, cohorts: &[Cohort]) -> Result<Table> {
        Ok(self.table.subset(&self.rows(cohorts)?))
    }

    /// The named columns of the given cohorts' lesions, in table order, as a lazy polars frame: the table's columns
    /// beside the cohort column, the cohort selection a polars filter.
    pub fn frame(&self, columns: &[&str], cohorts: &[Cohort]) -> Result<LazyFrame> {
        let mut frame = self.table.frame(columns)?;
        frame
            .with_column(self.cohort.clone())
            .map_err(|e| self.error(e))?;
        Ok(frame.lazy().filter(in_cohorts(cohorts)))
    }

    /// A numeric column's values in the given cohorts, in table order, missing values left out (a column the set
    /// lacks has none).
    pub fn values(&self, column: &str, cohorts: &[Cohort]) -> Result<Vec<f64>> {
        if !self.table.has(column) {
            return Ok(Vec::new());
        }
        self.collect_values(self.frame(&[column], cohorts)?, column)
    }

    /// A numeric column's values in the rows of `rows` (a frame of the set's, e.g. from [`Self::frame`], filtered
    /// further), in order, missing values left out.
    pub(crate) fn collect_values(&self, rows: LazyFrame, column: &str) -> Result<Vec<f64>> {
        let values = rows
            .select([col(column).drop_nulls()])
            .collect()
            .map_err(|e| self.error(e))?;
        let values = values
            .column(column)
            .and_then(|c| c.f64())
            .map_err(|e| self.error(e))?
            .rechunk();
        Ok(values.cont_slice().map_err(|e| self.error(e))?.to_vec())
    }

    /// The score and whether the stent is underexpanded, of the lesions of the given cohorts, in table order.
    pub(crate) fn score_and_underexpansion(
        &self,
        cohorts: &[Cohort],
    ) -> Result<(Vec<f64>, Vec<bool>)> {
        let score = self.values("score", cohorts)?;
        let under = self.values("underexpansion", cohorts)?;
        Ok((score, under.iter().map(|&u| u == 1.0).collect()))
    }

    /// The cohort column alone, as a frame.
    fn cohort_frame(&self) -> Result<DataFrame> {
        DataFrame::new(self.len(), vec![self.cohort.clone()]).map_err(|e| self.error(e))
    }

    /// A polars error on the set's own columns, named after the registry it was built from.
    pub(crate) fn error(&self, e: PolarsError) -> calcscore_core::Error {
        frame_error(&self.table.source, e).into()
    }
}

/// Name of the cohort column beside the table (the table's `cohort` column holds the letters).
const COHORT_CODE: &str = "cohort_code";

/// The cohort column's code of a cohort (its place in [`Cohort::ALL`]).
fn cohort_code(c: Cohort) -> u8 {
    c as u8
}

/// The polars mask of the rows in the given cohorts.
fn in_cohorts(cohorts: &[Cohort]) -> Expr {
    cohorts
        .iter()
        .map(|&c| col(COHORT_CODE).eq(lit(cohort_code(c))))
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// Everything the load and flow steps produce.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The loaded registry, its table trimmed to the ids and the score's item columns.
    pub registry: Registry,
    /// The flow through the study's rules.
    pub flow: Flow,
    /// The analysis set.
    pub set: AnalysisSet,
}

/// Load the registry, apply the rules, split the cohorts and build the analysis set.
pub(crate) fn prepare(opts: &Options, score: &PointsTable) -> Result<Prepared> {
    let mut registry =
        load_registry_with(&opts.data, opts.map.as_deref(), opts.expansion, &opts.read)?;
    let missing = missing_rows(&registry);
    keep_columns(&mut registry.table, score);
    calcscore_core::trace::span("load registry");
    let (flow, assigned) = zhang2021_flow(&registry, opts.split, opts.seed)?;
    calcscore_core::trace::span("flow and cohorts");
    let set = analysis_set_with(&registry, &missing, &assigned, score)?;
    calcscore_core::trace::span("analysis set");
    Ok(Prepared {
        registry,
        flow,
        set,
    })
}

/// Drop every column but the ids and the score's item columns: the flow reads the typed lesions, and the other
/// columns (about 300 MiB at 10^6 lesions) are needed only for their missing counts, taken before.
fn keep_columns(table: &mut Table, score: &PointsTable) {
    let keep = |name: &str| {
        calcscore_data::ID_COLUMNS.contains(&name) || score.items.iter().any(|i| i.column == name)
    };
    let (names, columns) = std::mem::take(&mut table.names)
        .into_iter()
        .zip(std::mem::take(&mut table.columns))
        .filter(|(name, _)| keep(name))
        .unzip();
    (table.names, table.columns) = (names, columns);
}

/// Columns a lesion must have to be analysed (complete-case policy), with the reason used in the ledger.
fn required_values(score: &PointsTable) -> Vec<String> {
    let mut cols: Vec<String> = score.items.iter().map(|i| i.column.clone()).collect();
    cols.push("stent_expansion_pct".into());
    cols
}

/// Build the analysis table of the cohort lesions; lesions missing a needed value go to the ledger.
pub fn analysis_set(
    registry: &Registry,
    assigned: &[(usize, Cohort)],
    score: &PointsTable,
) -> Result<AnalysisSet> {
    analysis_set_with(registry, &missing_rows(registry), assigned, score)
}

/// [`analysis_set`] with the missing rows taken earlier (the registry's table may hold only the ids and the
/// score's item columns by now).
pub(crate) fn analysis_set_with(
    registry: &Registry,
    missing: &MissingRows,
    assigned: &[(usize, Cohort)],
    score: &PointsTable,
) -> Result<AnalysisSet> {
    let t = &registry.table;
    // Borrowed, not copied: at 10^6 lesions each copy is 16 MB held through the whole loop.
    let raw: Vec<std::borrow::Cow<'_, calcscore_data::NumColumn>> = score
        .items
        .iter()
        .map(|i| t.numbers(&i.column))
        .collect::<Result<_, _>>()?;
    let (kept, exclusions) = complete_cases(registry, assigned, score, &raw)?;
    let rows: Vec<usize> = kept.iter().map(|&(i, _)| i).collect();
    // Indicators and scores of the kept rows only (over all rows they took 100 MB at 10^6 lesions).
    let items = item_columns(t, score, &raw, &rows);
    let indicators: Vec<Vec<Option<f64>>> = score
        .items
        .iter()
        .map(|i| i.indicator(&items))
        .collect::<Result<_>>()?;
    let scores = score.evaluate(&items)?;
    let mut cols: Vec<(String, ColumnData)> = vec![
        (
            "patient_id".into(),
            text(rows.iter().map(|&i| registry.patient_id(i).to_string())),
        ),
        (
            "lesion_id".into(),
            text(rows.iter().map(|&i| registry.lesion_id(i).to_string())),
        ),
        (
            "cohort".into(),
            text(kept.iter().map(|&(_, c)| c.letter().to_string())),
        ),
        (
            "score".into(),
            num(scores.iter().map(|s| s.map(|s| s as f64))),
        ),
    ];
    for (item, ind) in score.items.iter().zip(&indicators) {
        cols.push((item.indicator_name(), num(ind.iter().copied())));
    }
    let mut seen = BTreeSet::new();
    for (item, col) in score.items.iter().zip(&raw) {
        if item.indicator_name() != item.column && seen.insert(item.column.clone()) {
            cols.push((item.column.clone(), num(rows.iter().map(|&i| col.get(i)))));
        }
    }
    cols.extend(outcome_columns(registry, &kept)?);
    let table = Table::new(format!("{} (analysis set)", t.source), cols);
    Ok(AnalysisSet {
        table,
        cohort: UInt8Chunked::from_iter_values(
            COHORT_CODE.into(),
            kept.iter().map(|&(_, c)| cohort_code(c)),
        )
        .into_column(),
        exclusions,
        missing: missing_counts(registry, missing, assigned, score)?,
    })
}

/// The score's item columns (each once) restricted to `rows`, as a table named like the registry's.
fn item_columns(
    t: &Table,
    score: &PointsTable,
    raw: &[std::borrow::Cow<'_, calcscore_data::NumColumn>],
    rows: &[usize],
) -> Table {
    let mut seen = BTreeSet::new();
    let cols = score
        .items
        .iter()
        .zip(raw)
        .filter(|(item, _)| seen.insert(item.column.clone()))
        .map(|(item, col)| (item.column.clone(), num(rows.iter().map(|&i| col.get(i)))))
        .collect();
    Table::new(t.source.clone(), cols)
}

/// The kept cohort lesions (registry row, cohort) and the ledger entries of the others.
type CompleteCases = (Vec<(usize, Cohort)>, Vec<Exclusion>);

/// The cohort lesions with every required value (kept, with their cohort) and the others as exclusions.
fn complete_cases(
    registry: &Registry,
    assigned: &[(usize, Cohort)],
    score: &PointsTable,
    raw: &[std::borrow::Cow<'_, calcscore_data::NumColumn>],
) -> Result<CompleteCases> {
    let mut kept = Vec::new();
    let mut exclusions = Vec::new();
    // Listed once, not per lesion.
    let required = required_values(score);
    let pct = registry.lesions.stent_expansion_pct()?;
    for &(i, cohort) in assigned {
        let missing = required
            .iter()
            .enumerate()
            .find(|(k, _)| match raw.get(*k) {
                Some(col) => !col.is_valid(i),
                None => pct.get(i).is_none(),
            });
        match missing {
            Some((_, col)) => exclusions.push(exclusion(
                &registry.lesions,
                i,
                format!("missing-{col}"),
                format!(
                    "cohort {} lesion without a value for {col} (complete-case analysis)",
                    cohort.letter()
                ),
            )),
            None => kept.push((i, cohort)),
        }
    }
    Ok((kept, exclusions))
}

/// Outcome columns of the kept lesions: underexpansion, expansion, atherectomy cohort, fracture, preparation.
fn outcome_columns(
    registry: &Registry,
    kept: &[(usize, Cohort)],
) -> Result<Vec<(String, ColumnData)>> {
    let rows: Vec<usize> = kept.iter().map(|&(i, _)| i).collect();
    let mut cols = Vec::new();
    let pct = registry.lesions.stent_expansion_pct()?;
    let expansion: Vec<Option<f64>> = rows.iter().map(|&i| pct.get(i)).collect();
    let under = expansion
        .iter()
        .map(|e| e.map(|x| f64::from(u8::from(x < UNDEREXPANSION_PCT))));
    cols.push(("underexpansion".into(), num(under)));
    cols.push(("stent_expansion_pct".into(), num(expansion.iter().copied())));
    let athero = kept
        .iter()
        .map(|&(_, c)| Some(f64::from(u8::from(c == Cohort::Atherectomy))));
    cols.push(("atherectomy_cohort".into(), num(athero)));
    for name in [
        field::CALCIUM_FRACTURE,
        field::PREP_IVUS,
        field::PREP_FRACTURE,
    ] {
        let flag = registry.lesions.flag(name)?;
        let values = rows
            .iter()
            .map(|&i| flag.get(i).map(|b| f64::from(u8::from(b))));
        cols.push((name.into(), num(values)));
    }
    Ok(cols)
}

fn text(it: impl Iterator<Item = String>) -> ColumnData {
    ColumnData::Text(it.map(Some).collect())
}

fn num(it: impl Iterator<Item = Option<f64>>) -> ColumnData {
    ColumnData::Num(it.collect())
}

/// Number of distinct patients among the given lesion indices of the registry.
pub(crate) fn count_patients<'a>(ids: impl Iterator<Item = &'a str>) -> usize {
    // A hash set sized once (a B-tree of 10^7 ids was string compares, memcmp ~6% of the run); only its size
    // is used, never its order.
    let mut set =
        rustc_hash::FxHashSet::with_capacity_and_hasher(ids.size_hint().0, Default::default());
    set.extend(ids);
    set.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patients_are_counted_once_each() {
        // P2, P10, P1, p1 and the empty id: five patients among seven lesions.
        let ids = ["P2", "P10", "P2", "P1", "P10", "p1", ""];
        assert_eq!(count_patients(ids.iter().copied()), 5);
        assert_eq!(count_patients(std::iter::empty()), 0);
        let many: Vec<String> = (0..1000).map(|i| format!("P{:04}", i % 300)).collect();
        assert_eq!(count_patients(many.iter().map(String::as_str)), 300);
    }

    /// A set of five lesions in cohorts A, C, B, A, D with a column holding a missing value and a NaN.
    fn small_set() -> AnalysisSet {
        use Cohort::*;
        let cohorts = [
            Derivation,
            Atherectomy,
            Validation,
            Derivation,
            NoAngioCalcium,
        ];
        let x = ColumnData::num([Some(1.5), Some(2.0), None, Some(f64::NAN), Some(-0.0)]);
        let table = Table::new("t.csv", vec![("x".into(), x)]);
        AnalysisSet {
            table,
            cohort: UInt8Chunked::from_iter_values(
                COHORT_CODE.into(),
                cohorts.iter().map(|&c| cohort_code(c)),
            )
            .into_column(),
            exclusions: Vec::new(),
            missing: Vec::new(),
        }
    }

    #[test]
    fn cohort_selection_keeps_table_order_and_drops_missing_values() -> Result<()> {
        use Cohort::*;
        let set = small_set();
        assert_eq!(set.len(), 5);
        assert_eq!(set.rows(&[Derivation])?, [0, 3]);
        assert_eq!(set.rows(&[Validation, Derivation])?, [0, 2, 3]);
        assert_eq!(set.rows(&Cohort::ALL)?, [0, 1, 2, 3, 4]);
        assert!(set.rows(&[])?.is_empty());
        let a = set.values("x", &[Derivation])?;
        assert_eq!((a.len(), a[0]), (2, 1.5));
        assert!(a[1].is_nan());
        assert!(set.values("x", &[Validation])?.is_empty());
        let d = set.values("x", &[NoAngioCalcium, Atherectomy])?;
        assert_eq!(d, [2.0, -0.0]);
        assert!(d[1].is_sign_negative());
        assert!(set.values("nope", &[Derivation])?.is_empty());
        assert_eq!(set.subset(&[Atherectomy, Validation])?.nrows(), 2);
        Ok(())
    }
}
