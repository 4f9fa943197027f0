//! Problems with DICOM inputs (the imaging layer returns them; the error type of every layer wraps them).

/// A problem with a DICOM input: each names the file (or directory) and the rule it breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImagingError {
    /// The directory holds no file at all.
    #[error("{dir}: no files found (expected the DICOM files of one CT series)")]
    NoFiles { dir: String },
    /// Files that cannot be used, listed together (not DICOM, not CT, localizer, unsupported encoding ...).
    #[error("{} file(s) cannot be scored:\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Files { problems: Vec<String> },
    /// Several series in the directory and none chosen.
    #[error("{dir}: {} series found; choose one with --series UID:\n{}", series.len(), series.iter().map(|s| format!("  {s}")).collect::<Vec<_>>().join("\n"))]
    MixedSeries { dir: String, series: Vec<String> },
    /// `--series` names a series the directory does not hold.
    #[error("{dir}: no series with SeriesInstanceUID {uid}; found:\n{}", found.iter().map(|s| format!("  {s}")).collect::<Vec<_>>().join("\n"))]
    SeriesNotFound {
        dir: String,
        uid: String,
        found: Vec<String>,
    },
    /// The slices do not agree with each other (size, spacing, orientation, positions).
    #[error("{file}: {rule}")]
    Inconsistent { file: String, rule: String },
    /// An option cannot be applied to this series (e.g. kV thresholds for an unlisted tube voltage).
    #[error("{file}: {rule}")]
    Unsupported { file: String, rule: String },
    /// A label mask that does not fit the series.
    #[error("{file}: {rule}")]
    Labels { file: String, rule: String },
}
