//! Figures of the validation canon: the calibration plot (predicted on x, observed on y, 45° line,
//! lowess curve, grouped observations with CIs, distribution of predictions underneath) and the
//! decision curve (net benefit of the model, treat-all and treat-none over the thresholds).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::SINGLE_COLUMN;
use super::figures::{draw_err, pt, Chart, Figure, PALETTE, PX_PER_MM};
use crate::axes::Axes;
use crate::Result;
use calcscore_stats::calibration::{Calibration, CalibrationGroup};
use calcscore_stats::decision::DecisionCurve;

fn px(mm: f64) -> u32 {
    (mm * PX_PER_MM) as u32
}

fn font(size_pt: f64) -> TextStyle<'static> {
    ("sans-serif", pt(size_pt)).into_font().color(&BLACK)
}

/// Bins of the spike histogram of predictions (val.prob's 100 bins on [0, 1]).
const BINS: usize = 100;

/// Calibration plot of a set of predicted risks.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationPlot {
    /// The lowess curve (prediction, smoothed observed).
    pub curve: Vec<(f64, f64)>,
    /// Grouped observations with CIs.
    pub groups: Vec<CalibrationGroup>,
    /// Predictions per bin of width 1/100, for the histogram underneath.
    pub histogram: Vec<usize>,
    /// x-axis title.
    pub x_label: String,
    /// Confidence level of the group intervals.
    pub conf_level: f64,
    /// Bootstrap band of the curve: (prediction, lower, upper), when computed.
    pub band: Option<Vec<(f64, f64, f64)>>,
}

impl CalibrationPlot {
    /// The plot of a calibration of the risks `p` in the column `label`.
    pub fn new(cal: &Calibration, p: &[f64], label: &str) -> CalibrationPlot {
        let mut histogram = vec![0usize; BINS];
        for &v in p {
            histogram[((v * BINS as f64) as usize).min(BINS - 1)] += 1;
        }
        // At most ~1000 points of the curve are drawn (the figure stays small for large sets).
        let step = (cal.curve.len() / 1000).max(1);
        let mut curve: Vec<(f64, f64)> = cal.curve.iter().step_by(step).copied().collect();
        if let (Some(last), Some(end)) = (curve.last(), cal.curve.last()) {
            if last != end {
                curve.push(*end);
            }
        }
        CalibrationPlot {
            curve,
            groups: cal.groups.clone(),
            histogram,
            x_label: format!("Predicted risk ({label})"),
            conf_level: cal.conf_level,
            band: None,
        }
    }
}

impl Figure for CalibrationPlot {
    fn size(&self) -> (u32, u32) {
        (SINGLE_COLUMN, px(85.0))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut chart = frame(
            root,
            0.0..1.0,
            0.0..1.0,
            &self.x_label,
            "Observed proportion",
        )?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                grey.stroke_width(4),
            ))
            .map_err(draw_err)?;
        let top = self.histogram.iter().copied().max().unwrap_or(1).max(1) as f64;
        chart
            .draw_series(
                self.histogram
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(k, &c)| {
                        let x = (k as f64 + 0.5) / BINS as f64;
                        PathElement::new(
                            vec![(x, 0.0), (x, 0.08 * c as f64 / top)],
                            BLACK.stroke_width(2),
                        )
                    }),
            )
            .map_err(draw_err)?;
        if let Some(band) = &self.band {
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|&(x, _, hi)| (x, hi.clamp(0.0, 1.0)))
                .chain(band.iter().rev().map(|&(x, lo, _)| (x, lo.clamp(0.0, 1.0))))
                .collect();
            chart
                .draw_series([Polygon::new(outline, PALETTE[0].mix(0.2).filled())])
                .map_err(draw_err)?;
        }
        chart
            .draw_series(LineSeries::new(
                self.curve.iter().map(|&(x, y)| (x, y.clamp(0.0, 1.0))),
                PALETTE[0].stroke_width(5),
            ))
            .map_err(draw_err)?;
        let obs = PALETTE[5];
        for g in &self.groups {
            let x = g.mean_predicted;
            chart
                .draw_series([PathElement::new(
                    vec![(x, g.conf_low), (x, g.conf_high)],
                    obs.stroke_width(4),
                )])
                .map_err(draw_err)?;
            chart
                .draw_series([Circle::new((x, g.observed), pt(2.5) as i32, obs.filled())])
                .map_err(draw_err)?;
        }
        let ci = format!("Grouped, observed ({:.0}% CI)", self.conf_level * 100.0);
        let curve_label = match self.band {
            Some(_) => format!(
                "Lowess calibration, {:.0}% bootstrap band",
                self.conf_level * 100.0
            ),
            None => "Lowess (flexible) calibration".to_string(),
        };
        legend(
            root,
            &chart,
            &[
                ("Ideal (45° line)", grey, Key::Line),
                (curve_label.as_str(), PALETTE[0], Key::Line),
                (ci.as_str(), obs, Key::Point),
            ],
            false,
        )
    }
}

/// Decision curve: net benefit of the model, treat-all and treat-none.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionPlot {
    /// (threshold, net benefit) of the model.
    pub model: Vec<(f64, f64)>,
    /// (threshold, net benefit) of treating all.
    pub all: Vec<(f64, f64)>,
    /// Prevalence (the net benefit of treating all at threshold 0).
    pub prevalence: f64,
    /// Legend label of the model.
    pub label: String,
    /// Fixed strategies (e.g. score ≥ cutoff): name and (threshold, net benefit).
    pub strategies: Vec<(String, Vec<(f64, f64)>)>,
}

