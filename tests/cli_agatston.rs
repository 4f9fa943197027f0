//! `calcscore agatston` on phantom CT series written as real DICOM files by the tests.
//! Every expected score is computed by hand in the test from the phantom's pixel size, HU and slices:
//! Agatston = Σ lesions area (mm²) × weight(peak HU) [1: 130–199, 2: 200–299, 3: 300–399, 4: ≥ 400];
//! volume = pixels × pixel area × slice spacing; mass (factor 1) = Σ HU × voxel volume (cm³).

mod common;
use common::{calcscore, close, Tol};

use std::path::{Path, PathBuf};

use calcscore_imaging::phantom::{write_slice, SliceSpec};
use serde_json::Value;

/// Relative, absolute below 1.
const TOL: Tol = Tol::rel(1e-9, 1.0);

/// A slice of `rows`×`cols` water (0 HU) with blocks of given HU painted on it.
struct Image {
    rows: usize,
    cols: usize,
    hu: Vec<f64>,
}

impl Image {
    fn water(rows: usize, cols: usize) -> Self {
        Image {
            rows,
            cols,
            hu: vec![0.0; rows * cols],
        }
    }

    /// Paint an `h`×`w` block with top-left pixel (r, c).
    fn block(mut self, r: usize, c: usize, h: usize, w: usize, hu: f64) -> Self {
        for i in r..r + h {
            for j in c..c + w {
                self.hu[i * self.cols + j] = hu;
            }
        }
        self
    }

    /// Paint single pixels.
    fn pixels(mut self, px: &[(usize, usize)], hu: f64) -> Self {
        for (r, c) in px {
            self.hu[r * self.cols + c] = hu;
        }
        self
    }

    /// Paint a disc: pixels whose centre is within `radius` pixels of (r, c).
    fn disc(mut self, r: usize, c: usize, radius: usize, hu: f64) -> Self {
        let rr = radius as i64;
        for i in 0..self.rows as i64 {
            for j in 0..self.cols as i64 {
                let (dr, dc) = (i - r as i64, j - c as i64);
                if dr * dr + dc * dc <= rr * rr {
                    self.hu[i as usize * self.cols + j as usize] = hu;
                }
            }
        }
        self
    }

    /// The slice at height z (mm) with the default rescale (1, −1024), 0.5 × 0.5 mm pixels, 3 mm thick.
    fn at(&self, z: f64) -> SliceSpec {
        let rescale = (1.0, -1024.0);
        SliceSpec::axial(
            self.rows,
            self.cols,
            z,
            SliceSpec::stored_for(&self.hu, rescale),
        )
    }
}

/// `calcscore agatston --dicom DIR <extra> --json`, parsed (the run must succeed).
fn score(dir: &Path, extra: &[&str]) -> Value {
    let d = dir.display().to_string();
    let mut args = vec!["agatston", "--dicom", &d, "--json"];
    args.extend_from_slice(extra);
    common::json(&args)
}

