//! Input safety through the real binary (issue 12, items 2–5 and resource bounds): ids are text, ragged rows
//! and unclosed quotes are named, map typos are refused, angle units and implausible expansions are caught,
//! the header is checked before the body is read, and semicolon, gzip and Parquet files read like the CSV.
//! Each test asserts the exit code, the row/column in the message, and that nothing was lost or merged.
//! Expected counts come from the test's own reading of the text (a set of the raw id strings), never from
//! calcscore's output.

mod common;
use common::{calcscore_in, quantity, registry, REGISTRY_ROWS as ROWS};

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/zhang2021_synthetic.csv"
);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/input");

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `check-data --json` on a file: exit code and the problems.
fn check_data(file: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut args = vec!["check-data", "--data", s(file), "--json"];
    args.extend_from_slice(extra);
    let o = calcscore_in(file.parent().unwrap(), &args);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.code(), v["problems"].as_array().unwrap().clone())
}

/// `reproduce zhang2021` into `out`; returns the output.
fn reproduce(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["reproduce", "zhang2021", "--data", s(data), "--out", s(out)];
    args.extend_from_slice(extra);
    calcscore_in(data.parent().unwrap(), &args)
}

fn results(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

/// Every named quantity of a results.json (name → estimate as text, so that null and NaN compare too).
/// The quantities the A/B split does not touch: the flow, the cohort sizes, and the fixed cohorts C and D
/// (the split shuffles the lesions in lesion-id order, so renamed ids draw another random split of A and B).
fn split_free(r: &Value) -> Vec<(String, String)> {
    let fixed = [
        "flow.",
        "cohort.",
        "slope.C",
        "slope.D",
        "fracture.C",
        "D.",
        "nodule.",
        "prep.",
    ];
    quantities(r)
        .into_iter()
        .filter(|(name, _)| fixed.iter().any(|f| name.starts_with(f)))
        .collect()
}

fn quantities(r: &Value) -> Vec<(String, String)> {
    r["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["name"].as_str().unwrap().to_string(),
                q["estimate"].to_string(),
            )
        })
        .collect()
}

/// The shipped registry's text, and the reproduce results made from it (computed once per test binary).
fn shipped_results() -> &'static Value {
    static RESULTS: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    RESULTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = reproduce(Path::new(SHIPPED), &out, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        results(&out)
    })
}

/// Distinct values of the first field of each data line of a CSV text (no quoting in the shipped file).
fn distinct_first_field(text: &str) -> usize {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect::<BTreeSet<_>>()
        .len()
}

