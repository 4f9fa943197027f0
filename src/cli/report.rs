//! `calcscore report --results DIR`: rebuild report.md, report.html, tables and figures from DIR/results.json
//! without refitting anything.

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::Result;
use calcscore_report::output::{Mode, OutDir, Producer};
use calcscore_studies::zhang2021;

/// Arguments of `calcscore report`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore report --results reports/zhang2021\n  calcscore report --results reports/zhang2021 --out /tmp/report-copy"
)]
pub struct ReportArgs {
    /// Results directory of a `reproduce` run (holding results.json), or the results.json file itself.
    #[arg(long)]
    pub results: PathBuf,
    /// Where to write the report files (default: the results directory itself).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Run `calcscore report`.
pub fn run(a: ReportArgs) -> Result<Outcome> {
    let json = results_file(&a.results);
    let beside = json
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let out = a.out.unwrap_or_else(|| beside.clone());
    // In place, the run's other files (results.json, manifest.json, CSVs) stay; elsewhere the directory holds the
    // rebuilt report only, never a mix with another run's results. Locked before reading results.json.
    let in_place = matches!(
        (std::fs::canonicalize(&out), std::fs::canonicalize(&beside)),
        (Ok(o), Ok(r)) if o == r
    );
    let out_dir = OutDir::open(&out, &[json.as_path()], Producer::StudyReport)?;
    let results = zhang2021::Results::read(&json)?;
    let files = zhang2021::render_report(&results)?;
    out_dir.write(
        &files,
        if in_place {
            Mode::Update
        } else {
            Mode::Replace
        },
    )?;
    if results.notice().synthetic {
        println!("SYNTHETIC DATA: results from a simulated registry, not from patients.");
    }
    println!(
        "rebuilt {} report files from {} (no refitting) into {}",
        files.len(),
        json.display(),
        out.display()
    );
    Ok(Outcome::Success)
}

/// `--results` as given: a directory (or any path not ending in .json) means its results.json, else the file itself.
pub(crate) fn results_file(path: &Path) -> PathBuf {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if path.is_dir() || !json {
        path.join("results.json")
    } else {
        path.to_path_buf()
    }
}
