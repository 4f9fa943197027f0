//! ROC, diagnostic accuracy and hypothesis tests checked against R (pROC, epiR, stats).
//! Expected values: tests/reference/htest/expected.json, written by tests/reference/htest.R.
//! Tolerances: closed-form 1e-9 relative, p-values 1e-6 absolute.

mod common;
use common::{close, num, Tol};

use std::path::PathBuf;
use std::process::Command;

use calcscore_stats::htest::{
    anova_oneway, chisq_2x2, fisher_exact, fisher_exact_2x2, kruskal_wallis, pearson, spearman,
    t_test_one, t_test_paired, wilcoxon_rank_sum, wilcoxon_signed_rank,
};
use calcscore_stats::{binomial_ci, clustered_auc, CiMethod, Direction, Roc, TwoByTwo};
use serde_json::Value;

/// Closed-form values: 1e-9 relative (absolute below 1).
const CLOSED: Tol = Tol::rel(1e-9, 1.0);
const P_ABS: f64 = 1e-6;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/htest")
}

fn expected(case: &str) -> Value {
    let text = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all[case].clone()
}

/// Run the real binary with `--json` and parse its output.
fn cli(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "calcscore {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn data(file: &str) -> String {
    dir().join(file).display().to_string()
}

/// Compare a TestResult (JSON or library) with an R htest entry.
fn check_test(what: &str, got: &Value, want: &Value, stat_tol: Tol) {
    assert_eq!(
        got["method"].as_str().unwrap().trim(),
        want["method"].as_str().unwrap().trim(),
        "{what}: method"
    );
    if want["statistic"].is_number() {
        close(
            &format!("{what} statistic"),
            num(&got["statistic"]),
            num(&want["statistic"]),
            stat_tol,
        );
    }
    if want["df"].is_number() {
        close(
            &format!("{what} df"),
            num(&got["df"]),
            num(&want["df"]),
            stat_tol,
        );
    }
    let (gp, wp) = (num(&got["p_value"]), num(&want["p_value"]));
    assert!((gp - wp).abs() <= P_ABS, "{what} p: got {gp:e}, R {wp:e}");
    if wp < 1e-3 {
        close(
            &format!("{what} p (relative)"),
            gp / wp,
            1.0,
            Tol::rel(1e-6, 1.0),
        );
    }
    for k in ["conf_low", "conf_high"] {
        if want[k].is_number() {
            close(
                &format!("{what} {k}"),
                num(&got[k]),
                num(&want[k]),
                stat_tol,
            );
        }
    }
}

fn lib(t: calcscore_stats::TestResult) -> Value {
    serde_json::to_value(t).unwrap()
}

fn column(file: &str, name: &str) -> Vec<f64> {
    let t = calcscore_data::read_table(&dir().join(file)).unwrap();
    t.numeric(name)
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect()
}

// ---- ROC --------------------------------------------------------------------------------

#[test]
fn roc_lwt_matches_proc_roc_ci_coords_best() {
    // pROC: roc(low, lwt); ci.auc(method="delong"); coords(best, youden)
    let want = expected("roc_lwt");
    // A fresh directory: a fixed name in the shared temporary directory may hold a file calcscore did not write
    // there (another checkout's run), which --coords now refuses to replace.
    let tmp = tempfile::tempdir().unwrap();
    let coords = tmp.path().join("coords_lwt.csv");
    let got = cli(&[
        "roc",
        "--data",
        &data("birthwt.csv"),
        "--marker",
        "lwt",
        "--outcome",
        "low",
        "--coords",
        coords.to_str().unwrap(),
    ]);
    assert_eq!(got["direction"], want["direction"]);
    assert_eq!(got["direction_inferred"], true);
    assert_eq!(got["case_level"], "1");
    let row = &got["rows"][0];
    close("auc", num(&row["estimate"]), num(&want["auc"]), CLOSED);
    close("se", num(&row["std_error"]), num(&want["se"]), CLOSED);
    close(
        "ci low",
        num(&row["conf_low"]),
        num(&want["conf_low"]),
        CLOSED,
    );
    close(
        "ci high",
        num(&row["conf_high"]),
        num(&want["conf_high"]),
        CLOSED,
    );
    let best = &got["best_youden"];
    close(
        "best thr",
        num(&best["threshold"]),
        num(&want["best_threshold"]),
        CLOSED,
    );
    close(
        "best sens",
        num(&best["sensitivity"]),
        num(&want["best_sensitivity"]),
        CLOSED,
    );
    close(
        "best spec",
        num(&best["specificity"]),
        num(&want["best_specificity"]),
        CLOSED,
    );
    assert_eq!(got["n_coords"], want["n_coords"]);
    let ours = std::fs::read_to_string(&coords).unwrap();
    let theirs = std::fs::read_to_string(dir().join("coords_lwt.csv")).unwrap();
    for (a, b) in ours.lines().zip(theirs.lines()).skip(1) {
        for (x, y) in a.split(',').zip(b.split(',')) {
            let (x, y) = (parse_r(x), parse_r(y));
            assert!(x == y || (x - y).abs() < 1e-12, "coords row {a} vs R {b}");
        }
    }
    assert_eq!(ours.lines().count(), theirs.lines().count());
}

