//! `reproduce zhang2021 --impute M`: a sensitivity analysis of the complete-case reproduction. Lesions the study
//! leaves out only because their post-PCI pullback is missing (they would pass every rule had it been
//! available; their pre-PCI items are measured) stay in, their stent and reference areas and calcium fracture
//! are imputed (score items, areas, fracture and cohort in the imputation models), stent expansion is computed
//! from the imputed areas in each completed table (passive imputation), and the analysis is pooled by Rubin's
//! rules beside the complete-case results.

use serde::Serialize;

use super::analysis::{analyse, Analysis};
use super::pipeline::{analysis_set, Options};
use super::report::{figure_md, Appendix};
use crate::{Error, Result};
use calcscore_core::format::significant5;
use calcscore_data::cohort::{apply_rules, assign_cohorts, zhang2021_rules, Cohort};
use calcscore_data::{field, load_registry_with, registry_from_table, ColumnData, Registry};
use calcscore_report::{Doc, Table};
use calcscore_score::validate_impute::{pool_proportion, PooledMeasure};
use calcscore_score::PointsTable;
use calcscore_stats::mice::{
    impute, pool_auc, pool_scalar, Imputation, MiceOptions, PooledAuc, PooledRow,
};
use calcscore_stats::{Direction, Roc, TidyRow};

/// One pooled quantity beside its complete-case value.
#[derive(Debug, Clone, Serialize)]
pub struct Beside<T> {
    /// What it is.
    pub quantity: String,
    /// Pooled over the imputations (`None`: not estimable in every completed table).
    pub pooled: Option<T>,
    /// The complete-case (published-reproduction) estimate, CI low, CI high.
    pub complete_case: Option<(f64, f64, f64)>,
}

/// The sensitivity analysis: who was kept, what was imputed, and the pooled results.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    /// Lesions kept by imputation (excluded by the complete-case flow only for a missing post-PCI pullback).
    pub n_kept: usize,
    /// Of those, per cohort letter.
    pub kept_by_cohort: Vec<(String, usize)>,
    /// Lesions without a post-PCI pullback that stay excluded (another rule, or no pre-PCI pullback either).
    pub n_still_excluded: usize,
    /// Lesions analysed per cohort in each completed table.
    pub n_by_cohort: Vec<(String, usize)>,
    /// Slope of stent expansion (%) per point, per cohort.
    pub slopes: Vec<Beside<PooledRow>>,
    /// AUC of the score for underexpansion in A+B.
    pub auc: Beside<PooledAuc>,
    /// NPV at the published cutoff in A+B (pooled on the logit scale).
    pub npv: Beside<PooledMeasure>,
    /// Score × atherectomy interaction on expansion in B+C.
    pub interaction: Beside<PooledRow>,
    /// The imputation (not serialised: its summary is written by the caller).
    #[serde(skip)]
    pub imputation: Option<Imputation>,
}

/// Run the sensitivity analysis next to a complete-case run `cc`.
pub fn sensitivity(
    opts: &Options,
    score: &PointsTable,
    cc: &Analysis,
    mice: &MiceOptions,
) -> Result<Sensitivity> {
    // The reading options too: a workbook's sheet or a European CSV reads as it did for the complete-case run.
    let registry = load_registry_with(&opts.data, opts.map.as_deref(), opts.expansion, &opts.read)?;
    let kept = kept_lesions(&registry, opts)?;
    let (table, sub) = completed_input(&registry, &kept.all, &kept.extra)?;
    let imp = impute(&table, &imputed_columns(score, &registry), mice)?;
    let runs = (0..mice.m)
        .map(|i| analyse_completed(imp.complete(&table, i), &sub, score, opts))
        .collect::<Result<Vec<RunOf>>>()?;
    let level = opts.conf_level;
    Ok(Sensitivity {
        n_kept: kept.extra.len(),
        kept_by_cohort: count_by_cohort(
            kept.all
                .iter()
                .filter(|(i, _)| kept.extra.contains(i))
                .map(|&(_, c)| c),
        ),
        n_still_excluded: kept.n_no_post - kept.extra.len(),
        n_by_cohort: runs[0].2.clone(),
        slopes: slopes(&runs, cc, level),
        auc: auc(&runs, cc, level),
        npv: npv(&runs, cc, level),
        interaction: interaction(&runs, cc, level),
        imputation: Some(imp),
    })
}

