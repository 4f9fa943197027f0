//! The built-in reproductions, each a short composition of data → cohort → stats → score → report.

pub mod denosumab;
pub mod published;
pub mod shipped;
pub mod zhang2021;

pub use calcscore_core::{Error, Result};

use serde::{Deserialize, Serialize};

/// What the report must say about where the data come from, at its top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataNotice {
    /// True when the data were simulated.
    pub synthetic: bool,
    /// The notice in words.
    pub text: String,
    /// Input file as given.
    pub input: String,
    /// SHA-256 of the input file.
    pub sha256: String,
}

impl DataNotice {
    /// A notice for `input` of `study`: synthetic when its bytes are the study's shipped synthetic registry
    /// (same SHA-256); any other file is the user's, of which calcscore claims nothing (a file name says
    /// nothing: a copy of the shipped file under another name is still synthetic, and a hospital file named
    /// `*synthetic*` is not).
    pub(crate) fn for_input(
        input: &std::path::Path,
        sha256: String,
        study: &str,
        synthetic_model: &str,
    ) -> Self {
        let shipped = shipped::dataset(study).map(|(_, bytes)| sha256_hex(bytes));
        let synthetic = shipped.as_deref() == Some(sha256.as_str());
        let text = if synthetic {
            format!(
                "SYNTHETIC DATA. These results come from a simulated registry, not from patients: {synthetic_model} \
                 The study's patient-level data are not public; agreement with the published numbers shows that the \
                 pipeline reproduces the analysis, not that the data are real."
            )
        } else {
            "Data supplied by the user: not the synthetic registry calcscore ships (another SHA-256), so calcscore \
             makes no claim on how they were collected or generated."
                .to_string()
        };
        DataNotice {
            synthetic,
            text,
            input: input.display().to_string(),
            sha256,
        }
    }
}

/// The notice for an input of any verb (`derive --data`, `table1 --data` ...) when its bytes are one of the
/// synthetic datasets calcscore ships (same SHA-256, the rule of `reproduce`); `None` for any other file, and for
/// a file that cannot be read (the loader reports that). Only a file of a shipped file's exact size is hashed.
pub fn shipped_synthetic(input: &std::path::Path) -> Option<DataNotice> {
    const SHIPPED: [(&str, &str, &str); 2] = [
        (
            "zhang2021",
            "Zhang 2021 lesion registry",
            zhang2021::SYNTHETIC_MODEL,
        ),
        (
            "denosumab-pilot",
            "denosumab pilot CAC table",
            denosumab::SYNTHETIC_MODEL,
        ),
    ];
    let len = std::fs::metadata(input).ok()?.len();
    let sized = |study: &str| shipped::dataset(study).is_some_and(|(_, b)| b.len() as u64 == len);
    if !SHIPPED.iter().any(|(study, ..)| sized(study)) {
        return None;
    }
    let sha = sha256_file(input).ok()?;
    SHIPPED.iter().find_map(|&(study, what, model)| {
        let notice = DataNotice::for_input(input, sha.clone(), study, model);
        let (label, _) = shipped::dataset(study)?;
        notice.synthetic.then(|| DataNotice {
            text: format!(
                "SYNTHETIC DATA: {} is calcscore's shipped synthetic {what} ({label}, same SHA-256), simulated \
                 to match published summaries, not patients: {model}",
                input.display()
            ),
            ..notice
        })
    })
}

/// SHA-256 of bytes, as lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file, as lowercase hex.
pub fn sha256_file(path: &std::path::Path) -> crate::Result<String> {
    use sha2::Digest;
    // Streamed, not read whole: a 10^6-lesion CSV is 75 MiB, and the hash ran while the analysis set was alive.
    let err = |e| crate::Error::io("read", path, e);
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(err)?;
    let mut hasher = sha2::Sha256::new();
    // 1 MiB reads, not io::copy's 8 KiB: fewer system calls and page copies on a 10^7-lesion file.
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(err(e)),
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// One named quantity of a study's results, as `check` compares it with the published value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// Name matching `datasets/published/*.toml`.
    pub name: String,
    /// Reproduced value.
    pub estimate: f64,
    /// Lower 95% limit, when the quantity has one.
    pub conf_low: Option<f64>,
    /// Upper 95% limit.
    pub conf_high: Option<f64>,
    /// P-value, when the quantity is a test.
    pub p_value: Option<f64>,
    /// How it was computed.
    pub method: String,
}

