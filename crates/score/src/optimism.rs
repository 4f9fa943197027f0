//! Internal validation of the whole derivation (Harrell's bootstrap, `rms::validate`'s layout): every replicate
//! re-runs what `derive` does — threshold search, weight model, points rounding, Youden cutoff and risk model —
//! on a resample of clusters, and tests the score it derives on the resample and on the original rows.
//!
//! Rows are collapsed to covariate patterns (every candidate's indicator at every grid value): a replicate is a
//! multinomial count per cluster, summed into pattern totals, so a derivation costs a few small fits whatever
//! the number of rows. Replicate r draws from ChaCha8 seeded from (seed, r) and results are reduced in replicate
//! order: the numbers do not depend on the thread count.

mod grouped;
mod procedure;

use std::collections::HashMap;

use calcscore_core::random;
use rayon::prelude::*;
use serde::Serialize;

use crate::derive::{Candidates, DeriveOptions};
use crate::Op;
use crate::{Error, Result};
use calcscore_data::Table;
use calcscore_stats::StatsError;
use grouped::Grouped;
use procedure::INDEX_NAMES;

/// Whether the bootstrap validates the rounded points (`derive`'s score) or the unrounded ratios (the weight
/// model itself: with a logistic weight model and fixed items, `rms::validate(lrm(...))`'s procedure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointsRule {
    /// Whole points, as `derive` writes them.
    Rounded,
    /// sign × coefficient ÷ reference, not rounded.
    Unrounded,
}

/// How many replicates, from which seed, of which score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootOptions {
    /// Replicates (at least 1).
    pub replicates: usize,
    /// Seed: replicate r draws from a stream seeded from (seed, r).
    pub seed: u64,
    /// Rounded points or the unrounded weight model.
    pub points: PointsRule,
}

/// One row of the table: an index with its apparent, training, test and corrected values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexRow {
    /// Index name (rms::validate's where it has it).
    pub index: String,
    /// Apparent value: the score derived on all rows, on all rows.
    pub index_orig: f64,
    /// Mean over replicates of the replicate's score on its own resample.
    pub training: f64,
    /// Mean over replicates of the replicate's score on the original rows.
    pub test: f64,
    /// training − test.
    pub optimism: f64,
    /// Monte Carlo standard error of the optimism (SD of the replicates' optimism ÷ √n); `None` from fewer than
    /// two replicates, where the SD is undefined.
    pub optimism_se: Option<f64>,
    /// index_orig − optimism.
    pub index_corrected: f64,
    /// Replicates averaged.
    pub n: usize,
}

/// The whole-procedure bootstrap: table, shrinkage and what was repeated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WholeValidation {
    /// Replicates asked.
    pub replicates: usize,
    /// Replicates in which the derivation (or a test index) was not estimable, left out of the means.
    pub failed: usize,
    /// Seed.
    pub seed: u64,
    /// Rounded points or unrounded weights.
    pub points: PointsRule,
    /// "cluster (patient_id)" or "row".
    pub unit: String,
    /// Units resampled.
    pub n_units: usize,
    /// Rows in the derivation.
    pub n_rows: usize,
    /// Covariate patterns the rows collapse to.
    pub n_patterns: usize,
    /// The steps each replicate repeated, in order.
    pub steps: Vec<String>,
    /// Points of the score derived on all rows by the same engine (equal to `derive`'s).
    pub apparent_points: Vec<f64>,
    /// The table, in rms::validate's layout.
    pub table: Vec<IndexRow>,
    /// Uniform shrinkage factor: the mean calibration slope of the replicates' risk models on the original rows.
    pub shrinkage: f64,
}

/// One candidate as the engine sees it: thresholds tried and each indicator per code.
struct ItemSpec {
    label: String,
    column: String,
    op: Op,
    thresholds: Vec<f64>,
    searched: bool,
    /// `ind[code][j]`: the indicator at threshold j of rows with this code.
    ind: Vec<Vec<f64>>,
}