/// The cohort lesions of the sensitivity analysis: the complete-case ones and those kept by imputation.
struct Kept {
    /// Every analysed lesion (registry row) with its cohort, in row order.
    all: Vec<(usize, Cohort)>,
    /// The lesions kept by imputation (registry rows, ascending).
    extra: Vec<usize>,
    /// Lesions without a post-PCI pullback.
    n_no_post: usize,
}

/// Apply the flow as published and as if every post-PCI pullback were available; the complete-case lesions
/// keep their cohorts, the kept lesions are split among themselves (same seed).
fn kept_lesions(registry: &Registry, opts: &Options) -> Result<Kept> {
    let flow = apply_rules(&registry.lesions, &zhang2021_rules())?;
    let available = registry.lesions.with_flag(field::POST_IVUS, true)?;
    let with_post = apply_rules(&available, &zhang2021_rules())?;
    let extra: Vec<usize> = with_post
        .included
        .iter()
        .copied()
        .filter(|i| flow.included.binary_search(i).is_err())
        .collect();
    let mut all = assign_cohorts(registry, &flow.included, opts.split, opts.seed)?;
    all.extend(assign_cohorts(registry, &extra, opts.split, opts.seed)?);
    all.sort_unstable();
    let n_post = registry.lesions.flag(field::POST_IVUS)?.num_trues();
    Ok(Kept {
        all,
        extra,
        n_no_post: registry.lesions.len() - n_post,
    })
}

/// The whole analysis on one completed table, with the AUC (DeLong SE) of the score in A+B.
fn analyse_completed(
    table: calcscore_data::Table,
    sub: &[(usize, Cohort)],
    score: &PointsTable,
    opts: &Options,
) -> Result<RunOf> {
    let reg = registry_from_table(table, opts.expansion)?;
    let set = analysis_set(&reg, sub, score)?;
    let a = analyse(&set, score, opts.conf_level)?;
    let ab = [Cohort::Derivation, Cohort::Validation];
    let (s, e) = set.score_and_underexpansion(&ab)?;
    let roc = Roc::new(&s, &e, Direction::ControlsLess)
        .ok()
        .map(|r| (r.auc(), r.delong_se()));
    let sizes = Cohort::ALL
        .iter()
        .map(|&c| Ok((c.letter().to_string(), set.rows(&[c])?.len())))
        .collect::<Result<_>>()?;
    Ok((a, roc, sizes))
}

/// A completed table's analysis, its AUC (DeLong SE) in A+B, and its lesions per cohort letter.
type RunOf = (Analysis, Option<(f64, f64)>, Vec<(String, usize)>);

fn triple(t: &TidyRow) -> (f64, f64, f64) {
    (t.estimate, t.conf_low, t.conf_high)
}

/// The registry rows of the cohort lesions with a `cohort` column; a kept lesion enters as if its post-PCI
/// pullback were available (`post_ivus` = 1) with its areas and fracture missing. Returns the table and each
/// row's cohort (indices into that table).
fn completed_input(
    registry: &Registry,
    all: &[(usize, Cohort)],
    extra: &[usize],
) -> Result<(calcscore_data::Table, Vec<(usize, Cohort)>)> {
    let rows: Vec<usize> = all.iter().map(|&(i, _)| i).collect();
    let mut table = registry.table.subset(&rows);
    if let Some(j) = table.names.iter().position(|n| n == "post_ivus") {
        if let ColumnData::Num(col) = &mut table.columns[j] {
            let extra = rows.iter().enumerate().filter(|(_, i)| extra.contains(i));
            *col = col.with_replaced(extra.map(|(k, _)| (k, Some(1.0))));
        }
    }
    table.names.push("cohort".into());
    table.columns.push(ColumnData::Text(
        all.iter()
            .map(|&(_, c)| Some(c.letter().to_string()))
            .collect(),
    ));
    let sub = all.iter().enumerate().map(|(k, &(_, c))| (k, c)).collect();
    Ok((table, sub))
}

