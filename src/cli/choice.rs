//! clap's possible values from the library's named choices ([`Choice`]): the library names its values, the binary
//! parses them, so no library crate depends on clap.

use calcscore_core::Choice;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// Value parser for a library type with named values: help lists each with its line, any case is accepted.
pub(crate) fn choice<T: Choice + Clone + Send + Sync>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(
        T::CHOICES
            .iter()
            .map(|&(_, name, help)| PossibleValue::new(name).help(help)),
    )
    .try_map(|s| T::from_name(&s).ok_or_else(|| format!("unknown value '{s}'")))
}
