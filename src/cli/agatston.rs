//! `calcscore agatston`: Agatston, volume and mass scores of an axial CT series, or of every study under a root.

use std::path::PathBuf;

use serde::Serialize;

use super::Outcome;
use crate::{Error, Result};
use calcscore_imaging::agatston::{self, Connectivity, Options, Score, ThicknessScaling};
use calcscore_imaging::{batch, series};
use calcscore_report::OutputFile;

/// Arguments of `calcscore agatston`.
#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("input").required(true).args(["dicom", "batch"])),
    after_help = "Conventions (each printed with the score): lesion voxels >= --threshold HU (default 130), \
weights 1-4 by peak HU (130/200/300/400), --connectivity 8, lesions under --min-area 1 mm² dropped, no slice-thickness \
scaling, mass = factor x mean HU x volume (factor 1 = uncalibrated).\n\nExample:\n  calcscore agatston --dicom scans/P01/2015-01-07\n  \
calcscore agatston --dicom DIR --connectivity 4 --thickness-scaling spacing --json\n  calcscore agatston --batch scans --out cac"
)]
pub struct AgatstonArgs {
    /// Directory (searched recursively) holding one CT series, or a single DICOM file.
    #[arg(long, conflicts_with = "batch")]
    pub dicom: Option<PathBuf>,
    /// Score every study under this directory and write the CAC table (cac.csv) to --out.
    #[arg(long)]
    pub batch: Option<PathBuf>,
    /// SeriesInstanceUID to score when the directory holds several series.
    #[arg(long)]
    pub series: Option<String>,
    /// Lesion threshold (HU): voxels >= this form lesions [default: 130].
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Voxel connectivity within a slice.
    #[arg(long, value_enum, default_value_t = Conn::Eight)]
    pub connectivity: Conn,
    /// Minimum lesion area (mm²); smaller lesions are dropped.
    #[arg(long, default_value_t = 1.0)]
    pub min_area: f64,
    /// Use the kV-dependent thresholds for the series' KVP (70/80/100/120/135 kV) instead of 130/200/300/400 HU.
    #[arg(long)]
    pub kv_thresholds: bool,
    /// Slice-thickness scaling: none, or every score × slice spacing / 3 mm.
    #[arg(long, value_enum, default_value_t = Scaling::None)]
    pub thickness_scaling: Scaling,
    /// Mass calibration factor (mg/cm³ per HU); 1 = uncalibrated relative mass.
    #[arg(long, default_value_t = 1.0)]
    pub mass_factor: f64,
    /// Label mask for per-artery totals: NumPy .npy, uint8, shape (slices, rows, columns) in sorted slice order;
    /// 1 LM, 2 LAD, 3 LCX, 4 RCA (docs/agatston.md).
    #[arg(long, conflicts_with = "batch")]
    pub labels: Option<PathBuf>,
    /// Print JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Write tables (lesions.csv, slices.csv, score.json, overlay.png; with --batch cac.csv, studies.csv) to this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `--connectivity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Conn {
    /// Edge neighbours only.
    #[value(name = "4")]
    Four,
    /// Edge and corner neighbours.
    #[value(name = "8")]
    Eight,
}

/// `--thickness-scaling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scaling {
    /// Scores as measured.
    None,
    /// Score × slice spacing / 3 mm.
    Spacing,
}

/// The checked options of a run.
fn options(a: &AgatstonArgs) -> Result<Options> {
    if a.kv_thresholds && a.threshold.is_some() {
        return Err(Error::Usage(
            "--threshold and --kv-thresholds exclude each other (the kV table sets the threshold)"
                .into(),
        ));
    }
    let threshold = if a.kv_thresholds {
        None
    } else {
        Some(a.threshold.unwrap_or(130.0))
    };
    if threshold.is_some_and(|t| !t.is_finite()) {
        return Err(Error::Usage(
            "--threshold must be a finite number of HU".into(),
        ));
    }
    if !(a.min_area.is_finite() && a.min_area >= 0.0) {
        return Err(Error::Usage(format!(
            "--min-area must be >= 0 mm² (got {})",
            a.min_area
        )));
    }
    if !(a.mass_factor.is_finite() && a.mass_factor > 0.0) {
        return Err(Error::Usage(format!(
            "--mass-factor must be > 0 (got {})",
            a.mass_factor
        )));
    }
    Ok(Options {
        threshold,
        connectivity: match a.connectivity {
            Conn::Four => Connectivity::Four,
            Conn::Eight => Connectivity::Eight,
        },
        min_area_mm2: a.min_area,
        thickness_scaling: match a.thickness_scaling {
            Scaling::None => ThicknessScaling::None,
            Scaling::Spacing => ThicknessScaling::Spacing,
        },
        mass_factor: a.mass_factor,
    })
}