/// Columns of the imputation models: the score's items, the areas stent expansion is computed from,
/// calcium fracture, and the cohort.
fn imputed_columns(score: &PointsTable, registry: &Registry) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let areas = calcscore_data::validate::expansion_columns(registry.expansion);
    for c in score
        .items
        .iter()
        .map(|i| i.column.as_str())
        .chain(areas.iter().copied())
        .chain(["calcium_fracture", "cohort"])
    {
        if (registry.table.has(c) || c == "cohort") && !cols.iter().any(|x| x == c) {
            cols.push(c.to_string());
        }
    }
    cols
}

fn count_by_cohort(it: impl Iterator<Item = Cohort>) -> Vec<(String, usize)> {
    let v: Vec<Cohort> = it.collect();
    ["A", "B", "C", "D"]
        .iter()
        .map(|l| (l.to_string(), v.iter().filter(|c| c.letter() == *l).count()))
        .collect()
}

/// (estimates, SEs) when every completed table has one.
fn all_of(it: impl Iterator<Item = Option<(f64, f64)>>) -> Option<(Vec<f64>, Vec<f64>)> {
    let v: Option<Vec<(f64, f64)>> = it.collect();
    v.map(|v| v.into_iter().unzip())
}

/// Pool one coefficient over the tables (dfcom = n − k of the first model is not known here: the models are
/// cluster-robust, so dfcom = ∞ unless `k` gives the parameters of a model with n rows — see the caller).
fn pool_rows<'a>(
    rows: impl Iterator<Item = Option<&'a TidyRow>>,
    level: f64,
    _k: usize,
) -> Option<PooledRow> {
    let rows: Option<Vec<&TidyRow>> = rows.collect();
    let rows = rows?;
    let q: Vec<f64> = rows.iter().map(|r| r.estimate).collect();
    let u: Vec<f64> = rows.iter().map(|r| r.std_error).collect();
    pool_scalar(&rows.first()?.term, &q, &u, f64::INFINITY, level).ok()
}

fn slopes(runs: &[RunOf], cc: &Analysis, level: f64) -> Vec<Beside<PooledRow>> {
    ["A", "B", "C", "D"]
        .iter()
        .map(|c| {
            let pick = |a: &'_ Analysis| {
                a.slopes
                    .iter()
                    .find(|s| s.cohort == *c)
                    .map(|s| s.slope.clone())
            };
            let rows: Vec<Option<TidyRow>> = runs.iter().map(|r| pick(&r.0)).collect();
            Beside {
                quantity: format!("slope of stent expansion (%) per point, cohort {c}"),
                pooled: pool_rows(rows.iter().map(Option::as_ref), level, 2),
                complete_case: pick(cc).as_ref().map(triple),
            }
        })
        .collect()
}

/// The AUC in A+B, pooled on the logit scale, beside the complete-case one.
fn auc(runs: &[RunOf], cc: &Analysis, level: f64) -> Beside<PooledAuc> {
    Beside {
        quantity: "AUC of the score for underexpansion (A+B)".into(),
        pooled: all_of(runs.iter().map(|r| r.1)).and_then(|(q, u)| pool_auc(&q, &u, level).ok()),
        complete_case: cc.roc.as_ref().map(|r| (r.auc, r.conf_low, r.conf_high)),
    }
}

