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

/// tests/reference/xlsx_dates.py: a date cell (2020-01-02, Excel serial 43832) typed into a column of numbers
/// is the non-numeric value a CSV cell `2020-01-02` is, with the sheet's row (it was read as the number 43832:
/// `cor 0.392881`, a mean of 7308.0); a column of dates or times is text as the sheet shows it.
#[test]
fn a_date_cell_is_not_its_serial_number() {
    const BOOK: &str = "tests/reference/xlsx/dates.xlsx";
    for args in [
        &["correlate", "--data", BOOK, "--x", "x", "--y", "y"][..],
        &["fit", "--data", BOOK, "--formula", "y ~ x"],
    ] {
        let o = calcscore(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("dates.xlsx: row 6, column 'x': '2020-01-02' is not a number")
                && err.contains("a date in a column of numbers")
                && !err.contains("43832"),
            "{err}"
        );
    }
    let o = calcscore(&[
        "table1", "--data", BOOK, "--sheet", "visits", "--by", "id", "--vars", "visit,at",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    for level in [
        "visit: 2014-04-01",
        "visit: 2015-12-31",
        "at: 2014-04-01 12:30:00",
        "at: 18:00:00",
    ] {
        assert!(out.contains(level), "{level}: {out}");
    }
}