/// Per (cluster, pattern) row totals, clusters contiguous (`offsets[g]..offsets[g + 1]`).
#[derive(Default)]
struct Entries {
    offsets: Vec<usize>,
    p: Vec<u32>,
    n: Vec<f64>,
    e: Vec<f64>,
    sy: Vec<f64>,
    syy: Vec<f64>,
    sye: Vec<f64>,
}

/// Pattern totals of one data set (the original rows, or a replicate's weighted clusters).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Agg {
    w: Vec<f64>,
    e: Vec<f64>,
    sy: Vec<f64>,
    syy: Vec<f64>,
    sye: Vec<f64>,
}

impl Agg {
    fn grouped<'a>(&'a self, x: &'a [Vec<f64>]) -> Grouped<'a> {
        Grouped {
            x,
            w: &self.w,
            e: &self.e,
            sy: &self.sy,
            syy: &self.syy,
        }
    }
}

/// The derivation data collapsed to patterns, with the settings of the procedure.
pub(crate) struct Patterns {
    items: Vec<ItemSpec>,
    /// Per pattern, the code of each candidate.
    codes: Vec<Vec<u16>>,
    entries: Entries,
    outcome: bool,
    firth: bool,
    clustered: bool,
    sign_rule: Option<f64>,
    rule_direction: f64,
    reference: Option<usize>,
    rule: PointsRule,
    n_rows: usize,
}

/// Validate the whole derivation of `cands` on `table` by the bootstrap; `progress` is called with the
/// number of replicates done (from any thread).
pub fn whole_procedure(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    boot: &BootOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<WholeValidation> {
    calcscore_core::options::Replicates::new(boot.replicates)?;
    if boot.replicates == 0 {
        return Err(Error::Usage(
            "the whole-procedure bootstrap needs at least 1 replicate".into(),
        ));
    }
    let pat = Patterns::build(table, cands, opts, boot.points)?;
    let orig = pat.original();
    let apparent = pat.derive(&orig, None).ok_or_else(|| {
        StatsError::Undefined(
            "the derivation on all rows is not estimable by the bootstrap engine".into(),
        )
    })?;
    let index_orig = pat.indices(&apparent, &orig, true).ok_or_else(|| {
        StatsError::Undefined("the apparent indices are undefined (one outcome class?)".into())
    })?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let reps: Vec<Option<([f64; 8], [f64; 8])>> = (0..boot.replicates as u64)
        .into_par_iter()
        .map(|r| {
            let out = pat.replicate(&orig, boot.seed, r);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            out
        })
        .collect();
    let ok: Vec<&([f64; 8], [f64; 8])> = reps.iter().flatten().collect();
    if ok.is_empty() {
        return Err(StatsError::Undefined(format!(
            "none of the {} bootstrap replicates could be derived",
            boot.replicates
        ))
        .into());
    }
    let table = summarise(&index_orig, &ok);
    Ok(WholeValidation {
        replicates: boot.replicates,
        failed: boot.replicates - ok.len(),
        seed: boot.seed,
        points: boot.points,
        unit: match &opts.cluster {
            Some(c) => format!("cluster ({c})"),
            None => "row".into(),
        },
        n_units: pat.entries.offsets.len() - 1,
        n_rows: pat.n_rows,
        n_patterns: pat.codes.len(),
        steps: pat.steps(),
        shrinkage: table[3].test,
        apparent_points: apparent.points,
        table,
    })
}

/// One replicate with given counts per unit (clusters in order of first appearance, or rows): what it derived
/// and its indices, for checks against a reference that resamples the same rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownReplicate {
    /// Each candidate's threshold (searched or fixed).
    pub thresholds: Vec<f64>,
    /// Points per item.
    pub points: Vec<f64>,
    /// Youden cutoff.
    pub cutoff: f64,
    /// Risk model intercept and slope.
    pub model: (f64, f64),
    /// Indices on the resample ([`INDEX_NAMES`] order).
    pub training: [f64; 8],
    /// Indices on the original rows.
    pub test: [f64; 8],
}

