//! Validation of a lesion table against the schema: every problem is collected (not only the first),
//! and valid columns are normalised in place (binary → 0/1 numbers, categories → lowercase, numbers parsed).

use rustc_hash::FxHashMap;

use super::registry::{parse_binary, ExpansionFormula};
use super::schema::{spec, ColumnSpec, Kind, LESION_SCHEMA};
use super::table::{number_hint, parse_number};
use super::{ColumnData, DataError, NumColumn, Table, TextColumn};
use calcscore_core::clip;

/// Columns the chosen expansion formula needs besides the always-required ones.
pub fn expansion_columns(formula: ExpansionFormula) -> &'static [&'static str] {
    match formula {
        ExpansionFormula::MeanReference => &[
            "stent_area_mm2",
            "ref_lumen_area_proximal_mm2",
            "ref_lumen_area_distal_mm2",
        ],
        ExpansionFormula::ProximalReference => &["stent_area_mm2", "ref_lumen_area_proximal_mm2"],
        ExpansionFormula::DistalReference => &["stent_area_mm2", "ref_lumen_area_distal_mm2"],
        ExpansionFormula::Given => &["stent_expansion_pct"],
    }
}

/// Check every schema column of `table`, normalising valid ones in place; returns all problems found.
pub fn normalise_lesion_table(table: &mut Table, formula: ExpansionFormula) -> Vec<DataError> {
    let mut problems = Vec::new();
    if table.nrows() == 0 {
        return vec![DataError::Empty {
            file: table.source.clone(),
        }];
    }
    for (j, name) in table.names.iter().enumerate() {
        if table.names[..j].contains(name) {
            problems.push(DataError::DuplicateColumn {
                file: table.source.clone(),
                column: name.clone(),
            });
        }
    }
    problems.extend(missing_columns(&table.names, &table.source, formula));
    for spec in LESION_SCHEMA {
        if let Some(j) = table.names.iter().position(|n| n == spec.name) {
            let (column, mut found) = check_column(table, spec, &table.columns[j]);
            problems.append(&mut found);
            table.columns[j] = column;
        }
    }
    if table.has("lesion_id") {
        problems.extend(duplicate_ids(table));
    }
    problems.extend(super::consistency::angle_unit(table));
    problems.extend(super::consistency::inconsistent_rows(table));
    problems.extend(implausible_expansion(table, formula));
    // File-level problems first, then row by row (within a row, in schema column order).
    problems.sort_by_key(|p| p.row().unwrap_or(0));
    problems
}

/// The columns the lesion schema requires (and the expansion formula needs) that a header lacks, each with a
/// hint. Checked on the header alone, before the body is read.
pub fn missing_columns(
    names: &[String],
    source: &str,
    formula: ExpansionFormula,
) -> Vec<DataError> {
    LESION_SCHEMA
        .iter()
        .filter(|c| c.required)
        .map(|c| c.name)
        .chain(expansion_columns(formula).iter().copied())
        .filter(|name| !names.iter().any(|n| n == name))
        .map(|name| missing_column(names, source, name, formula))
        .collect()
}

/// A missing-column error with a hint (closest existing name, or why the formula needs it).
fn missing_column(
    names: &[String],
    source: &str,
    name: &str,
    formula: ExpansionFormula,
) -> DataError {
    let similar = names
        .iter()
        .map(String::as_str)
        .find(|n| n.trim().to_lowercase().replace([' ', '-', '.'], "_") == name)
        .or_else(|| {
            let others = names
                .iter()
                .map(String::as_str)
                .filter(|n| spec(n).is_none());
            super::load::did_you_mean(name, others)
        });
    let hint = match similar {
        Some(s) => format!(" (found '{s}': rename it or map it with --map)"),
        None if expansion_columns(formula).contains(&name) => {
            format!(
                " (needed by --expansion {}: {})",
                calcscore_core::Choice::name(formula),
                formula.describe()
            )
        }
        None => {
            " (required by the lesion schema, see datasets/README.md; map your own name with --map)"
                .into()
        }
    };
    DataError::MissingColumn {
        file: source.to_string(),
        column: name.into(),
        hint,
    }
}

