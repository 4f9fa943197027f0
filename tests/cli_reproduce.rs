//! `calcscore reproduce zhang2021` and `check` through the real binary: on the shipped synthetic registry
//! (against the R reference in tests/reference/zhang2021.R) and on a small registry counted by hand.

mod common;
use common::{calcscore, close, quantity, read_json, reproduce_zhang2021, Tol, TIDY_COLUMNS};

use std::path::{Path, PathBuf};

use serde_json::Value;

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/zhang2021_synthetic.csv"
);

fn shipped_run(dir: &Path) -> (PathBuf, Value) {
    let out = dir.join("z");
    let o = reproduce_zhang2021(SHIPPED, &out, &[]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.starts_with("SYNTHETIC DATA"),
        "summary must open with the data notice: {stdout}"
    );
    let results = read_json(out.join("results.json"));
    (out, results)
}

#[test]
fn shipped_registry_reproduces_flow_and_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let (out, r) = shipped_run(dir.path());
    for f in [
        "report.md",
        "results.json",
        "manifest.json",
        "flow.csv",
        "exclusions.csv",
        "figure4_expansion_by_score.svg",
        "figure4_expansion_by_score.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Figure 1: 3862 -> 380 -> 328, and analysed + excluded = input.
    assert_eq!(quantity(&r, "flow.input_lesions"), 3862.0);
    assert_eq!(quantity(&r, "flow.after_stage1"), 380.0);
    assert_eq!(quantity(&r, "flow.studied_lesions"), 328.0);
    assert_eq!(
        r["flow"]["n_analysed"].as_u64().unwrap()
            + r["flow"]["n_excluded_by_rules"].as_u64().unwrap(),
        3862
    );
    assert_eq!(r["flow"]["reconciles"], true);
    let ledger = std::fs::read_to_string(out.join("exclusions.csv")).unwrap();
    assert_eq!(ledger.lines().count() - 1, 3862 - 328);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.lines().nth(2).unwrap().contains("SYNTHETIC DATA"),
        "notice at the top of report.md"
    );
    let check = calcscore(&[
        "check",
        "zhang2021",
        "--results",
        out.join("results.json").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "check failed:\n{text}");
    assert!(text.contains("CHECK PASSED") && text.contains("not checked"));
}

#[test]
fn same_input_and_seed_give_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    reproduce_zhang2021(SHIPPED, &a, &[]);
    reproduce_zhang2021(SHIPPED, &b, &[]);
    let mut names: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for n in names {
        assert_eq!(
            std::fs::read(a.join(&n)).unwrap(),
            std::fs::read(b.join(&n)).unwrap(),
            "{n:?} differs"
        );
    }
}

