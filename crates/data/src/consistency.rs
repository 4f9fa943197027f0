//! Rules across the fields of one row (impossible combinations) and across a column (angle units).
//! They run on a normalised table: cells that already failed their own column's rule are skipped.

use super::table::format_number;
use super::{DataError, NumColumn, Table};

/// One cross-field rule: which column it blames, the test on a row, the rule and the fix in words.
struct Rule {
    column: &'static str,
    broken: fn(&Row) -> bool,
    rule: &'static str,
    hint: &'static str,
}

/// The values of one row that the rules read (`None` when missing or invalid).
struct Row {
    angle: Option<f64>,
    c360: Option<f64>,
    len270: Option<f64>,
    length: Option<f64>,
    prep_ivus: Option<f64>,
    prep_fracture: Option<f64>,
}

const RULES: &[Rule] = &[
    Rule {
        column: "calcium_360",
        broken: |r| r.c360 == Some(1.0) && r.angle.is_some_and(|a| a < 360.0),
        rule: "360° calcium marked, but max_calcium_angle_deg is below 360",
        hint: "set max_calcium_angle_deg to 360 or calcium_360 to 0",
    },
    Rule {
        column: "calcium_360",
        broken: |r| r.c360 == Some(0.0) && r.angle == Some(360.0),
        rule: "max_calcium_angle_deg is 360 (circumferential) but calcium_360 is 0",
        hint: "set calcium_360 to 1 or correct the angle",
    },
    Rule {
        column: "calcium_270_length_mm",
        broken: |r| r.len270.is_some_and(|l| l > 0.0) && r.angle.is_some_and(|a| a <= 270.0),
        rule: "calcium with an arc >270° has a length, but max_calcium_angle_deg is at most 270",
        hint: "set calcium_270_length_mm to 0 or correct the angle",
    },
    Rule {
        column: "calcium_270_length_mm",
        broken: |r| matches!((r.len270, r.length), (Some(a), Some(b)) if a > b),
        rule: "the length of calcium with arc >270° exceeds the total calcium length (calcium_length_mm)",
        hint: "check both lengths (a part cannot be longer than the whole)",
    },
    Rule {
        column: "prep_fracture",
        broken: |r| r.prep_fracture == Some(1.0) && r.prep_ivus != Some(1.0),
        rule: "fracture recorded on a pre-stent IVUS that is not marked analysable (prep_ivus is not 1)",
        hint: "set prep_ivus to 1, or leave prep_fracture empty",
    },
];

/// Rows whose fields contradict each other (one problem per broken rule). Columns are read in place.
pub(crate) fn inconsistent_rows(table: &Table) -> Vec<DataError> {
    let col = |name: &str| table.num_values(name);
    let at = |c: Option<&NumColumn>, i: usize| c.and_then(|v| v.get(i));
    let (angle, c360, len270) = (
        col("max_calcium_angle_deg"),
        col("calcium_360"),
        col("calcium_270_length_mm"),
    );
    let (length, prep_ivus, prep_fracture) = (
        col("calcium_length_mm"),
        col("prep_ivus"),
        col("prep_fracture"),
    );
    let mut problems = Vec::new();
    for i in 0..table.nrows() {
        let row = Row {
            angle: at(angle, i),
            c360: at(c360, i),
            len270: at(len270, i),
            length: at(length, i),
            prep_ivus: at(prep_ivus, i),
            prep_fracture: at(prep_fracture, i),
        };
        for rule in RULES.iter().filter(|r| (r.broken)(&row)) {
            let value = at(col(rule.column), i)
                .map(format_number)
                .unwrap_or_default();
            problems.push(DataError::Inconsistent {
                file: table.source.clone(),
                row: table.row_number(i),
                column: rule.column.into(),
                value,
                rule: rule.rule,
                hint: rule.hint,
            });
        }
    }
    problems
}

/// The largest angle read as radians: 2π, rounded up at the third decimal (a full circle written 6.2832 or
/// 6.284 is radians too). A degree column of a calcium registry has its largest angle far above this.
pub(crate) const RADIANS_MAX: f64 = 6.2845;

/// Angle columns whose every value is at most 2π (the largest positive): radians (or fractions of a circle).
pub(crate) fn angle_unit(table: &Table) -> Vec<DataError> {
    let Ok(super::ColumnData::Num(v)) = table.column("max_calcium_angle_deg") else {
        return Vec::new();
    };
    let max = v.iter().flatten().fold(f64::NEG_INFINITY, f64::max);
    if !(max > 0.0 && max <= RADIANS_MAX) {
        return Vec::new();
    }
    let hint = if max <= 1.0 {
        "fractions of a circle? multiply by 360"
    } else {
        "radians? multiply by 180/π (57.29578)"
    };
    vec![DataError::AngleUnit {
        file: table.source.clone(),
        column: "max_calcium_angle_deg".into(),
        max,
        hint,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnData;

    fn angles(v: &[f64]) -> Table {
        let col = ColumnData::Num(v.iter().map(|&x| Some(x)).collect());
        Table::new("t.csv", vec![("max_calcium_angle_deg".into(), col)])
    }

    #[test]
    fn angle_unit_boundary_is_two_pi() {
        // 2π = 6.283185...: 6.2 and 2π rounded to 4 decimals (6.2832) are flagged as radians, 6.3 (a small
        // angle in degrees) is not.
        let p = angle_unit(&angles(&[1.0, 6.2]));
        assert!(matches!(&p[..], [DataError::AngleUnit { hint, .. }] if hint.contains("radians")));
        // Angles as a user's export writes them (rounded radians), not the std constants.
        #[allow(clippy::approx_constant)]
        let rounded = [3.1416, 6.2832];
        assert_eq!(angle_unit(&angles(&rounded)).len(), 1);
        assert!(angle_unit(&angles(&[1.0, 6.3])).is_empty());
        // All ≤ 1: fractions of a circle; all zero: no calcium, nothing to say.
        let p = angle_unit(&angles(&[0.25, 0.75]));
        assert!(matches!(&p[..], [DataError::AngleUnit { hint, .. }] if hint.contains("360")));
        assert!(angle_unit(&angles(&[0.0, 0.0])).is_empty());
    }
}