/// Check one column's cells against its spec; returns the normalised column and the problems.
fn check_column(
    table: &Table,
    spec: &ColumnSpec,
    column: &ColumnData,
) -> (ColumnData, Vec<DataError>) {
    let n = column.len();
    let cell = |i: usize| -> Option<String> {
        match column {
            ColumnData::Num(v) => v.get(i).map(super::table::format_number),
            ColumnData::Text(v) => v.get(i).map(str::to_string),
        }
    };
    let mut problems = Vec::new();
    let (file, row) = (table.source.as_str(), |i| table.row_number(i));
    let out = match (spec.kind, column) {
        (Kind::Binary | Kind::Number { .. }, ColumnData::Num(v)) => {
            check_numbers(table, spec, v, &mut problems)
        }
        (Kind::Id | Kind::Category(_), ColumnData::Text(v)) => {
            check_text(table, spec, v, &mut problems)
        }
        _ => check_cells(table, spec, n, &cell, &mut problems),
    };
    if spec.required {
        // An id of spaces only is missing too (a cell with a problem of its own is reported once, by that).
        let blank = |i: usize| {
            matches!(spec.kind, Kind::Id)
                && matches!(column, ColumnData::Text(v) if v.get(i).is_some_and(|t| t.trim().is_empty()))
        };
        for i in (0..n).filter(|&i| column.is_missing(i) || blank(i)) {
            problems.push(DataError::MissingValue {
                file: file.into(),
                row: row(i),
                column: spec.name.to_string(),
            });
        }
    }
    (out, problems)
}

/// A numeric column checked against a binary or number spec without going through text: the same values
/// and problems as [`check_cells`] on the numbers formatted (`-0` reads back as `0`).
fn check_numbers(
    table: &Table,
    spec: &ColumnSpec,
    v: &NumColumn,
    problems: &mut Vec<DataError>,
) -> ColumnData {
    let (file, row) = (table.source.as_str(), |i| table.row_number(i));
    let text = super::table::format_number;
    // The checked column shares the values (not a rebuild value by value, 3% of a 10^7-lesion run); only
    // when a cell is rejected (made missing) or is a -0 (made 0) is it copied once, with those cells replaced.
    let mut replace = Vec::new();
    for (i, &x) in v.values().iter().enumerate() {
        if !v.is_valid(i) {
            continue;
        }
        let problem = match spec.kind {
            Kind::Binary if x == 1.0 || x == 0.0 => None,
            Kind::Binary => Some(DataError::NotBinary {
                file: file.into(),
                row: row(i),
                column: spec.name.to_string(),
                value: clip(&text(x)),
            }),
            Kind::Number { .. } if !x.is_finite() => {
                Some(not_a_number(file, row(i), spec.name, &text(x)))
            }
            Kind::Number { min, max } if x < min || x > max => Some(DataError::OutOfRange {
                file: file.into(),
                row: row(i),
                column: spec.name.to_string(),
                value: clip(&text(x)),
                range: format!("{min}–{max}{}", unit_suffix(spec.unit)),
                hint: range_hint(spec, x),
            }),
            _ => None,
        };
        match problem {
            Some(p) => {
                problems.push(p);
                replace.push((i, None));
            }
            None if x == 0.0 && x.is_sign_negative() => replace.push((i, Some(0.0))),
            None => {}
        }
    }
    ColumnData::Num(match replace.is_empty() {
        true => v.clone(),
        false => v.with_replaced(replace),
    })
}