fn parse_r(s: &str) -> f64 {
    match s {
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap(),
    }
}

#[test]
fn roc_age_library_matches_proc() {
    let want = expected("roc_age");
    let roc = Roc::new(
        &column("birthwt.csv", "age"),
        &outcome("birthwt.csv", "low"),
        Direction::Auto,
    )
    .unwrap();
    assert_eq!(roc.direction(), Direction::ControlsGreater);
    close("auc", roc.auc(), num(&want["auc"]), CLOSED);
    close("se", roc.delong_se(), num(&want["se"]), CLOSED);
    let (lo, hi) = roc.delong_ci(0.95);
    close("lo", lo, num(&want["conf_low"]), CLOSED);
    close("hi", hi, num(&want["conf_high"]), CLOSED);
    let b = roc.best_youden();
    close("best", b.threshold, num(&want["best_threshold"]), CLOSED);
    assert_eq!(roc.coords().len() as f64, num(&want["n_coords"]));
}

fn outcome(file: &str, name: &str) -> Vec<bool> {
    column(file, name).into_iter().map(|v| v == 1.0).collect()
}

#[test]
fn roc_forced_direction_lt() {
    // pROC: roc(low, lwt, direction = "<")
    let want = expected("roc_lwt_lt");
    let got = cli(&[
        "roc",
        "--data",
        &data("birthwt.csv"),
        "--marker",
        "lwt",
        "--outcome",
        "low",
        "--direction",
        "lt",
    ]);
    assert_eq!(got["direction"], "<");
    let row = &got["rows"][0];
    close("auc", num(&row["estimate"]), num(&want["auc"]), CLOSED);
    close("lo", num(&row["conf_low"]), num(&want["conf_low"]), CLOSED);
    close(
        "hi",
        num(&row["conf_high"]),
        num(&want["conf_high"]),
        CLOSED,
    );
}

#[test]
fn paired_delong_test_matches_roc_test() {
    // pROC: roc.test(roc(low, lwt), roc(low, age), method = "delong", paired = TRUE)
    let want = expected("roc_test_lwt_age");
    let got = cli(&[
        "roc",
        "--data",
        &data("birthwt.csv"),
        "--marker",
        "lwt",
        "--outcome",
        "low",
        "--marker2",
        "age",
    ]);
    let t = &got["delong_test"];
    check_test("roc.test", t, &want, CLOSED);
    close("diff", num(&t["estimate"]), num(&want["estimate"]), CLOSED);
}

#[test]
fn clustered_auc_matches_obuchowski_formula_in_r() {
    // R: brute-force Obuchowski (1997) variance over all case-control pairs.
    let want = expected("clustered");
    let got = cli(&[
        "roc",
        "--data",
        &data("clustered.csv"),
        "--marker",
        "lesion_marker",
        "--outcome",
        "calcified",
        "--cluster",
        "patient",
    ]);
    let c = &got["clustered"];
    close("auc", num(&c["auc"]), num(&want["auc"]), CLOSED);
    close("se", num(&c["std_error"]), num(&want["se"]), CLOSED);
    close("lo", num(&c["conf_low"]), num(&want["conf_low"]), CLOSED);
    close("hi", num(&c["conf_high"]), num(&want["conf_high"]), CLOSED);
    assert_eq!(c["n_clusters"], want["n_clusters"]);
}

#[test]
fn clustered_auc_with_singletons_is_delong() {
    // R: Obuchowski formula with one lesion per cluster equals pROC's DeLong SE.
    let want = expected("clustered_singletons_lwt");
    let marker = column("birthwt.csv", "lwt");
    let y = outcome("birthwt.csv", "low");
    let ids: Vec<usize> = (0..marker.len()).collect();
    let c = clustered_auc(&marker, &y, &ids, Direction::Auto, 0.95).unwrap();
    close(
        "se vs formula",
        c.std_error,
        num(&want["se_obuchowski"]),
        CLOSED,
    );
    close("se vs pROC", c.std_error, num(&want["se_delong"]), CLOSED);
}

#[test]
fn one_class_is_an_error() {
    let e = Roc::new(&[1.0, 2.0], &[true, true], Direction::Auto).unwrap_err();
    assert!(e.to_string().contains("only one class"), "{e}");
}

// ---- Diagnostic 2x2 -----------------------------------------------------------------------

fn check_measures(got: &Value, want: &Value, ci: &str) {
    for m in got["rows"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let w = &want[name];
        if name.starts_with("lr_") {
            if w["estimate"].is_number() {
                close(name, num(&m["estimate"]), num(&w["estimate"]), CLOSED);
                close(name, num(&m["conf_low"]), num(&w["conf_low"]), CLOSED);
                close(name, num(&m["conf_high"]), num(&w["conf_high"]), CLOSED);
            } else {
                // epiR gives Inf / NaN: we give null (+Inf) and a note.
                assert!(m["estimate"].is_null() && m["note"].is_string(), "{m}");
            }
            continue;
        }
        close(name, num(&m["estimate"]), num(&w["estimate"]), CLOSED);
        close(
            name,
            num(&m["conf_low"]),
            num(&w[format!("{ci}_low")]),
            CLOSED,
        );
        close(
            name,
            num(&m["conf_high"]),
            num(&w[format!("{ci}_high")]),
            CLOSED,
        );
    }
}

