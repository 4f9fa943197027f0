//! docs/json.md cannot drift from the binary: every verb is run with `--json` and every top-level key it
//! prints must be named (as `"key"` or `` `key` ``) in the docs section whose heading names the verb.

use std::process::Command;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIRTHWT: &str = "tests/reference/canon/birthwt.csv";
const PIMA: &str = "tests/reference/canon/pima_validation.csv";
const REGISTRY: &str = "datasets/zhang2021_synthetic.csv";
const CAC: &str = "datasets/denosumab_pilot_synthetic.csv";

fn json(args: &[&str]) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .arg("--json")
        .current_dir(ROOT)
        .output()
        .expect("run calcscore");
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dups = duplicate_keys(&o.stdout);
    assert!(
        dups.is_empty(),
        "{args:?}: keys written twice in one object: {dups:?}"
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"))
}

/// Keys that stand twice in one object anywhere in a JSON text (a parser keeps one of them without a word;
/// `calibration --json` once wrote `n` twice).
fn duplicate_keys(text: &[u8]) -> Vec<String> {
    let mut dups = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(text);
    serde::de::DeserializeSeed::deserialize(Dups(&mut dups), &mut de).expect("JSON");
    dups
}

/// Walks a JSON value, recording the keys an object repeats.
struct Dups<'a>(&'a mut Vec<String>);

impl<'de> serde::de::DeserializeSeed<'de> for Dups<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Dups<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = m.next_key::<String>()? {
            if !seen.insert(k.clone()) {
                self.0.push(k);
            }
            m.next_value_seed(Dups(&mut *self.0))?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element_seed(Dups(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The text of every section (a heading to the next heading of the same or a higher level) whose heading
/// names the verb in backticks (`` `roc` ``, `` `samplesize develop` ``, `` `reproduce zhang2021` ``).
fn sections(docs: &str, verb: &str) -> String {
    let lines: Vec<&str> = docs.lines().collect();
    let level = |l: &str| l.chars().take_while(|&c| c == '#').count();
    let mut out = String::new();
    for (k, l) in lines.iter().enumerate() {
        let named = l.contains(&format!("`{verb}`")) || l.contains(&format!("`{verb} "));
        if level(l) == 0 || !named {
            continue;
        }
        for m in &lines[k..] {
            if !std::ptr::eq(*m, *l) && level(m) > 0 && level(m) <= level(l) {
                break;
            }
            out.push_str(m);
            out.push('\n');
        }
    }
    out
}

/// The keys of a JSON object, or of the first element of an array of objects.
fn keys(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a.first().map_or_else(Vec::new, keys),
        _ => Vec::new(),
    }
}

#[test]
fn every_top_level_key_of_every_verb_is_documented() {
    // The duplicate-key check itself, at any depth.
    let nested = br#"{"n": 1, "a": {"b": [{"c": 1, "c": 2}]}, "n": 2}"#;
    assert_eq!(duplicate_keys(nested), ["c", "n"]);
    let docs = std::fs::read_to_string(format!("{ROOT}/docs/json.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("zhang2021");
    let reproduce = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(["reproduce", "zhang2021", "--out", report.to_str().unwrap()])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(reproduce.status.success());
    let results_text = std::fs::read_to_string(report.join("results.json")).unwrap();
    let results: Value = serde_json::from_str(&results_text).unwrap();
    assert_eq!(
        duplicate_keys(results_text.as_bytes()),
        Vec::<String>::new(),
        "results.json"
    );
    let results_path = report.join("results.json");
    let results_arg = results_path.to_str().unwrap();
    let runs: Vec<(&str, Value)> = vec![
        (
            "fit",
            json(&["fit", "--data", BIRTHWT, "--formula", "low ~ age + lwt"]),
        ),
        (
            "roc",
            json(&[
                "roc",
                "--data",
                BIRTHWT,
                "--marker",
                "lwt",
                "--outcome",
                "low",
            ]),
        ),
        (
            "diagnose",
            json(&[
                "diagnose",
                "--data",
                BIRTHWT,
                "--marker",
                "lwt",
                "--outcome",
                "low",
                "--cutoff",
                "120",
            ]),
        ),
        (
            "compare",
            json(&[
                "compare", "--data", BIRTHWT, "--by", "smoke", "--vars", "age,race",
            ]),
        ),
        (
            "paired",
            json(&[
                "paired", "--data", BIRTHWT, "--before", "age", "--after", "ptl",
            ]),
        ),
        (
            "correlate",
            json(&["correlate", "--data", BIRTHWT, "--x", "age", "--y", "lwt"]),
        ),
        (
            "calibration",
            json(&[
                "calibration",
                "--data",
                PIMA,
                "--outcome",
                "y",
                "--predicted",
                "p_full",
            ]),
        ),
        (
            "decision",
            json(&[
                "decision",
                "--data",
                PIMA,
                "--outcome",
                "y",
                "--predicted",
                "p_full",
            ]),
        ),
        (
            "nri",
            json(&[
                "nri",
                "--data",
                PIMA,
                "--outcome",
                "y",
                "--old",
                "p_small",
                "--new",
                "p_full",
            ]),
        ),
        ("progression", json(&["progression", "--data", CAC])),
        (
            "card",
            json(&[
                "card",
                "--score",
                "ivus-zhang2021",
                "--values",
                "calcium_270_length_mm=6,calcium_360=1,calcified_nodule=0,vessel_diameter_mm=3",
            ]),
        ),
        (
            "derive",
            json(&[
                "derive",
                "--data",
                REGISTRY,
                "--cohort",
                "A",
                "--cluster",
                "patient_id",
            ]),
        ),
        (
            "validate",
            json(&[
                "validate",
                "--data",
                REGISTRY,
                "--score",
                "ivus-zhang2021",
                "--by",
                "cohort",
            ]),
        ),
        (
            "table1",
            json(&["table1", "--data", BIRTHWT, "--by", "smoke"]),
        ),
        ("check-data", json(&["check-data", "--data", REGISTRY])),
        (
            "check",
            json(&["check", "zhang2021", "--results", results_arg]),
        ),
        (
            "samplesize develop",
            json(&[
                "samplesize",
                "develop",
                "--type",
                "binary",
                "--rsquared",
                "0.288",
                "--parameters",
                "24",
                "--prevalence",
                "0.174",
            ]),
        ),
        (
            "samplesize validate",
            json(&[
                "samplesize",
                "validate",
                "--type",
                "binary",
                "--cstatistic",
                "0.8",
                "--prevalence",
                "0.2",
                "--lpnormal=-1.5,1",
            ]),
        ),
        (
            "agatston",
            json(&["agatston", "--dicom", "tests/data/dicom/pydicom/CT5N"]),
        ),
        ("reproduce zhang2021", results),
    ];
    let mut undocumented = Vec::new();
    for (verb, v) in &runs {
        let text = sections(&docs, verb);
        if text.is_empty() {
            undocumented.push(format!("{verb}: no section whose heading names `{verb}`"));
            continue;
        }
        let ks = keys(v);
        assert!(!ks.is_empty(), "{verb}: no keys in {v}");
        for k in ks {
            if !text.contains(&format!("\"{k}\"")) && !text.contains(&format!("`{k}`")) {
                undocumented.push(format!("{verb}: {k}"));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "keys missing from docs/json.md:\n{}",
        undocumented.join("\n")
    );
}