/// Run one replicate whose unit counts are given (`None` when the derivation fails on that resample).
pub fn known_replicate(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    points: PointsRule,
    counts: &[u32],
) -> Result<Option<KnownReplicate>> {
    let pat = Patterns::build(table, cands, opts, points)?;
    let units = pat.entries.offsets.len() - 1;
    if counts.len() != units {
        return Err(Error::Usage(format!(
            "{} counts given for {units} resampling units",
            counts.len()
        )));
    }
    let orig = pat.original();
    let agg = pat.aggregate(counts);
    let Some(d) = pat.derive(&agg, Some(counts)) else {
        return Ok(None);
    };
    let (Some(training), Some(test)) = (pat.indices(&d, &agg, true), pat.indices(&d, &orig, false))
    else {
        return Ok(None);
    };
    Ok(Some(KnownReplicate {
        thresholds: pat
            .items
            .iter()
            .zip(&d.chosen)
            .map(|(i, &j)| i.thresholds[j])
            .collect(),
        points: d.points,
        cutoff: d.cutoff,
        model: d.model,
        training,
        test,
    }))
}

/// Means over the replicates, in replicate order.
fn summarise(orig: &[f64; 8], ok: &[&([f64; 8], [f64; 8])]) -> Vec<IndexRow> {
    let n = ok.len() as f64;
    INDEX_NAMES
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let training = ok.iter().map(|r| r.0[m]).sum::<f64>() / n;
            let test = ok.iter().map(|r| r.1[m]).sum::<f64>() / n;
            let optimism = training - test;
            let var = ok
                .iter()
                .map(|r| (r.0[m] - r.1[m] - optimism).powi(2))
                .sum::<f64>()
                / (n - 1.0);
            IndexRow {
                index: (*name).into(),
                index_orig: orig[m],
                training,
                test,
                optimism,
                optimism_se: (ok.len() >= 2).then(|| (var / n).sqrt()),
                index_corrected: orig[m] - optimism,
                n: ok.len(),
            }
        })
        .collect()
}

