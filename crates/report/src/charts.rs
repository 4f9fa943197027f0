//! Single-column (85 mm) figures of a scoring study: study flow, score–outcome lines with confidence
//! bands, ROC curve with the cutoff, calibration, and a forest plot. Each is a plain data struct that
//! implements [`Figure`], so it renders to SVG and 300-dpi PNG with the embedded font.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{draw_err, pt, Chart, Figure, PALETTE, PX_PER_MM};
use crate::axes::Axes;
use crate::Result;

/// Width of a single-column figure in pixels at 300 dpi (85 mm).
pub(crate) const SINGLE_COLUMN: u32 = (85.0 * PX_PER_MM) as u32;

fn px(mm: f64) -> u32 {
    (mm * PX_PER_MM) as u32
}

fn font(size_pt: f64) -> TextStyle<'static> {
    ("sans-serif", pt(size_pt)).into_font().color(&BLACK)
}

/// Split `text` at spaces into lines no wider than `max_px` in `style` (words are never broken; a no-break
/// space U+00A0 keeps two words together).
pub fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_px: u32,
) -> Result<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        let (w, _) = area
            .estimate_text_size(&candidate, style)
            .map_err(draw_err)?;
        if w > max_px && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// Draw lines of text centred (horizontally) on `x`, the first line's top at `y`; returns the bottom y.
