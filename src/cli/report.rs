//! `calcscore report --results DIR`: rebuild report.md, report.html, tables and figures from DIR/results.json
//! without refitting anything.

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::study::zhang2021;
use crate::{Error, Result};

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
    let results = zhang2021::Results::read(&json)?;
    let files = zhang2021::render_report(&results)?;
    let beside = json
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let out = a.out.unwrap_or(beside);
    std::fs::create_dir_all(&out).map_err(|e| Error::io("create directory", &out, e))?;
    for (name, bytes) in &files {
        let path = out.join(name);
        let tmp = out.join(format!(".{name}.tmp-{}", std::process::id()));
        std::fs::write(&tmp, bytes).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io("rename into place", &path, e))?;
    }
    if results.data_notice.synthetic {
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
