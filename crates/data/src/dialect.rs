//! How to read an input file beyond what its name says: the sheet of a workbook, and the dialect of a CSV
//! file (field separator, decimal comma, text encoding) when sniffing is not wanted or cannot tell.

use super::DataError;

/// The text encoding of a CSV file; Latin-1 and Windows-1252 are transcoded to UTF-8 before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (with or without a byte-order mark).
    #[default]
    Utf8,
    /// ISO-8859-1: each byte is the code point of the same value.
    Latin1,
    /// Windows-1252: Latin-1 with printable characters (€, ‘’, “”, –, —, ...) in 0x80–0x9F.
    Windows1252,
}

/// The names `--encoding` accepts for each encoding (first = canonical).
const ENCODING_NAMES: [(&str, Encoding); 7] = [
    ("utf8", Encoding::Utf8),
    ("utf-8", Encoding::Utf8),
    ("latin1", Encoding::Latin1),
    ("latin-1", Encoding::Latin1),
    ("iso-8859-1", Encoding::Latin1),
    ("windows-1252", Encoding::Windows1252),
    ("cp1252", Encoding::Windows1252),
];

/// Windows-1252's characters for 0x80–0x9F (the five bytes it leaves undefined keep their C1 code point, as
/// the WHATWG encoding standard maps them).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

impl std::str::FromStr for Encoding {
    type Err = String;

    /// An encoding by name, case-insensitive (`utf8`, `latin1`, `windows-1252` and their usual aliases).
    fn from_str(s: &str) -> Result<Self, String> {
        let key = s.trim().to_ascii_lowercase();
        ENCODING_NAMES
            .iter()
            .find(|(n, _)| *n == key)
            .map(|&(_, e)| e)
            .ok_or_else(|| {
                format!(
                    "unknown encoding '{s}'; supported: utf8, latin1 (iso-8859-1), windows-1252 (cp1252)"
                )
            })
    }
}

impl Encoding {
    /// The text as UTF-8 bytes (UTF-8 input is returned as it is, and checked later).
    pub(crate) fn to_utf8(self, bytes: Vec<u8>) -> Vec<u8> {
        let decode = |b: u8| match (self, b) {
            (Encoding::Windows1252, 0x80..=0x9F) => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        };
        match self {
            Encoding::Utf8 => bytes,
            _ if bytes.is_ascii() => bytes,
            _ => bytes
                .into_iter()
                .map(decode)
                .collect::<String>()
                .into_bytes(),
        }
    }
}

/// Options for reading one input file; the default sniffs everything and reads a workbook's first sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The workbook sheet to read (first sheet when `None`).
    pub sheet: Option<String>,
    /// The CSV field separator (sniffed from the header when `None`).
    pub delimiter: Option<u8>,
    /// Numbers are written with a decimal comma (otherwise sniffed when the separator is not a comma).
    pub decimal_comma: bool,
    /// The CSV text encoding (UTF-8 when `None`).
    pub encoding: Option<Encoding>,
}

impl ReadOptions {
    /// The CSV dialect options given, as their command-line names (for a refusal on a non-CSV file).
    fn csv_options(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        if self.delimiter.is_some() {
            given.push("--delimiter");
        }
        if self.decimal_comma {
            given.push("--decimal-comma");
        }
        if self.encoding.is_some() {
            given.push("--encoding");
        }
        given
    }

    /// Refuse options that do not fit a file of this kind (`workbook`, `parquet` or else CSV).
    pub(crate) fn check_for(
        &self,
        file: &str,
        workbook: bool,
        parquet: bool,
    ) -> Result<(), DataError> {
        let bad = |reason: String| {
            Err(DataError::BadOption {
                file: file.to_string(),
                reason,
            })
        };
        let csv = self.csv_options();
        if (workbook || parquet) && !csv.is_empty() {
            let kind = if workbook {
                "a workbook"
            } else {
                "a Parquet file"
            };
            return bad(format!(
                "{} set(s) how a CSV file is written, but this is {kind}; fix: drop {}",
                csv.join(", "),
                csv.join(" and ")
            ));
        }
        if !workbook && self.sheet.is_some() {
            let kind = if parquet {
                "a Parquet file"
            } else {
                "a CSV file"
            };
            return bad(format!(
                "--sheet names a sheet of a workbook (.xlsx/.xls/.ods), but this is {kind}; fix: drop --sheet"
            ));
        }
        Ok(())
    }

    /// Refuse a decimal comma with a comma separator (given or sniffed): the two cannot be told apart.
    pub(crate) fn check_separator(&self, file: &str, separator: u8) -> Result<(), DataError> {
        if self.decimal_comma && separator == b',' {
            let how = if self.delimiter.is_some() {
                "--delimiter ','"
            } else {
                "the header (sniffed)"
            };
            return Err(DataError::BadOption {
                file: file.to_string(),
                reason: format!(
                    "--decimal-comma needs a separator other than ',', but {how} separates fields with ','; \
fix: give the real separator (--delimiter ';') or drop --decimal-comma"
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Code points from the Unicode mapping tables of ISO-8859-1 and Windows-1252 (unicode.org MAPPINGS).
    #[test]
    fn latin1_and_cp1252_decode_as_the_mapping_tables() {
        let bytes = vec![b'Z', 0xFC, b'r', 0xE9, 0x80, 0x96, 0xA0];
        let latin1 = String::from_utf8(Encoding::Latin1.to_utf8(bytes.clone())).unwrap();
        assert_eq!(latin1, "Z\u{FC}r\u{E9}\u{80}\u{96}\u{A0}");
        let cp = String::from_utf8(Encoding::Windows1252.to_utf8(bytes)).unwrap();
        assert_eq!(cp, "Z\u{FC}r\u{E9}\u{20AC}\u{2013}\u{A0}");
        assert_eq!("CP1252".parse::<Encoding>(), Ok(Encoding::Windows1252));
        let e = "utf16".parse::<Encoding>().unwrap_err();
        assert!(e.contains("latin1") && e.contains("windows-1252"), "{e}");
    }

    #[test]
    fn decimal_comma_with_comma_separator_is_refused() {
        let o = ReadOptions {
            decimal_comma: true,
            delimiter: Some(b','),
            ..ReadOptions::default()
        };
        let e = o.check_separator("r.csv", b',').unwrap_err().to_string();
        assert!(
            e.starts_with("r.csv: --decimal-comma") && e.contains("--delimiter ','"),
            "{e}"
        );
        assert!(o.check_separator("r.csv", b';').is_ok());
    }
}
