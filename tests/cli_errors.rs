//! One test per entry of the error catalogue (docs/errors.md): a small bad registry is fed to the real binary
//! through `check-data` (all problems, JSON) and `reproduce zhang2021 --data` (refuses it), and the exit code and
//! the message's file, spreadsheet row (header = row 1) and column are asserted.

mod common;
use common::{calcscore, calcscore_in, registry, REGISTRY_HEADER as HEADER, REGISTRY_ROWS as ROWS};

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// The valid rows with cell `column` of data row `k` (0-based) replaced by `value`.
fn with_cell(k: usize, column: &str, value: &str) -> String {
    let j = HEADER.split(',').position(|c| c == column).unwrap();
    let rows: Vec<String> = ROWS
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut cells: Vec<String> = r.split(',').map(str::to_string).collect();
            if i == k {
                cells[j] = value.to_string();
            }
            cells.join(",")
        })
        .collect();
    registry(&rows)
}

struct Case {
    dir: tempfile::TempDir,
    file: PathBuf,
}

fn case(name: &str, bytes: impl AsRef<[u8]>) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    Case { dir, file }
}

impl Case {
    /// `check-data --json`: asserts exit 1 and returns the problems.
    fn check_data(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec![
            "check-data",
            "--data",
            self.file.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = calcscore_in(self.dir.path(), &args);
        assert_eq!(
            o.status.code(),
            Some(1),
            "check-data exit code; stderr: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).expect("check-data --json prints JSON");
        v["problems"].as_array().unwrap().clone()
    }

    /// `reproduce zhang2021 --data`: asserts exit 1, that nothing was written, and returns stderr.
    fn reproduce(&self, extra: &[&str]) -> String {
        let out = self.dir.path().join("report");
        let mut args = vec![
            "reproduce",
            "zhang2021",
            "--data",
            self.file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = calcscore_in(self.dir.path(), &args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(
            o.status.code(),
            Some(1),
            "reproduce exit code; stderr: {err}"
        );
        assert!(!out.exists(), "a failed run wrote {}", out.display());
        let leftovers: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        err
    }

    fn name(&self) -> String {
        self.file.to_str().unwrap().to_string()
    }
}

/// Exactly one problem of `class`, at `row` and `column`, whose message names the file and contains `words`.
fn assert_problem(
    problems: &[Value],
    c: &Case,
    class: &str,
    row: Option<u64>,
    column: Option<&str>,
    words: &[&str],
) {
    let found: Vec<&Value> = problems.iter().filter(|p| p["class"] == class).collect();
    assert_eq!(found.len(), 1, "one {class} problem in {problems:#?}");
    let p = found[0];
    assert_eq!(p["file"], c.name());
    assert_eq!(p["row"].as_u64(), row, "row of {p}");
    assert_eq!(p["column"].as_str(), column, "column of {p}");
    let msg = p["message"].as_str().unwrap();
    assert!(msg.starts_with(&format!("{}: ", c.name())), "{msg}");
    if let (Some(r), Some(col)) = (row, column) {
        assert!(msg.contains(&format!("row {r}, column '{col}'")), "{msg}");
    }
    for w in words {
        assert!(msg.contains(w), "'{w}' in {msg}");
    }
}

/// The reproduce message names the file, row and column too.
fn assert_refused(c: &Case, row: Option<u64>, column: Option<&str>, words: &[&str]) {
    let err = c.reproduce(&[]);
    assert!(err.contains(&c.name()), "{err}");
    match (row, column) {
        (Some(r), Some(col)) => assert!(err.contains(&format!("row {r}, column '{col}'")), "{err}"),
        (None, Some(col)) => assert!(err.contains(&format!("'{col}'")), "{err}"),
        _ => {}
    }
    for w in words {
        assert!(err.contains(w), "'{w}' in {err}");
    }
}

/// `check-data` finds exactly one problem of `class` at spreadsheet `row` and `column` whose message
/// contains `words` ([`assert_problem`]), and `reproduce` refuses the file naming the same place and
/// `refusal` ([`assert_refused`]).
fn found_and_refused(
    c: &Case,
    class: &str,
    row: u64,
    column: &str,
    words: &[&str],
    refusal: &[&str],
) {
    assert_problem(&c.check_data(&[]), c, class, Some(row), Some(column), words);
    assert_refused(c, Some(row), Some(column), refusal);
}

#[test]
fn valid_registry_passes_check_data() {
    let c = case("ok.csv", registry(&ROWS.map(String::from)));
    let o = calcscore_in(
        c.dir.path(),
        &["check-data", "--data", c.file.to_str().unwrap()],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 rows, no problems found"));
}

#[test]
fn bom_crlf_mixed_endings_and_quoted_fields_are_accepted() {
    let body = registry(&ROWS.map(String::from))
        .replacen('\n', "\r\n", 2)
        .replace("P1,L1", "\"P1\",\"L1\"");
    let c = case("bom.csv", format!("\u{feff}{body}"));
    let o = calcscore_in(
        c.dir.path(),
        &["check-data", "--data", c.file.to_str().unwrap()],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn unreadable_file_missing() {
    let c = case("x.csv", "");
    let missing = c.dir.path().join("nope.csv");
    let o = calcscore_in(
        c.dir.path(),
        &["check-data", "--data", missing.to_str().unwrap(), "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["problems"][0]["class"], "unreadable-file");
    assert_eq!(v["problems"][0]["file"], missing.to_str().unwrap());
    let c2 = Case {
        file: missing,
        dir: c.dir,
    };
    assert_refused(&c2, None, None, &["cannot read", "fix: check the path"]);
}

#[test]
fn unreadable_file_workbook() {
    let c = case(
        "reg.xlsx",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00rest-of-a-zip",
    );
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "unreadable-file",
        None,
        None,
        &["Excel", "CSV UTF-8"],
    );
    assert_refused(&c, None, None, &["Excel"]);
}

#[test]
fn ragged_row() {
    let mut body = registry(&ROWS.map(String::from));
    body.push_str("P9,L9,0,0,300,1,1,1,none,0,6.0,0,0,3.0,20,5.6,8,6,0,,,extra,cells\n");
    let c = case("ragged.csv", body);
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "ragged-row",
        Some(5),
        None,
        &["23 field(s), the header has 21", "extra separator"],
    );
    assert_refused(&c, Some(5), None, &["23 field(s)"]);
}

#[test]
fn not_utf8() {
    let mut bytes = format!("{HEADER}\n{}\n", ROWS[0]).into_bytes();
    bytes.extend_from_slice(b"P2,L2,0,0,360,1,1,1,none,0,8.0,1,0,3.5,25,6.3,8,6,1,1,1 caf\xe9\n");
    let c = case("latin1.csv", bytes);
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "not-utf8",
        Some(3),
        None,
        &["line 3", "0xe9", "UTF-8"],
    );
    assert_refused(&c, None, None, &["line 3", "not UTF-8"]);
}

#[test]
fn empty_file() {
    let c = case("empty.csv", "");
    let p = c.check_data(&[]);
    assert_problem(&p, &c, "empty-file", None, None, &["empty file"]);
    assert_refused(&c, None, None, &["no data rows"]);
}

#[test]
fn header_only() {
    let c = case("header.csv", format!("{HEADER}\n"));
    let p = c.check_data(&[]);
    assert_problem(&p, &c, "header-only", None, None, &["header only"]);
    assert_refused(&c, None, None, &["header only"]);
}

#[test]
fn missing_column() {
    let body = registry(&ROWS.map(String::from)).replacen(",cto,", ",CTO ,", 1);
    let c = case("nocto.csv", body);
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "missing-column",
        None,
        Some("cto"),
        &["found 'CTO '", "--map"],
    );
    assert_refused(&c, None, Some("cto"), &["missing column"]);
}

#[test]
fn duplicate_column() {
    let body = registry(&ROWS.map(String::from)).replacen(",isr,", ",cto,", 1);
    let c = case("dupcol.csv", body);
    let p = c.check_data(&[]);
    assert_problem(&p, &c, "duplicate-column", None, Some("cto"), &["rename"]);
    assert_refused(&c, None, Some("cto"), &["duplicate column"]);
}

#[test]
fn unknown_level() {
    let c = case("level.csv", with_cell(1, "atherectomy", "Rota"));
    found_and_refused(
        &c,
        "unknown-level",
        3,
        "atherectomy",
        &["'Rota'", "allowed: none, rotational, orbital, laser"],
        &["Rota"],
    );
}

#[test]
fn not_binary() {
    let c = case("binary.csv", with_cell(0, "cto", "2"));
    found_and_refused(&c, "not-binary", 2, "cto", &["'2'", "0 or 1"], &["0 or 1"]);
}

#[test]
fn non_numeric() {
    let c = case("text.csv", with_cell(2, "vessel_diameter_mm", "big"));
    found_and_refused(
        &c,
        "non-numeric",
        4,
        "vessel_diameter_mm",
        &["'big'", "not a number"],
        &["not a number"],
    );
}

#[test]
fn decimal_comma() {
    let c = case("comma.csv", with_cell(1, "vessel_diameter_mm", "\"3,5\""));
    found_and_refused(
        &c,
        "decimal-comma",
        3,
        "vessel_diameter_mm",
        &["'3,5'", "write '3.5'"],
        &["decimal comma"],
    );
}

#[test]
fn out_of_range() {
    let c = case("range.csv", with_cell(0, "max_calcium_angle_deg", "400"));
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "out-of-range",
        Some(2),
        Some("max_calcium_angle_deg"),
        &["'400'", "0–360 degrees"],
    );
    assert_refused(
        &c,
        Some(2),
        Some("max_calcium_angle_deg"),
        &["outside the allowed range"],
    );
    let c = case("negative.csv", with_cell(2, "stent_area_mm2", "-4.9"));
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "out-of-range",
        Some(4),
        Some("stent_area_mm2"),
        &["negative"],
    );
}

#[test]
fn out_of_range_expansion_over_200_percent() {
    let c = case("given.csv", "");
    // With --expansion given the stent_expansion_pct column is required; 250% is out of range.
    let body = registry(&ROWS.map(String::from))
        .replace("prep_fracture\n", "prep_fracture,stent_expansion_pct\n")
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => l.to_string(),
            2 => format!("{l},250"),
            _ => format!("{l},85"),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&c.file, body).unwrap();
    let p = c.check_data(&["--expansion", "given"]);
    assert_problem(
        &p,
        &c,
        "out-of-range",
        Some(3),
        Some("stent_expansion_pct"),
        &["'250'", "0–200 %"],
    );
    let err = c.reproduce(&["--expansion", "given"]);
    assert!(err.contains("row 3, column 'stent_expansion_pct'"), "{err}");
}

#[test]
fn missing_required_value() {
    let c = case("blank.csv", with_cell(1, "cto", "NA"));
    found_and_refused(
        &c,
        "missing-required-value",
        3,
        "cto",
        &["required value is missing"],
        &["required value is missing"],
    );
}

#[test]
fn duplicate_lesion_id() {
    let c = case("dupid.csv", with_cell(2, "lesion_id", "L1"));
    found_and_refused(
        &c,
        "duplicate-id",
        4,
        "lesion_id",
        &["'L1'", "first at row 2"],
        &["duplicate lesion id"],
    );
}

#[test]
fn inconsistent_row_360_calcium_below_360_degrees() {
    let c = case("c360.csv", with_cell(1, "max_calcium_angle_deg", "330"));
    found_and_refused(
        &c,
        "inconsistent-row",
        3,
        "calcium_360",
        &["360° calcium", "below 360"],
        &["360° calcium"],
    );
}

#[test]
fn inconsistent_row_270_length_longer_than_lesion_calcium() {
    let c = case("len.csv", with_cell(0, "calcium_length_mm", "4"));
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "inconsistent-row",
        Some(2),
        Some("calcium_270_length_mm"),
        &["exceeds the total calcium length"],
    );
    let c = case("arc.csv", with_cell(2, "calcium_270_length_mm", "3"));
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "inconsistent-row",
        Some(4),
        Some("calcium_270_length_mm"),
        &["at most 270"],
    );
}

