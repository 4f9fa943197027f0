//! Property test over the command line: random verbs with random combinations of options and edge values
//! (0, negative, NaN, inf, huge, 1.5, empty strings, unknown columns) on small generated tables. Whatever
//! the combination, the binary ends with exit 0, 1 or 2 — never 101 (a Rust panic) or a signal — and stderr
//! never says "panicked".
//!
//! A second property feeds random small tables of edge cells (NaN, inf, 1e308, missing, text; 0 to 9 rows)
//! to every table verb. 128 + 64 cases (about 50 s in a debug build on 2 shared cores);
//! `PROPTEST_CASES=2000` for a longer run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;

/// Edge values tried for every numeric option.
const NUMBERS: [&str; 16] = [
    "0",
    "-1",
    "NaN",
    "inf",
    "-inf",
    "1.5",
    "1e308",
    "18446744073709551615",
    "",
    "0.5",
    "0.95",
    "1",
    "2",
    "abc",
    "3",
    "-0",
];

/// Columns tried wherever a column is named: present, constant, binary, text, unknown, empty.
const COLUMNS: [&str; 10] = [
    "y", "x", "g", "konst", "bin", "txt", "id", "nope", "", "two",
];

const FORMULAS: [&str; 12] = [
    "y ~ x",
    "konst ~ x",
    "y ~ konst",
    "bin ~ x",
    "y ~ factor(g)",
    "y ~ x + I(x > 5)",
    "nope ~ x",
    "",
    "y ~",
    "bin ~ y * x",
    "two ~ x",
    "y ~ x - 1",
];

/// The fixtures every case draws from, written once.
struct Fixtures {
    dir: PathBuf,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("calcscore-options-props-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("table.csv"), generic_table(24, false)).unwrap();
        std::fs::write(dir.join("tiny.csv"), generic_table(3, true)).unwrap();
        std::fs::write(dir.join("empty.csv"), "").unwrap();
        let o = calcscore(&["simulate", "zhang2021", "--lesions", "300", "--seed", "2"], &dir);
        assert_eq!(o.0, Some(0), "simulate failed: {}", o.1);
        std::fs::write(dir.join("registry.csv"), &o.2).unwrap();
        std::fs::write(dir.join("registry_const.csv"), with_constant(&o.2, "vessel_diameter_mm", "3.0")).unwrap();
        std::fs::write(dir.join("registry_expansion.csv"), with_constant(&o.2, "stent_area_mm2", "7")).unwrap();
        std::fs::write(
            dir.join("score.toml"),
            "name = \"s\"\ntitle = \"S\"\nsource = \"t\"\ncutoff = 2\n\n[[item]]\nlabel = \"big\"\ncolumn = \"vessel_diameter_mm\"\nop = \"<\"\nthreshold = 3.5\npoints = 9200000000000000000\n",
        )
        .unwrap();
        Fixtures { dir }
    })
}

/// A table with a numeric outcome `y`, a predictor `x`, three groups `g`, a constant `konst`, a 0/1 `bin`,
/// a text column, ids with leading zeros and a two-level text column; `degenerate` makes y constant too.
fn generic_table(n: usize, degenerate: bool) -> String {
    let mut s = String::from("id,y,x,g,konst,bin,txt,two\n");
    for i in 0..n {
        let x = (i % 7) as f64 + 0.5 * (i % 3) as f64;
        let y = if degenerate {
            4.0
        } else {
            2.0 + 0.7 * x + ((i * 13) % 5) as f64
        };
        let g = ["a", "b", "c"][i % 3];
        let bin = usize::from((i * 7) % 5 < 2);
        let y_cell = if i == 5 { String::new() } else { y.to_string() };
        s.push_str(&format!(
            "{:05},{y_cell},{x},{g},7,{bin},t{},{}\n",
            i,
            i % 4,
            ["lo", "hi"][i % 2]
        ));
    }
    s
}