#[test]
fn check_fails_on_a_wrong_number() {
    let dir = tempfile::tempdir().unwrap();
    let (out, mut r) = shipped_run(dir.path());
    for q in r["quantities"].as_array_mut().unwrap() {
        if q["name"] == "cohort.A.n" {
            q["estimate"] = 96.0.into();
        }
    }
    let bad = out.join("bad.json");
    std::fs::write(&bad, serde_json::to_string(&r).unwrap()).unwrap();
    let check = calcscore(&["check", "zhang2021", "--results", bad.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("CHECK FAILED"));
}

fn tidy_close(got: &Value, want: &Value, rel: f64, what: &str) {
    for k in TIDY_COLUMNS {
        close(
            &format!("{what} {k}"),
            got[k].as_f64().unwrap(),
            want[k].as_f64().unwrap(),
            Tol::rel(rel, 1e-300),
        );
    }
    let (gp, wp) = (
        got["p_value"].as_f64().unwrap(),
        want["p_value"].as_f64().unwrap(),
    );
    assert!((gp - wp).abs() < 1e-6, "{what} p: {gp} vs {wp}");
}

/// Every model and test of the study against tests/reference/zhang2021.R (lm/glm + sandwich::vcovCL HC1, pROC, binom.test, chisq.test).
#[test]
fn shipped_results_match_r_reference() {
    let want = read_json(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/zhang2021/expected.json"
    )));
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = shipped_run(dir.path());
    let a = &r["analysis"];
    for (model, key) in [
        ("derivation_linear", "derivation_linear"),
        ("derivation_logistic", "derivation_logistic"),
    ] {
        let got = a[model]["coefficients"].as_array().unwrap();
        let exp = want[key].as_array().unwrap();
        assert_eq!(got.len(), exp.len());
        for (g, w) in got.iter().zip(exp) {
            assert_eq!(g["term"], w["term"]);
            tidy_close(g, w, 1e-6, &format!("{model} {}", w["term"]));
        }
    }
    for s in a["slopes"].as_array().unwrap() {
        let c = s["cohort"].as_str().unwrap();
        tidy_close(&s["slope"], &want["slopes"][c], 1e-9, &format!("slope {c}"));
    }
    tidy_close(
        &a["interaction_term"],
        &want["interaction"],
        1e-9,
        "interaction",
    );
    for k in [
        "auc",
        "conf_low",
        "conf_high",
        "youden_threshold",
        "youden_sensitivity",
        "youden_specificity",
    ] {
        close(
            &format!("roc {k}"),
            a["roc"][k].as_f64().unwrap(),
            want["roc"][k].as_f64().unwrap(),
            Tol::rel(1e-9, 1e-300),
        );
    }
    let npv = a["accuracy"]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "npv")
        .unwrap();
    for k in ["estimate", "conf_low", "conf_high"] {
        close(
            &format!("npv {k}"),
            npv[k].as_f64().unwrap(),
            want["npv"][k].as_f64().unwrap(),
            Tol::rel(1e-9, 1e-300),
        );
    }
    close(
        "fracture chisq p",
        a["fracture"]["chisq_yates"]["p_value"].as_f64().unwrap(),
        want["fracture"]["chisq_yates_p"].as_f64().unwrap(),
        Tol::rel(1e-9, 1e-300),
    );
    close(
        "fracture fisher p",
        a["fracture"]["fisher"]["p_value"].as_f64().unwrap(),
        want["fracture"]["fisher_p"].as_f64().unwrap(),
        Tol::rel(1e-9, 1e-300),
    );
    close(
        "prep sd",
        a["prep"]["expansion_sd"].as_f64().unwrap(),
        want["prep"]["sd"].as_f64().unwrap(),
        Tol::rel(1e-9, 1e-300),
    );
    assert_eq!(
        quantity(&r, "D.underexpansion_n"),
        want["d_underexpansion"].as_f64().unwrap()
    );
    assert_eq!(
        quantity(&r, "flow.studied_patients"),
        want["flow"]["studied_patients"].as_f64().unwrap()
    );
}

/// A 35-lesion registry whose flow, cohorts and scores are counted by hand below.
///
/// L01 CTO; L02 ISR; L03 angle 200°; L04 angle 250° and no pre-PCI IVUS (meets two stage-1 rules);
/// L05 no post-PCI IVUS; L06 cutting balloon; L07 atherectomy without angiographic calcium.
/// L08-L23: angiographic calcium, no atherectomy (A/B pool, 16 -> 8 + 8); L24-L29: atherectomy (C, 6);
/// L30-L35: no angiographic calcium (D, 6). Patients: P08 has L08 and L09, P30 has L30 and L31; others one each.
const ITEMS: [(&str, &str); 28] = [
    // (lesion, items "length>5mm 360° nodule diameter<3.5mm"); the score is the number of 1s.
    ("L08", "0000"),
    ("L09", "1000"),
    ("L10", "0100"),
    ("L11", "0010"),
    ("L12", "0001"),
    ("L13", "1100"),
    ("L14", "0011"),
    ("L15", "1010"),
    ("L16", "0101"),
    ("L17", "1110"),
    ("L18", "0111"),
    ("L19", "1111"),
    ("L20", "1001"),
    ("L21", "0110"),
    ("L22", "1011"),
    ("L23", "0000"),
    ("L24", "1100"),
    ("L25", "1111"),
    ("L26", "0000"),
    ("L27", "1010"),
    ("L28", "0111"),
    ("L29", "1000"),
    ("L30", "0000"),
    ("L31", "1000"),
    ("L32", "0100"),
    ("L33", "0011"),
    ("L34", "0001"),
    ("L35", "1101"),
];

