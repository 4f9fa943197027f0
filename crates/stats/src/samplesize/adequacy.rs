//! Sample-size adequacy of data at hand for a binary-outcome model (TRIPOD+AI item 10): events, EPP, and
//! Riley's criteria evaluated with the apparent Cox–Snell R² of the fitted model.
//!
//! The apparent R² is turned into an adjusted one with the van Houwelingen heuristic shrinkage of
//! Riley et al. 2019 (part II, eq. 10 and 11): S = 1 + p / (n ln(1 − R²_app)), R²_adj = S · R²_app;
//! the criteria then use R²_adj, the observed prevalence and S = 0.9 as pmsampsize does.
//! Shown by `derive --tripod` and the Zhang report's TRIPOD+AI section (item 10).

use serde::Serialize;

use super::develop::{develop_binary, max_r2_cs, Common};
use super::{open_interval, SampleSizeError};

/// Adequacy of `n` rows with `events` events for a model with `parameters` parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adequacy {
    /// Rows used.
    pub n: u64,
    /// Events.
    pub events: u64,
    /// Parameters estimated (excluding the intercept).
    pub parameters: u64,
    /// events / n.
    pub prevalence: f64,
    /// Events per parameter (min(events, non-events) / p is also common; this is events / p).
    pub epp: f64,
    /// Apparent Cox–Snell R².
    pub r2_cs_apparent: f64,
    /// Expected (heuristic) shrinkage at this n.
    pub expected_shrinkage: f64,
    /// S × R²_app (≤ 0 when the model is expected to be all noise).
    pub r2_cs_adjusted: f64,
    /// Minimum n per Riley criterion (1, 2, 3) at R²_adj, or `None` when R²_adj ≤ 0.
    pub required: Option<[u64; 3]>,
    /// Whether n meets each criterion.
    pub meets: Option<[bool; 3]>,
}

/// Evaluate the sample-size criteria on data at hand (events, n, parameters, apparent R²_CS).
pub fn adequacy(
    events: u64,
    n: u64,
    parameters: u64,
    r2_apparent: f64,
) -> Result<Adequacy, SampleSizeError> {
    if events == 0 || events >= n {
        return Err(SampleSizeError::OutOfRange {
            name: "events",
            rule: "between 1 and n - 1",
            value: events as f64,
        });
    }
    let common = Common::new(parameters, 0.9)?;
    let (nf, p) = (n as f64, parameters as f64);
    let phi = events as f64 / nf;
    let max = max_r2_cs(events as f64, nf);
    open_interval(
        "apparent R2_CS",
        r2_apparent,
        0.0,
        max,
        "between 0 and its maximum for this prevalence",
    )?;
    let s = 1.0 + p / (nf * (1.0 - r2_apparent).ln());
    let r2_adj = s * r2_apparent;
    let required = if r2_adj > 0.0 {
        let d = develop_binary(common, phi, r2_adj)?;
        Some([
            d.criteria[0].sample_size,
            d.criteria[1].sample_size,
            d.criteria[2].sample_size,
        ])
    } else {
        None
    };
    Ok(Adequacy {
        n,
        events,
        parameters,
        prevalence: phi,
        epp: events as f64 / p,
        r2_cs_apparent: r2_apparent,
        expected_shrinkage: s,
        r2_cs_adjusted: r2_adj,
        meets: required.map(|r| r.map(|x| n >= x)),
        required,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values: tests/reference/samplesize.R, section "adequacy" (tests/reference/samplesize/adequacy.csv):
    // S by hand in R, then pmsampsize(type = "b", csrsquared = S * R2_app, parameters, prevalence = events / n).

    #[test]
    fn large_data_meet_every_criterion() {
        // 348 events in 2000, p = 24, R2_app = 0.3: S = 1 + 24 / (2000 ln 0.7) = 0.96635592097531442
        let a = adequacy(348, 2000, 24, 0.3).unwrap();
        assert!((a.expected_shrinkage - 0.966_355_920_975_314_4).abs() < 1e-14);
        assert!((a.r2_cs_adjusted - 0.3 * 0.966_355_920_975_314_4).abs() < 1e-14);
        assert!((a.epp - 14.5).abs() < 1e-12);
        assert_eq!(a.required, Some([618, 661, 221]));
        assert_eq!(a.meets, Some([true, true, true]));
    }

    #[test]
    fn small_data_do_not_meet_the_shrinkage_criterion() {
        // 26 events in 150, p = 10, R2_app = 0.15: S = 0.58979137462519771; pmsampsize needs 967, 312, 221
        let a = adequacy(26, 150, 10, 0.15).unwrap();
        assert!((a.expected_shrinkage - 0.589_791_374_625_197_7).abs() < 1e-14);
        assert_eq!(a.required, Some([967, 312, 221]));
        assert_eq!(a.meets, Some([false, false, false]));
    }

    #[test]
    fn refuses_impossible_inputs() {
        assert!(adequacy(0, 100, 3, 0.1).is_err());
        assert!(adequacy(10, 100, 3, 0.9).is_err()); // beyond max R2_CS at 10%
    }

    #[test]
    fn pure_noise_has_no_requirement() {
        // n = 50, p = 20, R2_app = 0.05: S = 1 + 20 / (50 ln 0.95) = -6.80 < 0, so R2_adj <= 0
        let a = adequacy(10, 50, 20, 0.05).unwrap();
        assert!(a.expected_shrinkage < 0.0);
        assert_eq!((a.required, a.meets), (None, None));
    }
}
