//! `calcscore reproduce`, `check` and `simulate`: the built-in studies.

use std::path::PathBuf;

use super::args::{ImputeArgs, LevelArgs};
use super::Outcome;
use crate::{Error, Result};
use calcscore_core::options::Lesions;
use calcscore_data::cohort::SplitUnit;
use calcscore_data::ExpansionFormula;
use calcscore_report::output::{self, Mode, OutDir, Producer};
use calcscore_studies::{denosumab, published, shipped, zhang2021, Study as _};

/// The built-in studies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Study {
    /// Zhang et al. 2021, IVUS calcium score (Circ Cardiovasc Interv 2021;14:e010296).
    Zhang2021,
    /// Denosumab CAC pilot (seed 000): Agatston score and BMD before/after denosumab in 12 women.
    DenosumabPilot,
}

impl Study {
    /// The study's key, as on the command line and in datasets/published/.
    pub fn key(self) -> &'static str {
        match self {
            Study::Zhang2021 => zhang2021::Zhang2021::KEY,
            Study::DenosumabPilot => denosumab::DenosumabPilot::KEY,
        }
    }

    /// The shipped synthetic dataset (built into the binary: see `study::shipped`).
    pub fn default_data(self) -> PathBuf {
        PathBuf::from(match self {
            Study::Zhang2021 => zhang2021::Zhang2021::SHIPPED_DATA,
            Study::DenosumabPilot => denosumab::DenosumabPilot::SHIPPED_DATA,
        })
    }

    /// The default report directory.
    pub fn default_out(self) -> PathBuf {
        PathBuf::from("reports").join(self.key())
    }
}

/// Arguments of `calcscore reproduce`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore reproduce zhang2021\n  calcscore reproduce denosumab-pilot\n  calcscore reproduce zhang2021 --data my_registry.csv --map my_map.toml --out reports/mine"
)]
pub struct ReproduceArgs {
    /// The study to reproduce.
    pub study: Study,
    /// Input data (CSV or Parquet); default: the study's shipped synthetic file.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Column map (TOML `[columns] schema_name = "your_name"`).
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Sheet and CSV dialect of --data.
    #[command(flatten)]
    pub read: super::args::ReadArgs,
    /// Output directory (replaced atomically); default: reports/<study>.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed of the random 1:1 derivation/validation split.
    #[arg(long, default_value_t = zhang2021::DEFAULT_SPLIT_SEED)]
    pub seed: u64,
    /// Randomise lesions (as the paper) or whole patients between derivation and validation.
    #[arg(long, value_parser = super::choice::choice::<SplitUnit>(), default_value = "lesion")]
    pub split: SplitUnit,
    /// How stent expansion (%) is computed.
    #[arg(long, value_parser = super::choice::choice::<ExpansionFormula>(), default_value = "mean-reference")]
    pub expansion: ExpansionFormula,
    #[command(flatten)]
    pub level: LevelArgs,
    /// denosumab-pilot only: read every Agatston score from the CT series under this directory (see `agatston --batch`).
    #[arg(long)]
    pub dicom: Option<PathBuf>,
    /// zhang2021 only: `--impute M` adds a multiple-imputation sensitivity analysis (lesions left out only for a
    /// missing post-PCI pullback kept, their values imputed) to report.md and report.html, with imputation.json
    /// and figures in --out.
    #[command(flatten)]
    pub impute: ImputeArgs,
}

/// Arguments of `calcscore check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore check zhang2021 --results reports/zhang2021/results.json\n  calcscore check denosumab-pilot"
)]
pub struct CheckArgs {
    /// The study whose published numbers are compared.
    pub study: Study,
    /// results.json of a `reproduce` run, or its directory; default: reports/<study>/results.json.
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Published-numbers file (default: the built-in copy of datasets/published/<study>.toml).
    #[arg(long)]
    pub published: Option<PathBuf>,
    /// Print the table as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `calcscore simulate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore simulate zhang2021 --seed 4 --out datasets/zhang2021_synthetic.csv\n  calcscore simulate denosumab-pilot --seed 1 --out datasets/denosumab_pilot_synthetic.csv\n  calcscore simulate zhang2021 --lesions 100000 --out big.csv"
)]
pub struct SimulateArgs {
    /// The study whose generative model is used.
    pub study: Study,
    /// Random seed (default: the seed of the study's shipped file).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of lesions, 100 to 10^8 (default: the paper's 3862; other sizes scale every flow count; above 10^6
    /// the registry is made of 10^6-lesion chunks, each with its own seed). zhang2021 only.
    #[arg(long, default_value = "3862", allow_negative_numbers = true)]
    pub lesions: Lesions,
    /// Output CSV file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// File format of --out (default: parquet when its name ends in .parquet, else csv). zhang2021 only.
    #[arg(long, value_enum)]
    pub format: Option<SimFormat>,
    /// denosumab-pilot only: also write phantom CT series (DICOM) whose Agatston scores equal the table's here.
    #[arg(long)]
    pub dicom: Option<PathBuf>,
}