#[test]
fn diagnose_smoking_matches_binom_prop_and_epi_tests() {
    // R: binom.test / prop.test(correct = FALSE) per proportion; epiR::epi.tests for LRs.
    let want = expected("diag_smoke");
    for ci in ["wilson", "exact"] {
        let got = cli(&[
            "diagnose",
            "--data",
            &data("birthwt.csv"),
            "--marker",
            "smoke",
            "--outcome",
            "low",
            "--cutoff",
            "1",
            "--ci",
            ci,
        ]);
        assert_eq!(got["table"]["tp"], want["tp"]);
        assert_eq!(got["table"]["fn"], want["fn"]);
        assert_eq!(got["rows"].as_array().unwrap().len(), 7);
        check_measures(&got, &want, ci);
    }
}

#[test]
fn diagnose_zero_cell_keeps_valid_intervals_and_notes() {
    let want = expected("diag_zero_fp");
    let got = cli(&[
        "diagnose",
        "--data",
        &data("zero_cell.csv"),
        "--marker",
        "marker",
        "--outcome",
        "disease",
        "--cutoff",
        "1",
        "--ci",
        "exact",
    ]);
    assert_eq!(got["table"]["fp"], 0);
    check_measures(&got, &want, "exact");
    let t = TwoByTwo {
        tp: 12,
        fp: 0,
        fn_: 3,
        tn: 20,
    };
    let lr = t.measure("lr_pos", CiMethod::Wilson, 0.95).unwrap();
    assert!(lr.estimate.is_infinite() && lr.note.unwrap().contains("zero cell"));
}

#[test]
fn binomial_ci_at_90_percent() {
    // R: prop.test(7, 23, correct = FALSE, conf.level = 0.9); binom.test(7, 23, conf.level = 0.9)
    let want = expected("binom_90");
    let (lo, hi) = binomial_ci(7, 23, CiMethod::Wilson, 0.9);
    close("wilson lo", lo, num(&want["wilson"][0]), CLOSED);
    close("wilson hi", hi, num(&want["wilson"][1]), CLOSED);
    let (lo, hi) = binomial_ci(7, 23, CiMethod::Exact, 0.9);
    close("exact lo", lo, num(&want["exact"][0]), CLOSED);
    close("exact hi", hi, num(&want["exact"][1]), CLOSED);
}

// ---- compare -----------------------------------------------------------------------------

#[test]
fn compare_by_smoking_matches_t_wilcox_chisq_fisher() {
    let got = cli(&[
        "compare",
        "--data",
        &data("birthwt.csv"),
        "--by",
        "smoke",
        "--vars",
        "bwt,age,ht,race",
        "--factors",
        "race",
    ]);
    let vars = got["variables"].as_array().unwrap();
    for (v, prefix) in vars.iter().zip(["bwt", "age"]) {
        let tests = v["tests"].as_array().unwrap();
        // R: t.test(x0, x1); t.test(..., var.equal = TRUE); wilcox.test(x0, x1)
        check_test(
            "welch",
            &tests[0],
            &expected(&format!("{prefix}_welch")),
            CLOSED,
        );
        check_test(
            "student",
            &tests[1],
            &expected(&format!("{prefix}_student")),
            CLOSED,
        );
        check_test(
            "wilcox",
            &tests[2],
            &expected(&format!("{prefix}_wilcox")),
            CLOSED,
        );
        let w = expected(&format!("{prefix}_welch"));
        let diff = num(&w["estimate"][0]) - num(&w["estimate"][1]);
        close("mean diff", num(&tests[0]["estimate"]), diff, CLOSED);
        let smd = num(&expected(&format!("{prefix}_smd"))["estimate"]);
        close("smd", num(&v["smd"]), smd, CLOSED);
    }
    let ht = vars[2]["tests"].as_array().unwrap();
    check_test("chisq yates", &ht[0], &expected("ht_chisq"), CLOSED);
    check_test("chisq", &ht[1], &expected("ht_chisq_nocorrect"), CLOSED);
    // Fisher: p exact; OR and CI vs a tight re-solve of fisher.test's equations (1e-8),
    // and vs fisher.test itself at its uniroot tolerance (1e-4).
    let want = expected("ht_fisher");
    let tight = expected("ht_fisher_tight");
    assert!((num(&ht[2]["p_value"]) - num(&want["p_value"])).abs() < P_ABS);
    for k in ["estimate", "conf_low", "conf_high"] {
        close(k, num(&ht[2][k]), num(&tight[k]), Tol::rel(1e-8, 1.0));
        close(k, num(&ht[2][k]), num(&want[k]), Tol::rel(1e-4, 1.0));
    }
    check_test(
        "race chisq",
        &vars[3]["tests"][0],
        &expected("race_chisq"),
        CLOSED,
    );
}

#[test]
fn compare_sleep_rank_sum_with_ties() {
    // R: wilcox.test(extra ~ group, data = sleep) (ties: normal approximation)
    let got = cli(&[
        "compare",
        "--data",
        &data("sleep.csv"),
        "--by",
        "group",
        "--vars",
        "extra",
    ]);
    check_test(
        "rank sum",
        &got["variables"][0]["tests"][2],
        &expected("sleep_rank_sum"),
        CLOSED,
    );
}

