//! A registry: the validated table beside its typed lesion fields (a polars frame), and the stent-expansion formula.

mod lesions;

pub use lesions::{field, Lesions};

use super::{ColumnData, DataError, NumColumn, Table, TextColumn};

/// Atherectomy before stenting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Atherectomy {
    /// No atherectomy.
    None,
    /// Rotational atherectomy.
    Rotational,
    /// Orbital atherectomy.
    Orbital,
    /// Excimer laser.
    Laser,
}

/// How stent expansion (%) is computed from the IVUS areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpansionFormula {
    /// Stent area at the maximum-calcium site / mean of proximal and distal reference lumen areas × 100.
    #[default]
    MeanReference,
    /// Stent area / proximal reference lumen area × 100.
    ProximalReference,
    /// Stent area / distal reference lumen area × 100.
    DistalReference,
    /// Use the `stent_expansion_pct` column as given.
    Given,
}

impl calcscore_core::Choice for ExpansionFormula {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            ExpansionFormula::MeanReference,
            "mean-reference",
            "stent area / mean of proximal and distal reference lumen areas × 100",
        ),
        (
            ExpansionFormula::ProximalReference,
            "proximal-reference",
            "stent area / proximal reference lumen area × 100",
        ),
        (
            ExpansionFormula::DistalReference,
            "distal-reference",
            "stent area / distal reference lumen area × 100",
        ),
        (
            ExpansionFormula::Given,
            "given",
            "the stent_expansion_pct column as given",
        ),
    ];
}

impl ExpansionFormula {
    /// The formula in words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::MeanReference => "stent area at the maximum-calcium site / mean of proximal and distal reference lumen areas × 100",
            Self::ProximalReference => "stent area at the maximum-calcium site / proximal reference lumen area × 100",
            Self::DistalReference => "stent area at the maximum-calcium site / distal reference lumen area × 100",
            Self::Given => "the registry's stent_expansion_pct column as given",
        }
    }
}

/// A registry: the full table (every column, for scores and tables) and the typed lesion fields as a polars frame.
#[derive(Debug, Clone)]
pub struct Registry {
    /// All columns as loaded (after the column map).
    pub table: Table,
    /// The typed lesion fields the flow and the analyses read, one frame row per table row, in row order.
    pub lesions: Lesions,
    /// The expansion formula used.
    pub expansion: ExpansionFormula,
}

impl Registry {
    /// Patient identifier of table row `i` (empty when missing).
    pub fn patient_id(&self, i: usize) -> &str {
        id_at(self.table.text_values("patient_id"), i)
    }

    /// Lesion identifier of table row `i` (empty when missing).
    pub fn lesion_id(&self, i: usize) -> &str {
        id_at(self.table.text_values("lesion_id"), i)
    }

    /// Keep only the two id columns (moved out of the table), dropping the rest of the registry.
    pub fn into_ids(mut self) -> LesionIds {
        let mut take = |name: &str| match self.table.names.iter().position(|n| n == name) {
            Some(j) => {
                let empty = ColumnData::Num(NumColumn::default());
                match std::mem::replace(&mut self.table.columns[j], empty) {
                    ColumnData::Text(v) => v,
                    ColumnData::Num(_) => TextColumn::default(),
                }
            }
            None => TextColumn::default(),
        };
        LesionIds {
            patient: take("patient_id"),
            lesion: take("lesion_id"),
        }
    }
}

/// The id columns of a registry, kept after the rest of it is dropped: the exclusions ledger names each
/// lesion by its row index, and its ids are looked up here when the ledger is written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LesionIds {
    patient: TextColumn,
    lesion: TextColumn,
}

impl LesionIds {
    /// Patient identifier of table row `i` (empty when missing).
    pub fn patient_id(&self, i: usize) -> &str {
        id_at(Some(&self.patient), i)
    }

    /// Lesion identifier of table row `i` (empty when missing).
    pub fn lesion_id(&self, i: usize) -> &str {
        id_at(Some(&self.lesion), i)
    }
}

/// The id in row `i` of an id column, empty when missing.
fn id_at(col: Option<&TextColumn>, i: usize) -> &str {
    col.and_then(|c| c.get(i)).unwrap_or_default()
}

