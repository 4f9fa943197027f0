//! The report of `reproduce zhang2021` on the shipped registry: every figure's structure, the numbers drawn in
//! Figure 5 and the calibration figure against R (tests/reference/zhang2021_figures.R), the golden report.md,
//! byte-identical reruns, `report --results` giving the same bytes as `reproduce`, and a self-contained HTML.
//!
//! Golden file: `tests/golden/zhang2021_report.md`. After an intended change of the report, regenerate it with
//! `UPDATE_GOLDEN=1 cargo test --test cli_report` and review the diff before committing.

mod common;
use common::{calcscore, close, Tol};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use calcscore_studies::zhang2021::{report_figures, Results};
use serde_json::Value;

/// Relative to R, absolute below 1e-12.
const TOL: Tol = Tol::rel(1e-9, 1e-12);

fn reproduce_into(out: &Path) {
    let o = calcscore(&["reproduce", "zhang2021", "--out", out.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "reproduce failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One `reproduce zhang2021` on the shipped registry, shared by the tests of this file.
fn shipped() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = dir.join("zhang2021");
        reproduce_into(&out);
        out
    })
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn files(dir: &Path) -> Vec<String> {
    // The output marker lists the files of its own run (a `report` rebuild writes fewer than `reproduce`).
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".calcscore-output.json")
        .collect();
    names.sort();
    names
}

