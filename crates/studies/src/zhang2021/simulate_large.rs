//! Simulated registries of any size, as CSV or Parquet, written chunk by chunk.
//!
//! Up to [`CHUNK`] lesions the registry is exactly [`super::simulate::simulate_csv`]'s. A larger one is made
//! of equal chunks, each a registry of the same model with its own seed (`seed + c·2^32` for chunk c ≥ 1)
//! and its own scaled flow counts; lesion and patient ids are renumbered across chunks so they stay unique.
//! Only one chunk is held in memory, so a 10^7-lesion registry needs the memory of 10^6.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::*;

use super::simulate::simulate_rows;
use crate::{Error, Result};
use calcscore_data::schema::{Kind, LESION_SCHEMA};

/// Most lesions generated at once.
pub const CHUNK: usize = 1_000_000;

/// How a simulated registry is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryFormat {
    /// CSV text, as the shipped registry.
    Csv,
    /// Apache Parquet (ids and categories as text, 0/1 items as integers, measurements as float64).
    Parquet,
}

/// Lesions per chunk: one chunk up to [`CHUNK`], else equal chunks (the first ones one larger).
pub(crate) fn chunk_sizes(n: usize) -> Vec<usize> {
    let k = n.div_ceil(CHUNK).max(1);
    (0..k).map(|c| n / k + usize::from(c < n % k)).collect()
}

/// The seed of chunk `c`: the registry's seed for the first chunk.
fn chunk_seed(seed: u64, c: usize) -> u64 {
    seed.wrapping_add((c as u64) << 32)
}

/// Write a simulated registry of `n` lesions to `path` (through a temporary file renamed into place, and recorded
/// as `simulate --out`'s output: an existing file is replaced only if it is calcscore's unchanged earlier output).
pub fn write_registry(path: &Path, seed: u64, n: usize, format: RegistryFormat) -> Result<()> {
    calcscore_report::output::write_file_with(
        path,
        &[],
        calcscore_report::output::Producer::Simulate,
        |tmp| write_to(tmp, seed, n, format),
    )
}

fn write_to(path: &Path, seed: u64, n: usize, format: RegistryFormat) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io("write", path, e))?;
    let sizes = chunk_sizes(n);
    let mut ids = Renumber::new(n, sizes.len() > 1);
    match format {
        RegistryFormat::Csv => {
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let header: Vec<&str> = LESION_SCHEMA.iter().map(|c| c.name).collect();
            let io = |e| Error::io("write", path, e);
            writeln!(w, "{}", header.join(",")).map_err(io)?;
            for (c, &size) in sizes.iter().enumerate() {
                for row in ids.apply(simulate_rows(chunk_seed(seed, c), size)) {
                    writeln!(w, "{}", row.join(",")).map_err(io)?;
                }
            }
            w.flush().map_err(io)
        }
        RegistryFormat::Parquet => {
            let bad = |e: PolarsError| Error::Usage(format!("{}: {e}", path.display()));
            let first = frame(&ids.apply(simulate_rows(seed, sizes[0])))?;
            let mut w = ParquetWriter::new(file)
                .with_compression(ParquetCompression::Snappy)
                .batched(first.schema())
                .map_err(bad)?;
            w.write_batch(&first).map_err(bad)?;
            drop(first);
            for (c, &size) in sizes.iter().enumerate().skip(1) {
                let df = frame(&ids.apply(simulate_rows(chunk_seed(seed, c), size)))?;
                w.write_batch(&df).map_err(bad)?;
            }
            w.finish().map(|_| ()).map_err(bad)
        }
    }
}

/// Lesion and patient ids made unique across chunks: `L` and `P` followed by a running number.
struct Renumber {
    active: bool,
    lesions: usize,
    patients: usize,
    lesion_width: usize,
    patient_width: usize,
}

impl Renumber {
    fn new(n: usize, active: bool) -> Renumber {
        let digits = n.to_string().len();
        Renumber {
            active,
            lesions: 0,
            patients: 0,
            lesion_width: digits.max(6),
            patient_width: digits.max(5),
        }
    }

    /// The chunk's rows with global ids (unchanged for a registry of one chunk).
    fn apply(&mut self, mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
        if !self.active {
            return rows;
        }
        let (pj, lj) = (column("patient_id"), column("lesion_id"));
        let mut most = 0;
        for row in &mut rows {
            self.lesions += 1;
            row[lj] = format!("L{:0w$}", self.lesions, w = self.lesion_width);
            let k: usize = row[pj].trim_start_matches('P').parse().unwrap_or(0);
            most = most.max(k);
            row[pj] = format!("P{:0w$}", self.patients + k, w = self.patient_width);
        }
        self.patients += most;
        rows
    }
}

fn column(name: &str) -> usize {
    LESION_SCHEMA
        .iter()
        .position(|c| c.name == name)
        .unwrap_or(0)
}

/// The rows as a typed frame: ids and categories as text, 0/1 items as Int64, numbers as Float64; empty = null.
fn frame(rows: &[Vec<String>]) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(LESION_SCHEMA.len());
    for (j, spec) in LESION_SCHEMA.iter().enumerate() {
        let name = PlSmallStr::from(spec.name);
        let cells = rows.iter().map(|r| r[j].as_str());
        let column = match spec.kind {
            Kind::Id | Kind::Category(_) => {
                let v: Vec<Option<&str>> = cells.map(|s| (!s.is_empty()).then_some(s)).collect();
                Column::new(name, v)
            }
            Kind::Binary => Column::new(name, parsed::<i64>(cells, spec.name)?),
            Kind::Number { .. } => Column::new(name, parsed::<f64>(cells, spec.name)?),
        };
        columns.push(column);
    }
    DataFrame::new(rows.len(), columns).map_err(|e| Error::Usage(e.to_string()))
}

fn parsed<'a, T: std::str::FromStr>(
    cells: impl Iterator<Item = &'a str>,
    name: &str,
) -> Result<Vec<Option<T>>> {
    cells
        .map(|s| match s {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| {
                Error::Usage(format!(
                    "simulated value '{s}' of column {name} is not a number"
                ))
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_registry() {
        assert_eq!(chunk_sizes(3862), [3862]);
        assert_eq!(chunk_sizes(CHUNK), [CHUNK]);
        let s = chunk_sizes(2_500_001);
        assert_eq!(s, [833_334, 833_334, 833_333]);
        assert_eq!(s.iter().sum::<usize>(), 2_500_001);
    }

    #[test]
    fn ids_are_renumbered_across_chunks_only() {
        let row = |p: &str, l: &str| {
            let mut r = vec![String::new(); LESION_SCHEMA.len()];
            r[column("patient_id")] = p.into();
            r[column("lesion_id")] = l.into();
            r
        };
        let mut one = Renumber::new(100, false);
        assert_eq!(one.apply(vec![row("P00002", "L000001")])[0][0], "P00002");
        let mut many = Renumber::new(10_000_000, true);
        let a = many.apply(vec![row("P00001", "L000001"), row("P00003", "L000002")]);
        let b = many.apply(vec![row("P00001", "L000001")]);
        let (pj, lj) = (column("patient_id"), column("lesion_id"));
        assert_eq!(
            (a[1][pj].as_str(), a[1][lj].as_str()),
            ("P00000003", "L00000002")
        );
        assert_eq!(
            (b[0][pj].as_str(), b[0][lj].as_str()),
            ("P00000004", "L00000003")
        );
    }
}
