#!/usr/bin/env bash
# The statistics engine against R on the same files: logistic fit with 10 predictors and ROC with DeLong CI on
# 10^6 rows. Needs R (Rscript with pROC); prints wall times of both whole commands (load + compute) and R's
# compute-only times. Usage: bench/engine.sh BIN OUTDIR
set -euo pipefail
BIN=$1; OUT=$2
command -v Rscript > /dev/null || { echo "engine benchmark skipped: Rscript not installed"; exit 0; }
wall() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
[ -f bench/glm_1e6.csv ] || Rscript bench/fit_glm.R 1e6 bench/glm_1e6.csv > /dev/null
[ -f bench/roc_1e6.csv ] || Rscript bench/roc_pROC.R 1e6 bench/roc_1e6.csv > /dev/null
F="x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10"
ours=$(wall "$BIN" fit --data bench/glm_1e6.csv --formula "y ~ $F" --family binomial --json)
r_all=$(wall Rscript bench/fit_glm.R 1e6 bench/glm_1e6.csv)
echo "fit --family binomial, 10 predictors, 10^6 rows: calcscore ${ours} ms; Rscript (read.csv + glm + summary) ${r_all} ms"
Rscript bench/fit_glm.R 1e6 bench/glm_1e6.csv
ours=$(wall "$BIN" roc --data bench/roc_1e6.csv --marker marker --outcome outcome --json)
r_all=$(wall Rscript bench/roc_pROC.R 1e6 bench/roc_1e6.csv)
echo "roc with DeLong CI, 10^6 rows: calcscore ${ours} ms; Rscript (read.csv + roc(ci=TRUE)) ${r_all} ms"
Rscript bench/roc_pROC.R 1e6 bench/roc_1e6.csv
