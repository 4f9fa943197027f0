//! Argument groups shared by the verbs (`#[command(flatten)]`), built once at the CLI edge with
//! checked option types, so every verb gets the same names, defaults, help and checks.

use std::path::PathBuf;

use crate::Result;
use calcscore_core::options::ConfLevel;
use calcscore_data::cohort::SplitUnit;
use calcscore_data::cohort::DEFAULT_SPLIT_SEED;
use calcscore_data::load::{check_ids, id_token_note};
use calcscore_data::schema::map_keys;
use calcscore_data::validate::{missing_columns, unit_problems};
use calcscore_data::{open_with, DataError, Encoding, ExpansionFormula, ReadOptions, Table};
use calcscore_score::derive::BinaryOutcome;

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

/// A binary outcome: its column and the level counted as the event (shared by calibration, decision, nri, roc,
/// diagnose).
#[derive(Debug, Clone, clap::Args)]
pub struct OutcomeArgs {
    /// Outcome column: 0/1, or a text column with exactly two levels (second sorted level = event).
    #[arg(long)]
    pub outcome: String,
    /// Outcome level counted as the event (default: 1 for 0/1, else the second sorted level).
    #[arg(long)]
    pub case: Option<String>,
}

/// A numeric marker against a binary outcome in one data file (shared by roc and diagnose).
#[derive(Debug, Clone, clap::Args)]
pub struct MarkerArgs {
    #[command(flatten)]
    pub data: InputArgs,
    /// Marker column (numeric).
    #[arg(long)]
    pub marker: String,
    #[command(flatten)]
    pub event: OutcomeArgs,
}

/// The outcomes a point score is derived or validated on (shared by derive and validate).
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreOutcomeArgs {
    /// Continuous outcome: derive takes the points from its linear model, validate reports slopes on it ("none":
    /// derive from the logistic model, no slopes).
    #[arg(long, default_value = "stent_expansion_pct")]
    pub outcome: String,
    /// Binary outcome: a 0/1 column or a rule on a column.
    #[arg(long, default_value = "stent_expansion_pct < 70")]
    pub binary_outcome: String,
}

impl ScoreOutcomeArgs {
    /// The continuous outcome column, `None` for "none".
    pub fn continuous(&self) -> Option<String> {
        (self.outcome != "none").then(|| self.outcome.clone())
    }

    /// The binary outcome rule, checked.
    pub fn binary(&self) -> Result<BinaryOutcome> {
        BinaryOutcome::parse(&self.binary_outcome)
    }
}

/// The binary outcome with its event named on `table` (a bare text column: its second level), the choice said
/// on stderr.
pub fn resolved_binary(outcomes: &ScoreOutcomeArgs, table: &Table) -> Result<BinaryOutcome> {
    let (binary, note) = outcomes.binary()?.resolved(table)?;
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    Ok(binary)
}

/// How the input file is read: a workbook's sheet, a CSV file's dialect (each sniffed when not given).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReadArgs {
    /// Sheet of a workbook (.xlsx/.xls/.ods) to read (default: the first sheet).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Field separator of a CSV file: ';', ',', '|' or '\t' (tab) (default: sniffed from the header).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Numbers in the CSV file have a decimal comma (3,5) (default: sniffed when the separator is not ',').
    #[arg(long)]
    pub decimal_comma: bool,
    /// Text encoding of a CSV file: utf8, latin1 or windows-1252 (default: utf8).
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<Encoding>,
}

impl ReadArgs {
    /// The checked reading options (a decimal comma with a comma separator is refused).
    pub fn options(&self) -> Result<ReadOptions> {
        if self.decimal_comma && self.delimiter == Some(b',') {
            return Err(crate::Error::Usage(
                "--decimal-comma with --delimiter ',': a comma cannot both separate fields and mark decimals; \
fix: --delimiter ';' (or another separator) with --decimal-comma"
                    .into(),
            ));
        }
        Ok(ReadOptions {
            sheet: self.sheet.clone(),
            delimiter: self.delimiter,
            decimal_comma: self.decimal_comma,
            encoding: self.encoding,
        })
    }
}

/// A CSV field separator: one of `;`, `,`, `|`, a tab (`\t`, `tab` or the character itself), or one of the
/// unusual ones sniffing only suggests (`:`, `^`, `~`, `!`).
fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        ";" | "semicolon" => Ok(b';'),
        "," | "comma" => Ok(b','),
        "|" | "pipe" => Ok(b'|'),
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        ":" | "^" | "~" | "!" => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "'{s}' is not a supported separator; use ';', ',', '|', '\\t' (tab), ':', '^', '~' or '!'"
        )),
    }
}

