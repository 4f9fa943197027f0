//! The Zhang 2021 rules, cohort assignment, and the seeded random 1:1 derivation/validation split.

use calcscore_core::random;
use polars::prelude::{col, lit, when, IdxCa, IdxSize, IntoLazy, PolarsResult};
use serde::Serialize;

use super::Rule;
use crate::{field, Atherectomy, DataError, Lesions, Registry};

/// The four cohorts of Zhang 2021.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Cohort {
    /// A: angiographic calcium, no atherectomy, random half used to derive the score.
    Derivation,
    /// B: the other random half, used to validate it.
    Validation,
    /// C: angiographic calcium treated with rotational or orbital atherectomy.
    Atherectomy,
    /// D: no angiographic calcium (no atherectomy, cutting or scoring balloon).
    NoAngioCalcium,
}

impl Cohort {
    /// All cohorts in the paper's order.
    pub const ALL: [Cohort; 4] = [
        Cohort::Derivation,
        Cohort::Validation,
        Cohort::Atherectomy,
        Cohort::NoAngioCalcium,
    ];

    /// The paper's letter.
    pub fn letter(self) -> &'static str {
        match self {
            Cohort::Derivation => "A",
            Cohort::Validation => "B",
            Cohort::Atherectomy => "C",
            Cohort::NoAngioCalcium => "D",
        }
    }

    /// Name in words.
    pub fn label(self) -> &'static str {
        match self {
            Cohort::Derivation => "Derivation",
            Cohort::Validation => "Validation",
            Cohort::Atherectomy => "Atherectomy",
            Cohort::NoAngioCalcium => "No angiographic calcium",
        }
    }
}

/// Whether the A/B split randomises lesions or patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitUnit {
    /// Randomise lesions 1:1 (as the paper): a patient may have lesions in both A and B.
    #[default]
    Lesion,
    /// Randomise patients, so that no patient is in both A and B (halves balanced by lesion count).
    Patient,
}

impl calcscore_core::Choice for SplitUnit {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            SplitUnit::Lesion,
            "lesion",
            "randomise lesions 1:1 (as the paper): a patient may have lesions in both A and B",
        ),
        (
            SplitUnit::Patient,
            "patient",
            "randomise patients, so that no patient is in both A and B",
        ),
    ];
}

/// The study's exclusion rules (Zhang 2021, Figure 1) in order. Stage 1 counts overlap as the paper reports.
pub fn zhang2021_rules() -> Vec<Rule> {
    vec![
        Rule {
            name: "cto",
            stage: 1,
            reason: "chronic total occlusion",
            excludes: || col(field::CTO),
        },
        Rule {
            name: "isr",
            stage: 1,
            reason: "in-stent restenosis",
            excludes: || col(field::ISR),
        },
        Rule {
            name: "max-angle-le-270",
            stage: 1,
            reason: "maximum superficial calcium angle ≤270°",
            excludes: || col(field::MAX_CALCIUM_ANGLE_DEG).lt_eq(lit(270.0)),
        },
        Rule {
            name: "no-ivus-pullback",
            stage: 1,
            reason: "no analysable automatic pre- or post-PCI IVUS pullback",
            excludes: || col(field::PRE_IVUS).and(col(field::POST_IVUS)).not(),
        },
        Rule {
            name: "cutting-scoring-balloon",
            stage: 2,
            reason: "treated with a cutting or scoring balloon",
            excludes: || col(field::CUTTING_SCORING_BALLOON),
        },
        Rule {
            name: "atherectomy-without-angio-calcium",
            stage: 3,
            reason: "atherectomy although no angiographic calcium",
            excludes: || Atherectomy::any_expr().and(col(field::ANGIO_CALCIUM).not()),
        },
    ]
}

