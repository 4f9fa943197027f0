//! Read one axial CT series from a directory of DICOM files: group by SeriesInstanceUID, check that
//! the slices can be scored, sort them along the slice normal, and decode every slice to HU.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, OpenFileOptions, Tag};
use dicom_pixeldata::{ConvertOptions, ModalityLutOption, PixelDecoder};
use rayon::prelude::*;
use serde::Serialize;

use super::ImagingError;

/// Transfer syntaxes that need C libraries (JPEG-LS, JPEG 2000, HTJ2K): refused by name.
const REFUSED_SYNTAXES: &[(&str, &str)] = &[
    ("1.2.840.10008.1.2.4.80", "JPEG-LS lossless"),
    ("1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless"),
    ("1.2.840.10008.1.2.4.90", "JPEG 2000 lossless"),
    ("1.2.840.10008.1.2.4.91", "JPEG 2000"),
    ("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 lossless"),
    ("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2"),
    ("1.2.840.10008.1.2.4.201", "HTJ2K lossless"),
    ("1.2.840.10008.1.2.4.202", "HTJ2K lossless RPCL"),
    ("1.2.840.10008.1.2.4.203", "HTJ2K"),
];

/// Media Storage SOP Class of a DICOMDIR (a directory record, not an image): skipped.
const DICOMDIR_CLASS: &str = "1.2.840.10008.1.3.10";

/// Smallest |cos| between the slice normal and the patient z axis accepted as axial (about 8°).
const AXIAL_COS: f64 = 0.99;

/// The attributes of one file that matter for scoring, read without its pixel data.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The file.
    pub file: PathBuf,
    /// Transfer syntax UID of the file.
    pub transfer_syntax: String,
    /// Modality (CT expected).
    pub modality: String,
    /// ImageType values (LOCALIZER is refused).
    pub image_type: Vec<String>,
    /// SeriesInstanceUID.
    pub series_uid: String,
    /// StudyInstanceUID.
    pub study_uid: String,
    /// PatientID.
    pub patient_id: String,
    /// StudyDate as written (YYYYMMDD).
    pub study_date: String,
    /// SeriesDescription.
    pub description: String,
    /// ImagePositionPatient (mm).
    pub position: Option<[f64; 3]>,
    /// ImageOrientationPatient (row then column direction cosines).
    pub orientation: Option<[f64; 6]>,
    /// PixelSpacing: distance between rows, then between columns (mm).
    pub pixel_spacing: Option<[f64; 2]>,
    /// SliceThickness (mm).
    pub thickness: Option<f64>,
    /// KVP (kV).
    pub kvp: Option<f64>,
    /// Rows and Columns.
    pub size: Option<(usize, usize)>,
    /// RescaleSlope and RescaleIntercept.
    pub rescale: Option<(f64, f64)>,
    /// NumberOfFrames (1 when absent).
    pub frames: u32,
    /// SamplesPerPixel (1 when absent).
    pub samples: u16,
    /// InstanceNumber (reported only; never used to sort).
    pub instance: Option<i64>,
}

/// One decoded slice, in HU.
#[derive(Debug, Clone)]
pub struct Slice {
    /// The file it came from.
    pub file: PathBuf,
    /// Position along the slice normal (mm): ImagePositionPatient · normal.
    pub depth: f64,
    /// ImagePositionPatient z (mm).
    pub z: f64,
    /// RescaleSlope and RescaleIntercept of this slice.
    pub rescale: (f64, f64),
    /// HU values, row-major (rows × columns).
    pub hu: Vec<f32>,
}