fn text_centred<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[String],
    (x, y): (i32, i32),
    style: &TextStyle,
) -> Result<i32> {
    let line_h = (style.font.get_size() * 1.25) as i32;
    for (k, l) in lines.iter().enumerate() {
        let (w, _) = area.estimate_text_size(l, style).map_err(draw_err)?;
        area.draw(&Text::new(
            l.clone(),
            (x - w as i32 / 2, y + k as i32 * line_h),
            style.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(y + lines.len() as i32 * line_h)
}

/// Draw lines of text left-aligned at `x`, the first line's top at `y`.
fn text_left<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[String],
    (x, y): (i32, i32),
    style: &TextStyle,
) -> Result<()> {
    let line_h = (style.font.get_size() * 1.25) as i32;
    for (k, l) in lines.iter().enumerate() {
        area.draw(&Text::new(
            l.clone(),
            (x, y + k as i32 * line_h),
            style.clone(),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- study flow

/// One step of the flow: the lesions remaining, and the exclusions leading away from it.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStep {
    /// Box text, e.g. "3862 lesions in 3415 patients".
    pub text: String,
    /// Exclusions leaving after this box, each "reason (n = k)"; empty for the last box.
    pub excluded: Vec<String>,
}

/// A final group (cohort) box.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowGroup {
    /// First line, e.g. "A. Derivation".
    pub title: String,
    /// Second line, e.g. "97 lesions".
    pub count: String,
}

/// The study flow diagram (the paper's Figure 1): main boxes down the left, exclusion side boxes to
/// the right, and the cohorts in a row at the bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowDiagram {
    /// Main boxes from the input to the analysed lesions.
    pub steps: Vec<FlowStep>,
    /// Cohort boxes below the last step.
    pub groups: Vec<FlowGroup>,
}

const FLOW_MAIN_W: f64 = 34.0;
const FLOW_SIDE_X: f64 = 41.0;
const FLOW_SIDE_W: f64 = 42.0;

impl FlowDiagram {
    fn side_lines(&self, step: &FlowStep) -> usize {
        // Estimated without a backend: about 30 characters per line at 6.5 pt in 40 mm.
        step.excluded
            .iter()
            .map(|e| e.chars().count().div_ceil(34).max(1))
            .sum::<usize>()
            + 1
    }
}

impl Figure for FlowDiagram {
    fn size(&self) -> (u32, u32) {
        // An upper estimate of the drawn height: main box, side box (2.9 mm per line), gaps, and the cohort row.
        let steps: f64 = self
            .steps
            .iter()
            .map(|s| {
                let main = 3.3 * s.text.chars().count().div_ceil(22) as f64 + 3.0;
                let side = if s.excluded.is_empty() {
                    0.0
                } else {
                    2.9 * self.side_lines(s) as f64 + 2.5 + 4.0
                };
                main + side + 4.0
            })
            .sum();
        (SINGLE_COLUMN, px(steps + 11.0))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let main = font(7.5);
        let side = font(6.5);
        let line = BLACK.stroke_width(3);
        let mm = |v: f64| (v * PX_PER_MM) as i32;
        let main_x = mm(1.0);
        let main_w = mm(FLOW_MAIN_W);
        let centre = main_x + main_w / 2;
        let mut y = mm(2.0);
        let mut prev_bottom: Option<i32> = None;
        for step in &self.steps {
            let lines = wrap(root, &step.text, &main, (main_w - mm(3.0)) as u32)?;
            let box_h = lines.len() as i32 * (pt(7.5) * 1.25) as i32 + mm(3.0);
            if let Some(b) = prev_bottom {
                arrow(root, (centre, b), (centre, y), line)?;
            }
            root.draw(&Rectangle::new(
                [(main_x, y), (main_x + main_w, y + box_h)],
                line,
            ))
            .map_err(draw_err)?;
            text_centred(root, &lines, (centre, y + mm(1.5)), &main)?;
            let bottom = y + box_h;
            let mut next_y = bottom + mm(4.0);
            if !step.excluded.is_empty() {
                let side_x = mm(FLOW_SIDE_X);
                let side_w = mm(FLOW_SIDE_W);
                let mut all = vec!["Excluded:".to_string()];
                for e in &step.excluded {
                    all.extend(wrap(root, e, &side, (side_w - mm(3.0)) as u32)?);
                }
                let side_h = all.len() as i32 * (pt(6.5) * 1.25) as i32 + mm(2.5);
                let side_y = bottom + mm(2.0);
                let mid = side_y + side_h / 2;
                root.draw(&PathElement::new(
                    vec![(centre, bottom), (centre, side_y + side_h + mm(2.0))],
                    line,
                ))
                .map_err(draw_err)?;
                arrow(root, (centre, mid), (side_x, mid), line)?;
                root.draw(&Rectangle::new(
                    [(side_x, side_y), (side_x + side_w, side_y + side_h)],
                    line,
                ))
                .map_err(draw_err)?;
                text_left(root, &all, (side_x + mm(1.5), side_y + mm(1.2)), &side)?;
                next_y = side_y + side_h + mm(4.0);
                prev_bottom = Some(side_y + side_h + mm(2.0));
            } else {
                prev_bottom = Some(bottom);
            }
            y = next_y;
        }
        self.draw_groups(root, prev_bottom.unwrap_or(y), y)
    }
}

impl FlowDiagram {
    fn draw_groups<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        from: i32,
        y: i32,
    ) -> Result<()> {
        let n = self.groups.len().max(1) as i32;
        let mm = |v: f64| (v * PX_PER_MM) as i32;
        let line = BLACK.stroke_width(3);
        let total = mm(83.0);
        let gap = mm(1.5);
        let w = (total - gap * (n - 1)) / n;
        let style = font(6.5);
        let bold = font(7.0);
        let bar_y = from + (y - from) / 2;
        let centre_main = mm(1.0) + mm(FLOW_MAIN_W) / 2;
        root.draw(&PathElement::new(
            vec![(centre_main, from), (centre_main, bar_y)],
            line,
        ))
        .map_err(draw_err)?;
        let first_c = mm(1.0) + w / 2;
        let last_c = mm(1.0) + (n - 1) * (w + gap) + w / 2;
        root.draw(&PathElement::new(
            vec![(first_c, bar_y), (last_c, bar_y)],
            line,
        ))
        .map_err(draw_err)?;
        let mut wrapped = Vec::new();
        for g in &self.groups {
            let mut lines = wrap(root, &g.title, &bold, (w - mm(2.0)) as u32)?;
            lines.push(g.count.clone());
            wrapped.push(lines);
        }
        // Boxes of one height, from the tallest.
        let n_lines = wrapped.iter().map(Vec::len).max().unwrap_or(1) as i32;
        let h = n_lines * (pt(7.0) * 1.25) as i32 + mm(2.5);
        for (k, lines) in wrapped.into_iter().enumerate() {
            let x = mm(1.0) + k as i32 * (w + gap);
            let c = x + w / 2;
            arrow(root, (c, bar_y), (c, y), line)?;
            root.draw(&Rectangle::new(
                [(x, y), (x + w, y + h)],
                PALETTE[k % PALETTE.len()].mix(0.25).filled(),
            ))
            .map_err(draw_err)?;
            root.draw(&Rectangle::new([(x, y), (x + w, y + h)], line))
                .map_err(draw_err)?;
            let (titles, count) = lines.split_at(lines.len() - 1);
            text_centred(root, titles, (c, y + mm(1.2)), &bold)?;
            // Counts on one baseline at the bottom of every box, whatever the title's length.
            let count_y = y + h - mm(1.3) - (pt(7.0) * 1.25) as i32;
            text_centred(root, count, (c, count_y), &style)?;
        }
        Ok(())
    }
}

/// A line with an arrow head at `to`.
fn arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    style: ShapeStyle,
) -> Result<()> {
    area.draw(&PathElement::new(vec![from, to], style))
        .map_err(draw_err)?;
    let head = (pt(4.0)) as i32;
    let (dx, dy) = ((to.0 - from.0).signum(), (to.1 - from.1).signum());
    let pts = if dx != 0 {
        vec![
            to,
            (to.0 - dx * head, to.1 - head / 2),
            (to.0 - dx * head, to.1 + head / 2),
        ]
    } else {
        vec![
            to,
            (to.0 - head / 2, to.1 - dy * head),
            (to.0 + head / 2, to.1 - dy * head),
        ]
    };
    area.draw(&Polygon::new(pts, BLACK.filled()))
        .map_err(draw_err)
}

// ---------------------------------------------------------------- score vs outcome lines

/// One group of a score–outcome figure: summary markers and a fitted line with its band.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGroup {
    /// Legend label.
    pub label: String,
    /// Per score: (score, n, mean, sd) of the observed outcome; markers drawn where n > 0.
    pub observed: Vec<(i64, usize, Option<f64>, Option<f64>)>,
    /// Fitted line at a grid of scores: (score, fit, lower, upper).
    pub fitted: Vec<(f64, f64, f64, f64)>,
}