/// A registry with one column set to one value in every row.
fn with_constant(csv: &str, column: &str, value: &str) -> String {
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let j = header.split(',').position(|c| c == column).unwrap();
    let mut out = format!("{header}\n");
    for l in lines {
        let mut cells: Vec<&str> = l.split(',').collect();
        cells[j] = value;
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Run the binary; (exit code, stderr, stdout).
fn calcscore(args: &[&str], dir: &Path) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run calcscore");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn pick<'a>(pool: &[&'a str], i: &Index) -> &'a str {
    pool[i.index(pool.len())]
}

/// Adds `--flag value` when the switch index says so (about half the time).
fn maybe(args: &mut Vec<String>, on: &Index, flag: &str, value: &str) {
    if on.index(2) == 1 {
        args.push(flag.into());
        args.push(value.into());
    }
}

fn data_file(i: &Index, registry: bool) -> &'static str {
    let pool: &[&str] = if registry {
        &[
            "registry.csv",
            "registry_const.csv",
            "registry_expansion.csv",
            "table.csv",
            "empty.csv",
            "missing.csv",
        ]
    } else {
        &[
            "table.csv",
            "table.csv",
            "tiny.csv",
            "empty.csv",
            "registry.csv",
            "missing.csv",
        ]
    };
    pool[i.index(pool.len())]
}