/// Assign each included lesion to a cohort; A/B by a seeded random 1:1 split of the eligible pool.
pub fn assign_cohorts(
    registry: &Registry,
    included: &[usize],
    unit: SplitUnit,
    seed: u64,
) -> Result<Vec<(usize, Cohort)>, DataError> {
    let fixed = fixed_cohorts(&registry.lesions, included).map_err(|e| DataError::Unreadable {
        file: "the lesion frame".into(),
        reason: crate::clip(&format!("the cohorts cannot be assigned: {e}")),
    })?;
    let mut out = Vec::with_capacity(included.len());
    let mut pool = Vec::new();
    for (&i, code) in included.iter().zip(fixed) {
        match code {
            COHORT_C => out.push((i, Cohort::Atherectomy)),
            COHORT_D => out.push((i, Cohort::NoAngioCalcium)),
            _ => pool.push(i),
        }
    }
    let n = registry.lesions.len();
    let derivation = match unit {
        SplitUnit::Lesion => split_lesions(registry, &pool, n, seed),
        SplitUnit::Patient => split_patients(registry, &pool, seed),
    };
    out.extend(pool.iter().map(|&i| {
        (
            i,
            if derivation.get(i).copied().unwrap_or(false) {
                Cohort::Derivation
            } else {
                Cohort::Validation
            },
        )
    }));
    out.sort_unstable();
    Ok(out)
}

/// Code of [`fixed_cohorts`] for the random A/B pool.
const POOL: i32 = 0;
/// Code of [`fixed_cohorts`] for cohort C (atherectomy with angiographic calcium).
const COHORT_C: i32 = 1;
/// Code of [`fixed_cohorts`] for cohort D (no angiographic calcium).
const COHORT_D: i32 = 2;

/// The fixed part of the assignment as a polars expression over the included rows (in their order): D without
/// angiographic calcium, else C with any atherectomy device, else the random pool.
fn fixed_cohorts(lesions: &Lesions, included: &[usize]) -> PolarsResult<Vec<i32>> {
    let rows = included
        .iter()
        .map(|&i| IdxSize::try_from(i))
        .collect::<Result<Vec<IdxSize>, _>>()
        .map_err(|e| polars::prelude::polars_err!(ComputeError: "row index: {e}"))?;
    let rows = IdxCa::from_vec("row".into(), rows);
    let frame = lesions
        .frame()
        .select([field::ANGIO_CALCIUM, field::ATHERECTOMY])?
        .take(&rows)?;
    let cohort = when(col(field::ANGIO_CALCIUM).not())
        .then(lit(COHORT_D))
        .when(Atherectomy::any_expr())
        .then(lit(COHORT_C))
        .otherwise(lit(POOL))
        .alias("cohort");
    let codes = frame.lazy().select([cohort]).collect()?;
    let codes = codes.column("cohort")?.i32()?;
    Ok(codes.iter().map(|c| c.unwrap_or(POOL)).collect())
}

/// Shuffle the pool in lesion-id order and take the first half (rounded down) as derivation: a mask over the
/// `n` lesions (a B-tree set of 5·10^6 indices was a tree walk per lookup). The ids, not the rows' order, fix
/// the split: the same registry with its rows in another order gets the same cohorts.
fn split_lesions(registry: &Registry, pool: &[usize], n: usize, seed: u64) -> Vec<bool> {
    let mut shuffled = pool.to_vec();
    shuffled.sort_by(|&a, &b| registry.lesion_id(a).cmp(registry.lesion_id(b)));
    random::shuffle(&mut random::seeded(seed), &mut shuffled);
    let mut chosen = vec![false; n];
    for &i in &shuffled[..pool.len() / 2] {
        if let Some(c) = chosen.get_mut(i) {
            *c = true;
        }
    }
    chosen
}

/// Shuffle patients and fill derivation with whole patients until it holds half of the pool's lesions;
/// a mask over the registry's lesions.
fn split_patients(registry: &Registry, pool: &[usize], seed: u64) -> Vec<bool> {
    // The pool sorted by patient id (stable: each patient's lesions stay in pool order), then one range per
    // patient: the same sorted, deduplicated patient list as before, shuffled by the same generator, and
    // each patient's lesions found at once instead of by a scan of the whole pool per patient.
    let mut by_id: Vec<(&str, usize)> = pool.iter().map(|&i| (registry.patient_id(i), i)).collect();
    by_id.sort_by(|a, b| a.0.cmp(b.0));
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (k, (id, _)) in by_id.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if by_id[g.start].0 == *id => g.end = k + 1,
            _ => groups.push(k..k + 1),
        }
    }
    random::shuffle(&mut random::seeded(seed), &mut groups);
    let target = pool.len() / 2;
    let mut chosen = vec![false; registry.lesions.len()];
    let mut n_chosen = 0;
    for g in groups {
        if n_chosen >= target {
            break;
        }
        n_chosen += g.len();
        for &(_, i) in &by_id[g] {
            if let Some(c) = chosen.get_mut(i) {
                *c = true;
            }
        }
    }
    chosen
}