impl Quantity {
    /// A count or exact value without interval.
    pub fn value(name: impl Into<String>, estimate: f64, method: impl Into<String>) -> Self {
        Quantity {
            name: name.into(),
            estimate,
            conf_low: None,
            conf_high: None,
            p_value: None,
            method: method.into(),
        }
    }

    /// The quantity with the p-value of its test.
    pub(crate) fn with_p(self, p_value: f64) -> Self {
        Quantity {
            p_value: Some(p_value),
            ..self
        }
    }

    /// A value with a confidence interval.
    pub fn with_ci(
        name: impl Into<String>,
        estimate: f64,
        ci: (f64, f64),
        method: impl Into<String>,
    ) -> Self {
        Quantity {
            conf_low: Some(ci.0),
            conf_high: Some(ci.1),
            ..Self::value(name, estimate, method)
        }
    }
}

/// calcscore's version and the git revision it was built from, as every results.json records it.
pub fn version() -> String {
    format!(
        "{} (git {})",
        env!("CARGO_PKG_VERSION"),
        option_env!("CALCSCORE_GIT_REV").unwrap_or("unknown")
    )
}

/// manifest.json of a run: what was run, on which input, with which options.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest<O> {
    /// calcscore version.
    pub calcscore_version: String,
    /// Git revision calcscore was built from.
    pub git_revision: String,
    /// Study key.
    pub study: String,
    /// Input file as given.
    pub input: String,
    /// SHA-256 of the input file.
    pub input_sha256: String,
    /// True when the data were simulated.
    pub synthetic_data: bool,
    /// Seed of the run's random steps, when it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Options of the run.
    pub options: O,
    /// Files the run writes, when listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

impl<O: Serialize> Manifest<O> {
    /// The manifest of a run of `study` on the input of `notice`.
    pub fn new(study: &str, notice: &DataNotice, options: O) -> Self {
        Manifest {
            calcscore_version: env!("CARGO_PKG_VERSION").into(),
            git_revision: option_env!("CALCSCORE_GIT_REV").unwrap_or("unknown").into(),
            study: study.into(),
            input: notice.input.clone(),
            input_sha256: notice.sha256.clone(),
            synthetic_data: notice.synthetic,
            seed: None,
            options,
            files: Vec::new(),
        }
    }

    /// The manifest as manifest.json text.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// A results or manifest file's text: pretty JSON, newline-terminated; NaN and infinities as the strings
/// "NaN", "Inf", "-Inf" (JSON has no such numbers; [`read_results`] reads them back).
pub fn to_json<T: Serialize>(value: &T) -> String {
    calcscore_report::json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// Read a study's results.json into its results type ("Inf", "-Inf", "NaN" read back as those numbers, `null`
/// as NaN); errors say how to make one.
pub(crate) fn read_results<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    study: &str,
) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read {}: {e} (run `calcscore reproduce {study}` first, or pass --results)",
            path.display()
        ))
    })?;
    parse_results(&text, &path.display().to_string(), study)
}

/// Parse a results.json text of `study` (non-finite numbers as in [`read_results`]); `origin` names the file in errors. A file
/// written by a newer calcscore is refused before its fields are read (they may mean what this version cannot know).
pub(crate) fn parse_results<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
    study: &str,
) -> Result<T> {
    #[derive(Deserialize)]
    struct Written {
        calcscore_version: Option<String>,
        study: Option<String>,
    }
    // A file that is not JSON, or lacks a textual version, is reported by the full parse below.
    if let Ok(written) = serde_json::from_str::<Written>(text) {
        if let Some(found) = written.calcscore_version {
            refuse_newer(&found, env!("CARGO_PKG_VERSION"), origin, study)?;
        }
        if let Some(other) = written.study.filter(|s| !s.is_empty() && s != study) {
            return Err(Error::Usage(format!(
                "{origin}: holds the results of study '{other}', not {study}. Fix: `calcscore check {other} \
                 --results {origin}` checks it; `report --results` rebuilds zhang2021 reports only (`calcscore \
                 reproduce {other}` writes that study's report)"
            )));
        }
    }
    calcscore_report::json::from_str_lenient(text).map_err(|e| {
        Error::Usage(format!(
            "{origin}: {e} (not a calcscore {study} results.json, or from an older version)"
        ))
    })
}

