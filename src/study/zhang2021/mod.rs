//! The Zhang 2021 IVUS calcium-score study: synthetic registry and the reproduction pipeline.

pub mod simulate;