impl Patterns {
    /// Collapse the complete rows of `table` (as `derive` selects them) to patterns and cluster entries.
    fn build(
        table: &Table,
        cands: &Candidates,
        opts: &DeriveOptions,
        rule: PointsRule,
    ) -> Result<Patterns> {
        let (_, table, opts) = crate::derive::derivation_rows(table, cands, opts)?;
        let opts = &opts;
        let n = table.nrows();
        let (items, row_codes) = item_specs(&table, cands)?;
        let (codes, pattern) = patterns_of(&row_codes, n);
        let y = match &opts.outcome {
            Some(c) => table
                .numbers(c)?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect(),
            None => vec![0.0; n],
        };
        let event: Vec<f64> = opts
            .binary
            .values(&table)?
            .into_iter()
            .map(|v| f64::from(u8::from(v == Some(1.0))))
            .collect();
        let cluster: Vec<usize> = match &opts.cluster {
            Some(c) => first_appearance(&*table.text(c)?),
            None => (0..n).collect(),
        };
        let entries = entries(&cluster, &pattern, &event, &y);
        let reference = match &opts.reference {
            Some(r) => Some(
                items
                    .iter()
                    .position(|i| i.label == *r || i.column == *r)
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "--reference '{r}' is not a candidate label or column"
                        ))
                    })?,
            ),
            None => None,
        };
        let b = &opts.binary;
        let by_rule = opts
            .outcome
            .as_ref()
            .is_some_and(|y| b.column == *y && b.op.is_some() && b.level.is_none());
        Ok(Patterns {
            items,
            codes,
            entries,
            outcome: opts.outcome.is_some(),
            firth: opts.firth,
            clustered: opts.cluster.is_some(),
            sign_rule: by_rule.then(|| b.direction()),
            rule_direction: b.direction(),
            reference,
            rule,
            n_rows: n,
        })
    }

    /// Pattern totals of the original rows.
    fn original(&self) -> Agg {
        self.aggregate(&vec![1; self.entries.offsets.len() - 1])
    }

    /// Pattern totals with each cluster counted `counts[g]` times.
    fn aggregate(&self, counts: &[u32]) -> Agg {
        let np = self.codes.len();
        let en = &self.entries;
        let mut a = Agg {
            w: vec![0.0; np],
            e: vec![0.0; np],
            sy: vec![0.0; if self.outcome { np } else { 0 }],
            syy: vec![0.0; if self.outcome { np } else { 0 }],
            sye: vec![0.0; if self.outcome { np } else { 0 }],
        };
        for (g, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = f64::from(c);
            for k in en.offsets[g]..en.offsets[g + 1] {
                let p = en.p[k] as usize;
                a.w[p] += c * en.n[k];
                a.e[p] += c * en.e[k];
                if self.outcome {
                    a.sy[p] += c * en.sy[k];
                    a.syy[p] += c * en.syy[k];
                    a.sye[p] += c * en.sye[k];
                }
            }
        }
        a
    }

    /// One replicate: multinomial cluster counts from (seed, r), derive, and the indices on the resample
    /// (training) and on the original rows (test).
    fn replicate(&self, orig: &Agg, seed: u64, r: u64) -> Option<([f64; 8], [f64; 8])> {
        let mut rng = random::replicate(seed, r);
        let g = self.entries.offsets.len() - 1;
        let mut counts = vec![0u32; g];
        for _ in 0..g {
            counts[random::index(&mut rng, g)] += 1;
        }
        self.replicate_with(&counts, orig)
    }

    /// A replicate with given cluster counts.
    fn replicate_with(&self, counts: &[u32], orig: &Agg) -> Option<([f64; 8], [f64; 8])> {
        let agg = self.aggregate(counts);
        let d = self.derive(&agg, Some(counts))?;
        Some((
            self.indices(&d, &agg, true)?,
            self.indices(&d, orig, false)?,
        ))
    }

    /// What each replicate repeats, in words.
    fn steps(&self) -> Vec<String> {
        let mut s = Vec::new();
        let model = if self.outcome {
            "linear model of the continuous outcome"
        } else if self.firth {
            "Firth logistic model of the event"
        } else {
            "logistic model of the event"
        };
        for i in self.items.iter().filter(|i| i.searched) {
            s.push(format!(
                "threshold search of '{}' over {} grid values (univariable {}, largest |statistic|{})",
                i.label,
                i.thresholds.len(),
                model,
                if self.clustered && (self.outcome || !self.firth) { ", CR1" } else { "" }
            ));
        }
        s.push(format!(
            "weights: multivariable {model} on the {} items",
            self.items.len()
        ));
        s.push(if self.outcome {
            "orientation of the points (rule or outcome means)".into()
        } else {
            "orientation: log-odds of the event".into()
        });
        s.push(match self.rule {
            PointsRule::Rounded => "points = round(coefficient ÷ reference)".into(),
            PointsRule::Unrounded => {
                "points = coefficient ÷ reference, not rounded (the weight model itself)".into()
            }
        });
        s.push("cutoff by Youden's index".into());
        s.push("risk model: logit P(event) = a + b × points".into());
        s
    }
}

/// Largest threshold grid of one candidate (its codes must fit in 16 bits).
const MAX_GRID: usize = 10_000;

/// Each candidate's spec and every row's code (the distinct indicator vectors over its thresholds).
fn item_specs(table: &Table, cands: &Candidates) -> Result<(Vec<ItemSpec>, Vec<Vec<u16>>)> {
    let mut specs = Vec::new();
    let mut row_codes = Vec::new();
    for c in &cands.candidates {
        let op = c.op.unwrap_or(Op::Eq);
        let thresholds = match (c.threshold, c.grid.is_empty()) {
            (Some(t), true) => vec![t],
            (None, true) => vec![1.0],
            (_, false) => c.grid.clone(),
        };
        if thresholds.len() > MAX_GRID {
            return Err(Error::Usage(format!(
                "candidate '{}': {} grid values, more than the {MAX_GRID} the bootstrap engine takes",
                c.label,
                thresholds.len()
            )));
        }
        let x = table.numbers(&c.column)?;
        let mut seen: HashMap<Vec<bool>, u16> = HashMap::new();
        let mut ind: Vec<Vec<f64>> = Vec::new();
        let mut codes = Vec::with_capacity(x.len());
        for v in x.iter() {
            let bits: Vec<bool> = thresholds
                .iter()
                .map(|&t| op.holds(v.unwrap_or(f64::NAN), t))
                .collect();
            let next = ind.len() as u16;
            let code = *seen.entry(bits.clone()).or_insert_with(|| {
                ind.push(bits.iter().map(|&b| f64::from(u8::from(b))).collect());
                next
            });
            codes.push(code);
        }
        row_codes.push(codes);
        specs.push(ItemSpec {
            label: c.label.clone(),
            column: c.column.clone(),
            op,
            thresholds,
            searched: !c.grid.is_empty(),
            ind,
        });
    }
    Ok((specs, row_codes))
}

