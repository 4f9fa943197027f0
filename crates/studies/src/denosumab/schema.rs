//! The patient-level CAC follow-up schema (one row per patient, paired before/after scans) and its
//! loader: every problem is collected with file, spreadsheet row, column and rule.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::Result;
use calcscore_data::dates::parse_date;
use calcscore_data::registry::parse_binary;
use calcscore_data::table::{format_number, number_hint, parse_number};
use calcscore_data::validate::bad_id;
use calcscore_data::{clip, open_with, ColumnData, DataError, ReadOptions, Table};

/// The kind of values a CAC schema column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// An identifier (kept as text).
    Id,
    /// Free text.
    Text,
    /// 0/1 (also accepted: true/false, yes/no).
    Binary,
    /// A number within `[min, max]`.
    Number { min: f64, max: f64 },
    /// A calendar date written `YYYY-MM-DD`.
    Date,
    /// One of a fixed list of levels (matched case-insensitively).
    Category(&'static [&'static str]),
}

/// When a column must have a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Every row must have a value.
    Always,
    /// Rows with `evaluable = 1` must have a value.
    Evaluable,
    /// Optional.
    Optional,
}

/// One column of the CAC schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CacColumn {
    /// Column name (after `--map`).
    pub name: &'static str,
    /// Value kind and allowed range.
    pub kind: Kind,
    /// Unit, or "" for none.
    pub unit: &'static str,
    /// When a value is required.
    pub need: Need,
    /// One-line meaning.
    pub description: &'static str,
}

const fn c(
    name: &'static str,
    kind: Kind,
    unit: &'static str,
    need: Need,
    description: &'static str,
) -> CacColumn {
    CacColumn {
        name,
        kind,
        unit,
        need,
        description,
    }
}

const fn n(min: f64, max: f64) -> Kind {
    Kind::Number { min, max }
}

use Need::{Always, Evaluable, Optional};

/// Levels of `sex`.
pub(crate) const SEX_LEVELS: &[&str] = &["f", "m"];

/// The event columns (secondary end point 1 of the pilot), each 0/1 during follow-up.
pub(crate) const EVENT_COLUMNS: [(&str, &str); 4] = [
    ("cardiac_death", "Cardiac death"),
    ("mi", "Non-fatal myocardial infarction"),
    ("revascularisation", "Revascularisation"),
    ("stroke", "Stroke"),
];

/// The paired secondary measurements: (stem, label, unit); columns are `<stem>_before`, `<stem>_after`.
pub(crate) const SECONDARY: [(&str, &str, &str); 4] = [
    ("cavi", "CAVI", ""),
    ("abpi", "ABPI", ""),
    ("apwv", "Aortic PWV", "m/s"),
    ("imt", "IMT", "mm"),
];