/// Figure 5 of Zhang 2021: outcome on score per group, fitted lines with confidence bands, and a
/// note (the interaction P) on the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedLines {
    /// Groups (two expected: B and C).
    pub groups: Vec<FittedGroup>,
    /// Highest score.
    pub max_score: i64,
    /// x-axis title.
    pub x_label: String,
    /// y-axis title.
    pub y_label: String,
    /// y range.
    pub y_range: (f64, f64),
    /// Text on the plot (e.g. "Interaction P = 0.031").
    pub note: String,
    /// Horizontal reference line (the 70% threshold), if any.
    pub reference: Option<f64>,
}

impl Figure for FittedLines {
    fn size(&self) -> (u32, u32) {
        (SINGLE_COLUMN, px(72.0))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let x_max = self.max_score as f64 + 0.4;
        let mut chart = Axes::new(-0.4f64..x_max, self.y_range.0..self.y_range.1)
            .titles(&self.x_label, &self.y_label)
            .x_ticks((self.max_score + 1) as usize, &|x| format!("{x:.0}"))
            .y_ticks(None, Some(&|y| format!("{y:.0}")))
            .draw(root)?;
        if let Some(r) = self.reference {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(-0.4, r), (x_max, r)],
                    pt(3.0) as u32,
                    pt(2.5) as u32,
                    RGBColor(120, 120, 120).stroke_width(3),
                ))
                .map_err(draw_err)?;
        }
        let k_groups = self.groups.len().max(1) as f64;
        for (k, g) in self.groups.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let limits: Vec<(f64, f64, f64)> = g.fitted.iter().map(|p| (p.0, p.2, p.3)).collect();
            draw_band(&mut chart, &limits, colour)?;
            chart
                .draw_series(LineSeries::new(
                    g.fitted.iter().map(|p| (p.0, p.1)),
                    colour.stroke_width(5),
                ))
                .map_err(draw_err)?;
            // Markers side by side (dodged) so that groups do not hide each other.
            let dodge = (k as f64 - (k_groups - 1.0) / 2.0) * 0.12;
            for &(s, n, m, sd) in &g.observed {
                let (Some(m), true) = (m, n > 0) else {
                    continue;
                };
                let x = s as f64 + dodge;
                if let Some(sd) = sd {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, m - sd), (x, m + sd)],
                            colour.stroke_width(3),
                        )))
                        .map_err(draw_err)?;
                }
                let marker: DynElement<DB, (f64, f64)> = if k == 0 {
                    Circle::new((x, m), pt(2.2) as i32, colour.filled()).into_dyn()
                } else {
                    TriangleMarker::new((x, m), pt(2.6) as i32, colour.filled()).into_dyn()
                };
                chart
                    .draw_series(std::iter::once(marker))
                    .map_err(draw_err)?;
            }
        }
        // The groups' keys, then the note, at the bottom left.
        let (x0, y_bottom) = chart.backend_coord(&(-0.3, self.y_range.0));
        let rows = self.groups.len() as i32 + 1;
        let top = y_bottom - rows * legend_line_h() - pt(3.0) as i32;
        let entries: Vec<(Key, &str)> = self
            .groups
            .iter()
            .enumerate()
            .map(|(k, g)| (Key::Line(PALETTE[k % PALETTE.len()]), g.label.as_str()))
            .collect();
        let y = legend(root, (x0, top), &entries)?;
        root.draw(&Text::new(self.note.clone(), (x0, y), font(7.0)))
            .map_err(draw_err)
    }
}

