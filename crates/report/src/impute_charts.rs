//! Figures of a multiple imputation: the convergence trace (chain mean and SD of the imputed values per
//! iteration, one line per chain, as mice's `plot(imp)`) and observed vs imputed values per column (a strip
//! plot as mice's `stripplot(imp)`: observed values at 0, imputation i's values at i).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axes::Axes;
use super::figures::{draw_err, pt, render_png, render_svg, Figure, PALETTE, PX_PER_MM};
use crate::{OutputFile, Result};
use calcscore_stats::mice::Imputation;

fn px(mm: f64) -> u32 {
    (mm * PX_PER_MM) as u32
}

/// One chain's (iteration, value) points.
type Line = Vec<(f64, f64)>;

/// Convergence trace: per imputed column, the mean and SD panels with one line per chain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TracePlot {
    /// Per column: name, chains' means, chains' SDs.
    pub columns: Vec<(String, Vec<Line>, Vec<Line>)>,
}

impl TracePlot {
    /// The trace of an imputation.
    pub fn new(imp: &Imputation) -> TracePlot {
        let columns = imp
            .columns
            .iter()
            .map(|c| {
                let chain = |f: fn(&calcscore_stats::mice::TracePoint) -> f64| -> Vec<Line> {
                    (1..=imp.options.m)
                        .map(|i| {
                            imp.trace
                                .iter()
                                .filter(|t| t.column == c.column && t.imputation == i)
                                .map(|t| (t.iteration as f64, f(t)))
                                .collect()
                        })
                        .collect()
                };
                (c.column.clone(), chain(|t| t.mean), chain(|t| t.sd))
            })
            .collect();
        TracePlot { columns }
    }
}

impl Figure for TracePlot {
    fn size(&self) -> (u32, u32) {
        (px(170.0), px(45.0) * self.columns.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let rows = root.split_evenly((self.columns.len().max(1), 2));
        for (k, (name, means, sds)) in self.columns.iter().enumerate() {
            lines(&rows[2 * k], &format!("{name}: mean"), means)?;
            lines(&rows[2 * k + 1], &format!("{name}: SD"), sds)?;
        }
        Ok(())
    }
}

/// A range padded by 5% (or ±0.5 when flat); (0, 1) when empty or not finite.
fn padded(v: impl Iterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 };
    (lo - pad)..(hi + pad)
}

/// The axes of a panel: `title` above, five y ticks to five significant digits, small type.
fn panel_axes<'a>(x: Range<f64>, y: Range<f64>, title: &'a str) -> Axes<'a> {
    Axes::new(x, y)
        .caption(title, 8.0)
        .margin(5.0, None)
        .label_areas(pt(20.0) as i32, pt(32.0) as i32)
        .y_ticks(Some(5), Some(&|v| calcscore_core::format::significant5(*v)))
        .fonts(6.5, 7.0)
}

/// A panel of lines (one per chain) over the iterations.
fn lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    chains: &[Line],
) -> Result<()> {
    let x_max = chains
        .iter()
        .flat_map(|c| c.iter().map(|p| p.0))
        .fold(1.0, f64::max);
    let y = padded(chains.iter().flat_map(|c| c.iter().map(|p| p.1)));
    let mut chart = panel_axes(1.0..x_max.max(1.5), y, title)
        .x_ticks(6, &|v| format!("{v:.0}"))
        .x_title("Iteration")
        .draw(area)?;
    for (i, c) in chains.iter().enumerate() {
        chart
            .draw_series(LineSeries::new(
                c.iter().copied(),
                PALETTE[i % PALETTE.len()].stroke_width(3),
            ))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Observed vs imputed values: per column, observed values at x = 0 (blue) and imputation i's at x = i (red).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StripPlot {
    /// Per column: name, observed values, imputed values per imputation.
    pub columns: Vec<(String, Vec<f64>, Vec<Vec<f64>>)>,
}

impl StripPlot {
    /// The observed and imputed values of every imputed column.
    pub fn new(imp: &Imputation) -> StripPlot {
        let columns = imp
            .columns
            .iter()
            .filter_map(|c| imp.values(&c.column).map(|(o, d)| (c.column.clone(), o, d)))
            .collect();
        StripPlot { columns }
    }
}

impl Figure for StripPlot {
    fn size(&self) -> (u32, u32) {
        let rows = self.columns.len().div_ceil(2).max(1) as u32;
        (px(170.0), px(55.0) * rows)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let panels = root.split_evenly((self.columns.len().div_ceil(2).max(1), 2));
        for ((name, observed, imputed), area) in self.columns.iter().zip(&panels) {
            strip(area, name, observed, imputed)?;
        }
        Ok(())
    }
}

/// A deterministic jitter in [−0.3, 0.3] from the point's index (no random state).
fn jitter(i: usize) -> f64 {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    (h as f64 / (1u64 << 24) as f64 - 0.5) * 0.6
}

fn strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    observed: &[f64],
    imputed: &[Vec<f64>],
) -> Result<()> {
    let y = padded(observed.iter().chain(imputed.iter().flatten()).copied());
    let m = imputed.len() as f64;
    let mut chart = panel_axes(-0.5..m + 0.5, y, name)
        .x_ticks((imputed.len() + 1).min(11), &|v| format!("{v:.0}"))
        .x_title("Imputation (0 = observed)")
        .draw(area)?;
    let dot = |x: f64, v: f64, colour: RGBColor| {
        Circle::new((x, v), pt(0.8) as i32, colour.mix(0.5).filled())
    };
    chart
        .draw_series(
            observed
                .iter()
                .enumerate()
                .map(|(i, &v)| dot(jitter(i), v, PALETTE[0])),
        )
        .map_err(draw_err)?;
    for (k, values) in imputed.iter().enumerate() {
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| dot((k + 1) as f64 + jitter(i), v, PALETTE[5])),
            )
            .map_err(draw_err)?;
    }
    Ok(())
}

/// `imputation_trace` and `imputed_values`, each as SVG and PNG (nothing when no value was imputed).
pub fn files(imp: &Imputation) -> Result<Vec<OutputFile>> {
    if imp.columns.is_empty() {
        return Ok(Vec::new());
    }
    let trace = TracePlot::new(imp);
    let strip = StripPlot::new(imp);
    Ok(vec![
        (
            "imputation_trace.svg".into(),
            render_svg(&trace)?.into_bytes(),
        ),
        ("imputation_trace.png".into(), render_png(&trace)?),
        (
            "imputed_values.svg".into(),
            render_svg(&strip)?.into_bytes(),
        ),
        ("imputed_values.png".into(), render_png(&strip)?),
    ])
}
