//! Cohorts: the study's inclusion/exclusion rules as named, ordered steps, the exclusions ledger,
//! flow counts (overlapping as papers report them, and sequential), and the seeded A/B split.

mod flow;
mod split;
mod studied;

pub use flow::{apply_rules, exclusion, Exclusion, Flow, FlowStage, Rule, RuleCount};
pub use split::{assign_cohorts, zhang2021_rules, Cohort, SplitUnit};
pub use studied::{studied_lesions, zhang2021_flow, DEFAULT_SPLIT_SEED};