/// A text column checked against an id or category spec with the cells borrowed: the same values and
/// problems as [`check_cells`] without two strings allocated per cell (ids trimmed, levels lower-cased).
fn check_text<'a>(
    table: &Table,
    spec: &ColumnSpec,
    v: &'a TextColumn,
    problems: &mut Vec<DataError>,
) -> ColumnData {
    let (file, row) = (table.source.as_str(), |i| table.row_number(i));
    let mut cell = |(i, s): (usize, Option<&'a str>)| {
        let s = s?;
        let checked = match spec.kind {
            // Already a level as written: no lower-cased copy needed.
            Kind::Category(levels) if levels.contains(&s) => Ok(std::borrow::Cow::Borrowed(s)),
            Kind::Category(_) => text_cell(file, spec, row(i), s).map(std::borrow::Cow::Owned),
            _ => match bad_id(file, row(i), spec.name, s) {
                Some(p) => Err(p),
                None => Ok(std::borrow::Cow::Borrowed(s.trim())),
            },
        };
        // An id of spaces only is no id: missing, so a required id column reports it (it was its own cluster).
        keep(checked, problems).filter(|t| !t.is_empty())
    };
    ColumnData::Text(v.iter().enumerate().map(&mut cell).collect())
}

/// A column checked cell by cell as text against its spec: the normalised column (problems appended).
fn check_cells(
    table: &Table,
    spec: &ColumnSpec,
    n: usize,
    cell: &dyn Fn(usize) -> Option<String>,
    problems: &mut Vec<DataError>,
) -> ColumnData {
    let (file, row) = (table.source.as_str(), |i| table.row_number(i));
    match spec.kind {
        Kind::Id | Kind::Category(_) => ColumnData::Text(
            (0..n)
                .map(|i| {
                    keep(text_cell(file, spec, row(i), &cell(i)?), problems)
                        .filter(|t| !t.is_empty())
                })
                .collect(),
        ),
        Kind::Binary | Kind::Number { .. } => ColumnData::Num(
            (0..n)
                .map(|i| keep(number_cell(file, spec, row(i), &cell(i)?), problems))
                .collect(),
        ),
    }
}

/// The value, or `None` with its problem appended.
fn keep<T>(checked: std::result::Result<T, DataError>, problems: &mut Vec<DataError>) -> Option<T> {
    checked.map_err(|p| problems.push(p)).ok()
}

/// One cell of an id or category column: the id trimmed, the level in lower case.
fn text_cell(
    file: &str,
    spec: &ColumnSpec,
    row: usize,
    s: &str,
) -> std::result::Result<String, DataError> {
    match spec.kind {
        Kind::Category(levels) => {
            let t = s.trim().to_lowercase();
            if levels.contains(&t.as_str()) {
                Ok(t)
            } else {
                Err(DataError::UnknownLevel {
                    file: file.into(),
                    row,
                    column: spec.name.to_string(),
                    value: clip(s),
                    allowed: levels.join(", "),
                })
            }
        }
        _ => match bad_id(file, row, spec.name, s) {
            Some(p) => Err(p),
            None => Ok(s.trim().to_string()),
        },
    }
}

/// One cell of a binary (0/1) or number column, checked against the column's range.
fn number_cell(
    file: &str,
    spec: &ColumnSpec,
    row: usize,
    s: &str,
) -> std::result::Result<f64, DataError> {
    let Kind::Number { min, max } = spec.kind else {
        return match parse_binary(s) {
            Some(b) => Ok(f64::from(u8::from(b))),
            None => Err(DataError::NotBinary {
                file: file.into(),
                row,
                column: spec.name.to_string(),
                value: clip(s),
            }),
        };
    };
    match parse_number(s) {
        None => Err(not_a_number(file, row, spec.name, s)),
        Some(x) if x < min || x > max => Err(DataError::OutOfRange {
            file: file.into(),
            row,
            column: spec.name.to_string(),
            value: clip(s),
            range: format!("{min}–{max}{}", unit_suffix(spec.unit)),
            hint: range_hint(spec, x),
        }),
        Some(x) => Ok(x),
    }
}

