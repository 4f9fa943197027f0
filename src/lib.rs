//! calcscore: reproduce and re-derive coronary calcium scores from lesion-level data.
//!
//! Data flows one way: [`data`] (load, validate) → [`cohort`] (flow, split) →
//! [`stats`] (models with inference) → [`score`] (points tables, derivation) →
//! [`study`] (built-in reproductions) → [`report`] (tables, figures, JSON).
//! The binary's subcommands live in [`cli`].

pub mod card;
pub mod cli;
pub mod cohort;
pub mod data;
pub mod error;
pub mod imaging;
pub mod options;
pub mod report;
pub mod samplesize;
pub mod score;
pub mod stats;
pub mod study;

pub use error::{Error, Result};