/// The run must fail with exit code `code` and a message containing every `words`.
fn refused(args: &[&str], code: i32, words: &[&str]) {
    let out = calcscore(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    for w in words {
        assert!(err.contains(w), "message lacks '{w}': {err}");
    }
}

fn write(dir: &Path, name: &str, s: &SliceSpec) -> PathBuf {
    let p = dir.join(name);
    write_slice(&p, s).unwrap();
    p
}

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

/// Agatston, volume, mass and lesion count of a run.
fn totals(v: &Value, agatston: f64, volume: f64, mass: f64, n: u64) {
    close("agatston", num(v, "agatston"), agatston, TOL);
    close("volume_mm3", num(v, "volume_mm3"), volume, TOL);
    close("mass_mg", num(v, "mass_mg"), mass, TOL);
    assert_eq!(v["n_lesions"].as_u64(), Some(n), "n_lesions in {v}");
}

#[test]
fn hu_at_each_weight_boundary() {
    // Eight 2×2 blocks (4 px × 0.25 mm² = 1 mm² each) at 129, 130, 199, 200, 299, 300, 399, 400 HU.
    // 129 is below the threshold; weights 1, 1, 2, 2, 3, 3, 4 → Agatston = 1 × 16 = 16.
    // One 3 mm slice: volume = 7 × 1 mm² × 3 mm = 21 mm³;
    // mass = Σ HU × 4 px × 0.75 mm³ / 1000 = 3 × (130+199+200+299+300+399+400) / 1000 = 3 × 1927 / 1000.
    let dir = tempfile::tempdir().unwrap();
    let mut img = Image::water(32, 32);
    for (k, hu) in [129.0, 130.0, 199.0, 200.0, 299.0, 300.0, 399.0, 400.0]
        .iter()
        .enumerate()
    {
        img = img.block(2 + 4 * (k / 4), 2 + 4 * (k % 4) * 2, 2, 2, *hu);
    }
    write(dir.path(), "a.dcm", &img.at(0.0));
    let v = score(dir.path(), &[]);
    totals(&v, 16.0, 21.0, 3.0 * 1927.0 / 1000.0, 7);
    let weights: Vec<u64> = v["lesions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["weight"].as_u64().unwrap())
        .collect();
    // Lesions in raster order of their first pixel: row 2 holds 129 (dropped), 130, 199, 200; row 6 the rest.
    assert_eq!(weights, [1, 1, 2, 2, 3, 3, 4]);
    assert_eq!(v["conventions"]["threshold_hu"].as_f64(), Some(130.0));
    assert_eq!(v["conventions"]["connectivity"].as_u64(), Some(8));
    assert_eq!(v["conventions"]["thickness_scaling"].as_str(), Some("none"));
}

#[test]
fn threshold_option_moves_the_lesion_threshold() {
    // Default: only the 400 HU block (1 mm² × 4 = 4). --threshold 129: the 129 HU block adds 1 mm² × 1 → 5.
    let dir = tempfile::tempdir().unwrap();
    let img = Image::water(16, 16)
        .block(2, 2, 2, 2, 129.0)
        .block(8, 8, 2, 2, 400.0);
    write(dir.path(), "a.dcm", &img.at(0.0));
    close(
        "default",
        num(&score(dir.path(), &[]), "agatston"),
        4.0,
        TOL,
    );
    close(
        "129",
        num(&score(dir.path(), &["--threshold", "129"]), "agatston"),
        5.0,
        TOL,
    );
}

#[test]
fn four_versus_eight_connectivity() {
    // Block A (450 HU, rows 2-3, cols 2-3) touches block B (150 HU, rows 4-5, cols 4-5) at one corner.
    // 8-connectivity: one lesion, 8 px = 2 mm², peak 450 → weight 4 → 8.
    // 4-connectivity: A = 1 mm² × 4 = 4, B = 1 mm² × 1 = 1 → 5.
    let dir = tempfile::tempdir().unwrap();
    let img = Image::water(16, 16)
        .block(2, 2, 2, 2, 450.0)
        .block(4, 4, 2, 2, 150.0);
    write(dir.path(), "a.dcm", &img.at(0.0));
    let eight = score(dir.path(), &[]);
    totals(
        &eight,
        8.0,
        6.0,
        (4.0 * 450.0 + 4.0 * 150.0) * 0.75 / 1000.0,
        1,
    );
    let four = score(dir.path(), &["--connectivity", "4"]);
    totals(
        &four,
        5.0,
        6.0,
        (4.0 * 450.0 + 4.0 * 150.0) * 0.75 / 1000.0,
        2,
    );
}

#[test]
fn minimum_area_boundary() {
    // A 2×2 block at 300 HU is exactly 1 mm² (kept at --min-area 1, weight 3 → 3);
    // an L of 3 pixels at 500 HU is 0.75 mm² (dropped). With --min-area 0 both count: 3 + 0.75 × 4 = 6.
    // With --min-area 1.01 the 1 mm² block goes too → 0.
    let dir = tempfile::tempdir().unwrap();
    let img = Image::water(16, 16)
        .block(2, 2, 2, 2, 300.0)
        .pixels(&[(8, 8), (9, 8), (9, 9)], 500.0);
    write(dir.path(), "a.dcm", &img.at(0.0));
    totals(
        &score(dir.path(), &[]),
        3.0,
        3.0,
        4.0 * 300.0 * 0.75 / 1000.0,
        1,
    );
    let all = score(dir.path(), &["--min-area", "0"]);
    close("min-area 0", num(&all, "agatston"), 6.0, TOL);
    assert_eq!(all["n_lesions"].as_u64(), Some(2));
    close(
        "min-area 1.01",
        num(&score(dir.path(), &["--min-area", "1.01"]), "agatston"),
        0.0,
        TOL,
    );
}

#[test]
fn cylinder_scored_on_each_slice() {
    // A disc of radius 5 px has 81 pixels (Gauss circle count N(5) = 81) = 20.25 mm²; at 250 HU (weight 2)
    // each slice scores 40.5. The disc is on 2 of 3 slices (z = 0, 3; not 6) → 81; volume 2 × 20.25 × 3 = 121.5.
    let dir = tempfile::tempdir().unwrap();
    let disc = Image::water(32, 32).disc(16, 16, 5, 250.0);
    let empty = Image::water(32, 32);
    write(dir.path(), "1.dcm", &disc.at(0.0));
    write(dir.path(), "2.dcm", &disc.at(3.0));
    write(dir.path(), "3.dcm", &empty.at(6.0));
    let v = score(dir.path(), &[]);
    totals(&v, 81.0, 121.5, 2.0 * 81.0 * 250.0 * 0.75 / 1000.0, 2);
    close("area", num(&v["lesions"][0], "area_mm2"), 20.25, TOL);
    close(
        "centroid row",
        num(&v["lesions"][0], "centroid_row"),
        16.0,
        TOL,
    );
    close("mean HU", num(&v["lesions"][0], "mean_hu"), 250.0, TOL);
}

#[test]
fn files_out_of_order_are_sorted_by_position() {
    // File names and InstanceNumber run opposite to z; the slice table must follow z (0, 3, 6):
    // z = 0 holds a 1 mm² block at 150 HU (1), z = 3 a 1 mm² block at 250 HU (2), z = 6 at 450 HU (4).
    let dir = tempfile::tempdir().unwrap();
    for (name, z, hu, instance) in [
        ("a.dcm", 6.0, 450.0, 1),
        ("b.dcm", 0.0, 150.0, 3),
        ("c.dcm", 3.0, 250.0, 2),
    ] {
        let mut s = Image::water(16, 16).block(4, 4, 2, 2, hu).at(z);
        s.instance = instance;
        write(dir.path(), name, &s);
    }
    let v = score(dir.path(), &[]);
    close("total", num(&v, "agatston"), 7.0, TOL);
    let slices = v["slices"].as_array().unwrap();
    let got: Vec<(f64, f64)> = slices
        .iter()
        .map(|s| (num(s, "z_mm"), num(s, "agatston")))
        .collect();
    assert_eq!(got, [(0.0, 1.0), (3.0, 2.0), (6.0, 4.0)]);
    close(
        "spacing",
        num(&v["conventions"], "slice_spacing_mm"),
        3.0,
        TOL,
    );
}

#[test]
fn descending_z_follows_the_slice_normal() {
    // Orientation rows +x, columns −y: the normal is −z, so slice 1 is the highest z (6) and the spacing is +3 mm.
    let dir = tempfile::tempdir().unwrap();
    for (z, hu) in [(0.0, 150.0), (3.0, 250.0), (6.0, 450.0)] {
        let mut s = Image::water(16, 16).block(4, 4, 2, 2, hu).at(z);
        s.orientation = Some([1.0, 0.0, 0.0, 0.0, -1.0, 0.0]);
        write(dir.path(), &format!("{z}.dcm"), &s);
    }
    let v = score(dir.path(), &[]);
    let got: Vec<(f64, f64)> = v["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (num(s, "z_mm"), num(s, "agatston")))
        .collect();
    assert_eq!(got, [(6.0, 4.0), (3.0, 2.0), (0.0, 1.0)]);
    close(
        "spacing",
        num(&v["conventions"], "slice_spacing_mm"),
        3.0,
        TOL,
    );
}

#[test]
fn each_slice_uses_its_own_rescale() {
    // Slice 2 is stored with slope 2, intercept −2048: a 400 HU block is stored as 1224. Read with slice 1's
    // rescale (1, −1024) it would be 200 HU (weight 2); with its own it is 400 HU (weight 4).
    // Slice 1: 1 mm² at 300 HU → 3; slice 2: 1 mm² at 400 HU → 4; total 7.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "1.dcm",
        &Image::water(16, 16).block(4, 4, 2, 2, 300.0).at(0.0),
    );
    let img = Image::water(16, 16).block(4, 4, 2, 2, 400.0);
    let mut s = img.at(3.0);
    s.rescale = Some((2.0, -2048.0));
    s.stored = SliceSpec::stored_for(&img.hu, (2.0, -2048.0));
    assert_eq!(s.stored[4 * 16 + 4], 1224);
    write(dir.path(), "2.dcm", &s);
    let v = score(dir.path(), &[]);
    close("total", num(&v, "agatston"), 7.0, TOL);
    close("peak", num(&v["lesions"][1], "peak_hu"), 400.0, TOL);
}

/// A 4×4 block (16 px = 4 mm²) at 350 HU (weight 3: 12 per slice) on every slice of a 6 mm stack.
fn stack(dir: &Path, spacing: f64) {
    let img = Image::water(16, 16).block(4, 4, 4, 4, 350.0);
    let n = (6.0 / spacing) as usize;
    for k in 0..n {
        let mut s = img.at(k as f64 * spacing);
        s.thickness = Some(spacing);
        write(dir, &format!("{k}.dcm"), &s);
    }
}

#[test]
fn slices_of_1_5_and_3_mm() {
    // 3 mm: 2 slices × 12 = 24; scaled × 3/3 = 24. 1.5 mm: 4 slices × 12 = 48; scaled × 1.5/3 = 24.
    // Volume is the same 4 mm² × 6 mm = 24 mm³ either way.
    let three = tempfile::tempdir().unwrap();
    stack(three.path(), 3.0);
    let fine = tempfile::tempdir().unwrap();
    stack(fine.path(), 1.5);
    totals(
        &score(three.path(), &[]),
        24.0,
        24.0,
        16.0 * 2.0 * 350.0 * 0.75 / 1000.0,
        2,
    );
    totals(
        &score(fine.path(), &[]),
        48.0,
        24.0,
        16.0 * 4.0 * 350.0 * 0.375 / 1000.0,
        4,
    );
    let scaled = ["--thickness-scaling", "spacing"];
    close(
        "3 mm scaled",
        num(&score(three.path(), &scaled), "agatston"),
        24.0,
        TOL,
    );
    let v = score(fine.path(), &scaled);
    close("1.5 mm scaled", num(&v, "agatston"), 24.0, TOL);
    close("factor", num(&v["conventions"], "scale_factor"), 0.5, TOL);
}

#[test]
fn mass_factor_scales_the_mass() {
    // mass = 0.8 × 4 px × 0.75 mm³ × 300 HU / 1000.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.dcm",
        &Image::water(16, 16).block(4, 4, 2, 2, 300.0).at(0.0),
    );
    let v = score(dir.path(), &["--mass-factor", "0.8"]);
    close(
        "mass",
        num(&v, "mass_mg"),
        0.8 * 4.0 * 0.75 * 300.0 / 1000.0,
        TOL,
    );
}

#[test]
fn kv_thresholds_follow_the_tube_voltage() {
    // At 100 kV the table gives threshold 145 and bounds 222/334/446: a 1 mm² block at 140 HU is not a lesion,
    // one at 300 HU weighs 2 (222 ≤ 300 < 334), one at 450 weighs 4 → 6. Standard weights: 1 + 3 + 4 = 8.
    let dir = tempfile::tempdir().unwrap();
    let img = Image::water(16, 16)
        .block(1, 1, 2, 2, 140.0)
        .block(5, 5, 2, 2, 300.0)
        .block(9, 9, 2, 2, 450.0);
    let mut s = img.at(0.0);
    s.kvp = Some(100.0);
    write(dir.path(), "a.dcm", &s);
    close(
        "standard",
        num(&score(dir.path(), &[]), "agatston"),
        8.0,
        TOL,
    );
    let v = score(dir.path(), &["--kv-thresholds"]);
    close("100 kV", num(&v, "agatston"), 6.0, TOL);
    close(
        "threshold",
        num(&v["conventions"], "threshold_hu"),
        145.0,
        TOL,
    );
    let d = dir.path().display().to_string();
    refused(
        &[
            "agatston",
            "--dicom",
            &d,
            "--kv-thresholds",
            "--threshold",
            "130",
        ],
        2,
        &["--kv-thresholds"],
    );
    let other = tempfile::tempdir().unwrap();
    let mut s = img.at(0.0);
    s.kvp = Some(110.0);
    write(other.path(), "a.dcm", &s);
    let o = other.path().display().to_string();
    refused(
        &["agatston", "--dicom", &o, "--kv-thresholds"],
        1,
        &["110 kV", "70, 80, 100, 120, 135"],
    );
}

#[test]
fn tables_written_to_out() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.dcm",
        &Image::water(16, 16).block(4, 4, 2, 2, 300.0).at(0.0),
    );
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("scores");
    let (d, os) = (dir.path().display().to_string(), o.display().to_string());
    let r = calcscore(&["agatston", "--dicom", &d, "--out", &os]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(text.contains("Total: Agatston 3.0"), "{text}");
    assert!(text.contains("8-connectivity"), "{text}");
    let lesions = std::fs::read_to_string(o.join("lesions.csv")).unwrap();
    assert!(lesions.starts_with("slice,z_mm,centroid_row"));
    assert_eq!(lesions.lines().count(), 2);
    assert!(o.join("slices.csv").exists() && o.join("score.json").exists());
}

