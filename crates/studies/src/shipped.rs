//! The shipped synthetic datasets, built into the binary (about 300 kB) so that `reproduce` works from any
//! working directory and after `cargo install`, with no files beside the binary.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The shipped file of a study: its path in the repository (as reports name it) and its bytes.
pub fn dataset(key: &str) -> Option<(&'static str, &'static [u8])> {
    match key {
        "zhang2021" => Some((
            "datasets/zhang2021_synthetic.csv",
            include_bytes!("../../../datasets/zhang2021_synthetic.csv"),
        )),
        "denosumab-pilot" => Some((
            "datasets/denosumab_pilot_synthetic.csv",
            include_bytes!("../../../datasets/denosumab_pilot_synthetic.csv"),
        )),
        _ => None,
    }
}

/// A built-in dataset written to a private temporary directory for the loaders, removed when dropped.
#[derive(Debug)]
pub struct Extracted {
    dir: PathBuf,
    /// The file to read.
    pub path: PathBuf,
    /// The name reports give it: its path in the repository (same bytes, same SHA-256).
    pub label: &'static str,
}

impl Extracted {
    /// Write the built-in dataset of study `key` to a fresh temporary directory.
    pub fn new(key: &str) -> Result<Extracted> {
        let (label, bytes) = dataset(key)
            .ok_or_else(|| Error::Usage(format!("no built-in dataset for study '{key}'")))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("calcscore-{}-{}-{nanos}", key, std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
        let name = Path::new(label).file_name().unwrap_or_default();
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
        Ok(Extracted { dir, path, label })
    }
}

impl Drop for Extracted {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
