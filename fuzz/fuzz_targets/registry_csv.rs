//! Fuzz the CSV-to-registry loader: any bytes must give a registry or a typed `DataError`, never a panic.
#![no_main]

use calcscore_data::{registry_from_csv_bytes, ExpansionFormula};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let formula = match data.first().map(|b| b % 4) {
        Some(0) => ExpansionFormula::Given,
        Some(1) => ExpansionFormula::ProximalReference,
        Some(2) => ExpansionFormula::DistalReference,
        _ => ExpansionFormula::MeanReference,
    };
    match registry_from_csv_bytes(data, "fuzz.csv", formula) {
        Ok(reg) => assert_eq!(reg.lesions.len(), reg.table.nrows()),
        Err(e) => {
            // Every message must render (Display never panics) and name the file.
            assert!(e.to_string().contains("fuzz.csv"));
        }
    }
});