/// An axial CT series sorted along the slice normal, ready to score.
#[derive(Debug, Clone)]
pub struct Series {
    /// SeriesInstanceUID.
    pub uid: String,
    /// StudyInstanceUID.
    pub study_uid: String,
    /// PatientID.
    pub patient_id: String,
    /// StudyDate (YYYYMMDD as written).
    pub study_date: String,
    /// SeriesDescription.
    pub description: String,
    /// Tube voltage (kV), when given.
    pub kvp: Option<f64>,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Distance between rows, then between columns (mm).
    pub pixel_spacing: [f64; 2],
    /// SliceThickness (mm), when given.
    pub thickness: Option<f64>,
    /// Distance between consecutive slice positions (mm); SliceThickness for a single slice.
    pub slice_spacing: f64,
    /// Where `slice_spacing` comes from.
    pub spacing_source: &'static str,
    /// Slices in increasing position along the normal.
    pub slices: Vec<Slice>,
}

impl Series {
    /// Area of one pixel (mm²).
    pub(crate) fn pixel_area(&self) -> f64 {
        self.pixel_spacing[0] * self.pixel_spacing[1]
    }
}

/// Every regular file under `dir` (recursively, hidden files skipped, symlinked directories not followed),
/// sorted by path; `dir` may also be a single file.
pub(crate) fn list_files(dir: &Path) -> Result<Vec<PathBuf>, crate::Error> {
    Ok(list_files_skipping(dir, &|_| false)?.0)
}

