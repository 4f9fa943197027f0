//! Score every CT study under a directory and pair each patient's studies into the CAC follow-up
//! table that `calcscore progression` reads (one row per patient, baseline and follow-up).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::agatston::{self, Options, Score};
use super::series::{self, Header};
use super::ImagingError;

/// The score of one study (one scorable series of one StudyInstanceUID).
#[derive(Debug, Clone, Serialize)]
pub struct StudyScore {
    /// PatientID.
    pub patient_id: String,
    /// StudyDate as YYYY-MM-DD.
    pub study_date: String,
    /// StudyInstanceUID.
    pub study_uid: String,
    /// SeriesInstanceUID of the series scored.
    pub series_uid: String,
    /// Number of slices.
    pub n_slices: usize,
    /// The scores.
    pub score: Score,
}

/// Series of a study that were not scored, and why (localizers, other modalities).
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// SeriesInstanceUID and description.
    pub series: String,
    /// Why it was not scored.
    pub reason: String,
}

/// Everything found under a root.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    /// Scored studies, by patient then date.
    pub studies: Vec<StudyScore>,
    /// Series left out.
    pub skipped: Vec<Skipped>,
    /// Files left out because they are not DICOM at all (a README, a spreadsheet), by path.
    pub skipped_files: Vec<series::NotDicom>,
    /// Directories under the root not entered because they are calcscore's own outputs (an `agatston --out`
    /// written there before), by path.
    pub skipped_outputs: Vec<PathBuf>,
}

/// Score every study under `root`; a study must hold exactly one scorable (axial CT) series. Files that are
/// not DICOM at all are skipped and listed; a DICOM file that cannot be read is an error. Directories for which
/// `is_output` is true (calcscore's output directories) are not entered, and listed.
pub fn score_tree(
    root: &Path,
    opts: &Options,
    is_output: &dyn Fn(&Path) -> bool,
) -> crate::Result<Batch> {
    let (files, skipped_outputs) = series::list_files_skipping(root, is_output)?;
    if files.is_empty() {
        return Err(ImagingError::NoFiles {
            dir: root.display().to_string(),
        }
        .into());
    }
    let (headers, skipped_files, problems) = series::scan_tree(&files);
    if !problems.is_empty() {
        return Err(ImagingError::Files { problems }.into());
    }
    if headers.is_empty() && !skipped_files.is_empty() {
        // Nothing under the root is DICOM: each file is refused with its reason, as `--dicom` does.
        let problems = skipped_files
            .iter()
            .map(series::NotDicom::problem)
            .collect();
        return Err(ImagingError::Files { problems }.into());
    }
    let mut by_study: BTreeMap<(String, String), Vec<Vec<Header>>> = BTreeMap::new();
    for (_, group) in series::group(headers) {
        let key = (group[0].patient_id.clone(), group[0].study_uid.clone());
        by_study.entry(key).or_default().push(group);
    }
    let mut studies = Vec::new();
    let mut skipped = Vec::new();
    let mut problems = Vec::new();
    for ((patient, study_uid), groups) in by_study {
        let (scorable, left): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .partition(|g| series::refusal(&g[0]).is_none());
        skipped.extend(left.iter().map(|g| Skipped {
            series: series::describe(g),
            reason: series::refusal(&g[0]).unwrap_or_default(),
        }));
        match scorable.len() {
            1 => match study_score(scorable.into_iter().next().unwrap_or_default(), opts) {
                Ok(s) => studies.push(s),
                Err(e) => problems.push(e.to_string()),
            },
            0 => problems.push(format!(
                "patient {patient}, study {study_uid}: no axial CT series to score"
            )),
            _ => problems.push(format!(
                "patient {patient}, study {study_uid}: {} axial CT series ({}); keep one per study under the root",
                scorable.len(),
                scorable.iter().map(|g| series::describe(g)).collect::<Vec<_>>().join("; ")
            )),
        }
    }
    if !problems.is_empty() {
        return Err(ImagingError::Files { problems }.into());
    }
    studies.sort_by(|a, b| (&a.patient_id, &a.study_date).cmp(&(&b.patient_id, &b.study_date)));
    Ok(Batch {
        studies,
        skipped,
        skipped_files,
        skipped_outputs,
    })
}