/// A non-number cell: a decimal comma gets its own class, anything else is `non-numeric`.
fn not_a_number(file: &str, row: usize, column: &str, s: &str) -> DataError {
    let t = s.trim();
    let fixed = t.replace(',', ".");
    let thousands = crate::thousands::grouped(t, b',').is_some();
    if t.matches(',').count() == 1 && parse_number(&fixed).is_some() && !thousands {
        DataError::DecimalComma {
            file: file.into(),
            row,
            column: column.into(),
            value: clip(s),
            fixed: clip(&fixed),
        }
    } else {
        DataError::NonNumeric {
            file: file.into(),
            row,
            column: column.into(),
            value: clip(s),
            hint: number_hint(s),
        }
    }
}

/// " unit" or "".
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// A fix hint for an out-of-range value: percent given as a fraction, negative values, angles.
fn range_hint(spec: &ColumnSpec, x: f64) -> &'static str {
    if spec.unit == "%" && x > 0.0 && x <= 2.0 {
        "; fix: a fraction? write percent, e.g. 85 not 0.85"
    } else if x < 0.0 {
        "; fix: negative values are impossible here (a sign error or a missing-value code?)"
    } else if spec.unit == "degrees" {
        "; fix: an angle is at most 360 degrees (a typo, or a missing-value code like 999?)"
    } else {
        "; fix: check the unit and the value (a typo, or a missing-value code like 999?)"
    }
}

/// Lesion ids that appear more than once (each repeat is a problem naming the first row).
fn duplicate_ids(table: &Table) -> Vec<DataError> {
    // Validated ids are text: read them in place (a copy would cost a string per lesion).
    let Some(ids) = table.text_values("lesion_id") else {
        return Vec::new();
    };
    // Fx hash, sized once: std's SipHash and the rehashes were ~13% of a 10^7-lesion run. Only looked up,
    // never iterated, so the problems stay in row order.
    let mut first: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(ids.len() - ids.null_count(), Default::default());
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        match first.entry(id) {
            std::collections::hash_map::Entry::Occupied(f) => {
                problems.push(DataError::DuplicateId {
                    file: table.source.clone(),
                    row: table.row_number(i),
                    column: "lesion_id".into(),
                    value: clip(id),
                    first: table.row_number(*f.get()),
                })
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
        }
    }
    problems
}

/// An identifier with a NUL byte or another control character: refused (it would print and compare
/// differently from what the spreadsheet shows). The value is echoed with the characters escaped.
pub fn bad_id(file: &str, row: usize, column: &str, id: &str) -> Option<DataError> {
    let c = id.chars().find(|c| c.is_control() && !matches!(c, '\t'))?;
    Some(DataError::BadId {
        file: file.into(),
        row,
        column: column.into(),
        value: clip(&id.escape_debug().to_string()),
        rule: format!(
            "an id must not contain control characters (found U+{:04X}{}); fix: re-export the file, or retype the id",
            c as u32,
            if c == '\0' { ", a NUL byte" } else { "" }
        ),
    })
}

/// Plausible stent expansion (%), the schema's range of `stent_expansion_pct`: a stent area of 0 or a
/// reference area recorded as 0 (a missing-value code) gives a value outside it.
pub(crate) const PLAUSIBLE_EXPANSION: (f64, f64) = (0.0, 200.0);