/// Distinct code tuples (patterns, in order of first appearance) and each row's pattern.
fn patterns_of(row_codes: &[Vec<u16>], n: usize) -> (Vec<Vec<u16>>, Vec<u32>) {
    let mut seen: HashMap<Vec<u16>, u32> = HashMap::new();
    let mut codes = Vec::new();
    let pattern = (0..n)
        .map(|i| {
            let key: Vec<u16> = row_codes.iter().map(|c| c[i]).collect();
            *seen.entry(key.clone()).or_insert_with(|| {
                codes.push(key);
                (codes.len() - 1) as u32
            })
        })
        .collect();
    (codes, pattern)
}

/// Index of each row's cluster, numbered in order of first appearance.
fn first_appearance(ids: &calcscore_data::TextColumn) -> Vec<usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    ids.iter()
        .map(|id| {
            let next = seen.len();
            *seen.entry(id.unwrap_or("")).or_insert(next)
        })
        .collect()
}

/// Row totals per (cluster, pattern), clusters in index order.
fn entries(cluster: &[usize], pattern: &[u32], event: &[f64], y: &[f64]) -> Entries {
    let mut order: Vec<usize> = (0..cluster.len()).collect();
    order.sort_by_key(|&i| (cluster[i], pattern[i]));
    let mut en = Entries::default();
    let mut last: Option<(usize, u32)> = None;
    for i in order {
        let key = (cluster[i], pattern[i]);
        if last != Some(key) {
            if last.is_none_or(|l| l.0 != key.0) {
                en.offsets.push(en.p.len());
            }
            en.p.push(key.1);
            for v in [&mut en.n, &mut en.e, &mut en.sy, &mut en.syy, &mut en.sye] {
                v.push(0.0);
            }
            last = Some(key);
        }
        let k = en.p.len() - 1;
        en.n[k] += 1.0;
        en.e[k] += event[i];
        en.sy[k] += y[i];
        en.syy[k] += y[i] * y[i];
        en.sye[k] += y[i] * event[i];
    }
    en.offsets.push(en.p.len());
    en
}

#[cfg(test)]
mod tests {
    //! The engine's replicate against `derive` itself on the physically resampled rows (a cluster drawn k times
    //! becomes k clusters): the same thresholds, points, cutoff and risk model.
    use super::*;
    use crate::derive::{derive, BinaryOutcome, Candidate};
    use calcscore_data::ColumnData;
    use rand::RngExt;

