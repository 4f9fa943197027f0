//! The typed lesion fields as a polars frame: one column per field, one row per table row.

use polars::prelude::*;

use super::{stent_expansion, Atherectomy, ExpansionFormula};
use crate::{DataError, NumColumn, Table};

/// Names of the lesion frame's columns; the flow rules' expressions name them.
pub mod field {
    /// Chronic total occlusion (Boolean; a missing value reads as false).
    pub const CTO: &str = "cto";
    /// In-stent restenosis (Boolean; a missing value reads as false).
    pub const ISR: &str = "isr";
    /// Maximum superficial calcium angle in degrees (Float64; a missing value is NaN).
    pub(crate) const MAX_CALCIUM_ANGLE_DEG: &str = "max_calcium_angle_deg";
    /// Analysable pre-PCI IVUS (Boolean; a missing value reads as false).
    pub(crate) const PRE_IVUS: &str = "pre_ivus";
    /// Analysable post-PCI IVUS (Boolean; a missing value reads as false).
    pub const POST_IVUS: &str = "post_ivus";
    /// Angiographically visible calcium (Boolean; a missing value reads as false).
    pub(crate) const ANGIO_CALCIUM: &str = "angio_calcium";
    /// Atherectomy device (UInt8 code, [`super::Atherectomy::code`]: 0 none, 1 rotational, 2 orbital, 3 laser).
    pub(crate) const ATHERECTOMY: &str = "atherectomy";
    /// Cutting or scoring balloon (Boolean; a missing value reads as false).
    pub(crate) const CUTTING_SCORING_BALLOON: &str = "cutting_scoring_balloon";
    /// Stent expansion (%) by the registry's formula (Float64, null where not computable).
    pub(crate) const STENT_EXPANSION_PCT: &str = "stent_expansion_pct";
    /// Calcium fracture on post-PCI IVUS (Boolean, null when missing).
    pub const CALCIUM_FRACTURE: &str = "calcium_fracture";
    /// Analysable pre-stent IVUS after preparation (Boolean, null when missing).
    pub const PREP_IVUS: &str = "prep_ivus";
    /// Calcium fracture on that pre-stent IVUS (Boolean, null when missing).
    pub const PREP_FRACTURE: &str = "prep_fracture";
}

/// The 0/1 fields: column name, and whether a missing value stays null (else it reads as false).
const FLAGS: [(&str, bool); 9] = [
    (field::CTO, false),
    (field::ISR, false),
    (field::PRE_IVUS, false),
    (field::POST_IVUS, false),
    (field::ANGIO_CALCIUM, false),
    (field::CUTTING_SCORING_BALLOON, false),
    (field::CALCIUM_FRACTURE, true),
    (field::PREP_IVUS, true),
    (field::PREP_FRACTURE, true),
];

impl Atherectomy {
    /// The device's code in the lesion frame's `atherectomy` column: 0 none, 1 rotational, 2 orbital, 3 laser.
    pub fn code(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Rotational => 1,
            Self::Orbital => 2,
            Self::Laser => 3,
        }
    }

    /// True where the lesion frame's `atherectomy` column names any device.
    pub(crate) fn any_expr() -> Expr {
        col(field::ATHERECTOMY).neq(lit(Self::None.code()))
    }
}

/// The typed lesion fields of a registry as a polars frame, one column per field ([`field`]) and one row per
/// table row; the row's index is its position and its file row is derived ([`Lesions::row`]). At 10^7 lesions
/// it takes about 190 MB (two `f64` columns, one byte column, nine bit columns) where a struct per row took 560 MB.
#[derive(Debug, Clone)]
pub struct Lesions {
    frame: DataFrame,
    /// The table's header row ([`Table::header_row`]), for the file row of each lesion.
    header_row: usize,
}

impl Lesions {
    /// Type the lesion fields of a normalised table (binary columns already 0/1, categories lowercase).
    pub(crate) fn from_table(
        table: &Table,
        expansion: ExpansionFormula,
    ) -> Result<Self, DataError> {
        let mut columns = FLAGS
            .iter()
            .map(|&(name, nullable)| flag_column(table, name, nullable))
            .collect::<Result<Vec<Column>, DataError>>()?;
        // The angle column shares the table's buffer (a missing angle is a NaN slot, not a null).
        let angle = table.numbers(field::MAX_CALCIUM_ANGLE_DEG)?;
        let angle = match angle.null_count() {
            0 => angle.series(field::MAX_CALCIUM_ANGLE_DEG),
            _ => {
                NumColumn::from_values(angle.values().to_vec()).series(field::MAX_CALCIUM_ANGLE_DEG)
            }
        };
        columns.push(angle);
        let pct = stent_expansion(table, expansion)?;
        columns.push(
            Float64Chunked::from_iter_options(field::STENT_EXPANSION_PCT.into(), pct.iter())
                .into_column(),
        );
        let device = table.text(field::ATHERECTOMY)?;
        let codes = device.iter().map(|s| {
            Atherectomy::parse(s.unwrap_or("none"))
                .unwrap_or(Atherectomy::None)
                .code()
        });
        columns
            .push(UInt8Chunked::from_iter_values(field::ATHERECTOMY.into(), codes).into_column());
        Ok(Self {
            frame: DataFrame::new(table.nrows(), columns).map_err(frame_error)?,
            header_row: table.header_row,
        })
    }

    /// Number of lesions.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// True when there are no lesions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file's (or sheet's) row of lesion `i`, as [`Table::row_number`] gives it.
    pub fn row(&self, i: usize) -> usize {
        self.header_row + 1 + i
    }

