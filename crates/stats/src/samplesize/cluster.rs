//! Lesions clustered in patients: the design effect 1 + (m − 1)ρ (Kish), the lesions and patients it
//! implies, and the estimates of m, prevalence and the outcome ICC from a pilot registry.
//!
//! The ICC is the one-way ANOVA estimator for unequal cluster sizes (Donner 1986; Fleiss):
//! ρ̂ = (MSB − MSW) / (MSB + (n₀ − 1) MSW), n₀ = (N − Σ nᵢ² / N) / (k − 1),
//! with MSB and MSW the between- and within-patient mean squares of `aov(y ~ factor(patient))`,
//! applied to the 0/1 outcome for a binary outcome. It can be negative; the design effect uses max(ρ̂, 0).

use serde::Serialize;

use super::{ceil_count, open_interval, SampleSizeError};

/// Design effect 1 + (m − 1)ρ for mean cluster size `m` ≥ 1 and ICC `rho` in [0, 1].
pub fn design_effect(m: f64, rho: f64) -> Result<f64, SampleSizeError> {
    if !(m >= 1.0 && m.is_finite()) {
        return Err(SampleSizeError::OutOfRange {
            name: "--lesions-per-patient",
            rule: "at least 1 (mean lesions per patient)",
            value: m,
        });
    }
    if !(0.0..=1.0).contains(&rho) {
        return Err(SampleSizeError::OutOfRange {
            name: "--icc",
            rule: "between 0 and 1",
            value: rho,
        });
    }
    Ok(1.0 + (m - 1.0) * rho)
}

/// A requirement in independent units turned into lesions and patients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClusterPlan {
    /// Mean lesions per patient m.
    pub lesions_per_patient: f64,
    /// Outcome ICC ρ.
    pub icc: f64,
    /// 1 + (m − 1)ρ.
    pub design_effect: f64,
    /// Requirement if lesions were independent (the Riley/pmsampsize number).
    pub independent_n: u64,
    /// Lesions needed: ceiling(n × design effect).
    pub lesions: u64,
    /// Patients needed: ceiling(lesions / m).
    pub patients: u64,
    /// Expected events among those lesions (when a prevalence applies).
    pub events: Option<f64>,
}

impl ClusterPlan {
    /// Inflate `n` independent units by the design effect; `prevalence` gives the events.
    pub fn new(
        n: u64,
        m: f64,
        rho: f64,
        prevalence: Option<f64>,
    ) -> Result<ClusterPlan, SampleSizeError> {
        let de = design_effect(m, rho)?;
        let lesions = ceil_exact(n as f64 * de, "lesions needed")?;
        let patients = ceil_exact(lesions as f64 / m, "patients needed")?;
        Ok(ClusterPlan {
            lesions_per_patient: m,
            icc: rho,
            design_effect: de,
            independent_n: n,
            lesions,
            patients,
            events: prevalence.map(|p| lesions as f64 * p),
        })
    }
}

/// Ceiling that ignores floating-point dust above a whole number (600.0000000001 → 600).
fn ceil_exact(x: f64, what: &'static str) -> Result<u64, SampleSizeError> {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * x.abs().max(1.0) {
        ceil_count(r, what)
    } else {
        ceil_count(x, what)
    }
}

/// The one-way ANOVA decomposition of an outcome by patient, and the ICC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Icc {
    /// Patients (clusters) k.
    pub clusters: usize,
    /// Lesions (observations) N.
    pub n: usize,
    /// Between-patient mean square (k − 1 df).
    pub msb: f64,
    /// Within-patient mean square (N − k df).
    pub msw: f64,
    /// n₀ = (N − Σ nᵢ² / N) / (k − 1).
    pub n0: f64,
    /// ρ̂ (may be negative).
    pub icc: f64,
}

/// One-way ANOVA ICC of `y` grouped by `cluster` (ids 0..k); needs k ≥ 2 and N > k.
pub(crate) fn anova_icc(y: &[f64], cluster: &[usize]) -> Option<Icc> {
    let k = cluster.iter().max().map_or(0, |m| m + 1);
    let n = y.len();
    if k < 2 || n <= k {
        return None;
    }
    let (mut sum, mut count) = (vec![0.0; k], vec![0usize; k]);
    for (&v, &c) in y.iter().zip(cluster) {
        sum[c] += v;
        count[c] += 1;
    }
    let grand = y.iter().sum::<f64>() / n as f64;
    let mean: Vec<f64> = sum.iter().zip(&count).map(|(s, &c)| s / c as f64).collect();
    let ssb: f64 = mean
        .iter()
        .zip(&count)
        .map(|(m, &c)| c as f64 * (m - grand).powi(2))
        .sum();
    let ssw: f64 = y
        .iter()
        .zip(cluster)
        .map(|(v, &c)| (v - mean[c]).powi(2))
        .sum();
    let sum_sq: f64 = count.iter().map(|&c| (c * c) as f64).sum();
    let n0 = (n as f64 - sum_sq / n as f64) / (k - 1) as f64;
    let (msb, msw) = (ssb / (k - 1) as f64, ssw / (n - k) as f64);
    let denom = msb + (n0 - 1.0) * msw;
    let icc = if denom > 0.0 {
        (msb - msw) / denom
    } else {
        0.0
    };
    Some(Icc {
        clusters: k,
        n,
        msb,
        msw,
        n0,
        icc,
    })
}

