//! Panic-free tails and quantiles of statrs distributions.
//!
//! statrs panics on a NaN statistic (`beta_reg` domain error in the t and F tails) and on a
//! probability outside [0, 1] in `inverse_cdf`. Degenerate data are caught before a test is computed;
//! these wrappers make sure a value that slips through becomes NaN (shown as "not estimable"), never
//! an abort.

use statrs::distribution::ContinuousCDF;

/// `sf`, `cdf` and `inverse_cdf` that return NaN outside the domain instead of panicking.
pub trait Checked: ContinuousCDF<f64, f64> {
    /// Upper tail P(X > x); NaN for a NaN statistic.
    fn sf_checked(&self, x: f64) -> f64 {
        if x.is_nan() {
            f64::NAN
        } else {
            self.sf(x)
        }
    }

    /// Lower tail P(X ≤ x); NaN for a NaN statistic.
    fn cdf_checked(&self, x: f64) -> f64 {
        if x.is_nan() {
            f64::NAN
        } else {
            self.cdf(x)
        }
    }

    /// The p-quantile; NaN unless 0 ≤ p ≤ 1.
    fn quantile(&self, p: f64) -> f64 {
        if (0.0..=1.0).contains(&p) {
            self.inverse_cdf(p)
        } else {
            f64::NAN
        }
    }
}

impl<D: ContinuousCDF<f64, f64>> Checked for D {}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{FisherSnedecor, Normal, StudentsT};

    #[test]
    fn nan_statistics_and_bad_probabilities_give_nan() {
        let f = FisherSnedecor::new(2.0, 10.0).unwrap();
        assert!(f.sf_checked(f64::NAN).is_nan());
        let t = StudentsT::new(0.0, 1.0, 5.0).unwrap();
        assert!(t.sf_checked(f64::NAN).is_nan());
        assert!(t.quantile(1.25).is_nan());
        assert!(Normal::standard().quantile(f64::NAN).is_nan());
        // In-domain values are unchanged: qt(0.975, 5) = 2.570582 (R).
        assert!((t.quantile(0.975) - 2.570_582).abs() < 1e-6);
    }
}