impl DecisionPlot {
    /// The plot of a decision curve of the risks in the column `label`.
    pub fn new(d: &DecisionCurve, label: &str) -> DecisionPlot {
        let pairs = |v: &[calcscore_stats::decision::DecisionPoint]| {
            v.iter().map(|p| (p.threshold, p.net_benefit)).collect()
        };
        DecisionPlot {
            model: pairs(&d.model),
            all: pairs(&d.all),
            prevalence: d.prevalence,
            label: label.to_string(),
            strategies: Vec::new(),
        }
    }
}

impl DecisionPlot {
    /// The decision curve of a validated group: the risk model (legend `label`), "score ≥ cutoff", treat all/none.
    pub fn of_group(d: &calcscore_score::validate::GroupDecision, label: &str) -> DecisionPlot {
        let pick = |f: fn(&calcscore_score::validate::DecisionRow) -> f64| {
            d.rows.iter().map(|r| (r.threshold, f(r))).collect()
        };
        DecisionPlot {
            model: pick(|r| r.net_benefit_model),
            all: pick(|r| r.net_benefit_all),
            prevalence: d.prevalence,
            label: label.to_string(),
            strategies: vec![(
                format!("Score ≥ {}", d.cutoff),
                pick(|r| r.net_benefit_cutoff),
            )],
        }
    }
}

impl Figure for DecisionPlot {
    fn size(&self) -> (u32, u32) {
        (SINGLE_COLUMN, px(70.0))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let x_max = self.model.last().map_or(1.0, |p| p.0).max(0.05);
        let y_max = (self.prevalence * 1.1).max(0.01);
        let y_min = -0.05 * y_max / 0.3;
        let mut chart = frame(
            root,
            0.0..x_max,
            y_min..y_max,
            "Threshold probability",
            "Net benefit",
        )?;
        let none = RGBColor(90, 90, 90);
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (x_max, 0.0)],
                none.stroke_width(3),
            ))
            .map_err(draw_err)?;
        // Treat-all falls steeply; drawn until it leaves the plot.
        chart
            .draw_series(LineSeries::new(
                self.all.iter().copied().take_while(|p| p.1 >= y_min),
                PALETTE[1].stroke_width(4),
            ))
            .map_err(draw_err)?;
        // The model's curve is drawn in the runs where it stays inside the plot.
        for run in self.model.split(|p| p.1 < y_min).filter(|r| !r.is_empty()) {
            chart
                .draw_series(LineSeries::new(
                    run.iter().copied(),
                    PALETTE[0].stroke_width(5),
                ))
                .map_err(draw_err)?;
        }
        let mut entries = vec![
            (self.label.as_str(), PALETTE[0], Key::Line),
            ("Treat all", PALETTE[1], Key::Line),
            ("Treat none", none, Key::Line),
        ];
        for (k, (name, points)) in self.strategies.iter().enumerate() {
            let colour = PALETTE[2 + k % 4];
            for run in points.split(|p| p.1 < y_min).filter(|r| !r.is_empty()) {
                chart
                    .draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(3)))
                    .map_err(draw_err)?;
            }
            entries.push((name.as_str(), colour, Key::Line));
        }
        legend(root, &chart, &entries, true)
    }
}

/// Axes with labels on a root area.
fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_label: &str,
    y_label: &str,
) -> Result<Chart<'a, DB>> {
    Axes::new(x, y)
        .label_areas(pt(26.0) as i32, pt(32.0) as i32)
        .titles(x_label, y_label)
        .y_ticks(Some(6), Some(&|v| format!("{v:.2}")))
        .draw(root)
}

/// How a legend entry is keyed.
#[derive(Debug, Clone, Copy)]
enum Key {
    Line,
    Point,
}

/// A legend in the top-left (or, with `right`, top-right) corner of the plotting area.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart<DB>,
    entries: &[(&str, RGBColor, Key)],
    right: bool,
) -> Result<()> {
    let style = font(6.5);
    let line_h = (pt(6.5) * 1.4) as i32;
    let key = pt(10.0) as i32;
    let (x_range, y_range) = (chart.x_range(), chart.y_range());
    let (left, y0) = chart.backend_coord(&(x_range.start, y_range.end));
    let x0 = if right {
        let mut widest = 0;
        for (label, _, _) in entries {
            widest = widest.max(root.estimate_text_size(label, &style).map_err(draw_err)?.0 as i32);
        }
        chart.backend_coord(&(x_range.end, y_range.end)).0 - widest - key - pt(7.0) as i32
    } else {
        left + pt(4.0) as i32
    };
    let y0 = y0 + pt(3.0) as i32;
    for (k, (label, colour, kind)) in entries.iter().enumerate() {
        let y = y0 + k as i32 * line_h;
        let mid = y + line_h / 2 - pt(1.5) as i32;
        match kind {
            Key::Line => root
                .draw(&PathElement::new(
                    vec![(x0, mid), (x0 + key, mid)],
                    colour.stroke_width(4),
                ))
                .map_err(draw_err)?,
            Key::Point => root
                .draw(&Circle::new(
                    (x0 + key / 2, mid),
                    pt(2.5) as i32,
                    colour.filled(),
                ))
                .map_err(draw_err)?,
        }
        root.draw(&Text::new(
            label.to_string(),
            (x0 + key + pt(3.0) as i32, y),
            style.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}
