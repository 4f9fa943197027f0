//! The pilot from scans: phantom CT series whose Agatston scores equal a CAC table's
//! (`simulate denosumab-pilot --dicom DIR`), and the pilot's analysis with every Agatston score read
//! from the images (`reproduce denosumab-pilot --dicom DIR`).
//!
//! Phantom design: 128 × 128 slices of 40 HU soft tissue, pixels 0.5 × 0.2 mm (0.1 mm², so a lesion of
//! n pixels and weight w scores exactly n·w/10), 3 mm slices; calcium as blocks of 450 HU (weight 4) and
//! one block of 150 HU (weight 1), each at least 10 pixels (1 mm², the default minimum area).

use std::path::Path;

use sha2::Digest;

use super::{schema, Run, SYNTHETIC_MODEL};
use crate::{sha256_file, DataNotice};
use crate::{Error, Result};
use calcscore_imaging::agatston::Options;
use calcscore_imaging::batch::{self, StudyScore};
use calcscore_imaging::phantom::{write_slice, SliceSpec};

/// Slice size (pixels).
pub(crate) const SIZE: usize = 128;
/// Pixel spacing: between rows, between columns (mm); 0.1 mm² per pixel.
pub const PIXEL_SPACING: [f64; 2] = [0.5, 0.2];
/// Slice spacing and thickness (mm).
pub(crate) const SLICE_MM: f64 = 3.0;
const TISSUE_HU: f64 = 40.0;
const DENSE_HU: f64 = 450.0;
const FAINT_HU: f64 = 150.0;
/// Weight-4 block: rows 4..124, columns 4..84 (at most 9600 pixels per slice).
const DENSE_BOX: (usize, usize, usize, usize) = (4, 4, 120, 80);
/// Weight-1 block: rows 4..124, columns 100..124.
const FAINT_BOX: (usize, usize, usize, usize) = (4, 100, 120, 24);
/// Smallest lesion (pixels) that passes the 1 mm² minimum area.
const MIN_PIXELS: usize = 10;

/// Pixels of weight 4 and of weight 1 whose Agatston score is `score` (given to 0.1 AU).
pub(crate) fn lesion_plan(score: f64) -> std::result::Result<(usize, usize), String> {
    let units = (score * 10.0).round();
    if !(0.0..=1e7).contains(&units) || (units - score * 10.0).abs() > 1e-6 {
        return Err(format!(
            "Agatston score {score} must be between 0 and 10^6, given to 0.1"
        ));
    }
    let u = units as usize;
    let ok = |n: usize| n == 0 || n >= MIN_PIXELS;
    (0..=u / 4)
        .rev()
        .map(|dense| (dense, u - 4 * dense))
        .find(|(d, f)| ok(*d) && ok(*f) && *f <= FAINT_BOX.2 * FAINT_BOX.3)
        .ok_or_else(|| {
            format!("Agatston score {score} cannot be drawn with lesions of at least 1 mm² (0.1 mm² pixels)")
        })
}

/// Fill `n` pixels of a box row by row (one connected region) with `hu`.
fn fill(hu: &mut [f64], n: usize, (r0, c0, _, w): (usize, usize, usize, usize), value: f64) {
    for k in 0..n {
        hu[(r0 + k / w) * SIZE + c0 + k % w] = value;
    }
}

/// A 2.25 UID derived from the given parts (deterministic).
fn uid(parts: &[&str]) -> String {
    let digest = sha2::Sha256::digest(parts.join("|").as_bytes());
    let mut n: u128 = 0;
    for b in &digest[..15] {
        n = (n << 8) | u128::from(*b);
    }
    format!("2.25.{n}")
}

/// Write the phantom series of one visit under `dir/<patient>/<date>/`; returns the number of slices.
pub(crate) fn write_visit(dir: &Path, patient: &str, date: &str, score: f64) -> Result<usize> {
    let (dense, faint) =
        lesion_plan(score).map_err(|e| Error::Usage(format!("patient {patient}, {date}: {e}")))?;
    let per_slice = DENSE_BOX.2 * DENSE_BOX.3;
    let chunks = dense.div_ceil(per_slice).max(1);
    let n_slices = chunks + 2;
    let study = uid(&["study", patient, date]);
    let series = uid(&["series", patient, date]);
    let folder = dir.join(patient).join(date);
    for k in 0..n_slices {
        let mut hu = vec![TISSUE_HU; SIZE * SIZE];
        if (1..=chunks).contains(&k) {
            // Even split: every chunk has at least dense / chunks ≥ 10 pixels when dense > 0.
            let n = dense / chunks + usize::from(k - 1 < dense % chunks);
            fill(&mut hu, n, DENSE_BOX, DENSE_HU);
            if k == 1 {
                fill(&mut hu, faint, FAINT_BOX, FAINT_HU);
            }
        }
        let rescale = (1.0, -1024.0);
        let mut s = SliceSpec::axial(
            SIZE,
            SIZE,
            k as f64 * SLICE_MM,
            SliceSpec::stored_for(&hu, rescale),
        );
        s.patient_id = patient.into();
        s.study_uid = study.clone();
        s.series_uid = series.clone();
        s.sop_uid = uid(&["sop", patient, date, &k.to_string()]);
        s.study_date = date.replace('-', "");
        s.pixel_spacing = Some(PIXEL_SPACING);
        s.thickness = Some(SLICE_MM);
        s.instance = k as i64 + 1;
        write_slice(&folder.join(format!("{:03}.dcm", k + 1)), &s)?;
    }
    Ok(n_slices)
}

