//! Agatston, volume and mass scores of an axial CT series (Agatston 1990; McCollough 2007).
//!
//! Per slice, voxels at or above the threshold form 2-D connected lesions (8- or 4-connectivity);
//! lesions smaller than the minimum area are dropped; lesion score = area (mm²) × density weight of
//! its peak HU; the total is the sum over lesions and slices, optionally scaled by spacing / 3 mm.

use serde::Serialize;

use super::series::Series;
use super::ImagingError;

/// Which neighbours join two voxels of a slice into one lesion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Connectivity {
    /// Edge neighbours only.
    Four,
    /// Edge and corner neighbours (the usual default).
    Eight,
}

impl Connectivity {
    /// 4 or 8.
    pub fn number(self) -> u8 {
        match self {
            Connectivity::Four => 4,
            Connectivity::Eight => 8,
        }
    }
}

/// Whether the total is rescaled to the 3 mm slices the Agatston score was defined on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ThicknessScaling {
    /// Scores summed as measured.
    None,
    /// Every lesion score × slice spacing / 3 mm.
    Spacing,
}

/// The density thresholds: lesion threshold, then the lower bounds of weights 2, 3 and 4 (HU).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Weights {
    /// Voxels at or above this HU can form a lesion; lesions below the weight-2 bound weigh 1.
    pub threshold: f64,
    /// Lower bounds of weight 2, 3 and 4 (peak HU).
    pub bounds: [f64; 3],
    /// Where they come from.
    pub source: &'static str,
}

/// Standard Agatston density weights (130/200/300/400 HU).
pub(crate) const STANDARD: Weights = Weights {
    threshold: 130.0,
    bounds: [200.0, 300.0, 400.0],
    source: "Agatston 1990: weight 1 for 130-199 HU, 2 for 200-299, 3 for 300-399, 4 for >= 400 (peak HU)",
};

/// kV-dependent thresholds (Gräni et al. 2018, as CalciumScoring.jl documents them): kV, then
/// lesion threshold and the lower bounds of weights 2, 3, 4.
pub(crate) const KV_TABLE: &[(f64, [f64; 4])] = &[
    (70.0, [207.0, 318.0, 477.0, 636.0]),
    (80.0, [177.0, 271.0, 408.0, 544.0]),
    (100.0, [145.0, 222.0, 334.0, 446.0]),
    (120.0, [130.0, 199.0, 299.0, 399.0]),
    (135.0, [119.0, 183.0, 274.0, 364.0]),
];

impl Weights {
    /// Standard weights with another lesion threshold.
    pub fn standard(threshold: f64) -> Self {
        Weights {
            threshold,
            ..STANDARD
        }
    }

    /// The kV-dependent weights for a tube voltage listed in [`KV_TABLE`].
    pub(crate) fn for_kv(kv: f64) -> Option<Self> {
        KV_TABLE.iter().find(|(k, _)| (k - kv).abs() < 0.5).map(|(_, t)| Weights {
            threshold: t[0],
            bounds: [t[1], t[2], t[3]],
            source: "kV-dependent thresholds (Grani et al., Eur Heart J Cardiovasc Imaging 2018, as documented by CalciumScoring.jl)",
        })
    }

    /// Density weight (1-4) of a lesion with this peak HU.
    pub fn weight(&self, peak: f64) -> u8 {
        1 + self.bounds.iter().filter(|b| peak >= **b).count() as u8
    }
}

/// Checked scoring options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Lesion threshold, or `None` for the kV-dependent thresholds of the series' KVP.
    pub threshold: Option<f64>,
    /// Voxel connectivity within a slice.
    pub connectivity: Connectivity,
    /// Lesions smaller than this area (mm²) are dropped.
    pub min_area_mm2: f64,
    /// Slice-thickness scaling of the scores.
    pub thickness_scaling: ThicknessScaling,
    /// Mass calibration factor (mg/cm³ per HU).
    pub mass_factor: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: Some(130.0),
            connectivity: Connectivity::Eight,
            min_area_mm2: 1.0,
            thickness_scaling: ThicknessScaling::None,
            mass_factor: 1.0,
        }
    }
}

