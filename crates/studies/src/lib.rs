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
    /// A notice for `input`: synthetic when its name says so (`*synthetic*`).
    pub fn for_input(input: &std::path::Path, sha256: String, synthetic_model: &str) -> Self {
        let name = input
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let synthetic = name.contains("synthetic");
        let text = if synthetic {
            format!(
                "SYNTHETIC DATA. These results come from a simulated registry, not from patients: {synthetic_model} \
                 The study's patient-level data are not public; agreement with the published numbers shows that the \
                 pipeline reproduces the analysis, not that the data are real."
            )
        } else {
            "Data supplied by the user (not simulated by calcscore).".to_string()
        };
        DataNotice {
            synthetic,
            text,
            input: input.display().to_string(),
            sha256,
        }
    }
}

/// SHA-256 of a file, as lowercase hex.
pub fn sha256_file(path: &std::path::Path) -> crate::Result<String> {
    use sha2::Digest;
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io("read", path, e))?;
    Ok(sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
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