fn parse_encoding(s: &str) -> std::result::Result<Encoding, String> {
    s.parse()
}

/// `--data` and `--map`: a table (CSV, gzip CSV, Parquet or a workbook) whose columns a map may rename
/// (TOML `[columns] name_used_here = "name_in_file"`), the same on every verb that reads data.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Table or lesion registry (CSV, .csv.gz, Parquet, .xlsx/.xls/.ods).
    #[arg(long)]
    pub data: PathBuf,
    /// Column map (TOML `[columns] name_used_here = "name_in_file"`).
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Sheet and CSV dialect.
    #[command(flatten)]
    pub read: ReadArgs,
}

impl InputArgs {
    /// The files this run reads (the table and the map): an output file may be none of them.
    pub fn paths(&self) -> Vec<&std::path::Path> {
        std::iter::once(self.data.as_path())
            .chain(self.map.as_deref())
            .collect()
    }

    /// Open the table and read its header, columns renamed by the map (keys checked against `keys` when given).
    pub fn open(&self, keys: &[&str]) -> Result<calcscore_data::Opened> {
        super::notice::input(&self.data);
        let options = self.read.options()?;
        let opened = open_with(&self.data, self.map.as_deref(), keys, &options)?;
        for note in opened.notes() {
            eprintln!("note: {note}");
        }
        Ok(opened)
    }

    /// Read the table, its columns renamed by the map.
    pub fn load(&self) -> Result<Table> {
        self.load_ids(&[])
    }

    /// Read the table with more columns read as text (a cluster column: ids byte for byte).
    pub fn load_ids(&self, ids: &[&str]) -> Result<Table> {
        let table = self.open(&[])?.read(ids)?;
        check_ids(&table, ids)?;
        note_id_tokens(&table, ids);
        Ok(table)
    }

    /// Read only the columns an analysis needs (`wanted` is given the header's names after the map and
    /// returns them), with the `ids` columns as text; every row is still checked.
    pub fn load_select(
        &self,
        ids: &[&str],
        wanted: impl FnOnce(&[String]) -> Vec<String>,
    ) -> Result<Table> {
        let opened = self.open(&[])?;
        let columns = wanted(&opened.names);
        let table = opened.read_select(ids, &columns)?;
        check_ids(&table, ids)?;
        note_id_tokens(&table, ids);
        Ok(table)
    }
}

/// Say on stderr which id columns hold `NA`-like ids (read as text, not as missing).
fn note_id_tokens(table: &Table, ids: &[&str]) {
    if let Some(note) = id_token_note(table, ids) {
        eprintln!("note: {note}");
    }
}

/// Where the rows come from: a table as it is, or the studied lesions of a registry with their cohorts.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// The table and its column map.
    #[command(flatten)]
    pub input: InputArgs,
    /// Seed of the A/B split when cohorts are computed from a lesion registry.
    #[arg(long, default_value_t = DEFAULT_SPLIT_SEED)]
    pub seed: u64,
    /// Split unit of the A/B split (lesion as the paper, or patient).
    #[arg(long, value_parser = super::choice::choice::<SplitUnit>(), default_value = "lesion")]
    pub split: SplitUnit,
    /// Stent expansion formula (lesion registries).
    #[arg(long, value_parser = super::choice::choice::<ExpansionFormula>(), default_value = "mean-reference")]
    pub expansion: ExpansionFormula,
}