/// The CAC follow-up schema, in the documented column order.
pub(crate) const CAC_SCHEMA: &[CacColumn] = &[
    c(
        "patient_id",
        Kind::Id,
        "",
        Always,
        "patient identifier, unique in the file",
    ),
    c(
        "age_years",
        n(18.0, 120.0),
        "years",
        Optional,
        "age at baseline",
    ),
    c("sex", Kind::Category(SEX_LEVELS), "", Optional, "f or m"),
    c(
        "evaluable",
        Kind::Binary,
        "",
        Optional,
        "1 when both scans were analysed (column absent: every patient is; present: no blanks)",
    ),
    c(
        "not_evaluable_reason",
        Kind::Text,
        "",
        Optional,
        "why not evaluable (required when evaluable = 0)",
    ),
    c(
        "scan_date_before",
        Kind::Date,
        "",
        Evaluable,
        "baseline CT date (YYYY-MM-DD)",
    ),
    c(
        "scan_date_after",
        Kind::Date,
        "",
        Evaluable,
        "follow-up CT date, after the baseline",
    ),
    c(
        "agatston_before",
        n(0.0, 20000.0),
        "AU",
        Evaluable,
        "baseline Agatston score",
    ),
    c(
        "agatston_after",
        n(0.0, 20000.0),
        "AU",
        Evaluable,
        "follow-up Agatston score",
    ),
    c(
        "volume_before",
        n(0.0, 20000.0),
        "mm³",
        Optional,
        "baseline calcium volume score",
    ),
    c(
        "volume_after",
        n(0.0, 20000.0),
        "mm³",
        Optional,
        "follow-up calcium volume score",
    ),
    c(
        "mass_before",
        n(0.0, 20000.0),
        "mg",
        Optional,
        "baseline calcium mass score",
    ),
    c(
        "mass_after",
        n(0.0, 20000.0),
        "mg",
        Optional,
        "follow-up calcium mass score",
    ),
    c(
        "bmd_before",
        n(0.1, 2.5),
        "g/cm²",
        Optional,
        "baseline bone mineral density",
    ),
    c(
        "bmd_after",
        n(0.1, 2.5),
        "g/cm²",
        Optional,
        "follow-up bone mineral density",
    ),
    c(
        "bmi",
        n(10.0, 70.0),
        "kg/m²",
        Optional,
        "body-mass index at baseline (MESA repeatability limit)",
    ),
    c(
        "cardiac_death",
        Kind::Binary,
        "",
        Optional,
        "cardiac death during follow-up",
    ),
    c(
        "mi",
        Kind::Binary,
        "",
        Optional,
        "non-fatal myocardial infarction during follow-up",
    ),
    c(
        "revascularisation",
        Kind::Binary,
        "",
        Optional,
        "PCI or CABG during follow-up",
    ),
    c(
        "stroke",
        Kind::Binary,
        "",
        Optional,
        "stroke during follow-up",
    ),
    c(
        "cavi_before",
        n(0.0, 30.0),
        "",
        Optional,
        "cardio-ankle vascular index, baseline",
    ),
    c(
        "cavi_after",
        n(0.0, 30.0),
        "",
        Optional,
        "cardio-ankle vascular index, follow-up",
    ),
    c(
        "abpi_before",
        n(0.0, 2.5),
        "",
        Optional,
        "ankle-brachial pressure index, baseline",
    ),
    c(
        "abpi_after",
        n(0.0, 2.5),
        "",
        Optional,
        "ankle-brachial pressure index, follow-up",
    ),
    c(
        "apwv_before",
        n(0.0, 40.0),
        "m/s",
        Optional,
        "aortic pulse wave velocity, baseline",
    ),
    c(
        "apwv_after",
        n(0.0, 40.0),
        "m/s",
        Optional,
        "aortic pulse wave velocity, follow-up",
    ),
    c(
        "imt_before",
        n(0.0, 5.0),
        "mm",
        Optional,
        "carotid intima-media thickness, baseline",
    ),
    c(
        "imt_after",
        n(0.0, 5.0),
        "mm",
        Optional,
        "carotid intima-media thickness, follow-up",
    ),
];

/// One patient of a CAC follow-up table (dates as days since 1970-01-01).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Patient {
    /// Identifier.
    pub patient_id: String,
    /// Spreadsheet row of the patient in the input.
    pub row: usize,
    /// Age at baseline (years).
    pub age_years: Option<f64>,
    /// "f" or "m".
    pub sex: Option<String>,
    /// Both scans analysed.
    pub evaluable: bool,
    /// Why not, when not evaluable.
    pub not_evaluable_reason: Option<String>,
    /// Baseline scan date (days since 1970-01-01).
    pub scan_day_before: Option<i64>,
    /// Follow-up scan date (days since 1970-01-01).
    pub scan_day_after: Option<i64>,
    /// Every numeric and binary column by schema name (Agatston, BMD, events, secondary measures ...).
    pub values: HashMap<&'static str, f64>,
}

impl Patient {
    /// A numeric value of a schema column, if present.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values.get(name).copied()
    }

    /// Scan interval in years (days / 365.25), when both dates are given.
    pub(crate) fn interval_years(&self) -> Option<f64> {
        Some((self.scan_day_after? - self.scan_day_before?) as f64 / 365.25)
    }
}

/// A loaded, validated CAC follow-up table.
#[derive(Debug, Clone)]
pub struct CacTable {
    /// The file it came from.
    pub source: String,
    /// Patients in file order.
    pub patients: Vec<Patient>,
    /// Schema columns present in the file.
    pub present: Vec<&'static str>,
}

/// Read, map and validate a CAC follow-up file; every problem is returned at once.
/// The header is checked first (map keys, required columns), before the body is read.
pub(crate) fn load_cac(path: &Path, map: Option<&Path>) -> Result<CacTable> {
    load_cac_with(path, map, &ReadOptions::default())
}

/// [`load_cac`] with reading options (a workbook's sheet, a CSV file's dialect).
pub fn load_cac_with(path: &Path, map: Option<&Path>, options: &ReadOptions) -> Result<CacTable> {
    let keys: Vec<&str> = CAC_SCHEMA.iter().map(|s| s.name).collect();
    let opened = open_with(path, map, &keys, options)?;
    let missing = missing_columns(&opened.names, opened.source());
    if !missing.is_empty() {
        return Err(DataError::Problems {
            file: opened.source().to_string(),
            problems: missing,
        }
        .into());
    }
    cac_from_table(&opened.read(&[])?)
}

