//! The score card as a figure: title and source, items with their points, the cutoff and its advice, and the
//! risk per total from the stored model with its source (or a line saying the score has none).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::CardSpec;
use crate::charts::wrap;
use crate::figures::{draw_err, pt, Figure, PALETTE, PX_PER_MM};
use crate::Result;

/// A score card, 120 mm wide, as tall as its content.
pub struct ScoreCard<'a> {
    /// What the card shows.
    pub spec: &'a CardSpec,
}

const WIDTH_MM: f64 = 120.0;
const MARGIN: i32 = 60;

fn font(size_pt: f64) -> TextStyle<'static> {
    ("sans-serif", pt(size_pt)).into_font().color(&BLACK)
}

fn line_h(size_pt: f64) -> i32 {
    (pt(size_pt) * 1.35) as i32
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

impl Figure for ScoreCard<'_> {
    /// As tall as the content: laid out once on a scratch SVG to measure it (both backends wrap alike).
    fn size(&self) -> (u32, u32) {
        let w = (WIDTH_MM * PX_PER_MM) as u32;
        let mut scratch = String::new();
        let root = SVGBackend::with_string(&mut scratch, (w, 20_000)).into_drawing_area();
        let bottom = self.layout(&root).unwrap_or(20_000 - MARGIN);
        (w, (bottom + MARGIN) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        self.layout(root).map(|_| ())
    }
}

/// Writes wrapped lines of text on the card, moving a cursor down.
struct Pen<'a, DB: DrawingBackend> {
    root: &'a DrawingArea<DB, Shift>,
    text_w: u32,
}

impl<DB: DrawingBackend> Pen<'_, DB> {
    /// Write `text` at `x` from `*y` down, wrapped to the card's width; `*y` ends below the last line.
    fn put(&self, text: &str, size: f64, x: i32, y: &mut i32, colour: &RGBColor) -> Result<()> {
        let style = font(size).color(colour);
        for line in wrap(self.root, text, &style, self.text_w - (x - MARGIN) as u32)? {
            self.root
                .draw(&Text::new(line, (x, *y), style.clone()))
                .map_err(draw_err)?;
            *y += line_h(size);
        }
        Ok(())
    }
}

impl ScoreCard<'_> {
    /// Draw the card; returns the bottom of the last line.
    fn layout<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<i32> {
        let (w, _) = root.dim_in_pixel();
        let pen = Pen {
            root,
            text_w: w - 2 * MARGIN as u32,
        };
        let mut y = self.items(&pen, w)?;
        self.advice(&pen, &mut y)?;
        self.risks(&pen, w, &mut y)?;
        Ok(y)
    }

    /// Title, source and the items with their points between two rules; returns the line below.
    fn items<DB: DrawingBackend>(&self, pen: &Pen<DB>, w: u32) -> Result<i32> {
        let s = self.spec;
        let mut y = MARGIN;
        pen.put(&s.score.title, 13.0, MARGIN, &mut y, &BLACK)?;
        pen.put(&s.score.source, 7.0, MARGIN, &mut y, &RGBColor(80, 80, 80))?;
        y += line_h(5.0);
        let points_x = (w as i32) - MARGIN - 200;
        pen.put("Item", 9.0, MARGIN, &mut y.clone(), &BLACK)?;
        pen.put("Points", 9.0, points_x, &mut y, &BLACK)?;
        rule(pen.root, y, w)?;
        y += 14;
        for item in &s.score.items {
            let mut y0 = y;
            let points = item.points.to_string();
            pen.put(&points, 9.0, points_x + 40, &mut y0, &BLACK)?;
            pen.put(&item.label, 9.0, MARGIN, &mut y, &BLACK)?;
        }
        rule(pen.root, y, w)?;
        Ok(y + 14)
    }

    /// The range of totals, the cutoff and the advice on either side of it.
    fn advice<DB: DrawingBackend>(&self, pen: &Pen<DB>, y: &mut i32) -> Result<()> {
        let s = self.spec;
        let (lo, hi) = s.range();
        let total = format!("Total {lo}–{hi} points; cutoff ≥ {}", s.score.cutoff);
        pen.put(&total, 9.0, MARGIN, y, &BLACK)?;
        pen.put(&s.advice.recommendation, 9.0, MARGIN, y, &PALETTE[5])?;
        if !s.advice.below.is_empty() {
            pen.put(&s.advice.below, 9.0, MARGIN, y, &PALETTE[0])?;
        }
        *y += line_h(5.0);
        Ok(())
    }

    /// The predicted risk per total with a bar each, or a line saying the score has no risk model.
    fn risks<DB: DrawingBackend>(&self, pen: &Pen<DB>, w: u32, y: &mut i32) -> Result<()> {
        let s = self.spec;
        let Some(m) = &s.model else {
            return pen.put(
                "No risk model is stored with this score, so no risk per total is shown (calcscore derive --out writes one).",
                8.0, MARGIN, y, &BLACK,
            );
        };
        // The interval only when the score stores the model's covariance (derive writes none).
        let with_ci = s.risks().iter().any(|r| r.low.is_some());
        let ci = match with_ci {
            true => format!(
                ", with {}% CI",
                calcscore_data::table::format_number(100.0 * s.level)
            ),
            false => " (no interval: the score stores no covariance of its risk model)".into(),
        };
        let head = format!(
            "Predicted risk of {} by total{ci} (logistic model: {})",
            m.model.outcome, m.model.fitted_in
        );
        pen.put(&head, 8.0, MARGIN, y, &BLACK)?;
        let bar_x = MARGIN + 520;
        let bar_w = (w as i32 - MARGIN - bar_x) as f64;
        for r in s.risks() {
            let ci = match (r.low, r.high) {
                (Some(a), Some(b)) => format!(" ({}–{})", pct(a), pct(b)),
                _ => String::new(),
            };
            let mut y0 = *y;
            pen.put(
                &format!(
                    "{} point{}: {}{ci}",
                    r.points,
                    if r.points == 1 { "" } else { "s" },
                    pct(r.risk)
                ),
                8.0,
                MARGIN,
                &mut y0,
                &BLACK,
            )?;
            let colour = if r.points >= s.score.cutoff {
                PALETTE[5]
            } else {
                PALETTE[0]
            };
            let end = bar_x + (bar_w * r.risk) as i32;
            let top = *y + 6;
            pen.root
                .draw(&Rectangle::new(
                    [(bar_x, top), (end, top + line_h(8.0) - 16)],
                    colour.filled(),
                ))
                .map_err(draw_err)?;
            *y = y0;
        }
        Ok(())
    }
}

fn rule<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, y: i32, w: u32) -> Result<()> {
    root.draw(&PathElement::new(
        vec![(MARGIN, y), (w as i32 - MARGIN, y)],
        BLACK.stroke_width(2),
    ))
    .map_err(draw_err)
}