/// [`list_files`], not entering the directories below `dir` for which `skip_dir` is true (calcscore's own output
/// directories); those are returned second, sorted.
pub(crate) fn list_files_skipping(
    dir: &Path,
    skip_dir: &dyn Fn(&Path) -> bool,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), crate::Error> {
    let meta = std::fs::metadata(dir).map_err(|e| crate::Error::io("read", dir, e))?;
    if meta.is_file() {
        return Ok((vec![dir.to_path_buf()], Vec::new()));
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| crate::Error::io("read", &d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| crate::Error::io("read", &d, e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue; // hidden files (.DS_Store, editor backups) are not images
            }
            // Directories are entered only when they are real directories (a symlink loop cannot recur).
            match entry.file_type() {
                Ok(t) if t.is_dir() && skip_dir(&path) => skipped.push(path),
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) if path.is_file() => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    skipped.sort();
    Ok((out, skipped))
}

/// Read the header of every file; DICOMDIR files are skipped, files that are not DICOM are problems.
pub fn scan(files: &[PathBuf]) -> (Vec<Header>, Vec<String>) {
    let mut headers = Vec::new();
    let mut problems = Vec::new();
    for r in files.par_iter().map(|f| header(f)).collect::<Vec<_>>() {
        match r {
            Ok(Some(h)) => headers.push(h),
            Ok(None) => {}
            Err(Unread::NotDicom(f)) => problems.push(f.problem()),
            Err(Unread::Broken(p)) => problems.push(p),
        }
    }
    (headers, problems)
}

/// A file that is not DICOM at all: no DICM marker at byte 128 and not parseable as DICOM (a README, a PDF).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotDicom {
    /// The file.
    pub file: PathBuf,
    /// Why it is not read as DICOM.
    pub reason: String,
}

impl NotDicom {
    /// The message that refuses such a file (`--dicom`; `--batch` when nothing under the root is DICOM).
    pub fn problem(&self) -> String {
        format!(
            "{}: not a readable DICOM file ({})",
            self.file.display(),
            self.reason
        )
    }
}

/// Read the header of every file, keeping apart the files that are not DICOM at all from the DICOM files that
/// cannot be read (truncated, corrupted: problems). Returns (headers, not DICOM, problems), each in file order.
pub(crate) fn scan_tree(files: &[PathBuf]) -> (Vec<Header>, Vec<NotDicom>, Vec<String>) {
    let mut headers = Vec::new();
    let mut not_dicom = Vec::new();
    let mut problems = Vec::new();
    for r in files.par_iter().map(|f| header(f)).collect::<Vec<_>>() {
        match r {
            Ok(Some(h)) => headers.push(h),
            Ok(None) => {}
            Err(Unread::NotDicom(f)) => not_dicom.push(f),
            Err(Unread::Broken(p)) => problems.push(p),
        }
    }
    (headers, not_dicom, problems)
}

/// Why a file's header was not read.
enum Unread {
    /// Not DICOM at all.
    NotDicom(NotDicom),
    /// DICOM (or unreadable) but broken: the message.
    Broken(String),
}

/// Read one series from `dir`: the only series there, or the one named by `series_uid`.
pub fn read_series(dir: &Path, series_uid: Option<&str>) -> crate::Result<Series> {
    let files = list_files(dir)?;
    if files.is_empty() {
        return Err(ImagingError::NoFiles {
            dir: dir.display().to_string(),
        }
        .into());
    }
    let (headers, problems) = scan(&files);
    if !problems.is_empty() {
        return Err(ImagingError::Files { problems }.into());
    }
    let groups = group(headers);
    let chosen = choose(dir, groups, series_uid)?;
    Ok(load(chosen)?)
}

/// Headers grouped by SeriesInstanceUID (sorted by UID).
pub fn group(headers: Vec<Header>) -> BTreeMap<String, Vec<Header>> {
    let mut groups: BTreeMap<String, Vec<Header>> = BTreeMap::new();
    for h in headers {
        groups.entry(h.series_uid.clone()).or_default().push(h);
    }
    groups
}

/// One line describing a series (UID, modality, files, description).
pub fn describe(headers: &[Header]) -> String {
    let h = &headers[0];
    format!(
        "{} ({}, {} file(s){}{})",
        h.series_uid,
        if h.modality.is_empty() {
            "no modality"
        } else {
            &h.modality
        },
        headers.len(),
        if h.description.is_empty() { "" } else { ", " },
        h.description
    )
}

fn choose(
    dir: &Path,
    mut groups: BTreeMap<String, Vec<Header>>,
    uid: Option<&str>,
) -> Result<Vec<Header>, ImagingError> {
    let list = |g: &BTreeMap<String, Vec<Header>>| g.values().map(|h| describe(h)).collect();
    match uid {
        Some(u) => groups
            .remove(u)
            .ok_or_else(|| ImagingError::SeriesNotFound {
                dir: dir.display().to_string(),
                uid: u.to_string(),
                found: list(&groups),
            }),
        None if groups.len() == 1 => Ok(groups.into_values().next().unwrap_or_default()),
        None => Err(ImagingError::MixedSeries {
            dir: dir.display().to_string(),
            series: list(&groups),
        }),
    }
}

/// Why a file of a series cannot be scored (not CT, localizer, encoding, geometry), if it cannot.
pub fn refusal(h: &Header) -> Option<String> {
    let f = h.file.display();
    if !h.modality.eq_ignore_ascii_case("CT") {
        return Some(format!(
            "{f}: Modality is '{}', not CT; only CT images can be scored",
            h.modality
        ));
    }
    if h.image_type
        .iter()
        .any(|t| t.trim().eq_ignore_ascii_case("LOCALIZER"))
    {
        return Some(format!(
            "{f}: a localizer (scout) image (ImageType {}); score the axial series instead",
            h.image_type.join("\\")
        ));
    }
    if let Some((_, name)) = REFUSED_SYNTAXES
        .iter()
        .find(|(u, _)| *u == h.transfer_syntax)
    {
        return Some(format!(
            "{f}: transfer syntax {name} ({}) is not supported (it needs a C codec); \
             fix: convert the series to explicit VR little endian (e.g. `gdcmconv --raw` or `dcmdjpls`/`dcmdjp2k`)",
            h.transfer_syntax
        ));
    }
    if h.samples != 1 || h.frames > 1 {
        return Some(format!(
            "{f}: {} frame(s) of {} sample(s) per pixel; only single-frame greyscale slices are supported",
            h.frames, h.samples
        ));
    }
    let missing: Vec<&str> = [
        ("PixelSpacing", h.pixel_spacing.is_none()),
        ("ImagePositionPatient", h.position.is_none()),
        ("ImageOrientationPatient", h.orientation.is_none()),
        ("Rows/Columns", h.size.is_none()),
        ("RescaleSlope/RescaleIntercept", h.rescale.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(n, _)| *n)
    .collect();
    if !missing.is_empty() {
        return Some(format!(
            "{f}: missing or unreadable {}; the score needs the pixel size, slice positions and HU rescale",
            missing.join(", ")
        ));
    }
    let n = normal(h.orientation.unwrap_or_default());
    if n[2].abs() < AXIAL_COS {
        return Some(format!(
            "{f}: not an axial slice (ImageOrientationPatient {:?}, normal {:.3?}); Agatston scoring needs axial slices",
            h.orientation.unwrap_or_default(),
            n
        ));
    }
    None
}

/// Check, sort and decode the files of one series.
pub fn load(headers: Vec<Header>) -> Result<Series, ImagingError> {
    let problems: Vec<String> = headers.iter().filter_map(refusal).collect();
    if !problems.is_empty() {
        return Err(ImagingError::Files { problems });
    }
    let first = headers[0].clone();
    consistent(&first, &headers)?;
    let n = normal(first.orientation.unwrap_or_default());
    let mut placed: Vec<(f64, Header)> = headers
        .into_iter()
        .map(|h| (dot(h.position.unwrap_or_default(), n), h))
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (slice_spacing, spacing_source) = spacing(&placed, first.thickness)?;
    let (rows, cols) = first.size.unwrap_or_default();
    let slices = placed
        .into_par_iter()
        .map(|(depth, h)| decode(&h, depth, rows * cols))
        .collect::<Result<Vec<Slice>, String>>()
        .map_err(|p| ImagingError::Files { problems: vec![p] })?;
    Ok(Series {
        uid: first.series_uid,
        study_uid: first.study_uid,
        patient_id: first.patient_id,
        study_date: first.study_date,
        description: first.description,
        kvp: first.kvp,
        rows,
        cols,
        pixel_spacing: first.pixel_spacing.unwrap_or_default(),
        thickness: first.thickness,
        slice_spacing,
        spacing_source,
        slices,
    })
}

/// Every slice has the size, pixel spacing and orientation of the first.
fn consistent(first: &Header, headers: &[Header]) -> Result<(), ImagingError> {
    let close = |a: &[f64], b: &[f64], tol: f64| a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol);
    for h in headers {
        let rule = if h.size != first.size {
            format!(
                "{:?} pixels, but {} has {:?}",
                h.size,
                first.file.display(),
                first.size
            )
        } else if !close(
            &h.pixel_spacing.unwrap_or_default(),
            &first.pixel_spacing.unwrap_or_default(),
            1e-4,
        ) {
            format!(
                "PixelSpacing {:?}, but {} has {:?}",
                h.pixel_spacing.unwrap_or_default(),
                first.file.display(),
                first.pixel_spacing.unwrap_or_default()
            )
        } else if !close(
            &h.orientation.unwrap_or_default(),
            &first.orientation.unwrap_or_default(),
            1e-3,
        ) {
            format!(
                "ImageOrientationPatient differs from {}",
                first.file.display()
            )
        } else {
            continue;
        };
        return Err(ImagingError::Inconsistent {
            file: h.file.display().to_string(),
            rule: format!(
                "{rule}; every slice of a series must share size, pixel spacing and orientation"
            ),
        });
    }
    if first
        .pixel_spacing
        .unwrap_or_default()
        .iter()
        .any(|s| !(*s > 0.0 && s.is_finite()))
    {
        return Err(ImagingError::Inconsistent {
            file: first.file.display().to_string(),
            rule: format!(
                "PixelSpacing {:?} is not positive",
                first.pixel_spacing.unwrap_or_default()
            ),
        });
    }
    Ok(())
}

/// Slice spacing from the sorted positions (all gaps equal within 1% + 0.01 mm), or SliceThickness for one slice.
fn spacing(
    placed: &[(f64, Header)],
    thickness: Option<f64>,
) -> Result<(f64, &'static str), ImagingError> {
    if placed.len() == 1 {
        return match thickness.filter(|t| *t > 0.0 && t.is_finite()) {
            Some(t) => Ok((t, "SliceThickness (single slice)")),
            None => Err(ImagingError::Inconsistent {
                file: placed[0].1.file.display().to_string(),
                rule:
                    "a single slice without a positive SliceThickness: the slice spacing is unknown"
                        .into(),
            }),
        };
    }
    let gaps: Vec<f64> = placed.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let step = gaps[0];
    for (i, g) in gaps.iter().enumerate() {
        if *g < 1e-3 {
            return Err(ImagingError::Inconsistent {
                file: placed[i + 1].1.file.display().to_string(),
                rule: format!(
                    "same slice position as {} ({:.3} mm along the normal); a series must not repeat a slice",
                    placed[i].1.file.display(),
                    placed[i].0
                ),
            });
        }
        if (g - step).abs() > 0.01 * step + 0.01 {
            return Err(ImagingError::Inconsistent {
                file: placed[i + 1].1.file.display().to_string(),
                rule: format!(
                    "irregular slice spacing: {g:.3} mm from the previous slice, {step:.3} mm between the first two \
                     (a missing slice?)"
                ),
            });
        }
    }
    let mean = (placed[placed.len() - 1].0 - placed[0].0) / gaps.len() as f64;
    // Evenly spaced slices farther apart than their thickness leave tissue unscored: a slice missing from a
    // series of three is such a gap (scored without it, a 121 Agatston series read 0).
    if let Some(t) = thickness.filter(|t| *t > 0.0 && t.is_finite() && mean > 1.5 * t + 0.01) {
        return Err(ImagingError::Inconsistent {
            file: placed[1].1.file.display().to_string(),
            rule: format!(
                "slices {mean:.3} mm apart with a SliceThickness of {t} mm: the series is not contiguous (a \
                 missing slice?); the Agatston score needs contiguous slices"
            ),
        });
    }
    Ok((mean, "ImagePositionPatient (mean distance between slices)"))
}

/// Decode one slice's pixels and apply its rescale.
fn decode(h: &Header, depth: f64, n: usize) -> Result<Slice, String> {
    let f = h.file.display();
    let raw = guarded(|| -> Result<Vec<f64>, String> {
        let obj = dicom_object::open_file(&h.file).map_err(|e| e.to_string())?;
        let px = obj.decode_pixel_data().map_err(|e| e.to_string())?;
        let opts = ConvertOptions::new().with_modality_lut(ModalityLutOption::None);
        px.to_vec_frame_with_options::<f64>(0, &opts)
            .map_err(|e| e.to_string())
    })
    .map_err(|e| format!("{f}: cannot decode the pixel data: {e}"))?;
    if raw.len() != n {
        return Err(format!(
            "{f}: {} pixel values decoded, {n} expected from Rows × Columns",
            raw.len()
        ));
    }
    let (slope, intercept) = h.rescale.unwrap_or((1.0, 0.0));
    Ok(Slice {
        file: h.file.clone(),
        depth,
        z: h.position.unwrap_or_default()[2],
        rescale: (slope, intercept),
        hu: raw.iter().map(|v| (v * slope + intercept) as f32).collect(),
    })
}

/// Run a parser call, turning a panic inside the DICOM library into an error message.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("the DICOM parser failed on this file (malformed data)".into()))
}

