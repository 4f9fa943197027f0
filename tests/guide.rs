//! docs/guide.md is run: every `calcscore ...` line of its `sh` blocks, in order, in one directory holding the
//! shipped registry as a workbook (`registry.xlsx`), must succeed and leave the files the guide names.

mod common;
use common::calcscore;

use std::path::Path;

const GUIDE: &str = include_str!("../docs/guide.md");
const WORKBOOK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/xlsx/zhang2021_synthetic.xlsx"
);
/// The registry on a workbook's second sheet, and as a Latin-1 semicolon/decimal-comma CSV (the guide's step 1).
const SHEETS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/xlsx/zhang2021_sheets.xlsx"
);
const EUROPEAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/european/zhang2021_latin1.csv"
);

/// The `calcscore` command lines of the guide's `sh` blocks, split into words (double quotes group words).
fn commands(md: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if in_sh && t.starts_with("calcscore ") {
            out.push(words(&t["calcscore ".len()..]));
        }
    }
    out
}

fn words(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn run_in(dir: &Path, args: &[String]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run calcscore")
}

#[test]
fn every_command_of_the_guide_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(WORKBOOK, dir.path().join("registry.xlsx")).unwrap();
    std::fs::copy(SHEETS, dir.path().join("hospital.xlsx")).unwrap();
    std::fs::copy(EUROPEAN, dir.path().join("registry_eu.csv")).unwrap();
    let cmds = commands(GUIDE);
    assert_eq!(cmds.len(), 10, "the guide's commands: {cmds:?}");
    for args in &cmds {
        let o = run_in(dir.path(), args);
        assert!(
            o.status.success(),
            "calcscore {}: exit {:?}\n{}",
            args.join(" "),
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    for file in [
        "my_score.toml",
        "figures/calibration_B.svg",
        "figures/decision_A.png",
        "card/card.svg",
        "card/calculator.html",
        "report/report.html",
        "report/results.json",
    ] {
        assert!(dir.path().join(file).is_file(), "the guide promises {file}");
    }
    // The derived score of step 3 is the one the guide's numbers describe: 4 items, cutoff 2.
    let score = std::fs::read_to_string(dir.path().join("my_score.toml")).unwrap();
    assert_eq!(score.matches("[[item]]").count(), 4);
    assert!(score.contains("cutoff = 2"));
    // `check` passes 36 and lists 4 as not checked, as the guide says.
    let o = calcscore(&[
        "check",
        "zhang2021",
        "--results",
        dir.path().join("report").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("36 passed, 0 failed, 0 absent, 4 not checked"),
        "{text}"
    );
}
