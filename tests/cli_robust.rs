//! One test per class of panic or wrong statistic found by issue 12, through the binary: each asserts the
//! exit code (never 101), the message and that no number is printed for a statistic that does not exist.
//! Expected behaviour is by definition or by hand (a constant response has total sum of squares 0, so
//! R² = 1 − RSS/TSS and F are 0/0; R's `summary.lm` warns "essentially perfect fit" for the same data).

mod common;
use common::calcscore_in;

use std::path::{Path, PathBuf};
use std::process::Output;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Exit code `code`, no panic, and stderr containing every `needles`.
fn assert_fails(o: &Output, code: i32, needles: &[&str]) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "'{n}' not in stderr: {err}");
    }
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// y = 2 + 0.5x + noise, a constant, an exact line, three groups and a 0/1 column.
fn small_table(dir: &Path) -> PathBuf {
    let mut s = String::from("y,x,konst,line,g,low\n");
    for i in 0..12 {
        let x = i as f64;
        let noise = [0.3, -0.2, 0.1, -0.4, 0.2, 0.0][i % 6];
        s.push_str(&format!(
            "{},{x},5,{},{},{}\n",
            2.0 + 0.5 * x + noise,
            1.0 + 2.0 * x,
            ["a", "b", "c"][i % 3],
            usize::from(i % 4 == 0)
        ));
    }
    write(dir, "t.csv", &s)
}

#[test]
fn fit_of_a_constant_response_is_not_estimable() {
    let d = tempfile::tempdir().unwrap();
    let t = small_table(d.path());
    let o = calcscore_in(
        d.path(),
        &[
            "fit",
            "--data",
            t.to_str().unwrap(),
            "--formula",
            "konst ~ x",
        ],
    );
    assert_fails(
        &o,
        1,
        &[
            "not estimable",
            "response is constant",
            "all 12 values are 5",
        ],
    );
    let out = text(&o.stdout);
    assert!(!out.contains("R-squared") && !out.contains("inf"), "{out}");
    let o = calcscore_in(
        d.path(),
        &[
            "fit",
            "--data",
            t.to_str().unwrap(),
            "--formula",
            "konst ~ x",
            "--json",
        ],
    );
    assert_fails(&o, 1, &["response is constant"]);
    assert!(o.stdout.is_empty());
}

#[test]
fn gee_of_a_constant_response_is_not_estimable() {
    // Before: "GEE working covariance of a cluster is not positive definite", a misleading reason.
    let d = tempfile::tempdir().unwrap();
    let t = small_table(d.path());
    let o = calcscore_in(
        d.path(),
        &[
            "fit",
            "--data",
            t.to_str().unwrap(),
            "--formula",
            "konst ~ x",
            "--gee",
            "exchangeable",
            "--cluster",
            "g",
        ],
    );
    assert_fails(&o, 1, &["response is constant"]);
}

#[test]
fn fit_of_an_exact_line_is_not_estimable() {
    // line = 1 + 2x exactly: RSS = 0, every standard error 0 (R: "essentially perfect fit").
    let d = tempfile::tempdir().unwrap();
    let t = small_table(d.path());
    let o = calcscore_in(
        d.path(),
        &[
            "fit",
            "--data",
            t.to_str().unwrap(),
            "--formula",
            "line ~ x",
        ],
    );
    assert_fails(&o, 1, &["essentially perfect fit"]);
}

