//! `derive --impute M --validate-bootstrap B`: the whole procedure, imputation included, bootstrapped (boot-MI,
//! Wahl et al., BMC Med Res Methodol 2016;16:144): each replicate resamples the incomplete rows, imputes them M
//! times, derives the score from the pooled coefficients and takes its pooled AUC there (apparent in the
//! replicate) and on the M imputed original tables (test); optimism = mean(apparent − test).

use calcscore_core::random;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;

use super::derive::{Candidates, DeriveOptions};
use super::impute::{derive_imputed, pooled_auc};
use crate::{Error, Result};
use calcscore_data::Table;
use calcscore_stats::mice::MiceOptions;

/// Harrell's optimism of the pooled AUC with imputation inside each replicate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootMi {
    /// What was bootstrapped, in words.
    pub method: String,
    /// Replicates asked for.
    pub replicates: usize,
    /// Replicates in which the derivation failed (left out).
    pub failed: usize,
    /// Seed: replicate r resamples and imputes from streams seeded from (seed, r).
    pub seed: u64,
    /// Imputations per replicate.
    pub m: usize,
    /// Pooled AUC of the pooled-points score on the imputed original data.
    pub auc_apparent: f64,
    /// Mean over replicates of (pooled AUC in the replicate − pooled AUC on the imputed original data).
    pub auc_optimism: f64,
    /// Apparent − optimism.
    pub auc_corrected: f64,
}

/// Run B replicates of resample → impute M times → derive on pooled coefficients → evaluate.
/// `original` holds the M completed original tables and `apparent` the pooled AUC on them.
pub fn boot_mi(
    table: &Table,
    cands: &Candidates,
    opts: &DeriveOptions,
    mice: &MiceOptions,
    (original, apparent): (&[Table], f64),
    (replicates, seed): (usize, u64),
) -> Result<BootMi> {
    if opts.cluster.is_some() {
        return Err(Error::Usage(
            "--impute with --validate-bootstrap resamples rows: --cluster is not implemented there"
                .into(),
        ));
    }
    let n = table.nrows();
    let diffs: Vec<Option<f64>> = (0..replicates as u64)
        .into_par_iter()
        .map(|r| {
            let mut rng = random::replicate(seed, r);
            let rows: Vec<usize> = (0..n).map(|_| random::index(&mut rng, n)).collect();
            let boot = table.subset(&rows);
            let m = MiceOptions {
                seed: rng.next_u64(),
                ..*mice
            };
            let (_, d, _) = derive_imputed(&boot, cands, opts, &m).ok()?;
            let test = pooled_auc(original, &d.score, opts).ok()?;
            Some(d.auc.estimate - test.estimate)
        })
        .collect();
    let ok: Vec<f64> = diffs.iter().flatten().copied().collect();
    if ok.is_empty() {
        return Err(Error::Usage(
            "no bootstrap replicate could be derived and imputed".into(),
        ));
    }
    let optimism = ok.iter().sum::<f64>() / ok.len() as f64;
    Ok(BootMi {
        method: "boot-MI (Wahl et al. 2016): resample the incomplete rows, impute M times in the replicate, \
                 points from the pooled coefficients, pooled AUC in the replicate vs on the imputed original data"
            .into(),
        replicates,
        failed: replicates - ok.len(),
        seed,
        m: mice.m,
        auc_apparent: apparent,
        auc_optimism: optimism,
        auc_corrected: apparent - optimism,
    })
}