/// Rows whose expansion computed by `formula` is outside the plausible range, or whose reference area is 0:
/// a named problem each (the row is not analysed). `given` values are checked by the schema's range.
pub(crate) fn implausible_expansion(table: &Table, formula: ExpansionFormula) -> Vec<DataError> {
    if formula == ExpansionFormula::Given {
        return Vec::new();
    }
    // A column absent or not numeric has no value to check (its own problems are reported elsewhere).
    let Some(stent) = table.num_values("stent_area_mm2") else {
        return Vec::new();
    };
    let Some(refs) = expansion_columns(formula)[1..]
        .iter()
        .map(|&c| Some((c, table.num_values(c)?)))
        .collect::<Option<Vec<(&str, &NumColumn)>>>()
    else {
        return Vec::new();
    };
    let (lo, hi) = PLAUSIBLE_EXPANSION;
    let mut problems = Vec::new();
    for i in 0..table.nrows() {
        let Some(area) = stent.get(i) else { continue };
        let Some(areas) = refs
            .iter()
            .map(|(_, v)| v.get(i))
            .collect::<Option<Vec<f64>>>()
        else {
            continue;
        };
        let reference = areas.iter().sum::<f64>() / areas.len() as f64;
        let pct = if reference > 0.0 {
            area / reference * 100.0
        } else {
            f64::INFINITY
        };
        let zero = refs
            .iter()
            .zip(&areas)
            .find(|(_, &a)| a == 0.0)
            .map(|((c, _), _)| *c);
        if pct > lo && pct <= hi && zero.is_none() {
            continue;
        }
        let parts: Vec<String> = refs
            .iter()
            .zip(&areas)
            .map(|((c, _), a)| format!("{c} {}", super::table::format_number(*a)))
            .collect();
        let hint = if zero.is_some() {
            "a reference lumen area of 0 is impossible (a missing-value code?): leave the cell empty if unknown"
        } else if area == 0.0 {
            "a stent area of 0 is impossible (a missing-value code?): leave the cell empty if unknown"
        } else {
            "check the areas and their unit (all in mm²), or choose another --expansion formula"
        };
        problems.push(DataError::ImplausibleExpansion {
            file: table.source.clone(),
            row: table.row_number(i),
            value: if pct.is_finite() {
                format!("{pct:.1}")
            } else {
                "undefined".into()
            },
            range: "above 0% and at most 200%",
            detail: format!(
                "stent_area_mm2 {} over {}",
                super::table::format_number(area),
                parts.join(" and ")
            ),
            hint,
        });
    }
    problems
}

/// Problems of a table used as it is (not validated as a registry) in the schema columns whose unit or range
/// would silently change results: the angle column in radians (or out of range) and stent expansion outside
/// its range.
pub fn unit_problems(table: &Table) -> Vec<DataError> {
    let mut problems = Vec::new();
    for name in ["max_calcium_angle_deg", "stent_expansion_pct"] {
        if let (Ok(column), Some(spec)) = (table.column(name), spec(name)) {
            let (normalised, mut found) = check_column(table, spec, column);
            problems.append(&mut found);
            if name == "max_calcium_angle_deg" {
                let mut t = Table::new(table.source.clone(), vec![(name.to_string(), normalised)]);
                t.header_row = table.header_row;
                problems.extend(super::consistency::angle_unit(&t));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The borrowed text path gives the values and problems of the cell-by-cell path.
    #[test]
    fn text_columns_check_as_cell_by_cell() {
        let cases: [(&str, Vec<Option<&str>>); 2] = [
            (
                "lesion_id",
                vec![Some(" L1"), Some("L\u{1}"), None, Some("L2 "), Some("L3")],
            ),
            (
                "atherectomy",
                vec![
                    Some("None"),
                    Some("rotational"),
                    Some(" laser "),
                    Some("bogus"),
                    None,
                ],
            ),
        ];
        for (name, cells) in cases {
            let col = ColumnData::Text(TextColumn::from_options(&cells));
            let table = Table::new("t.csv", vec![(name.to_string(), col.clone())]);
            let Some(s) = spec(name) else {
                panic!("{name} not in the schema")
            };
            let (fast, fast_problems) = check_column(&table, s, &col);
            let cell = |i: usize| cells[i].map(str::to_string);
            let mut slow_problems = Vec::new();
            let slow = check_cells(&table, s, cells.len(), &cell, &mut slow_problems);
            assert_eq!(fast, slow, "{name}");
            let required: Vec<DataError> = if s.required {
                (0..cells.len())
                    .filter(|&i| cells[i].is_none())
                    .map(|i| DataError::MissingValue {
                        file: "t.csv".into(),
                        row: table.row_number(i),
                        column: name.into(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            slow_problems.extend(required);
            assert_eq!(fast_problems, slow_problems, "{name}");
        }
    }
}