#[test]
fn conf_level_out_of_range_is_a_usage_error_for_every_verb() {
    let d = tempfile::tempdir().unwrap();
    let t = small_table(d.path());
    let t = t.to_str().unwrap();
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/zhang2021_synthetic.csv");
    let reg = reg.to_str().unwrap();
    let verbs: [Vec<&str>; 8] = [
        vec!["fit", "--data", t, "--formula", "y ~ x"],
        vec!["roc", "--data", t, "--marker", "x", "--outcome", "low"],
        vec![
            "diagnose",
            "--data",
            t,
            "--marker",
            "x",
            "--outcome",
            "low",
            "--cutoff",
            "3",
        ],
        vec!["correlate", "--data", t, "--x", "x", "--y", "y"],
        vec!["paired", "--data", t, "--before", "x", "--after", "y"],
        vec!["derive", "--data", reg, "--cohort", "A"],
        vec!["validate", "--data", reg, "--score", "ivus-zhang2021"],
        vec!["reproduce", "zhang2021", "--out", "r"],
    ];
    for v in &verbs {
        for bad in ["1.5", "0", "1", "NaN", "-0.5", "inf"] {
            let mut args = v.clone();
            args.extend(["--conf-level", bad]);
            let o = calcscore_in(d.path(), &args);
            assert_fails(
                &o,
                2,
                &[
                    "--conf-level",
                    "strictly between 0 and 1",
                    &format!("got {bad}"),
                ],
            );
        }
    }
    let o = calcscore_in(d.path(), &[&verbs[0][..], &["--conf-level", "95"]].concat());
    assert_fails(&o, 2, &["a percentage? write 0.95"]);
    assert!(!d.path().join("r").exists(), "reproduce wrote a report");
}

#[test]
fn counts_beyond_their_bounds_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/zhang2021_synthetic.csv");
    let o = calcscore_in(
        d.path(),
        &[
            "validate",
            "--data",
            reg.to_str().unwrap(),
            "--score",
            "ivus-zhang2021",
            "--bootstrap",
            "18446744073709551615",
        ],
    );
    assert_fails(
        &o,
        2,
        &[
            "--bootstrap",
            "from 0 to 100000",
            "got 18446744073709551615",
        ],
    );
    for lesions in ["18446744073709551615", "100000001", "99", "-5", "1e6"] {
        let o = calcscore_in(d.path(), &["simulate", "zhang2021", "--lesions", lesions]);
        assert_fails(&o, 2, &["--lesions", "from 100 to 100000000"]);
    }
}

#[test]
fn thresholds_must_be_finite() {
    let d = tempfile::tempdir().unwrap();
    let t = small_table(d.path());
    for bad in ["NaN", "inf", "-inf"] {
        let o = calcscore_in(
            d.path(),
            &[
                "diagnose",
                "--data",
                t.to_str().unwrap(),
                "--marker",
                "x",
                "--outcome",
                "low",
                &format!("--cutoff={bad}"),
            ],
        );
        assert_fails(&o, 2, &["--cutoff", "finite number"]);
    }
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/zhang2021_synthetic.csv");
    let o = calcscore_in(
        d.path(),
        &[
            "derive",
            "--data",
            reg.to_str().unwrap(),
            "--target-npv",
            "1.5",
        ],
    );
    assert_fails(&o, 2, &["--target-npv", "at most 1"]);
    // A candidates file with a NaN grid value (TOML allows nan and inf).
    let cands = write(
        d.path(),
        "cands.toml",
        "[[candidate]]\nlabel = \"small vessel\"\ncolumn = \"vessel_diameter_mm\"\nop = \"<\"\ngrid = [3.0, nan]\n",
    );
    let o = calcscore_in(
        d.path(),
        &[
            "derive",
            "--data",
            reg.to_str().unwrap(),
            "--candidates",
            cands.to_str().unwrap(),
        ],
    );
    assert_fails(
        &o,
        2,
        &[
            "cands.toml",
            "candidate 'small vessel'",
            "threshold NaN is not a finite number",
        ],
    );
}

