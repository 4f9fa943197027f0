//! Checked option values: a confidence level, a bounded count, a finite threshold, a proportion.
//!
//! Each type's constructor refuses a bad value with a message naming the rule, so a value that exists
//! is valid. They parse from text (`FromStr`), which is how the command line builds them once, at its
//! edge, for every verb; library code that takes them needs no check of its own.

use std::fmt;
use std::str::FromStr;

/// Why an option value was refused (the message names the rule and the value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OptionError(String);

fn number(text: &str) -> Result<f64, OptionError> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| OptionError(format!("'{text}' is not a number")))
}

/// `get`, `FromStr` (a number, then the type's own check) and `Display` for a checked `f64` option.
macro_rules! parsed_number {
    ($t:ident) => {
        impl $t {
            /// The value.
            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl FromStr for $t {
            type Err = OptionError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(number(s)?)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

/// A confidence level strictly between 0 and 1 (0.95 for 95% intervals).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct ConfLevel(f64);

impl ConfLevel {
    /// The usual 95% level.
    pub const DEFAULT: ConfLevel = ConfLevel(0.95);

    /// A level in (0, 1); 0, 1, anything outside, NaN and infinities are refused.
    pub fn new(level: f64) -> Result<Self, OptionError> {
        if level > 0.0 && level < 1.0 {
            Ok(ConfLevel(level))
        } else {
            let hint = if (50.0..100.0).contains(&level) {
                format!(" (a percentage? write {})", level / 100.0)
            } else {
                String::new()
            };
            Err(OptionError(format!(
                "a confidence level must be strictly between 0 and 1, e.g. 0.95 (got {level}){hint}"
            )))
        }
    }
}

impl Default for ConfLevel {
    fn default() -> Self {
        Self::DEFAULT
    }
}

parsed_number!(ConfLevel);

/// A whole number between `MIN` and `MAX` (a count of replicates, lesions ...), bounds stated in the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Count<const MIN: usize, const MAX: usize>(usize);

impl<const MIN: usize, const MAX: usize> Count<MIN, MAX> {
    /// The smallest allowed value.
    pub const MIN: usize = MIN;
    /// The largest allowed value.
    pub const MAX: usize = MAX;

    /// A count in `MIN..=MAX`; anything else is refused with the bounds.
    pub fn new(n: usize) -> Result<Self, OptionError> {
        if (MIN..=MAX).contains(&n) {
            Ok(Count(n))
        } else {
            Err(Self::out_of_range(&n.to_string()))
        }
    }

    /// The count.
    pub fn get(self) -> usize {
        self.0
    }

    fn out_of_range(got: &str) -> OptionError {
        OptionError(format!(
            "must be a whole number from {MIN} to {MAX} (got {got})"
        ))
    }
}

impl<const MIN: usize, const MAX: usize> FromStr for Count<MIN, MAX> {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            // All digits: too large for usize is out of range, not "not a number".
            return t
                .parse::<usize>()
                .map_err(|_| Self::out_of_range(t))
                .and_then(Self::new);
        }
        Err(OptionError(format!(
            "'{s}' is not a whole number (from {MIN} to {MAX})"
        )))
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Display for Count<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Bootstrap replicates: 0 (none) to 100,000 (beyond that the Monte Carlo error is far below any reported digit).
pub type Replicates = Count<0, 100_000>;

/// Lesions of a simulated registry: 100 (the smallest with every flow count non-zero) to 10^8 (generated and
/// written in chunks of 10^6, so memory stays that of one chunk).
pub type Lesions = Count<100, 100_000_000>;

/// A finite number (a cutoff, a threshold, a rate): NaN and infinities are refused.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Threshold(f64);

impl Threshold {
    /// A finite value.
    pub fn new(x: f64) -> Result<Self, OptionError> {
        if x.is_finite() {
            Ok(Threshold(x))
        } else {
            Err(OptionError(format!("must be a finite number (got {x})")))
        }
    }
}

parsed_number!(Threshold);

/// A proportion above 0 and at most 1 (a target NPV).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Proportion(f64);

impl Proportion {
    /// A value in (0, 1].
    pub fn new(x: f64) -> Result<Self, OptionError> {
        if x > 0.0 && x <= 1.0 {
            Ok(Proportion(x))
        } else {
            Err(OptionError(format!(
                "must be a proportion above 0 and at most 1, e.g. 0.9 (got {x})"
            )))
        }
    }
}

parsed_number!(Proportion);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_level_refuses_outside_the_open_unit_interval() {
        for bad in ["0", "1", "1.5", "-0.2", "NaN", "inf", "95", "", "x"] {
            assert!(bad.parse::<ConfLevel>().is_err(), "{bad}");
        }
        assert_eq!("0.9".parse::<ConfLevel>().unwrap().get(), 0.9);
        let e = "95".parse::<ConfLevel>().unwrap_err().to_string();
        assert!(e.contains("percentage? write 0.95"), "{e}");
    }

    #[test]
    fn count_states_its_bounds() {
        let e = "18446744073709551615".parse::<Replicates>().unwrap_err();
        assert!(e.to_string().contains("from 0 to 100000"), "{e}");
        assert!("-1".parse::<Replicates>().is_err());
        assert!("1e3".parse::<Replicates>().is_err());
        assert!("99".parse::<Lesions>().is_err());
        assert_eq!("1000".parse::<Replicates>().unwrap().get(), 1000);
    }

    #[test]
    fn threshold_and_proportion() {
        assert!("NaN".parse::<Threshold>().is_err());
        assert!("-inf".parse::<Threshold>().is_err());
        assert_eq!("-2.5".parse::<Threshold>().unwrap().get(), -2.5);
        assert!("1.01".parse::<Proportion>().is_err());
        assert!("0".parse::<Proportion>().is_err());
        assert!("1".parse::<Proportion>().is_ok());
        assert!("0.94".parse::<Proportion>().is_ok());
    }
}