/// Parse a binary cell: 0/1, true/false, yes/no (case-insensitive).
pub fn parse_binary(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "1.0" | "true" | "yes" | "y" => Some(true),
        "0" | "0.0" | "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Compute stent expansion (%) for every row of the table by `formula` (`None` where an area is missing).
pub(crate) fn stent_expansion(
    table: &Table,
    formula: ExpansionFormula,
) -> Result<NumColumn, DataError> {
    if formula == ExpansionFormula::Given {
        return table.numeric("stent_expansion_pct");
    }
    let stent = table.numbers("stent_area_mm2")?;
    let prox = table.numbers("ref_lumen_area_proximal_mm2")?;
    let dist = table.numbers("ref_lumen_area_distal_mm2")?;
    Ok((0..table.nrows())
        .map(|i| {
            let reference = match formula {
                ExpansionFormula::MeanReference => Some((prox.get(i)? + dist.get(i)?) / 2.0),
                ExpansionFormula::ProximalReference => prox.get(i),
                ExpansionFormula::DistalReference => dist.get(i),
                ExpansionFormula::Given => None,
            }?;
            let area = stent.get(i)?;
            (reference > 0.0).then_some(area / reference * 100.0)
        })
        .collect())
}

/// Load a lesion registry: read the file, apply the column map, validate every schema column, type the lesions.
pub fn load_registry(
    path: &std::path::Path,
    map: Option<&std::path::Path>,
    expansion: ExpansionFormula,
) -> Result<Registry, DataError> {
    load_registry_with(path, map, expansion, &super::ReadOptions::default())
}

/// [`load_registry`] with reading options (a workbook's sheet, a CSV file's dialect).
pub fn load_registry_with(
    path: &std::path::Path,
    map: Option<&std::path::Path>,
    expansion: ExpansionFormula,
    options: &super::ReadOptions,
) -> Result<Registry, DataError> {
    registry_from_table(
        read_registry_table(path, map, expansion, options)?,
        expansion,
    )
}

/// Read a lesion registry's table (with reading options): the header first (map keys, required columns: refused before the body is
/// read), then the body with the ids as text.
pub fn read_registry_table(
    path: &std::path::Path,
    map: Option<&std::path::Path>,
    expansion: ExpansionFormula,
    options: &super::ReadOptions,
) -> Result<Table, DataError> {
    let opened = super::open_with(path, map, &super::schema::map_keys(), options)?;
    let missing = super::validate::missing_columns(&opened.names, opened.source(), expansion);
    if !missing.is_empty() {
        return Err(DataError::Problems {
            file: opened.source().to_string(),
            problems: missing,
        });
    }
    opened.read(&[])
}

/// Load a lesion registry from CSV bytes (as [`load_registry`] without a map; used by the fuzz target).
pub fn registry_from_csv_bytes(
    bytes: &[u8],
    file: &str,
    expansion: ExpansionFormula,
) -> Result<Registry, DataError> {
    registry_from_table(super::load::read_csv_bytes(bytes, file)?, expansion)
}

/// Validate a table against the lesion schema (all problems at once) and build the typed lesions.
pub fn registry_from_table(
    mut table: Table,
    expansion: ExpansionFormula,
) -> Result<Registry, DataError> {
    let problems = super::validate::normalise_lesion_table(&mut table, expansion);
    if !problems.is_empty() {
        return Err(DataError::Problems {
            file: table.source.clone(),
            problems,
        });
    }
    ids_as_text(&mut table);
    let lesions = Lesions::from_table(&table, expansion)?;
    Ok(Registry {
        table,
        lesions,
        expansion,
    })
}

/// The id columns as text (the loaders read them so; a table built otherwise may hold numbers), so that the
/// ids are read in place ([`Registry::patient_id`]) instead of copied per lesion.
fn ids_as_text(table: &mut Table) {
    for name in super::ID_COLUMNS {
        if let Some(j) = table.names.iter().position(|n| n == name) {
            if let ColumnData::Num(v) = &table.columns[j] {
                let text = v
                    .iter()
                    .map(|x| x.map(super::table::format_number))
                    .collect::<TextColumn>();
                table.columns[j] = ColumnData::Text(text);
            }
        }
    }
}

impl Atherectomy {
    /// Parse a (lowercased) level of the `atherectomy` column.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "rotational" => Some(Self::Rotational),
            "orbital" => Some(Self::Orbital),
            "laser" => Some(Self::Laser),
            _ => None,
        }
    }
}
