//! `calcscore card`: a score card (SVG + PNG) and a self-contained calculator page, or one patient's points and
//! predicted risk (`--values`), computed by the same code the page mirrors.

use std::path::PathBuf;

use serde::Serialize;

use super::Outcome;
use crate::{Error, Result};
use calcscore_report::card::{calculator_html, CardSpec, ScoreCard};
use calcscore_report::figures::{render_png, render_svg};
use calcscore_report::output::Producer;

/// Arguments of `calcscore card`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  calcscore card --score ivus-zhang2021 --out card/\n  calcscore card --score my_score.toml --out card/\n  calcscore card --score my_score.toml --values smoke=1,ht=0,lwt=100,ui=0 --json"
)]
pub struct CardArgs {
    /// Built-in score (ivus-zhang2021, oct-fujino2018) or a score file (TOML; `[model]` and `[card]` used when present).
    #[arg(long)]
    pub score: String,
    /// Directory for card.svg, card.png and calculator.html (replaced atomically).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// One patient's values, `column=value,...` (ticked items as 1): print points, risk and advice.
    #[arg(long)]
    pub values: Option<String>,
    #[command(flatten)]
    pub level: super::args::LevelArgs,
    /// JSON output.
    #[arg(long)]
    pub json: bool,
}

/// Run `calcscore card`.
pub fn run(a: CardArgs) -> Result<Outcome> {
    if a.out.is_none() && a.values.is_none() {
        return Err(Error::Usage(
            "card needs --out DIR or --values column=value,...".into(),
        ));
    }
    let spec = CardSpec::resolve(&a.score, a.level.get())?;
    if let Some(v) = &a.values {
        let values = parse_values(v)?;
        check_value_names(&spec, &values)?;
        print_patient(&spec, &values, a.json)?;
    }
    if let Some(out) = &a.out {
        let card = ScoreCard { spec: &spec };
        let files = vec![
            ("card.svg".to_string(), render_svg(&card)?.into_bytes()),
            ("card.png".to_string(), render_png(&card)?),
            (
                "calculator.html".to_string(),
                calculator_html(&spec)?.into_bytes(),
            ),
        ];
        calcscore_report::write_atomically(out, &files, Producer::Card)?;
        if a.values.is_none() {
            print_card(&spec, out, a.json)?;
        }
    }
    Ok(Outcome::Success)
}

/// `a=1,b=2.5` → pairs; a value that is not a number is a usage error naming it.
fn parse_values(s: &str) -> Result<Vec<(String, f64)>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| Error::Usage(format!("--values: '{p}' is not column=value")))?;
            let x = calcscore_data::table::parse_number(v.trim()).ok_or_else(|| {
                Error::Usage(format!(
                    "--values: '{}' of '{}' is not a number",
                    v.trim(),
                    k.trim()
                ))
            })?;
            Ok((k.trim().to_string(), x))
        })
        .collect()
}

/// Refuse a column the score does not read (a typo would leave its item unscored) and a column given twice
/// (which value counts would be a guess).
fn check_value_names(spec: &CardSpec, values: &[(String, f64)]) -> Result<()> {
    let known: Vec<&str> = spec.score.items.iter().map(|i| i.column.as_str()).collect();
    for (k, (name, _)) in values.iter().enumerate() {
        if !known.contains(&name.as_str()) {
            let hint = calcscore_data::load::did_you_mean(name, known.iter().copied())
                .map_or(String::new(), |m| format!(" (did you mean '{m}'?)"));
            return Err(Error::Usage(format!(
                "--values: the score '{}' reads no column '{name}'{hint}; its columns: {}",
                spec.score.name,
                known.join(", ")
            )));
        }
        if values[..k].iter().any(|(n, _)| n == name) {
            return Err(Error::Usage(format!(
                "--values: '{name}' is given twice; give each column once"
            )));
        }
        let x = values[k].1;
        let tick = spec
            .score
            .items
            .iter()
            .find(|i| i.column == *name && i.is_binary());
        if let Some(item) = tick.filter(|_| x != 0.0 && x != 1.0) {
            return Err(Error::Usage(format!(
                "--values: '{name}' is the tick box of item '{}' ({name} == 1): give 1 (ticked) or 0, not {x}",
                item.label
            )));
        }
    }
    Ok(())
}

fn print_patient(spec: &CardSpec, values: &[(String, f64)], as_json: bool) -> Result<()> {
    let points = spec.points_for(values)?;
    let risk = spec.model.as_ref().map(|m| m.risk(points, spec.level));
    let advice = spec.advice_for(points);
    if as_json {
        let out = PatientJson {
            score: &spec.score.name,
            points,
            advice,
            risk: risk.map(|r| r.risk),
            low: risk.and_then(|r| r.low),
            high: risk.and_then(|r| r.high),
        };
        println!("{}", super::pretty_sorted(&out)?);
        return Ok(());
    }
    println!("{}: {points} points", spec.score.title);
    match risk {
        Some(r) => println!(
            "predicted risk {:.1}%{} of {}",
            100.0 * r.risk,
            r.low.zip(r.high).map_or(String::new(), |(l, h)| format!(
                " ({:.1}% to {:.1}%)",
                100.0 * l,
                100.0 * h
            )),
            spec.model
                .as_ref()
                .map_or("the outcome", |m| m.model.outcome.as_str())
        ),
        None => println!("no risk model stored with this score"),
    }
    println!("{advice}");
    Ok(())
}

/// `card --values … --json`: one patient's points, advice and predicted risk.
#[derive(Debug, Serialize)]
struct PatientJson<'a> {
    score: &'a str,
    points: i64,
    advice: &'a str,
    risk: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

/// `card --out DIR --json`: the files written, the risk at every total and the risk model.
#[derive(Debug, Serialize)]
struct CardJson<'a> {
    score: &'a str,
    out: String,
    files: [&'static str; 3],
    risks: Vec<calcscore_report::card::Risk>,
    model: Option<&'a calcscore_report::card::RiskModel>,
}

fn print_card(spec: &CardSpec, out: &std::path::Path, as_json: bool) -> Result<()> {
    if as_json {
        let v = CardJson {
            score: &spec.score.name,
            out: out.display().to_string(),
            files: ["card.svg", "card.png", "calculator.html"],
            risks: spec.risks(),
            model: spec.model.as_ref(),
        };
        println!("{}", super::pretty_sorted(&v)?);
    } else {
        println!(
            "wrote card.svg, card.png and calculator.html for {} into {}",
            spec.score.name,
            out.display()
        );
    }
    Ok(())
}