/// Refuse results whose `calcscore_version` ("0.2.0 (git abc123)") is newer than `running` (compared as semver
/// MAJOR.MINOR.PATCH, a pre-release before its release); an older or equal version is accepted.
fn refuse_newer(found: &str, running: &str, origin: &str, study: &str) -> Result<()> {
    let Some(written) = semver_key(found) else {
        return Err(Error::Usage(format!(
            "{origin}: calcscore_version '{found}' is not a calcscore version (MAJOR.MINOR.PATCH); \
             rerun `calcscore reproduce {study}` to write a new results.json"
        )));
    };
    match semver_key(running) {
        Some(this) if written > this => Err(Error::Usage(format!(
            "{origin}: written by calcscore {found}, newer than this calcscore {running}; \
             its results may hold what this version cannot read. Fix: use calcscore {} or newer \
             to report or check it, or rerun `calcscore reproduce {study}` with this version",
            found.split_whitespace().next().unwrap_or(found)
        ))),
        _ => Ok(()),
    }
}

/// (major, minor, patch, is a release) of a version such as "0.1.0", "v1.2.3-rc.1" or "0.1.0 (git abc)".
fn semver_key(version: &str) -> Option<(u64, u64, u64, bool)> {
    let v = version.split_whitespace().next()?;
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split('+').next()?;
    let (core, pre) = match v.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (v, None),
    };
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let key = (
        parts.next()??,
        parts.next()??,
        parts.next()??,
        pre.is_none(),
    );
    parts.next().is_none().then_some(key)
}

/// A built-in reproduction: its key, shipped data, exclusion rules, published numbers and results type. `check`
/// and `report` dispatch through it.
pub trait Study {
    /// Key as on the command line and in `datasets/published/`.
    const KEY: &'static str;
    /// The shipped synthetic dataset, relative to the repository.
    const SHIPPED_DATA: &'static str;
    /// The results.json type, written by `reproduce` and read back by `check` and `report`.
    type Results: serde::de::DeserializeOwned;

    /// The named quantities of a run's results.
    fn quantities(results: Self::Results) -> Vec<Quantity>;

    /// The study's exclusion rules (a named rule set a user may select); none by default.
    fn rules() -> Vec<calcscore_data::cohort::Rule> {
        Vec::new()
    }

    /// The published numbers `check` compares with.
    fn published() -> Result<published::Published> {
        published::Published::builtin(Self::KEY)
    }

    /// Read the named quantities from a results.json of this study.
    fn read_quantities(path: &std::path::Path) -> Result<Vec<Quantity>> {
        Ok(Self::quantities(read_results::<Self::Results>(
            path,
            Self::KEY,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_semver() {
        assert_eq!(semver_key("0.1.0 (git abc123)"), Some((0, 1, 0, true)));
        assert_eq!(semver_key("v1.2.3-rc.1+build"), Some((1, 2, 3, false)));
        assert_eq!(semver_key("0.10.0"), Some((0, 10, 0, true)));
        for bad in ["", "0.1", "0.1.0.0", "one.two.three", "0.-1.0"] {
            assert_eq!(semver_key(bad), None, "{bad}");
        }
        // 0.10.0 is newer than 0.9.9 (numbers, not text); a pre-release comes before its release.
        for (found, running) in [
            ("0.10.0", "0.9.9"),
            ("0.1.1 (git x)", "0.1.0"),
            ("1.0.0", "0.99.99"),
            ("0.2.0-alpha", "0.1.0"),
            ("0.1.0", "0.1.0-rc.1"),
        ] {
            let e = refuse_newer(found, running, "r.json", "zhang2021").unwrap_err();
            let e = e.to_string();
            assert!(
                e.starts_with(&format!(
                    "r.json: written by calcscore {found}, newer than this calcscore {running}"
                )),
                "{e}"
            );
        }
        for (found, running) in [
            ("0.1.0 (git abc)", "0.1.0"),
            ("0.0.9", "0.1.0"),
            ("0.9.9", "0.10.0"),
            ("0.1.0-rc.1", "0.1.0"),
        ] {
            assert!(refuse_newer(found, running, "r.json", "zhang2021").is_ok());
        }
        let e = refuse_newer("next", "0.1.0", "r.json", "zhang2021").unwrap_err();
        assert!(
            e.to_string().contains("'next' is not a calcscore version"),
            "{e}"
        );
    }
}
