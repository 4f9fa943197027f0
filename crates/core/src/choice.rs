//! Options with a fixed set of named values, spelled the same on the command line, in JSON and in reports.
//!
//! The library names its values here; the binary turns [`Choice::CHOICES`] into clap's possible values, so no
//! library crate depends on clap.

/// A type whose values are chosen by name (`--vcov cr1`, `--split patient`).
pub trait Choice: Copy + PartialEq + 'static {
    /// Every value with its name (as typed) and one line of help, in the order help lists them.
    const CHOICES: &'static [(Self, &'static str, &'static str)];

    /// The name of this value.
    fn name(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|c| c.0 == self)
            .map_or("", |c| c.1)
    }

    /// The value with this name in any case (`HC1` as sandwich writes it, or `hc1`).
    fn from_name(name: &str) -> Option<Self> {
        Self::CHOICES
            .iter()
            .find(|c| c.1.eq_ignore_ascii_case(name.trim()))
            .map(|c| c.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Side {
        Left,
        Right,
    }

    impl Choice for Side {
        const CHOICES: &'static [(Self, &'static str, &'static str)] = &[
            (Side::Left, "left", "the left one"),
            (Side::Right, "right", "the right one"),
        ];
    }

    #[test]
    fn names_round_trip_in_any_case() {
        assert_eq!(Side::Right.name(), "right");
        assert_eq!(Side::from_name("LEFT"), Some(Side::Left));
        assert_eq!(Side::from_name(" Right "), Some(Side::Right));
        assert_eq!(Side::from_name("middle"), None);
    }
}