#[test]
fn a_score_with_huge_points_is_refused_on_load_naming_file_and_item() {
    let d = tempfile::tempdir().unwrap();
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/zhang2021_synthetic.csv");
    // 9.2e18 overflowed the sum; 1e8 made validation tabulate 10^8 score levels (10 GB).
    for points in ["9200000000000000000", "100000000", "-101"] {
        let score = write(
            d.path(),
            "huge.toml",
            &format!(
                "name = \"huge\"\ntitle = \"Huge\"\nsource = \"test\"\ncutoff = 1\n\n\
                 [[item]]\nlabel = \"small vessel\"\ncolumn = \"vessel_diameter_mm\"\nop = \"<\"\nthreshold = 3.5\npoints = 1\n\n\
                 [[item]]\nlabel = \"nodule\"\ncolumn = \"calcified_nodule\"\nop = \"==\"\nthreshold = 1\npoints = {points}\n"
            ),
        );
        let o = calcscore_in(
            d.path(),
            &[
                "validate",
                "--data",
                reg.to_str().unwrap(),
                "--score",
                score.to_str().unwrap(),
            ],
        );
        assert_fails(
            &o,
            1,
            &[
                "huge.toml",
                "item 2 ('nodule')",
                &format!("points = {points}"),
                "-100..100",
            ],
        );
    }
    let score = write(
        d.path(),
        "nan.toml",
        "name = \"n\"\ntitle = \"N\"\nsource = \"t\"\ncutoff = 1\n\n[[item]]\nlabel = \"v\"\ncolumn = \"vessel_diameter_mm\"\nop = \"<\"\nthreshold = nan\npoints = 1\n",
    );
    let o = calcscore_in(
        d.path(),
        &[
            "validate",
            "--data",
            reg.to_str().unwrap(),
            "--score",
            score.to_str().unwrap(),
        ],
    );
    assert_fails(&o, 1, &["nan.toml", "item 1 ('v')", "not a finite number"]);
}

