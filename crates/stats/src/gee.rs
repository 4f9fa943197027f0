//! Generalised estimating equations (Liang–Zeger) with geepack's conventions: Gaussian identity or binomial logit,
//! independence or exchangeable working correlation, moment estimators φ = Σr²/N and α = mean pairwise r·r / φ,
//! and the robust ("sandwich") covariance without small-sample adjustment.

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use super::design::Design;
use super::linalg::spd_inverse;
use super::vcov::{coef_table_text, tidy_rows, Reference};
use super::{StatsError, TidyRow};

/// Working correlation structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CorStr {
    /// Independent observations within a cluster.
    Independence,
    /// One common correlation between any two observations of a cluster.
    Exchangeable,
}

impl calcscore_core::Choice for CorStr {
    const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
        (
            CorStr::Independence,
            "independence",
            "independent observations within a cluster",
        ),
        (
            CorStr::Exchangeable,
            "exchangeable",
            "one common correlation between any two observations of a cluster",
        ),
    ];
}

/// Mean model of a GEE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GeeFamily {
    /// Identity link, constant variance.
    Gaussian,
    /// Logit link, binomial variance.
    Binomial,
}

/// Convergence: largest absolute change of a coefficient.
pub(crate) const TOLERANCE: f64 = 1e-10;
/// Maximum Fisher-scoring iterations.
pub(crate) const MAX_ITER: usize = 100;

/// A fitted GEE: its coefficients and the model's description.
#[derive(Debug, Clone, Serialize)]
pub struct GeeFit {
    /// Coefficients with robust SE, Wald z, p and CI.
    pub coefficients: Vec<TidyRow>,
    /// Family, working correlation and its parameters, sizes, convergence.
    pub model: GeeModel,
}

/// What a GEE fit was and how it went (`fit --gee --json`'s `model`).
#[derive(Debug, Clone, Serialize)]
pub struct GeeModel {
    /// Working correlation structure.
    pub corstr: CorStr,
    /// Family.
    pub family: GeeFamily,
    /// Estimated exchangeable correlation (None for independence).
    pub alpha: Option<f64>,
    /// Estimated scale φ.
    pub scale: f64,
    /// Observations.
    pub n: usize,
    /// Clusters.
    pub n_clusters: usize,
    /// Iterations.
    pub iterations: usize,
    /// Converged.
    pub converged: bool,
    /// Covariance used.
    pub vcov: String,
}

/// Observations grouped by cluster (row indices of the design).
fn groups(design: &Design) -> Result<Vec<Vec<usize>>, StatsError> {
    let c = design
        .cluster
        .as_ref()
        .ok_or_else(|| StatsError::Undefined("GEE needs a cluster column (--cluster)".into()))?;
    let g = c.iter().max().map_or(0, |m| m + 1);
    let mut out = vec![Vec::new(); g];
    for (i, &k) in c.iter().enumerate() {
        out[k].push(i);
    }
    Ok(out)
}

/// Mean, variance function and dμ/dη at η.
fn link(family: GeeFamily, eta: f64) -> (f64, f64, f64) {
    match family {
        GeeFamily::Gaussian => (eta, 1.0, 1.0),
        GeeFamily::Binomial => {
            let mu = 1.0 / (1.0 + (-eta).exp());
            let v = mu * (1.0 - mu);
            (mu, v, v)
        }
    }
}

/// Fit a GEE by Fisher scoring from the independence (GLM) solution.
pub fn gee(
    design: &Design,
    family: GeeFamily,
    corstr: CorStr,
    level: f64,
) -> Result<GeeFit, StatsError> {
    if family == GeeFamily::Gaussian {
        super::ols::constant_response(design)?;
    }
    let groups = groups(design)?;
    if groups.len() < 2 {
        // One cluster leaves the robust covariance without information (it once gave SEs of 1e-15).
        return Err(StatsError::TooFewClusters {
            what: "GEE (robust covariance over clusters)".into(),
            n: groups.len(),
            needed: 2,
        });
    }
    let (n, p) = design.x.shape();
    if n <= p {
        return Err(StatsError::TooFew {
            what: format!("GEE with {p} coefficients"),
            n,
            needed: p + 1,
        });
    }
    let model = Clustered {
        design,
        groups,
        family,
    };
    let mut beta = DVector::zeros(p);
    let (mut converged, mut iterations) = (false, 0);
    let mut params = (1.0, 0.0);
    while iterations < MAX_ITER {
        iterations += 1;
        let corr = if iterations == 1 {
            CorStr::Independence
        } else {
            corstr
        };
        let (b, u) = model.information(&beta, corr, params)?;
        let step = &b * u;
        beta += &step;
        params = model.moments(&beta, corstr);
        if iterations > 1 && step.amax() < TOLERANCE {
            converged = true;
            break;
        }
    }
    let vcov = model.robust(&beta, corstr, params)?;
    let coefs: Vec<f64> = beta.iter().copied().collect();
    Ok(GeeFit {
        coefficients: tidy_rows(&design.names, &coefs, &vcov, Reference::Z, level),
        model: GeeModel {
            corstr,
            family,
            alpha: (corstr == CorStr::Exchangeable).then_some(params.1),
            scale: params.0,
            n,
            n_clusters: model.groups.len(),
            iterations,
            converged,
            vcov: "robust sandwich (geepack san.se, no small-sample adjustment)".into(),
        },
    })
}

/// D (n_i × p), residual y − μ and V⁻¹ of one cluster.
type ClusterParts = (DMatrix<f64>, DVector<f64>, DMatrix<f64>);

