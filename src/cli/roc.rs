//! `calcscore roc`: ROC curve of a marker for a binary outcome with DeLong inference,
//! Youden-best threshold, optional paired DeLong test against a second marker and
//! Obuchowski's clustered AUC. Also holds the input helpers shared by the htest verbs.

use std::path::PathBuf;

use serde::Serialize;

use super::args::{LevelArgs, MarkerArgs};
use super::Outcome;
use calcscore_stats::{clustered_auc, ClusteredAuc, Direction, Roc, RocPoint, TestResult};

/// Arguments of `calcscore roc`.
#[derive(Debug, clap::Args)]
pub struct RocArgs {
    #[command(flatten)]
    pub input: MarkerArgs,
    /// Second marker for a paired DeLong test on the same rows.
    #[arg(long)]
    pub marker2: Option<String>,
    /// Cluster column (e.g. patient id) for Obuchowski's clustered AUC.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Direction: auto (pROC's rule), lt (controls < cases) or gt (controls > cases).
    #[arg(long, default_value = "auto", value_parser = ["auto", "lt", "gt"])]
    pub direction: String,
    #[command(flatten)]
    pub level: LevelArgs,
    /// Print tidy JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Write all coordinates (threshold, sensitivity, specificity) to this CSV file.
    #[arg(long)]
    pub coords: Option<PathBuf>,
}

/// One tidy row of the roc verb (statistic and p-value absent for an AUC).
#[derive(Debug, Serialize)]
struct AucRow {
    term: String,
    estimate: f64,
    std_error: f64,
    statistic: Option<f64>,
    p_value: Option<f64>,
    conf_low: f64,
    conf_high: f64,
}

/// JSON shape of `calcscore roc --json` (see docs/json-htest.md).
#[derive(Debug, Serialize)]
struct RocReport {
    verb: &'static str,
    data: String,
    marker: String,
    outcome: String,
    case_level: String,
    control_level: String,
    direction: String,
    direction_inferred: bool,
    conf_level: f64,
    n: usize,
    n_cases: usize,
    n_controls: usize,
    dropped: Vec<input::Dropped>,
    rows: Vec<AucRow>,
    best_youden: RocPoint,
    /// Other thresholds with the same (largest) Youden index, as pROC's `coords("best")` lists them.
    youden_tied: Vec<RocPoint>,
    n_coords: usize,
    delong_test: Option<TestResult>,
    marker2_direction: Option<String>,
    clustered: Option<ClusteredAuc>,
}

/// Run `calcscore roc`.
pub fn run(args: RocArgs) -> crate::Result<Outcome> {
    if let Some(path) = &args.coords {
        calcscore_report::output::check_file(
            path,
            &args.input.data.paths(),
            calcscore_report::output::Producer::RocCoords,
        )?;
    }
    let ids: Vec<&str> = args.cluster.iter().map(String::as_str).collect();
    let mut cols = vec![
        args.input.marker.as_str(),
        args.input.event.outcome.as_str(),
    ];
    cols.extend(args.marker2.as_deref());
    cols.extend(args.cluster.as_deref());
    let table = args
        .input
        .data
        .load_select(&ids, |_| cols.iter().map(|c| c.to_string()).collect())?;
    let input::BinaryRows {
        rows,
        dropped,
        outcome,
        levels,
    } = input::binary_rows(&table, &cols, &args.input.event)?;
    let marker = input::numbers(&table, &args.input.marker, &rows)?;
    let direction = direction_of(&args.direction);
    let roc = Roc::new(&marker, &outcome, direction)?;
    let (n_cases, n_controls) = two_of_each(&roc, &args.input.marker)?;
    let coords = roc.coords();
    if let Some(path) = &args.coords {
        write_coords(path, &coords, &args.input.data.paths())?;
    }
    let (test, dir2) = paired_test(&args, &table, &rows, &outcome, &roc)?;
    let clustered = match &args.cluster {
        Some(c) => {
            let ids = input::cluster_ids(&table, c, &rows)?;
            let level = args.level.get();
            Some(clustered_auc(
                &marker,
                &outcome,
                &ids,
                roc.direction(),
                level,
            )?)
        }
        None => None,
    };
    let report = RocReport {
        verb: "roc",
        data: table.source.clone(),
        marker: args.input.marker.clone(),
        outcome: args.input.event.outcome.clone(),
        case_level: levels.case.clone(),
        control_level: levels.control.clone(),
        direction: roc.direction().symbol().into(),
        direction_inferred: direction == Direction::Auto,
        conf_level: args.level.get(),
        n: rows.len(),
        n_cases,
        n_controls,
        dropped,
        rows: vec![auc_row(&roc, args.level.get())],
        best_youden: roc.best_youden(),
        youden_tied: roc.youden_ties().split_off(1),
        n_coords: coords.len(),
        delong_test: test,
        marker2_direction: dir2,
        clustered,
    };
    input::print_report(args.json, &report, |r| {
        print_summary(r, &coords, &levels, args.marker2.as_deref())
    })?;
    Ok(Outcome::Success)
}