    /// 900 lesions of 600 patients with the four IVUS columns and an expansion lower with each item.
    fn zhang() -> Table {
        let mut rng = random::seeded(11);
        let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); 5];
        let mut ids = Vec::new();
        for i in 0..900usize {
            let patient = if i < 600 { i } else { (i * 7) % 600 };
            let x = [
                rng.random_range(0.0..10.0),
                f64::from(rng.random_bool(0.35)),
                f64::from(rng.random_bool(0.15)),
                rng.random_range(2.5..4.5),
            ];
            let items =
                f64::from(u8::from(x[0] > 5.0)) + x[1] + x[2] + f64::from(u8::from(x[3] < 3.5));
            let y = 85.0 - 6.0 * items + (patient % 13) as f64 - 6.0
                + (0..4).map(|_| rng.random_range(-8.66..8.66)).sum::<f64>();
            for (c, v) in cols.iter_mut().zip(x.iter().chain([y].iter())) {
                c.push(Some(*v));
            }
            ids.push(Some(format!("P{patient}")));
        }
        let names = [
            "calcium_270_length_mm",
            "calcium_360",
            "calcified_nodule",
            "vessel_diameter_mm",
            "stent_expansion_pct",
        ];
        let mut v: Vec<(String, ColumnData)> = names
            .iter()
            .zip(cols)
            .map(|(n, c)| (n.to_string(), ColumnData::num(c)))
            .collect();
        v.push(("patient_id".into(), ColumnData::text(ids)));
        Table::new("synthetic.csv", v)
    }

    fn searched() -> Candidates {
        let mut c = Candidates::zhang2021();
        c.candidates[0] = Candidate {
            grid: vec![3.0, 4.0, 5.0, 6.0, 7.0],
            threshold: None,
            ..c.candidates[0].clone()
        };
        c
    }

    fn options(outcome: Option<&str>, firth: bool) -> DeriveOptions {
        DeriveOptions {
            outcome: outcome.map(String::from),
            binary: BinaryOutcome::parse("stent_expansion_pct < 70").unwrap(),
            cluster: Some("patient_id".into()),
            reference: None,
            target_npv: None,
            conf_level: 0.95,
            firth,
        }
    }

    /// Rows of each cluster repeated `counts[g]` times, copies under new cluster ids.
    fn resample(t: &Table, counts: &[u32]) -> Table {
        let ids = t.text("patient_id").unwrap();
        let unit = first_appearance(&ids);
        let mut rows = Vec::new();
        let mut new_ids = Vec::new();
        for (g, &c) in counts.iter().enumerate() {
            for k in 0..c {
                for i in (0..t.nrows()).filter(|&i| unit[i] == g) {
                    rows.push(i);
                    new_ids.push(Some(format!("{g}#{k}")));
                }
            }
        }
        let mut r = t.subset(&rows);
        r.names.push("boot_id".into());
        r.columns.push(ColumnData::text(new_ids));
        r
    }

    fn check(outcome: Option<&str>, firth: bool) {
        let t = zhang();
        let cands = searched();
        let opts = options(outcome, firth);
        let units = first_appearance(&t.text("patient_id").unwrap())
            .into_iter()
            .max()
            .unwrap()
            + 1;
        let counts: Vec<u32> = (0..units).map(|g| [2, 0, 1][(g * 7 + g / 5) % 3]).collect();
        let k = known_replicate(&t, &cands, &opts, PointsRule::Rounded, &counts)
            .unwrap()
            .unwrap();
        let boot = resample(&t, &counts);
        let d = derive(
            &boot,
            &cands,
            &DeriveOptions {
                cluster: Some("boot_id".into()),
                ..opts
            },
        )
        .unwrap();
        assert_eq!(k.thresholds[0], d.searches[0].chosen);
        let points: Vec<f64> = d.score.items.iter().map(|i| i.points as f64).collect();
        assert_eq!(k.points, points);
        assert_eq!(k.cutoff, d.cutoffs[0].cutoff as f64);
        let m = d.score.model.unwrap();
        assert!(
            (k.model.0 - m.intercept).abs() < 1e-7 && (k.model.1 - m.slope).abs() < 1e-7,
            "{k:?} {m:?}"
        );
        assert!((k.training[1] - d.auc.estimate).abs() < 1e-12);
    }

    #[test]
    fn replicate_equals_derive_on_the_resampled_rows_linear_cr1_search() {
        check(Some("stent_expansion_pct"), false);
    }

    #[test]
    fn replicate_equals_derive_on_the_resampled_rows_logistic_cr1_search() {
        check(None, false);
    }

    #[test]
    fn replicate_equals_derive_on_the_resampled_rows_firth_search() {
        check(None, true);
    }

    #[test]
    fn same_numbers_whatever_the_thread_count() {
        let t = zhang();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let b = BootOptions {
                    replicates: 40,
                    seed: 7,
                    points: PointsRule::Rounded,
                };
                whole_procedure(
                    &t,
                    &searched(),
                    &options(Some("stent_expansion_pct"), false),
                    &b,
                    &|_| {},
                )
                .unwrap()
            })
        };
        assert_eq!(run(1), run(3));
    }
}