#[test]
fn inconsistent_row_fracture_without_prep_ivus() {
    let c = case("prep.csv", with_cell(0, "prep_fracture", "1"));
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "inconsistent-row",
        Some(2),
        Some("prep_fracture"),
        &["prep_ivus"],
    );
}

#[test]
fn angle_in_radians() {
    let rows: Vec<String> = ROWS
        .iter()
        .zip(["5.24", "6.28", "2.09"])
        .map(|(r, rad)| {
            let mut c: Vec<&str> = r.split(',').collect();
            c[4] = rad;
            c[10] = "0.0"; // no >270° arc and no 360° calcium: keep the rows otherwise consistent
            c[11] = "0";
            c.join(",")
        })
        .collect();
    let c = case("radians.csv", registry(&rows));
    let p = c.check_data(&[]);
    assert_problem(
        &p,
        &c,
        "angle-unit",
        None,
        Some("max_calcium_angle_deg"),
        &["radians", "180/π"],
    );
    assert_refused(&c, None, Some("max_calcium_angle_deg"), &["degrees"]);
}

#[test]
fn bad_column_map_absent_column() {
    let body = registry(&ROWS.map(String::from)).replacen("patient_id", "PatNo", 1);
    let c = case("mapped.csv", body);
    let map = c.dir.path().join("map.toml");
    std::fs::write(&map, "[columns]\npatient_id = \"Patient\"\n").unwrap();
    let m = map.to_str().unwrap();
    let p = c.check_data(&["--map", m]);
    let bad = p.iter().find(|x| x["class"] == "bad-column-map").unwrap();
    assert_eq!(bad["file"], m);
    let msg = bad["message"].as_str().unwrap();
    assert!(
        msg.contains("has no column 'Patient'") && msg.contains("PatNo"),
        "{msg}"
    );
    let err = c.reproduce(&["--map", m]);
    assert!(err.contains(m) && err.contains("'Patient'"), "{err}");
    // The right map makes the file valid.
    std::fs::write(&map, "[columns]\npatient_id = \"PatNo\"\n").unwrap();
    let o = calcscore_in(
        c.dir.path(),
        &["check-data", "--data", c.file.to_str().unwrap(), "--map", m],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn bad_column_map_malformed() {
    let c = case("reg.csv", registry(&ROWS.map(String::from)));
    let map = c.dir.path().join("map.toml");
    std::fs::write(&map, "[colums]\npatient_id = PatNo\n").unwrap();
    let m = map.to_str().unwrap();
    let p = c.check_data(&["--map", m]);
    assert_problem(
        &p,
        &c_with(&c, m),
        "bad-column-map",
        None,
        None,
        &["[columns]"],
    );
    let err = c.reproduce(&["--map", m]);
    assert!(err.contains("bad column map"), "{err}");
}

/// The same case, with the map file as the file named by the problem.
fn c_with(c: &Case, file: &str) -> Case {
    Case {
        dir: tempfile::tempdir_in(c.dir.path()).unwrap(),
        file: PathBuf::from(file),
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let rows: Vec<String> = vec![
        ROWS[0].replace(",none,", ",Rota,"),
        ROWS[1].replacen("P2,L2,0", "P2,L2,7", 1),
        ROWS[2].replace(",2.8,", ",\"2,8\","),
    ];
    let c = case("many.csv", registry(&rows));
    let p = c.check_data(&[]);
    let got: Vec<(String, u64)> = p
        .iter()
        .map(|x| {
            (
                x["class"].as_str().unwrap().to_string(),
                x["row"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("unknown-level".to_string(), 2),
            ("not-binary".to_string(), 3),
            ("decimal-comma".to_string(), 4)
        ]
    );
    // The text table lists each with its row and column.
    let o = calcscore_in(
        c.dir.path(),
        &["check-data", "--data", c.file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("3 problem(s); 3 row(s) unusable"), "{out}");
    for (row, col) in [
        ("2", "atherectomy"),
        ("3", "cto"),
        ("4", "vessel_diameter_mm"),
    ] {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(row) && l.contains(col)),
            "row {row} {col} in\n{out}"
        );
    }
}

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/zhang2021_synthetic.csv"
);

/// The shipped registry with the given (spreadsheet row, column) cells blanked.
fn shipped_with_blanks(blanks: &[(usize, &str)]) -> String {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        for &(row, col) in blanks {
            if row == i + 1 {
                cells[header.iter().position(|h| *h == col).unwrap()] = "";
            }
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn reproduce_ok(c: &Case, out: &Path) -> Value {
    reproduce_ok_printing(c, out).0
}

/// [`reproduce_ok`], with the summary it prints.
fn reproduce_ok_printing(c: &Case, out: &Path) -> (Value, String) {
    let o = calcscore_in(
        c.dir.path(),
        &[
            "reproduce",
            "zhang2021",
            "--data",
            c.file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    (r, String::from_utf8(o.stdout).unwrap())
}

/// Rows 14 (L000013), 16 (L000015) and 40 (L000039) enter the cohorts (no CTO/ISR, angle > 270°, both
/// pullbacks, no cutting balloon, angiographic calcium); row 2 (L000001, 112°) is excluded by the angle rule.
#[test]
fn missing_values_are_counted_and_ledgered_once() {
    let body = shipped_with_blanks(&[
        (14, "stent_area_mm2"),
        (40, "ref_lumen_area_distal_mm2"),
        (16, "vessel_diameter_mm"),
        (2, "vessel_diameter_mm"),
    ]);
    let c = case("blanks.csv", body);
    let out = c.dir.path().join("report");
    let r = reproduce_ok(&c, &out);
    let counts: Vec<(String, u64, u64)> = r["missing_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["column"].as_str().unwrap().to_string(),
                m["n_missing_input"].as_u64().unwrap(),
                m["n_missing_cohorts"].as_u64().unwrap(),
            )
        })
        .collect();
    let get = |c: &str| counts.iter().find(|x| x.0 == c).cloned().unwrap();
    // The shipped file has 313 lesions without post-PCI areas (none of them in a cohort).
    assert_eq!(get("stent_area_mm2"), ("stent_area_mm2".into(), 314, 1));
    assert_eq!(get("ref_lumen_area_distal_mm2").1, 314);
    assert_eq!(
        get("vessel_diameter_mm"),
        ("vessel_diameter_mm".into(), 2, 1)
    );
    assert_eq!(get("stent expansion (computed)").1, 315);
    assert_eq!(get("stent expansion (computed)").2, 2);
    // The ledger: each blanked cohort lesion once, with the column; the rule-excluded lesion under its rule only.
    let ledger = std::fs::read_to_string(out.join("exclusions.csv")).unwrap();
    let rules = |id: &str| -> Vec<String> {
        ledger
            .lines()
            .filter(|l| l.starts_with(&format!("{id},")))
            .map(|l| l.split(',').nth(3).unwrap().to_string())
            .collect()
    };
    assert_eq!(rules("L000013"), ["missing-stent_expansion_pct"]);
    assert_eq!(rules("L000039"), ["missing-stent_expansion_pct"]);
    assert_eq!(rules("L000015"), ["missing-vessel_diameter_mm"]);
    assert_eq!(rules("L000001"), ["max-angle-le-270"]);
    assert!(
        ledger.contains("L000013,P") && ledger.contains(",14,missing-"),
        "row 14 in the ledger"
    );
    let flow = &r["flow"];
    assert_eq!(flow["n_excluded_missing_data"], 3);
    assert_eq!(
        flow["n_analysed"].as_u64().unwrap() + flow["n_excluded_by_rules"].as_u64().unwrap() + 3,
        3862
    );
    assert_eq!(flow["reconciles"], true);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("### Missing values") && md.contains("| `vessel_diameter_mm` | 2 | 1 |"));
}

#[test]
fn failed_run_keeps_the_previous_report() {
    let c = case("good.csv", std::fs::read(SHIPPED).unwrap());
    let out = c.dir.path().join("report");
    reproduce_ok(&c, &out);
    let before = std::fs::read(out.join("results.json")).unwrap();
    let n_files = std::fs::read_dir(&out).unwrap().count();
    // Same output directory, a registry with a bad cell: the run fails, the old report stays whole.
    let bad = shipped_with_blanks(&[(5, "cto")]);
    std::fs::write(&c.file, bad).unwrap();
    let o = calcscore_in(
        c.dir.path(),
        &[
            "reproduce",
            "zhang2021",
            "--data",
            c.file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("row 5, column 'cto'"));
    assert_eq!(std::fs::read(out.join("results.json")).unwrap(), before);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), n_files);
    let names: Vec<String> = std::fs::read_dir(c.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("tmp") && !n.ends_with(".old")),
        "{names:?}"
    );
}

#[test]
fn unwritable_output_leaves_nothing_half_written() {
    let c = case("good.csv", std::fs::read(SHIPPED).unwrap());
    // The output's parent is a file: the report cannot be created; nothing is left behind.
    let blocker = c.dir.path().join("blocker");
    std::fs::write(&blocker, "not a directory").unwrap();
    let out = blocker.join("report");
    let o = calcscore_in(
        c.dir.path(),
        &[
            "reproduce",
            "zhang2021",
            "--data",
            c.file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "I/O errors exit 2");
    assert!(String::from_utf8_lossy(&o.stderr).contains("blocker"));
    let names: Vec<String> = std::fs::read_dir(c.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

// ---- Statistical edge cases: the run writes its report, the analysis the data do not allow is listed as
// ---- not estimable with the reason (results.json `analysis.notes`, report.md "Not estimable").

/// One hand-made lesion: score items as bits (length >270° > 5 mm, 360°, nodule, vessel < 3.5 mm).
struct L {
    patient: usize,
    angio: bool,
    athero: &'static str,
    bits: [u8; 4],
    expansion: f64,
    fracture: Option<u8>,
}

const EDGE_HEADER: &str = "patient_id,lesion_id,cto,isr,max_calcium_angle_deg,pre_ivus,post_ivus,angio_calcium,\
atherectomy,cutting_scoring_balloon,calcium_270_length_mm,calcium_360,calcified_nodule,vessel_diameter_mm,\
stent_area_mm2,ref_lumen_area_proximal_mm2,ref_lumen_area_distal_mm2,calcium_fracture";

fn edge_registry(lesions: &[L]) -> String {
    let mut csv = format!("{EDGE_HEADER}\n");
    for (k, l) in lesions.iter().enumerate() {
        let b = l.bits;
        // Stent area such that area / mean(8, 6) × 100 is the expansion.
        let stent = l.expansion * 7.0 / 100.0;
        csv.push_str(&format!(
            "P{},L{},0,0,{},1,1,{},{},0,{},{},{},{},{stent},8,6,{}\n",
            l.patient,
            k + 1,
            if b[1] == 1 { 360 } else { 300 },
            u8::from(l.angio),
            l.athero,
            if b[0] == 1 { 6.0 } else { 3.0 },
            b[1],
            b[2],
            if b[3] == 1 { 3.0 } else { 4.0 },
            l.fracture.map_or(String::new(), |f| f.to_string())
        ));
    }
    csv
}

const PATTERNS: [[u8; 4]; 8] = [
    [0, 0, 0, 0],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [1, 1, 0, 0],
    [0, 1, 1, 1],
    [1, 0, 1, 1],
];

/// `n` pool lesions (A/B) with varied items and expansion 100 − 11 × score + a deviation (some < 70%).
fn pool(n: usize, first_patient: usize) -> Vec<L> {
    let dev = [3.0, -2.0, 1.0, -4.0, 2.0, 0.0, -1.0, 4.0];
    (0..n)
        .map(|k| {
            let bits = PATTERNS[k % 8];
            let score: u8 = bits.iter().sum();
            L {
                patient: first_patient + k / 2,
                angio: true,
                athero: "none",
                bits,
                expansion: 100.0 - 11.0 * f64::from(score) + dev[(k / 8 + k) % 8],
                fracture: Some(u8::from(k % 3 == 0)),
            }
        })
        .collect()
}

fn cohort(n: usize, first_patient: usize, angio: bool, athero: &'static str) -> Vec<L> {
    let mut v = pool(n, first_patient);
    for l in &mut v {
        l.angio = angio;
        l.athero = athero;
    }
    v
}

/// Run reproduce on the lesions; exit 0 expected; returns (results.json, report.md).
fn edge_run(name: &str, lesions: &[L]) -> (Value, String) {
    let (r, md, _) = edge_run_printing(name, lesions);
    (r, md)
}

/// [`edge_run`], with the summary `reproduce` prints.
fn edge_run_printing(name: &str, lesions: &[L]) -> (Value, String, String) {
    let c = case(name, edge_registry(lesions));
    let out = c.dir.path().join("report");
    let (r, printed) = reproduce_ok_printing(&c, &out);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    (r, md, printed)
}

fn notes(r: &Value) -> Vec<String> {
    r["analysis"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

fn has_note(r: &Value, md: &str, words: &[&str]) {
    let ns = notes(r);
    let found = ns.iter().find(|n| words.iter().all(|w| n.contains(w)));
    assert!(found.is_some(), "a note with {words:?} in {ns:#?}");
    assert!(
        md.contains("### Not estimable"),
        "report.md lists the notes"
    );
    assert!(md.contains(found.unwrap().as_str()), "note in report.md");
}

#[test]
fn edge_empty_cohort_and_no_fracture_data() {
    // No atherectomy lesion: cohort C is empty; no fracture recorded anywhere.
    let mut lesions = pool(24, 1);
    lesions.extend(cohort(6, 40, false, "none"));
    for l in &mut lesions {
        l.fracture = None;
    }
    let (r, md) = edge_run("noC.csv", &lesions);
    has_note(
        &r,
        &md,
        &["slope of expansion on score in C not estimable", "0 usable"],
    );
    has_note(&r, &md, &["interaction model", "B+C not estimable"]);
    has_note(
        &r,
        &md,
        &[
            "fracture rate C vs B not estimable: no fracture data",
            "0 lesions of B, 0 of C",
        ],
    );
    has_note(&r, &md, &["cohort C has no lesions"]);
    assert!(r["analysis"]["fracture"].is_null());
    assert!(r["analysis"]["interaction"].is_null());
    let slopes: Vec<&str> = r["analysis"]["slopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cohort"].as_str().unwrap())
        .collect();
    assert_eq!(slopes, ["A", "B", "D"]);
    assert!(md.contains("The fracture comparison is not estimable"));
    // The rest is still there, and analysed + excluded = input.
    assert!(r["analysis"]["roc"]["auc"].is_number(), "{:#?}", notes(&r));
    assert_eq!(r["flow"]["n_analysed"], 30);
    assert_eq!(r["flow"]["reconciles"], true);
}

#[test]
fn edge_one_class_outcome() {
    // Every lesion expands to ≥ 70%: underexpansion has one class.
    let mut lesions = pool(24, 1);
    lesions.extend(cohort(6, 40, true, "rotational"));
    lesions.extend(cohort(6, 50, false, "none"));
    for l in &mut lesions {
        l.expansion = l.expansion.max(75.0);
    }
    let (r, md) = edge_run("oneclass.csv", &lesions);
    has_note(
        &r,
        &md,
        &["logistic model", "not estimable", "only one class"],
    );
    has_note(&r, &md, &["ROC of the score", "not estimable"]);
    // The 2×2 table has no case: sensitivity is not estimable, the exact intervals of the rest still apply.
    has_note(
        &r,
        &md,
        &["sensitivity not estimable (its denominator is 0"],
    );
    has_note(&r, &md, &["npv", "the exact interval still applies"]);
    assert!(r["analysis"]["roc"].is_null());
    assert!(r["analysis"]["derivation_logistic"].is_null());
    assert_eq!(r["analysis"]["accuracy"]["tp"], 0);
    assert_eq!(r["analysis"]["accuracy"]["fn_"], 0);
    assert!(md.contains("The ROC analysis is not estimable"));
    // The linear derivation is unaffected.
    assert!(r["analysis"]["derivation_linear"]["coefficients"].is_array());
}

#[test]
fn edge_collinear_items() {
    // In every lesion the 360° item equals the nodule item: the derivation design is singular.
    let mut lesions = pool(24, 1);
    lesions.extend(cohort(6, 40, true, "orbital"));
    lesions.extend(cohort(6, 50, false, "none"));
    for l in &mut lesions {
        l.bits[2] = l.bits[1];
    }
    let (r, md, printed) = edge_run_printing("collinear.csv", &lesions);
    has_note(
        &r,
        &md,
        &[
            "linear model",
            "in A (derived points) not estimable",
            "singular design",
        ],
    );
    assert!(r["analysis"]["derivation_linear"].is_null());
    assert_eq!(r["analysis"]["points"].as_array().unwrap().len(), 0);
    // The summary line says so in words (it read "derived points  (published 1/1/1/1)", the points blank).
    let line = printed
        .lines()
        .find(|l| l.starts_with("derived points "))
        .unwrap_or_else(|| panic!("no derived points line in {printed}"));
    assert!(
        line.starts_with(
            "derived points not estimable (singular design: term(s) calcified_nodule are constant or \
             collinear with others) (published 1/1/1/1);"
        ),
        "{line}"
    );
    // Points not derived: the published-numbers check lists them as absent (the report still exists).
    assert!(md.contains("## 4. Published numbers"));
}

#[test]
fn edge_separation() {
    // Underexpansion exactly when the lesion has a calcified nodule: complete separation in A.
    let mut lesions = pool(32, 1);
    lesions.extend(cohort(6, 40, true, "laser"));
    lesions.extend(cohort(6, 50, false, "none"));
    for l in &mut lesions {
        l.expansion = if l.bits[2] == 1 { 60.0 } else { 85.0 } + f64::from(l.bits[0]);
    }
    let (r, md) = edge_run("separation.csv", &lesions);
    has_note(&r, &md, &["logistic model", "separation"]);
    // A score level without lesions: nobody has all four items.
    has_note(&r, &md, &["no lesion with score", "4", "not estimable"]);
}

#[test]
fn edge_zero_cell_in_accuracy_table() {
    // Score ≥ 2 exactly when underexpanded: no false positive and no false negative in A+B.
    let mut lesions = pool(24, 1);
    lesions.extend(cohort(6, 40, true, "rotational"));
    lesions.extend(cohort(6, 50, false, "none"));
    for l in &mut lesions {
        let score: u8 = l.bits.iter().sum();
        l.expansion = if score >= 2 { 62.0 } else { 88.0 } - f64::from(score);
    }
    let c = case("zerocell.csv", edge_registry(&lesions));
    let out = c.dir.path().join("report");
    let r = reproduce_ok(&c, &out);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let acc = &r["analysis"]["accuracy"];
    assert_eq!(
        (
            acc["tp"].as_u64(),
            acc["fp"].as_u64(),
            acc["fn_"].as_u64(),
            acc["tn"].as_u64()
        ),
        (Some(9), Some(0), Some(0), Some(15))
    );
    // By hand: sensitivity 9/9 = 1, specificity 15/15 = 1, so LR+ = 1 / (1 - 1) = Inf and LR- = (1 - 1) / 1 = 0,
    // both with the interval [0, Inf] of the note. JSON has no Inf: results.json writes the string "Inf" (it
    // wrote null, which read back as NaN, so the rebuilt table said "NaN [0.000, NaN]").
    let lr = |name: &str| {
        acc["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["measure"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            &lr("lr_pos")["estimate"],
            &lr("lr_pos")["conf_low"],
            &lr("lr_pos")["conf_high"]
        ),
        (&json!("Inf"), &json!(0.0), &json!("Inf"))
    );
    assert_eq!(
        (&lr("lr_neg")["estimate"], &lr("lr_neg")["conf_high"]),
        (&json!(0.0), &json!("Inf"))
    );
    assert!(md.contains("| lr_pos | Inf [0.000, Inf] | 9/0 |"), "{md}");
    assert!(
        md.contains("| lr_neg | 0.000 [0.000, Inf] | 0/15 |"),
        "{md}"
    );
    assert!(
        md.contains("lr_pos is Inf, its log-method interval"),
        "{md}"
    );
    // `report --results` rebuilds the same tables from results.json.
    let again = c.dir.path().join("again");
    let o = calcscore(&[
        "report",
        "--results",
        out.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["report.md", "accuracy.csv", "tables.tex"] {
        assert_eq!(
            std::fs::read_to_string(again.join(f)).unwrap(),
            std::fs::read_to_string(out.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(std::fs::read_to_string(again.join("accuracy.csv"))
        .unwrap()
        .contains("lr_pos,Inf,9,0,0,Inf,log"));
    has_note(
        &r,
        &md,
        &[
            "sensitivity",
            "the exact interval still applies (limit fixed at 1)",
        ],
    );
    has_note(&r, &md, &["lr_pos", "zero cell", "undefined"]);
}

#[test]
fn nothing_meaningful_left_fails_with_a_clear_error() {
    // Every lesion is a CTO: no lesion reaches a cohort; the run fails and writes nothing.
    let body = edge_registry(&pool(8, 1))
        .replace(",0,0,300,", ",1,0,300,")
        .replace(",0,0,360,", ",1,0,360,");
    let c = case("allcto.csv", body);
    let err = c.reproduce(&[]);
    assert!(
        err.contains("0 usable lesions: the study's rules exclude every one of the"),
        "{err}"
    );
}

/// `--expansion given` on a registry whose `stent_expansion_pct` is empty (the shipped one computes expansion from
/// the areas) names the column, the count, the option and the fix (it once said only "0 usable observations, at
/// least 1 needed"), and writes nothing.
#[test]
fn expansion_given_on_an_empty_column_names_column_option_and_fix() {
    let c = case("reg.csv", std::fs::read(SHIPPED).unwrap());
    let err = c.reproduce(&["--expansion", "given"]);
    for want in [
        "0 usable lesions: each of the 328 lesions entering the cohorts lacks a value",
        "stent_expansion_pct missing in 328 of them (3862 of the 3862 registry rows)",
        "--expansion given reads stent_expansion_pct as written",
        "Fix: fill in that column, or use --expansion mean-reference",
    ] {
        assert!(err.contains(want), "lacks '{want}': {err}");
    }
    assert!(!err.contains("usable observations"), "{err}");
}

/// A small registry whose pooled A+B set has one case: DeLong's variance needs two cases and two controls, so its
/// interval is not a number. The report says "not estimable" in words wherever it is shown (it printed "DeLong 95%
/// CI NaN–NaN" in report.md and the ROC figure of report.html); results.json keeps the documented "NaN".
#[test]
fn a_delong_interval_that_does_not_exist_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = calcscore_in(
        d,
        &[
            "simulate",
            "zhang2021",
            "--lesions",
            "100",
            "--seed",
            "3",
            "--out",
            "s100.csv",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = calcscore_in(
        d,
        &["reproduce", "zhang2021", "--data", "s100.csv", "--out", "r"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r/results.json")).unwrap()).unwrap();
    let roc = &results["analysis"]["roc"];
    let cases = roc["n_cases"].as_u64().unwrap();
    assert!(
        cases < 2,
        "this registry was chosen for a single case in A+B: {roc}"
    );
    assert_eq!(roc["conf_low"], "NaN");
    for f in [
        "report.md",
        "report.html",
        "tables.tex",
        "accuracy.csv",
        "roc_coords.csv",
    ] {
        let text = std::fs::read_to_string(d.join("r").join(f)).unwrap();
        assert!(!text.contains("NaN"), "{f} prints NaN");
    }
    let md = std::fs::read_to_string(d.join("r/report.md")).unwrap();
    assert!(md.contains(&format!("DeLong 95% CI not estimable with {cases} case(s)")));
}