/// File format of a simulated registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimFormat {
    /// CSV text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Run `calcscore reproduce`.
/// A registry's own `cohort` column is not the paper's cohorts: reproduce assigns those by the flow and the seeded
/// split, and says on stderr that the column is not read (it once ignored A↔B-swapped cohorts in silence).
fn note_ignored_cohorts(opts: &zhang2021::pipeline::Options) -> Result<()> {
    let opened = calcscore_data::open_with(&opts.data, opts.map.as_deref(), &[], &opts.read)?;
    if opened.has("cohort") {
        eprintln!(
            "note: {} has a 'cohort' column; reproduce zhang2021 does not read it: the cohorts are the paper's \
             (flow rules, then the seeded A/B split). To analyse your own cohorts: calcscore validate --data {} \
             --score ivus-zhang2021 --by cohort",
            opened.source(),
            opts.data.display()
        );
    }
    Ok(())
}

pub fn reproduce(a: ReproduceArgs) -> Result<Outcome> {
    let out = a.out.clone().unwrap_or_else(|| a.study.default_out());
    let shipped = a
        .data
        .is_none()
        .then(|| shipped::Extracted::new(a.study.key()))
        .transpose()?;
    let data = a.data.clone().unwrap_or_else(|| a.study.default_data());
    let data = shipped.as_ref().map_or(data, |s| s.path.clone());
    // Reports name the built-in file by its repository path (same bytes, same SHA-256), not the temp copy.
    let label = |n: &mut calcscore_studies::DataNotice, data: &mut PathBuf| {
        if let Some(s) = &shipped {
            n.input = s.label.into();
            *data = s.label.into();
        }
    };
    let inputs: Vec<&std::path::Path> = [Some(data.as_path()), a.map.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let read = a.read.options()?;
    let out_dir = OutDir::open(&out, &inputs, Producer::StudyReport)?;
    let mice = a.impute.options();
    if mice.is_some() && a.study == Study::DenosumabPilot {
        return Err(Error::Usage("--impute applies to zhang2021 only".into()));
    }
    if a.impute.impute_plots.is_some() {
        return Err(Error::Usage(
            "reproduce writes the imputation figures into --out: drop --impute-plots".into(),
        ));
    }
    if a.study == Study::DenosumabPilot {
        let mut run = match &a.dicom {
            Some(d) => {
                denosumab::images::reproduce(&data, a.map.as_deref(), &read, d, a.level.get())?
            }
            None => denosumab::reproduce(&data, a.map.as_deref(), &read, a.level.get())?,
        };
        label(&mut run.notice, &mut run.options.data);
        out_dir.write(&denosumab::report_files(&run)?, Mode::Replace)?;
        print!("{}", denosumab::run_summary(&run, &out));
        return Ok(Outcome::Success);
    }
    if a.dicom.is_some() {
        return Err(Error::Usage(
            "--dicom applies to denosumab-pilot only".into(),
        ));
    }
    let a = ReproduceArgs {
        out: Some(out),
        ..a
    };
    let opts = zhang2021::pipeline::Options {
        data,
        map: a.map,
        expansion: a.expansion,
        seed: a.seed,
        split: a.split,
        conf_level: a.level.get(),
        read,
    };
    calcscore_core::trace::span("start");
    note_ignored_cohorts(&opts)?;
    let mut run = zhang2021::reproduce(&opts)?;
    label(&mut run.notice, &mut run.options.data);
    let out = a.out.unwrap_or_default();
    let (files, extra_text) = match mice {
        // The file as read (the built-in registry's extracted copy), not the label the reports show.
        Some(mice) => super::impute::sensitivity_files(&run, &opts, &mice)?,
        None => (zhang2021::report_files(&run)?, String::new()),
    };
    calcscore_core::trace::span("report files");
    out_dir.write(&files, Mode::Replace)?;
    calcscore_core::trace::span("written");
    print!("{}{extra_text}", zhang2021::summary(&run, &out));
    Ok(Outcome::Success)
}

/// Run `calcscore check`.
pub fn check(a: CheckArgs) -> Result<Outcome> {
    let published = match &a.published {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::io("read", p, e))?;
            published::Published::parse(&text, &p.display().to_string())?
        }
        None => published::Published::builtin(a.study.key())?,
    };
    let results = a.results.as_deref().map_or_else(
        || a.study.default_out().join("results.json"),
        super::report::results_file,
    );
    let quantities = read_quantities(a.study, &results)?;
    let rows = published::check(&published, &quantities);
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(|e| Error::Usage(e.to_string()))?
        );
    } else {
        print!("{}", calcscore_report::check::text(&rows));
    }
    Ok(if published::all_pass(&rows) {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

/// The quantities of a results.json, read as the study's results type; another study's results are refused,
/// naming both studies.
fn read_quantities(
    study: Study,
    path: &std::path::Path,
) -> Result<Vec<calcscore_studies::Quantity>> {
    Ok(match study {
        Study::Zhang2021 => zhang2021::Zhang2021::read_quantities(path)?,
        Study::DenosumabPilot => denosumab::DenosumabPilot::read_quantities(path)?,
    })
}

/// Run `calcscore simulate`.
pub fn simulate(a: SimulateArgs) -> Result<Outcome> {
    if let Some(p) = &a.out {
        output::check_file(p, &[], Producer::Simulate)?;
    }
    if a.study == Study::DenosumabPilot {
        return simulate_denosumab(a);
    }
    if a.dicom.is_some() {
        return Err(Error::Usage(
            "--dicom applies to denosumab-pilot only".into(),
        ));
    }
    let seed = a.seed.unwrap_or(zhang2021::simulate::DEFAULT_SEED);
    let parquet = match a.format {
        Some(f) => f == SimFormat::Parquet,
        None => a
            .out
            .as_ref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet")),
    };
    if parquet || a.lesions.get() > zhang2021::simulate_large::CHUNK {
        return simulate_large(&a, seed, parquet);
    }
    let csv = zhang2021::simulate::simulate_csv(seed, a.lesions.get());
    match a.out {
        Some(p) => {
            output::write_file(&p, csv.as_bytes(), &[], Producer::Simulate)?;
            eprintln!(
                "wrote {} ({} lesions, seed {}): SYNTHETIC data from calcscore's Zhang 2021 model, not patients",
                p.display(),
                a.lesions,
                seed
            );
        }
        None => print!("{csv}"),
    }
    Ok(Outcome::Success)
}

/// A Parquet registry, or one above 10^6 lesions: generated and written chunk by chunk to --out.
fn simulate_large(a: &SimulateArgs, seed: u64, parquet: bool) -> Result<Outcome> {
    use zhang2021::simulate_large::{write_registry, RegistryFormat};
    let Some(p) = &a.out else {
        return Err(Error::Usage(
            "a Parquet registry, or one above 1000000 lesions, is written to a file: add --out FILE".into(),
        ));
    };
    let format = if parquet {
        RegistryFormat::Parquet
    } else {
        RegistryFormat::Csv
    };
    write_registry(p, seed, a.lesions.get(), format)?;
    eprintln!(
        "wrote {} ({} lesions, seed {}, {}): SYNTHETIC data from calcscore's Zhang 2021 model, not patients",
        p.display(),
        a.lesions,
        seed,
        if parquet { "Parquet" } else { "CSV" }
    );
    Ok(Outcome::Success)
}

/// `calcscore simulate denosumab-pilot`: 12 patients matched to the published summaries.
fn simulate_denosumab(a: SimulateArgs) -> Result<Outcome> {
    let seed = a.seed.unwrap_or(denosumab::simulate::DEFAULT_SEED);
    if let Some(dir) = &a.dicom {
        eprintln!("{}", denosumab::images::simulate(dir, seed)?);
    }
    let (csv, attempts) = denosumab::simulate::simulate_csv(seed)?;
    match a.out {
        Some(p) => {
            output::write_file(&p, csv.as_bytes(), &[], Producer::Simulate)?;
            eprintln!(
                "wrote {} (12 patients, seed {seed}, draw {attempts} matched the published summaries): \
                 SYNTHETIC data from calcscore's denosumab pilot model, not patients",
                p.display()
            );
        }
        None => print!("{csv}"),
    }
    Ok(Outcome::Success)
}