#[test]
fn table1_constant_variable_in_three_groups_is_not_computable() {
    // One-way ANOVA of a constant: between and within sums of squares both 0, F = 0/0.
    let d = tempfile::tempdir().unwrap();
    let t = small_table(d.path());
    let o = calcscore_in(
        d.path(),
        &[
            "table1",
            "--data",
            t.to_str().unwrap(),
            "--by",
            "g",
            "--vars",
            "konst,y",
            "--normal",
            "konst",
            "--format",
            "csv",
        ],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.contains("no variation within the groups"), "{out}");
    let o = calcscore_in(
        d.path(),
        &[
            "table1",
            "--data",
            t.to_str().unwrap(),
            "--by",
            "g",
            "--vars",
            "konst",
            "--nonnormal",
            "konst",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("all values tied"),
        "{}",
        text(&o.stdout)
    );
}

/// The shipped registry with `column` set to `value` in every row.
fn registry_with(dir: &Path, columns: &[(&str, &str)]) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/zhang2021_synthetic.csv");
    let text = std::fs::read_to_string(src).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx: Vec<(usize, &str)> = columns
        .iter()
        .map(|(c, v)| (header.iter().position(|h| h == c).unwrap(), *v))
        .collect();
    let mut out = format!("{}\n", header.join(","));
    for l in lines {
        let mut cells: Vec<&str> = l.split(',').collect();
        for (j, v) in &idx {
            cells[*j] = v;
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    write(dir, "reg.csv", &out)
}

#[test]
fn validate_with_a_constant_outcome_reports_the_slope_as_not_estimable() {
    let d = tempfile::tempdir().unwrap();
    let reg = registry_with(d.path(), &[("stent_expansion_pct", "80")]);
    let o = calcscore_in(
        d.path(),
        &[
            "validate",
            "--data",
            reg.to_str().unwrap(),
            "--score",
            "ivus-zhang2021",
            "--expansion",
            "given",
            "--binary-outcome",
            "calcium_360",
        ],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.contains("response is constant"), "{out}");
    assert!(
        !out.contains("slope stent_expansion_pct per point"),
        "{out}"
    );
}

#[test]
fn reproduce_with_a_constant_item_or_constant_expansion_writes_a_report_with_notes() {
    for (name, cols) in [
        ("constant item", vec![("vessel_diameter_mm", "3.0")]),
        (
            "constant expansion",
            vec![
                ("stent_area_mm2", "7"),
                ("ref_lumen_area_proximal_mm2", "8"),
                ("ref_lumen_area_distal_mm2", "6"),
            ],
        ),
    ] {
        let d = tempfile::tempdir().unwrap();
        let reg = registry_with(d.path(), &cols);
        let o = calcscore_in(
            d.path(),
            &[
                "reproduce",
                "zhang2021",
                "--data",
                reg.to_str().unwrap(),
                "--out",
                "rep",
            ],
        );
        let err = text(&o.stderr);
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
        let report = std::fs::read_to_string(d.path().join("rep/report.md")).unwrap();
        assert!(report.contains("Not estimable"), "{name}");
        assert!(!report.contains("inf") && !report.contains("NaN"), "{name}");
    }
}

#[test]
fn parquet_decimal_and_half_float_columns_are_named_not_aborted() {
    // Written by tests/reference/robust/make_parquet.py (pyarrow); polars without dtype-decimal aborted.
    let d = tempfile::tempdir().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/robust");
    for (file, column, kind) in [
        ("decimal.parquet", "y", "Decimal(5, 2)"),
        ("float16.parquet", "h", "Float16"),
    ] {
        let p = dir.join(file);
        let o = calcscore_in(
            d.path(),
            &["fit", "--data", p.to_str().unwrap(), "--formula", "x ~ 1"],
        );
        assert_fails(
            &o,
            1,
            &[
                file,
                &format!("column '{column}'"),
                kind,
                "store it as float64",
            ],
        );
    }
}

#[test]
fn library_entry_points_refuse_a_bad_level_instead_of_aborting() {
    use calcscore_score::derive::{derive, BinaryOutcome, Candidates, DeriveOptions};
    let reg = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/zhang2021_synthetic.csv");
    let table = calcscore_data::read_table(&reg).unwrap();
    let opts = DeriveOptions {
        outcome: None,
        binary: BinaryOutcome::parse("stent_expansion_pct < 70").unwrap(),
        cluster: None,
        reference: None,
        target_npv: None,
        conf_level: 1.5,
        firth: false,
    };
    let e = derive(&table, &Candidates::zhang2021(), &opts).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(
        e.to_string()
            .contains("strictly between 0 and 1, e.g. 0.95 (got 1.5)"),
        "{e}"
    );
}

#[test]
fn non_finite_cells_and_overflowing_values_give_no_nan_statistics() {
    // Before: "Multiple R-squared: NaN", "cor: NaN, 95% CI NaN to NaN", an estimate of -inf with P < 2e-16.
    let d = tempfile::tempdir().unwrap();
    let nan = write(d.path(), "nan.csv", "y,x\nNaN,1\n2,2\n3,3\n4,5\n5,6\n");
    let inf = write(d.path(), "inf.csv", "y,x\n1,1\n2,inf\n3,3\n4,5\n");
    let huge = write(d.path(), "huge.csv", "y,x\n1e308,1\n2,2\n-1e308,3\n4,5\n");
    let p = |f: &PathBuf| f.to_str().unwrap().to_string();
    for verb in [
        vec!["fit", "--data", &p(&nan), "--formula", "y ~ x"],
        vec!["correlate", "--data", &p(&nan), "--x", "x", "--y", "y"],
    ] {
        let o = calcscore_in(d.path(), &verb);
        assert_fails(
            &o,
            1,
            &["nan.csv: row 2, column 'y': NaN: must be a finite number"],
        );
    }
    let o = calcscore_in(
        d.path(),
        &[
            "paired",
            "--data",
            &p(&inf),
            "--before",
            "x",
            "--after",
            "y",
        ],
    );
    assert_fails(
        &o,
        1,
        &["inf.csv: row 3, column 'x': inf: must be a finite number"],
    );
    let o = calcscore_in(
        d.path(),
        &["fit", "--data", &p(&huge), "--formula", "y ~ x"],
    );
    assert_fails(&o, 1, &["too large for double precision"]);
    let o = calcscore_in(
        d.path(),
        &["correlate", "--data", &p(&huge), "--x", "x", "--y", "y"],
    );
    assert_fails(&o, 1, &["too large for double precision"]);
    assert!(!text(&o.stdout).contains("NaN"));
}
