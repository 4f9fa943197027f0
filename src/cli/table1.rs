//! `calcscore table1`: the baseline table of a paper, by group.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::derive::DataArgs;
use super::Outcome;
use crate::Result;
use calcscore_data::labels::read_labels;
use calcscore_data::schema::{label, OUTCOME_COLUMNS};
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
    /// Numeric-coded variables to treat as categorical: n (%) at every level instead of mean/SD.
    #[arg(long, value_delimiter = ',')]
    pub factors: Vec<String>,
    /// Variable labels: a TOML file of lines `column = "Label (unit)"` (default: the lesion schema's labels).
    #[arg(long, value_name = "FILE.toml")]
    pub labels: Option<PathBuf>,
    /// Variables shown in a separate "Outcomes" block, or `none` (default: the lesion schema's outcome
    /// columns: stent area, stent expansion, underexpansion, fracture).
    #[arg(long, value_delimiter = ',')]
    pub outcomes: Option<Vec<String>>,
    /// Output format.
    #[arg(long, value_parser = super::choice::choice::<Format>(), default_value = "text")]
    pub format: Format,
    /// JSON output (every number behind the table).
    #[arg(long)]
    pub json: bool,
}

/// Refuse options that contradict each other (before the data are read): a variable both `--normal` and
/// `--nonnormal`, or `--factors` and either; the `--by` column among `--vars` (it cannot be tested against
/// itself). A variable named twice in `--vars` is shown once, said on stderr.
fn check_options(a: &mut Table1Args) -> Result<()> {
    let conflict = |x: &[String], y: &[String], xn: &str, yn: &str| -> Result<()> {
        match x.iter().find(|v| y.contains(v)) {
            Some(v) => Err(crate::Error::Usage(format!(
                "{xn} and {yn} both name '{v}': a variable is summarised one way; keep it in one of them"
            ))),
            None => Ok(()),
        }
    };
    conflict(&a.normal, &a.nonnormal, "--normal", "--nonnormal")?;
    conflict(&a.factors, &a.normal, "--factors", "--normal")?;
    conflict(&a.factors, &a.nonnormal, "--factors", "--nonnormal")?;
    if a.vars.contains(&a.by) {
        return Err(crate::Error::Usage(format!(
            "--vars names the --by column '{}': the groups are its values, so it cannot be summarised or tested \
             against itself; drop it from --vars",
            a.by
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut twice = Vec::new();
    a.vars.retain(|v| {
        let first = seen.insert(v.clone());
        if !first && !twice.contains(v) {
            twice.push(v.clone());
        }
        first
    });
    if !twice.is_empty() {
        eprintln!(
            "note: --vars names {} more than once; each is shown once",
            twice
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Run `calcscore table1`.
pub fn run(mut a: Table1Args) -> Result<Outcome> {
    check_options(&mut a)?;
    let table = a
        .data
        .load((a.by == "cohort").then_some("--by cohort"), None)?;
    for v in a
        .vars
        .iter()
        .chain(&a.normal)
        .chain(&a.nonnormal)
        .chain(&a.factors)
        .chain(a.outcomes.iter().flatten().filter(|o| *o != "none"))
        .chain(std::iter::once(&a.by))
    {
        table.column(v)?;
    }
    let opts = Table1Options {
        by: a.by.clone(),
        vars: a.vars.clone(),
        normal: a.normal.clone(),
        nonnormal: a.nonnormal.clone(),
        factors: a.factors.clone(),
        labels: labels(a.labels.as_deref(), &table.names)?,
        outcomes: match &a.outcomes {
            Some(o) if o.iter().any(|v| v == "none") => Vec::new(),
            Some(o) => o.clone(),
            None => OUTCOME_COLUMNS.iter().map(|c| c.to_string()).collect(),
        },
    };
    let t = table1(&table, &opts)?;
    if t.missing_group > 0 {
        // On stderr too: CSV carries no notes, and a reader of any format should not have to find it.
        eprintln!(
            "note: {} row(s) of {} have no value of '{}' and are in no column of the table",
            t.missing_group, table.source, t.by
        );
    }
    if a.json {
        println!("{}", super::notice::json(&t)?);
    } else {
        print!("{}", render(&t, a.format));
    }
    Ok(Outcome::Success)
}

/// The labels of the table's columns: the lesion schema's, then the user's file over them (a label for a
/// column the table lacks is refused).
fn labels(file: Option<&Path>, names: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out: BTreeMap<String, String> = names
        .iter()
        .filter_map(|n| label(n).map(|l| (n.clone(), l.to_string())))
        .collect();
    if let Some(path) = file {
        out.extend(read_labels(path, names)?);
    }
    Ok(out)
}