fn hand_registry() -> String {
    let mut csv = String::from("patient_id,lesion_id,cto,isr,max_calcium_angle_deg,pre_ivus,post_ivus,angio_calcium,atherectomy,cutting_scoring_balloon,calcium_270_length_mm,calcium_360,calcified_nodule,vessel_diameter_mm,stent_area_mm2,ref_lumen_area_proximal_mm2,ref_lumen_area_distal_mm2,calcium_fracture\n");
    let excluded = [
        "P01,L01,1,0,300,1,1,1,none,0",
        "P02,L02,0,1,300,1,1,1,none,0",
        "P03,L03,0,0,200,1,1,1,none,0",
        "P04,L04,0,0,250,0,1,1,none,0",
        "P05,L05,0,0,300,1,0,1,none,0",
        "P06,L06,0,0,300,1,1,1,none,1",
        "P07,L07,0,0,300,1,1,0,rotational,0",
    ];
    for e in excluded {
        // A lesion whose maximum angle is at most 270° has no calcium with an arc >270° (length 0).
        let angle: f64 = e.split(',').nth(4).unwrap().parse().unwrap();
        let len270 = if angle > 270.0 { 6.0 } else { 0.0 };
        csv.push_str(&format!("{e},{len270:.1},0,0,3.0,5.60,8,6,0\n"));
    }
    let deltas = [4.0, -3.0, 2.0, -1.0, 0.0, 3.0, -2.0, 1.0];
    for (k, (lesion, items)) in ITEMS.iter().enumerate() {
        let n: usize = lesion[1..].parse().unwrap();
        let patient = match n {
            9 => "P08".to_string(),
            31 => "P30".to_string(),
            _ => format!("P{n:02}"),
        };
        let (angio, athero) = match n {
            8..=23 => (1, "none"),
            24..=29 => (1, if n % 2 == 0 { "rotational" } else { "orbital" }),
            _ => (0, "none"),
        };
        let b: Vec<u8> = items.bytes().map(|c| c - b'0').collect();
        let score = b.iter().map(|&x| f64::from(x)).sum::<f64>();
        // Expansion 100 - 8 x score + a small deviation (L19 set to 64%).
        let expansion = if n == 19 {
            64.0
        } else {
            100.0 - 8.0 * score + deltas[k % 8]
        };
        let stent = expansion * 7.0 / 100.0; // mean reference lumen area (8 + 6) / 2 = 7 mm²
        csv.push_str(&format!(
            "{patient},{lesion},0,0,{},1,1,{angio},{athero},0,{},{},{},{},{stent},8,6,{}\n",
            if b[1] == 1 { 360 } else { 300 },
            if b[0] == 1 { 6.0 } else { 3.0 },
            b[1],
            b[2],
            if b[3] == 1 { 3.0 } else { 4.0 },
            n % 2
        ));
    }
    csv
}

