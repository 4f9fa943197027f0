//! Data: generic tables, loading (CSV, gzip CSV, Parquet via polars), column maps, the lesion schema.

pub mod cohort;
pub mod column;
pub mod consistency;
pub mod dates;
pub mod dialect;
pub mod frame;
pub mod input;
pub mod labels;
pub mod load;
mod plain_csv;
pub mod registry;
pub mod schema;
pub mod table;
mod thousands;
pub mod validate;
pub mod xlsx;

pub use calcscore_core::{clip, DataError, Error, Result};
pub use column::{NumColumn, TextColumn};
pub use dialect::{Encoding, ReadOptions};
pub use load::{open, open_with, read_table, ColumnMap, Opened, ID_COLUMNS};
pub use registry::{
    field, load_registry, load_registry_with, registry_from_csv_bytes, registry_from_table,
    Atherectomy, ExpansionFormula, LesionIds, Lesions, Registry,
};
pub use table::{ColumnData, Table};
