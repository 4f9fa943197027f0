//! study (to be written).
