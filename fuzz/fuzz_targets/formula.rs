//! Fuzz the R-style formula parser, and design building from what it accepts, on a small fixed table.
#![no_main]

use calcscore_data::{ColumnData, Table};
use calcscore_stats::design::Design;
use calcscore_stats::formula::Formula;
use libfuzzer_sys::fuzz_target;

fn table() -> Table {
    let num = |v: &[f64]| ColumnData::Num(v.iter().map(|&x| Some(x)).collect());
    let text = |v: &[&str]| ColumnData::Text(v.iter().map(|s| Some(s.to_string())).collect());
    Table::new(
        "fuzz.csv",
        vec![
            ("y".into(), num(&[1.0, 2.0, 3.5, 4.0, 2.5, 6.0])),
            ("x".into(), num(&[0.0, 1.0, 0.0, 1.0, 1.0, 0.0])),
            ("z".into(), num(&[10.0, 20.0, 15.0, 30.0, 12.0, 18.0])),
            ("g".into(), text(&["a", "b", "a", "c", "b", "c"])),
            ("id".into(), text(&["p1", "p1", "p2", "p2", "p3", "p3"])),
        ],
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(f) = Formula::parse(s) {
        let _ = f.columns();
        let _ = Design::build(&table(), &f, Some("id"));
    }
});