// ---- refusals ----

fn one(spec: SliceSpec) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.dcm", &spec);
    dir
}

fn dicom_args(dir: &Path) -> Vec<String> {
    vec![
        "agatston".into(),
        "--dicom".into(),
        dir.display().to_string(),
    ]
}

fn refuse_dir(dir: &Path, extra: &[&str], code: i32, words: &[&str]) {
    let mut args = dicom_args(dir);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(&args, code, words);
}

fn plain() -> SliceSpec {
    Image::water(8, 8).at(0.0)
}

#[test]
fn refuses_non_ct() {
    let mut s = plain();
    s.modality = "MR".into();
    let d = one(s);
    refuse_dir(d.path(), &[], 1, &["x.dcm", "Modality is 'MR', not CT"]);
}

#[test]
fn refuses_localizer() {
    let mut s = plain();
    s.image_type = vec!["ORIGINAL".into(), "PRIMARY".into(), "LOCALIZER".into()];
    let d = one(s);
    refuse_dir(d.path(), &[], 1, &["x.dcm", "localizer"]);
}

#[test]
fn refuses_non_axial() {
    let mut s = plain();
    s.orientation = Some([0.0, 1.0, 0.0, 0.0, 0.0, -1.0]);
    let d = one(s);
    refuse_dir(d.path(), &[], 1, &["x.dcm", "not an axial slice"]);
}

