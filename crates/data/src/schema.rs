//! The lesion registry schema: every column with its type, unit, allowed range and whether it is required.

/// The kind of values a schema column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// An identifier (text or number, kept as text).
    Id,
    /// 0/1 (also accepted: true/false, yes/no).
    Binary,
    /// A number within `[min, max]`.
    Number { min: f64, max: f64 },
    /// One of a fixed list of levels.
    Category(&'static [&'static str]),
}

/// One column of the lesion registry schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnSpec {
    /// Column name in the registry file (after `--map`).
    pub name: &'static str,
    /// Value kind and allowed range.
    pub kind: Kind,
    /// Unit, or "" for none.
    pub unit: &'static str,
    /// True when every row must have a value.
    pub required: bool,
    /// One-line meaning.
    pub description: &'static str,
}

/// Allowed levels of `atherectomy`.
pub(crate) const ATHERECTOMY_LEVELS: &[&str] = &["none", "rotational", "orbital", "laser"];

const fn col(
    name: &'static str,
    kind: Kind,
    unit: &'static str,
    required: bool,
    description: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        unit,
        required,
        description,
    }
}

const fn num(min: f64, max: f64) -> Kind {
    Kind::Number { min, max }
}

/// The lesion registry schema, in the documented column order.
pub const LESION_SCHEMA: &[ColumnSpec] = &[
    col(
        "patient_id",
        Kind::Id,
        "",
        true,
        "patient identifier (lesions of one patient share it)",
    ),
    col(
        "lesion_id",
        Kind::Id,
        "",
        true,
        "lesion identifier, unique in the file",
    ),
    col("cto", Kind::Binary, "", true, "chronic total occlusion"),
    col("isr", Kind::Binary, "", true, "in-stent restenosis"),
    col(
        "max_calcium_angle_deg",
        num(0.0, 360.0),
        "degrees",
        true,
        "maximum superficial calcium angle (IVUS)",
    ),
    col(
        "pre_ivus",
        Kind::Binary,
        "",
        true,
        "analysable automatic pre-PCI IVUS pullback",
    ),
    col(
        "post_ivus",
        Kind::Binary,
        "",
        true,
        "analysable automatic post-PCI IVUS pullback",
    ),
    col(
        "angio_calcium",
        Kind::Binary,
        "",
        true,
        "calcium visible on the angiogram",
    ),
    col(
        "atherectomy",
        Kind::Category(ATHERECTOMY_LEVELS),
        "",
        true,
        "atherectomy before stenting",
    ),
    col(
        "cutting_scoring_balloon",
        Kind::Binary,
        "",
        true,
        "treated with a cutting or scoring balloon",
    ),
    col(
        "calcium_270_length_mm",
        num(0.0, 100.0),
        "mm",
        false,
        "length of calcium with arc >270°",
    ),
    col(
        "calcium_360",
        Kind::Binary,
        "",
        false,
        "360° (circumferential) superficial calcium",
    ),
    col(
        "calcified_nodule",
        Kind::Binary,
        "",
        false,
        "calcified nodule",
    ),
    col(
        "vessel_diameter_mm",
        num(1.0, 10.0),
        "mm",
        false,
        "vessel (EEM) diameter at the maximum-calcium site",
    ),
    col(
        "calcium_thickness_mm",
        num(0.0, 5.0),
        "mm",
        false,
        "maximum calcium thickness (OCT score)",
    ),
    col(
        "calcium_length_mm",
        num(0.0, 150.0),
        "mm",
        false,
        "total calcium length (OCT score)",
    ),
    col(
        "stent_area_mm2",
        num(0.0, 50.0),
        "mm²",
        false,
        "stent area at the maximum-calcium site",
    ),
    col(
        "ref_lumen_area_proximal_mm2",
        num(0.0, 50.0),
        "mm²",
        false,
        "proximal reference lumen area",
    ),
    col(
        "ref_lumen_area_distal_mm2",
        num(0.0, 50.0),
        "mm²",
        false,
        "distal reference lumen area",
    ),
    col(
        "stent_expansion_pct",
        num(0.0, 200.0),
        "%",
        false,
        "stent expansion given directly (see --expansion)",
    ),
    col(
        "calcium_fracture",
        Kind::Binary,
        "",
        false,
        "calcium fracture on post-PCI IVUS",
    ),
    col(
        "prep_ivus",
        Kind::Binary,
        "",
        false,
        "analysable IVUS after pre-dilatation/atherectomy, before stenting",
    ),
    col(
        "prep_fracture",
        Kind::Binary,
        "",
        false,
        "calcium fracture on that pre-stent IVUS",
    ),
];

/// The schema entry of a column, if it is a schema column.
pub fn spec(name: &str) -> Option<&'static ColumnSpec> {
    LESION_SCHEMA.iter().find(|c| c.name == name)
}

/// The names a `--map` may rename a lesion registry's columns onto: the schema's columns and `cohort`.
pub fn map_keys() -> Vec<&'static str> {
    LESION_SCHEMA
        .iter()
        .map(|c| c.name)
        .chain(["cohort"])
        .collect()
}

/// Display labels ("Label (unit)") of the schema's columns and of the columns the Zhang 2021 flow adds, used
/// by tables such as `table1` unless the user gives their own.
pub(crate) const LABELS: &[(&str, &str)] = &[
    ("cto", "Chronic total occlusion"),
    ("isr", "In-stent restenosis"),
    ("max_calcium_angle_deg", "Calcium angle (°)"),
    ("pre_ivus", "Pre-PCI IVUS analysable"),
    ("post_ivus", "Post-PCI IVUS analysable"),
    ("angio_calcium", "Angiographic calcium"),
    ("atherectomy", "Atherectomy"),
    ("cutting_scoring_balloon", "Cutting/scoring balloon"),
    ("calcium_270_length_mm", "Calcium >270° length (mm)"),
    ("calcium_360", "360° calcium"),
    ("calcified_nodule", "Calcified nodule"),
    ("vessel_diameter_mm", "Vessel diameter (mm)"),
    ("calcium_thickness_mm", "Calcium thickness (mm)"),
    ("calcium_length_mm", "Calcium length (mm)"),
    ("stent_area_mm2", "Minimum stent area (mm²)"),
    (
        "ref_lumen_area_proximal_mm2",
        "Proximal reference lumen area (mm²)",
    ),
    (
        "ref_lumen_area_distal_mm2",
        "Distal reference lumen area (mm²)",
    ),
    ("stent_expansion_pct", "Stent expansion (%)"),
    ("underexpansion", "Stent underexpansion (<70%)"),
    ("calcium_fracture", "Calcium fracture (post-PCI)"),
    ("prep_ivus", "Pre-stent IVUS analysable"),
    ("prep_fracture", "Calcium fracture (pre-stent)"),
    ("score", "IVUS calcium score (points)"),
];

/// Columns on the outcome side of the lesion schema (what stenting achieved), shown apart from the baseline
/// characteristics (Table 1's "Outcomes" block).
pub const OUTCOME_COLUMNS: &[&str] = &[
    "stent_area_mm2",
    "stent_expansion_pct",
    "underexpansion",
    "calcium_fracture",
    "prep_fracture",
];

/// The display label of a schema (or flow-derived) column.
pub fn label(name: &str) -> Option<&'static str> {
    LABELS.iter().find(|(n, _)| *n == name).map(|&(_, l)| l)
}