/// The conventions a score was computed with, reported beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conventions {
    /// Voxels with HU >= this form lesions.
    pub threshold_hu: f64,
    /// Peak-HU lower bounds of weights 2, 3 and 4.
    pub weight_bounds_hu: [f64; 3],
    /// Source of the thresholds.
    pub weights_source: &'static str,
    /// 4 or 8.
    pub connectivity: u8,
    /// Minimum lesion area (mm²); smaller lesions dropped.
    pub min_area_mm2: f64,
    /// "none" or "spacing".
    pub thickness_scaling: &'static str,
    /// Factor applied to every lesion score (1, or spacing / 3 mm).
    pub scale_factor: f64,
    /// Pixel spacing (mm): between rows, between columns.
    pub pixel_spacing_mm: [f64; 2],
    /// Distance between slices (mm), used for volume, mass and scaling.
    pub slice_spacing_mm: f64,
    /// Where the slice spacing comes from.
    pub slice_spacing_source: &'static str,
    /// SliceThickness (mm) as given.
    pub slice_thickness_mm: Option<f64>,
    /// Tube voltage (kV) as given.
    pub kvp: Option<f64>,
    /// Mass calibration factor (mg/cm³ per HU); 1 = uncalibrated.
    pub mass_factor: f64,
    /// The mass formula in words.
    pub mass_rule: &'static str,
}

/// One lesion: a connected region of one slice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lesion {
    /// Slice number (1 = lowest position along the normal).
    pub slice: usize,
    /// Slice position z (mm).
    pub z_mm: f64,
    /// Centroid row (pixels, 0-based).
    pub centroid_row: f64,
    /// Centroid column (pixels, 0-based).
    pub centroid_col: f64,
    /// Pixels in the lesion.
    pub n_pixels: usize,
    /// Area (mm²).
    pub area_mm2: f64,
    /// Peak HU.
    pub peak_hu: f64,
    /// Mean HU.
    pub mean_hu: f64,
    /// Density weight (1-4).
    pub weight: u8,
    /// Agatston score of the lesion (scaled when asked).
    pub agatston: f64,
    /// Volume (mm³).
    pub volume_mm3: f64,
    /// Mass (mg).
    pub mass_mg: f64,
    /// Label of the lesion's voxels in the mask (most frequent), if a mask was given.
    pub label: Option<String>,
}

/// Totals of one slice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceScore {
    /// Slice number (1 = lowest position along the normal).
    pub slice: usize,
    /// Slice position z (mm).
    pub z_mm: f64,
    /// The file.
    pub file: String,
    /// Lesions kept.
    pub n_lesions: usize,
    /// Their area (mm²).
    pub area_mm2: f64,
    /// Agatston score of the slice.
    pub agatston: f64,
    /// Volume (mm³).
    pub volume_mm3: f64,
    /// Mass (mg).
    pub mass_mg: f64,
}

/// Scores of a series: totals, per slice, per lesion, and the conventions used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Total Agatston score.
    pub agatston: f64,
    /// Total calcium volume (mm³).
    pub volume_mm3: f64,
    /// Total calcium mass (mg).
    pub mass_mg: f64,
    /// Lesions kept.
    pub n_lesions: usize,
    /// The conventions used.
    pub conventions: Conventions,
    /// Slices, lowest first.
    pub slices: Vec<SliceScore>,
    /// Lesions by slice, then raster order of their first pixel.
    pub lesions: Vec<Lesion>,
    /// Per-artery totals (only with a label mask).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arteries: Vec<LabelTotal>,
}

/// A voxel label array of the same size as the series, and the names of its labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// One label per voxel, slice-major in the series' sorted order (0 = none).
    pub voxels: Vec<u8>,
    /// Name of label k at index k (index 0 unused).
    pub names: Vec<String>,
}

/// The thresholds of a run: fixed, or from the series' KVP.
pub(crate) fn weights_for(series: &Series, opts: &Options) -> Result<Weights, ImagingError> {
    match opts.threshold {
        Some(t) => Ok(Weights::standard(t)),
        None => {
            let file = series.slices[0].file.display().to_string();
            let kv = series.kvp.ok_or_else(|| ImagingError::Unsupported {
                file: file.clone(),
                rule:
                    "--kv-thresholds needs the tube voltage (KVP), which this series does not give"
                        .into(),
            })?;
            Weights::for_kv(kv).ok_or_else(|| ImagingError::Unsupported {
                file,
                rule: format!(
                    "--kv-thresholds: no thresholds published for {kv} kV (listed: 70, 80, 100, 120, 135 kV)"
                ),
            })
        }
    }
}

/// Score a series.
pub fn score(
    series: &Series,
    opts: &Options,
    labels: Option<&Labels>,
) -> Result<Score, ImagingError> {
    let weights = weights_for(series, opts)?;
    let scale = match opts.thickness_scaling {
        ThicknessScaling::None => 1.0,
        ThicknessScaling::Spacing => series.slice_spacing / 3.0,
    };
    let conventions = conventions(series, opts, &weights, scale);
    let ctx = Context {
        series,
        opts,
        weights: &weights,
        scale,
        labels,
    };
    let mut lesions = Vec::new();
    let mut slices = Vec::new();
    for k in 0..series.slices.len() {
        let found = slice_lesions(&ctx, k);
        slices.push(slice_total(series, k, &found));
        lesions.extend(found);
    }
    Ok(Score {
        agatston: total(lesions.iter().map(|l| l.agatston)),
        volume_mm3: total(lesions.iter().map(|l| l.volume_mm3)),
        mass_mg: total(lesions.iter().map(|l| l.mass_mg)),
        n_lesions: lesions.len(),
        conventions,
        slices,
        arteries: if labels.is_some() {
            label_totals(&lesions)
        } else {
            Vec::new()
        },
        lesions,
    })
}

