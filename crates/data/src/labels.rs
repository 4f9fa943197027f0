//! Variable labels for tables: a TOML file of lines `column = "Label (unit)"`.

use std::collections::BTreeMap;
use std::path::Path;

use super::load::did_you_mean;
use super::DataError;

/// Read a labels file; every key must be one of `columns` (a typo is refused with the nearest name).
pub fn read_labels(path: &Path, columns: &[String]) -> Result<BTreeMap<String, String>, DataError> {
    let file = path.display().to_string();
    let bad = |reason: String| DataError::BadOption {
        file: file.clone(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        bad(format!(
            "cannot read the labels file: {e}; fix: check the path"
        ))
    })?;
    let given: BTreeMap<String, String> = toml::from_str(&text).map_err(|e| {
        bad(format!(
            "not a labels file ({}); fix: one line per column: column = \"Label (unit)\"",
            crate::clip(e.to_string().trim_end())
        ))
    })?;
    for column in given.keys() {
        if !columns.contains(column) {
            let near = did_you_mean(column, columns.iter().map(String::as_str))
                .map(|n| format!("did you mean '{n}'? "))
                .unwrap_or_default();
            return Err(bad(format!(
                "a label for '{column}', which is no column of the table; fix: {near}use a column name on the left"
            )));
        }
    }
    Ok(given)
}
