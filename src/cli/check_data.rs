//! `calcscore check-data`: validate a lesion registry against the schema and list every problem at once.

use serde::Serialize;

use super::Outcome;
use crate::Result;
use calcscore_data::registry::read_registry_table;
use calcscore_data::validate::normalise_lesion_table;
use calcscore_data::{DataError, ExpansionFormula};

/// Arguments of `calcscore check-data`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  calcscore check-data --data registry.csv --map my_map.toml --json"
)]
pub struct CheckDataArgs {
    /// The lesion registry, its column map, sheet and CSV dialect (as on every verb that reads data).
    #[command(flatten)]
    pub input: super::args::InputArgs,
    /// Expansion formula whose columns are required.
    #[arg(long, value_parser = super::choice::choice::<ExpansionFormula>(), default_value = "mean-reference")]
    pub expansion: ExpansionFormula,
    /// Print the problems as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `check-data --json`: the file, its rows, and every problem found.
#[derive(Debug, Serialize)]
struct CheckDataJson<'a> {
    file: &'a str,
    rows: Option<usize>,
    n_problems: usize,
    unusable_rows: &'a [usize],
    problems: &'a [ProblemRow],
}

/// One problem, flat, for tables and JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemRow {
    /// Problem class (catalogue name in docs/errors.md).
    pub class: &'static str,
    /// File.
    pub file: String,
    /// Spreadsheet row (header = 1), if the problem is in a cell (for `not-utf8`: the line).
    pub row: Option<usize>,
    /// Column, if any.
    pub column: Option<String>,
    /// The offending value, if the problem is in a cell.
    pub value: Option<String>,
    /// The message with the rule and a fix hint.
    pub message: String,
}

/// Flatten a data error into a row.
pub fn problem_row(e: &DataError) -> ProblemRow {
    ProblemRow {
        class: e.class(),
        file: e.file().to_string(),
        row: e.row(),
        column: e.column().map(str::to_string),
        value: e.value().map(str::to_string),
        message: e.to_string(),
    }
}

/// Every problem of the registry: file-level errors (unreadable, bad map, missing columns: found from the
/// header, the body is then not read), ragged rows, or all cell problems. The row count is `None` when the
/// body was not read.
pub fn find_problems(
    a: &CheckDataArgs,
    options: &calcscore_data::ReadOptions,
) -> (Option<usize>, Vec<DataError>) {
    let flat = |e: DataError| match e {
        DataError::Problems { problems, .. } => problems,
        e => vec![e],
    };
    let mut table =
        match read_registry_table(&a.input.data, a.input.map.as_deref(), a.expansion, options) {
            Ok(t) => t,
            Err(e) => return (None, flat(e)),
        };
    let n = table.nrows();
    (Some(n), normalise_lesion_table(&mut table, a.expansion))
}

/// Run `calcscore check-data`: exit 0 when the registry has no problem, 1 otherwise.
pub fn run(a: CheckDataArgs) -> Result<Outcome> {
    super::notice::input(&a.input.data);
    let (n, problems) = find_problems(&a, &a.input.read.options()?);
    // A reading option that does not fit the file is a usage error (exit 2), not a problem of the data.
    if let [e @ DataError::BadOption { .. }] = &problems[..] {
        return Err(e.clone().into());
    }
    let rows: Vec<ProblemRow> = problems.iter().map(problem_row).collect();
    let mut bad_rows: Vec<usize> = rows.iter().filter_map(|r| r.row).collect();
    bad_rows.sort_unstable();
    bad_rows.dedup();
    let file = a.input.data.display().to_string();
    if a.json {
        let v = CheckDataJson {
            file: &file,
            rows: n,
            n_problems: rows.len(),
            unusable_rows: &bad_rows,
            problems: &rows,
        };
        println!("{}", super::pretty_sorted(&v)?);
    } else if rows.is_empty() {
        println!("{file}: {} rows, no problems found.", n.unwrap_or(0));
    } else {
        let rows_read = match n {
            Some(n) => format!("{n} rows"),
            None => "not read as a table".to_string(),
        };
        println!(
            "{file}: {rows_read}, {} problem(s); {} row(s) unusable:\n",
            rows.len(),
            bad_rows.len()
        );
        print!("{}", problem_table(&rows));
    }
    Ok(if rows.is_empty() {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

/// The problems as an aligned text table: row, column, class, value, then the rule and fix.
pub fn problem_table(rows: &[ProblemRow]) -> String {
    use calcscore_report::{Align, Table};
    let cells = rows.iter().map(|r| {
        let prefix = match (r.row, &r.column) {
            (Some(row), Some(c)) => format!("{}: row {row}, column '{c}': ", r.file),
            _ => format!("{}: ", r.file),
        };
        vec![
            r.row.map_or("-".into(), |x| x.to_string()),
            r.column.clone().unwrap_or_else(|| "-".into()),
            r.class.to_string(),
            r.value.clone().unwrap_or_default(),
            r.message
                .strip_prefix(&prefix)
                .unwrap_or(&r.message)
                .to_string(),
        ]
    });
    Table::new(&["row", "column", "class", "value", "problem and fix"])
        .rows(cells)
        .align(&[
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Left,
            Align::Left,
        ])
        .text_width_cap(30)
        .to_text()
}
