//! No panic on corrupted DICOM files: a valid phantom slice is truncated, has bytes flipped, and has
//! lengths overwritten (seeded, so every run tries the same 600 files, and 80 of the real JPEG lossless slice);
//! each must be scored or refused
//! with an error, through the library and (for a sample) through the binary, never with exit code 101.

use std::path::Path;
use std::process::Command;

use calcscore_core::random::{self, ChaCha8Rng};
use calcscore_imaging::agatston::{self, Options};
use calcscore_imaging::phantom::{write_slice, SliceSpec};
use calcscore_imaging::series;
use rand::RngExt;

/// A valid 16×16 slice with a calcified block, as bytes.
fn valid_bytes(dir: &Path) -> Vec<u8> {
    let mut hu = vec![0.0; 256];
    for r in 4..8 {
        for c in 4..8 {
            hu[r * 16 + c] = 420.0;
        }
    }
    let spec = SliceSpec::axial(16, 16, 0.0, SliceSpec::stored_for(&hu, (1.0, -1024.0)));
    let p = dir.join("valid.dcm");
    write_slice(&p, &spec).unwrap();
    std::fs::read(&p).unwrap()
}

/// One corruption of `bytes`, chosen by the RNG.
fn corrupt(bytes: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match random::between_i32(rng, 0, 3) {
        0 => b.truncate(random::index(rng, bytes.len())),
        1 => {
            for _ in 0..random::between_i32(rng, 1, 7) {
                let i = random::index(rng, b.len());
                b[i] = rng.random();
            }
        }
        2 => {
            // Overwrite 4 bytes (often a length field) with a large or odd value.
            let i = 132 + random::index(rng, b.len() - 4 - 132);
            let v: u32 = [0xFFFF_FFFF, 0xFFFF_FFF0, 0x7FFF_FFFF, 3, 0][random::index(rng, 5)];
            b[i..i + 4].copy_from_slice(&v.to_le_bytes());
        }
        _ => {
            let i = random::index(rng, b.len());
            let n = (1 + random::index(rng, 63)).min(b.len() - i);
            b.drain(i..i + n);
        }
    }
    b
}

#[test]
fn corrupted_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = valid_bytes(dir.path());
    let mut rng = random::seeded(18);
    let (mut scored, mut refused) = (0, 0);
    for k in 0..600 {
        let case = dir.path().join(format!("case{k}"));
        std::fs::create_dir_all(&case).unwrap();
        let bytes = corrupt(&good, &mut rng);
        std::fs::write(case.join("x.dcm"), &bytes).unwrap();
        let result = series::read_series(&case, None)
            .and_then(|s| Ok(agatston::score(&s, &Options::default(), None)?));
        match result {
            Ok(s) => {
                assert!(s.agatston.is_finite() && s.agatston >= 0.0);
                scored += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
        if k % 40 == 0 {
            let out = Command::new(env!("CARGO_BIN_EXE_calcscore"))
                .args(["agatston", "--dicom", &case.display().to_string()])
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0) | Some(1)),
                "case {k}: exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::fs::remove_dir_all(&case).unwrap();
    }
    assert_eq!(scored + refused, 600);
    assert!(
        refused > 0 && scored > 0,
        "scored {scored}, refused {refused}"
    );
}

#[test]
fn corrupted_jpeg_lossless_files_never_panic() {
    // The real JPEG lossless slice (tests/data/dicom/pydicom-data): corruptions reach the JPEG decoder.
    let good = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/dicom/pydicom-data/bad_sequence.dcm"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = random::seeded(1067);
    let (mut scored, mut refused) = (0, 0);
    for k in 0..80 {
        let case = dir.path().join(format!("case{k}"));
        std::fs::create_dir_all(&case).unwrap();
        std::fs::write(case.join("x.dcm"), corrupt(&good, &mut rng)).unwrap();
        match series::read_series(&case, None)
            .and_then(|s| Ok(agatston::score(&s, &Options::default(), None)?))
        {
            Ok(s) => {
                assert!(s.agatston.is_finite());
                scored += 1;
            }
            Err(_) => refused += 1,
        }
        std::fs::remove_dir_all(&case).unwrap();
    }
    assert_eq!(scored + refused, 80);
}
