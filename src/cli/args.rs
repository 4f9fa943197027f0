//! Argument groups shared by the verbs (`#[command(flatten)]`), built once at the CLI edge with
//! checked option types, so every verb gets the same names, defaults, help and checks.

use std::path::PathBuf;

use crate::cohort::SplitUnit;
use crate::data::{read_table, ColumnMap, ExpansionFormula, Table};
use crate::options::ConfLevel;
use crate::study::zhang2021::{pipeline, DEFAULT_SPLIT_SEED};
use crate::Result;

/// `--conf-level`: the confidence level of every interval, checked to lie strictly between 0 and 1.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LevelArgs {
    /// Confidence level of every interval, strictly between 0 and 1.
    #[arg(long, default_value_t = ConfLevel::DEFAULT, allow_negative_numbers = true)]
    pub conf_level: ConfLevel,
}

impl LevelArgs {
    /// The level as a number in (0, 1).
    pub fn get(&self) -> f64 {
        self.conf_level.get()
    }
}

/// `--data`: a table read as it is (CSV or Parquet).
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Table (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
}

impl InputArgs {
    /// Read the table.
    pub fn load(&self) -> Result<Table> {
        Ok(read_table(&self.data)?)
    }
}

/// `--data` and `--map`: a table whose columns may be renamed onto the schema's names.
#[derive(Debug, Clone, clap::Args)]
pub struct MappedInputArgs {
    /// Table or lesion registry (CSV or Parquet).
    #[arg(long)]
    pub data: PathBuf,
    /// Column map (TOML `[columns] schema_name = "your_name"`).
    #[arg(long)]
    pub map: Option<PathBuf>,
}

impl MappedInputArgs {
    /// Read the table and apply the map.
    pub fn load(&self) -> Result<Table> {
        let mut table = read_table(&self.data)?;
        if let Some(m) = &self.map {
            ColumnMap::from_file(m)?.apply(&mut table, &m.display().to_string())?;
        }
        Ok(table)
    }
}

/// Where the rows come from: a table as it is, or the studied lesions of a registry with their cohorts.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// The table and its column map.
    #[command(flatten)]
    pub input: MappedInputArgs,
    /// Seed of the A/B split when cohorts are computed from a lesion registry.
    #[arg(long, default_value_t = DEFAULT_SPLIT_SEED)]
    pub seed: u64,
    /// Split unit of the A/B split (lesion as the paper, or patient).
    #[arg(long, value_enum, default_value_t = SplitUnit::Lesion)]
    pub split: SplitUnit,
    /// Stent expansion formula (lesion registries).
    #[arg(long, value_enum, default_value_t = ExpansionFormula::MeanReference)]
    pub expansion: ExpansionFormula,
}

impl DataArgs {
    /// Load the table; with `cohorts` wanted and no `cohort` column, run the Zhang 2021 flow to assign them.
    pub fn load(&self, cohorts: bool) -> Result<Table> {
        let table = self.input.load()?;
        if !cohorts || table.has("cohort") {
            return Ok(table);
        }
        Ok(pipeline::cohort_table(table, self.expansion, self.split, self.seed)?.0)
    }
}
