#!/usr/bin/env bash
# Benchmarks (release build): warm `reproduce zhang2021` on the shipped registry, and, when R and statsmodels are
# installed, the statistics engine against them on the same files. Prints medians over repeated runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CALCSCORE_BIN:-target/release/calcscore}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# median wall time (ms) of a command over N runs
median_ms() {
  local n=$1; shift
  local times=()
  for _ in $(seq "$n"); do
    local t0 t1
    t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

"$BIN" reproduce zhang2021 --out "$OUT/warmup" > /dev/null
echo "reproduce zhang2021 (3862 lesions, warm), median of 10: $(median_ms 10 "$BIN" reproduce zhang2021 --out "$OUT/z") ms"

"$BIN" simulate zhang2021 --lesions 100000 --out "$OUT/big.csv" 2> /dev/null
echo "validate --bootstrap 1000 on a 10^5-lesion registry, median of 3: $(median_ms 3 "$BIN" validate --data "$OUT/big.csv" --score ivus-zhang2021 --by cohort --cluster patient_id --bootstrap 1000) ms"

# Agatston scoring of a 512x512x100 uncompressed CT series (written by the test, never committed).
CALCSCORE_BIN="$BIN" cargo test --test agatston_perf -- --ignored --nocapture 2>/dev/null | grep "agatston on" || true

# The engine against R (data.table::fread + glm/summary, sandwich::vcovCL, pROC) and statsmodels on the same
# generated 10^6-row files (CSV and Parquet, written once into bench/data/): medians of 3 alternating runs.
if command -v Rscript > /dev/null && python3 -c "import statsmodels, pyarrow" 2> /dev/null; then
  [ -f bench/data/glm_cl_1e6.csv ] || Rscript bench/gen_data.R 1e6 bench/data
  [ -f bench/data/glm_cl_1e6.parquet ] || python3 bench/to_parquet.py bench/data/*_1e6.csv
  python3 bench/compare.py "$BIN" bench/data "${BENCH_RUNS:-3}" --json bench/data/compare.json
else
  echo "engine comparison skipped: needs Rscript (data.table, pROC, sandwich) and python3 with statsmodels, pyarrow"
fi