/// The columns the CAC schema requires that a header lacks.
fn missing_columns(names: &[String], source: &str) -> Vec<DataError> {
    CAC_SCHEMA
        .iter()
        .filter(|s| s.need != Optional && !names.iter().any(|n| n == s.name))
        .map(|spec| DataError::MissingColumn {
            file: source.to_string(),
            column: spec.name.into(),
            hint: " (required by the CAC follow-up schema, see datasets/README.md; map your own name with --map)"
                .into(),
        })
        .collect()
}

/// Validate a table against the CAC schema and build the patients.
pub(crate) fn cac_from_table(table: &Table) -> Result<CacTable> {
    let problems = validate(table);
    if !problems.is_empty() {
        return Err(DataError::Problems {
            file: table.source.clone(),
            problems,
        }
        .into());
    }
    let present: Vec<&'static str> = CAC_SCHEMA
        .iter()
        .filter(|s| table.has(s.name))
        .map(|s| s.name)
        .collect();
    let columns: Vec<(&'static CacColumn, &ColumnData)> = CAC_SCHEMA
        .iter()
        .filter_map(|s| table.column(s.name).ok().map(|c| (s, c)))
        .collect();
    let patients = (0..table.nrows())
        .map(|i| patient(&columns, i, table.row_number(i)))
        .collect();
    Ok(CacTable {
        source: table.source.clone(),
        patients,
        present,
    })
}

/// The text of one cell, numbers formatted back to text.
fn cell(col: &ColumnData, i: usize) -> Option<String> {
    match col {
        ColumnData::Num(v) => v.get(i).map(format_number),
        ColumnData::Text(v) => v
            .get(i)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string),
    }
}

/// A validated numeric or binary cell as a number (numbers read as numbers are used as they are).
fn number(kind: Kind, col: &ColumnData, i: usize) -> Option<f64> {
    match (col, kind) {
        (ColumnData::Num(v), _) => v.get(i),
        (ColumnData::Text(_), Kind::Binary) => {
            parse_binary(&cell(col, i)?).map(|b| if b { 1.0 } else { 0.0 })
        }
        (ColumnData::Text(_), _) => parse_number(&cell(col, i)?),
    }
}

