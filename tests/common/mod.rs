//! Helpers shared by the integration tests: run the real `calcscore` binary and read its output.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Run the binary built by this package with `args`, from the package root (relative paths name the
/// repository's files).
pub fn calcscore(args: &[&str]) -> Output {
    calcscore_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Run the binary with `args` from the directory `dir` (relative paths name files there).
pub fn calcscore_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run calcscore")
}

/// Run the binary from the package root with `RAYON_NUM_THREADS=threads`, assert success (standard error
/// in the failure message) and return standard output as bytes: the thread-count determinism tests.
pub fn stdout_on_threads(threads: &str, args: &[&str]) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run calcscore");
    assert!(
        o.status.success(),
        "{args:?} on {threads} threads: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// Run `args` on each of `threads` ([`stdout_on_threads`]): every run succeeds and prints the same bytes as
/// the run on `threads[0]`, which are returned. The byte-identity tests of the seeded, parallel verbs.
#[track_caller]
pub fn same_stdout_on_threads(args: &[&str], threads: &[&str]) -> Vec<u8> {
    let first = stdout_on_threads(threads[0], args);
    for t in &threads[1..] {
        assert!(
            stdout_on_threads(t, args) == first,
            "{args:?}: the output on {t} threads differs from the output on {} thread(s)",
            threads[0]
        );
    }
    first
}

/// Run the binary and assert success (the arguments and standard error in the failure message).
pub fn ok(args: &[&str]) -> Output {
    let o = calcscore(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Run the binary, assert success, and return standard output as text.
pub fn stdout(args: &[&str]) -> String {
    String::from_utf8(ok(args).stdout).unwrap()
}

/// Run the binary, assert success, and parse standard output as JSON.
pub fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).unwrap()
}

/// `derive` on MASS::Pima.tr2 with tests/reference/mice/pima_candidates.toml (outcome `type == Yes`, reference
/// item BMI > 30) and `--impute m`, then `extra`: the command the imputation tests share.
pub fn pima_derive_args(m: &str, extra: &[&str]) -> Vec<String> {
    let mice = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/mice");
    let data = format!("{mice}/pima_tr2.csv");
    let candidates = format!("{mice}/pima_candidates.toml");
    let fixed = [
        "derive",
        "--data",
        &data,
        "--candidates",
        &candidates,
        "--outcome",
        "none",
        "--binary-outcome",
        "type == Yes",
        "--reference",
        "BMI > 30",
        "--impute",
        m,
    ];
    fixed.iter().chain(extra).map(|s| s.to_string()).collect()
}

/// How far a computed number may be from its reference value.
///
/// The rule is always `|got − want| ≤ bound`, with the bound
/// * `Tol::Abs(b)`: `b` itself (an absolute tolerance);
/// * `Tol::Rel { rel, floor }`: `rel · max(|want|, floor)`, i.e. relative to the reference value, and
///   absolute (`rel · floor`) once `|want|` falls below `floor`, so a reference of zero does not demand an
///   exact zero.
///
/// NaN on either side always fails.
#[derive(Clone, Copy, Debug)]
pub enum Tol {
    Abs(f64),
    Rel { rel: f64, floor: f64 },
}

impl Tol {
    /// `|got − want| ≤ bound`.
    pub const fn abs(bound: f64) -> Tol {
        Tol::Abs(bound)
    }

    /// `|got − want| ≤ rel · max(|want|, floor)`.
    pub const fn rel(rel: f64, floor: f64) -> Tol {
        Tol::Rel { rel, floor }
    }

    /// The largest `|got − want|` this tolerance accepts for the reference value `want`.
    pub fn bound(self, want: f64) -> f64 {
        match self {
            Tol::Abs(b) => b,
            Tol::Rel { rel, floor } => rel * want.abs().max(floor),
        }
    }
}

/// Assert that `got` is within `tol` of `want` (see [`Tol`]); the failure message names `what`, both values,
/// the difference and the bound.
#[track_caller]
pub fn close(what: &str, got: f64, want: f64, tol: Tol) {
    let (diff, bound) = ((got - want).abs(), tol.bound(want));
    assert!(
        diff <= bound,
        "{what}: got {got:.17}, want {want:.17} (|diff| {diff:e} > {bound:e} allowed by {tol:?})"
    );
}

/// [`close`] for two JSON numbers (either not a number fails, naming `what`).
#[track_caller]
pub fn close_json(what: &str, got: &Value, want: &Value, tol: Tol) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: got {got}, not a number"));
    let w = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: reference {want} is not a number"));
    close(what, g, w, tol);
}