#[test]
fn fisher_and_chisq_of_smoke_by_low_and_zero_cell() {
    let t = fisher_exact_2x2([[86, 29], [44, 30]], 0.95).unwrap();
    let want = expected("smoke_low_fisher");
    let tight = expected("smoke_low_fisher_tight");
    assert!((t.p_value - num(&want["p_value"])).abs() < P_ABS);
    let odds = [
        ("or", t.estimate, "estimate"),
        ("lo", t.conf_low, "conf_low"),
        ("hi", t.conf_high, "conf_high"),
    ];
    for (what, got, field) in odds {
        close(what, got.unwrap(), num(&tight[field]), Tol::rel(1e-8, 1.0));
    }
    // matrix(c(12, 3, 0, 20), 2): [[12, 0], [3, 20]]
    let z = fisher_exact_2x2([[12, 0], [3, 20]], 0.95).unwrap();
    let want = expected("zero_fisher");
    close(
        "zero p",
        z.p_value / num(&want["p_value"]),
        1.0,
        Tol::rel(1e-9, 1.0),
    );
    assert!(z.estimate.unwrap().is_infinite() && z.conf_high.unwrap().is_infinite());
    close(
        "zero lo",
        z.conf_low.unwrap(),
        num(&want["conf_low"]),
        Tol::rel(1e-4, 1.0),
    );
    check_test(
        "zero chisq",
        &lib(chisq_2x2([[12, 0], [3, 20]], true).unwrap()),
        &expected("zero_chisq"),
        CLOSED,
    );
    check_test(
        "zero chisq nc",
        &lib(chisq_2x2([[12, 0], [3, 20]], false).unwrap()),
        &expected("zero_chisq_nocorrect"),
        CLOSED,
    );
}

/// Fisher's exact test of r×c tables; p-values printed by tests/reference/fisher_rxc.R (R 4.2.2).
#[test]
fn fisher_rxc_matches_fisher_test() {
    let cases: [(&str, Vec<Vec<usize>>, f64); 5] = [
        // fisher.test(matrix(c(3, 1, 2, 4, 0, 5), nrow = 2))
        (
            "2x3",
            vec![vec![3, 2, 0], vec![1, 4, 5]],
            0.09590409590409613,
        ),
        // fisher.test(matrix(c(2, 0, 1, 1, 3, 0, 0, 1, 4), nrow = 3))
        (
            "3x3",
            vec![vec![2, 1, 0], vec![0, 3, 1], vec![1, 0, 4]],
            0.034992784992784826,
        ),
        // fisher.test(matrix(c(3, 1, 1, 1, 3, 1, 1, 1, 3), nrow = 3)): symmetric margins, many tables as
        // likely as the observed one (the tolerance decides them)
        (
            "3x3 ties",
            vec![vec![3, 1, 1], vec![1, 3, 1], vec![1, 1, 3]],
            0.5718567147138568,
        ),
        // fisher.test(matrix(c(5, 1, 0, 4, 2, 2, 1, 6), nrow = 2))
        (
            "2x4",
            vec![vec![5, 0, 2, 1], vec![1, 4, 2, 6]],
            0.024448375841564392,
        ),
        // fisher.test(matrix(c(3, 1, 1, 3), nrow = 2)): the same p as the 2×2 test
        ("2x2", vec![vec![3, 1], vec![1, 3]], 0.4857142857142858),
    ];
    for (what, table, want) in cases {
        let got = fisher_exact(&table).unwrap();
        assert_eq!(got.method, "Fisher's Exact Test for Count Data", "{what}");
        close(what, got.p_value, want, Tol::rel(1e-12, 1.0));
        assert!(got.estimate.is_none(), "{what}");
    }
    // 2×2 by hand: margins 4, 4 / 4, 4; P(x) = C(4,x) C(4,4-x) / C(8,4) = 1, 16, 36, 16, 1 over 70; the observed
    // x = 3 has 16/70, so p = (1 + 16 + 16 + 1) / 70 = 34/70, as fisher_exact_2x2.
    close(
        "2x2 by hand",
        fisher_exact_2x2([[3, 1], [1, 3]], 0.95).unwrap().p_value,
        34.0 / 70.0,
        Tol::rel(1e-12, 1.0),
    );
}

/// Beyond listing tables one by one: fisher.test(matrix(c(25, 15, 18, 22, 30, 12, 20, 20, 17, 23, 21, 19, 26, 14,
/// 16, 24), nrow = 2)), n = 322, gives p = 0.033982327324385296 (FEXACT sums in another order: 1e-10 relative).
#[test]
fn fisher_2x8_needs_the_network_bounds() {
    let t = vec![
        vec![25, 18, 30, 20, 17, 21, 26, 16],
        vec![15, 22, 12, 20, 23, 19, 14, 24],
    ];
    let got = fisher_exact(&t).unwrap();
    close(
        "2x8",
        got.p_value,
        0.033982327324385296,
        Tol::rel(1e-10, 1.0),
    );
}

