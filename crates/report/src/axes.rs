//! The axes every chart draws on: one builder for the frame (margins, label areas), the ticks and their
//! format, the axis titles and the fonts, with the house defaults, so each figure states only what differs.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::figures::{draw_err, pt, Chart};
use crate::Result;

/// A tick label formatter.
type Format<'a> = &'a dyn Fn(&f64) -> String;

/// Two `f64` axes and their look; sizes in points unless said.
pub(crate) struct Axes<'a> {
    x: Range<f64>,
    y: Range<f64>,
    x_desc: Option<&'a str>,
    y_desc: Option<&'a str>,
    caption: Option<(&'a str, f64)>,
    margin: f64,
    margin_top: Option<f64>,
    x_area: i32,
    y_area: i32,
    x_labels: usize,
    y_labels: Option<usize>,
    x_format: Format<'a>,
    y_format: Option<Format<'a>>,
    label_pt: f64,
    desc_pt: f64,
}

/// One decimal, the default tick label.
fn one_decimal(v: &f64) -> String {
    format!("{v:.1}")
}

impl<'a> Axes<'a> {
    /// Axes over `x` × `y`: margin 6, label areas 26 (x) and 30 (y), six ticks with one decimal, labels 7.5, titles 8.
    pub(crate) fn new(x: Range<f64>, y: Range<f64>) -> Axes<'a> {
        Axes {
            x,
            y,
            x_desc: None,
            y_desc: None,
            caption: None,
            margin: 6.0,
            margin_top: None,
            x_area: pt(26.0) as i32,
            y_area: pt(30.0) as i32,
            x_labels: 6,
            y_labels: Some(6),
            x_format: &one_decimal,
            y_format: Some(&one_decimal),
            label_pt: 7.5,
            desc_pt: 8.0,
        }
    }

    /// Axis titles.
    pub(crate) fn titles(mut self, x: &'a str, y: &'a str) -> Self {
        self.x_desc = Some(x);
        self.y_desc = Some(y);
        self
    }

    /// A title under the x axis only.
    pub(crate) fn x_title(mut self, x: &'a str) -> Self {
        self.x_desc = Some(x);
        self
    }

    /// A title above the chart, at `size` points.
    pub(crate) fn caption(mut self, text: &'a str, size: f64) -> Self {
        self.caption = Some((text, size));
        self
    }

    /// The margin around the chart, and optionally a different one at the top.
    pub(crate) fn margin(mut self, all: f64, top: Option<f64>) -> Self {
        self.margin = all;
        self.margin_top = top;
        self
    }

    /// The sizes of the x and y label areas, in pixels.
    pub(crate) fn label_areas(mut self, x: i32, y: i32) -> Self {
        self.x_area = x;
        self.y_area = y;
        self
    }

    /// The number of x ticks and their format.
    pub(crate) fn x_ticks(mut self, n: usize, format: Format<'a>) -> Self {
        self.x_labels = n;
        self.x_format = format;
        self
    }

    /// The number of y ticks (`None`: plotters' default) and their format (`None`: plotters' default).
    pub(crate) fn y_ticks(mut self, n: Option<usize>, format: Option<Format<'a>>) -> Self {
        self.y_labels = n;
        self.y_format = format;
        self
    }

    /// The font sizes of the tick labels and of the axis titles.
    pub(crate) fn fonts(mut self, label_pt: f64, desc_pt: f64) -> Self {
        self.label_pt = label_pt;
        self.desc_pt = desc_pt;
        self
    }

    /// Draw the frame, ticks and titles on `root`; the chart to draw series on.
    pub(crate) fn draw<'b, DB: DrawingBackend>(
        &self,
        root: &'b DrawingArea<DB, Shift>,
    ) -> Result<Chart<'b, DB>> {
        let mut builder = ChartBuilder::on(root);
        if let Some((text, size)) = self.caption {
            builder.caption(text, ("sans-serif", pt(size)));
        }
        builder.margin(pt(self.margin) as i32);
        if let Some(top) = self.margin_top {
            builder.margin_top(pt(top) as i32);
        }
        let mut chart = builder
            .x_label_area_size(self.x_area)
            .y_label_area_size(self.y_area)
            .build_cartesian_2d(self.x.clone(), self.y.clone())
            .map_err(draw_err)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .disable_y_mesh()
            .x_labels(self.x_labels)
            .x_label_formatter(self.x_format);
        if let Some(n) = self.y_labels {
            mesh.y_labels(n);
        }
        if let Some(f) = self.y_format {
            mesh.y_label_formatter(f);
        }
        if let Some(d) = self.x_desc {
            mesh.x_desc(d);
        }
        if let Some(d) = self.y_desc {
            mesh.y_desc(d);
        }
        mesh.label_style(("sans-serif", pt(self.label_pt)))
            .axis_desc_style(("sans-serif", pt(self.desc_pt)))
            .draw()
            .map_err(draw_err)?;
        Ok(chart)
    }
}
