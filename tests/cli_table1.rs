//! `table1 --factors`, variable labels and the outcome block through the binary (issue 19). Counts, column
//! percentages and the chi-square p-value of a numeric-coded grade come from R (tests/reference/table1.R:
//! table(), prop.table(), chisq.test()); labels and blocks are checked in every output format.

mod common;
use common::{calcscore, stdout};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DATA: &str = "tests/reference/table1/factors.csv";
const REGISTRY: &str = "datasets/zhang2021_synthetic.csv";

fn reference() -> Value {
    let path = format!("{ROOT}/tests/reference/table1/factors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn factor_levels_match_r_table_and_chisq_test() {
    let r = reference();
    let out = stdout(&[
        "table1",
        "--data",
        DATA,
        "--by",
        "g",
        "--vars",
        "grade",
        "--factors",
        "grade",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let levels = r["levels"].as_array().unwrap();
    assert_eq!(rows.len(), levels.len(), "one row per level: {out}");
    for (row, want) in rows.iter().zip(levels) {
        assert_eq!(row["level"], want["level"]);
        assert_eq!(row["statistic"], "n (%)");
        let pct = |c: &str, p: &str| format!("{} ({:.1}%)", want[c], want[p].as_f64().unwrap());
        assert_eq!(row["overall"], pct("overall", "overall_pct"));
        assert_eq!(row["groups"][0], pct("a", "a_pct"));
        assert_eq!(row["groups"][1], pct("b", "b_pct"));
        assert_eq!(row["values"][0]["count"], want["a"]);
        assert_eq!(row["values"][1]["count"], want["b"]);
    }
    let p = rows[0]["p_value"].as_f64().unwrap();
    assert!((p - r["p_value"].as_f64().unwrap()).abs() < 1e-10, "{p}");
    assert_eq!(rows[0]["missing"][0], r["missing"]);
    // Without --factors the same column is a number: one mean ± SD row.
    let plain: Value = serde_json::from_str(&stdout(&[
        "table1", "--data", DATA, "--by", "g", "--vars", "grade", "--json",
    ]))
    .unwrap();
    assert_eq!(plain["rows"].as_array().unwrap().len(), 1);
    assert_eq!(plain["rows"][0]["statistic"], "mean ± SD");
}

/// Labels replace the column names and the outcome variables sit under an "Outcomes" header after the
/// baseline block, in every format rendered from the one Table.
#[test]
fn labels_and_outcome_block_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let labels = tmp.path().join("labels.toml");
    std::fs::write(
        &labels,
        "grade = \"Tumour grade\"\ny = \"Event within 1 year\"\n",
    )
    .unwrap();
    for format in ["text", "csv", "md", "latex", "html"] {
        let out = stdout(&[
            "table1",
            "--data",
            DATA,
            "--by",
            "g",
            "--factors",
            "grade",
            "--labels",
            labels.to_str().unwrap(),
            "--outcomes",
            "y",
            "--format",
            format,
        ]);
        let at = |s: &str| {
            out.find(s)
                .unwrap_or_else(|| panic!("{format}: no '{s}' in {out}"))
        };
        let order = [
            at("Baseline characteristics"),
            at("Tumour grade: 1"),
            at("Tumour grade: 3"),
            at("sev, mean"),
            at("Outcomes"),
            at("Event within 1 year, n ("),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{format}: {out}");
    }
    let v: Value = serde_json::from_str(&stdout(&[
        "table1",
        "--data",
        DATA,
        "--by",
        "g",
        "--outcomes",
        "y",
        "--json",
    ]))
    .unwrap();
    let last = v["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["variable"].as_str(), last["outcome"].as_bool()),
        (Some("y"), Some(true))
    );
}

#[test]
fn registry_gets_the_schema_labels_and_outcome_block() {
    let args = [
        "table1",
        "--data",
        REGISTRY,
        "--by",
        "cohort",
        "--vars",
        "stent_expansion_pct,max_calcium_angle_deg,calcium_360",
        "--format",
        "md",
    ];
    let out = stdout(&args);
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("no '{s}' in {out}"));
    assert!(at("| Calcium angle (°), ") < at("| 360° calcium, n (%)"));
    assert!(at("| 360° calcium, n (%)") < at("| Outcomes |"));
    assert!(at("| Outcomes |") < at("| Stent expansion (%), "));
    let mut none = args.to_vec();
    none.extend(["--outcomes", "none"]);
    let out = stdout(&none);
    assert!(
        !out.contains("Outcomes")
            && out.find("Stent expansion").unwrap() < out.find("Calcium angle").unwrap()
    );
}

#[test]
fn a_label_for_an_unknown_column_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let labels = tmp.path().join("labels.toml");
    std::fs::write(&labels, "grde = \"Grade\"\n").unwrap();
    let o = calcscore(&[
        "table1",
        "--data",
        DATA,
        "--by",
        "g",
        "--labels",
        labels.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("labels.toml") && err.contains("did you mean 'grade'?"),
        "{err}"
    );
    let o = calcscore(&["table1", "--data", DATA, "--by", "g", "--factors", "nope"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Groups separated without spread: a 0/1 variable at 0% against 100%, and a continuous one constant at 5 in one
/// group and 7 in the other, have an infinite SMD (by hand: |0 − 1|/√((0·1 + 1·0)/2) = 1/0; |5 − 7|/√((0 + 0)/2)
/// = 2/0), printed as R prints it, never 0.000 (which reads as perfect balance); JSON has no infinity: null.
#[test]
fn separated_groups_have_an_infinite_smd() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sep.csv");
    std::fs::write(&data, "g,v,z\n0,0,5\n0,0,5\n0,0,5\n1,1,7\n1,1,7\n1,1,7\n").unwrap();
    let d = data.to_str().unwrap();
    let text = stdout(&["table1", "--data", d, "--by", "g", "--vars", "v,z"]);
    let smd: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("v,") || l.starts_with("z,"))
        .map(|l| l.split_whitespace().rev().nth(1).unwrap())
        .collect();
    assert_eq!(smd, ["Inf", "Inf"], "{text}");
    let json: Value = serde_json::from_str(&stdout(&[
        "table1", "--data", d, "--by", "g", "--vars", "v,z", "--json",
    ]))
    .unwrap();
    assert!(json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["smd"].is_null()));
}

/// A variable missing on every row has no proportion in any group (0/0): no SMD (blank), never the infinite SMD
/// of separated groups (it once printed Inf).
#[test]
fn an_all_missing_variable_has_no_smd() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("allna.csv");
    std::fs::write(&data, "g,x,y\na,,1\nb,,2\na,,3\nb,,4\n").unwrap();
    let d = data.to_str().unwrap();
    let text = stdout(&["table1", "--data", d, "--by", "g", "--vars", "x,y"]);
    let x = text.lines().find(|l| l.starts_with("x,")).unwrap();
    assert!(!x.contains("Inf") && x.trim_end().ends_with(" 4"), "{text}");
    // y: |2 − 3| / √((1.41421² + 1.41421²)/2) = 1/√2 = 0.707 by hand
    assert!(
        text.lines()
            .any(|l| l.starts_with("y,") && l.contains("0.707")),
        "{text}"
    );
}

/// Rows without a group value are in no column; every table format and stderr say how many (the JSON's
/// `missing_group` did, the tables did not, so "Overall (n = 58)" from 60 rows went unexplained).
#[test]
fn rows_without_a_group_are_counted_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("g.csv");
    std::fs::write(&data, "g,v\n0,1.5\n0,2.5\n1,3.5\n1,4.5\n,9\nNA,9\n").unwrap();
    let d = data.to_str().unwrap();
    for format in ["text", "md", "csv", "html", "latex"] {
        let o = calcscore(&["table1", "--data", d, "--by", "g", "--format", format]);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        // CSV is data only: its note is on stderr, as every format's is.
        let note = format != "csv";
        let said = out.contains("2 row(s) with no value of 'g' are in no group");
        assert_eq!(said, note, "{format}: {out}");
        assert!(
            err.contains("2 row(s) of") && err.contains("no value of 'g'"),
            "{format}: {err}"
        );
        assert!(out.contains("n = 4"), "{format}: {out}");
    }
}