/// A JSON number as f64 (panics naming the value otherwise).
#[track_caller]
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Parse the JSON file at `path` (panics naming the path).
#[track_caller]
pub fn read_json(path: impl AsRef<Path>) -> Value {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// The estimate of the quantity `name` in a `reproduce zhang2021` results.json.
#[track_caller]
pub fn quantity(results: &Value, name: &str) -> f64 {
    let q = results["quantities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"));
    num(&q["estimate"])
}

/// The header of a registry extract in the shipped Zhang 2021 layout (21 columns).
pub const REGISTRY_HEADER: &str = "patient_id,lesion_id,cto,isr,max_calcium_angle_deg,pre_ivus,post_ivus,angio_calcium,\
atherectomy,cutting_scoring_balloon,calcium_270_length_mm,calcium_360,calcified_nodule,vessel_diameter_mm,\
calcium_length_mm,stent_area_mm2,ref_lumen_area_proximal_mm2,ref_lumen_area_distal_mm2,calcium_fracture,prep_ivus,prep_fracture";

/// Three valid lesions under [`REGISTRY_HEADER`]: spreadsheet rows 2, 3, 4 (21 fields each).
pub const REGISTRY_ROWS: [&str; 3] = [
    "P1,L1,0,0,300,1,1,1,none,0,6.0,0,0,3.0,20,5.6,8,6,0,,",
    "P2,L2,0,0,360,1,1,1,none,0,8.0,1,0,3.5,25,6.3,8,6,1,1,1",
    "P2,L3,0,0,120,1,1,1,none,0,0.0,0,1,2.8,10,4.9,8,6,0,1,0",
];

/// A registry CSV: [`REGISTRY_HEADER`] and then `rows`, each line ended by a newline.
pub fn registry<S: AsRef<str>>(rows: &[S]) -> String {
    let mut s = format!("{REGISTRY_HEADER}\n");
    for r in rows {
        s.push_str(r.as_ref());
        s.push('\n');
    }
    s
}

/// `calcscore reproduce zhang2021 --data <data> --out <out> <extra>`, which must succeed.
pub fn reproduce_zhang2021(data: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "reproduce",
        "zhang2021",
        "--data",
        data,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args)
}

/// The columns an `--impute` run imputed, with their numbers of missing values (`imputation.columns`).
pub fn imputed_columns(v: &Value) -> Vec<(&str, u64)> {
    v["imputation"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap(),
                c["n_missing"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The report tables that carry every number of a run (flow, cohorts, models, points, accuracy, check).
pub const REPORT_TABLES: [&str; 9] = [
    "flow.csv",
    "exclusions.csv",
    "cohorts.csv",
    "coefficients.csv",
    "points.csv",
    "accuracy.csv",
    "roc_coords.csv",
    "expansion_by_score.csv",
    "check.csv",
];

/// Every [`REPORT_TABLES`] file is byte-identical in the run directories `a` (the run on `what`) and `b` (the
/// run on the shipped CSV).
#[track_caller]
pub fn same_tables(a: &Path, b: &Path, what: &str) {
    for f in REPORT_TABLES {
        let same = std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap();
        assert!(same, "{f} differs between {what} and the CSV");
    }
}

/// The columns of a tidy coefficient row compared on a relative tolerance (the p-value is compared apart,
/// on an absolute one).
pub const TIDY_COLUMNS: [&str; 5] = [
    "estimate",
    "std_error",
    "statistic",
    "conf_low",
    "conf_high",
];

/// MASS::birthwt as tests/reference/optimism/birthwt.csv, and the candidates file beside it (search.toml).
pub const BIRTHWT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/optimism/birthwt.csv"
);
pub const BIRTHWT_CANDIDATES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/reference/optimism/search.toml"
);

/// `derive` on [`BIRTHWT`] with [`BIRTHWT_CANDIDATES`] (binary outcome `low`) and `extra`; the output.
pub fn derive_birthwt(extra: &[&str]) -> Output {
    let mut args = vec![
        "derive",
        "--data",
        BIRTHWT,
        "--candidates",
        BIRTHWT_CANDIDATES,
        "--binary-outcome",
        "low",
        "--outcome",
        "none",
    ];
    args.extend(extra);
    calcscore(&args)
}

/// The birthwt score written to `out` by [`derive_birthwt`] (a failure panics with its stderr).
pub fn derive_birthwt_score(out: &Path) {
    let o = derive_birthwt(&["--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
