//! A length check of a DICOM file before it is parsed: dicom-rs allocates (and zeroes) a value's declared
//! length before reading it, so a corrupted length field (e.g. 0xFFFFFFF0) costs gigabytes of memory and
//! seconds. Every defined length is checked against the bytes that remain in its enclosing item or file.

/// Deepest nesting of sequences walked.
const MAX_DEPTH: usize = 32;
/// The value representations of the standard, two letters each.
const VRS: &[u8] = b"AEASATCSDADSDTFLFDISLOLTOBODOFOLOVOWPNSHSLSQSSSTSVTMUCUIULUNURUSUTUV";
const UNDEFINED: u32 = 0xFFFF_FFFF;
const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
const EXPLICIT_BE: &str = "1.2.840.10008.1.2.2";

#[derive(Clone, Copy)]
struct Syntax {
    explicit: bool,
    big: bool,
}

struct Walker<'a> {
    b: &'a [u8],
    ts: Syntax,
}

/// `Err(reason)` when a declared length runs past the end of its item or of the file.
pub(crate) fn check_lengths(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < 132 || &bytes[128..132] != b"DICM" {
        return Ok(()); // not Part 10: the parser refuses it cheaply
    }
    let meta = Syntax {
        explicit: true,
        big: false,
    };
    let w = Walker { b: bytes, ts: meta };
    let (end, ts) = w.meta_group(132)?;
    let data = match ts.trim_end_matches(['\0', ' ']) {
        IMPLICIT_LE => Syntax {
            explicit: false,
            big: false,
        },
        EXPLICIT_BE => Syntax {
            explicit: true,
            big: true,
        },
        _ => meta,
    };
    Walker { b: bytes, ts: data }
        .dataset(end, bytes.len(), 0)
        .map(|_| ())
}

impl Walker<'_> {
    fn u16_at(&self, p: usize) -> Option<u16> {
        let s = self.b.get(p..p + 2)?;
        Some(if self.ts.big {
            u16::from_be_bytes([s[0], s[1]])
        } else {
            u16::from_le_bytes([s[0], s[1]])
        })
    }

    fn u32_at(&self, p: usize) -> Option<u32> {
        let s = self.b.get(p..p + 4)?;
        Some(if self.ts.big {
            u32::from_be_bytes([s[0], s[1], s[2], s[3]])
        } else {
            u32::from_le_bytes([s[0], s[1], s[2], s[3]])
        })
    }

    /// Walk the file meta group (group 0002); return where it ends and the transfer syntax UID.
    fn meta_group(&self, mut p: usize) -> Result<(usize, String), String> {
        let mut ts = String::new();
        while self.u16_at(p) == Some(0x0002) {
            let (header, len, _) = self.element_header(p, self.b.len())?;
            let start = p + header;
            if self.u16_at(p + 2) == Some(0x0010) {
                ts = String::from_utf8_lossy(&self.b[start..start + len as usize]).into_owned();
            }
            p = start + len as usize;
        }
        Ok((p, ts))
    }

    /// Header size, value length and whether the value is a sequence, checked against `end`.
    fn element_header(&self, p: usize, end: usize) -> Result<(usize, u32, bool), String> {
        let short = || format!("truncated element header at byte {p}");
        let group = self.u16_at(p).ok_or_else(short)?;
        let (header, len, sq) = if group == 0xFFFE || !self.ts.explicit {
            (8, self.u32_at(p + 4).ok_or_else(short)?, false)
        } else {
            let vr = self.b.get(p + 4..p + 6).ok_or_else(short)?;
            if !VRS.chunks(2).any(|v| v == vr) {
                return Err(format!(
                    "element ({group:04X},{:04X}) at byte {p} has an invalid VR {:?}",
                    self.u16_at(p + 2).unwrap_or(0),
                    String::from_utf8_lossy(vr)
                ));
            }
            let long = matches!(
                vr,
                b"OB"
                    | b"OD"
                    | b"OF"
                    | b"OL"
                    | b"OV"
                    | b"OW"
                    | b"SQ"
                    | b"SV"
                    | b"UC"
                    | b"UN"
                    | b"UR"
                    | b"UT"
                    | b"UV"
            );
            if long {
                (12, self.u32_at(p + 8).ok_or_else(short)?, vr == b"SQ")
            } else {
                (8, u32::from(self.u16_at(p + 6).ok_or_else(short)?), false)
            }
        };
        if len != UNDEFINED && (len as usize) > end.saturating_sub(p + header) {
            return Err(format!(
                "element ({:04X},{:04X}) at byte {p} declares {len} bytes, but only {} remain",
                group,
                self.u16_at(p + 2).unwrap_or(0),
                end.saturating_sub(p + header)
            ));
        }
        Ok((header, len, sq))
    }

    /// Walk elements from `p` to `end` (or to a delimiter); return where the walk stopped.
    fn dataset(&self, mut p: usize, end: usize, depth: usize) -> Result<usize, String> {
        if depth > MAX_DEPTH {
            return Err(format!("sequences nested deeper than {MAX_DEPTH} levels"));
        }
        while p + 8 <= end {
            let (group, elem) = (self.u16_at(p).unwrap_or(0), self.u16_at(p + 2).unwrap_or(0));
            let (header, len, sq) = self.element_header(p, end)?;
            p += header;
            if group == 0xFFFE && (elem == 0xE00D || elem == 0xE0DD) {
                return Ok(p); // item or sequence delimiter
            }
            // Items hold data sets, except the fragments of encapsulated pixel data.
            let nested = sq || (!self.ts.explicit && (group, elem) != (0x7FE0, 0x0010));
            p = match (len, group == 0xFFFE) {
                (UNDEFINED, true) => self.dataset(p, end, depth + 1)?,
                (UNDEFINED, false) => self.items(p, end, depth + 1, nested)?,
                (n, true) => {
                    self.dataset(p, p + n as usize, depth + 1)?;
                    p + n as usize
                }
                (n, false) if sq => {
                    self.items(p, p + n as usize, depth + 1, true)?;
                    p + n as usize
                }
                (n, false) => p + n as usize,
            };
        }
        Ok(p)
    }

    /// Walk the items of a sequence (or the fragments of encapsulated pixel data).
    fn items(&self, mut p: usize, end: usize, depth: usize, nested: bool) -> Result<usize, String> {
        if depth > MAX_DEPTH {
            return Err(format!("sequences nested deeper than {MAX_DEPTH} levels"));
        }
        while p + 8 <= end {
            let elem = self.u16_at(p + 2).unwrap_or(0);
            if self.u16_at(p) != Some(0xFFFE) {
                return Err(format!("expected a sequence item at byte {p}"));
            }
            let len = self.u32_at(p + 4).unwrap_or(0);
            p += 8;
            match elem {
                0xE0DD => return Ok(p),
                0xE000 if len == UNDEFINED => p = self.dataset(p, end, depth + 1)?,
                0xE000 if (len as usize) <= end - p => {
                    if nested {
                        self.dataset(p, p + len as usize, depth + 1)?;
                    }
                    p += len as usize
                }
                _ => {
                    return Err(format!(
                        "item at byte {} declares {len} bytes, but only {} remain",
                        p - 8,
                        end - p
                    ))
                }
            }
        }
        Ok(p)
    }
}