/// A table too large for the step limit is refused with a reason, never given a wrong p. R's fisher.test refuses
/// this one too with its default workspace ("FEXACT error 7 ... LDSTP too small", tests/reference/fisher_rxc.R).
#[test]
fn fisher_rxc_too_many_steps_is_refused() {
    let e = fisher_exact(&big_2x10()).unwrap_err().to_string();
    assert!(e.contains("too many to enumerate"), "{e}");
    assert!(e.contains("2×10") && e.contains("n = 991"), "{e}");
}

/// matrix(c(50, 45, 45, 52, 60, 41, 40, 60, 55, 44, 48, 50, 52, 49, 47, 53, 61, 38, 39, 62), nrow = 2)
fn big_2x10() -> Vec<Vec<usize>> {
    vec![
        vec![50, 45, 60, 40, 55, 48, 52, 47, 61, 39],
        vec![45, 52, 41, 60, 44, 50, 49, 53, 38, 62],
    ]
}

#[test]
fn compare_gives_fisher_for_a_2x3_table() {
    // R (tests/reference/fisher_rxc.R): d <- read.csv("tests/reference/fisher_rxc/compare.csv");
    // fisher.test(table(d$group, d$stage))$p.value; chisq.test(table(d$group, d$stage))
    let got = cli(&[
        "compare",
        "--data",
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/reference/fisher_rxc/compare.csv")
            .display()
            .to_string(),
        "--by",
        "group",
        "--vars",
        "stage",
    ]);
    let v = &got["variables"][0];
    assert_eq!(v["levels"], serde_json::json!(["I", "II", "III"]));
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2, "{v}");
    assert_eq!(tests[0]["method"], "Pearson's Chi-squared test");
    close("X-squared", num(&tests[0]["statistic"]), 5.625, CLOSED);
    close(
        "chisq p",
        num(&tests[0]["p_value"]),
        0.060054667895307945,
        CLOSED,
    );
    assert_eq!(tests[1]["method"], "Fisher's Exact Test for Count Data");
    close(
        "fisher p",
        num(&tests[1]["p_value"]),
        0.09590409590409613,
        Tol::rel(1e-12, 1.0),
    );
}

#[test]
fn compare_says_when_fisher_is_too_large() {
    let dirt = tempfile::tempdir().unwrap();
    let path = dirt.path().join("wide.csv");
    let mut text = String::from("g,level\n");
    for (g, row) in ["a", "b"].iter().zip(big_2x10()) {
        for (l, count) in row.iter().enumerate() {
            for _ in 0..*count {
                text.push_str(&format!("{g},L{:02}\n", l + 1));
            }
        }
    }
    std::fs::write(&path, text).unwrap();
    let got = cli(&[
        "compare",
        "--data",
        path.to_str().unwrap(),
        "--by",
        "g",
        "--vars",
        "level",
    ]);
    let v = &got["variables"][0];
    let tests = v["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{v}");
    assert_eq!(tests[0]["method"], "Pearson's Chi-squared test");
    let notes = v["notes"].to_string();
    assert!(
        notes.contains("Fisher's exact test not computed")
            && notes.contains("read the chi-squared test"),
        "{notes}"
    );
}

// ---- paired, one-sample, correlate ---------------------------------------------------------

#[test]
fn paired_sleep_and_anorexia_through_cli() {
    // R: t.test(drug1, drug2, paired = TRUE); wilcox.test(drug1, drug2, paired = TRUE)
    let got = cli(&[
        "paired",
        "--data",
        &data("sleep_wide.csv"),
        "--before",
        "drug1",
        "--after",
        "drug2",
    ]);
    check_test(
        "sleep t",
        &got["tests"][0],
        &expected("sleep_paired_t"),
        CLOSED,
    );
    close(
        "sleep diff",
        num(&got["tests"][0]["estimate"]),
        num(&expected("sleep_paired_t")["estimate"]),
        CLOSED,
    );
    check_test(
        "sleep V",
        &got["tests"][1],
        &expected("sleep_signed_rank"),
        CLOSED,
    );
    let got = cli(&[
        "paired",
        "--data",
        &data("anorexia.csv"),
        "--before",
        "Prewt",
        "--after",
        "Postwt",
    ]);
    check_test(
        "anorexia t",
        &got["tests"][0],
        &expected("anorexia_paired_t"),
        CLOSED,
    );
    check_test(
        "anorexia V",
        &got["tests"][1],
        &expected("anorexia_signed_rank"),
        CLOSED,
    );
}