/// The data of a GEE: the design, its clusters' rows and the family; the estimating steps are its methods.
struct Clustered<'a> {
    design: &'a Design,
    groups: Vec<Vec<usize>>,
    family: GeeFamily,
}

impl Clustered<'_> {
    /// Per-cluster pieces: D (n_i × p), residual y − μ, and V⁻¹ for (φ, α).
    fn cluster_parts(
        &self,
        rows: &[usize],
        beta: &DVector<f64>,
        corstr: CorStr,
        (phi, alpha): (f64, f64),
    ) -> Result<ClusterParts, StatsError> {
        let design = self.design;
        let m = rows.len();
        let p = beta.len();
        let mut d = DMatrix::zeros(m, p);
        let mut resid = DVector::zeros(m);
        let mut sd = vec![0.0; m];
        for (a, &i) in rows.iter().enumerate() {
            let eta: f64 = (0..p).map(|j| design.x[(i, j)] * beta[j]).sum();
            let (mu, v, dmu) = link(self.family, eta);
            for j in 0..p {
                d[(a, j)] = dmu * design.x[(i, j)];
            }
            resid[a] = design.y[i] - mu;
            sd[a] = v.sqrt();
        }
        let a_alpha = if corstr == CorStr::Exchangeable {
            alpha
        } else {
            0.0
        };
        let v = DMatrix::from_fn(m, m, |r, c| {
            phi * sd[r] * sd[c] * if r == c { 1.0 } else { a_alpha }
        });
        let vinv = spd_inverse(&v).ok_or_else(|| {
            StatsError::Undefined(
                "GEE working covariance of a cluster is not positive definite".into(),
            )
        })?;
        Ok((d, resid, vinv))
    }

    /// The non-empty clusters' rows.
    fn clusters(&self) -> impl Iterator<Item = &Vec<usize>> {
        self.groups.iter().filter(|r| !r.is_empty())
    }

    /// (Σ D'V⁻¹D)⁻¹ and Σ D'V⁻¹(y − μ).
    fn information(
        &self,
        beta: &DVector<f64>,
        corstr: CorStr,
        params: (f64, f64),
    ) -> Result<(DMatrix<f64>, DVector<f64>), StatsError> {
        let p = beta.len();
        let (mut b, mut u) = (DMatrix::zeros(p, p), DVector::zeros(p));
        for rows in self.clusters() {
            let (d, resid, vinv) = self.cluster_parts(rows, beta, corstr, params)?;
            let dtv = d.transpose() * vinv;
            b += &dtv * &d;
            u += dtv * resid;
        }
        let inv = spd_inverse(&b).ok_or_else(|| StatsError::Singular {
            terms: self.design.names.join(", "),
        })?;
        Ok((inv, u))
    }

    /// geepack's moment estimators at β: φ = Σ r²/N, α = (Σ_{pairs} r_j r_k / #pairs) / φ, r Pearson residuals.
    fn moments(&self, beta: &DVector<f64>, corstr: CorStr) -> (f64, f64) {
        let design = self.design;
        let p = beta.len();
        let pearson = |i: usize| {
            let eta: f64 = (0..p).map(|j| design.x[(i, j)] * beta[j]).sum();
            let (mu, v, _) = link(self.family, eta);
            (design.y[i] - mu) / v.sqrt()
        };
        let r: Vec<f64> = (0..design.y.len()).map(pearson).collect();
        let phi = r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64;
        if corstr == CorStr::Independence {
            return (phi, 0.0);
        }
        let (mut sum, mut pairs) = (0.0, 0.0);
        for rows in &self.groups {
            let total: f64 = rows.iter().map(|&i| r[i]).sum();
            let squares: f64 = rows.iter().map(|&i| r[i] * r[i]).sum();
            sum += (total * total - squares) / 2.0;
            pairs += (rows.len() * rows.len().saturating_sub(1)) as f64 / 2.0;
        }
        (phi, if pairs > 0.0 { sum / pairs / phi } else { 0.0 })
    }

    /// Robust covariance B⁻¹ (Σ D'V⁻¹ e e' V⁻¹ D) B⁻¹.
    fn robust(
        &self,
        beta: &DVector<f64>,
        corstr: CorStr,
        params: (f64, f64),
    ) -> Result<DMatrix<f64>, StatsError> {
        let p = beta.len();
        let (binv, _) = self.information(beta, corstr, params)?;
        let mut meat = DMatrix::zeros(p, p);
        for rows in self.clusters() {
            let (d, resid, vinv) = self.cluster_parts(rows, beta, corstr, params)?;
            let s = d.transpose() * vinv * resid;
            meat += &s * s.transpose();
        }
        Ok(&binv * meat * &binv)
    }
}

impl GeeFit {
    /// R-like printed summary.
    pub fn summary(&self, formula: &str, level: f64) -> String {
        let m = &self.model;
        let mut s = format!(
            "GEE ({:?}, {:?} working correlation): {formula}\nn = {} observations in {} clusters\nCovariance: {}\n\nCoefficients:\n",
            m.family, m.corstr, m.n, m.n_clusters, m.vcov
        );
        s.push_str(&coef_table_text(&self.coefficients, "z", level));
        s.push_str(&format!("\nEstimated scale: {:.6}", m.scale));
        if let Some(a) = m.alpha {
            s.push_str(&format!("\nEstimated correlation (alpha): {a:.6}"));
        }
        s.push_str(&format!(
            "\nIterations: {}{}\n",
            m.iterations,
            if m.converged { "" } else { " (NOT CONVERGED)" }
        ));
        s
    }
}
