//! Data: generic tables, loading (CSV/Parquet via polars), column maps, the lesion schema.

mod error;
pub mod load;
pub mod registry;
pub mod schema;
pub mod table;

pub use error::DataError;
pub use load::{read_table, ColumnMap};
pub use registry::{ExpansionFormula, Lesion, Registry};
pub use table::{ColumnData, Table};