    /// The frame itself.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    /// A Boolean field ([`field`]): `cto`, `post_ivus`, `calcium_fracture`, ….
    pub fn flag(&self, name: &str) -> Result<&BooleanChunked, DataError> {
        self.frame
            .column(name)
            .and_then(Column::bool)
            .map_err(frame_error)
    }

    /// A Float64 field ([`field`]): `max_calcium_angle_deg` or `stent_expansion_pct`.
    pub fn number(&self, name: &str) -> Result<&Float64Chunked, DataError> {
        self.frame
            .column(name)
            .and_then(Column::f64)
            .map_err(frame_error)
    }

    /// Stent expansion (%) of each lesion, null where it cannot be computed.
    pub fn stent_expansion_pct(&self) -> Result<&Float64Chunked, DataError> {
        self.number(field::STENT_EXPANSION_PCT)
    }

    /// The atherectomy device codes ([`Atherectomy::code`]).
    pub fn atherectomy(&self) -> Result<&UInt8Chunked, DataError> {
        self.frame
            .column(field::ATHERECTOMY)
            .and_then(Column::u8)
            .map_err(frame_error)
    }

    /// The same lesions with a Boolean field set to `value` everywhere (e.g. every post-PCI pullback available).
    pub fn with_flag(&self, name: &str, value: bool) -> Result<Self, DataError> {
        let mut frame = self.frame.clone();
        let column = BooleanChunked::full(name.into(), value, self.len()).into_column();
        frame.replace(name, column).map_err(frame_error)?;
        Ok(Self {
            frame,
            header_row: self.header_row,
        })
    }

    /// Expressions over the frame ([`field`]), evaluated lazily: one output column per expression.
    pub(crate) fn select(&self, exprs: Vec<Expr>) -> PolarsResult<DataFrame> {
        self.frame.clone().lazy().select(exprs).collect()
    }
}

/// A 0/1 column of the table as a Boolean column (all false, or all null, when the table lacks it).
fn flag_column(table: &Table, name: &str, nullable: bool) -> Result<Column, DataError> {
    let n = table.nrows();
    let ca = match (table.has(name), nullable) {
        (false, false) => BooleanChunked::full(name.into(), false, n),
        (false, true) => BooleanChunked::full_null(name.into(), n),
        (true, _) => {
            let values = table.numbers(name)?;
            let flags = values.iter().map(|x| x.map(|x| x == 1.0));
            if nullable {
                BooleanChunked::from_iter_options(name.into(), flags)
            } else {
                BooleanChunked::from_iter_values(name.into(), flags.map(|b| b.unwrap_or(false)))
            }
        }
    };
    Ok(ca.into_column())
}

/// A polars error on the lesion frame, as a data error.
fn frame_error(e: PolarsError) -> DataError {
    crate::frame::frame_error("the lesion frame", e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColumnData, NumColumn};

    fn table() -> Table {
        let num = |v: &[Option<f64>]| ColumnData::Num(NumColumn::from_options(v));
        let mut t = Table::new(
            "t.csv",
            vec![
                ("cto".into(), num(&[Some(1.0), Some(0.0), None])),
                (
                    "max_calcium_angle_deg".into(),
                    num(&[Some(300.0), None, Some(90.0)]),
                ),
                (
                    "calcium_fracture".into(),
                    num(&[None, Some(1.0), Some(0.0)]),
                ),
                (
                    "stent_expansion_pct".into(),
                    num(&[Some(80.0), None, Some(95.0)]),
                ),
                (
                    "atherectomy".into(),
                    ColumnData::text([Some("none"), Some("orbital"), None]),
                ),
            ],
        );
        t.header_row = 3;
        t
    }

    #[test]
    fn fields_typed_with_their_missing_policy() {
        let l = Lesions::from_table(&table(), ExpansionFormula::Given).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l.row(0), 4);
        let cto: Vec<_> = l.flag(field::CTO).unwrap().iter().collect();
        assert_eq!(cto, [Some(true), Some(false), Some(false)]);
        let isr = l.flag(field::ISR).unwrap();
        assert_eq!((isr.null_count(), isr.num_trues()), (0, 0));
        assert_eq!(l.flag(field::PREP_IVUS).unwrap().null_count(), 3);
        let fracture: Vec<_> = l.flag(field::CALCIUM_FRACTURE).unwrap().iter().collect();
        assert_eq!(fracture, [None, Some(true), Some(false)]);
        assert!(l
            .number(field::MAX_CALCIUM_ANGLE_DEG)
            .unwrap()
            .get(1)
            .unwrap()
            .is_nan());
        let pct: Vec<_> = l.stent_expansion_pct().unwrap().iter().collect();
        assert_eq!(pct, [Some(80.0), None, Some(95.0)]);
        let devices: Vec<_> = l.atherectomy().unwrap().iter().flatten().collect();
        assert_eq!(devices, [0, 2, 0]);
        assert_eq!(Atherectomy::Orbital.code(), 2);
        assert!(l.number(field::CTO).is_err());
    }

    #[test]
    fn with_flag_replaces_one_column() {
        let l = Lesions::from_table(&table(), ExpansionFormula::Given).unwrap();
        let all = l.with_flag(field::POST_IVUS, true).unwrap();
        assert_eq!(all.flag(field::POST_IVUS).unwrap().num_trues(), 3);
        assert_eq!(l.flag(field::POST_IVUS).unwrap().num_trues(), 0);
        let any = all.select(vec![Atherectomy::any_expr()]).unwrap();
        let any: Vec<_> = any.columns()[0].bool().unwrap().iter().collect();
        assert_eq!(any, [Some(false), Some(true), Some(false)]);
    }
}
