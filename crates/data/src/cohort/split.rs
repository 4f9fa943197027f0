//! The Zhang 2021 rules, cohort assignment, and the seeded random 1:1 derivation/validation split.

use polars::prelude::{col, lit};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::Rule;
use crate::Registry;

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
            excludes: || col("cto"),
        },
        Rule {
            name: "isr",
            stage: 1,
            reason: "in-stent restenosis",
            excludes: || col("isr"),
        },
        Rule {
            name: "max-angle-le-270",
            stage: 1,
            reason: "maximum superficial calcium angle ≤270°",
            excludes: || col("max_calcium_angle_deg").lt_eq(lit(270.0)),
        },
        Rule {
            name: "no-ivus-pullback",
            stage: 1,
            reason: "no analysable automatic pre- or post-PCI IVUS pullback",
            excludes: || col("pre_ivus").and(col("post_ivus")).not(),
        },
        Rule {
            name: "cutting-scoring-balloon",
            stage: 2,
            reason: "treated with a cutting or scoring balloon",
            excludes: || col("cutting_scoring_balloon"),
        },
        Rule {
            name: "atherectomy-without-angio-calcium",
            stage: 3,
            reason: "atherectomy although no angiographic calcium",
            excludes: || col("atherectomy").and(col("angio_calcium").not()),
        },
    ]
}

/// Assign each included lesion to a cohort; A/B by a seeded random 1:1 split of the eligible pool.
pub fn assign_cohorts(
    registry: &Registry,
    included: &[usize],
    unit: SplitUnit,
    seed: u64,
) -> Vec<(usize, Cohort)> {
    let mut out = Vec::with_capacity(included.len());
    let mut pool = Vec::new();
    for &i in included {
        let l = &registry.lesions[i];
        match (l.angio_calcium, l.atherectomy.any()) {
            (true, true) => out.push((i, Cohort::Atherectomy)),
            (false, _) => out.push((i, Cohort::NoAngioCalcium)),
            (true, false) => pool.push(i),
        }
    }
    let derivation = match unit {
        SplitUnit::Lesion => split_lesions(&pool, seed),
        SplitUnit::Patient => split_patients(registry, &pool, seed),
    };
    out.extend(pool.iter().map(|&i| {
        (
            i,
            if derivation.contains(&i) {
                Cohort::Derivation
            } else {
                Cohort::Validation
            },
        )
    }));
    out.sort_unstable();
    out
}

/// Shuffle the pool and take the first half (rounded down) as derivation.
fn split_lesions(pool: &[usize], seed: u64) -> std::collections::BTreeSet<usize> {
    let mut shuffled = pool.to_vec();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    shuffled[..pool.len() / 2].iter().copied().collect()
}

/// Shuffle patients and fill derivation with whole patients until it holds half of the pool's lesions.
fn split_patients(
    registry: &Registry,
    pool: &[usize],
    seed: u64,
) -> std::collections::BTreeSet<usize> {
    // Looked up once, not per patient in the loop below.
    let ids: Vec<&str> = pool.iter().map(|&i| registry.patient_id(i)).collect();
    let mut patients = ids.clone();
    patients.sort_unstable();
    patients.dedup();
    patients.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let target = pool.len() / 2;
    let mut chosen = std::collections::BTreeSet::new();
    for p in patients {
        if chosen.len() >= target {
            break;
        }
        chosen.extend(
            pool.iter()
                .zip(&ids)
                .filter(|(_, &id)| id == p)
                .map(|(&i, _)| i),
        );
    }
    chosen
}