/// One command line built from random indices.
fn command(verb: usize, ix: &[Index]) -> Vec<String> {
    // One value in four is an edge value; the others are ordinary, so later stages are reached too.
    let edge = |k: usize| ix[k + 14].index(4) == 0;
    let n = |k: usize| {
        if edge(k) {
            pick(&NUMBERS, &ix[k])
        } else {
            pick(&["0.95", "0.9", "0.5", "3", "0.99"], &ix[k])
        }
    };
    let c = |k: usize| {
        if edge(k) {
            pick(&COLUMNS, &ix[k])
        } else {
            pick(&["y", "x", "g", "konst", "bin", "two", "txt"], &ix[k])
        }
    };
    let mut a: Vec<String> = Vec::new();
    let s = |v: &str| v.to_string();
    match verb {
        0 => {
            a.extend([s("fit"), s("--data"), s(data_file(&ix[0], false))]);
            a.extend([s("--formula"), s(pick(&FORMULAS, &ix[1]))]);
            maybe(
                &mut a,
                &ix[2],
                "--family",
                pick(&["gaussian", "binomial", "poisson"], &ix[3]),
            );
            maybe(&mut a, &ix[4], "--cluster", c(5));
            maybe(
                &mut a,
                &ix[6],
                "--vcov",
                pick(&["classical", "hc0", "hc1", "cr0", "cr1"], &ix[7]),
            );
            maybe(&mut a, &ix[8], "--compare", pick(&FORMULAS, &ix[9]));
            maybe(&mut a, &ix[10], "--conf-level", n(11));
            maybe(
                &mut a,
                &ix[12],
                "--gee",
                pick(&["independence", "exchangeable"], &ix[13]),
            );
        }
        1 => {
            a.extend([s("roc"), s("--data"), s(data_file(&ix[0], false))]);
            a.extend([s("--marker"), s(c(1)), s("--outcome"), s(c(2))]);
            maybe(&mut a, &ix[3], "--marker2", c(4));
            maybe(&mut a, &ix[5], "--cluster", c(6));
            maybe(&mut a, &ix[7], "--conf-level", n(8));
            maybe(
                &mut a,
                &ix[9],
                "--direction",
                pick(&["auto", "lt", "gt"], &ix[10]),
            );
            maybe(&mut a, &ix[11], "--case", c(12));
        }
        2 => {
            a.extend([s("diagnose"), s("--data"), s(data_file(&ix[0], false))]);
            a.extend([s("--marker"), s(c(1)), s("--outcome"), s(c(2))]);
            a.push(format!("--cutoff={}", n(3)));
            maybe(&mut a, &ix[4], "--ci", pick(&["wilson", "exact"], &ix[5]));
            maybe(&mut a, &ix[6], "--conf-level", n(7));
        }
        3 => {
            a.extend([s("compare"), s("--data"), s(data_file(&ix[0], false))]);
            a.extend([
                s("--by"),
                s(c(1)),
                s("--vars"),
                format!("{},{}", c(2), c(3)),
            ]);
            maybe(&mut a, &ix[4], "--factors", c(5));
            maybe(&mut a, &ix[6], "--conf-level", n(7));
        }
        4 => {
            let verb = pick(&["paired", "correlate"], &ix[8]);
            let (f1, f2) = if verb == "paired" {
                ("--before", "--after")
            } else {
                ("--x", "--y")
            };
            a.extend([s(verb), s("--data"), s(data_file(&ix[0], false))]);
            a.extend([s(f1), s(c(1)), s(f2), s(c(2))]);
            maybe(&mut a, &ix[3], "--conf-level", n(4));
        }
        5 => {
            a.extend([s("table1"), s("--data"), s(data_file(&ix[0], false))]);
            a.extend([
                s("--by"),
                s(pick(&["g", "konst", "two", "nope", "", "bin"], &ix[1])),
            ]);
            maybe(&mut a, &ix[2], "--vars", &format!("{},{}", c(3), c(4)));
            maybe(&mut a, &ix[5], "--nonnormal", c(6));
            maybe(
                &mut a,
                &ix[7],
                "--format",
                pick(&["text", "md", "csv", "html", "latex"], &ix[8]),
            );
        }
        6 => {
            a.extend([s("derive"), s("--data"), s(data_file(&ix[0], true))]);
            maybe(
                &mut a,
                &ix[1],
                "--cohort",
                pick(&["A", "B", "Z", ""], &ix[2]),
            );
            maybe(&mut a, &ix[3], "--target-npv", n(4));
            maybe(&mut a, &ix[5], "--conf-level", n(6));
            maybe(
                &mut a,
                &ix[7],
                "--cluster",
                pick(&["patient_id", "nope", ""], &ix[8]),
            );
            maybe(
                &mut a,
                &ix[9],
                "--reference",
                pick(&["calcium_360", "nope", ""], &ix[10]),
            );
            maybe(
                &mut a,
                &ix[11],
                "--binary-outcome",
                pick(
                    &[
                        "stent_expansion_pct < 70",
                        "stent_expansion_pct < NaN",
                        "nope",
                        "",
                        "cto",
                    ],
                    &ix[12],
                ),
            );
        }
        7 => {
            a.extend([s("validate"), s("--data"), s(data_file(&ix[0], true))]);
            a.extend([
                s("--score"),
                s(pick(
                    &["ivus-zhang2021", "oct-fujino2018", "score.toml", "nope", ""],
                    &ix[1],
                )),
            ]);
            maybe(
                &mut a,
                &ix[2],
                "--by",
                pick(&["cohort", "cto", "nope", ""], &ix[3]),
            );
            maybe(
                &mut a,
                &ix[4],
                "--bootstrap",
                pick(
                    &["0", "2", "-1", "18446744073709551615", "1e3", "100001", ""],
                    &ix[5],
                ),
            );
            maybe(&mut a, &ix[6], "--conf-level", n(7));
            maybe(&mut a, &ix[8], "--groups", pick(&["B,C", "Z", ""], &ix[9]));
            maybe(
                &mut a,
                &ix[10],
                "--outcome",
                pick(&["none", "cto", "nope"], &ix[11]),
            );
        }
        8 => {
            a.extend([
                s("simulate"),
                s(pick(&["zhang2021", "denosumab-pilot"], &ix[0])),
            ]);
            maybe(
                &mut a,
                &ix[1],
                "--lesions",
                pick(
                    &[
                        "0",
                        "99",
                        "100",
                        "18446744073709551615",
                        "-5",
                        "1e9",
                        "100000001",
                        "",
                    ],
                    &ix[2],
                ),
            );
            maybe(
                &mut a,
                &ix[3],
                "--seed",
                pick(&["0", "-1", "18446744073709551615", "x"], &ix[4]),
            );
        }
        9 => {
            a.extend([
                s("progression"),
                s("--data"),
                s(pick(&["cac.csv", "table.csv", "empty.csv"], &ix[0])),
            ]);
            maybe(&mut a, &ix[1], "--natural-rate", n(2));
            maybe(&mut a, &ix[3], "--sqrt-threshold", n(4));
            maybe(&mut a, &ix[5], "--conf-level", n(6));
        }
        10 => {
            // Each run gets its own output directory (no two runs share one).
            let out = format!("out-{}", ix[13].index(1_000_000));
            a.extend([
                s("reproduce"),
                s(pick(&["zhang2021", "denosumab-pilot"], &ix[0])),
            ]);
            a.extend([
                s("--data"),
                s(pick(
                    &[
                        "registry.csv",
                        "registry_const.csv",
                        "registry_expansion.csv",
                        "table.csv",
                        "cac.csv",
                    ],
                    &ix[1],
                )),
            ]);
            a.extend([s("--out"), out]);
            maybe(&mut a, &ix[2], "--conf-level", n(3));
            maybe(
                &mut a,
                &ix[4],
                "--seed",
                pick(&["0", "18446744073709551615", "-1"], &ix[5]),
            );
            maybe(
                &mut a,
                &ix[6],
                "--split",
                pick(&["lesion", "patient", "x"], &ix[7]),
            );
            maybe(
                &mut a,
                &ix[8],
                "--expansion",
                pick(
                    &[
                        "mean-reference",
                        "proximal-reference",
                        "distal-reference",
                        "given",
                    ],
                    &ix[9],
                ),
            );
        }
        11 => {
            let verb = pick(&["report", "check"], &ix[0]);
            a.push(s(verb));
            if verb == "check" {
                a.push(s(pick(&["zhang2021", "denosumab-pilot"], &ix[1])));
            }
            a.extend([
                s("--results"),
                s(pick(
                    &["table.csv", "empty.csv", "missing.json", ".", "score.toml"],
                    &ix[2],
                )),
            ]);
        }
        _ => {
            a.extend([s("check-data"), s("--data"), s(data_file(&ix[0], true))]);
            maybe(
                &mut a,
                &ix[1],
                "--expansion",
                pick(&["mean-reference", "given", "x"], &ix[2]),
            );
        }
    }
    a
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_option_combination_panics(verb in 0usize..13, ix in prop::collection::vec(any::<Index>(), 28)) {
        let f = fixtures();
        let cac = f.dir.join("cac.csv");
        if !cac.exists() {
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/denosumab_pilot_synthetic.csv");
            std::fs::copy(src, &cac).unwrap();
        }
        let args = command(verb, &ix);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stderr, _) = calcscore(&refs, &f.dir);
        prop_assert!(
            matches!(code, Some(0..=2)),
            "calcscore {:?} exited {:?}:\n{}", args, code, stderr
        );
        prop_assert!(!stderr.contains("panicked"), "calcscore {:?} panicked:\n{}", args, stderr);
    }
}