/// Run the binary expecting a refusal; its exit code and stderr.
fn cli_refused(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn paired_constant_differences_name_file_and_columns() {
    let dirt = tempfile::tempdir().unwrap();
    let path = dirt.path().join("shift.csv");
    // pre - post = 5 on every row; pre2 - post2 = 5 only up to rounding
    std::fs::write(
        &path,
        "pre,post,pre2,post2\n1,-4,10.3,5.3\n2,-3,7.1,2.1\n3,-2,3.3,-1.7\n4,-1,8.8,3.8\n",
    )
    .unwrap();
    let data = path.to_str().unwrap();
    let got = cli(&[
        "paired", "--data", data, "--before", "pre", "--after", "post",
    ]);
    let tests = got["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{got}");
    // R: wilcox.test(c(1, 2, 3, 4), c(-4, -3, -2, -1), paired = TRUE) gives V = 10, p = 0.0718606382258516
    // (warning: cannot compute exact p-value with ties); t.test(..., paired = TRUE) stops: "data are
    // essentially constant". By hand: the 4 ranks tie at 2.5, V = 10, E(V) = 4*5/4 = 5,
    // Var(V) = 4*5*9/24 - (4^3 - 4)/48 = 6.25, z = (10 - 5 - 0.5)/2.5 = 1.8, p = 2 * (1 - Phi(1.8)).
    assert_eq!(
        tests[0]["method"],
        "Wilcoxon signed rank test with continuity correction"
    );
    assert_eq!(num(&tests[0]["statistic"]), 10.0);
    close("V p", num(&tests[0]["p_value"]), 0.0718606382258516, CLOSED);
    let note = got["notes"][0].as_str().unwrap();
    for words in [
        "shift.csv",
        "every difference 'pre' - 'post' is 5 on the 4 rows used",
        "paired t-test is not given",
        "essentially constant",
    ] {
        assert!(note.contains(words), "{words:?} not in {note}");
    }
    // 10.3 - 5.3 = 5.000000000000001 in floating point: t.test(c(10.3, 7.1, 3.3, 8.8), c(5.3, 2.1, -1.7, 3.8),
    // paired = TRUE) still stops ("data are essentially constant"); wilcox.test gives V = 10,
    // p = 0.09467071984550877 (two tie groups of 2: Var(V) = 7.5 - 2 * 6/48 = 7.25).
    let got = cli(&[
        "paired", "--data", data, "--before", "pre2", "--after", "post2",
    ]);
    let tests = got["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{got}");
    close(
        "V p rounding",
        num(&tests[0]["p_value"]),
        0.09467071984550877,
        CLOSED,
    );
    let note = got["notes"][0].as_str().unwrap();
    assert!(
        note.contains("every difference 'pre2' - 'post2' is 5 up to rounding"),
        "{note}"
    );
}

#[test]
fn paired_all_zero_differences_are_refused_naming_file_and_columns() {
    let dirt = tempfile::tempdir().unwrap();
    let path = dirt.path().join("same.csv");
    std::fs::write(&path, "a,b\n1,1\n2,2\n3.5,3.5\n").unwrap();
    // R: t.test(a, b, paired = TRUE) gives t = NaN, p = NA; wilcox.test(a, b, paired = TRUE) V = 0, p = NA.
    let (code, err) = cli_refused(&[
        "paired",
        "--data",
        path.to_str().unwrap(),
        "--before",
        "a",
        "--after",
        "b",
    ]);
    assert_eq!(code, Some(1), "{err}");
    for words in [
        "same.csv",
        "every difference 'a' - 'b' is 0 on the 3 rows used",
        "no paired test is defined",
    ] {
        assert!(err.contains(words), "{words:?} not in {err}");
    }
}

#[test]
fn exact_signed_rank_and_rank_sum() {
    // R: wilcox.test(x, y, paired = TRUE) on ?wilcox.test's depression data (exact)
    let x = column("depression.csv", "x");
    let y = column("depression.csv", "y");
    check_test(
        "signed rank exact",
        &lib(wilcoxon_signed_rank(&x, &y, None, true).unwrap()),
        &expected("depression_signed_rank_exact"),
        CLOSED,
    );
    check_test(
        "paired t",
        &lib(t_test_paired(&x, &y, 0.95).unwrap()),
        &expected("depression_paired_t"),
        CLOSED,
    );
    let v = column("permeability.csv", "value");
    let (a, b) = v.split_at(10);
    check_test(
        "rank sum exact",
        &lib(wilcoxon_rank_sum(a, b, None, true).unwrap()),
        &expected("permeability_rank_sum_exact"),
        CLOSED,
    );
    check_test(
        "rank sum normal",
        &lib(wilcoxon_rank_sum(a, b, Some(false), true).unwrap()),
        &expected("permeability_rank_sum_normal"),
        CLOSED,
    );
}

#[test]
fn one_sample_t() {
    // R: t.test(sleep$extra, mu = 0.5)
    let x = column("sleep.csv", "extra");
    let t = t_test_one(&x, 0.5, 0.95).unwrap();
    let want = expected("sleep_one_sample");
    check_test("one sample", &lib(t.clone()), &want, CLOSED);
    close("mean", t.estimate.unwrap(), num(&want["estimate"]), CLOSED);
}

#[test]
fn correlate_anorexia_through_cli() {
    // R: cor.test(Prewt, Postwt); cor.test(..., method = "spearman") (ties: t approximation)
    let got = cli(&[
        "correlate",
        "--data",
        &data("anorexia.csv"),
        "--x",
        "Prewt",
        "--y",
        "Postwt",
    ]);
    check_test(
        "pearson",
        &got["tests"][0],
        &expected("anorexia_pearson"),
        CLOSED,
    );
    close(
        "r",
        num(&got["tests"][0]["estimate"]),
        num(&expected("anorexia_pearson")["estimate"]),
        CLOSED,
    );
    check_test(
        "spearman",
        &got["tests"][1],
        &expected("anorexia_spearman"),
        CLOSED,
    );
    close(
        "rho",
        num(&got["tests"][1]["estimate"]),
        num(&expected("anorexia_spearman")["estimate"]),
        CLOSED,
    );
}

#[test]
fn spearman_exact_and_edgeworth() {
    for case in ["depression_spearman_exact", "spearman_edgeworth"] {
        let want = expected(case);
        let xs: Vec<f64> = want["x"].as_array().unwrap().iter().map(num).collect();
        let ys: Vec<f64> = want["y"].as_array().unwrap().iter().map(num).collect();
        let got = lib(spearman(&xs, &ys).unwrap());
        check_test(case, &got, &want, CLOSED);
        close(case, num(&got["estimate"]), num(&want["estimate"]), CLOSED);
        let p = pearson(&xs, &ys, 0.95).unwrap();
        assert!(p.estimate.is_some());
    }
}

#[test]
fn anova_and_kruskal_of_birthweight_by_race() {
    // R: oneway.test(bwt ~ race, var.equal = TRUE); kruskal.test(bwt ~ race)
    let bwt = column("birthwt.csv", "bwt");
    let race = column("birthwt.csv", "race");
    let groups: Vec<Vec<f64>> = (1..=3)
        .map(|r| {
            bwt.iter()
                .zip(&race)
                .filter(|(_, &g)| g == r as f64)
                .map(|(&b, _)| b)
                .collect()
        })
        .collect();
    check_test(
        "anova",
        &lib(anova_oneway(&groups).unwrap()),
        &expected("bwt_race_anova"),
        CLOSED,
    );
    check_test(
        "kruskal",
        &lib(kruskal_wallis(&groups).unwrap()),
        &expected("bwt_race_kruskal"),
        CLOSED,
    );
}

// ---- input handling ------------------------------------------------------------------------

/// Run the binary expecting failure; return stderr.
fn cli_err(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .output()
        .unwrap();
    assert!(!out.status.success(), "calcscore {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn text_outcome_and_missing_values_are_reported() {
    // birthwt with low as "no"/"yes" and two missing lwt: same AUC as R on the complete rows.
    let dirt = tempfile::tempdir().unwrap();
    let path = dirt.path().join("bw_text.csv");
    let lwt = column("birthwt.csv", "lwt");
    let low = column("birthwt.csv", "low");
    let mut s = String::from("lwt,low\n");
    for (i, (w, l)) in lwt.iter().zip(&low).enumerate() {
        let w = if i < 2 {
            "NA".to_string()
        } else {
            w.to_string()
        };
        s.push_str(&format!("{w},{}\n", if *l == 1.0 { "yes" } else { "no" }));
    }
    std::fs::write(&path, s).unwrap();
    let got = cli(&[
        "roc",
        "--data",
        path.to_str().unwrap(),
        "--marker",
        "lwt",
        "--outcome",
        "low",
    ]);
    assert_eq!(got["case_level"], "yes");
    assert_eq!(got["n"], 187);
    assert_eq!(got["dropped"][0]["column"], "lwt");
    assert_eq!(got["dropped"][0]["missing"], 2);
    // Hand check against the library on the same complete rows.
    let roc = Roc::new(
        &lwt[2..],
        &low[2..].iter().map(|&v| v == 1.0).collect::<Vec<_>>(),
        Direction::Auto,
    )
    .unwrap();
    close(
        "auc",
        num(&got["rows"][0]["estimate"]),
        roc.auc(),
        Tol::rel(1e-15, 1.0),
    );
    // --case no swaps the classes: auto direction flips to "<" and the AUC is unchanged.
    let swapped = cli(&[
        "roc",
        "--data",
        path.to_str().unwrap(),
        "--marker",
        "lwt",
        "--outcome",
        "low",
        "--case",
        "no",
    ]);
    assert_eq!(swapped["case_level"], "no");
    assert_eq!(swapped["direction"], "<");
    close(
        "auc swapped",
        num(&swapped["rows"][0]["estimate"]),
        roc.auc(),
        Tol::rel(1e-15, 1.0),
    );
}

#[test]
fn bad_outcome_coding_names_the_row() {
    let dirt = tempfile::tempdir().unwrap();
    let path = dirt.path().join("bad.csv");
    std::fs::write(&path, "m,y\n1,0\n2,1\n3,2\n").unwrap();
    let e = cli_err(&[
        "roc",
        "--data",
        path.to_str().unwrap(),
        "--marker",
        "m",
        "--outcome",
        "y",
    ]);
    assert!(
        e.contains("row 4") && e.contains("'y'") && e.contains("0 (control) / 1 (case)"),
        "{e}"
    );
    let e = cli_err(&[
        "diagnose",
        "--data",
        path.to_str().unwrap(),
        "--marker",
        "m",
        "--outcome",
        "m",
        "--cutoff",
        "1",
    ]);
    // m = 2 on spreadsheet row 3 is the first value that is not 0/1.
    assert!(e.contains("row 3"), "{e}");
}

#[test]
fn compare_keeps_going_when_a_test_is_undefined() {
    let dirt = tempfile::tempdir().unwrap();
    let path = dirt.path().join("few.csv");
    std::fs::write(&path, "g,x\na,1\na,2\nb,3\n").unwrap();
    let got = cli(&[
        "compare",
        "--data",
        path.to_str().unwrap(),
        "--by",
        "g",
        "--vars",
        "x",
    ]);
    let v = &got["variables"][0];
    // Only the rank-sum test is defined: W = 0, exact p = 2 * P(W <= 0) = 2 * 1/3 (C(3,1) = 3).
    assert_eq!(v["tests"].as_array().unwrap().len(), 1);
    close(
        "p",
        num(&v["tests"][0]["p_value"]),
        2.0 / 3.0,
        Tol::rel(1e-15, 1.0),
    );
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("Welch t-test not computed"));
    assert!(v["groups"][1]["sd"].is_null());
}

#[test]
fn larger_exact_wilcoxon_cases() {
    // R: wilcox.test(x, y) with 30 vs 40 values; wilcox.test(x, y, paired = TRUE), n = 45.
    for (case, paired) in [
        ("rank_sum_exact_30_40", false),
        ("signed_rank_exact_45", true),
    ] {
        let want = expected(case);
        let x: Vec<f64> = want["x"].as_array().unwrap().iter().map(num).collect();
        let y: Vec<f64> = want["y"].as_array().unwrap().iter().map(num).collect();
        let got = if paired {
            wilcoxon_signed_rank(&x, &y, None, true)
        } else {
            wilcoxon_rank_sum(&x, &y, None, true)
        };
        check_test(case, &lib(got.unwrap()), &want, CLOSED);
    }
}

/// A NaN or an infinity is no group and no level in compare (it once compared '1 vs NaN'): refused naming the
/// file, the row and the column, as table1 and fit refuse it.
#[test]
fn compare_refuses_nan_and_infinite_groups_and_levels() {
    let dirt = tempfile::tempdir().unwrap();
    let cases = [
        ("arm,y\n1,2.5\nNaN,3.0\n1,4.0\n2,1.0\n", "arm", "y", "row 3"),
        ("arm,y\n1,2.5\ninf,3.0\n2,1.0\n", "arm", "y", "row 3"),
        ("arm,k\na,0\nb,1\na,nan\nb,2\n", "arm", "k", "row 4"),
    ];
    for (k, (body, by, var, row)) in cases.into_iter().enumerate() {
        let path = dirt.path().join(format!("nan{k}.csv"));
        std::fs::write(&path, body).unwrap();
        let data = path.to_str().unwrap();
        let (code, err) = cli_refused(&[
            "compare",
            "--data",
            data,
            "--by",
            by,
            "--vars",
            var,
            "--factors",
            var,
        ]);
        assert_eq!(code, Some(1), "{body}: {err}");
        let column = if k == 2 { var } else { by };
        assert!(
            err.contains(row) && err.contains(column) && err.contains("not accepted"),
            "{body}: {err}"
        );
    }
}

/// A tie for the best Youden index lists every tied threshold, as pROC does:
/// `coords(roc(y, m), "best")` on m = 1..6, y = 0 0 1 0 1 1 gives 2.5 (specificity 0.667, sensitivity 1) and 4.5
/// (specificity 1, sensitivity 0.667), both with Youden index 2/3.
#[test]
fn roc_lists_every_threshold_tied_for_youden() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("yt.csv");
    std::fs::write(&f, "m,y\n1,0\n2,0\n3,1\n4,0\n5,1\n6,1\n").unwrap();
    let got = cli(&[
        "roc",
        "--data",
        f.to_str().unwrap(),
        "--marker",
        "m",
        "--outcome",
        "y",
    ]);
    assert_eq!(num(&got["best_youden"]["threshold"]), 2.5);
    let tied = got["youden_tied"].as_array().unwrap();
    assert_eq!(tied.len(), 1);
    assert_eq!(num(&tied[0]["threshold"]), 4.5);
    close(
        "sensitivity",
        num(&tied[0]["sensitivity"]),
        2.0 / 3.0,
        CLOSED,
    );
    assert_eq!(num(&tied[0]["specificity"]), 1.0);
}

/// Markers oriented in opposite directions by pROC's rule: the paired test says so on stderr, as pROC's roc.test
/// warns ("DeLong's test should not be applied to ROC curves with a different direction"). In birthwt, ftv is
/// lower in cases (median controls 1 > cases 0: ">") and ptl higher (median 0 = 0: "<").
#[test]
fn paired_test_warns_when_directions_differ() {
    let bw = data("birthwt.csv");
    let args = [
        "roc",
        "--data",
        &bw,
        "--marker",
        "ftv",
        "--outcome",
        "low",
        "--marker2",
        "ptl",
    ];
    let out = common::calcscore(&args);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'ftv' (>) and 'ptl' (<) were oriented in opposite directions"),
        "{err}"
    );
    let same = common::calcscore(&[
        "roc",
        "--data",
        &bw,
        "--marker",
        "lwt",
        "--outcome",
        "low",
        "--marker2",
        "age",
    ]);
    assert!(!String::from_utf8_lossy(&same.stderr).contains("opposite directions"));
}