fn study_score(group: Vec<Header>, opts: &Options) -> Result<StudyScore, ImagingError> {
    let first = group[0].file.display().to_string();
    let date = iso_date(&group[0].study_date).ok_or_else(|| ImagingError::Inconsistent {
        file: first.clone(),
        rule: format!(
            "StudyDate '{}' is not a date (YYYYMMDD); the CAC table needs the scan date",
            group[0].study_date
        ),
    })?;
    if group[0].patient_id.is_empty() {
        return Err(ImagingError::Inconsistent {
            file: first,
            rule: "no PatientID; the CAC table pairs studies by patient".into(),
        });
    }
    let s = series::load(group)?;
    let score = agatston::score(&s, opts, None)?;
    Ok(StudyScore {
        patient_id: s.patient_id.clone(),
        study_date: date,
        study_uid: s.study_uid.clone(),
        series_uid: s.uid.clone(),
        n_slices: s.slices.len(),
        score,
    })
}

/// YYYYMMDD → YYYY-MM-DD (checked by the CAC schema's date parser).
pub(crate) fn iso_date(d: &str) -> Option<String> {
    let d = d.trim();
    if d.len() != 8 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let iso = format!("{}-{}-{}", &d[0..4], &d[4..6], &d[6..8]);
    calcscore_data::dates::parse_date(&iso).map(|_| iso)
}

/// Header of the CAC table written by [`cac_csv`].
pub(crate) const CAC_HEADER: &str =
    "patient_id,evaluable,not_evaluable_reason,scan_date_before,scan_date_after,\
agatston_before,agatston_after,volume_before,volume_after,mass_before,mass_after";

/// The CAC follow-up table: a patient's first study is the baseline, the second the follow-up.
pub fn cac_csv(studies: &[StudyScore]) -> Result<String, ImagingError> {
    let mut by_patient: BTreeMap<&str, Vec<&StudyScore>> = BTreeMap::new();
    for s in studies {
        by_patient.entry(&s.patient_id).or_default().push(s);
    }
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = out.write_record(CAC_HEADER.split(','));
    let mut problems = Vec::new();
    for (patient, visits) in by_patient {
        let cells = |s: Option<&&StudyScore>| match s {
            Some(s) => (
                s.study_date.clone(),
                format!("{:.1}", s.score.agatston),
                format!("{:.1}", s.score.volume_mm3),
                format!("{:.3}", s.score.mass_mg),
            ),
            None => Default::default(),
        };
        let (b, a) = (cells(visits.first()), cells(visits.get(1)));
        let (evaluable, reason) = match visits.len() {
            1 => ("0", "one CT study only (no follow-up scan found)"),
            2 if visits[0].study_date == visits[1].study_date => {
                problems.push(format!(
                    "patient {patient}: two studies on {}",
                    visits[0].study_date
                ));
                continue;
            }
            2 => ("1", ""),
            n => {
                problems.push(format!(
                    "patient {patient}: {n} CT studies ({}); the CAC table pairs a baseline and one follow-up",
                    visits.iter().map(|v| v.study_date.as_str()).collect::<Vec<_>>().join(", ")
                ));
                continue;
            }
        };
        let row = [
            patient, evaluable, reason, &b.0, &a.0, &b.1, &a.1, &b.2, &a.2, &b.3, &a.3,
        ];
        // Writing to a Vec cannot fail.
        let _ = out.write_record(row);
    }
    let out = out
        .into_inner()
        .map(String::from_utf8)
        .ok()
        .and_then(Result::ok);
    if problems.is_empty() {
        Ok(out.unwrap_or_default())
    } else {
        Err(ImagingError::Files { problems })
    }
}