struct Context<'a> {
    series: &'a Series,
    opts: &'a Options,
    weights: &'a Weights,
    scale: f64,
    labels: Option<&'a Labels>,
}

fn conventions(series: &Series, opts: &Options, w: &Weights, scale: f64) -> Conventions {
    Conventions {
        threshold_hu: w.threshold,
        weight_bounds_hu: w.bounds,
        weights_source: w.source,
        connectivity: opts.connectivity.number(),
        min_area_mm2: opts.min_area_mm2,
        thickness_scaling: match opts.thickness_scaling {
            ThicknessScaling::None => "none",
            ThicknessScaling::Spacing => "spacing",
        },
        scale_factor: scale,
        pixel_spacing_mm: series.pixel_spacing,
        slice_spacing_mm: series.slice_spacing,
        slice_spacing_source: series.spacing_source,
        slice_thickness_mm: series.thickness,
        kvp: series.kvp,
        mass_factor: opts.mass_factor,
        mass_rule: "mass (mg) = factor (mg/cm3 per HU) x sum over lesion voxels of HU x voxel volume (cm3) \
                    = factor x mean HU x volume; voxel volume = pixel area x slice spacing",
    }
}

fn slice_total(series: &Series, k: usize, lesions: &[Lesion]) -> SliceScore {
    SliceScore {
        slice: k + 1,
        z_mm: series.slices[k].z,
        file: series.slices[k].file.display().to_string(),
        n_lesions: lesions.len(),
        area_mm2: total(lesions.iter().map(|l| l.area_mm2)),
        agatston: total(lesions.iter().map(|l| l.agatston)),
        volume_mm3: total(lesions.iter().map(|l| l.volume_mm3)),
        mass_mg: total(lesions.iter().map(|l| l.mass_mg)),
    }
}

/// The pixel lists of the lesions of slice `k` that pass the minimum area.
fn kept_regions(s: &Series, k: usize, threshold: f64, opts: &Options) -> Vec<Vec<usize>> {
    let inside: Vec<bool> = s.slices[k]
        .hu
        .iter()
        .map(|v| f64::from(*v) >= threshold)
        .collect();
    let area = s.pixel_area();
    components(&inside, s.rows, s.cols, opts.connectivity)
        .into_iter()
        .filter(|px| px.len() as f64 * area >= opts.min_area_mm2 * (1.0 - 1e-9))
        .collect()
}

/// The lesions of slice `k` that pass the minimum area.
fn slice_lesions(ctx: &Context, k: usize) -> Vec<Lesion> {
    kept_regions(ctx.series, k, ctx.weights.threshold, ctx.opts)
        .into_iter()
        .map(|px| lesion(ctx, k, &px))
        .collect()
}

/// Pixels (row-major indices) and density weight of each lesion kept on slice `k` (for overlays).
pub(crate) fn lesion_pixels(
    s: &Series,
    opts: &Options,
    k: usize,
) -> Result<Vec<(Vec<usize>, u8)>, ImagingError> {
    let w = weights_for(s, opts)?;
    Ok(kept_regions(s, k, w.threshold, opts)
        .into_iter()
        .map(|px| {
            let peak = px
                .iter()
                .map(|&i| f64::from(s.slices[k].hu[i]))
                .fold(f64::NEG_INFINITY, f64::max);
            (px, w.weight(peak))
        })
        .collect())
}

/// Totals of the lesions of one label (artery).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelTotal {
    /// Label name (LM, LAD, LCX, RCA, none ...).
    pub label: String,
    /// Lesions with this label.
    pub n_lesions: usize,
    /// Their Agatston score.
    pub agatston: f64,
    /// Their volume (mm³).
    pub volume_mm3: f64,
    /// Their mass (mg).
    pub mass_mg: f64,
}

