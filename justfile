# calcscore recipes. `just` is not in Debian 12: `pip install rust-just` installs it in a second.

bin := "target/release/calcscore"

# Run the test suite (the command CI runs).
test:
    cargo test

# Reproduce Zhang 2021 on the shipped synthetic registry → reports/zhang2021/.
reproduce:
    cargo run --release -- reproduce zhang2021

# Compare reports/zhang2021/results.json with the published numbers (exit 1 if any fails).
check: reproduce
    cargo run --release -- check zhang2021

# Regenerate the shipped synthetic registry (byte-identical for seed 4).
simulate:
    cargo run --release -- simulate zhang2021 --seed 4 --out datasets/zhang2021_synthetic.csv

# Benchmarks: warm `reproduce zhang2021`, and the engine against R on the same files (needs R for the ratios).
bench:
    cargo build --release
    bench/run.sh

# Formatting and lints, as CI reviewers expect them.
lint:
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings
