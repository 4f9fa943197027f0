//! Statistical problems, reported and never hidden.

/// A reason a model or test cannot be computed as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// Fewer usable observations than the analysis needs.
    #[error("{what}: {n} usable observations, at least {needed} needed")]
    TooFew {
        what: String,
        n: usize,
        needed: usize,
    },
    /// Fewer clusters than a clustered analysis needs (cluster-robust covariance, GEE, cluster bootstrap).
    #[error("{what}: {n} cluster(s) in the rows used, at least {needed} needed")]
    TooFewClusters {
        what: String,
        n: usize,
        needed: usize,
    },
    /// A binary outcome with only one class present.
    #[error("outcome '{column}' has only one class ({level}): cannot fit or compute ROC")]
    OneClass { column: String, level: String },
    /// The design matrix is rank-deficient.
    #[error("singular design: term(s) {terms} are constant or collinear with others")]
    Singular { terms: String },
    /// A formula could not be parsed or names something absent.
    #[error("formula: {0}")]
    Formula(String),
    /// An iterative fit did not converge.
    #[error("{what} did not converge in {iterations} iterations")]
    NotConverged { what: String, iterations: usize },
    /// Anything else that makes the statistic undefined.
    #[error("{0}")]
    Undefined(String),
}