/// Cases and controls, refused with fewer than two of either (DeLong's variance needs two).
fn two_of_each(roc: &Roc, marker: &str) -> crate::Result<(usize, usize)> {
    let (n_cases, n_controls) = roc.counts();
    if n_cases < 2 || n_controls < 2 {
        return Err(calcscore_stats::StatsError::TooFew {
            what: format!("DeLong variance of '{marker}' (cases or controls)"),
            n: n_cases.min(n_controls),
            needed: 2,
        }
        .into());
    }
    Ok((n_cases, n_controls))
}

/// The AUC with its DeLong standard error and interval.
fn auc_row(roc: &Roc, level: f64) -> AucRow {
    let (conf_low, conf_high) = roc.delong_ci(level);
    AucRow {
        term: "auc".into(),
        estimate: roc.auc(),
        std_error: roc.delong_se(),
        statistic: None,
        p_value: None,
        conf_low,
        conf_high,
    }
}

/// DeLong's paired test against `--marker2` on the same rows, with the second marker's direction.
fn paired_test(
    args: &RocArgs,
    table: &calcscore_data::Table,
    rows: &[usize],
    outcome: &[bool],
    roc: &Roc,
) -> crate::Result<(Option<TestResult>, Option<String>)> {
    let Some(m2) = &args.marker2 else {
        return Ok((None, None));
    };
    let x2 = input::numbers(table, m2, rows)?;
    let roc2 = Roc::new(&x2, outcome, direction_of(&args.direction))?;
    if roc2.direction() != roc.direction() {
        eprintln!(
            "warning: '{}' ({}) and '{m2}' ({}) were oriented in opposite directions by pROC's rule (median of \
             controls vs cases), so DeLong's test compares one marker used upwards with the other used downwards \
             (pROC warns likewise); give --direction lt or gt to orient both the same way",
            args.input.marker,
            roc.direction().symbol(),
            roc2.direction().symbol()
        );
    }
    let t = roc.delong_test_ci(&roc2, args.level.get())?;
    Ok((Some(t), Some(roc2.direction().symbol().to_string())))
}

/// The `--direction` option as a `Direction`.
fn direction_of(option: &str) -> Direction {
    match option {
        "lt" => Direction::ControlsLess,
        "gt" => Direction::ControlsGreater,
        _ => Direction::Auto,
    }
}

