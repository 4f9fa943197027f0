//! Net reclassification improvement and integrated discrimination improvement of a new risk model over
//! an old one, with `Hmisc::improveProb`'s estimators and asymptotic standard errors.

use serde::Serialize;

use super::StatsError;

/// One improvement measure (improveProb's label as `term`) with its SE, z, two-sided p and Wald interval:
/// the tidy row every model term uses.
pub type Improvement = crate::tidy::TidyRow;

/// How the new model moves events and non-events (proportions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Movement {
    /// Events whose risk (or category) went up.
    pub up_events: f64,
    /// Events whose risk went down.
    pub down_events: f64,
    /// Non-events whose risk went up.
    pub up_nonevents: f64,
    /// Non-events whose risk went down.
    pub down_nonevents: f64,
}

/// NRI (overall, events, non-events) with the movement proportions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nri {
    /// Proportions moving up and down.
    pub movement: Movement,
    /// NRI, NRI among events, NRI among non-events.
    pub rows: Vec<Improvement>,
}

/// Reclassification of `new` against `old` risks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reclassification {
    /// Observations.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Non-events.
    pub nonevents: usize,
    /// Continuous (category-free) NRI.
    pub continuous: Nri,
    /// Categorical NRI with the risk cuts, when cuts were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categorical: Option<Nri>,
    /// Risk cuts of the categories ([0, c1), [c1, c2), ..., [ck, 1]).
    pub cuts: Vec<f64>,
    /// IDI = mean Δrisk among events − among non-events.
    pub idi: Improvement,
    /// Mean Δrisk among events (improveProb's improveSens).
    pub improve_sens: f64,
    /// −mean Δrisk among non-events (improveSpec).
    pub improve_spec: f64,
    /// Confidence level.
    pub conf_level: f64,
}

/// Compare `new` with `old` risks (each in [0, 1]) on outcomes `y`; `cuts` (ascending, inside (0, 1))
/// define the categories of the categorical NRI, empty for none.
pub fn reclassification(
    old: &[f64],
    new: &[f64],
    y: &[bool],
    cuts: &[f64],
    level: f64,
) -> Result<Reclassification, StatsError> {
    let n = y.len();
    if old.len() != n || new.len() != n {
        return Err(StatsError::Undefined(
            "risk columns and outcome differ in length".into(),
        ));
    }
    if let Some(bad) = old.iter().chain(new).find(|v| !(**v >= 0.0 && **v <= 1.0)) {
        return Err(StatsError::Undefined(format!(
            "risks must lie in [0, 1] (found {bad})"
        )));
    }
    if cuts.windows(2).any(|w| w[0] >= w[1]) || cuts.iter().any(|c| !(*c > 0.0 && *c < 1.0)) {
        return Err(StatsError::Undefined(
            "category cuts must be increasing and strictly between 0 and 1".into(),
        ));
    }
    let events = y.iter().filter(|&&v| v).count();
    let nonevents = n - events;
    if events < 2 || nonevents < 2 {
        return Err(StatsError::TooFew {
            what: "NRI/IDI (events and non-events each)".into(),
            n: events.min(nonevents),
            needed: 2,
        });
    }
    let d: Vec<f64> = old.iter().zip(new).map(|(a, b)| b - a).collect();
    let category = |p: f64| cuts.iter().filter(|&&c| p >= c).count() as f64;
    let dcat: Vec<f64> = old
        .iter()
        .zip(new)
        .map(|(&a, &b)| category(b) - category(a))
        .collect();
    let (ev, ne) = split(&d, y);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let idi = mean(&ev) - mean(&ne);
    let se_idi = (var(&ev) / ev.len() as f64 + var(&ne) / ne.len() as f64).sqrt();
    Ok(Reclassification {
        n,
        events,
        nonevents,
        continuous: nri(&d, y, level),
        categorical: (!cuts.is_empty()).then(|| nri(&dcat, y, level)),
        cuts: cuts.to_vec(),
        idi: row("IDI", idi, se_idi, level),
        improve_sens: mean(&ev),
        improve_spec: -mean(&ne),
        conf_level: level,
    })
}

/// Changes among events and among non-events.
fn split(d: &[f64], y: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let ev = d
        .iter()
        .zip(y)
        .filter(|(_, &e)| e)
        .map(|(v, _)| *v)
        .collect();
    let ne = d
        .iter()
        .zip(y)
        .filter(|(_, &e)| !e)
        .map(|(v, _)| *v)
        .collect();
    (ev, ne)
}

/// improveProb's NRI from the signs of the changes `d`.
fn nri(d: &[f64], y: &[bool], level: f64) -> Nri {
    let (ev, ne) = split(d, y);
    let (na, nb) = (ev.len() as f64, ne.len() as f64);
    let count = |v: &[f64], up: bool| {
        v.iter()
            .filter(|&&x| if up { x > 0.0 } else { x < 0.0 })
            .count() as f64
    };
    let (up_ev, down_ev) = (count(&ev, true), count(&ev, false));
    let (up_ne, down_ne) = (count(&ne, true), count(&ne, false));
    let v_ev = (up_ev + down_ev) / (na * na) - (up_ev - down_ev).powi(2) / (na * na * na);
    let v_ne = (down_ne + up_ne) / (nb * nb) - (down_ne - up_ne).powi(2) / (nb * nb * nb);
    let nri_ev = (up_ev - down_ev) / na;
    let nri_ne = (down_ne - up_ne) / nb;
    Nri {
        movement: Movement {
            up_events: up_ev / na,
            down_events: down_ev / na,
            up_nonevents: up_ne / nb,
            down_nonevents: down_ne / nb,
        },
        rows: vec![
            row("NRI", nri_ev + nri_ne, (v_ev + v_ne).sqrt(), level),
            row("NRI for events", nri_ev, v_ev.sqrt(), level),
            row("NRI for non-events", nri_ne, v_ne.sqrt(), level),
        ],
    }
}

/// A measure with normal-theory inference (improveProb's print: estimate ± z·SE, p = 2Φ(−|z|)).
fn row(term: &str, estimate: f64, se: f64, level: f64) -> Improvement {
    Improvement::wald(term, estimate, se, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_nri() {
        // events: risks up, up, down → NRI_ev = 1/3; non-events: down, down, same → NRI_ne = 2/3.
        let old = [0.2, 0.3, 0.5, 0.4, 0.6, 0.1];
        let new = [0.3, 0.4, 0.4, 0.3, 0.5, 0.1];
        let y = [true, true, true, false, false, false];
        let r = reclassification(&old, &new, &y, &[], 0.95).unwrap();
        assert!((r.continuous.rows[0].estimate - 1.0).abs() < 1e-12);
        assert!((r.continuous.rows[1].estimate - 1.0 / 3.0).abs() < 1e-12);
        // IDI = mean(.1,.1,−.1) − mean(−.1,−.1,0) = 1/30 + 1/15 = 0.1.
        assert!((r.idi.estimate - 0.1).abs() < 1e-12);
    }
}
