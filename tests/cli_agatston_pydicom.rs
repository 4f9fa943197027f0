//! `calcscore agatston` on real scanner files from pydicom 3.0.1's and pydicom-data 1.0.0's test data (MIT,
//! vendored under tests/data/dicom/ with their licences; bad_sequence.dcm is JPEG lossless), against an
//! independent computation with pydicom, numpy and
//! scipy.ndimage.label: tests/reference/agatston.py → tests/reference/agatston/expected.json.

mod common;
use common::{calcscore, close, Tol};

use std::path::PathBuf;

use serde_json::Value;

/// HU are integers and pixel areas are products of two DS values: agreement to 1e-9 relative (absolute below 1).
const TOL: Tol = Tol::rel(1e-9, 1.0);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn scores_match_the_python_reference() {
    let text =
        std::fs::read_to_string(root().join("tests/reference/agatston/expected.json")).unwrap();
    let expected: Value = serde_json::from_str(&text).unwrap();
    for case in expected["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let path = format!("tests/data/dicom/{}", case["path"].as_str().unwrap());
        let (t, c, m) = (
            case["threshold"].to_string(),
            case["connectivity"].to_string(),
            case["min_area"].to_string(),
        );
        let out = calcscore(&[
            "agatston",
            "--dicom",
            &path,
            "--threshold",
            &t,
            "--connectivity",
            &c,
            "--min-area",
            &m,
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in ["agatston", "volume_mm3", "mass_mg"] {
            close(
                &format!("{name} {key}"),
                got[key].as_f64().unwrap(),
                case[key].as_f64().unwrap(),
                TOL,
            );
        }
        assert_eq!(got["n_lesions"], case["n_lesions"], "{name} n_lesions");
        assert_eq!(got["n_slices"], case["n_slices"], "{name} n_slices");
        close(
            &format!("{name} spacing"),
            got["conventions"]["slice_spacing_mm"].as_f64().unwrap(),
            case["slice_spacing_mm"].as_f64().unwrap(),
            TOL,
        );
        // Same lesions: (slice, pixels, peak, weight), in the reference's order.
        let key = |l: &Value| {
            (
                l["slice"].as_u64().unwrap(),
                l["n_pixels"].as_u64().unwrap(),
                (l["peak_hu"].as_f64().unwrap() * 1000.0).round() as i64,
                l["weight"].as_u64().unwrap(),
            )
        };
        let mut mine: Vec<_> = got["lesions"].as_array().unwrap().iter().map(key).collect();
        mine.sort_by_key(|k| (k.0, std::cmp::Reverse(k.1), std::cmp::Reverse(k.2)));
        let theirs: Vec<_> = case["lesions"]
            .as_array()
            .unwrap()
            .iter()
            .map(key)
            .collect();
        assert_eq!(mine, theirs, "{name} lesions");
    }
}

#[test]
fn real_localizers_are_refused() {
    // CT2N: two scout images (ImageType ORIGINAL\PRIMARY\LOCALIZER, sagittal and coronal).
    let out = calcscore(&["agatston", "--dicom", "tests/data/dicom/pydicom/CT2N"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("2 file(s) cannot be scored") && err.contains("localizer"),
        "{err}"
    );
}

#[test]
fn real_jpeg_2000_file_is_refused() {
    let out = calcscore(&[
        "agatston",
        "--dicom",
        "tests/data/dicom/pydicom/693_J2KI.dcm",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("JPEG 2000") && err.contains("not supported"),
        "{err}"
    );
}
