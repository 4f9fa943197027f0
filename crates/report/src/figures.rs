//! Figures for papers: SVG and 300-dpi PNG from plotters, with an embedded DejaVu Sans font
//! (no system fonts) and the Okabe–Ito colour-blind-safe palette.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::axes::Axes;
use crate::{Error, Result};

/// DejaVu Sans (Bitstream Vera licence, see assets/fonts/DejaVu-LICENSE.txt), embedded in the binary.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Okabe–Ito palette: blue, orange, bluish green, reddish purple, sky blue, vermillion.
pub(crate) const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

/// Pixels per millimetre at 300 dpi.
pub(crate) const PX_PER_MM: f64 = 300.0 / 25.4;

/// Register the embedded font once, under the family name "sans-serif".
pub(crate) fn init_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The embedded font is a valid TTF; a failure would only show as missing text, never a panic.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Font size in pixels for a size in points at 300 dpi.
pub fn pt(points: f64) -> f64 {
    points * 300.0 / 72.0
}

/// A figure that can draw itself on any plotters backend of the given pixel size.
pub trait Figure {
    /// Size in pixels at 300 dpi.
    fn size(&self) -> (u32, u32);
    /// Draw on a root area.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// Convert a plotters drawing error into the crate's error.
pub(crate) fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Usage(format!("figure drawing failed: {e:?}"))
}

/// A chart on two `f64` axes, as every figure draws on.
pub(crate) type Chart<'a, DB> = plotters::chart::ChartContext<
    'a,
    DB,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// Render a figure as SVG text.
pub fn render_svg<F: Figure>(fig: &F) -> Result<String> {
    init_font();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        fig.draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(s)
}

/// Render a figure as PNG bytes with a 300-dpi pHYs chunk.
pub fn render_png<F: Figure>(fig: &F) -> Result<Vec<u8>> {
    init_font();
    let (w, h) = fig.size();
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        fig.draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&buf, w, h, 300).map_err(draw_err)
}

/// RGB pixels as PNG with a pHYs chunk of `dpi` (pixels per metre) so viewers and journals read the resolution.
/// The `Up` filter with the `png` crate's fast (fdeflate) compression: on flat-coloured charts it costs a tenth
/// of the adaptive filter with default zlib (which took half of a warm `reproduce`), for somewhat larger files.
fn encode_png(
    rgb: &[u8],
    w: u32,
    h: u32,
    dpi: u32,
) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let ppm = (f64::from(dpi) / 0.0254).round() as u32;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::FilterType::Up);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    encoder.set_pixel_dims(Some(png::PixelDimensions {
        xppu: ppm,
        yppu: ppm,
        unit: png::Unit::Meter,
    }));
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// One bar of an expansion-by-score panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Score level.
    pub score: i64,
    /// Lesions at this level.
    pub n: usize,
    /// Mean expansion (%).
    pub mean: Option<f64>,
    /// SD (%).
    pub sd: Option<f64>,
}

/// One panel: a cohort's bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Title ("A. Derivation (n = 97)").
    pub title: String,
    /// Bars by score.
    pub bars: Vec<Bar>,
}

/// Figure 4 of Zhang 2021: stent expansion (mean ± SD) by score in each cohort, n under each bar, the 70% line.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpansionByScore {
    /// Panels, drawn two per row.
    pub panels: Vec<Panel>,
    /// Underexpansion threshold line (%).
    pub threshold: f64,
    /// Score axis label.
    pub score_label: String,
}

impl Figure for ExpansionByScore {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(2) as f64;
        ((170.0 * PX_PER_MM) as u32, (rows * 62.0 * PX_PER_MM) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let rows = self.panels.len().div_ceil(2);
        let areas = root.split_evenly((rows, 2));
        for (panel, (k, area)) in self.panels.iter().zip(areas.iter().enumerate()) {
            self.draw_panel(panel, area, k)?;
        }
        Ok(())
    }
}