fn patient(columns: &[(&'static CacColumn, &ColumnData)], i: usize, row: usize) -> Patient {
    let get = |name: &str| {
        columns
            .iter()
            .find(|(s, _)| s.name == name)
            .and_then(|(_, c)| cell(c, i))
    };
    let mut values = HashMap::new();
    for (spec, col) in columns {
        if let Kind::Number { .. } | Kind::Binary = spec.kind {
            if let Some(v) = number(spec.kind, col, i) {
                values.insert(spec.name, v);
            }
        }
    }
    Patient {
        patient_id: get("patient_id").unwrap_or_default().trim().to_string(),
        row,
        age_years: values.get("age_years").copied(),
        sex: get("sex").map(|s| s.trim().to_lowercase()),
        evaluable: values.get("evaluable") != Some(&0.0),
        not_evaluable_reason: get("not_evaluable_reason").map(|s| s.trim().to_string()),
        scan_day_before: get("scan_date_before").and_then(|s| parse_date(&s)),
        scan_day_after: get("scan_date_after").and_then(|s| parse_date(&s)),
        values,
    }
}

/// Every problem of a table against the CAC schema.
pub fn validate(table: &Table) -> Vec<DataError> {
    let mut problems = missing_columns(&table.names, &table.source);
    let evaluable: Vec<bool> = (0..table.nrows())
        .map(|i| {
            table
                .column("evaluable")
                .ok()
                .and_then(|c| cell(c, i))
                .and_then(|s| parse_binary(&s))
                .unwrap_or(true)
        })
        .collect();
    for spec in CAC_SCHEMA {
        if let Ok(col) = table.column(spec.name) {
            check_column(table, spec, col, &evaluable, &mut problems);
        }
    }
    problems.extend(row_rules(table, &evaluable));
    problems
}

fn invalid(table: &Table, i: usize, column: &str, value: &str, rule: String) -> DataError {
    DataError::Invalid {
        file: table.source.clone(),
        row: table.row_number(i),
        column: column.into(),
        value: format!("'{}'", clip(value)),
        rule,
    }
}

fn check_column(
    table: &Table,
    spec: &CacColumn,
    col: &ColumnData,
    evaluable: &[bool],
    problems: &mut Vec<DataError>,
) {
    for (i, &ev) in evaluable.iter().enumerate() {
        if let (ColumnData::Num(v), Kind::Number { min, max }) = (col, spec.kind) {
            if v.get(i).is_some_and(|x| x >= min && x <= max) {
                continue;
            }
        }
        let Some(s) = cell(col, i) else {
            if spec.need == Always || (spec.need == Evaluable && ev) {
                let why = if spec.need == Always {
                    "required value is missing".to_string()
                } else {
                    "required for an evaluable patient (evaluable = 1)".to_string()
                };
                problems.push(invalid(table, i, spec.name, "", why));
            }
            continue;
        };
        if let Some(p) = check_cell(table, spec, i, &s) {
            problems.push(p);
        }
    }
}

fn check_cell(table: &Table, spec: &CacColumn, i: usize, s: &str) -> Option<DataError> {
    let bad = |rule: String| Some(invalid(table, i, spec.name, s, rule));
    match spec.kind {
        Kind::Id => bad_id(&table.source, table.row_number(i), spec.name, s),
        Kind::Text => None,
        Kind::Binary => parse_binary(s)
            .is_none()
            .then(|| "must be 0 or 1 (also accepted: true/false, yes/no)".to_string())
            .and_then(bad),
        Kind::Date => parse_date(s)
            .is_none()
            .then(|| "not a date: write YYYY-MM-DD, e.g. 2015-04-30".to_string())
            .and_then(bad),
        Kind::Category(levels) => (!levels.contains(&s.trim().to_lowercase().as_str()))
            .then(|| format!("unknown level; allowed: {}", levels.join(", ")))
            .and_then(bad),
        Kind::Number { min, max } => match parse_number(s) {
            None => Some(DataError::NonNumeric {
                file: table.source.clone(),
                row: table.row_number(i),
                column: spec.name.into(),
                value: clip(s),
                hint: number_hint(s),
            }),
            Some(x) if x < min || x > max => bad(format!(
                "outside the allowed range {min}–{max} {}",
                spec.unit
            )
            .trim_end()
            .to_string()),
            Some(_) => None,
        },
    }
}

/// Rules across columns: unique ids, a reason when not evaluable, follow-up after baseline.
fn row_rules(table: &Table, evaluable: &[bool]) -> Vec<DataError> {
    let mut problems = Vec::new();
    let text = |name: &str, i: usize| table.column(name).ok().and_then(|c| cell(c, i));
    let mut first: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    for (i, &ev) in evaluable.iter().enumerate() {
        if let Some(id) = text("patient_id", i).map(|s| s.trim().to_string()) {
            if let Some(&f) = first.get(&id) {
                let rule = format!(
                    "duplicate patient id (first at row {})",
                    table.row_number(f)
                );
                problems.push(invalid(table, i, "patient_id", &id, rule));
            } else {
                first.insert(id, i);
            }
        }
        if table.has("evaluable") && text("evaluable", i).is_none() {
            let rule = "blank: write 1 (evaluable) or 0 (not, with a reason)".to_string();
            problems.push(invalid(table, i, "evaluable", "", rule));
        }
        if !ev && text("not_evaluable_reason", i).is_none() {
            let rule = "a patient with evaluable = 0 needs a stated reason".to_string();
            problems.push(invalid(table, i, "not_evaluable_reason", "", rule));
        }
        let day = |name| text(name, i).and_then(|s| parse_date(&s));
        if let (Some(b), Some(a)) = (day("scan_date_before"), day("scan_date_after")) {
            if a <= b {
                let v = text("scan_date_after", i).unwrap_or_default();
                let rule = "follow-up scan must be after the baseline scan".to_string();
                problems.push(invalid(table, i, "scan_date_after", &v, rule));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed_with_row_and_column() {
        let t = |v: &[&str]| {
            ColumnData::Text(
                v.iter()
                    .map(|s| (!s.is_empty()).then(|| s.to_string()))
                    .collect(),
            )
        };
        let table = Table::new(
            "f.csv",
            vec![
                ("patient_id".into(), t(&["p1", "p1"])),
                ("age_years".into(), t(&["70", "7,5"])),
                ("sex".into(), t(&["f", "x"])),
                ("evaluable".into(), t(&["1", "0"])),
                ("scan_date_before".into(), t(&["2015-01-10", ""])),
                ("scan_date_after".into(), t(&["2014-12-01", ""])),
                ("agatston_before".into(), t(&["-3", ""])),
                ("agatston_after".into(), t(&["", ""])),
            ],
        );
        let msgs: Vec<String> = validate(&table).iter().map(|p| p.to_string()).collect();
        let has = |s: &str| msgs.iter().any(|m| m.contains(s));
        assert!(has("row 3, column 'age_years'"), "{msgs:?}");
        assert!(has("row 3, column 'sex'"));
        assert!(has(
            "row 2, column 'agatston_before': '-3': outside the allowed range"
        ));
        assert!(has("row 2, column 'agatston_after'") && has("required for an evaluable patient"));
        assert!(has("duplicate patient id (first at row 2)"));
        assert!(has("row 3, column 'not_evaluable_reason'"));
        assert!(has("follow-up scan must be after the baseline scan"));
        assert_eq!(msgs.len(), 7, "{msgs:#?}");
    }
}
