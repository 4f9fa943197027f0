//! Typed errors of the library and their exit codes.

use crate::{DataError, ImagingError, StatsError};

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem with an input file or its contents.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A statistical problem (separation, singular design, too few rows ...).
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// A DICOM input that cannot be scored (not CT, mixed series, unsupported encoding ...).
    #[error(transparent)]
    Imaging(#[from] ImagingError),
    /// The command line asked for something inconsistent.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "create directory").
        action: &'static str,
        /// The file concerned.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl From<crate::options::OptionError> for Error {
    fn from(e: crate::options::OptionError) -> Self {
        Error::Usage(e.to_string())
    }
}

impl Error {
    /// Exit code with a fixed meaning: 1 for data and statistical problems, 2 for usage and I/O.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Data(crate::DataError::BadOption { .. }) => 2,
            Error::Data(_) | Error::Stats(_) | Error::Imaging(_) => 1,
            Error::Usage(_) | Error::Io { .. } => 2,
        }
    }

    /// Wrap an I/O error with the action and path it concerned.
    pub fn io(
        action: &'static str,
        path: impl AsRef<std::path::Path>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Library result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
