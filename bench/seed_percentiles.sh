#!/usr/bin/env bash
# Where does each published Zhang 2021 number fall among the values the synthetic model produces? For seeds 1..N:
# simulate a registry, reproduce the study, check it; then bench/seed_percentiles.py gives, for every published
# number, its percentile among the N simulated values, its pass rate, and the seeds that pass every check. Writes
# bench/zhang2021_seed_percentiles.json, which the report reads (section "How the synthetic seed was chosen"), so
# this runs once, not per report.
# Usage: bench/seed_percentiles.sh [N=100]   (CALCSCORE_BIN chooses the binary; release ≈ 0.3 s per seed)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100}
BIN=${CALCSCORE_BIN:-target/release/calcscore}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT
for s in $(seq 1 "$N"); do
  "$BIN" simulate zhang2021 --seed "$s" --out "$D/reg.csv" 2>/dev/null
  "$BIN" reproduce zhang2021 --data "$D/reg.csv" --out "$D/r" > /dev/null
  cp "$D/r/results.json" "$D/q$s.json"
  "$BIN" check zhang2021 --results "$D/r/results.json" --json > "$D/c$s.json" || true
done
python3 bench/seed_percentiles.py "$D" "$N" bench/zhang2021_seed_percentiles.json
