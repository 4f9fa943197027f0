//! The studied lesions of a registry under the Zhang 2021 rule set: the flow, the A/B/C/D cohorts, and the rows
//! kept with their cohort and stent expansion, for the generic verbs (`derive`, `validate`, `table1`).

use super::{apply_rules, assign_cohorts, zhang2021_rules, Cohort, Flow, SplitUnit};
use crate::registry::{registry_from_table, ExpansionFormula, Registry};
use crate::{ColumnData, DataError, Table};

/// Default seed of the random A/B split (the paper's year, as the reproduction's default).
pub const DEFAULT_SPLIT_SEED: u64 = 20210101;

/// The Zhang 2021 rules applied to the registry's lesions, and the cohort of each lesion they keep.
pub fn zhang2021_flow(
    registry: &Registry,
    split: SplitUnit,
    seed: u64,
) -> Result<(Flow, Vec<(usize, Cohort)>), DataError> {
    let flow = apply_rules(&registry.lesions, &zhang2021_rules())?;
    let assigned = assign_cohorts(registry, &flow.included, split, seed)?;
    Ok((flow, assigned))
}

/// The registry rows of the studied lesions, with two columns added: `cohort` (A/B/C/D) and
/// `stent_expansion_pct` (by the chosen formula, replacing any given column), from a loaded (and mapped) table.
pub fn studied_lesions(
    table: Table,
    expansion: ExpansionFormula,
    split: SplitUnit,
    seed: u64,
) -> Result<(Table, Flow), DataError> {
    let registry = registry_from_table(table, expansion)?;
    let (flow, assigned) = zhang2021_flow(&registry, split, seed)?;
    let rows: Vec<usize> = assigned.iter().map(|&(i, _)| i).collect();
    let mut table = registry.table.subset(&rows);
    let cohort = assigned
        .iter()
        .map(|&(_, c)| Some(c.letter().to_string()))
        .collect();
    let pct = registry.lesions.stent_expansion_pct()?;
    let expansion = rows.iter().map(|&i| pct.get(i)).collect();
    set_column(&mut table, "cohort", ColumnData::Text(cohort));
    set_column(
        &mut table,
        "stent_expansion_pct",
        ColumnData::Num(expansion),
    );
    Ok((table, flow))
}

/// Replace a column of that name, or append it.
fn set_column(table: &mut Table, name: &str, data: ColumnData) {
    match table.names.iter().position(|n| n == name) {
        Some(j) => table.columns[j] = data,
        None => {
            table.names.push(name.to_string());
            table.columns.push(data);
        }
    }
}