/// The shipped registry with numeric-looking ids that collide as numbers: the k-th distinct patient id
/// becomes `000j` when k = 2j (leading zeros) and `j` when k = 2j + 1, so ids `00042` and `42` are two
/// patients; lesion ids likewise (`0000007` and `7`).
fn colliding_ids_registry() -> String {
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let mut patients: Vec<&str> = Vec::new();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let (pid, rest) = line.split_once(',').unwrap();
        let (_, rest) = rest.split_once(',').unwrap();
        let k = patients.iter().position(|p| *p == pid).unwrap_or_else(|| {
            patients.push(pid);
            patients.len() - 1
        });
        let id = |k: usize, width: usize| {
            if k % 2 == 0 {
                format!("{:0width$}", k / 2)
            } else {
                format!("{}", k / 2)
            }
        };
        out.push_str(&format!("{},{},{rest}\n", id(k, 5), id(i - 1, 7)));
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// 2. Ids are text

#[test]
fn ids_differing_only_by_leading_zeros_stay_distinct_patients() {
    let text = colliding_ids_registry();
    let shipped_text = std::fs::read_to_string(SHIPPED).unwrap();
    // The hand count: distinct patient id strings, as written.
    let want_patients = distinct_first_field(&text);
    assert_eq!(want_patients, distinct_first_field(&shipped_text));
    assert!(text.contains("\n00042,") && text.contains("\n42,"));
    let dir = tempfile::tempdir().unwrap();
    let reg = write(dir.path(), "numeric_ids.csv", &text);
    // No duplicate lesion ids (0000007 and 7 are two lesions).
    let (code, problems) = check_data(&reg, &[]);
    assert_eq!(code, Some(0), "{problems:?}");
    let out = dir.path().join("out");
    let o = reproduce(&reg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = results(&out);
    assert_eq!(quantity(&r, "flow.input_patients"), want_patients as f64);
    // Renaming ids changes nothing else the split does not draw: the same patients (clusters), lesions, flow,
    // cohort sizes and the fixed cohorts' numbers.
    assert_eq!(split_free(&r), split_free(shipped_results()));
    assert!(split_free(&r).len() >= 20);
    // A --cluster column of such ids counts every cluster (fit prints the number of clusters).
    let o = calcscore_in(
        dir.path(),
        &[
            "fit",
            "--data",
            s(&reg),
            "--formula",
            "vessel_diameter_mm ~ calcium_360",
            "--cluster",
            "patient_id",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let fit = String::from_utf8_lossy(&o.stdout);
    assert!(
        fit.contains(&format!("\"n_clusters\": {want_patients}")),
        "{want_patients} clusters expected in {fit}"
    );
}

#[test]
fn parquet_integer_ids_are_read_as_text() {
    // tests/reference/input/make_parquet.py: the shipped registry with int64 ids (P01747 -> 1747).
    let dir = tempfile::tempdir().unwrap();
    let reg = Path::new(FIXTURES).join("shipped_int_ids.parquet");
    let (code, problems) = check_data(&reg, &[]);
    assert_eq!(code, Some(0), "{problems:?}");
    let out = dir.path().join("out");
    let o = reproduce(&reg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = results(&out);
    let shipped_text = std::fs::read_to_string(SHIPPED).unwrap();
    assert_eq!(
        quantity(&r, "flow.input_patients"),
        distinct_first_field(&shipped_text) as f64
    );
    assert_eq!(split_free(&r), split_free(shipped_results()));
}

#[test]
fn nul_byte_in_an_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [ROWS[0], &ROWS[1].replacen("P2,", "P\u{0}2,", 1), ROWS[2]];
    let reg = write(dir.path(), "nul.csv", registry(&rows));
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0]["class"], "bad-id");
    assert_eq!(p[0]["row"], 3);
    assert_eq!(p[0]["column"], "patient_id");
    let msg = p[0]["message"].as_str().unwrap();
    assert!(msg.contains("NUL") && msg.contains("P\\0"), "{msg}");
    // Any --cluster column too.
    let t = write(
        dir.path(),
        "t.csv",
        "hospital,x,y\nA,1,2\nB\u{0},2,3\nC,3,5\n",
    );
    let o = calcscore_in(
        dir.path(),
        &[
            "fit",
            "--data",
            s(&t),
            "--formula",
            "y ~ x",
            "--cluster",
            "hospital",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("row 3, column 'hospital': 'B\\0'") && e.contains("NUL"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// 3. Ragged rows

#[test]
fn ragged_rows_are_all_named_and_never_enter_the_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let short = ROWS[1].replacen(",none,0,", ",none,", 1); // 20 fields: a missing separator
    let long = ROWS[2].replacen(",2.8,", ",2,8,", 1); // 22 fields: a decimal comma
    let rows = [ROWS[0], &short, ROWS[2], &long];
    let reg = write(dir.path(), "ragged.csv", registry(&rows));
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    let got: Vec<(&str, u64)> = p
        .iter()
        .map(|x| (x["class"].as_str().unwrap(), x["row"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, [("ragged-row", 3), ("ragged-row", 5)]);
    let m3 = p[0]["message"].as_str().unwrap();
    assert!(
        m3.contains("row 3: 20 field(s), the header has 21") && m3.contains("missing separator"),
        "{m3}"
    );
    let m5 = p[1]["message"].as_str().unwrap();
    assert!(
        m5.contains("row 5: 22 field(s), the header has 21") && m5.contains("extra separator"),
        "{m5}"
    );
    // reproduce refuses with the same rows, exit 1, and writes nothing.
    let out = dir.path().join("out");
    let o = reproduce(&reg, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("row 3: 20 field(s)") && e.contains("row 5: 22 field(s)"),
        "{e}"
    );
    assert!(!out.exists());
    // Any verb reading the table refuses too (no padded or shifted row is analysed).
    let o = calcscore_in(
        dir.path(),
        &[
            "fit",
            "--data",
            s(&reg),
            "--formula",
            "vessel_diameter_mm ~ cto",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("row 3: 20 field(s)"));
    assert!(reg.exists());
}

#[test]
fn ragged_row_after_a_quoted_line_break_names_row_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // Row 2 spans lines 2-3 (a quoted line break in an id), so row 3 starts on line 4.
    let quoted = ROWS[0].replacen("P1,", "\"P\n1\",", 1);
    let short = ROWS[1].replacen(",0,0,360,", ",0,360,", 1);
    let reg = write(dir.path(), "q.csv", registry(&[&quoted, &short, ROWS[2]]));
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0]["row"], 3);
    assert!(p[0]["message"]
        .as_str()
        .unwrap()
        .contains("row 3 (line 4): 20 field(s)"));
}

#[test]
fn unclosed_quote_echoes_only_the_start_of_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = registry(&[ROWS[0]]);
    text.push_str("P2,\"L2,0,0,360,1,1,1,none,0,8.0,1,0,3.5,25,6.3,8,6,1,1,1\n");
    for k in 0..20_000 {
        // ~900 KB after the unclosed quote
        text.push_str(&format!(
            "P{k},L{k},0,0,300,1,1,1,none,0,6.0,0,0,3.0,20,5.6,8,6,0,,\n"
        ));
    }
    assert!(text.len() > 800_000);
    let reg = write(dir.path(), "quote.csv", &text);
    for args in [
        vec!["check-data", "--data", s(&reg)],
        vec!["reproduce", "zhang2021", "--data", s(&reg), "--out", "out"],
        vec!["fit", "--data", s(&reg), "--formula", "cto ~ isr"],
    ] {
        let o = calcscore_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        assert!(
            all.contains("row 3") && all.contains("never closed"),
            "{all}"
        );
        assert!(all.len() < 2_000, "{args:?} printed {} bytes", all.len());
    }
}

// ---------------------------------------------------------------------------------------------------------
// 4. Map typos

#[test]
fn map_key_that_is_no_schema_column_is_refused_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(
        dir.path(),
        "reg.csv",
        registry(&ROWS).replacen("calcium_fracture", "Fracture", 1),
    );
    let map = write(
        dir.path(),
        "map.toml",
        "[columns]\ncalcium_fractur = \"Fracture\"\n",
    );
    let (code, p) = check_data(&reg, &["--map", s(&map)]);
    assert_eq!(code, Some(1));
    assert_eq!(p[0]["class"], "bad-column-map");
    assert_eq!(p[0]["file"], s(&map));
    let msg = p[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("'calcium_fractur'") && msg.contains("did you mean 'calcium_fracture'?"),
        "{msg}"
    );
    for verb in [
        vec!["reproduce", "zhang2021", "--out", "out"],
        vec!["validate", "--score", "ivus-zhang2021", "--by", "cohort"],
    ] {
        let mut args = verb.clone();
        args.extend(["--data", s(&reg), "--map", s(&map)]);
        let o = calcscore_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("did you mean 'calcium_fracture'?"),
            "{}",
            stderr(&o)
        );
    }
    assert!(!dir.path().join("out").exists());
    // Fixed, the same map makes the file valid.
    std::fs::write(&map, "[columns]\ncalcium_fracture = \"Fracture\"\n").unwrap();
    assert_eq!(check_data(&reg, &["--map", s(&map)]).0, Some(0));
}

#[test]
fn map_onto_a_column_the_file_lacks_names_map_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let reg = write(
        dir.path(),
        "reg.csv",
        registry(&ROWS).replacen("cto", "CTO_yes", 1),
    );
    let map = write(dir.path(), "map.toml", "[columns]\ncto = \"CTO_yess\"\n");
    let (code, p) = check_data(&reg, &["--map", s(&map)]);
    assert_eq!(code, Some(1));
    assert_eq!(p[0]["class"], "bad-column-map");
    assert_eq!(p[0]["file"], s(&map));
    let msg = p[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("has no column 'CTO_yess'") && msg.contains("did you mean 'CTO_yes'?"),
        "{msg}"
    );
    // The CAC loader refuses a typo the same way.
    let cac = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/denosumab_pilot_synthetic.csv"
    );
    let map = write(
        dir.path(),
        "cac.toml",
        "[columns]\nagatston_befor = \"agatston_before\"\n",
    );
    let o = calcscore_in(
        dir.path(),
        &["progression", "--data", cac, "--map", s(&map)],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean 'agatston_before'?"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------------------------------------------------
// 5. Units

/// The three valid rows with angles in radians rounded to 4 decimals (2π = 6.2832 for the 360° lesion).
fn radians_rows() -> Vec<String> {
    ROWS.iter()
        .zip(["5.2360", "6.2832", "2.0944"])
        .map(|(r, rad)| {
            let mut c: Vec<&str> = r.split(',').collect();
            c[4] = rad;
            c.join(",")
        })
        .collect()
}

#[test]
fn angles_in_radians_are_refused_from_the_angle_column_alone() {
    let dir = tempfile::tempdir().unwrap();
    let rows = radians_rows();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    // Without the consistency columns (calcium_360, calcium_270_length_mm), only the angles can tell.
    let drop = |t: &str| -> String {
        t.lines()
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                [&c[..10], &c[12..]].concat().join(",")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let reg = write(dir.path(), "rad.csv", drop(&registry(&rows)));
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0]["class"], "angle-unit");
    assert_eq!(p[0]["column"], "max_calcium_angle_deg");
    let msg = p[0]["message"].as_str().unwrap();
    assert!(msg.contains("6.2832") && msg.contains("180/π"), "{msg}");
    // A table used as it is (it has its own cohort column) is checked too, before any score is computed.
    let with_cohort = registry(&rows).replacen("prep_fracture", "prep_fracture,cohort", 1);
    let with_cohort: String = with_cohort
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l}\n")
            } else {
                format!("{l},A\n")
            }
        })
        .collect();
    let t = write(dir.path(), "rad_cohort.csv", with_cohort);
    let o = calcscore_in(
        dir.path(),
        &[
            "validate",
            "--data",
            s(&t),
            "--score",
            "oct-fujino2018",
            "--by",
            "cohort",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not in degrees"), "{}", stderr(&o));
}

#[test]
fn reference_area_zero_is_a_named_problem_not_211_percent() {
    let dir = tempfile::tempdir().unwrap();
    // Row 3: proximal reference 0, distal 6, stent 6.3: the mean reference is 3, expansion 6.3/3 = 210%.
    let zero = ROWS[1].replacen(",6.3,8,6,", ",6.3,0,6,", 1);
    let reg = write(dir.path(), "zero.csv", registry(&[ROWS[0], &zero, ROWS[2]]));
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0]["class"], "implausible-expansion");
    assert_eq!(p[0]["row"], 3);
    assert_eq!(p[0]["column"], "stent_expansion_pct");
    assert_eq!(p[0]["value"], "210.0");
    let msg = p[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("ref_lumen_area_proximal_mm2 0") && msg.contains("missing-value code"),
        "{msg}"
    );
    // With the proximal reference only, the same row has no usable reference: also named.
    let (_, p) = check_data(&reg, &["--expansion", "proximal-reference"]);
    assert_eq!(p[0]["value"], "undefined");
    // The other formula, which does not read that cell, accepts the row: 6.3/6 = 105%.
    let (code, _) = check_data(&reg, &["--expansion", "distal-reference"]);
    assert_eq!(code, Some(0));
    // A stent area three times the references: 3 × 7 = 21 over a mean of 7 gives 300%.
    let big = ROWS[2].replacen(",4.9,8,6,", ",21,8,6,", 1);
    let reg = write(dir.path(), "big.csv", registry(&[ROWS[0], ROWS[1], &big]));
    let (_, p) = check_data(&reg, &[]);
    assert_eq!(
        (p[0]["row"].as_u64(), p[0]["value"].as_str()),
        (Some(4), Some("300.0"))
    );
    let o = reproduce(&reg, &dir.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("row 4, column 'stent_expansion_pct': computed expansion 300.0%"));
}

