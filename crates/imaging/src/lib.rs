//! Cardiac CT calcium scoring from DICOM: read an axial CT series ([`series`]), score it with the
//! Agatston, volume and mass scores ([`agatston`]), and write phantom series with known scores ([`phantom`]).
//!
//! Conventions that differ between tools (threshold, connectivity, minimum area, slice-thickness
//! scaling, kV-dependent thresholds) are options of [`agatston::Options`] and reported with every score.

pub mod agatston;
pub mod batch;
pub(crate) mod guard;
pub mod labels;
pub mod overlay;
pub mod phantom;
pub mod series;

pub use calcscore_core::{Error, ImagingError, Result};