/// Read the header of one file; `Ok(None)` for a DICOMDIR. A file the parser refuses is not DICOM when it has
/// no DICM marker at byte 128 (a file that parses is DICOM, marker or not), else broken DICOM.
fn header(file: &Path) -> Result<Option<Header>, Unread> {
    let bytes = std::fs::read(file)
        .map_err(|e| Unread::Broken(format!("{}: cannot read: {e}", file.display())))?;
    super::guard::check_lengths(&bytes).map_err(|e| {
        Unread::Broken(format!(
            "{}: not a readable DICOM file ({e})",
            file.display()
        ))
    })?;
    let obj = guarded(|| {
        OpenFileOptions::new()
            .read_until(tags::PIXEL_DATA)
            .open_file(file)
            .map_err(|e| e.to_string())
    })
    .map_err(|e| match bytes.get(128..132) == Some(b"DICM".as_slice()) {
        true => Unread::Broken(format!(
            "{}: not a readable DICOM file ({e})",
            file.display()
        )),
        false => Unread::NotDicom(NotDicom {
            file: file.to_path_buf(),
            reason: "no DICM marker at byte 128".into(),
        }),
    })?;
    if obj
        .meta()
        .media_storage_sop_class_uid()
        .trim_end_matches('\0')
        == DICOMDIR_CLASS
    {
        return Ok(None);
    }
    Ok(Some(header_of(file, &obj)))
}