/// The score × atherectomy interaction, pooled as estimated, beside the complete-case one.
fn interaction(runs: &[RunOf], cc: &Analysis, level: f64) -> Beside<PooledRow> {
    Beside {
        quantity: "score × atherectomy interaction on expansion (B+C)".into(),
        pooled: pool_rows(runs.iter().map(|r| r.0.interaction_term.as_ref()), level, 4),
        complete_case: cc.interaction_term.as_ref().map(triple),
    }
}

fn npv(runs: &[RunOf], cc: &Analysis, level: f64) -> Beside<PooledMeasure> {
    let counts: Option<Vec<(usize, usize)>> = runs
        .iter()
        .map(|r| r.0.accuracy.as_ref().map(|a| (a.tn, a.tn + a.fn_)))
        .collect();
    let complete_case = cc.accuracy.as_ref().and_then(|a| {
        a.measures
            .iter()
            .find(|m| m.measure.eq_ignore_ascii_case("npv"))
            .map(|m| (m.estimate, m.conf_low, m.conf_high))
    });
    Beside {
        quantity: "NPV at the published cutoff (A+B)".into(),
        pooled: counts.and_then(|c| pool_proportion("npv", &c, level).ok().flatten()),
        complete_case,
    }
}

/// Refuse an option the sensitivity analysis does not take.
pub fn refuse(what: &str) -> Error {
    Error::Usage(format!(
        "--impute does not combine with {what} (not implemented)"
    ))
}

/// The report appendix: the section of [`section_doc`] and the diagnostic figures it shows.
pub fn appendix(s: &Sensitivity) -> Result<Appendix> {
    let Some(imp) = &s.imputation else {
        return Ok(Appendix::default());
    };
    let o = &imp.options;
    Ok(Appendix {
        doc: section_doc(s, imp),
        figures: calcscore_report::impute_charts::files(imp)?,
        tripod_missing: Some(format!(
            "as a sensitivity analysis, multiple imputation by chained equations (m = {}, {} iterations, seed {}), \
             pooled by Rubin's rules (the section after the footer)",
            o.m, o.iterations, o.seed
        )),
    })
}

/// The report section: who was kept, the pooled results beside the complete-case ones, what was imputed
/// and the diagnostic figures.
pub(crate) fn section_doc(s: &Sensitivity, imp: &Imputation) -> Doc {
    let m = imp.options.m;
    Doc::of(intro_md(s, m))
        .table(pooled_table(s, m))
        .append(imputation_doc(imp))
}

/// The section's heading and who was kept, excluded and analysed (Markdown).
fn intro_md(s: &Sensitivity, m: usize) -> String {
    let by = |v: &[(String, usize)]| {
        v.iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "\n## Sensitivity analysis: multiple imputation (--impute {m})\n\n\
         The complete-case reproduction above leaves out lesions without a post-PCI pullback (rule \
         `no-ivus-pullback`): their stent and reference areas, hence stent expansion, and calcium fracture are \
         missing. Here the **{} lesions that would pass every rule had their post-PCI pullback been available** \
         (their pre-PCI score items are measured) are kept (by cohort: {}); {} lesions without a post-PCI pullback \
         stay excluded (another rule, or no pre-PCI pullback either). The complete-case lesions keep their cohorts; \
         the kept lesions of the A/B pool are split 1:1 among themselves with the same seed. Analysed per completed \
         table: {}. Areas and fracture are imputed by chained equations (pmm, logreg; the score's items, the \
         areas, fracture and cohort in the models; the outcome is computed from the imputed areas in each table), \
         and each result is pooled by Rubin's rules: slopes and the interaction as estimated (dfcom = ∞, the \
         models are cluster-robust), the AUC (DeLong SE) and the NPV on the logit scale.\n\n",
        s.n_kept,
        by(&s.kept_by_cohort),
        s.n_still_excluded,
        by(&s.n_by_cohort)
    )
}

/// Pooled estimate, CI low, CI high and fmi of one quantity.
type PooledCells = (f64, f64, f64, f64);

