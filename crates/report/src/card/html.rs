//! `calculator.html`: one self-contained page (inline CSS and JS, no network) where a clinician ticks the items
//! or enters the measurements and sees the points, the predicted risk with its interval, and the advice.
//! Inputs can be pre-filled from the URL hash (`calculator.html#calcium_360=1&vessel_diameter_mm=3.2`).

use serde::Serialize;

use crate::{Error, Result};
use statrs::distribution::{ContinuousCDF, Normal};

use super::{is_tick, CardSpec};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page's style sheet.
const STYLE: &str = "body { font-family: system-ui, sans-serif; max-width: 40em; margin: 1.5em auto; padding: 0 1em; color: #222; }\n\
h1 { font-size: 1.4em; margin-bottom: 0.2em; } .src { color: #666; font-size: 0.85em; }\n\
.item { display: block; padding: 0.5em 0; border-bottom: 1px solid #ddd; }\n\
.pts { color: #0072b2; font-weight: bold; } .rule { color: #666; font-size: 0.85em; margin-left: 0.5em; }\n\
input[type=number] { width: 6em; padding: 0.2em; margin-top: 0.3em; } .unit { display: inline-block; min-width: 2em; }\n\
#missing { color: #666; } #advice.wait { color: #666; font-style: italic; }\n\
#result { margin-top: 1em; padding: 0.8em; background: #f4f4f4; border-radius: 6px; }\n\
.big { font-size: 1.6em; font-weight: bold; } #advice.high { color: #d55e00; } #advice.low { color: #0072b2; }\n\
";

/// The calculator page of a score.
pub fn calculator_html(spec: &CardSpec) -> Result<String> {
    Ok(page(
        spec,
        &card_data(spec)?,
        &inputs_html(spec),
        &model_note(spec),
    ))
}

/// What the page's script reads: the items, the cutoff and its advice, the risk model and the normal quantile of
/// the interval's level.
#[derive(Debug, Serialize)]
struct CardData<'a> {
    items: Vec<CardItem<'a>>,
    cutoff: i64,
    recommendation: &'a str,
    below: &'a str,
    model: Option<&'a super::RiskModel>,
    z: f64,
}

/// One item of the score as the page's script reads it.
#[derive(Debug, Serialize)]
struct CardItem<'a> {
    column: &'a str,
    label: &'a str,
    op: &'static str,
    threshold: f64,
    points: i64,
}

/// The score, the advice and the risk model as the JSON the page's script reads (safe inside `<script>`; keys in
/// alphabetical order, through serde_json's map).
fn card_data(spec: &CardSpec) -> Result<String> {
    let data = CardData {
        items: spec
            .score
            .items
            .iter()
            .map(|i| CardItem {
                column: &i.column,
                label: &i.label,
                op: i.op.symbol(),
                threshold: i.threshold,
                points: i.points,
            })
            .collect(),
        cutoff: spec.score.cutoff,
        recommendation: &spec.advice.recommendation,
        below: &spec.advice.below,
        model: spec.model.as_ref(),
        z: Normal::standard().inverse_cdf(0.5 + spec.level / 2.0),
    };
    let sorted = serde_json::to_value(&data)
        .map_err(|e| Error::Usage(format!("cannot write the calculator's data: {e}")))?;
    Ok(sorted.to_string().replace("</", "<\\/"))
}

/// The unit of a registry column from the lesion schema ("" when the column is not in it).
fn unit(column: &str) -> &'static str {
    calcscore_data::schema::spec(column).map_or("", |c| c.unit)
}

/// One item's form control: a checkbox for a 0/1 item, else a number box with its unit and the rule that
/// scores (the registry column, which the URL hash uses, in the tooltip).
fn item_input(i: &calcscore_score::Item) -> String {
    let (id, label, points) = (escape(&i.column), escape(&i.label), i.points);
    if is_tick(i.op, i.threshold) {
        return format!(
            "<label class=\"item\" title=\"{id}\"><input type=\"checkbox\" id=\"{id}\"> {label} <span class=\"pts\">+{points}</span></label>\n"
        );
    }
    format!(
        "<label class=\"item\" title=\"{id}\">{label} <span class=\"pts\">+{points}</span><br><input type=\"number\" step=\"any\" id=\"{id}\" aria-label=\"{label}\">{} <span class=\"rule\">{}</span></label>\n",
        unit_span(&i.column),
        rule(i)
    )
}

/// The rule an item scores by, with the column's unit: "+1 if > 5 mm".
fn rule(i: &calcscore_score::Item) -> String {
    let unit = escape(unit(&i.column));
    format!(
        "+{} if {} {}{}{unit}",
        i.points,
        escape(i.op.symbol()),
        calcscore_data::table::format_number(i.threshold),
        if unit.is_empty() { "" } else { " " }
    )
}

/// The column's unit after its number box ("" when the schema gives none).
fn unit_span(column: &str) -> String {
    let unit = escape(unit(column));
    if unit.is_empty() {
        String::new()
    } else {
        format!(" <span class=\"unit\">{unit}</span>")
    }
}

