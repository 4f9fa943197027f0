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

# Benchmarks: warm `reproduce zhang2021`, and the engine against R and statsmodels on the same files.
bench:
    cargo build --release
    bench/run.sh

# Time and peak memory of simulate/reproduce/validate at 10^4 ... 10^7 lesions (docs/scale.md).
scale:
    cargo build --release
    bench/scale.sh

# Formatting and lints, as CI reviewers expect them.
lint:
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings

# Rebuild report.md/report.html/tables/figures of reports/zhang2021 from its results.json (no refitting).
report:
    cargo run --release -- report --results reports/zhang2021

# Screenshot of reports/zhang2021/report.html in headless Chromium (Debian: apt-get install -y chromium)
# → reports/zhang2021/report_screenshot.png. Not part of `cargo test`: CI machines lack Chromium.
screenshot: reproduce
    #!/usr/bin/env bash
    set -euo pipefail
    browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
    if [ -z "$browser" ]; then echo "no chromium found: apt-get install -y chromium" >&2; exit 2; fi
    profile=$(mktemp -d)
    trap 'rm -rf "$profile"' EXIT
    "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$profile" \
        --screenshot="$PWD/reports/zhang2021/report_screenshot.png" --window-size=1200,3000 \
        "file://$PWD/reports/zhang2021/report.html"
    echo "wrote reports/zhang2021/report_screenshot.png"

# Browser test of calculator.html: headless Chromium fills the form for several patients and the shown points,
# risk, interval and advice must equal `calcscore card --values`. Skips with a message when Chromium is absent.
calculator-test:
    cargo build
    tests/browser/calculator.sh

# Score card (SVG/PNG) and calculator page of the IVUS calcium score → card/ivus-zhang2021/.
card:
    cargo run --release -- card --score ivus-zhang2021 --out card/ivus-zhang2021