#[test]
fn hand_counted_registry_flow_cohorts_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hand.csv");
    std::fs::write(&data, hand_registry()).unwrap();
    let out = dir.path().join("out");
    let o = reproduce_zhang2021(data.to_str().unwrap(), &out, &[]);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("SYNTHETIC"),
        "a user file is not labelled synthetic"
    );
    let r = read_json(out.join("results.json"));
    let q = |n: &str| quantity(&r, n);
    assert_eq!(q("flow.input_lesions"), 35.0);
    assert_eq!(q("flow.input_patients"), 33.0);
    assert_eq!(q("flow.meeting.cto"), 1.0);
    assert_eq!(q("flow.meeting.isr"), 1.0);
    assert_eq!(q("flow.meeting.max-angle-le-270"), 2.0);
    assert_eq!(q("flow.meeting.no-ivus-pullback"), 2.0);
    assert_eq!(q("flow.stage1_overlap"), 1.0);
    assert_eq!(q("flow.after_stage1"), 30.0);
    assert_eq!(q("flow.meeting.cutting-scoring-balloon"), 1.0);
    assert_eq!(q("flow.meeting.atherectomy-without-angio-calcium"), 1.0);
    assert_eq!(q("flow.studied_lesions"), 28.0);
    assert_eq!(q("flow.studied_patients"), 26.0);
    assert_eq!(
        [
            q("cohort.A.n"),
            q("cohort.B.n"),
            q("cohort.C.n"),
            q("cohort.D.n")
        ],
        [8.0, 8.0, 6.0, 6.0]
    );
    // Ledger: 7 lesions, each under its first rule (L04 under the angle rule, not also under no-pullback).
    let ledger = std::fs::read_to_string(out.join("exclusions.csv")).unwrap();
    let rules: Vec<(&str, &str)> = ledger
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0], c[3])
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("L01", "cto"),
            ("L02", "isr"),
            ("L03", "max-angle-le-270"),
            ("L04", "max-angle-le-270"),
            ("L05", "no-ivus-pullback"),
            ("L06", "cutting-scoring-balloon"),
            ("L07", "atherectomy-without-angio-calcium")
        ]
    );
    // Scores, lesion by lesion, and cohorts C and D by rule.
    let set = std::fs::read_to_string(out.join("analysis_set.csv")).unwrap();
    for line in set.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let items = ITEMS.iter().find(|(l, _)| *l == c[0]).unwrap().1;
        let want = items.bytes().filter(|&b| b == b'1').count();
        assert_eq!(c[3], want.to_string(), "score of {}", c[0]);
        let n: usize = c[0][1..].parse().unwrap();
        let cohort = match n {
            24..=29 => "C",
            30..=35 => "D",
            _ => c[2],
        };
        assert_eq!(c[2], cohort);
        // Underexpansion: L19 (set to 64%) and L25 (score 4: 100 - 32 - 3 = 65%); every other lesion is >= 73%.
        assert_eq!(
            c[5],
            if n == 19 || n == 25 { "1" } else { "0" },
            "underexpansion of {}",
            c[0]
        );
    }
    assert_eq!(set.lines().count() - 1, 28);
}

/// Interval labels follow --conf-level: a 90% run never calls its intervals 95%.
#[test]
fn interval_labels_follow_conf_level() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z90");
    reproduce_zhang2021(SHIPPED, &out, &["--conf-level", "0.9"]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("estimate [90% CI]") && md.contains("90% CI"));
    assert!(
        !md.contains("[95% CI]") && !md.contains("reproduced 95% CI"),
        "a 95% label in a 90% report"
    );
}

/// The shipped registry is what `simulate zhang2021 --seed 4` prints, byte for byte: the generator's draws (integer
/// ranges, shuffles, closed intervals from calcscore_core::random) did not change when rand moved from 0.8 to 0.10.
#[test]
fn shipped_registry_is_simulate_seed_4() {
    let out = calcscore(&["simulate", "zhang2021", "--seed", "4"]);
    assert!(out.status.success());
    let shipped = std::fs::read(SHIPPED).unwrap();
    assert_eq!(out.stdout.len(), shipped.len());
    assert!(
        out.stdout == shipped,
        "datasets/zhang2021_synthetic.csv is not `simulate zhang2021 --seed 4`"
    );
}