#[test]
fn refuses_missing_spacing() {
    let mut s = plain();
    s.pixel_spacing = None;
    let d = one(s);
    refuse_dir(d.path(), &[], 1, &["x.dcm", "PixelSpacing"]);
    let mut s = plain();
    s.thickness = None;
    let d = one(s);
    refuse_dir(d.path(), &[], 1, &["x.dcm", "SliceThickness"]);
}

#[test]
fn refuses_non_dicom_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x.dcm", &plain());
    std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    refuse_dir(
        dir.path(),
        &[],
        1,
        &["notes.txt", "not a readable DICOM file"],
    );
}

#[test]
fn refuses_jpeg_2000_and_jpeg_ls() {
    for uid in ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.80"] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = plain();
        s.transfer_syntax = uid.into();
        write(dir.path(), "x.dcm", &s);
        refuse_dir(dir.path(), &[], 1, &["x.dcm", uid, "not supported"]);
    }
}

#[test]
fn mixed_series_need_series_option() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.dcm",
        &Image::water(8, 8).block(2, 2, 2, 2, 300.0).at(0.0),
    );
    let mut other = Image::water(8, 8).block(2, 2, 2, 2, 450.0).at(0.0);
    other.series_uid = "2.25.99".into();
    write(dir.path(), "b.dcm", &other);
    refuse_dir(
        dir.path(),
        &[],
        1,
        &["2 series found", "--series", "2.25.2", "2.25.99"],
    );
    close(
        "chosen",
        num(&score(dir.path(), &["--series", "2.25.99"]), "agatston"),
        4.0,
        TOL,
    );
    refuse_dir(
        dir.path(),
        &["--series", "1.2.3"],
        1,
        &["no series with SeriesInstanceUID 1.2.3"],
    );
}