/// The pooled results beside the complete-case ones: slopes, AUC, NPV, interaction.
fn pooled_table(s: &Sensitivity, m: usize) -> Table {
    let row_of = |p: &PooledRow| (p.estimate, p.conf_low, p.conf_high, p.fmi);
    let mut rows: Vec<Vec<String>> = s
        .slopes
        .iter()
        .map(|b| beside_row(b, b.pooled.as_ref().map(row_of), 2))
        .collect();
    let auc = s.auc.pooled.as_ref();
    rows.push(beside_row(
        &s.auc,
        auc.map(|p| (p.estimate, p.conf_low, p.conf_high, p.logit.fmi)),
        3,
    ));
    let npv = s.npv.pooled.as_ref().map(|p| &p.pooled);
    rows.push(beside_row(
        &s.npv,
        npv.map(|p| (p.estimate, p.conf_low, p.conf_high, p.logit.fmi)),
        3,
    ));
    let i = &s.interaction;
    rows.push(beside_row(i, i.pooled.as_ref().map(row_of), 2));
    Table::new(&[
        "quantity",
        "complete case [CI]",
        &format!("multiple imputation, m = {m} [CI]"),
        "fmi",
    ])
    .rows(rows)
}

/// One row: quantity, complete case [CI], pooled [CI] at `d` decimals, and the pooled fmi.
fn beside_row<T>(b: &Beside<T>, pooled: Option<PooledCells>, d: usize) -> Vec<String> {
    let f = |x: Option<(f64, f64, f64)>| {
        x.map_or("not estimable".into(), |(e, l, h)| {
            format!("{e:.d$} [{l:.d$}, {h:.d$}]")
        })
    };
    vec![
        b.quantity.clone(),
        f(b.complete_case),
        f(pooled.map(|(e, l, h, _)| (e, l, h))),
        pooled.map_or("–".into(), |p| format!("{:.3}", p.3)),
    ]
}

/// What was imputed (options, models, and per column the method, count and distributions) and the
/// diagnostic figures.
fn imputation_doc(imp: &Imputation) -> Doc {
    let o = imp.options;
    let intro = format!(
        "\nWhat was imputed: multiple imputation by chained equations (mice's defaults: pmm with {} donors, \
         logreg), m = {}, {} iterations, seed {}; each column of the imputation models predicts from the others \
         ({}). {} values imputed in each data set.\n\n",
        calcscore_stats::mice::DONORS,
        o.m,
        o.iterations,
        o.seed,
        imp.model_columns.join(", "),
        imp.n_imputed()
    );
    if imp.columns.is_empty() {
        return Doc::of(intro);
    }
    Doc::of(intro)
        .table(imputed_columns_table(imp))
        .prose(format!(
            "\n{}{}",
            figure_md(
                "imputation_trace.svg",
                "Figure S6",
                "Convergence of the imputation: per imputed column, the mean and SD of the imputed values at \
                 each iteration, one line per imputation (mice's `plot(imp)`); numbers in `imputation.json`."
            ),
            figure_md(
                "imputed_values.svg",
                "Figure S7",
                "Observed values at 0 and imputation i's values at i, per imputed column (mice's \
                 `stripplot(imp)`)."
            )
        ))
}

/// Per imputed column: method, missing count, observed and imputed mean (SD).
fn imputed_columns_table(imp: &Imputation) -> Table {
    let msd = |m: f64, sd: f64| format!("{} ({})", significant5(m), significant5(sd));
    Table::new(&[
        "imputed column",
        "method",
        "missing",
        "observed mean (SD)",
        "imputed mean (SD)",
    ])
    .rows(imp.columns.iter().map(|c| {
        vec![
            format!("`{}`", c.column),
            c.method.name().to_string(),
            c.n_missing.to_string(),
            msd(c.observed_mean, c.observed_sd),
            msd(c.imputed_mean, c.imputed_sd),
        ]
    }))
}
