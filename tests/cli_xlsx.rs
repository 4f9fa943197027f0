//! Spreadsheet input: the shipped registry written as a workbook by openpyxl (tests/reference/xlsx.py) and as an
//! OpenDocument spreadsheet by odfpy (tests/reference/ods.py) gives the same flow, cohorts, models, points and
//! accuracy as the CSV; a broken workbook is a clear error, never a panic.

mod common;
use common::{calcscore, reproduce_zhang2021, same_tables};

/// The report's tables from a reproduce run on `workbook` equal those from the shipped CSV byte for byte.
fn same_results_as_the_csv(workbook: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let (x, c) = (tmp.path().join("book"), tmp.path().join("csv"));
    reproduce_zhang2021(workbook, &x, &[]);
    reproduce_zhang2021("datasets/zhang2021_synthetic.csv", &c, &[]);
    same_tables(&x, &c, workbook);
}

#[test]
fn workbook_gives_the_results_of_the_csv() {
    same_results_as_the_csv("tests/reference/xlsx/zhang2021_synthetic.xlsx");
}

/// An OpenDocument spreadsheet written by odfpy (tests/reference/ods.py), as LibreOffice Calc saves one.
#[test]
fn ods_spreadsheet_gives_the_results_of_the_csv() {
    same_results_as_the_csv("tests/reference/xlsx/zhang2021_synthetic.ods");
}

#[test]
fn broken_workbook_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("registry.xlsx");
    std::fs::write(&bad, "not a workbook\n").unwrap();
    let o = calcscore(&["fit", "--data", bad.to_str().unwrap(), "--formula", "y ~ x"]);
    let code = o.status.code();
    assert!(code == Some(1) || code == Some(2), "exit {code:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("registry.xlsx") && err.contains("cannot read"),
        "{err}"
    );
}