/// A small well-formedness check: every tag closes in order (HTML void elements excepted), one root element,
/// no stray `>` or unterminated `&` in text.
fn assert_well_formed(name: &str, xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(
            !text.contains('>') && text.split('&').skip(1).all(|t| t.contains(';')),
            "{name}: stray markup in text {text:?}"
        );
        let close = rest[open..]
            .find('>')
            .unwrap_or_else(|| panic!("{name}: unclosed tag"))
            + open;
        let tag = &rest[open + 1..close];
        if tag.starts_with('?') || tag.starts_with('!') {
        } else if let Some(end) = tag.strip_prefix('/') {
            let top = stack
                .pop()
                .unwrap_or_else(|| panic!("{name}: </{end}> without opening"));
            assert_eq!(top, end.trim(), "{name}: </{end}> closes <{top}>");
        } else {
            let tag_name = tag
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches('/');
            if stack.is_empty() {
                roots += 1;
            }
            // HTML void elements close themselves.
            let void = ["meta", "hr", "br", "img", "link", "input"].contains(&tag_name);
            if !tag.ends_with('/') && !void {
                stack.push(tag_name.to_string());
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    assert_eq!(roots, 1, "{name}: one root element");
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

fn results_json(dir: &Path) -> Value {
    serde_json::from_str(&read(dir, "results.json")).unwrap()
}

#[test]
fn every_figure_parses_and_has_its_parts() {
    let dir = shipped();
    let r = results_json(dir);
    let a = &r["analysis"];
    let svgs: Vec<String> = files(dir)
        .into_iter()
        .filter(|f| f.ends_with(".svg"))
        .collect();
    assert_eq!(
        svgs,
        [
            "figure1_flow.svg",
            "figure4_expansion_by_score.svg",
            "figure5_score_vs_expansion.svg",
            "figure_calibration.svg",
            "figure_calibration_flexible.svg",
            "figure_decision.svg",
            "figure_forest.svg",
            "figure_roc.svg"
        ]
    );
    for f in &svgs {
        let svg = read(dir, f);
        assert_well_formed(f, &svg);
        assert!(
            svg.starts_with("<svg") && svg.contains("viewBox"),
            "{f}: scalable SVG"
        );
        let png = std::fs::read(dir.join(f.replace(".svg", ".png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{f}: PNG beside the SVG");
    }

    // Figure 1: the input, the analysed lesions and four cohort boxes with their counts (hand-checked in
    // cli_reproduce against R: 3862 lesions, 328 analysed, A/B/C/D = 97/97/67/67).
    let flow = read(dir, "figure1_flow.svg");
    assert!(flow.contains("3862 lesions in 3415") && flow.contains("328 lesions analysed"));
    assert_eq!(count(&flow, "opacity=\"0.25\""), 4, "four cohort boxes");
    for n in [
        "n = 97", "n = 67", "n = 3036", "n = 466", "n = 48", "n = 4)",
    ] {
        assert!(flow.contains(n), "flow shows {n}");
    }

    // Figure 4: one bar per score level with lesions (20 levels, D has none at 4), an n label under each.
    let levels = a["by_score"].as_array().unwrap();
    let with_mean = levels.iter().filter(|l| !l["mean"].is_null()).count();
    assert_eq!((levels.len(), with_mean), (20, 19));
    let fig4 = read(dir, "figure4_expansion_by_score.svg");
    assert_eq!(count(&fig4, "opacity=\"0.75\""), with_mean, "bars");
    assert_eq!(count(&fig4, "\nn="), 20, "n labels");
    assert_eq!(
        count(&fig4, "\n70%\n"),
        4,
        "the 70% line is labelled in each panel"
    );
    assert!(fig4.contains("Stent expansion (%)") && fig4.contains("IVUS calcium score (points)"));

    // Figure 5: two fitted lines (B, C), one marker per score with lesions, the interaction P.
    let fig5 = read(dir, "figure5_score_vs_expansion.svg");
    assert_eq!(
        count(&fig5, "stroke-width=\"5\" points="),
        2 + 2,
        "two lines plus two legend keys"
    );
    assert_eq!(count(&fig5, "<circle"), 5, "B markers at scores 0-4");
    assert!(fig5.contains("Score × atherectomy interaction P = 0.031"));
    assert!(fig5.contains("Stent expansion (%)") && fig5.contains("IVUS calcium score (points)"));

    // ROC: the curve through every coordinate, the cutoff point, AUC with DeLong CI.
    let roc = read(dir, "figure_roc.svg");
    let curve = roc
        .lines()
        .find(|l| l.contains("stroke-width=\"6\""))
        .expect("ROC curve");
    let n_coords = a["roc"]["coords"].as_array().unwrap().len();
    assert_eq!(
        curve.matches(',').count(),
        n_coords,
        "one vertex per ROC coordinate"
    );
    assert_eq!(count(&roc, "<circle"), 1, "the cutoff");
    assert!(roc.contains("AUC 0.74 (95% CI 0.68–0.81, DeLong)"));
    assert!(
        roc.contains("Score ≥2")
            && roc.contains("sensitivity 0.98")
            && roc.contains("specificity 0.45")
    );
    assert!(roc.contains("Sensitivity (true-positive fraction)"));

    // Calibration: an observed point per score of B (5) plus the legend's, n under each score.
    let cal = read(dir, "figure_calibration.svg");
    assert_eq!(count(&cal, "<circle"), 5 + 1);
    assert_eq!(count(&cal, "\nn="), 5);
    assert!(cal.contains("Predicted (logistic model fitted in A)"));
    assert!(cal.contains("Underexpansion, stent expansion &lt;70% (%)"));

    // Flexible calibration of A's model in B: a point per cut2 group (from results.json) plus the legend's, the
    // lowess curve and the 45° line in the legend.
    let flex = read(dir, "figure_calibration_flexible.svg");
    let groups = a["b_only"]["calibration"]["flexible"]["groups"]
        .as_array()
        .unwrap()
        .len();
    assert!(groups >= 2, "{groups} calibration groups");
    assert_eq!(count(&flex, "<circle"), groups + 1);
    assert!(flex.contains("Lowess (flexible) calibration") && flex.contains("Ideal (45° line)"));
    assert!(flex.contains("Predicted risk in B (model fitted in A)"));

    // Decision curve in B: A's risk model, the score's cutoff strategy, treat all and treat none.
    let dca = read(dir, "figure_decision.svg");
    for label in [
        "Risk model fitted in A",
        "Score ≥ 2",
        "Treat all",
        "Treat none",
        "Net benefit",
    ] {
        assert!(dca.contains(label), "decision curve lacks '{label}'");
    }
    assert_eq!(
        a["b_only"]["decision"]["rows"].as_array().unwrap().len(),
        99
    );

    // Forest: four items in each of the two panels.
    let forest = read(dir, "figure_forest.svg");
    assert_eq!(count(&forest, "stroke=\"#0072B2\" stroke-width=\"4\""), 4);
    assert_eq!(count(&forest, "stroke=\"#E69F00\" stroke-width=\"4\""), 4);
    assert!(forest.contains("Odds ratio (log scale)") && forest.contains("Calcified nodule"));
}

#[test]
fn no_patient_or_lesion_identifier_in_any_figure() {
    let dir = shipped();
    let ids: Vec<String> = read(dir, "analysis_set.csv")
        .lines()
        .skip(1)
        .flat_map(|l| l.split(',').take(2).map(String::from).collect::<Vec<_>>())
        .collect();
    assert!(ids.len() > 600);
    for f in files(dir).iter().filter(|f| f.ends_with(".svg")) {
        let svg = read(dir, f);
        assert!(
            !ids.iter().any(|id| svg.contains(id.as_str())),
            "{f} shows an identifier"
        );
    }
}

fn reference() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/zhang2021/figures_expected.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn figure5_bands_match_r_vcovcl() {
    // R: lm(stent_expansion_pct ~ score) per cohort, vcovCL(type = "HC1", cluster = ~patient_id),
    // fit ± qt(0.975, df.residual) · se at scores 0..4.
    let res = Results::read(&shipped().join("results.json")).unwrap();
    let fig = report_figures::figure5(&res)
        .unwrap()
        .expect("figure 5 on the shipped data");
    let want = reference();
    for (g, cohort) in fig.groups.iter().zip(["B", "C"]) {
        let w = &want["figure5"][cohort];
        for s in 0..5 {
            let (x, fit, lo, hi) = g.fitted[s * 10];
            assert_eq!(x, s as f64);
            close(
                &format!("{cohort} fit at {s}"),
                fit,
                w["fit"][s].as_f64().unwrap(),
                TOL,
            );
            close(
                &format!("{cohort} lower at {s}"),
                lo,
                w["lower"][s].as_f64().unwrap(),
                TOL,
            );
            close(
                &format!("{cohort} upper at {s}"),
                hi,
                w["upper"][s].as_f64().unwrap(),
                TOL,
            );
        }
    }
}

#[test]
fn calibration_matches_r_glm_and_binom_test() {
    // R: glm(underexpansion ~ score, binomial) in A with vcovCL HC1, plogis(eta ± qnorm(0.975) · se);
    // observed in B with binom.test's Clopper-Pearson interval.
    let res = Results::read(&shipped().join("results.json")).unwrap();
    let cal = report_figures::calibration(&res)
        .unwrap()
        .expect("estimable");
    let want = &reference()["calibration"];
    for (s, p) in cal.points.iter().enumerate() {
        assert_eq!(p.score, s as i64);
        close(
            "predicted",
            p.predicted.0,
            want["predicted"][s].as_f64().unwrap(),
            TOL,
        );
        close(
            "predicted low",
            p.predicted.1,
            want["predicted_low"][s].as_f64().unwrap(),
            TOL,
        );
        close(
            "predicted high",
            p.predicted.2,
            want["predicted_high"][s].as_f64().unwrap(),
            TOL,
        );
        let o = &want["observed_B"][s];
        assert_eq!(p.n as u64, o["n"].as_u64().unwrap());
        let (e, lo, hi) = p.observed.unwrap();
        close("observed", e, o["estimate"].as_f64().unwrap(), TOL);
        close("observed low", lo, o["conf_low"].as_f64().unwrap(), TOL);
        close("observed high", hi, o["conf_high"].as_f64().unwrap(), TOL);
    }
}

#[test]
fn report_md_matches_the_golden_file() {
    let dir = shipped();
    let version = results_json(dir)["calcscore_version"]
        .as_str()
        .unwrap()
        .to_string();
    let got = read(dir, "report.md").replace(&version, "VERSION");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/zhang2021_report.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).expect("golden file (UPDATE_GOLDEN=1 to create)");
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "report.md differs from tests/golden/zhang2021_report.md at line {}:\n  got:  {:?}\n  want: {:?}\n\
             (if intended: UPDATE_GOLDEN=1 cargo test --test cli_report, then review the diff)",
            line + 1,
            got.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

#[test]
fn report_from_results_gives_the_bytes_of_reproduce() {
    let dir = shipped();
    let copy = tempfile::tempdir().unwrap();
    let out = copy.path().join("rebuilt");
    let o = calcscore(&[
        "report",
        "--results",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rebuilt = files(&out);
    for must in [
        "report.md",
        "report.html",
        "tables.tex",
        "figure_roc.png",
        "coefficients.csv",
    ] {
        assert!(rebuilt.iter().any(|f| f == must), "report writes {must}");
    }
    for f in &rebuilt {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(dir.join(f)).unwrap(),
            "{f} differs between `report --results` and `reproduce`"
        );
    }
}

#[test]
fn results_may_be_the_file_or_its_directory() {
    let dir = shipped();
    let file = dir.join("results.json");
    let out = tempfile::tempdir().unwrap();
    let to = out.path().join("from_file");
    let args = [
        "report",
        "--results",
        file.to_str().unwrap(),
        "--out",
        to.to_str().unwrap(),
    ];
    let o = calcscore(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read(&to, "report.md"), read(dir, "report.md"));
    let as_dir = calcscore(&["check", "zhang2021", "--results", dir.to_str().unwrap()]);
    let as_file = calcscore(&["check", "zhang2021", "--results", file.to_str().unwrap()]);
    assert_eq!(as_dir.status.code(), as_file.status.code());
    assert_eq!(as_dir.stdout, as_file.stdout);
    assert!(!as_dir.stdout.is_empty());
}

#[test]
fn reproduce_twice_gives_identical_bytes() {
    let dir = shipped();
    let again = tempfile::tempdir().unwrap();
    let out = again.path().join("again");
    reproduce_into(&out);
    assert_eq!(files(dir), files(&out));
    for f in files(dir) {
        assert!(
            std::fs::read(out.join(&f)).unwrap() == std::fs::read(dir.join(&f)).unwrap(),
            "{f} differs between two runs with the same input and seed"
        );
    }
}

#[test]
fn html_is_self_contained_with_notice_first() {
    let html = read(shipped(), "report.html");
    assert_well_formed("report.html", html.trim_start_matches("<!DOCTYPE html>\n"));
    for fetch in [
        "<script", "<link", "<img", "src=", "href=", "url(", "@import", "https://",
    ] {
        assert!(
            !html.contains(fetch),
            "report.html must not fetch anything ({fetch})"
        );
    }
    let http: Vec<&str> = html
        .match_indices("http://")
        .map(|(i, _)| &html[i..i + 26])
        .collect();
    assert!(
        http.iter().all(|h| *h == "http://www.w3.org/2000/svg"),
        "only SVG namespaces: {http:?}"
    );
    assert_eq!(count(&html, "<svg"), 8, "every figure inline");
    assert_eq!(count(&html, "<figcaption>"), 8, "every figure captioned");
    let notice = html.find("SYNTHETIC DATA.").unwrap();
    assert!(
        notice < html.find("<h2 ").unwrap(),
        "the data notice comes first"
    );
    assert!(
        html.contains("Table 1. Baseline characteristics") && html.contains("cohort = A (n = 97)")
    );
    assert!(html.contains("@media print"));
}

#[test]
fn latex_tables_use_booktabs() {
    let tex = read(shipped(), "tables.tex");
    let tables = count(&tex, "\\begin{table}");
    assert!(
        tables >= 9,
        "flow, cohorts, models, points, accuracy, slopes, by score, check: {tables}"
    );
    assert_eq!(count(&tex, "\\toprule"), tables);
    assert_eq!(count(&tex, "\\midrule"), tables);
    assert_eq!(count(&tex, "\\bottomrule"), tables);
    assert!(tex.contains("calcium\\_360"));
    assert!(!tex.contains('`') && !tex.contains('≥'));
}

#[test]
fn report_without_results_is_a_clear_error() {
    let o = calcscore(&["report", "--results", "/nonexistent/dir"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent/dir/results.json"), "{err}");
}

#[test]
fn report_rebuilds_a_small_registry_with_undefined_numbers() {
    // 400 simulated lesions leave ten per cohort: some intervals are undefined (NaN, written as null in
    // results.json); the report must still rebuild, byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("small_synthetic.csv");
    let o = calcscore(&[
        "simulate",
        "zhang2021",
        "--seed",
        "1",
        "--lesions",
        "400",
        "--out",
        data.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("run");
    let o = calcscore(&[
        "reproduce",
        "zhang2021",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(read(&out, "results.json").contains("null"));
    let again = dir.path().join("again");
    let o = calcscore(&[
        "report",
        "--results",
        out.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in files(&again) {
        assert!(
            std::fs::read(again.join(&f)).unwrap() == std::fs::read(out.join(&f)).unwrap(),
            "{f} differs"
        );
    }
}

/// report --results refuses another study's results and a results.json whose cohorts were emptied, naming the
/// file and what is wrong (an emptied list once failed deep in a figure: "ZeroHeight").
#[test]
fn results_of_another_study_or_emptied_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for (edit, words) in [
        ("cohorts", "'cohorts' list is empty"),
        ("study", "results of study 'zhang2099', not zhang2021"),
    ] {
        let json = edited_results(dir.path(), edit, |v| {
            v[edit] = match edit {
                "cohorts" => Value::Array(Vec::new()),
                _ => Value::String("zhang2099".into()),
            };
        });
        let o = calcscore(&["report", "--results", json.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(words) && !err.contains("ZeroHeight"),
            "{err}"
        );
    }
}

/// A copy of the shipped run in a fresh directory (its marker included) with results.json edited by `edit`;
/// returns the edited results.json.
fn edited_results(dir: &Path, name: &str, edit: impl Fn(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_str(&read(shipped(), "results.json")).unwrap();
    edit(&mut v);
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(shipped()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, out.join(path.file_name().unwrap())).unwrap();
        }
    }
    let json = out.join("results.json");
    std::fs::write(&json, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    json
}

/// A field of the wrong type, or a missing one, is named by the file and its JSON path, in `report --results` and
/// in `check --results` alike (serde's message alone said "invalid type: string "a", expected usize", not where).
#[test]
fn results_read_errors_name_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let wrong_type = edited_results(dir.path(), "wrong_type", |v| {
        v["cohorts"][2]["n_lesions"] = Value::String("a".into())
    });
    let missing = edited_results(dir.path(), "missing", |v| {
        v["flow"].as_object_mut().unwrap().remove("n_analysed");
    });
    for (json, want) in [
        (
            &wrong_type,
            r#"cohorts[2].n_lesions: invalid type: string "a", expected usize"#,
        ),
        (&missing, "flow: missing field `n_analysed`"),
    ] {
        let file = json.to_str().unwrap();
        for args in [
            vec!["report", "--results", file],
            vec!["check", "zhang2021", "--results", file],
        ] {
            let o = calcscore(&args);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(&format!("{file}: {want}")), "{args:?}: {err}");
        }
    }
}

/// A results.json written by a newer calcscore (one patch level above this one) is refused by `report --results`
/// and `check --results`, naming both versions and the fix; an older one is still read (it was accepted silently
/// before, and its report footer then claimed the newer version).
#[test]
fn results_of_a_newer_calcscore_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let this = env!("CARGO_PKG_VERSION");
    let parts: Vec<u64> = this.split('.').map(|p| p.parse().unwrap()).collect();
    let newer = format!("{}.{}.{} (git abc123)", parts[0], parts[1], parts[2] + 1);
    let future = edited_results(dir.path(), "future", |v| {
        v["calcscore_version"] = Value::String(newer.clone())
    });
    let file = future.to_str().unwrap();
    for args in [
        vec!["report", "--results", file],
        vec!["check", "zhang2021", "--results", file],
    ] {
        let o = calcscore(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        let want = format!(
            "{file}: written by calcscore {newer}, newer than this calcscore {this}; its results may hold what \
             this version cannot read. Fix: use calcscore {}.{}.{} or newer",
            parts[0],
            parts[1],
            parts[2] + 1
        );
        assert!(err.contains(&want), "{args:?}: {err}");
    }
    let older = edited_results(dir.path(), "older", |v| {
        v["calcscore_version"] = Value::String("0.0.1 (git abc123)".into())
    });
    let o = calcscore(&["report", "--results", older.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = calcscore(&["check", "zhang2021", "--results", older.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Infinite and undefined numbers survive results.json: the report rendered from the results and the one rendered
/// after writing and reading back results.json are the same bytes. JSON has no Inf or NaN; serde_json wrote null,
/// read back as NaN, so an LR+ of Inf (a zero cell) became "NaN [0.000, NaN]" in the rebuilt table.
#[test]
fn non_finite_numbers_survive_the_results_json_round_trip() {
    let mut res = Results::read(&shipped().join("results.json")).unwrap();
    let accuracy = res.analysis.accuracy.as_mut().unwrap();
    for m in &mut accuracy.measures {
        match m.measure.as_str() {
            "lr_pos" => (m.estimate, m.conf_low, m.conf_high) = (f64::INFINITY, 0.0, f64::INFINITY),
            "lr_neg" => (m.estimate, m.conf_low, m.conf_high) = (f64::NAN, f64::NEG_INFINITY, 2.5),
            _ => {}
        }
    }
    let text = res.to_json();
    let v: Value = serde_json::from_str(&text).unwrap();
    let measures = v["analysis"]["accuracy"]["measures"].as_array().unwrap();
    let lr = |name: &str| measures.iter().find(|m| m["measure"] == name).unwrap();
    let fields = |m: &Value| {
        (
            m["estimate"].clone(),
            m["conf_low"].clone(),
            m["conf_high"].clone(),
        )
    };
    assert_eq!(
        fields(lr("lr_pos")),
        (Value::from("Inf"), Value::from(0.0), Value::from("Inf"))
    );
    assert_eq!(
        fields(lr("lr_neg")),
        (Value::from("NaN"), Value::from("-Inf"), Value::from(2.5))
    );
    let direct = calcscore_studies::zhang2021::render_report(&res).unwrap();
    let back = Results::from_json(&text, "results.json").unwrap();
    let rebuilt = calcscore_studies::zhang2021::render_report(&back).unwrap();
    assert_eq!(direct.len(), rebuilt.len());
    for ((name, a), (name_b, b)) in direct.iter().zip(&rebuilt) {
        assert_eq!(name, name_b);
        assert!(a == b, "{name} differs after the round trip");
    }
    let md = &direct.iter().find(|(n, _)| n == "report.md").unwrap().1;
    let md = String::from_utf8_lossy(md);
    assert!(md.contains("| lr_pos | Inf [0.000, Inf] |"), "{md}");
    assert!(md.contains("| lr_neg | NaN [-Inf, 2.500] |"), "{md}");
}

/// The SYNTHETIC DATA banner follows the recorded SHA-256 of the input, not results.json's editable flag and words:
/// the shipped registry's results with `synthetic: false` and "Real patients." still rebuild a report that says
/// SYNTHETIC DATA (it once said "**Data:** Real patients." over the synthetic file's SHA-256).
#[test]
fn synthetic_banner_follows_the_recorded_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let json = edited_results(dir.path(), "flag", |v| {
        v["data_notice"]["synthetic"] = Value::Bool(false);
        v["data_notice"]["text"] = Value::String("Real patients.".into());
    });
    let out = dir.path().join("out");
    let o = calcscore(&[
        "report",
        "--results",
        json.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("SYNTHETIC DATA"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("> **SYNTHETIC DATA.**"), "{}", &md[..400]);
    assert!(!md.contains("Real patients."));
}

/// Another study's results.json is refused by name by `check` and `report` (check once counted 30 quantities
/// "absent"; report said "missing field `points`").
#[test]
fn another_studys_results_are_refused_by_name() {
    let zhang = shipped().join("results.json");
    let o = calcscore(&[
        "check",
        "denosumab-pilot",
        "--results",
        zhang.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains("holds the results of study 'zhang2021', not denosumab-pilot"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let pilot = dir.path().join("pilot");
    let o = calcscore(&[
        "reproduce",
        "denosumab-pilot",
        "--out",
        pilot.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = calcscore(&["report", "--results", pilot.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains("holds the results of study 'denosumab-pilot', not zhang2021"),
        "{err}"
    );
}
