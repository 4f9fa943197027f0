//! `calcscore reproduce zhang2021 --impute M` through the binary on the shipped registry: which lesions are kept
//! by imputation (counted independently from datasets/zhang2021_synthetic.csv, see below), what is imputed, the
//! complete-case column equal to the published reproduction, the section in report.html with the numbers of
//! imputation.json, and nothing added without --impute.

mod common;
use common::calcscore;

use serde_json::Value;

/// Counted with Python's csv module from the shipped file: lesions with post_ivus = 0 that meet none of the
/// study's rules when post_ivus is read as 1 (cto = 0, isr = 0, max_calcium_angle_deg > 270, pre_ivus = 1,
/// cutting_scoring_balloon = 0, not atherectomy without angio_calcium): 161 of the 313 without post-PCI IVUS;
/// by angio_calcium/atherectomy: 111 in the A/B pool, 8 atherectomy (C), 42 without angiographic calcium (D).
const KEPT: u64 = 161;

fn run(out: &std::path::Path, extra: &[&str]) {
    let mut a = vec!["reproduce", "zhang2021", "--out", out.to_str().unwrap()];
    a.extend_from_slice(extra);
    let o = calcscore(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn kept_lesions_imputed_and_pooled_beside_complete_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, &["--impute", "3"]);
    let j: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("imputation.json")).unwrap())
            .unwrap();
    let s = &j["sensitivity"];
    assert_eq!(s["n_kept"], KEPT);
    assert_eq!(s["n_still_excluded"], 313 - KEPT);
    let by: Vec<(String, u64)> = s["kept_by_cohort"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_u64().unwrap()))
        .collect();
    assert_eq!(by[0].1 + by[1].1, 111, "A/B pool");
    assert_eq!((by[2].1, by[3].1), (8, 42), "C, D");
    // Each post-PCI value of the kept lesions is imputed, nothing else.
    let cols = j["imputation"]["columns"].as_array().unwrap();
    let names: Vec<&str> = cols.iter().map(|c| c["column"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "stent_area_mm2",
            "ref_lumen_area_proximal_mm2",
            "ref_lumen_area_distal_mm2",
            "calcium_fracture"
        ]
    );
    assert!(cols.iter().all(|c| c["n_missing"] == KEPT));
    // The complete-case column is the published reproduction's (results.json of the same run).
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let auc_cc = s["auc"]["complete_case"][0].as_f64().unwrap();
    let text = r.to_string();
    assert!(
        text.contains(&format!("{auc_cc}")),
        "complete-case AUC {auc_cc} is the one in results.json"
    );
    let pooled = s["auc"]["pooled"]["estimate"].as_f64().unwrap();
    assert!(pooled > 0.5 && pooled < 1.0);
    assert_eq!(s["slopes"].as_array().unwrap().len(), 4);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Sensitivity analysis: multiple imputation (--impute 3)"));
    assert!(md.contains("161 lesions that would pass every rule"));
    // TRIPOD+AI item 11 states the imputation (seed 1 and 10 iterations are mice's defaults here), and lists no
    // column the analysis does not read (the registry's own stent_expansion_pct is empty and unused).
    let item11 = md.lines().find(|l| l.starts_with("| 11 |")).unwrap();
    assert!(
        item11.contains(
            "complete-case analysis; as a sensitivity analysis, multiple imputation by chained equations \
             (m = 3, 10 iterations, seed 1)"
        ),
        "{item11}"
    );
    assert!(!item11.contains("stent_expansion_pct"), "{item11}");
    for f in [
        "imputation_trace.svg",
        "imputed_values.svg",
        "imputation_trace.png",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
}

/// The `<tr>` of the section's table whose first cell is `quantity`.
fn html_row<'a>(section: &'a str, quantity: &str) -> &'a str {
    let at = section
        .find(&format!("<tr><td>{quantity}</td>"))
        .unwrap_or_else(|| panic!("no row for {quantity}"));
    let row = &section[at..];
    &row[..row.find("</tr>").unwrap()]
}

/// "estimate [low, high]" of a pooled value at `d` decimals, as a table cell.
fn ci_cell(p: &Value, d: usize) -> String {
    let x = |k: &str| p[k].as_f64().unwrap();
    format!(
        ">{:.d$} [{:.d$}, {:.d$}]</td>",
        x("estimate"),
        x("conf_low"),
        x("conf_high")
    )
}

#[test]
fn report_html_has_the_section_with_the_pooled_numbers_of_imputation_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, &["--impute", "2"]);
    let j: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("imputation.json")).unwrap())
            .unwrap();
    let s = &j["sensitivity"];
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let at = html
        .find("<h2 id=\"sensitivity-analysis-multiple-imputation-impute-2\">")
        .expect("the sensitivity section in report.html");
    let section = &html[at..];
    assert!(section.contains(&format!("<strong>{KEPT} lesions that would pass")));
    // (pooled value, decimals, fmi) per row, as imputation.json holds them.
    let mut rows: Vec<(&Value, &Value, usize, f64)> = s["slopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b, &b["pooled"], 2, b["pooled"]["fmi"].as_f64().unwrap()))
        .collect();
    let auc = &s["auc"]["pooled"];
    let npv = &s["npv"]["pooled"];
    let int = &s["interaction"];
    rows.push((&s["auc"], auc, 3, auc["logit"]["fmi"].as_f64().unwrap()));
    rows.push((&s["npv"], npv, 3, npv["logit"]["fmi"].as_f64().unwrap()));
    rows.push((
        int,
        &int["pooled"],
        2,
        int["pooled"]["fmi"].as_f64().unwrap(),
    ));
    assert_eq!(rows.len(), 7);
    for (b, pooled, d, fmi) in rows {
        let row = html_row(section, b["quantity"].as_str().unwrap());
        assert!(
            row.contains(&ci_cell(pooled, d)),
            "pooled {pooled} in {row}"
        );
        assert!(
            row.contains(&format!(">{fmi:.3}</td>")),
            "fmi {fmi} in {row}"
        );
    }
    for c in j["imputation"]["columns"].as_array().unwrap() {
        let name = c["column"].as_str().unwrap();
        let row = html_row(section, &format!("<code>{name}</code>"));
        assert!(row.contains(&format!(">{KEPT}</td>")), "{row}");
    }
    for id in ["imputation-trace", "imputed-values"] {
        let fig = &section[section.find(&format!("<figure id=\"{id}\"")).expect(id)..];
        assert!(
            fig[..fig.find("</figure>").unwrap()].contains("<svg"),
            "{id} inlined"
        );
    }
    assert!(
        !section.contains("| quantity |"),
        "tables rendered, not Markdown"
    );
}

#[test]
fn nothing_added_without_impute() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    run(&out, &[]);
    assert!(!out.join("imputation.json").exists());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("multiple imputation (--impute"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("Sensitivity analysis: multiple imputation"));
    assert!(!out.join("imputation_trace.svg").exists());
}

#[test]
fn impute_is_zhang2021_only_and_figures_go_to_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = calcscore(&[
        "reproduce",
        "denosumab-pilot",
        "--impute",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = calcscore(&[
        "reproduce",
        "zhang2021",
        "--impute",
        "3",
        "--impute-plots",
        dir.path().join("p").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}