// ---------------------------------------------------------------------------------------------------------
// Resource bounds and other formats

#[test]
fn missing_column_is_found_from_the_header_without_reading_the_body() {
    let dir = tempfile::tempdir().unwrap();
    // A one-column file of ~4 MB whose body is not even UTF-8: reading it would fail differently.
    let mut bytes = b"value\n".to_vec();
    for _ in 0..500_000 {
        bytes.extend_from_slice(b"1.5\xff\xfe\n");
    }
    let reg = write(dir.path(), "one_column.csv", &bytes);
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    assert!(p.iter().all(|x| x["class"] == "missing-column"), "{p:?}");
    let cols: Vec<&str> = p.iter().map(|x| x["column"].as_str().unwrap()).collect();
    assert_eq!(&cols[..3], ["patient_id", "lesion_id", "cto"]);
    let o = reproduce(&reg, &dir.path().join("out"), &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("missing column 'patient_id'") && !e.contains("UTF-8"),
        "{e}"
    );
    assert!(e.len() < 8_000, "{} bytes", e.len());
}

/// The shipped registry as a European spreadsheet exports it: `;` separated, decimal comma.
fn semicolon_decimal_comma(text: &str) -> String {
    text.lines()
        .map(|l| l.replace(',', ";").replace('.', ","))
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn semicolon_decimal_comma_and_gzip_files_give_the_csv_results() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let semi = write(dir.path(), "euro.csv", semicolon_decimal_comma(&text));
    assert!(std::fs::read_to_string(&semi).unwrap().contains(";2,83;"));
    let gz = dir.path().join("reg.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    // Old Mac line endings (CR only), which docs/errors.md accepts: the whole file was once read as its header.
    let cr = write(dir.path(), "cr.csv", text.replace('\n', "\r"));
    for (name, file) in [("semicolon", &semi), ("gzip", &gz), ("cr", &cr)] {
        let (code, p) = check_data(file, &[]);
        assert_eq!(code, Some(0), "{name}: {p:?}");
        let out = dir.path().join(name);
        let o = reproduce(file, &out, &[]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(
            quantities(&results(&out)),
            quantities(shipped_results()),
            "{name}"
        );
    }
}

#[test]
fn parquet_small_integer_columns_are_read() {
    // tests/reference/input/make_parquet.py: the shipped registry with 0/1 columns as int8/uint8/int16/
    // uint16 and the angle as int16.
    let dir = tempfile::tempdir().unwrap();
    let reg = Path::new(FIXTURES).join("small_ints.parquet");
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(0), "{p:?}");
    let out = dir.path().join("out");
    let o = reproduce(&reg, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(quantities(&results(&out)), quantities(shipped_results()));
}

#[test]
fn validate_on_a_registry_without_by_says_what_it_did() {
    // The registry has no cohort column: validate analyses the lesions the study flow keeps, with expansion
    // computed from the areas (the shipped file's own stent_expansion_pct column is empty), and says so.
    let dir = tempfile::tempdir().unwrap();
    let o = calcscore_in(
        dir.path(),
        &[
            "validate",
            "--data",
            SHIPPED,
            "--score",
            "ivus-zhang2021",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    // The studied lesions are those reproduce counts (328, the paper's number, for the shipped registry).
    let studied = quantity(shipped_results(), "flow.studied_lesions");
    let want =
        format!("analysed as the {studied} of its 3862 lesions that the Zhang 2021 flow keeps");
    assert!(
        e.contains("is a lesion registry") && e.contains(&want),
        "{e}"
    );
    assert!(e.contains("stent expansion computed as stent area"), "{e}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let groups = v["validation"]["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{v}");
    assert_eq!(
        (groups[0]["group"].as_str(), groups[0]["n"].as_f64()),
        (Some("all"), Some(studied))
    );
}

/// An id of spaces only is a missing required value (it was an id of its own, so blank-id lesions of several
/// patients would be one patient); a proper id with spaces around it stays valid (ids are trimmed).
#[test]
fn an_id_of_spaces_only_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let mut lines: Vec<String> = text.lines().take(30).map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let pid = header.iter().position(|c| *c == "patient_id").unwrap();
    let lid = header.iter().position(|c| *c == "lesion_id").unwrap();
    let set = |line: &str, k: usize, v: &str| {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        f[k] = v.to_string();
        f.join(",")
    };
    lines[3] = set(&lines[3], pid, " ");
    lines[5] = set(&lines[5], lid, "  ");
    let padded = format!(" {} ", lines[7].split(',').nth(pid).unwrap());
    lines[7] = set(&lines[7], pid, &padded);
    let reg = write(dir.path(), "blank_ids.csv", lines.join("\n") + "\n");
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    let got: Vec<(u64, &str, &str)> = p
        .iter()
        .map(|x| {
            (
                x["row"].as_u64().unwrap(),
                x["column"].as_str().unwrap(),
                x["class"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (4, "patient_id", "missing-required-value"),
            (6, "lesion_id", "missing-required-value")
        ]
    );
}

/// Run `args` in `dir`, assert success, parse stdout as JSON.
fn json_in(dir: &Path, args: &[&str]) -> Value {
    let o = calcscore_in(dir, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Surrounding spaces are trimmed off every text cell, so a `--cluster` id or a `--by` group typed as ` A` or
/// `A ` is `A` in every verb (they were clusters and groups of their own: 5 clusters, groups `A` and `A `).
/// By hand: ids A, A, ␠A, A␠, B, B, C, C are 3 clusters; groups A, A, A␠, A␠, B×4 are 2 groups of 4.
#[test]
fn cluster_ids_and_groups_are_trimmed_in_every_verb() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "ids.csv",
        "id,y,x\nA,1,1\nA,0,2\n A,1,3\nA ,0,4\nB,1,5\nB,0,7\nC,1,2\nC,0,9\n",
    );
    write(
        d,
        "groups.csv",
        "g,y,x\nA,1,1\nA,0,2\nA ,1,3\n\"A \",0,4\nB,1,5\nB,0,7\nB,1,2\nB,0,9\n",
    );
    write(
        d,
        "score.toml",
        "name = \"t\"\ntitle = \"t\"\nsource = \"me\"\ncutoff = 1\n[[item]]\nlabel = \"x>3\"\n\
column = \"x\"\nop = \">\"\nthreshold = 3.0\npoints = 1\n",
    );
    let fit = json_in(
        d,
        &[
            "fit",
            "--data",
            "ids.csv",
            "--formula",
            "y ~ x",
            "--cluster",
            "id",
            "--json",
        ],
    );
    assert_eq!(fit["model"]["n_clusters"], 3, "{fit}");
    let roc = json_in(
        d,
        &[
            "roc",
            "--data",
            "ids.csv",
            "--marker",
            "x",
            "--outcome",
            "y",
            "--cluster",
            "id",
            "--json",
        ],
    );
    assert_eq!(roc["clustered"]["n_clusters"], 3, "{roc}");
    let o = calcscore_in(
        d,
        &[
            "validate",
            "--data",
            "ids.csv",
            "--score",
            "score.toml",
            "--binary-outcome",
            "y",
            "--outcome",
            "none",
            "--cluster",
            "id",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("[all] n = 8, events = 4, clusters = 3"),
        "{out}"
    );
    let v = json_in(
        d,
        &[
            "validate",
            "--data",
            "groups.csv",
            "--score",
            "score.toml",
            "--binary-outcome",
            "y",
            "--outcome",
            "none",
            "--by",
            "g",
            "--json",
        ],
    );
    let groups: Vec<(String, u64)> = v["validation"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups, [("A".to_string(), 4), ("B".to_string(), 4)]);
    let o = calcscore_in(
        d,
        &["table1", "--data", "groups.csv", "--by", "g", "--vars", "x"],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let head = out.lines().next().unwrap();
    assert!(
        head.contains("g = A (n = 4)") && head.contains("g = B (n = 4)"),
        "{head}"
    );
}

/// Ids are text: an id `NA`, `na`, `N/A` (initials, a code) is the id written, not a missing value (it was a
/// `missing-required-value` echoing `''`, and `--cluster` dropped its rows); stderr says so. Only an empty cell
/// is a missing id. By hand, ids NA, NA, A, A, B, B, C, C, 007, 7 are 6 clusters over 10 rows.
#[test]
fn na_like_ids_are_ids() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (k, id) in [(1, "NA"), (2, "na"), (3, "N/A"), (4, "nan"), (5, "NULL")] {
        let rest = lines[k].split_once(',').unwrap().1.to_string();
        lines[k] = format!("{id},{rest}");
    }
    let reg = write(dir.path(), "na_ids.csv", lines.join("\n") + "\n");
    let (code, p) = check_data(&reg, &[]);
    assert_eq!((code, p.len()), (Some(0), 0), "{p:?}");
    write(
        dir.path(),
        "nid.csv",
        "id,y,x\nNA,1,1\nNA,0,2\nA,1,3\nA,0,4\nB,1,5\nB,0,7\nC,1,2\nC,0,9\n007,1,3\n7,0,1\n",
    );
    let o = calcscore_in(
        dir.path(),
        &[
            "fit",
            "--data",
            "nid.csv",
            "--formula",
            "y ~ x",
            "--cluster",
            "id",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["model"]["n"].as_u64(), v["model"]["n_clusters"].as_u64()),
        (Some(10), Some(6))
    );
    let e = stderr(&o);
    assert!(
        e.contains("'id' 2 cell(s), first 'NA' in row 2")
            && e.contains("only an empty cell is a missing id"),
        "{e}"
    );
    // An empty id is still missing: the registry requires patient_id.
    let rest = lines[6].split_once(',').unwrap().1.to_string();
    lines[6] = format!(",{rest}");
    let reg = write(dir.path(), "empty_id.csv", lines.join("\n") + "\n");
    let (code, p) = check_data(&reg, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        (p[0]["row"].as_u64(), p[0]["class"].as_str()),
        (Some(7), Some("missing-required-value"))
    );
}

/// Synthetic data say so on every verb that reads `--data`, not only in `reproduce` (they once said nothing):
/// a byte-for-byte copy of a shipped synthetic file under another name gives one `SYNTHETIC DATA` line on stderr,
/// a `data_notice` in `--json`, and a score `derive --out` writes carries the fact into its title, source and
/// `[model]`, hence into the card drawn from it. A copy with one byte changed is the user's: nothing is said.
#[test]
fn shipped_synthetic_data_are_labelled_by_every_verb() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(SHIPPED, d.join("zs.csv")).unwrap();
    let pilot = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/denosumab_pilot_synthetic.csv"
    );
    std::fs::copy(pilot, d.join("dp.csv")).unwrap();
    let line =
        "SYNTHETIC DATA: zs.csv is calcscore's shipped synthetic Zhang 2021 lesion registry \
                (datasets/zhang2021_synthetic.csv, same SHA-256)";
    let runs: [&[&str]; 6] = [
        &["table1", "--data", "zs.csv", "--by", "cohort"],
        &[
            "derive", "--data", "zs.csv", "--cohort", "A", "--out", "z.toml",
        ],
        &[
            "validate",
            "--data",
            "zs.csv",
            "--score",
            "ivus-zhang2021",
            "--by",
            "cohort",
        ],
        &[
            "fit",
            "--data",
            "zs.csv",
            "--formula",
            "vessel_diameter_mm ~ calcified_nodule",
        ],
        &[
            "roc",
            "--data",
            "zs.csv",
            "--marker",
            "vessel_diameter_mm",
            "--outcome",
            "calcified_nodule",
        ],
        &["check-data", "--data", "zs.csv"],
    ];
    for args in runs {
        let o = calcscore_in(d, args);
        let err = stderr(&o);
        assert!(o.status.success(), "{args:?}: {err}");
        assert_eq!(err.matches(line).count(), 1, "{args:?}: {err}");
        let mut json: Vec<&str> = args.to_vec();
        if args[0] == "derive" {
            json.truncate(5);
        }
        json.push("--json");
        let o = calcscore_in(d, &json);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["data_notice"]["synthetic"], true, "{args:?}");
        assert_eq!(v["data_notice"]["input"], "zs.csv", "{args:?}");
    }
    let o = calcscore_in(d, &["progression", "--data", "dp.csv", "--json"]);
    assert!(stderr(&o)
        .contains("SYNTHETIC DATA: dp.csv is calcscore's shipped synthetic denosumab pilot"));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["data_notice"]["synthetic"], true);
    // The derived score and its card carry the label.
    let score = std::fs::read_to_string(d.join("z.toml")).unwrap();
    for key in ["title = ", "source = ", "fitted_in = "] {
        let l = score.lines().find(|l| l.starts_with(key)).unwrap();
        assert!(l.contains("SYNTHETIC DATA"), "{l}");
    }
    let o = calcscore_in(d, &["card", "--score", "z.toml", "--out", "card"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["card/card.svg", "card/calculator.html"] {
        let text = std::fs::read_to_string(d.join(f)).unwrap();
        assert!(text.contains("SYNTHETIC DATA"), "{f}");
    }
    // One byte changed: the user's data, no label.
    let mut bytes = std::fs::read(SHIPPED).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes[at] = b'X';
    std::fs::write(d.join("mine.csv"), bytes).unwrap();
    let o = calcscore_in(
        d,
        &["table1", "--data", "mine.csv", "--by", "cohort", "--json"],
    );
    assert!(!stderr(&o).contains("SYNTHETIC"), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("data_notice").is_none());
}

/// A header written in decomposed Unicode (NFD, `a` + U+0302, as macOS tools write names) is named by the
/// composed spelling typed on the command line (it was "missing column 'âge' (columns present: g, âge, y)").
/// By hand, y = 0, 1, 0, 1, 0, 1 on âge = 1..6: slope Sxy / Sxx = 1.5 / 17.5 = 0.0857142857, intercept
/// 0.5 − 3.5 · 0.0857142857 = 0.2.
#[test]
fn nfd_column_names_are_named_in_nfc() {
    let dir = tempfile::tempdir().unwrap();
    let nfd = "a\u{302}ge";
    assert_ne!(nfd, "âge");
    for (name, header) in [
        ("nfd.csv", format!("g,{nfd},y")),
        ("nfd_quoted.csv", format!("g;\"{nfd}\";y")),
    ] {
        let sep = if header.contains(';') { ";" } else { "," };
        let body: String = (1..=6)
            .map(|k| {
                format!(
                    "{}{sep}{k}{sep}{}\n",
                    if k % 2 == 1 { "A" } else { "B" },
                    (k + 1) % 2
                )
            })
            .collect();
        write(dir.path(), name, format!("{header}\n{body}"));
        let v = json_in(
            dir.path(),
            &["fit", "--data", name, "--formula", "y ~ âge", "--json"],
        );
        let coef = &v["coefficients"];
        assert_eq!(coef[1]["term"], "âge", "{v}");
        let (b0, b1) = (
            coef[0]["estimate"].as_f64().unwrap(),
            coef[1]["estimate"].as_f64().unwrap(),
        );
        assert!(
            (b1 - 1.5 / 17.5).abs() < 1e-12 && (b0 - 0.2).abs() < 1e-12,
            "{b0} {b1}"
        );
        let o = calcscore_in(
            dir.path(),
            &["table1", "--data", name, "--by", "g", "--vars", "âge"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}