// ---------------------------------------------------------------- ROC

/// ROC curve with its AUC and the cutoff marked.
#[derive(Debug, Clone, PartialEq)]
pub struct RocCurve {
    /// (1 − specificity, sensitivity) from the highest threshold to the lowest.
    pub points: Vec<(f64, f64)>,
    /// "AUC 0.81 (95% CI 0.75–0.87, DeLong)".
    pub auc_text: String,
    /// The cutoff's (1 − specificity, sensitivity).
    pub cutoff: (f64, f64),
    /// "Score ≥2: sensitivity 0.98, specificity 0.45".
    pub cutoff_text: Vec<String>,
}

impl Figure for RocCurve {
    fn size(&self) -> (u32, u32) {
        (SINGLE_COLUMN, px(80.0))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut chart = Axes::new(0f64..1f64, 0f64..1.02f64)
            .titles(
                "1 − specificity (false-positive fraction)",
                "Sensitivity (true-positive fraction)",
            )
            .draw(root)?;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, 0.0), (1.0, 1.0)],
                pt(3.0) as u32,
                pt(2.5) as u32,
                RGBColor(150, 150, 150).stroke_width(3),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(LineSeries::new(
                self.points.iter().copied(),
                PALETTE[0].stroke_width(6),
            ))
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(Circle::new(
                self.cutoff,
                pt(3.0) as i32,
                PALETTE[5].filled(),
            )))
            .map_err(draw_err)?;
        let style = font(7.0);
        let (cx, cy) = chart.backend_coord(&self.cutoff);
        let line_h = (pt(7.0) * 1.25) as i32;
        text_left(
            root,
            &self.cutoff_text,
            (cx + pt(5.0) as i32, cy + pt(5.0) as i32),
            &style.color(&PALETTE[5]),
        )?;
        let (rx, ry) = chart.backend_coord(&(0.97, 0.04));
        let (w, _) = root
            .estimate_text_size(&self.auc_text, &style)
            .map_err(draw_err)?;
        text_left(
            root,
            std::slice::from_ref(&self.auc_text),
            (rx - w as i32, ry - line_h),
            &style,
        )
    }
}

