//! Per-artery label masks: a NumPy `.npy` array of unsigned bytes, shape (slices, rows, columns), slices in
//! the series' sorted order (slice 1 = lowest position along the normal), row-major within a slice.
//! Label values: 0 none, 1 LM, 2 LAD, 3 LCX, 4 RCA; any other value k is reported as "label k".

use std::path::Path;

use super::agatston::Labels;
use super::ImagingError;

/// Names of labels 1-4.
pub(crate) const ARTERIES: [&str; 4] = ["LM", "LAD", "LCX", "RCA"];

/// The names of labels 0-255.
fn names() -> Vec<String> {
    (0..256)
        .map(|k| match k {
            0 => "none".to_string(),
            1..=4 => ARTERIES[k - 1].to_string(),
            _ => format!("label {k}"),
        })
        .collect()
}

/// Read a `.npy` label mask and check its shape against the series (slices, rows, columns).
pub fn read_npy(path: &Path, shape: [usize; 3]) -> crate::Result<Labels> {
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io("read", path, e))?;
    let bad = |rule: String| -> crate::Error {
        ImagingError::Labels {
            file: path.display().to_string(),
            rule,
        }
        .into()
    };
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad(
            "not a NumPy .npy file (no \\x93NUMPY magic); save the mask with numpy.save".into(),
        ));
    }
    let (hlen, start): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(bad(format!("unsupported .npy version {v}"))),
    };
    let header = bytes
        .get(start..start.saturating_add(hlen))
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .ok_or_else(|| bad("truncated .npy header".into()))?;
    if !(header.contains("'|u1'") || header.contains("'<u1'") || header.contains("'u1'")) {
        return Err(bad(format!(
            "the mask must be unsigned bytes (dtype uint8), header says {}; fix: mask.astype(numpy.uint8)",
            header.trim()
        )));
    }
    if header.contains("'fortran_order': True") {
        return Err(bad(
            "Fortran-ordered array; fix: numpy.save(path, numpy.ascontiguousarray(mask))".into(),
        ));
    }
    let got = npy_shape(&header)
        .ok_or_else(|| bad(format!("cannot read the shape in {}", header.trim())))?;
    if got != shape {
        return Err(bad(format!(
            "shape {got:?} does not match the series (slices, rows, columns) = {shape:?}"
        )));
    }
    let voxels = bytes[start + hlen..].to_vec();
    if voxels.len() != shape.iter().product::<usize>() {
        return Err(bad(format!(
            "{} data bytes, {} expected from the shape",
            voxels.len(),
            shape.iter().product::<usize>()
        )));
    }
    Ok(Labels {
        voxels,
        names: names(),
    })
}

/// The `'shape': (a, b, c)` tuple of a .npy header.
fn npy_shape(header: &str) -> Option<[usize; 3]> {
    let from = header.find("'shape'")?;
    let open = from + header[from..].find('(')?;
    let close = open + header[open..].find(')')?;
    let dims: Vec<usize> = header[open + 1..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect::<Option<_>>()?;
    (dims.len() == 3).then(|| [dims[0], dims[1], dims[2]])
}

/// Write a label mask as `.npy` (uint8, C order): for tests and for users who build masks by hand.
pub fn write_npy(voxels: &[u8], shape: [usize; 3]) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '|u1', 'fortran_order': False, 'shape': ({}, {}, {}), }}",
        shape[0], shape[1], shape[2]
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(voxels);
    out
}
