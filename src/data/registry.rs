//! Typed lesion records read from a validated table, and the stent-expansion formula.

use super::{DataError, Table};

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

impl Atherectomy {
    /// True for any atherectomy device.
    pub fn any(self) -> bool {
        self != Atherectomy::None
    }
}

/// How stent expansion (%) is computed from the IVUS areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
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

/// One lesion: the fields the study flow and the analyses use. All other columns stay in the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesion {
    /// 0-based index of the row in the table.
    pub index: usize,
    /// Patient identifier.
    pub patient_id: String,
    /// Lesion identifier.
    pub lesion_id: String,
    /// Chronic total occlusion.
    pub cto: bool,
    /// In-stent restenosis.
    pub isr: bool,
    /// Maximum superficial calcium angle (degrees).
    pub max_calcium_angle_deg: f64,
    /// Analysable pre-PCI IVUS.
    pub pre_ivus: bool,
    /// Analysable post-PCI IVUS.
    pub post_ivus: bool,
    /// Angiographically visible calcium.
    pub angio_calcium: bool,
    /// Atherectomy device.
    pub atherectomy: Atherectomy,
    /// Cutting or scoring balloon.
    pub cutting_scoring_balloon: bool,
    /// Stent expansion (%) by the chosen formula, if computable.
    pub stent_expansion_pct: Option<f64>,
    /// Calcium fracture on post-PCI IVUS.
    pub calcium_fracture: Option<bool>,
    /// Analysable pre-stent IVUS after preparation.
    pub prep_ivus: Option<bool>,
    /// Calcium fracture on that pre-stent IVUS.
    pub prep_fracture: Option<bool>,
}

/// A registry: the full table (every column, for scores and tables) and the typed lesions.
#[derive(Debug, Clone)]
pub struct Registry {
    /// All columns as loaded (after the column map).
    pub table: Table,
    /// One typed record per table row, in row order.
    pub lesions: Vec<Lesion>,
    /// The expansion formula used.
    pub expansion: ExpansionFormula,
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
pub fn stent_expansion(
    table: &Table,
    formula: ExpansionFormula,
) -> Result<Vec<Option<f64>>, DataError> {
    if formula == ExpansionFormula::Given {
        return table.numeric("stent_expansion_pct");
    }
    let stent = table.numeric("stent_area_mm2")?;
    let prox = table.numeric("ref_lumen_area_proximal_mm2")?;
    let dist = table.numeric("ref_lumen_area_distal_mm2")?;
    Ok((0..table.nrows())
        .map(|i| {
            let reference = match formula {
                ExpansionFormula::MeanReference => Some((prox[i]? + dist[i]?) / 2.0),
                ExpansionFormula::ProximalReference => prox[i],
                ExpansionFormula::DistalReference => dist[i],
                ExpansionFormula::Given => None,
            }?;
            let area = stent[i]?;
            (reference > 0.0).then_some(area / reference * 100.0)
        })
        .collect())
}