// ---------------------------------------------------------------- calibration

/// One score level of a calibration figure.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationPoint {
    /// Score.
    pub score: i64,
    /// Lesions at this score in the cohort checked.
    pub n: usize,
    /// Observed proportion with the outcome, with its CI; `None` when n = 0.
    pub observed: Option<(f64, f64, f64)>,
    /// Predicted probability with its CI.
    pub predicted: (f64, f64, f64),
}

/// Observed vs predicted probability of the outcome by score.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Levels in score order.
    pub points: Vec<CalibrationPoint>,
    /// Legend label of the predictions.
    pub predicted_label: String,
    /// Legend label of the observations.
    pub observed_label: String,
    /// x-axis title.
    pub x_label: String,
    /// y-axis title.
    pub y_label: String,
}

impl Figure for Calibration {
    fn size(&self) -> (u32, u32) {
        (SINGLE_COLUMN, px(78.0))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let max = self.points.iter().map(|p| p.score).max().unwrap_or(4) as f64;
        let mut chart = Axes::new(-0.4f64..max + 0.4, 0f64..100f64)
            .margin(6.0, Some(30.0))
            .label_areas(pt(34.0) as i32, pt(30.0) as i32)
            .titles(&self.x_label, &self.y_label)
            .x_ticks(max as usize + 1, &|x| format!("{x:.0}"))
            .y_ticks(None, Some(&|y| format!("{y:.0}")))
            .draw(root)?;
        let pred = PALETTE[0];
        let obs = PALETTE[5];
        let limits: Vec<(f64, f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.score as f64, 100.0 * p.predicted.1, 100.0 * p.predicted.2))
            .collect();
        draw_band(&mut chart, &limits, pred)?;
        chart
            .draw_series(LineSeries::new(
                self.points
                    .iter()
                    .map(|p| (p.score as f64, 100.0 * p.predicted.0)),
                pred.stroke_width(5),
            ))
            .map_err(draw_err)?;
        let small = font(6.5);
        for p in &self.points {
            let x = p.score as f64;
            if let Some((e, lo, hi)) = p.observed {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x, 100.0 * lo), (x, 100.0 * hi)],
                        obs.stroke_width(4),
                    )))
                    .map_err(draw_err)?;
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (x, 100.0 * e),
                        pt(2.5) as i32,
                        obs.filled(),
                    )))
                    .map_err(draw_err)?;
            }
            let (cx, cy) = chart.backend_coord(&(x, 0.0));
            let label = format!("n={}", p.n);
            text_centred(root, &[label], (cx, cy + pt(11.0) as i32), &small)?;
        }
        // The legend sits above the plot, where no interval can reach it.
        let (x0, _) = chart.backend_coord(&(-0.3, 100.0));
        legend(
            root,
            (x0, pt(4.0) as i32),
            &[
                (Key::Line(pred), &self.predicted_label),
                (Key::Point(obs), &self.observed_label),
            ],
        )?;
        Ok(())
    }
}

// ---------------------------------------------------------------- legend and bands

/// How a legend entry is keyed: a line (a fitted curve), or a dot on its interval (an observation).
#[derive(Debug, Clone, Copy)]
enum Key {
    Line(RGBColor),
    Point(RGBColor),
}

/// The height of a legend entry (7 pt type).
fn legend_line_h() -> i32 {
    (pt(7.0) * 1.35) as i32
}

