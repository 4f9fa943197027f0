//! `calcscore table1`: the baseline table of a paper, by group.

use super::derive::DataArgs;
use super::Outcome;
use crate::{Error, Result};
use calcscore_report::table1::{render, table1, Format, Table1Options};

/// Arguments of `calcscore table1`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore table1 --data datasets/zhang2021_synthetic.csv --by cohort --vars calcium_270_length_mm,calcium_360,calcified_nodule,vessel_diameter_mm,stent_expansion_pct\n  \
calcscore table1 --data birthwt.csv --by smoke --format latex --nonnormal ptl"
)]
pub struct Table1Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Group column (`cohort` is computed by the Zhang 2021 flow when a lesion registry has none).
    #[arg(long)]
    pub by: String,
    /// Variables, comma-separated (default: every column but the group and id columns).
    #[arg(long, value_delimiter = ',')]
    pub vars: Vec<String>,
    /// Variables to summarise as mean ± SD whatever their skewness.
    #[arg(long, value_delimiter = ',')]
    pub normal: Vec<String>,
    /// Variables to summarise as median [IQR] whatever their skewness.
    #[arg(long, value_delimiter = ',')]
    pub nonnormal: Vec<String>,
    /// Output format.
    #[arg(long, value_parser = super::choice::choice::<Format>(), default_value = "text")]
    pub format: Format,
    /// JSON output (every number behind the table).
    #[arg(long)]
    pub json: bool,
}

/// Run `calcscore table1`.
pub fn run(a: Table1Args) -> Result<Outcome> {
    let table = a.data.load(a.by == "cohort", None)?;
    for v in a
        .vars
        .iter()
        .chain(&a.normal)
        .chain(&a.nonnormal)
        .chain(std::iter::once(&a.by))
    {
        table.column(v)?;
    }
    let opts = Table1Options {
        by: a.by.clone(),
        vars: a.vars.clone(),
        normal: a.normal.clone(),
        nonnormal: a.nonnormal.clone(),
    };
    let t = table1(&table, &opts)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&t).map_err(|e| Error::Usage(e.to_string()))?
        );
    } else {
        print!("{}", render(&t, a.format));
    }
    Ok(Outcome::Success)
}
