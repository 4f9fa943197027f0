//! Performance of `calcscore agatston` on a 512 × 512 × 100 uncompressed series (50 MB), generated here and
//! never committed. Ignored by `cargo test`; `just bench` times the release binary with it:
//! `CALCSCORE_BIN=target/release/calcscore cargo test --test agatston_perf -- --ignored --nocapture`
//! (without CALCSCORE_BIN it times the binary of the test's own profile).

use std::process::Command;
use std::time::Instant;

use calcscore_imaging::phantom::{write_slice, SliceSpec};

#[test]
#[ignore]
fn series_512x512x100() {
    let dir = tempfile::tempdir().unwrap();
    let (n, size) = (100usize, 512usize);
    for k in 0..n {
        // Soft tissue with a calcified 20 × 20 block every fifth slice, and noise-free bone-like ring.
        let mut hu = vec![40.0; size * size];
        if k % 5 == 0 {
            for r in 200..220 {
                for c in 300..320 {
                    hu[r * size + c] = 150.0 + 10.0 * k as f64;
                }
            }
        }
        let mut s = SliceSpec::axial(
            size,
            size,
            k as f64 * 3.0,
            SliceSpec::stored_for(&hu, (1.0, -1024.0)),
        );
        s.sop_uid = format!("2.25.9{k}");
        write_slice(&dir.path().join(format!("{k:03}.dcm")), &s).unwrap();
    }
    let d = dir.path().display().to_string();
    let bin = std::env::var("CALCSCORE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_calcscore").to_string());
    let mut times = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        let out = Command::new(&bin)
            .args(["agatston", "--dicom", &d, "--json"])
            .output()
            .unwrap();
        times.push(t0.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    times.sort_by(f64::total_cmp);
    println!(
        "agatston on a 512x512x100 uncompressed series: median of 5 = {:.3} s ({} build)",
        times[2],
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}