/// Legend entries in 7 pt type stacked down from `(x, y)` one line apart, each a 12 pt key and its label 3 pt
/// after it; returns the top of the line below the last entry.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    entries: &[(Key, &str)],
) -> Result<i32> {
    let style = font(7.0);
    let line_h = legend_line_h();
    let key = pt(12.0) as i32;
    let mut y = y;
    for &(kind, label) in entries {
        let mid = y + line_h / 2 - pt(1.0) as i32;
        match kind {
            Key::Line(colour) => root
                .draw(&PathElement::new(
                    vec![(x, mid), (x + key, mid)],
                    colour.stroke_width(5),
                ))
                .map_err(draw_err)?,
            Key::Point(colour) => {
                root.draw(&PathElement::new(
                    vec![
                        (x + key / 2, mid - pt(3.0) as i32),
                        (x + key / 2, mid + pt(3.0) as i32),
                    ],
                    colour.stroke_width(4),
                ))
                .map_err(draw_err)?;
                root.draw(&Circle::new(
                    (x + key / 2, mid),
                    pt(2.5) as i32,
                    colour.filled(),
                ))
                .map_err(draw_err)?;
            }
        }
        let text = Text::new(
            label.to_string(),
            (x + key + pt(3.0) as i32, y),
            style.clone(),
        );
        root.draw(&text).map_err(draw_err)?;
        y += line_h;
    }
    Ok(y)
}

/// Shade a confidence band in `colour`: out along the upper limits of `(x, lower, upper)`, back along the lower.
fn draw_band<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    limits: &[(f64, f64, f64)],
    colour: RGBColor,
) -> Result<()> {
    let outline: Vec<(f64, f64)> = limits
        .iter()
        .map(|p| (p.0, p.2))
        .chain(limits.iter().rev().map(|p| (p.0, p.1)))
        .collect();
    chart
        .draw_series(std::iter::once(Polygon::new(
            outline,
            colour.mix(0.2).filled(),
        )))
        .map_err(draw_err)?;
    Ok(())
}

// ---------------------------------------------------------------- forest plot

/// One row of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    /// Label in words.
    pub label: String,
    /// Estimate, lower and upper limit (on the axis scale, e.g. odds ratios).
    pub estimate: (f64, f64, f64),
}

/// One panel of a forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestPanel {
    /// Panel title.
    pub title: String,
    /// x-axis title.
    pub x_label: String,
    /// Rows top to bottom.
    pub rows: Vec<ForestRow>,
    /// No-effect line (0 for differences, 1 for ratios).
    pub null_value: f64,
    /// Logarithmic axis (ratios).
    pub log_scale: bool,
}

/// Forest plot: estimates with CIs, one panel per model, stacked.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    /// Panels, drawn top to bottom.
    pub panels: Vec<ForestPanel>,
}

impl Figure for Forest {
    fn size(&self) -> (u32, u32) {
        let h: f64 = self
            .panels
            .iter()
            .map(|p| 26.0 + 6.5 * p.rows.len() as f64)
            .sum();
        (SINGLE_COLUMN, px(h))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let heights: Vec<f64> = self
            .panels
            .iter()
            .map(|p| 26.0 + 6.5 * p.rows.len() as f64)
            .collect();
        let mut rest = root.clone();
        for (k, (p, h)) in self.panels.iter().zip(&heights).enumerate() {
            let (top, bottom) = rest.split_vertically(px(*h));
            draw_forest_panel(p, &top, PALETTE[k % PALETTE.len()])?;
            rest = bottom;
        }
        Ok(())
    }
}