fn print_summary(r: &RocReport, coords: &[RocPoint], levels: &input::Levels, m2: Option<&str>) {
    println!(
        "ROC curve of '{}' for '{}' ({})",
        r.marker, r.outcome, r.data
    );
    levels.print();
    let how = if r.direction_inferred {
        "inferred: median of controls vs cases"
    } else {
        "as given"
    };
    let words = if r.direction == "<" {
        "controls < cases"
    } else {
        "controls > cases"
    };
    println!("Direction: {words} ({how})");
    input::print_dropped(r.n, &r.dropped);
    println!("{} cases, {} controls", r.n_cases, r.n_controls);
    let a = &r.rows[0];
    let pct = r.conf_level * 100.0;
    println!(
        "Area under the curve: {:.4} (SE {:.4}), {pct}% CI {:.4}-{:.4} (DeLong)",
        a.estimate, a.std_error, a.conf_low, a.conf_high
    );
    let b = r.best_youden;
    let rule = if r.direction == "<" { ">=" } else { "<=" };
    println!(
        "Youden-best threshold: {} (positive test: {} {rule} {}; sensitivity {:.4}, specificity {:.4})",
        readable(b.threshold),
        r.marker,
        readable(b.threshold),
        b.sensitivity,
        b.specificity
    );
    for t in &r.youden_tied {
        println!(
            "  as good (same Youden index): {} (sensitivity {:.4}, specificity {:.4})",
            readable(t.threshold),
            t.sensitivity,
            t.specificity
        );
    }
    println!("Coordinates ({} thresholds):", coords.len());
    print!("{}", coords_table(coords).to_text());
    if let (Some(t), Some(m2)) = (&r.delong_test, m2) {
        println!(
            "{}: '{}' ({}) vs '{m2}' ({}): difference {:.4}, {pct}% CI {:.4} to {:.4}, Z = {:.4}, p = {:.4e}",
            t.method,
            r.marker,
            r.direction,
            r.marker2_direction.as_deref().unwrap_or("?"),
            t.estimate.unwrap_or(f64::NAN),
            t.conf_low.unwrap_or(f64::NAN),
            t.conf_high.unwrap_or(f64::NAN),
            t.statistic,
            t.p_value
        );
    }
    if let Some(c) = &r.clustered {
        println!(
            "Clustered AUC (Obuchowski 1997, {} clusters): {:.4} (SE {:.4}), {pct}% CI {:.4}-{:.4}",
            c.n_clusters, c.auc, c.std_error, c.conf_low, c.conf_high
        );
    }
}