fn header_of(file: &Path, obj: &DefaultDicomObject) -> Header {
    let text = |t: Tag| {
        obj.get(t)
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim().trim_end_matches('\0').to_string())
            .unwrap_or_default()
    };
    let floats = |t: Tag| obj.get(t).and_then(|e| e.to_multi_float64().ok());
    let float = |t: Tag| {
        floats(t)
            .and_then(|v| v.first().copied())
            .filter(|v| v.is_finite())
    };
    let int = |t: Tag| obj.get(t).and_then(|e| e.to_int::<i64>().ok());
    let fixed =
        |t: Tag, k: usize| floats(t).filter(|v| v.len() == k && v.iter().all(|x| x.is_finite()));
    let size = match (int(tags::ROWS), int(tags::COLUMNS)) {
        (Some(r), Some(c)) if r > 0 && c > 0 && r <= 65535 && c <= 65535 => {
            Some((r as usize, c as usize))
        }
        _ => None,
    };
    Header {
        file: file.to_path_buf(),
        transfer_syntax: obj
            .meta()
            .transfer_syntax()
            .trim_end_matches('\0')
            .to_string(),
        modality: text(tags::MODALITY),
        image_type: obj
            .get(tags::IMAGE_TYPE)
            .and_then(|e| e.to_multi_str().ok())
            .map(|v| v.iter().map(|s| s.trim().to_string()).collect())
            .unwrap_or_default(),
        series_uid: text(tags::SERIES_INSTANCE_UID),
        study_uid: text(tags::STUDY_INSTANCE_UID),
        patient_id: text(tags::PATIENT_ID),
        study_date: text(tags::STUDY_DATE),
        description: text(tags::SERIES_DESCRIPTION),
        position: fixed(tags::IMAGE_POSITION_PATIENT, 3).map(|v| [v[0], v[1], v[2]]),
        orientation: fixed(tags::IMAGE_ORIENTATION_PATIENT, 6)
            .map(|v| [v[0], v[1], v[2], v[3], v[4], v[5]]),
        pixel_spacing: fixed(tags::PIXEL_SPACING, 2).map(|v| [v[0], v[1]]),
        thickness: float(tags::SLICE_THICKNESS),
        kvp: float(tags::KVP),
        size,
        rescale: float(tags::RESCALE_SLOPE).zip(float(tags::RESCALE_INTERCEPT)),
        frames: int(tags::NUMBER_OF_FRAMES)
            .map(|v| v.clamp(0, u32::MAX as i64) as u32)
            .unwrap_or(1),
        samples: int(tags::SAMPLES_PER_PIXEL)
            .map(|v| v.clamp(0, u16::MAX as i64) as u16)
            .unwrap_or(1),
        instance: int(tags::INSTANCE_NUMBER),
    }
}

/// Unit normal of the slice plane (row direction × column direction).
fn normal(o: [f64; 6]) -> [f64; 3] {
    let (r, c) = ([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
    let n = [
        r[1] * c[2] - r[2] * c[1],
        r[2] * c[0] - r[0] * c[2],
        r[0] * c[1] - r[1] * c[0],
    ];
    let len = dot(n, n).sqrt();
    if len > 0.0 {
        n.map(|x| x / len)
    } else {
        [0.0; 3]
    }
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