/// The A/B split is fixed by the lesion ids and the seed, not by the rows' order: the shipped registry with its
/// rows reversed gives the same cohorts, points and every published quantity (it once moved patients between A
/// and B, turned slope B from −8.81 into −9.81 and failed check).
#[test]
fn row_order_does_not_change_the_split_or_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(SHIPPED).unwrap();
    let mut lines: Vec<&str> = shipped.lines().collect();
    lines[1..].reverse();
    let reversed = dir.path().join("reversed.csv");
    std::fs::write(&reversed, lines.join("\n") + "\n").unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    reproduce_zhang2021(SHIPPED, &a, &[]);
    reproduce_zhang2021(reversed.to_str().unwrap(), &b, &[]);
    let read = |d: &Path, f: &str| std::fs::read_to_string(d.join(f)).unwrap();
    assert_eq!(read(&b, "cohorts.csv"), read(&a, "cohorts.csv"));
    // Points exactly; the coefficients beside them only to the last bits (rows are summed in another order).
    let points = |d: &Path| -> Vec<String> {
        let text = read(d, "points.csv");
        text.lines()
            .map(|l| l.split(',').nth(4).unwrap().to_string())
            .collect()
    };
    assert_eq!(points(&b), points(&a));
    let (ra, rb) = (
        read_json(a.join("results.json")),
        read_json(b.join("results.json")),
    );
    for q in ra["quantities"].as_array().unwrap() {
        let name = q["name"].as_str().unwrap();
        let want = quantity(&ra, name);
        close(name, quantity(&rb, name), want, Tol::rel(1e-9, 1e-12));
    }
}

/// "Synthetic" is decided by the bytes, not the name: the shipped registry copied under another name is still
/// labelled SYNTHETIC (with how it was made); other data under a name containing "synthetic" are the user's, of
/// which calcscore claims nothing.
#[test]
fn the_synthetic_label_follows_the_content_not_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("registry_2024.csv");
    std::fs::copy(SHIPPED, &copy).unwrap();
    let hospital = dir.path().join("hospital_synthetic_2024.csv");
    std::fs::write(&hospital, hand_registry()).unwrap();
    let notice = |data: &Path, out: &str| {
        let out = dir.path().join(out);
        reproduce_zhang2021(data.to_str().unwrap(), &out, &[]);
        read_json(out.join("results.json"))["data_notice"].clone()
    };
    let shipped = notice(&copy, "a");
    assert_eq!(shipped["synthetic"], true, "{shipped}");
    assert!(shipped["text"]
        .as_str()
        .unwrap()
        .starts_with("SYNTHETIC DATA."));
    let user = notice(&hospital, "b");
    assert_eq!(user["synthetic"], false, "{user}");
    assert!(
        user["text"].as_str().unwrap().contains("makes no claim"),
        "{user}"
    );
}

/// A registry's own cohort column is not read by reproduce (the paper's flow and split assign the cohorts), and
/// stderr says so instead of ignoring it in silence.
#[test]
fn a_cohort_column_is_said_to_be_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(SHIPPED).unwrap();
    let mut text = String::new();
    for (i, line) in shipped.lines().enumerate() {
        let cohort = if i == 0 { "cohort" } else { "B" };
        text.push_str(&format!("{line},{cohort}\n"));
    }
    let data = dir.path().join("with_cohort.csv");
    std::fs::write(&data, text).unwrap();
    let o = reproduce_zhang2021(data.to_str().unwrap(), &dir.path().join("r"), &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("has a 'cohort' column; reproduce zhang2021 does not read it"),
        "{err}"
    );
    let r = read_json(dir.path().join("r/results.json"));
    assert_eq!(quantity(&r, "cohort.A.n"), 97.0);
}

/// Every figure report.md links is written beside it, also when a model is not estimable (a 100-lesion
/// registry once linked figure_forest.svg, which was not drawn).
#[test]
fn report_links_only_figures_that_were_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("s100.csv");
    let o = calcscore(&[
        "simulate",
        "zhang2021",
        "--lesions",
        "100",
        "--seed",
        "1",
        "--out",
        small.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (data, out) in [(small.to_str().unwrap(), "small"), (SHIPPED, "shipped")] {
        let out = dir.path().join(out);
        reproduce_zhang2021(data, &out, &[]);
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let links: Vec<&str> = md
            .split("](")
            .skip(1)
            .filter_map(|s| s.split(')').next())
            .filter(|l| l.ends_with(".svg") || l.ends_with(".png"))
            .collect();
        assert!(!links.is_empty(), "{data}: no figure linked");
        for l in links {
            assert!(
                out.join(l).is_file(),
                "{data}: report.md links {l}, not written"
            );
        }
    }
}
