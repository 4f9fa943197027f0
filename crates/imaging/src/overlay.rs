//! PNG overlay of the lesions on the slice with the largest Agatston score (soft-tissue window,
//! lesion pixels coloured by density weight: 1 yellow, 2 orange, 3 red, 4 magenta).

use super::agatston::{self, Options, Score};
use super::series::Series;

const COLOURS: [[u8; 3]; 4] = [[255, 255, 0], [255, 150, 0], [255, 0, 0], [255, 0, 255]];
/// Window level and width (HU).
const WINDOW: (f64, f64) = (40.0, 400.0);

/// The PNG, and the slice number shown; `None` when no slice has a lesion.
pub fn overlay_png(
    series: &Series,
    score: &Score,
    opts: &Options,
) -> crate::Result<Option<(Vec<u8>, usize)>> {
    let best = score.slices.iter().filter(|s| s.agatston > 0.0).fold(
        None::<&agatston::SliceScore>,
        |acc, s| match acc {
            Some(a) if a.agatston >= s.agatston => Some(a),
            _ => Some(s),
        },
    );
    let Some(best) = best else { return Ok(None) };
    let k = best.slice - 1;
    let (lo, hi) = (WINDOW.0 - WINDOW.1 / 2.0, WINDOW.0 + WINDOW.1 / 2.0);
    let mut rgb: Vec<u8> = series.slices[k]
        .hu
        .iter()
        .flat_map(|v| {
            let g = ((f64::from(*v) - lo) / (hi - lo) * 255.0).clamp(0.0, 255.0) as u8;
            [g, g, g]
        })
        .collect();
    for (pixels, weight) in agatston::lesion_pixels(series, opts, k)? {
        for i in pixels {
            rgb[3 * i..3 * i + 3].copy_from_slice(&COLOURS[usize::from(weight.clamp(1, 4)) - 1]);
        }
    }
    let mut png = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut png);
    image::ImageEncoder::write_image(
        encoder,
        &rgb,
        series.cols as u32,
        series.rows as u32,
        image::ColorType::Rgb8,
    )
    .map_err(|e| crate::Error::Usage(format!("cannot encode the overlay PNG: {e}")))?;
    Ok(Some((png, best.slice)))
}