impl ExpansionByScore {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        p: &Panel,
        area: &DrawingArea<DB, Shift>,
        k: usize,
    ) -> Result<()> {
        let max_score = p.bars.iter().map(|b| b.score).max().unwrap_or(4);
        let y_max = 120.0;
        // x ticks are the bars' own labels; the formatter never runs with 0 ticks.
        let mut chart = Axes::new(-0.6f64..(max_score as f64 + 1.2), 0f64..y_max)
            .caption(&p.title, 9.0)
            .label_areas(pt(34.0) as i32, pt(30.0) as i32)
            .titles(&self.score_label, "Stent expansion (%)")
            .x_ticks(0, &|x| format!("{x:.1}"))
            .y_ticks(None, Some(&|y| format!("{y:.0}")))
            .fonts(8.0, 8.0)
            .draw(area)?;
        let colour = PALETTE[k % PALETTE.len()];
        let font = ("sans-serif", pt(7.0)).into_font().color(&BLACK);
        for b in &p.bars {
            let x = b.score as f64;
            if let Some(m) = b.mean {
                let bar = Rectangle::new([(x - 0.3, 0.0), (x + 0.3, m)], colour.mix(0.75).filled());
                chart.draw_series(std::iter::once(bar)).map_err(draw_err)?;
                if let Some(s) = b.sd {
                    let (lo, hi) = ((m - s).max(0.0), (m + s).min(y_max));
                    let style = BLACK.stroke_width(4);
                    let segments = [
                        [(x, lo), (x, hi)],
                        [(x - 0.1, hi), (x + 0.1, hi)],
                        [(x - 0.1, lo), (x + 0.1, lo)],
                    ];
                    chart
                        .draw_series(segments.iter().map(|s| PathElement::new(s.to_vec(), style)))
                        .map_err(draw_err)?;
                }
            }
            // The score under the bar (drawn here so every score is labelled), then n below it, centred.
            let (px, py) = chart.backend_coord(&(x, 0.0));
            let tick = ("sans-serif", pt(8.0)).into_font().color(&BLACK);
            for (label, style, dy) in [
                (b.score.to_string(), &tick, pt(2.5)),
                (format!("n={}", b.n), &font, pt(13.0)),
            ] {
                let (w, _) = area.estimate_text_size(&label, style).map_err(draw_err)?;
                let at = (
                    px - w as i32 / 2 - area.get_base_pixel().0,
                    py + dy as i32 - area.get_base_pixel().1,
                );
                area.draw(&Text::new(label, at, style.clone()))
                    .map_err(draw_err)?;
            }
        }
        // The line runs past the last bar, where its label sits clear of every bar and error bar.
        let right = max_score as f64 + 1.2;
        let line = DashedLineSeries::new(
            vec![(-0.6, self.threshold), (right, self.threshold)],
            pt(4.0) as u32,
            pt(3.0) as u32,
            PALETTE[5].stroke_width(4),
        );
        chart.draw_series(line).map_err(draw_err)?;
        let tag = Text::new(
            format!("{}%", self.threshold),
            (max_score as f64 + 0.5, self.threshold + 9.0),
            ("sans-serif", pt(7.0)).into_font().color(&PALETTE[5]),
        );
        chart.draw_series(std::iter::once(tag)).map_err(draw_err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> ExpansionByScore {
        let bars = |means: [f64; 5]| {
            (0..5)
                .map(|s| Bar {
                    score: s as i64,
                    n: 10 + s,
                    mean: Some(means[s]),
                    sd: Some(8.0),
                })
                .collect::<Vec<_>>()
        };
        ExpansionByScore {
            panels: vec![
                Panel {
                    title: "A. Derivation (n = 97)".into(),
                    bars: bars([96.0, 88.0, 80.0, 71.0, 63.0]),
                },
                Panel {
                    title: "B. Validation (n = 97)".into(),
                    bars: bars([95.0, 87.0, 79.0, 72.0, 64.0]),
                },
            ],
            threshold: 70.0,
            score_label: "IVUS calcium score".into(),
        }
    }

    #[test]
    fn figure4_svg_has_one_bar_per_score_and_labels() {
        let svg = render_svg(&example()).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Stent expansion (%)") && svg.contains("IVUS calcium score"));
        assert_eq!(
            svg.matches("n=1").count(),
            10,
            "an n label under each of the 10 bars"
        );
        let bars = svg.matches("<rect").count();
        assert!(bars >= 10, "10 bars plus background rectangles, got {bars}");
        if let Ok(dir) = std::env::var("CALCSCORE_FIGURE_DIR") {
            std::fs::write(
                format!("{dir}/fig4_example.png"),
                render_png(&example()).unwrap(),
            )
            .unwrap();
        }
    }

    #[test]
    fn png_carries_300_dpi() {
        let png = render_png(&example()).unwrap();
        let at = png.windows(4).position(|w| w == b"pHYs").unwrap();
        assert_eq!(&png[at + 4..at + 8], &11811u32.to_be_bytes());
    }
}
