//! Helpers shared by the integration tests: run the real `calcscore` binary and read its JSON.
#![allow(dead_code)] // each test binary uses its own subset

use std::process::{Command, Output};

use serde_json::Value;

/// Run the binary built by this package with `args`.
pub fn calcscore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calcscore"))
        .args(args)
        .output()
        .expect("run calcscore")
}

/// Run the binary, assert success, and parse standard output as JSON.
pub fn json(args: &[&str]) -> Value {
    let o = calcscore(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}
