//! Reading options through the real binary (issue 19): `--sheet` picks a workbook's sheet, `--delimiter`,
//! `--decimal-comma` and `--encoding` read a European CSV export. The fixtures are written independently of
//! calcscore by tests/reference/sheets.py (openpyxl) and tests/reference/european.py (Python's csv, Latin-1);
//! each must give exactly the results of the shipped UTF-8 CSV it was made from.

use std::path::Path;

mod common;
use common::{calcscore, ok, same_tables};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CSV: &str = "datasets/zhang2021_synthetic.csv";
const SHEETS: &str = "tests/reference/xlsx/zhang2021_sheets.xlsx";
const LATIN1: &str = "tests/reference/european/zhang2021_latin1.csv";
const FORMULA: &str = "calcium_fracture ~ max_calcium_angle_deg + calcium_thickness_mm";

fn refused(args: &[&str], code: i32) -> String {
    let o = calcscore(args);
    assert_eq!(o.status.code(), Some(code), "{args:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `fit --json` output without the fields that name the input file: `data`, and the `data_notice` that the
/// shipped CSV's bytes (and no other format of the same registry) carry.
fn fit_json(data: &str, extra: &[&str]) -> Value {
    let mut args = vec!["fit", "--data", data, "--formula", FORMULA, "--json"];
    args.extend_from_slice(extra);
    let mut v: Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
    v.as_object_mut().unwrap().remove("data");
    v.as_object_mut().unwrap().remove("data_notice");
    v
}

fn reproduce(data: &str, extra: &[&str], out: &Path) {
    let mut args = vec!["reproduce", "zhang2021", "--data", data, "--out"];
    args.push(out.to_str().unwrap());
    args.extend_from_slice(extra);
    ok(&args);
}

#[test]
fn named_sheet_gives_the_results_of_the_csv() {
    assert_eq!(
        fit_json(SHEETS, &["--sheet", "registry"]),
        fit_json(CSV, &[])
    );
    let tmp = tempfile::tempdir().unwrap();
    let (x, c) = (tmp.path().join("sheet"), tmp.path().join("csv"));
    reproduce(SHEETS, &["--sheet", "registry"], &x);
    reproduce(CSV, &[], &c);
    same_tables(&x, &c, "--sheet registry");
}

#[test]
fn first_sheet_is_the_default_and_unknown_sheets_are_refused() {
    // The first sheet ('notes', columns item and text) is read without --sheet: the registry's columns are
    // missing there.
    let err = refused(&["fit", "--data", SHEETS, "--formula", FORMULA], 1);
    assert!(err.contains("calcium_fracture"), "{err}");
    let err = refused(
        &[
            "fit",
            "--data",
            SHEETS,
            "--sheet",
            "Lesions",
            "--formula",
            FORMULA,
        ],
        2,
    );
    assert!(
        err.contains(SHEETS)
            && err.contains("no sheet 'Lesions'")
            && err.contains("'notes', 'registry', 'broken'"),
        "{err}"
    );
    let err = refused(&["check-data", "--data", CSV, "--sheet", "registry"], 2);
    assert!(
        err.contains("this is a CSV file; fix: drop --sheet"),
        "{err}"
    );
}

#[test]
fn row_numbers_are_the_sheets() {
    // sheets.py writes 'big' into max_calcium_angle_deg of the third data row: sheet row 4.
    let o = calcscore(&[
        "check-data",
        "--data",
        SHEETS,
        "--sheet",
        "broken",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"], 3);
    let p = &v["problems"][0];
    assert_eq!(
        (p["row"].as_u64(), p["column"].as_str(), p["value"].as_str()),
        (Some(4), Some("max_calcium_angle_deg"), Some("big"))
    );
}

#[test]
fn european_csv_gives_the_results_of_the_csv() {
    let flags = [
        "--encoding",
        "latin1",
        "--delimiter",
        ";",
        "--decimal-comma",
    ];
    let expected = fit_json(CSV, &[]);
    assert_eq!(fit_json(LATIN1, &flags), expected);
    // Separator and decimal comma sniffed; only the encoding cannot be.
    assert_eq!(fit_json(LATIN1, &["--encoding", "latin1"]), expected);
    let tmp = tempfile::tempdir().unwrap();
    let (e, c) = (tmp.path().join("eu"), tmp.path().join("csv"));
    reproduce(LATIN1, &flags, &e);
    reproduce(CSV, &[], &c);
    same_tables(&e, &c, "the Latin-1 semicolon export");
}

/// `reproduce --impute` re-reads the registry for its sensitivity analysis with the same reading options: the
/// Latin-1 semicolon export gives the imputation.json of the UTF-8 CSV (the re-read once ignored the options).
#[test]
fn european_csv_gives_the_imputation_of_the_csv() {
    let flags = [
        "--encoding",
        "latin1",
        "--delimiter",
        ";",
        "--decimal-comma",
        "--impute",
        "2",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let (e, c) = (tmp.path().join("eu"), tmp.path().join("csv"));
    reproduce(LATIN1, &flags, &e);
    reproduce(CSV, &["--impute", "2"], &c);
    let read = |d: &Path| std::fs::read(d.join("imputation.json")).unwrap();
    assert!(read(&e) == read(&c), "imputation.json differs");
}

/// The accented centre names reach the model as text: the same terms and estimates as from a UTF-8 comma
/// copy that this test makes itself (each Latin-1 byte is the code point of its value; `,` → `.`, `;` → `,`
/// is safe because no text value of the file holds either).
#[test]
fn accented_text_is_transcoded() {
    let bytes = std::fs::read(Path::new(ROOT).join(LATIN1)).unwrap();
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    assert!(text.contains("Zürich") && text.contains("Hôpital Bichat"));
    let utf8 = text.replace(',', ".").replace(';', ",");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("utf8.csv");
    std::fs::write(&copy, utf8).unwrap();
    let fit = |data: &str, extra: &[&str]| {
        let mut args = vec![
            "fit",
            "--data",
            data,
            "--formula",
            "calcium_fracture ~ centre",
        ];
        args.extend_from_slice(extra);
        args.push("--json");
        let v: Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
        v["coefficients"].clone()
    };
    let got = fit(LATIN1, &["--encoding", "latin1"]);
    assert_eq!(got, fit(copy.to_str().unwrap(), &[]));
    let terms: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    assert_eq!(
        terms,
        [
            "(Intercept)",
            "centreLinköping",
            "centreMálaga",
            "centreZürich"
        ]
    );
    // Windows-1252 agrees with Latin-1 on these letters (both map 0xFC to ü, 0xF4 to ô, 0xE1 to á).
    assert_eq!(fit(LATIN1, &["--encoding", "windows-1252"]), got);
}

#[test]
fn encoding_problems_and_conflicts_are_clear() {
    let err = refused(&["fit", "--data", LATIN1, "--formula", FORMULA], 1);
    assert!(
        err.contains(LATIN1) && err.contains("not UTF-8") && err.contains("--encoding latin1"),
        "{err}"
    );
    let err = refused(
        &[
            "fit",
            "--data",
            LATIN1,
            "--encoding",
            "utf16",
            "--formula",
            FORMULA,
        ],
        2,
    );
    assert!(err.contains("utf8, latin1"), "{err}");
    let err = refused(
        &[
            "fit",
            "--data",
            LATIN1,
            "--delimiter",
            ",",
            "--decimal-comma",
            "--formula",
            FORMULA,
        ],
        2,
    );
    assert!(
        err.contains("--decimal-comma with --delimiter ','"),
        "{err}"
    );
    // A decimal comma in a file whose header the sniffer reads as comma-separated is refused too.
    let err = refused(
        &[
            "fit",
            "--data",
            CSV,
            "--decimal-comma",
            "--formula",
            FORMULA,
        ],
        2,
    );
    assert!(
        err.contains(CSV) && err.contains("--delimiter ';'"),
        "{err}"
    );
    let err = refused(
        &[
            "fit",
            "--data",
            SHEETS,
            "--encoding",
            "latin1",
            "--formula",
            FORMULA,
        ],
        2,
    );
    assert!(err.contains("this is a workbook"), "{err}");
}

/// `samplesize --from-registry` reads like every verb: a map (here renaming the cluster column) and the
/// dialect flags give the estimate of the plain CSV.
#[test]
fn samplesize_registry_takes_map_and_dialect() {
    let tmp = tempfile::tempdir().unwrap();
    let map = tmp.path().join("map.toml");
    std::fs::write(&map, "[columns]\npid = \"patient_id\"\n").unwrap();
    let run = |registry: &str, extra: &[&str]| {
        let mut args = vec![
            "samplesize",
            "develop",
            "--type",
            "binary",
            "--cstatistic",
            "0.8",
            "--parameters",
            "8",
            "--from-registry",
            registry,
            "--outcome",
            "calcium_fracture",
            "--json",
        ];
        args.extend_from_slice(extra);
        let mut v: Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
        strip_file(&mut v);
        v
    };
    let plain = run(CSV, &[]);
    let mapped = run(
        LATIN1,
        &[
            "--encoding",
            "latin1",
            "--map",
            map.to_str().unwrap(),
            "--cluster",
            "pid",
        ],
    );
    assert_eq!(mapped, plain);
    assert_eq!(run(SHEETS, &["--sheet", "registry"]), plain);
}

/// Remove every string naming an input file or the cluster column, wherever it is nested.
fn strip_file(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| {
                !["file", "data", "data_notice", "registry", "cluster"].contains(&k.as_str())
            });
            m.values_mut().for_each(strip_file);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_file),
        _ => {}
    }
}

/// `progression` (the CAC schema's own loader) takes the dialect flags too: the pilot's CSV rewritten with
/// semicolons and decimal commas by this test gives the same per-patient values, definitions and tests.
#[test]
fn progression_reads_a_semicolon_decimal_comma_file() {
    let cac = "datasets/denosumab_pilot_synthetic.csv";
    let text = std::fs::read_to_string(Path::new(ROOT).join(cac)).unwrap();
    assert!(!text.contains('"') && !text.contains(';'));
    let tmp = tempfile::tempdir().unwrap();
    let eu = tmp.path().join("pilot_eu.csv");
    std::fs::write(&eu, text.replace(',', ";").replace('.', ",")).unwrap();
    let run = |data: &str, extra: &[&str]| {
        let mut args = vec!["progression", "--data", data, "--json"];
        args.extend_from_slice(extra);
        let v: Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
        ["patients", "definitions", "tests", "describe"].map(|k| v[k].clone())
    };
    let flags = ["--delimiter", ";", "--decimal-comma"];
    assert_eq!(run(eu.to_str().unwrap(), &flags), run(cac, &[]));
}

/// tests/reference/sheet_offset.py: the table starts at B3 (two blank rows, a blank column A); 'big' sits in
/// the third data row, sheet row 6, and sheet 'unnamed' leaves header cell D3 empty.
const OFFSET: &str = "tests/reference/xlsx/sheet_offset.xlsx";

#[test]
fn blank_rows_above_the_header_count_in_row_numbers() {
    let o = calcscore(&["check-data", "--data", OFFSET, "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"], 5);
    let p = &v["problems"][0];
    assert_eq!(
        (p["row"].as_u64(), p["column"].as_str(), p["value"].as_str()),
        (Some(6), Some("max_calcium_angle_deg"), Some("big"))
    );
    assert_eq!(v["unusable_rows"], serde_json::json!([6]));
    let err = refused(&["fit", "--data", OFFSET, "--formula", FORMULA], 1);
    assert!(
        err.contains("row 6, column 'max_calcium_angle_deg': 'big' is not a number"),
        "{err}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let args = ["reproduce", "zhang2021", "--data", OFFSET, "--out"];
    let err = refused(&[&args[..], &[out.to_str().unwrap()]].concat(), 1);
    assert!(
        err.contains("row 6, column 'max_calcium_angle_deg'"),
        "{err}"
    );
}

#[test]
fn a_blank_column_a_does_not_shift_cell_letters() {
    let o = calcscore(&["check-data", "--data", OFFSET, "--sheet", "unnamed"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("sheet 'unnamed', row 3: the header cell D3 is empty"),
        "{out}"
    );
}

/// tests/reference/separators.py: the registry with '|' and decimal commas, and with tabs.
const PIPE: &str = "tests/reference/european/zhang2021_pipe.csv";
const TAB: &str = "tests/reference/european/zhang2021_tab.tsv";

#[test]
fn pipe_and_tab_files_are_sniffed() {
    let expected = fit_json(CSV, &[]);
    assert_eq!(fit_json(PIPE, &[]), expected, "'|' with decimal commas");
    assert_eq!(fit_json(TAB, &[]), expected, "tab");
    assert_eq!(fit_json(PIPE, &["--delimiter", "|"]), expected);
    let o = ok(&["check-data", "--data", PIPE, "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["rows"].as_u64(), v["n_problems"].as_u64()),
        (Some(3862), Some(0))
    );
}

#[test]
fn an_unusual_separator_is_refused_with_the_delimiter_to_set() {
    let tmp = tempfile::tempdir().unwrap();
    let colon = tmp.path().join("colon.csv");
    let text = std::fs::read_to_string(Path::new(ROOT).join(CSV)).unwrap();
    std::fs::write(&colon, text.replace(',', ":")).unwrap();
    let colon = colon.to_str().unwrap();
    let err = refused(&["check-data", "--data", colon], 2);
    assert!(
        err.contains("colon.csv: the header reads as one column")
            && err.contains("fix: --delimiter ':'"),
        "{err}"
    );
    assert_eq!(fit_json(colon, &["--delimiter", ":"]), fit_json(CSV, &[]));
}