#[test]
fn refuses_duplicate_positions_and_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.dcm", &plain());
    let mut s = plain();
    s.sop_uid = "2.25.77".into();
    write(dir.path(), "b.dcm", &s);
    refuse_dir(dir.path(), &[], 1, &["same slice position"]);
    refuse_dir(
        dir.path(),
        &["--min-area=-1"],
        2,
        &["--min-area must be >= 0"],
    );
    refuse_dir(dir.path(), &["--connectivity", "6"], 2, &["connectivity"]);
    refused(
        &["agatston", "--dicom", "/nonexistent/dir"],
        2,
        &["/nonexistent/dir"],
    );
}

#[test]
fn per_artery_totals_from_a_label_mask() {
    // Slice 1 (z = 0): block A 1 mm² at 450 HU (4) labelled LAD (2); block B 2 mm² at 250 HU (2 × 2 = 4) labelled RCA (4).
    // Slice 2 (z = 3): block C 1 mm² at 350 HU (3), unlabelled. LAD 4, RCA 4, none 3, LM and LCX 0; total 11.
    let dir = tempfile::tempdir().unwrap();
    let s1 = Image::water(16, 16)
        .block(2, 2, 2, 2, 450.0)
        .block(8, 8, 2, 4, 250.0);
    let s2 = Image::water(16, 16).block(2, 2, 2, 2, 350.0);
    write(dir.path(), "1.dcm", &s1.at(0.0));
    write(dir.path(), "2.dcm", &s2.at(3.0));
    let mut mask = vec![0u8; 2 * 16 * 16];
    for (r, c) in [(2, 2), (2, 3), (3, 2), (3, 3)] {
        mask[r * 16 + c] = 2;
    }
    for r in 8..10 {
        for c in 8..12 {
            mask[r * 16 + c] = 4;
        }
    }
    // The mask is not DICOM: it lives outside the series directory.
    let masks = tempfile::tempdir().unwrap();
    let m = masks.path().join("labels.npy");
    std::fs::write(&m, calcscore_imaging::labels::write_npy(&mask, [2, 16, 16])).unwrap();
    let v = score(dir.path(), &["--labels", &m.display().to_string()]);
    close("total", num(&v, "agatston"), 11.0, TOL);
    let got: Vec<(String, f64)> = v["arteries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["label"].as_str().unwrap().to_string(), num(a, "agatston")))
        .collect();
    let want = [
        ("LM", 0.0),
        ("LAD", 4.0),
        ("LCX", 0.0),
        ("RCA", 4.0),
        ("none", 3.0),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((g, gv), (w, wv)) in got.iter().zip(want) {
        assert_eq!(g, w);
        close(w, *gv, wv, TOL);
    }
    // A mask of the wrong shape is refused, naming the shapes.
    std::fs::write(
        &m,
        calcscore_imaging::labels::write_npy(&mask[..256], [1, 16, 16]),
    )
    .unwrap();
    refuse_dir(
        dir.path(),
        &["--labels", &m.display().to_string()],
        1,
        &["labels.npy", "[1, 16, 16]", "[2, 16, 16]"],
    );
}

#[test]
fn overlay_png_of_the_top_slice() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "1.dcm",
        &Image::water(16, 16).block(2, 2, 2, 2, 450.0).at(0.0),
    );
    write(dir.path(), "2.dcm", &Image::water(16, 16).at(3.0));
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("o");
    let r = calcscore(&[
        "agatston",
        "--dicom",
        &dir.path().display().to_string(),
        "--out",
        &o.display().to_string(),
    ]);
    assert!(r.status.success());
    let png = std::fs::read(o.join("overlay.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn same_input_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for (k, hu) in [(0, 150.0), (1, 450.0), (2, 250.0)] {
        let img = Image::water(32, 32)
            .disc(10, 10, 3, hu)
            .block(20, 20, 3, 5, 300.0);
        write(dir.path(), &format!("{k}.dcm"), &img.at(k as f64 * 3.0));
    }
    let d = dir.path().display().to_string();
    let a = calcscore(&["agatston", "--dicom", &d, "--json"]);
    let b = calcscore(&["agatston", "--dicom", &d, "--json"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

/// A phantom study: one slice with a 1 mm² block at `hu`, for `patient` on `date`.
fn study(root: &Path, patient: &str, date: &str, hu: f64) {
    let mut s = Image::water(16, 16).block(4, 4, 2, 2, hu).at(0.0);
    s.patient_id = patient.into();
    s.study_date = date.into();
    s.study_uid = format!("2.25.1{}{}", patient.len(), date);
    s.series_uid = format!("2.25.2{}{}", patient.len(), date);
    write(&root.join(patient).join(date), "1.dcm", &s);
}

#[test]
fn batch_pairs_studies_into_the_cac_table() {
    // P1: 20150101 (1 mm² at 450 HU → 4) then 20151001 (300 HU → 3); P22: one study (250 HU → 2), not evaluable.
    // Volume 4 px × 0.25 mm² × 3 mm = 3 mm³ each; mass = 0.003 cm³ × HU: 1.35, 0.9, 0.75 mg.
    // A localizer series in P1's first study is skipped and listed.
    let root = tempfile::tempdir().unwrap();
    study(root.path(), "P1", "20150101", 450.0);
    study(root.path(), "P1", "20151001", 300.0);
    study(root.path(), "P22", "20150301", 250.0);
    let mut scout = Image::water(16, 16).at(0.0);
    scout.patient_id = "P1".into();
    scout.study_uid = "2.25.1220150101".into();
    scout.series_uid = "2.25.77".into();
    scout.image_type = vec!["ORIGINAL".into(), "PRIMARY".into(), "LOCALIZER".into()];
    write(&root.path().join("P1/20150101"), "scout.dcm", &scout);
    let out = tempfile::tempdir().unwrap();
    let (r, o) = (
        root.path().display().to_string(),
        out.path().join("cac").display().to_string(),
    );
    let res = calcscore(&["agatston", "--batch", &r, "--out", &o]);
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(
        text.contains("3 CT studies scored") && text.contains("skipped series 2.25.77"),
        "{text}"
    );
    let cac = std::fs::read_to_string(out.path().join("cac/cac.csv")).unwrap();
    let rows: Vec<&str> = cac.lines().collect();
    assert_eq!(
        rows[1],
        "P1,1,,2015-01-01,2015-10-01,4.0,3.0,3.0,3.0,1.350,0.900"
    );
    assert_eq!(
        rows[2],
        "P22,0,one CT study only (no follow-up scan found),2015-03-01,,2.0,,3.0,,0.750,"
    );
    // A third study for P1 is refused.
    study(root.path(), "P1", "20160101", 300.0);
    refused(
        &["agatston", "--batch", &r],
        1,
        &["patient P1: 3 CT studies"],
    );
}

/// A README and a spreadsheet beside the studies are not DICOM (no DICM marker at byte 128): skipped, each
/// named with its reason in the text, the JSON and skipped.csv, and both studies still scored (1 mm² at 450 HU
/// → 4, at 300 HU → 3). A DICOM file cut short is still refused, naming it; so is a root with no DICOM file.
#[test]
fn batch_skips_files_that_are_not_dicom_and_lists_them() {
    let root = tempfile::tempdir().unwrap();
    study(root.path(), "P1", "20150101", 450.0);
    study(root.path(), "P1", "20151001", 300.0);
    std::fs::write(root.path().join("README.txt"), "Exported from PACS, 2024\n").unwrap();
    std::fs::write(root.path().join("P1/list.csv"), "date,kind\n20150101,CT\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = root.path().display().to_string();
    let o = out.path().join("cac").display().to_string();
    let res = calcscore(&["agatston", "--batch", &r, "--out", &o]);
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let why = "not DICOM (no DICM marker at byte 128)";
    for f in ["README.txt", "P1/list.csv"] {
        let line = format!("skipped file {}: {why}", root.path().join(f).display());
        assert!(text.contains(&line), "{line} in {text}");
    }
    assert!(text.contains("2 CT studies scored"), "{text}");
    let cac = std::fs::read_to_string(out.path().join("cac/cac.csv")).unwrap();
    assert_eq!(
        cac.lines().nth(1),
        Some("P1,1,,2015-01-01,2015-10-01,4.0,3.0,3.0,3.0,1.350,0.900")
    );
    let skipped = std::fs::read_to_string(out.path().join("cac/skipped.csv")).unwrap();
    let want = format!(
        "kind,name,reason\nfile,{},{why}\nfile,{},{why}\n",
        root.path().join("P1/list.csv").display(),
        root.path().join("README.txt").display()
    );
    assert_eq!(skipped, want);
    let v: Value =
        serde_json::from_slice(&calcscore(&["agatston", "--batch", &r, "--json"]).stdout).unwrap();
    assert_eq!(v["skipped_files"].as_array().map(Vec::len), Some(2), "{v}");
    assert_eq!(v["studies"].as_array().map(Vec::len), Some(2));
    // A DICOM file cut short (its DICM marker kept) is an error naming it, as before.
    let dcm = std::fs::read(root.path().join("P1/20150101/1.dcm")).unwrap();
    std::fs::write(root.path().join("P1/cut.dcm"), &dcm[..400]).unwrap();
    refused(
        &["agatston", "--batch", &r],
        1,
        &["cut.dcm: not a readable DICOM file"],
    );
    // Nothing DICOM under the root: refused, each file named.
    let text_only = tempfile::tempdir().unwrap();
    std::fs::write(text_only.path().join("README.txt"), "no scans").unwrap();
    refused(
        &[
            "agatston",
            "--batch",
            &text_only.path().display().to_string(),
        ],
        1,
        &["README.txt: not a readable DICOM file (no DICM marker at byte 128)"],
    );
}

/// `--out` inside the `--batch` root is refused before any work, with a sibling as the fix (the refusal of
/// `--out ROOT` once suggested `ROOT/calcscore-report`, and every later batch then read its CSVs among the scans);
/// a calcscore output directory already under the root (written by an older calcscore) is not entered, and listed.
#[test]
fn batch_output_inside_the_root_is_refused_and_earlier_outputs_skipped() {
    let root = tempfile::tempdir().unwrap();
    let scans = root.path().join("scans");
    study(&scans, "P1", "20150101", 450.0);
    study(&scans, "P1", "20151001", 300.0);
    let r = scans.display().to_string();
    for out in [scans.clone(), scans.join("calcscore-report")] {
        let res = calcscore(&[
            "agatston",
            "--batch",
            &r,
            "--out",
            &out.display().to_string(),
        ]);
        let err = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{err}");
        let fix = format!(
            "e.g. --out {}",
            root.path().join("scans-calcscore").display()
        );
        assert!(
            err.contains("is inside the --batch root") && err.contains(&fix),
            "{err}"
        );
        assert!(!scans.join("calcscore-report").exists());
    }
    // An agatston output under the root (as an older calcscore allowed): skipped as a whole, not read as scans.
    let old = scans.join("calcscore-report");
    let res = calcscore(&[
        "agatston",
        "--batch",
        &scans.join("P1").display().to_string(),
        "--out",
        &old.display().to_string(),
    ]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let out = root.path().join("cac");
    let res = calcscore(&[
        "agatston",
        "--batch",
        &r,
        "--out",
        &out.display().to_string(),
    ]);
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(!text.contains("skipped file"), "{text}");
    let line = format!(
        "skipped directory {}: calcscore's own output (it holds .calcscore-output.json)",
        old.display()
    );
    assert!(text.contains(&line), "{line} in {text}");
    let skipped = std::fs::read_to_string(out.join("skipped.csv")).unwrap();
    assert_eq!(
        skipped,
        format!(
            "kind,name,reason\ndirectory,{},calcscore's own output\n",
            old.display()
        )
    );
    let v: Value =
        serde_json::from_slice(&calcscore(&["agatston", "--batch", &r, "--json"]).stdout).unwrap();
    assert_eq!(v["skipped_outputs"][0], old.display().to_string(), "{v}");
    assert_eq!(v["skipped_files"].as_array().map(Vec::len), Some(0), "{v}");
}

#[test]
fn hidden_files_skipped_and_symlink_loops_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.dcm",
        &Image::water(8, 8).block(2, 2, 2, 2, 300.0).at(0.0),
    );
    std::fs::write(dir.path().join(".DS_Store"), "not an image").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    close("score", num(&score(dir.path(), &[]), "agatston"), 3.0, TOL);
}

/// Slices 6 mm apart but 3 mm thick (the middle one of three missing) leave tissue unscored: refused naming
/// the spacing and the thickness (it once scored such a series 0). A series without calcium totals +0, never
/// "-0.0" (an empty sum).
#[test]
fn a_gap_between_slices_is_refused_and_no_calcium_is_zero() {
    let gap = tempfile::tempdir().unwrap();
    let img = Image::water(16, 16).block(4, 4, 4, 4, 350.0);
    for (k, z) in [0.0, 6.0].into_iter().enumerate() {
        write(gap.path(), &format!("{k}.dcm"), &img.at(z));
    }
    let d = gap.path().display().to_string();
    refused(
        &["agatston", "--dicom", &d],
        1,
        &["6.000 mm apart", "SliceThickness of 3 mm", "not contiguous"],
    );
    let clear = tempfile::tempdir().unwrap();
    for (k, z) in [0.0, 3.0].into_iter().enumerate() {
        write(
            clear.path(),
            &format!("{k}.dcm"),
            &Image::water(16, 16).at(z),
        );
    }
    let v = score(clear.path(), &[]);
    assert_eq!(v["agatston"].to_string(), "0.0", "{v}");
    let text = calcscore(&["agatston", "--dicom", &clear.path().display().to_string()]);
    assert!(!String::from_utf8_lossy(&text.stdout).contains("-0"));
}
