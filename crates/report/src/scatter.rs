//! Scatter plot of two paired changes (e.g. %ΔBMD vs %ΔCAC) with the least-squares line, zero
//! reference lines and the correlation written in the panel; implements [`Figure`].

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figures::{draw_err, pt, Chart, Figure, PALETTE, PX_PER_MM};
use crate::axes::Axes;
use crate::Result;

/// A scatter of points with its fitted line and an annotation (r, CI, P).
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Text in the panel's top-right corner (e.g. "r = −0.71, P = 0.02").
    pub annotation: Vec<String>,
    /// Small grey note in the top-left corner (e.g. "SYNTHETIC DATA").
    pub note: Option<String>,
}

/// Least-squares line y = a + b·x of the points; `None` when x is constant or there are < 2 points.
pub(crate) fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| (my - sxy / sxx * mx, sxy / sxx))
}

/// An axis range covering `v` and 0, padded by 10% on each side.
fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v.fold((0.0f64, 0.0f64), |(l, h), x| (l.min(x), h.max(x)));
    let pad = ((hi - lo) * 0.1).max(1e-9);
    (lo - pad, hi + pad)
}

impl Figure for Scatter {
    fn size(&self) -> (u32, u32) {
        ((85.0 * PX_PER_MM) as u32, (80.0 * PX_PER_MM) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        // The annotation gets its own strip above the axes, so it never hides a point.
        let strip = (self.annotation.len() as f64 * pt(10.0) + pt(8.0)) as u32;
        let (top, body) = root.split_vertically(strip);
        self.draw_annotation(&top)?;
        let (x0, x1) = range(self.points.iter().map(|p| p.0));
        let (y0, y1) = range(self.points.iter().map(|p| p.1));
        let mut chart = Axes::new(x0..x1, y0..y1)
            .margin(8.0, None)
            .label_areas(pt(26.0) as i32, pt(32.0) as i32)
            .titles(&self.x_label, &self.y_label)
            .x_ticks(6, &|v| tick(*v))
            .y_ticks(Some(6), Some(&|v| tick(*v)))
            .fonts(8.0, 9.0)
            .draw(&body)?;
        let grey = RGBColor(150, 150, 150).stroke_width(3);
        let dash = |a, b| DashedLineSeries::new(vec![a, b], pt(3.0) as u32, pt(2.0) as u32, grey);
        chart
            .draw_series(dash((x0, 0.0), (x1, 0.0)))
            .map_err(draw_err)?;
        chart
            .draw_series(dash((0.0, y0), (0.0, y1)))
            .map_err(draw_err)?;
        if let Some((a, b)) = least_squares(&self.points) {
            let (lo, hi) = self
                .points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                    (l.min(p.0), h.max(p.0))
                });
            let line = vec![(lo, a + b * lo), (hi, a + b * hi)];
            chart
                .draw_series(LineSeries::new(line, PALETTE[5].stroke_width(6)))
                .map_err(draw_err)?;
        }
        let dot = PALETTE[0];
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|&p| Circle::new(p, pt(3.0) as i32, dot.mix(0.85).filled())),
            )
            .map_err(draw_err)?;
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|&p| Circle::new(p, pt(3.0) as i32, BLACK.stroke_width(2))),
            )
            .map_err(draw_err)?;
        self.draw_note(&body, &chart)?;
        Ok(())
    }
}

/// A tick label: at most 2 decimals, trailing zeros dropped, a true minus sign.
pub fn tick(v: f64) -> String {
    let t = format!("{v:.2}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    match t {
        "-0" => "0".into(),
        _ => t.replace('-', "\u{2212}"),
    }
}

impl Scatter {
    /// The annotation lines, right-aligned in the strip above the axes.
    fn draw_annotation<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let font = ("sans-serif", pt(7.5)).into_font().color(&BLACK);
        let (w, _) = area.dim_in_pixel();
        for (k, line) in self.annotation.iter().enumerate() {
            let (tw, _) = area.estimate_text_size(line, &font).map_err(draw_err)?;
            let at = (
                w as i32 - tw as i32 - pt(10.0) as i32,
                pt(4.0) as i32 + k as i32 * pt(10.0) as i32,
            );
            area.draw(&Text::new(line.clone(), at, font.clone()))
                .map_err(draw_err)?;
        }
        Ok(())
    }

    /// The note (e.g. SYNTHETIC DATA) in the plot's lower-left corner.
    fn draw_note<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &Chart<'_, DB>,
    ) -> Result<()> {
        let Some(note) = &self.note else {
            return Ok(());
        };
        let (px, py) = chart.plotting_area().get_pixel_range();
        let base = area.get_base_pixel();
        let f = ("sans-serif", pt(7.0))
            .into_font()
            .color(&RGBColor(110, 110, 110));
        let at = (
            px.start - base.0 + pt(4.0) as i32,
            py.end - base.1 - pt(12.0) as i32,
        );
        area.draw(&Text::new(note.clone(), at, f)).map_err(draw_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{render_png, render_svg};

    #[test]
    fn least_squares_by_hand() {
        // x = 0, 1, 2; y = 1, 3, 4: mean x 1, mean y 8/3, Sxy = 3, Sxx = 2 → b = 1.5, a = 8/3 − 1.5 = 7/6.
        let (a, b) = least_squares(&[(0.0, 1.0), (1.0, 3.0), (2.0, 4.0)]).unwrap();
        assert!((b - 1.5).abs() < 1e-15 && (a - 7.0 / 6.0).abs() < 1e-15);
        assert_eq!(least_squares(&[(1.0, 1.0), (1.0, 2.0)]), None);
        assert_eq!(tick(-5.0), "\u{2212}5");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(-0.0), "0");
    }

    #[test]
    fn svg_has_labels_points_and_annotation() {
        let fig = Scatter {
            points: vec![(1.0, 2.0), (2.0, -1.0), (4.0, -3.5)],
            x_label: "%ΔBMD".into(),
            y_label: "%ΔCAC".into(),
            annotation: vec!["r = −0.98".into()],
            note: Some("SYNTHETIC DATA".into()),
        };
        let svg = render_svg(&fig).unwrap();
        assert!(
            svg.contains("%ΔBMD") && svg.contains("r = −0.98") && svg.contains("SYNTHETIC DATA")
        );
        assert!(svg.matches("<circle").count() >= 3);
        assert!(render_png(&fig).unwrap().starts_with(b"\x89PNG"));
    }
}