/// What a pilot registry says about the clustering and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistryEstimate {
    /// File read.
    pub file: String,
    /// Outcome (column or rule).
    pub outcome: String,
    /// Cluster column.
    pub cluster: String,
    /// Lesions with outcome and cluster present.
    pub lesions: usize,
    /// Lesions dropped for a missing outcome or cluster.
    pub dropped: usize,
    /// Patients.
    pub patients: usize,
    /// Mean lesions per patient m = N / k.
    pub lesions_per_patient: f64,
    /// Coefficient of variation of lesions per patient (SD with k − 1 / mean).
    pub cluster_size_cv: f64,
    /// Outcome mean (the prevalence for a 0/1 outcome).
    pub outcome_mean: f64,
    /// Outcome SD (n − 1).
    pub outcome_sd: f64,
    /// ANOVA decomposition and ICC; `None` when every patient has one lesion (ρ not estimable, m = 1).
    pub anova: Option<Icc>,
}

impl RegistryEstimate {
    /// Summarise outcome values `y` (complete rows) and their cluster ids (0..k).
    pub fn new(
        file: String,
        outcome: String,
        cluster: String,
        y: &[f64],
        ids: &[usize],
        dropped: usize,
    ) -> Result<RegistryEstimate, SampleSizeError> {
        let n = y.len();
        let k = ids.iter().max().map_or(0, |m| m + 1);
        if n < 2 || k == 0 {
            return Err(SampleSizeError::OutOfRange {
                name: "--from-registry rows",
                rule: "at least 2 rows with outcome and cluster present",
                value: n as f64,
            });
        }
        let mut sizes = vec![0.0f64; k];
        ids.iter().for_each(|&c| sizes[c] += 1.0);
        let m = n as f64 / k as f64;
        let mean = y.iter().sum::<f64>() / n as f64;
        Ok(RegistryEstimate {
            file,
            outcome,
            cluster,
            lesions: n,
            dropped,
            patients: k,
            lesions_per_patient: m,
            cluster_size_cv: sd(&sizes, m) / m,
            outcome_mean: mean,
            outcome_sd: sd(y, mean),
            anova: anova_icc(y, ids),
        })
    }

    /// ICC to plan with: max(ρ̂, 0), or 0 when not estimable.
    pub fn icc_for_planning(&self) -> f64 {
        self.anova.map_or(0.0, |a| a.icc.max(0.0))
    }
}

fn sd(x: &[f64], mean: f64) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// Check a prevalence estimated from a registry lies in (0, 1).
pub fn registry_prevalence(est: &RegistryEstimate) -> Result<f64, SampleSizeError> {
    open_interval(
        "prevalence estimated from --from-registry",
        est.outcome_mean,
        0.0,
        1.0,
        "strictly between 0 and 1 (the registry needs both outcome classes)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_effect_by_hand() {
        // m = 1.5 lesions per patient, rho = 0.4: 1 + (1.5 - 1) * 0.4 = 1.2
        assert!((design_effect(1.5, 0.4).unwrap() - 1.2).abs() < 1e-15);
        // 662 patients-worth of independent lesions: 662 * 1.2 = 794.4 -> 795 lesions; 795 / 1.5 = 530 patients
        let plan = ClusterPlan::new(662, 1.5, 0.4, Some(0.174)).unwrap();
        assert_eq!((plan.lesions, plan.patients), (795, 530));
        // 500 * 1.2 = 600 exactly (600.0000000000001 in floating point) -> 600, not 601; 600 / 1.5 = 400
        let plan = ClusterPlan::new(500, 1.5, 0.4, None).unwrap();
        assert_eq!((plan.lesions, plan.patients), (600, 400));
    }

    #[test]
    fn icc_zero_leaves_n_but_divides_patients() {
        // rho = 0: DE = 1; 905 lesions over 2 lesions per patient -> ceiling(452.5) = 453 patients
        let plan = ClusterPlan::new(905, 2.0, 0.0, None).unwrap();
        assert_eq!(
            (plan.design_effect, plan.lesions, plan.patients),
            (1.0, 905, 453)
        );
    }

    #[test]
    fn icc_by_hand_on_three_patients() {
        // patients a: (1, 1), b: (0, 0, 1), c: (0); N = 6, k = 3, grand mean 0.5
        // cluster means 1, 1/3, 0; SSB = 2(0.25) + 3(1/36) + 1(0.25) = 0.8333..; MSB = 0.41667
        // SSW = 0 + (2(1/9) + 4/9) + 0 = 0.6667; MSW = 0.6667 / 3 = 0.22222
        // n0 = (6 - (4 + 9 + 1)/6) / 2 = 1.83333; rho = (0.41667 - 0.22222) / (0.41667 + 0.83333 * 0.22222)
        //    = (7/36) / (65/108) = 21/65 = 0.3230769
        let y = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let id = [0, 0, 1, 1, 1, 2];
        let a = anova_icc(&y, &id).unwrap();
        assert!((a.msb - 5.0 / 12.0).abs() < 1e-12);
        assert!((a.msw - 2.0 / 9.0).abs() < 1e-12);
        assert!((a.n0 - 11.0 / 6.0).abs() < 1e-12);
        let want = (5.0 / 12.0 - 2.0 / 9.0) / (5.0 / 12.0 + (5.0 / 6.0) * (2.0 / 9.0));
        assert!((a.icc - want).abs() < 1e-12);
        assert!((a.icc - 21.0 / 65.0).abs() < 1e-12);
    }

    #[test]
    fn out_of_range_is_refused() {
        assert!(design_effect(0.5, 0.1).is_err());
        assert!(design_effect(2.0, 1.5).is_err());
        assert!(design_effect(2.0, -0.1).is_err());
    }
}