/// Per-label totals (LM, LAD, LCX, RCA always listed, then other labels, then unlabelled lesions).
pub(crate) fn label_totals(lesions: &[Lesion]) -> Vec<LabelTotal> {
    let mut names: Vec<String> = super::labels::ARTERIES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for l in lesions {
        let n = l.label.clone().unwrap_or_else(|| "none".into());
        if !names.contains(&n) && n != "none" {
            names.push(n);
        }
    }
    names.push("none".into());
    names
        .into_iter()
        .map(|name| {
            let of: Vec<&Lesion> = lesions
                .iter()
                .filter(|l| l.label.as_deref().unwrap_or("none") == name)
                .collect();
            LabelTotal {
                label: name,
                n_lesions: of.len(),
                agatston: total(of.iter().map(|l| l.agatston)),
                volume_mm3: total(of.iter().map(|l| l.volume_mm3)),
                mass_mg: total(of.iter().map(|l| l.mass_mg)),
            }
        })
        .collect()
}

fn lesion(ctx: &Context, k: usize, px: &[usize]) -> Lesion {
    let s = ctx.series;
    let hu = &s.slices[k].hu;
    let values: Vec<f64> = px.iter().map(|&i| f64::from(hu[i])).collect();
    let n = px.len() as f64;
    let peak = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = values.iter().sum();
    let area = n * s.pixel_area();
    let weight = ctx.weights.weight(peak);
    let voxel_cm3 = s.pixel_area() * s.slice_spacing / 1000.0;
    Lesion {
        slice: k + 1,
        z_mm: s.slices[k].z,
        centroid_row: px.iter().map(|&i| (i / s.cols) as f64).sum::<f64>() / n,
        centroid_col: px.iter().map(|&i| (i % s.cols) as f64).sum::<f64>() / n,
        n_pixels: px.len(),
        area_mm2: area,
        peak_hu: peak,
        mean_hu: sum / n,
        weight,
        agatston: area * f64::from(weight) * ctx.scale,
        volume_mm3: area * s.slice_spacing,
        mass_mg: ctx.opts.mass_factor * sum * voxel_cm3,
        label: ctx
            .labels
            .and_then(|l| majority_label(l, k * s.rows * s.cols, px)),
    }
}

/// Most frequent non-zero label among the lesion's voxels (smallest label on ties).
fn majority_label(labels: &Labels, offset: usize, px: &[usize]) -> Option<String> {
    let mut counts = [0usize; 256];
    for &i in px {
        counts[labels.voxels[offset + i] as usize] += 1;
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .skip(1)
        .fold((0, 0), |acc, (k, &c)| if c > acc.1 { (k, c) } else { acc });
    (n > 0).then(|| {
        labels
            .names
            .get(best)
            .cloned()
            .unwrap_or_else(|| format!("label {best}"))
    })
}

/// Connected regions of a binary slice, each as pixel indices, ordered by their first pixel (raster order).
pub fn components(
    inside: &[bool],
    rows: usize,
    cols: usize,
    conn: Connectivity,
) -> Vec<Vec<usize>> {
    let mut seen = vec![false; inside.len()];
    let mut regions = Vec::new();
    let mut stack = Vec::new();
    for start in 0..inside.len() {
        if !inside[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut region = Vec::new();
        while let Some(i) = stack.pop() {
            region.push(i);
            for j in neighbours(i, rows, cols, conn) {
                if inside[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        region.sort_unstable();
        regions.push(region);
    }
    regions
}

fn neighbours(
    i: usize,
    rows: usize,
    cols: usize,
    conn: Connectivity,
) -> impl Iterator<Item = usize> {
    let (r, c) = ((i / cols) as isize, (i % cols) as isize);
    const EDGE: [(isize, isize); 4] = [(-1, 0), (1, 0), (0, -1), (0, 1)];
    const CORNER: [(isize, isize); 4] = [(-1, -1), (-1, 1), (1, -1), (1, 1)];
    let corners = if conn == Connectivity::Eight {
        &CORNER[..]
    } else {
        &[]
    };
    EDGE.iter()
        .chain(corners.iter())
        .filter_map(move |(dr, dc)| {
            let (rr, cc) = (r + dr, c + dc);
            (rr >= 0 && cc >= 0 && (rr as usize) < rows && (cc as usize) < cols)
                .then(|| rr as usize * cols + cc as usize)
        })
}

/// The sum of non-negative amounts from +0 (`Iterator::sum` starts from −0, so an empty series printed
/// "Agatston -0.0").
fn total(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_at_each_boundary() {
        let w = STANDARD;
        let got: Vec<u8> = [130.0, 199.0, 200.0, 299.0, 300.0, 399.0, 400.0, 1000.0]
            .iter()
            .map(|p| w.weight(*p))
            .collect();
        assert_eq!(got, [1, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn diagonal_pixels_join_only_with_8_connectivity() {
        // 3×3: pixels (0,0) and (1,1) touch at a corner.
        let inside = [true, false, false, false, true, false, false, false, false];
        assert_eq!(components(&inside, 3, 3, Connectivity::Eight).len(), 1);
        assert_eq!(components(&inside, 3, 3, Connectivity::Four).len(), 2);
    }
}