/// Cohorts asked for on a lesion registry come from the Zhang 2021 flow, which keeps 328 of the shipped 3862
/// lesions (Figure 1); stderr says so as it does without cohorts (it once said nothing, so "328 of 328 rows used"
/// hid 3534 lesions).
#[test]
fn cohorts_from_the_flow_say_how_many_lesions_it_keeps() {
    for args in [
        &["table1", "--data", REGISTRY, "--by", "cohort"][..],
        &[
            "validate",
            "--data",
            REGISTRY,
            "--score",
            "ivus-zhang2021",
            "--by",
            "cohort",
        ][..],
    ] {
        let o = calcscore(args);
        assert!(o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("the 328 of its 3862 lesions that the Zhang 2021 flow keeps"),
            "{args:?}: {err}"
        );
    }
}

/// Blank lines at the end of a file are no rows: a header followed by blank lines is "header only" (it was read
/// as two rows of missing values, n = 0 in every group, exit 0), and data rows followed by blank lines count as
/// the data rows alone.
#[test]
fn trailing_blank_lines_are_not_rows() {
    let dir = tempfile::tempdir().unwrap();
    let only = dir.path().join("only.csv");
    std::fs::write(&only, "a,b\n\n\r\n").unwrap();
    let o = calcscore(&["table1", "--data", only.to_str().unwrap(), "--by", "a"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("header only"));
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, "a,b\n1,2\n1,4\n3,5\n\n\n").unwrap();
    let o = calcscore(&["table1", "--data", rows.to_str().unwrap(), "--by", "a"]);
    assert!(
        o.status.success() && o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("Overall (n = 3)"));
}