impl DataArgs {
    /// The keys a map may use: a map naming a lesion-schema column, or a near miss of one (`calcium_fractur`),
    /// maps a registry, so every key must be a schema column (the typo is caught); a map of other tables'
    /// columns (`low = "LBW"`) may use any name.
    fn map_keys(&self) -> Result<Vec<&'static str>> {
        let Some(path) = &self.input.map else {
            return Ok(Vec::new());
        };
        let schema = map_keys();
        let map = calcscore_data::ColumnMap::from_file(path)?;
        let registry = map.columns.keys().any(|k| {
            schema.contains(&k.as_str())
                || calcscore_data::load::did_you_mean(k, schema.iter().copied()).is_some()
        });
        Ok(if registry { schema } else { Vec::new() })
    }

    /// Load the table (ids and the `cluster` column read as text). A lesion registry (every required schema
    /// column present) without a `cohort` column is analysed as the lesions the Zhang 2021 flow keeps, with
    /// stent expansion computed and cohorts assigned (said on stderr when not asked for with `cohorts`); any
    /// other table is used as it is, its angle unit and stent expansion still checked.
    ///
    /// `cohorts` is the option that asks for the `cohort` column (`--cohort A`, `--by cohort`): on a table that
    /// has no such column and is no lesion registry (neither `patient_id` nor `lesion_id`), the error says that
    /// the option selects on a column named `cohort`, rather than listing the registry columns it lacks.
    pub fn load(&self, cohorts: Option<&str>, cluster: Option<&str>) -> Result<Table> {
        let opened = self.input.open(&self.map_keys()?)?;
        let missing = missing_columns(&opened.names, opened.source(), self.expansion);
        let flow = !opened.has("cohort") && (cohorts.is_some() || missing.is_empty());
        if let Some(option) = cohorts.filter(|_| flow && !missing.is_empty()) {
            if !opened.has("patient_id") && !opened.has("lesion_id") {
                return Err(DataError::MissingColumn {
                    file: opened.source().to_string(),
                    column: "cohort".into(),
                    hint: format!(
                        ": {option} reads a column named 'cohort', which the table lacks; calcscore \
computes one only for a lesion registry (the Zhang 2021 flow), and this table has none of its id columns \
(patient_id, lesion_id); fix: name your group column 'cohort' (or map it: a --map file with [columns] and \
cohort = \"your_column\"){} (columns present: {})",
                        if option.starts_with("--by") {
                            ", or give your own group column to --by"
                        } else {
                            ""
                        },
                        opened.names.join(", ")
                    ),
                }
                .into());
            }
        }
        if flow && !missing.is_empty() {
            return Err(DataError::Problems {
                file: opened.source().to_string(),
                problems: missing,
            }
            .into());
        }
        let table = opened.read(cluster.as_slice())?;
        check_ids(&table, cluster.as_slice())?;
        note_id_tokens(&table, cluster.as_slice());
        if !flow {
            let problems = unit_problems(&table);
            if !problems.is_empty() {
                return Err(DataError::Problems {
                    file: table.source.clone(),
                    problems,
                }
                .into());
            }
            return Ok(table);
        }
        let (source, n_input) = (table.source.clone(), table.nrows());
        let studied =
            calcscore_data::cohort::studied_lesions(table, self.expansion, self.split, self.seed)?
                .0;
        if cohorts.is_none() {
            eprintln!(
                "note: {source} is a lesion registry: analysed as the {} of its {n_input} lesions that the Zhang 2021 \
flow keeps (exclusions as in `reproduce`), stent expansion computed as {}; a `cohort` column (A-D) was added \
(--by cohort or --cohort A,B to use it)",
                studied.nrows(),
                self.expansion.describe()
            );
        } else {
            // Asked-for cohorts come from the same flow: the lesions it leaves out are said too.
            eprintln!(
                "note: {source} is a lesion registry: its cohorts (A-D) are those of the {} of its {n_input} \
lesions that the Zhang 2021 flow keeps (exclusions as in `reproduce`), stent expansion computed as {}",
                studied.nrows(),
                self.expansion.describe()
            );
        }
        Ok(studied)
    }
}

/// Imputed data sets of `--impute`: 2 (the fewest Rubin's rules can pool) to 1,000.
pub type Imputations = calcscore_core::options::Count<2, 1000>;

/// Iterations of the chained equations: 1 to 1,000.
pub type ImputeIterations = calcscore_core::options::Count<1, 1000>;

/// `--impute M`: multiple imputation by chained equations (mice's defaults), results pooled by Rubin's rules.
#[derive(Debug, Clone, clap::Args)]
pub struct ImputeArgs {
    /// Multiple imputation with M imputed data sets (pmm for numeric, logreg for binary columns, the
    /// outcome among the predictors); pooled by Rubin's rules, complete-case results shown beside.
    #[arg(long, value_name = "M")]
    pub impute: Option<Imputations>,
    /// Iterations of the chained equations (mice's maxit).
    #[arg(long, value_name = "N", default_value = "10", requires = "impute")]
    pub impute_iterations: ImputeIterations,
    /// Seed of the imputations (imputation i draws from stream i of this seed).
    #[arg(long, value_name = "SEED", default_value_t = 1, requires = "impute")]
    pub impute_seed: u64,
    /// Write the imputation diagnostics into this directory: convergence trace (chain mean and SD per
    /// iteration, one line per chain) and observed vs imputed values per column, each as SVG and PNG.
    #[arg(long, value_name = "DIR", requires = "impute")]
    pub impute_plots: Option<std::path::PathBuf>,
}

impl ImputeArgs {
    /// The imputation options, or `None` without `--impute`.
    pub fn options(&self) -> Option<calcscore_stats::mice::MiceOptions> {
        self.impute.map(|m| calcscore_stats::mice::MiceOptions {
            m: m.get(),
            iterations: self.impute_iterations.get(),
            seed: self.impute_seed,
        })
    }
}