/// Cell values of the random tables: ordinary, zero, negative, huge, NaN, infinite, missing, text.
const CELLS: [&str; 12] = [
    "1", "2.5", "0", "-3", "1e308", "NaN", "inf", "-inf", "", "NA", "x", "1",
];

/// A random small table: columns y, x, g (groups), b (0/1); 0 to 9 rows of edge cells.
fn random_table(cells: &[Index], rows: usize) -> String {
    let mut s = String::from("y,x,g,b\n");
    for r in 0..rows {
        let c = |k: usize| pick(&CELLS, &cells[(r * 4 + k) % cells.len()]);
        let g = ["a", "b", "c", ""][cells[(r * 4 + 2) % cells.len()].index(4)];
        let b = ["0", "1", "1", "2"][cells[(r * 4 + 3) % cells.len()].index(4)];
        s.push_str(&format!("{},{},{g},{b}\n", c(0), c(1)));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random small tables (NaN, inf, huge, missing and text cells, 0 to 9 rows) through every table verb.
    #[test]
    fn no_table_panics(verb in 0usize..8, rows in 0usize..10, cells in prop::collection::vec(any::<Index>(), 40)) {
        let f = fixtures();
        let name = format!("random-{}.csv", cells[0].index(1_000_000_000));
        let path = f.dir.join(&name);
        std::fs::write(&path, random_table(&cells, rows)).unwrap();
        let s = |v: &str| v.to_string();
        let d = [s("--data"), name.clone()];
        let args: Vec<String> = match verb {
            0 => [vec![s("fit")], d.to_vec(), vec![s("--formula"), s("y ~ x + factor(g)")]].concat(),
            1 => [vec![s("fit")], d.to_vec(), vec![s("--formula"), s("b ~ x"), s("--family"), s("binomial")]].concat(),
            2 => [vec![s("roc")], d.to_vec(), vec![s("--marker"), s("x"), s("--outcome"), s("b")]].concat(),
            3 => [vec![s("diagnose")], d.to_vec(), vec![s("--marker"), s("x"), s("--outcome"), s("b"), s("--cutoff"), s("1")]].concat(),
            4 => [vec![s("compare")], d.to_vec(), vec![s("--by"), s("b"), s("--vars"), s("x,y,g")]].concat(),
            5 => [vec![s("paired")], d.to_vec(), vec![s("--before"), s("x"), s("--after"), s("y")]].concat(),
            6 => [vec![s("correlate")], d.to_vec(), vec![s("--x"), s("x"), s("--y"), s("y")]].concat(),
            _ => [vec![s("table1")], d.to_vec(), vec![s("--by"), s("g")]].concat(),
        };
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stderr, _) = calcscore(&refs, &f.dir);
        let table = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).ok();
        prop_assert!(
            matches!(code, Some(0..=2)),
            "calcscore {:?} exited {:?} on\n{}\n{}", args, code, table, stderr
        );
        prop_assert!(!stderr.contains("panicked"), "calcscore {:?} panicked on\n{}\n{}", args, table, stderr);
    }
}
