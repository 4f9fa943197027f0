#!/usr/bin/env bash
# Time and peak memory of the study pipeline against registry size: for each size, simulate a Zhang 2021
# registry (Parquet), then `reproduce zhang2021` and `validate --bootstrap 1000` on it (whole processes; wall
# seconds and peak RSS from /usr/bin/time -v). Prints one Markdown table row per step and size.
# Usage: bench/scale.sh [SIZES="10000 100000 1000000 10000000"]   (CALCSCORE_BIN chooses the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${1:-"10000 100000 1000000 10000000"}
BIN=${CALCSCORE_BIN:-target/release/calcscore}
D=$(mktemp -d); trap 'rm -rf "$D"' EXIT

# run LABEL SIZE CMD...: one table row with wall seconds and peak MiB of CMD
run() {
  local label=$1 size=$2; shift 2
  local t0 t1 rss
  t0=$(date +%s%N)
  if ! /usr/bin/time -v -o "$D/time" "$@" > "$D/out" 2> "$D/err"; then
    echo "| $size | $label | failed: $(tail -c 300 "$D/err" | tr '\n' ' ') | |"
    return
  fi
  t1=$(date +%s%N)
  rss=$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$D/time")
  printf '| %s | %s | %.2f | %s |\n' "$size" "$label" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$rss"
}

echo "| lesions | step | wall s | peak MiB |"
echo "|---|---|---|---|"
for n in $SIZES; do
  f="$D/reg_$n.parquet"
  run "simulate (Parquet)" "$n" "$BIN" simulate zhang2021 --lesions "$n" --format parquet --out "$f"
  run "reproduce zhang2021" "$n" "$BIN" reproduce zhang2021 --data "$f" --out "$D/r_$n"
  run "validate --bootstrap 1000" "$n" "$BIN" validate --data "$f" --score ivus-zhang2021 --by cohort \
    --cluster patient_id --bootstrap 1000 --json
  rm -rf "$f" "$D/r_$n"
done