/// JSON shape of `calcscore agatston --json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    verb: &'static str,
    dicom: String,
    series_uid: &'a str,
    study_uid: &'a str,
    patient_id: &'a str,
    study_date: &'a str,
    n_slices: usize,
    rows: usize,
    columns: usize,
    #[serde(flatten)]
    score: &'a Score,
}

/// Run `calcscore agatston`.
pub fn run(a: AgatstonArgs) -> Result<Outcome> {
    let opts = options(&a)?;
    if let Some(root) = &a.batch {
        return run_batch(&a, root, &opts);
    }
    let dir = a.dicom.clone().unwrap_or_default();
    let s = series::read_series(&dir, a.series.as_deref())?;
    let labels = match &a.labels {
        Some(p) => Some(calcscore_imaging::labels::read_npy(
            p,
            [s.slices.len(), s.rows, s.cols],
        )?),
        None => None,
    };
    let score = agatston::score(&s, &opts, labels.as_ref())?;
    let report = Report {
        verb: "agatston",
        dicom: dir.display().to_string(),
        series_uid: &s.uid,
        study_uid: &s.study_uid,
        patient_id: &s.patient_id,
        study_date: &s.study_date,
        n_slices: s.slices.len(),
        rows: s.rows,
        columns: s.cols,
        score: &score,
    };
    let json = to_json(&report)?;
    if let Some(out) = &a.out {
        let mut files: Vec<OutputFile> = vec![
            ("score.json".into(), json.clone().into_bytes()),
            ("lesions.csv".into(), lesions_csv(&score).into_bytes()),
            ("slices.csv".into(), slices_csv(&score).into_bytes()),
        ];
        if let Some((png, _)) = calcscore_imaging::overlay::overlay_png(&s, &score, &opts)? {
            files.push(("overlay.png".into(), png));
        }
        save(out, &files)?;
    }
    if a.json {
        println!("{json}");
    } else {
        print!("{}", summary(&report));
    }
    Ok(Outcome::Success)
}

/// Refuse an `--out` inside the `--batch` root: its CSVs would be under the root that later batches read.
fn refuse_out_inside(out: &std::path::Path, root: &std::path::Path) -> Result<()> {
    if !calcscore_report::output::is_within(out, root) {
        return Ok(());
    }
    let name = root
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .or_else(|| {
            std::fs::canonicalize(root)
                .ok()
                .and_then(|r| r.file_name().map(std::ffi::OsStr::to_os_string))
        })
        .unwrap_or_else(|| "scans".into());
    let mut sibling = name;
    sibling.push("-calcscore");
    let sibling = match root.file_name() {
        Some(_) => root.with_file_name(sibling),
        None if root == std::path::Path::new(".") => std::path::Path::new("..").join(sibling),
        None => root.join("..").join(sibling),
    };
    Err(Error::Usage(format!(
        "output {} is inside the --batch root {}: the CAC tables would be written among the scans that later \
         batch runs read; nothing was written. Fix: choose a directory outside the root, e.g. --out {}",
        out.display(),
        root.display(),
        sibling.display()
    )))
}

/// The files of one agatston run into `--out` (the directory keeps other commands' files).
fn save(out: &std::path::Path, files: &[OutputFile]) -> Result<()> {
    let producer = calcscore_report::output::Producer::Agatston;
    calcscore_report::write_atomically(out, files, producer)
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))
}