/// NaN or an infinity in a summarised column is refused naming file, row and column, as every other verb does
/// (table1 printed '– ± –' for the column, with 0 missing).
#[test]
fn non_finite_cells_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for (cell, shown) in [("NaN", "NaN"), ("inf", "inf"), ("-inf", "-inf")] {
        let data = dir.path().join("nan.csv");
        std::fs::write(&data, format!("g,v\n0,1.5\n0,2.5\n1,{cell}\n1,3.5\n")).unwrap();
        let o = calcscore(&["table1", "--data", data.to_str().unwrap(), "--by", "g"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("nan.csv: row 4, column 'v': {shown}")),
            "{err}"
        );
    }
}

/// A 0/1 column holding 'nan' (any spelling) or a missing-value marker calcscore does not read as missing is refused
/// naming file, row and column: it once became a level of its own ('x: nan, n (%)'). The fix the message gives, NA,
/// is counted as missing: by hand, x = 1, 0, NA, 1 has 2 ones in 3 values (66.7%) and 1 missing.
#[test]
fn nan_text_and_missing_markers_are_no_level_of_a_0_1_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("coded.csv");
    let table1 = |cell: &str| {
        std::fs::write(&data, format!("g,x\n0,1\n0,0\n1,{cell}\n1,1\n")).unwrap();
        calcscore(&[
            "table1",
            "--data",
            data.to_str().unwrap(),
            "--by",
            "g",
            "--json",
        ])
    };
    for cell in [
        "nan", "-nan", "NAN", " nan", "inf", "NULL", "None", "#N/A", ".",
    ] {
        let o = table1(cell);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{cell:?}: {err}");
        // 'inf' is read as a number (shown as such), the others as text (shown quoted, trimmed as every
        // text cell is: ' nan' is 'nan').
        let shown = if cell == "inf" {
            cell.to_string()
        } else {
            format!("'{}'", cell.trim())
        };
        assert!(
            err.contains(&format!("coded.csv: row 4, column 'x': {shown}:")),
            "{cell:?}: {err}"
        );
        assert!(err.contains("leave the cell empty"), "{cell:?}: {err}");
    }
    let o = table1("NA");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "one row for the 1s of x: {v}");
    assert_eq!(rows[0]["level"], Value::Null);
    assert_eq!(rows[0]["overall"], "2 (66.7%)");
    assert_eq!(rows[0]["missing"][0], 1);
}

/// 'nan' is refused in a column of words too (Python writes it for a missing string), while 'inf' and 'none' there
/// are levels (an inferior infarct site, no atherectomy), not an infinity or a missing value.
#[test]
fn nan_is_refused_in_text_columns_but_inf_and_none_are_levels() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sites.csv");
    std::fs::write(&data, "g,site\n0,ant\n0,inf\n1,none\n1,nan\n").unwrap();
    let o = calcscore(&["table1", "--data", data.to_str().unwrap(), "--by", "g"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sites.csv: row 5, column 'site': 'nan'"),
        "{err}"
    );
    std::fs::write(&data, "g,site\n0,ant\n0,inf\n1,none\n1,lat\n").unwrap();
    let out = stdout(&["table1", "--data", data.to_str().unwrap(), "--by", "g"]);
    assert!(
        out.contains("site: inf, n (%)") && out.contains("site: none, n (%)"),
        "{out}"
    );
}

/// Options that contradict each other are usage errors before the data are read (they once passed silently:
/// `--normal` won over `--nonnormal`, and `--vars smoke --by smoke` tested the groups against themselves with
/// P < 0.0001 and SMD Inf); a variable named twice in `--vars` is one row, with a note.
#[test]
fn contradictory_options_are_refused_and_duplicates_shown_once() {
    let bw = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/score/birthwt.csv"
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["table1", "--data", bw, "--by", "smoke"];
        args.extend_from_slice(extra);
        calcscore(&args)
    };
    let refused = |extra: &[&str], want: &str| {
        let o = run(extra);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(o.stdout.is_empty());
    };
    refused(
        &["--vars", "age", "--normal", "age", "--nonnormal", "age"],
        "--normal and --nonnormal both name 'age'",
    );
    refused(
        &["--vars", "age", "--factors", "age", "--nonnormal", "age"],
        "--factors and --nonnormal both name 'age'",
    );
    refused(
        &["--vars", "age,smoke"],
        "--vars names the --by column 'smoke'",
    );
    let o = run(&["--vars", "age,lwt,age", "--format", "csv"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("note: --vars names 'age' more than once; each is shown once"));
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        text.lines().filter(|l| l.contains("age")).count(),
        1,
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.contains("lwt")).count(),
        1,
        "{text}"
    );
}