/// Write phantom series for every scan of a CAC table (baseline; follow-up when given).
pub(crate) fn write_table(table: &schema::CacTable, dir: &Path) -> Result<(usize, usize)> {
    let (mut series, mut files) = (0, 0);
    for p in &table.patients {
        let visits = [
            (p.scan_day_before, p.value("agatston_before")),
            (p.scan_day_after, p.value("agatston_after")),
        ];
        for (day, score) in visits {
            if let (Some(day), Some(score)) = (day, score) {
                files += write_visit(
                    dir,
                    &p.patient_id,
                    &calcscore_data::dates::format_date(day),
                    score,
                )?;
                series += 1;
            }
        }
    }
    Ok((series, files))
}

/// `simulate denosumab-pilot --dicom DIR`: phantom series for the synthetic table of `seed` (only DICOM files
/// are written under `dir`, so `agatston --batch DIR` reads it as it is).
pub fn simulate(dir: &Path, seed: u64) -> Result<String> {
    let (csv, _) = super::simulate::simulate_csv(seed)?;
    let scratch =
        std::env::temp_dir().join(format!("calcscore-pilot-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| Error::io("create directory", &scratch, e))?;
    let table_path = scratch.join("denosumab_pilot_synthetic.csv");
    let table = std::fs::write(&table_path, &csv)
        .map_err(|e| Error::io("write", &table_path, e))
        .and_then(|()| schema::load_cac(&table_path, None));
    let _ = std::fs::remove_dir_all(&scratch);
    let (series, files) = write_table(&table?, dir)?;
    Ok(format!(
        "wrote {series} phantom CT series ({files} DICOM files, {SIZE}x{SIZE}, {} x {} mm pixels, {SLICE_MM} mm slices) \
         under {} for the synthetic table of seed {seed}: SYNTHETIC phantoms whose Agatston scores equal the table's, \
         not patients",
        PIXEL_SPACING[0],
        PIXEL_SPACING[1],
        dir.display()
    ))
}

/// The pilot's analysis with every Agatston score of `data` replaced by the score of its CT series under `dicom`.
pub fn reproduce(
    data: &Path,
    map: Option<&Path>,
    read: &calcscore_data::ReadOptions,
    dicom: &Path,
    conf_level: f64,
) -> Result<Run> {
    let sha = sha256_file(data)?;
    let mut notice = DataNotice::for_input(data, sha, "denosumab-pilot", SYNTHETIC_MODEL);
    let mut table = schema::load_cac_with(data, map, read)?;
    let found = batch::score_tree(
        dicom,
        &Options::default(),
        &calcscore_report::output::is_output_dir,
    )?;
    replace_scores(&mut table, &found.studies, dicom)?;
    notice.text.push_str(&format!(
        " Agatston scores read from {} CT series under {} (130 HU, 8-connectivity, 1 mm², no thickness scaling).",
        found.studies.len(),
        dicom.display()
    ));
    // What the batch left out is said, never dropped in silence.
    let left: Vec<String> = (found.skipped.iter())
        .map(|k| format!("series {} ({})", k.series, k.reason))
        .chain(
            found
                .skipped_files
                .iter()
                .map(|f| format!("file {} (not DICOM: {})", f.file.display(), f.reason)),
        )
        .chain(
            (found.skipped_outputs.iter())
                .map(|d| format!("directory {} (calcscore's own output)", d.display())),
        )
        .collect();
    if !left.is_empty() {
        notice
            .text
            .push_str(&format!(" Left out: {}.", left.join("; ")));
    }
    super::analyse(data, map, conf_level, notice, table)
}

/// Put each study's score in place of the table's typed-in score, matched by patient and scan date.
fn replace_scores(
    table: &mut schema::CacTable,
    studies: &[StudyScore],
    dicom: &Path,
) -> Result<()> {
    let mut used = vec![false; studies.len()];
    let mut problems = Vec::new();
    for p in &mut table.patients {
        let visits = [
            ("scan_date_before", "agatston_before", p.scan_day_before),
            ("scan_date_after", "agatston_after", p.scan_day_after),
        ];
        for (date_col, score_col, day) in visits {
            let Some(day) = day else { continue };
            let date = calcscore_data::dates::format_date(day);
            match studies
                .iter()
                .position(|s| s.patient_id == p.patient_id && s.study_date == date)
            {
                Some(i) => {
                    used[i] = true;
                    p.values.insert(score_col, studies[i].score.agatston);
                }
                None if p.value(score_col).is_some() => problems.push(format!(
                    "row {}, patient {}: no CT study dated {date} ({date_col}) under {}",
                    p.row,
                    p.patient_id,
                    dicom.display()
                )),
                None => {}
            }
        }
    }
    for (s, _) in studies.iter().zip(&used).filter(|(_, u)| !**u) {
        problems.push(format!(
            "CT study of patient {} dated {} matches no scan date of {}",
            s.patient_id, s.study_date, table.source
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(calcscore_imaging::ImagingError::Files { problems }.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_add_up_to_the_score() {
        // 121.3 AU = 1213 units = 4 × 300 + 13: 300 pixels of weight 4, 13 of weight 1.
        assert_eq!(lesion_plan(121.3), Ok((300, 13)));
        assert_eq!(lesion_plan(0.0), Ok((0, 0)));
        // 2.5 AU = 25 units: 4 × 0 + 25 (a single weight-1 lesion of 25 pixels).
        assert_eq!(lesion_plan(2.5), Ok((0, 25)));
        assert!(lesion_plan(0.5).is_err());
        for score in [10.0, 13.7, 366.5, 1563.9, 19999.9] {
            let (d, f) = lesion_plan(score).unwrap();
            assert_eq!(4 * d + f, (score * 10.0_f64).round() as usize);
        }
    }
}