/// One form control per column: an item alone on its column as [`item_input`]; items sharing a column (graded
/// thresholds, `x > 55` +1 and `x > 60` +2) one number box, every item reading it, with all their rules (two
/// boxes with one id once made the page read only the first and give wrong totals).
fn column_input(items: &[&calcscore_score::Item]) -> String {
    let [first, ..] = items else {
        return String::new();
    };
    if items.len() == 1 {
        return item_input(first);
    }
    let id = escape(&first.column);
    let labels: Vec<String> = items.iter().map(|i| escape(&i.label)).collect();
    let rules: Vec<String> = items.iter().map(|i| rule(i)).collect();
    format!(
        "<label class=\"item\" title=\"{id}\">{}<br><input type=\"number\" step=\"any\" id=\"{id}\" aria-label=\"{id}\">{} <span class=\"rule\">{}</span></label>\n",
        labels.join("; "),
        unit_span(&first.column),
        rules.join("; ")
    )
}

/// One labelled input per column the score reads: a tick box for a yes/no item, a number field for a
/// measurement (shared by the items on that column).
fn inputs_html(spec: &CardSpec) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for i in &spec.score.items {
        if !columns.contains(&i.column.as_str()) {
            columns.push(&i.column);
        }
    }
    columns
        .iter()
        .map(|c| {
            let items: Vec<&calcscore_score::Item> =
                spec.score.items.iter().filter(|i| i.column == *c).collect();
            column_input(&items)
        })
        .collect()
}

/// The line under the result that says where the risk comes from.
fn model_note(spec: &CardSpec) -> String {
    match &spec.model {
        Some(m) => format!(
            "Risk of {} from a logistic model on the total ({}).",
            escape(&m.model.outcome),
            escape(&m.model.fitted_in)
        ),
        None => "No risk model is stored with this score: points and advice only.".to_string(),
    }
}

/// The page: one literal template (markup and script read best whole), filled with the score's parts.
fn page(spec: &CardSpec, data: &str, inputs: &str, model_note: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} calculator</title>
<style>
{STYLE}</style></head><body>
<h1>{title}</h1><div class="src">{source}</div>
<form id="form" onsubmit="return false">
{inputs}</form>
<div id="result">
<div>Points: <span class="big" id="points" data-value="0">0</span> <span id="missing"></span></div>
<div id="riskline">Predicted risk: <span class="big" id="risk" data-value=""></span> <span id="interval" data-low="" data-high=""></span></div>
<div id="advice"></div>
<div class="src">{model_note}</div>
</div>
<script>
const CARD = {data};
function holds(op, x, t) {{
  switch (op) {{ case ">": return x > t; case ">=": return x >= t; case "<": return x < t; case "<=": return x <= t; default: return x === t; }}
}}
function pct(x) {{ return (100 * x).toFixed(1) + "%"; }}
function expit(x) {{ return 1 / (1 + Math.exp(-x)); }}
function update() {{
  let total = 0, missing = [];
  for (const it of CARD.items) {{
    const el = document.getElementById(it.column);
    let x;
    if (el.type === "checkbox") {{ x = el.checked ? 1 : 0; }}
    else if (el.value.trim() === "" || !Number.isFinite(Number(el.value))) {{ missing.push(it.label); continue; }}
    else {{ x = Number(el.value); }}
    if (holds(it.op, x, it.threshold)) total += it.points;
  }}
  const p = document.getElementById("points");
  p.textContent = String(total); p.dataset.value = String(total);
  document.getElementById("missing").textContent = missing.length ? "so far (not entered: " + missing.join("; ") + ")" : "";
  const adv = document.getElementById("advice");
  const r = document.getElementById("risk"), iv = document.getElementById("interval");
  const m = CARD.model;
  document.getElementById("riskline").style.display = m && !missing.length ? "" : "none";
  r.dataset.value = ""; r.textContent = ""; iv.dataset.low = ""; iv.dataset.high = ""; iv.textContent = "";
  if (missing.length) {{
    // A missing measurement may still add points: no advice or risk on a partial total.
    adv.textContent = "Enter every measurement to see the advice" + (m ? " and the predicted risk." : ".");
    adv.className = "wait";
    return;
  }}
  const high = total >= CARD.cutoff;
  adv.textContent = high ? CARD.recommendation : CARD.below;
  adv.className = high ? "high" : "low";
  if (!m) return;
  const eta = m.intercept + m.slope * total;
  r.dataset.value = String(expit(eta)); r.textContent = pct(expit(eta));
  if (m.var_intercept != null) {{
    const se = Math.sqrt(m.var_intercept + total * total * m.var_slope + 2 * total * m.cov_intercept_slope);
    const lo = expit(eta - CARD.z * se), hi = expit(eta + CARD.z * se);
    iv.dataset.low = String(lo); iv.dataset.high = String(hi);
    iv.textContent = "(" + pct(lo) + " to " + pct(hi) + ", {level}% CI)";
  }}
}}
function prefill() {{
  const h = decodeURIComponent(location.hash.replace(/^#/, ""));
  for (const kv of h.split("&")) {{
    const [k, v] = kv.split("=");
    const el = k && document.getElementById(k);
    if (!el) continue;
    if (el.type === "checkbox") el.checked = v === "1" || v === "true"; else el.value = v;
  }}
}}
document.getElementById("form").addEventListener("input", update);
prefill(); update();
</script>
</body></html>
"#,
        title = escape(&spec.score.title),
        source = escape(&spec.score.source),
        level = calcscore_data::table::format_number(spec.level * 100.0),
    )
}