fn draw_forest_panel<DB: DrawingBackend>(
    p: &ForestPanel,
    area: &DrawingArea<DB, Shift>,
    colour: RGBColor,
) -> Result<()> {
    let label_w = px(38.0);
    let n = p.rows.len() as f64;
    let lo = p
        .rows
        .iter()
        .map(|r| r.estimate.1)
        .fold(p.null_value, f64::min);
    let hi = p
        .rows
        .iter()
        .map(|r| r.estimate.2)
        .fold(p.null_value, f64::max);
    let t = |v: f64| if p.log_scale { v.ln() } else { v };
    let pad = (t(hi) - t(lo)) * 0.08;
    let (a, b) = (t(lo) - pad, t(hi) + pad);
    let log = p.log_scale;
    let mut chart = Axes::new(a..b, -0.5f64..(n - 0.5))
        .caption(&p.title, 8.0)
        .margin(5.0, None)
        .label_areas(pt(24.0) as i32, label_w as i32)
        .x_title(&p.x_label)
        .x_ticks(if log { 0 } else { 6 }, &|x| format!("{x:.0}"))
        .y_ticks(Some(0), None)
        .fonts(7.0, 7.5)
        .draw(area)?;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(t(p.null_value), -0.5), (t(p.null_value), n - 0.5)],
            pt(2.5) as u32,
            pt(2.0) as u32,
            RGBColor(120, 120, 120).stroke_width(3),
        ))
        .map_err(draw_err)?;
    let style = font(7.0);
    if log {
        log_ticks(area, &chart, (a, b))?;
    }
    for (k, r) in p.rows.iter().enumerate() {
        let y = n - 1.0 - k as f64;
        let (e, l, h) = r.estimate;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t(l), y), (t(h), y)],
                colour.stroke_width(4),
            )))
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    (t(e) - (b - a) * 0.012, y - 0.15),
                    (t(e) + (b - a) * 0.012, y + 0.15),
                ],
                colour.filled(),
            )))
            .map_err(draw_err)?;
        let (_, py) = chart.backend_coord(&(a, y));
        let lines = wrap(area, &r.label, &style, label_w - px(3.0))?;
        let line_h = (pt(7.0) * 1.2) as i32;
        let top = py - area.get_base_pixel().1 - lines.len() as i32 * line_h / 2;
        text_left(area, &lines, (pt(4.0) as i32, top), &style)?;
    }
    Ok(())
}

/// Ticks at 1-2-5 values of a log axis (drawn by hand: plotters would place them at powers of e).
fn log_ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<DB>,
    (a, b): (f64, f64),
) -> Result<()> {
    let style = font(7.0);
    let candidates: [f64; 15] = [
        0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0,
    ];
    let base = area.get_base_pixel();
    for v in candidates
        .iter()
        .copied()
        .filter(|v| (a..=b).contains(&v.ln()))
    {
        let (x, y) = chart.backend_coord(&(v.ln(), -0.5));
        let (x, y) = (x - base.0, y - base.1);
        area.draw(&PathElement::new(
            vec![(x, y), (x, y + pt(3.0) as i32)],
            BLACK.stroke_width(2),
        ))
        .map_err(draw_err)?;
        let label = if v < 1.0 {
            format!("{v}")
        } else {
            format!("{v:.0}")
        };
        text_centred(area, &[label], (x, y + pt(5.0) as i32), &style)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forest_draws_one_whisker_per_row() {
        let f = Forest {
            panels: vec![ForestPanel {
                title: "Linear".into(),
                x_label: "Change in stent expansion (%)".into(),
                rows: vec![
                    ForestRow {
                        label: "a".into(),
                        estimate: (-8.0, -12.0, -4.0),
                    },
                    ForestRow {
                        label: "b".into(),
                        estimate: (-3.0, -6.0, 1.0),
                    },
                ],
                null_value: 0.0,
                log_scale: false,
            }],
        };
        let svg = super::super::figures::render_svg(&f).unwrap();
        assert!(svg.contains("Change in stent expansion (%)"));
        assert!(svg.contains("\na\n</text>") && svg.contains("\nb\n</text>"));
        let whiskers = svg.matches("stroke=\"#0072B2\" stroke-width=\"4\"").count();
        assert_eq!(whiskers, 2, "one CI line per row");
    }
}
