//! cohort (to be written).
