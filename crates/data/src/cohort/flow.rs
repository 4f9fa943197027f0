//! Flow through ordered exclusion rules, with a ledger naming each excluded lesion's first rule.

use std::borrow::Cow;

use polars::prelude::*;
use serde::Serialize;

use crate::{DataError, Lesions};

/// An exclusion rule: lesions for which `excludes` is true leave the study at this rule's stage.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Short name used in the ledger (`max-angle-le-270`).
    pub name: &'static str,
    /// Stage: rules of one stage are counted among the same lesions (so their counts may overlap).
    pub stage: usize,
    /// Reason in words for the ledger and the flow figure.
    pub reason: &'static str,
    /// The rule as a polars expression over the lesion frame ([`Lesions`], columns [`crate::field`]): true where
    /// it excludes.
    pub excludes: fn() -> Expr,
}

/// One rule's counts within its stage.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RuleCount {
    /// Rule name.
    pub rule: String,
    /// Reason in words.
    pub reason: String,
    /// Lesions of the stage's input meeting the rule (may overlap with other rules of the stage), as papers report.
    pub n_meeting: usize,
    /// Lesions excluded by this rule and by no earlier rule (sequential count; these sum to the stage's exclusions).
    pub n_excluded: usize,
}

/// A stage of the flow: its input, each rule's counts, and what remains.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FlowStage {
    /// Stage number (1-based).
    pub stage: usize,
    /// Lesions entering the stage.
    pub n_in: usize,
    /// Counts per rule, in rule order.
    pub rules: Vec<RuleCount>,
    /// Lesions meeting two or more rules of the stage.
    pub n_overlap: usize,
    /// Lesions leaving the stage.
    pub n_out: usize,
}

/// One excluded lesion with the rule that excluded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    /// 0-based index of the lesion's row in the registry table: its ids are looked up there
    /// ([`crate::Registry::lesion_id`], [`crate::LesionIds`]), not copied (150 MB at 10^6 lesions).
    pub index: usize,
    /// Spreadsheet row of the lesion in the input file.
    pub row: usize,
    /// Rule name (borrowed from the rule when it is a fixed one: a registry of 10^6 lesions may have 10^6
    /// entries, and a copy of each reason would cost more than the ids).
    pub rule: Cow<'static, str>,
    /// Reason in words.
    pub reason: Cow<'static, str>,
}

/// The result of applying the rules: stages, the ledger, and the lesions that remain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    /// Lesions in the input.
    pub n_input: usize,
    /// Stages in order.
    pub stages: Vec<FlowStage>,
    /// The exclusions ledger, in input order within each stage.
    pub exclusions: Vec<Exclusion>,
    /// Indices of the lesions that remain, in input order.
    pub included: Vec<usize>,
}

impl Flow {
    /// True when included + excluded = input and no lesion appears twice.
    pub fn reconciles(&self) -> bool {
        let mut seen = rustc_hash::FxHashSet::with_capacity_and_hasher(
            self.exclusions.len(),
            Default::default(),
        );
        let ids_unique = self.exclusions.iter().all(|e| seen.insert(e.row));
        ids_unique && self.included.len() + self.exclusions.len() == self.n_input
    }
}

/// Each rule's expression evaluated on every lesion, by a lazy select on the lesion frame (a missing result
/// excludes nothing).
fn rule_masks(lesions: &Lesions, rules: &[Rule]) -> PolarsResult<Vec<Vec<bool>>> {
    let exprs: Vec<Expr> = rules
        .iter()
        .enumerate()
        .map(|(k, r)| (r.excludes)().alias(format!("rule{k}")))
        .collect();
    let masks = lesions.select(exprs)?;
    masks
        .columns()
        .iter()
        .map(|c| Ok(c.bool()?.iter().map(|b| b.unwrap_or(false)).collect()))
        .collect()
}

/// Apply ordered rules stage by stage; each excluded lesion is recorded once, under its first rule. A rule
/// that cannot be evaluated (an expression naming no column of the lesion frame) is an error.
pub fn apply_rules(lesions: &Lesions, rules: &[Rule]) -> Result<Flow, DataError> {
    let masks = rule_masks(lesions, rules).map_err(|e| DataError::Unreadable {
        file: "the flow rules".into(),
        reason: crate::clip(&format!("a rule cannot be evaluated on the lesions: {e}")),
    })?;
    let mut remaining: Vec<usize> = (0..lesions.len()).collect();
    let mut stages = Vec::new();
    let mut exclusions = Vec::new();
    let mut stage_ids: Vec<usize> = rules.iter().map(|r| r.stage).collect();
    stage_ids.dedup();
    for stage in stage_ids {
        let in_stage: Vec<usize> = (0..rules.len())
            .filter(|&k| rules[k].stage == stage)
            .collect();
        let mut counts: Vec<RuleCount> = in_stage
            .iter()
            .map(|&k| RuleCount {
                rule: rules[k].name.into(),
                reason: rules[k].reason.into(),
                n_meeting: 0,
                n_excluded: 0,
            })
            .collect();
        let (mut kept, mut n_overlap) = (Vec::new(), 0);
        for &i in &remaining {
            let met: Vec<usize> = (0..in_stage.len())
                .filter(|&k| masks[in_stage[k]][i])
                .collect();
            met.iter().for_each(|&k| counts[k].n_meeting += 1);
            n_overlap += usize::from(met.len() > 1);
            match met.first() {
                None => kept.push(i),
                Some(&k) => {
                    counts[k].n_excluded += 1;
                    let rule = &rules[in_stage[k]];
                    exclusions.push(exclusion(lesions, i, rule.name, rule.reason));
                }
            }
        }
        stages.push(FlowStage {
            stage,
            n_in: remaining.len(),
            rules: counts,
            n_overlap,
            n_out: kept.len(),
        });
        remaining = kept;
    }
    Ok(Flow {
        n_input: lesions.len(),
        stages,
        exclusions,
        included: remaining,
    })
}

/// A ledger entry for lesion `i`.
pub fn exclusion(
    lesions: &Lesions,
    i: usize,
    rule: impl Into<Cow<'static, str>>,
    reason: impl Into<Cow<'static, str>>,
) -> Exclusion {
    Exclusion {
        index: i,
        row: lesions.row(i),
        rule: rule.into(),
        reason: reason.into(),
    }
}