fn run_batch(a: &AgatstonArgs, root: &std::path::Path, opts: &Options) -> Result<Outcome> {
    if a.series.is_some() {
        return Err(Error::Usage(
            "--series applies to --dicom, not --batch".into(),
        ));
    }
    if let Some(out) = &a.out {
        refuse_out_inside(out, root)?;
    }
    let found = batch::score_tree(root, opts, &calcscore_report::output::is_output_dir)?;
    let cac = batch::cac_csv(&found.studies)?;
    if let Some(out) = &a.out {
        let studies = studies_csv(&found.studies).into_bytes();
        save(
            out,
            &[
                ("cac.csv".into(), cac.clone().into_bytes()),
                ("studies.csv".into(), studies),
                ("skipped.csv".into(), skipped_csv(&found).into_bytes()),
            ],
        )?;
    }
    if a.json {
        println!("{}", to_json(&found)?);
    } else {
        print!("{}", batch_summary(&found, a.out.as_deref()));
    }
    Ok(Outcome::Success)
}

/// Values as CSV cells, each as `Display` writes it (the shortest text that reads back to the number).
fn cells(values: &[&dyn std::fmt::Display]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

/// The lesions of a series, one row each (`lesions.csv`).
fn lesions_csv(s: &Score) -> String {
    let header =
        "slice,z_mm,centroid_row,centroid_col,n_pixels,area_mm2,peak_hu,mean_hu,weight,agatston,\
                  volume_mm3,mass_mg,label";
    let header: Vec<&str> = header.split(',').collect();
    let rows = s.lesions.iter().map(|l| {
        let (row, col) = (
            format!("{:.2}", l.centroid_row),
            format!("{:.2}", l.centroid_col),
        );
        let label = l.label.as_deref().unwrap_or_default();
        cells(&[
            &l.slice,
            &l.z_mm,
            &row,
            &col,
            &l.n_pixels,
            &l.area_mm2,
            &l.peak_hu,
            &l.mean_hu,
            &l.weight,
            &l.agatston,
            &l.volume_mm3,
            &l.mass_mg,
            &label,
        ])
    });
    calcscore_report::csv_rows(&header, rows)
}

/// The slices of a series with their totals (`slices.csv`).
fn slices_csv(s: &Score) -> String {
    let header = [
        "slice",
        "z_mm",
        "file",
        "n_lesions",
        "area_mm2",
        "agatston",
        "volume_mm3",
        "mass_mg",
    ];
    let rows = s.slices.iter().map(|r| {
        cells(&[
            &r.slice,
            &r.z_mm,
            &r.file,
            &r.n_lesions,
            &r.area_mm2,
            &r.agatston,
            &r.volume_mm3,
            &r.mass_mg,
        ])
    });
    calcscore_report::csv_rows(&header, rows)
}

/// One row per scored study (`studies.csv`).
fn studies_csv(studies: &[batch::StudyScore]) -> String {
    let header =
        "patient_id,study_date,study_uid,series_uid,n_slices,n_lesions,agatston,volume_mm3,mass_mg";
    let header: Vec<&str> = header.split(',').collect();
    let rows = studies.iter().map(|s| {
        let t = &s.score;
        cells(&[
            &s.patient_id,
            &s.study_date,
            &s.study_uid,
            &s.series_uid,
            &s.n_slices,
            &t.n_lesions,
            &t.agatston,
            &t.volume_mm3,
            &t.mass_mg,
        ])
    });
    calcscore_report::csv_rows(&header, rows)
}

/// What a batch left out, one row each (`skipped.csv`): series that are not scorable, files that are not DICOM.
fn skipped_csv(b: &batch::Batch) -> String {
    let header = ["kind", "name", "reason"];
    let series = b
        .skipped
        .iter()
        .map(|k| cells(&[&"series", &k.series, &k.reason]));
    let files = b.skipped_files.iter().map(|f| {
        let reason = format!("not DICOM ({})", f.reason);
        cells(&[&"file", &f.file.display(), &reason])
    });
    let outputs = b.skipped_outputs.iter().map(|d| {
        let reason = "calcscore's own output";
        cells(&[&"directory", &d.display(), &reason])
    });
    calcscore_report::csv_rows(&header, series.chain(files).chain(outputs))
}

/// The conventions in one paragraph.
fn conventions_text(c: &agatston::Conventions) -> String {
    format!(
        "conventions: lesion voxels >= {} HU; weight 1-4 from peak HU with bounds {}/{}/{} ({}); {}-connectivity; \
         lesions under {} mm² dropped; slice-thickness scaling {} (factor {}); slice spacing {} mm from {}; \
         mass factor {} mg/cm³ per HU{}\n",
        c.threshold_hu,
        c.weight_bounds_hu[0],
        c.weight_bounds_hu[1],
        c.weight_bounds_hu[2],
        c.weights_source,
        c.connectivity,
        c.min_area_mm2,
        c.thickness_scaling,
        c.scale_factor,
        c.slice_spacing_mm,
        c.slice_spacing_source,
        c.mass_factor,
        if c.mass_factor == 1.0 { " (uncalibrated)" } else { "" }
    )
}

fn summary(r: &Report) -> String {
    let s = r.score;
    let c = &s.conventions;
    let mut out = format!(
        "calcscore agatston: {}\nseries {} (patient '{}', study date {}, {} slices of {}x{}, pixel {}x{} mm, kV {})\n{}\n",
        r.dicom,
        r.series_uid,
        r.patient_id,
        r.study_date,
        r.n_slices,
        r.rows,
        r.columns,
        c.pixel_spacing_mm[0],
        c.pixel_spacing_mm[1],
        c.kvp.map(|k| k.to_string()).unwrap_or_else(|| "not given".into()),
        conventions_text(c)
    );
    let head = [
        "slice",
        "z (mm)",
        "lesions",
        "area (mm2)",
        "Agatston",
        "volume (mm3)",
        "mass (mg)",
    ];
    let rows = s.slices.iter().filter(|sl| sl.n_lesions > 0).map(|sl| {
        vec![
            sl.slice.to_string(),
            format!("{:.2}", sl.z_mm),
            sl.n_lesions.to_string(),
            format!("{:.2}", sl.area_mm2),
        ]
        .into_iter()
        .chain(amounts(sl.agatston, sl.volume_mm3, sl.mass_mg))
        .collect()
    });
    let align = [calcscore_report::Align::Right; 7];
    out.push_str(&super::text::aligned(&head, &align, rows));
    for t in &s.arteries {
        out.push_str(&format!(
            "{:<8} {:>3} lesion(s)  Agatston {:>9.1}  volume {:>9.1} mm3  mass {:>9.3} mg\n",
            t.label, t.n_lesions, t.agatston, t.volume_mm3, t.mass_mg
        ));
    }
    out.push_str(&format!(
        "Total: Agatston {:.1}, volume {:.1} mm3, mass {:.3} mg, {} lesion(s)\n",
        s.agatston, s.volume_mm3, s.mass_mg, s.n_lesions
    ));
    out
}

/// Agatston score, volume (mm³) and mass (mg) as the tables print them.
fn amounts(agatston: f64, volume_mm3: f64, mass_mg: f64) -> [String; 3] {
    [
        format!("{agatston:.1}"),
        format!("{volume_mm3:.1}"),
        format!("{mass_mg:.3}"),
    ]
}

fn batch_summary(b: &batch::Batch, out: Option<&std::path::Path>) -> String {
    let mut text = format!("{} CT studies scored\n", b.studies.len());
    let head = [
        "patient",
        "date",
        "lesions",
        "Agatston",
        "volume (mm3)",
        "mass (mg)",
    ];
    let rows = b.studies.iter().map(|s| {
        vec![
            s.patient_id.clone(),
            s.study_date.clone(),
            s.score.n_lesions.to_string(),
        ]
        .into_iter()
        .chain(amounts(
            s.score.agatston,
            s.score.volume_mm3,
            s.score.mass_mg,
        ))
        .collect()
    });
    use calcscore_report::Align::{Left, Right};
    let align = [Left, Left, Right, Right, Right, Right];
    text.push_str(&super::text::aligned(&head, &align, rows));
    for k in &b.skipped {
        text.push_str(&format!("skipped series {}: {}\n", k.series, k.reason));
    }
    for f in &b.skipped_files {
        text.push_str(&format!(
            "skipped file {}: not DICOM ({})\n",
            f.file.display(),
            f.reason
        ));
    }
    for d in &b.skipped_outputs {
        text.push_str(&format!(
            "skipped directory {}: calcscore's own output (it holds {})\n",
            d.display(),
            calcscore_report::output::MARKER
        ));
    }
    if let Some(c) = b.studies.first() {
        text.push_str(&conventions_text(&c.score.conventions));
    }
    if let Some(o) = out {
        text.push_str(&format!(
            "wrote {}/cac.csv (read it with `calcscore progression --data {}/cac.csv`), studies.csv and skipped.csv\n",
            o.display(),
            o.display()
        ));
    }
    text
}