/// A threshold as people read it: at most 10 significant digits, so a midpoint 1.3849999999999998 prints as 1.385
/// (the CSV of `--coords` keeps every digit).
fn readable(t: f64) -> String {
    if !t.is_finite() || t == 0.0 {
        return t.to_string();
    }
    let decimals = (9 - t.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{t:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The coordinates, or the first and last three around a "..." row when there are more than six.
fn coords_table(coords: &[RocPoint]) -> calcscore_report::Table {
    let row = |p: &RocPoint| {
        vec![
            readable(p.threshold),
            format!("{:.4}", p.sensitivity),
            format!("{:.4}", p.specificity),
        ]
    };
    let rows: Vec<Vec<String>> = if coords.len() <= 6 {
        coords.iter().map(row).collect()
    } else {
        let gap = vec!["...".to_string(), String::new(), String::new()];
        let (first, last) = (&coords[..3], &coords[coords.len() - 3..]);
        first
            .iter()
            .map(row)
            .chain([gap])
            .chain(last.iter().map(row))
            .collect()
    };
    let align = [calcscore_report::Align::Right; 3];
    calcscore_report::Table::new(&["threshold", "sensitivity", "specificity"])
        .align(&align)
        .rows(rows)
}

fn write_coords(
    path: &std::path::Path,
    coords: &[RocPoint],
    inputs: &[&std::path::Path],
) -> crate::Result<()> {
    let mut s = String::from("threshold,sensitivity,specificity\n");
    for p in coords {
        let t = match p.threshold {
            t if t == f64::INFINITY => "Inf".to_string(),
            t if t == f64::NEG_INFINITY => "-Inf".to_string(),
            t => t.to_string(),
        };
        s.push_str(&format!("{t},{},{}\n", p.sensitivity, p.specificity));
    }
    calcscore_report::output::write_file(
        path,
        s.as_bytes(),
        inputs,
        calcscore_report::output::Producer::RocCoords,
    )
}

/// Input helpers shared by the verbs roc, diagnose, compare, paired and correlate.
pub(crate) mod input {
    use serde::Serialize;

    use calcscore_data::{ColumnData, DataError, Table};

    /// How many rows a column's missing values removed.
    #[derive(Debug, Clone, Serialize)]
    pub struct Dropped {
        /// Column name.
        pub column: String,
        /// Rows with a missing value in this column.
        pub missing: usize,
    }

    /// The two levels of a binary outcome and how they were chosen.
    #[derive(Debug, Clone)]
    pub struct Levels {
        /// Level counted as control.
        pub control: String,
        /// Level counted as case.
        pub case: String,
        /// Explanation printed to the user.
        pub how: String,
    }

    impl Levels {
        /// Print both levels and how the case was chosen.
        pub fn print(&self) {
            println!(
                "Levels: control = {}, case = {} ({})",
                self.control, self.case, self.how
            );
        }
    }

    /// The rows a verb with a binary outcome works on, and the outcome on them.
    pub struct BinaryRows {
        /// Rows with no missing value in the verb's columns.
        pub rows: Vec<usize>,
        /// Per column, the rows its missing values removed.
        pub dropped: Vec<Dropped>,
        /// The outcome at `rows` (true = case).
        pub outcome: Vec<bool>,
        /// The outcome's levels and how the case was chosen.
        pub levels: Levels,
    }

    /// The rows complete in `cols` (the outcome among them) and the outcome of `event` on them.
    pub fn binary_rows(
        table: &Table,
        cols: &[&str],
        event: &crate::cli::args::OutcomeArgs,
    ) -> crate::Result<BinaryRows> {
        let (rows, dropped) = complete_rows(table, cols)?;
        let (outcome, levels) =
            binary_outcome(table, &event.outcome, &rows, event.case.as_deref())?;
        Ok(BinaryRows {
            rows,
            dropped,
            outcome,
            levels,
        })
    }

    /// Rows with no missing value in `cols`, and per column the number of missing values.
    pub fn complete_rows(
        table: &Table,
        cols: &[&str],
    ) -> crate::Result<(Vec<usize>, Vec<Dropped>)> {
        let columns: Vec<&ColumnData> = cols
            .iter()
            .map(|c| table.column(c))
            .collect::<Result<_, _>>()?;
        let rows = (0..table.nrows())
            .filter(|&i| columns.iter().all(|c| !c.is_missing(i)))
            .collect();
        let dropped = cols
            .iter()
            .zip(&columns)
            .map(|(name, c)| Dropped {
                column: name.to_string(),
                missing: (0..c.len()).filter(|&i| c.is_missing(i)).count(),
            })
            .filter(|d| d.missing > 0)
            .collect();
        Ok((rows, dropped))
    }

    /// Print how many rows were dropped for missing values, per column.
    pub fn print_dropped(n_used: usize, dropped: &[Dropped]) {
        if dropped.is_empty() {
            println!("{n_used} rows used, none dropped");
        } else {
            let parts: Vec<String> = dropped
                .iter()
                .map(|d| format!("{} missing in '{}'", d.missing, d.column))
                .collect();
            println!(
                "{n_used} rows used; rows dropped for missing values: {}",
                parts.join(", ")
            );
        }
    }

    /// Numeric values of a column at `rows` (all present).
    pub fn numbers(table: &Table, col: &str, rows: &[usize]) -> crate::Result<Vec<f64>> {
        let v = table.numbers(col)?;
        if let Some(&i) = rows
            .iter()
            .find(|&&i| v.get(i).is_some_and(|x| !x.is_finite()))
        {
            return Err(DataError::Invalid {
                file: table.source.clone(),
                row: table.row_number(i),
                column: col.to_string(),
                value: format!("{}", v.get(i).unwrap_or(f64::NAN)),
                rule: "must be a finite number (leave the cell empty or NA for a missing value)"
                    .into(),
            }
            .into());
        }
        Ok(rows.iter().filter_map(|&i| v.get(i)).collect())
    }

    /// Text values of a column at `rows` (numbers formatted).
    pub fn texts(table: &Table, col: &str, rows: &[usize]) -> crate::Result<Vec<String>> {
        let v = table.text(col)?;
        Ok(rows
            .iter()
            .filter_map(|&i| v.get(i).map(str::to_string))
            .collect())
    }

    /// Distinct values of a column in sorted order: numbers numerically, text ignoring case
    /// first (as R's `sort` in an English locale: "no" < "Yes"), then byte order.
    pub fn levels_of(values: &[String]) -> Vec<String> {
        let mut lv: Vec<String> = values.to_vec();
        lv.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a
                .to_lowercase()
                .cmp(&b.to_lowercase())
                .then_with(|| a.cmp(b)),
        });
        lv.dedup();
        lv
    }

    /// A binary outcome: 0/1 numbers (1 = case), or a two-level text column whose second
    /// sorted level is the case (as R's factor levels and pROC).
    pub fn binary_outcome(
        table: &Table,
        col: &str,
        rows: &[usize],
        case: Option<&str>,
    ) -> crate::Result<(Vec<bool>, Levels)> {
        if let (ColumnData::Num(v), None) = (table.column(col)?, case) {
            return numeric_outcome(table, col, v, rows);
        }
        let values = texts(table, col, rows)?;
        let mut lv = levels_of(&values);
        if lv.len() != 2 {
            return Err(two_levels_needed(col, &lv));
        }
        let how = match case {
            Some(c) if c == lv[0] => {
                lv.swap(0, 1);
                format!("--case '{c}'")
            }
            Some(c) if c == lv[1] => format!("--case '{c}'"),
            Some(c) => {
                return Err(crate::Error::Usage(format!(
                    "--case '{c}' is not a level of '{col}' (levels: {}, {})",
                    lv[0], lv[1]
                )))
            }
            None => format!(
                "two text levels sorted: the second, '{}', is the case (choose with --case)",
                lv[1]
            ),
        };
        let outcome = values.iter().map(|v| *v == lv[1]).collect();
        Ok((
            outcome,
            Levels {
                control: lv[0].clone(),
                case: lv[1].clone(),
                how,
            },
        ))
    }

    /// A numeric outcome coded 0/1; any other value is an error naming its row.
    fn numeric_outcome(
        table: &Table,
        col: &str,
        v: &calcscore_data::NumColumn,
        rows: &[usize],
    ) -> crate::Result<(Vec<bool>, Levels)> {
        let mut out = Vec::with_capacity(rows.len());
        for &i in rows {
            match v.get(i) {
                Some(x) if x == 0.0 || x == 1.0 => out.push(x == 1.0),
                other => {
                    return Err(DataError::Invalid {
                        file: table.source.clone(),
                        row: table.row_number(i),
                        column: col.to_string(),
                        value: other.map_or("NA".into(), calcscore_data::table::format_number),
                        rule: "a numeric outcome must be coded 0 (control) / 1 (case)".into(),
                    }
                    .into())
                }
            }
        }
        let lv: Vec<String> = [false, true]
            .iter()
            .filter(|c| out.contains(c))
            .map(|&c| if c { "1" } else { "0" }.to_string())
            .collect();
        if lv.len() != 2 {
            return Err(two_levels_needed(col, &lv));
        }
        let levels = Levels {
            control: "0".into(),
            case: "1".into(),
            how: "0/1 coding: 1 is the case".into(),
        };
        Ok((out, levels))
    }

    fn two_levels_needed(col: &str, lv: &[String]) -> crate::Error {
        let e = if lv.len() < 2 {
            calcscore_stats::StatsError::OneClass {
                column: col.to_string(),
                level: lv.join(", "),
            }
        } else {
            calcscore_stats::StatsError::Undefined(format!(
                "outcome '{col}' has {} levels ({}): a binary outcome needs exactly 2",
                lv.len(),
                lv.join(", ")
            ))
        };
        e.into()
    }

    /// Cluster ids (any text or number) mapped to 0..k.
    pub fn cluster_ids(table: &Table, col: &str, rows: &[usize]) -> crate::Result<Vec<usize>> {
        let values = texts(table, col, rows)?;
        let mut map = std::collections::HashMap::new();
        Ok(values
            .iter()
            .map(|v| {
                let next = map.len();
                *map.entry(v.clone()).or_insert(next)
            })
            .collect())
    }

    /// Print a value as pretty JSON on stdout.
    pub fn print_json<T: Serialize>(value: &T) -> crate::Result<()> {
        println!("{}", crate::cli::notice::json(value)?);
        Ok(())
    }

    /// Print a verb's report: pretty JSON with --json, else its text by `text`.
    pub fn print_report<T: Serialize>(
        json: bool,
        report: &T,
        text: impl FnOnce(&T),
    ) -> crate::Result<()> {
        if json {
            return print_json(report);
        }
        text(report);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn thresholds_print_without_floating_point_noise() {
        // (1.38 + 1.39) / 2 in binary floating point is 1.3849999999999998.
        assert_eq!(readable((1.38 + 1.39) / 2.0), "1.385");
        assert_eq!(readable(0.955), "0.955");
        assert_eq!(readable(123_456.5), "123456.5");
        assert_eq!(readable(1.5e-7), "0.00000015");
        assert_eq!(readable(-2.0), "-2");
        assert_eq!(readable(f64::INFINITY), "inf");
    }
}
