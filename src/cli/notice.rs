//! Synthetic input is said by every verb that reads `--data`: when the file's bytes are a synthetic dataset
//! calcscore ships (same SHA-256, the rule of `reproduce`; detection in `calcscore_studies::shipped_synthetic`),
//! one line on stderr, a `data_notice` object in `--json` output, and the fact in a score `derive --out` writes.

use std::sync::OnceLock;

use calcscore_studies::DataNotice;
use serde::Serialize;

/// The notice of this run's `--data` (decided once: a run reads one table).
static NOTICE: OnceLock<Option<DataNotice>> = OnceLock::new();

/// Check the run's input `path` (first call only) and say on stderr when it is shipped synthetic data.
pub(crate) fn input(path: &std::path::Path) {
    let mut first = false;
    let notice = NOTICE.get_or_init(|| {
        first = true;
        calcscore_studies::shipped_synthetic(path)
    });
    if let (true, Some(n)) = (first, notice) {
        eprintln!("{}", n.text);
    }
}

/// The notice of this run's input, when it is shipped synthetic data.
pub(crate) fn synthetic() -> Option<&'static DataNotice> {
    NOTICE.get().and_then(Option::as_ref)
}

/// Pretty JSON of `value`, with `data_notice` added to a top-level object when the input is synthetic (keys then
/// in alphabetical order, as `serde_json`'s map keeps them); otherwise exactly `serde_json::to_string_pretty`.
pub(crate) fn json(value: &impl Serialize) -> crate::Result<String> {
    let err = |e: serde_json::Error| crate::Error::Usage(format!("cannot write JSON: {e}"));
    match synthetic() {
        None => serde_json::to_string_pretty(value).map_err(err),
        Some(n) => {
            let mut v = serde_json::to_value(value).map_err(err)?;
            if let Some(map) = v.as_object_mut() {
                map.insert("data_notice".into(), serde_json::to_value(n).map_err(err)?);
            }
            serde_json::to_string_pretty(&v).map_err(err)
        }
    }
}

/// Mark a score derived from synthetic data as such in its title, source and `[model]`'s `fitted_in`, so the
/// score file and every card drawn from it say so.
pub(crate) fn mark_score(score: &mut calcscore_score::PointsTable) {
    let Some(n) = synthetic() else {
        return;
    };
    let mark = format!(
        "SYNTHETIC DATA (derived from calcscore's shipped synthetic data, SHA-256 {}, not patients)",
        n.sha256.get(..12).unwrap_or(&n.sha256)
    );
    score.title = format!("{} [SYNTHETIC DATA]", score.title);
    score.source = format!("{}; {mark}", score.source);
    if let Some(m) = &mut score.model {
        m.fitted_in = format!("{}; {mark}", m.fitted_in);
    }
}
